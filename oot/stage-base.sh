#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Copy the base tree's files that the external build compiles (Kbuild)
# into DEST/base: from an unpacked kernel tree, or from Debian's
# linux-source-6.12 tarball.
#
# Usage: stage-base.sh DEST [TREE | TARBALL]
set -eu

dest=$1/base
from=${2:-/usr/src/linux-source-6.12.tar.xz}

# kernel paths; a trailing / takes the directory's files (not its
# subdirectories)
FILES="drivers/iommu/iommufd/ drivers/iommu/iommu-priv.h
drivers/vfio/vfio_iommu_type1.c drivers/vfio/pci/ drivers/vfio/mdev/
lib/interval_tree.c samples/vfio-mdev/mtty.c"

tmp=$dest.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
if [ -d "$from" ]; then
	for f in $FILES; do
		mkdir -p "$tmp/$(dirname "$f.")"
		case "$f" in
		*/)	find "$from/$f" -maxdepth 1 -type f -name "*.[ch]" \
				-exec cp {} "$tmp/$f" \; ;;
		*)	cp "$from/$f" "$tmp/$f" ;;
		esac
	done
elif [ -f "$from" ]; then
	top=$(tar -tf "$from" | head -n 1 | cut -d/ -f1)
	pats=
	for f in $FILES; do
		case "$f" in
		*/) pats="$pats $top/$f*.[ch]" ;;
		*) pats="$pats $top/$f" ;;
		esac
	done
	# shellcheck disable=SC2086
	tar -xf "$from" -C "$tmp" --strip-components=1 --wildcards \
		--no-wildcards-match-slash $pats
else
	echo "stage-base.sh: no kernel tree or tarball at $from" >&2
	exit 1
fi
# the span iterator alone, for a kernel built without it (compat.h)
sed -n '/^#ifdef CONFIG_INTERVAL_TREE_SPAN_ITER$/,/^#endif$/p' "$tmp/lib/interval_tree.c" \
	> "$tmp/lib/interval_tree_span.c"
grep -q '^void interval_tree_span_iter_first' "$tmp/lib/interval_tree_span.c" ||
	{ echo "stage-base.sh: no span iterator in $from's lib/interval_tree.c" >&2; exit 1; }
[ -f "$tmp/drivers/iommu/iommufd/main.c" ] ||
	{ echo "stage-base.sh: $from has no drivers/iommu/iommufd" >&2; exit 1; }
rm -rf "$dest"
mv "$tmp" "$dest"
