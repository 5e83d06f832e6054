# SPDX-License-Identifier: GPL-2.0
#
# Front door.  Everything runs through the selftest harness,
# tools/testing/selftests/vfio/vmtest.sh; see README.md.

VMTEST := tools/testing/selftests/vfio/vmtest.sh
SIDE ?= ours
VARIANTS ?= full,cdev-only,iommufd-container,modules
TESTS ?=

vmtest_args = -s $(SIDE) -v $(VARIANTS) $(if $(TESTS),-t $(TESTS))

.PHONY: run demo check reference build shell patches deps clean faults

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

# The tree as a patch series in build/patches, checked to apply and build.
patches:
	$(VMTEST) series

deps:
	$(VMTEST) deps

clean:
	rm -rf build
