// SPDX-License-Identifier: GPL-2.0
/*
 * Races of userspace against itself and against removal: opens and binds
 * against unregistration, a bind against the close of its iommufd, and
 * the removal of a device (edu, test driver, mtty) that is bound,
 * attached and mapped while another thread is in its ioctls, or that is
 * held by an unbound cdev file or by a device file from its group.  After
 * each, the device comes back (rescan, rebind, re-create) and works.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/pci_regs.h>

#include "../kselftest_harness.h"
#include "vfiotest.h"

#define RACE_ROUNDS	16
#define MDEV_UUID	"7c1e3a5b-2d4f-4a6c-8e0b-1f3d5b7a9c2e"
#define MDEV_TYPE	"/sys/class/mdev_bus/mtty/mdev_supported_types/mtty-1/create"
#define MDEV_DEV	"/sys/bus/mdev/devices/" MDEV_UUID

static void race_sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

struct opener {
	char name[16];
	int iommufd;
	bool stop;	/* read and written atomically */
	int opened, bound;
};

/* Open, bind and close the test driver's device until told to stop. */
static void *opener_thread(void *arg)
{
	struct opener *o = arg;
	int fd;

	while (!__atomic_load_n(&o->stop, __ATOMIC_RELAXED)) {
		fd = vt_st_cdev_open(o->name);
		if (fd < 0)
			continue;
		o->opened++;
		if (!vt_bind(fd, o->iommufd, NULL))
			o->bound++;
		close(fd);
	}
	return NULL;
}

/*
 * Unregistration races opens and binds: every round a device is made, a
 * thread opens and binds it in a loop, and the device is removed under it.
 * The removal waits for the thread's files and completes; opens and binds
 * after it fail cleanly.
 */
TEST(unregister_vs_open_bind)
{
	struct opener o = {};
	pthread_t thr;
	int round;
	pid_t pid;

	if (vt_no_st() || vt_no_cdev())
		SKIP(return, "needs the VFIO test driver and the cdev");
	o.iommufd = vt_iommufd_open();
	ASSERT_LE(0, o.iommufd);
	for (round = 0; round < RACE_ROUNDS; round++) {
		ASSERT_EQ(0, vt_st_create(0, false, o.name, sizeof(o.name)));
		__atomic_store_n(&o.stop, false, __ATOMIC_RELAXED);
		ASSERT_EQ(0, pthread_create(&thr, NULL, opener_thread, &o));
		race_sleep_ms(round % 4 * 5);
		pid = vt_write_in_child(VFIO_SELFTEST_SYSFS "/remove", o.name);
		ASSERT_LT(0, pid);
		/* the removal ends while the thread still tries */
		EXPECT_EQ(0, vt_wait_child(pid, 20000));
		__atomic_store_n(&o.stop, true, __ATOMIC_RELAXED);
		pthread_join(thr, NULL);
	}
	ksft_print_msg("%d opens, %d binds raced %d removals\n", o.opened, o.bound, RACE_ROUNDS);
	close(o.iommufd);
}

struct binder {
	int fd, iommufd, ret;
};

static void *bind_thread(void *arg)
{
	struct binder *b = arg;

	b->ret = vt_bind(b->fd, b->iommufd, NULL);
	return NULL;
}

/*
 * A bind races the close of the iommufd it binds to: either way the device
 * ends up bound to a live iommufd or not bound, and binds again afterwards.
 */
TEST(bind_vs_iommufd_close)
{
	struct vt_topology topo;
	struct binder b;
	pthread_t thr;
	int round, fd, iommufd;
	__u32 ioas;

	ASSERT_EQ(0, vt_topology(&topo));
	if (vt_no_cdev())
		SKIP(return, "%s", vt_no_cdev());
	for (round = 0; round < RACE_ROUNDS * 4; round++) {
		b.fd = vt_cdev_open(topo.solo);
		ASSERT_LE(0, b.fd);
		b.iommufd = vt_iommufd_open();
		ASSERT_LE(0, b.iommufd);
		ASSERT_EQ(0, pthread_create(&thr, NULL, bind_thread, &b));
		close(b.iommufd);
		pthread_join(thr, NULL);
		/* EBADF if the close came first, else the bind holds the iommufd */
		EXPECT_TRUE(b.ret == 0 || b.ret == -EBADF) TH_LOG("bind: %d", b.ret);
		close(b.fd);
	}
	iommufd = vt_iommufd_with_ioas(&ioas);
	ASSERT_LE(0, iommufd);
	fd = vt_cdev_setup(topo.solo, iommufd, ioas, NULL);
	EXPECT_LE(0, fd);
	if (fd >= 0)
		close(fd);
	close(iommufd);
}

/*
 * Removal of the edu while userspace holds it in one of three ways, with
 * a thread in its ioctls where it is usable.  The user learns of the
 * removal from the REQ interrupt where it asked for one, else after a
 * while, and closes; the removal then ends, and a rescan brings the
 * device back to vfio-pci.
 */
enum hold { HOLD_BOUND, HOLD_UNBOUND, HOLD_GROUP };

/* A thread's ioctls on a device file, until told to stop. */
struct ioctl_loop {
	int fd;
	bool stop;	/* read and written atomically */
	long calls;
};

FIXTURE(held) {
	struct vt_topology topo;
	struct vt_dev o;
	int unbound;
	struct ioctl_loop loop;
};

FIXTURE_VARIANT(held) {
	enum hold hold;
};

FIXTURE_VARIANT_ADD(held, bound_attached_mapped) {
	.hold = HOLD_BOUND,
};

FIXTURE_VARIANT_ADD(held, unbound_cdev) {
	.hold = HOLD_UNBOUND,
};

FIXTURE_VARIANT_ADD(held, group_device) {
	.hold = HOLD_GROUP,
};

FIXTURE_SETUP(held)
{
	enum vt_path path = variant->hold == HOLD_GROUP ? VT_GROUP : VT_CDEV;

	vt_dev_init(&self->o);
	self->unbound = -1;
	memset(&self->loop, 0, sizeof(self->loop));
	ASSERT_EQ(0, vt_topology(&self->topo));
	if (vt_no_path(path))
		SKIP(return, "%s", vt_no_path(path));
	if (variant->hold == HOLD_UNBOUND) {
		self->unbound = vt_cdev_open(self->topo.solo);
		ASSERT_LE(0, self->unbound);
		return;
	}
	ASSERT_EQ(0, vt_dev_open(&self->o, path, self->topo.solo));
}

FIXTURE_TEARDOWN(held)
{
	char path[PATH_MAX];
	struct stat st;

	vt_dev_close(&self->o);
	if (self->unbound >= 0)
		close(self->unbound);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", self->topo.solo);
	if (self->topo.solo[0] && stat(path, &st)) {
		vt_sysfs_write("/sys/bus/pci/rescan", "1");
		vt_pci_bind(self->topo.solo, "vfio-pci");
	}
}

static void *ioctl_thread(void *arg)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct ioctl_loop *l = arg;
	struct vfio_region_info ri;
	__u16 vendor;

	while (!__atomic_load_n(&l->stop, __ATOMIC_RELAXED)) {
		ioctl(l->fd, VFIO_DEVICE_GET_INFO, &info);
		vt_region(l->fd, VFIO_PCI_CONFIG_REGION_INDEX, &ri);
		vt_cfg_read(l->fd, PCI_VENDOR_ID, &vendor, 2);
		l->calls++;
	}
	return NULL;
}

TEST_F(held, remove)
{
	char path[PATH_MAX], name[64];
	int efd = -1, iommufd;
	pthread_t thr;
	void *buf = NULL;
	bool thread = false;
	__u32 ioas;
	pid_t pid;

	if (variant->hold != HOLD_UNBOUND) {
		if (variant->hold == HOLD_BOUND) {
			buf = vt_buf_alloc(65536);
			ASSERT_NE(NULL, buf);
			ASSERT_EQ(0, vt_ioas_map(self->o.iommufd, self->o.ioas, buf, 65536,
						 0x100000));
		}
		efd = eventfd(0, EFD_CLOEXEC);
		ASSERT_LE(0, efd);
		ASSERT_EQ(0, vt_irq_eventfd(self->o.fd, VFIO_PCI_REQ_IRQ_INDEX, efd));
		self->loop.fd = self->o.fd;
		ASSERT_EQ(0, pthread_create(&thr, NULL, ioctl_thread, &self->loop));
		thread = true;
	}
	pid = vt_remove_in_child(self->topo.solo);
	ASSERT_LT(0, pid);
	if (efd >= 0) {
		EXPECT_LT(0, vt_eventfd_wait(efd, 10000));
	} else if (vt_ours()) {
		/* an unbound file does not hold the removal: it is detached */
		EXPECT_EQ(0, vt_wait_child(pid, 20000));
		pid = 0;
	} else {
		/* upstream: nothing can tell an unbound file, the removal waits */
		EXPECT_EQ(-1, vt_wait_child(pid, 1000));
	}
	if (thread) {
		__atomic_store_n(&self->loop.stop, true, __ATOMIC_RELAXED);
		pthread_join(thr, NULL);
		EXPECT_LT(0, self->loop.calls);
	}
	vt_dev_close(&self->o);
	if (self->unbound >= 0)
		close(self->unbound);
	self->unbound = -1;
	if (pid)
		EXPECT_EQ(0, vt_wait_child(pid, 20000));
	if (efd >= 0)
		close(efd);
	vt_buf_free(buf, 65536);

	/* back on vfio-pci after a rescan, and usable */
	ASSERT_EQ(0, vt_sysfs_write("/sys/bus/pci/rescan", "1"));
	ASSERT_EQ(0, vt_pci_bind(self->topo.solo, "vfio-pci"));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", self->topo.solo);
	if (!vt_no_cdev()) {
		EXPECT_EQ(0, vt_cdev_name(path, name, sizeof(name)));
		iommufd = vt_iommufd_with_ioas(&ioas);
		ASSERT_LE(0, iommufd);
		self->o.fd = vt_cdev_setup(self->topo.solo, iommufd, ioas, NULL);
		EXPECT_LE(0, self->o.fd);
		close(iommufd);
	}
	if (variant->hold == HOLD_UNBOUND)
		VT_DIFFERS_FROM_UPSTREAM("removal does not wait for unbound cdev files");
}

/*
 * An mtty mdev removed through sysfs while its cdev file is bound: mtty
 * has no request callback, so the removal waits for the close, and the
 * mdev can be created again afterwards.
 */
TEST(mdev_remove_while_open)
{
	char path[PATH_MAX];
	int iommufd, fd, round;
	__u32 ioas;
	pid_t pid;

	if (!vt_kconfig("CONFIG_SAMPLE_VFIO_MDEV_MTTY") || access(MDEV_TYPE, W_OK))
		SKIP(return, "no mtty");
	if (vt_no_cdev())
		SKIP(return, "%s", vt_no_cdev());
	for (round = 0; round < 3; round++) {
		ASSERT_EQ(0, vt_sysfs_write(MDEV_TYPE, MDEV_UUID));
		ASSERT_EQ(0, vt_cdev_path(MDEV_DEV, path, sizeof(path)));
		iommufd = vt_iommufd_with_ioas(&ioas);
		ASSERT_LE(0, iommufd);
		fd = open(path, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd);
		EXPECT_EQ(0, vt_bind(fd, iommufd, NULL));
		EXPECT_EQ(0, vt_attach(fd, &ioas));
		pid = vt_write_in_child(MDEV_DEV "/remove", "1");
		ASSERT_LT(0, pid);
		EXPECT_EQ(-1, vt_wait_child(pid, 300 + round * 200));
		close(fd);
		close(iommufd);
		EXPECT_EQ(0, vt_wait_child(pid, 20000));
		EXPECT_NE(0, access(MDEV_DEV, F_OK));
	}
}

TEST_HARNESS_MAIN
