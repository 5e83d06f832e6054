#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the vmtest.sh guest.  Binds the emulated devices to vfio-pci, runs
# the selftests and writes their TAP to the second serial port (ttyS1), which
# the host reads as a file; the console (ttyS0) carries only the kernel log.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug
# hugetlbfs where QEMU and DPDK look for it
mkdir -p /dev/hugepages && mount -t hugetlbfs hugetlbfs /dev/hugepages 2>/dev/null

param()
{
	sed -n "s/.*vfiotest\.$1=\([^ ]*\).*/\1/p" /proc/cmdline
}

MODE=$(param mode)
VARIANT=$(param variant)
SIDE=$(param side)
CORE=$(param core)
ONLY=$(param tests)
OUT=/dev/ttyS1
export VFIO_TEST_MODE=$MODE VFIO_TEST_VARIANT=$VARIANT VFIO_TEST_SIDE=$SIDE
export VFIO_TEST_CORE=$CORE
# how thoroughly the fault-injection sweep goes: "all", or every N-th site
export VFIO_TEST_FAULTS=$(param faults)
# how long the fuzzer runs (make check: 30 s in full, 15 s in the other
# variants), and with which seed (default: the time)
if [ -n "$(param fuzz)" ]; then
	export VFIO_TEST_FUZZ_SECONDS=$(param fuzz)
elif [ "$VARIANT" != full ]; then
	export VFIO_TEST_FUZZ_SECONDS=15
fi
[ -n "$(param seed)" ] && export VFIO_TEST_FUZZ_SEED=$(param seed)
# run the tests of upstream bugs on the reference core too
[ -n "$(param upstream_bugs)" ] && export VFIO_TEST_UPSTREAM_BUGS=1
export VFIO_TEST_KCONFIG=/vfio/kconfig
# where VFIO's text is, for the fault-injection sweep (see vmtest.sh)
export VFIO_TEST_VFIO_TEXT=/vfio/vfio-text

say() { echo "$*" > $OUT; }

# Hand every edu device (1234:11e8) to vfio-pci; the e1000 stays with its
# kernel driver so that the group it shares is not viable until a test
# rebinds it.
bind_edus()
{
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = 0x1234 ] || continue
		[ "$(cat "$d/device")" = 0x11e8 ] || continue
		echo vfio-pci > "$d/driver_override"
		[ -e "$d/driver" ] && echo "${d##*/}" > "$d/driver/unbind"
		echo "${d##*/}" > /sys/bus/pci/drivers_probe
	done
}

# The modular variant: the VFIO modules and the ones that use them, loaded
# at boot and unloaded and loaded again after the suite.
MODULES="vfio_pci vfio_iommu_type1 mtty vfio_selftest"
# Debian's kernel (the debian variant) loads nothing by itself: the e1000's
# driver and KVM come first, from its own modules
[ "$VARIANT" = debian ] && MODULES="e1000 kvm_amd $MODULES"
UNLOAD="vfio_pci vfio_pci_core mtty vfio_selftest mdev vfio_iommu_type1 vfio iommufd"

load_modules()
{
	# Debian's KVM gives a nested guest a virtual PMU, whose perf events
	# flip static keys in the scheduler; TCG then runs a stale int3 of
	# that text patching on the other vCPU (an "Oops: int3" in __schedule
	# while the L2 guest writes its counters).  The tests need no PMU.
	if [ "$VARIANT" = debian ]; then
		modprobe kvm enable_pmu=0 > /dev/console 2>&1 ||
			echo "vmtest: modprobe kvm failed" > /dev/console
	fi
	for m in $MODULES; do
		modprobe "$m" > /dev/console 2>&1 || echo "vmtest: modprobe $m failed" > /dev/console
	done
}

kmemleak_scan()
{
	if [ -w /sys/kernel/debug/kmemleak ]; then
		echo scan > /sys/kernel/debug/kmemleak
		sleep 1
		echo scan > /sys/kernel/debug/kmemleak
		cat /sys/kernel/debug/kmemleak > /dev/console
	fi
}

# After the whole suite nothing may hold the modules, and nothing of theirs
# may leak; loaded again, they work.
modules_cycle()
{
	local m left
	say "# selftests: vfio: modules"
	[ "$VARIANT" = debian ] && debian_ours
	for m in $UNLOAD; do
		rmmod "$m" > /dev/console 2>&1 || say "# rmmod $m failed"
	done
	left=$(lsmod | grep -E '^(vfio|iommufd|mdev|mtty)' | cut -d' ' -f1 | tr '\n' ' ')
	if [ -z "$left" ]; then
		say "ok 1 modules: every VFIO module unloads"
	else
		say "not ok 1 modules: still loaded: $left"
	fi
	kmemleak_scan
	load_modules
	bind_edus
	if /vfio/vfio_edu_demo > /tmp/demo 2>&1; then
		say "ok 2 modules: loaded again, the edu does DMA through the cdev"
	else
		sed 's/^/# /' /tmp/demo > $OUT
		say "not ok 2 modules: loaded again, the edu demo fails"
	fi
}

# The VFIO modules loaded on Debian's kernel are the ones in updates/ (this
# tree's, installed by DKMS), not the kernel's own, which are there too.
debian_ours()
{
	local m f bad=
	for m in vfio iommufd vfio_iommu_type1 vfio-pci-core vfio-pci mdev; do
		f=$(find /lib/modules/"$(uname -r)"/updates -name "$m.ko")
		if [ -z "$f" ] || [ "$(modinfo -F srcversion "$f")" != \
		     "$(cat /sys/module/"$(echo "$m" | tr - _)"/srcversion 2>/dev/null)" ]; then
			bad="$bad $m"
		fi
	done
	if [ -z "$bad" ]; then
		say "ok 0 modules: the VFIO modules loaded are DKMS's, from updates/"
	else
		say "not ok 0 modules: not loaded from updates/:$bad"
	fi
}

finish()
{
	# Two scans: kmemleak reports an object only once it has been seen
	# unreferenced by two consecutive scans.
	kmemleak_scan
	say "vmtest: guest done"
	sync
	poweroff -f
}

case "$VARIANT" in modules|debian) load_modules ;; esac
bind_edus
ls -l /dev/vfio /dev/vfio/devices > /dev/console 2>&1

# make bench: the benchmark alone, with its options (+ for spaces)
if [ "$VARIANT" = bench ]; then
	(cd /vfio && ./vfio_bench $(param bench | tr + ' ')) > $OUT 2>&1
	finish
fi

case "$MODE" in
mutate-*)
	# Each mutant runs only the test it was made from.
	export VFIO_TEST_MODE=${MODE#mutate-}
	cd /vfio/mutants
	while read -r m t where; do
		./"$m" -t "$t" > /tmp/out 2>&1
		if grep -q '^not ok' /tmp/out; then
			r=killed
		elif grep -qE '^ok [0-9]+ [^#]*$' /tmp/out; then
			r=survived
		else
			r=skipped
		fi
		say "mutant $m $r $t"
	done < mutants.list
	finish
	;;
shell)
	setsid cttyhack sh
	poweroff -f
	;;
demo)
	if /vfio/vfio_edu_demo > $OUT 2>&1; then
		say "vmtest: demo passed"
	else
		say "vmtest: demo failed"
	fi
	finish
	;;
esac

say "TAP version 13"
say "# vmtest: side=$SIDE core=$CORE variant=$VARIANT mode=$MODE kernel=$(uname -r)"
for t in $(cat /vfio/run_list); do
	# "noiommu:" tests run only in no-IOMMU boots; the faults variant
	# runs only the fault-injection sweep and the fuzzer; the sweep runs
	# in full and faults only (the other variants have injection built
	# in for the build's sake; in modules VFIO is a module, and no text
	# span would keep the sweep to VFIO's sites); vfio_bench's smoke run
	# is in modules, which has its registration module and whose boot
	# make check's benchmark report reads
	case "$t" in
	noiommu:*) [ "$MODE" = noiommu ] || continue; t=${t#noiommu:} ;;
	*)	[ "$MODE" = noiommu ] && continue
		[ "$VARIANT" != faults ] || [ "$t" = vfio_fail_nth_test ] ||
			[ "$t" = vfio_fuzz_test ] || continue
		[ "$t" != vfio_fail_nth_test ] || [ "$VARIANT" = full ] ||
			[ "$VARIANT" = faults ] || continue
		[ "$t" != vfio_bench ] || [ "$VARIANT" = modules ] || continue
		;;
	esac
	if [ -n "$ONLY" ]; then
		echo ",$ONLY," | grep -q ",$t," || continue
	fi
	say "# selftests: vfio: $t"
	echo "vmtest: running $t" > /dev/kmsg
	(cd /vfio && ./"$t") > $OUT 2>&1
	rc=$?
	case $rc in
	0|1|4)	say "# exit: $t $rc" ;;
	*)	# killed or crashed: there may be no "not ok" line of its own
		say "not ok 0 $t exited with $rc" ;;
	esac
done
case "$VARIANT" in
modules|debian) [ "$MODE" = iommu ] && [ -z "$ONLY" ] && modules_cycle ;;
esac
finish
