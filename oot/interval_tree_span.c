// SPDX-License-Identifier: GPL-2.0-only
/*
 * The span iterator of the base tree's lib/interval_tree.c, for iommufd.ko
 * (see compat.h).  stage-base.sh copies it out of that file into
 * base/lib/interval_tree_span.c; the interval tree itself is the kernel's.
 * Nothing is exported: only iommufd.ko calls it, under the names compat.h
 * gives it.
 */
#include <linux/export.h>
#include <linux/interval_tree.h>

/* an export becomes a declaration of nothing, which takes the semicolon */
#undef EXPORT_SYMBOL_GPL
#define EXPORT_SYMBOL_GPL(sym) static_assert(sizeof(#sym) > 1)
#ifndef CONFIG_INTERVAL_TREE_SPAN_ITER
#define CONFIG_INTERVAL_TREE_SPAN_ITER 1
#endif

#include "../base/lib/interval_tree_span.c"
