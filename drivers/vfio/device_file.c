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
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/interval_tree.h>
#include <linux/iova_bitmap.h>
#include <linux/module.h>
#include <linux/pm_runtime.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vfio.h"

/**
 * vfio_device_file_alloc - the state of a new open of a device
 * @device: the device, on which the caller holds a registration reference
 *	that the new state takes over
 *
 * Return: the new state, or an ERR_PTR.
 */
struct vfio_device_file *vfio_device_file_alloc(struct vfio_device *device)
{
	struct vfio_device_file *df;

	df = kzalloc(sizeof(*df), GFP_KERNEL_ACCOUNT);
	if (!df)
		return ERR_PTR(-ENOMEM);
	df->device = device;
	spin_lock_init(&df->kvm_lock);
	return df;
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

/*
 * The KVM the device will serve while open: the one the file was added
 * to, or for a file from a group, the one the group was added to.  The
 * reference is taken under the lock KVM sets it with, so the KVM cannot be
 * freed in between.
 */
static void vfio_device_file_take_kvm(struct vfio_device_file *df)
{
	if (df->group) {
		vfio_group_take_kvm(df->group, df->device);
		return;
	}
	spin_lock(&df->kvm_lock);
	if (df->kvm)
		vfio_device_take_kvm(df->device, df->kvm);
	spin_unlock(&df->kvm_lock);
}

/* The first open: set up DMA, then let the driver open the device. */
static int vfio_device_first_open(struct vfio_device_file *df)
{
	struct vfio_device *device = df->device;
	int ret;

	if (!try_module_get(device->dev->driver->owner))
		return -ENODEV;

	vfio_device_file_take_kvm(df);

	if (df->iommufd)
		ret = vfio_iommufd_bind_file(df);
	else
		ret = vfio_group_open_device_dma(df);
	if (ret)
		goto err_drop_kvm;

	if (device->ops->open_device) {
		ret = device->ops->open_device(device);
		if (ret)
			goto err_close_dma;
	}
	return 0;

err_close_dma:
	if (df->iommufd)
		vfio_iommufd_unbind_file(df);
	else
		vfio_group_close_device_dma(df);
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
	if (df->iommufd)
		vfio_iommufd_unbind_file(df);
	else
		vfio_group_close_device_dma(df);
	vfio_device_drop_kvm(device);
	module_put(device->dev->driver->owner);
}

/**
 * vfio_device_file_open - open the device for a file
 * @df: the file's state; for a cdev file, @df->iommufd is set
 *
 * Called with the device set's lock held.  A device is opened through its
 * cdev only while nothing else has it open; through its group it may be
 * opened any number of times.
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
	if (device->open_count && !df->group)
		return -EINVAL;
	/* the driver's callbacks see the device open while they run */
	if (device->open_count++)
		return 0;
	ret = vfio_device_first_open(df);
	if (ret)
		device->open_count = 0;
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
}

/* ---- DEVICE_FEATURE ------------------------------------------------------ */

static int vfio_feature_migration(struct vfio_device *device, u32 flags,
				  void __user *arg, size_t argsz)
{
	struct vfio_device_feature_migration mig = {
		.flags = device->migration_flags,
	};

	return copy_to_user(arg, &mig, sizeof(mig)) ? -EFAULT : 0;
}

static int vfio_feature_mig_data_size(struct vfio_device *device, u32 flags,
				      void __user *arg, size_t argsz)
{
	struct vfio_device_feature_mig_data_size size = {};
	unsigned long length;
	int ret;

	ret = device->mig_ops->migration_get_data_size(device, &length);
	if (ret)
		return ret;
	size.stop_copy_length = length;
	return copy_to_user(arg, &size, sizeof(size)) ? -EFAULT : 0;
}

/* Give userspace the data stream of a new migration state. */
static int vfio_mig_install_stream(struct file *stream,
				   struct vfio_device_feature_mig_state __user *arg,
				   struct vfio_device_feature_mig_state *state)
{
	int fd = get_unused_fd_flags(O_CLOEXEC);

	if (fd < 0) {
		fput(stream);
		return fd;
	}
	state->data_fd = fd;
	if (copy_to_user(arg, state, sizeof(*state))) {
		put_unused_fd(fd);
		fput(stream);
		return -EFAULT;
	}
	fd_install(fd, stream);
	return 0;
}

static int vfio_feature_mig_state(struct vfio_device *device, u32 flags,
				  void __user *arg, size_t argsz)
{
	struct vfio_device_feature_mig_state state = { .data_fd = -1 };
	enum vfio_device_mig_state cur;
	struct file *stream;
	int ret;

	if (flags & VFIO_DEVICE_FEATURE_GET) {
		ret = device->mig_ops->migration_get_state(device, &cur);
		if (ret)
			return ret;
		state.device_state = cur;
		return copy_to_user(arg, &state, sizeof(state)) ? -EFAULT : 0;
	}

	if (copy_from_user(&state, arg, sizeof(state)))
		return -EFAULT;
	stream = device->mig_ops->migration_set_state(device, state.device_state);
	if (stream && !IS_ERR(stream))
		return vfio_mig_install_stream(stream, arg, &state);
	/* no stream: the user reads -1, also when the transition failed */
	state.data_fd = -1;
	if (copy_to_user(arg, &state, sizeof(state)))
		return -EFAULT;
	return PTR_ERR_OR_ZERO(stream);
}

#define VFIO_LOG_MAX_RANGES \
	(PAGE_SIZE / sizeof(struct vfio_device_feature_dma_logging_range))

/*
 * Read the ranges to track into an interval tree, refusing misaligned,
 * overflowing or overlapping ones.  On error the nodes are freed.
 */
static int vfio_log_ranges_read(struct vfio_device_feature_dma_logging_control *ctl,
				struct interval_tree_node *nodes,
				struct rb_root_cached *root)
{
	struct vfio_device_feature_dma_logging_range __user *uranges;
	struct vfio_device_feature_dma_logging_range range;
	u64 end;
	u32 i;

	uranges = u64_to_user_ptr(ctl->ranges);
	for (i = 0; i < ctl->num_ranges; i++) {
		if (copy_from_user(&range, &uranges[i], sizeof(range)))
			return -EFAULT;
		if (!IS_ALIGNED(range.iova, ctl->page_size) ||
		    !IS_ALIGNED(range.length, ctl->page_size))
			return -EINVAL;
		if (check_add_overflow(range.iova, range.length, &end) ||
		    end > ULONG_MAX)
			return -EOVERFLOW;
		nodes[i].start = range.iova;
		nodes[i].last = end - 1;
		if (interval_tree_iter_first(root, nodes[i].start, nodes[i].last))
			return -EINVAL;
		interval_tree_insert(&nodes[i], root);
	}
	return 0;
}

static int vfio_feature_log_start(struct vfio_device *device, u32 flags,
				  void __user *arg, size_t argsz)
{
	struct vfio_device_feature_dma_logging_control ctl;
	struct rb_root_cached root = RB_ROOT_CACHED;
	struct interval_tree_node *nodes;
	int ret;

	if (copy_from_user(&ctl, arg, sizeof(ctl)))
		return -EFAULT;
	if (!ctl.num_ranges)
		return -EINVAL;
	if (ctl.num_ranges > VFIO_LOG_MAX_RANGES)
		return -E2BIG;

	nodes = kmalloc_array(ctl.num_ranges, sizeof(*nodes), GFP_KERNEL);
	if (!nodes)
		return -ENOMEM;
	ret = vfio_log_ranges_read(&ctl, nodes, &root);
	if (ret)
		goto out_free;
	ret = device->log_ops->log_start(device, &root, ctl.num_ranges, &ctl.page_size);
	if (ret)
		goto out_free;
	/* the driver may have rounded the page size up */
	if (copy_to_user(arg, &ctl, sizeof(ctl))) {
		device->log_ops->log_stop(device);
		ret = -EFAULT;
	}
out_free:
	kfree(nodes);
	return ret;
}

static int vfio_feature_log_stop(struct vfio_device *device, u32 flags,
				 void __user *arg, size_t argsz)
{
	return device->log_ops->log_stop(device);
}

static int vfio_log_read_chunk(struct iova_bitmap *bitmap, unsigned long iova,
			       size_t length, void *opaque)
{
	struct vfio_device *device = opaque;

	return device->log_ops->log_read_and_clear(device, iova, length, bitmap);
}

static int vfio_feature_log_report(struct vfio_device *device, u32 flags,
				   void __user *arg, size_t argsz)
{
	struct vfio_device_feature_dma_logging_report report;
	struct iova_bitmap *bitmap;
	u64 end;
	int ret;

	if (copy_from_user(&report, arg, sizeof(report)))
		return -EFAULT;
	if (report.page_size < SZ_4K || !is_power_of_2(report.page_size))
		return -EINVAL;
	if (check_add_overflow(report.iova, report.length, &end) || end > ULONG_MAX)
		return -EOVERFLOW;

	bitmap = iova_bitmap_alloc(report.iova, report.length, report.page_size,
				   u64_to_user_ptr(report.bitmap));
	if (IS_ERR(bitmap))
		return PTR_ERR(bitmap);
	ret = iova_bitmap_for_each(bitmap, device, vfio_log_read_chunk);
	iova_bitmap_free(bitmap);
	return ret;
}

typedef int (*vfio_feature_fn)(struct vfio_device *device, u32 flags,
			       void __user *arg, size_t argsz);

/* What a feature needs from the device */
enum { VFIO_FEATURE_MIG = 1, VFIO_FEATURE_LOG };

/*
 * The features the core implements; the driver gets all the others.  The
 * dispatcher checks, for every one, that the device has the callbacks it
 * needs, that the call asks only for the supported GET/SET, and that the
 * data is large enough; a probe ends there.  The handlers do the rest.
 */
static const struct {
	vfio_feature_fn fn;
	u8 needs;
	u32 ops;
	size_t size;
} vfio_core_features[] = {
	[VFIO_DEVICE_FEATURE_MIGRATION] = {
		vfio_feature_migration, VFIO_FEATURE_MIG, VFIO_DEVICE_FEATURE_GET,
		sizeof(struct vfio_device_feature_migration) },
	[VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE] = {
		vfio_feature_mig_state, VFIO_FEATURE_MIG,
		VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET,
		sizeof(struct vfio_device_feature_mig_state) },
	[VFIO_DEVICE_FEATURE_DMA_LOGGING_START] = {
		vfio_feature_log_start, VFIO_FEATURE_LOG, VFIO_DEVICE_FEATURE_SET,
		sizeof(struct vfio_device_feature_dma_logging_control) },
	[VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP] = {
		vfio_feature_log_stop, VFIO_FEATURE_LOG, VFIO_DEVICE_FEATURE_SET, 0 },
	[VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT] = {
		vfio_feature_log_report, VFIO_FEATURE_LOG, VFIO_DEVICE_FEATURE_GET,
		sizeof(struct vfio_device_feature_dma_logging_report) },
	[VFIO_DEVICE_FEATURE_MIG_DATA_SIZE] = {
		vfio_feature_mig_data_size, VFIO_FEATURE_MIG, VFIO_DEVICE_FEATURE_GET,
		sizeof(struct vfio_device_feature_mig_data_size) },
};

static int vfio_core_feature(struct vfio_device *device, u32 index, u32 flags,
			     void __user *arg, size_t argsz)
{
	bool has = vfio_core_features[index].needs == VFIO_FEATURE_MIG ?
		   !!device->mig_ops : !!device->log_ops;
	int ret;

	if (!has)
		return -ENOTTY;
	ret = vfio_check_feature(flags, argsz, vfio_core_features[index].ops,
				 vfio_core_features[index].size);
	if (ret != 1)
		return ret;
	return vfio_core_features[index].fn(device, flags, arg, argsz);
}

static int vfio_device_feature(struct vfio_device *device,
			       struct vfio_device_feature __user *uarg)
{
	const size_t hdr = offsetofend(struct vfio_device_feature, flags);
	const u32 ops = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET;
	struct vfio_device_feature feature;
	u32 index;

	if (copy_from_user(&feature, uarg, hdr))
		return -EFAULT;
	if (feature.argsz < hdr)
		return -EINVAL;
	if (feature.flags & ~(VFIO_DEVICE_FEATURE_MASK | ops | VFIO_DEVICE_FEATURE_PROBE))
		return -EINVAL;
	/* GET and SET at once only make sense as a question */
	if ((feature.flags & ops) == ops && !(feature.flags & VFIO_DEVICE_FEATURE_PROBE))
		return -EINVAL;

	index = feature.flags & VFIO_DEVICE_FEATURE_MASK;
	if (index < ARRAY_SIZE(vfio_core_features) && vfio_core_features[index].fn)
		return vfio_core_feature(device, index, feature.flags, uarg->data,
					 feature.argsz - hdr);
	if (!device->ops->device_feature)
		return -ENOTTY;
	return device->ops->device_feature(device, feature.flags, uarg->data,
					   feature.argsz - hdr);
}

/* ---- File operations ----------------------------------------------------- */

static int vfio_device_fops_release(struct inode *inode, struct file *file)
{
	struct vfio_device_file *df = file->private_data;
	struct vfio_device *device = df->device;

	if (df->group)
		vfio_group_release_device_file(df);
	else
		vfio_cdev_release_file(df);
	kfree(df);
	vfio_device_put_user(device);
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

static long vfio_device_fops_ioctl(struct file *file, unsigned int cmd,
				   unsigned long arg)
{
	struct vfio_device_file *df = file->private_data;
	struct vfio_device *device = df->device;
	void __user *uarg = (void __user *)arg;
	long ret;

	/* binding is what grants access, so it comes before the check */
	if (cmd == VFIO_DEVICE_BIND_IOMMUFD)
		return vfio_cdev_ioctl(df, cmd, uarg);
	if (!vfio_device_file_granted(df))
		return -EINVAL;

	ret = vfio_device_resume(device);
	if (ret)
		return ret;

	switch (cmd) {
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
	case VFIO_DEVICE_DETACH_IOMMUFD_PT:
		/* files obtained from a group leave these to the driver */
		if (!df->group) {
			ret = vfio_cdev_ioctl(df, cmd, uarg);
			break;
		}
		fallthrough;
	default:
		if (cmd == VFIO_DEVICE_FEATURE)
			ret = vfio_device_feature(device, uarg);
		else if (device->ops->ioctl)
			ret = device->ops->ioctl(device, cmd, arg);
		else
			ret = -EINVAL;
		break;
	}

	vfio_device_idle(device);
	return ret;
}

static ssize_t vfio_device_fops_read(struct file *file, char __user *buf,
				     size_t count, loff_t *ppos)
{
	struct vfio_device_file *df = file->private_data;
	struct vfio_device *device = df->device;

	if (!vfio_device_file_granted(df) || !device->ops->read)
		return -EINVAL;
	return device->ops->read(device, buf, count, ppos);
}

static ssize_t vfio_device_fops_write(struct file *file, const char __user *buf,
				      size_t count, loff_t *ppos)
{
	struct vfio_device_file *df = file->private_data;
	struct vfio_device *device = df->device;

	if (!vfio_device_file_granted(df) || !device->ops->write)
		return -EINVAL;
	return device->ops->write(device, buf, count, ppos);
}

static int vfio_device_fops_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vfio_device_file *df = file->private_data;
	struct vfio_device *device = df->device;

	if (!vfio_device_file_granted(df) || !device->ops->mmap)
		return -EINVAL;
	return device->ops->mmap(device, vma);
}

/* Which device a file is, for tools that only see the process's files. */
static void vfio_device_fops_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct vfio_device_file *df = file->private_data;
	char *path;

	path = kobject_get_path(&df->device->dev->kobj, GFP_KERNEL);
	if (!path)
		return;
	seq_printf(m, "vfio-device-syspath: /sys%s\n", path);
	kfree(path);
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
