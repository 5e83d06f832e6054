// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO core: the module.
 */
#include <linux/module.h>

#include "vfio.h"

#define DRIVER_VERSION	"0.3"
#define DRIVER_AUTHOR	"The VFIO core authors"
#define DRIVER_DESC	"VFIO - User Level meta-driver"

static int vfio_cdev_setup(void)
{
	return vfio_cdev_init(vfio_device_class);
}

static int vfio_debugfs_setup(void)
{
	vfio_debugfs_init();
	return 0;
}

/* The parts of the core, set up in this order and torn down in reverse. */
static const struct {
	int (*init)(void);
	void (*exit)(void);
} vfio_parts[] = {
	{ vfio_device_init_core, vfio_device_exit_core },
	{ vfio_cdev_setup, vfio_cdev_exit },
	{ vfio_virqfd_init, vfio_virqfd_exit },
	{ vfio_group_init, vfio_group_exit },
	{ vfio_debugfs_setup, vfio_debugfs_exit },
};

static void vfio_teardown(unsigned int parts)
{
	while (parts--)
		vfio_parts[parts].exit();
}

static int __init vfio_init(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(vfio_parts); i++) {
		ret = vfio_parts[i].init();
		if (ret) {
			vfio_teardown(i);
			return ret;
		}
	}
	pr_info(DRIVER_DESC " version: " DRIVER_VERSION "\n");
	return 0;
}

static void __exit vfio_exit(void)
{
	vfio_teardown(ARRAY_SIZE(vfio_parts));
}

module_init(vfio_init);
module_exit(vfio_exit);

/*
 * The DMA logging reports (device_file.c) use the IOVA bitmaps, which
 * iommufd exports for drivers that track dirty pages (IOMMUFD_DRIVER) even
 * in a kernel without IOMMUFD itself.
 */
MODULE_IMPORT_NS(IOMMUFD);
MODULE_VERSION(DRIVER_VERSION);
MODULE_LICENSE("GPL");
MODULE_AUTHOR(DRIVER_AUTHOR);
MODULE_DESCRIPTION(DRIVER_DESC);
MODULE_SOFTDEP("post: vfio_iommu_type1 vfio_iommu_spapr_tce");
