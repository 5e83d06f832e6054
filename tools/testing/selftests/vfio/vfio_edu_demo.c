// SPDX-License-Identifier: GPL-2.0
/*
 * The vmtest.sh demo: drive QEMU's edu device from userspace through
 * /dev/vfio/devices/vfioN and iommufd, the way a VMM or a userspace driver
 * does, and show each step.  Exits non-zero if any step fails.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include "vfiotest.h"

#define IOVA_IN		0x100000ULL
#define IOVA_OUT	0x200000ULL

#define STEP(cond, ...) do {						\
	if (!(cond)) {							\
		printf("demo: FAILED: " __VA_ARGS__);			\
		printf(" (%s)\n", strerror(errno));			\
		return 1;						\
	}								\
	printf("demo: " __VA_ARGS__);					\
	printf("\n");							\
} while (0)

int main(void)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vt_topology topo;
	char sysdev[128], node[128];
	void *in, *out;
	struct vt_edu edu;
	__u32 devid, ioas, pt, ident, live;
	int iommufd, fd, efd;

	STEP(!vt_topology(&topo), "found edu %s (alone in its IOMMU group %d)",
	     topo.solo, vt_group_id(topo.solo));
	snprintf(sysdev, sizeof(sysdev), "/sys/bus/pci/devices/%s", topo.solo);
	STEP(!vt_cdev_path(sysdev, node, sizeof(node)), "its VFIO cdev is %s", node);
	fd = vt_cdev_open(topo.solo);
	STEP(fd >= 0, "opened %s", node);
	iommufd = vt_iommufd_open();
	STEP(iommufd >= 0, "opened /dev/iommu");
	STEP(!vt_bind(fd, iommufd, &devid), "VFIO_DEVICE_BIND_IOMMUFD: device id %u", devid);
	STEP(!vt_ioas_alloc(iommufd, &ioas), "IOMMU_IOAS_ALLOC: IOAS %u", ioas);
	pt = ioas;
	STEP(!vt_attach(fd, &pt), "VFIO_DEVICE_ATTACH_IOMMUFD_PT: attached through HWPT %u", pt);
	STEP(!ioctl(fd, VFIO_DEVICE_GET_INFO, &info),
	     "VFIO_DEVICE_GET_INFO: flags 0x%x, %u regions, %u irqs",
	     info.flags, info.num_regions, info.num_irqs);
	STEP(!vt_edu_init(&edu, fd), "enabled memory decoding and bus mastering");
	STEP(!vt_edu_read(&edu, EDU_IDENT, &ident) &&
	     (ident & EDU_IDENT_MASK) == EDU_IDENT_VAL, "BAR0 ident 0x%08x", ident);
	STEP(!vt_edu_write(&edu, EDU_LIVENESS, 0x12345678) &&
	     !vt_edu_read(&edu, EDU_LIVENESS, &live) && live == ~0x12345678U,
	     "BAR0 liveness: wrote 0x12345678, read back 0x%08x", live);

	in = vt_buf_alloc(4096);
	out = vt_buf_alloc(4096);
	STEP(in && out, "allocated two pages");
	snprintf(in, 4096, "Hello from userspace, through VFIO cdev %s and iommufd IOAS %u!",
		 node, ioas);
	STEP(!vt_ioas_map(iommufd, ioas, in, 4096, IOVA_IN) &&
	     !vt_ioas_map(iommufd, ioas, out, 4096, IOVA_OUT),
	     "IOMMU_IOAS_MAP: pages at IOVA 0x%llx and 0x%llx", IOVA_IN, IOVA_OUT);
	STEP(!vt_edu_dma(&edu, IOVA_IN, 256, false), "edu DMA: IOVA 0x%llx -> device", IOVA_IN);
	STEP(!vt_edu_dma(&edu, IOVA_OUT, 256, true), "edu DMA: device -> IOVA 0x%llx", IOVA_OUT);
	STEP(!memcmp(in, out, 256), "the DMA round trip is byte-exact: \"%s\"", (char *)out);

	efd = eventfd(0, EFD_CLOEXEC);
	STEP(efd >= 0 && !vt_irq_eventfd(fd, VFIO_PCI_MSI_IRQ_INDEX, efd),
	     "VFIO_DEVICE_SET_IRQS: MSI -> eventfd");
	STEP(!vt_edu_write(&edu, EDU_IRQ_RAISE, 1) && vt_eventfd_wait(efd, 3000) > 0,
	     "the edu raised MSI and the eventfd fired");
	vt_edu_write(&edu, EDU_IRQ_ACK, 1);
	vt_irq_disable(fd, VFIO_PCI_MSI_IRQ_INDEX);
	close(efd);
	close(fd);
	close(iommufd);
	printf("demo: closed the device; done\n");
	return 0;
}
