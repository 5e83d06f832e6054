#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a kernel from Debian's linux-source-6.12 with this repository's VFIO
# files laid over it, boot it under QEMU (TCG) with an emulated Intel IOMMU
# and emulated PCI devices, and run the VFIO selftests inside the guest.
#
# Usage: vmtest.sh [options] <command>
#   commands:
#     deps     install what is missing (apt-get)
#     build    prepare the trees and build kernels and tests
#     check    build, then run the whole suite in every selected variant
#     demo     build the kernel and boot it with the edu DMA demo
#     shell    boot the kernel with an interactive busybox shell
#     lint     checkpatch --strict on our C files; sparse and W=1 on our core
#     compile  build every in-tree VFIO user against our tree and upstream's
#              (errors or added warnings fail; part of check)
#     mutate   prove every test can fail: run each against a mutant of
#              itself with one assertion inverted (-t: those programs' tests)
#     matrix   build the Kconfig matrix (MATRIX: VFIO=m/y with and without
#              iommufd, without each optional layer) with modpost, no
#              warnings allowed (part of check; MATRIX_ENTRIES=a,b: only those)
#     bench    build a non-debug kernel of each side (ours and the pristine
#              core) from one config, boot each twice with -icount and run
#              vfio_bench there; prints the table side by side and plots
#              the registration scaling (build/bench/)
#     profile OP  boot both bench kernels with an instruction-counting QEMU
#              plugin and print where vfio_bench's operation OP spends the
#              kernel's instructions, per function, both sides
#              (build/bench/profile-OP.txt)
#     series   export this tree as a patch series (series.txt) to
#              build/patches, git am it onto a git tree of the pristine
#              sources and build the result (part of check), then
#              build the in-tree VFIO users at every patch of it
#   (demo, shell and mutate use the "full" variant, or "cdev-only" while
#   this side cannot build "full")
#   options:
#     -s SIDE      ours (default) or upstream (the pristine base: reference)
#     -v LIST      comma separated variants (default: full,cdev-only,iommufd-container,
#                  modules,debian; "faults" is make faults' variant; debian,
#                  Debian's own kernel with our modules, is ours only)
#     -t LIST      comma separated test programs to run (default: all)
#     -j N         parallel make jobs (default: nproc)
#     -n           check without the lint, compile and series steps (for
#                  a quick run of a few tests while working on them)
#     -V           echo the guest's console while it runs (it is always
#                  saved in build/runs/<side>-<variant>-<mode>/console.log)
#
# Environment: VFIO_VMTEST_DIR  where trees, builds and logs go
#                               (default: <repo>/build, git-ignored)
#              VFIO_VMTEST_TIMEOUT  seconds one boot may take (default 1500)
#              VFIO_VMTEST_FAULTS   how far vfio_fail_nth_test sweeps: "all"
#                                   sites, or every N-th (default 4)
#              VFIO_VMTEST_FUZZ     seconds vfio_fuzz_test runs (default 30)
#              VFIO_VMTEST_SEED     its seed (default: the time; printed)
#              VFIO_VMTEST_UPSTREAM_BUGS  also run, on the reference core, the
#                                   tests of upstream bugs that crash it
#              VFIO_VMTEST_BENCH    vfio_bench's options in bench (default
#                                   --full; "-r 5 -c 16,64" is a quick form;
#                                   in profile: "-r 11 -w 2 -b 16")

set -euo pipefail

SELFDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SELFDIR/../../../.." && pwd)
WORK=${VFIO_VMTEST_DIR:-$REPO/build}
TIMEOUT=${VFIO_VMTEST_TIMEOUT:-1500}
SIDE=ours
VARIANTS=full,cdev-only,iommufd-container,modules,debian
TESTS=
JOBS=$(nproc)
QUIET=1
ARCH=x86_64
PKG=linux-source-6.12
TARBALL=/usr/src/linux-source-6.12.tar.xz
# QEMU's -plugin option of a profiled boot (profile)
PLUGIN=()

# The files of the base tree that make up the VFIO core.  When this
# repository carries its own core (drivers/vfio/Makefile exists here), all of
# them are deleted from the overlaid tree before our files are copied in, so
# the upstream core can never be linked by accident.  Until then none of our
# core files is laid over the base (a core only works as a whole), except
# the UAPI header, which stands alone and is checked against upstream's ABI.
CORE_FILES=(
	drivers/vfio/Kconfig
	drivers/vfio/Makefile
	drivers/vfio/vfio.h
	drivers/vfio/vfio_main.c
	drivers/vfio/group.c
	drivers/vfio/container.c
	drivers/vfio/device_cdev.c
	drivers/vfio/iommufd.c
	drivers/vfio/virqfd.c
	drivers/vfio/debugfs.c
	include/linux/vfio.h
	include/uapi/linux/vfio.h
)
# Directories of this repository that mirror kernel paths.
OVERLAY_DIRS=(drivers include tools Documentation samples virt)

APT_PKGS=(linux-source-6.12 qemu-system-x86 busybox-static ccache build-essential
	  flex bison bc libelf-dev libssl-dev cpio kmod xz-utils rsync
	  sparse python3 git dwarves dkms gnuplot-nox patch)

log() { printf '[vmtest] %s\n' "$*" >&2; }
die() { printf '[vmtest] error: %s\n' "$*" >&2; exit 1; }

usage() { sed -n '4,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

install_deps()
{
	local missing=() p
	for p in "${APT_PKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || die "missing packages: ${missing[*]} (run as root)"
	log "installing: ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
}

# Whose VFIO core a side's kernel carries: ours only once this tree has one.
core_of()
{
	if [ "$1" = ours ] && [ -f "$REPO/drivers/vfio/Makefile" ]; then
		echo ours
	else
		echo upstream
	fi
}

# The side a variant really runs on.  Until this tree has its legacy layers
# (drivers/vfio/compat/group.c), our core cannot build a variant with
# VFIO_GROUP; such a variant runs on the upstream kernel instead, and the
# harness says so.
variant_side()
{
	local side=$1 variant=$2
	if [ "$side" = ours ] && [ "$(core_of ours)" = ours ] &&
	   [ ! -f "$REPO/drivers/vfio/compat/group.c" ] &&
	   ! grep -q '^# CONFIG_VFIO_GROUP is not set' "$SELFDIR/config.$variant" 2>/dev/null; then
		echo upstream
	else
		echo "$side"
	fi
}

# The variant for the demo, the shell and mutation runs: "full" when this
# side can build it, else "cdev-only".
main_variant()
{
	if [ "$(variant_side "$SIDE" full)" = "$SIDE" ]; then
		echo full
	else
		echo cdev-only
	fi
}

pkg_version() { dpkg-query -W -f='${Version}' "$PKG"; }

# The pristine base, unpacked once per package version.  The upstream side
# builds straight from it; ours is a hard-linked copy with the overlay on top
# (files are replaced by rename, never written in place, so the links to the
# pristine copy are never modified).
prepare_base()
{
	local ver stamp
	ver=$(pkg_version)
	stamp="$WORK/upstream/src/.vmtest-version"
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$ver" ]; then
		return 0
	fi
	log "unpacking $PKG $ver"
	rm -rf "$WORK/upstream/src" "$WORK/ours/src"
	mkdir -p "$WORK/upstream"
	local tmp="$WORK/upstream/src.tmp"
	rm -rf "$tmp" && mkdir -p "$tmp"
	tar -xf "$TARBALL" -C "$tmp" --strip-components=1
	echo "$ver" > "$tmp/.vmtest-version"
	mv "$tmp" "$WORK/upstream/src"
}

overlay_files()
{
	local f core
	(cd "$REPO" && git ls-files -co --exclude-standard -- "${OVERLAY_DIRS[@]}" 2>/dev/null) |
	while read -r f; do
		if [ "$(core_of ours)" = upstream ] && [ "$f" != include/uapi/linux/vfio.h ]; then
			for core in "${CORE_FILES[@]}"; do
				[ "$f" = "$core" ] && continue 2
			done
			case "$f" in drivers/vfio/*.[ch]|drivers/vfio/Kconfig) continue ;; esac
		fi
		echo "$f"
	done
}

prepare_ours()
{
	local base="$WORK/upstream/src" tree="$WORK/ours/src" manifest f
	if [ ! -f "$tree/.vmtest-version" ] ||
	   ! cmp -s "$tree/.vmtest-version" "$base/.vmtest-version"; then
		log "linking the overlay tree"
		rm -rf "$tree" && mkdir -p "$WORK/ours"
		cp -al "$base" "$tree.tmp" && mv "$tree.tmp" "$tree"
		rm -f "$tree/.vmtest-overlay"
	fi
	manifest="$tree/.vmtest-overlay"
	overlay_files > "$WORK/overlay.list"
	diffed_files > "$WORK/diffed.list"
	: > "$manifest.new"
	if [ -f "$REPO/drivers/vfio/Makefile" ]; then
		printf '%s\n' "${CORE_FILES[@]}" >> "$manifest.new"
	fi
	cat "$WORK/diffed.list" >> "$manifest.new"

	# Put back what an earlier overlay replaced or added and this one
	# neither brings nor deletes.  A file the overlay still has is left in
	# place for rsync to replace by rename: the tree never shows the base's
	# file, or none, in its place, so a build running meanwhile (another
	# vmtest.sh on this build directory) cannot compile, and ccache cannot
	# store, an object of the base's header under our sources' hash.
	if [ -f "$manifest" ]; then
		while read -r f; do
			grep -qxF "$f" "$WORK/overlay.list" "$manifest.new" && continue
			rm -f "$tree/$f"
			# a copy, whose time is now (a link would have the base's)
			[ -e "$base/$f" ] && cp "$base/$f" "$tree/$f"
		done < "$manifest"
	fi
	# the base's core files our core replaces or does without
	if [ -f "$REPO/drivers/vfio/Makefile" ]; then
		for f in "${CORE_FILES[@]}"; do
			grep -qxF "$f" "$WORK/overlay.list" || rm -f "$tree/$f"
		done
	fi
	if [ -s "$WORK/overlay.list" ]; then
		# rsync replaces by rename only the files whose contents differ,
		# and gives them the time of the copy: make rebuilds what
		# changed, even when the build directory last built another
		# tree (a second work tree) whose files are newer than ours.
		rsync -a --checksum --no-times --files-from="$WORK/overlay.list" \
			"$REPO/" "$tree/"
		cat "$WORK/overlay.list" >> "$manifest.new"
	fi
	apply_diffs "$base" "$tree"
	sort -u "$manifest.new" > "$manifest" && rm -f "$manifest.new"
	log "overlay: $(wc -l < "$WORK/overlay.list") files from this repository"
}

# The series' changes outside the VFIO files (the driver core's), kept as
# diffs against the base tree in patches/: ours only, not the reference's.
base_diffs()
{
	[ "$(core_of ours)" = ours ] && [ -d "$REPO/patches" ] || return 0
	find "$REPO/patches" -maxdepth 1 -name '*.diff' 2>/dev/null | sort
}

diffed_files()
{
	local d
	base_diffs | while read -r d; do
		sed -n 's|^+++ b/||p' "$d"
	done | sort -u
}

# Apply the diffs to copies of the base's files; a file whose result is
# what the tree has is left alone (its time too), another one replaced by
# rename (the tree's files are hard links to the base's).
apply_diffs()
{
	local base=$1 tree=$2 scratch="$WORK/diffed" d f
	[ -s "$WORK/diffed.list" ] || return 0
	rm -rf "$scratch" && mkdir -p "$scratch"
	while read -r f; do
		mkdir -p "$scratch/$(dirname "$f")"
		cp "$base/$f" "$scratch/$f"
	done < "$WORK/diffed.list"
	base_diffs | while read -r d; do
		patch -d "$scratch" -p1 -s -F0 --no-backup-if-mismatch < "$d" ||
			die "patches/${d##*/} does not apply to the base tree"
	done || exit 1
	while read -r f; do
		cmp -s "$scratch/$f" "$tree/$f" && continue
		cp "$scratch/$f" "$tree/$f.vmtest-tmp" && mv "$tree/$f.vmtest-tmp" "$tree/$f"
	done < "$WORK/diffed.list"
	log "base diffs: $(base_diffs | wc -l) applied ($(tr '\n' ' ' < "$WORK/diffed.list"| sed 's/ $//'))"
}

# A side's source tree and a variant's build directory.  The benchmark
# builds both sides from one source path, $WORK/bench/src, which holds the
# side being built (see bench()): the path is part of every compile command,
# so only then can ccache give the second side the first one's objects.
src_of()
{
	if [ "$2" = bench ]; then echo "$WORK/bench/src"; else echo "$WORK/$1/src"; fi
}

out_of()
{
	if [ "$2" = bench ]; then echo "$WORK/bench/out/$1"; else echo "$WORK/$1/out/$2"; fi
}

# Our UAPI header must define exactly upstream's ABI.
check_uapi()
{
	local ours="$REPO/include/uapi/linux/vfio.h"
	[ -f "$ours" ] || return 0
	python3 "$SELFDIR/uapi_check.py" "$WORK/upstream/src/include/uapi/linux/vfio.h" "$ours" ||
		die "include/uapi/linux/vfio.h differs from upstream's ABI"
}

fragments()
{
	local variant=$1 side=${2:-}
	case "$variant" in
	# full has fault injection (make check sweeps every fourth site);
	# faults is the same kernel, for make faults' exhaustive sweep
	full|faults)
		echo "$SELFDIR/config.vm" "$SELFDIR/config" "$SELFDIR/config.debug" \
		     "$SELFDIR/config.faults" ;;
	# the other variants carry it too, unused (vm-init.sh runs the sweep
	# in full only): it changes what nearly every file of the kernel
	# preprocesses to, so with it ccache builds them from full's objects
	# instead of from scratch
	cdev-only|iommufd-container|modules)
		echo "$SELFDIR/config.vm" "$SELFDIR/config" "$SELFDIR/config.debug" \
		     "$SELFDIR/config.faults" "$SELFDIR/config.$variant" ;;
	# the compile check builds, never boots: no debug options; both sides
	# leave out the legacy layers while our tree does not have them
	compile)
		echo "$SELFDIR/config.vm" "$SELFDIR/config"
		[ "$(SIDE=ours variant_side ours full)" = ours ] ||
			echo "$SELFDIR/config.cdev-only"
		echo "$SELFDIR/config.compile"
		;;
	# the benchmark: no debug options, the same config on both sides
	bench)
		echo "$SELFDIR/config.vm" "$SELFDIR/config" "$SELFDIR/config.bench" ;;
	# the Kconfig matrix: no debug options (a debug vmlinux links in about
	# a minute, a plain one in 20 s); matrix() writes the entry
	matrix)
		echo "$SELFDIR/config.vm" "$SELFDIR/config" "$SELFDIR/config.matrix" \
		     "$WORK/ours/out/matrix/config.entry" ;;
	*)	echo "$SELFDIR/config.vm" "$SELFDIR/config" "$SELFDIR/config.debug" \
		     "$SELFDIR/config.$variant" ;;
	esac
	# the test driver exists only in our tree (config.ours.<variant>
	# adapts it to a variant); the series tree is ours too, and must
	# configure like it
	if [ "$variant" != compile ] && [ "$variant" != matrix ] &&
	   [ "$variant" != bench ] &&
	   { [ "$side" = series ] || [ "$(core_of "$side")" = ours ]; }; then
		echo "$SELFDIR/config.ours"
		[ ! -f "$SELFDIR/config.ours.$variant" ] || echo "$SELFDIR/config.ours.$variant"
	fi
}

# Fail loudly if a symbol asked for by the fragments (the last one to name
# it wins, as in merge_config.sh) did not end up as asked.
check_config()
{
	local cfg=$1; shift
	local bad=0 line sym want got
	local -A asked=()
	while read -r line; do
		case "$line" in
		CONFIG_*=*) asked[${line%%=*}]=${line#*=} ;;
		"# CONFIG_"*" is not set") sym=${line#\# }; asked[${sym%% *}]=n ;;
		esac
	done < <(cat "$@")
	for sym in "${!asked[@]}"; do
		want=${asked[$sym]}
		got=$(grep -E "^$sym=|^# $sym is not set" "$cfg" | head -n1 || true)
		case "$got" in
		"$sym="*) got=${got#*=} ;;
		*) got=n ;;
		esac
		if [ "$got" != "$want" ]; then
			log "config: $sym requested $want, got $got"
			bad=1
		fi
	done
	[ $bad -eq 0 ] || die "kernel config $cfg does not match the fragments"
}

configure()
{
	local side=$1 variant=$2
	local src out
	src=$(src_of "$side" "$variant")
	out=$(out_of "$side" "$variant")
	local frags sum
	mapfile -t frags < <(fragments "$variant" "$side" | tr ' ' '\n')
	mkdir -p "$out"
	sum=$(cat "${frags[@]}" "$src/.vmtest-version" | sha1sum | cut -d' ' -f1)
	if [ ! -f "$out/.config" ] || [ "$(cat "$out/.vmtest-config" 2>/dev/null)" != "$sum" ]; then
		log "configuring $side/$variant"
		(cd "$src" && ARCH=$ARCH scripts/kconfig/merge_config.sh -Q -n -O "$out" \
			"${frags[@]}" > "$out/merge.log" 2>&1) ||
			{ cat "$out/merge.log"; die "merge_config failed"; }
		make -s -C "$src" O="$out" ARCH=$ARCH olddefconfig
		check_config "$out/.config" "${frags[@]}"
		echo "$sum" > "$out/.vmtest-config"
	fi
}

# Build targets of a configured tree; the log goes to $out/$2.log.
build_targets()
{
	local side=$1 variant=$2 logname=$3; shift 3
	local src out
	src=$(src_of "$side" "$variant")
	out=$(out_of "$side" "$variant")
	# ccache keys on paths relative to $WORK, and every side and variant
	# sits at the same depth, so objects are shared wherever the sources
	# preprocess identically.
	CCACHE_BASEDIR="$WORK" CCACHE_NOHASHDIR=1 CCACHE_SLOPPINESS=time_macros \
	make -s -C "$src" O="$out" ARCH=$ARCH -j"$JOBS" CC="ccache gcc" \
		KBUILD_BUILD_TIMESTAMP=vmtest KBUILD_BUILD_USER=vmtest \
		KBUILD_BUILD_HOST=vmtest "$@" > "$out/$logname.log" 2>&1
}

make_kernel()
{
	local side=$1 variant=$2
	local out
	out=$(out_of "$side" "$variant")

	if [ "$variant" = debian ]; then
		[ "$side" = ours ] || die "the debian variant runs this tree's modules only"
		make_debian
		return
	fi

	configure "$side" "$variant"
	log "building $side/$variant"
	build_targets "$side" "$variant" build bzImage \
		$(grep -q '^CONFIG_MODULES=y' "$out/.config" && echo modules) ||
		{ tail -n 60 "$out/build.log"; die "kernel build failed: $side/$variant"; }
	if grep -E 'warning:|error:' "$out/build.log" | grep -E 'drivers/vfio|include/(uapi/)?linux/vfio' ; then
		die "the VFIO build of $side/$variant has warnings"
	fi
	# the registration benchmark's module, for make bench and the smoke
	# run of the modular boot
	if { [ "$variant" = modules ] || [ "$variant" = bench ]; } &&
	   grep -qE '^CONFIG_IOMMUFD=[ym]' "$out/.config"; then
		make_regmod "$out"
	fi
}

# vfio_bench's registration module (bench/), built out of tree against a
# modular kernel, in a copy under the build directory (6.12's kbuild puts
# an external module's objects beside its sources); W=1, no warnings.
make_regmod()
{
	local out=$1 mod="$1/regmod"
	rm -rf "$mod" && mkdir -p "$mod"
	cp "$SELFDIR/bench/Kbuild" "$SELFDIR/bench/vfio_bench_reg.c" "$mod/"
	make -s -C "$out" M="$mod" W=1 modules > "$mod/build.log" 2>&1 ||
		{ cat "$mod/build.log"; die "the registration module does not build against $out"; }
	if grep -q 'warning:' "$mod/build.log"; then
		cat "$mod/build.log"
		die "the registration module has warnings"
	fi
}

# The selftests are built once, statically, against the UAPI headers of our
# tree, and run unchanged on every kernel.
make_tests()
{
	local src="$WORK/ours/src" hdr="$WORK/ours/headers" tests="$WORK/tests"
	log "building the selftests"
	# afresh: a build directory shared by two work trees may hold headers
	# and programs newer than the sources of the tree being built
	rm -rf "$hdr/usr" "$tests"
	make -s -C "$src" O="$hdr" ARCH=$ARCH INSTALL_HDR_PATH="$hdr/usr" headers_install \
		> "$WORK/headers.log" 2>&1 || { cat "$WORK/headers.log"; die "headers_install failed"; }
	mkdir -p "$tests"
	make -s -C "$src/tools/testing/selftests/vfio" OUTPUT="$tests" \
		KHDR_INCLUDES="-isystem $hdr/usr/include" > "$WORK/tests.log" 2>&1 ||
		{ cat "$WORK/tests.log"; die "selftest build failed"; }
	if grep -q 'warning:' "$WORK/tests.log"; then
		cat "$WORK/tests.log"
		die "selftest build has warnings"
	fi
}

# The host's QEMU, its libraries and the firmware a q35 machine loads, for
# vfio_qemu_test: a real legacy VFIO client inside the guest.
QEMU_BIN=/usr/bin/qemu-system-x86_64
QEMU_DATA=(/usr/share/seabios/bios-256k.bin /usr/share/qemu/kvmvapic.bin
	   /usr/share/qemu/linuxboot_dma.bin
	   /usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so)

add_qemu()
{
	local root=$1 f
	for f in "$QEMU_BIN" $(ldd "$QEMU_BIN" | grep -o '/[^ ]*') "${QEMU_DATA[@]}"; do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
	done
}

# QEMU 10.0 from bookworm-backports, for the tests of QEMU's iommufd backend
# (Debian's QEMU 7.2 has only the legacy one).  Downloaded with an apt
# configuration of our own under build/qemu10 and unpacked there, never
# installed; its libraries are bookworm's own, found through the binary's
# ELF header on the host (they are the ones QEMU 7.2 pulled in).
QEMU10_PKGS=(qemu-system-x86 qemu-system-data seabios)
QEMU10_DATA=(usr/share/seabios/bios-256k.bin usr/share/qemu/kvmvapic.bin
	     usr/share/qemu/linuxboot_dma.bin)

stage_qemu10()
{
	local dir="$WORK/qemu10" apt conf d
	[ -x "$dir/root/usr/bin/qemu-system-x86_64" ] && return 0
	log "staging QEMU 10.0 from bookworm-backports (downloaded, not installed)"
	rm -rf "$dir" && mkdir -p "$dir/debs" "$dir/root"
	apt="$dir/apt" && mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]" \
	     "http://deb.debian.org/debian bookworm-backports main" > "$apt/sources.list"
	conf="$apt/apt.conf"
	cat > "$conf" <<-EOC
	Dir::Etc::SourceList "$apt/sources.list";
	Dir::Etc::SourceParts "/nonexistent";
	Dir::State "$apt";
	Dir::State::Lists "$apt/lists";
	Dir::Cache "$apt/cache";
	Acquire::Languages "none";
	APT::Sandbox::User "root";
	EOC
	{ APT_CONFIG=$conf apt-get update &&
	  (cd "$dir/debs" && APT_CONFIG=$conf apt-get download "${QEMU10_PKGS[@]}"); } \
		> "$dir/download.log" 2>&1 ||
		{ cat "$dir/download.log"; die "cannot download QEMU 10.0 from bookworm-backports"; }
	for d in "$dir"/debs/*.deb; do
		dpkg-deb -x "$d" "$dir/root"
	done
	"$dir/root/usr/bin/qemu-system-x86_64" -L "$dir/root/usr/share/qemu" --version \
		> "$dir/version" 2>&1 ||
		{ cat "$dir/version"; die "QEMU 10.0's libraries are not all on this host"; }
}

# QEMU 10.0 under /qemu10 in the guest: the binary, its firmware, and the
# libraries where the host has them (shared with QEMU 7.2).
add_qemu10()
{
	local root=$1 st="$WORK/qemu10/root" f missing
	missing=$(ldd "$st/usr/bin/qemu-system-x86_64" | grep 'not found' || true)
	[ -z "$missing" ] || die "QEMU 10.0's libraries are incomplete: $missing"
	mkdir -p "$root/qemu10/bin" "$root/qemu10/share"
	cp "$st/usr/bin/qemu-system-x86_64" "$root/qemu10/bin/"
	for f in "${QEMU10_DATA[@]}"; do
		cp -L "$st/$f" "$root/qemu10/share/"
	done
	for f in $(ldd "$st/usr/bin/qemu-system-x86_64" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
	done
	cp "$WORK/qemu10/version" "$root/qemu10/version"
}

# The nested guest of vfio_qemu_iommufd_test: Debian's own 6.12 cloud
# kernel (bookworm-security, the release of linux-source-6.12), downloaded
# and unpacked under build/l2, never installed, and an initramfs of
# vfio_l2_init with the two uio modules it loads for INTx.
L2_MODULES=(drivers/uio/uio.ko drivers/uio/uio_pci_generic.ko)

stage_l2()
{
	local dir="$WORK/l2" ver pkg deb m
	ver=$(pkg_version)
	pkg="linux-image-${ver%%-*}+deb12-cloud-amd64-unsigned"
	# the archive may already have moved on from the installed source
	apt-cache show "$pkg" > /dev/null 2>&1 ||
		pkg=$(apt-cache search --names-only '^linux-image-6\.12\..*-cloud-amd64-unsigned$' |
		      cut -d' ' -f1 | sort -V | tail -n 1)
	[ -n "$pkg" ] || die "no Debian 6.12 cloud kernel in the archive for the nested guest"
	if [ ! -f "$dir/vmlinuz" ] || [ "$(cat "$dir/package" 2>/dev/null)" != "$pkg" ]; then
		log "staging $pkg for the nested guest (downloaded, not installed)"
		rm -rf "$dir" && mkdir -p "$dir/debs" "$dir/root"
		(cd "$dir/debs" && apt_download "$dir/download.log" "$pkg") ||
			{ cat "$dir/download.log"; die "cannot download $pkg"; }
		deb=$(echo "$dir"/debs/*.deb)
		dpkg-deb -x "$deb" "$dir/root"
		cp "$dir"/root/boot/vmlinuz-* "$dir/vmlinuz"
		for m in "${L2_MODULES[@]}"; do
			xz -dc "$dir"/root/lib/modules/*/kernel/"$m".xz > "$dir/$(basename "$m")" ||
				die "$pkg has no $m"
		done
		rm -rf "$dir/root" "$dir/debs"
		echo "$pkg" > "$dir/package"
	fi
}

# /qemu10/l2 in the test guest: the kernel, and the nested guest's initramfs.
add_l2()
{
	local root=$1 dir="$WORK/l2" l2 m
	l2=$(mktemp -d)
	mkdir -p "$l2"/{proc,sys,dev}
	cp "$WORK/tests/vfio_l2_init" "$l2/init"
	for m in "${L2_MODULES[@]}"; do
		cp "$dir/$(basename "$m")" "$l2/"
	done
	mkdir -p "$root/qemu10/l2"
	(cd "$l2" && find . | cpio -o -H newc --quiet) | gzip -1 > "$root/qemu10/l2/initrd.gz"
	rm -rf "$l2"
	cp "$dir/vmlinuz" "$root/qemu10/l2/vmlinuz"
	cp "$dir/package" "$root/qemu10/l2/version"
}

# The "debian" variant: Debian's own 6.12 kernel, which has no iommufd
# (# CONFIG_IOMMUFD is not set), with this tree's modules built against its
# headers as a Debian user builds them (Kbuild, Kconfig, dkms.conf at the
# top of the repository).  The image, headers and kbuild packages of the
# release of linux-source-6.12 (or the newest the archive has) are
# downloaded and unpacked under build/debian, never installed.
DEBIAN_FLAVOUR=amd64
# the stock modules the guest loads (with what they depend on), and the
# stock VFIO modules, which must lose to ours in updates/
DEBIAN_STOCK=(e1000 kvm_amd vfio vfio_iommu_type1 vfio-pci-core vfio-pci mdev)
# what only the tests need, built with the modules but not shipped by DKMS
DEBIAN_TEST_OPTS=(CONFIG_VFIO_SELFTEST=m CONFIG_SAMPLE_VFIO_MDEV_MTTY=m)
DEBIAN_TEST_MODULES=(vfio_selftest mtty)

stage_debian()
{
	local dir="$WORK/debian" ver abi pkgs d
	ver=$(pkg_version)
	abi=${ver%%-*}+deb12
	apt-cache show "linux-image-$abi-$DEBIAN_FLAVOUR-unsigned" > /dev/null 2>&1 ||
		abi=$(apt-cache search --names-only "^linux-image-6\\.12\\..*+deb12-$DEBIAN_FLAVOUR-unsigned\$" |
		      cut -d' ' -f1 | sort -V | tail -n 1 |
		      sed "s/^linux-image-\\(.*\\)-$DEBIAN_FLAVOUR-unsigned\$/\\1/")
	[ -n "$abi" ] || die "no Debian 6.12 $DEBIAN_FLAVOUR kernel in the archive"
	[ "$(cat "$dir/package" 2>/dev/null)" = "$abi" ] && return 0
	pkgs=("linux-image-$abi-$DEBIAN_FLAVOUR-unsigned" "linux-headers-$abi-$DEBIAN_FLAVOUR"
	      "linux-headers-$abi-common" "linux-kbuild-$abi")
	log "staging Debian's kernel $abi-$DEBIAN_FLAVOUR (downloaded, not installed)"
	rm -rf "$dir" && mkdir -p "$dir/debs" "$dir/root"
	(cd "$dir/debs" && apt_download "$dir/download.log" "${pkgs[@]}") ||
		{ cat "$dir/download.log"; die "cannot download ${pkgs[*]}"; }
	for d in "$dir"/debs/*.deb; do
		dpkg-deb -x "$d" "$dir/root"
	done
	rm -rf "$dir/debs"
	# the headers include the common part by its installed path
	sed -i "s#/usr/src/#$dir/root/usr/src/#" \
		"$dir/root/usr/src/linux-headers-$abi-$DEBIAN_FLAVOUR/Makefile"
	echo "$abi" > "$dir/package"
}

# The files of this repository that make up the external build.
oot_files()
{
	(cd "$REPO" && git ls-files -co --exclude-standard -- Kbuild Kconfig dkms.conf oot \
		drivers/vfio include)
}

# Build the modules for Debian's kernel twice: with make, as README.md
# says, with the test modules; and through DKMS (dkms.conf), whose modules
# the guest loads from updates/, next to the stock ones they replace.  The
# guest's kernel is $WORK/ours/out/debian/arch/x86/boot/bzImage like any
# other variant's; its .config is Debian's with Kbuild's choices.
make_debian()
{
	local dir="$WORK/debian" out="$WORK/ours/out/debian" abi kver hdr mod dk ver
	local root lib m f deps syms
	stage_debian
	abi=$(cat "$dir/package")
	kver=$abi-$DEBIAN_FLAVOUR
	hdr="$dir/root/usr/src/linux-headers-$kver"
	mod="$dir/mod"
	log "building ours/debian: the modules for $kver"
	rm -rf "$mod" "$out" && mkdir -p "$mod" "$out/arch/x86/boot"
	oot_files | rsync -a --files-from=- "$REPO/" "$mod/"
	sh "$REPO/oot/stage-base.sh" "$mod" "$WORK/upstream/src"

	# DKMS first, from a copy of the source tree as "make dkms" makes it
	dk="$dir/dkms"
	ver=6.12.vmtest
	rm -rf "$dk" && mkdir -p "$dk/tree" "$dk/src" "$dk/install/$kver"
	cp -a "$mod" "$dk/src/vfio-cdev-$ver"
	sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$ver\"/" "$dk/src/vfio-cdev-$ver/dkms.conf"
	{ dkms --dkmstree "$dk/tree" --sourcetree "$dk/src" --installtree "$dk/install" \
		add "vfio-cdev/$ver" &&
	  dkms --dkmstree "$dk/tree" --sourcetree "$dk/src" --installtree "$dk/install" \
		install "vfio-cdev/$ver" -k "$kver" --kernelsourcedir "$hdr" --no-depmod; } \
		> "$out/dkms.log" 2>&1 ||
		{ cat "$out/dkms.log" "$dk"/tree/vfio-cdev/$ver/build/make.log 2>/dev/null | tail -n 60
		  die "dkms cannot build or install the modules for $kver"; }

	CCACHE_BASEDIR="$WORK" CCACHE_NOHASHDIR=1 DEBIAN_KERNEL_USE_CCACHE=1 \
	make -C "$hdr" M="$mod" -j"$JOBS" "${DEBIAN_TEST_OPTS[@]}" modules \
		> "$out/build.log" 2>&1 ||
		{ tail -n 60 "$out/build.log"; die "the modules do not build for $kver"; }
	if grep -E 'warning:|error:|WARNING:' "$out/build.log"; then
		die "the modules for $kver build with warnings"
	fi

	# the guest's /lib/modules: ours in updates/ (DKMS's, and the test
	# modules), the stock ones in kernel/
	root="$out/modroot"
	lib="$root/lib/modules/$kver"
	mkdir -p "$lib/updates"
	cp -a "$dk/install/$kver/updates/." "$lib/updates/"
	for m in "${DEBIAN_TEST_MODULES[@]}"; do
		cp "$mod/$m.ko" "$lib/updates/"
	done
	deps=("${DEBIAN_STOCK[@]}")
	while [ ${#deps[@]} -gt 0 ]; do
		m=${deps[0]}
		deps=("${deps[@]:1}")
		f=$(cd "$dir/root/lib/modules/$kver" &&
		    find kernel -name "$m.ko.xz" -o -name "${m//_/-}.ko.xz" | head -n 1)
		[ -n "$f" ] || die "Debian's $kver has no module $m"
		[ -f "$lib/${f%.xz}" ] && continue
		mkdir -p "$lib/$(dirname "$f")"
		xz -dc "$dir/root/lib/modules/$kver/$f" > "$lib/${f%.xz}"
		IFS=, read -r -a f <<< "$(modinfo -F depends "$lib/${f%.xz}")"
		deps+=("${f[@]}")
	done
	cp "$dir"/root/lib/modules/"$kver"/modules.{order,builtin,builtin.modinfo} "$lib/"
	# DKMS compresses like the kernel does; busybox's modprobe does not
	# decompress
	find "$lib/updates" -name '*.ko.xz' -exec xz -d {} +
	find "$lib/updates" -name '*.ko' -exec strip --strip-debug {} +
	depmod -b "$root" "$kver" || die "depmod fails on the modules for $kver"

	cp "$dir"/root/boot/vmlinuz-"$kver" "$out/arch/x86/boot/bzImage"
	syms=$(sed -e 's/^# \(CONFIG_[A-Z0-9_]*\) is not set$/\1/' -e 's/=.*//' "$mod/oot.config" |
	       paste -sd'|')
	{ grep -vE "^(# )?($syms)(=| is not set)" "$dir/root/boot/config-$kver"
	  cat "$mod/oot.config"; } > "$out/.config"
	(cd "$mod" && ls -l -- *.ko) > "$out/modules.txt"
	log "ours/debian: $(ls "$lib"/updates/*.ko "$lib"/updates/*/*.ko 2>/dev/null | wc -l) modules of ours for $kver in updates/ (DKMS: $(find "$dk/install/$kver/updates" -name '*.ko' | wc -l))"
}

# DPDK's testpmd for vfio_dpdk_test.  Debian ships it in dpdk-dev, whose
# dependencies (rdma-core, udev, systemd) have no place on a build host:
# the packages are downloaded and unpacked under build/dpdk instead, never
# installed.  The libraries testpmd needs are derived from its ELF header;
# the rest are what those libraries and the two drivers it loads need.
DPDK_PMDS=(librte_bus_pci.so.23 librte_mempool_ring.so.23 librte_net_e1000.so.23)
DPDK_EXTRA=(librte-net-e1000-23 librte-mempool-ring23 libjansson4 libpcap0.8
	    libfdt1 libnuma1 libibverbs1 ibverbs-providers libnl-3-200
	    libnl-route-3-200 libbsd0 libmd0 libdbus-1-3 libxdp1 libbpf1
	    libipsec-mb1 libisal2)

# apt-get download into the current directory, its output in the log $1;
# once more after an update if the lists are missing or stale.
apt_download()
{
	local log=$1; shift
	apt-get download "$@" > "$log" 2>&1 && return 0
	apt-get update -qq && apt-get download "$@" > "$log" 2>&1
}

stage_dpdk()
{
	local root="$WORK/dpdk/root" debs="$WORK/dpdk/debs" pkgs d
	[ -x "$root/usr/bin/dpdk-testpmd" ] && return 0
	log "staging DPDK's testpmd (downloaded, not installed)"
	rm -rf "$WORK/dpdk" && mkdir -p "$debs" "$root"
	(cd "$debs" && apt_download "$WORK/dpdk/download.log" dpdk-dev) ||
		{ cat "$WORK/dpdk/download.log"; die "cannot download dpdk-dev"; }
	dpkg-deb -x "$debs"/dpdk-dev_*.deb "$root"
	# librte_net_e1000.so.23 is in librte-net-e1000-23
	pkgs=$(readelf -d "$root/usr/bin/dpdk-testpmd" | sed -n 's/.*\[librte_\(.*\)\.so\.23\]$/\1/p' |
	       sed -e 's/_/-/g' -e 's/[0-9]$/&-/' -e 's/^/librte-/' -e 's/$/23/')
	# shellcheck disable=SC2086
	(cd "$debs" && apt_download "$WORK/dpdk/download.log" $pkgs "${DPDK_EXTRA[@]}") ||
		{ cat "$WORK/dpdk/download.log"; die "cannot download DPDK's libraries"; }
	for d in "$debs"/*.deb; do
		dpkg-deb -x "$d" "$root"
	done
}

# testpmd, its drivers and every library they need, under /dpdk.
add_dpdk()
{
	local root=$1 st="$WORK/dpdk/root" lib pmd f missing
	lib="$st/usr/lib/x86_64-linux-gnu"
	pmd="$lib/dpdk/pmds-23.0"
	mkdir -p "$root/dpdk/bin" "$root/dpdk/lib" "$root/dpdk/pmds" "$root/lib64"
	cp "$st/usr/bin/dpdk-testpmd" "$root/dpdk/bin/"
	for f in "${DPDK_PMDS[@]}"; do
		cp -L "$pmd/$f" "$root/dpdk/pmds/"
	done
	missing=$(LD_LIBRARY_PATH="$lib:$pmd:$st/lib/x86_64-linux-gnu" \
		  ldd "$st/usr/bin/dpdk-testpmd" "${DPDK_PMDS[@]/#/$pmd/}" | grep 'not found' || true)
	[ -z "$missing" ] || die "testpmd's libraries are incomplete: $missing"
	LD_LIBRARY_PATH="$lib:$pmd:$st/lib/x86_64-linux-gnu" \
		ldd "$st/usr/bin/dpdk-testpmd" "${DPDK_PMDS[@]/#/$pmd/}" |
		grep -o '=> /[^ ]*' | cut -c4- | sort -u |
		while read -r f; do cp -L "$f" "$root/dpdk/lib/"; done
	cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
}

# The VFIO subsystem's text in a built-in kernel: drivers/vfio's objects are
# linked as one block, so it is the span from the lowest to just past the
# highest of their functions.  Printed as two symbols (the first of the
# block and the first after it) that the guest finds in /proc/kallsyms:
# vfio_fail_nth_test fails only the sites VFIO reaches directly.
vfio_text_span()
{
	local out=$1
	(cd "$out" && nm --defined-only $(ar t drivers/vfio/built-in.a)) |
		awk '$2 ~ /^[Tt]$/ {print $3}' | sort | uniq -u |
		awk 'NR == FNR { want[$1] = 1; next }
		     $3 == "_stext" { s = $1 } $3 == "_etext" { e = $1 }
		     { addr[FNR] = $1; sym[FNR] = $3 }
		     ($3 in want) { cnt[$3]++; at[$3] = FNR }
		     END {
			for (k in cnt) {
				l = at[k]; a = addr[l]
				if (cnt[k] != 1 || a < s || a >= e)
					continue
				if (!lo || a < addr[lo]) lo = l
				if (!hi || a > addr[hi]) hi = l
			}
			if (lo) print sym[lo], sym[hi + 1]
		     }' - "$out/System.map"
}

# initramfs: busybox, the tests, the kernel config (tests read it to know
# what the kernel was built with) and our init.
make_initramfs()
{
	local out=$1 config=$2 root
	root=$(mktemp -d)
	chmod 755 "$root"
	mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,root,usr/bin,usr/sbin,vfio}
	cp /bin/busybox "$root/bin/busybox"
	chroot "$root" /bin/busybox --install -s 2>/dev/null ||
		for a in $(/bin/busybox --list); do ln -sf /bin/busybox "$root/bin/$a"; done
	cp "$SELFDIR/vm-init.sh" "$root/init"
	chmod +x "$root/init"
	cp "$config" "$root/vfio/kconfig"
	if grep -q '^CONFIG_FAULT_INJECTION_STACKTRACE_FILTER=y' "$config" &&
	   grep -q '^CONFIG_VFIO=y' "$config"; then
		vfio_text_span "$(dirname "$config")" > "$root/vfio/vfio-text"
	fi
	# a modular kernel's modules, for the guest to load and unload
	if [ -d "$(dirname "$config")/modroot" ]; then
		cp -a "$(dirname "$config")/modroot/." "$root/"
	elif grep -q '^CONFIG_MODULES=y' "$config"; then
		make -s -C "$(dirname "$config")" INSTALL_MOD_PATH="$root" INSTALL_MOD_STRIP=1 \
			modules_install > "$(dirname "$config")/modules_install.log" 2>&1 ||
			{ cat "$(dirname "$config")/modules_install.log"; die "modules_install failed"; }
	fi
	find "$WORK/tests" -maxdepth 1 -type f -perm -u+x -exec cp {} "$root/vfio/" \;
	[ ! -f "$(dirname "$config")/regmod/vfio_bench_reg.ko" ] ||
		cp "$(dirname "$config")/regmod/vfio_bench_reg.ko" "$root/vfio/"
	cp "$SELFDIR/run_list" "$root/vfio/run_list"
	cp "$REPO/tools/vfio/lsvfio" "$root/vfio/lsvfio"
	if [ "${WITH_QEMU:-0}" -eq 1 ]; then
		add_qemu "$root"
		add_qemu10 "$root"
		add_l2 "$root"
		add_dpdk "$root"
	fi
	if [ -n "${MUTANTS:-}" ]; then
		mkdir -p "$root/vfio/mutants"
		cp "$MUTANTS"/mutants.list "$root/vfio/mutants/"
		find "$MUTANTS" -maxdepth 1 -type f -perm -u+x -exec cp {} "$root/vfio/mutants/" \;
	fi
	echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
	echo "nobody:x:65534:65534:nobody:/:/bin/false" >> "$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
	(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out"
	rm -rf "$root"
}

# The guest's CPU: SVM with nested paging, so that the guest has a working
# /dev/kvm fast enough to boot a nested guest, 1 GiB pages, and the SSE4.2
# level DPDK's x86 builds require.
VM_CPU=qemu64,+svm,+npt,+pdpe1gb,+ssse3,+sse4.1,+sse4.2,+popcnt

# Boot one kernel.  $mode is iommu, noiommu, demo or shell.
boot()
{
	local side=$1 variant=$2 mode=$3
	local out run="$WORK/runs/$side-$variant-$mode"
	local append iommu=() sriov=() serial=() rc=0 mem=2G smp=2 timing=()
	out=$(out_of "$side" "$variant")
	rm -rf "$run" && mkdir -p "$run"
	# QEMU and DPDK only where their tests run: an IOMMU and the tests,
	# or their mutants
	WITH_QEMU=0
	if [ "$mode" = iommu ] || [ "$mode" = mutate-iommu ]; then
		WITH_QEMU=1
		stage_dpdk
		stage_qemu10
		stage_l2
	fi
	WITH_QEMU=$WITH_QEMU make_initramfs "$run/initramfs.cpio.gz" "$out/.config"
	append="console=ttyS0,115200 panic=-1 oops=panic"
	append+=" vfiotest.mode=$mode vfiotest.variant=$variant vfiotest.side=$side"
	append+=" vfiotest.core=$(core_of "$side")"
	[ -n "$TESTS" ] && append+=" vfiotest.tests=$TESTS"
	[ -n "${VFIO_VMTEST_FAULTS:-}" ] && append+=" vfiotest.faults=$VFIO_VMTEST_FAULTS"
	[ -n "${VFIO_VMTEST_FUZZ:-}" ] && append+=" vfiotest.fuzz=$VFIO_VMTEST_FUZZ"
	[ -n "${VFIO_VMTEST_SEED:-}" ] && append+=" vfiotest.seed=$VFIO_VMTEST_SEED"
	[ -n "${VFIO_VMTEST_UPSTREAM_BUGS:-}" ] && append+=" vfiotest.upstream_bugs=1"
	if [ "${mode%noiommu}" != "$mode" ]; then
		append+=" vfio.enable_unsafe_noiommu_mode=1"
	elif [ "$variant" = bench ]; then
		# one vCPU whose every instruction is a nanosecond: vfio_bench's
		# times are instruction counts, the same from boot to boot
		append+=" intel_iommu=on no_timer_check vfiotest.bench=${BENCH_ARGS// /+}"
		iommu=(-device intel-iommu,intremap=on)
		timing=(-icount shift=0,sleep=off)
		smp=1
	else
		# one 1 GiB huge page for vfio_dma_test, reserved at boot: a
		# 4 GiB q35 machine has 2 GiB above 4G, where early allocations
		# (KASAN's shadow) leave a whole GiB free
		append+=" intel_iommu=on hugepagesz=1G hugepages=1"
		iommu=(-device intel-iommu,intremap=on)
		mem=4G
		# an SR-IOV PF for vfio_token_test: QEMU's nvme, whose VFs
		# need no more than config space to be bound to vfio-pci
		sriov=(-device nvme-subsys,id=nvs0
		       -device "nvme,serial=vfiotest,subsys=nvs0,addr=06.0,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=3")
	fi
	if [ "$mode" = shell ]; then
		serial=(-serial mon:stdio -serial "file:$run/results.tap")
	else
		serial=(-serial "file:$run/console.log" -serial "file:$run/results.tap")
	fi
	log "booting $side/$variant ($mode)"
	local qemu=(qemu-system-x86_64 -nodefaults -no-reboot -display none
		-machine q35 -accel tcg -cpu "$VM_CPU" -smp "$smp" -m "$mem" "${timing[@]}"
		-kernel "$out/arch/x86/boot/bzImage" -initrd "$run/initramfs.cpio.gz"
		-append "$append" "${serial[@]}" "${iommu[@]}"
		-device edu,addr=04.0
		-device pci-bridge,id=br0,chassis_nr=1,addr=05.0
		-device edu,bus=br0,addr=01.0
		-device edu,bus=br0,addr=02.0
		-device e1000,bus=br0,addr=03.0,romfile= "${sriov[@]}" "${PLUGIN[@]}")
	if [ "$mode" = shell ]; then
		"${qemu[@]}"
		return 0
	fi
	if [ $QUIET -eq 0 ]; then
		: > "$run/console.log"
		tail -n +1 -F "$run/console.log" 2>/dev/null &
		local tailpid=$!
	fi
	"${qemu[@]}" > "$run/qemu.log" 2>&1 &
	local qpid=$! waited=0 after_done=0
	# The guest powers off when it is done; bound both the whole boot and
	# the time a guest that said it was done may take to power off.
	while kill -0 "$qpid" 2>/dev/null; do
		sleep 1
		waited=$((waited + 1))
		if grep -q '^vmtest: guest done' "$run/results.tap" 2>/dev/null; then
			after_done=$((after_done + 1))
		fi
		if [ $after_done -gt 60 ]; then
			echo "not ok - the guest did not power off within 60 s of finishing" >> "$run/results.tap"
			kill "$qpid"
			break
		fi
		if [ $waited -gt "$TIMEOUT" ]; then
			rc=124
			kill "$qpid"
			break
		fi
	done
	wait "$qpid" || { [ $rc -ne 0 ] || rc=$?; }
	if [ $QUIET -eq 0 ]; then
		sleep 1
		kill "$tailpid" 2>/dev/null || true
		wait "$tailpid" 2>/dev/null || true
	fi
	[ $rc -eq 124 ] && echo "vmtest: boot timed out after ${TIMEOUT}s" >> "$run/results.tap"
	[ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $after_done -le 60 ] &&
		echo "vmtest: qemu exited with $rc" >> "$run/results.tap"
	grep -v 'warning: nic .* has no peer' "$run/qemu.log" >&2 || true
	return 0
}

# Reports in the guest's kernel log that fail a run, whatever the tests said.
SPLAT_RE='WARNING:|BUG:|Oops|general protection|KASAN|UBSAN|kmemleak: [0-9]+ new suspected|unreferenced object|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|ODEBUG|Kernel panic|hung_task|INFO: task .* blocked for more|blocked until device is released|still in use; .* waits until'

# Lines the pattern above catches that are not reports.
SPLAT_OK='kmemleak: Kernel memory leak detector initialized|kmemleak: Automatic memory scanning thread'

# Count one run: prints its TAP and leaves "pass fail skip xfail" in
# $run/counts.  XFAIL is how a test reports, on the reference core, a place
# where ours differs from upstream on purpose (VT_DIFFERS_FROM_UPSTREAM).
report()
{
	local side=$1 variant=$2 mode=$3
	local run="$WORK/runs/$side-$variant-$mode"
	local pass fail skip xfail splats done_seen
	tr -d '\r' < "$run/results.tap" > "$run/results.clean" || true
	cat "$run/results.clean"
	pass=$(grep -E '^ok [0-9]+ ' "$run/results.clean" | grep -vcE '# (SKIP|XFAIL)' || true)
	skip=$(grep -E '^ok [0-9]+ .*# SKIP' "$run/results.clean" | grep -c . || true)
	xfail=$(grep -E '^ok [0-9]+ .*# XFAIL' "$run/results.clean" | grep -c . || true)
	# an XPASS would be a difference that is no longer there
	fail=$(grep -cE '^not ok [0-9]+ |^ok [0-9]+ .*# XPASS' "$run/results.clean" || true)
	done_seen=$(grep -c '^vmtest: guest done' "$run/results.clean" || true)
	if [ "$done_seen" -eq 0 ]; then
		echo "not ok - $side/$variant/$mode: the guest did not finish (see $run/console.log)"
		tail -n 40 "$run/console.log" 2>/dev/null | sed 's/^/# /'
		fail=$((fail + 1))
	fi
	if ! check_kernel_log "$run"; then
		echo "not ok - $side/$variant/$mode: kernel log reports"
		fail=$((fail + 1))
	fi
	grep -oE '(fail-nth|fuzz): .*' "$run/results.clean" | sed "s#^#\# $side/$variant/$mode #" |
		tee -a "$run/bench.txt" || true
	echo "$pass $fail $skip $xfail" > "$run/counts"
}

# Fails, and prints them, if the guest's kernel log has any reports.
check_kernel_log()
{
	local log="$1/console.log"

	tr -d '\r' < "$log" > "$log.clean"
	if grep -E "$SPLAT_RE" "$log.clean" | grep -qvE "$SPLAT_OK"; then
		grep -E -B2 -A30 "$SPLAT_RE" "$log.clean" | head -n 200 | sed 's/^/# /'
		return 1
	fi
	return 0
}

# ", N expected differences from upstream" when there are any.
xfails()
{
	[ "${1:-0}" -eq 0 ] || echo ", $1 expected differences from upstream"
}

# Whether the no-IOMMU boot has a test to run: every test, or a -t list
# naming one of run_list's "noiommu:" entries.
noiommu_selected()
{
	local t
	[ -z "$TESTS" ] && return 0
	for t in $(sed -n 's/^noiommu://p' "$SELFDIR/run_list"); do
		echo ",$TESTS," | grep -q ",$t," && return 0
	done
	return 1
}

# The variants of $VARIANTS this side runs: debian (Debian's kernel with
# this tree's modules) has no upstream side.
side_variants()
{
	local v list
	IFS=, read -r -a list <<< "$VARIANTS"
	for v in "${list[@]}"; do
		if [ "$v" = debian ] && [ "$SIDE" != ours ]; then
			log "$SIDE/debian: not run (the debian variant is this tree's modules on Debian's kernel)"
			continue
		fi
		echo "$v"
	done
}

run_variants()
{
	local modes=("$@") variant mode line tp=0 tf=0 ts=0 tx=0 p f s x
	local summary=()
	local vside note
	mapfile -t vlist < <(side_variants)
	for variant in "${vlist[@]}"; do
		make_kernel "$(variant_side "$SIDE" "$variant")" "$variant"
	done
	make_tests
	if [ -n "${LINT:-}" ] && [ "$SIDE" = ours ]; then
		lint
		[ "$(core_of ours)" = upstream ] || compile_check
		[ "$(core_of ours)" = upstream ] || series
		[ "$(core_of ours)" = upstream ] || matrix "${MATRIX_ENTRIES:-$MATRIX_CHECK}"
	fi
	for variant in "${vlist[@]}"; do
		vside=$(variant_side "$SIDE" "$variant")
		note=
		if [ "$vside" != "$SIDE" ]; then
			note=" (in place of $SIDE: the group and container layers are not written yet)"
			log "$SIDE/$variant needs VFIO_GROUP; running $vside/$variant$note"
		fi
		for mode in "${modes[@]}"; do
			# the faults variant runs only its own tests, with an IOMMU
			[ "$variant" = faults ] && [ "$mode" != iommu ] && continue
			# nor is there a no-IOMMU boot for a -t list without its tests
			[ "$mode" = noiommu ] && ! noiommu_selected && continue
			boot "$vside" "$variant" "$mode"
			report "$vside" "$variant" "$mode"
			read -r p f s x < "$WORK/runs/$vside-$variant-$mode/counts"
			summary+=("# $vside/$variant/$mode: $p passed, $f failed, $s skipped$(xfails "$x")$note")
			tp=$((tp + p)); tf=$((tf + f)); ts=$((ts + s)); tx=$((tx + x))
			[ -f "$WORK/runs/$vside-$variant-$mode/bench.txt" ] &&
				mapfile -t -O "${#summary[@]}" summary < "$WORK/runs/$vside-$variant-$mode/bench.txt"
		done
	done
	# make bench's report, over the smoke run of the modular boot
	# (vfio_bench and its registration module run in the suite)
	if [ -f "$WORK/runs/$SIDE-modules-iommu/results.clean" ] &&
	   grep -q '^# reg: ' "$WORK/runs/$SIDE-modules-iommu/results.clean"; then
		mkdir -p "$WORK/bench-smoke"
		if python3 "$SELFDIR/bench_report.py" --out "$WORK/bench-smoke" \
			"$SIDE=$WORK/runs/$SIDE-modules-iommu/results.clean" > "$WORK/bench-smoke/bench.txt"; then
			summary+=("# bench (smoke, $SIDE/modules): $(grep -c . "$WORK/bench-smoke/bench.txt") lines of report, $WORK/bench-smoke/registration.png")
		else
			summary+=("# bench (smoke): bench_report.py failed")
			tf=$((tf + 1))
		fi
	fi
	printf '%s\n' "${summary[@]}"
	echo "$tp passed, $tf failed, $ts skipped$(xfails "$tx")"
	[ $tf -eq 0 ]
}

# The benchmark: a non-debug kernel of each side from one config
# (config.vm, config, config.bench), both built from $WORK/bench/src, which
# is a hard-linked copy of the side's tree made just before its build (so
# ccache builds the second side from the first one's objects: only what
# the VFIO files reach is compiled again).  Each side boots twice, with
# -icount, and runs vfio_bench; bench_report.py prints the table and plots
# the registration scaling into $WORK/bench.
bench_kernels()
{
	local side
	make_tests
	mkdir -p "$WORK/bench"
	for side in upstream ours; do
		log "bench: the $side tree at $WORK/bench/src"
		rm -rf "$WORK/bench/src"
		cp -al "$WORK/$side/src" "$WORK/bench/src"
		make_kernel "$side" bench
	done
}

bench()
{
	local side run p f s x
	local -a results=()
	BENCH_ARGS=${VFIO_VMTEST_BENCH:---full}
	bench_kernels
	for run in 1 2; do
		for side in upstream ours; do
			boot "$side" bench "run$run"
			report "$side" bench "run$run" > "$WORK/runs/$side-bench-run$run/report.txt"
			read -r p f s x < "$WORK/runs/$side-bench-run$run/counts"
			if [ "$f" -ne 0 ]; then
				grep -E '^not ok|^# ' "$WORK/runs/$side-bench-run$run/report.txt" | head -n 60
				die "bench: $side, run $run: $f failed"
			fi
			results+=("$side=$WORK/runs/$side-bench-run$run/results.clean")
		done
	done
	python3 "$SELFDIR/bench_report.py" --out "$WORK/bench" "${results[@]}" |
		tee "$WORK/bench/bench.txt"
}

# Where one operation's kernel instructions go, per function, on both sides:
# the bench kernels boot with bench/insn_profile.c loaded into QEMU, and
# vfio_bench -p runs the operation alone, marking the parts it times;
# profile_report.py sums the instructions inside them per function
# (System.map) and prints both sides with their difference.
profile()
{
	local op=$1 side p f s x so="$WORK/bench/insn_profile.so" map mark
	local -a specs=()
	[ -n "$op" ] || die "profile: which operation (vfio_bench's name)?"
	BENCH_ARGS="-p $op ${VFIO_VMTEST_BENCH:--r 11 -w 2 -b 16}"
	bench_kernels
	gcc -O2 -Wall -shared -fPIC -o "$so" "$SELFDIR/bench/insn_profile.c"
	for side in upstream ours; do
		map="$(out_of "$side" bench)/System.map"
		mark=$(awk '$3 == "__x64_sys_getsid" { print "0x" $1 }' "$map")
		[ -n "$mark" ] || die "profile: no __x64_sys_getsid in $map"
		PLUGIN=(-plugin "$so,mark=$mark,out=$WORK/runs/$side-bench-profile.txt")
		boot "$side" bench profile
		PLUGIN=()
		report "$side" bench profile > "$WORK/runs/$side-bench-profile/report.txt"
		read -r p f s x < "$WORK/runs/$side-bench-profile/counts"
		[ "$f" -eq 0 ] || die "profile: $side: $f failed (build/runs/$side-bench-profile)"
		specs+=("$side=$WORK/runs/$side-bench-profile.txt,$map,$WORK/runs/$side-bench-profile/results.clean")
	done
	python3 "$SELFDIR/profile_report.py" -n "${PROFILE_ROWS:-40}" "${specs[@]}" |
		tee "$WORK/bench/profile-$op.txt"
}

# Every in-tree user of the VFIO API that x86_64 can build (with
# COMPILE_TEST): the vfio-pci variants, platform, the mdev samples, KVM's
# VFIO device and i915's GVT-g.
COMPILE_DIRS=(drivers/vfio/ samples/vfio-mdev/ virt/kvm/ arch/x86/kvm/
	      drivers/gpu/drm/i915/)

# Build them against our headers and core, and against upstream's with the
# same configuration: errors fail, and so does any warning we add.
compile_check()
{
	local side w
	for side in upstream ours; do
		configure "$side" compile
		log "compiling the in-tree VFIO users: $side"
		build_targets "$side" compile compile "${COMPILE_DIRS[@]}" ||
			{ tail -n 40 "$WORK/$side/out/compile/compile.log";
			  die "the in-tree VFIO users do not build on $side"; }
		{ grep -E 'warning:' "$WORK/$side/out/compile/compile.log" || true; } |
			sed -e "s#$WORK/$side/src/##" | sort -u > "$WORK/$side/out/compile/warnings"
	done
	w=$(comm -13 "$WORK/upstream/out/compile/warnings" "$WORK/ours/out/compile/warnings")
	if [ -n "$w" ]; then
		printf '%s\n' "$w"
		die "our tree adds warnings to the in-tree VFIO users"
	fi
	log "in-tree VFIO users: built with no errors and no new warnings ($(wc -l < "$WORK/ours/out/compile/warnings") upstream warnings, none added)"
}

# The Kconfig matrix: configurations no variant boots, each built whole
# (vmlinux and modules, so modpost sees every module's imports) from
# config.vm, config and config.matrix (modules, and pds-vfio-pci, a driver
# that selects IOMMUFD_DRIVER) with the entry's symbols on top.  All of
# them build in one directory, one after the other, so each recompiles only
# what its symbols change.  An entry is its name and its symbols; "-SYM"
# asks for SYM to be off.  VFIO_VIRQFD has no prompt: it is off when no
# driver selects it.
MATRIX=(
	"cdev-n -VFIO_DEVICE_CDEV"
	"group-n -VFIO_GROUP -VFIO_CONTAINER -VFIO_IOMMU_TYPE1"
	"container-n+iommufd-container-y -VFIO_CONTAINER -VFIO_IOMMU_TYPE1 IOMMUFD_VFIO_CONTAINER=y"
	"container-n+iommufd-container-n -VFIO_CONTAINER -VFIO_IOMMU_TYPE1 -IOMMUFD_VFIO_CONTAINER"
	"noiommu-n -VFIO_NOIOMMU"
	"debugfs-n -VFIO_DEBUGFS"
	"virqfd-n -VFIO_PCI -VFIO_PCI_MMAP -VFIO_PCI_INTX -VFIO_PCI_CORE -PDS_VFIO_PCI -VFIO_VIRQFD"
	"vfio-y+iommufd-n -IOMMUFD -VFIO_DEVICE_CDEV"
	"vfio-m+iommufd-n -IOMMUFD VFIO=m VFIO_PCI_CORE=m VFIO_PCI=m VFIO_IOMMU_TYPE1=m VFIO_MDEV=m SAMPLE_VFIO_MDEV_MTTY=m -VFIO_DEVICE_CDEV"
	"vfio-m+iommufd-y VFIO=m VFIO_PCI_CORE=m VFIO_PCI=m VFIO_IOMMU_TYPE1=m VFIO_MDEV=m SAMPLE_VFIO_MDEV_MTTY=m"
	"vfio-m+iommufd-m IOMMUFD=m VFIO=m VFIO_PCI_CORE=m VFIO_PCI=m VFIO_IOMMU_TYPE1=m VFIO_MDEV=m SAMPLE_VFIO_MDEV_MTTY=m KVM=m KVM_AMD=m"
)
# What make check builds of it, in this order (each entry recompiles what
# its symbols change from the one before: the cheap ones first): all but
# the last two; VFIO=m with iommufd as a module is the modules variant,
# which make check boots.  "make matrix" builds them all.
MATRIX_CHECK=cdev-n,group-n,container-n+iommufd-container-y,container-n+iommufd-container-n,noiommu-n,debugfs-n,virqfd-n,vfio-y+iommufd-n,vfio-m+iommufd-n

# Build every entry of MATRIX (or those named in the comma separated list
# $1) on our side: errors, any modpost warning and any compiler warning in
# a VFIO file fail.
matrix()
{
	local only=${1:-} out="$WORK/ours/out/matrix" entry name sym n=0 t0
	local -a syms
	mkdir -p "$out"
	for entry in "${MATRIX[@]}"; do
		name=${entry%% *}
		read -r -a syms <<< "${entry#"$name"}"
		[ -z "$only" ] || echo ",$only," | grep -q ",$name," || continue
		for sym in "${syms[@]}"; do
			case "$sym" in
			-*) echo "# CONFIG_${sym#-} is not set" ;;
			*) echo "CONFIG_$sym" ;;
			esac
		done > "$out/config.entry"
		t0=$SECONDS
		configure ours matrix
		build_targets ours matrix build vmlinux modules ||
			{ tail -n 40 "$out/build.log"; die "matrix $name: the build fails"; }
		if grep -E 'WARNING: modpost|(drivers/vfio|include/(uapi/)?linux/vfio|virt/kvm/vfio)[^:]*:[0-9]+:[0-9]+: (warning|error):' \
			"$out/build.log"; then
			die "matrix $name: the build has warnings"
		fi
		cp "$out/.config" "$out/config.$name"
		log "matrix $name: built, no warnings ($((SECONDS - t0)) s; $(wc -l < "$out/modules.order") modules)"
		n=$((n + 1))
	done
	[ $n -gt 0 ] || die "no matrix entry named ${only}"
	log "matrix: $n configurations built with modpost, no errors, no warnings"
}

# checkpatch's one finding that is not a fault: vfio_alloc_device() names
# its struct and member arguments more than once, which cannot have side
# effects, and container_of() needs them to type-check the member.
CHECKPATCH_OK="include/linux/vfio.h:[0-9]+: CHECK: Macro argument reuse '(dev_struct|member)'"

# checkpatch --strict on every C file we own; sparse (C=2) and W=1 on our
# core when the kernel carries it.
lint()
{
	local src="$WORK/upstream/src" out v files
	files=$(cd "$REPO" && git ls-files -co --exclude-standard -- \
		'drivers/vfio/*.[ch]' 'include/linux/vfio.h' 'include/uapi/linux/vfio.h' \
		'tools/testing/selftests/vfio/*.[ch]' 'oot/*.[ch]')
	out=$( (cd "$REPO" && "$src/scripts/checkpatch.pl" --no-tree --strict --terse -f $files) |
		grep -E ': (ERROR|WARNING|CHECK):' | grep -vE "$CHECKPATCH_OK" || true)
	if [ -n "$out" ]; then
		printf '%s\n' "$out"
		die "checkpatch --strict has findings"
	fi
	log "checkpatch --strict: clean ($(echo "$files" | wc -w) files)"
	[ "$(core_of ours)" = ours ] || return 0
	v=$(main_variant)
	make -C "$WORK/ours/src" O="$WORK/ours/out/$v" ARCH=$ARCH C=2 W=1 \
		CC="ccache gcc" drivers/vfio/ > "$WORK/lint.log" 2>&1 ||
		{ tail -n 40 "$WORK/lint.log"; die "drivers/vfio/ does not build with C=2 W=1"; }
	out=$(grep -E '(warning|error):' "$WORK/lint.log" |
	      grep -E 'drivers/vfio/[a-z_]+\.[ch]:|include/(uapi/)?linux/vfio\.h:' || true)
	if [ -n "$out" ]; then
		printf '%s\n' "$out"
		die "sparse or W=1 warns about our core"
	fi
	log "sparse (C=2) and W=1 on drivers/vfio/: clean"
	# our migration state machine against upstream's, every case
	python3 "$SELFDIR/fsm_check.py" "$WORK/upstream/src/drivers/vfio/vfio_main.c" \
		"$REPO/drivers/vfio/helpers.c" "$WORK/ours/headers/usr/include" ||
		die "vfio_mig_get_next_state() differs from upstream's"
}

# The patch series: exported, applied to a git tree of the pristine
# sources with git am (series.py), and the applied tree must be the tree
# we test, file by file.  make patches ($1 = build) also builds it in the
# "full" configuration; make check has just built that very tree.
series()
{
	local tree="$WORK/series/src" f
	python3 "$SELFDIR/series.py" "$REPO" "$WORK/upstream/src" "$WORK/series" \
		"$WORK/patches" || die "the patch series does not apply"
	cp "$WORK/upstream/src/.vmtest-version" "$tree/.vmtest-version"
	while read -r f; do
		cmp -s "$REPO/$f" "$tree/$f" || die "the series gives another $f"
	done < "$WORK/overlay.list"
	while read -r f; do
		cmp -s "$WORK/ours/src/$f" "$tree/$f" || die "the series gives another $f"
	done < "$WORK/diffed.list"
	for f in "${CORE_FILES[@]}"; do
		[ -e "$tree/$f" ] || [ ! -e "$WORK/ours/src/$f" ] ||
			die "the series removes $f"
		[ ! -e "$tree/$f" ] || [ -e "$WORK/ours/src/$f" ] ||
			die "the series keeps $f"
	done
	if [ "${1:-}" = build ]; then
		make_kernel series full
		log "patch series: $(find "$WORK/patches" -name '0*.patch' ! -name '0000-*' | wc -l) patches in $WORK/patches apply to the pristine tree and build"
	else
		log "patch series: $(find "$WORK/patches" -name '0*.patch' ! -name '0000-*' | wc -l) patches in $WORK/patches apply to the pristine tree and give the tree this check built"
	fi
}

# Every prefix of the series builds: the series tree is checked out at
# each patch that touches the kernel and the in-tree VFIO users are built
# in the compile configuration, in one build directory, so that each step
# rebuilds what its patch changed (ccache has the rest).  A patch that
# leaves out a Kconfig symbol leaves it out of the configuration too.
series_prefixes()
{
	local tree="$WORK/series/src" out="$WORK/series/out/compile" c n=0 subj
	configure series compile
	cp "$out/.config" "$out/config.all"
	for c in $(git -C "$tree" rev-list --reverse base..verify); do
		n=$((n + 1))
		subj=$(git -C "$tree" log -1 --format=%s "$c")
		if git -C "$tree" diff --quiet "$c^" "$c" -- drivers include virt arch samples; then
			log "series: patch $n does not change the kernel ($subj)"
			continue
		fi
		git -C "$tree" checkout -q "$c"
		cp "$out/config.all" "$out/.config"
		make -s -C "$tree" O="$out" ARCH=$ARCH olddefconfig
		build_targets series compile "prefix-$n" "${COMPILE_DIRS[@]}" ||
			{ tail -n 40 "$out/prefix-$n.log"; git -C "$tree" checkout -q verify;
			  die "the series does not build at patch $n ($subj)"; }
		if grep -E 'warning:|error:' "$out/prefix-$n.log" |
		   grep -E 'drivers/vfio|include/(uapi/)?linux/vfio'; then
			git -C "$tree" checkout -q verify
			die "the series warns at patch $n ($subj)"
		fi
		log "series: patch $n builds ($subj)"
	done
	git -C "$tree" checkout -q verify
	cp "$out/config.all" "$out/.config"
}

# One mutant per test (mutate.py), built like the tests themselves.
make_mutants()
{
	local src="$WORK/ours/src/tools/testing/selftests/vfio" hdr="$WORK/ours/headers"
	local out="$WORK/mutants" m
	rm -rf "$out"
	python3 "$SELFDIR/mutate.py" "$src" "$out" >&2
	if [ -n "$TESTS" ]; then
		# -t keeps the mutants of the named programs only.
		while read -r m _; do
			echo ",$TESTS," | grep -q ",${m%.m*}," && grep "^$m " "$out/mutants.list"
		done < "$out/mutants.list" > "$out/mutants.sel" || true
		mv "$out/mutants.sel" "$out/mutants.list"
		[ -s "$out/mutants.list" ] || die "-t $TESTS names no test program"
	fi
	log "building $(wc -l < "$out/mutants.list") mutants"
	gcc -Wall -O2 -D_GNU_SOURCE -Wno-format-truncation -isystem "$hdr/usr/include" -c \
		-o "$out/vfiotest.o" "$src/vfiotest.c"
	while read -r m _; do
		gcc -Wall -O2 -D_GNU_SOURCE -Wno-format-truncation -static \
			-I"$src" -isystem "$hdr/usr/include" -o "$out/$m" \
			"$out/$m.c" "$out/vfiotest.o" -lpthread ||
			die "mutant $m does not build"
	done < "$out/mutants.list"
	MUTANTS=$out
}

# Every mutant must fail its test in at least one boot where it ran.
report_mutants()
{
	local res="$WORK/runs/mutants.txt" m t where verdict bad=0
	cat "$WORK"/runs/"$SIDE"-"$MUTATE_VARIANT"-mutate-*/results.tap | tr -d '\r' |
		grep '^mutant ' > "$res" || true
	while read -r m t where; do
		if grep -q "^mutant $m killed" "$res"; then
			verdict=failed
		elif grep -q "^mutant $m survived" "$res"; then
			verdict="PASSED: the test cannot fail here"
			bad=1
		else
			verdict="skipped in every boot"
		fi
		printf '%-34s %-40s %s\n' "$t" "$where" "$verdict"
	done < "$WORK/mutants/mutants.list"
	return $bad
}

main()
{
	local opt cmd
	while getopts "s:v:t:j:nVh" opt; do
		case $opt in
		s) SIDE=$OPTARG ;;
		v) VARIANTS=$OPTARG ;;
		t) TESTS=$OPTARG ;;
		j) JOBS=$OPTARG ;;
		n) NOLINT=1 ;;
		V) QUIET=0 ;;
		h) usage 0 ;;
		*) usage 1 ;;
		esac
	done
	shift $((OPTIND - 1))
	cmd=${1:-check}
	case "$SIDE" in ours|upstream) ;; *) die "side must be ours or upstream" ;; esac
	install_deps
	[ "$cmd" = deps ] && return 0
	mkdir -p "$WORK"
	prepare_base
	prepare_ours
	check_uapi
	case "$cmd" in
	build)
		mapfile -t vlist < <(side_variants)
		for v in "${vlist[@]}"; do make_kernel "$(variant_side "$SIDE" "$v")" "$v"; done
		make_tests
		;;
	check)
		LINT=$([ -n "${NOLINT:-}" ] || echo 1) run_variants iommu noiommu
		;;
	lint)
		make_kernel ours "$(main_variant)"
		lint
		;;
	compile)
		compile_check
		;;
	matrix)
		matrix "${MATRIX_ENTRIES:-}"
		;;
	series)
		series build
		series_prefixes
		;;
	bench)
		bench
		;;
	profile)
		profile "${2:-}"
		;;
	demo)
		v=$(main_variant)
		make_kernel "$SIDE" "$v"
		make_tests
		boot "$SIDE" "$v" demo
		tr -d '\r' < "$WORK/runs/$SIDE-$v-demo/results.tap"
		check_kernel_log "$WORK/runs/$SIDE-$v-demo" ||
			die "the guest's kernel log has reports"
		grep -q '^vmtest: demo passed' "$WORK/runs/$SIDE-$v-demo/results.tap"
		;;
	mutate)
		v=$(main_variant)
		make_kernel "$SIDE" "$v"
		make_tests
		make_mutants
		boot "$SIDE" "$v" mutate-iommu
		boot "$SIDE" "$v" mutate-noiommu
		MUTATE_VARIANT=$v report_mutants
		;;
	shell)
		v=$(main_variant)
		make_kernel "$SIDE" "$v"
		make_tests
		boot "$SIDE" "$v" shell
		;;
	*) usage 1 ;;
	esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	main "$@"
fi
