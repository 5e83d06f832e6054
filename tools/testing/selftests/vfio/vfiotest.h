/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the VFIO selftests: finding the emulated devices of the
 * vmtest.sh guest, opening them through the cdev or the group, iommufd and
 * container set-up, and driving QEMU's "edu" device (a DMA engine with MSI).
 *
 * Every helper returns 0 or a negative errno (or a file descriptor), never
 * exits, so a test can assert on the precise error.
 */
#ifndef VFIOTEST_H
#define VFIOTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/types.h>
#include <linux/types.h>
#include <linux/vfio.h>
#include <linux/iommufd.h>

#include "../kselftest.h"
#include "../../../../drivers/vfio/selftest.h"

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8

/* edu BAR0 registers (QEMU docs/specs/edu.txt) */
#define EDU_IDENT	0x00
#define EDU_LIVENESS	0x04
#define EDU_IRQ_STATUS	0x24
#define EDU_IRQ_RAISE	0x60
#define EDU_IRQ_ACK	0x64
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_COUNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_DMA_RUN	0x1
#define EDU_DMA_TO_RAM	0x2
#define EDU_BUF		0x40000
/* QEMU 7.2 aborts on a full 4096-byte transfer; stay well below it. */
#define EDU_DMA_MAX	2048
#define EDU_IDENT_MASK	0xff0000ff
#define EDU_IDENT_VAL	0x010000ed

/* The guest's devices, found by vendor/device and position. */
struct vt_topology {
	char solo[16];		/* edu alone on the root bus: its own group */
	char shared[2][16];	/* the two edus behind the pci-bridge */
	char nic[16];		/* the e1000 behind the same bridge */
};

struct vt_edu {
	int fd;			/* the device, or -1: BAR0 only through @map */
	__u64 bar0;		/* file offset of BAR0 */
	__u64 cfg;		/* file offset of config space */
	void *map;		/* BAR0 mmap, if vt_edu_mmap() was called */
};

/*
 * Why a path cannot be tested on this kernel and boot, or NULL if it can:
 * tests SKIP with the reason.
 */
const char *vt_no_cdev(void);
const char *vt_no_group(void);
const char *vt_no_container(void);

/* environment */
bool vt_kconfig(const char *sym);
bool vt_have_cdev(void);
bool vt_have_group(void);
bool vt_have_container(void);
bool vt_noiommu_mode(void);
bool vt_ours(void);

/*
 * For the few places where this tree's core differs from upstream 6.12 on
 * purpose (each is explained in Documentation/driver-api/vfio-core.rst).
 * The test checks the behaviour of the core it runs on, as vt_ours() says,
 * and ends with this: on the reference core a test that passed is then
 * reported as XFAIL "expected difference: @why", so the reference run
 * lists every deliberate difference rather than passing or skipping it
 * silently.  Use it in a TEST or TEST_F body.
 */
#define VT_DIFFERS_FROM_UPSTREAM(why) do {				\
	if (!vt_ours() && _metadata->exit_code == KSFT_PASS) {		\
		snprintf(_metadata->results->reason,			\
			 sizeof(_metadata->results->reason),		\
			 "expected difference: %s", why);		\
		_metadata->exit_code = KSFT_XFAIL;			\
	}								\
} while (0)

/* sysfs and topology */
int vt_topology(struct vt_topology *t);
int vt_sysfs_read(const char *path, char *buf, size_t len);
int vt_sysfs_devt(const char *path, dev_t *devt);
int vt_link_name(const char *path, char *name, size_t len);
int vt_sysfs_write(const char *path, const char *val);
int vt_group_id(const char *bdf);
int vt_group_path(const char *bdf, char *path, size_t len);
int vt_cdev_name(const char *sysdev, char *name, size_t len);
int vt_cdev_path(const char *sysdev, char *path, size_t len);
int vt_cdev_open(const char *bdf);
int vt_pci_bind(const char *bdf, const char *driver);
const char *vt_pci_driver(const char *bdf, char *buf, size_t len);

/* iommufd */
int vt_iommufd_open(void);
int vt_iommufd_with_ioas(__u32 *ioas);
int vt_ioas_alloc(int iommufd, __u32 *ioas);
int vt_ioas_map(int iommufd, __u32 ioas, void *va, __u64 len, __u64 iova);
int vt_ioas_unmap(int iommufd, __u32 ioas, __u64 iova, __u64 len);
int vt_hwpt_alloc(int iommufd, __u32 dev_id, __u32 pt_id, __u32 *hwpt);
int vt_destroy(int iommufd, __u32 id);
int vt_bind(int devfd, int iommufd, __u32 *dev_id);
int vt_attach(int devfd, __u32 *pt_id);
int vt_detach(int devfd);
int vt_cdev_setup(const char *bdf, int iommufd, __u32 ioas, __u32 *dev_id);

/*
 * A device opened for use, through its cdev (bound to a new iommufd and
 * attached to a new IOAS) or through its group (in a new container with
 * the type1 or, without an IOMMU, the no-IOMMU model).
 */
enum vt_path { VT_CDEV, VT_GROUP };

struct vt_dev {
	int iommufd, container, group, fd;
	__u32 ioas;
};

const char *vt_no_path(enum vt_path path);
void vt_dev_init(struct vt_dev *d);
int vt_dev_open(struct vt_dev *d, enum vt_path path, const char *bdf);
void vt_dev_close(struct vt_dev *d);
/* @len bytes at @va mapped at @iova in @d's IOAS or container */
int vt_dev_map(struct vt_dev *d, void *va, __u64 len, __u64 iova);
int vt_dev_unmap(struct vt_dev *d, __u64 len, __u64 iova);

/* legacy group and container */
int vt_group_open(const char *bdf);
int vt_container_open(void);
int vt_container_setup(int container, int group, unsigned long type);
int vt_container_map(int container, void *va, __u64 len, __u64 iova);
int vt_container_unmap(int container, __u64 iova, __u64 len);
int vt_group_device(int group, const char *name);
/* VFIO_DEVICE_FEATURE with @len bytes of @data, copied back on return */
int vt_feature(int fd, __u32 flags, void *data, size_t len);
int vt_group_status(int group, __u32 *flags);

/* device fd */
int vt_region(int devfd, __u32 index, struct vfio_region_info *info);
int vt_cfg_read(int devfd, __u32 off, void *buf, size_t len);
int vt_cfg_write(int devfd, __u32 off, const void *buf, size_t len);
int vt_irq_eventfd(int devfd, __u32 index, int efd);
int vt_irq_disable(int devfd, __u32 index);
int vt_eventfd_wait(int efd, int timeout_ms);

/* edu */
int vt_edu_init(struct vt_edu *e, int devfd);
int vt_edu_mmap(struct vt_edu *e);
void vt_edu_fini(struct vt_edu *e);
int vt_edu_read(struct vt_edu *e, __u32 off, __u32 *val);
int vt_edu_write(struct vt_edu *e, __u32 off, __u32 val);
int vt_edu_dma(struct vt_edu *e, __u64 iova, __u32 len, bool to_ram);

/*
 * The VFIO test driver's emulated devices (drivers/vfio/selftest.h): made
 * in device set @set, or made to fail their init after joining it; their
 * name (stK) is what GET_DEVICE_FD takes.  "all" removes them all.
 */
const char *vt_no_st(void);
int vt_st_create(unsigned int set, bool fail, char *name, size_t len);
int vt_st_remove(const char *name);
int vt_st_cdev_open(const char *name);
int vt_st_group_open(const char *name);

/*
 * Removal from a child process, which may block until the device is
 * released: sysfs remove of @bdf, or any write to @path.  The child holds
 * none of the caller's files.  vt_wait_child() returns the child's exit
 * status, or -1 if it is still running after @ms.
 */
pid_t vt_remove_in_child(const char *bdf);
pid_t vt_write_in_child(const char *path, const char *val);
int vt_wait_child(pid_t pid, int ms);

/*
 * The hugetlb pool of @size-byte pages: a count of its sysfs directory
 * ("nr_hugepages", "free_hugepages"), -1 without one; and its new size.
 */
long vt_hugepages(unsigned long size, const char *file);
int vt_hugepages_set(unsigned long size, long nr);

/* a page-aligned buffer; vt_buf_free() releases it */
void *vt_buf_alloc(size_t len);
void vt_buf_free(void *buf, size_t len);
void vt_fill(void *buf, size_t len, unsigned int seed);

/*
 * lsvfio (tools/vfio/lsvfio, staged in the guest image): the --json entry
 * of device @bdf, one line; whether @entry lists process @pid as a holder
 * through @via ("cdev", "device" or "group") with "bound" @bound ("true",
 * "false" or "null").
 */
#define VT_LSVFIO	"/vfio/lsvfio"
int vt_lsvfio(const char *bdf, char *entry, size_t len);
bool vt_lsvfio_holder(const char *entry, pid_t pid, const char *via,
		      const char *bound);

/* guest kernel log */
int vt_kmsg_open(void);
bool vt_kmsg_wait(int fd, const char *needle, int timeout_ms);
void vt_dmar_quiesce(void);

/*
 * A real client run as a child, its stdin and its output (stdout and
 * stderr) on pipes: QEMU's monitor, testpmd's prompt.  Everything it
 * prints is kept in @log.
 */
struct vt_proc {
	pid_t pid;
	int in, out;
	size_t len;
	char log[65536];
};

int vt_proc_start(struct vt_proc *p, char *const argv[], char *const envp[]);
bool vt_proc_expect(struct vt_proc *p, size_t from, const char *needle,
		    int timeout_s);
bool vt_proc_command(struct vt_proc *p, const char *cmd, const char *prompt,
		     int timeout_s);
int vt_proc_finish(struct vt_proc *p, const char *cmd, int timeout_s);
void vt_proc_kill(struct vt_proc *p);
void vt_proc_dump(struct vt_proc *p, const char *tag);

#endif /* VFIOTEST_H */
