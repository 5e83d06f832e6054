/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VFIO: the interface between the VFIO core and the drivers that expose
 * devices to userspace through it (vfio-pci and its variants, mediated
 * devices, platform devices, ...), and the file interface KVM uses.
 *
 * A driver embeds a struct vfio_device in its own device structure,
 * allocates both with vfio_alloc_device(), fills in its callbacks in a
 * struct vfio_device_ops and registers the device.  From then on the core
 * owns the user-facing side: the character device, binding to an iommufd,
 * the legacy group, the file operations, and the device's lifetime.
 */
#ifndef VFIO_H
#define VFIO_H

#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/workqueue.h>
#include <linux/poll.h>
#include <linux/cdev.h>
#include <uapi/linux/vfio.h>
#include <linux/iova_bitmap.h>
#include <linux/uuid.h>

struct kvm;
struct iommufd_ctx;
struct iommufd_device;
struct iommufd_access;

/**
 * struct vfio_device_set - devices that must be opened and reset together
 * @set_id: what the devices share (for vfio-pci, a slot or a bus)
 * @lock: serialises opening, closing, binding and attaching of every
 *	device in the set, and the drivers' resets of the set
 * @device_list: the member devices, linked by vfio_device.dev_set_list
 * @device_count: number of members; the set is freed when it drops to 0
 * @open_count: the sum of the members' open counts, kept as they change
 *	(under @lock) so that a driver's question costs nothing
 */
struct vfio_device_set {
	struct mutex lock;	/* see above */
	struct list_head device_list;
	unsigned int device_count;
	unsigned int open_count;
	void *set_id;
};

/**
 * struct vfio_device - a device exposed to userspace through VFIO
 *
 * Drivers set @dev, @ops (through vfio_alloc_device()) and, before
 * registering, @mig_ops, @log_ops and @migration_flags.  They may read
 * @dev_set, @kvm (valid while the device is open) and @inode.  Every
 * other field belongs to the core.
 *
 * @dev: the device being exposed (a PCI function, an mdev, ...)
 * @ops: the driver's callbacks
 * @mig_ops: migration callbacks, or NULL if the device cannot migrate
 * @log_ops: DMA dirty logging callbacks, or NULL
 * @group: legacy group the device belongs to (VFIO_GROUP)
 * @group_next: link in the group's device list (VFIO_GROUP)
 * @iommu_entry: link for the legacy IOMMU driver's device list
 * @dev_set: the device set; a device is alone in its own if the driver
 *	assigns none
 * @dev_set_list: link in @dev_set's device list
 * @migration_flags: VFIO_MIGRATION_* the device supports
 * @kvm: the KVM the device file was associated with when it was opened
 * @index: the device's number: the N of vfioN
 * @device: the vfio-dev class device, child of @dev; holds the lifetime
 *	of the whole structure
 * @cdev: /dev/vfio/devices/vfioN (VFIO_DEVICE_CDEV)
 * @refcount: registration references: one for being registered, one per
 *	open file; unregistration waits for it to reach zero
 * @open_count: how many times the device is opened through the driver's
 *	open_device(); protected by @dev_set->lock
 * @comp: completed when @refcount drops to zero
 * @unbound_files: cdev files of the device that are open but not bound,
 *	which an unregistration detaches; protected by @dev_set->lock
 * @iommufd_access: the emulated device's iommufd access, while bound
 * @put_kvm: how to drop the reference on @kvm
 * @inode: private inode whose address space holds every userspace mapping
 *	of the device, so that drivers can zap them all
 * @iommufd_device: the physical device's iommufd device, while bound
 * @iommufd_attached: the physical device is attached to a page table
 * @cdev_opened: the device is open through its cdev, not its group
 * @debug_root: the device's debugfs directory
 */
struct vfio_device {
	/* set by the driver */
	struct device *dev;
	const struct vfio_device_ops *ops;
	unsigned int migration_flags;
	const struct vfio_migration_ops *mig_ops;
	const struct vfio_log_ops *log_ops;

	/* set by the core, read by drivers */
	struct vfio_device_set *dev_set;
	struct list_head dev_set_list;
	struct kvm *kvm;
	struct inode *inode;

	/* the legacy layers' links */
#if IS_ENABLED(CONFIG_VFIO_GROUP)
	struct vfio_group *group;
	struct list_head group_next;
	struct list_head iommu_entry;
#endif

	/* Members below are private to the VFIO core. */

	/* identity and visibility */
	struct device device;
	unsigned int index;
#if IS_ENABLED(CONFIG_VFIO_DEVICE_CDEV)
	struct cdev cdev;
#endif
#ifdef CONFIG_DEBUG_FS
	struct dentry *debug_root;
#endif
	/* users: registration references, and opens under dev_set->lock */
	refcount_t refcount;
	struct completion comp;
	struct list_head unbound_files;
	unsigned int open_count;
	u8 cdev_opened:1;
	u8 unregistering:1;
	u8 noiommu:1;
	void (*put_kvm)(struct kvm *kvm);
	/* iommufd binding, under dev_set->lock */
#if IS_ENABLED(CONFIG_IOMMUFD)
	u8 iommufd_attached:1;
	struct iommufd_device *iommufd_device;
#endif
	struct iommufd_access *iommufd_access;
};

/**
 * struct vfio_device_ops - what a VFIO driver provides
 * @name: the driver's name
 * @init: set up the driver's part of a newly allocated device
 * @release: free what @init set up; the core frees the structure
 * @bind_iommufd: bind to an iommufd and return the iommufd device id
 * @unbind_iommufd: undo @bind_iommufd
 * @attach_ioas: attach to the IOAS or HWPT @pt_id, replacing any earlier
 *	attachment; returns in @pt_id the page table actually used
 * @detach_ioas: detach from the page table, blocking DMA
 * @open_device: the first open of the device (the core counts the rest)
 * @close_device: the last close of the device
 * @read: read from a region of the device file
 * @write: write to a region of the device file
 * @ioctl: every device ioctl the core does not handle itself
 * @mmap: map a region of the device file
 * @request: the core wants the device back (it is being unregistered);
 *	@count says how many times it has asked
 * @match: does @buf, a VFIO_GROUP_GET_DEVICE_FD name, name this device?
 *	Returns 1 if so, 0 if not, or a negative errno to fail the lookup
 * @match_token_uuid: may the device be bound with this VF token (NULL: with
 *	none)?  Returns 0 or a negative errno (-EACCES: a token is needed, or
 *	it is the wrong one).  Optional: without it, VFIO_DEVICE_BIND_IOMMUFD
 *	asks @match with the device's name and any token, as the group would
 *	be asked for it
 * @dma_unmap: a range of IOVA the device may have pinned is going away
 * @device_feature: the VFIO_DEVICE_FEATURE calls the core does not handle
 *
 * The four iommufd callbacks are required when CONFIG_IOMMUFD is enabled;
 * drivers use the vfio_iommufd_physical_*() or vfio_iommufd_emulated_*()
 * helpers for them.
 */
struct vfio_device_ops {
	char	*name;

	/* the driver's part of the structure */
	int	(*init)(struct vfio_device *vdev);
	void	(*release)(struct vfio_device *vdev);

	/* the first open and the last close */
	int	(*open_device)(struct vfio_device *vdev);
	void	(*close_device)(struct vfio_device *vdev);

	/* DMA through iommufd */
	int	(*bind_iommufd)(struct vfio_device *vdev,
				struct iommufd_ctx *ictx, u32 *out_device_id);
	void	(*unbind_iommufd)(struct vfio_device *vdev);
	int	(*attach_ioas)(struct vfio_device *vdev, u32 *pt_id);
	void	(*detach_ioas)(struct vfio_device *vdev);
	void	(*dma_unmap)(struct vfio_device *vdev, u64 iova, u64 length);

	/* the device file */
	ssize_t	(*read)(struct vfio_device *vdev, char __user *buf,
			size_t count, loff_t *ppos);
	ssize_t	(*write)(struct vfio_device *vdev, const char __user *buf,
			 size_t count, loff_t *size);
	int	(*mmap)(struct vfio_device *vdev, struct vm_area_struct *vma);
	long	(*ioctl)(struct vfio_device *vdev, unsigned int cmd,
			 unsigned long arg);
	int	(*device_feature)(struct vfio_device *device, u32 flags,
				  void __user *arg, size_t argsz);

	/* finding the device, and getting it back */
	int	(*match)(struct vfio_device *vdev, char *buf);
	int	(*match_token_uuid)(struct vfio_device *vdev, const uuid_t *uuid);
	void	(*request)(struct vfio_device *vdev, unsigned int count);
};

#if IS_ENABLED(CONFIG_IOMMUFD)
struct iommufd_ctx *vfio_iommufd_device_ictx(struct vfio_device *vdev);
int vfio_iommufd_get_dev_id(struct vfio_device *vdev, struct iommufd_ctx *ictx);
int vfio_iommufd_physical_bind(struct vfio_device *vdev,
			       struct iommufd_ctx *ictx, u32 *out_device_id);
void vfio_iommufd_physical_unbind(struct vfio_device *vdev);
int vfio_iommufd_physical_attach_ioas(struct vfio_device *vdev, u32 *pt_id);
void vfio_iommufd_physical_detach_ioas(struct vfio_device *vdev);
int vfio_iommufd_emulated_bind(struct vfio_device *vdev,
			       struct iommufd_ctx *ictx, u32 *out_device_id);
void vfio_iommufd_emulated_unbind(struct vfio_device *vdev);
int vfio_iommufd_emulated_attach_ioas(struct vfio_device *vdev, u32 *pt_id);
void vfio_iommufd_emulated_detach_ioas(struct vfio_device *vdev);
#else
static inline struct iommufd_ctx *
vfio_iommufd_device_ictx(struct vfio_device *vdev)
{
	return NULL;
}

static inline int
vfio_iommufd_get_dev_id(struct vfio_device *vdev, struct iommufd_ctx *ictx)
{
	return VFIO_PCI_DEVID_NOT_OWNED;
}

/*
 * Without iommufd the helpers do not exist, but drivers name them in
 * their ops tables: give those entries the right type and no function.
 */
typedef int vfio_iommufd_bind_fn(struct vfio_device *vdev,
				 struct iommufd_ctx *ictx, u32 *out_device_id);
typedef int vfio_iommufd_attach_fn(struct vfio_device *vdev, u32 *pt_id);
typedef void vfio_iommufd_undo_fn(struct vfio_device *vdev);

#define vfio_iommufd_physical_bind		((vfio_iommufd_bind_fn *)NULL)
#define vfio_iommufd_physical_unbind		((vfio_iommufd_undo_fn *)NULL)
#define vfio_iommufd_physical_attach_ioas	((vfio_iommufd_attach_fn *)NULL)
#define vfio_iommufd_physical_detach_ioas	((vfio_iommufd_undo_fn *)NULL)
#define vfio_iommufd_emulated_bind		((vfio_iommufd_bind_fn *)NULL)
#define vfio_iommufd_emulated_unbind		((vfio_iommufd_undo_fn *)NULL)
#define vfio_iommufd_emulated_attach_ioas	((vfio_iommufd_attach_fn *)NULL)
#define vfio_iommufd_emulated_detach_ioas	((vfio_iommufd_undo_fn *)NULL)
#endif

/* True when the device is in use through its cdev rather than its group. */
static inline bool vfio_device_cdev_opened(struct vfio_device *device)
{
	return device->cdev_opened;
}

/**
 * struct vfio_migration_ops - a migratable device's callbacks
 * @migration_set_state: move to @new_state, one step of the migration
 *	state machine (see vfio_mig_get_next_state()); returns the data
 *	stream's file for states that have one, NULL for others, or an
 *	ERR_PTR
 * @migration_get_state: report the current state
 * @migration_get_data_size: estimate the bytes STOP_COPY will produce
 */
struct vfio_migration_ops {
	struct file *(*migration_set_state)(struct vfio_device *vdev,
					    enum vfio_device_mig_state target);
	int (*migration_get_state)(struct vfio_device *vdev,
				   enum vfio_device_mig_state *state);
	int (*migration_get_data_size)(struct vfio_device *vdev,
				       unsigned long *bytes);
};

/**
 * struct vfio_log_ops - a device's own tracking of the pages it writes
 * @log_start: start tracking the IOVA ranges of the interval tree @tree
 *	(@count of them); the driver may round *@granule up to the
 *	granularity it supports
 * @log_stop: stop tracking
 * @log_read_and_clear: mark in @bitmap the pages of [@start, @start + @size)
 *	written since the last call, and forget them
 */
struct vfio_log_ops {
	int (*log_start)(struct vfio_device *vdev, struct rb_root_cached *tree,
			 u32 count, u64 *granule);
	int (*log_stop)(struct vfio_device *vdev);
	int (*log_read_and_clear)(struct vfio_device *vdev, unsigned long start,
				  unsigned long size, struct iova_bitmap *bitmap);
};

/**
 * vfio_check_feature - common checks of a driver's VFIO_DEVICE_FEATURE
 * @flags: the call's flags
 * @argsz: the size of the feature's data the caller gave
 * @supported_ops: which of VFIO_DEVICE_FEATURE_GET and _SET the feature has
 * @minsz: the size of the feature's data
 *
 * Return: 1 to go on and do the GET or SET, 0 when the call was a probe
 * that succeeded, or -EINVAL.
 */
static inline int vfio_check_feature(u32 flags, size_t argsz, u32 supported_ops,
				     size_t minsz)
{
	u32 ops = flags & (VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET);

	if (ops & ~supported_ops)
		return -EINVAL;
	if (flags & VFIO_DEVICE_FEATURE_PROBE)
		return 0;
	if (!ops || argsz < minsz)
		return -EINVAL;
	return 1;
}

/* ---- Drivers: the device's life --------------------------------------- */

struct vfio_device *_vfio_alloc_device(size_t size, struct device *dev,
				       const struct vfio_device_ops *ops);

/**
 * vfio_alloc_device - allocate a driver's device structure
 * @dev_struct: the driver's structure type
 * @member: its struct vfio_device member, which must come first
 * @dev: the device being exposed
 * @ops: the driver's callbacks
 *
 * Return: the new structure, or an ERR_PTR.  Free it with vfio_put_device().
 */
#define vfio_alloc_device(dev_struct, member, dev, ops)				\
	container_of(_vfio_alloc_device(sizeof(struct dev_struct) +		\
					BUILD_BUG_ON_ZERO(offsetof(		\
						struct dev_struct, member)),	\
					dev, ops),				\
		     struct dev_struct, member)

/* Drop the allocation reference; the last one releases the device. */
static inline void vfio_put_device(struct vfio_device *device)
{
	put_device(&device->device);
}

int vfio_assign_device_set(struct vfio_device *device, void *set_id);
int vfio_register_group_dev(struct vfio_device *device);
int vfio_register_emulated_iommu_dev(struct vfio_device *device);
void vfio_unregister_group_dev(struct vfio_device *device);

/* Under the device set's lock: resets of a whole set. */
struct vfio_device *
vfio_find_device_in_devset(struct vfio_device_set *dev_set,
			   struct device *dev);
unsigned int vfio_device_set_open_count(struct vfio_device_set *dev_set);

/* ---- Drivers: migration ------------------------------------------------ */

int vfio_mig_get_next_state(struct vfio_device *device,
			    enum vfio_device_mig_state cur_fsm,
			    enum vfio_device_mig_state new_fsm,
			    enum vfio_device_mig_state *next_fsm);
void vfio_combine_iova_ranges(struct rb_root_cached *root, u32 cur_nodes,
			      u32 req_nodes);

/* ---- Drivers of emulated-IOMMU devices: their DMA ---------------------- */

#define VFIO_PIN_PAGES_MAX_ENTRIES	(PAGE_SIZE / sizeof(unsigned long))

int vfio_pin_pages(struct vfio_device *device, dma_addr_t iova,
		   int npage, int prot, struct page **pages);
void vfio_unpin_pages(struct vfio_device *device, dma_addr_t iova, int npage);
int vfio_dma_rw(struct vfio_device *device, dma_addr_t iova,
		void *data, size_t len, bool write);

/* ---- KVM and vfio-pci: questions about VFIO files ---------------------- */

bool vfio_file_is_valid(struct file *file);
void vfio_file_set_kvm(struct file *file, struct kvm *kvm);
bool vfio_file_enforced_coherent(struct file *file);
struct iommu_group *vfio_file_iommu_group(struct file *file);
#if IS_ENABLED(CONFIG_VFIO_GROUP)
bool vfio_file_is_group(struct file *file);
bool vfio_file_has_dev(struct file *file, struct vfio_device *device);
#else
static inline bool vfio_file_is_group(struct file *file)
{
	return false;
}

static inline bool vfio_file_has_dev(struct file *file, struct vfio_device *device)
{
	return false;
}
#endif

/* ---- Drivers: ioctl helpers -------------------------------------------- */

/**
 * struct vfio_info_cap - a capability chain being built
 * @buf: the chain, reallocated as capabilities are added
 * @size: its size in bytes
 */
struct vfio_info_cap {
	struct vfio_info_cap_header *buf;
	size_t size;
};

struct vfio_info_cap_header *vfio_info_cap_add(struct vfio_info_cap *caps,
					       size_t size, u16 id,
					       u16 version);
void vfio_info_cap_shift(struct vfio_info_cap *caps, size_t offset);
int vfio_info_add_capability(struct vfio_info_cap *caps,
			     struct vfio_info_cap_header *cap, size_t size);

int vfio_set_irqs_validate_and_prepare(struct vfio_irq_set *hdr,
				       int num_irqs, int max_irq_type,
				       size_t *data_size);

/* ---- Drivers: eventfds that trigger work -------------------------------- */

/**
 * struct virqfd - an eventfd whose signals run a handler
 * @handler: runs, in atomic context, on every signal; a non-zero return
 *	also schedules @thread
 * @thread: runs from a workqueue
 * @opaque: the driver's context, the handlers' first argument
 * @data: the handlers' second argument
 * @pvirqfd: the driver's pointer to this virqfd, cleared on shutdown
 * @eventfd: the eventfd
 * @wait: our entry in the eventfd's wait queue
 * @pt: used to add @wait to it
 * @inject: runs @thread
 * @flush_inject: waits for @inject to finish
 * @shutdown: tears the virqfd down
 */
struct virqfd {
	/* what the driver gave */
	int			(*handler)(void *opaque, void *data);
	void			(*thread)(void *opaque, void *data);
	void			*opaque;
	void			*data;
	struct virqfd		**pvirqfd;

	/* the eventfd and our place on its wait queue */
	struct eventfd_ctx	*eventfd;
	wait_queue_entry_t	wait;
	poll_table		pt;

	/* deferred work: the thread, waiting for it, and teardown */
	struct work_struct	inject;
	struct work_struct	flush_inject;
	struct work_struct	shutdown;
};

int vfio_virqfd_enable(void *opaque, int (*handler)(void *, void *),
		       void (*thread)(void *, void *), void *data,
		       struct virqfd **pvirqfd, int fd);
void vfio_virqfd_flush_thread(struct virqfd **pvirqfd);
void vfio_virqfd_disable(struct virqfd **pvirqfd);

#endif /* VFIO_H */
