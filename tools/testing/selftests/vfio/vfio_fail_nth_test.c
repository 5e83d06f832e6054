// SPDX-License-Identifier: GPL-2.0
/*
 * Every allocation and user copy of every VFIO path, failed in turn.
 *
 * A scenario is one whole use of a path (open, bind, attach, every ioctl,
 * close).  It runs with /proc/self/task/<tid>/fail-nth set to 1, 2, 3, ...
 * so that the n-th fault-injection site of this task fails (failslab,
 * fail_page_alloc and fail_usercopy, with GFP_KERNEL allocations
 * eligible), until a run completes without reaching its n-th site.  Every
 * run that hit an injected failure must end in a clean errno (ENOMEM, or
 * EFAULT for a failed copy) or succeed, and must leave the kernel whole:
 * after it the device opens, binds and attaches again, its group opens, and
 * every 32 runs and at the end an edu DMA round trip goes through.  Leaks
 * and splats are the kernel log's business (kmemleak, KASAN, lockdep).
 *
 * Each scenario prints "fail-nth: <name>: ..." with what it saw.  The
 * sweep is exhaustive when VFIO_TEST_FAULTS=all, else it takes every
 * VFIO_TEST_FAULTS-th n (default 4), which visits every part of a path.
 *
 * The sites are VFIO's: with the stack-trace filter, a site counts only if
 * VFIO's text (drivers/vfio, the span vmtest.sh writes to vfio-text) is
 * within the innermost FN_DEPTH frames of its stack, that is VFIO's own
 * allocations and copies and those a few calls below it (the IOMMU
 * core's and iommufd's ownership, bind and attach, the eventfd, the PCI
 * config and IRQ vector state VFIO asks for).  Deeper sites belong to
 * other subsystems whose failure paths have bugs of their own in 6.12,
 * seen when the whole kernel was eligible: ACPICA's _PRT evaluation under
 * pci_enable_device() (KASAN slab-use-after-free in
 * acpi_ns_get_attached_object, then a corrupt namespace), the IRQ core's
 * /proc/irq entries (WARN in remove_proc_entry) and the IOMMU core's
 * must-succeed return to the default domain (WARN in
 * __iommu_group_set_domain_nofail).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/kvm.h>
#include <linux/pci_regs.h>

#include "../kselftest_harness.h"
#include "vfiotest.h"

#define FN_IOVA		0x100000
#define FN_LEN		(64 * 1024)
#define MDEV_UUID	"5b2c7f3e-9d41-4c8a-a6e2-0f1d3b5c7a9e"
#define MDEV_TYPES	"/sys/class/mdev_bus/mtty/mdev_supported_types"
#define MDEV_DEV	"/sys/bus/mdev/devices/" MDEV_UUID
#define FAULTS		"/sys/kernel/debug"
/* the frames of a site's stack searched for VFIO's text (see above) */
#define FN_DEPTH	8

/* What one scenario works on; set up outside the injection window. */
struct fn_ctx {
	struct vt_topology topo;
	void *buf;
	char st[16];		/* a test driver device */
	int kvmdev;		/* a KVM VFIO device, for the KVM scenario */
	int vm, kvm;
	bool keep_mdev;		/* the mdev is the scenario's device */
};

struct fn_stats {
	unsigned int runs, injected, absorbed, enomem, efault, other;
	int other_err, other_n, other_line;
	bool complete;
};

static int fn_nth_fd = -1;
static char fn_scope[128];

static int fn_write(const char *path, const char *val)
{
	return vt_sysfs_write(path, val);
}

/* The address of @sym in /proc/kallsyms, the first one above @above. */
static unsigned long fn_kallsym(const char *sym, unsigned long above)
{
	unsigned long addr, found = 0;
	char line[256], name[128], type;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx %c %127s", &addr, &type, name) == 3 &&
		    !strcmp(name, sym) && addr > above)
			found = addr;
	fclose(f);
	return found;
}

/* Limit the sites to VFIO's, if the harness told where VFIO's text is. */
static const char *fn_scope_vfio(void)
{
	static const char *const attrs[] = { "failslab", "fail_page_alloc", "fail_usercopy" };
	const char *span = getenv("VFIO_TEST_VFIO_TEXT");
	char first[128], next[128], path[96], val[32];
	unsigned long start, end;
	unsigned int i;
	FILE *f;
	int n;

	f = fopen(span ? span : "/vfio/vfio-text", "r");
	if (!f) {
		snprintf(fn_scope, sizeof(fn_scope), "every site of the kernel");
		return NULL;
	}
	n = fscanf(f, "%127s %127s", first, next);
	fclose(f);
	if (n != 2 || !vt_kconfig("CONFIG_FAULT_INJECTION_STACKTRACE_FILTER"))
		return "VFIO's text is given but the kernel has no stack-trace filter";
	start = fn_kallsym(first, 0);
	end = fn_kallsym(next, start);
	if (!start || end <= start)
		return "VFIO's text is not in /proc/kallsyms";
	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		snprintf(path, sizeof(path), FAULTS "/%s", attrs[i]);
		if (access(path, F_OK))
			continue;	/* a kernel without fail_usercopy */
		snprintf(path, sizeof(path), FAULTS "/%s/stacktrace-depth", attrs[i]);
		snprintf(val, sizeof(val), "%d", FN_DEPTH);
		if (fn_write(path, val))
			return "cannot set the stack-trace filter";
		snprintf(path, sizeof(path), FAULTS "/%s/require-start", attrs[i]);
		snprintf(val, sizeof(val), "%lu", start);
		if (fn_write(path, val))
			return "cannot set the stack-trace filter";
		snprintf(path, sizeof(path), FAULTS "/%s/require-end", attrs[i]);
		snprintf(val, sizeof(val), "%lu", end);
		if (fn_write(path, val))
			return "cannot set the stack-trace filter";
	}
	snprintf(fn_scope, sizeof(fn_scope), "VFIO's sites (%s..%s, %lu KiB, depth %d)",
		 first, next, (end - start) >> 10, FN_DEPTH);
	return NULL;
}

/* Only the n-th site fails; no random failures, no reports per failure. */
static const char *fn_setup(void)
{
	static const char *const knobs[][2] = {
		{ FAULTS "/failslab/ignore-gfp-wait", "N" },
		{ FAULTS "/failslab/verbose", "0" },
		{ FAULTS "/fail_page_alloc/ignore-gfp-wait", "N" },
		{ FAULTS "/fail_page_alloc/ignore-gfp-highmem", "N" },
		{ FAULTS "/fail_page_alloc/min-order", "0" },
		{ FAULTS "/fail_page_alloc/verbose", "0" },
		{ FAULTS "/fail_usercopy/verbose", "0" },
	};
	const char *why;
	char path[64];
	unsigned int i;

	if (!vt_kconfig("CONFIG_FAULT_INJECTION_DEBUG_FS") ||
	    !vt_kconfig("CONFIG_FAILSLAB") || !vt_kconfig("CONFIG_FAIL_PAGE_ALLOC"))
		return "kernel built without fault injection (full and faults have it)";
	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		if (fn_write(knobs[i][0], knobs[i][1]) &&
		    !strstr(knobs[i][0], "usercopy"))
			return "cannot set up fault injection in debugfs";
	why = fn_scope_vfio();
	if (why)
		return why;
	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth", (long)syscall(SYS_gettid));
	fn_nth_fd = open(path, O_RDWR | O_CLOEXEC);
	return fn_nth_fd < 0 ? "no fail-nth in /proc" : NULL;
}

static void fn_arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(fn_nth_fd, buf, len, 0) != len)
		abort();
}

/* Disarm; returns true if the n-th site was reached. */
static bool fn_disarm(void)
{
	char buf[16] = {};
	ssize_t n;

	/* the read's own copy to the user may be the site that fails */
	n = pread(fn_nth_fd, buf, sizeof(buf) - 1, 0);
	/* and so may the write's copy from the user, but only once */
	if (pwrite(fn_nth_fd, "0", 1, 0) != 1 && pwrite(fn_nth_fd, "0", 1, 0) != 1)
		abort();
	return n < 0 || atoi(buf) == 0;
}

/* ---- Steps that scenarios share ----------------------------------------- */

/* The line of the innermost step that failed in a run, for the report. */
static int fn_line;

/* Keeps a step's result in ret; true if the step failed. */
#define FAILS(x) ((ret = (x)) < 0 && (fn_line = fn_line ?: __LINE__))

static int fn_errno(long r)
{
	return r < 0 ? (errno ? -errno : -EIO) : (int)r;
}

/* An info query's answer: EINVAL says the device has no such index. */
static int fn_info(long r)
{
	int ret = fn_errno(r);

	return ret == -EINVAL ? 0 : ret;
}

/* Every ioctl a VMM makes on a PCI device file, and back to idle. */
static int fn_pci_ioctls(int fd, bool msi)
{
	char rbuf[sizeof(struct vfio_region_info) + 256];
	struct vfio_region_info *ri = (void *)rbuf;
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_irq_info irq = { .argsz = sizeof(irq) };
	struct vfio_device_feature feat = {
		.argsz = sizeof(feat),
		.flags = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET |
			 VFIO_DEVICE_FEATURE_MIGRATION,
	};
	struct vfio_pci_hot_reset_info hr = { .argsz = sizeof(hr) };
	__u32 i, val;
	__u16 cmd;
	int ret, efd = -1;

	if (FAILS(fn_errno(ioctl(fd, VFIO_DEVICE_GET_INFO, &info))))
		goto out;
	for (i = 0; i < info.num_regions; i++) {
		memset(rbuf, 0, sizeof(rbuf));
		ri->argsz = sizeof(rbuf);
		ri->index = i;
		/* EINVAL: a region the device lacks (VGA), not a failure */
		if (FAILS(fn_info(ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, ri))))
			goto out;
	}
	for (i = 0; i < info.num_irqs; i++) {
		irq.index = i;
		/* EINVAL: an interrupt the device lacks (ERR without PCIe) */
		if (FAILS(fn_info(ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, &irq))))
			goto out;
	}
	if (FAILS(vt_cfg_read(fd, PCI_COMMAND, &cmd, 2)))
		goto out;
	if (FAILS(vt_cfg_write(fd, PCI_COMMAND, &cmd, 2)))
		goto out;
	ret = vt_region(fd, VFIO_PCI_BAR0_REGION_INDEX, ri);
	/*
	 * The first access maps the BAR, and pci_request_selected_regions()
	 * reports a failed allocation of its resource as EBUSY.
	 */
	if (!ret && ri->size >= 4) {
		ret = fn_errno(pread(fd, &val, 4, ri->offset));
		if (FAILS(ret == -EBUSY ? -ENOMEM : ret))
			goto out;
		if (FAILS(fn_errno(pwrite(fd, &val, 4, ri->offset + 4))))
			goto out;
	}
	/* mtty answers no to migration questions of the wrong kind, edu to all */
	ioctl(fd, VFIO_DEVICE_FEATURE, &feat);
	if (msi) {
		efd = eventfd(0, EFD_CLOEXEC);
		if (FAILS(fn_errno(efd)))
			goto out;
		if (FAILS(vt_irq_eventfd(fd, VFIO_PCI_MSI_IRQ_INDEX, efd)))
			goto out;
		if (FAILS(vt_irq_disable(fd, VFIO_PCI_MSI_IRQ_INDEX)))
			goto out;
	}
	ret = fn_errno(ioctl(fd, VFIO_DEVICE_RESET));
	/* the edu has no reset: that is its answer, not a failure */
	if (ret == -EINVAL || ret == -ENOTTY)
		ret = 0;
	if (FAILS(ret))
		goto out;
	ret = fn_errno(ioctl(fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &hr));
	if (ret == -ENOSPC || ret == -ENODEV || ret == -ENOTTY)
		ret = 0;
	if (FAILS(ret))
		goto out;
out:
	if (efd >= 0)
		close(efd);
	return ret;
}

/* Close the files a scenario opened (-1 for none). */
static void fn_close(int a, int b, int c, int d)
{
	int fds[] = { a, b, c, d };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* ---- Scenarios ------------------------------------------------------------ */

/* The cdev flow of a VMM on iommufd, on the edu. */
static int sc_cdev(struct fn_ctx *c)
{
	int iommufd = -1, fd = -1, ret;
	__u32 ioas, ioas2, pt, devid, hwpt;

	iommufd = vt_iommufd_open();
	if (FAILS(iommufd))
		goto out;
	if (FAILS(vt_ioas_alloc(iommufd, &ioas)))
		goto out;
	if (FAILS(vt_ioas_alloc(iommufd, &ioas2)))
		goto out;
	if (FAILS(vt_ioas_map(iommufd, ioas, c->buf, FN_LEN, FN_IOVA)))
		goto out;
	fd = vt_cdev_open(c->topo.solo);
	if (FAILS(fd))
		goto out;
	if (FAILS(vt_bind(fd, iommufd, &devid)))
		goto out;
	pt = ioas;
	if (FAILS(vt_attach(fd, &pt)))
		goto out;
	if (FAILS(vt_hwpt_alloc(iommufd, devid, ioas, &hwpt)))
		goto out;
	pt = hwpt;
	if (FAILS(vt_attach(fd, &pt)))
		goto out;
	pt = ioas2;
	if (FAILS(vt_attach(fd, &pt)))
		goto out;
	if (FAILS(fn_pci_ioctls(fd, true)))
		goto out;
	if (FAILS(vt_detach(fd)))
		goto out;
	pt = ioas;
	if (FAILS(vt_attach(fd, &pt)))
		goto out;
	ret = 0;
out:
	fn_close(fd, iommufd, -1, -1);
	return ret;
}

/* The legacy flow: container, group, type1, the device from the group. */
static int sc_legacy(struct fn_ctx *c)
{
	int container = -1, group = -1, fd = -1, ret;

	container = vt_container_open();
	if (FAILS(container))
		goto out;
	if (FAILS(fn_errno(ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU))))
		goto out;
	group = vt_group_open(c->topo.solo);
	if (FAILS(group))
		goto out;
	if (FAILS(vt_container_setup(container, group, VFIO_TYPE1v2_IOMMU)))
		goto out;
	if (FAILS(vt_container_map(container, c->buf, FN_LEN, FN_IOVA)))
		goto out;
	fd = vt_group_device(group, c->topo.solo);
	if (FAILS(fd))
		goto out;
	if (FAILS(fn_pci_ioctls(fd, true)))
		goto out;
	close(fd);
	fd = -1;
	if (FAILS(vt_container_unmap(container, FN_IOVA, FN_LEN)))
		goto out;
	if (FAILS(fn_errno(ioctl(group, VFIO_GROUP_UNSET_CONTAINER))))
		goto out;
	ret = 0;
out:
	fn_close(fd, group, container, -1);
	return ret;
}

/* A group joined to an iommufd instead of a container. */
static int sc_group_iommufd(struct fn_ctx *c)
{
	int iommufd = -1, group = -1, fd = -1, ret;

	iommufd = vt_iommufd_open();
	if (FAILS(iommufd))
		goto out;
	group = vt_group_open(c->topo.solo);
	if (FAILS(group))
		goto out;
	if (FAILS(fn_errno(ioctl(group, VFIO_GROUP_SET_CONTAINER, &iommufd))))
		goto out;
	fd = vt_group_device(group, c->topo.solo);
	if (FAILS(fd))
		goto out;
	if (FAILS(fn_pci_ioctls(fd, false)))
		goto out;
	ret = 0;
out:
	fn_close(fd, group, iommufd, -1);
	return ret;
}

static int st_pin_rw(int fd, void *buf)
{
	struct vfio_selftest_pin pin = { .iova = FN_IOVA, .npage = 2 };
	struct vfio_selftest_rw rw = {
		.iova = FN_IOVA + 16, .uptr = (uintptr_t)buf, .len = 64,
	};
	int ret;

	if (FAILS(fn_errno(ioctl(fd, VFIO_SELFTEST_PIN, &pin))))
		goto out;
	if (FAILS(fn_errno(ioctl(fd, VFIO_SELFTEST_DMA_RW, &rw))))
		goto out;
	rw.write = 1;
	if (FAILS(fn_errno(ioctl(fd, VFIO_SELFTEST_DMA_RW, &rw))))
		goto out;
	/* the last page stays pinned for the close to drop */
	pin.iova += 8192;
	pin.npage = 1;
	if (FAILS(fn_errno(ioctl(fd, VFIO_SELFTEST_PIN, &pin))))
		goto out;
	if (FAILS(fn_errno(ioctl(fd, VFIO_SELFTEST_KEEP_PINS, 1))))
		goto out;
out:
	return ret;
}

/* An emulated device's pins and copies through an iommufd access. */
static int sc_st_cdev(struct fn_ctx *c)
{
	int iommufd = -1, fd = -1, ret;
	__u32 ioas;

	iommufd = vt_iommufd_open();
	if (FAILS(iommufd))
		goto out;
	if (FAILS(vt_ioas_alloc(iommufd, &ioas)))
		goto out;
	if (FAILS(vt_ioas_map(iommufd, ioas, c->buf, FN_LEN, FN_IOVA)))
		goto out;
	fd = vt_st_cdev_open(c->st);
	if (FAILS(fd))
		goto out;
	if (FAILS(vt_bind(fd, iommufd, NULL)))
		goto out;
	if (FAILS(vt_attach(fd, &ioas)))
		goto out;
	if (FAILS(st_pin_rw(fd, c->buf + FN_LEN - 4096)))
		goto out;
	ret = 0;
out:
	fn_close(fd, iommufd, -1, -1);
	return ret;
}

/* The same through the type1 container. */
static int sc_st_group(struct fn_ctx *c)
{
	int container = -1, group = -1, fd = -1, ret;

	container = vt_container_open();
	if (FAILS(container))
		goto out;
	group = vt_st_group_open(c->st);
	if (FAILS(group))
		goto out;
	if (FAILS(vt_container_setup(container, group, VFIO_TYPE1v2_IOMMU)))
		goto out;
	if (FAILS(vt_container_map(container, c->buf, FN_LEN, FN_IOVA)))
		goto out;
	fd = vt_group_device(group, c->st);
	if (FAILS(fd))
		goto out;
	if (FAILS(st_pin_rw(fd, c->buf + FN_LEN - 4096)))
		goto out;
	/*
	 * Unpinned before the unmap: type1's unmap notification inverts its
	 * own locks when a driver unpins in it (see vfio_emulated_test).
	 */
	if (FAILS(fn_errno(ioctl(fd, VFIO_SELFTEST_UNPIN_ALL))))
		goto out;
	if (FAILS(vt_container_unmap(container, FN_IOVA, FN_LEN)))
		goto out;
	ret = 0;
out:
	fn_close(fd, group, container, -1);
	return ret;
}

/* Registration and unregistration of an emulated device. */
static int sc_st_create(struct fn_ctx *c)
{
	char name[16];
	int ret;

	if (FAILS(vt_st_create(2, false, name, sizeof(name))))
		goto out;
	if (FAILS(vt_st_remove(name)))
		goto out;
out:
	return ret;
}

static int mtty_type(char *path, size_t len)
{
	int i;

	/* mtty-1 and mtty-2, as the sample names them */
	for (i = 1; i <= 2; i++) {
		snprintf(path, len, MDEV_TYPES "/mtty-%d/create", i);
		if (!access(path, W_OK))
			return 0;
	}
	return -ENOENT;
}

/* An mdev created and removed through sysfs. */
static int sc_mdev_create(struct fn_ctx *c)
{
	char path[PATH_MAX];
	int ret;

	if (FAILS(mtty_type(path, sizeof(path))))
		goto out;
	if (FAILS(vt_sysfs_write(path, MDEV_UUID)))
		goto out;
	if (FAILS(vt_sysfs_write(MDEV_DEV "/remove", "1")))
		goto out;
out:
	return ret;
}

/* mtty's migration and DMA logging through the core's feature code. */
static int mtty_features(int fd, void *bitmap)
{
	struct vfio_device_feature_dma_logging_range range = {
		.iova = FN_IOVA, .length = FN_LEN,
	};
	struct vfio_device_feature_dma_logging_control ctl = {
		.page_size = 4096, .num_ranges = 1, .ranges = (uintptr_t)&range,
	};
	struct vfio_device_feature_dma_logging_report rep = {
		.iova = FN_IOVA, .length = FN_LEN, .page_size = 4096,
		.bitmap = (uintptr_t)bitmap,
	};
	struct vfio_device_feature_mig_state stop = {
		.device_state = VFIO_DEVICE_STATE_STOP,
	}, copy = {
		.device_state = VFIO_DEVICE_STATE_STOP_COPY,
	}, run = {
		.device_state = VFIO_DEVICE_STATE_RUNNING,
	};
	struct vfio_device_feature_mig_data_size size;
	const __u32 get = VFIO_DEVICE_FEATURE_GET, set = VFIO_DEVICE_FEATURE_SET;
	const struct {
		__u32 flags;
		void *data;
		size_t len;
	} steps[] = {
		{ set | VFIO_DEVICE_FEATURE_DMA_LOGGING_START, &ctl, sizeof(ctl) },
		{ get | VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT, &rep, sizeof(rep) },
		{ set | VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP, NULL, 0 },
		{ set | VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &stop, sizeof(stop) },
		{ get | VFIO_DEVICE_FEATURE_MIG_DATA_SIZE, &size, sizeof(size) },
		{ set | VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &copy, sizeof(copy) },
	};
	char data[64];
	int ret, dfd = -1;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(steps); i++)
		if (FAILS(vt_feature(fd, steps[i].flags, steps[i].data, steps[i].len)))
			goto out;
	/* the stream of the device's state, then back to running */
	dfd = copy.data_fd;
	if (FAILS(fn_errno(read(dfd, data, sizeof(data)))))
		goto out;
	close(dfd);
	dfd = -1;
	ret = vt_feature(fd, set | VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &run, sizeof(run));
out:
	if (dfd >= 0)
		close(dfd);
	return ret;
}

/* An mtty mdev through its cdev, and then through its group. */
static int sc_mtty(struct fn_ctx *c, bool cdev)
{
	int iommufd = -1, container = -1, group = -1, fd = -1, ret;
	char dev[PATH_MAX], path[PATH_MAX];
	__u32 ioas;

	if (cdev) {
		iommufd = vt_iommufd_open();
		if (FAILS(iommufd))
			goto out;
		if (FAILS(vt_ioas_alloc(iommufd, &ioas)))
			goto out;
		if (FAILS(vt_cdev_path(MDEV_DEV, path, sizeof(path))))
			goto out;
		fd = fn_errno(open(path, O_RDWR | O_CLOEXEC));
		if (FAILS(fd))
			goto out;
		if (FAILS(vt_bind(fd, iommufd, NULL)))
			goto out;
		if (FAILS(vt_attach(fd, &ioas)))
			goto out;
	} else {
		char link[PATH_MAX];
		ssize_t n;

		snprintf(dev, sizeof(dev), MDEV_DEV "/iommu_group");
		n = readlink(dev, link, sizeof(link) - 1);
		if (FAILS(fn_errno(n)))
			goto out;
		link[n] = '\0';
		snprintf(path, sizeof(path), "/dev/vfio/%s", strrchr(link, '/') + 1);
		container = vt_container_open();
		if (FAILS(container))
			goto out;
		group = fn_errno(open(path, O_RDWR | O_CLOEXEC));
		if (FAILS(group))
			goto out;
		if (FAILS(vt_container_setup(container, group, VFIO_TYPE1v2_IOMMU)))
			goto out;
		fd = vt_group_device(group, MDEV_UUID);
		if (FAILS(fd))
			goto out;
	}
	if (FAILS(fn_pci_ioctls(fd, false)))
		goto out;
	if (FAILS(mtty_features(fd, c->buf)))
		goto out;
	ret = 0;
out:
	fn_close(fd, group, container, iommufd);
	return ret;
}

static int sc_mtty_cdev(struct fn_ctx *c)
{
	return sc_mtty(c, true);
}

static int sc_mtty_group(struct fn_ctx *c)
{
	return sc_mtty(c, false);
}

static int kvm_file(int kvmdev, __u64 attr, int fd)
{
	struct kvm_device_attr a = {
		.group = KVM_DEV_VFIO_FILE, .attr = attr, .addr = (uintptr_t)&fd,
	};

	return fn_errno(ioctl(kvmdev, KVM_SET_DEVICE_ATTR, &a));
}

/* KVM learns of a group file and a cdev file, which is then bound. */
static int sc_kvm(struct fn_ctx *c)
{
	int iommufd = -1, group = -1, fd = -1, ret;
	bool group_added = false, fd_added = false;
	__u32 ioas;

	if (vt_have_group()) {
		group = vt_group_open(c->topo.solo);
		if (FAILS(group))
			goto out;
		if (FAILS(kvm_file(c->kvmdev, KVM_DEV_VFIO_FILE_ADD, group)))
			goto out;
		group_added = true;
		if (FAILS(kvm_file(c->kvmdev, KVM_DEV_VFIO_FILE_DEL, group)))
			goto out;
		group_added = false;
		close(group);
		group = -1;
	}
	iommufd = vt_iommufd_open();
	if (FAILS(iommufd))
		goto out;
	if (FAILS(vt_ioas_alloc(iommufd, &ioas)))
		goto out;
	fd = vt_cdev_open(c->topo.solo);
	if (FAILS(fd))
		goto out;
	if (FAILS(kvm_file(c->kvmdev, KVM_DEV_VFIO_FILE_ADD, fd)))
		goto out;
	fd_added = true;
	if (FAILS(vt_bind(fd, iommufd, NULL)))
		goto out;
	if (FAILS(vt_attach(fd, &ioas)))
		goto out;
	if (FAILS(kvm_file(c->kvmdev, KVM_DEV_VFIO_FILE_DEL, fd)))
		goto out;
	fd_added = false;
	ret = 0;
out:
	/* KVM holds what it was given: the files stay open until deleted */
	if (fd_added)
		kvm_file(c->kvmdev, KVM_DEV_VFIO_FILE_DEL, fd);
	if (group_added)
		kvm_file(c->kvmdev, KVM_DEV_VFIO_FILE_DEL, group);
	fn_close(fd, group, iommufd, -1);
	return ret;
}

/* ---- Checks that the kernel is whole again -------------------------------- */

/* The edu moves data through its IOAS both ways. */
static int fn_dma_round_trip(struct fn_ctx *c, int fd)
{
	struct vt_edu e;
	int ret;

	vt_fill(c->buf, 512, 3);
	memset(c->buf + 4096, 0, 512);
	if (FAILS(vt_edu_init(&e, fd)))
		goto out;
	if (FAILS(vt_edu_dma(&e, FN_IOVA, 512, false)))
		goto out;
	if (FAILS(vt_edu_dma(&e, FN_IOVA + 4096, 512, true)))
		goto out;
	ret = memcmp(c->buf, c->buf + 4096, 512) ? -EIO : 0;
out:
	return ret;
}

static int fn_whole(struct fn_ctx *c, bool dma)
{
	int iommufd = -1, fd = -1, group, ret = 0;
	__u32 ioas;

	if (vt_have_cdev()) {
		iommufd = vt_iommufd_with_ioas(&ioas);
		if (FAILS(iommufd))
			goto out;
		if (FAILS(vt_ioas_map(iommufd, ioas, c->buf, FN_LEN, FN_IOVA)))
			goto out;
		fd = vt_cdev_setup(c->topo.solo, iommufd, ioas, NULL);
		if (FAILS(fd))
			goto out;
		if (dma && FAILS(fn_dma_round_trip(c, fd)))
			goto out;
		close(fd);
		fd = -1;
	}
	if (vt_have_group()) {
		group = vt_group_open(c->topo.solo);
		if (FAILS(group))
			goto out;
		close(group);
		ret = 0;
	}
	if (c->st[0] && vt_have_cdev()) {
		fd = vt_st_cdev_open(c->st);
		if (FAILS(fd))
			goto out;
		if (FAILS(vt_bind(fd, iommufd, NULL)))
			goto out;
		if (FAILS(vt_attach(fd, &ioas)))
			goto out;
		if (FAILS(fn_errno(ioctl(fd, VFIO_SELFTEST_PINNED))))
			goto out;
		ret = ret ? -EBUSY : 0;		/* nothing may stay pinned */
	}
out:
	fn_close(fd, iommufd, -1, -1);
	return ret;
}

/*
 * What a failed run may leave behind on purpose-free paths: a device it
 * created whose removal then failed.  Removed with no failure armed.
 */
static void fn_tidy(struct fn_ctx *c)
{
	char path[PATH_MAX];
	int k;

	if (!c->keep_mdev && !access(MDEV_DEV, F_OK))
		vt_sysfs_write(MDEV_DEV "/remove", "1");
	for (k = 0; k < 64; k++) {
		snprintf(path, sizeof(path), VFIO_SELFTEST_SYSFS "/st%d", k);
		if (strcmp(path + strlen(VFIO_SELFTEST_SYSFS "/"), c->st) &&
		    !access(path, F_OK))
			vt_st_remove(path + strlen(VFIO_SELFTEST_SYSFS "/"));
	}
}

/* ---- The sweep ------------------------------------------------------------- */

static unsigned int fn_stride(void)
{
	const char *v = getenv("VFIO_TEST_FAULTS");

	if (v && !strcmp(v, "all"))
		return 1;
	return v && atoi(v) > 0 ? atoi(v) : 4;
}

/*
 * VFIO_TEST_FAULTS=atN fails only site N of each scenario, with the stack
 * of the failing site in the kernel log: to see what a site is.
 */
static unsigned int fn_only(void)
{
	static const char *const attrs[] = { "failslab", "fail_page_alloc", "fail_usercopy" };
	const char *v = getenv("VFIO_TEST_FAULTS");
	char path[64];
	unsigned int i;

	if (!v || strncmp(v, "at", 2) || atoi(v + 2) <= 0)
		return 0;
	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		snprintf(path, sizeof(path), FAULTS "/%s/verbose", attrs[i]);
		fn_write(path, "2");
	}
	return atoi(v + 2);
}

static void fn_sweep(struct __test_metadata *_metadata, const char *name,
		     struct fn_ctx *c, int (*run)(struct fn_ctx *c))
{
	unsigned int n, stride = fn_stride(), only = fn_only();
	struct fn_stats s = {};
	struct timespec t0, t1;
	int ret, whole;
	char errs[96];

	ASSERT_EQ(0, run(c)) TH_LOG("%s fails without an injected failure", name);
	ASSERT_EQ(0, fn_whole(c, true));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (n = only ?: 1; !s.complete; n += stride) {
		if (only && s.runs)
			break;
		fn_line = 0;
		fn_arm(n);
		ret = run(c);
		s.complete = !fn_disarm();
		s.runs++;
		if (s.complete) {
			/* every site was passed: the scenario must have worked */
			EXPECT_EQ(0, ret) TH_LOG("%s: %d with no failure injected", name, ret);
			break;
		}
		s.injected++;
		if (!ret) {
			s.absorbed++;
		} else if (ret == -ENOMEM) {
			s.enomem++;
		} else if (ret == -EFAULT) {
			s.efault++;
		} else if (s.other++ == 0) {
			s.other_err = -ret;
			s.other_n = n;
			s.other_line = fn_line;
		}
		fn_tidy(c);
		whole = fn_whole(c, !(s.runs % 32));
		ASSERT_EQ(0, whole) TH_LOG("%s: failing site %u left the kernel broken", name, n);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	EXPECT_EQ(0, fn_whole(c, true));
	snprintf(errs, sizeof(errs), "%u ENOMEM, %u EFAULT, %u absorbed, %u other",
		 s.enomem, s.efault, s.absorbed, s.other);
	ksft_print_msg("fail-nth: %s: stride %u, %u runs, %u injected, %s, %ld s\n",
		       name, stride, s.runs, s.injected, errs, (long)(t1.tv_sec - t0.tv_sec));
	if (fn_scope[0]) {
		ksft_print_msg("fail-nth: sites: %s\n", fn_scope);
		fn_scope[0] = 0;
	}
	if (s.other)
		ksft_print_msg("fail-nth: %s: first other errno %s at site %d (step at line %d)\n",
			       name, strerror(s.other_err), s.other_n, s.other_line);
	EXPECT_EQ(0, s.other);
}

FIXTURE(fail_nth) {
	struct fn_ctx c;
	bool mdev;
};

FIXTURE_SETUP(fail_nth)
{
	const char *why;

	memset(&self->c, 0, sizeof(self->c));
	self->c.kvmdev = -1;
	self->c.vm = -1;
	self->c.kvm = -1;
	self->mdev = false;
	ASSERT_EQ(0, vt_topology(&self->c.topo));
	why = fn_setup();
	if (why)
		SKIP(return, "%s", why);
	self->c.buf = vt_buf_alloc(FN_LEN);
	ASSERT_NE(NULL, self->c.buf);
	if (!vt_no_st())
		ASSERT_EQ(0, vt_st_create(3, false, self->c.st, sizeof(self->c.st)));
}

FIXTURE_TEARDOWN(fail_nth)
{
	if (self->c.kvmdev >= 0)
		close(self->c.kvmdev);
	if (self->c.vm >= 0)
		close(self->c.vm);
	if (self->c.kvm >= 0)
		close(self->c.kvm);
	if (self->mdev)
		vt_sysfs_write(MDEV_DEV "/remove", "1");
	if (self->c.st[0])
		vt_st_remove(self->c.st);
	vt_buf_free(self->c.buf, FN_LEN);
}

TEST_F_TIMEOUT(fail_nth, cdev, 3600)
{
	if (vt_no_cdev())
		SKIP(return, "%s", vt_no_cdev());
	fn_sweep(_metadata, "cdev", &self->c, sc_cdev);
}

TEST_F_TIMEOUT(fail_nth, legacy, 3600)
{
	if (vt_no_container())
		SKIP(return, "%s", vt_no_container());
	fn_sweep(_metadata, "legacy", &self->c, sc_legacy);
}

TEST_F_TIMEOUT(fail_nth, group_iommufd, 3600)
{
	if (vt_no_group() || vt_no_cdev())
		SKIP(return, "needs the group and iommufd");
	fn_sweep(_metadata, "group-iommufd", &self->c, sc_group_iommufd);
}

TEST_F_TIMEOUT(fail_nth, emulated_cdev, 3600)
{
	if (vt_no_st() || vt_no_cdev())
		SKIP(return, "needs the VFIO test driver and the cdev");
	fn_sweep(_metadata, "emulated-cdev", &self->c, sc_st_cdev);
}

TEST_F_TIMEOUT(fail_nth, emulated_group, 3600)
{
	if (vt_no_st() || vt_no_container())
		SKIP(return, "needs the VFIO test driver and a container");
	fn_sweep(_metadata, "emulated-group", &self->c, sc_st_group);
}

TEST_F_TIMEOUT(fail_nth, emulated_create, 3600)
{
	if (vt_no_st())
		SKIP(return, "%s", vt_no_st());
	fn_sweep(_metadata, "emulated-create", &self->c, sc_st_create);
}

TEST_F_TIMEOUT(fail_nth, mdev_create, 3600)
{
	char path[PATH_MAX];

	if (!vt_kconfig("CONFIG_SAMPLE_VFIO_MDEV_MTTY") || mtty_type(path, sizeof(path)))
		SKIP(return, "no mtty");
	fn_sweep(_metadata, "mdev-create", &self->c, sc_mdev_create);
}

static void mtty_sweep(struct __test_metadata *_metadata, struct fn_ctx *c,
		       bool *created, bool cdev)
{
	char path[PATH_MAX];

	if (!vt_kconfig("CONFIG_SAMPLE_VFIO_MDEV_MTTY") || mtty_type(path, sizeof(path)))
		SKIP(return, "no mtty");
	ASSERT_EQ(0, vt_sysfs_write(path, MDEV_UUID));
	*created = true;
	c->keep_mdev = true;
	fn_sweep(_metadata, cdev ? "mtty-cdev" : "mtty-group", c,
		 cdev ? sc_mtty_cdev : sc_mtty_group);
}

TEST_F_TIMEOUT(fail_nth, mtty_cdev, 3600)
{
	if (vt_no_cdev())
		SKIP(return, "%s", vt_no_cdev());
	mtty_sweep(_metadata, &self->c, &self->mdev, true);
}

TEST_F_TIMEOUT(fail_nth, mtty_group, 3600)
{
	if (vt_no_container())
		SKIP(return, "%s", vt_no_container());
	mtty_sweep(_metadata, &self->c, &self->mdev, false);
}

TEST_F_TIMEOUT(fail_nth, kvm, 3600)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };

	if (vt_no_cdev())
		SKIP(return, "%s", vt_no_cdev());
	self->c.kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (self->c.kvm < 0)
		SKIP(return, "no /dev/kvm");
	self->c.vm = ioctl(self->c.kvm, KVM_CREATE_VM, 0);
	ASSERT_LE(0, self->c.vm);
	ASSERT_EQ(0, ioctl(self->c.vm, KVM_CREATE_DEVICE, &cd));
	self->c.kvmdev = cd.fd;
	fn_sweep(_metadata, "kvm", &self->c, sc_kvm);
}

TEST_HARNESS_MAIN
