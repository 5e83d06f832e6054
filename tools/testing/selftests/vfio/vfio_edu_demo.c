// SPDX-License-Identifier: GPL-2.0
/*
 * The vmtest.sh demo: drive QEMU's edu device from userspace through
 * /dev/vfio/devices/vfioN and iommufd, the way a VMM or a userspace driver
 * does, and show each step.  Exits non-zero if any step fails.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include "vfiotest.h"

#define IOVA_IN		0x100000ULL
#define IOVA_OUT	0x200000ULL

/* Print one step of the demo; returns true if it failed. */
static bool __printf(2, 3) failed(bool ok, const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	printf("demo: %s", ok ? "" : "FAILED: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok)
		printf(" (%s)", strerror(err));
	printf("\n");
	return !ok;
}

int main(void)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	char sysdev[128], node[128] = "";
	__u32 devid = 0, ioas = 0, pt = 0, ident = 0, live = 0;
	struct vt_topology topo;
	void *in, *out;
	struct vt_edu edu;
	int iommufd, fd, efd;
	bool ok;

	ok = !vt_topology(&topo);
	if (failed(ok, "found edu %s (alone in its IOMMU group %d)",
		   topo.solo, ok ? vt_group_id(topo.solo) : -1))
		return 1;
	snprintf(sysdev, sizeof(sysdev), "/sys/bus/pci/devices/%s", topo.solo);
	ok = !vt_cdev_path(sysdev, node, sizeof(node));
	if (failed(ok, "its VFIO cdev is %s", node))
		return 1;
	fd = vt_cdev_open(topo.solo);
	if (failed(fd >= 0, "opened %s", node))
		return 1;
	iommufd = vt_iommufd_open();
	if (failed(iommufd >= 0, "opened /dev/iommu"))
		return 1;
	ok = !vt_bind(fd, iommufd, &devid);
	if (failed(ok, "VFIO_DEVICE_BIND_IOMMUFD: device id %u", devid))
		return 1;
	ok = !vt_ioas_alloc(iommufd, &ioas);
	if (failed(ok, "IOMMU_IOAS_ALLOC: IOAS %u", ioas))
		return 1;
	pt = ioas;
	ok = !vt_attach(fd, &pt);
	if (failed(ok, "VFIO_DEVICE_ATTACH_IOMMUFD_PT: attached through HWPT %u", pt))
		return 1;
	ok = !ioctl(fd, VFIO_DEVICE_GET_INFO, &info);
	if (failed(ok, "VFIO_DEVICE_GET_INFO: flags 0x%x, %u regions, %u irqs",
		   info.flags, info.num_regions, info.num_irqs))
		return 1;
	ok = !vt_edu_init(&edu, fd);
	if (failed(ok, "enabled memory decoding and bus mastering"))
		return 1;
	ok = !vt_edu_read(&edu, EDU_IDENT, &ident) &&
	     (ident & EDU_IDENT_MASK) == EDU_IDENT_VAL;
	if (failed(ok, "BAR0 ident 0x%08x", ident))
		return 1;
	ok = !vt_edu_write(&edu, EDU_LIVENESS, 0x12345678) &&
	     !vt_edu_read(&edu, EDU_LIVENESS, &live) && live == ~0x12345678U;
	if (failed(ok, "BAR0 liveness: wrote 0x12345678, read back 0x%08x", live))
		return 1;

	in = vt_buf_alloc(4096);
	out = vt_buf_alloc(4096);
	if (failed(in && out, "allocated two pages"))
		return 1;
	snprintf(in, 4096, "Hello from userspace, through VFIO cdev %s and iommufd IOAS %u!",
		 node, ioas);
	ok = !vt_ioas_map(iommufd, ioas, in, 4096, IOVA_IN) &&
	     !vt_ioas_map(iommufd, ioas, out, 4096, IOVA_OUT);
	if (failed(ok, "IOMMU_IOAS_MAP: pages at IOVA 0x%llx and 0x%llx", IOVA_IN, IOVA_OUT))
		return 1;
	ok = !vt_edu_dma(&edu, IOVA_IN, 256, false);
	if (failed(ok, "edu DMA: IOVA 0x%llx -> device", IOVA_IN))
		return 1;
	ok = !vt_edu_dma(&edu, IOVA_OUT, 256, true);
	if (failed(ok, "edu DMA: device -> IOVA 0x%llx", IOVA_OUT))
		return 1;
	if (failed(!memcmp(in, out, 256), "the DMA round trip is byte-exact: \"%s\"",
		   (char *)out))
		return 1;

	efd = eventfd(0, EFD_CLOEXEC);
	ok = efd >= 0 && !vt_irq_eventfd(fd, VFIO_PCI_MSI_IRQ_INDEX, efd);
	if (failed(ok, "VFIO_DEVICE_SET_IRQS: MSI -> eventfd"))
		return 1;
	ok = !vt_edu_write(&edu, EDU_IRQ_RAISE, 1) && vt_eventfd_wait(efd, 3000) > 0;
	if (failed(ok, "the edu raised MSI and the eventfd fired"))
		return 1;
	vt_edu_write(&edu, EDU_IRQ_ACK, 1);
	vt_irq_disable(fd, VFIO_PCI_MSI_IRQ_INDEX);
	close(efd);
	close(fd);
	close(iommufd);
	printf("demo: closed the device; done\n");
	return 0;
}
