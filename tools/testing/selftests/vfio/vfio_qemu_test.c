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
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "vfiotest.h"

#define QEMU		"/usr/bin/qemu-system-x86_64"
#define QEMU_PROMPT	"(qemu) "
/* QEMU under TCG inside a TCG guest starts slowly. */
#define QEMU_WAIT_S	240

struct qemu {
	pid_t pid;
	int in, out;		/* its monitor: stdin and stdout+stderr */
	char log[65536];	/* everything it printed */
	size_t len;
};

/* Start QEMU with the device and its monitor on a pipe; paused. */
static int qemu_start(struct qemu *q, const char *bdf)
{
	int in[2], out[2];
	char dev[64];

	snprintf(dev, sizeof(dev), "vfio-pci,host=%s", bdf);
	q->len = 0;
	q->log[0] = 0;
	if (pipe(in))
		return -errno;
	if (pipe(out)) {
		close(in[0]);
		close(in[1]);
		return -errno;
	}
	q->pid = fork();
	if (q->pid < 0)
		return -errno;
	if (!q->pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		close(in[1]);
		close(out[0]);
		execl(QEMU, QEMU, "-nodefaults", "-display", "none",
		      "-machine", "q35", "-accel", "tcg,tb-size=32", "-m", "64",
		      "-S", "-monitor", "stdio", "-device", dev, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	q->in = in[1];
	q->out = out[0];
	return 0;
}

/*
 * Collect QEMU's output until what it printed since @from contains
 * @needle (NULL: until it closes its output).
 */
static bool qemu_expect(struct qemu *q, size_t from, const char *needle)
{
	struct pollfd pfd = { .fd = q->out, .events = POLLIN };
	time_t end = time(NULL) + QEMU_WAIT_S;
	ssize_t n;

	while (time(NULL) < end) {
		if (needle && strstr(q->log + from, needle))
			return true;
		if (q->len + 1 >= sizeof(q->log))
			return false;
		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		n = read(q->out, q->log + q->len, sizeof(q->log) - q->len - 1);
		if (n <= 0)
			return !needle;
		q->len += n;
		q->log[q->len] = 0;
	}
	return false;
}

/* Send a monitor command; the output ends at the next prompt. */
static bool qemu_command(struct qemu *q, const char *cmd)
{
	size_t from = q->len;

	if (write(q->in, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		return false;
	return qemu_expect(q, from, QEMU_PROMPT);
}

/* Quit through the monitor; returns QEMU's exit status, or -1. */
static int qemu_quit(struct qemu *q)
{
	int status;

	if (write(q->in, "quit\n", 5) != 5)
		kill(q->pid, SIGKILL);
	qemu_expect(q, q->len, NULL);
	close(q->in);
	close(q->out);
	if (waitpid(q->pid, &status, 0) != q->pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void qemu_dump(struct qemu *q)
{
	char *line, *save = NULL;

	for (line = strtok_r(q->log, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		fprintf(stderr, "#   qemu: %s\n", line);
}

FIXTURE(qemu) {
	struct vt_topology topo;
	struct qemu q;
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
	if (self->running) {
		kill(self->q.pid, SIGKILL);
		waitpid(self->q.pid, NULL, 0);
	}
}

/* The device, as QEMU's guest would see it on its PCI bus. */
TEST_F_TIMEOUT(qemu, lists_the_device, 2 * QEMU_WAIT_S)
{
	bool up, listed;

	up = qemu_expect(&self->q, 0, QEMU_PROMPT);
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
		qemu_dump(&self->q);
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
	up = qemu_expect(&self->q, 0, QEMU_PROMPT) &&
	     qemu_command(&self->q, "info pci\n") &&
	     strstr(self->q.log, "PCI device 1234:11e8");
	ASSERT_TRUE(up) {
		qemu_dump(&self->q);
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
