// SPDX-License-Identifier: GPL-2.0
/*
 * The legacy flow as kvmtool, QEMU and DPDK drive it: the container
 * (/dev/vfio/vfio), the group (/dev/vfio/$GROUP), SET_CONTAINER, SET_IOMMU,
 * GET_DEVICE_FD, IOMMU_GET_INFO and the rules around them.
 *
 * With CONFIG_IOMMUFD_VFIO_CONTAINER, iommufd serves /dev/vfio/vfio; where
 * its answers differ from the VFIO container's, the test says which it
 * expects from which.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "../kselftest_harness.h"
#include "vfiotest.h"

/* true when /dev/vfio/vfio is VFIO's own container, not iommufd's */
static bool vfio_container(void)
{
	return vt_kconfig("CONFIG_VFIO_CONTAINER");
}

FIXTURE(legacy) {
	struct vt_topology topo;
	int container, group;
};

FIXTURE_SETUP(legacy)
{
	self->container = -1;
	self->group = -1;
	if (vt_no_group())
		SKIP(return, "%s", vt_no_group());
	if (vt_no_container())
		SKIP(return, "%s", vt_no_container());
	if (vt_noiommu_mode())
		SKIP(return, "the no-IOMMU legacy flow is in vfio_noiommu_test");
	ASSERT_EQ(0, vt_topology(&self->topo));
	self->container = vt_container_open();
	ASSERT_LE(0, self->container);
	self->group = vt_group_open(self->topo.solo);
	ASSERT_LE(0, self->group);
}

FIXTURE_TEARDOWN(legacy)
{
	if (self->group >= 0)
		close(self->group);
	if (self->container >= 0)
		close(self->container);
	if (self->topo.nic[0])
		vt_pci_bind(self->topo.nic, "e1000");
}

TEST_F(legacy, api_version)
{
	EXPECT_EQ(VFIO_API_VERSION, ioctl(self->container, VFIO_GET_API_VERSION));
}

TEST_F(legacy, check_extension)
{
	int noiommu, want;

	EXPECT_EQ(1, ioctl(self->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU));
	EXPECT_EQ(1, ioctl(self->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(0, ioctl(self->container, VFIO_CHECK_EXTENSION, VFIO_SPAPR_TCE_IOMMU));
	EXPECT_EQ(0, ioctl(self->container, VFIO_CHECK_EXTENSION, VFIO_SPAPR_TCE_v2_IOMMU));
	EXPECT_EQ(0, ioctl(self->container, VFIO_CHECK_EXTENSION, 9999));
	/*
	 * VFIO answers for no-IOMMU only while the module parameter is on;
	 * iommufd answers whenever the kernel was built with it.
	 */
	noiommu = ioctl(self->container, VFIO_CHECK_EXTENSION, VFIO_NOIOMMU_IOMMU);
	want = !vfio_container() && vt_kconfig("CONFIG_VFIO_NOIOMMU");
	EXPECT_EQ(want, noiommu);
	/* after SET_IOMMU the chosen driver answers */
	ASSERT_EQ(0, vt_container_setup(self->container, self->group, VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(1, ioctl(self->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(0, ioctl(self->container, VFIO_CHECK_EXTENSION, VFIO_SPAPR_TCE_IOMMU));
}

TEST_F(legacy, group_status)
{
	__u32 flags;
	struct vfio_group_status st = { .argsz = 4 };

	ASSERT_EQ(0, vt_group_status(self->group, &flags));
	/* rust-vmm compares the flags for equality */
	EXPECT_EQ(VFIO_GROUP_FLAGS_VIABLE, flags);
	ASSERT_EQ(0, ioctl(self->group, VFIO_GROUP_SET_CONTAINER, &self->container));
	ASSERT_EQ(0, vt_group_status(self->group, &flags));
	EXPECT_EQ(VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET, flags);
	EXPECT_EQ(-1, ioctl(self->group, VFIO_GROUP_GET_STATUS, &st));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(legacy, group_single_open)
{
	int fd = vt_group_open(self->topo.solo);

	EXPECT_EQ(-EBUSY, fd);
	close(self->group);
	self->group = vt_group_open(self->topo.solo);
	EXPECT_LE(0, self->group);
}

TEST_F(legacy, set_container_rejects_bad_fds)
{
	int nullfd = open("/dev/null", O_RDWR), bad = 1000, c2;

	ASSERT_LE(0, nullfd);
	EXPECT_EQ(-1, ioctl(self->group, VFIO_GROUP_SET_CONTAINER, &bad));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, ioctl(self->group, VFIO_GROUP_SET_CONTAINER, &nullfd));
	EXPECT_EQ(EBADFD, errno);
	EXPECT_EQ(-1, ioctl(self->group, VFIO_GROUP_SET_CONTAINER, NULL));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, ioctl(self->group, VFIO_GROUP_SET_CONTAINER, &self->container));
	/* already set: to the same container or another */
	EXPECT_EQ(-1, ioctl(self->group, VFIO_GROUP_SET_CONTAINER, &self->container));
	EXPECT_EQ(EINVAL, errno);
	c2 = vt_container_open();
	ASSERT_LE(0, c2);
	EXPECT_EQ(-1, ioctl(self->group, VFIO_GROUP_SET_CONTAINER, &c2));
	EXPECT_EQ(EINVAL, errno);
	close(c2);
	close(nullfd);
}

TEST_F(legacy, set_iommu_rules)
{
	/* nothing to attach to yet */
	EXPECT_EQ(-1, ioctl(self->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(vfio_container() ? EINVAL : ENODEV, errno);
	ASSERT_EQ(0, ioctl(self->group, VFIO_GROUP_SET_CONTAINER, &self->container));
	/* a model nobody provides */
	EXPECT_EQ(-1, ioctl(self->container, VFIO_SET_IOMMU, VFIO_SPAPR_TCE_v2_IOMMU));
	EXPECT_EQ(vfio_container() ? ENODEV : EINVAL, errno);
	EXPECT_EQ(0, ioctl(self->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	/* VFIO refuses a second model; iommufd accepts the call again */
	if (vfio_container()) {
		EXPECT_EQ(-1, ioctl(self->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
		EXPECT_EQ(EINVAL, errno);
	} else {
		EXPECT_EQ(0, ioctl(self->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	}
}

TEST_F(legacy, get_device_fd)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	int fd, fd2;

	ASSERT_EQ(0, ioctl(self->group, VFIO_GROUP_SET_CONTAINER, &self->container));
	/* VFIO wants an IOMMU model first; iommufd has its IOAS already */
	fd = vt_group_device(self->group, self->topo.solo);
	if (vfio_container()) {
		EXPECT_EQ(-EINVAL, fd);
	} else {
		EXPECT_LE(0, fd);
		if (fd >= 0)
			close(fd);
	}
	ASSERT_EQ(0, ioctl(self->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(-ENODEV, vt_group_device(self->group, "0000:99:99.9"));
	EXPECT_EQ(-ENODEV, vt_group_device(self->group, ""));
	/* a device of another group is not this group's */
	EXPECT_EQ(-ENODEV, vt_group_device(self->group, self->topo.shared[0]));
	EXPECT_EQ(-1, ioctl(self->group, VFIO_GROUP_GET_DEVICE_FD, NULL));
	EXPECT_EQ(EFAULT, errno);
	fd = vt_group_device(self->group, self->topo.solo);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, ioctl(fd, VFIO_DEVICE_GET_INFO, &info));
	EXPECT_TRUE(info.flags & VFIO_DEVICE_FLAGS_PCI);
	/* the group may hand out the same device more than once */
	fd2 = vt_group_device(self->group, self->topo.solo);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, ioctl(fd2, VFIO_DEVICE_GET_INFO, &info));
	/* group-obtained files do not take the cdev-only ioctls */
	EXPECT_EQ(-ENOTTY, vt_detach(fd));
	EXPECT_EQ(-EINVAL, vt_bind(fd, self->container, NULL));
	close(fd2);
	close(fd);
}

static int next_cap(struct vfio_iommu_type1_info *info, __u32 off, __u16 id)
{
	struct vfio_info_cap_header *hdr;
	int hops = 0;

	while (off && hops++ < 16) {
		if (off + sizeof(*hdr) > info->argsz)
			return -1;
		hdr = (void *)((char *)info + off);
		if (hdr->id == id)
			return off;
		off = hdr->next;
	}
	return 0;
}

TEST_F(legacy, iommu_get_info)
{
	struct vfio_iommu_type1_info *info;
	struct vfio_iommu_type1_info_cap_iova_range *iova;
	struct vfio_iommu_type1_info_dma_avail *avail;
	size_t sz = 4096;
	int off;

	/* no model yet */
	info = calloc(1, sz);
	ASSERT_NE(NULL, info);
	info->argsz = sizeof(*info);
	EXPECT_EQ(-1, ioctl(self->container, VFIO_IOMMU_GET_INFO, info));
	ASSERT_EQ(0, vt_container_setup(self->container, self->group, VFIO_TYPE1v2_IOMMU));

	/* a short buffer: the kernel says how much it needs */
	info->argsz = sizeof(*info);
	ASSERT_EQ(0, ioctl(self->container, VFIO_IOMMU_GET_INFO, info));
	EXPECT_TRUE(info->flags & VFIO_IOMMU_INFO_PGSIZES);
	EXPECT_TRUE(info->iova_pgsizes & 4096);
	EXPECT_TRUE(info->flags & VFIO_IOMMU_INFO_CAPS);
	EXPECT_LT(sizeof(*info), info->argsz);
	EXPECT_EQ(0, info->cap_offset);

	info->argsz = sz;
	ASSERT_EQ(0, ioctl(self->container, VFIO_IOMMU_GET_INFO, info));
	ASSERT_NE(0, info->cap_offset);
	off = next_cap(info, info->cap_offset, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
	ASSERT_LT(0, off);
	iova = (void *)((char *)info + off);
	ASSERT_LE(1, iova->nr_iovas);
	/* VT-d with 39 address bits; our test IOVAs are well inside */
	EXPECT_LE(iova->iova_ranges[0].start, 0x100000);
	EXPECT_LE(0x7fffffffffULL, iova->iova_ranges[iova->nr_iovas - 1].end);
	off = next_cap(info, info->cap_offset, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
	ASSERT_LT(0, off);
	avail = (void *)((char *)info + off);
	EXPECT_LT(0, avail->avail);
	free(info);
}

/*
 * UNSET_CONTAINER while a device of the group is open is refused: the open
 * device keeps the DMA setup it was opened with.  Upstream 6.12 refuses
 * only with VFIO's container, and drops an iommufd under an open device.
 */
TEST_F(legacy, unset_container)
{
	bool refused = vt_ours() || vfio_container();
	__u32 flags;
	int fd;

	EXPECT_EQ(-1, ioctl(self->group, VFIO_GROUP_UNSET_CONTAINER));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, vt_container_setup(self->container, self->group, VFIO_TYPE1v2_IOMMU));
	fd = vt_group_device(self->group, self->topo.solo);
	ASSERT_LE(0, fd);
	if (refused) {
		EXPECT_EQ(-1, ioctl(self->group, VFIO_GROUP_UNSET_CONTAINER));
		EXPECT_EQ(EBUSY, errno);
		close(fd);
		EXPECT_EQ(0, ioctl(self->group, VFIO_GROUP_UNSET_CONTAINER));
	} else {
		EXPECT_EQ(0, ioctl(self->group, VFIO_GROUP_UNSET_CONTAINER));
		close(fd);
	}
	ASSERT_EQ(0, vt_group_status(self->group, &flags));
	EXPECT_EQ(VFIO_GROUP_FLAGS_VIABLE, flags);
	EXPECT_EQ(-1, ioctl(self->group, VFIO_GROUP_UNSET_CONTAINER));
	EXPECT_EQ(EINVAL, errno);
	/* and it can be set again */
	EXPECT_EQ(0, ioctl(self->group, VFIO_GROUP_SET_CONTAINER, &self->container));
	if (!vfio_container())
		VT_DIFFERS_FROM_UPSTREAM("an iommufd stays while devices are open");
}

/*
 * A device file keeps its group file: closing the group while a device is
 * open does not free it for another opener.  Upstream 6.12 does this with
 * VFIO's container only; with an iommufd the group can be reopened (and
 * joined to another iommufd) under the open device.
 */
TEST_F(legacy, device_holds_group)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	bool held = vt_ours() || vfio_container();
	int fd, again;

	ASSERT_EQ(0, vt_container_setup(self->container, self->group, VFIO_TYPE1v2_IOMMU));
	fd = vt_group_device(self->group, self->topo.solo);
	ASSERT_LE(0, fd);
	close(self->group);
	self->group = -1;
	again = vt_group_open(self->topo.solo);
	/* refused while held; opened (or at least not refused) otherwise */
	EXPECT_EQ(held, again == -EBUSY);
	EXPECT_EQ(held, again < 0);
	if (again >= 0)
		close(again);
	/* the device still works, and closing it frees the group */
	EXPECT_EQ(0, ioctl(fd, VFIO_DEVICE_GET_INFO, &info));
	close(fd);
	self->group = vt_group_open(self->topo.solo);
	EXPECT_LE(0, self->group);
	if (!vfio_container())
		VT_DIFFERS_FROM_UPSTREAM("a device file holds its group");
}

/*
 * The same two rules for a group joined to an iommufd through /dev/iommu,
 * which every kernel with iommufd offers whatever serves /dev/vfio/vfio.
 */
TEST_F(legacy, iommufd_device_holds_group)
{
	int iommufd, fd, again;

	iommufd = vt_iommufd_open();
	if (iommufd < 0)
		SKIP(return, "kernel built without iommufd");
	ASSERT_EQ(0, ioctl(self->group, VFIO_GROUP_SET_CONTAINER, &iommufd));
	fd = vt_group_device(self->group, self->topo.solo);
	ASSERT_LE(0, fd);
	if (vt_ours()) {
		EXPECT_EQ(-1, ioctl(self->group, VFIO_GROUP_UNSET_CONTAINER));
		EXPECT_EQ(EBUSY, errno);
	} else {
		/* dropped under the open device, and can be set again */
		EXPECT_EQ(0, ioctl(self->group, VFIO_GROUP_UNSET_CONTAINER));
		EXPECT_EQ(0, ioctl(self->group, VFIO_GROUP_SET_CONTAINER, &iommufd));
	}
	close(self->group);
	again = vt_group_open(self->topo.solo);
	EXPECT_EQ(vt_ours(), again == -EBUSY);
	EXPECT_EQ(vt_ours(), again < 0);
	if (again >= 0)
		close(again);
	close(fd);
	self->group = vt_group_open(self->topo.solo);
	EXPECT_LE(0, self->group);
	close(iommufd);
	VT_DIFFERS_FROM_UPSTREAM("a device file holds its group joined to an iommufd");
}

/* A container with its model set keeps working for a second group. */
TEST_F(legacy, two_groups_one_container)
{
	int g2, fd;

	ASSERT_EQ(0, vt_pci_bind(self->topo.nic, "vfio-pci"));
	ASSERT_EQ(0, vt_container_setup(self->container, self->group, VFIO_TYPE1v2_IOMMU));
	g2 = vt_group_open(self->topo.shared[0]);
	ASSERT_LE(0, g2);
	EXPECT_EQ(0, ioctl(g2, VFIO_GROUP_SET_CONTAINER, &self->container));
	fd = vt_group_device(g2, self->topo.shared[1]);
	EXPECT_LE(0, fd);
	if (fd >= 0)
		close(fd);
	close(g2);
	EXPECT_EQ(0, vt_pci_bind(self->topo.nic, "e1000"));
}

/*
 * The bridge's group holds two edus and the e1000.  While the e1000 is
 * driven by its kernel driver the group is not viable; rebinding the e1000
 * to vfio-pci makes it viable, and one group fd then serves every device.
 */
FIXTURE(shared) {
	struct vt_topology topo;
	int container, group;
};

FIXTURE_SETUP(shared)
{
	self->container = -1;
	self->group = -1;
	if (!vt_have_group() || !vt_have_container())
		SKIP(return, "kernel built without the VFIO group and container");
	if (vt_noiommu_mode())
		SKIP(return, "no-IOMMU groups hold one device each");
	ASSERT_EQ(0, vt_topology(&self->topo));
	ASSERT_EQ(0, vt_pci_bind(self->topo.nic, "e1000"));
	self->container = vt_container_open();
	ASSERT_LE(0, self->container);
	self->group = vt_group_open(self->topo.shared[0]);
	ASSERT_LE(0, self->group);
}

FIXTURE_TEARDOWN(shared)
{
	if (self->group >= 0)
		close(self->group);
	if (self->container >= 0)
		close(self->container);
	vt_pci_bind(self->topo.nic, "e1000");
}

TEST_F(shared, one_group_for_the_bus)
{
	int g = vt_group_id(self->topo.shared[0]);

	EXPECT_EQ(g, vt_group_id(self->topo.shared[1]));
	EXPECT_EQ(g, vt_group_id(self->topo.nic));
	EXPECT_NE(g, vt_group_id(self->topo.solo));
}

TEST_F(shared, viability_follows_the_nic_driver)
{
	__u32 flags;

	ASSERT_EQ(0, vt_group_status(self->group, &flags));
	EXPECT_EQ(0, flags);
	ASSERT_EQ(0, vt_pci_bind(self->topo.nic, "vfio-pci"));
	ASSERT_EQ(0, vt_group_status(self->group, &flags));
	EXPECT_EQ(VFIO_GROUP_FLAGS_VIABLE, flags);
	ASSERT_EQ(0, vt_pci_bind(self->topo.nic, "e1000"));
	ASSERT_EQ(0, vt_group_status(self->group, &flags));
	EXPECT_EQ(0, flags);
}

/*
 * The e1000 driver owns the group's DMA.  VFIO's container refuses the
 * group; iommufd's accepts it and refuses the device when it is bound.
 */
TEST_F(shared, not_viable_gives_no_device)
{
	int ret = ioctl(self->group, VFIO_GROUP_SET_CONTAINER, &self->container);

	if (ret)
		ret = -errno;
	EXPECT_EQ(vfio_container() ? -EPERM : 0, ret);
	if (!ret)
		ret = vt_group_device(self->group, self->topo.shared[0]);
	EXPECT_EQ(-EPERM, ret);
}

TEST_F(shared, every_device_through_one_group)
{
	int fd0, fd1, fd2;

	ASSERT_EQ(0, vt_pci_bind(self->topo.nic, "vfio-pci"));
	ASSERT_EQ(0, vt_container_setup(self->container, self->group, VFIO_TYPE1v2_IOMMU));
	fd0 = vt_group_device(self->group, self->topo.shared[0]);
	fd1 = vt_group_device(self->group, self->topo.shared[1]);
	fd2 = vt_group_device(self->group, self->topo.nic);
	EXPECT_LE(0, fd0);
	EXPECT_LE(0, fd1);
	EXPECT_LE(0, fd2);
	close(fd0);
	close(fd1);
	close(fd2);
}

TEST_HARNESS_MAIN
