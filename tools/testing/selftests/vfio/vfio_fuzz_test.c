// SPDX-License-Identifier: GPL-2.0
/*
 * A structure-aware fuzzer of every VFIO file type.
 *
 * Threads share a pool of files: device cdevs (unbound and bound), groups,
 * containers, iommufds, device files from groups, the test driver's and an
 * mtty's device files, a KVM VFIO device.  Each thread picks operations at
 * random: open one more file, close one, make an ioctl of the right kind for
 * the file (or of another kind) with an argument that is well formed or
 * damaged in one place (argsz, flags, index, count, offsets, fds), read,
 * write or mmap at random offsets, pass a file through SCM_RIGHTS, or fork
 * a child that does the same for a while on the inherited files.
 *
 * The seed is printed and taken from VFIO_TEST_FUZZ_SEED, so a run can be
 * repeated; VFIO_TEST_FUZZ_SECONDS bounds it (default 30).  Nothing the
 * kernel answers is checked beyond "no crash": the kernel log is (KASAN,
 * lockdep, kmemleak, WARN), and afterwards the devices must work again.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/kvm.h>

#include "../kselftest_harness.h"
#include "vfiotest.h"

#define FZ_FDS		24
#define FZ_THREADS	3
#define FZ_BUF		(256 * 1024)
#define MDEV_UUID	"2f4e6a8c-1b3d-4f5a-8c7e-9d0b1a2c3e4f"
#define MDEV_TYPE	"/sys/class/mdev_bus/mtty/mdev_supported_types/mtty-2/create"
#define MDEV_DEV	"/sys/bus/mdev/devices/" MDEV_UUID
#define FZ_TOKEN_NAME	"0000:00:04.0 vf_token=00000000-0000-0000-0000-000000000000"

enum fz_kind {
	FZ_NONE, FZ_CDEV, FZ_GROUP, FZ_CONTAINER, FZ_IOMMUFD, FZ_GDEV,
	FZ_ST, FZ_MTTY, FZ_KVMDEV, FZ_EVENTFD, FZ_KINDS
};

struct fz_slot {
	int fd;
	enum fz_kind kind;
};

static struct {
	pthread_mutex_t lock;	/* protects the slots, not the calls */
	struct fz_slot slot[FZ_FDS];
	struct vt_topology topo;
	char st[16];
	bool mtty;
	int vm;
	void *buf;
	time_t end;
	__u64 seed;
	unsigned long ops;
} fz = { .lock = PTHREAD_MUTEX_INITIALIZER };

/*
 * What each thread is doing, for the report of one that has not come back
 * FZ_GRACE seconds after the end: no call of the fuzzer may block that long.
 */
#define FZ_GRACE	20

struct fz_doing {
	pid_t tid;
	pid_t child;		/* a forked child it waits for, or 0 */
	const char *op;
	unsigned long cmd;	/* the ioctl, or 0 */
	int fd;
};

static struct fz_doing fz_doing[FZ_THREADS];
static __thread struct fz_doing *fz_me;

static void fz_doing_now(const char *op, int fd, unsigned long cmd)
{
	fz_me->op = op;
	fz_me->fd = fd;
	fz_me->cmd = cmd;
}

/* xorshift64*: every thread has its own state, derived from the seed. */
static __u64 fz_next(__u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static __u32 fz_below(__u64 *s, __u32 n)
{
	return n ? fz_next(s) % n : 0;
}

/* A number a kernel check might get wrong: small, edge or huge. */
static __u64 fz_num(__u64 *s)
{
	static const __u64 edge[] = {
		0, 1, 2, 3, 4, 7, 8, 16, 63, 64, 255, 256, 4095, 4096, 4097,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
		0x7fffffffffffffffULL, ~0ULL, ~0ULL - 4095,
	};

	switch (fz_below(s, 3)) {
	case 0:
		return edge[fz_below(s, ARRAY_SIZE(edge))];
	case 1:
		return fz_below(s, 64);
	default:
		return fz_next(s);
	}
}

/* Any file of the pool, of @kind if possible; -1 if there is none. */
static int fz_pick(__u64 *s, enum fz_kind kind)
{
	int i, start = fz_below(s, FZ_FDS), fd = -1;

	pthread_mutex_lock(&fz.lock);
	for (i = 0; i < FZ_FDS && fd < 0; i++) {
		struct fz_slot *sl = &fz.slot[(start + i) % FZ_FDS];

		if (sl->fd >= 0 && (kind == FZ_NONE || sl->kind == kind))
			fd = sl->fd;
	}
	pthread_mutex_unlock(&fz.lock);
	/* the file may be closed meanwhile: then the call gets EBADF */
	return fd;
}

static void fz_add(int fd, enum fz_kind kind)
{
	int i;

	if (fd < 0)
		return;
	pthread_mutex_lock(&fz.lock);
	for (i = 0; i < FZ_FDS; i++) {
		if (fz.slot[i].fd < 0) {
			fz.slot[i].fd = fd;
			fz.slot[i].kind = kind;
			fd = -1;
			break;
		}
	}
	pthread_mutex_unlock(&fz.lock);
	if (fd >= 0)
		close(fd);
}

static void fz_close_one(__u64 *s)
{
	struct fz_slot *sl;
	int fd = -1;

	pthread_mutex_lock(&fz.lock);
	sl = &fz.slot[fz_below(s, FZ_FDS)];
	if (sl->fd >= 0) {
		fd = sl->fd;
		sl->fd = -1;
	}
	pthread_mutex_unlock(&fz.lock);
	if (fd >= 0)
		close(fd);
}

static void fz_open_one(__u64 *s)
{
	enum fz_kind kind = 1 + fz_below(s, FZ_KINDS - 1);
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };
	int fd = -1, group;

	switch (kind) {
	case FZ_CDEV:
		fd = vt_cdev_open(fz_below(s, 2) ? fz.topo.solo : fz.topo.shared[0]);
		break;
	case FZ_GROUP:
		fd = vt_group_open(fz_below(s, 2) ? fz.topo.solo : fz.topo.shared[0]);
		break;
	case FZ_CONTAINER:
		fd = vt_container_open();
		break;
	case FZ_IOMMUFD:
		fd = vt_iommufd_open();
		break;
	case FZ_GDEV:
		/* a device file from a group of the pool */
		group = fz_pick(s, FZ_GROUP);
		if (group >= 0)
			fd = vt_group_device(group, fz_below(s, 2) ? fz.topo.solo :
					     fz.topo.shared[0]);
		break;
	case FZ_ST:
		if (fz.st[0])
			fd = vt_st_cdev_open(fz.st);
		break;
	case FZ_MTTY:
		if (fz.mtty) {
			char path[PATH_MAX];

			if (!vt_cdev_path(MDEV_DEV, path, sizeof(path)))
				fd = open(path, O_RDWR | O_CLOEXEC);
		}
		break;
	case FZ_KVMDEV:
		if (fz.vm >= 0 && !ioctl(fz.vm, KVM_CREATE_DEVICE, &cd))
			fd = cd.fd;
		break;
	case FZ_EVENTFD:
		fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		break;
	default:
		break;
	}
	fz_add(fd, kind);
}

/* The ioctls each kind of file knows; the fuzzer also sends them elsewhere. */
static const unsigned long fz_device_cmds[] = {
	VFIO_DEVICE_BIND_IOMMUFD, VFIO_DEVICE_ATTACH_IOMMUFD_PT,
	VFIO_DEVICE_DETACH_IOMMUFD_PT, VFIO_DEVICE_GET_INFO,
	VFIO_DEVICE_GET_REGION_INFO, VFIO_DEVICE_GET_IRQ_INFO,
	VFIO_DEVICE_SET_IRQS, VFIO_DEVICE_RESET,
	VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, VFIO_DEVICE_PCI_HOT_RESET,
	VFIO_DEVICE_FEATURE, VFIO_DEVICE_IOEVENTFD,
	VFIO_SELFTEST_PIN, VFIO_SELFTEST_DMA_RW, VFIO_SELFTEST_UNPIN_ALL,
};

static const unsigned long fz_group_cmds[] = {
	VFIO_GROUP_GET_STATUS, VFIO_GROUP_SET_CONTAINER,
	VFIO_GROUP_UNSET_CONTAINER, VFIO_GROUP_GET_DEVICE_FD,
};

static const unsigned long fz_container_cmds[] = {
	VFIO_GET_API_VERSION, VFIO_CHECK_EXTENSION, VFIO_SET_IOMMU,
	VFIO_IOMMU_GET_INFO, VFIO_IOMMU_MAP_DMA, VFIO_IOMMU_UNMAP_DMA,
	VFIO_IOMMU_DIRTY_PAGES,
};

static const unsigned long fz_iommufd_cmds[] = {
	IOMMU_IOAS_ALLOC, IOMMU_IOAS_MAP, IOMMU_IOAS_UNMAP, IOMMU_DESTROY,
	IOMMU_HWPT_ALLOC, IOMMU_IOAS_IOVA_RANGES, IOMMU_GET_HW_INFO,
	IOMMU_IOAS_COPY,
};

static const unsigned long fz_kvm_cmds[] = {
	KVM_SET_DEVICE_ATTR, KVM_HAS_DEVICE_ATTR,
};

/*
 * Fill an ioctl argument the way @cmd's structures start: argsz (or size)
 * then flags, the rest random; a well-formed start most of the time.
 */
static void fz_arg(__u64 *s, unsigned long cmd, __u32 *arg, size_t words)
{
	size_t i;

	for (i = 0; i < words; i++)
		arg[i] = fz_below(s, 4) ? (__u32)fz_num(s) : 0;
	/* argsz: the real size, a little less or more, or anything */
	switch (fz_below(s, 4)) {
	case 0:
		arg[0] = _IOC_SIZE(cmd) ? _IOC_SIZE(cmd) : 16 + 8 * fz_below(s, 8);
		break;
	case 1:
		arg[0] = 8 * fz_below(s, 12);
		break;
	case 2:
		arg[0] = fz_num(s);
		break;
	default:
		arg[0] = words * 4;
		break;
	}
	/* flags: none, one bit or anything */
	arg[1] = fz_below(s, 2) ? 0 : fz_below(s, 2) ? 1u << fz_below(s, 32) : (__u32)fz_next(s);
	/* an fd of the pool where structures carry one */
	if (fz_below(s, 2))
		arg[2 + fz_below(s, 4)] = fz_pick(s, FZ_NONE);
	/* a user pointer into our buffer where structures carry one */
	if (fz_below(s, 2)) {
		i = 2 + fz_below(s, words - 4);
		*(__u64 *)&arg[i & ~1UL] = (uintptr_t)fz.buf + 4096 * fz_below(s, 16);
	}
}

static void fz_ioctl(__u64 *s)
{
	__u64 words[32];
	__u32 *arg = (__u32 *)words;
	const unsigned long *cmds;
	unsigned long cmd;
	int fd, ret;
	size_t n;

	fd = fz_pick(s, FZ_NONE);
	if (fd < 0)
		return;
	fz_doing_now("ioctl", fd, 0);
	switch (fz_below(s, 5)) {
	case 0:
		cmds = fz_device_cmds;
		n = ARRAY_SIZE(fz_device_cmds);
		break;
	case 1:
		cmds = fz_group_cmds;
		n = ARRAY_SIZE(fz_group_cmds);
		break;
	case 2:
		cmds = fz_container_cmds;
		n = ARRAY_SIZE(fz_container_cmds);
		break;
	case 3:
		cmds = fz_iommufd_cmds;
		n = ARRAY_SIZE(fz_iommufd_cmds);
		break;
	default:
		cmds = fz_kvm_cmds;
		n = ARRAY_SIZE(fz_kvm_cmds);
		break;
	}
	cmd = fz_below(s, 32) ? cmds[fz_below(s, n)] : _IO(VFIO_TYPE, VFIO_BASE + fz_below(s, 64));
	fz_arg(s, cmd, arg, 2 * ARRAY_SIZE(words));
	switch (cmd) {
	case VFIO_GROUP_GET_DEVICE_FD:
		/* a name: a real one, a wrong one, or unterminated */
		snprintf((char *)arg, sizeof(words), "%s", fz_below(s, 2) ? fz.topo.solo :
			 fz_below(s, 2) ? fz.st : FZ_TOKEN_NAME);
		if (!fz_below(s, 8))
			memset(arg, 'a', sizeof(words));
		break;
	case VFIO_GROUP_SET_CONTAINER:
		arg[0] = fz_pick(s, fz_below(s, 2) ? FZ_CONTAINER : FZ_IOMMUFD);
		break;
	case VFIO_SET_IOMMU:
	case VFIO_CHECK_EXTENSION:
		/* these take a value, not a pointer */
		ioctl(fd, cmd, (unsigned long)fz_below(s, 12));
		return;
	case KVM_SET_DEVICE_ATTR:
	case KVM_HAS_DEVICE_ATTR: {
		static __thread int kfd;
		struct kvm_device_attr *a = (void *)arg;

		kfd = fz_pick(s, FZ_NONE);
		a->flags = 0;
		a->group = fz_below(s, 4) ? KVM_DEV_VFIO_FILE : fz_below(s, 4);
		a->attr = fz_below(s, 3);
		a->addr = fz_below(s, 8) ? (uintptr_t)&kfd : fz_num(s);
		break;
	}
	default:
		break;
	}
	fz_me->cmd = cmd;
	ret = ioctl(fd, cmd, arg);
	/* a new file the kernel handed out joins the pool */
	if (ret >= 0 && cmd == VFIO_GROUP_GET_DEVICE_FD)
		fz_add(ret, FZ_GDEV);
}

static void fz_rw(__u64 *s)
{
	int fd = fz_pick(s, fz_below(s, 2) ? FZ_GDEV : FZ_CDEV);
	char data[64];
	__u64 off;
	void *p;

	if (fd < 0)
		return;
	fz_doing_now("read/write/mmap", fd, 0);
	/* region index in the top bits, as vfio-pci lays the file out */
	off = (__u64)fz_below(s, 12) << 40;
	off += fz_below(s, 2) ? fz_below(s, 256) : fz_num(s) & 0xffffff;
	switch (fz_below(s, 3)) {
	case 0:
		if (pread(fd, data, 1 + fz_below(s, sizeof(data)), off) < 0)
			return;
		break;
	case 1:
		/*
		 * Writes stay in config space and below the edu's DMA registers:
		 * a random DMA command would make QEMU's edu abort.
		 */
		off &= (7ULL << 40) | 0x7f;
		if ((off >> 40) == 0 && (off & 0x7f) >= 0x20)
			off &= 0x1f;
		memset(data, 0, sizeof(data));
		if (pwrite(fd, data, 1 + fz_below(s, 4), off) < 0)
			return;
		break;
	default:
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 off & ~4095ULL);
		if (p != MAP_FAILED)
			munmap(p, 4096);
		break;
	}
}

/* Pass a file of the pool to ourselves through a socket. */
static void fz_scm(__u64 *s)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {}, byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	int sv[2], fd = fz_pick(s, FZ_NONE);

	if (fd < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return;
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	if (sendmsg(sv[0], &msg, 0) != 1 || recvmsg(sv[1], &msg, MSG_CMSG_CLOEXEC) != 1)
		cm = NULL;
	else
		cm = CMSG_FIRSTHDR(&msg);
	if (cm && cm->cmsg_type == SCM_RIGHTS) {
		memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
		/* the copy is as good as the original: use it, then drop it */
		ioctl(fd, VFIO_DEVICE_GET_INFO, cbuf);
		close(fd);
	}
	close(sv[0]);
	close(sv[1]);
}

static void fz_op(__u64 *s);

/* A child works on the inherited files for a moment, then exits. */
static void fz_fork(__u64 *s)
{
	pid_t pid;
	int i;

	/* no other thread may hold the pool's lock in the child */
	pthread_mutex_lock(&fz.lock);
	pid = fork();
	pthread_mutex_unlock(&fz.lock);
	if (pid < 0)
		return;
	if (!pid) {
		for (i = 0; i < 50; i++)
			fz_op(s);
		_exit(0);
	}
	fz_me->child = pid;
	waitpid(pid, NULL, 0);
	fz_me->child = 0;
}

static void fz_op(__u64 *s)
{
	unsigned int r = fz_below(s, 100);

	fz_doing_now(r < 10 ? "open" : r < 18 ? "close" : r < 95 ? "call" :
		     r < 98 ? "SCM_RIGHTS" : "fork", -1, 0);
	if (r < 10)
		fz_open_one(s);
	else if (r < 18)
		fz_close_one(s);
	else if (r < 80)
		fz_ioctl(s);
	else if (r < 95)
		fz_rw(s);
	else if (r < 98)
		fz_scm(s);
	else
		fz_fork(s);
	__atomic_fetch_add(&fz.ops, 1, __ATOMIC_RELAXED);
}

static void *fz_thread(void *arg)
{
	unsigned int i = (uintptr_t)arg;
	__u64 s = fz.seed * (i + 1) + 1;

	fz_me = &fz_doing[i];
	fz_me->tid = gettid();
	while (time(NULL) < fz.end)
		fz_op(&s);
	fz_doing_now("nothing", -1, 0);
	return NULL;
}

/* Print a task's kernel stack, as the kernel shows it. */
static void fz_print_stack(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "r");

	if (!f) {
		ksft_print_msg("  (%s: %s)\n", path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f))
		ksft_print_msg("  %s", line);
	fclose(f);
}

/* Which thread is stuck in what, with the kernel's stack of it. */
static void fz_report_stuck(void)
{
	char path[64], what[256];
	struct fz_doing *d;
	ssize_t n;
	int i;

	for (i = 0; i < FZ_THREADS; i++) {
		d = &fz_doing[i];
		what[0] = '\0';
		if (d->fd >= 0) {
			snprintf(path, sizeof(path), "/proc/self/fd/%d", d->fd);
			n = readlink(path, what, sizeof(what) - 1);
			what[n > 0 ? n : 0] = '\0';
		}
		ksft_print_msg("fuzz: thread %d (tid %d): %s, ioctl %#lx, fd %d (%s)\n",
			       i, d->tid, d->op, d->cmd, d->fd, what);
		snprintf(path, sizeof(path), "/proc/self/task/%d/stack", d->tid);
		fz_print_stack(path);
		if (d->child) {
			ksft_print_msg("fuzz: its child %d:\n", d->child);
			snprintf(path, sizeof(path), "/proc/%d/stack", d->child);
			fz_print_stack(path);
		}
	}
}

FIXTURE(fuzz) {
	int unused;
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

TEST_F_TIMEOUT(fuzz, run, 7200)
{
	const char *env = getenv("VFIO_TEST_FUZZ_SEED");
	__u64 seed = env ? strtoull(env, NULL, 0) : (__u64)time(NULL);
	unsigned int seconds = getenv("VFIO_TEST_FUZZ_SECONDS") ?
			       atoi(getenv("VFIO_TEST_FUZZ_SECONDS")) : 30;
	pthread_t thr[FZ_THREADS];
	struct timespec grace;
	bool stuck = false;
	int i, fd, kvm;
	__u32 ioas;

	ASSERT_EQ(0, vt_topology(&fz.topo));
	if (vt_noiommu_mode())
		SKIP(return, "the fuzzer runs with an IOMMU");
	for (i = 0; i < FZ_FDS; i++)
		fz.slot[i].fd = -1;
	fz.buf = vt_buf_alloc(FZ_BUF);
	ASSERT_NE(NULL, fz.buf);
	if (!vt_no_st())
		ASSERT_EQ(0, vt_st_create(0, false, fz.st, sizeof(fz.st)));
	fz.mtty = !access(MDEV_TYPE, W_OK) && !vt_sysfs_write(MDEV_TYPE, MDEV_UUID);
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	fz.vm = kvm >= 0 ? ioctl(kvm, KVM_CREATE_VM, 0) : -1;
	/* forked children must not turn a dead pipe into a kill */
	signal(SIGPIPE, SIG_IGN);

	ksft_print_msg("fuzz: seed 0x%llx, %u s, %d threads (VFIO_TEST_FUZZ_SEED repeats it)\n",
		       (unsigned long long)seed, seconds, FZ_THREADS);
	fz.seed = seed;
	fz.end = time(NULL) + seconds;
	for (i = 0; i < FZ_THREADS; i++)
		ASSERT_EQ(0, pthread_create(&thr[i], NULL, fz_thread, (void *)(uintptr_t)i));
	/* a thread still in a call well after the end is reported, then waited for */
	clock_gettime(CLOCK_REALTIME, &grace);
	grace.tv_sec = fz.end + FZ_GRACE;
	grace.tv_nsec = 0;
	for (i = 0; i < FZ_THREADS; i++) {
		if (!stuck && pthread_timedjoin_np(thr[i], NULL, &grace) == ETIMEDOUT) {
			fz_report_stuck();
			stuck = true;
		}
		if (stuck)
			pthread_join(thr[i], NULL);
	}
	EXPECT_FALSE(stuck) TH_LOG("a call blocked for more than %d s", FZ_GRACE);
	ksft_print_msg("fuzz: seed 0x%llx: %lu operations\n", (unsigned long long)seed, fz.ops);

	for (i = 0; i < FZ_FDS; i++)
		if (fz.slot[i].fd >= 0)
			close(fz.slot[i].fd);
	if (fz.vm >= 0)
		close(fz.vm);
	if (kvm >= 0)
		close(kvm);
	if (fz.mtty)
		EXPECT_EQ(0, vt_sysfs_write(MDEV_DEV "/remove", "1"));
	if (fz.st[0])
		EXPECT_EQ(0, vt_st_remove(fz.st));

	/* everything works again: the edu binds and attaches, its group opens */
	if (!vt_no_cdev()) {
		fd = vt_iommufd_with_ioas(&ioas);
		ASSERT_LE(0, fd);
		i = vt_cdev_setup(fz.topo.solo, fd, ioas, NULL);
		EXPECT_LE(0, i);
		if (i >= 0)
			close(i);
		close(fd);
	}
	if (!vt_no_group()) {
		fd = vt_group_open(fz.topo.solo);
		EXPECT_LE(0, fd);
		if (fd >= 0)
			close(fd);
	}
	vt_buf_free(fz.buf, FZ_BUF);
}

TEST_HARNESS_MAIN
