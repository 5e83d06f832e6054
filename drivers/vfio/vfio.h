/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VFIO core: private declarations.
 *
 * The core is built around the device (struct vfio_device, in
 * include/linux/vfio.h) and the files userspace opens on it:
 *
 *   main.c         module init and exit
 *   device.c       allocation, registration, device sets, the registration
 *                  references that keep a device usable while files are open
 *   device_file.c  the device file: one struct vfio_device_file per open,
 *                  however it was opened; first open and last close of the
 *                  device; the KVM it serves; the file operations and the
 *                  ioctl table of every device file
 *   feature.c      VFIO_DEVICE_FEATURE: migration and DMA logging
 *   cdev.c         /dev/vfio/devices/vfioN and the cdev-only ioctls: bind
 *                  to an iommufd, attach to and detach from a page table
 *   iommufd.c      binding devices to iommufd, for the core and the drivers
 *   file.c         what KVM and vfio-pci may ask of any VFIO file
 *   helpers.c      services for drivers: capability chains, IRQ argument
 *                  checks, the migration state machine, IOVA range merging,
 *                  page pinning for emulated devices
 *   virqfd.c       eventfds that run a driver's handler
 *   debugfs.c      /sys/kernel/debug/vfio
 *
 * The legacy group and container (compat/) sit on top of the core.  The
 * core calls them only through the vfio_group_*() and vfio_container_*()
 * hooks declared here, which collapse to stubs when CONFIG_VFIO_GROUP is
 * off, and through the struct vfio_device_file_ops of the device files a
 * group hands out; they call the core only through the functions declared
 * for them below ("for the legacy layer").
 *
 * Locking
 * -------
 * Every lock of the subsystem, what it protects, and why it is the kind of
 * lock it is.  lockdep_assert_held() states the rules in the code.
 *
 * The core:
 *
 * vfio_device_sets' xarray lock (device.c, a spinlock)
 *	the device sets by set id, and each set's device_count; held only
 *	across the lookup, never around a sleep.
 * vfio_device_set.lock (a mutex)
 *	for every device of the set: open_count; the binding of each device
 *	file (its iommufd, devid and access_granted); vfio_device.kvm and
 *	put_kvm; the device's iommufd state (iommufd_device, iommufd_access,
 *	iommufd_attached); cdev_opened and unbound_files; the set's
 *	device_list and open_count, and each file's detached flag.
 *	One lock for the whole set because a driver resets the set as one
 *	(vfio-pci's bus and slot resets): drivers' open_device,
 *	close_device and iommufd callbacks, and struct vfio_device_file_ops'
 *	open_dma and close_dma, run under it.
 * vfio_kvm_slot.lock (a spinlock)
 *	the slot's KVM pointer.  KVM writes a slot (vfio_file_set_kvm())
 *	with its own kvm->lock held, so nothing under it may sleep; a device
 *	takes its KVM reference under it, so the KVM cannot go in between.
 * vfio_virqfd_lock (virqfd.c, a spinlock)
 *	the drivers' pointers to their virqfds; the eventfd wakeup that
 *	shuts a virqfd down runs in atomic context.
 * Registration references (vfio_device.refcount) are a counter and a
 * completion, not a lock: unregistration waits on them without holding
 * anything.
 * vfio_device_file_srcu (device_file.c, SRCU)
 *	keeps the device of an unbound file from being freed while a call on
 *	the file (BIND, fdinfo, KVM's questions) runs: unregistration marks
 *	the unbound files detached under the device set lock and waits for
 *	the readers before it drops their registration references.
 *
 * The legacy layer (compat/):
 *
 * vfio_groups_lock (group.c, a mutex)
 *	the groups by IOMMU group id; the creation and the end of a group,
 *	and its registered count (with the group's lock).
 * vfio_group.lock (a mutex)
 *	the group's opener (opened_file), its container or iommufd,
 *	cdev_device_open_cnt, device_files, registered, leaving and
 *	iommu_group.  It is held across the open and the close of a device
 *	obtained from the group, so that the group's DMA cannot change under
 *	a device being opened.
 * vfio_group.device_lock (a mutex)
 *	the group's list of devices that may be handed out; the driver's
 *	match callback runs under it.
 * vfio_container.lock (container.c, an rwsem)
 *	the container's groups and its IOMMU driver; read by its
 *	ioctls and by opens of emulated devices, written when groups or the
 *	IOMMU driver change.
 * vfio_iommu_drivers_lock (container.c, a mutex)
 *	the list of registered IOMMU drivers.
 *
 * Order, outermost first:
 *
 *   vfio_groups_lock -> vfio_group.lock -> vfio_device_set.lock
 *	-> vfio_container.lock -> vfio_iommu_drivers_lock
 *   vfio_device_set.lock -> iommufd's locks, the driver's locks
 *	-> vfio_kvm_slot.lock
 *   vfio_group.device_lock and vfio_device_sets' lock nest inside nothing
 *	VFIO takes and take nothing of VFIO's.
 *
 * A cdev bind blocks the group (taking and dropping vfio_group.lock)
 * before it takes the device set lock, and unblocks it after dropping it.
 *
 * access_granted is written with release semantics once binding is
 * complete and read with acquire semantics by every file operation, so an
 * operation that sees it set also sees the binding it stands for.
 */
#ifndef __VFIO_VFIO_H__
#define __VFIO_VFIO_H__

#include <linux/file.h>
#include <linux/device.h>
#include <linux/cdev.h>
#include <linux/srcu.h>
#include <linux/module.h>
#include <linux/vfio.h>
#include <linux/uaccess.h>

struct iommufd_ctx;
struct iommu_group;
struct vfio_container;
struct vfio_device_file;

/**
 * struct vfio_ioctl_op - one ioctl of a kind of VFIO file
 * @cmd: the ioctl number
 * @size: for an argument that starts with argsz and flags (u32 each), the
 *	bytes up to the last field the handler reads: they are copied in
 *	and argsz must be at least this; 0 for any other argument, which is
 *	passed on unread
 * @flags: the flags the caller may set; VFIO_IOCTL_ANY_FLAGS if the
 *	argument's flags are not checked on the way in
 * @fn: the handler, given the file's private data, the copy of the first
 *	@size bytes (NULL if @size is 0) and the user's pointer
 *
 * Every kind of VFIO file keeps its ioctls in a table of these, so that the
 * size and flags checks common to them are made in one place,
 * vfio_ioctl_call(), in one order: -EFAULT, then -EINVAL.
 */
struct vfio_ioctl_op {
	unsigned int cmd;
	u16 size;
	u32 flags;
	long (*fn)(void *data, void *karg, void __user *uarg);
};

/*
 * The largest argument a table copies, VFIO_DEVICE_BIND_IOMMUFD's; the others
 * stop at their flags or just after (ATTACH's pt_id).
 */
#define VFIO_IOCTL_MAX_SIZE	16
static_assert(offsetofend(struct vfio_device_bind_iommufd, out_devid) <=
	      VFIO_IOCTL_MAX_SIZE);
static_assert(offsetofend(struct vfio_device_attach_iommufd_pt, pt_id) <=
	      VFIO_IOCTL_MAX_SIZE);
#define VFIO_IOCTL_ANY_FLAGS	U32_MAX

/* An ioctl whose argument is a _type with argsz and flags first. */
#define __VFIO_IOCTL(_cmd, _fn, _type, _last, _flags)			\
	.cmd = (_cmd),							\
	.size = offsetofend(_type, _last),				\
	.flags = (_flags),						\
	.fn = (_fn)
#define VFIO_IOCTL(_cmd, _fn, _type, _last, _flags)			\
	{ __VFIO_IOCTL(_cmd, _fn, _type, _last, _flags) }

/* An ioctl whose argument the handler reads itself, if it has one. */
#define VFIO_IOCTL_RAW(_cmd, _fn)	{ .cmd = (_cmd), .fn = (_fn) }

/*
 * The entry of an ioctl table for @cmd, or NULL.  Inline, so that a look-up in
 * a constant table is a few comparisons with constants.
 */
static inline const struct vfio_ioctl_op *
vfio_ioctl_find(const struct vfio_ioctl_op *ops, size_t num, unsigned int cmd)
{
	size_t i;

	for (i = 0; i < num; i++)
		if (ops[i].cmd == cmd)
			return &ops[i];
	return NULL;
}

/*
 * vfio_ioctl_call(), inline: called with a constant entry, it copies a
 * constant size and calls the handler directly.  Only the first @op->size
 * bytes of the copy are the user's; a handler reads no further.
 */
static __always_inline long __vfio_ioctl_call(const struct vfio_ioctl_op *op,
					      void *data, void __user *uarg)
{
	u64 buf[VFIO_IOCTL_MAX_SIZE / sizeof(u64)];
	u32 *hdr = (u32 *)buf;	/* argsz, then flags */

	if (!op->size)
		return op->fn(data, NULL, uarg);
	if (WARN_ON_ONCE(op->size > sizeof(buf)))
		return -EINVAL;
	if (copy_from_user(buf, uarg, op->size))
		return -EFAULT;
	if (hdr[0] < op->size)
		return -EINVAL;
	if (op->flags != VFIO_IOCTL_ANY_FLAGS && (hdr[1] & ~op->flags))
		return -EINVAL;
	return op->fn(data, buf, uarg);
}

/* file.c: for every kind of VFIO file, the compat layers' too */
long vfio_ioctl_call(const struct vfio_ioctl_op *op, void *data,
		     void __user *uarg);

/**
 * struct vfio_kvm_slot - the KVM a VFIO file was added to
 * @lock: protects @kvm
 * @kvm: the KVM, or NULL; KVM sets and clears it (KVM_DEV_VFIO_FILE_ADD and
 *	_DEL) with its own locks held
 *
 * A device file and a group file each have one.  A device takes its own
 * reference on the KVM from a slot when it is first opened.
 */
struct vfio_kvm_slot {
	spinlock_t lock;	/* protects @kvm */
	struct kvm *kvm;
};

/**
 * struct vfio_device_file_ops - how a device file was obtained
 * @shared: the device may be open through other files of the same kind
 *	at the same time (a group hands out any number); without it the
 *	file must be the device's only opener
 * @open_dma: give the device its DMA at its first open, before the
 *	driver's open_device(); the device set lock is held
 * @close_dma: take it away at the last close, after close_device()
 * @kvm_slot: the slot the device takes its KVM reference from
 * @bind: VFIO_DEVICE_BIND_IOMMUFD, for a file that binds itself (@file is
 *	the file of @df); the core has checked the argument and copied it
 *	whole (token_uuid_ptr only with its flag)
 * @ioctls: the ioctls of this kind of file, looked up after the core's
 *	(their data is the struct vfio_device_file); only numbers from
 *	VFIO_DEVICE_FEATURE to VFIO_DEVICE_DETACH_IOMMUFD_PT are looked up,
 *	all others go to the driver
 * @num_ioctls: how many
 * @release: the file is released; undo what binding or obtaining it did
 */
struct vfio_device_file_ops {
	bool shared;
	int (*open_dma)(struct vfio_device_file *df);
	void (*close_dma)(struct vfio_device_file *df);
	struct vfio_kvm_slot *(*kvm_slot)(struct vfio_device_file *df);
	long (*bind)(struct vfio_device_file *df, struct file *file,
		     const struct vfio_device_bind_iommufd *bind,
		     struct vfio_device_bind_iommufd __user *ubind);
	const struct vfio_ioctl_op *ioctls;
	unsigned int num_ioctls;
	void (*release)(struct vfio_device_file *df);
};

/**
 * struct vfio_device_file - one open of a device
 * @access_granted: the file may be used (bound, and the device opened)
 * @detached: the device was unregistered while the file was not bound;
 *	@device may be gone and is never looked at again
 * @devid: the device's id in @iommufd
 * @device: the device; the file holds a registration reference on it
 *	until it is closed or detached
 * @ops: how the file was obtained: through the device's cdev or its group
 *	(whose file's device is in the group: @device's)
 * @unbound_node: in the device's unbound_files while open and unbound
 * @iommufd: the iommufd a cdev file is bound to
 * @kvm: the KVM this file was added to (KVM_DEV_VFIO_FILE_ADD)
 *
 * One per open device file: 64 bytes on a build without lock debugging.
 */
struct vfio_device_file {
	u8 access_granted;
	u8 detached;
	u32 devid;
	struct vfio_device *device;
	const struct vfio_device_file_ops *ops;
	struct list_head unbound_node;
	struct iommufd_ctx *iommufd;
	struct vfio_kvm_slot kvm;
};

/* device.c */
bool vfio_device_try_get_registration(struct vfio_device *device);
void vfio_device_put_registration(struct vfio_device *device);
int vfio_device_init_core(void);
void vfio_device_exit_core(void);
extern struct class *vfio_device_class;

/* device_file.c: for the core's own kinds of device file (cdev.c) */
extern const struct file_operations vfio_device_fops;
struct vfio_device_file *vfio_device_file_alloc(struct vfio_device *device,
						const struct vfio_device_file_ops *ops);
void vfio_device_file_install(struct vfio_device_file *df, struct file *file);
void vfio_device_file_map(struct vfio_device_file *df, struct file *file);
int vfio_device_file_add_unbound(struct vfio_device_file *df);
void vfio_device_file_bound(struct vfio_device_file *df);
void vfio_device_file_forget_unbound(struct vfio_device_file *df);
unsigned int vfio_device_detach_unbound(struct vfio_device *device);
void vfio_device_put_detached(struct vfio_device *device, unsigned int detached);
extern struct srcu_struct vfio_device_file_srcu;

/*
 * Has unregistration detached this unbound file from its device?  Asked
 * inside vfio_device_file_srcu: while the answer is no, the device stays
 * until the read side ends.
 */
static inline bool vfio_device_file_detached(struct vfio_device_file *df)
{
	return READ_ONCE(df->detached);
}

int vfio_device_file_open(struct vfio_device_file *df);
void vfio_device_file_close(struct vfio_device_file *df);
void vfio_device_file_grant(struct vfio_device_file *df);
bool vfio_device_file_granted(struct vfio_device_file *df);

/* feature.c */
long vfio_device_feature(void *data, void *karg, void __user *uarg);

/* device_file.c: for the legacy layer */
struct file *vfio_device_file_create(struct vfio_device *device,
				     const struct vfio_device_file_ops *ops);
void vfio_device_file_shutdown(struct vfio_device_file *df);

/* Whether some file has the device open (stable while one of them runs). */
static inline bool vfio_device_is_open(struct vfio_device *device)
{
	return READ_ONCE(device->open_count);
}

void vfio_kvm_slot_init(struct vfio_kvm_slot *slot);
void vfio_kvm_slot_set(struct vfio_kvm_slot *slot, struct kvm *kvm);

/* device_file.c: the KVM reference taken at first open, dropped at last close */
void vfio_device_take_kvm(struct vfio_device *device, struct vfio_kvm_slot *slot);
void vfio_device_drop_kvm(struct vfio_device *device);

/* Whether the device file of @file is usable, and its state if so. */
static inline struct vfio_device_file *vfio_device_file_of_file(struct file *file)
{
	return file->f_op == &vfio_device_fops ? file->private_data : NULL;
}

#ifdef CONFIG_VFIO_NOIOMMU
extern bool vfio_noiommu __read_mostly;
#else
enum { vfio_noiommu = false };
#endif

/*
 * Is the device offered without DMA isolation (no-IOMMU mode)?  Decided at
 * registration; the device then has a no-IOMMU group, if the kernel has
 * groups, and a noiommu-vfioN cdev, if it has cdevs.
 */
static inline bool vfio_device_is_noiommu(struct vfio_device *device)
{
	return IS_ENABLED(CONFIG_VFIO_NOIOMMU) && device->noiommu;
}

/* How the group of a device is backed, for the legacy IOMMU drivers. */
enum vfio_group_type {
	VFIO_IOMMU,		/* a real IOMMU group */
	VFIO_EMULATED_IOMMU,	/* a group of its own; DMA through the driver */
	VFIO_NO_IOMMU,		/* a group of its own; no DMA isolation */
};

#if IS_ENABLED(CONFIG_VFIO_GROUP)
/*
 * The legacy layer (compat/group.c).  The core calls these at
 * registration, cdev bind and for KVM's questions, holding none of its
 * locks.
 */
int vfio_group_attach_device(struct vfio_device *device, enum vfio_group_type type);
void vfio_group_detach_device(struct vfio_device *device);
void vfio_group_publish_device(struct vfio_device *device);
void vfio_group_withdraw_device(struct vfio_device *device);
int vfio_group_block_cdev(struct vfio_device *device);
void vfio_group_unblock_cdev(struct vfio_device *device);
struct vfio_group *vfio_group_of_file(struct file *file);
bool vfio_group_coherent(struct vfio_group *group);
struct vfio_kvm_slot *vfio_group_kvm_slot(struct vfio_group *group);
struct iommu_group *vfio_group_iommu_group(struct vfio_group *group);
int vfio_group_init(void);
void vfio_group_exit(void);
#else
static inline int vfio_group_attach_device(struct vfio_device *device,
					   enum vfio_group_type type)
{
	return 0;
}

static inline void vfio_group_detach_device(struct vfio_device *device) { }
static inline void vfio_group_publish_device(struct vfio_device *device) { }
static inline void vfio_group_withdraw_device(struct vfio_device *device) { }

static inline int vfio_group_block_cdev(struct vfio_device *device)
{
	return 0;
}

static inline void vfio_group_unblock_cdev(struct vfio_device *device) { }

static inline struct vfio_group *vfio_group_of_file(struct file *file)
{
	return NULL;
}

static inline bool vfio_group_coherent(struct vfio_group *group)
{
	return true;
}

static inline struct vfio_kvm_slot *vfio_group_kvm_slot(struct vfio_group *group)
{
	return NULL;
}

static inline struct iommu_group *vfio_group_iommu_group(struct vfio_group *group)
{
	return NULL;
}

static inline int vfio_group_init(void)
{
	return 0;
}

static inline void vfio_group_exit(void) { }
#endif /* CONFIG_VFIO_GROUP */

#if IS_ENABLED(CONFIG_VFIO_CONTAINER)
/**
 * struct vfio_iommu_driver_ops - a legacy IOMMU driver for the container
 * @name: the IOMMU driver's name
 * @owner: its module
 * @open: create the IOMMU driver's state for a container; @type is the type
 *	given to VFIO_SET_IOMMU
 * @release: free that state
 * @attach_group: a group joins the container
 * @detach_group: a group leaves it
 * @group_iommu_domain: the IOMMU domain of a group in the container
 * @register_device: an emulated device of the container was opened
 * @unregister_device: it was closed
 * @pin_pages: pin pages for an emulated device (see vfio_pin_pages())
 * @unpin_pages: unpin them
 * @dma_rw: access DMA memory for an emulated device
 * @ioctl: the container ioctls the IOMMU driver implements, and
 *	VFIO_CHECK_EXTENSION (with NULL state before one is chosen)
 */
struct vfio_iommu_driver_ops {
	/* the IOMMU driver and the container's instance of it */
	char *name;
	struct module *owner;
	void *(*open)(unsigned long type);
	void (*release)(void *state);

	/* groups in the container */
	int (*attach_group)(void *state, struct iommu_group *iommu_group,
			    enum vfio_group_type type);
	void (*detach_group)(void *state, struct iommu_group *iommu_group);
	struct iommu_domain *(*group_iommu_domain)(void *state,
						   struct iommu_group *iommu_group);

	/* emulated devices and the DMA their drivers do for them */
	void (*register_device)(void *state, struct vfio_device *device);
	void (*unregister_device)(void *state, struct vfio_device *device);
	int (*pin_pages)(void *state, struct iommu_group *iommu_group,
			 dma_addr_t iova, int npage, int prot,
			 struct page **pages);
	void (*unpin_pages)(void *state, dma_addr_t iova, int npage);
	int (*dma_rw)(void *state, dma_addr_t iova, void *buf, size_t len,
		      bool write);

	/* userspace */
	long (*ioctl)(void *state, unsigned int cmd, unsigned long arg);
};

int vfio_register_iommu_driver(const struct vfio_iommu_driver_ops *ops);
void vfio_unregister_iommu_driver(const struct vfio_iommu_driver_ops *ops);

/* compat/container.c: the emulated-device services through a container */
int vfio_container_pin_pages(struct vfio_device *device, dma_addr_t iova,
			     int npage, int prot, struct page **pages);
void vfio_container_unpin_pages(struct vfio_device *device, dma_addr_t iova,
				int npage);
int vfio_container_dma_rw(struct vfio_device *device, dma_addr_t iova,
			  void *data, size_t len, bool write);
bool vfio_device_in_container(struct vfio_device *device);
#else
static inline int vfio_container_pin_pages(struct vfio_device *device,
					   dma_addr_t iova, int npage,
					   int prot, struct page **pages)
{
	return -EOPNOTSUPP;
}

static inline void vfio_container_unpin_pages(struct vfio_device *device,
					      dma_addr_t iova, int npage)
{
}

static inline int vfio_container_dma_rw(struct vfio_device *device,
					dma_addr_t iova, void *data,
					size_t len, bool write)
{
	return -EOPNOTSUPP;
}

static inline bool vfio_device_in_container(struct vfio_device *device)
{
	return false;
}
#endif /* CONFIG_VFIO_CONTAINER */

/* iommufd.c; the compat functions are for groups joined to an iommufd */
#if IS_ENABLED(CONFIG_IOMMUFD)
int vfio_iommufd_bind_file(struct vfio_device_file *df);
void vfio_iommufd_unbind_file(struct vfio_device_file *df);
int vfio_iommufd_attach(struct vfio_device *device, u32 *pt_id);
void vfio_iommufd_detach(struct vfio_device *device);
int vfio_iommufd_compat_join(struct iommufd_ctx *ictx, bool noiommu);
int vfio_iommufd_compat_open(struct vfio_device *device,
			     struct iommufd_ctx *ictx);
void vfio_iommufd_compat_close(struct vfio_device *device);
#else
static inline int vfio_iommufd_compat_join(struct iommufd_ctx *ictx,
					   bool noiommu)
{
	return -EOPNOTSUPP;
}

static inline int vfio_iommufd_compat_open(struct vfio_device *device,
					   struct iommufd_ctx *ictx)
{
	return -EOPNOTSUPP;
}

static inline void vfio_iommufd_compat_close(struct vfio_device *device) { }
#endif

/* cdev.c */
#if IS_ENABLED(CONFIG_VFIO_DEVICE_CDEV)
int vfio_cdev_open(struct inode *inode, struct file *file);
int vfio_cdev_add_device(struct vfio_device *device);
void vfio_cdev_del_device(struct vfio_device *device);
int vfio_cdev_init(struct class *class);
void vfio_cdev_exit(void);
#else
/* without cdevs a device file is only ever created by the group */
#define vfio_cdev_open NULL

static inline int vfio_cdev_add_device(struct vfio_device *device)
{
	return device_add(&device->device);
}

static inline void vfio_cdev_del_device(struct vfio_device *device)
{
	device_del(&device->device);
}

static inline int vfio_cdev_init(struct class *class)
{
	return 0;
}

static inline void vfio_cdev_exit(void) { }
#endif

/* virqfd.c */
#if IS_ENABLED(CONFIG_VFIO_VIRQFD)
int vfio_virqfd_init(void);
void vfio_virqfd_exit(void);
#else
static inline int vfio_virqfd_init(void)
{
	return 0;
}

static inline void vfio_virqfd_exit(void) { }
#endif

/* debugfs.c */
#ifdef CONFIG_VFIO_DEBUGFS
void vfio_debugfs_init(void);
void vfio_debugfs_exit(void);
void vfio_debugfs_add_device(struct vfio_device *device);
void vfio_debugfs_remove_device(struct vfio_device *device);
#else
static inline void vfio_debugfs_init(void) { }
static inline void vfio_debugfs_exit(void) { }
static inline void vfio_debugfs_add_device(struct vfio_device *device) { }
static inline void vfio_debugfs_remove_device(struct vfio_device *device) { }
#endif

#endif /* __VFIO_VFIO_H__ */
