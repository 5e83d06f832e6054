// SPDX-License-Identifier: GPL-2.0
/*
 * The VFIO control and data paths, timed: one program that runs unchanged on
 * this tree's core and on the pristine one, so that `make bench` can put the
 * two side by side.  Under `-icount shift=0,sleep=off` a guest nanosecond is
 * one guest instruction, so the numbers are instruction counts and repeat
 * exactly from boot to boot.
 *
 * Every operation is timed over a batch of calls, in many repetitions after
 * a warm-up; the median of the repetitions is reported.  Each operation is
 * also checked for the result it must have (the errno of an unknown ioctl,
 * the data of a read, the interrupt of a raise), so the program fails when
 * a path breaks rather than timing an error.
 *
 * Output is TAP, one test per operation, with the numbers on comment lines
 * the host parses:
 *   # bench: <operation> <median ns> <min ns> <max ns>
 *   # reg: <devices> <ns per registration> <ns per unregistration>
 *          <slab bytes per device> <page bytes per device>
 *          <ns per bare parent device_add(), the driver core alone>
 *          <bytes of slab objects per device>
 *   # regslab: <devices> <slab cache> <objects more> <object size>
 *          (each cache whose live objects the registration changed)
 *   # profile: <operation> <operations inside the windows> (with -p)
 *
 * Without options it runs a smoke form (few repetitions, small maps, 16 and
 * 64 devices), as the suite does in every variant; --full is what make bench
 * runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/kvm.h>
#include <linux/pci_regs.h>

#include "vfiotest.h"

#define REG_MODULE	"/vfio/vfio_bench_reg.ko"
#define REG_PARAMS	"/sys/module/vfio_bench_reg/parameters/"
#define IOVA		0x100000ULL
/* an ioctl number no VFIO file and no /dev/null knows */
#define UNKNOWN_IOCTL	_IO(VFIO_TYPE, VFIO_BASE + 60)

static unsigned int reps = 3, warmup = 1, batch = 2;
static size_t big = 2UL << 20;
static const char *counts = "16,64";
static unsigned int tap_nr, failures;

struct bench {
	struct vt_topology topo;
	int null, iommufd, fd, container, group, kvm, vm, kvmdev;
	__u32 ioas[2], pt;
	struct vt_edu edu;
	void *small, *large;
	int efd;
};

typedef long long (*bench_fn)(struct bench *b, unsigned int n);

/*
 * -p NAME (make bench-profile): only NAME runs, and the parts of it that are
 * timed are bracketed by a system call nothing else in the guest makes, so
 * that the host's instruction profiler (bench/insn_profile.c) counts the
 * kernel's work inside them alone.
 */
static const char *profile;
static bool marking;
static unsigned long long marked;

static void mark(void)
{
	if (marking)
		syscall(SYS_getsid, 0);
}

/* whether @name runs: everything, or only what -p names */
static bool selected(const char *name)
{
	return !profile || !strcmp(profile, name);
}

static long long now(void)
{
	struct timespec ts;

	mark();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static void tap(bool ok, const char *name, const char *fmt, ...)
{
	char why[256] = "";
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
	}
	printf("%sok %u %s%s%s\n", ok ? "" : "not ", ++tap_nr, name,
	       *why ? " # " : "", why);
	if (!ok)
		failures++;
	fflush(stdout);
}

/*
 * Time @fn: @warm unreported repetitions, then @r, each of @n operations;
 * @fn returns the nanoseconds its timed part took, or a negative errno.
 */
static void measure(struct bench *b, const char *name, bench_fn fn,
		    unsigned int n, unsigned int r)
{
	long long *s, t = 0;
	unsigned int i;

	if (!selected(name))
		return;
	s = calloc(r, sizeof(*s));
	for (i = 0; s && i < warmup + r && t >= 0; i++) {
		marking = profile && i >= warmup;
		t = fn(b, n);
		marking = false;
		if (t >= 0 && i >= warmup)
			s[i - warmup] = t / n;
	}
	if (profile)
		marked = (unsigned long long)r * n;
	if (!s || t < 0) {
		tap(false, name, "%s", s ? strerror(-t) : "no memory");
		free(s);
		return;
	}
	qsort(s, r, sizeof(*s), cmp_ll);
	printf("# bench: %s %lld %lld %lld\n", name, s[r / 2], s[0], s[r - 1]);
	tap(true, name, NULL);
	free(s);
}

static void skip(const char *name, const char *why)
{
	printf("ok %u %s # SKIP %s\n", ++tap_nr, name, why);
}

/*
 * @n ioctls that must succeed.  An info ioctl may grow argsz to what its
 * capabilities need, so its argument is a whole page (the call copies what
 * there is, as QEMU's second call does) and argsz is set again every time.
 */
static long long timed_ioctl(int fd, unsigned long req, void *arg, unsigned int n)
{
	__u32 *argsz = arg, size = *argsz;
	long long t0 = now();
	unsigned int i;

	for (i = 0; i < n; i++) {
		*argsz = size;
		if (ioctl(fd, req, arg))
			return -errno;
	}
	return now() - t0;
}

/* a page for an info ioctl's argument and its capabilities */
union info_page {
	__u32 argsz;
	struct vfio_device_info dev;
	struct vfio_region_info region;
	struct vfio_irq_info irq;
	struct vfio_iommu_type1_info type1;
	struct vfio_pci_hot_reset_info reset;
	char page[4096];
};

/* @n reads or writes of @len bytes at @off that must be whole */
static long long timed_rw(int fd, bool write, void *buf, size_t len, off_t off,
			  unsigned int n)
{
	long long t0 = now();
	unsigned int i;
	ssize_t r;

	for (i = 0; i < n; i++) {
		r = write ? pwrite(fd, buf, len, off) : pread(fd, buf, len, off);
		if (r != (ssize_t)len)
			return r < 0 ? -errno : -EIO;
	}
	return now() - t0;
}

/* @n ioctls no file knows, which must fail with ENOTTY */
static long long timed_unknown(int fd, unsigned int n)
{
	long long t0 = now();
	unsigned int i;

	for (i = 0; i < n; i++)
		if (ioctl(fd, UNKNOWN_IOCTL) != -1 || errno != ENOTTY)
			return -EIO;
	return now() - t0;
}

/* the floor: the cheapest ioctl there is, an unknown one on /dev/null */
static long long op_floor(struct bench *b, unsigned int n)
{
	return timed_unknown(b->null, n);
}

static long long op_unknown(struct bench *b, unsigned int n)
{
	return timed_unknown(b->fd, n);
}

static long long op_container_unknown(struct bench *b, unsigned int n)
{
	return timed_unknown(b->container, n);
}

static long long op_cdev_cycle(struct bench *b, unsigned int n)
{
	long long t0 = now();
	unsigned int i;
	__u32 pt;
	int fd;

	for (i = 0; i < n; i++) {
		pt = b->ioas[0];
		fd = vt_cdev_open(b->topo.solo);
		if (fd < 0)
			return fd;
		if (vt_bind(fd, b->iommufd, NULL) || vt_attach(fd, &pt) || vt_detach(fd)) {
			close(fd);
			return -EIO;
		}
		close(fd);
	}
	return now() - t0;
}

static long long op_bind(struct bench *b, unsigned int n)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = b->iommufd,
	};
	long long t = 0, t0;
	unsigned int i;
	int fd, ret;

	for (i = 0; i < n; i++) {
		fd = vt_cdev_open(b->topo.solo);
		if (fd < 0)
			return fd;
		t0 = now();
		ret = ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind);
		t += now() - t0;
		close(fd);
		if (ret)
			return -EIO;
	}
	return t;
}

/* attach with replace: from one IOAS to the other, and back */
static long long op_attach_replace(struct bench *b, unsigned int n)
{
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	long long t0 = now();
	unsigned int i;

	for (i = 0; i < n; i++) {
		b->pt ^= 1;
		at.pt_id = b->ioas[b->pt];
		if (ioctl(b->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at))
			return -errno;
	}
	return now() - t0;
}

static long long op_get_info(struct bench *b, unsigned int n)
{
	union info_page info = { .argsz = sizeof(info) };

	return timed_ioctl(b->fd, VFIO_DEVICE_GET_INFO, &info, n);
}

static long long op_region_info(struct bench *b, unsigned int n)
{
	union info_page info = { .region = {
		.argsz = sizeof(info),
		.index = VFIO_PCI_BAR0_REGION_INDEX,
	} };

	return timed_ioctl(b->fd, VFIO_DEVICE_GET_REGION_INFO, &info, n);
}

static long long op_irq_info(struct bench *b, unsigned int n)
{
	union info_page info = { .irq = {
		.argsz = sizeof(info),
		.index = VFIO_PCI_MSI_IRQ_INDEX,
	} };

	return timed_ioctl(b->fd, VFIO_DEVICE_GET_IRQ_INFO, &info, n);
}

/* probing a feature vfio-pci has: entering low power */
static long long op_feature_probe(struct bench *b, unsigned int n)
{
	struct vfio_device_feature f = {
		.argsz = sizeof(f),
		.flags = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET |
			 VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY,
	};

	return timed_ioctl(b->fd, VFIO_DEVICE_FEATURE, &f, n);
}

static long long op_cfg_read(struct bench *b, unsigned int n)
{
	__u32 v;

	return timed_rw(b->fd, false, &v, 4, b->edu.cfg, n);
}

/* the command register, written with the value it has */
static long long op_cfg_write(struct bench *b, unsigned int n)
{
	__u16 cmd;

	if (pread(b->fd, &cmd, 2, b->edu.cfg + PCI_COMMAND) != 2)
		return -errno;
	return timed_rw(b->fd, true, &cmd, 2, b->edu.cfg + PCI_COMMAND, n);
}

static long long op_bar_read(struct bench *b, unsigned int n)
{
	__u32 v;

	return timed_rw(b->fd, false, &v, 4, b->edu.bar0 + EDU_IDENT, n);
}

/* the liveness register: reads back inverted, keeps no state */
static long long op_bar_write(struct bench *b, unsigned int n)
{
	__u32 v = 0x12345678;

	return timed_rw(b->fd, true, &v, 4, b->edu.bar0 + EDU_LIVENESS, n);
}

/* mmap of BAR0, the fault of its first touch, munmap */
static long long op_bar_mmap(struct bench *b, unsigned int n)
{
	long long t0 = now();
	unsigned int i;
	__u32 *p;

	for (i = 0; i < n; i++) {
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd,
			 b->edu.bar0);
		if (p == MAP_FAILED)
			return -errno;
		if ((__atomic_load_n(p, __ATOMIC_SEQ_CST) & EDU_IDENT_MASK) != EDU_IDENT_VAL) {
			munmap(p, 4096);
			return -EIO;
		}
		munmap(p, 4096);
	}
	return now() - t0;
}

/* MSI on with an eventfd, and off again */
static long long op_set_irqs(struct bench *b, unsigned int n)
{
	long long t0 = now();
	unsigned int i;

	for (i = 0; i < n; i++)
		if (vt_irq_eventfd(b->fd, VFIO_PCI_MSI_IRQ_INDEX, b->efd) ||
		    vt_irq_disable(b->fd, VFIO_PCI_MSI_IRQ_INDEX))
			return -EIO;
	return now() - t0;
}

/* the edu raises MSI, the eventfd reads it, the interrupt is acked */
static long long op_msi_round_trip(struct bench *b, unsigned int n)
{
	__u32 *bar = b->edu.map;
	long long t0 = now();
	unsigned int i;
	__u64 cnt;

	for (i = 0; i < n; i++) {
		__atomic_store_n(&bar[EDU_IRQ_RAISE / 4], 1, __ATOMIC_SEQ_CST);
		if (read(b->efd, &cnt, sizeof(cnt)) != sizeof(cnt))
			return -errno;
		__atomic_store_n(&bar[EDU_IRQ_ACK / 4], 1, __ATOMIC_SEQ_CST);
	}
	return now() - t0;
}

static long long ioas_map(struct bench *b, unsigned int n, void *buf, size_t len)
{
	long long t0 = now();
	unsigned int i;

	for (i = 0; i < n; i++)
		if (vt_ioas_map(b->iommufd, b->ioas[b->pt], buf, len, IOVA) ||
		    vt_ioas_unmap(b->iommufd, b->ioas[b->pt], IOVA, len))
			return -EIO;
	return now() - t0;
}

static long long op_ioas_map_small(struct bench *b, unsigned int n)
{
	return ioas_map(b, n, b->small, 4096);
}

static long long op_ioas_map_big(struct bench *b, unsigned int n)
{
	return ioas_map(b, n, b->large, big);
}

static long long dma_map(struct bench *b, unsigned int n, void *buf, size_t len)
{
	long long t0 = now();
	unsigned int i;

	for (i = 0; i < n; i++)
		if (vt_container_map(b->container, buf, len, IOVA) ||
		    vt_container_unmap(b->container, IOVA, len))
			return -EIO;
	return now() - t0;
}

static long long op_dma_map_small(struct bench *b, unsigned int n)
{
	return dma_map(b, n, b->small, 4096);
}

static long long op_dma_map_big(struct bench *b, unsigned int n)
{
	return dma_map(b, n, b->large, big);
}

static long long op_type1_info(struct bench *b, unsigned int n)
{
	union info_page info = { .argsz = sizeof(info) };

	return timed_ioctl(b->container, VFIO_IOMMU_GET_INFO, &info, n);
}

static int kvm_file(struct bench *b, __u64 attr, int fd)
{
	struct kvm_device_attr a = {
		.group = KVM_DEV_VFIO_FILE,
		.attr = attr,
		.addr = (__u64)(uintptr_t)&fd,
	};

	return ioctl(b->kvmdev, KVM_SET_DEVICE_ATTR, &a);
}

static long long op_kvm_file(struct bench *b, unsigned int n)
{
	long long t0 = now();
	unsigned int i;

	for (i = 0; i < n; i++)
		if (kvm_file(b, KVM_DEV_VFIO_FILE_ADD, b->fd) ||
		    kvm_file(b, KVM_DEV_VFIO_FILE_DEL, b->fd))
			return -errno;
	return now() - t0;
}

static long long op_hot_reset_info(struct bench *b, unsigned int n)
{
	union info_page info = { .argsz = sizeof(info) };

	return timed_ioctl(b->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &info, n);
}

static long long op_legacy_cycle(struct bench *b, unsigned int n)
{
	long long t0 = now();
	unsigned int i;
	int c, g, fd;

	for (i = 0; i < n; i++) {
		c = vt_container_open();
		g = c < 0 ? c : vt_group_open(b->topo.solo);
		if (g < 0 || vt_container_setup(c, g, VFIO_TYPE1v2_IOMMU))
			return -EIO;
		fd = vt_group_device(g, b->topo.solo);
		if (fd < 0)
			return fd;
		close(fd);
		close(g);
		close(c);
	}
	return now() - t0;
}

/* The legacy cycle's steps, each alone: the opens and closes first */
static int open_container(struct bench *b)
{
	return vt_container_open();
}

static int open_group(struct bench *b)
{
	return vt_group_open(b->topo.solo);
}

static long long open_close(struct bench *b, unsigned int n,
			    int (*open_fn)(struct bench *b))
{
	long long t0 = now();
	unsigned int i;
	int fd;

	for (i = 0; i < n; i++) {
		fd = open_fn(b);
		if (fd < 0)
			return fd;
		close(fd);
	}
	return now() - t0;
}

static long long op_container_open(struct bench *b, unsigned int n)
{
	return open_close(b, n, open_container);
}

static long long op_group_open(struct bench *b, unsigned int n)
{
	return open_close(b, n, open_group);
}

/* SET_CONTAINER and UNSET_CONTAINER, without an IOMMU driver */
static long long op_set_container(struct bench *b, unsigned int n)
{
	long long t0;
	unsigned int i;
	int c, g, ret = 0;

	c = vt_container_open();
	g = c < 0 ? c : vt_group_open(b->topo.solo);
	if (g < 0) {
		if (c >= 0)
			close(c);
		return -EIO;
	}
	t0 = now();
	for (i = 0; i < n && !ret; i++)
		ret = ioctl(g, VFIO_GROUP_SET_CONTAINER, &c) ||
		      ioctl(g, VFIO_GROUP_UNSET_CONTAINER);
	t0 = now() - t0;
	close(g);
	close(c);
	return ret ? -EIO : t0;
}

/* GET_DEVICE_FD and the close of the device file it gives */
static long long op_get_device_fd(struct bench *b, unsigned int n)
{
	long long t0;
	unsigned int i;
	int fd = 0;

	t0 = now();
	for (i = 0; i < n && fd >= 0; i++) {
		fd = vt_group_device(b->group, b->topo.solo);
		if (fd >= 0)
			close(fd);
	}
	t0 = now() - t0;
	return fd < 0 ? fd : t0;
}

/* the device queries, on whichever device file b->fd is */
static void device_queries(struct bench *b, const char *path)
{
	static const struct {
		const char *name;
		bench_fn fn;
	} q[] = {
		{ "unknown_ioctl", op_unknown },
		{ "get_info", op_get_info },
		{ "get_region_info", op_region_info },
		{ "get_irq_info", op_irq_info },
		{ "feature_probe", op_feature_probe },
	};
	char name[64];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(q); i++) {
		snprintf(name, sizeof(name), "%s.%s", path, q[i].name);
		measure(b, name, q[i].fn, batch, reps);
	}
}

static unsigned int big_reps(void)
{
	return reps / 4 > 3 ? reps / 4 : 3;
}

static void cdev_ops(struct bench *b)
{
	const char *why = vt_no_cdev();
	bool nic_bound;
	char drv[64];
	__u32 pt;

	if (why) {
		skip("cdev", why);
		return;
	}
	b->iommufd = vt_iommufd_with_ioas(&b->ioas[0]);
	if (b->iommufd < 0 || vt_ioas_alloc(b->iommufd, &b->ioas[1])) {
		tap(false, "cdev", "iommufd: %s", strerror(errno));
		return;
	}
	measure(b, "cdev.open_bind_attach_detach_close", op_cdev_cycle, 1, big_reps());
	measure(b, "cdev.bind", op_bind, 1, big_reps());

	b->pt = 0;
	b->fd = vt_cdev_setup(b->topo.solo, b->iommufd, b->ioas[0], NULL);
	if (b->fd < 0 || vt_edu_init(&b->edu, b->fd) || vt_edu_mmap(&b->edu)) {
		tap(false, "cdev", "the solo edu: %s", strerror(errno));
		return;
	}
	measure(b, "cdev.attach_replace", op_attach_replace, batch, reps);
	device_queries(b, "cdev");
	measure(b, "cdev.config_pread", op_cfg_read, batch, reps);
	measure(b, "cdev.config_pwrite", op_cfg_write, batch, reps);
	measure(b, "cdev.bar0_pread", op_bar_read, batch, reps);
	measure(b, "cdev.bar0_pwrite", op_bar_write, batch, reps);
	measure(b, "cdev.bar0_mmap_fault", op_bar_mmap, batch, reps);
	measure(b, "cdev.set_irqs_msi_on_off", op_set_irqs, 1, reps);
	if (vt_irq_eventfd(b->fd, VFIO_PCI_MSI_IRQ_INDEX, b->efd))
		tap(false, "cdev.msi_round_trip", "SET_IRQS: %s", strerror(errno));
	else
		measure(b, "cdev.msi_round_trip", op_msi_round_trip, batch, reps);
	vt_irq_disable(b->fd, VFIO_PCI_MSI_IRQ_INDEX);
	measure(b, "ioas.map_unmap_4k", op_ioas_map_small, batch, reps);
	measure(b, "ioas.map_unmap_big", op_ioas_map_big, 1, big_reps());
	if (b->kvmdev >= 0)
		measure(b, "kvm.file_add_del", op_kvm_file, batch, reps);
	else
		skip("kvm.file_add_del", "no /dev/kvm");
	vt_edu_fini(&b->edu);
	close(b->fd);
	b->fd = -1;

	/*
	 * Behind the bridge, which can reset its bus.  The e1000 there leaves
	 * its driver for the while, so that the group is viable.
	 */
	pt = b->ioas[0];
	nic_bound = b->topo.nic[0] && vt_pci_driver(b->topo.nic, drv, sizeof(drv)) &&
		    !strcmp(drv, "e1000");
	if (nic_bound)
		vt_sysfs_write("/sys/bus/pci/drivers/e1000/unbind", b->topo.nic);
	b->fd = vt_cdev_setup(b->topo.shared[0], b->iommufd, pt, NULL);
	if (b->fd < 0)
		skip("cdev.hot_reset_info", "the edu behind the bridge does not bind");
	else
		measure(b, "cdev.hot_reset_info", op_hot_reset_info, batch, reps);
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	if (nic_bound && vt_sysfs_write("/sys/bus/pci/drivers/e1000/bind", b->topo.nic))
		tap(false, "cdev.hot_reset_info", "the e1000 does not go back to its driver");
	close(b->iommufd);
	b->iommufd = -1;
}

static void legacy_ops(struct bench *b)
{
	const char *why = vt_no_container();

	if (why) {
		skip("legacy", why);
		return;
	}
	measure(b, "legacy.open_set_get_fd_close", op_legacy_cycle, 1, big_reps());
	measure(b, "legacy.container_open_close", op_container_open, batch, reps);
	measure(b, "legacy.group_open_close", op_group_open, batch, reps);
	measure(b, "legacy.set_unset_container", op_set_container, batch, reps);
	b->container = vt_container_open();
	b->group = b->container < 0 ? -1 : vt_group_open(b->topo.solo);
	if (b->group >= 0 &&
	    !vt_container_setup(b->container, b->group, VFIO_TYPE1v2_IOMMU)) {
		measure(b, "legacy.get_device_fd_close", op_get_device_fd, 1, big_reps());
		b->fd = vt_group_device(b->group, b->topo.solo);
	}
	if (b->fd < 0) {
		tap(false, "legacy", "the solo edu through its group: %s", strerror(errno));
		return;
	}
	device_queries(b, "group");
	measure(b, "container.unknown_ioctl", op_container_unknown, batch, reps);
	measure(b, "container.type1_get_info", op_type1_info, batch, reps);
	measure(b, "container.map_unmap_4k", op_dma_map_small, batch, reps);
	measure(b, "container.map_unmap_big", op_dma_map_big, 1, big_reps());
	close(b->fd);
	close(b->group);
	close(b->container);
	b->fd = -1;
	b->group = -1;
	b->container = -1;
}

static int reg_set(const char *param, unsigned int n)
{
	char path[128], val[16];

	snprintf(path, sizeof(path), REG_PARAMS "%s", param);
	snprintf(val, sizeof(val), "%u", n);
	return vt_sysfs_write(path, val);
}

/* reg_set(), a window of -p @name's profile that holds @ops operations */
static int reg_set_marked(const char *param, unsigned int n, const char *name,
			  unsigned int ops)
{
	int ret;

	marking = profile && !strcmp(profile, name);
	mark();
	ret = reg_set(param, n);
	mark();
	if (marking)
		marked = ops;
	marking = false;
	return ret;
}

static long long reg_get(const char *param)
{
	char path[128], val[32];

	snprintf(path, sizeof(path), REG_PARAMS "%s", param);
	return vt_sysfs_read(path, val, sizeof(val)) ? -1 : atoll(val);
}

static bool settle;

/*
 * Slab pages and free pages, with the per-CPU counts folded in.  With
 * @settle (--full), first let the frees RCU defers (kernfs nodes, kfree_rcu
 * batches, drained within 5 s) of the step before happen: under -icount an
 * idle guest's time passes at once.
 */
static int read_vmstat(long long *slab, long long *free)
{
	char line[128];
	long long v;
	FILE *f;

	if (settle)
		sleep(6);
	if (vt_sysfs_write("/proc/sys/vm/stat_refresh", "1"))
		return -1;
	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	*slab = *free = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "nr_slab_reclaimable %lld", &v) == 1 ||
		    sscanf(line, "nr_slab_unreclaimable %lld", &v) == 1)
			*slab += v;
		else if (sscanf(line, "nr_free_pages %lld", &v) == 1)
			*free = v;
	}
	fclose(f);
	return 0;
}

#define SLAB_CACHES	512

/* The live objects of each slab cache, as /proc/slabinfo lists them */
struct slab_counts {
	unsigned int n;
	struct {
		char name[48];
		long long active, size;
	} c[SLAB_CACHES];
};

/*
 * The live objects of every slab cache, into @sc: every cache shrunk first
 * (which flushes the per-CPU slabs, whose free objects /proc/slabinfo would
 * count as live).  Unlike the slab page counters, the counts do not move
 * with how full the last slab page is.  Returns their bytes.
 */
static long long slab_objects(struct slab_counts *sc)
{
	char path[300], line[512];
	long long total = 0, num;
	struct dirent *d;
	DIR *dir;
	FILE *f;

	/* the frees RCU defers (radix tree nodes, kernfs) happen first */
	if (settle)
		sleep(6);
	dir = opendir("/sys/kernel/slab");
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		/* an alias is a link to the cache it merged into */
		if (d->d_type != DT_DIR || d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", d->d_name);
		vt_sysfs_write(path, "1");
	}
	closedir(dir);
	f = fopen("/proc/slabinfo", "r");
	if (!f)
		return -1;
	sc->n = 0;
	while (fgets(line, sizeof(line), f) && sc->n < SLAB_CACHES)
		if (sscanf(line, "%47s %lld %lld %lld", sc->c[sc->n].name,
			   &sc->c[sc->n].active, &num, &sc->c[sc->n].size) == 4) {
			total += sc->c[sc->n].active * sc->c[sc->n].size;
			sc->n++;
		}
	fclose(f);
	return total;
}

/* The caches whose live objects changed from @a to @b, for @n devices */
static void slab_diff(const struct slab_counts *a, const struct slab_counts *b,
		      unsigned int n)
{
	unsigned int i;

	for (i = 0; i < a->n && i < b->n; i++)
		if (!strcmp(a->c[i].name, b->c[i].name) &&
		    a->c[i].active != b->c[i].active)
			printf("# regslab: %u %s %lld %lld\n", n, a->c[i].name,
			       b->c[i].active - a->c[i].active, a->c[i].size);
}

/*
 * The bytes of slab objects @n devices' registration leaves, into @objs,
 * with the counts of each cache before and after in @sc.
 */
static int reg_objects(unsigned int n, struct slab_counts sc[2], long long *objs)
{
	long long o0, o1;

	o0 = slab_objects(&sc[0]);
	if (o0 < 0 || reg_set("devices", n))
		return -1;
	o1 = slab_objects(&sc[1]);
	if (reg_set("devices", 0) || o1 < 0)
		return -1;
	*objs = o1 - o0;
	return 0;
}

/* The devices in the glue directory of bench parent @i */
static int reg_shared_entries(unsigned int i)
{
	char path[96];
	struct dirent *d;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/devices/vfio-bench-reg/bench%u/vfio-bench-glue", i);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		n += !strncmp(d->d_name, "glue", 4);
	closedir(dir);
	return n;
}

/*
 * Two class devices on each of more parents than the driver core walks
 * before it looks a class's glue directory up by name (the module's own
 * class: VFIO devices cannot share a parent): the second device of a parent
 * finds the parent's glue directory, which then holds both.
 */
static void reg_shared_parents(void)
{
	const unsigned int parents = 80;
	int first, last;

	if (reg_set("parents", parents) || reg_set("glue", 1)) {
		tap(false, "registration.shared_parents", "%s", strerror(errno));
		reg_set("glue", 0);
		reg_set("parents", 0);
		return;
	}
	first = reg_shared_entries(0);
	last = reg_shared_entries(parents - 1);
	if (reg_set("glue", 0) || reg_set("parents", 0)) {
		tap(false, "registration.shared_parents", "removal: %s", strerror(errno));
		return;
	}
	if (first == 2 && last == 2)
		tap(true, "registration.shared_parents", NULL);
	else
		tap(false, "registration.shared_parents",
		    "glue directory of the first parent: %d devices, of the last: %d",
		    first, last);
}

static void reg_scaling(void)
{
	long long s0, f0, s1, f1, objs = 0, reg, unreg, par;
	char *list = strdup(counts), *tok, *save;
	static struct slab_counts sc[2];
	char name[64], uname[64];
	unsigned int n;
	long page = sysconf(_SC_PAGESIZE);

	if (access(REG_MODULE, R_OK)) {
		skip("registration", "no " REG_MODULE " for this kernel");
		free(list);
		return;
	}
	if (system("insmod " REG_MODULE)) {
		tap(false, "registration", "insmod " REG_MODULE " failed");
		free(list);
		return;
	}
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		n = strtoul(tok, NULL, 0);
		snprintf(uname, sizeof(uname), "unregistration.%u", n);
		snprintf(name, sizeof(name), "registration.%u", n);
		if (!selected(name) && !selected(uname))
			continue;
		reg = -1;
		unreg = -1;
		par = -1;
		if (!reg_set("parents", n))
			par = reg_get("parents_ns");
		if (par >= 0 && !read_vmstat(&s0, &f0) &&
		    !reg_set_marked("devices", n, name, n))
			reg = reg_get("register_ns");
		if (reg >= 0 && !read_vmstat(&s1, &f1) &&
		    !reg_set_marked("devices", 0, uname, n))
			unreg = reg_get("unregister_ns");
		/* again, untimed: shrinking the caches would change the times */
		if (unreg >= 0 && reg_objects(n, sc, &objs))
			unreg = -1;
		if (unreg < 0 || reg_set("parents", 0)) {
			tap(false, name, "%s", strerror(errno));
			reg_set("devices", 0);
			reg_set("parents", 0);
			continue;
		}
		printf("# reg: %u %lld %lld %lld %lld %lld %lld\n", n, reg / n,
		       unreg / n, (s1 - s0) * page / n, (f0 - f1) * page / n,
		       par / n, objs / n);
		slab_diff(&sc[0], &sc[1], n);
		tap(true, name, NULL);
	}
	free(list);
	if (!profile)
		reg_shared_parents();
	if (system("rmmod vfio_bench_reg"))
		tap(false, "registration.unload", "rmmod vfio_bench_reg failed");
}

static void print_usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [--full] [-r reps] [-w warmup] [-b batch] [-s MiB] [-c n,n,...] [-p name]\n",
		argv0);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "full", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };
	struct bench b = { .fd = -1, .container = -1, .group = -1,
			   .iommufd = -1, .kvm = -1, .vm = -1, .kvmdev = -1 };
	int opt;

	while ((opt = getopt_long(argc, argv, "r:w:b:s:c:p:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			reps = 51;
			warmup = 5;
			batch = 16;
			big = 64UL << 20;
			counts = "16,64,256,1024,4096";
			settle = true;
			break;
		case 'r':
			reps = atoi(optarg);
			break;
		case 'w':
			warmup = atoi(optarg);
			break;
		case 'b':
			batch = atoi(optarg);
			break;
		case 's':
			big = strtoul(optarg, NULL, 0) << 20;
			break;
		case 'c':
			counts = optarg;
			break;
		case 'p':
			profile = optarg;
			break;
		default:
			print_usage(argv[0]);
		}
	}
	if (!reps || !batch || !big)
		print_usage(argv[0]);

	printf("TAP version 13\n");
	printf("# reps %u, warm-up %u, batch %u, big maps %zu MiB\n", reps, warmup,
	       batch, big >> 20);
	if (vt_topology(&b.topo) || !b.topo.solo[0]) {
		tap(false, "topology", "no edu on the root bus");
		goto out;
	}
	b.null = open("/dev/null", O_RDWR);
	b.efd = eventfd(0, EFD_CLOEXEC);
	b.small = vt_buf_alloc(4096);
	b.large = vt_buf_alloc(big);
	if (b.null < 0 || b.efd < 0 || !b.small || !b.large) {
		tap(false, "setup", "%s", strerror(errno));
		goto out;
	}
	memset(b.small, 1, 4096);
	memset(b.large, 1, big);
	b.kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	b.vm = b.kvm < 0 ? -1 : ioctl(b.kvm, KVM_CREATE_VM, 0);
	if (b.vm >= 0 && !ioctl(b.vm, KVM_CREATE_DEVICE, &cd))
		b.kvmdev = cd.fd;

	measure(&b, "floor.dev_null_unknown_ioctl", op_floor, batch, reps);
	cdev_ops(&b);
	legacy_ops(&b);
	reg_scaling();
	if (profile && !marked)
		tap(false, "profile", "no operation named %s ran", profile);
	else if (profile)
		printf("# profile: %s %llu\n", profile, marked);
out:
	printf("1..%u\n", tap_nr);
	return failures ? 1 : 0;
}
