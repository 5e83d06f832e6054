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
 *
 * Binding also checks the VF token (VFIO_DEVICE_BIND_FLAG_TOKEN), as the
 * group checks it in VFIO_GROUP_GET_DEVICE_FD's name.  In no-IOMMU mode a
 * device without an IOMMU is noiommu-vfioN here, for CAP_SYS_RAWIO only;
 * it binds to the iommufd as an access (see iommufd.c).
 */
#include <linux/capability.h>
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
 * Adds the class device with its cdev: vfioN, or noiommu-vfioN for a
 * device without an IOMMU.
 *
 * Return: 0 or a negative errno.
 */
int vfio_cdev_add_device(struct vfio_device *device)
{
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
	cdev_device_del(&device->cdev, &device->device);
}

/*
 * The VF token check of VFIO_DEVICE_BIND_IOMMUFD (@token: the user's, or
 * NULL).  A driver without match_token_uuid() is asked through match(),
 * with the name VFIO_GROUP_GET_DEVICE_FD would take: the device's name,
 * and " vf_token=<uuid>" with a token.  A driver that knows no tokens
 * (no match(), or one that does not take the name) refuses a token.
 */
static int vfio_cdev_match_token(struct vfio_device *device,
				 const uuid_t *token)
{
	char buf[32], *name = buf;
	int ret;

	if (device->ops->match_token_uuid)
		return device->ops->match_token_uuid(device, token);
	if (!device->ops->match)
		return token ? -EINVAL : 0;

	/* every BIND asks; a PCI name fits the buffer, a token does not */
	if (token)
		name = kasprintf(GFP_KERNEL, "%s vf_token=%pUb",
				 dev_name(device->dev), token);
	else if (strscpy(buf, dev_name(device->dev), sizeof(buf)) < 0)
		name = kstrdup(dev_name(device->dev), GFP_KERNEL);
	if (!name)
		return -ENOMEM;
	ret = device->ops->match(device, name);
	if (name != buf)
		kfree(name);
	if (ret > 0)
		return 0;
	return ret ?: (token ? -EINVAL : 0);
}

static int vfio_cdev_check_token(struct vfio_device *device,
				 const struct vfio_device_bind_iommufd *bind)
{
	uuid_t token;

	if (!(bind->flags & VFIO_DEVICE_BIND_FLAG_TOKEN))
		return vfio_cdev_match_token(device, NULL);
	/* a device that takes no token refuses it before it is read */
	if (!device->ops->match_token_uuid && !device->ops->match)
		return -EINVAL;
	if (copy_from_user(&token, u64_to_user_ptr(bind->token_uuid_ptr),
			   sizeof(token)))
		return -EFAULT;
	return vfio_cdev_match_token(device, &token);
}

static long __vfio_cdev_bind(struct vfio_device_file *df, struct file *file,
			     const struct vfio_device_bind_iommufd *bind,
			     struct vfio_device_bind_iommufd __user *ubind)
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
	/* the file may have been passed on since it was opened */
	if (vfio_device_is_noiommu(device) && !capable(CAP_SYS_RAWIO)) {
		ret = -EPERM;
		goto err_unlock;
	}
	ret = vfio_cdev_check_token(device, bind);
	if (ret)
		goto err_unlock;
	ictx = iommufd_ctx_from_fd(bind->iommufd);
	if (IS_ERR(ictx)) {
		ret = PTR_ERR(ictx);
		goto err_unlock;
	}
	df->iommufd = ictx;
	ret = vfio_device_file_open(df);
	if (ret)
		goto err_put_ictx;
	if (put_user(df->devid, &ubind->out_devid)) {
		ret = -EFAULT;
		goto err_close;
	}
	device->cdev_opened = 1;
	vfio_device_file_bound(df);
	vfio_device_file_map(df, file);
	vfio_device_file_grant(df);
	mutex_unlock(&device->dev_set->lock);
	if (vfio_device_is_noiommu(device))
		dev_warn(device->dev, "bound without an IOMMU by %s (%d)\n",
			 current->comm, task_pid_nr(current));
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
static long vfio_cdev_bind(struct vfio_device_file *df, struct file *file,
			   const struct vfio_device_bind_iommufd *bind,
			   struct vfio_device_bind_iommufd __user *ubind)
{
	long ret = -ENODEV;
	int idx;

	idx = srcu_read_lock(&vfio_device_file_srcu);
	if (!vfio_device_file_detached(df))
		ret = __vfio_cdev_bind(df, file, bind, ubind);
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
	ret = vfio_iommufd_attach(device, &attach->pt_id);
	if (!ret && put_user(attach->pt_id, &uattach->pt_id)) {
		/* userspace will not learn the id: leave the device detached */
		vfio_iommufd_detach(device);
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
	vfio_iommufd_detach(device);
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

	df = vfio_device_file_alloc(device, &vfio_cdev_file_ops);
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
 * is bound and closed, or until the device is unregistered.  A no-IOMMU
 * device gives its user DMA to all memory: only CAP_SYS_RAWIO opens it,
 * as its group.
 *
 * Return: 0, -EPERM, or -ENODEV if the device is going away.
 */
int vfio_cdev_open(struct inode *inode, struct file *file)
{
	struct vfio_device *device = container_of(inode->i_cdev,
						  struct vfio_device, cdev);
	struct vfio_device_file *df;

	if (vfio_device_is_noiommu(device) && !capable(CAP_SYS_RAWIO))
		return -EPERM;
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
