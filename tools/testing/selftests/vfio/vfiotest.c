// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the VFIO selftests; see vfiotest.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <linux/pci_regs.h>

#include "vfiotest.h"

#define PCI_DEVICES "/sys/bus/pci/devices"

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

bool vt_kconfig(const char *sym)
{
	const char *path = getenv("VFIO_TEST_KCONFIG");
	char line[256];
	size_t n = strlen(sym);
	bool found = false;
	FILE *f;

	f = fopen(path ? path : "/vfio/kconfig", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, sym, n) && line[n] == '=' &&
		    (line[n + 1] == 'y' || line[n + 1] == 'm')) {
			found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

bool vt_have_cdev(void)
{
	return vt_kconfig("CONFIG_VFIO_DEVICE_CDEV");
}

bool vt_have_group(void)
{
	return vt_kconfig("CONFIG_VFIO_GROUP");
}

bool vt_have_container(void)
{
	return vt_kconfig("CONFIG_VFIO_CONTAINER") ||
	       vt_kconfig("CONFIG_IOMMUFD_VFIO_CONTAINER");
}

const char *vt_no_cdev(void)
{
	if (!vt_have_cdev())
		return "kernel built without CONFIG_VFIO_DEVICE_CDEV";
	/* this core's noiommu-vfioN (vfio-core.rst) */
	if (vt_noiommu_mode() && !vt_ours())
		return "upstream 6.12 gives no-IOMMU devices no cdev";
	return NULL;
}

const char *vt_no_group(void)
{
	return vt_have_group() ? NULL : "kernel built without CONFIG_VFIO_GROUP";
}

const char *vt_no_container(void)
{
	return vt_have_container() ? NULL : "kernel built without a VFIO container";
}

bool vt_noiommu_mode(void)
{
	const char *mode = getenv("VFIO_TEST_MODE");

	return mode && !strcmp(mode, "noiommu");
}

/* True when the kernel under test carries this tree's VFIO core. */
bool vt_ours(void)
{
	const char *core = getenv("VFIO_TEST_CORE");

	return core && !strcmp(core, "ours");
}

int vt_sysfs_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return neg_errno();
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = neg_errno();
		close(fd);
		return n;
	}
	close(fd);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

/* A sysfs "dev" attribute ("major:minor") at @path, as a dev_t. */
int vt_sysfs_devt(const char *path, dev_t *devt)
{
	unsigned int maj, min;
	char buf[32];
	int ret;

	ret = vt_sysfs_read(path, buf, sizeof(buf));
	if (ret)
		return ret;
	if (sscanf(buf, "%u:%u", &maj, &min) != 2)
		return -EINVAL;
	*devt = makedev(maj, min);
	return 0;
}

/* The last component of where the symlink @path points. */
int vt_link_name(const char *path, char *name, size_t len)
{
	char link[PATH_MAX];
	const char *slash;
	ssize_t n;

	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return neg_errno();
	link[n] = '\0';
	slash = strrchr(link, '/');
	snprintf(name, len, "%s", slash ? slash + 1 : link);
	return 0;
}

int vt_sysfs_write(const char *path, const char *val)
{
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return neg_errno();
	n = write(fd, val, strlen(val));
	if (n < 0)
		ret = neg_errno();
	close(fd);
	return ret;
}

static int pci_attr(const char *bdf, const char *attr, unsigned long *val)
{
	char path[PATH_MAX], buf[64];
	int ret;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/%s", bdf, attr);
	ret = vt_sysfs_read(path, buf, sizeof(buf));
	if (ret)
		return ret;
	*val = strtoul(buf, NULL, 0);
	return 0;
}

int vt_topology(struct vt_topology *t)
{
	struct dirent **list;
	int n, i, shared = 0;

	memset(t, 0, sizeof(*t));
	n = scandir(PCI_DEVICES, &list, NULL, alphasort);
	if (n < 0)
		return neg_errno();
	for (i = 0; i < n; i++) {
		const char *bdf = list[i]->d_name;
		unsigned long vendor, device;
		bool root_bus = !strncmp(bdf + 5, "00:", 3);

		if (bdf[0] == '.' || pci_attr(bdf, "vendor", &vendor) ||
		    pci_attr(bdf, "device", &device))
			continue;
		if (vendor == EDU_VENDOR && device == EDU_DEVICE) {
			if (root_bus && !t->solo[0])
				snprintf(t->solo, sizeof(t->solo), "%s", bdf);
			else if (!root_bus && shared < 2)
				snprintf(t->shared[shared++], sizeof(t->shared[0]), "%s", bdf);
		} else if (vendor == 0x8086 && device == 0x100e && !root_bus) {
			snprintf(t->nic, sizeof(t->nic), "%s", bdf);
		}
	}
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return t->solo[0] && shared == 2 && t->nic[0] ? 0 : -ENODEV;
}

/* The IOMMU group id of the device at sysfs path @sysdev. */
static int group_id_of(const char *sysdev)
{
	char path[PATH_MAX], id[32];
	int ret;

	snprintf(path, sizeof(path), "%s/iommu_group", sysdev);
	ret = vt_link_name(path, id, sizeof(id));
	return ret ? ret : atoi(id);
}

int vt_group_id(const char *bdf)
{
	char sysdev[PATH_MAX];

	snprintf(sysdev, sizeof(sysdev), PCI_DEVICES "/%s", bdf);
	return group_id_of(sysdev);
}

static int group_path_of(int id, char *path, size_t len)
{
	if (id < 0)
		return id;
	snprintf(path, len, "/dev/vfio/%d", id);
	if (!access(path, F_OK))
		return 0;
	snprintf(path, len, "/dev/vfio/noiommu-%d", id);
	if (!access(path, F_OK))
		return 0;
	return -ENOENT;
}

int vt_group_path(const char *bdf, char *path, size_t len)
{
	return group_path_of(vt_group_id(bdf), path, len);
}

/*
 * The cdev name as QEMU and libvfn find it, the vfio* entry of vfio-dev/, or
 * as DPDK finds a no-IOMMU device's, noiommu-vfio*.
 */
int vt_cdev_name(const char *sysdev, char *name, size_t len)
{
	char path[PATH_MAX];
	struct dirent *de;
	int ret = -ENOENT;
	DIR *d;

	snprintf(path, sizeof(path), "%s/vfio-dev", sysdev);
	d = opendir(path);
	if (!d)
		return neg_errno();
	while ((de = readdir(d))) {
		if (!strncmp(de->d_name, "vfio", 4) ||
		    !strncmp(de->d_name, "noiommu-vfio", 12)) {
			snprintf(name, len, "%s", de->d_name);
			ret = 0;
			break;
		}
	}
	closedir(d);
	return ret;
}

int vt_cdev_path(const char *sysdev, char *path, size_t len)
{
	char name[64];
	int ret;

	ret = vt_cdev_name(sysdev, name, sizeof(name));
	if (ret)
		return ret;
	snprintf(path, len, "/dev/vfio/devices/%s", name);
	return 0;
}

/* Open the cdev of the device at sysfs path @sysdev. */
static int cdev_open_of(const char *sysdev)
{
	char path[PATH_MAX];
	int fd, ret;

	ret = vt_cdev_path(sysdev, path, sizeof(path));
	if (ret)
		return ret;
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? neg_errno() : fd;
}

int vt_cdev_open(const char *bdf)
{
	char sysdev[PATH_MAX];

	snprintf(sysdev, sizeof(sysdev), PCI_DEVICES "/%s", bdf);
	return cdev_open_of(sysdev);
}

const char *vt_pci_driver(const char *bdf, char *buf, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *slash;
	ssize_t n;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return NULL;
	link[n] = '\0';
	slash = strrchr(link, '/');
	snprintf(buf, len, "%s", slash ? slash + 1 : link);
	return buf;
}

/* Rebind @bdf to @driver the way an administrator does it. */
int vt_pci_bind(const char *bdf, const char *driver)
{
	char path[PATH_MAX], cur[64];
	int ret;

	if (vt_pci_driver(bdf, cur, sizeof(cur)) && !strcmp(cur, driver))
		return 0;
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver_override", bdf);
	ret = vt_sysfs_write(path, driver);
	if (ret)
		return ret;
	if (vt_pci_driver(bdf, cur, sizeof(cur))) {
		snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver/unbind", bdf);
		ret = vt_sysfs_write(path, bdf);
		if (ret)
			return ret;
	}
	ret = vt_sysfs_write("/sys/bus/pci/drivers_probe", bdf);
	if (ret)
		return ret;
	if (!vt_pci_driver(bdf, cur, sizeof(cur)) || strcmp(cur, driver))
		return -ENODEV;
	return 0;
}

int vt_iommufd_open(void)
{
	int fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);

	return fd < 0 ? neg_errno() : fd;
}

/* A new iommufd with one IOAS in it. */
int vt_iommufd_with_ioas(__u32 *ioas)
{
	int fd = vt_iommufd_open(), ret;

	if (fd < 0)
		return fd;
	ret = vt_ioas_alloc(fd, ioas);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

int vt_ioas_alloc(int iommufd, __u32 *ioas)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &cmd))
		return neg_errno();
	*ioas = cmd.out_ioas_id;
	return 0;
}

int vt_ioas_map(int iommufd, __u32 ioas, void *va, __u64 len, __u64 iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return ioctl(iommufd, IOMMU_IOAS_MAP, &cmd) ? neg_errno() : 0;
}

int vt_ioas_unmap(int iommufd, __u32 ioas, __u64 iova, __u64 len)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.iova = iova,
		.length = len,
	};

	return ioctl(iommufd, IOMMU_IOAS_UNMAP, &cmd) ? neg_errno() : 0;
}

int vt_hwpt_alloc(int iommufd, __u32 dev_id, __u32 pt_id, __u32 *hwpt)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.dev_id = dev_id,
		.pt_id = pt_id,
	};

	if (ioctl(iommufd, IOMMU_HWPT_ALLOC, &cmd))
		return neg_errno();
	*hwpt = cmd.out_hwpt_id;
	return 0;
}

int vt_destroy(int iommufd, __u32 id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return ioctl(iommufd, IOMMU_DESTROY, &cmd) ? neg_errno() : 0;
}

int vt_bind(int devfd, int iommufd, __u32 *dev_id)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = iommufd,
	};

	if (ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		return neg_errno();
	if (dev_id)
		*dev_id = bind.out_devid;
	return 0;
}

int vt_attach(int devfd, __u32 *pt_id)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
		.pt_id = *pt_id,
	};

	if (ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		return neg_errno();
	*pt_id = attach.pt_id;
	return 0;
}

int vt_detach(int devfd)
{
	struct vfio_device_detach_iommufd_pt detach = {
		.argsz = sizeof(detach),
	};

	return ioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach) ? neg_errno() : 0;
}

/* Open @bdf's cdev, bind it to @iommufd and attach it to @ioas. */
int vt_cdev_setup(const char *bdf, int iommufd, __u32 ioas, __u32 *dev_id)
{
	__u32 pt = ioas;
	int fd, ret;

	fd = vt_cdev_open(bdf);
	if (fd < 0)
		return fd;
	ret = vt_bind(fd, iommufd, dev_id);
	if (!ret)
		ret = vt_attach(fd, &pt);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

const char *vt_no_path(enum vt_path path)
{
	return path == VT_CDEV ? vt_no_cdev() : vt_no_container();
}

/* Nothing open yet: what a fixture does before it may skip. */
void vt_dev_init(struct vt_dev *d)
{
	d->iommufd = -1;
	d->container = -1;
	d->group = -1;
	d->fd = -1;
}

int vt_dev_open(struct vt_dev *d, enum vt_path path, const char *bdf)
{
	unsigned long type;
	int ret;

	vt_dev_init(d);
	if (path == VT_CDEV) {
		d->iommufd = vt_iommufd_with_ioas(&d->ioas);
		if (d->iommufd < 0)
			return d->iommufd;
		d->fd = vt_cdev_setup(bdf, d->iommufd, d->ioas, NULL);
		return d->fd < 0 ? d->fd : 0;
	}
	d->container = vt_container_open();
	if (d->container < 0)
		return d->container;
	d->group = vt_group_open(bdf);
	if (d->group < 0)
		return d->group;
	type = vt_noiommu_mode() ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1v2_IOMMU;
	ret = vt_container_setup(d->container, d->group, type);
	if (ret)
		return ret;
	d->fd = vt_group_device(d->group, bdf);
	return d->fd < 0 ? d->fd : 0;
}

void vt_dev_close(struct vt_dev *d)
{
	int *fds[] = { &d->fd, &d->group, &d->container, &d->iommufd };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

int vt_dev_map(struct vt_dev *d, void *va, __u64 len, __u64 iova)
{
	if (d->container >= 0)
		return vt_container_map(d->container, va, len, iova);
	return vt_ioas_map(d->iommufd, d->ioas, va, len, iova);
}

int vt_dev_unmap(struct vt_dev *d, __u64 len, __u64 iova)
{
	if (d->container >= 0)
		return vt_container_unmap(d->container, iova, len);
	return vt_ioas_unmap(d->iommufd, d->ioas, iova, len);
}

int vt_group_open(const char *bdf)
{
	char path[PATH_MAX];
	int fd, ret;

	ret = vt_group_path(bdf, path, sizeof(path));
	if (ret)
		return ret;
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? neg_errno() : fd;
}

int vt_container_open(void)
{
	int fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);

	return fd < 0 ? neg_errno() : fd;
}

int vt_container_setup(int container, int group, unsigned long type)
{
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container))
		return neg_errno();
	if (ioctl(container, VFIO_SET_IOMMU, type))
		return neg_errno();
	return 0;
}

int vt_container_map(int container, void *va, __u64 len, __u64 iova)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = len,
	};

	return ioctl(container, VFIO_IOMMU_MAP_DMA, &map) ? neg_errno() : 0;
}

int vt_container_unmap(int container, __u64 iova, __u64 len)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = len,
	};

	if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		return neg_errno();
	return unmap.size == len ? 0 : -ERANGE;
}

int vt_feature(int fd, __u32 flags, void *data, size_t len)
{
	char buf[sizeof(struct vfio_device_feature) + 64] = {};
	struct vfio_device_feature *f = (void *)buf;
	int ret;

	if (len > sizeof(buf) - sizeof(*f))
		return -E2BIG;
	f->argsz = sizeof(*f) + len;
	f->flags = flags;
	if (len)
		memcpy(f->data, data, len);
	ret = ioctl(fd, VFIO_DEVICE_FEATURE, f) ? neg_errno() : 0;
	/* what the kernel wrote back, also on failure */
	if (len)
		memcpy(data, f->data, len);
	return ret;
}

int vt_group_device(int group, const char *name)
{
	int fd = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, name);

	return fd < 0 ? neg_errno() : fd;
}

int vt_group_status(int group, __u32 *flags)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };

	if (ioctl(group, VFIO_GROUP_GET_STATUS, &st))
		return neg_errno();
	*flags = st.flags;
	return 0;
}

int vt_region(int devfd, __u32 index, struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, info) ? neg_errno() : 0;
}

static int region_rw(int devfd, __u32 index, __u32 off, void *buf, size_t len,
		     bool write)
{
	struct vfio_region_info ri;
	ssize_t n;
	int ret;

	ret = vt_region(devfd, index, &ri);
	if (ret)
		return ret;
	if (write)
		n = pwrite(devfd, buf, len, ri.offset + off);
	else
		n = pread(devfd, buf, len, ri.offset + off);
	if (n < 0)
		return neg_errno();
	return (size_t)n == len ? 0 : -EIO;
}

int vt_cfg_read(int devfd, __u32 off, void *buf, size_t len)
{
	return region_rw(devfd, VFIO_PCI_CONFIG_REGION_INDEX, off, buf, len, false);
}

int vt_cfg_write(int devfd, __u32 off, const void *buf, size_t len)
{
	return region_rw(devfd, VFIO_PCI_CONFIG_REGION_INDEX, off, (void *)buf,
			 len, true);
}

int vt_irq_eventfd(int devfd, __u32 index, int efd)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;

	set->argsz = sizeof(buf);
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = index;
	set->start = 0;
	set->count = 1;
	memcpy(set->data, &efd, sizeof(efd));
	return ioctl(devfd, VFIO_DEVICE_SET_IRQS, set) ? neg_errno() : 0;
}

int vt_irq_disable(int devfd, __u32 index)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = index,
	};

	return ioctl(devfd, VFIO_DEVICE_SET_IRQS, &set) ? neg_errno() : 0;
}

/* Returns the eventfd counter, 0 on timeout, or a negative errno. */
int vt_eventfd_wait(int efd, int timeout_ms)
{
	struct pollfd pfd = { .fd = efd, .events = POLLIN };
	__u64 count;
	int ret;

	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return neg_errno();
	if (!ret)
		return 0;
	if (read(efd, &count, sizeof(count)) != sizeof(count))
		return neg_errno();
	return count > INT_MAX ? INT_MAX : (int)count;
}

int vt_edu_init(struct vt_edu *e, int devfd)
{
	struct vfio_region_info bar, cfg;
	__u16 cmd;
	int ret;

	memset(e, 0, sizeof(*e));
	e->fd = devfd;
	ret = vt_region(devfd, VFIO_PCI_BAR0_REGION_INDEX, &bar);
	if (!ret)
		ret = vt_region(devfd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg);
	if (ret)
		return ret;
	e->bar0 = bar.offset;
	e->cfg = cfg.offset;
	/* Memory decoding and bus mastering, as a driver's enable would do. */
	if (pread(devfd, &cmd, 2, e->cfg + PCI_COMMAND) != 2)
		return neg_errno();
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(devfd, &cmd, 2, e->cfg + PCI_COMMAND) != 2)
		return neg_errno();
	return 0;
}

int vt_edu_mmap(struct vt_edu *e)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, e->fd,
		       e->bar0);

	if (p == MAP_FAILED)
		return neg_errno();
	e->map = p;
	return 0;
}

void vt_edu_fini(struct vt_edu *e)
{
	if (e->map)
		munmap(e->map, 4096);
	e->map = NULL;
}

int vt_edu_read(struct vt_edu *e, __u32 off, __u32 *val)
{
	if (e->fd < 0) {
		*val = __atomic_load_n((__u32 *)e->map + off / 4, __ATOMIC_SEQ_CST);
		return 0;
	}
	if (pread(e->fd, val, 4, e->bar0 + off) != 4)
		return neg_errno();
	return 0;
}

int vt_edu_write(struct vt_edu *e, __u32 off, __u32 val)
{
	if (e->fd < 0) {
		__atomic_store_n((__u32 *)e->map + off / 4, val, __ATOMIC_SEQ_CST);
		return 0;
	}
	if (pwrite(e->fd, &val, 4, e->bar0 + off) != 4)
		return neg_errno();
	return 0;
}

/*
 * One transfer between guest memory at @iova and the start of the edu's
 * internal buffer; waits for the engine to go idle.
 */
int vt_edu_dma(struct vt_edu *e, __u64 iova, __u32 len, bool to_ram)
{
	struct timespec ts = { .tv_nsec = 10 * 1000 * 1000 };
	__u32 cmd;
	int ret, i;

	if (len > EDU_DMA_MAX)
		return -EINVAL;
	ret = vt_edu_write(e, EDU_DMA_SRC, to_ram ? EDU_BUF : (__u32)iova);
	if (!ret)
		ret = vt_edu_write(e, EDU_DMA_DST, to_ram ? (__u32)iova : EDU_BUF);
	if (!ret)
		ret = vt_edu_write(e, EDU_DMA_COUNT, len);
	if (!ret)
		ret = vt_edu_write(e, EDU_DMA_CMD,
				   EDU_DMA_RUN | (to_ram ? EDU_DMA_TO_RAM : 0));
	if (ret)
		return ret;
	/* The engine runs from a 100 ms timer in QEMU. */
	for (i = 0; i < 500; i++) {
		ret = vt_edu_read(e, EDU_DMA_CMD, &cmd);
		if (ret)
			return ret;
		if (!(cmd & EDU_DMA_RUN))
			return 0;
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

#define HUGEPAGES	"/sys/kernel/mm/hugepages/hugepages-%lukB/%s"

long vt_hugepages(unsigned long size, const char *file)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), HUGEPAGES, size >> 10, file);
	if (vt_sysfs_read(path, buf, sizeof(buf)))
		return -1;
	return atol(buf);
}

int vt_hugepages_set(unsigned long size, long nr)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), HUGEPAGES, size >> 10, "nr_hugepages");
	snprintf(buf, sizeof(buf), "%ld", nr);
	return vt_sysfs_write(path, buf);
}

void *vt_buf_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0, len);
	return p;
}

void vt_buf_free(void *buf, size_t len)
{
	if (buf)
		munmap(buf, len);
}

void vt_fill(void *buf, size_t len, unsigned int seed)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)((i * 131 + seed * 7 + (i >> 8)) ^ seed);
}

int vt_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return neg_errno();
	lseek(fd, 0, SEEK_END);
	return fd;
}

#define DMAR_RL_INTERVAL_US	5000000LL
#define DMAR_RL_BURST		10
#define DMAR_RL_PER_FAULT	3

/*
 * The VT-d driver rate-limits its fault reports with one limiter of 10
 * calls per 5 s window, the window starting at the first call after the
 * previous one expired.  Each fault interrupt costs three calls (the status
 * line, the record, and the check that finds no further record), so only
 * three faults per window are reported in full.  Before a test provokes a
 * fault it must see reported, replay the limiter from the status lines
 * already logged and, if the window has no room for one more fault's
 * status and record, wait for the next window.
 */
void vt_dmar_quiesce(void)
{
	long long begin = -1, ts, wait_us = 0;
	unsigned long long t;
	struct timespec now, pause;
	int printed = 0;
	bool dropped = false;
	char rec[2048];
	ssize_t n;
	int fd;

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		/* "prio,seq,usec,flags;text" */
		if (strstr(rec, "dmar_fault") && strstr(rec, "callbacks suppressed"))
			dropped = true;
		if (!strstr(rec, "DRHD: handling fault status"))
			continue;
		if (sscanf(rec, "%*u,%*u,%llu", &t) != 1)
			continue;
		ts = (long long)t;
		if (begin < 0 || ts > begin + DMAR_RL_INTERVAL_US) {
			begin = ts;
			printed = 0;
		}
		printed += DMAR_RL_PER_FAULT;
	}
	close(fd);
	if (begin < 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ts = (long long)now.tv_sec * 1000000 + now.tv_nsec / 1000;
	/* after a drop the replay is blind to the dropped lines: be safe */
	if (dropped || printed > DMAR_RL_BURST - 2)
		wait_us = begin + DMAR_RL_INTERVAL_US + 200000 - ts;
	if (wait_us <= 0)
		return;
	pause.tv_sec = wait_us / 1000000;
	pause.tv_nsec = (wait_us % 1000000) * 1000;
	nanosleep(&pause, NULL);
}

/* Wait for a kernel log record, logged after vt_kmsg_open(), with @needle. */
bool vt_kmsg_wait(int fd, const char *needle, int timeout_ms)
{
	struct timespec ts = { .tv_nsec = 20 * 1000 * 1000 };
	char rec[2048];
	int waited = 0;
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n > 0) {
			rec[n] = '\0';
			if (strstr(rec, needle))
				return true;
			continue;
		}
		if (n < 0 && errno == EPIPE)
			continue;	/* overrun: records were lost, go on */
		if (waited >= timeout_ms)
			return false;
		nanosleep(&ts, NULL);
		waited += 20;
	}
}

/* ---- real clients ------------------------------------------------------- */

int vt_proc_start(struct vt_proc *p, char *const argv[], char *const envp[])
{
	int in[2], out[2];

	p->len = 0;
	p->log[0] = 0;
	/* a child that died must show up as an error, not kill the test */
	signal(SIGPIPE, SIG_IGN);
	if (pipe(in))
		return neg_errno();
	if (pipe(out)) {
		close(in[0]);
		close(in[1]);
		return neg_errno();
	}
	p->pid = fork();
	if (p->pid < 0)
		return neg_errno();
	if (!p->pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		close(in[1]);
		close(out[0]);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	p->in = in[1];
	p->out = out[0];
	return 0;
}

/*
 * Collect the child's output until what it printed since @from contains
 * @needle (NULL: until it closes its output), for at most @timeout_s.
 */
bool vt_proc_expect(struct vt_proc *p, size_t from, const char *needle,
		    int timeout_s)
{
	struct pollfd pfd = { .fd = p->out, .events = POLLIN };
	time_t end = time(NULL) + timeout_s;
	ssize_t n;

	while (time(NULL) < end) {
		if (needle && strstr(p->log + from, needle))
			return true;
		if (p->len + 1 >= sizeof(p->log))
			return false;
		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		n = read(p->out, p->log + p->len, sizeof(p->log) - p->len - 1);
		if (n <= 0)
			return !needle;
		p->len += n;
		p->log[p->len] = 0;
	}
	return false;
}

/* Send a command line; its answer ends at the next @prompt. */
bool vt_proc_command(struct vt_proc *p, const char *cmd, const char *prompt,
		     int timeout_s)
{
	size_t from = p->len;

	if (write(p->in, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		return false;
	return vt_proc_expect(p, from, prompt, timeout_s);
}

/* Send @cmd (how the child quits), read to the end, reap: its exit code. */
int vt_proc_finish(struct vt_proc *p, const char *cmd, int timeout_s)
{
	int status;

	if (write(p->in, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		kill(p->pid, SIGKILL);
	if (!vt_proc_expect(p, p->len, NULL, timeout_s))
		kill(p->pid, SIGKILL);
	close(p->in);
	close(p->out);
	if (waitpid(p->pid, &status, 0) != p->pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void vt_proc_kill(struct vt_proc *p)
{
	kill(p->pid, SIGKILL);
	waitpid(p->pid, NULL, 0);
	close(p->in);
	close(p->out);
}

/* Print what the child said, as TAP comments. */
void vt_proc_dump(struct vt_proc *p, const char *tag)
{
	char *line, *save = NULL;

	for (line = strtok_r(p->log, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		fprintf(stderr, "#   %s: %s\n", tag, line);
}

/* ---- The VFIO test driver (drivers/vfio/selftest.c) ---------------------- */

const char *vt_no_st(void)
{
	if (!vt_kconfig("CONFIG_VFIO_SELFTEST"))
		return "kernel built without the VFIO test driver (CONFIG_VFIO_SELFTEST)";
	if (access(VFIO_SELFTEST_SYSFS "/create", W_OK))
		return "the VFIO test driver is not loaded";
	return NULL;
}

#define ST_MAX	256

/* Which stK devices exist, K < ST_MAX. */
static void st_present(bool *present)
{
	DIR *d = opendir(VFIO_SELFTEST_SYSFS);
	struct dirent *de;
	int k;

	memset(present, 0, ST_MAX * sizeof(*present));
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "st", 2))
			continue;
		k = atoi(de->d_name + 2);
		if (k >= 0 && k < ST_MAX)
			present[k] = true;
	}
	closedir(d);
}

int vt_st_create(unsigned int set, bool fail, char *name, size_t len)
{
	bool before[ST_MAX], after[ST_MAX];
	char cmd[32];
	int ret, k;

	st_present(before);
	snprintf(cmd, sizeof(cmd), "%s%u", fail ? "fail " : "", set);
	ret = vt_sysfs_write(VFIO_SELFTEST_SYSFS "/create", cmd);
	if (ret)
		return ret;
	st_present(after);
	for (k = 0; k < ST_MAX; k++) {
		if (after[k] && !before[k]) {
			snprintf(name, len, "st%d", k);
			return 0;
		}
	}
	return -ENOENT;
}

int vt_st_remove(const char *name)
{
	return vt_sysfs_write(VFIO_SELFTEST_SYSFS "/remove", name);
}

int vt_st_cdev_open(const char *name)
{
	char sysdev[PATH_MAX];

	snprintf(sysdev, sizeof(sysdev), VFIO_SELFTEST_SYSFS "/%s", name);
	return cdev_open_of(sysdev);
}

int vt_st_group_open(const char *name)
{
	char sysdev[PATH_MAX], path[PATH_MAX];
	int fd, ret;

	snprintf(sysdev, sizeof(sysdev), VFIO_SELFTEST_SYSFS "/%s", name);
	ret = group_path_of(group_id_of(sysdev), path, sizeof(path));
	if (ret)
		return ret;
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? neg_errno() : fd;
}

/* ---- Removal ---------------------------------------------------------------- */

pid_t vt_remove_in_child(const char *bdf)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/remove", bdf);
	return vt_write_in_child(path, "1");
}

pid_t vt_write_in_child(const char *path, const char *val)
{
	pid_t pid = fork();

	if (!pid) {
		/* holding a copy of a device file would make it wait on itself */
		close_range(3, ~0U, 0);
		_exit(vt_sysfs_write(path, val) ? 1 : 0);
	}
	return pid;
}

int vt_wait_child(pid_t pid, int ms)
{
	struct timespec ts = { .tv_nsec = 20 * 1000 * 1000 };
	int status, i;

	for (i = 0; i < ms / 20; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
		nanosleep(&ts, NULL);
	}
	return -1;
}

/* ---- lsvfio ------------------------------------------------------------ */

int vt_lsvfio(const char *bdf, char *entry, size_t len)
{
	char line[8192], want[64], rest[4096] = "";
	int found = -ENOENT;
	FILE *p;

	if (access(VT_LSVFIO, X_OK))
		return -ENOEXEC;
	/* what it says on stderr goes to the test's output */
	p = popen(VT_LSVFIO " --json", "r");
	if (!p)
		return -errno;
	snprintf(want, sizeof(want), "\"device\": \"%s\"", bdf);
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		if (found && strstr(line, want)) {
			snprintf(entry, len, "%s", line);
			found = 0;
		} else if (strlen(rest) + strlen(line) + 16 < sizeof(rest)) {
			strcat(rest, "# lsvfio: ");
			strcat(rest, line);
			strcat(rest, "\n");
		}
	}
	if (pclose(p) && !found)
		found = -EIO;
	/* what it printed, if not the device */
	if (found)
		fprintf(stderr, "%s", rest);
	return found;
}

bool vt_lsvfio_holder(const char *entry, pid_t pid, const char *via,
		      const char *bound)
{
	char want[160];
	const char *at, *end;

	snprintf(want, sizeof(want), "{\"pid\": %d, ", (int)pid);
	for (at = strstr(entry, want); at; at = strstr(at + 1, want)) {
		end = strchr(at, '}');
		snprintf(want, sizeof(want), "\"via\": \"%s\", \"bound\": %s}",
			 via, bound);
		if (end && (size_t)(end + 1 - at) >= strlen(want) &&
		    !strncmp(end + 1 - strlen(want), want, strlen(want)))
			return true;
		snprintf(want, sizeof(want), "{\"pid\": %d, ", (int)pid);
	}
	return false;
}
