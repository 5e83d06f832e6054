// SPDX-License-Identifier: GPL-2.0
/*
 * An emulated-IOMMU device: an mtty mediated device created through sysfs,
 * used through its cdev (bound to an iommufd access) and through its group
 * with the type1 container.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/pci_regs.h>

#include "../kselftest_harness.h"
#include "vfiotest.h"

#define MDEV_UUID	"8d2a6b4e-1c7f-4e3a-9b1d-5f6e7a8b9c0d"
#define MDEV_DEV	"/sys/bus/mdev/devices/" MDEV_UUID
#define MTTY_VENDOR	0x4348
#define MTTY_DEVICE	0x3253

/* The directory of the first mtty type, e.g. .../mdev_supported_types/mtty-1 */
static int mtty_type(char *path, size_t len)
{
	const char *base = "/sys/class/mdev_bus/mtty/mdev_supported_types";
	struct dirent *de;
	int ret = -ENOENT;
	DIR *d = opendir(base);

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!strncmp(de->d_name, "mtty-", 5)) {
			snprintf(path, len, "%s/%s", base, de->d_name);
			ret = 0;
			break;
		}
	}
	closedir(d);
	return ret;
}

/*
 * The fixture owns every file a test opens: a failed assertion must not
 * leave one open, or removing the mdev in the teardown would wait for this
 * very process to close it.
 */
FIXTURE(mdev) {
	bool created;
	struct vt_dev o;
};

FIXTURE_SETUP(mdev)
{
	char type[PATH_MAX], path[PATH_MAX + 16];

	self->created = false;
	vt_dev_init(&self->o);
	if (!vt_kconfig("CONFIG_SAMPLE_VFIO_MDEV_MTTY"))
		SKIP(return, "kernel built without the mtty sample");
	ASSERT_EQ(0, mtty_type(type, sizeof(type)));
	snprintf(path, sizeof(path), "%s/create", type);
	ASSERT_EQ(0, vt_sysfs_write(path, MDEV_UUID));
	self->created = true;
}

FIXTURE_TEARDOWN(mdev)
{
	vt_dev_close(&self->o);
	if (self->created)
		vt_sysfs_write(MDEV_DEV "/remove", "1");
}

static void check_mtty(struct __test_metadata *_metadata, int fd)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_region_info ri;
	__u16 vendor, device;

	ASSERT_EQ(0, ioctl(fd, VFIO_DEVICE_GET_INFO, &info));
	EXPECT_TRUE(info.flags & VFIO_DEVICE_FLAGS_PCI);
	EXPECT_EQ(VFIO_PCI_NUM_REGIONS, info.num_regions);
	ASSERT_EQ(0, vt_region(fd, VFIO_PCI_CONFIG_REGION_INDEX, &ri));
	ASSERT_EQ(2, pread(fd, &vendor, 2, ri.offset + PCI_VENDOR_ID));
	ASSERT_EQ(2, pread(fd, &device, 2, ri.offset + PCI_DEVICE_ID));
	EXPECT_EQ(MTTY_VENDOR, vendor);
	EXPECT_EQ(MTTY_DEVICE, device);
}

TEST_F(mdev, sysfs_entries)
{
	char name[64], path[PATH_MAX], buf[64];
	struct stat st;

	ASSERT_EQ(0, stat(MDEV_DEV, &st));
	ASSERT_EQ(0, vt_sysfs_read(MDEV_DEV "/mdev_type/name", buf, sizeof(buf)));
	EXPECT_NE(0, strlen(buf));
	if (!vt_have_cdev())
		return;
	ASSERT_EQ(0, vt_cdev_name(MDEV_DEV, name, sizeof(name)));
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST_F(mdev, through_cdev)
{
	struct vt_dev *o = &self->o;
	char path[PATH_MAX];
	__u32 devid, pt;

	if (vt_no_cdev())
		SKIP(return, "%s", vt_no_cdev());
	ASSERT_EQ(0, vt_cdev_path(MDEV_DEV, path, sizeof(path)));
	o->fd = open(path, O_RDWR);
	ASSERT_LE(0, o->fd);
	o->iommufd = vt_iommufd_with_ioas(&o->ioas);
	ASSERT_LE(0, o->iommufd);
	ASSERT_EQ(0, vt_bind(o->fd, o->iommufd, &devid));
	EXPECT_NE(0, devid);
	pt = o->ioas;
	/* an emulated device attaches to the IOAS itself, not to a HWPT */
	ASSERT_EQ(0, vt_attach(o->fd, &pt));
	EXPECT_EQ(o->ioas, pt);
	check_mtty(_metadata, o->fd);
	EXPECT_EQ(0, vt_detach(o->fd));
	close(o->fd);
	o->fd = -1;
	/* the access is gone with the file: the IOAS can be destroyed */
	EXPECT_EQ(0, vt_destroy(o->iommufd, o->ioas));
}

TEST_F(mdev, through_group)
{
	struct vt_dev *o = &self->o;
	char link[PATH_MAX], path[PATH_MAX];
	const char *id;
	__u32 flags;
	int n;

	if (vt_no_container())
		SKIP(return, "%s", vt_no_container());
	n = readlink(MDEV_DEV "/iommu_group", link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = '\0';
	id = strrchr(link, '/') + 1;
	snprintf(path, sizeof(path), "/dev/vfio/%s", id);
	o->group = open(path, O_RDWR);
	ASSERT_LE(0, o->group);
	ASSERT_EQ(0, vt_group_status(o->group, &flags));
	EXPECT_EQ(VFIO_GROUP_FLAGS_VIABLE, flags);
	o->container = vt_container_open();
	ASSERT_LE(0, o->container);
	ASSERT_EQ(0, vt_container_setup(o->container, o->group, VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(-ENODEV, vt_group_device(o->group, "not-a-uuid"));
	o->fd = vt_group_device(o->group, MDEV_UUID);
	ASSERT_LE(0, o->fd);
	check_mtty(_metadata, o->fd);
}

/* Open the mdev through its cdev if the kernel has one, else its group. */
static int open_mtty(struct vt_dev *o)
{
	char path[PATH_MAX], link[PATH_MAX];
	__u32 pt;
	int n, ret;

	if (!vt_no_cdev()) {
		ret = vt_cdev_path(MDEV_DEV, path, sizeof(path));
		if (ret)
			return ret;
		o->fd = open(path, O_RDWR);
		o->iommufd = vt_iommufd_with_ioas(&o->ioas);
		if (o->fd < 0 || o->iommufd < 0)
			return -ENODEV;
		pt = o->ioas;
		ret = vt_bind(o->fd, o->iommufd, NULL);
		return ret ? ret : vt_attach(o->fd, &pt);
	}
	n = readlink(MDEV_DEV "/iommu_group", link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	snprintf(path, sizeof(path), "/dev/vfio/%s", strrchr(link, '/') + 1);
	o->group = open(path, O_RDWR);
	o->container = vt_container_open();
	if (o->group < 0 || o->container < 0)
		return -ENODEV;
	ret = vt_container_setup(o->container, o->group, VFIO_TYPE1v2_IOMMU);
	if (ret)
		return ret;
	o->fd = vt_group_device(o->group, MDEV_UUID);
	return o->fd < 0 ? o->fd : 0;
}

static int mig_state(int fd, __u32 *state, int *data_fd, bool set)
{
	struct vfio_device_feature_mig_state st = {
		.device_state = *state,
		.data_fd = data_fd ? *data_fd : 0,
	};
	int ret;

	ret = vt_feature(fd, VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE |
		      (set ? VFIO_DEVICE_FEATURE_SET : VFIO_DEVICE_FEATURE_GET),
		      &st, sizeof(st));
	*state = st.device_state;
	if (data_fd)
		*data_fd = st.data_fd;
	return ret;
}

TEST_F(mdev, migration_feature)
{
	struct vfio_device_feature_migration mig = {};

	if (vt_no_cdev() && vt_no_container())
		SKIP(return, "no way to open the mdev here");
	ASSERT_EQ(0, open_mtty(&self->o));
	ASSERT_EQ(0, vt_feature(self->o.fd, VFIO_DEVICE_FEATURE_GET |
			     VFIO_DEVICE_FEATURE_MIGRATION, &mig, sizeof(mig)));
	EXPECT_EQ(VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P |
		  VFIO_MIGRATION_PRE_COPY, mig.flags);
	/* the migration flags can only be read */
	EXPECT_EQ(0, vt_feature(self->o.fd, VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET |
			     VFIO_DEVICE_FEATURE_MIGRATION, NULL, 0));
	EXPECT_EQ(-EINVAL, vt_feature(self->o.fd, VFIO_DEVICE_FEATURE_PROBE |
				   VFIO_DEVICE_FEATURE_SET |
				   VFIO_DEVICE_FEATURE_MIGRATION, NULL, 0));
	/* a GET without room for the answer */
	EXPECT_EQ(-EINVAL, vt_feature(self->o.fd, VFIO_DEVICE_FEATURE_GET |
				   VFIO_DEVICE_FEATURE_MIGRATION, NULL, 0));
}

/* Walk the state machine: plain states, a data stream, an invalid state. */
TEST_F(mdev, migration_states)
{
	struct vfio_device_feature_mig_data_size size = {};
	__u32 state = 0;
	char data[64];
	int dfd = -1;

	if (vt_no_cdev() && vt_no_container())
		SKIP(return, "no way to open the mdev here");
	ASSERT_EQ(0, open_mtty(&self->o));
	ASSERT_EQ(0, mig_state(self->o.fd, &state, NULL, false));
	EXPECT_EQ(VFIO_DEVICE_STATE_RUNNING, state);

	state = VFIO_DEVICE_STATE_STOP;
	ASSERT_EQ(0, mig_state(self->o.fd, &state, &dfd, true));
	EXPECT_EQ(-1, dfd);
	ASSERT_EQ(0, vt_feature(self->o.fd, VFIO_DEVICE_FEATURE_GET |
			     VFIO_DEVICE_FEATURE_MIG_DATA_SIZE, &size, sizeof(size)));
	EXPECT_LT(0, size.stop_copy_length);

	/* STOP_COPY comes with the stream of the device's state */
	state = VFIO_DEVICE_STATE_STOP_COPY;
	ASSERT_EQ(0, mig_state(self->o.fd, &state, &dfd, true));
	ASSERT_LE(0, dfd);
	EXPECT_LT(0, read(dfd, data, sizeof(data)));
	EXPECT_EQ(FD_CLOEXEC, fcntl(dfd, F_GETFD) & FD_CLOEXEC);
	close(dfd);

	/* combination transitions go through the arcs in between */
	state = VFIO_DEVICE_STATE_RUNNING;
	ASSERT_EQ(0, mig_state(self->o.fd, &state, &dfd, true));
	ASSERT_EQ(0, mig_state(self->o.fd, &state, NULL, false));
	EXPECT_EQ(VFIO_DEVICE_STATE_RUNNING, state);

	/* ERROR cannot be asked for; a failed SET still says "no stream" */
	state = VFIO_DEVICE_STATE_ERROR;
	dfd = 1234;
	EXPECT_EQ(-EINVAL, mig_state(self->o.fd, &state, &dfd, true));
	EXPECT_EQ(-1, dfd);
	state = VFIO_DEVICE_STATE_NR;
	dfd = 1234;
	EXPECT_EQ(-EINVAL, mig_state(self->o.fd, &state, &dfd, true));
	EXPECT_EQ(-1, dfd);
}

TEST_F(mdev, dma_logging)
{
	struct vfio_device_feature_dma_logging_range ranges[2] = {
		{ .iova = 0x100000, .length = 0x10000 },
		{ .iova = 0x200000, .length = 0x10000 },
	};
	struct vfio_device_feature_dma_logging_control ctl = {
		.page_size = 4096,
		.num_ranges = 2,
		.ranges = (uintptr_t)ranges,
	};
	__u64 bitmap[4] = {};
	struct vfio_device_feature_dma_logging_report report = {
		.iova = 0x100000,
		.length = 0x10000,
		.page_size = 4096,
		.bitmap = (uintptr_t)bitmap,
	};
	const __u32 start = VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_DMA_LOGGING_START;

	if (vt_no_cdev() && vt_no_container())
		SKIP(return, "no way to open the mdev here");
	ASSERT_EQ(0, open_mtty(&self->o));
	/* ranges that overlap, are misaligned, or are none */
	ranges[1].iova = 0x108000;
	EXPECT_EQ(-EINVAL, vt_feature(self->o.fd, start, &ctl, sizeof(ctl)));
	ranges[1].iova = 0x200800;
	EXPECT_EQ(-EINVAL, vt_feature(self->o.fd, start, &ctl, sizeof(ctl)));
	ranges[1].iova = 0x200000;
	ctl.num_ranges = 0;
	EXPECT_EQ(-EINVAL, vt_feature(self->o.fd, start, &ctl, sizeof(ctl)));
	ctl.num_ranges = 2;

	ASSERT_EQ(0, vt_feature(self->o.fd, start, &ctl, sizeof(ctl)));
	EXPECT_EQ(0, vt_feature(self->o.fd, VFIO_DEVICE_FEATURE_GET |
			     VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT,
			     &report, sizeof(report)));
	/* a report page size that is not a power of two */
	report.page_size = 4096 * 3;
	EXPECT_EQ(-EINVAL, vt_feature(self->o.fd, VFIO_DEVICE_FEATURE_GET |
				   VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT,
				   &report, sizeof(report)));
	EXPECT_EQ(0, vt_feature(self->o.fd, VFIO_DEVICE_FEATURE_SET |
			     VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP, NULL, 0));
}

/* debugfs: the migration state, and (since 6.18) the migration features. */
TEST_F(mdev, debugfs_migration)
{
	const char *dir = "/sys/kernel/debug/vfio/" MDEV_UUID "/migration";
	char path[PATH_MAX], buf[128];

	if (!vt_kconfig("CONFIG_VFIO_DEBUGFS"))
		SKIP(return, "kernel built without CONFIG_VFIO_DEBUGFS");
	snprintf(path, sizeof(path), "%s/state", dir);
	ASSERT_EQ(0, vt_sysfs_read(path, buf, sizeof(buf)));
	EXPECT_STREQ("RUNNING", buf);
	snprintf(path, sizeof(path), "%s/features", dir);
	if (access(path, R_OK) && !vt_ours())
		SKIP(return, "kernel predates the 6.18 migration/features file");
	ASSERT_EQ(0, vt_sysfs_read(path, buf, sizeof(buf)));
	EXPECT_STREQ("stop-copy\np2p\npre-copy\ndirty-tracking", buf);
}

TEST_HARNESS_MAIN
