# SPDX-License-Identifier: GPL-2.0
#
# Front door.  Everything runs through the selftest harness,
# tools/testing/selftests/vfio/vmtest.sh; see README.md.

VMTEST := tools/testing/selftests/vfio/vmtest.sh
SIDE ?= ours
VARIANTS ?= full,cdev-only,iommufd-container,modules,debian
TESTS ?=

vmtest_args = -s $(SIDE) -v $(VARIANTS) $(if $(TESTS),-t $(TESTS))

.PHONY: run demo check reference build shell patches matrix bench bench-profile deps clean faults \
	base modules modules_install modules_clean dkms dkms_remove

# The main job: build the kernel and boot it with the edu DMA demo.
run demo:
	$(VMTEST) -s $(SIDE) demo

# The whole test suite, every variant, IOMMU and no-IOMMU boots.
check:
	$(VMTEST) $(vmtest_args) check

# The same suite on the pristine upstream 6.12 VFIO core.
reference:
	$(VMTEST) -s upstream -v $(VARIANTS) $(if $(TESTS),-t $(TESTS)) check

# The fault-injection sweep on the "faults" kernel: every allocation and
# copy of every path failed in turn (FAULTS=N takes every N-th), and half an
# hour of the fuzzer (FUZZ=seconds).
FAULTS ?= all
FUZZ ?= 1800
faults:
	VFIO_VMTEST_FAULTS=$(FAULTS) VFIO_VMTEST_FUZZ=$(FUZZ) VFIO_VMTEST_TIMEOUT=14400 \
		$(VMTEST) -n -s $(SIDE) -v faults check

build:
	$(VMTEST) $(vmtest_args) build

shell:
	$(VMTEST) -s $(SIDE) shell

# The Kconfig matrix (vmtest.sh's MATRIX), each entry built with modpost.
MATRIX ?=
matrix:
	MATRIX_ENTRIES=$(MATRIX) $(VMTEST) matrix

# Ours against the pristine core: non-debug kernels, -icount, one table
# (README.md, "Benchmark"); BENCH= passes vfio_bench's options.
BENCH ?= --full
bench:
	VFIO_VMTEST_BENCH="$(BENCH)" $(VMTEST) bench

# Where one benchmark operation's kernel instructions go, per function, on
# both sides (README.md, "Benchmark"): make bench-profile OP=cdev.bind
OP ?=
bench-profile:
	$(VMTEST) profile $(OP)

# The tree as a patch series in build/patches, checked to apply and build.
patches:
	$(VMTEST) series

deps:
	$(VMTEST) deps

clean: modules_clean
	rm -rf build

# ---- the external build (Kbuild, Kconfig): the cdev on a distribution kernel
#
# The modules of this tree for an installed kernel without iommufd, such as
# Debian's 6.12 (README.md, "Debian's kernel").  The base tree's files they
# need come from linux-source-6.12 (BASE_SRC: its tarball or an unpacked
# tree) into base/.
KDIR ?= /lib/modules/$(shell uname -r)/build
BASE_SRC ?= /usr/src/linux-source-6.12.tar.xz
DKMS_NAME := vfio-cdev
DKMS_VERSION := $(shell git -C $(CURDIR) log -1 --format=6.12.%cd.%h --date=format:%Y%m%d 2>/dev/null || echo 6.12.0)
DKMS_SRC := /usr/src/$(DKMS_NAME)-$(DKMS_VERSION)
# what a DKMS source tree is made of
OOT_FILES := Kbuild Kconfig dkms.conf oot drivers/vfio include base

base:
	sh oot/stage-base.sh $(CURDIR) $(BASE_SRC)

base/drivers/iommu/iommufd/main.c:
	sh oot/stage-base.sh $(CURDIR) $(BASE_SRC)

modules: base/drivers/iommu/iommufd/main.c
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# into /lib/modules/<version>/updates, ahead of the kernel's own
modules_install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install

modules_clean:
	[ ! -d $(KDIR) ] || $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf base oot-config.h oot.config

# The source tree under /usr/src for DKMS, registered, built and installed
# for KDIR's kernel; DKMS rebuilds it for every kernel installed later.
dkms: base/drivers/iommu/iommufd/main.c
	rm -rf $(DKMS_SRC) && mkdir -p $(DKMS_SRC)
	cp -a --parents $(OOT_FILES) $(DKMS_SRC)/
	sed -i 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(DKMS_VERSION)"/' $(DKMS_SRC)/dkms.conf
	dkms add $(DKMS_NAME)/$(DKMS_VERSION)
	dkms install $(DKMS_NAME)/$(DKMS_VERSION) -k $(notdir $(patsubst %/build,%,$(KDIR))) \
		--kernelsourcedir $(KDIR)

dkms_remove:
	dkms remove $(DKMS_NAME)/$(DKMS_VERSION) --all
	rm -rf $(DKMS_SRC)
