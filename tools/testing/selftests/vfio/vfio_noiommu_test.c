// SPDX-License-Identifier: GPL-2.0
/*
 * No-IOMMU mode (booted without an IOMMU and with
 * vfio.enable_unsafe_noiommu_mode=1): /dev/vfio/noiommu-N groups, the
 * VFIO_NOIOMMU_IOMMU container model, a group attached to an iommufd, the
 * CAP_SYS_RAWIO requirement and the kernel taint.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "../kselftest_harness.h"
#include "vfiotest.h"

#define TAINT_USER_BIT	6

FIXTURE(noiommu) {
	struct vt_topology topo;
	char group[64];
};

FIXTURE_SETUP(noiommu)
{
	if (!vt_noiommu_mode())
		SKIP(return, "this boot has an IOMMU");
	if (!vt_kconfig("CONFIG_VFIO_NOIOMMU"))
		SKIP(return, "kernel built without CONFIG_VFIO_NOIOMMU");
	ASSERT_EQ(0, vt_topology(&self->topo));
	ASSERT_EQ(0, vt_group_path(self->topo.solo, self->group, sizeof(self->group)));
}

FIXTURE_TEARDOWN(noiommu)
{
}

/* Without an IOMMU the device file still gives register access. */
static void check_ident(struct __test_metadata *_metadata, int fd)
{
	struct vt_edu edu;
	__u32 ident;

	ASSERT_EQ(0, vt_edu_init(&edu, fd));
	ASSERT_EQ(0, vt_edu_read(&edu, EDU_IDENT, &ident));
	EXPECT_EQ(EDU_IDENT_VAL, ident & EDU_IDENT_MASK);
}

TEST_F(noiommu, nodes)
{
	char path[PATH_MAX], name[64];
	struct stat st;
	int id = vt_group_id(self->topo.solo);

	snprintf(path, sizeof(path), "/dev/vfio/noiommu-%d", id);
	EXPECT_STREQ(path, self->group);
	snprintf(path, sizeof(path), "/dev/vfio/%d", id);
	EXPECT_NE(0, stat(path, &st));
	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d/name", id);
	ASSERT_EQ(0, vt_sysfs_read(path, name, sizeof(name)));
	EXPECT_STREQ("vfio-noiommu", name);
	/* every edu gets a group of its own, even behind the bridge */
	EXPECT_NE(vt_group_id(self->topo.shared[0]), vt_group_id(self->topo.shared[1]));
}

/* 6.12 registers no-IOMMU devices in sysfs but gives them no cdev node. */
TEST_F(noiommu, no_cdev)
{
	char sysdev[PATH_MAX], name[64], path[PATH_MAX + 64];
	struct stat st;

	snprintf(sysdev, sizeof(sysdev), "/sys/bus/pci/devices/%s", self->topo.solo);
	ASSERT_EQ(0, vt_cdev_name(sysdev, name, sizeof(name)));
	snprintf(path, sizeof(path), "%s/vfio-dev/%s/dev", sysdev, name);
	EXPECT_NE(0, stat(path, &st));
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
	EXPECT_NE(0, stat(path, &st));
}

TEST_F(noiommu, container)
{
	int container, group, fd;
	__u32 flags;

	if (vt_no_container())
		SKIP(return, "%s", vt_no_container());
	container = vt_container_open();
	ASSERT_LE(0, container);
	EXPECT_EQ(1, ioctl(container, VFIO_CHECK_EXTENSION, VFIO_NOIOMMU_IOMMU));
	group = open(self->group, O_RDWR);
	ASSERT_LE(0, group);
	ASSERT_EQ(0, vt_group_status(group, &flags));
	EXPECT_EQ(VFIO_GROUP_FLAGS_VIABLE, flags);
	ASSERT_EQ(0, ioctl(group, VFIO_GROUP_SET_CONTAINER, &container));
	/* with a no-IOMMU group inside, only the no-IOMMU model answers */
	EXPECT_EQ(0, ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(1, ioctl(container, VFIO_CHECK_EXTENSION, VFIO_NOIOMMU_IOMMU));
	EXPECT_EQ(-1, ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	ASSERT_EQ(0, ioctl(container, VFIO_SET_IOMMU, VFIO_NOIOMMU_IOMMU));
	fd = vt_group_device(group, self->topo.solo);
	ASSERT_LE(0, fd);
	check_ident(_metadata, fd);
	close(fd);
	close(group);
	close(container);
}

TEST_F(noiommu, group_with_iommufd)
{
	int iommufd, group, fd;

	if (!vt_kconfig("CONFIG_IOMMUFD"))
		SKIP(return, "kernel built without CONFIG_IOMMUFD");
	iommufd = vt_iommufd_open();
	ASSERT_LE(0, iommufd);
	group = open(self->group, O_RDWR);
	ASSERT_LE(0, group);
	ASSERT_EQ(0, ioctl(group, VFIO_GROUP_SET_CONTAINER, &iommufd));
	fd = vt_group_device(group, self->topo.solo);
	ASSERT_LE(0, fd);
	check_ident(_metadata, fd);
	close(fd);
	close(group);
	close(iommufd);
}

static int drop_rawio(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[0].effective &= ~(1U << CAP_SYS_RAWIO);
	data[0].permitted &= ~(1U << CAP_SYS_RAWIO);
	data[0].inheritable &= ~(1U << CAP_SYS_RAWIO);
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

TEST_F(noiommu, needs_cap_sys_rawio)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		int fd;

		if (drop_rawio())
			_exit(100);
		fd = open(self->group, O_RDWR);
		_exit(fd >= 0 ? 0 : errno);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(EPERM, WEXITSTATUS(status));
	/* with the capability, the same open works */
	status = open(self->group, O_RDWR);
	EXPECT_LE(0, status);
	if (status >= 0)
		close(status);
}

TEST_F(noiommu, taints_kernel)
{
	char buf[32];
	unsigned long taint;

	ASSERT_EQ(0, vt_sysfs_read("/proc/sys/kernel/tainted", buf, sizeof(buf)));
	taint = strtoul(buf, NULL, 10);
	EXPECT_TRUE(taint & (1UL << TAINT_USER_BIT));
}

TEST_HARNESS_MAIN
