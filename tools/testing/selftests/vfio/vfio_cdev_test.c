// SPDX-License-Identifier: GPL-2.0
/*
 * The device character device: /dev/vfio/devices/vfioN, its sysfs entry,
 * VFIO_DEVICE_BIND_IOMMUFD, VFIO_DEVICE_[AT|DE]TACH_IOMMUFD_PT and what an
 * unbound or closed device file may and may not do.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "../kselftest_harness.h"
#include "vfiotest.h"

FIXTURE(cdev) {
	struct vt_topology topo;
	int iommufd;
	__u32 ioas;
	int fd;
};

FIXTURE_SETUP(cdev)
{
	self->fd = -1;
	self->iommufd = -1;
	if (vt_no_cdev())
		SKIP(return, "%s", vt_no_cdev());
	ASSERT_EQ(0, vt_topology(&self->topo));
	self->iommufd = vt_iommufd_with_ioas(&self->ioas);
	ASSERT_LE(0, self->iommufd);
	self->fd = vt_cdev_open(self->topo.solo);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(cdev)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->iommufd >= 0)
		close(self->iommufd);
}

/* rust-vmm requires exactly one vfio-dev entry, a directory; QEMU checks rdev. */
TEST_F(cdev, sysfs_entry_matches_node)
{
	char dir[PATH_MAX], path[PATH_MAX], name[64];
	struct dirent *de;
	struct stat st;
	int entries = 0;
	dev_t devt;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/vfio-dev",
		 self->topo.solo);
	d = opendir(dir);
	ASSERT_NE(NULL, d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		entries++;
		snprintf(name, sizeof(name), "%s", de->d_name);
	}
	closedir(d);
	ASSERT_EQ(1, entries);
	ASSERT_EQ(0, strncmp(name, "vfio", 4));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ASSERT_EQ(0, stat(path, &st));
	ASSERT_TRUE(S_ISDIR(st.st_mode));

	snprintf(path, sizeof(path), "%s/%s/dev", dir, name);
	ASSERT_EQ(0, vt_sysfs_devt(path, &devt));
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
	ASSERT_EQ(0, stat(path, &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	ASSERT_EQ(devt, st.st_rdev);

	/* The class view names the same device. */
	snprintf(path, sizeof(path), "/sys/class/vfio-dev/%s/dev", name);
	ASSERT_EQ(0, vt_sysfs_devt(path, &devt));
	ASSERT_EQ(devt, st.st_rdev);
}

/* Nothing but BIND works before the file is bound. */
TEST_F(cdev, unbound_file_is_inert)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	struct vfio_irq_info irq = { .argsz = sizeof(irq) };
	struct vfio_device_feature feat = {
		.argsz = sizeof(feat),
		.flags = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET |
			 VFIO_DEVICE_FEATURE_MIGRATION,
	};
	struct vfio_device_attach_iommufd_pt at = {
		.argsz = sizeof(at), .pt_id = self->ioas,
	};
	struct vfio_device_detach_iommufd_pt dt = { .argsz = sizeof(dt) };
	char buf[4];

	EXPECT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_GET_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_GET_REGION_INFO, &ri));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_GET_IRQ_INFO, &irq));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_RESET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_FEATURE, &feat));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pread(self->fd, buf, sizeof(buf), 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(self->fd, buf, sizeof(buf), 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(cdev, bind_rejects_bad_iommufd)
{
	int nullfd = open("/dev/null", O_RDWR);
	__u32 devid;

	ASSERT_LE(0, nullfd);
	EXPECT_EQ(-EINVAL, vt_bind(self->fd, -1, &devid));
	/* a descriptor number that is not open */
	EXPECT_EQ(-EBADF, vt_bind(self->fd, 1000, &devid));
	/* an open file that is not an iommufd */
	EXPECT_EQ(-EBADFD, vt_bind(self->fd, nullfd, &devid));
	close(nullfd);
	/* none of the failures left anything behind */
	EXPECT_EQ(0, vt_bind(self->fd, self->iommufd, &devid));
}

TEST_F(cdev, bind_rejects_bad_header)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = self->iommufd,
	};

	bind.flags = 1U << 1;
	EXPECT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	EXPECT_EQ(EINVAL, errno);
	bind.flags = 1U << 31;
	EXPECT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	EXPECT_EQ(EINVAL, errno);
	bind.flags = 0;
	bind.argsz = offsetof(struct vfio_device_bind_iommufd, out_devid);
	EXPECT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	EXPECT_EQ(EINVAL, errno);
	bind.argsz = 0;
	EXPECT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_BIND_IOMMUFD, NULL));
	EXPECT_EQ(EFAULT, errno);
	bind.argsz = sizeof(bind);
	EXPECT_EQ(0, ioctl(self->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	EXPECT_NE(0, bind.out_devid);
}

/*
 * VFIO_DEVICE_BIND_FLAG_TOKEN (upstream 6.17) on a device that is neither an
 * SR-IOV PF nor a VF: vfio-pci takes no token for it.  vfio_token_test has
 * the devices that do.
 */
TEST_F(cdev, bind_token_flag)
{
	static const __u8 uuid[16] = { 0x42 };
	struct vfio_device_bind_iommufd bind = {
		.argsz = offsetof(struct vfio_device_bind_iommufd, token_uuid_ptr),
		.flags = VFIO_DEVICE_BIND_FLAG_TOKEN,
		.iommufd = self->iommufd,
		.token_uuid_ptr = (uintptr_t)uuid,
	};

	/* an argsz without the token's address */
	EXPECT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	EXPECT_EQ(EINVAL, errno);
	bind.argsz = sizeof(bind);
	EXPECT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	EXPECT_EQ(EINVAL, errno);
	/* the token is read before vfio-pci is asked; 6.12 knows no flag */
	bind.token_uuid_ptr = 0;
	EXPECT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	EXPECT_EQ(vt_ours() ? EFAULT : EINVAL, errno);
	EXPECT_EQ(0, vt_bind(self->fd, self->iommufd, NULL));
	VT_DIFFERS_FROM_UPSTREAM("BIND takes VFIO_DEVICE_BIND_FLAG_TOKEN (upstream 6.17)");
}

/* A larger argsz with a zeroed tail is how newer userspace calls an old kernel. */
TEST_F(cdev, bind_accepts_longer_zeroed_argsz)
{
	struct {
		struct vfio_device_bind_iommufd bind;
		__u64 tail[2];
	} arg = {
		.bind.argsz = sizeof(arg),
		.bind.iommufd = self->iommufd,
	};

	EXPECT_EQ(0, ioctl(self->fd, VFIO_DEVICE_BIND_IOMMUFD, &arg));
	EXPECT_NE(0, arg.bind.out_devid);
}

TEST_F(cdev, bind_grants_access)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	__u32 devid = 0;

	ASSERT_EQ(0, vt_bind(self->fd, self->iommufd, &devid));
	EXPECT_NE(0, devid);
	EXPECT_EQ(0, ioctl(self->fd, VFIO_DEVICE_GET_INFO, &info));
	EXPECT_TRUE(info.flags & VFIO_DEVICE_FLAGS_PCI);
}

TEST_F(cdev, bind_twice)
{
	__u32 devid;

	ASSERT_EQ(0, vt_bind(self->fd, self->iommufd, &devid));
	EXPECT_EQ(-EINVAL, vt_bind(self->fd, self->iommufd, &devid));
}

/* Opening is not exclusive; binding a second file of a bound device is. */
TEST_F(cdev, second_open_cannot_bind)
{
	int iommufd2, fd2;
	__u32 devid;

	fd2 = vt_cdev_open(self->topo.solo);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, vt_bind(self->fd, self->iommufd, &devid));
	EXPECT_EQ(-EINVAL, vt_bind(fd2, self->iommufd, &devid));
	iommufd2 = vt_iommufd_open();
	ASSERT_LE(0, iommufd2);
	EXPECT_EQ(-EINVAL, vt_bind(fd2, iommufd2, &devid));
	/* once the first file is gone, the second one can bind */
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, vt_bind(fd2, iommufd2, &devid));
	close(fd2);
	close(iommufd2);
}

TEST_F(cdev, attach_ioas)
{
	__u32 devid, pt = self->ioas;

	ASSERT_EQ(0, vt_bind(self->fd, self->iommufd, &devid));
	ASSERT_EQ(0, vt_attach(self->fd, &pt));
	/* an IOAS is attached through an automatic HWPT, whose id comes back */
	EXPECT_NE(self->ioas, pt);
	EXPECT_NE(devid, pt);
	/* the IOAS is in use while attached */
	EXPECT_EQ(-EBUSY, vt_destroy(self->iommufd, self->ioas));
	ASSERT_EQ(0, vt_detach(self->fd));
	EXPECT_EQ(0, vt_destroy(self->iommufd, self->ioas));
}

TEST_F(cdev, attach_hwpt)
{
	__u32 devid, hwpt, pt;

	ASSERT_EQ(0, vt_bind(self->fd, self->iommufd, &devid));
	ASSERT_EQ(0, vt_hwpt_alloc(self->iommufd, devid, self->ioas, &hwpt));
	pt = hwpt;
	ASSERT_EQ(0, vt_attach(self->fd, &pt));
	EXPECT_EQ(hwpt, pt);
	EXPECT_EQ(-EBUSY, vt_destroy(self->iommufd, hwpt));
	ASSERT_EQ(0, vt_detach(self->fd));
	EXPECT_EQ(0, vt_destroy(self->iommufd, hwpt));
}

/*
 * IOMMU dirty tracking is offered exactly where IOMMU_GET_HW_INFO says it
 * is, and never by a kernel whose IOMMU drivers were built without IOVA
 * bitmaps (CONFIG_IOMMUFD_DRIVER=n: Debian's, with this tree's modules),
 * since they would record nothing.
 */
TEST_F(cdev, hwpt_dirty_tracking_as_reported)
{
	struct iommu_hw_info info = { .size = sizeof(info) };
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc),
		.flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
	};
	struct iommu_hwpt_set_dirty_tracking set = {
		.size = sizeof(set),
		.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
	};
	__u32 devid;
	int ret;

	ASSERT_EQ(0, vt_bind(self->fd, self->iommufd, &devid));
	info.dev_id = devid;
	ASSERT_EQ(0, ioctl(self->iommufd, IOMMU_GET_HW_INFO, &info));
	if (!vt_kconfig("CONFIG_IOMMUFD_DRIVER"))
		EXPECT_FALSE(info.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING);
	alloc.dev_id = devid;
	alloc.pt_id = self->ioas;
	ret = ioctl(self->iommufd, IOMMU_HWPT_ALLOC, &alloc) ? -errno : 0;
	if (!(info.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING)) {
		EXPECT_EQ(-EOPNOTSUPP, ret);
		return;
	}
	ASSERT_EQ(0, ret);
	set.hwpt_id = alloc.out_hwpt_id;
	EXPECT_EQ(0, ioctl(self->iommufd, IOMMU_HWPT_SET_DIRTY_TRACKING, &set));
	EXPECT_EQ(0, vt_destroy(self->iommufd, alloc.out_hwpt_id));
}

TEST_F(cdev, attach_rejects_bad_input)
{
	struct vfio_device_attach_iommufd_pt at = {
		.argsz = sizeof(at), .pt_id = self->ioas,
	};
	struct vfio_device_detach_iommufd_pt dt = { .argsz = sizeof(dt) };
	__u32 devid, pt;

	ASSERT_EQ(0, vt_bind(self->fd, self->iommufd, &devid));
	at.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at));
	EXPECT_EQ(EINVAL, errno);
	at.flags = 0;
	at.argsz = offsetof(struct vfio_device_attach_iommufd_pt, pt_id);
	EXPECT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at));
	EXPECT_EQ(EINVAL, errno);
	/* no such object */
	pt = 9999;
	EXPECT_EQ(-ENOENT, vt_attach(self->fd, &pt));
	/* an object that is not a page table: the device itself */
	pt = devid;
	EXPECT_EQ(-EINVAL, vt_attach(self->fd, &pt));
	dt.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt));
	EXPECT_EQ(EINVAL, errno);
	dt.flags = 0;
	dt.argsz = 4;
	EXPECT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt));
	EXPECT_EQ(EINVAL, errno);
	/* and the device still attaches after all that */
	pt = self->ioas;
	EXPECT_EQ(0, vt_attach(self->fd, &pt));
}

TEST_F(cdev, attach_replaces)
{
	__u32 devid, ioas2, pt1 = self->ioas, pt2;

	ASSERT_EQ(0, vt_bind(self->fd, self->iommufd, &devid));
	ASSERT_EQ(0, vt_ioas_alloc(self->iommufd, &ioas2));
	ASSERT_EQ(0, vt_attach(self->fd, &pt1));
	pt2 = ioas2;
	ASSERT_EQ(0, vt_attach(self->fd, &pt2));
	/* the first IOAS is no longer referenced by the device */
	EXPECT_EQ(0, vt_destroy(self->iommufd, self->ioas));
	EXPECT_EQ(-EBUSY, vt_destroy(self->iommufd, ioas2));
}

TEST_F(cdev, detach_without_attach)
{
	__u32 devid;

	ASSERT_EQ(0, vt_bind(self->fd, self->iommufd, &devid));
	EXPECT_EQ(0, vt_detach(self->fd));
}

/* close() without unbinding must release the device, the IOAS and the iommufd. */
TEST_F(cdev, close_releases_everything)
{
	__u32 devid, pt = self->ioas;

	ASSERT_EQ(0, vt_bind(self->fd, self->iommufd, &devid));
	ASSERT_EQ(0, vt_attach(self->fd, &pt));
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, vt_destroy(self->iommufd, self->ioas));
	self->fd = vt_cdev_open(self->topo.solo);
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(0, vt_bind(self->fd, self->iommufd, &devid));
}

/* A bound device keeps its iommufd context after the iommufd fd is closed. */
TEST_F(cdev, device_outlives_iommufd_fd)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	__u32 devid, pt = self->ioas;

	ASSERT_EQ(0, vt_bind(self->fd, self->iommufd, &devid));
	ASSERT_EQ(0, vt_attach(self->fd, &pt));
	close(self->iommufd);
	self->iommufd = -1;
	EXPECT_EQ(0, ioctl(self->fd, VFIO_DEVICE_GET_INFO, &info));
	EXPECT_EQ(0, vt_detach(self->fd));
}

/*
 * lsvfio names the device's nodes and sees this process hold its cdev:
 * unbound, then bound.  It learns whether a file is bound from the fdinfo,
 * which upstream 6.12 does not fill in: there it answers "unknown".
 */
TEST_F(cdev, lsvfio_sees_holder)
{
	char entry[8192], want[PATH_MAX + 32], sysdev[PATH_MAX], node[PATH_MAX];
	const char *held = vt_ours() ? "false" : "null";
	__u32 devid;
	int ret;

	ret = vt_lsvfio(self->topo.solo, entry, sizeof(entry));
	if (ret == -ENOEXEC)
		SKIP(return, "lsvfio is not in this guest image");
	ASSERT_EQ(0, ret);
	EXPECT_NE(NULL, strstr(entry, "\"driver\": \"vfio-pci\""));
	snprintf(sysdev, sizeof(sysdev), "/sys/bus/pci/devices/%s", self->topo.solo);
	ASSERT_EQ(0, vt_cdev_path(sysdev, node, sizeof(node)));
	snprintf(want, sizeof(want), "\"cdev\": \"%s\"", node);
	EXPECT_NE(NULL, strstr(entry, want));
	snprintf(want, sizeof(want), "\"iommu_group\": %d,", vt_group_id(self->topo.solo));
	EXPECT_NE(NULL, strstr(entry, want));
	if (vt_have_group()) {
		snprintf(want, sizeof(want), "\"group_node\": \"/dev/vfio/%d\"",
			 vt_group_id(self->topo.solo));
		EXPECT_NE(NULL, strstr(entry, want));
	}
	EXPECT_NE(NULL, strstr(entry, vt_ours() ? "\"bound\": null" :
					       "\"bound\": \"unknown\""));
	EXPECT_TRUE(vt_lsvfio_holder(entry, getpid(), "cdev", held));

	ASSERT_EQ(0, vt_bind(self->fd, self->iommufd, &devid));
	ASSERT_EQ(0, vt_lsvfio(self->topo.solo, entry, sizeof(entry)));
	EXPECT_NE(NULL, strstr(entry, vt_ours() ? "\"bound\": \"cdev\"" :
					       "\"bound\": \"unknown\""));
	EXPECT_TRUE(vt_lsvfio_holder(entry, getpid(), "cdev",
				     vt_ours() ? "true" : "null"));
	if (_metadata->exit_code != KSFT_PASS)
		fprintf(stderr, "# lsvfio: %s\n", entry);
	VT_DIFFERS_FROM_UPSTREAM("the fdinfo says whether a device file is bound");
}

/* Since 6.18 every device file tells its device's sysfs path in fdinfo. */
TEST_F(cdev, fdinfo_syspath)
{
	char path[PATH_MAX], line[PATH_MAX + 64], want[PATH_MAX], real[PATH_MAX];
	bool found = false;
	__u32 devid;
	FILE *f;

	ASSERT_EQ(0, vt_bind(self->fd, self->iommufd, &devid));
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", self->fd);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "vfio-device-syspath: ", 21)) {
			found = true;
			break;
		}
	}
	fclose(f);
	if (!found && !vt_ours())
		SKIP(return, "kernel predates the 6.18 fdinfo syspath");
	ASSERT_TRUE(found);
	line[strcspn(line, "\n")] = '\0';
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", self->topo.solo);
	ASSERT_NE(NULL, realpath(path, real));
	snprintf(want, sizeof(want), "%s", real);
	EXPECT_STREQ(want, line + 21);
}

TEST_HARNESS_MAIN
