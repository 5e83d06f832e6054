// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO legacy interface: the group, /dev/vfio/$GROUP.
 *
 * Before devices had character devices of their own, userspace reached
 * them through the IOMMU group they belong to: it opens the group, puts
 * it in a container (or, since iommufd, joins it to an iommufd) and asks
 * it for device files by name.  This file keeps that interface working on
 * top of the device-centred core:
 *
 *  - a struct vfio_group exists while at least one VFIO device of its IOMMU
 *    group is registered; emulated and no-IOMMU devices get a group (and an
 *    IOMMU group) of their own;
 *  - the group file has one opener at a time, and is exclusive with cdev
 *    binds of the group's devices: whichever comes second gets -EBUSY;
 *  - the device files it hands out are ordinary core device files, granted
 *    at once; each holds the group file open, so the group cannot change
 *    its container or iommufd, or be reopened, under an open device.
 *
 * The last rule is the same for both ways of providing DMA, the container
 * and iommufd.  Upstream Linux 6.12 applies it to the container only and
 * lets a group joined to an iommufd be unset or closed while its devices
 * are open; see Documentation/driver-api/vfio-core.rst.
 */
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "compat.h"

static struct class *vfio_group_class;
static dev_t vfio_group_base;
static DEFINE_IDA(vfio_group_minors);

/*
 * The groups of real IOMMU groups by the id of their IOMMU group, so that
 * finding a device's group does not take longer as groups are added (a host
 * may have thousands, one per SR-IOV VF).  The other groups are never
 * looked for (each has an IOMMU group of its own, made with it) and are not
 * kept here.  The lock also covers how many devices each group has.
 */
static DEFINE_MUTEX(vfio_groups_lock);
static DEFINE_XARRAY(vfio_groups);

static const struct file_operations vfio_group_fops;

/**
 * vfio_group_of_file - the group behind a group file
 * @file: any file
 *
 * Return: the group, or NULL if @file is not a VFIO group file.
 */
struct vfio_group *vfio_group_of_file(struct file *file)
{
	return file->f_op == &vfio_group_fops ? file->private_data : NULL;
}

/**
 * vfio_file_is_group - is this a VFIO group file?
 * @file: any file
 *
 * Return: true for a file of /dev/vfio/$GROUP.
 */
bool vfio_file_is_group(struct file *file)
{
	return vfio_group_of_file(file);
}
EXPORT_SYMBOL_GPL(vfio_file_is_group);

/**
 * vfio_file_has_dev - does a group file give its owner the device?
 * @file: a VFIO file
 * @device: the device
 *
 * vfio-pci asks this of the group files given to a hot reset.
 *
 * Return: true if @file is the file of @device's group.
 */
bool vfio_file_has_dev(struct file *file, struct vfio_device *device)
{
	struct vfio_group *group = vfio_group_of_file(file);

	return group && group == device->group;
}
EXPORT_SYMBOL_GPL(vfio_file_has_dev);

/* Whether the group provides DMA for its devices: a container or an iommufd. */
static bool vfio_group_has_dma(struct vfio_group *group)
{
	lockdep_assert_held(&group->lock);
	return group->container || group->iommufd;
}

/* ---- Device files -------------------------------------------------------- */

/* A device's first open through the group: DMA from its container or iommufd */
static int vfio_group_open_dma(struct vfio_device_file *df)
{
	struct vfio_group *group = df->device->group;

	lockdep_assert_held(&group->lock);
	if (group->iommufd)
		return vfio_iommufd_compat_open(df->device, group->iommufd);
	if (WARN_ON(!group->container))
		return -EINVAL;
	return vfio_container_open_device(df->device);
}

static void vfio_group_close_dma(struct vfio_device_file *df)
{
	struct vfio_group *group = df->device->group;

	lockdep_assert_held(&group->lock);
	if (group->iommufd)
		vfio_iommufd_compat_close(df->device);
	else if (!WARN_ON(!group->container))
		vfio_container_close_device(df->device);
}

/*
 * A device obtained from a group serves the KVM the group file was added
 * to, not one its own file may have been added to.
 */
static struct vfio_kvm_slot *vfio_group_file_kvm_slot(struct vfio_device_file *df)
{
	struct vfio_group *group = df->device->group;

	return &group->kvm;
}

static void vfio_group_release_file(struct vfio_device_file *df)
{
	struct vfio_group *group = df->device->group;
	struct file *group_file;

	mutex_lock(&group->lock);
	vfio_device_file_shutdown(df);
	group->device_files--;
	group_file = group->opened_file;
	mutex_unlock(&group->lock);
	/* the device file held the group file open; it may close now */
	fput(group_file);
}

static const struct vfio_device_file_ops vfio_group_file_ops = {
	.shared		= true,
	.open_dma	= vfio_group_open_dma,
	.close_dma	= vfio_group_close_dma,
	.kvm_slot	= vfio_group_file_kvm_slot,
	.release	= vfio_group_release_file,
};

/* A new file for the device; the caller's registration reference moves to it. */
static struct file *vfio_group_device_file(struct vfio_group *group,
					   struct vfio_device *device)
{
	struct file *file;

	mutex_lock(&group->lock);
	if (!vfio_group_has_dma(group)) {
		mutex_unlock(&group->lock);
		return ERR_PTR(-EINVAL);
	}
	file = vfio_device_file_create(device, &vfio_group_file_ops);
	if (!IS_ERR(file)) {
		/* the device file keeps the group as it is now */
		get_file(group->opened_file);
		group->device_files++;
	}
	mutex_unlock(&group->lock);

	if (!IS_ERR(file) && group->type == VFIO_NO_IOMMU)
		dev_warn(device->dev, "opened without an IOMMU by %s (%d)\n",
			 current->comm, task_pid_nr(current));
	return file;
}

/*
 * The device a name stands for, with a registration reference.  A driver
 * with a match callback decides itself (vfio-pci accepts "BDF vf_token=..."
 * and refuses a wrong token); otherwise the name is the device's.
 */
static struct vfio_device *vfio_group_find_device(struct vfio_group *group,
						  char *name)
{
	struct vfio_device *device, *found = ERR_PTR(-ENODEV);
	int match;

	mutex_lock(&group->device_lock);
	list_for_each_entry(device, &group->devices, group_next) {
		if (device->ops->match)
			match = device->ops->match(device, name);
		else
			match = !strcmp(dev_name(device->dev), name);
		if (match < 0) {
			found = ERR_PTR(match);
			break;
		}
		if (match && vfio_device_try_get_registration(device)) {
			found = device;
			break;
		}
	}
	mutex_unlock(&group->device_lock);
	return found;
}

/* ---- The group file ------------------------------------------------------ */

static long vfio_group_get_device_fd(void *data, void *karg, void __user *uname)
{
	struct vfio_group *group = data;
	struct vfio_device *device;
	struct file *file;
	char *name;
	int fd;

	name = strndup_user(uname, PAGE_SIZE);
	if (IS_ERR(name))
		return PTR_ERR(name);
	device = vfio_group_find_device(group, name);
	kfree(name);
	if (IS_ERR(device))
		return PTR_ERR(device);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		vfio_device_put_registration(device);
		return fd;
	}
	file = vfio_group_device_file(group, device);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		vfio_device_put_registration(device);
		return PTR_ERR(file);
	}
	fd_install(fd, file);
	return fd;
}

static long vfio_group_get_status(void *data, void *karg, void __user *uarg)
{
	const size_t min = offsetofend(struct vfio_group_status, flags);
	struct vfio_group_status *status = karg;
	struct vfio_group *group = data;

	mutex_lock(&group->lock);
	if (!group->iommu_group) {
		mutex_unlock(&group->lock);
		return -ENODEV;
	}
	/*
	 * A group with a container has claimed its DMA and is usable.  One
	 * joined to an iommufd claims it only when a device is opened, which
	 * may still fail if a kernel driver holds a sibling.
	 */
	if (vfio_group_has_dma(group))
		status->flags = VFIO_GROUP_FLAGS_VIABLE |
				VFIO_GROUP_FLAGS_CONTAINER_SET;
	else if (iommu_group_dma_owner_claimed(group->iommu_group))
		status->flags = 0;
	else
		status->flags = VFIO_GROUP_FLAGS_VIABLE;
	mutex_unlock(&group->lock);

	return copy_to_user(uarg, status, min) ? -EFAULT : 0;
}

/* Take a container or an iommufd, whichever @file is. */
static int vfio_group_set_dma(struct vfio_group *group, struct file *file)
{
	struct vfio_container *container;
	struct iommufd_ctx *ictx;
	int ret;

	lockdep_assert_held(&group->lock);
	if (vfio_group_has_dma(group))
		return -EINVAL;
	if (!group->iommu_group)
		return -ENODEV;

	container = vfio_container_of_file(file);
	if (container)
		return vfio_container_add_group(container, group);

	ictx = iommufd_ctx_from_file(file);
	if (IS_ERR(ictx))
		return -EBADFD;
	ret = vfio_iommufd_compat_join(ictx, group->type == VFIO_NO_IOMMU);
	if (ret) {
		iommufd_ctx_put(ictx);
		return ret;
	}
	group->iommufd = ictx;
	return 0;
}

static long vfio_group_set_container(void *data, void *karg, void __user *uarg)
{
	struct vfio_group *group = data;
	int fd, ret;

	if (get_user(fd, (int __user *)uarg))
		return -EFAULT;
	/* the container or iommufd takes references of its own */
	CLASS(fd, f)(fd);
	if (fd_empty(f))
		return -EBADF;
	mutex_lock(&group->lock);
	ret = vfio_group_set_dma(group, fd_file(f));
	mutex_unlock(&group->lock);
	return ret;
}

/* Leave the container or the iommufd: group lock held, no device file open. */
static void vfio_group_drop_dma(struct vfio_group *group)
{
	lockdep_assert_held(&group->lock);
	WARN_ON(group->device_files);
	if (group->container)
		vfio_container_remove_group(group);
	if (group->iommufd) {
		iommufd_ctx_put(group->iommufd);
		group->iommufd = NULL;
	}
}

static long vfio_group_unset_container(void *data, void *karg, void __user *uarg)
{
	struct vfio_group *group = data;
	int ret = 0;

	mutex_lock(&group->lock);
	if (!vfio_group_has_dma(group))
		ret = -EINVAL;
	else if (group->device_files)
		ret = -EBUSY;
	else
		vfio_group_drop_dma(group);
	mutex_unlock(&group->lock);
	return ret;
}

/* the flags are the answer: any value the caller leaves there is fine */
static const struct vfio_ioctl_op vfio_group_status_op =
	VFIO_IOCTL(VFIO_GROUP_GET_STATUS, vfio_group_get_status,
		   struct vfio_group_status, flags, VFIO_IOCTL_ANY_FLAGS);
static const struct vfio_ioctl_op vfio_group_set_container_op =
	VFIO_IOCTL_RAW(VFIO_GROUP_SET_CONTAINER, vfio_group_set_container);
static const struct vfio_ioctl_op vfio_group_unset_container_op =
	VFIO_IOCTL_RAW(VFIO_GROUP_UNSET_CONTAINER, vfio_group_unset_container);
static const struct vfio_ioctl_op vfio_group_get_device_fd_op =
	VFIO_IOCTL_RAW(VFIO_GROUP_GET_DEVICE_FD, vfio_group_get_device_fd);

/*
 * Each case calls with its constant entry: the argument checks are inlined
 * for the entry's size and the handler is called directly.
 */
static long vfio_group_fops_ioctl(struct file *file, unsigned int cmd,
				  unsigned long arg)
{
	struct vfio_group *group = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_GROUP_GET_STATUS:
		return __vfio_ioctl_call(&vfio_group_status_op, group, uarg);
	case VFIO_GROUP_SET_CONTAINER:
		return __vfio_ioctl_call(&vfio_group_set_container_op, group, uarg);
	case VFIO_GROUP_UNSET_CONTAINER:
		return __vfio_ioctl_call(&vfio_group_unset_container_op, group, uarg);
	case VFIO_GROUP_GET_DEVICE_FD:
		return __vfio_ioctl_call(&vfio_group_get_device_fd_op, group, uarg);
	}
	return -ENOTTY;
}

static int vfio_group_fops_open(struct inode *inode, struct file *file)
{
	struct vfio_group *group = container_of(inode->i_cdev,
						struct vfio_group, cdev);
	int ret = 0;

	mutex_lock(&group->lock);
	/*
	 * Every device is withdrawn before it leaves: a group whose last
	 * device has left (and whose IOMMU group is gone) has both at 0.
	 */
	if (group->leaving == group->registered)
		ret = -ENODEV;
	else if (group->type == VFIO_NO_IOMMU && !capable(CAP_SYS_RAWIO))
		ret = -EPERM;
	else if (group->opened_file || group->cdev_device_open_cnt)
		ret = -EBUSY;
	else
		group->opened_file = file;
	mutex_unlock(&group->lock);
	if (!ret)
		file->private_data = group;
	return ret;
}

static int vfio_group_fops_release(struct inode *inode, struct file *file)
{
	struct vfio_group *group = file->private_data;

	/* every device file held this file: none is left */
	mutex_lock(&group->lock);
	vfio_group_drop_dma(group);
	group->opened_file = NULL;
	mutex_unlock(&group->lock);
	return 0;
}

static const struct file_operations vfio_group_fops = {
	.owner		= THIS_MODULE,
	.open		= vfio_group_fops_open,
	.release	= vfio_group_fops_release,
	.unlocked_ioctl	= vfio_group_fops_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

/* ---- The exclusion with cdev binds --------------------------------------- */

/**
 * vfio_group_block_cdev - a device of the group is being bound through its
 *	cdev
 * @device: the device
 *
 * Return: 0, after which the group cannot be opened until
 * vfio_group_unblock_cdev(); -EBUSY if the group is open.
 */
int vfio_group_block_cdev(struct vfio_device *device)
{
	struct vfio_group *group = device->group;
	int ret = 0;

	mutex_lock(&group->lock);
	if (group->opened_file)
		ret = -EBUSY;
	else
		group->cdev_device_open_cnt++;
	mutex_unlock(&group->lock);
	return ret;
}

/**
 * vfio_group_unblock_cdev - undo vfio_group_block_cdev()
 * @device: the device, unbound or never bound
 */
void vfio_group_unblock_cdev(struct vfio_device *device)
{
	struct vfio_group *group = device->group;

	mutex_lock(&group->lock);
	if (!WARN_ON(!group->cdev_device_open_cnt))
		group->cdev_device_open_cnt--;
	mutex_unlock(&group->lock);
}

/* ---- Groups and their devices -------------------------------------------- */

static char *vfio_group_devnode(const struct device *dev, umode_t *mode)
{
	return kasprintf(GFP_KERNEL, "vfio/%s", dev_name(dev));
}

static void vfio_group_release(struct device *dev)
{
	struct vfio_group *group = container_of(dev, struct vfio_group, dev);

	WARN_ON(group->iommu_group || group->cdev_device_open_cnt);
	mutex_destroy(&group->device_lock);
	mutex_destroy(&group->lock);
	ida_free(&vfio_group_minors, MINOR(group->dev.devt));
	kfree(group);
}

/* A new group for @iommu_group, visible in /dev: vfio_groups_lock held. */
/* Take @group out of vfio_groups, if it is kept there. */
static void vfio_group_forget(struct vfio_group *group)
{
	lockdep_assert_held(&vfio_groups_lock);
	if (group->type == VFIO_IOMMU)
		xa_erase(&vfio_groups, iommu_group_id(group->iommu_group));
}

static struct vfio_group *vfio_group_create(struct iommu_group *iommu_group,
					    enum vfio_group_type type)
{
	struct vfio_group *group;
	int minor, ret;

	lockdep_assert_held(&vfio_groups_lock);
	group = kzalloc(sizeof(*group), GFP_KERNEL);
	if (!group)
		return ERR_PTR(-ENOMEM);
	minor = ida_alloc_max(&vfio_group_minors, MINORMASK, GFP_KERNEL);
	if (minor < 0) {
		kfree(group);
		return ERR_PTR(minor);
	}

	mutex_init(&group->lock);
	mutex_init(&group->device_lock);
	vfio_kvm_slot_init(&group->kvm);
	INIT_LIST_HEAD(&group->devices);
	group->type = type;
	group->registered = 1;

	/* from here on the class device's release frees everything */
	device_initialize(&group->dev);
	group->dev.class = vfio_group_class;
	group->dev.devt = MKDEV(MAJOR(vfio_group_base), minor);
	group->dev.release = vfio_group_release;
	cdev_init(&group->cdev, &vfio_group_fops);
	group->cdev.owner = THIS_MODULE;

	ret = dev_set_name(&group->dev, "%s%d",
			   type == VFIO_NO_IOMMU ? "noiommu-" : "",
			   iommu_group_id(iommu_group));
	if (!ret && type == VFIO_IOMMU)
		ret = xa_insert(&vfio_groups, iommu_group_id(iommu_group),
				group, GFP_KERNEL);
	if (ret)
		goto err_put;
	group->iommu_group = iommu_group;
	ret = cdev_device_add(&group->cdev, &group->dev);
	if (ret) {
		vfio_group_forget(group);
		group->iommu_group = NULL;
		goto err_put;
	}
	iommu_group_ref_get(iommu_group);
	return group;

err_put:
	put_device(&group->dev);
	return ERR_PTR(ret);
}

/*
 * A fresh IOMMU group holding only @dev, for a device that no IOMMU
 * translates for VFIO: an emulated device (its driver does the DMA) or,
 * in no-IOMMU mode, a device without an IOMMU.
 */
static struct iommu_group *vfio_group_new_iommu_group(struct device *dev)
{
	struct iommu_group *iommu_group = iommu_group_alloc();
	int ret;

	if (IS_ERR(iommu_group))
		return iommu_group;
	ret = iommu_group_set_name(iommu_group, "vfio-noiommu") ?:
	      iommu_group_add_device(iommu_group, dev);
	if (ret) {
		iommu_group_put(iommu_group);
		return ERR_PTR(ret);
	}
	return iommu_group;
}

/*
 * The VFIO group for @iommu_group, counting one more registered device:
 * for a real IOMMU group the one that exists, if any; otherwise a new one.
 * The caller's reference on @iommu_group is dropped.
 */
static struct vfio_group *vfio_group_get(struct iommu_group *iommu_group,
					 enum vfio_group_type type)
{
	struct vfio_group *group = NULL;

	mutex_lock(&vfio_groups_lock);
	if (type == VFIO_IOMMU)
		group = xa_load(&vfio_groups, iommu_group_id(iommu_group));
	if (group) {
		mutex_lock(&group->lock);
		group->registered++;
		mutex_unlock(&group->lock);
	} else {
		group = vfio_group_create(iommu_group, type);
	}
	mutex_unlock(&vfio_groups_lock);
	iommu_group_put(iommu_group);
	return group;
}

/**
 * vfio_group_attach_device - give a registering device its group
 * @device: the device
 * @type: VFIO_IOMMU for a device behind a real IOMMU, VFIO_NO_IOMMU for
 *	one the core registers without (no-IOMMU mode), or
 *	VFIO_EMULATED_IOMMU
 *
 * A VFIO_IOMMU device joins the group of its IOMMU group; the others get a
 * group (and an IOMMU group) of their own.
 *
 * Return: 0 or a negative errno.
 */
int vfio_group_attach_device(struct vfio_device *device,
			     enum vfio_group_type type)
{
	struct iommu_group *iommu_group;
	struct vfio_group *group;

	if (type == VFIO_IOMMU) {
		iommu_group = iommu_group_get(device->dev);
		if (!iommu_group)
			return -EINVAL;
	} else {
		iommu_group = vfio_group_new_iommu_group(device->dev);
		if (IS_ERR(iommu_group))
			return PTR_ERR(iommu_group);
	}

	group = vfio_group_get(iommu_group, type);
	if (IS_ERR(group)) {
		if (type != VFIO_IOMMU)
			iommu_group_remove_device(device->dev);
		return PTR_ERR(group);
	}
	device->group = group;
	INIT_LIST_HEAD(&device->group_next);
	return 0;
}

/**
 * vfio_group_detach_device - the device leaves its group
 * @device: the device, unregistering or failing to register
 *
 * The last device to leave ends the group: its node goes, it leaves its
 * container and an open group file finds it dead.
 */
void vfio_group_detach_device(struct vfio_device *device)
{
	struct vfio_group *group = device->group;
	struct iommu_group *iommu_group;

	if (group->type != VFIO_IOMMU)
		iommu_group_remove_device(device->dev);

	mutex_lock(&vfio_groups_lock);
	mutex_lock(&group->lock);
	group->leaving--;
	if (--group->registered) {
		mutex_unlock(&group->lock);
		mutex_unlock(&vfio_groups_lock);
		return;
	}
	mutex_unlock(&group->lock);
	vfio_group_forget(group);
	/* under the list lock, so that a new group can take the name */
	cdev_device_del(&group->cdev, &group->dev);

	mutex_lock(&group->lock);
	WARN_ON(group->device_files);
	if (group->container)
		vfio_container_remove_group(group);
	iommu_group = group->iommu_group;
	group->iommu_group = NULL;
	mutex_unlock(&group->lock);
	mutex_unlock(&vfio_groups_lock);

	iommu_group_put(iommu_group);
	put_device(&group->dev);
}

/**
 * vfio_group_publish_device - a registered device may be handed out
 * @device: the device
 */
void vfio_group_publish_device(struct vfio_device *device)
{
	struct vfio_group *group = device->group;

	mutex_lock(&group->device_lock);
	list_add_tail(&device->group_next, &group->devices);
	mutex_unlock(&group->device_lock);
}

/**
 * vfio_group_withdraw_device - a leaving device is no longer handed out
 * @device: the device, published or not
 *
 * Every device that leaves its group is withdrawn before it is detached.
 */
void vfio_group_withdraw_device(struct vfio_device *device)
{
	struct vfio_group *group = device->group;

	mutex_lock(&group->device_lock);
	list_del_init(&device->group_next);
	mutex_unlock(&group->device_lock);

	/* a group whose devices are all leaving cannot be opened any more */
	mutex_lock(&group->lock);
	group->leaving++;
	mutex_unlock(&group->lock);
}

/* ---- Questions from KVM and vfio-pci ------------------------------------- */

/**
 * vfio_group_coherent - is DMA of every device of the group snooped?
 * @group: the group
 *
 * Return: true if every device has IOMMU_CAP_ENFORCE_CACHE_COHERENCY.
 */
bool vfio_group_coherent(struct vfio_group *group)
{
	unsigned int devices = 0, snooped = 0;
	struct vfio_device *device;

	mutex_lock(&group->device_lock);
	list_for_each_entry(device, &group->devices, group_next) {
		devices++;
		snooped += device_iommu_capable(device->dev,
						IOMMU_CAP_ENFORCE_CACHE_COHERENCY);
	}
	mutex_unlock(&group->device_lock);
	return snooped == devices;
}

/**
 * vfio_group_kvm_slot - the KVM slot of a group file
 * @group: the group
 *
 * Return: the slot the group's devices take their KVM reference from.
 */
struct vfio_kvm_slot *vfio_group_kvm_slot(struct vfio_group *group)
{
	return &group->kvm;
}

/**
 * vfio_group_iommu_group - the IOMMU group of a live group
 * @group: the group
 *
 * Return: the IOMMU group with a reference for the caller, or NULL.
 */
struct iommu_group *vfio_group_iommu_group(struct vfio_group *group)
{
	struct iommu_group *iommu_group;

	mutex_lock(&group->lock);
	iommu_group = group->iommu_group ?
		      iommu_group_ref_get(group->iommu_group) : NULL;
	mutex_unlock(&group->lock);
	return iommu_group;
}

/* ---- The module ----------------------------------------------------------- */

int vfio_group_init(void)
{
	int ret;

	ret = vfio_container_init();
	if (ret)
		return ret;
	vfio_group_class = class_create("vfio");
	if (IS_ERR(vfio_group_class)) {
		ret = PTR_ERR(vfio_group_class);
		goto err_container;
	}
	vfio_group_class->devnode = vfio_group_devnode;
	ret = alloc_chrdev_region(&vfio_group_base, 0, MINORMASK + 1, "vfio");
	if (ret)
		goto err_class;
	return 0;

err_class:
	class_destroy(vfio_group_class);
err_container:
	vfio_container_exit();
	return ret;
}

void vfio_group_exit(void)
{
	WARN_ON(!xa_empty(&vfio_groups));
	unregister_chrdev_region(vfio_group_base, MINORMASK + 1);
	class_destroy(vfio_group_class);
	vfio_group_class = NULL;
	ida_destroy(&vfio_group_minors);
	vfio_container_exit();
}
