// SPDX-License-Identifier: GPL-2.0
/*
 * The KVM-VFIO device: KVM learns of VFIO files (groups and device files,
 * bound or not) through KVM_DEV_VFIO_FILE_ADD/DEL and asks VFIO about them
 * through the vfio_file_* interface.  The guest runs under TCG with nested
 * SVM emulated, so /dev/kvm works there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "../kselftest_harness.h"
#include "vfiotest.h"

static int kvm_vfio_file(int kvmdev, __u64 attr, int fd)
{
	struct kvm_device_attr a = {
		.group = KVM_DEV_VFIO_FILE,
		.attr = attr,
		.addr = (__u64)(uintptr_t)&fd,
	};

	return ioctl(kvmdev, KVM_SET_DEVICE_ATTR, &a) ? -errno : 0;
}

FIXTURE(kvm) {
	struct vt_topology topo;
	int kvm, vm, dev;
};

FIXTURE_SETUP(kvm)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };

	self->kvm = -1;
	self->vm = -1;
	self->dev = -1;
	ASSERT_EQ(0, vt_topology(&self->topo));
	self->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (self->kvm < 0)
		SKIP(return, "no /dev/kvm in this guest (%s)", strerror(errno));
	self->vm = ioctl(self->kvm, KVM_CREATE_VM, 0);
	ASSERT_LE(0, self->vm);
	ASSERT_EQ(0, ioctl(self->vm, KVM_CREATE_DEVICE, &cd));
	self->dev = cd.fd;
}

FIXTURE_TEARDOWN(kvm)
{
	if (self->dev >= 0)
		close(self->dev);
	if (self->vm >= 0)
		close(self->vm);
	if (self->kvm >= 0)
		close(self->kvm);
}

TEST_F(kvm, group_file)
{
	int group;

	if (vt_no_group())
		SKIP(return, "%s", vt_no_group());
	group = vt_group_open(self->topo.solo);
	ASSERT_LE(0, group);
	EXPECT_EQ(0, kvm_vfio_file(self->dev, KVM_DEV_VFIO_FILE_ADD, group));
	EXPECT_EQ(-EEXIST, kvm_vfio_file(self->dev, KVM_DEV_VFIO_FILE_ADD, group));
	EXPECT_EQ(0, kvm_vfio_file(self->dev, KVM_DEV_VFIO_FILE_DEL, group));
	EXPECT_EQ(-ENOENT, kvm_vfio_file(self->dev, KVM_DEV_VFIO_FILE_DEL, group));
	/* added and left for the VM's teardown to drop */
	EXPECT_EQ(0, kvm_vfio_file(self->dev, KVM_DEV_VFIO_FILE_ADD, group));
	close(group);
}

/* QEMU and rust-vmm add the cdev file before they bind it. */
TEST_F(kvm, device_file_unbound_then_bound)
{
	int iommufd, fd;
	__u32 ioas, pt;

	if (vt_no_cdev())
		SKIP(return, "%s", vt_no_cdev());
	fd = vt_cdev_open(self->topo.solo);
	ASSERT_LE(0, fd);
	iommufd = vt_iommufd_open();
	ASSERT_LE(0, iommufd);
	EXPECT_EQ(0, kvm_vfio_file(self->dev, KVM_DEV_VFIO_FILE_ADD, fd));
	EXPECT_EQ(-EEXIST, kvm_vfio_file(self->dev, KVM_DEV_VFIO_FILE_ADD, fd));
	ASSERT_EQ(0, vt_bind(fd, iommufd, NULL));
	ASSERT_EQ(0, vt_ioas_alloc(iommufd, &ioas));
	pt = ioas;
	EXPECT_EQ(0, vt_attach(fd, &pt));
	EXPECT_EQ(0, kvm_vfio_file(self->dev, KVM_DEV_VFIO_FILE_DEL, fd));
	EXPECT_EQ(-ENOENT, kvm_vfio_file(self->dev, KVM_DEV_VFIO_FILE_DEL, fd));
	/* a bound file can be added too */
	EXPECT_EQ(0, kvm_vfio_file(self->dev, KVM_DEV_VFIO_FILE_ADD, fd));
	close(fd);
	close(iommufd);
}

TEST_F(kvm, group_obtained_device_file)
{
	int container, group, fd;
	unsigned long type;

	if (vt_no_container())
		SKIP(return, "%s", vt_no_container());
	container = vt_container_open();
	ASSERT_LE(0, container);
	group = vt_group_open(self->topo.solo);
	ASSERT_LE(0, group);
	type = vt_noiommu_mode() ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1v2_IOMMU;
	ASSERT_EQ(0, vt_container_setup(container, group, type));
	fd = vt_group_device(group, self->topo.solo);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, kvm_vfio_file(self->dev, KVM_DEV_VFIO_FILE_ADD, fd));
	EXPECT_EQ(0, kvm_vfio_file(self->dev, KVM_DEV_VFIO_FILE_ADD, group));
	EXPECT_EQ(0, kvm_vfio_file(self->dev, KVM_DEV_VFIO_FILE_DEL, fd));
	close(fd);
	close(group);
	close(container);
}

TEST_F(kvm, rejects_other_files)
{
	int nullfd = open("/dev/null", O_RDWR);
	int iommufd = vt_iommufd_open();

	ASSERT_LE(0, nullfd);
	EXPECT_EQ(-EINVAL, kvm_vfio_file(self->dev, KVM_DEV_VFIO_FILE_ADD, nullfd));
	if (iommufd >= 0) {
		EXPECT_EQ(-EINVAL, kvm_vfio_file(self->dev, KVM_DEV_VFIO_FILE_ADD, iommufd));
		close(iommufd);
	}
	if (vt_have_container()) {
		int c = vt_container_open();

		ASSERT_LE(0, c);
		EXPECT_EQ(-EINVAL, kvm_vfio_file(self->dev, KVM_DEV_VFIO_FILE_ADD, c));
		close(c);
	}
	EXPECT_EQ(-EBADF, kvm_vfio_file(self->dev, KVM_DEV_VFIO_FILE_ADD, 1000));
	EXPECT_EQ(-EBADF, kvm_vfio_file(self->dev, KVM_DEV_VFIO_FILE_DEL, 1000));
	EXPECT_EQ(-ENOENT, kvm_vfio_file(self->dev, KVM_DEV_VFIO_FILE_DEL, nullfd));
	EXPECT_EQ(-ENXIO, kvm_vfio_file(self->dev, 99, nullfd));
	close(nullfd);
}

TEST_HARNESS_MAIN
