// SPDX-License-Identifier: GPL-2.0
/*
 * A real legacy client: Debian's QEMU 7.2, whose only VFIO backend is the
 * container and the group, assigns the edu to a guest of its own with
 * "-device vfio-pci,host=BDF".  Realizing the device walks the whole legacy
 * flow (container, GET_STATUS, SET_CONTAINER, SET_IOMMU, MAP_DMA of the
 * guest's RAM, GET_DEVICE_FD, region and IRQ info, config space reads),
 * so QEMU listing the device on its PCI bus means every step worked.  The
 * guest is never started (-S): the test is about VFIO, not about running
 * a nested guest under TCG.
 *
 * vmtest.sh puts QEMU into the guest image for the IOMMU boots; without it
 * the tests SKIP.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "vfiotest.h"

#define QEMU		"/usr/bin/qemu-system-x86_64"
#define QEMU_PROMPT	"(qemu) "
/* QEMU under TCG inside a TCG guest starts slowly. */
#define QEMU_WAIT_S	240

static char *const qemu_env[] = { "PATH=/usr/bin:/bin", NULL };

/* Start QEMU with the device and its monitor on a pipe; paused. */
static int qemu_start(struct vt_proc *q, const char *bdf)
{
	char dev[64];
	char *const argv[] = {
		QEMU, "-nodefaults", "-display", "none", "-machine", "q35",
		"-accel", "tcg,tb-size=32", "-m", "64", "-S",
		"-monitor", "stdio", "-device", dev, NULL
	};

	snprintf(dev, sizeof(dev), "vfio-pci,host=%s", bdf);
	return vt_proc_start(q, argv, qemu_env);
}

static bool qemu_command(struct vt_proc *q, const char *cmd)
{
	return vt_proc_command(q, cmd, QEMU_PROMPT, QEMU_WAIT_S);
}

static int qemu_quit(struct vt_proc *q)
{
	return vt_proc_finish(q, "quit\n", QEMU_WAIT_S);
}

FIXTURE(qemu) {
	struct vt_topology topo;
	struct vt_proc q;
	bool running;
};

FIXTURE_SETUP(qemu)
{
	self->running = false;
	if (access(QEMU, X_OK))
		SKIP(return, "QEMU is not in this guest image");
	if (vt_no_group())
		SKIP(return, "QEMU 7.2 only has the legacy backend: %s", vt_no_group());
	if (vt_noiommu_mode())
		SKIP(return, "QEMU refuses no-IOMMU groups");
	ASSERT_EQ(0, vt_topology(&self->topo));
	ASSERT_EQ(0, qemu_start(&self->q, self->topo.solo));
	self->running = true;
}

FIXTURE_TEARDOWN(qemu)
{
	if (self->running)
		vt_proc_kill(&self->q);
}

/* The device, as QEMU's guest would see it on its PCI bus. */
TEST_F_TIMEOUT(qemu, lists_the_device, 2 * QEMU_WAIT_S)
{
	bool up, listed;

	up = vt_proc_expect(&self->q, 0, QEMU_PROMPT, QEMU_WAIT_S);
	listed = up && qemu_command(&self->q, "info pci\n");
	self->running = false;
	EXPECT_EQ(0, qemu_quit(&self->q));
	EXPECT_TRUE(up);
	EXPECT_TRUE(listed);
	/* vendor:device read from the edu's config space through VFIO */
	EXPECT_NE(NULL, strstr(self->q.log, "PCI device 1234:11e8"));
	/* BAR0, the edu's 1 MiB of registers */
	EXPECT_NE(NULL, strstr(self->q.log, "BAR0: 32 bit memory"));
	/* no VFIO error (a warning that the edu has no reset is expected) */
	EXPECT_EQ(NULL, strstr(self->q.log, "error"));
	if (_metadata->exit_code != KSFT_PASS)
		vt_proc_dump(&self->q, "qemu");
}

/*
 * While QEMU has the device, its group is taken: a second opener and a
 * cdev bind are refused.  When QEMU exits, everything is given back.
 */
TEST_F_TIMEOUT(qemu, holds_the_group, 2 * QEMU_WAIT_S)
{
	int group, fd, iommufd;
	bool up;

	/* a command is answered once the machine, and the device, are up */
	up = vt_proc_expect(&self->q, 0, QEMU_PROMPT, QEMU_WAIT_S) &&
	     qemu_command(&self->q, "info pci\n") &&
	     strstr(self->q.log, "PCI device 1234:11e8");
	ASSERT_TRUE(up) {
		vt_proc_dump(&self->q, "qemu");
	}
	EXPECT_EQ(-EBUSY, vt_group_open(self->topo.solo));
	if (vt_have_cdev()) {
		iommufd = vt_iommufd_open();
		fd = vt_cdev_open(self->topo.solo);
		ASSERT_LE(0, iommufd);
		ASSERT_LE(0, fd);
		EXPECT_EQ(-EBUSY, vt_bind(fd, iommufd, NULL));
		close(fd);
		close(iommufd);
	}
	self->running = false;
	EXPECT_EQ(0, qemu_quit(&self->q));
	group = vt_group_open(self->topo.solo);
	EXPECT_LE(0, group);
	if (group >= 0)
		close(group);
}

TEST_HARNESS_MAIN
