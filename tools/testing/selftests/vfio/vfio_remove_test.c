// SPDX-License-Identifier: GPL-2.0
/*
 * Removing a device that userspace holds open: the removal waits, VFIO asks
 * the user to let go through the REQ interrupt, and completes once the user
 * closes the device.  The device is then brought back by a bus rescan.
 * Run last: it removes and re-creates a PCI device.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "vfiotest.h"

FIXTURE(remove) {
	struct vt_topology topo;
	struct vt_dev o;
};

FIXTURE_VARIANT(remove) {
	enum vt_path path;
};

FIXTURE_VARIANT_ADD(remove, cdev) {
	.path = VT_CDEV,
};

FIXTURE_VARIANT_ADD(remove, group) {
	.path = VT_GROUP,
};

FIXTURE_SETUP(remove)
{
	vt_dev_init(&self->o);
	ASSERT_EQ(0, vt_topology(&self->topo));
	if (vt_no_path(variant->path))
		SKIP(return, "%s", vt_no_path(variant->path));
	ASSERT_EQ(0, vt_dev_open(&self->o, variant->path, self->topo.solo));
}

FIXTURE_TEARDOWN(remove)
{
	char path[PATH_MAX];
	struct stat st;

	vt_dev_close(&self->o);
	/* bring the device back for whatever runs next */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", self->topo.solo);
	if (self->topo.solo[0] && stat(path, &st)) {
		vt_sysfs_write("/sys/bus/pci/rescan", "1");
		vt_pci_bind(self->topo.solo, "vfio-pci");
	}
}

TEST_F(remove, request_then_release)
{
	char path[PATH_MAX], name[64];
	int efd = eventfd(0, EFD_CLOEXEC);
	struct stat st;
	pid_t pid;

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, vt_irq_eventfd(self->o.fd, VFIO_PCI_REQ_IRQ_INDEX, efd));
	pid = vt_remove_in_child(self->topo.solo);
	ASSERT_LT(0, pid);
	/* VFIO asks the user to release the device ... */
	EXPECT_LT(0, vt_eventfd_wait(efd, 10000));
	/* ... and the removal waits for it */
	EXPECT_EQ(-1, vt_wait_child(pid, 500));
	close(self->o.fd);
	self->o.fd = -1;
	EXPECT_EQ(0, vt_wait_child(pid, 20000));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", self->topo.solo);
	EXPECT_NE(0, stat(path, &st));
	close(efd);

	/* a rescan brings it back, and vfio-pci takes it again */
	ASSERT_EQ(0, vt_sysfs_write("/sys/bus/pci/rescan", "1"));
	ASSERT_EQ(0, vt_pci_bind(self->topo.solo, "vfio-pci"));
	EXPECT_EQ(0, vt_cdev_name(path, name, sizeof(name)));
}

/*
 * Removal waits only for the users of a device.  A cdev file that was
 * opened but never bound is detached from the device as the removal starts,
 * and fails every later call with -ENODEV; a bound user is still asked
 * through REQ and waited for, and meanwhile the device takes no new users.
 * Upstream waits for every open file, bound or not, and binds an unbound
 * one while it waits.
 */
FIXTURE(pending) {
	struct vt_topology topo;
	struct vt_dev o;
	int fd, iommufd, efd;
	pid_t pid;
};

FIXTURE_SETUP(pending)
{
	self->fd = -1;
	self->iommufd = -1;
	self->efd = -1;
	self->pid = 0;
	vt_dev_init(&self->o);
	ASSERT_EQ(0, vt_topology(&self->topo));
	if (vt_no_cdev())
		SKIP(return, "%s", vt_no_cdev());
	self->fd = vt_cdev_open(self->topo.solo);
	ASSERT_LE(0, self->fd);
	self->iommufd = vt_iommufd_open();
	ASSERT_LE(0, self->iommufd);
}

FIXTURE_TEARDOWN(pending)
{
	char path[PATH_MAX];
	struct stat st;

	if (self->fd >= 0)
		close(self->fd);
	if (self->iommufd >= 0)
		close(self->iommufd);
	vt_dev_close(&self->o);
	if (self->efd >= 0)
		close(self->efd);
	if (self->pid > 0)
		vt_wait_child(self->pid, 20000);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", self->topo.solo);
	if (self->topo.solo[0] && stat(path, &st)) {
		vt_sysfs_write("/sys/bus/pci/rescan", "1");
		vt_pci_bind(self->topo.solo, "vfio-pci");
	}
}

/* Does the fdinfo of @fd name a device? */
static bool fdinfo_names_device(int fd)
{
	char path[64], line[PATH_MAX + 64];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "vfio-device-syspath: ", 21))
			found = true;
	fclose(f);
	return found;
}

TEST_F(pending, unbound_file_detached)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	bool named = fdinfo_names_device(self->fd);
	__u32 devid;
	char buf[4];
	int group;

	self->pid = vt_remove_in_child(self->topo.solo);
	ASSERT_LT(0, self->pid);
	if (!vt_ours()) {
		/* the unbound file holds the removal, which takes new users */
		ASSERT_EQ(-1, vt_wait_child(self->pid, 500));
		if (vt_have_group()) {
			group = vt_group_open(self->topo.solo);
			if (group >= 0)
				close(group);
			EXPECT_LE(0, group);
		}
		EXPECT_EQ(0, vt_bind(self->fd, self->iommufd, &devid));
		close(self->fd);
		self->fd = -1;
		EXPECT_EQ(0, vt_wait_child(self->pid, 20000));
		self->pid = 0;
		VT_DIFFERS_FROM_UPSTREAM("removal does not wait for unbound cdev files");
		return;
	}
	/* the removal completes with the file open */
	EXPECT_EQ(0, vt_wait_child(self->pid, 20000));
	self->pid = 0;
	EXPECT_EQ(-ENODEV, vt_bind(self->fd, self->iommufd, &devid));
	EXPECT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_GET_INFO, &info));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, pread(self->fd, buf, sizeof(buf), 0));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, 0));
	EXPECT_EQ(ENODEV, errno);
	/* the file named its device while it had one, and names none now */
	EXPECT_TRUE(named);
	EXPECT_FALSE(fdinfo_names_device(self->fd));
	/* nor does it reach the device that a rescan brings back */
	ASSERT_EQ(0, vt_sysfs_write("/sys/bus/pci/rescan", "1"));
	ASSERT_EQ(0, vt_pci_bind(self->topo.solo, "vfio-pci"));
	EXPECT_EQ(-ENODEV, vt_bind(self->fd, self->iommufd, &devid));
}

TEST_F(pending, bound_user_waited_for)
{
	__u32 devid;
	int group;

	self->efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, self->efd);
	ASSERT_EQ(0, vt_dev_open(&self->o, VT_CDEV, self->topo.solo));
	ASSERT_EQ(0, vt_irq_eventfd(self->o.fd, VFIO_PCI_REQ_IRQ_INDEX,
				    self->efd));
	self->pid = vt_remove_in_child(self->topo.solo);
	ASSERT_LT(0, self->pid);
	/* the bound user is asked, and waited for */
	EXPECT_LT(0, vt_eventfd_wait(self->efd, 10000));
	ASSERT_EQ(-1, vt_wait_child(self->pid, 500));
	/* while it waits, the unbound file is detached and binds nothing */
	EXPECT_EQ(vt_ours() ? -ENODEV : -EINVAL,
		  vt_bind(self->fd, self->iommufd, &devid));
	if (vt_have_group()) {
		group = vt_group_open(self->topo.solo);
		if (group >= 0)
			close(group);
		EXPECT_GT(0, group);
	}
	vt_dev_close(&self->o);
	if (!vt_ours()) {
		/* 6.12 waits for the unbound file as well */
		EXPECT_EQ(-1, vt_wait_child(self->pid, 2000));
		close(self->fd);
		self->fd = -1;
	}
	EXPECT_EQ(0, vt_wait_child(self->pid, 20000));
	self->pid = 0;
	VT_DIFFERS_FROM_UPSTREAM("a device being removed detaches its unbound cdev files");
}

/*
 * The container's IOMMU model outlives the group's last device while
 * model ioctls are running on it: threads map and unmap through the
 * container while the device is unbound from vfio-pci, which takes the
 * group out of the container and releases the model.  Upstream 6.12 frees
 * the model's state under the running ioctls (a use-after-free KASAN
 * reports); the kernel log of the run shows any report.  With the threads
 * still running, the device comes back and its new group takes the same
 * container with a new model, while the old one may still be held by a
 * call (the container then cannot reuse the state it keeps for its model).
 */
#define RACE_ROUNDS	12
#define RACE_THREADS	2
#define RACE_IOVA	0x100000

struct race_ctx {
	int container;
	void *buf;
	bool stop;	/* read and written atomically */
	int bad;	/* an errno other than the expected ones */
	long threads;
};

static void *race_thread(void *arg)
{
	struct race_ctx *c = arg;
	/* each thread maps at an IOVA of its own */
	long id = __atomic_fetch_add(&c->threads, 1, __ATOMIC_RELAXED);
	__u64 iova = RACE_IOVA + id * 0x10000;
	int ret;

	while (!__atomic_load_n(&c->stop, __ATOMIC_RELAXED)) {
		ret = vt_container_map(c->container, c->buf, 4096, iova);
		/* without a model (the group has gone) the container says EINVAL */
		if (ret && ret != -EINVAL && !c->bad)
			c->bad = ret;
		if (!ret) {
			/* ERANGE: the last group's detach unmapped it already */
			ret = vt_container_unmap(c->container, iova, 4096);
			if (ret && ret != -EINVAL && ret != -ERANGE && !c->bad)
				c->bad = ret;
		}
	}
	return NULL;
}

TEST(container_model_outlives_group)
{
	struct timespec ts = { .tv_nsec = 30 * 1000 * 1000 };
	pthread_t thr[RACE_THREADS];
	struct vt_topology topo;
	struct race_ctx c = {};
	char unbind[PATH_MAX];
	int round, i, group, group2;

	ASSERT_EQ(0, vt_topology(&topo));
	/* iommufd's /dev/vfio/vfio has no IOMMU model to lose */
	if (!vt_kconfig("CONFIG_VFIO_CONTAINER"))
		SKIP(return, "kernel built without VFIO's own container");
	if (!vt_ours() && !getenv("VFIO_TEST_UPSTREAM_BUGS"))
		SKIP(return, "upstream 6.12 frees the model under the ioctl (vfio-core.rst)");
	c.buf = vt_buf_alloc(4096);
	ASSERT_NE(NULL, c.buf);
	snprintf(unbind, sizeof(unbind), "/sys/bus/pci/devices/%s/driver/unbind", topo.solo);

	for (round = 0; round < RACE_ROUNDS; round++) {
		group = vt_group_open(topo.solo);
		ASSERT_LE(0, group);
		c.container = vt_container_open();
		ASSERT_LE(0, c.container);
		ASSERT_EQ(0, vt_container_setup(c.container, group, VFIO_TYPE1v2_IOMMU));
		__atomic_store_n(&c.stop, false, __ATOMIC_RELAXED);
		c.threads = 0;
		for (i = 0; i < RACE_THREADS; i++)
			ASSERT_EQ(0, pthread_create(&thr[i], NULL, race_thread, &c));
		nanosleep(&ts, NULL);
		/* the group's last device goes: the group leaves the container */
		EXPECT_EQ(0, vt_sysfs_write(unbind, topo.solo));
		/* the container has no model any more */
		EXPECT_EQ(-EINVAL, vt_container_map(c.container, c.buf, 4096,
						    RACE_IOVA + 0x100000));
		ASSERT_EQ(0, vt_pci_bind(topo.solo, "vfio-pci"));
		/* the new group, in the same container, with a new model */
		group2 = vt_group_open(topo.solo);
		EXPECT_LE(0, group2);
		if (group2 >= 0)
			EXPECT_EQ(0, vt_container_setup(c.container, group2,
							VFIO_TYPE1v2_IOMMU));
		nanosleep(&ts, NULL);
		__atomic_store_n(&c.stop, true, __ATOMIC_RELAXED);
		for (i = 0; i < RACE_THREADS; i++)
			pthread_join(thr[i], NULL);
		/* the new model maps */
		EXPECT_EQ(0, vt_container_map(c.container, c.buf, 4096, RACE_IOVA + 0x100000));
		close(c.container);
		if (group2 >= 0)
			close(group2);
		close(group);
	}
	EXPECT_EQ(0, c.bad);

	/* the device and its group work as before */
	group = vt_group_open(topo.solo);
	ASSERT_LE(0, group);
	c.container = vt_container_open();
	ASSERT_LE(0, c.container);
	ASSERT_EQ(0, vt_container_setup(c.container, group, VFIO_TYPE1v2_IOMMU));
	i = vt_group_device(group, topo.solo);
	EXPECT_LE(0, i);
	if (i >= 0)
		close(i);
	close(c.container);
	close(group);
	vt_buf_free(c.buf, 4096);
}

TEST_HARNESS_MAIN
