// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO core: binding devices to iommufd.
 *
 * A physical device is bound as an iommufd device: iommufd then owns the
 * DMA of its whole IOMMU group and attaches it to page tables.  An
 * emulated device (an mdev) does no DMA of its own; it is bound as an
 * iommufd access, through which its driver pins pages and copies data.
 *
 * The core binds a device when a file first opens it and unbinds it at the
 * last close; drivers implement their vfio_device_ops iommufd callbacks
 * with the helpers below.  Everything here runs under the device set lock.
 */
#include <linux/capability.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "vfio.h"

/* main.c imports IOMMUFD, which iova_bitmap needs without iommufd too */
MODULE_IMPORT_NS(IOMMUFD_VFIO);

/*
 * A no-IOMMU device (bound through its noiommu-vfioN cdev) has no DMA that
 * iommufd could own: no IOMMU translates for it.  It is bound as an
 * iommufd access instead, as an emulated device is, which gives it an id
 * in the iommufd and lets ATTACH and DETACH name an IOAS as for any
 * device; nothing is pinned through the access, and the IOAS does not
 * translate the device's DMA, which reaches physical memory.  6.12's
 * iommufd has no way to tell the user the physical address behind an
 * IOVA: the user finds them as the no-IOMMU group's users do.
 */

/**
 * vfio_iommufd_bind_file - bind a device to the iommufd of the file that
 *	first opens it
 * @df: the file's state, with @df->iommufd set
 *
 * Return: 0 or a negative errno.
 */
int vfio_iommufd_bind_file(struct vfio_device_file *df)
{
	struct vfio_device *device = df->device;

	lockdep_assert_held(&device->dev_set->lock);
	if (vfio_device_is_noiommu(device))
		return vfio_iommufd_emulated_bind(device, df->iommufd, &df->devid);
	return device->ops->bind_iommufd(device, df->iommufd, &df->devid);
}

/**
 * vfio_iommufd_unbind_file - undo vfio_iommufd_bind_file()
 * @df: the state of the file that closes the device last
 */
void vfio_iommufd_unbind_file(struct vfio_device_file *df)
{
	struct vfio_device *device = df->device;

	lockdep_assert_held(&device->dev_set->lock);
	if (vfio_device_is_noiommu(device))
		vfio_iommufd_emulated_unbind(device);
	else
		device->ops->unbind_iommufd(device);
}

/**
 * vfio_iommufd_attach - VFIO_DEVICE_ATTACH_IOMMUFD_PT of a bound cdev file
 * @device: the device
 * @pt_id: in, the IOAS or HWPT; out, the page table used
 *
 * Return: 0 or a negative errno.
 */
int vfio_iommufd_attach(struct vfio_device *device, u32 *pt_id)
{
	lockdep_assert_held(&device->dev_set->lock);
	if (vfio_device_is_noiommu(device))
		return vfio_iommufd_emulated_attach_ioas(device, pt_id);
	return device->ops->attach_ioas(device, pt_id);
}

/**
 * vfio_iommufd_detach - VFIO_DEVICE_DETACH_IOMMUFD_PT of a bound cdev file
 * @device: the device
 */
void vfio_iommufd_detach(struct vfio_device *device)
{
	lockdep_assert_held(&device->dev_set->lock);
	if (vfio_device_is_noiommu(device))
		vfio_iommufd_emulated_detach_ioas(device);
	else
		device->ops->detach_ioas(device);
}

/* ---- Groups joined to an iommufd ----------------------------------------- */

/**
 * vfio_iommufd_compat_join - a legacy group joins an iommufd
 * @ictx: the iommufd given to VFIO_GROUP_SET_CONTAINER
 * @noiommu: the group is a no-IOMMU group
 *
 * The iommufd gets the IOAS that legacy users map through (or, for a
 * no-IOMMU group, is told that it has none).
 *
 * Return: 0 or a negative errno.
 */
int vfio_iommufd_compat_join(struct iommufd_ctx *ictx, bool noiommu)
{
	if (IS_ENABLED(CONFIG_VFIO_NOIOMMU) && noiommu)
		return iommufd_vfio_compat_set_no_iommu(ictx);
	return iommufd_vfio_compat_ioas_create(ictx);
}

/**
 * vfio_iommufd_compat_open - the DMA of a device opened through a group
 *	joined to an iommufd
 * @device: the device, at its first open
 * @ictx: the group's iommufd
 *
 * The device is bound to @ictx and attached to its compat IOAS.  A
 * no-IOMMU device stays unbound, and is refused unless its user could do
 * DMA to any memory anyway and nothing suggests that it expects
 * translation: the iommufd must have no compat IOAS.
 *
 * Return: 0 or a negative errno.
 */
int vfio_iommufd_compat_open(struct vfio_device *device,
			     struct iommufd_ctx *ictx)
{
	u32 devid, ioas;
	int ret;

	lockdep_assert_held(&device->dev_set->lock);
	ret = iommufd_vfio_compat_ioas_get_id(ictx, &ioas);
	if (vfio_device_is_noiommu(device))
		return capable(CAP_SYS_RAWIO) && ret ? 0 : -EPERM;
	if (ret)
		return ret;
	ret = device->ops->bind_iommufd(device, ictx, &devid);
	if (ret)
		return ret;
	/* the legacy interface cannot tell the user which page table it got */
	ret = device->ops->attach_ioas(device, &ioas);
	if (ret)
		device->ops->unbind_iommufd(device);
	return ret;
}

/**
 * vfio_iommufd_compat_close - undo vfio_iommufd_compat_open()
 * @device: the device, at its last close
 */
void vfio_iommufd_compat_close(struct vfio_device *device)
{
	lockdep_assert_held(&device->dev_set->lock);
	if (!vfio_device_is_noiommu(device))
		device->ops->unbind_iommufd(device);
}

/**
 * vfio_iommufd_device_ictx - the iommufd a physical device is bound to
 * @vdev: the device
 *
 * Return: the iommufd context, or NULL if the device is not bound.
 */
struct iommufd_ctx *vfio_iommufd_device_ictx(struct vfio_device *vdev)
{
	return vdev->iommufd_device ? iommufd_device_to_ictx(vdev->iommufd_device) : NULL;
}
EXPORT_SYMBOL_GPL(vfio_iommufd_device_ictx);

/**
 * vfio_iommufd_get_dev_id - how a device stands towards an iommufd
 * @vdev: the device
 * @ictx: the iommufd
 *
 * For hot reset ownership checks.
 *
 * Return: the device's id in @ictx if it is bound there; -ENOENT if it
 * is not, but its IOMMU group is owned through @ictx by another device;
 * -ENODEV otherwise.
 */
int vfio_iommufd_get_dev_id(struct vfio_device *vdev, struct iommufd_ctx *ictx)
{
	struct iommu_group *group;
	bool owned;

	if (vfio_iommufd_device_ictx(vdev) == ictx && ictx)
		return iommufd_device_to_id(vdev->iommufd_device);

	group = iommu_group_get(vdev->dev);
	if (!group)
		return -ENODEV;
	owned = iommufd_ctx_has_group(ictx, group);
	iommu_group_put(group);
	return owned ? -ENOENT : -ENODEV;
}
EXPORT_SYMBOL_GPL(vfio_iommufd_get_dev_id);

/* ---- Physical devices --------------------------------------------------- */

/**
 * vfio_iommufd_physical_bind - bind_iommufd for a device with a real IOMMU
 * @vdev: the device
 * @ictx: the iommufd
 * @out_device_id: the device's id in @ictx
 *
 * Return: 0 or a negative errno.
 */
int vfio_iommufd_physical_bind(struct vfio_device *vdev,
			       struct iommufd_ctx *ictx, u32 *out_device_id)
{
	struct iommufd_device *idev;

	lockdep_assert_held(&vdev->dev_set->lock);
	idev = iommufd_device_bind(ictx, vdev->dev, out_device_id);
	if (!IS_ERR(idev))
		vdev->iommufd_device = idev;
	return PTR_ERR_OR_ZERO(idev);
}
EXPORT_SYMBOL_GPL(vfio_iommufd_physical_bind);

/**
 * vfio_iommufd_physical_detach_ioas - detach_ioas for a physical device
 * @vdev: the device
 *
 * Detaching a device that is not attached does nothing.
 */
void vfio_iommufd_physical_detach_ioas(struct vfio_device *vdev)
{
	lockdep_assert_held(&vdev->dev_set->lock);
	if (!WARN_ON(!vdev->iommufd_device) && vdev->iommufd_attached) {
		iommufd_device_detach(vdev->iommufd_device);
		vdev->iommufd_attached = false;
	}
}
EXPORT_SYMBOL_GPL(vfio_iommufd_physical_detach_ioas);

/**
 * vfio_iommufd_physical_unbind - unbind_iommufd for a physical device
 * @vdev: the device
 */
void vfio_iommufd_physical_unbind(struct vfio_device *vdev)
{
	struct iommufd_device *idev = vdev->iommufd_device;

	lockdep_assert_held(&vdev->dev_set->lock);
	/* detach first: the device's DMA is blocked before iommufd lets go */
	vfio_iommufd_physical_detach_ioas(vdev);
	vdev->iommufd_device = NULL;
	iommufd_device_unbind(idev);
}
EXPORT_SYMBOL_GPL(vfio_iommufd_physical_unbind);

/**
 * vfio_iommufd_physical_attach_ioas - attach_ioas for a physical device
 * @vdev: the device
 * @pt_id: in, the IOAS or HWPT; out, the HWPT used
 *
 * An attached device is moved to the new page table in one step.
 *
 * Return: 0 or a negative errno.
 */
int vfio_iommufd_physical_attach_ioas(struct vfio_device *vdev, u32 *pt_id)
{
	int ret;

	lockdep_assert_held(&vdev->dev_set->lock);
	if (WARN_ON(!vdev->iommufd_device))
		return -EINVAL;
	if (vdev->iommufd_attached)
		return iommufd_device_replace(vdev->iommufd_device, pt_id);
	ret = iommufd_device_attach(vdev->iommufd_device, pt_id);
	if (!ret)
		vdev->iommufd_attached = true;
	return ret;
}
EXPORT_SYMBOL_GPL(vfio_iommufd_physical_attach_ioas);

/* ---- Emulated devices --------------------------------------------------- */

/* How iommufd reaches an emulated device's driver; at the end of the file. */
static const struct iommufd_access_ops vfio_emulated_access_ops;

/**
 * vfio_iommufd_emulated_bind - bind_iommufd for an emulated device
 * @vdev: the device
 * @ictx: the iommufd
 * @out_device_id: the access's id in @ictx
 *
 * Return: 0 or a negative errno.
 */
int vfio_iommufd_emulated_bind(struct vfio_device *vdev,
			       struct iommufd_ctx *ictx, u32 *out_device_id)
{
	struct iommufd_access *access;

	lockdep_assert_held(&vdev->dev_set->lock);
	access = iommufd_access_create(ictx, &vfio_emulated_access_ops, vdev,
				       out_device_id);
	if (!IS_ERR(access))
		vdev->iommufd_access = access;
	return PTR_ERR_OR_ZERO(access);
}
EXPORT_SYMBOL_GPL(vfio_iommufd_emulated_bind);

/**
 * vfio_iommufd_emulated_unbind - unbind_iommufd for an emulated device
 * @vdev: the device
 */
void vfio_iommufd_emulated_unbind(struct vfio_device *vdev)
{
	lockdep_assert_held(&vdev->dev_set->lock);
	if (!vdev->iommufd_access)
		return;
	/*
	 * Destroying the access detaches it, and the detach asks the driver
	 * to unpin everything through vfio_unpin_pages(): the access must
	 * still be there for that.
	 */
	iommufd_access_destroy(vdev->iommufd_access);
	vdev->iommufd_attached = false;
	vdev->iommufd_access = NULL;
}
EXPORT_SYMBOL_GPL(vfio_iommufd_emulated_unbind);

/**
 * vfio_iommufd_emulated_attach_ioas - attach_ioas for an emulated device
 * @vdev: the device
 * @pt_id: the IOAS the access works on; unchanged on return
 *
 * Return: 0 or a negative errno.
 */
int vfio_iommufd_emulated_attach_ioas(struct vfio_device *vdev, u32 *pt_id)
{
	int (*attach)(struct iommufd_access *access, u32 ioas_id);
	int ret;

	lockdep_assert_held(&vdev->dev_set->lock);
	if (WARN_ON(!vdev->iommufd_access))
		return -EINVAL;
	attach = vdev->iommufd_attached ? iommufd_access_replace : iommufd_access_attach;
	ret = attach(vdev->iommufd_access, *pt_id);
	vdev->iommufd_attached |= !ret;
	return ret;
}
EXPORT_SYMBOL_GPL(vfio_iommufd_emulated_attach_ioas);

/**
 * vfio_iommufd_emulated_detach_ioas - detach_ioas for an emulated device
 * @vdev: the device
 */
void vfio_iommufd_emulated_detach_ioas(struct vfio_device *vdev)
{
	lockdep_assert_held(&vdev->dev_set->lock);
	if (!WARN_ON(!vdev->iommufd_access) && vdev->iommufd_attached) {
		iommufd_access_detach(vdev->iommufd_access);
		vdev->iommufd_attached = false;
	}
}
EXPORT_SYMBOL_GPL(vfio_iommufd_emulated_detach_ioas);

/*
 * iommufd is about to unmap a range of the IOAS: the driver must drop any
 * pages of it that it pinned.
 */
static void vfio_emulated_access_unmap(void *data, unsigned long iova,
				       unsigned long length)
{
	struct vfio_device *vdev = data;
	void (*unmap)(struct vfio_device *vdev, u64 iova, u64 length);

	/* a driver that never pins pages need not care */
	unmap = vdev->ops->dma_unmap;
	if (unmap)
		unmap(vdev, iova, length);
}

static const struct iommufd_access_ops vfio_emulated_access_ops = {
	.unmap = vfio_emulated_access_unmap,
	.needs_pin_pages = 1,
};
