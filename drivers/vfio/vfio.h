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
 *                  device; the file operations and the core's own ioctls
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
 * The legacy group and container (compat/) sit on top of the core and are
 * reached only through the vfio_group_*() and vfio_container_*() hooks
 * declared here, which collapse to stubs when CONFIG_VFIO_GROUP is off.
 *
 * Locking
 * -------
 * vfio_device_set.lock (a mutex) protects, for every device of the set:
 * vfio_device.open_count, the binding of each device file (its iommufd,
 * devid and access_granted), vfio_device.kvm and put_kvm, the iommufd
 * state of the device (iommufd_device, iommufd_attached, iommufd_access)
 * and cdev_opened.  Drivers' open_device/close_device and the iommufd
 * callbacks run under it.
 *
 * vfio_device_file.kvm_lock (a spinlock) protects vfio_device_file.kvm.
 * KVM calls vfio_file_set_kvm() with kvm->lock held, so nothing that
 * nests under it may take a mutex.
 *
 * Lock order:  group.group_lock  ->  vfio_device_set.lock  ->  iommufd
 *                                                          ->  kvm_lock
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
#include <linux/module.h>
#include <linux/vfio.h>

struct iommufd_ctx;
struct iommu_group;
struct vfio_container;

/**
 * struct vfio_device_file - one open of a device
 * @device: the device; the file holds a registration reference on it
 * @group: the group it was obtained from, or NULL for a cdev open
 * @iommufd: the iommufd the device's DMA is set up through: a cdev file's
 *	own, or its group's
 * @devid: the device's id in @iommufd
 * @access_granted: the file may be used (bound, and the device opened)
 * @kvm: the KVM this file was added to (KVM_DEV_VFIO_FILE_ADD), consumed
 *	when the device is opened
 * @kvm_lock: protects @kvm
 */
struct vfio_device_file {
	u8 access_granted;
	struct vfio_device *device;
	struct iommufd_ctx *iommufd;
	u32 devid;
	struct vfio_group *group;
	spinlock_t kvm_lock;	/* protects @kvm */
	struct kvm *kvm;
};

/* device.c */
bool vfio_device_get_user(struct vfio_device *device);
void vfio_device_put_user(struct vfio_device *device);
int vfio_device_init_core(void);
void vfio_device_exit_core(void);
extern struct class *vfio_device_class;

/* device_file.c */
extern const struct file_operations vfio_device_fops;
struct vfio_device_file *vfio_device_file_alloc(struct vfio_device *device);
int vfio_device_file_open(struct vfio_device_file *df);
void vfio_device_file_close(struct vfio_device_file *df);
void vfio_device_file_grant(struct vfio_device_file *df);
bool vfio_device_file_granted(struct vfio_device_file *df);

/* Whether the device file of @file is usable, and its state if so. */
static inline struct vfio_device_file *vfio_device_file_of(struct file *file)
{
	return file->f_op == &vfio_device_fops ? file->private_data : NULL;
}

#ifdef CONFIG_VFIO_NOIOMMU
extern bool vfio_noiommu __read_mostly;
#else
enum { vfio_noiommu = false };
#endif

/* How the group of a device is backed, for the legacy IOMMU drivers. */
enum vfio_group_type {
	VFIO_IOMMU,		/* a real IOMMU group */
	VFIO_EMULATED_IOMMU,	/* a group of its own; DMA through the driver */
	VFIO_NO_IOMMU,		/* a group of its own; no DMA isolation */
};

#if IS_ENABLED(CONFIG_VFIO_GROUP)
/*
 * The legacy layer (compat/group.c).  The core calls these at
 * registration, open, close and cdev bind; they never call back into the
 * core under a core lock.
 */
int vfio_group_attach_device(struct vfio_device *device, enum vfio_group_type type);
void vfio_group_detach_device(struct vfio_device *device);
void vfio_group_publish_device(struct vfio_device *device);
void vfio_group_withdraw_device(struct vfio_device *device);
int vfio_group_block_cdev(struct vfio_device *device);
void vfio_group_unblock_cdev(struct vfio_device *device);
int vfio_group_open_device_dma(struct vfio_device_file *df);
void vfio_group_close_device_dma(struct vfio_device_file *df);
void vfio_group_release_device_file(struct vfio_device_file *df);
struct vfio_group *vfio_group_of_file(struct file *file);
bool vfio_group_coherent(struct vfio_group *group);
void vfio_group_set_kvm(struct vfio_group *group, struct kvm *kvm);
struct iommu_group *vfio_group_iommu_group(struct vfio_group *group);
void vfio_group_take_kvm(struct vfio_group *group, struct vfio_device *device);
bool vfio_device_is_noiommu(struct vfio_device *device);
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

static inline int vfio_group_open_device_dma(struct vfio_device_file *df)
{
	return -EOPNOTSUPP;
}

static inline void vfio_group_close_device_dma(struct vfio_device_file *df) { }
static inline void vfio_group_release_device_file(struct vfio_device_file *df) { }

static inline struct vfio_group *vfio_group_of_file(struct file *file)
{
	return NULL;
}

static inline bool vfio_group_coherent(struct vfio_group *group)
{
	return true;
}

static inline void vfio_group_set_kvm(struct vfio_group *group, struct kvm *kvm) { }

static inline struct iommu_group *vfio_group_iommu_group(struct vfio_group *group)
{
	return NULL;
}

static inline void vfio_group_take_kvm(struct vfio_group *group,
				       struct vfio_device *device) { }

static inline bool vfio_device_is_noiommu(struct vfio_device *device)
{
	return false;
}

static inline int vfio_group_init(void)
{
	return 0;
}

static inline void vfio_group_exit(void) { }
#endif /* CONFIG_VFIO_GROUP */

#if IS_ENABLED(CONFIG_VFIO_CONTAINER)
/**
 * struct vfio_iommu_driver_ops - a legacy IOMMU model for the container
 * @name: the model's name
 * @owner: its module
 * @open: create the model's state for a container; @arg is the model
 *	number given to VFIO_SET_IOMMU
 * @release: free that state
 * @attach_group: a group joins the container
 * @detach_group: a group leaves it
 * @group_iommu_domain: the IOMMU domain of a group in the container
 * @register_device: an emulated device of the container was opened
 * @unregister_device: it was closed
 * @pin_pages: pin pages for an emulated device (see vfio_pin_pages())
 * @unpin_pages: unpin them
 * @dma_rw: access DMA memory for an emulated device
 * @ioctl: the container ioctls the model implements, and
 *	VFIO_CHECK_EXTENSION (with NULL state before a model is chosen)
 */
struct vfio_iommu_driver_ops {
	/* the model and the container's instance of it */
	char *name;
	struct module *owner;
	void *(*open)(unsigned long arg);
	void (*release)(void *iommu_data);

	/* groups in the container */
	int (*attach_group)(void *iommu_data, struct iommu_group *group,
			    enum vfio_group_type);
	void (*detach_group)(void *iommu_data, struct iommu_group *group);
	struct iommu_domain *(*group_iommu_domain)(void *iommu_data,
						   struct iommu_group *group);

	/* emulated devices and the DMA their drivers do for them */
	void (*register_device)(void *iommu_data, struct vfio_device *vdev);
	void (*unregister_device)(void *iommu_data, struct vfio_device *vdev);
	int (*pin_pages)(void *iommu_data, struct iommu_group *group,
			 dma_addr_t user_iova, int npage, int prot,
			 struct page **pages);
	void (*unpin_pages)(void *iommu_data, dma_addr_t user_iova, int npage);
	int (*dma_rw)(void *iommu_data, dma_addr_t user_iova, void *data,
		      size_t count, bool write);

	/* userspace */
	long (*ioctl)(void *iommu_data, unsigned int cmd, unsigned long arg);
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

/* iommufd.c */
#if IS_ENABLED(CONFIG_IOMMUFD)
int vfio_iommufd_bind_file(struct vfio_device_file *df);
void vfio_iommufd_unbind_file(struct vfio_device_file *df);
#else
static inline int vfio_iommufd_bind_file(struct vfio_device_file *df)
{
	return -EOPNOTSUPP;
}

static inline void vfio_iommufd_unbind_file(struct vfio_device_file *df) { }
#endif

/* cdev.c */
#if IS_ENABLED(CONFIG_VFIO_DEVICE_CDEV)
int vfio_cdev_open(struct inode *inode, struct file *file);
int vfio_cdev_add_device(struct vfio_device *device);
void vfio_cdev_del_device(struct vfio_device *device);
long vfio_cdev_ioctl(struct vfio_device_file *df, unsigned int cmd,
		     void __user *uarg);
void vfio_cdev_release_file(struct vfio_device_file *df);
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

static inline long vfio_cdev_ioctl(struct vfio_device_file *df,
				   unsigned int cmd, void __user *uarg)
{
	return -ENOTTY;
}

static inline void vfio_cdev_release_file(struct vfio_device_file *df) { }

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

/* helpers.c: KVM reference taken at first open, dropped at last close */
void vfio_device_take_kvm(struct vfio_device *device, struct kvm *kvm);
void vfio_device_drop_kvm(struct vfio_device *device);

#endif /* __VFIO_VFIO_H__ */
