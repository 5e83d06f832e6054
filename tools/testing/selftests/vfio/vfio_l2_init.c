// SPDX-License-Identifier: GPL-2.0
/*
 * The init of the nested (L2) guest that vfio_qemu_iommufd_test boots
 * under QEMU 10.0 and the test guest's KVM, with the edu assigned to it
 * through VFIO.  It uses the device with no driver of its own: BAR0 and
 * config space through sysfs, the physical address of its own memory
 * from /proc/self/pagemap, and INTx through Debian's uio_pci_generic.
 *
 * A DMA round trip into its RAM that arrives byte-exact proves that the
 * VMM mapped the guest's RAM at the right IOVAs (the guest's physical
 * addresses) in the host's IOMMU; the interrupt proves the host's
 * eventfd path reaches the guest.  It prints "vfio-l2:" lines, the last
 * "vfio-l2: PASS" or "vfio-l2: FAIL ...", and powers the guest off.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>

#include "vfiotest.h"

#define PAGE		4096
#define EDU_IRQ_TEST	0x4c2
/* QEMU 7.2's edu drops DMA address bits above 27 */
#define EDU_DMA_LIMIT	0x10000000ULL
#define PCI_DEVS	"/sys/bus/pci/devices"
#define UIO_DRIVER	"/sys/bus/pci/drivers/uio_pci_generic"
#define PFN_MASK	0x007fffffffffffffULL
#define PFN_PRESENT	0x8000000000000000ULL

static void __printf(1, 2) say(const char *fmt, ...)
{
	va_list ap;

	printf("vfio-l2: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void __printf(1, 2) __noreturn fail(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	printf("vfio-l2: FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (%s)\n", strerror(err));
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	exit(1);
}

static int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -EIO;
}

static unsigned int read_hex(const char *dir, const char *file)
{
	char path[300], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strtoul(buf, NULL, 16);
}

/* The edu's sysfs directory: the only one the VMM gave this guest. */
static void find_edu(char *dir, size_t len)
{
	struct dirent *de;
	DIR *d = opendir(PCI_DEVS);

	if (!d)
		fail("no %s", PCI_DEVS);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(dir, len, PCI_DEVS "/%s", de->d_name);
		if (read_hex(dir, "vendor") == EDU_VENDOR &&
		    read_hex(dir, "device") == EDU_DEVICE) {
			closedir(d);
			return;
		}
	}
	closedir(d);
	errno = ENODEV;
	fail("no edu on the guest's PCI bus");
}

static void load_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fail("open %s", path);
	if (syscall(SYS_finit_module, fd, "", 0) && errno != EEXIST)
		fail("load %s", path);
	close(fd);
}

/*
 * Memory decoding and bus mastering, as a driver's enable would set, and
 * INTx unmasked: uio_pci_generic masks it with the command register's
 * INTx Disable at each interrupt and leaves unmasking to its user.
 */
static void enable_device(const char *dir)
{
	char path[300];
	uint16_t cmd;
	int fd;

	snprintf(path, sizeof(path), "%s/config", dir);
	fd = open(path, O_RDWR);
	if (fd < 0 || pread(fd, &cmd, 2, 4) != 2)
		fail("read %s", path);
	cmd = (cmd | 0x6) & ~0x400;
	if (pwrite(fd, &cmd, 2, 4) != 2)
		fail("write %s", path);
	close(fd);
}

static void *map_bar0(const char *dir)
{
	char path[300];
	void *bar;
	int fd;

	snprintf(path, sizeof(path), "%s/resource0", dir);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		fail("open %s", path);
	bar = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (bar == MAP_FAILED)
		fail("mmap %s", path);
	close(fd);
	return bar;
}

/* The guest-physical address of @va, which must be resident. */
static uint64_t phys_of(void *va)
{
	uint64_t ent = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0 || pread(fd, &ent, 8, (uintptr_t)va / PAGE * 8) != 8)
		fail("read /proc/self/pagemap");
	close(fd);
	if (!(ent & PFN_PRESENT) || !(ent & PFN_MASK)) {
		errno = EFAULT;
		fail("no frame behind %p (pagemap entry 0x%llx)", va, (unsigned long long)ent);
	}
	return (ent & PFN_MASK) * PAGE + (uintptr_t)va % PAGE;
}

/* Wait for one INTx through uio: read() gives the count so far. */
static uint32_t wait_intx(int uio)
{
	struct pollfd p = { .fd = uio, .events = POLLIN };
	uint32_t count = 0;

	if (poll(&p, 1, 20000) != 1) {
		errno = ETIMEDOUT;
		fail("no interrupt from the edu");
	}
	if (read(uio, &count, 4) != 4)
		fail("read /dev/uio0");
	return count;
}

/* The edu's registers through vfiotest's accessors, on the BAR0 mapping. */
static uint32_t rd(struct vt_edu *e, unsigned int off)
{
	uint32_t val = 0;

	vt_edu_read(e, off, &val);
	return val;
}

int main(void)
{
	struct vt_edu edu = { .fd = -1 };
	uint64_t gpa_src, gpa_dst;
	uint32_t ident, status, count;
	unsigned char *buf;
	struct utsname u;
	char dir[300];
	int con, uio, i;

	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	con = open("/dev/console", O_RDWR);
	if (con >= 0) {
		dup2(con, 0);
		dup2(con, 1);
		dup2(con, 2);
	}
	uname(&u);
	say("Linux %s %s", u.release, u.version);

	find_edu(dir, sizeof(dir));
	say("edu at %s", strrchr(dir, '/') + 1);
	load_module("/uio.ko");
	load_module("/uio_pci_generic.ko");
	if (write_str(UIO_DRIVER "/new_id", "1234 11e8"))
		fail("bind uio_pci_generic");
	uio = open("/dev/uio0", O_RDWR);
	if (uio < 0)
		fail("open /dev/uio0");
	enable_device(dir);
	edu.map = map_bar0(dir);
	ident = rd(&edu, EDU_IDENT);
	vt_edu_write(&edu, EDU_LIVENESS, 0x12345678);
	if ((ident & EDU_IDENT_MASK) != EDU_IDENT_VAL || rd(&edu, EDU_LIVENESS) != ~0x12345678u) {
		errno = EIO;
		fail("BAR0 is not the edu's: ident 0x%08x", ident);
	}
	say("BAR0 ident 0x%08x, liveness ok", ident);

	buf = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || mlock(buf, 2 * PAGE))
		fail("two locked pages");
	for (i = 0; i < EDU_DMA_MAX; i++)
		buf[i] = (i * 7 + 3) ^ (i >> 8);
	memset(buf + PAGE, 0, PAGE);
	gpa_src = phys_of(buf);
	gpa_dst = phys_of(buf + PAGE);
	if (gpa_src >= EDU_DMA_LIMIT || gpa_dst >= EDU_DMA_LIMIT) {
		errno = ERANGE;
		fail("pages at 0x%llx and 0x%llx are beyond the edu's 28 bits",
		     (unsigned long long)gpa_src, (unsigned long long)gpa_dst);
	}
	if (vt_edu_dma(&edu, gpa_src, EDU_DMA_MAX, false) ||
	    vt_edu_dma(&edu, gpa_dst, EDU_DMA_MAX, true)) {
		errno = ETIMEDOUT;
		fail("the edu's DMA engine did not finish");
	}
	if (memcmp(buf, buf + PAGE, EDU_DMA_MAX)) {
		errno = EIO;
		fail("the data came back different (first bytes %02x %02x, sent %02x %02x)",
		     buf[PAGE], buf[PAGE + 1], buf[0], buf[1]);
	}
	say("dma %d bytes gpa 0x%llx -> edu -> gpa 0x%llx: byte-exact", EDU_DMA_MAX,
	    (unsigned long long)gpa_src, (unsigned long long)gpa_dst);

	/* an interrupt the edu raises on request, with a status of our own */
	vt_edu_write(&edu, EDU_IRQ_RAISE, EDU_IRQ_TEST);
	count = wait_intx(uio);
	status = rd(&edu, EDU_IRQ_STATUS);
	vt_edu_write(&edu, EDU_IRQ_ACK, status);
	if (status != EDU_IRQ_TEST) {
		errno = EIO;
		fail("interrupt status 0x%x, raised 0x%x", status, EDU_IRQ_TEST);
	}
	say("intx: interrupt %u, status 0x%x", count, status);
	say("PASS");
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
