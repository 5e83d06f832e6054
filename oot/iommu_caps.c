// SPDX-License-Identifier: GPL-2.0-only
/*
 * What iommufd's device.c and hw_pagetable.c see as device_iommu_capable()
 * on a kernel without CONFIG_IOMMUFD_DRIVER (Kbuild renames their calls):
 * that kernel's IOMMU drivers record dirty pages into stub IOVA bitmaps,
 * so dirty tracking is not offered (compat.h).
 */
#include <linux/iommu.h>

bool vfio_oot_device_iommu_capable(struct device *dev, enum iommu_cap cap);

bool vfio_oot_device_iommu_capable(struct device *dev, enum iommu_cap cap)
{
	if (cap == IOMMU_CAP_DIRTY_TRACKING)
		return false;
	return device_iommu_capable(dev, cap);
}
