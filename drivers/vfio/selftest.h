/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The interface of the VFIO test driver (selftest.c), shared with
 * tools/testing/selftests/vfio.  Not a UAPI: it changes with the tests.
 */
#ifndef __VFIO_SELFTEST_H__
#define __VFIO_SELFTEST_H__

#include <linux/ioctl.h>
#include <linux/types.h>

/* Where the driver's devices and its controls live in sysfs. */
#define VFIO_SELFTEST_SYSFS	"/sys/devices/vfio-selftest"

/*
 * Writing "N" to VFIO_SELFTEST_SYSFS/create makes a device "stK" in
 * device set N (0-3), "fail N" makes one whose init callback joins set N
 * and then fails with -ENOSPC; writing "stK" or "all" to .../remove
 * unregisters devices again.
 */
#define VFIO_SELFTEST_SETS	4
#define VFIO_SELFTEST_INIT_ERR	ENOSPC

/* The driver's ioctls on an open device file; not VFIO's number space. */
#define VFIO_SELFTEST_TYPE	0xfe

/* Pin @npage pages from @iova (vfio_pin_pages()) and keep them. */
struct vfio_selftest_pin {
	__u64 iova;
	__u32 npage;
	__u32 pad;
};

#define VFIO_SELFTEST_PIN	_IOW(VFIO_SELFTEST_TYPE, 0, struct vfio_selftest_pin)
/* Unpin everything this device holds; returns how many pages it held. */
#define VFIO_SELFTEST_UNPIN_ALL	_IO(VFIO_SELFTEST_TYPE, 1)
/* How many pages the device holds pinned. */
#define VFIO_SELFTEST_PINNED	_IO(VFIO_SELFTEST_TYPE, 2)

/* Copy @len bytes between @uptr and IOVA @iova through vfio_dma_rw(). */
struct vfio_selftest_rw {
	__u64 iova;
	__u64 uptr;
	__u32 len;
	__u32 write;
};

#define VFIO_SELFTEST_DMA_RW	_IOW(VFIO_SELFTEST_TYPE, 3, struct vfio_selftest_rw)
/*
 * Keep (1) or drop (0) the pinned pages when the device is closed.  A
 * device that keeps them relies on the unmap notification that the end
 * of its iommufd access sends.
 */
#define VFIO_SELFTEST_KEEP_PINS	_IO(VFIO_SELFTEST_TYPE, 4)

#endif /* __VFIO_SELFTEST_H__ */
