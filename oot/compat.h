/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Included in every file of the external build (Kbuild), after the target
 * kernel's configuration and oot-config.h.
 *
 * A kernel built without CONFIG_INTERVAL_TREE_SPAN_ITER has no span
 * iterator, which iommufd needs: oot/interval_tree_span.c builds it into
 * iommufd.ko.  Its functions take names of their own here, so that they
 * never clash with a kernel that does export them.
 */
#ifndef VFIO_OOT_COMPAT_H
#define VFIO_OOT_COMPAT_H

#define interval_tree_span_iter_first vfio_oot_interval_tree_span_iter_first
#define interval_tree_span_iter_next vfio_oot_interval_tree_span_iter_next
#define interval_tree_span_iter_advance vfio_oot_interval_tree_span_iter_advance

/*
 * A kernel built without CONFIG_IOMMUFD_DRIVER has no IOVA bitmaps either:
 * oot/iova_bitmap.c builds the base's into iommufd.ko (into vfio.ko when
 * iommufd is not built), exported under names of their own.  Kbuild sets
 * VFIO_OOT_IOVA_BITMAP then.
 *
 * The IOMMU drivers of such a kernel were built with the stubs, so their
 * dirty tracking records nothing: iommufd must not offer it.  Kbuild
 * renames device_iommu_capable() in the iommufd files that ask for
 * IOMMU_CAP_DIRTY_TRACKING to oot/iommu_caps.c's, which says no to it;
 * IOMMU_HWPT_ALLOC_DIRTY_TRACKING then fails with EOPNOTSUPP and
 * IOMMU_GET_HW_INFO does not report IOMMU_HW_CAP_DIRTY_TRACKING.  The
 * dirty tracking of VFIO devices (the DMA logging features) is the
 * drivers' own and works.
 */
#ifdef VFIO_OOT_IOVA_BITMAP
#define CONFIG_IOMMUFD_DRIVER 1

#define iova_bitmap_alloc vfio_oot_iova_bitmap_alloc
#define iova_bitmap_free vfio_oot_iova_bitmap_free
#define iova_bitmap_for_each vfio_oot_iova_bitmap_for_each
#define iova_bitmap_set vfio_oot_iova_bitmap_set
#endif

#endif
