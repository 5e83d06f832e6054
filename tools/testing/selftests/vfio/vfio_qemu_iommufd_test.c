// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU 10.0, the VMM this core is built for, assigns the edu through its
 * iommufd backend: "-object iommufd" and "-device vfio-pci,iommufd=".
 * Realizing the device walks the whole cdev flow (open of
 * /dev/vfio/devices/vfioN, KVM_DEV_VFIO_FILE_ADD when KVM is there,
 * BIND_IOMMUFD, IOMMU_GET_HW_INFO, HWPT_ALLOC, ATTACH_IOMMUFD_PT, IOAS_MAP
 * of the guest's RAM, region and IRQ info, config space), so the device
 * in QMP's query-pci with its BAR means every step worked.  The machine
 * stays paused (-S) except where a reset is the point.
 *
 * The l2_guest tests let the machine run: QEMU boots Debian's own cloud
 * kernel as a nested guest under this guest's KVM, and that guest's init
 * (vfio_l2_init) does a DMA round trip through the assigned edu into its
 * own RAM and takes its INTx.
 *
 * QEMU 10.0 comes from bookworm-backports, staged by vmtest.sh under
 * /qemu10 for the IOMMU boots, with the nested guest's kernel and
 * initramfs under /qemu10/l2; without them the tests SKIP.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "vfiotest.h"

#define QEMU10		"/qemu10/bin/qemu-system-x86_64"
#define QEMU10_SHARE	"/qemu10/share"
/* QEMU inside a TCG guest starts slowly */
#define QMP_WAIT_S	240
/* what QEMU 10.0 prints when its reset walk loses a child (see below) */
#define QEMU_RESET_ABORT "resettable_container_child_foreach: Assertion"
#define QEMU_ARGS	24
#define L2_DIR		"/qemu10/l2"
/* a nested guest boots in 30-70 s here; under load, far longer */
#define L2_WAIT_S	1200
#define L2_APPEND	"console=ttyS0 panic=-1 quiet"
#define L2_HUGE_RAM	"memory-backend-file,id=ram0,size=200M,mem-path=/dev/hugepages,share=on"
#define L2_HUGE_PAGES	100
#define HUGE_2M		0x200000UL
#define DEVICE_DEL(id)	"{\"execute\": \"device_del\", \"arguments\": {\"id\": \"" id "\"}}\n"
#define QOM_REALIZED	"{\"execute\": \"qom-get\", \"arguments\": {\"path\": " \
			"\"/machine/peripheral/%s\", \"property\": \"realized\"}}\n"
#define DEVICE_ADD	"{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"vfio-pci\", " \
			"\"host\": \"%s\", \"id\": \"vfio1\", \"bus\": \"rp0\", \"iommufd\": \"i0\"}}\n"

static char *const qemu_env[] = { "PATH=/usr/bin:/bin", NULL };

struct q10 {
	struct vt_proc p;
	bool running;
	bool trace_reset;	/* QEMU logs its hot resets and their results */
	int ndev;
	char args[8][160];
};

/* KVM where the guest has it, as QEMU is used; TCG otherwise. */
static const char *q10_accel(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return "tcg,tb-size=32";
	close(fd);
	return "kvm";
}

/* Queue an "-object iommufd,..." or a "-device ..." for the next start. */
static void __printf(2, 3) q10_arg(struct q10 *q, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q->args[q->ndev++], sizeof(q->args[0]), fmt, ap);
	va_end(ap);
}

/* Start QEMU paused, its QMP monitor on stdio, with the queued options. */
static int q10_start(struct q10 *q, bool paused)
{
	char *argv[QEMU_ARGS + 16] = {
		QEMU10, "-L", QEMU10_SHARE, "-nodefaults", "-display", "none",
		"-machine", "q35", "-m", "64", "-qmp", "stdio",
		"-accel", (char *)q10_accel(),
	};
	int i, n = 14, ret;

	if (paused)
		argv[n++] = "-S";
	if (q->trace_reset) {
		argv[n++] = "-trace";
		argv[n++] = "enable=vfio_pci_hot_reset*";
	}
	for (i = 0; i < q->ndev; i++) {
		argv[n++] = strncmp(q->args[i], "iommufd", 7) ? "-device" : "-object";
		argv[n++] = q->args[i];
	}
	argv[n] = NULL;
	ret = vt_proc_start(&q->p, argv, qemu_env);
	q->running = !ret;
	return ret;
}

/* One QMP command; true if QEMU answered it with "return". */
static bool qmp(struct q10 *q, const char *cmd)
{
	size_t from = q->p.len;
	int waited;

	if (write(q->p.in, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		return false;
	for (waited = 0; waited < QMP_WAIT_S; waited++) {
		if (vt_proc_expect(&q->p, from, "\"return\"", 1))
			return true;
		if (strstr(q->p.log + from, "\"error\""))
			return false;
	}
	return false;
}

/* Up and talking QMP: the device was realized, or QEMU exited. */
static bool q10_up(struct q10 *q)
{
	return vt_proc_expect(&q->p, 0, "{\"QMP\"", QMP_WAIT_S) &&
	       qmp(q, "{\"execute\": \"qmp_capabilities\"}\n");
}

static int q10_quit(struct q10 *q)
{
	q->running = false;
	return vt_proc_finish(&q->p, "{\"execute\": \"quit\"}\n", QMP_WAIT_S);
}

/*
 * query-pci lists the device @id as the edu (1234:11e8) with its 1 MiB
 * BAR0, read from the device's config space through VFIO.  QMP prints an
 * object's members in no fixed order: the device's object is the one
 * whose braces enclose its qdev_id.
 */
static bool q10_lists(struct q10 *q, const char *id)
{
	const char *log = q->p.log, *at, *from, *to;
	char key[64], *dev;
	size_t pos = q->p.len;
	int depth = 0;
	bool ok;

	if (!qmp(q, "{\"execute\": \"query-pci\"}\n"))
		return false;
	snprintf(key, sizeof(key), "\"qdev_id\": \"%s\"", id);
	at = strstr(log + pos, key);
	if (!at)
		return false;
	for (from = at; from > log + pos && (*from != '{' || depth); from--)
		depth += (*from == '}') - (*from == '{');
	for (to = at, depth = 0; *to && (*to != '}' || depth); to++)
		depth += (*to == '{') - (*to == '}');
	dev = strndup(from, to - from + 1);
	if (!dev)
		return false;
	ok = strstr(dev, "\"device\": 4584") && strstr(dev, "\"vendor\": 4660") &&
	     strstr(dev, "\"bar\": 0") && strstr(dev, "\"size\": 1048576");
	if (!ok)
		fprintf(stderr, "# query-pci: %s\n", dev);
	free(dev);
	return ok;
}

/*
 * The device @id is realized: what QEMU says of a device behind a root
 * port of a machine that never ran (no firmware numbered the port's bus,
 * so query-pci cannot list it).
 */
static bool q10_realized(struct q10 *q, const char *id)
{
	char cmd[160];
	size_t pos = q->p.len;

	snprintf(cmd, sizeof(cmd), QOM_REALIZED, id);
	return qmp(q, cmd) && strstr(q->p.log + pos, "\"return\": true");
}

FIXTURE(qemu10) {
	struct vt_topology topo;
	struct q10 q;
	bool nic_moved;
	long huge_saved;
	time_t start;
};

FIXTURE_SETUP(qemu10)
{
	memset(&self->q, 0, sizeof(self->q));
	self->nic_moved = false;
	self->huge_saved = -1;
	self->start = time(NULL);
	if (access(QEMU10, X_OK))
		SKIP(return, "QEMU 10.0 is not in this guest image");
	if (vt_noiommu_mode())
		SKIP(return, "QEMU refuses no-IOMMU devices");
	ASSERT_EQ(0, vt_topology(&self->topo));
}

FIXTURE_TEARDOWN(qemu10)
{
	/* what QEMU said, when a test failed or left it running */
	if (self->q.p.len && (self->q.running || _metadata->exit_code != KSFT_PASS))
		vt_proc_dump(&self->q.p, "qemu");
	if (self->q.running)
		vt_proc_kill(&self->q.p);
	if (self->nic_moved)
		vt_pci_bind(self->topo.nic, "e1000");
	if (self->huge_saved >= 0)
		vt_hugepages_set(HUGE_2M, self->huge_saved);
	/* what each scenario costs, for the suite's budget */
	fprintf(stderr, "# %s: %ld s\n", _metadata->name, (long)(time(NULL) - self->start));
}

/*
 * The group is taken by QEMU's bind; a second BIND and the group wait.
 * lsvfio sees QEMU (@qemu, unless 0) hold the cdev, bound (on a core that
 * says so).
 */
static void expect_held(struct __test_metadata *_metadata, const char *bdf,
			pid_t qemu)
{
	char entry[8192];
	int iommufd, fd;

	if (qemu) {
		ASSERT_EQ(0, vt_lsvfio(bdf, entry, sizeof(entry)));
		EXPECT_TRUE(vt_lsvfio_holder(entry, qemu, "cdev",
					     vt_ours() ? "true" : "null"));
		EXPECT_NE(NULL, strstr(entry, vt_ours() ? "\"bound\": \"cdev\"" :
						       "\"bound\": \"unknown\""));
		if (_metadata->exit_code != KSFT_PASS)
			fprintf(stderr, "# lsvfio: %s\n", entry);
	}
	if (vt_have_group())
		EXPECT_EQ(-EBUSY, vt_group_open(bdf));
	iommufd = vt_iommufd_open();
	fd = vt_cdev_open(bdf);
	ASSERT_LE(0, iommufd);
	ASSERT_LE(0, fd);
	/* the cdev is single-open: a second file's BIND is refused */
	EXPECT_EQ(-EINVAL, vt_bind(fd, iommufd, NULL));
	close(fd);
	close(iommufd);
}

/* Everything QEMU held is back: the device binds, its group opens. */
static void expect_released(struct __test_metadata *_metadata, const char *bdf)
{
	int iommufd, fd, group, ret, i;

	iommufd = vt_iommufd_open();
	fd = vt_cdev_open(bdf);
	ASSERT_LE(0, iommufd);
	ASSERT_LE(0, fd);
	/*
	 * Once (of many runs) the device was still held just after QEMU was
	 * reaped, and free a moment later: wait up to 5 s, and say how long.
	 */
	for (i = 0; i < 50; i++) {
		ret = vt_bind(fd, iommufd, NULL);
		if (ret != -EBUSY)
			break;
		usleep(100 * 1000);
	}
	if (i)
		fprintf(stderr, "# %s was still held %d ms after QEMU exited\n", bdf, i * 100);
	EXPECT_EQ(0, ret);
	close(fd);
	close(iommufd);
	if (vt_have_group()) {
		group = vt_group_open(bdf);
		EXPECT_LE(0, group);
		if (group >= 0)
			close(group);
	}
}

/* QEMU holds the device until it quits; then everything is back. */
static void held_until_quit(struct __test_metadata *_metadata, struct q10 *q, const char *bdf)
{
	expect_held(_metadata, bdf, q->p.pid);
	EXPECT_EQ(0, q10_quit(q));
	expect_released(_metadata, bdf);
}

/* QEMU finds and opens the cdev itself from the host address. */
TEST_F_TIMEOUT(qemu10, iommufd_host, 3 * QMP_WAIT_S)
{
	if (vt_no_cdev())
		SKIP(return, "%s", vt_no_cdev());
	q10_arg(&self->q, "iommufd,id=i0");
	q10_arg(&self->q, "vfio-pci,host=%s,id=vfio0,iommufd=i0", self->topo.solo);
	ASSERT_EQ(0, q10_start(&self->q, true));
	ASSERT_TRUE(q10_up(&self->q));
	EXPECT_TRUE(q10_lists(&self->q, "vfio0"));
	held_until_quit(_metadata, &self->q, self->topo.solo);
}

/* As libvirt runs it: the iommufd and the cdev opened by the caller. */
TEST_F_TIMEOUT(qemu10, iommufd_fds, 3 * QMP_WAIT_S)
{
	char ifd[16], dfd[16];
	int iommufd, fd;

	if (vt_no_cdev())
		SKIP(return, "%s", vt_no_cdev());
	/* dup() leaves out O_CLOEXEC: QEMU inherits these two */
	iommufd = vt_iommufd_open();
	fd = vt_cdev_open(self->topo.solo);
	ASSERT_LE(0, iommufd);
	ASSERT_LE(0, fd);
	snprintf(ifd, sizeof(ifd), "%d", dup(iommufd));
	snprintf(dfd, sizeof(dfd), "%d", dup(fd));
	close(iommufd);
	close(fd);
	q10_arg(&self->q, "iommufd,id=i0,fd=%s", ifd);
	q10_arg(&self->q, "vfio-pci,fd=%s,id=vfio0,iommufd=i0", dfd);
	ASSERT_EQ(0, q10_start(&self->q, true));
	close(atoi(ifd));
	close(atoi(dfd));
	ASSERT_TRUE(q10_up(&self->q));
	EXPECT_TRUE(q10_lists(&self->q, "vfio0"));
	held_until_quit(_metadata, &self->q, self->topo.solo);
}

/*
 * Both edus of the group behind the bridge in one QEMU on one iommufd,
 * the group made viable by giving the e1000 to vfio-pci as well.
 */
TEST_F_TIMEOUT(qemu10, iommufd_shared_group, 3 * QMP_WAIT_S)
{
	if (vt_no_cdev())
		SKIP(return, "%s", vt_no_cdev());
	ASSERT_EQ(0, vt_pci_bind(self->topo.nic, "vfio-pci"));
	self->nic_moved = true;
	self->q.trace_reset = true;
	q10_arg(&self->q, "iommufd,id=i0");
	q10_arg(&self->q, "vfio-pci,host=%s,id=vfio0,iommufd=i0", self->topo.shared[0]);
	q10_arg(&self->q, "vfio-pci,host=%s,id=vfio1,iommufd=i0", self->topo.shared[1]);
	ASSERT_EQ(0, q10_start(&self->q, true));
	ASSERT_TRUE(q10_up(&self->q));
	EXPECT_TRUE(q10_lists(&self->q, "vfio0"));
	EXPECT_TRUE(q10_lists(&self->q, "vfio1"));
	/*
	 * A bus reset of the group, through the cdev's hot-reset info: QEMU
	 * owns every device the reset affects (the e1000 is in the group,
	 * not opened), and its trace says VFIO_DEVICE_PCI_HOT_RESET worked.
	 */
	EXPECT_TRUE(qmp(&self->q, "{\"execute\": \"system_reset\"}\n"));
	EXPECT_TRUE(vt_proc_expect(&self->q.p, 0, "hot reset: Success", QMP_WAIT_S));
	held_until_quit(_metadata, &self->q, self->topo.shared[1]);
}

/*
 * system_reset resets the device from the VMM (the edu has no reset of
 * its own: QEMU asks for the hot-reset info and goes on), and
 * device_del / device_add close the device and open it again.  The
 * machine never runs, so an unplug needs no guest to acknowledge it: it
 * completes at the next reset.
 */
TEST_F_TIMEOUT(qemu10, iommufd_reset_unplug_replug, 4 * QMP_WAIT_S)
{
	char add[160];
	bool reset;
	int i;

	if (vt_no_cdev())
		SKIP(return, "%s", vt_no_cdev());
	q10_arg(&self->q, "iommufd,id=i0");
	q10_arg(&self->q, "pcie-root-port,id=rp0,slot=1");
	q10_arg(&self->q, "vfio-pci,host=%s,id=vfio0,bus=rp0,iommufd=i0", self->topo.solo);
	ASSERT_EQ(0, q10_start(&self->q, true));
	ASSERT_TRUE(q10_up(&self->q));
	EXPECT_TRUE(q10_realized(&self->q, "vfio0"));
	EXPECT_TRUE(qmp(&self->q, "{\"execute\": \"system_reset\"}\n"));
	expect_held(_metadata, self->topo.solo, self->q.p.pid);
	EXPECT_TRUE(qmp(&self->q, DEVICE_DEL("vfio0")));
	reset = qmp(&self->q, "{\"execute\": \"system_reset\"}\n");
	for (i = 0; i < QMP_WAIT_S && !strstr(self->q.p.log, "DEVICE_DELETED"); i++)
		vt_proc_expect(&self->q.p, 0, "DEVICE_DELETED", 1);
	/*
	 * QEMU 10.0 now and then aborts when the unplug completes inside
	 * the reset (its reset container sees a child go away while it
	 * walks them): QEMU's own bug, which says nothing of the kernel.
	 */
	if (vt_proc_expect(&self->q.p, 0, QEMU_RESET_ABORT, 2))
		SKIP(return, "QEMU 10.0 aborted: \"%s\"", QEMU_RESET_ABORT);
	EXPECT_TRUE(reset);
	ASSERT_NE(NULL, strstr(self->q.p.log, "DEVICE_DELETED"));
	/* closed: the device is free for someone else */
	expect_released(_metadata, self->topo.solo);
	snprintf(add, sizeof(add), DEVICE_ADD, self->topo.solo);
	EXPECT_TRUE(qmp(&self->q, add));
	EXPECT_TRUE(q10_realized(&self->q, "vfio1"));
	held_until_quit(_metadata, &self->q, self->topo.solo);
}

/*
 * Boot the nested guest with the edu @bdf assigned through the iommufd
 * backend or the legacy one, its RAM anonymous or on hugetlbfs; QEMU's
 * stdout is the guest's serial console.
 */
static int q10_start_l2(struct q10 *q, const char *bdf, bool iommufd, bool hugetlb)
{
	char dev[160];
	char *argv[QEMU_ARGS + 8] = {
		QEMU10, "-L", QEMU10_SHARE, "-nodefaults", "-display", "none",
		"-no-reboot", "-accel", "kvm", "-serial", "stdio",
		/* RAM below 256 MiB, all of it reachable by the edu's 28 address bits */
		"-m", "200",
		"-kernel", L2_DIR "/vmlinuz", "-initrd", L2_DIR "/initrd.gz",
		"-append", L2_APPEND, "-device", dev,
		"-machine", hugetlb ? "q35,memory-backend=ram0" : "q35",
	};
	int n = 0;

	while (argv[n])
		n++;
	if (hugetlb) {
		argv[n++] = "-object";
		argv[n++] = L2_HUGE_RAM;
	}
	if (iommufd) {
		argv[n++] = "-object";
		argv[n++] = "iommufd,id=i0";
	}
	argv[n] = NULL;
	snprintf(dev, sizeof(dev), "vfio-pci,host=%s,id=vfio0%s", bdf,
		 iommufd ? ",iommufd=i0" : "");
	q->running = !vt_proc_start(&q->p, argv, qemu_env);
	return q->running ? 0 : -1;
}

/* The nested guest's verdict: "vfio-l2: PASS" or "vfio-l2: FAIL ...". */
static bool l2_verdict(struct q10 *q)
{
	time_t end = time(NULL) + L2_WAIT_S;

	while (time(NULL) < end && !strstr(q->p.log, "vfio-l2: FAIL")) {
		if (vt_proc_expect(&q->p, 0, "vfio-l2: PASS", 1))
			return true;
	}
	return false;
}

static const char *l2_skip(void)
{
	int fd;

	if (access(L2_DIR "/vmlinuz", R_OK))
		return "no nested guest kernel in this guest image";
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return "no KVM in this guest to run a nested guest";
	close(fd);
	return NULL;
}

/*
 * A guest that uses the device: its DMA lands byte-exact in its own RAM
 * and its interrupt arrives (its verdict is returned).  QEMU holds the
 * device while it runs and gives it back when the guest powers off.  The
 * result lines go to the TAP output (the teardown adds the time taken).
 */
static bool l2_run(struct __test_metadata *_metadata, struct q10 *q, const char *bdf,
		   bool iommufd, bool hugetlb)
{
	char *line;
	bool pass;

	ASSERT_EQ(0, q10_start_l2(q, bdf, iommufd, hugetlb));
	/* its init runs: QEMU realized the device long before */
	ASSERT_TRUE(vt_proc_expect(&q->p, 0, "vfio-l2: Linux", L2_WAIT_S));
	/* the nested guest is done in seconds: no time for lsvfio's scan */
	if (iommufd)
		expect_held(_metadata, bdf, 0);
	else
		EXPECT_EQ(-EBUSY, vt_group_open(bdf));
	pass = l2_verdict(q);
	q->running = false;
	EXPECT_EQ(0, vt_proc_finish(&q->p, "", L2_WAIT_S));
	for (line = strstr(q->p.log, "vfio-l2: "); line; line = strstr(line + 1, "vfio-l2: "))
		fprintf(stderr, "# %.*s\n", (int)strcspn(line, "\r\n"), line);
	expect_released(_metadata, bdf);
	return pass;
}

/* Through the iommufd backend, the guest's RAM on 2 MiB huge pages. */
TEST_F_TIMEOUT(qemu10, l2_guest_iommufd, 3 * L2_WAIT_S)
{
	if (vt_no_cdev())
		SKIP(return, "%s", vt_no_cdev());
	if (l2_skip())
		SKIP(return, "%s", l2_skip());
	self->huge_saved = vt_hugepages(HUGE_2M, "nr_hugepages");
	ASSERT_LE(0, self->huge_saved) {
		TH_LOG("no hugetlbfs in this kernel");
	}
	ASSERT_EQ(0, vt_hugepages_set(HUGE_2M, self->huge_saved + L2_HUGE_PAGES));
	ASSERT_LE(L2_HUGE_PAGES, vt_hugepages(HUGE_2M, "free_hugepages"));
	EXPECT_TRUE(l2_run(_metadata, &self->q, self->topo.solo, true, true));
}

TEST_F_TIMEOUT(qemu10, l2_guest_legacy, 3 * L2_WAIT_S)
{
	if (vt_no_group())
		SKIP(return, "%s", vt_no_group());
	if (l2_skip())
		SKIP(return, "%s", l2_skip());
	EXPECT_TRUE(l2_run(_metadata, &self->q, self->topo.solo, false, false));
}

/* QEMU 10.0's legacy backend on the same core. */
TEST_F_TIMEOUT(qemu10, legacy_backend, 3 * QMP_WAIT_S)
{
	if (vt_no_group())
		SKIP(return, "%s", vt_no_group());
	q10_arg(&self->q, "vfio-pci,host=%s,id=vfio0", self->topo.solo);
	ASSERT_EQ(0, q10_start(&self->q, true));
	ASSERT_TRUE(q10_up(&self->q));
	EXPECT_TRUE(q10_lists(&self->q, "vfio0"));
	EXPECT_EQ(-EBUSY, vt_group_open(self->topo.solo));
	EXPECT_EQ(0, q10_quit(&self->q));
	expect_released(_metadata, self->topo.solo);
}

/* A device bound elsewhere: QEMU says why and exits with status 1. */
TEST_F_TIMEOUT(qemu10, iommufd_device_in_use, 2 * QMP_WAIT_S)
{
	int iommufd, fd, status;

	if (vt_no_cdev())
		SKIP(return, "%s", vt_no_cdev());
	iommufd = vt_iommufd_open();
	fd = vt_cdev_open(self->topo.solo);
	ASSERT_LE(0, iommufd);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vt_bind(fd, iommufd, NULL));
	q10_arg(&self->q, "iommufd,id=i0");
	q10_arg(&self->q, "vfio-pci,host=%s,id=vfio0,iommufd=i0", self->topo.solo);
	ASSERT_EQ(0, q10_start(&self->q, true));
	self->q.running = false;
	status = vt_proc_finish(&self->q.p, "", QMP_WAIT_S);
	close(fd);
	close(iommufd);
	EXPECT_EQ(1, status);
	/* BIND's -EINVAL, as QEMU words it */
	EXPECT_NE(NULL, strstr(self->q.p.log, "error bind device fd="));
	EXPECT_NE(NULL, strstr(self->q.p.log, "Invalid argument"));
}

TEST_HARNESS_MAIN
