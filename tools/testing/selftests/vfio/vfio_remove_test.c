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
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
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

static pid_t remove_in_child(const char *bdf)
{
	char path[PATH_MAX];
	pid_t pid;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove", bdf);
	pid = fork();
	if (!pid) {
		/* holding a copy of the device file would make us wait on ourselves */
		close_range(3, ~0U, 0);
		_exit(vt_sysfs_write(path, "1") ? 1 : 0);
	}
	return pid;
}

/* Wait up to @ms for @pid; returns its exit status or -1 if still running. */
static int wait_child(pid_t pid, int ms)
{
	struct timespec ts = { .tv_nsec = 20 * 1000 * 1000 };
	int status, i;

	for (i = 0; i < ms / 20; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
		nanosleep(&ts, NULL);
	}
	return -1;
}

TEST_F(remove, request_then_release)
{
	char path[PATH_MAX], name[64];
	int efd = eventfd(0, EFD_CLOEXEC);
	struct stat st;
	pid_t pid;

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, vt_irq_eventfd(self->o.fd, VFIO_PCI_REQ_IRQ_INDEX, efd));
	pid = remove_in_child(self->topo.solo);
	ASSERT_LT(0, pid);
	/* VFIO asks the user to release the device ... */
	EXPECT_LT(0, vt_eventfd_wait(efd, 10000));
	/* ... and the removal waits for it */
	EXPECT_EQ(-1, wait_child(pid, 500));
	close(self->o.fd);
	self->o.fd = -1;
	EXPECT_EQ(0, wait_child(pid, 20000));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", self->topo.solo);
	EXPECT_NE(0, stat(path, &st));
	close(efd);

	/* a rescan brings it back, and vfio-pci takes it again */
	ASSERT_EQ(0, vt_sysfs_write("/sys/bus/pci/rescan", "1"));
	ASSERT_EQ(0, vt_pci_bind(self->topo.solo, "vfio-pci"));
	EXPECT_EQ(0, vt_cdev_name(path, name, sizeof(name)));
}

TEST_HARNESS_MAIN
