// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO legacy interface: the container, /dev/vfio/vfio.
 *
 * A container is an IOMMU context shared by the groups put in it.  Its
 * page tables belong to a legacy IOMMU driver, a module that registers
 * with vfio_register_iommu_driver(): type1 on most machines, sPAPR TCE on
 * POWER, and the no-IOMMU driver built in here.  Userspace picks one with
 * VFIO_SET_IOMMU once the first group is in, and the container forwards
 * every ioctl it does not know to it (MAP_DMA, UNMAP_DMA, ...).
 *
 * The container never sees devices, only groups, except for emulated
 * devices, whose drivers pin pages and copy data through the IOMMU driver.
 *
 * When VFIO_CONTAINER is off, iommufd may serve /dev/vfio/vfio instead
 * (IOMMUFD_VFIO_CONTAINER); group.c then takes an iommufd where it would
 * take a container, and nothing here is built.
 */
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/llist.h>
#include <linux/miscdevice.h>
#include <linux/rwsem.h>
#include <linux/slab.h>

#include "compat.h"

/**
 * struct vfio_container_iommu - the IOMMU driver a container chose
 * @ops: the IOMMU driver
 * @data: the IOMMU driver's state for the container
 * @retired: on the container's list of states to release
 *
 * The IOMMU driver's state lives until the last call into it has ended: when
 * the last group leaves the container, an ioctl still running in the IOMMU
 * driver finishes on it, and the state is released only then, by the last
 * call to end.  Nothing waits for the ioctl, so a long VFIO_IOMMU_MAP_DMA
 * never holds up the removal of a group.
 */
struct vfio_container_iommu {
	const struct vfio_iommu_driver_ops *ops;
	void *data;
	struct llist_node retired;
};

/**
 * struct vfio_container - one open of /dev/vfio/vfio
 * @ref: held by the file and by every group in the container
 * @lock: protects everything below but @calls and @retired; taken for
 *	writing when groups or the IOMMU driver change
 * @groups: the groups in the container
 * @iommu: the IOMMU driver chosen with VFIO_SET_IOMMU, or NULL; the IOMMU
 *	driver's ioctls read it without the lock, counted in @calls
 * @calls: IOMMU driver ioctls in progress
 * @retired: states the container let go of while @calls was not zero; the
 *	call that brings @calls to zero releases them
 * @noiommu: the groups in the container are no-IOMMU groups
 * @own: the state VFIO_SET_IOMMU uses when it is free (@own.ops is NULL),
 *	so that the usual container allocates none; it is not while retired
 *	and not yet released
 *
 * An ioctl counts itself in @calls before it reads @iommu, and a retiring
 * state is taken out of @iommu and put on @retired before @calls is read,
 * each with a full barrier in between: either the retirement sees the call
 * and leaves the release to it, or the call sees no state.
 */
struct vfio_container {
	struct kref ref;
	bool noiommu;
	struct rw_semaphore lock;	/* see above */
	struct list_head groups;
	struct vfio_container_iommu *iommu;
	atomic_t calls;
	struct llist_head retired;
	struct vfio_container_iommu own;
};

/* A registered IOMMU driver. */
struct vfio_iommu_driver {
	const struct vfio_iommu_driver_ops *ops;
	struct list_head node;
};

static DEFINE_MUTEX(vfio_iommu_drivers_lock);
static LIST_HEAD(vfio_iommu_drivers);

/* ---- The no-IOMMU driver ------------------------------------------------- */

/*
 * No-IOMMU groups go into containers of their own, with this IOMMU driver: it
 * maps nothing, since nothing translates, and exists only so that the
 * legacy sequence (SET_CONTAINER, SET_IOMMU, GET_DEVICE_FD) works.
 */
static void *vfio_noiommu_open(unsigned long type)
{
	if (type != VFIO_NOIOMMU_IOMMU)
		return ERR_PTR(-EINVAL);
	return capable(CAP_SYS_RAWIO) ? NULL : ERR_PTR(-EPERM);
}

static void vfio_noiommu_release(void *data)
{
}

static int vfio_noiommu_attach_group(void *data, struct iommu_group *group,
				     enum vfio_group_type type)
{
	return 0;
}

static void vfio_noiommu_detach_group(void *data, struct iommu_group *group)
{
}

static long vfio_noiommu_ioctl(void *data, unsigned int cmd, unsigned long arg)
{
	if (cmd != VFIO_CHECK_EXTENSION)
		return -ENOTTY;
	return vfio_noiommu && arg == VFIO_NOIOMMU_IOMMU;
}

static const struct vfio_iommu_driver_ops vfio_noiommu_driver = {
	.name		= "vfio-noiommu",
	.owner		= THIS_MODULE,
	.open		= vfio_noiommu_open,
	.release	= vfio_noiommu_release,
	.attach_group	= vfio_noiommu_attach_group,
	.detach_group	= vfio_noiommu_detach_group,
	.ioctl		= vfio_noiommu_ioctl,
};

/* ---- Registration of IOMMU drivers --------------------------------------- */

/**
 * vfio_register_iommu_driver - offer an IOMMU driver to containers
 * @ops: the IOMMU driver
 *
 * Return: 0, or -EINVAL if @ops is registered already or is inconsistent.
 */
int vfio_register_iommu_driver(const struct vfio_iommu_driver_ops *ops)
{
	struct vfio_iommu_driver *drv, *new;

	/* emulated devices are registered and unregistered in pairs */
	if (WARN_ON(!ops->register_device != !ops->unregister_device))
		return -EINVAL;
	new = kzalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	new->ops = ops;

	mutex_lock(&vfio_iommu_drivers_lock);
	list_for_each_entry(drv, &vfio_iommu_drivers, node) {
		if (drv->ops == ops) {
			mutex_unlock(&vfio_iommu_drivers_lock);
			kfree(new);
			return -EINVAL;
		}
	}
	list_add_tail(&new->node, &vfio_iommu_drivers);
	mutex_unlock(&vfio_iommu_drivers_lock);
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_register_iommu_driver);

/**
 * vfio_unregister_iommu_driver - withdraw an IOMMU driver
 * @ops: the IOMMU driver, as registered
 *
 * Containers using the IOMMU driver hold a reference on its module, so it is in
 * use by none of them.
 */
void vfio_unregister_iommu_driver(const struct vfio_iommu_driver_ops *ops)
{
	struct vfio_iommu_driver *drv;

	mutex_lock(&vfio_iommu_drivers_lock);
	list_for_each_entry(drv, &vfio_iommu_drivers, node) {
		if (drv->ops == ops) {
			list_del(&drv->node);
			kfree(drv);
			break;
		}
	}
	mutex_unlock(&vfio_iommu_drivers_lock);
}
EXPORT_SYMBOL_GPL(vfio_unregister_iommu_driver);

/* No-IOMMU groups and the no-IOMMU driver go only with each other. */
static bool vfio_container_may_use(struct vfio_container *container,
				   const struct vfio_iommu_driver_ops *ops)
{
	if (!IS_ENABLED(CONFIG_VFIO_NOIOMMU) || list_empty(&container->groups))
		return true;
	return container->noiommu == (ops == &vfio_noiommu_driver);
}

/* Ask an IOMMU driver whether it has an extension; its module is pinned. */
static long vfio_iommu_driver_check(const struct vfio_iommu_driver_ops *ops,
				    void *data, unsigned long ext)
{
	return ops->ioctl(data, VFIO_CHECK_EXTENSION, ext);
}

/* ---- The container's IOMMU driver ---------------------------------------- */

/* The container's IOMMU driver, for a holder of the container lock. */
static struct vfio_container_iommu *
vfio_container_iommu(struct vfio_container *container)
{
	lockdep_assert_held(&container->lock);
	return container->iommu;
}

/* Release the states no call can be using any more. */
static void vfio_container_reap(struct vfio_container *container)
{
	struct vfio_container_iommu *iommu, *next;
	struct llist_node *list;

	list = llist_del_all(&container->retired);
	llist_for_each_entry_safe(iommu, next, list, retired) {
		iommu->ops->release(iommu->data);
		module_put(iommu->ops->owner);
		if (iommu == &container->own)
			/* pairs with the acquire in vfio_container_try_driver() */
			smp_store_release(&iommu->ops, NULL);
		else
			kfree(iommu);
	}
}

/*
 * The container lets go of its IOMMU driver: released now, or by the last
 * call still running in it.
 */
static void vfio_container_retire(struct vfio_container *container)
{
	struct vfio_container_iommu *iommu = vfio_container_iommu(container);

	WRITE_ONCE(container->iommu, NULL);
	llist_add(&iommu->retired, &container->retired);
	/* pairs with the barrier after the increment of @calls */
	smp_mb();
	if (!atomic_read(&container->calls))
		vfio_container_reap(container);
}

/* ---- The container file -------------------------------------------------- */

static void vfio_container_free(struct kref *ref)
{
	kfree(container_of(ref, struct vfio_container, ref));
}

static void vfio_container_put(struct vfio_container *container)
{
	kref_put(&container->ref, vfio_container_free);
}

/*
 * Before an IOMMU driver is chosen, the first registered IOMMU driver that
 * supports the extension (and may serve the container's groups) answers;
 * afterwards the chosen one.
 */
static long vfio_container_check_extension(struct vfio_container *container,
					   unsigned long ext)
{
	struct vfio_container_iommu *iommu;
	struct vfio_iommu_driver *drv;
	long ret = 0;

	down_read(&container->lock);
	iommu = vfio_container_iommu(container);
	if (iommu) {
		ret = vfio_iommu_driver_check(iommu->ops, iommu->data, ext);
		goto out_unlock;
	}
	mutex_lock(&vfio_iommu_drivers_lock);
	list_for_each_entry(drv, &vfio_iommu_drivers, node) {
		if (!vfio_container_may_use(container, drv->ops) ||
		    !try_module_get(drv->ops->owner))
			continue;
		ret = vfio_iommu_driver_check(drv->ops, NULL, ext);
		module_put(drv->ops->owner);
		if (ret > 0)
			break;
	}
	mutex_unlock(&vfio_iommu_drivers_lock);
out_unlock:
	up_read(&container->lock);
	return ret;
}

/* Put every group of the container in the IOMMU driver's new state. */
static int vfio_container_attach_all(struct vfio_container *container,
				     const struct vfio_iommu_driver_ops *ops,
				     void *data)
{
	struct vfio_group *group;
	int ret;

	list_for_each_entry(group, &container->groups, container_node) {
		ret = ops->attach_group(data, group->iommu_group, group->type);
		if (ret)
			goto err_detach;
	}
	return 0;

err_detach:
	list_for_each_entry_continue_reverse(group, &container->groups,
					     container_node)
		ops->detach_group(data, group->iommu_group);
	return ret;
}

/*
 * Try one IOMMU driver for VFIO_SET_IOMMU; on success the container keeps it.
 * Returns 1 if the IOMMU driver does not implement @type.
 */
static int vfio_container_try_driver(struct vfio_container *container,
				     const struct vfio_iommu_driver_ops *ops,
				     unsigned long type)
{
	struct vfio_container_iommu *iommu;
	void *data;
	int ret;

	if (!try_module_get(ops->owner))
		return 1;
	if (vfio_iommu_driver_check(ops, NULL, type) <= 0) {
		ret = 1;
		goto err_put;
	}
	iommu = &container->own;
	/* busy until released: pairs with the release in the reap */
	if (smp_load_acquire(&iommu->ops))
		iommu = kzalloc(sizeof(*iommu), GFP_KERNEL_ACCOUNT);
	if (!iommu) {
		ret = -ENOMEM;
		goto err_put;
	}
	data = ops->open(type);
	if (IS_ERR(data)) {
		ret = PTR_ERR(data);
		goto err_free;
	}
	ret = vfio_container_attach_all(container, ops, data);
	if (ret) {
		ops->release(data);
		goto err_free;
	}
	iommu->ops = ops;
	iommu->data = data;
	/* the IOMMU driver's ioctls read it without the lock */
	smp_store_release(&container->iommu, iommu);
	return 0;

err_free:
	if (iommu != &container->own)
		kfree(iommu);
err_put:
	module_put(ops->owner);
	return ret;
}

/*
 * Choose the IOMMU driver of type @type, among those the groups allow.  Every
 * IOMMU driver implementing the type is tried in turn; if none works, the error
 * of the last one tried is returned, or -ENODEV if none implements it.
 */
static long vfio_container_set_iommu(struct vfio_container *container,
				     unsigned long type)
{
	struct vfio_iommu_driver *drv;
	long ret = -ENODEV;
	int err;

	down_write(&container->lock);
	if (list_empty(&container->groups) || vfio_container_iommu(container)) {
		up_write(&container->lock);
		return -EINVAL;
	}
	mutex_lock(&vfio_iommu_drivers_lock);
	list_for_each_entry(drv, &vfio_iommu_drivers, node) {
		if (!vfio_container_may_use(container, drv->ops))
			continue;
		err = vfio_container_try_driver(container, drv->ops, type);
		if (err > 0)
			continue;
		ret = err;
		if (!ret)
			break;
	}
	mutex_unlock(&vfio_iommu_drivers_lock);
	up_write(&container->lock);
	return ret;
}

/*
 * Everything else is the IOMMU driver's: MAP_DMA, UNMAP_DMA, IOMMU_GET_INFO,
 * ... The call is counted in @calls, and takes no lock: the groups may leave
 * meanwhile, and the state outlives them until the call ends (see struct
 * vfio_container).
 */
static long vfio_container_driver_ioctl(struct vfio_container *container,
					unsigned int cmd, unsigned long arg)
{
	struct vfio_container_iommu *iommu;
	long ret = -EINVAL;

	atomic_inc(&container->calls);
	/* pairs with the barrier in vfio_container_retire() */
	smp_mb__after_atomic();
	iommu = READ_ONCE(container->iommu);
	if (iommu)
		ret = iommu->ops->ioctl(iommu->data, cmd, arg);
	/* a full barrier: the retirement's list is read after the decrement */
	if (atomic_dec_and_test(&container->calls) &&
	    unlikely(!llist_empty(&container->retired)))
		vfio_container_reap(container);
	return ret;
}

/* The container's own ioctls take their argument by value, not a struct. */
static long vfio_container_ioctl_version(void *data, void *karg,
					 void __user *uarg)
{
	return VFIO_API_VERSION;
}

static long vfio_container_ioctl_extension(void *data, void *karg,
					   void __user *uarg)
{
	return vfio_container_check_extension(data, (unsigned long)uarg);
}

static long vfio_container_ioctl_set_iommu(void *data, void *karg,
					   void __user *uarg)
{
	return vfio_container_set_iommu(data, (unsigned long)uarg);
}

static_assert(VFIO_SET_IOMMU - VFIO_CHECK_EXTENSION == 1);
static_assert(VFIO_CHECK_EXTENSION - VFIO_GET_API_VERSION == 1);

static const struct vfio_ioctl_op vfio_container_ioctls[] = {
	VFIO_IOCTL_RAW(VFIO_GET_API_VERSION, vfio_container_ioctl_version),
	VFIO_IOCTL_RAW(VFIO_CHECK_EXTENSION, vfio_container_ioctl_extension),
	VFIO_IOCTL_RAW(VFIO_SET_IOMMU, vfio_container_ioctl_set_iommu),
};

static long vfio_container_fops_ioctl(struct file *file, unsigned int cmd,
				      unsigned long arg)
{
	struct vfio_container *container = file->private_data;
	const struct vfio_ioctl_op *op;

	/* the container's own ioctls are the first three numbers of the ABI */
	if (cmd <= VFIO_SET_IOMMU) {
		op = vfio_ioctl_find(vfio_container_ioctls,
				     ARRAY_SIZE(vfio_container_ioctls), cmd);
		if (op)
			return vfio_ioctl_call(op, container, (void __user *)arg);
	}
	return vfio_container_driver_ioctl(container, cmd, arg);
}

static int vfio_container_fops_open(struct inode *inode, struct file *file)
{
	struct vfio_container *container;

	container = kzalloc(sizeof(*container), GFP_KERNEL_ACCOUNT);
	if (!container)
		return -ENOMEM;
	kref_init(&container->ref);
	init_rwsem(&container->lock);
	INIT_LIST_HEAD(&container->groups);
	init_llist_head(&container->retired);
	file->private_data = container;
	return 0;
}

static int vfio_container_fops_release(struct inode *inode, struct file *file)
{
	/* the groups still in the container keep it */
	vfio_container_put(file->private_data);
	return 0;
}

static const struct file_operations vfio_container_fops = {
	.owner		= THIS_MODULE,
	.open		= vfio_container_fops_open,
	.release	= vfio_container_fops_release,
	.unlocked_ioctl	= vfio_container_fops_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice vfio_container_dev = {
	.minor		= VFIO_MINOR,
	.name		= "vfio",
	.nodename	= "vfio/vfio",
	.mode		= 0666,
	.fops		= &vfio_container_fops,
};

/**
 * vfio_container_of_file - the container behind a container file
 * @file: any file
 *
 * Return: the container, or NULL if @file is not /dev/vfio/vfio.
 */
struct vfio_container *vfio_container_of_file(struct file *file)
{
	return file->f_op == &vfio_container_fops ? file->private_data : NULL;
}

/* ---- Groups in the container --------------------------------------------- */

/**
 * vfio_container_add_group - VFIO_GROUP_SET_CONTAINER with a container
 * @container: the container
 * @group: the group, whose lock the caller holds
 *
 * The group's DMA is claimed for userspace (-EPERM if a kernel driver or
 * another user has it) and, if the container has an IOMMU driver already, joins
 * the container's page tables.
 *
 * Return: 0 or a negative errno.
 */
int vfio_container_add_group(struct vfio_container *container,
			     struct vfio_group *group)
{
	bool noiommu = group->type == VFIO_NO_IOMMU;
	struct vfio_container_iommu *iommu;
	int ret = 0;

	lockdep_assert_held(&group->lock);
	if (noiommu && !capable(CAP_SYS_RAWIO))
		return -EPERM;

	down_write(&container->lock);
	if (!list_empty(&container->groups) && container->noiommu != noiommu) {
		ret = -EPERM;
		goto out_unlock;
	}
	if (group->type == VFIO_IOMMU) {
		ret = iommu_group_claim_dma_owner(group->iommu_group, group);
		if (ret)
			goto out_unlock;
	}
	iommu = vfio_container_iommu(container);
	if (iommu) {
		ret = iommu->ops->attach_group(iommu->data, group->iommu_group,
					       group->type);
		if (ret) {
			if (group->type == VFIO_IOMMU)
				iommu_group_release_dma_owner(group->iommu_group);
			goto out_unlock;
		}
	}
	container->noiommu = noiommu;
	list_add_tail(&group->container_node, &container->groups);
	kref_get(&container->ref);
	group->container = container;
out_unlock:
	up_write(&container->lock);
	return ret;
}

/**
 * vfio_container_remove_group - the group leaves its container
 * @group: the group, whose lock the caller holds, with no device open
 *
 * The last group to leave takes the IOMMU driver with it: the container is back
 * to the state of a fresh open.
 */
void vfio_container_remove_group(struct vfio_group *group)
{
	struct vfio_container *container = group->container;
	struct vfio_container_iommu *iommu;

	lockdep_assert_held(&group->lock);
	down_write(&container->lock);
	iommu = vfio_container_iommu(container);
	if (iommu)
		iommu->ops->detach_group(iommu->data, group->iommu_group);
	if (group->type == VFIO_IOMMU)
		iommu_group_release_dma_owner(group->iommu_group);
	list_del(&group->container_node);
	group->container = NULL;
	if (iommu && list_empty(&container->groups))
		vfio_container_retire(container);
	up_write(&container->lock);
	vfio_container_put(container);
}

/* ---- Devices in the container -------------------------------------------- */

/*
 * The IOMMU driver of the container of @device's group, for the group's
 * devices: a device that is open, or being opened or closed under the
 * group's lock.  Its group cannot leave the container then, and only the last
 * group's leaving retires the IOMMU driver; VFIO_SET_IOMMU may choose one
 * meanwhile, publishing it (smp_store_release) after it has attached every
 * group.  So the container lock is not needed, and the services to an
 * emulated device's driver must not take it: the IOMMU driver calls back
 * into the driver (dma_unmap) with its own locks held, and the driver then
 * unpins.
 */
static const struct vfio_iommu_driver_ops *
vfio_container_driver_of(struct vfio_device *device, void **data)
{
	struct vfio_container_iommu *iommu;

	iommu = READ_ONCE(device->group->container->iommu);
	if (!iommu)
		return NULL;
	*data = iommu->data;
	return iommu->ops;
}

/**
 * vfio_container_open_device - a device of a group in the container is
 *	opened for the first time
 * @device: the device
 *
 * Called with the group's lock held.  The container must have an IOMMU driver;
 * an emulated device is registered with it.
 *
 * Return: 0 or a negative errno.
 */
int vfio_container_open_device(struct vfio_device *device)
{
	const struct vfio_iommu_driver_ops *ops;
	void *data;

	lockdep_assert_held(&device->group->lock);
	if (device->group->type == VFIO_NO_IOMMU && !capable(CAP_SYS_RAWIO))
		return -EPERM;
	ops = vfio_container_driver_of(device, &data);
	if (!ops)
		return -EINVAL;
	if (ops->register_device)
		ops->register_device(data, device);
	return 0;
}

/**
 * vfio_container_close_device - undo vfio_container_open_device()
 * @device: the device, closed for the last time
 */
void vfio_container_close_device(struct vfio_device *device)
{
	const struct vfio_iommu_driver_ops *ops;
	void *data;

	lockdep_assert_held(&device->group->lock);
	ops = vfio_container_driver_of(device, &data);
	if (ops && ops->unregister_device)
		ops->unregister_device(data, device);
}

/**
 * vfio_device_in_container - does the device get its DMA from a container?
 * @device: an open device
 *
 * Return: true if the device's group is in a container.
 */
bool vfio_device_in_container(struct vfio_device *device)
{
	/* stable while the device is open: the group cannot leave */
	return READ_ONCE(device->group->container);
}

/**
 * vfio_container_pin_pages - vfio_pin_pages() through the container
 * @device: the device
 * @iova: the first IOVA
 * @npage: how many pages
 * @prot: IOMMU_READ and/or IOMMU_WRITE
 * @pages: filled with the pinned pages
 *
 * Return: @npage or a negative errno.
 */
int vfio_container_pin_pages(struct vfio_device *device, dma_addr_t iova,
			     int npage, int prot, struct page **pages)
{
	const struct vfio_iommu_driver_ops *drv;
	void *data;

	drv = vfio_container_driver_of(device, &data);
	if (!drv || !drv->pin_pages)
		return -ENOTTY;
	return drv->pin_pages(data, device->group->iommu_group, iova, npage,
				prot, pages);
}

/**
 * vfio_container_unpin_pages - vfio_unpin_pages() through the container
 * @device: the device
 * @iova: the first IOVA, as pinned
 * @npage: how many pages, as pinned
 */
void vfio_container_unpin_pages(struct vfio_device *device, dma_addr_t iova,
				int npage)
{
	const struct vfio_iommu_driver_ops *drv;
	void *data;

	drv = vfio_container_driver_of(device, &data);
	if (!WARN_ON(!drv || !drv->unpin_pages))
		drv->unpin_pages(data, iova, npage);
}

/**
 * vfio_container_dma_rw - vfio_dma_rw() through the container
 * @device: the device
 * @iova: where in the container's address space
 * @buf: the kernel buffer
 * @len: how many bytes
 * @write: true to write to @iova
 *
 * Return: 0 or a negative errno.
 */
int vfio_container_dma_rw(struct vfio_device *device, dma_addr_t iova,
			  void *buf, size_t len, bool write)
{
	const struct vfio_iommu_driver_ops *drv;
	void *data;

	drv = vfio_container_driver_of(device, &data);
	if (!drv || !drv->dma_rw)
		return -ENOTTY;
	return drv->dma_rw(data, iova, buf, len, write);
}

/* ---- The module ---------------------------------------------------------- */

int vfio_container_init(void)
{
	int ret;

	ret = misc_register(&vfio_container_dev);
	if (ret) {
		pr_err("vfio: cannot register /dev/vfio/vfio: %d\n", ret);
		return ret;
	}
	if (IS_ENABLED(CONFIG_VFIO_NOIOMMU)) {
		ret = vfio_register_iommu_driver(&vfio_noiommu_driver);
		if (ret) {
			misc_deregister(&vfio_container_dev);
			return ret;
		}
	}
	return 0;
}

void vfio_container_exit(void)
{
	if (IS_ENABLED(CONFIG_VFIO_NOIOMMU))
		vfio_unregister_iommu_driver(&vfio_noiommu_driver);
	misc_deregister(&vfio_container_dev);
}

MODULE_ALIAS_MISCDEV(VFIO_MINOR);
MODULE_ALIAS("devname:vfio/vfio");
