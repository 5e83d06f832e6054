// SPDX-License-Identifier: GPL-2.0
/*
 * Real DMA through the edu device's DMA engine, with the IOMMU programmed
 * through each of the three ways userspace can do it: a cdev bound to an
 * iommufd, the legacy type1 container, and a group attached to an iommufd.
 * Data must arrive byte-exact where it is mapped and must not arrive where
 * it is not; the emulated VT-d reports those faults in the kernel log.
 * The hugetlb tests map 2 MiB and 1 GiB huge pages, as VMMs and DPDK back
 * guest RAM and mempools with hugetlbfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "../kselftest_harness.h"
#include "vfiotest.h"

#define PAGE		4096
#define IOVA_SRC	0x100000ULL
#define IOVA_DST	0x200000ULL
#define IOVA_GONE	0x300000ULL
#define IOVA_NEVER	0x400000ULL
#define LEN		EDU_DMA_MAX

enum dma_path { PATH_CDEV, PATH_CONTAINER, PATH_GROUP_IOMMUFD };

/* Where the test's mappings go: an IOAS, or the type1 container. */
struct dma_space {
	enum dma_path path;
	int iommufd, container;
	__u32 ioas;
};

FIXTURE(dma) {
	struct vt_topology topo;
	struct vt_edu edu;
	struct dma_space space;
	int iommufd, container, group, fd, kmsg;
	void *src, *dst;
};

FIXTURE_VARIANT(dma) {
	enum dma_path path;
};

FIXTURE_VARIANT_ADD(dma, cdev) {
	.path = PATH_CDEV,
};

FIXTURE_VARIANT_ADD(dma, container) {
	.path = PATH_CONTAINER,
};

FIXTURE_VARIANT_ADD(dma, group_iommufd) {
	.path = PATH_GROUP_IOMMUFD,
};

static int dma_map(struct dma_space *s, void *va, __u64 iova)
{
	if (s->path == PATH_CONTAINER)
		return vt_container_map(s->container, va, PAGE, iova);
	return vt_ioas_map(s->iommufd, s->ioas, va, PAGE, iova);
}

static int dma_unmap(struct dma_space *s, __u64 iova)
{
	if (s->path == PATH_CONTAINER)
		return vt_container_unmap(s->container, iova, PAGE);
	return vt_ioas_unmap(s->iommufd, s->ioas, iova, PAGE);
}

static int compat_ioas(int iommufd, __u32 *ioas)
{
	struct iommu_vfio_ioas cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_VFIO_IOAS_GET,
	};

	if (ioctl(iommufd, IOMMU_VFIO_IOAS, &cmd))
		return -errno;
	*ioas = cmd.ioas_id;
	return 0;
}

FIXTURE_SETUP(dma)
{
	const char *bdf;

	self->iommufd = -1;
	self->container = -1;
	self->group = -1;
	self->fd = -1;
	self->kmsg = -1;
	if (vt_noiommu_mode())
		SKIP(return, "no IOMMU to translate DMA");
	ASSERT_EQ(0, vt_topology(&self->topo));
	bdf = self->topo.solo;
	self->src = vt_buf_alloc(PAGE);
	self->dst = vt_buf_alloc(PAGE);
	ASSERT_NE(NULL, self->src);
	ASSERT_NE(NULL, self->dst);

	switch (variant->path) {
	case PATH_CDEV:
		if (vt_no_cdev())
			SKIP(return, "%s", vt_no_cdev());
		self->iommufd = vt_iommufd_open();
		ASSERT_LE(0, self->iommufd);
		ASSERT_EQ(0, vt_ioas_alloc(self->iommufd, &self->space.ioas));
		self->fd = vt_cdev_setup(bdf, self->iommufd, self->space.ioas, NULL);
		ASSERT_LE(0, self->fd);
		break;
	case PATH_CONTAINER:
		if (vt_no_container())
			SKIP(return, "%s", vt_no_container());
		self->container = vt_container_open();
		ASSERT_LE(0, self->container);
		self->group = vt_group_open(bdf);
		ASSERT_LE(0, self->group);
		ASSERT_EQ(0, vt_container_setup(self->container, self->group, VFIO_TYPE1v2_IOMMU));
		self->fd = vt_group_device(self->group, bdf);
		ASSERT_LE(0, self->fd);
		break;
	case PATH_GROUP_IOMMUFD:
		if (vt_no_group())
			SKIP(return, "%s", vt_no_group());
		self->iommufd = vt_iommufd_open();
		ASSERT_LE(0, self->iommufd);
		self->group = vt_group_open(bdf);
		ASSERT_LE(0, self->group);
		ASSERT_EQ(0, ioctl(self->group, VFIO_GROUP_SET_CONTAINER, &self->iommufd));
		ASSERT_EQ(0, compat_ioas(self->iommufd, &self->space.ioas));
		self->fd = vt_group_device(self->group, bdf);
		ASSERT_LE(0, self->fd);
		break;
	}
	ASSERT_EQ(0, vt_edu_init(&self->edu, self->fd));
	self->space.path = variant->path;
	self->space.iommufd = self->iommufd;
	self->space.container = self->container;
	ASSERT_EQ(0, dma_map(&self->space, self->src, IOVA_SRC));
	ASSERT_EQ(0, dma_map(&self->space, self->dst, IOVA_DST));
	self->kmsg = vt_kmsg_open();
	ASSERT_LE(0, self->kmsg);
}

FIXTURE_TEARDOWN(dma)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->group >= 0)
		close(self->group);
	if (self->container >= 0)
		close(self->container);
	if (self->iommufd >= 0)
		close(self->iommufd);
	if (self->kmsg >= 0)
		close(self->kmsg);
	vt_buf_free(self->src, PAGE);
	vt_buf_free(self->dst, PAGE);
}

TEST_F(dma, round_trip)
{
	vt_fill(self->src, LEN, 1);
	ASSERT_NE(0, memcmp(self->src, self->dst, LEN));
	ASSERT_EQ(0, vt_edu_dma(&self->edu, IOVA_SRC, LEN, false));
	ASSERT_EQ(0, vt_edu_dma(&self->edu, IOVA_DST, LEN, true));
	EXPECT_EQ(0, memcmp(self->src, self->dst, LEN));

	/* and a second, different pattern through the same mappings */
	vt_fill(self->src, LEN, 2);
	ASSERT_EQ(0, vt_edu_dma(&self->edu, IOVA_SRC, LEN, false));
	ASSERT_EQ(0, vt_edu_dma(&self->edu, IOVA_DST, LEN, true));
	EXPECT_EQ(0, memcmp(self->src, self->dst, LEN));
}

/* After UNMAP, a DMA to the old IOVA must not reach the old page. */
TEST_F(dma, unmap_stops_dma)
{
	void *gone = vt_buf_alloc(PAGE);
	char needle[64];

	ASSERT_NE(NULL, gone);
	ASSERT_EQ(0, dma_map(&self->space, gone, IOVA_GONE));
	vt_fill(self->src, LEN, 3);
	ASSERT_EQ(0, vt_edu_dma(&self->edu, IOVA_SRC, LEN, false));
	/* the page is reachable while mapped ... */
	ASSERT_EQ(0, vt_edu_dma(&self->edu, IOVA_GONE, LEN, true));
	ASSERT_EQ(0, memcmp(self->src, gone, LEN));
	memset(gone, 0, PAGE);
	/* ... and not after */
	ASSERT_EQ(0, dma_unmap(&self->space, IOVA_GONE));
	vt_dmar_quiesce();
	ASSERT_EQ(0, vt_edu_dma(&self->edu, IOVA_GONE, LEN, true));
	snprintf(needle, sizeof(needle), "fault addr 0x%llx", IOVA_GONE);
	EXPECT_TRUE(vt_kmsg_wait(self->kmsg, needle, 3000));
	EXPECT_EQ(0, memcmp(self->dst, gone, LEN)) {
		TH_LOG("DMA reached a page after it was unmapped");
	}
	vt_buf_free(gone, PAGE);
}

TEST_F(dma, unmapped_iova_faults)
{
	char needle[64];

	vt_fill(self->src, LEN, 4);
	ASSERT_EQ(0, vt_edu_dma(&self->edu, IOVA_SRC, LEN, false));
	vt_dmar_quiesce();
	ASSERT_EQ(0, vt_edu_dma(&self->edu, IOVA_NEVER, LEN, true));
	snprintf(needle, sizeof(needle), "fault addr 0x%llx", IOVA_NEVER);
	EXPECT_TRUE(vt_kmsg_wait(self->kmsg, needle, 3000));
	/* the device still works after the fault */
	ASSERT_EQ(0, vt_edu_dma(&self->edu, IOVA_DST, LEN, true));
	EXPECT_EQ(0, memcmp(self->src, self->dst, LEN));
}

/* Replacing the IOAS of an attached device redirects its DMA at once. */
TEST_F(dma, attach_replaces_ioas)
{
	void *dst2 = vt_buf_alloc(PAGE);
	__u32 ioas2, pt;

	if (variant->path != PATH_CDEV)
		SKIP(return, "ATTACH_IOMMUFD_PT is a cdev ioctl");
	ASSERT_NE(NULL, dst2);
	ASSERT_EQ(0, vt_ioas_alloc(self->iommufd, &ioas2));
	ASSERT_EQ(0, vt_ioas_map(self->iommufd, ioas2, dst2, PAGE, IOVA_DST));
	vt_fill(self->src, LEN, 5);
	ASSERT_EQ(0, vt_edu_dma(&self->edu, IOVA_SRC, LEN, false));
	pt = ioas2;
	ASSERT_EQ(0, vt_attach(self->fd, &pt));
	ASSERT_EQ(0, vt_edu_dma(&self->edu, IOVA_DST, LEN, true));
	EXPECT_EQ(0, memcmp(self->src, dst2, LEN));
	EXPECT_NE(0, memcmp(self->src, self->dst, LEN));
	/* and back */
	pt = self->space.ioas;
	ASSERT_EQ(0, vt_attach(self->fd, &pt));
	ASSERT_EQ(0, vt_edu_dma(&self->edu, IOVA_DST, LEN, true));
	EXPECT_EQ(0, memcmp(self->src, self->dst, LEN));
	vt_buf_free(dst2, PAGE);
}

/* A detached device is blocked: its DMA reaches nothing. */
TEST_F(dma, detach_blocks_dma)
{
	__u32 pt = self->space.ioas;

	if (variant->path != PATH_CDEV)
		SKIP(return, "DETACH_IOMMUFD_PT is a cdev ioctl");
	vt_fill(self->src, LEN, 6);
	ASSERT_EQ(0, vt_edu_dma(&self->edu, IOVA_SRC, LEN, false));
	ASSERT_EQ(0, vt_detach(self->fd));
	ASSERT_EQ(0, vt_edu_dma(&self->edu, IOVA_DST, LEN, true));
	EXPECT_NE(0, memcmp(self->src, self->dst, LEN));
	ASSERT_EQ(0, vt_attach(self->fd, &pt));
	ASSERT_EQ(0, vt_edu_dma(&self->edu, IOVA_DST, LEN, true));
	EXPECT_EQ(0, memcmp(self->src, self->dst, LEN));
}

/*
 * Huge pages, as hugetlbfs gives them: a whole 2 MiB or 1 GiB page mapped
 * at once, and DMA at both ends of it (within the 256 MiB the edu's 28
 * address bits reach).  2 MiB pages are reserved here for the test;
 * vmtest.sh boots the IOMMU guest with one 1 GiB page (hugepagesz=1G).
 */
#define SZ_2M		0x200000UL
#define SZ_1G		0x40000000UL
#define EDU_REACH	0x10000000UL

FIXTURE(hugetlb) {
	struct vt_topology topo;
	struct vt_dev d;
	struct vt_edu edu;
	unsigned char *buf;
	long reserved;
};

FIXTURE_VARIANT(hugetlb) {
	enum vt_path path;
	unsigned long size;
};

FIXTURE_VARIANT_ADD(hugetlb, cdev_2m) {
	.path = VT_CDEV,
	.size = SZ_2M,
};

FIXTURE_VARIANT_ADD(hugetlb, container_2m) {
	.path = VT_GROUP,
	.size = SZ_2M,
};

FIXTURE_VARIANT_ADD(hugetlb, cdev_1g) {
	.path = VT_CDEV,
	.size = SZ_1G,
};

FIXTURE_VARIANT_ADD(hugetlb, container_1g) {
	.path = VT_GROUP,
	.size = SZ_1G,
};

FIXTURE_SETUP(hugetlb)
{
	unsigned long size = variant->size;
	int shift = size == SZ_1G ? 30 : 21;
	long nr;

	vt_dev_init(&self->d);
	self->buf = MAP_FAILED;
	self->reserved = -1;
	if (vt_noiommu_mode())
		SKIP(return, "no IOMMU to translate DMA");
	if (!vt_kconfig("CONFIG_HUGETLBFS"))
		SKIP(return, "kernel built without hugetlbfs");
	if (vt_no_path(variant->path))
		SKIP(return, "%s", vt_no_path(variant->path));
	nr = vt_hugepages(size, "nr_hugepages");
	if (nr < 0)
		SKIP(return, "no %lu MiB huge pages on this machine", size >> 20);
	if (vt_hugepages(size, "free_hugepages") < 1 && size == SZ_2M) {
		ASSERT_EQ(0, vt_hugepages_set(size, nr + 1));
		self->reserved = nr;
	}
	if (vt_hugepages(size, "free_hugepages") < 1)
		SKIP(return, "no free %lu MiB huge page (boot with hugepagesz=1G hugepages=1)",
		     size >> 20);
	ASSERT_EQ(0, vt_topology(&self->topo));
	self->buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (shift << MAP_HUGE_SHIFT),
			 -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	ASSERT_EQ(0, vt_dev_open(&self->d, variant->path, self->topo.solo));
	ASSERT_EQ(0, vt_edu_init(&self->edu, self->d.fd));
}

FIXTURE_TEARDOWN(hugetlb)
{
	vt_dev_close(&self->d);
	if (self->buf != MAP_FAILED)
		munmap(self->buf, variant->size);
	if (self->reserved >= 0)
		vt_hugepages_set(variant->size, self->reserved);
}

/*
 * The page mapped whole at an IOVA aligned to its size (0 for the 1 GiB
 * page), DMA from its first bytes to its last reachable ones and back:
 * every byte lands where the page's own mapping says.
 */
TEST_F(hugetlb, round_trip)
{
	unsigned long size = variant->size;
	__u64 iova = size == SZ_1G ? 0 : 4 * SZ_2M;
	unsigned long far = (size < EDU_REACH ? size : EDU_REACH) - PAGE;
	unsigned char *buf = self->buf;
	long free_before = vt_hugepages(size, "free_hugepages");

	vt_fill(buf, LEN, 7);
	memset(buf + far, 0, PAGE);
	ASSERT_EQ(0, vt_dev_map(&self->d, buf, size, iova));
	/* the mapping pinned the huge page itself */
	EXPECT_EQ(free_before - 1, vt_hugepages(size, "free_hugepages"));
	ASSERT_EQ(0, vt_edu_dma(&self->edu, iova, LEN, false));
	ASSERT_EQ(0, vt_edu_dma(&self->edu, iova + far, LEN, true));
	EXPECT_EQ(0, memcmp(buf, buf + far, LEN));

	/* and from the far end back to the second page */
	vt_fill(buf + far, LEN, 8);
	ASSERT_EQ(0, vt_edu_dma(&self->edu, iova + far, LEN, false));
	ASSERT_EQ(0, vt_edu_dma(&self->edu, iova + PAGE, LEN, true));
	EXPECT_EQ(0, memcmp(buf + far, buf + PAGE, LEN));
	EXPECT_EQ(0, vt_dev_unmap(&self->d, size, iova));
}

TEST_HARNESS_MAIN
