// SPDX-License-Identifier: GPL-2.0
/*
 * No-IOMMU mode (booted without an IOMMU and with
 * vfio.enable_unsafe_noiommu_mode=1): /dev/vfio/noiommu-N groups, the
 * VFIO_NOIOMMU_IOMMU container model, a group attached to an iommufd, the
 * CAP_SYS_RAWIO requirement and the kernel taint; and this core's
 * /dev/vfio/devices/noiommu-vfioN, which upstream 6.12 does not have: bound
 * to an iommufd, attached to an IOAS that does not translate, and doing DMA
 * to physical addresses read from /proc/self/pagemap, with or without the
 * legacy group.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "../kselftest_harness.h"
#include "vfiotest.h"

#define TAINT_USER_BIT	6

/* The edu masks DMA addresses to 28 bits. */
#define EDU_DMA_LIMIT	(256UL << 20)

FIXTURE(noiommu) {
	struct vt_topology topo;
	char group[64];		/* the group node, "" without groups */
	char sysdev[PATH_MAX];
};

FIXTURE_SETUP(noiommu)
{
	if (!vt_noiommu_mode())
		SKIP(return, "this boot has an IOMMU");
	if (!vt_kconfig("CONFIG_VFIO_NOIOMMU"))
		SKIP(return, "kernel built without CONFIG_VFIO_NOIOMMU");
	ASSERT_EQ(0, vt_topology(&self->topo));
	snprintf(self->sysdev, sizeof(self->sysdev), "/sys/bus/pci/devices/%s",
		 self->topo.solo);
	self->group[0] = '\0';
	if (vt_have_group())
		ASSERT_EQ(0, vt_group_path(self->topo.solo, self->group,
					   sizeof(self->group)));
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
	int id;

	if (vt_no_group())
		SKIP(return, "%s", vt_no_group());
	id = vt_group_id(self->topo.solo);
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

/*
 * Upstream 6.12 registers a no-IOMMU device in sysfs as vfioN, with no cdev
 * (no "dev" attribute, no node).  This core names it noiommu-vfioN and gives
 * it /dev/vfio/devices/noiommu-vfioN, as upstream's work in progress does:
 * DPDK's cdev mode looks for that name, and QEMU, which looks for vfio*,
 * does not take the device by mistake.
 */
TEST_F(noiommu, cdev_node)
{
	char name[64], path[PATH_MAX + 64];
	struct stat st;
	dev_t devt;

	if (vt_no_cdev() && vt_ours())
		SKIP(return, "%s", vt_no_cdev());
	ASSERT_EQ(0, vt_cdev_name(self->sysdev, name, sizeof(name)));
	snprintf(path, sizeof(path), "%s/vfio-dev/%s/dev", self->sysdev, name);
	if (vt_ours()) {
		ASSERT_EQ(0, strncmp(name, "noiommu-vfio", 12)) TH_LOG("%s", name);
		ASSERT_EQ(0, vt_sysfs_devt(path, &devt));
		snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
		ASSERT_EQ(0, stat(path, &st));
		EXPECT_TRUE(S_ISCHR(st.st_mode));
		EXPECT_EQ(devt, st.st_rdev);
		/* the class lists it under the same name */
		snprintf(path, sizeof(path), "/sys/class/vfio-dev/%s", name);
		EXPECT_EQ(0, access(path, F_OK));
		/* and there is no vfioN of it */
		snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name + 8);
		EXPECT_NE(0, stat(path, &st));
	} else {
		EXPECT_EQ(0, strncmp(name, "vfio", 4));
		EXPECT_NE(0, stat(path, &st));
		snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
		EXPECT_NE(0, stat(path, &st));
	}
	VT_DIFFERS_FROM_UPSTREAM("no-IOMMU devices have a noiommu-vfioN cdev");
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

	if (vt_no_group())
		SKIP(return, "%s", vt_no_group());
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
	pid_t pid;

	if (vt_no_group())
		SKIP(return, "%s", vt_no_group());
	pid = fork();
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

#define NOIOMMU_CDEV	"no-IOMMU devices have a noiommu-vfioN cdev"

/*
 * The device's noiommu-vfioN, opened, on this core.  -1 ends the test: a
 * kernel without cdevs skips it; upstream 6.12, which has no such node
 * (checked here), reports the expected difference.
 */
static int cdev_or_none(struct __test_metadata *_metadata, const char *bdf,
			const char *sysdev)
{
	char name[64], path[PATH_MAX + 64];
	int fd;

	if (!vt_have_cdev())
		SKIP(return -1, "kernel built without CONFIG_VFIO_DEVICE_CDEV");
	if (vt_ours()) {
		fd = vt_cdev_open(bdf);
		EXPECT_LE(0, fd) TH_LOG("noiommu-vfioN: %s", strerror(-fd));
		return fd < 0 ? -1 : fd;
	}
	if (!vt_cdev_name(sysdev, name, sizeof(name))) {
		snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
		EXPECT_EQ(-1, open(path, O_RDWR));
	}
	VT_DIFFERS_FROM_UPSTREAM(NOIOMMU_CDEV);
	return -1;
}

/*
 * Bound to a real iommufd, the device is an iommufd access there: it has an
 * id, and attaches to and detaches from an IOAS as any device does, though
 * the IOAS translates nothing for it.
 */
TEST_F(noiommu, cdev_bind_attach)
{
	int nullfd, iommufd, fd;
	__u32 devid = 0, ioas[2], pt;

	fd = cdev_or_none(_metadata, self->topo.solo, self->sysdev);
	if (fd < 0)
		return;
	iommufd = vt_iommufd_open();
	ASSERT_LE(0, iommufd);
	ASSERT_EQ(0, vt_ioas_alloc(iommufd, &ioas[0]));
	ASSERT_EQ(0, vt_ioas_alloc(iommufd, &ioas[1]));
	nullfd = open("/dev/null", O_RDWR);
	ASSERT_LE(0, nullfd);

	/* unbound, the file does nothing */
	pt = ioas[0];
	EXPECT_EQ(-EINVAL, vt_attach(fd, &pt));
	/* the in-flight upstream design binds to a real iommufd too */
	EXPECT_EQ(-EINVAL, vt_bind(fd, -1, &devid));
	EXPECT_EQ(-EBADFD, vt_bind(fd, nullfd, &devid));
	ASSERT_EQ(0, vt_bind(fd, iommufd, &devid));
	EXPECT_NE(0, devid);
	EXPECT_EQ(-EINVAL, vt_bind(fd, iommufd, &devid));
	check_ident(_metadata, fd);

	pt = ioas[0];
	EXPECT_EQ(0, vt_attach(fd, &pt));
	EXPECT_EQ(ioas[0], pt);
	/* a replace */
	pt = ioas[1];
	EXPECT_EQ(0, vt_attach(fd, &pt));
	EXPECT_EQ(ioas[1], pt);
	EXPECT_EQ(0, vt_detach(fd));
	/* the device id is not a page table */
	pt = devid;
	EXPECT_NE(0, vt_attach(fd, &pt));
	check_ident(_metadata, fd);
	close(fd);

	/* closed, it is free for the next user */
	fd = vt_cdev_open(self->topo.solo);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, vt_bind(fd, iommufd, NULL));
	close(fd);
	close(nullfd);
	close(iommufd);
}

static int drop_rawio_and_bind(int fd, int iommufd)
{
	if (drop_rawio())
		return 100;
	return -vt_bind(fd, iommufd, NULL);
}

TEST_F(noiommu, cdev_needs_cap_sys_rawio)
{
	int status, fd, iommufd;
	pid_t pid;

	fd = cdev_or_none(_metadata, self->topo.solo, self->sysdev);
	if (fd < 0)
		return;
	iommufd = vt_iommufd_open();
	ASSERT_LE(0, iommufd);

	/* without the capability the node does not open */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int cfd;

		if (drop_rawio())
			_exit(100);
		cfd = vt_cdev_open(self->topo.solo);
		_exit(cfd >= 0 ? 0 : -cfd);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(EPERM, WEXITSTATUS(status));

	/* nor does a file opened with it bind for a process without it */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(drop_rawio_and_bind(fd, iommufd));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(EPERM, WEXITSTATUS(status));

	/* the same file binds here */
	EXPECT_EQ(0, vt_bind(fd, iommufd, NULL));
	close(fd);
	close(iommufd);
}

/* The physical address of the page at @va, or 0 (pagemap needs root). */
static unsigned long phys_of(int pagemap, void *va)
{
	unsigned long page = sysconf(_SC_PAGESIZE);
	__u64 ent;

	if (pread(pagemap, &ent, sizeof(ent), (unsigned long)va / page * 8) != sizeof(ent))
		return 0;
	if (!(ent & (1ULL << 63)))
		return 0;
	return (ent & ((1ULL << 55) - 1)) * page;
}

/*
 * Two resident pages the edu can reach (below 256 MiB): memory is mapped
 * locked, a chunk at a time, until there are two.  *@chunks is what to
 * unmap afterwards.
 */
#define CHUNK		(32UL << 20)
#define MAX_CHUNKS	24

static int low_pages(char *chunk[MAX_CHUNKS], int *chunks, char **va,
		     unsigned long *pa)
{
	unsigned long page = sysconf(_SC_PAGESIZE), off, p;
	int pagemap, found = 0;

	pagemap = open("/proc/self/pagemap", O_RDONLY);
	if (pagemap < 0)
		return -errno;
	for (*chunks = 0; *chunks < MAX_CHUNKS && found < 2; (*chunks)++) {
		chunk[*chunks] = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE |
				      MAP_LOCKED, -1, 0);
		if (chunk[*chunks] == MAP_FAILED)
			break;
		for (off = 0; off < CHUNK && found < 2; off += page) {
			p = phys_of(pagemap, chunk[*chunks] + off);
			if (!p || p + page > EDU_DMA_LIMIT)
				continue;
			va[found] = chunk[*chunks] + off;
			pa[found++] = p;
		}
	}
	close(pagemap);
	return found == 2 ? 0 : -ENOMEM;
}

/*
 * DMA without an IOMMU: the device reaches physical memory, whose addresses
 * the user reads from /proc/self/pagemap, as DPDK's IOVA-as-PA mode does.
 * RAM -> the edu's buffer -> another page of RAM.
 */
TEST_F(noiommu, cdev_dma_physical)
{
	char *chunk[MAX_CHUNKS], *va[2];
	unsigned long pa[2];
	int chunks = 0, iommufd, fd, i;
	struct vt_edu edu;
	__u32 ioas;

	fd = cdev_or_none(_metadata, self->topo.solo, self->sysdev);
	if (fd < 0)
		return;
	iommufd = vt_iommufd_with_ioas(&ioas);
	ASSERT_LE(0, iommufd);
	ASSERT_EQ(0, vt_bind(fd, iommufd, NULL));
	/* what DPDK's cdev mode does; the IOAS plays no part in the DMA */
	ASSERT_EQ(0, vt_attach(fd, &ioas));
	ASSERT_EQ(0, vt_edu_init(&edu, fd));

	ASSERT_EQ(0, low_pages(chunk, &chunks, va, pa))
		TH_LOG("no two pages below 256 MiB in %d chunks", chunks);
	vt_fill(va[0], EDU_DMA_MAX, 0x5a);
	memset(va[1], 0, EDU_DMA_MAX);
	EXPECT_EQ(0, vt_edu_dma(&edu, pa[0], EDU_DMA_MAX, false));
	EXPECT_EQ(0, vt_edu_dma(&edu, pa[1], EDU_DMA_MAX, true));
	EXPECT_EQ(0, memcmp(va[0], va[1], EDU_DMA_MAX))
		TH_LOG("pa %#lx -> edu -> pa %#lx", pa[0], pa[1]);

	for (i = 0; i < chunks; i++)
		munmap(chunk[i], CHUNK);
	vt_edu_fini(&edu);
	close(fd);
	close(iommufd);
}

/* The group and the cdev exclude each other, as for any device. */
TEST_F(noiommu, cdev_and_group_exclude)
{
	int iommufd, group, fd;

	if (vt_no_group())
		SKIP(return, "%s", vt_no_group());
	fd = cdev_or_none(_metadata, self->topo.solo, self->sysdev);
	if (fd < 0)
		return;
	iommufd = vt_iommufd_open();
	ASSERT_LE(0, iommufd);
	group = open(self->group, O_RDWR);
	ASSERT_LE(0, group);
	EXPECT_EQ(-EBUSY, vt_bind(fd, iommufd, NULL));
	close(group);
	ASSERT_EQ(0, vt_bind(fd, iommufd, NULL));
	EXPECT_EQ(-1, open(self->group, O_RDWR));
	EXPECT_EQ(EBUSY, errno);
	close(fd);
	group = open(self->group, O_RDWR);
	EXPECT_LE(0, group);
	if (group >= 0)
		close(group);
	close(iommufd);
}

TEST_HARNESS_MAIN
