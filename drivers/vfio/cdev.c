// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO core: /dev/vfio/devices/vfioN.
 *
 * Opening the node gives an unbound device file: it holds the device's
 * registration but can do nothing until VFIO_DEVICE_BIND_IOMMUFD.  Binding
 * blocks the device's legacy group (and fails while the group is open),
 * binds the device to the iommufd with its DMA blocked and opens it.
 * ATTACH and DETACH then move its DMA between page tables.  Closing the
 * file undoes everything that binding did.
 *
 *   open --> UNBOUND --BIND--> BOUND <--ATTACH/DETACH--> ATTACHED
 *               |                 \                         /
 *               |                  +-------- close --------+
 *         unregistration
 *               v
 *           DETACHED: every call fails with -ENODEV, until close
 *
 * Unregistration waits for bound files only.
 */
#include <linux/cdev.h>
#include <linux/fs.h>
#include <linux/iommufd.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vfio.h"

static dev_t vfio_cdev_base;

static char *vfio_cdev_devnode(const struct device *dev, umode_t *mode)
{
	return kasprintf(GFP_KERNEL, "vfio/devices/%s", dev_name(dev));
}

/**
 * vfio_cdev_add_device - make a registering device visible
 * @device: the device
 *
 * Adds the class device, with a cdev except for no-IOMMU devices: those
 * are reached only through their group.
 *
 * Return: 0 or a negative errno.
 */
int vfio_cdev_add_device(struct vfio_device *device)
{
	if (vfio_device_is_noiommu(device))
		return device_add(&device->device);

	device->device.devt = MKDEV(MAJOR(vfio_cdev_base), device->index);
	cdev_init(&device->cdev, &vfio_device_fops);
	device->cdev.owner = THIS_MODULE;
	return cdev_device_add(&device->cdev, &device->device);
}

/**
 * vfio_cdev_del_device - undo vfio_cdev_add_device()
 * @device: the device
 */
void vfio_cdev_del_device(struct vfio_device *device)
{
	if (vfio_device_is_noiommu(device))
		device_del(&device->device);
	else
		cdev_device_del(&device->cdev, &device->device);
}

static long __vfio_cdev_bind(struct vfio_device_file *df, int iommufd,
			     u32 __user *out_devid)
{
	struct vfio_device *device = df->device;
	struct iommufd_ctx *ictx;
	long ret;

	ret = vfio_group_block_cdev(device);
	if (ret)
		return ret;

	mutex_lock(&device->dev_set->lock);
	if (df->access_granted) {
		ret = -EINVAL;
		goto err_unlock;
	}
	ictx = iommufd_ctx_from_fd(iommufd);
	if (IS_ERR(ictx)) {
		ret = PTR_ERR(ictx);
		goto err_unlock;
	}
	df->iommufd = ictx;
	ret = vfio_device_file_open(df);
	if (ret)
		goto err_put_ictx;
	if (put_user(df->devid, out_devid)) {
		ret = -EFAULT;
		goto err_close;
	}
	device->cdev_opened = 1;
	vfio_device_file_bound(df);
	vfio_device_file_map(df);
	vfio_device_file_grant(df);
	mutex_unlock(&device->dev_set->lock);
	return 0;

err_close:
	vfio_device_file_close(df);
err_put_ictx:
	df->iommufd = NULL;
	iommufd_ctx_put(ictx);
err_unlock:
	mutex_unlock(&device->dev_set->lock);
	vfio_group_unblock_cdev(device);
	return ret;
}

/*
 * A file that is not bound may be detached from its device by an
 * unregistration at any time: the device is looked at only inside
 * vfio_device_file_srcu, and opening it fails with -ENODEV from then on
 * (vfio_device_file_open() sees it unregistering).
 */
static long vfio_cdev_bind(struct vfio_device_file *df, int iommufd,
			   u32 __user *out_devid)
{
	long ret = -ENODEV;
	int idx;

	idx = srcu_read_lock(&vfio_device_file_srcu);
	if (!vfio_device_file_detached(df))
		ret = __vfio_cdev_bind(df, iommufd, out_devid);
	srcu_read_unlock(&vfio_device_file_srcu, idx);
	return ret;
}

/* The last close of a cdev file. */
static void vfio_cdev_release(struct vfio_device_file *df)
{
	struct vfio_device *device = df->device;

	/* nothing else can reach the file any more: no lock to read this */
	if (!df->access_granted) {
		vfio_device_file_forget_unbound(df);
		return;
	}

	mutex_lock(&device->dev_set->lock);
	vfio_device_file_close(df);
	device->cdev_opened = 0;
	mutex_unlock(&device->dev_set->lock);

	iommufd_ctx_put(df->iommufd);
	df->iommufd = NULL;
	vfio_group_unblock_cdev(device);
}

static long vfio_cdev_attach(void *data, void *karg, void __user *uarg)
{
	struct vfio_device_attach_iommufd_pt __user *uattach = uarg;
	struct vfio_device_attach_iommufd_pt *attach = karg;
	struct vfio_device_file *df = data;
	struct vfio_device *device = df->device;
	int ret;

	mutex_lock(&device->dev_set->lock);
	ret = device->ops->attach_ioas(device, &attach->pt_id);
	if (!ret && put_user(attach->pt_id, &uattach->pt_id)) {
		/* userspace will not learn the id: leave the device detached */
		device->ops->detach_ioas(device);
		ret = -EFAULT;
	}
	mutex_unlock(&device->dev_set->lock);
	return ret;
}

static long vfio_cdev_detach(void *data, void *karg, void __user *uarg)
{
	struct vfio_device_file *df = data;
	struct vfio_device *device = df->device;

	mutex_lock(&device->dev_set->lock);
	device->ops->detach_ioas(device);
	mutex_unlock(&device->dev_set->lock);
	return 0;
}

/* ATTACH and DETACH; a file from a group leaves them to the driver. */
static const struct vfio_ioctl_op vfio_cdev_ioctls[] = {
	VFIO_IOCTL(VFIO_DEVICE_ATTACH_IOMMUFD_PT, vfio_cdev_attach,
		   struct vfio_device_attach_iommufd_pt, pt_id, 0),
	VFIO_IOCTL(VFIO_DEVICE_DETACH_IOMMUFD_PT, vfio_cdev_detach,
		   struct vfio_device_detach_iommufd_pt, flags, 0),
};

/* A cdev file serves the KVM it was added to itself. */
static struct vfio_kvm_slot *vfio_cdev_kvm_slot(struct vfio_device_file *df)
{
	return &df->kvm;
}

static const struct vfio_device_file_ops vfio_cdev_file_ops = {
	.open_dma	= vfio_iommufd_bind_file,
	.close_dma	= vfio_iommufd_unbind_file,
	.kvm_slot	= vfio_cdev_kvm_slot,
	.bind		= vfio_cdev_bind,
	.ioctls		= vfio_cdev_ioctls,
	.num_ioctls	= ARRAY_SIZE(vfio_cdev_ioctls),
	.release	= vfio_cdev_release,
};

/* A new unbound file, listed so that an unregistration can detach it. */
static struct vfio_device_file *vfio_cdev_new_file(struct vfio_device *device)
{
	struct vfio_device_file *df;
	int ret;

	df = vfio_device_file_alloc(device, &vfio_cdev_file_ops, NULL);
	if (IS_ERR(df))
		return df;
	ret = vfio_device_file_add_unbound(df);
	if (!ret)
		return df;
	kfree(df);
	return ERR_PTR(ret);
}

/**
 * vfio_cdev_open - open() of /dev/vfio/devices/vfioN
 * @inode: the node
 * @file: the new file
 *
 * The new file is not bound: it holds the device's registration until it
 * is bound and closed, or until the device is unregistered.
 *
 * Return: 0, or -ENODEV if the device is going away.
 */
int vfio_cdev_open(struct inode *inode, struct file *file)
{
	struct vfio_device *device = container_of(inode->i_cdev,
						  struct vfio_device, cdev);
	struct vfio_device_file *df;

	if (!vfio_device_try_get_registration(device))
		return -ENODEV;
	df = vfio_cdev_new_file(device);
	if (IS_ERR(df)) {
		vfio_device_put_registration(device);
		return PTR_ERR(df);
	}
	vfio_device_file_install(df, file);
	return 0;
}

int vfio_cdev_init(struct class *class)
{
	class->devnode = vfio_cdev_devnode;
	return alloc_chrdev_region(&vfio_cdev_base, 0, MINORMASK + 1, "vfio-dev");
}

void vfio_cdev_exit(void)
{
	unregister_chrdev_region(vfio_cdev_base, MINORMASK + 1);
}
