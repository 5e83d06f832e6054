// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO core: the device file.
 *
 * Every open of a device, through its cdev or through its group, is one
 * struct vfio_device_file behind a file with vfio_device_fops.  A file is
 * unusable until it is granted access: a cdev file when it is bound to an
 * iommufd, a group file at once.  Granting access opens the device: the
 * first grant runs the driver's open_device(), the last close its
 * close_device(); in between the device's open_count counts the grants.
 *
 * A cdev file that is not bound yet does not use the device: when the
 * device is unregistered, such a file is detached from it instead of being
 * waited for, and fails every later call with -ENODEV.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kvm_host.h>
#include <linux/module.h>
#include <linux/pm_runtime.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/uaccess.h>

#include "vfio.h"

/**
 * vfio_device_file_alloc - the state of a new open of a device
 * @device: the device, on which the caller holds a registration reference
 *	that the new state takes over
 * @ops: how the file is obtained
 *
 * Return: the new state, or an ERR_PTR.
 */
struct vfio_device_file *vfio_device_file_alloc(struct vfio_device *device,
						const struct vfio_device_file_ops *ops)
{
	struct vfio_device_file *df;

	df = kzalloc(sizeof(*df), GFP_KERNEL_ACCOUNT);
	if (!df)
		return ERR_PTR(-ENOMEM);
	df->device = device;
	df->ops = ops;
	INIT_LIST_HEAD(&df->unbound_node);
	vfio_kvm_slot_init(&df->kvm);
	return df;
}

/**
 * vfio_device_file_install - make @file the file of @df
 * @df: the state
 * @file: a file with vfio_device_fops
 *
 * Every file of a device is readable, writable and seekable at offsets,
 * however it was obtained.
 */
void vfio_device_file_install(struct vfio_device_file *df, struct file *file)
{
	file->private_data = df;
	file->f_mode |= FMODE_PREAD | FMODE_PWRITE;
}

/**
 * vfio_device_file_map - map the file through the device's own inode
 * @df: the state of a file about to be granted access
 * @file: its file
 *
 * Done only for a file that will use the device, which keeps the inode
 * alive as long as the file is open: a detached file keeps the mapping of
 * its own inode.
 */
void vfio_device_file_map(struct vfio_device_file *df, struct file *file)
{
	file->f_mapping = df->device->inode->i_mapping;
}

/* ---- Files that are not bound --------------------------------------------- */

/*
 * A call that may look at the device of a file that is not bound (BIND,
 * fdinfo, KVM's questions) runs inside it and finds the device there as
 * long as vfio_device_file_detached() says no.
 */
DEFINE_SRCU(vfio_device_file_srcu);

/**
 * vfio_device_file_add_unbound - list a new cdev file as not bound
 * @df: the state of the file, which holds a registration reference
 *
 * Return: 0, or -ENODEV if the device is being unregistered.
 */
int vfio_device_file_add_unbound(struct vfio_device_file *df)
{
	struct vfio_device_set *set = df->device->dev_set;
	int ret = 0;

	mutex_lock(&set->lock);
	if (df->device->unregistering)
		ret = -ENODEV;
	else
		list_add_tail(&df->unbound_node, &df->device->unbound_files);
	mutex_unlock(&set->lock);
	return ret;
}

/**
 * vfio_device_file_bound - take a file that is being bound off the list
 * @df: the state of the file
 *
 * Called under the device set lock: from now on unregistration waits for
 * the file.
 */
void vfio_device_file_bound(struct vfio_device_file *df)
{
	lockdep_assert_held(&df->device->dev_set->lock);
	list_del_init(&df->unbound_node);
}

/**
 * vfio_device_file_forget_unbound - the last close of an unbound file
 * @df: the state of the file
 *
 * Leaves the file's registration reference, unless unregistration has
 * detached the file (and dropped it) already.
 */
void vfio_device_file_forget_unbound(struct vfio_device_file *df)
{
	struct vfio_device_set *set;
	int idx;

	idx = srcu_read_lock(&vfio_device_file_srcu);
	if (!vfio_device_file_detached(df)) {
		set = df->device->dev_set;
		mutex_lock(&set->lock);
		list_del_init(&df->unbound_node);
		mutex_unlock(&set->lock);
	}
	srcu_read_unlock(&vfio_device_file_srcu, idx);
}

/**
 * vfio_device_detach_unbound - detach the unbound files of a device
 * @device: the device, which takes no new files any more
 *
 * Called under the device set lock, in the section that marks the device
 * unregistering.
 *
 * Return: how many files were detached, for vfio_device_put_detached().
 */
unsigned int vfio_device_detach_unbound(struct vfio_device *device)
{
	struct vfio_device_file *df, *next;
	unsigned int detached = 0;

	lockdep_assert_held(&device->dev_set->lock);
	list_for_each_entry_safe(df, next, &device->unbound_files, unbound_node) {
		list_del_init(&df->unbound_node);
		WRITE_ONCE(df->detached, 1);
		detached++;
	}
	return detached;
}

/**
 * vfio_device_put_detached - drop the references of detached files
 * @device: the device
 * @detached: what vfio_device_detach_unbound() returned
 *
 * Each detached file's registration reference is dropped once no call on
 * it can still look at the device.
 */
void vfio_device_put_detached(struct vfio_device *device, unsigned int detached)
{
	if (!detached)
		return;
	synchronize_srcu(&vfio_device_file_srcu);
	while (detached--)
		vfio_device_put_registration(device);
}

/* What a call on a file that has no access gets. */
static long vfio_device_file_refused(struct vfio_device_file *df)
{
	return vfio_device_file_detached(df) ? -ENODEV : -EINVAL;
}

/* Access is granted once the device is open for this file. */
void vfio_device_file_grant(struct vfio_device_file *df)
{
	/* pairs with the acquire in vfio_device_file_granted() */
	smp_store_release(&df->access_granted, true);
}

bool vfio_device_file_granted(struct vfio_device_file *df)
{
	/* pairs with the release in vfio_device_file_grant() */
	return smp_load_acquire(&df->access_granted);
}

/* ---- KVM ----------------------------------------------------------------- */

/**
 * vfio_kvm_slot_init - an empty KVM slot
 * @slot: the slot
 */
void vfio_kvm_slot_init(struct vfio_kvm_slot *slot)
{
	spin_lock_init(&slot->lock);
	slot->kvm = NULL;
}

/**
 * vfio_kvm_slot_set - remember the KVM a file was added to
 * @slot: the file's slot
 * @kvm: the KVM, or NULL
 *
 * KVM calls in with its own locks held: only the slot's spinlock is taken.
 */
void vfio_kvm_slot_set(struct vfio_kvm_slot *slot, struct kvm *kvm)
{
	spin_lock(&slot->lock);
	slot->kvm = kvm;
	spin_unlock(&slot->lock);
}

/* A reference on @kvm for @device, unless the VM is being destroyed. */
static void vfio_device_get_kvm(struct vfio_device *device, struct kvm *kvm)
{
#if IS_ENABLED(CONFIG_KVM)
	void (*put)(struct kvm *kvm);
	bool (*get)(struct kvm *kvm);
	bool got;

	/* KVM may be a module that VFIO must not depend on */
	put = symbol_get(kvm_put_kvm);
	if (WARN_ON(!put))
		return;
	get = symbol_get(kvm_get_kvm_safe);
	if (WARN_ON(!get)) {
		symbol_put(kvm_put_kvm);
		return;
	}
	got = get(kvm);
	symbol_put(kvm_get_kvm_safe);
	if (!got) {
		symbol_put(kvm_put_kvm);
		return;
	}
	device->put_kvm = put;
	device->kvm = kvm;
#endif
}

/**
 * vfio_device_take_kvm - hold a reference on the KVM in a slot
 * @device: the device being opened
 * @slot: the slot of the file that opens it
 *
 * The reference is taken under the slot's lock, so the KVM cannot be freed
 * in between.  Called under the device set lock.
 */
void vfio_device_take_kvm(struct vfio_device *device, struct vfio_kvm_slot *slot)
{
	lockdep_assert_held(&device->dev_set->lock);
	spin_lock(&slot->lock);
	if (slot->kvm)
		vfio_device_get_kvm(device, slot->kvm);
	spin_unlock(&slot->lock);
}

/**
 * vfio_device_drop_kvm - drop the reference vfio_device_take_kvm() took
 * @device: the device being closed
 */
void vfio_device_drop_kvm(struct vfio_device *device)
{
#if IS_ENABLED(CONFIG_KVM)
	lockdep_assert_held(&device->dev_set->lock);
	if (!device->kvm)
		return;
	if (!WARN_ON(!device->put_kvm)) {
		device->put_kvm(device->kvm);
		symbol_put(kvm_put_kvm);
	}
	device->put_kvm = NULL;
	device->kvm = NULL;
#endif
}

/* ---- First open and last close ------------------------------------------- */

/* The first open: set up DMA, then let the driver open the device. */
static int vfio_device_first_open(struct vfio_device_file *df)
{
	struct vfio_device *device = df->device;
	int ret;

	if (!try_module_get(device->dev->driver->owner))
		return -ENODEV;

	vfio_device_take_kvm(device, df->ops->kvm_slot(df));
	ret = df->ops->open_dma(df);
	if (ret)
		goto err_drop_kvm;

	if (device->ops->open_device) {
		ret = device->ops->open_device(device);
		if (ret)
			goto err_close_dma;
	}
	return 0;

err_close_dma:
	df->ops->close_dma(df);
err_drop_kvm:
	vfio_device_drop_kvm(device);
	module_put(device->dev->driver->owner);
	return ret;
}

static void vfio_device_last_close(struct vfio_device_file *df)
{
	struct vfio_device *device = df->device;

	if (device->ops->close_device)
		device->ops->close_device(device);
	df->ops->close_dma(df);
	vfio_device_drop_kvm(device);
	module_put(device->dev->driver->owner);
}

/**
 * vfio_device_file_open - open the device for a file
 * @df: the file's state
 *
 * Called with the device set's lock held.  A device is opened through a
 * file whose ops are not @shared only while nothing else has it open;
 * through shared files (its group's) it may be opened any number of times.
 *
 * Return: 0 or a negative errno.
 */
int vfio_device_file_open(struct vfio_device_file *df)
{
	struct vfio_device *device = df->device;
	int ret;

	lockdep_assert_held(&device->dev_set->lock);

	if (device->unregistering)
		return -ENODEV;
	if (device->open_count && !df->ops->shared)
		return -EINVAL;
	/* the driver's callbacks see the device open while they run */
	device->open_count++;
	device->dev_set->open_count++;
	if (device->open_count > 1)
		return 0;
	ret = vfio_device_first_open(df);
	if (ret) {
		device->open_count--;
		device->dev_set->open_count--;
	}
	return ret;
}

/**
 * vfio_device_file_close - close the device for a file opened with
 *	vfio_device_file_open()
 * @df: the file's state
 *
 * Called with the device set's lock held.
 */
void vfio_device_file_close(struct vfio_device_file *df)
{
	struct vfio_device *device = df->device;

	lockdep_assert_held(&device->dev_set->lock);

	if (!device->open_count)
		return;
	if (device->open_count == 1)
		vfio_device_last_close(df);
	device->open_count--;
	device->dev_set->open_count--;
}

/**
 * vfio_device_file_create - a new device file, open and usable at once
 * @device: the device; the caller's registration reference moves to the
 *	file if one is returned
 * @ops: how the file is obtained; they must be @shared
 *
 * For files handed out by a group: the device is opened (its DMA through
 * @ops->open_dma at the first open) before the file exists.
 *
 * Return: the file, or an ERR_PTR.
 */
struct file *vfio_device_file_create(struct vfio_device *device,
				     const struct vfio_device_file_ops *ops)
{
	struct vfio_device_file *df;
	struct file *file;
	int ret;

	df = vfio_device_file_alloc(device, ops);
	if (IS_ERR(df))
		return ERR_CAST(df);

	mutex_lock(&device->dev_set->lock);
	ret = vfio_device_file_open(df);
	if (ret)
		goto err_unlock;
	file = anon_inode_getfile("[vfio-device]", &vfio_device_fops, df, O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		vfio_device_file_close(df);
		goto err_unlock;
	}
	vfio_device_file_install(df, file);
	vfio_device_file_map(df, file);
	vfio_device_file_grant(df);
	mutex_unlock(&device->dev_set->lock);
	return file;

err_unlock:
	mutex_unlock(&device->dev_set->lock);
	kfree(df);
	return ERR_PTR(ret);
}

/**
 * vfio_device_file_shutdown - close the device for a file from
 *	vfio_device_file_create(), as the file is released
 * @df: the file's state
 */
void vfio_device_file_shutdown(struct vfio_device_file *df)
{
	struct vfio_device *device = df->device;

	mutex_lock(&device->dev_set->lock);
	vfio_device_file_close(df);
	mutex_unlock(&device->dev_set->lock);
}

/* ---- File operations ----------------------------------------------------- */

static int vfio_device_fops_release(struct inode *inode, struct file *file)
{
	struct vfio_device_file *df = file->private_data;
	struct vfio_device *device = df->device;

	df->ops->release(df);
	/* a detached file's reference went with the device */
	if (!df->detached)
		vfio_device_put_registration(device);
	kfree(df);
	return 0;
}

/* Wake the device for the duration of a call, if its driver manages power. */
static int vfio_device_resume(struct vfio_device *device)
{
	struct device *dev = device->dev;
	int ret;

	if (!dev->driver || !dev->driver->pm)
		return 0;
	ret = pm_runtime_resume_and_get(dev);
	if (ret) {
		dev_info_ratelimited(dev, "vfio: could not resume: %d\n", ret);
		return -EIO;
	}
	return 0;
}

static void vfio_device_idle(struct vfio_device *device)
{
	struct device *dev = device->dev;

	if (dev->driver && dev->driver->pm)
		pm_runtime_put(dev);
}

/*
 * VFIO_DEVICE_BIND_IOMMUFD, for any device file: only a cdev file binds.
 * The table copied the fields up to out_devid, which every caller passes;
 * the token's address is read only with its flag, which needs an argsz
 * that covers it.
 */
static long vfio_device_file_bind(void *data, void *karg, void __user *uarg)
{
	struct vfio_device_bind_iommufd __user *ubind = uarg;
	struct vfio_device_bind_iommufd bind = {};
	struct file *file = data;
	struct vfio_device_file *df = file->private_data;

	memcpy(&bind, karg, offsetofend(typeof(bind), out_devid));
	if (bind.iommufd < 0)
		return -EINVAL;
	if (bind.flags & VFIO_DEVICE_BIND_FLAG_TOKEN) {
		if (bind.argsz < offsetofend(typeof(bind), token_uuid_ptr))
			return -EINVAL;
		if (get_user(bind.token_uuid_ptr, &ubind->token_uuid_ptr))
			return -EFAULT;
	}
	/* a file from a group is in use already, through the group */
	if (!df->ops->bind)
		return -EINVAL;
	return df->ops->bind(df, file, &bind, ubind);
}

/* The ioctls of every device file; the driver has all the others. */
static const struct vfio_ioctl_op vfio_device_file_bind_op =
	VFIO_IOCTL(VFIO_DEVICE_BIND_IOMMUFD, vfio_device_file_bind,
		   struct vfio_device_bind_iommufd, out_devid,
		   VFIO_DEVICE_BIND_FLAG_TOKEN);

static const struct vfio_ioctl_op vfio_device_file_feature_op =
	VFIO_IOCTL(VFIO_DEVICE_FEATURE, vfio_device_feature,
		   struct vfio_device_feature, flags,
		   VFIO_DEVICE_FEATURE_MASK | VFIO_DEVICE_FEATURE_GET |
		   VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_PROBE);

/*
 * The ioctls of the core and of the kinds of device file are four numbers in a
 * row of the ABI: everything else is the driver's, and is passed on without a
 * look at any table.
 */
static_assert(VFIO_DEVICE_BIND_IOMMUFD - VFIO_DEVICE_FEATURE == 1);
static_assert(VFIO_DEVICE_ATTACH_IOMMUFD_PT - VFIO_DEVICE_FEATURE == 2);
static_assert(VFIO_DEVICE_DETACH_IOMMUFD_PT - VFIO_DEVICE_FEATURE == 3);

static bool vfio_device_file_ioctl_is_core(unsigned int cmd)
{
	return cmd - VFIO_DEVICE_FEATURE <=
	       VFIO_DEVICE_DETACH_IOMMUFD_PT - VFIO_DEVICE_FEATURE;
}

/* An ioctl of the driver's, or (@op) of the core's, on a granted file. */
static __always_inline long vfio_device_file_call(struct vfio_device_file *df,
						  const struct vfio_ioctl_op *op,
						  unsigned int cmd,
						  unsigned long arg)
{
	struct vfio_device *device = df->device;
	long ret;

	if (!vfio_device_file_granted(df))
		return vfio_device_file_refused(df);
	ret = vfio_device_resume(device);
	if (ret)
		return ret;
	if (op)
		ret = __vfio_ioctl_call(op, df, (void __user *)arg);
	else if (device->ops->ioctl)
		ret = device->ops->ioctl(device, cmd, arg);
	else
		ret = -EINVAL;
	vfio_device_idle(device);
	return ret;
}

/* VFIO_DEVICE_FEATURE, which VMMs use at run time: a constant entry */
static noinline long vfio_device_file_feature(struct vfio_device_file *df,
					      unsigned long arg)
{
	return vfio_device_file_call(df, &vfio_device_file_feature_op,
				     VFIO_DEVICE_FEATURE, arg);
}

/* The core's other ioctls, then the file's own; the driver has the rest. */
static noinline long vfio_device_file_core_ioctl(struct file *file,
						 unsigned int cmd,
						 unsigned long arg)
{
	struct vfio_device_file *df = file->private_data;
	const struct vfio_ioctl_op *op;

	/*
	 * Binding is what grants access: no check before it.  Without cdevs
	 * there is nothing to bind.
	 */
	if (cmd == VFIO_DEVICE_BIND_IOMMUFD)
		return IS_ENABLED(CONFIG_VFIO_DEVICE_CDEV) ?
		       vfio_ioctl_call(&vfio_device_file_bind_op, file,
				       (void __user *)arg) : -ENOTTY;
	op = vfio_ioctl_find(df->ops->ioctls, df->ops->num_ioctls, cmd);
	return vfio_device_file_call(df, op, cmd, arg);
}

static long vfio_device_fops_ioctl(struct file *file, unsigned int cmd,
				   unsigned long arg)
{
	struct vfio_device_file *df = file->private_data;

	if (!vfio_device_file_ioctl_is_core(cmd))
		return vfio_device_file_call(df, NULL, cmd, arg);
	if (cmd == VFIO_DEVICE_FEATURE)
		return vfio_device_file_feature(df, arg);
	return vfio_device_file_core_ioctl(file, cmd, arg);
}

static ssize_t vfio_device_fops_read(struct file *file, char __user *buf,
				     size_t count, loff_t *ppos)
{
	struct vfio_device_file *df = file->private_data;
	struct vfio_device *device = df->device;

	if (!vfio_device_file_granted(df))
		return vfio_device_file_refused(df);
	if (!device->ops->read)
		return -EINVAL;
	return device->ops->read(device, buf, count, ppos);
}

static ssize_t vfio_device_fops_write(struct file *file, const char __user *buf,
				      size_t count, loff_t *ppos)
{
	struct vfio_device_file *df = file->private_data;
	struct vfio_device *device = df->device;

	if (!vfio_device_file_granted(df))
		return vfio_device_file_refused(df);
	if (!device->ops->write)
		return -EINVAL;
	return device->ops->write(device, buf, count, ppos);
}

static int vfio_device_fops_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vfio_device_file *df = file->private_data;
	struct vfio_device *device = df->device;

	if (!vfio_device_file_granted(df))
		return vfio_device_file_refused(df);
	if (!device->ops->mmap)
		return -EINVAL;
	return device->ops->mmap(device, vma);
}

/*
 * Which device a file is, and whether it uses it (through a cdev bind or
 * from its group), for tools that only see the process's files.
 */
static void vfio_device_fops_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct vfio_device_file *df = file->private_data;
	char *path = NULL;
	int idx;

	/* a detached file has no device to show */
	idx = srcu_read_lock(&vfio_device_file_srcu);
	if (!vfio_device_file_detached(df))
		path = kobject_get_path(&df->device->dev->kobj, GFP_KERNEL);
	srcu_read_unlock(&vfio_device_file_srcu, idx);
	if (!path)
		return;
	seq_printf(m, "vfio-device-syspath: /sys%s\n", path);
	kfree(path);
	if (vfio_device_file_granted(df))
		seq_printf(m, "vfio-device-bound: %s\n",
			   df->ops->bind ? "cdev" : "group");
}

const struct file_operations vfio_device_fops = {
	.owner		= THIS_MODULE,
	.open		= vfio_cdev_open,
	.release	= vfio_device_fops_release,
	.read		= vfio_device_fops_read,
	.write		= vfio_device_fops_write,
	.unlocked_ioctl	= vfio_device_fops_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= vfio_device_fops_mmap,
	.show_fdinfo	= vfio_device_fops_show_fdinfo,
};
