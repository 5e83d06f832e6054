// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO core: the life of a device.
 *
 * A struct vfio_device is allocated by its driver with vfio_alloc_device(),
 * which also initialises its class device: from then on the structure
 * lives as long as that class device has references, and its release
 * calls the driver's release and frees it.
 *
 * Registration makes the device reachable: its cdev and sysfs entry, its
 * group (legacy), debugfs.  While registered, the device holds one
 * registration reference of its own and every open file holds another.
 * Unregistration first makes the device unreachable for new opens, then
 * drops its own reference and waits for the files to go, asking their
 * users through the driver's request callback.  Files that were opened but
 * never bound are not waited for: unregistration detaches them from the
 * device at once, and they fail every call with -ENODEV until closed.
 */
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "vfio.h"

/* How long unregistration waits between two requests to the user. */
#define VFIO_REQUEST_INTERVAL	(10 * HZ)

/* Magic of the pseudo filesystem holding the devices' inodes: "VFIO". */
#define VFIO_FS_MAGIC		0x5646494f

struct class *vfio_device_class;

#ifdef CONFIG_VFIO_NOIOMMU
bool vfio_noiommu __read_mostly;
module_param_named(enable_unsafe_noiommu_mode, vfio_noiommu, bool, 0644);
MODULE_PARM_DESC(enable_unsafe_noiommu_mode,
		 "Offer devices without an IOMMU to userspace, through no-IOMMU groups and noiommu-vfioN device nodes. The user gets DMA to all memory and the kernel is tainted. (default: false)");
#endif

/* Device numbers (the N of vfioN), and device sets by their set_id. */
static DEFINE_IDA(vfio_index_ida);
static DEFINE_XARRAY(vfio_device_sets);

/*
 * Every device gets an inode of its own: all its files share the inode's
 * address space, so a driver can zap every userspace mapping of the device
 * at once (vfio-pci does, around resets and power changes).  The inodes
 * live on an internal filesystem, mounted while the module is loaded.
 */
static struct vfsmount *vfio_inodes;

static int vfio_inodes_fill(struct fs_context *fc)
{
	struct pseudo_fs_context *ctx = init_pseudo(fc, VFIO_FS_MAGIC);

	return ctx ? 0 : -ENOMEM;
}

static struct file_system_type vfio_inodes_type = {
	.name = "vfio",
	.kill_sb = kill_anon_super,
	.init_fs_context = vfio_inodes_fill,
};

/* ---- Device sets ------------------------------------------------------- */

static struct vfio_device_set *vfio_device_set_get(void *set_id)
{
	unsigned long key = (unsigned long)set_id;
	struct vfio_device_set *set, *found;

	xa_lock(&vfio_device_sets);
	set = xa_load(&vfio_device_sets, key);
	if (set) {
		set->device_count++;
		xa_unlock(&vfio_device_sets);
		return set;
	}
	xa_unlock(&vfio_device_sets);

	set = kzalloc(sizeof(*set), GFP_KERNEL);
	if (!set)
		return ERR_PTR(-ENOMEM);
	set->set_id = set_id;
	set->device_count = 1;
	mutex_init(&set->lock);
	INIT_LIST_HEAD(&set->device_list);

	/* Someone may have created the same set meanwhile: use theirs. */
	xa_lock(&vfio_device_sets);
	found = __xa_cmpxchg(&vfio_device_sets, key, NULL, set, GFP_KERNEL);
	if (found && !xa_is_err(found))
		found->device_count++;
	xa_unlock(&vfio_device_sets);
	if (found) {
		mutex_destroy(&set->lock);
		kfree(set);
		return xa_is_err(found) ? ERR_PTR(xa_err(found)) : found;
	}
	return set;
}

static void vfio_device_set_put(struct vfio_device_set *set)
{
	bool last;

	xa_lock(&vfio_device_sets);
	last = !--set->device_count;
	if (last)
		__xa_erase(&vfio_device_sets, (unsigned long)set->set_id);
	xa_unlock(&vfio_device_sets);
	if (last) {
		mutex_destroy(&set->lock);
		kfree(set);
	}
}

/* Add a device to, or take it off, the list the set's users walk. */
static void vfio_dev_set_member(struct vfio_device_set *set,
				struct vfio_device *device, bool member)
{
	mutex_lock(&set->lock);
	if (member)
		list_add_tail(&device->dev_set_list, &set->device_list);
	else
		list_del(&device->dev_set_list);
	mutex_unlock(&set->lock);
}

/**
 * vfio_assign_device_set - put a device in a device set
 * @device: the device, allocated but not yet registered
 * @set_id: what identifies the set: devices given the same @set_id are
 *	opened, closed and reset under one lock
 *
 * A device that is not assigned to a set before registration gets a set
 * of its own.
 *
 * Return: 0 or a negative errno.
 */
int vfio_assign_device_set(struct vfio_device *device, void *set_id)
{
	struct vfio_device_set *set;

	if (WARN_ON(!set_id || device->dev_set))
		return -EINVAL;
	set = vfio_device_set_get(set_id);
	if (IS_ERR(set))
		return PTR_ERR(set);
	vfio_dev_set_member(set, device, true);
	device->dev_set = set;
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_assign_device_set);

static void vfio_device_leave_set(struct vfio_device *device)
{
	struct vfio_device_set *set = device->dev_set;

	if (set) {
		vfio_dev_set_member(set, device, false);
		device->dev_set = NULL;
		vfio_device_set_put(set);
	}
}

/**
 * vfio_device_set_open_count - how many opens the devices of a set have
 * @dev_set: the set, whose lock the caller holds
 *
 * A device counts once per open (through its group it may be opened more
 * than once), including while its driver's open_device() and
 * close_device() run: a driver closing a device sees 1 if nothing else
 * in the set is open.
 *
 * Return: the sum of the open counts of the set's devices.
 */
unsigned int vfio_device_set_open_count(struct vfio_device_set *dev_set)
{
	lockdep_assert_held(&dev_set->lock);
	return dev_set->open_count;
}
EXPORT_SYMBOL_GPL(vfio_device_set_open_count);

/**
 * vfio_find_device_in_devset - find the VFIO device of a struct device
 * @dev_set: the set to look in, whose lock the caller holds
 * @dev: the device exposed
 *
 * Return: the member of @dev_set exposing @dev, or NULL.
 */
struct vfio_device *vfio_find_device_in_devset(struct vfio_device_set *dev_set,
					       struct device *dev)
{
	struct vfio_device *member, *found = NULL;

	lockdep_assert_held(&dev_set->lock);
	list_for_each_entry(member, &dev_set->device_list, dev_set_list) {
		if (member->dev == dev) {
			found = member;
			break;
		}
	}
	return found;
}
EXPORT_SYMBOL_GPL(vfio_find_device_in_devset);

/* ---- Allocation and release -------------------------------------------- */

/* The last reference to the class device is gone: free everything. */
static void vfio_device_release(struct device *dev)
{
	struct vfio_device *device = container_of(dev, struct vfio_device, device);

	vfio_device_leave_set(device);
	ida_free(&vfio_index_ida, device->index);
	if (device->ops->release)
		device->ops->release(device);
	iput(device->inode);
	kvfree(device);
}

static int vfio_device_setup(struct vfio_device *device, struct device *dev,
			     const struct vfio_device_ops *ops)
{
	int ret;

	ret = ida_alloc_max(&vfio_index_ida, MINORMASK, GFP_KERNEL);
	if (ret < 0)
		return ret;
	device->index = ret;

	device->inode = alloc_anon_inode(vfio_inodes->mnt_sb);
	if (IS_ERR(device->inode)) {
		ret = PTR_ERR(device->inode);
		goto err_free_index;
	}

	device->dev = dev;
	device->ops = ops;
	init_completion(&device->comp);
	INIT_LIST_HEAD(&device->unbound_files);
	if (ops->init) {
		ret = ops->init(device);
		if (ret)
			goto err_leave_set;
	}

	device_initialize(&device->device);
	device->device.release = vfio_device_release;
	device->device.class = vfio_device_class;
	device->device.parent = dev;
	return 0;

err_leave_set:
	/* init may have put the device in a set before it failed */
	vfio_device_leave_set(device);
	iput(device->inode);
err_free_index:
	ida_free(&vfio_index_ida, device->index);
	return ret;
}

/**
 * _vfio_alloc_device - allocate a driver's device structure
 * @size: the size of the driver's structure, which starts with a
 *	struct vfio_device
 * @dev: the device being exposed
 * @ops: the driver's callbacks; @ops->init, if set, runs before this returns
 *
 * Use it through vfio_alloc_device().
 *
 * Return: the structure's struct vfio_device, or an ERR_PTR.
 */
struct vfio_device *_vfio_alloc_device(size_t size, struct device *dev,
				       const struct vfio_device_ops *ops)
{
	struct vfio_device *device;
	int ret;

	/* the driver's structure holds the whole struct vfio_device */
	if (WARN_ON(size < sizeof(*device)))
		return ERR_PTR(-EINVAL);
	device = kvzalloc(size, GFP_KERNEL);
	ret = device ? vfio_device_setup(device, dev, ops) : -ENOMEM;
	if (!ret)
		return device;
	kvfree(device);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(_vfio_alloc_device);

/* ---- Registration references ------------------------------------------ */

/**
 * vfio_device_try_get_registration - take a registration reference
 * @device: the device
 *
 * Return: false if the device is being unregistered and takes no new
 * references.
 */
bool vfio_device_try_get_registration(struct vfio_device *device)
{
	return refcount_inc_not_zero(&device->refcount);
}

/**
 * vfio_device_put_registration - drop a registration reference
 * @device: the device
 */
void vfio_device_put_registration(struct vfio_device *device)
{
	if (refcount_dec_and_test(&device->refcount))
		complete(&device->comp);
}

/* ---- Registration ------------------------------------------------------ */

static bool vfio_device_ops_complete(const struct vfio_device_ops *ops)
{
	if (!IS_ENABLED(CONFIG_IOMMUFD))
		return true;
	return ops->bind_iommufd && ops->unbind_iommufd &&
	       ops->attach_ioas && ops->detach_ioas;
}

/*
 * How a device registered as behind a real IOMMU really is: a device that
 * no IOMMU translates for is refused, unless no-IOMMU mode is on; then its
 * user gets DMA to all memory, and the kernel is tainted.
 */
static int vfio_device_resolve_type(struct vfio_device *device,
				    enum vfio_group_type *type)
{
	device->noiommu = 0;
	if (*type != VFIO_IOMMU || device_iommu_mapped(device->dev))
		return 0;
	if (!vfio_noiommu)
		return -EINVAL;
	*type = VFIO_NO_IOMMU;
	device->noiommu = 1;
	add_taint(TAINT_USER, LOCKDEP_STILL_OK);
	dev_warn(device->dev, "vfio: no IOMMU isolates this device; kernel tainted\n");
	return 0;
}

/*
 * A device behind a real IOMMU must have coherent DMA: iommufd relies on
 * it, and userspace cannot flush caches.
 */
static bool vfio_device_dma_coherent(struct vfio_device *device,
				     enum vfio_group_type type)
{
	if (type != VFIO_IOMMU)
		return true;
	return device_iommu_capable(device->dev, IOMMU_CAP_CACHE_COHERENCY);
}

/*
 * Make a device reachable: its class device and cdev, then its group's
 * list and debugfs.  From here on files may hold registration references
 * next to the device's own.
 */
static int vfio_device_go_live(struct vfio_device *device)
{
	int ret;

	reinit_completion(&device->comp);
	refcount_set(&device->refcount, 1);
	ret = vfio_cdev_add_device(device);
	if (ret)
		return ret;
	vfio_group_publish_device(device);
	vfio_debugfs_add_device(device);
	return 0;
}

static int vfio_device_register(struct vfio_device *device,
				enum vfio_group_type type)
{
	int ret;

	if (WARN_ON(!vfio_device_ops_complete(device->ops)))
		return -EINVAL;
	/* a device may be registered again after an unregistration */
	device->unregistering = 0;
	if (!device->dev_set) {
		ret = vfio_assign_device_set(device, device);
		if (ret)
			return ret;
	}
	ret = vfio_device_resolve_type(device, &type);
	if (ret)
		return ret;
	/* a no-IOMMU device says so in its name: QEMU looks for vfio* only */
	if (IS_ENABLED(CONFIG_VFIO_DEVICE_CDEV) && vfio_device_is_noiommu(device))
		ret = dev_set_name(&device->device, "noiommu-vfio%u", device->index);
	else
		ret = dev_set_name(&device->device, "vfio%u", device->index);
	if (ret)
		return ret;

	ret = vfio_group_attach_device(device, type);
	if (ret)
		return ret;
	ret = vfio_device_dma_coherent(device, type) ?
	      vfio_device_go_live(device) : -EINVAL;
	if (ret) {
		/* never handed out, but it leaves the way every device does */
		vfio_group_withdraw_device(device);
		vfio_group_detach_device(device);
	}
	return ret;
}

/**
 * vfio_register_group_dev - register a device behind a real IOMMU
 * @device: the device, from vfio_alloc_device()
 *
 * Return: 0 or a negative errno.
 */
int vfio_register_group_dev(struct vfio_device *device)
{
	return vfio_device_register(device, VFIO_IOMMU);
}
EXPORT_SYMBOL_GPL(vfio_register_group_dev);

/*
 * Wait until every file of the device is closed.  The user is asked to
 * close them through the driver's request callback, again at every
 * interval.  A fatal signal ends the killable part of the wait but not
 * the wait: the device cannot go while userspace holds it.
 */
static void vfio_device_wait_for_files(struct vfio_device *device)
{
	unsigned int asked = 0;
	bool killable = true;
	long left;

	while (!try_wait_for_completion(&device->comp)) {
		if (device->ops->request)
			device->ops->request(device, asked++);
		if (killable) {
			left = wait_for_completion_killable_timeout(&device->comp,
								    VFIO_REQUEST_INTERVAL);
			if (left < 0) {
				killable = false;
				dev_warn(device->dev,
					 "still in use; %s (%d) waits until it is released\n",
					 current->comm, task_pid_nr(current));
			}
		} else {
			left = wait_for_completion_timeout(&device->comp,
							   VFIO_REQUEST_INTERVAL);
		}
		if (left > 0)
			return;
	}
}

/**
 * vfio_unregister_group_dev - unregister a device
 * @device: the device
 *
 * Makes the device unreachable and detaches the cdev files that are not
 * bound, then waits for every file that uses the device to be closed.
 * The driver still owns its allocation reference and drops it with
 * vfio_put_device() afterwards.
 */
void vfio_unregister_group_dev(struct vfio_device *device)
{
	unsigned int detached;

	/*
	 * Files that are open already may not open the device any more, and
	 * no unbound file is added after the ones detached here.
	 */
	mutex_lock(&device->dev_set->lock);
	device->unregistering = 1;
	detached = vfio_device_detach_unbound(device);
	mutex_unlock(&device->dev_set->lock);

	vfio_group_withdraw_device(device);
	vfio_debugfs_remove_device(device);
	vfio_cdev_del_device(device);

	/* only files that use the device are waited for */
	vfio_device_put_detached(device, detached);
	vfio_device_put_registration(device);
	vfio_device_wait_for_files(device);

	vfio_group_detach_device(device);
}
EXPORT_SYMBOL_GPL(vfio_unregister_group_dev);

/**
 * vfio_register_emulated_iommu_dev - register a device whose DMA the driver
 *	performs itself through vfio_pin_pages() and vfio_dma_rw()
 * @device: the device, from vfio_alloc_device()
 *
 * Return: 0 or a negative errno.
 */
int vfio_register_emulated_iommu_dev(struct vfio_device *device)
{
	/* DMA goes through iommufd accesses or the container, never the device */
	return vfio_device_register(device, VFIO_EMULATED_IOMMU);
}
EXPORT_SYMBOL_GPL(vfio_register_emulated_iommu_dev);

/* ---- The module --------------------------------------------------------- */

int vfio_device_init_core(void)
{
	vfio_inodes = kern_mount(&vfio_inodes_type);
	if (IS_ERR(vfio_inodes))
		return PTR_ERR(vfio_inodes);
	vfio_device_class = class_create("vfio-dev");
	if (IS_ERR(vfio_device_class)) {
		kern_unmount(vfio_inodes);
		return PTR_ERR(vfio_device_class);
	}
	return 0;
}

void vfio_device_exit_core(void)
{
	class_destroy(vfio_device_class);
	vfio_device_class = NULL;
	kern_unmount(vfio_inodes);
	ida_destroy(&vfio_index_ida);
	WARN_ON(!xa_empty(&vfio_device_sets));
}
