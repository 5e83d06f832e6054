// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO core: what other subsystems may ask of a VFIO file.
 *
 * KVM's VFIO device learns of group files and device files through
 * KVM_DEV_VFIO_FILE_ADD and asks about them here, through symbol_get(), so
 * that neither module depends on the other.  vfio-pci asks about the group
 * files given to VFIO_DEVICE_PCI_HOT_RESET.
 */
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

#include "vfio.h"

/**
 * vfio_file_is_valid - is this a VFIO group or device file?
 * @file: any file
 *
 * A device file counts whether it is bound yet or not: KVM is told of a
 * cdev file before it is bound.
 *
 * Return: true for a group file or a device file.
 */
bool vfio_file_is_valid(struct file *file)
{
	/* the device file first: it is an inline test, the group's is not */
	return vfio_device_file_of_file(file) || vfio_group_of_file(file);
}
EXPORT_SYMBOL_GPL(vfio_file_is_valid);

/**
 * vfio_file_enforced_coherent - is DMA through this file cache coherent?
 * @file: a VFIO group or device file
 *
 * KVM may then ignore the guest's no-snoop requests.
 *
 * Return: true if every device behind the file has its DMA snooped by the
 * IOMMU, or if the file is not a VFIO file.
 */
bool vfio_file_enforced_coherent(struct file *file)
{
	struct vfio_device_file *df = vfio_device_file_of_file(file);
	struct vfio_group *group;
	bool coherent = true;
	int idx;

	if (df) {
		/* a file with access holds its device until it is closed */
		if (vfio_device_file_granted(df))
			return device_iommu_capable(df->device->dev,
						    IOMMU_CAP_ENFORCE_CACHE_COHERENCY);
		/* an unbound one may be detached, and does no DMA at all */
		idx = srcu_read_lock(&vfio_device_file_srcu);
		if (!vfio_device_file_detached(df))
			coherent = device_iommu_capable(df->device->dev,
							IOMMU_CAP_ENFORCE_CACHE_COHERENCY);
		srcu_read_unlock(&vfio_device_file_srcu, idx);
		return coherent;
	}
	group = vfio_group_of_file(file);
	if (group)
		return vfio_group_coherent(group);
	return true;
}
EXPORT_SYMBOL_GPL(vfio_file_enforced_coherent);

/**
 * vfio_file_set_kvm - tell a VFIO file which KVM it serves
 * @file: a VFIO group or device file
 * @kvm: the KVM, or NULL when the file is removed from it
 *
 * The device takes its reference on @kvm when it is opened.  KVM calls this
 * with its own locks held: only spinlocks are taken here.
 */
void vfio_file_set_kvm(struct file *file, struct kvm *kvm)
{
	struct vfio_device_file *df = vfio_device_file_of_file(file);
	struct vfio_group *group;

	if (df) {
		vfio_kvm_slot_set(&df->kvm, kvm);
		return;
	}
	group = vfio_group_of_file(file);
	if (group)
		vfio_kvm_slot_set(vfio_group_kvm_slot(group), kvm);
}
EXPORT_SYMBOL_GPL(vfio_file_set_kvm);

/**
 * vfio_file_iommu_group - the IOMMU group behind a group file
 * @file: a VFIO group file
 *
 * Only sPAPR's KVM TCE acceleration needs this.
 *
 * Return: the IOMMU group with a reference the caller drops, or NULL.
 */
struct iommu_group *vfio_file_iommu_group(struct file *file)
{
	struct vfio_group *group;

	if (!IS_ENABLED(CONFIG_SPAPR_TCE_IOMMU))
		return NULL;
	group = vfio_group_of_file(file);
	return group ? vfio_group_iommu_group(group) : NULL;
}
EXPORT_SYMBOL_GPL(vfio_file_iommu_group);

/* ---- ioctl tables --------------------------------------------------------- */

/**
 * vfio_ioctl_call - check an ioctl's argument and run its handler
 * @op: the table entry
 * @data: the file's private data, for the handler
 * @uarg: the user's argument
 *
 * Return: the handler's result; -EFAULT if the argument cannot be read;
 * -EINVAL if its argsz is smaller than what the handler needs or it sets
 * flags the ioctl does not have.
 */
long vfio_ioctl_call(const struct vfio_ioctl_op *op, void *data,
		     void __user *uarg)
{
	return __vfio_ioctl_call(op, data, uarg);
}
