// SPDX-License-Identifier: GPL-2.0
/*
 * Device files as files: node permissions, and a bound device file that
 * keeps working in another process, passed over SCM_RIGHTS (DPDK's
 * secondary processes, VMMs handed pre-bound fds) or inherited by fork.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <sys/syscall.h>

#include "../kselftest_harness.h"
#include "vfiotest.h"

#define PAGE	4096
#define IOVA_IN	0x100000ULL
#define IOVA_OUT 0x200000ULL

FIXTURE(file) {
	struct vt_topology topo;
	int iommufd, fd;
	__u32 ioas;
};

FIXTURE_SETUP(file)
{
	self->iommufd = -1;
	self->fd = -1;
	if (vt_no_cdev())
		SKIP(return, "%s", vt_no_cdev());
	ASSERT_EQ(0, vt_topology(&self->topo));
	self->iommufd = vt_iommufd_with_ioas(&self->ioas);
	ASSERT_LE(0, self->iommufd);
	self->fd = vt_cdev_setup(self->topo.solo, self->iommufd, self->ioas, NULL);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(file)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->iommufd >= 0)
		close(self->iommufd);
}

/*
 * What a second process does with a device file it was given: register
 * access and a DMA round trip through the IOAS the first process set up.
 * Returns 0 on success, else a small number saying which step failed.
 */
static int use_device(int fd, int iommufd, __u32 ioas)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	void *in = vt_buf_alloc(PAGE), *out = vt_buf_alloc(PAGE);
	struct vt_edu edu;
	__u32 ident;

	if (ioctl(fd, VFIO_DEVICE_GET_INFO, &info))
		return 1;
	if (vt_edu_init(&edu, fd) || vt_edu_read(&edu, EDU_IDENT, &ident) ||
	    (ident & EDU_IDENT_MASK) != EDU_IDENT_VAL)
		return 2;
	if (!in || !out)
		return 3;
	/* pages of this process, mapped by it into the shared IOAS */
	if (vt_ioas_map(iommufd, ioas, in, PAGE, IOVA_IN) ||
	    vt_ioas_map(iommufd, ioas, out, PAGE, IOVA_OUT))
		return 4;
	vt_fill(in, EDU_DMA_MAX, getpid());
	if (vt_edu_dma(&edu, IOVA_IN, EDU_DMA_MAX, false) ||
	    vt_edu_dma(&edu, IOVA_OUT, EDU_DMA_MAX, true))
		return 5;
	if (memcmp(in, out, EDU_DMA_MAX))
		return 6;
	vt_ioas_unmap(iommufd, ioas, IOVA_IN, PAGE);
	vt_ioas_unmap(iommufd, ioas, IOVA_OUT, PAGE);
	return 0;
}

static int send_fds(int sock, int *fds, int n)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 2)] = { 0 };
	char byte = 'v';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = CMSG_SPACE(sizeof(int) * n),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * n);
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

static int recv_fds(int sock, int *fds, int n)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 2)] = { 0 };
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;

	if (recvmsg(sock, &msg, 0) != 1)
		return -errno;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS ||
	    cmsg->cmsg_len != CMSG_LEN(sizeof(int) * n))
		return -EPROTO;
	memcpy(fds, CMSG_DATA(cmsg), sizeof(int) * n);
	return 0;
}

TEST_F(file, survives_scm_rights)
{
	int sv[2], status;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fds[2];

		/* the child gets nothing by inheritance that it uses */
		close(self->fd);
		close(self->iommufd);
		close(sv[0]);
		if (recv_fds(sv[1], fds, 2))
			_exit(10);
		_exit(use_device(fds[0], fds[1], self->ioas));
	}
	close(sv[1]);
	ASSERT_EQ(0, send_fds(sv[0], (int[]){ self->fd, self->iommufd }, 2));
	/* the sender lets go of its copies: the receiver's must stay valid */
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(sv[0]);
}

TEST_F(file, survives_fork)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(use_device(self->fd, self->iommufd, self->ioas));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* and the parent's file still works after the child exited */
	EXPECT_EQ(0, use_device(self->fd, self->iommufd, self->ioas));
}

/* Drop to an unprivileged user: the root-only nodes must not open. */
static int open_as_nobody(const char *path)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid) {
		int fd;

		if (setgid(65534) || setuid(65534))
			_exit(100);
		fd = open(path, O_RDWR);
		_exit(fd >= 0 ? 0 : errno);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}

TEST(unprivileged_user)
{
	struct vt_topology topo;
	char sysdev[128], path[128];
	struct stat st;

	ASSERT_EQ(0, vt_topology(&topo));
	if (vt_have_cdev() && !vt_noiommu_mode()) {
		snprintf(sysdev, sizeof(sysdev), "/sys/bus/pci/devices/%s", topo.solo);
		ASSERT_EQ(0, vt_cdev_path(sysdev, path, sizeof(path)));
		ASSERT_EQ(0, stat(path, &st));
		EXPECT_EQ(0600, st.st_mode & 0777);
		EXPECT_EQ(-EACCES, open_as_nobody(path));
	}
	if (vt_have_group()) {
		ASSERT_EQ(0, vt_group_path(topo.solo, path, sizeof(path)));
		EXPECT_EQ(-EACCES, open_as_nobody(path));
	}
	/* the container and iommufd nodes are world-accessible by design */
	if (vt_have_container())
		EXPECT_EQ(0, open_as_nobody("/dev/vfio/vfio"));
}

TEST_HARNESS_MAIN
