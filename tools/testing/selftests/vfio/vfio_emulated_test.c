// SPDX-License-Identifier: GPL-2.0
/*
 * Emulated devices through the VFIO test driver (drivers/vfio/selftest.c):
 * the core's page pinning and DMA copies for drivers, through an iommufd
 * access and through the type1 container, what happens to pinned pages
 * when their mapping or the device's binding goes, and a driver whose
 * init callback fails after it joined a device set.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "../kselftest_harness.h"
#include "vfiotest.h"

#define ST_IOVA		0x400000
#define ST_PAGES	4
#define ST_LEN		(ST_PAGES * 4096)

/*
 * A driver's init that fails after joining a device set must leave the
 * set as it was: the next devices of the set join it safely (a set still
 * holding the freed device is a use-after-free the kernel log shows).
 */
TEST(init_failure_leaves_set)
{
	char a[16], b[16];

	if (vt_no_st())
		SKIP(return, "%s", vt_no_st());
	EXPECT_EQ(-VFIO_SELFTEST_INIT_ERR, vt_st_create(1, true, a, sizeof(a)));
	EXPECT_EQ(-VFIO_SELFTEST_INIT_ERR, vt_st_create(1, true, a, sizeof(a)));
	ASSERT_EQ(0, vt_st_create(1, false, a, sizeof(a)));
	ASSERT_EQ(0, vt_st_create(1, false, b, sizeof(b)));
	EXPECT_EQ(-VFIO_SELFTEST_INIT_ERR, vt_st_create(1, true, b, sizeof(b)));
	EXPECT_EQ(0, vt_st_remove(a));
	EXPECT_EQ(0, vt_st_remove(b));
	/* a set emptied by removals takes devices again */
	ASSERT_EQ(0, vt_st_create(1, false, a, sizeof(a)));
	EXPECT_EQ(0, vt_st_remove(a));
}

FIXTURE(st) {
	char name[16];
	struct vt_dev o;
	void *buf;
};

FIXTURE_VARIANT(st) {
	enum vt_path path;
};

FIXTURE_VARIANT_ADD(st, cdev) {
	.path = VT_CDEV,
};

FIXTURE_VARIANT_ADD(st, group) {
	.path = VT_GROUP,
};

/* Open the device and map ST_LEN of @self->buf at ST_IOVA. */
static int st_open(struct vt_dev *o, enum vt_path path, const char *name, void *buf)
{
	int ret;

	if (path == VT_CDEV) {
		o->iommufd = vt_iommufd_with_ioas(&o->ioas);
		if (o->iommufd < 0)
			return o->iommufd;
		ret = vt_ioas_map(o->iommufd, o->ioas, buf, ST_LEN, ST_IOVA);
		if (ret)
			return ret;
		o->fd = vt_st_cdev_open(name);
		if (o->fd < 0)
			return o->fd;
		ret = vt_bind(o->fd, o->iommufd, NULL);
		return ret ?: vt_attach(o->fd, &o->ioas);
	}
	o->container = vt_container_open();
	if (o->container < 0)
		return o->container;
	o->group = vt_st_group_open(name);
	if (o->group < 0)
		return o->group;
	ret = vt_container_setup(o->container, o->group, VFIO_TYPE1v2_IOMMU);
	if (ret)
		return ret;
	ret = vt_container_map(o->container, buf, ST_LEN, ST_IOVA);
	if (ret)
		return ret;
	o->fd = vt_group_device(o->group, name);
	return o->fd < 0 ? o->fd : 0;
}

FIXTURE_SETUP(st)
{
	vt_dev_init(&self->o);
	self->name[0] = '\0';
	self->buf = NULL;
	if (vt_no_st())
		SKIP(return, "%s", vt_no_st());
	if (vt_no_path(variant->path))
		SKIP(return, "%s", vt_no_path(variant->path));
	self->buf = vt_buf_alloc(ST_LEN);
	ASSERT_NE(NULL, self->buf);
	ASSERT_EQ(0, vt_st_create(0, false, self->name, sizeof(self->name)));
	ASSERT_EQ(0, st_open(&self->o, variant->path, self->name, self->buf));
}

FIXTURE_TEARDOWN(st)
{
	vt_dev_close(&self->o);
	if (self->name[0])
		vt_st_remove(self->name);
	if (self->buf)
		vt_buf_free(self->buf, ST_LEN);
}

static int st_pin(int fd, __u64 iova, __u32 npage)
{
	struct vfio_selftest_pin pin = { .iova = iova, .npage = npage };

	return ioctl(fd, VFIO_SELFTEST_PIN, &pin) ? -errno : 0;
}

static int st_rw(int fd, __u64 iova, void *data, __u32 len, bool write)
{
	struct vfio_selftest_rw rw = {
		.iova = iova, .uptr = (uintptr_t)data, .len = len, .write = write,
	};

	return ioctl(fd, VFIO_SELFTEST_DMA_RW, &rw) ? -errno : 0;
}

TEST_F(st, pin_and_copy)
{
	char out[64], in[64];

	ASSERT_EQ(0, st_pin(self->o.fd, ST_IOVA, 2));
	EXPECT_EQ(2, ioctl(self->o.fd, VFIO_SELFTEST_PINNED));
	/* an unaligned IOVA in a page pinned already */
	ASSERT_EQ(0, st_pin(self->o.fd, ST_IOVA + 4096 + 100, 1));
	EXPECT_EQ(3, ioctl(self->o.fd, VFIO_SELFTEST_PINNED));
	/* beyond the mapping */
	EXPECT_NE(0, st_pin(self->o.fd, ST_IOVA + ST_LEN, 1));
	EXPECT_EQ(3, ioctl(self->o.fd, VFIO_SELFTEST_PINNED));

	/* the driver reads what the user wrote, and the other way round */
	vt_fill(self->buf + 8, sizeof(out), 7);
	ASSERT_EQ(0, st_rw(self->o.fd, ST_IOVA + 8, in, sizeof(in), false));
	EXPECT_EQ(0, memcmp(self->buf + 8, in, sizeof(in)));
	vt_fill(out, sizeof(out), 9);
	ASSERT_EQ(0, st_rw(self->o.fd, ST_IOVA + 2 * 4096 - 20, out, sizeof(out), true));
	EXPECT_EQ(0, memcmp(self->buf + 2 * 4096 - 20, out, sizeof(out)));
	/* outside the mapping */
	EXPECT_NE(0, st_rw(self->o.fd, ST_IOVA + ST_LEN, out, sizeof(out), false));

	EXPECT_EQ(3, ioctl(self->o.fd, VFIO_SELFTEST_UNPIN_ALL));
	EXPECT_EQ(0, ioctl(self->o.fd, VFIO_SELFTEST_PINNED));
}

/* Unmapping a range tells the driver, which unpins before the unmap ends. */
TEST_F(st, unmap_unpins)
{
	int ret;

	/*
	 * type1 (the base tree's) takes its device list lock and then, for
	 * the driver's unpin, its iommu lock, the reverse of the order its
	 * register_device uses: lockdep reports it.  Not this core's to fix.
	 */
	if (variant->path == VT_GROUP)
		SKIP(return, "type1's unmap notification inverts its own locks");
	ASSERT_EQ(0, st_pin(self->o.fd, ST_IOVA, ST_PAGES));
	EXPECT_EQ(ST_PAGES, ioctl(self->o.fd, VFIO_SELFTEST_PINNED));
	ret = variant->path == VT_CDEV ?
	      vt_ioas_unmap(self->o.iommufd, self->o.ioas, ST_IOVA, ST_LEN) :
	      vt_container_unmap(self->o.container, ST_IOVA, ST_LEN);
	EXPECT_EQ(0, ret);
	EXPECT_EQ(0, ioctl(self->o.fd, VFIO_SELFTEST_PINNED));
	EXPECT_NE(0, st_pin(self->o.fd, ST_IOVA, 1));
}

/*
 * A driver may keep pages pinned past its close_device(): the end of the
 * device's iommufd access then asks it to unpin them, and its unpins must
 * still reach iommufd.  If they did not, the pages would stay pinned and
 * the IOAS could not unmap them any more (iommufd WARNs and returns
 * EDEADLOCK).
 */
TEST_F(st, close_with_pins)
{
	if (variant->path != VT_CDEV)
		SKIP(return, "only an iommufd access unpins after the close");
	ASSERT_EQ(0, st_pin(self->o.fd, ST_IOVA, ST_PAGES));
	ASSERT_EQ(0, ioctl(self->o.fd, VFIO_SELFTEST_KEEP_PINS, 1));
	close(self->o.fd);
	self->o.fd = -1;
	EXPECT_EQ(0, vt_ioas_unmap(self->o.iommufd, self->o.ioas, ST_IOVA, ST_LEN));

	/* the device binds, pins and unpins again */
	self->o.fd = vt_st_cdev_open(self->name);
	ASSERT_LE(0, self->o.fd);
	ASSERT_EQ(0, vt_bind(self->o.fd, self->o.iommufd, NULL));
	ASSERT_EQ(0, vt_attach(self->o.fd, &self->o.ioas));
	ASSERT_EQ(0, vt_ioas_map(self->o.iommufd, self->o.ioas, self->buf, ST_LEN, ST_IOVA));
	ASSERT_EQ(0, st_pin(self->o.fd, ST_IOVA, 1));
	EXPECT_EQ(1, ioctl(self->o.fd, VFIO_SELFTEST_UNPIN_ALL));
}

TEST_HARNESS_MAIN
