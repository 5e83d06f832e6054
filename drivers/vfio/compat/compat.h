/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VFIO legacy interface: what the group and the container share.
 *
 *   group.c      /dev/vfio/$GROUP: one struct vfio_group per IOMMU group
 *                that has VFIO devices; the group/cdev exclusion; device
 *                files handed out by name; joining an iommufd
 *   container.c  /dev/vfio/vfio: the legacy IOMMU drivers (type1, sPAPR,
 *                no-IOMMU) and the groups that share one of them
 *
 * Both sit on the core: a device file obtained from a group is the same
 * struct vfio_device_file a cdev open makes, opened and closed by the
 * same core code, through the struct vfio_device_file_ops that group.c
 * gives it.  The core calls in only through those and the hooks in
 * ../vfio.h; nothing here is visible to it otherwise.
 *
 * The locks of both, with the core's, are described in ../vfio.h.
 */
#ifndef __VFIO_COMPAT_H__
#define __VFIO_COMPAT_H__

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>

#include "../vfio.h"

struct vfio_container;

/**
 * struct vfio_group - the legacy face of an IOMMU group
 * @dev: the class device behind /dev/vfio/$GROUP; holds the structure
 * @cdev: the character device
 * @iommu_group: the IOMMU group; NULL once the last device has left
 * @type: real IOMMU group, or one made for an emulated or no-IOMMU device
 * @lock: protects the fields below it, up to @device_lock
 * @registered: devices registered in the group (changed under
 *	vfio_groups_lock too)
 * @leaving: devices of the group withdrawn and not yet detached; when
 *	every registered device is leaving, the group cannot be opened
 * @opened_file: the one open group file, or NULL
 * @cdev_device_open_cnt: devices of the group bound through their cdevs;
 *	while non-zero the group cannot be opened, and while @opened_file is
 *	set no device can be bound
 * @device_files: device files handed out by the group and still open;
 *	each holds a reference on @opened_file
 * @container: the container the group is in, or NULL
 * @iommufd: the iommufd the group was joined to instead, or NULL
 * @device_lock: protects @devices
 * @devices: the registered devices that may be handed out
 * @kvm: the KVM the group file was added to
 * @container_node: link in @container's list of groups
 */
struct vfio_group {
	struct device dev;
	struct cdev cdev;
	struct iommu_group *iommu_group;
	enum vfio_group_type type;

	struct mutex lock;	/* see above */
	unsigned int registered;
	unsigned int leaving;
	struct file *opened_file;
	unsigned int cdev_device_open_cnt;
	unsigned int device_files;
	struct vfio_container *container;
	struct iommufd_ctx *iommufd;

	struct mutex device_lock;	/* protects @devices */
	struct list_head devices;

	struct vfio_kvm_slot kvm;

	struct list_head container_node;
};

#if IS_ENABLED(CONFIG_VFIO_CONTAINER)
struct vfio_container *vfio_container_of_file(struct file *file);
int vfio_container_add_group(struct vfio_container *container,
			     struct vfio_group *group);
void vfio_container_remove_group(struct vfio_group *group);
int vfio_container_open_device(struct vfio_device *device);
void vfio_container_close_device(struct vfio_device *device);
int vfio_container_init(void);
void vfio_container_exit(void);
#else
static inline struct vfio_container *vfio_container_of_file(struct file *file)
{
	return NULL;
}

static inline int vfio_container_add_group(struct vfio_container *container,
					   struct vfio_group *group)
{
	return -EOPNOTSUPP;
}

static inline void vfio_container_remove_group(struct vfio_group *group) { }

static inline int vfio_container_open_device(struct vfio_device *device)
{
	return -EINVAL;
}

static inline void vfio_container_close_device(struct vfio_device *device) { }

static inline int vfio_container_init(void)
{
	return 0;
}

static inline void vfio_container_exit(void) { }
#endif /* CONFIG_VFIO_CONTAINER */

#endif /* __VFIO_COMPAT_H__ */
