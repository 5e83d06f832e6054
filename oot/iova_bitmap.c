// SPDX-License-Identifier: GPL-2.0-only
/*
 * The base tree's IOVA bitmaps (drivers/iommu/iommufd/iova_bitmap.c), for
 * a kernel built without CONFIG_IOMMUFD_DRIVER (see compat.h): the DMA
 * logging reports of vfio.ko and iommufd's dirty reads walk them.  They
 * are exported in the IOMMUFD namespace, as in the kernel, under the names
 * compat.h gives them.
 */
#include "../base/drivers/iommu/iommufd/iova_bitmap.c"
