// SPDX-License-Identifier: GPL-2.0
/*
 * The VF token: an SR-IOV PF on vfio-pci (QEMU's nvme with sriov_max_vfs),
 * its token set through VFIO_DEVICE_FEATURE_PCI_VF_TOKEN, a VF created
 * through sysfs and bound to vfio-pci.  The VF's user must present the
 * token: in VFIO_GROUP_GET_DEVICE_FD's name ("BDF vf_token=UUID") on the
 * group path, as upstream 6.12 checks it, and with
 * VFIO_DEVICE_BIND_FLAG_TOKEN on the cdev path, which 6.12 does not check
 * at all (upstream added the flag in 6.17; this core has it).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "../kselftest_harness.h"
#include "vfiotest.h"

#define NVME_VENDOR	"0x1b36"
#define NVME_DEVICE	"0x0010"
#define ENABLE_SRIOV	"/sys/module/vfio_pci/parameters/enable_sriov"

/* The PF's token, and another one. */
static const __u8 token[16] = {
	0x5a, 0x9c, 0x1e, 0x33, 0x8d, 0x24, 0x4b, 0x71,
	0x90, 0x0f, 0x6e, 0x52, 0xc4, 0x17, 0xab, 0x08,
};

static const __u8 wrong[16] = { 0x01 };

FIXTURE(token) {
	char pf[16], vf[16];
	char sriov_was[4];
	int iommufd, pf_fd;
	__u32 ioas;
};

/* The nvme PF: the PCI function with SR-IOV VFs to give. */
static int find_pf(char *bdf, size_t len)
{
	char path[PATH_MAX], buf[32];
	int i;

	for (i = 0; i < 32; i++) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/0000:00:%02x.0/vendor", i);
		if (vt_sysfs_read(path, buf, sizeof(buf)) || strcmp(buf, NVME_VENDOR))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/0000:00:%02x.0/device", i);
		if (vt_sysfs_read(path, buf, sizeof(buf)) || strcmp(buf, NVME_DEVICE))
			continue;
		snprintf(path, sizeof(path),
			 "/sys/bus/pci/devices/0000:00:%02x.0/sriov_totalvfs", i);
		if (vt_sysfs_read(path, buf, sizeof(buf)) || atoi(buf) < 1)
			continue;
		snprintf(bdf, len, "0000:00:%02x.0", i);
		return 0;
	}
	return -ENODEV;
}

static int set_numvfs(const char *pf, int n)
{
	char path[PATH_MAX], val[8];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/sriov_numvfs", pf);
	snprintf(val, sizeof(val), "%d", n);
	return vt_sysfs_write(path, val);
}

/* The BDF of the PF's first VF. */
static int first_vf(const char *pf, char *vf, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/virtfn0", pf);
	return vt_link_name(path, vf, len);
}

static int bind_token(int fd, int iommufd, __u32 argsz, __u32 flags,
		      const void *uuid)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = argsz,
		.flags = flags,
		.iommufd = iommufd,
		.token_uuid_ptr = (uintptr_t)uuid,
	};

	return ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) ? -errno : 0;
}

/*
 * The PF on vfio-pci with the token set by its user (bound through its
 * cdev), and one VF on vfio-pci.
 */
FIXTURE_SETUP(token)
{
	__u8 uuid[sizeof(token)];
	char drv[64];
	__u32 pt;

	self->iommufd = -1;
	self->pf_fd = -1;
	self->vf[0] = '\0';
	self->sriov_was[0] = '\0';
	if (vt_noiommu_mode())
		SKIP(return, "the VFs need an IOMMU");
	if (vt_no_cdev())
		SKIP(return, "%s", vt_no_cdev());
	if (!vt_kconfig("CONFIG_PCI_IOV"))
		SKIP(return, "kernel built without CONFIG_PCI_IOV");
	ASSERT_EQ(0, find_pf(self->pf, sizeof(self->pf)))
		TH_LOG("no SR-IOV nvme in this guest");
	ASSERT_EQ(0, vt_pci_bind(self->pf, "vfio-pci"));
	ASSERT_EQ(0, vt_sysfs_read(ENABLE_SRIOV, self->sriov_was, sizeof(self->sriov_was)));
	ASSERT_EQ(0, vt_sysfs_write(ENABLE_SRIOV, "Y"));

	self->iommufd = vt_iommufd_with_ioas(&self->ioas);
	ASSERT_LE(0, self->iommufd);
	self->pf_fd = vt_cdev_open(self->pf);
	ASSERT_LE(0, self->pf_fd);
	ASSERT_EQ(0, vt_bind(self->pf_fd, self->iommufd, NULL));
	pt = self->ioas;
	ASSERT_EQ(0, vt_attach(self->pf_fd, &pt));
	/* vt_feature() writes back what the kernel left in the argument */
	memcpy(uuid, token, sizeof(uuid));
	ASSERT_EQ(0, vt_feature(self->pf_fd, VFIO_DEVICE_FEATURE_SET |
				VFIO_DEVICE_FEATURE_PCI_VF_TOKEN, uuid, sizeof(uuid)));

	ASSERT_EQ(0, set_numvfs(self->pf, 1));
	ASSERT_EQ(0, first_vf(self->pf, self->vf, sizeof(self->vf)));
	/* vfio-pci claims the VFs of its PFs (driver_override) */
	ASSERT_NE(NULL, vt_pci_driver(self->vf, drv, sizeof(drv)));
	ASSERT_STREQ("vfio-pci", drv);
}

FIXTURE_TEARDOWN(token)
{
	if (self->vf[0])
		set_numvfs(self->pf, 0);
	if (self->pf_fd >= 0)
		close(self->pf_fd);
	if (self->iommufd >= 0)
		close(self->iommufd);
	if (self->sriov_was[0])
		vt_sysfs_write(ENABLE_SRIOV, self->sriov_was);
}

/* The VF's cdev without the token: refused here, taken by 6.12. */
TEST_F(token, cdev_bind_without_token)
{
	int fd = vt_cdev_open(self->vf);
	__u32 devid;

	ASSERT_LE(0, fd);
	if (vt_ours()) {
		EXPECT_EQ(-EACCES, vt_bind(fd, self->iommufd, &devid));
		/* an old caller's argsz, and flags 0: the same */
		EXPECT_EQ(-EACCES, bind_token(fd, self->iommufd, 16, 0, NULL));
	} else {
		EXPECT_EQ(0, vt_bind(fd, self->iommufd, &devid));
	}
	close(fd);
	VT_DIFFERS_FROM_UPSTREAM("BIND checks the VF token (upstream 6.17)");
}

TEST_F(token, cdev_bind_with_token)
{
	int fd = vt_cdev_open(self->vf);
	size_t full = sizeof(struct vfio_device_bind_iommufd);
	struct vfio_region_info cfg;
	__u32 pt = self->ioas;

	ASSERT_LE(0, fd);
	/* the flag needs an argsz that reaches the token's address */
	EXPECT_EQ(-EINVAL, bind_token(fd, self->iommufd, 16, VFIO_DEVICE_BIND_FLAG_TOKEN,
				      token));
	if (vt_ours()) {
		EXPECT_EQ(-EACCES, bind_token(fd, self->iommufd, full,
					      VFIO_DEVICE_BIND_FLAG_TOKEN, wrong));
		EXPECT_EQ(-EFAULT, bind_token(fd, self->iommufd, full,
					      VFIO_DEVICE_BIND_FLAG_TOKEN, NULL));
		ASSERT_EQ(0, bind_token(fd, self->iommufd, full,
					VFIO_DEVICE_BIND_FLAG_TOKEN, token));
		/* bound: the VF works */
		EXPECT_EQ(0, vt_attach(fd, &pt));
		EXPECT_EQ(0, vt_region(fd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg));
		EXPECT_EQ(-EINVAL, bind_token(fd, self->iommufd, full,
					      VFIO_DEVICE_BIND_FLAG_TOKEN, token));
	} else {
		/* 6.12 knows no flag */
		EXPECT_EQ(-EINVAL, bind_token(fd, self->iommufd, full,
					      VFIO_DEVICE_BIND_FLAG_TOKEN, token));
	}
	close(fd);
	VT_DIFFERS_FROM_UPSTREAM("BIND takes VFIO_DEVICE_BIND_FLAG_TOKEN (upstream 6.17)");
}

/*
 * While a VF is in use, a new user of the PF must present the VF token too,
 * so that it cannot take the PF from under the VF's user unseen.
 */
TEST_F(token, cdev_pf_needs_token_while_vfs_are_used)
{
	size_t full = sizeof(struct vfio_device_bind_iommufd);
	int vf = vt_cdev_open(self->vf), pf;

	ASSERT_LE(0, vf);
	if (vt_ours()) {
		ASSERT_EQ(0, bind_token(vf, self->iommufd, full,
					VFIO_DEVICE_BIND_FLAG_TOKEN, token));
	} else {
		ASSERT_EQ(0, vt_bind(vf, self->iommufd, NULL));
	}
	pf = vt_cdev_open(self->pf);
	ASSERT_LE(0, pf);
	if (vt_ours()) {
		/* the token is checked before the PF is found busy */
		EXPECT_EQ(-EACCES, vt_bind(pf, self->iommufd, NULL));
		EXPECT_EQ(-EACCES, bind_token(pf, self->iommufd, full,
					      VFIO_DEVICE_BIND_FLAG_TOKEN, wrong));
		EXPECT_EQ(-EINVAL, bind_token(pf, self->iommufd, full,
					      VFIO_DEVICE_BIND_FLAG_TOKEN, token));
	} else {
		/* the PF is open already */
		EXPECT_EQ(-EINVAL, vt_bind(pf, self->iommufd, NULL));
	}
	close(pf);
	close(vf);
	VT_DIFFERS_FROM_UPSTREAM("BIND checks the VF token of a PF with VFs in use");
}

/* A device that is neither PF nor VF takes no token: EINVAL, as upstream. */
TEST_F(token, cdev_token_on_other_devices)
{
	struct vt_topology topo;
	size_t full = sizeof(struct vfio_device_bind_iommufd);
	int fd;

	ASSERT_EQ(0, vt_topology(&topo));
	fd = vt_cdev_open(topo.solo);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, bind_token(fd, self->iommufd, full,
				      VFIO_DEVICE_BIND_FLAG_TOKEN, token));
	EXPECT_EQ(0, vt_bind(fd, self->iommufd, NULL));
	close(fd);
}

/* The group path, as upstream 6.12 has it. */
TEST_F(token, group_get_device_fd)
{
	char name[128];
	int group, dma = -1, fd;

	if (vt_no_group())
		SKIP(return, "%s", vt_no_group());
	group = vt_group_open(self->vf);
	ASSERT_LE(0, group);
	if (vt_have_container()) {
		dma = vt_container_open();
		ASSERT_LE(0, dma);
		ASSERT_EQ(0, vt_container_setup(dma, group, VFIO_TYPE1v2_IOMMU));
	} else {
		dma = vt_iommufd_open();
		ASSERT_LE(0, dma);
		ASSERT_EQ(0, ioctl(group, VFIO_GROUP_SET_CONTAINER, &dma));
	}
	EXPECT_EQ(-EACCES, vt_group_device(group, self->vf));
	snprintf(name, sizeof(name), "%s vf_token=5a9c1e33-8d24-4b71-900f-6e52c417ab09",
		 self->vf);
	EXPECT_EQ(-EACCES, vt_group_device(group, name));
	snprintf(name, sizeof(name), "%s vf_token=5a9c1e33-8d24-4b71-900f-6e52c417ab08",
		 self->vf);
	fd = vt_group_device(group, name);
	EXPECT_LE(0, fd);
	if (fd >= 0)
		close(fd);
	close(group);
	close(dma);
}

TEST_HARNESS_MAIN
