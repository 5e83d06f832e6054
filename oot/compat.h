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

#endif
