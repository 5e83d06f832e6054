// SPDX-License-Identifier: GPL-2.0
/*
 * The device file, whichever way it was obtained (a bound cdev or a group's
 * GET_DEVICE_FD): info, regions, config space, BAR access by pread/pwrite
 * and mmap, interrupts, resets and the DEVICE_FEATURE rules.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/pci_regs.h>

#include "../kselftest_harness.h"
#include "vfiotest.h"

FIXTURE(device) {
	struct vt_topology topo;
	struct vt_dev o;
	struct vt_edu edu;
};

FIXTURE_VARIANT(device) {
	enum vt_path path;
};

FIXTURE_VARIANT_ADD(device, cdev) {
	.path = VT_CDEV,
};

FIXTURE_VARIANT_ADD(device, group) {
	.path = VT_GROUP,
};

FIXTURE_SETUP(device)
{
	vt_dev_init(&self->o);
	ASSERT_EQ(0, vt_topology(&self->topo));
	if (vt_no_path(variant->path))
		SKIP(return, "%s", vt_no_path(variant->path));
	ASSERT_EQ(0, vt_dev_open(&self->o, variant->path, self->topo.solo));
	ASSERT_EQ(0, vt_edu_init(&self->edu, self->o.fd));
}

FIXTURE_TEARDOWN(device)
{
	vt_edu_fini(&self->edu);
	vt_dev_close(&self->o);
}

TEST_F(device, get_info)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };

	ASSERT_EQ(0, ioctl(self->o.fd, VFIO_DEVICE_GET_INFO, &info));
	EXPECT_TRUE(info.flags & VFIO_DEVICE_FLAGS_PCI);
	EXPECT_FALSE(info.flags & (VFIO_DEVICE_FLAGS_PLATFORM | VFIO_DEVICE_FLAGS_AMBA |
				   VFIO_DEVICE_FLAGS_CCW | VFIO_DEVICE_FLAGS_AP));
	EXPECT_EQ(VFIO_PCI_NUM_REGIONS, info.num_regions);
	EXPECT_EQ(VFIO_PCI_NUM_IRQS, info.num_irqs);
	/* x86 vfio-pci has no device capabilities to chain */
	EXPECT_FALSE(info.flags & VFIO_DEVICE_FLAGS_CAPS);
	EXPECT_EQ(sizeof(info), info.argsz);

	info.argsz = offsetof(struct vfio_device_info, num_irqs);
	EXPECT_EQ(-1, ioctl(self->o.fd, VFIO_DEVICE_GET_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->o.fd, VFIO_DEVICE_GET_INFO, NULL));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(device, region_info)
{
	struct vfio_region_info ri;
	__u32 i;

	for (i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
		int ret = vt_region(self->o.fd, i, &ri);

		if (i == VFIO_PCI_VGA_REGION_INDEX) {
			/* not a VGA device */
			EXPECT_EQ(-EINVAL, ret);
			continue;
		}
		ASSERT_EQ(0, ret) TH_LOG("region %u", i);
		EXPECT_EQ(i, ri.index);
		switch (i) {
		case VFIO_PCI_BAR0_REGION_INDEX:
			EXPECT_EQ(1 << 20, ri.size);
			EXPECT_EQ(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
				  VFIO_REGION_INFO_FLAG_MMAP,
				  ri.flags & ~VFIO_REGION_INFO_FLAG_CAPS);
			break;
		case VFIO_PCI_CONFIG_REGION_INDEX:
			EXPECT_EQ(256, ri.size);
			EXPECT_EQ(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
				  ri.flags);
			break;
		default:
			/* BARs 1-5 and the ROM are absent on edu */
			EXPECT_EQ(0, ri.size) TH_LOG("region %u", i);
			break;
		}
	}
	/* every region has its own window of the file */
	EXPECT_EQ(-EINVAL, vt_region(self->o.fd, VFIO_PCI_NUM_REGIONS + 8, &ri));
	memset(&ri, 0, sizeof(ri));
	ri.argsz = 8;
	EXPECT_EQ(-1, ioctl(self->o.fd, VFIO_DEVICE_GET_REGION_INFO, &ri));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(device, config_space)
{
	__u16 vendor, device, cmd;
	__u8 pin;

	ASSERT_EQ(0, vt_cfg_read(self->o.fd, PCI_VENDOR_ID, &vendor, 2));
	ASSERT_EQ(0, vt_cfg_read(self->o.fd, PCI_DEVICE_ID, &device, 2));
	EXPECT_EQ(EDU_VENDOR, vendor);
	EXPECT_EQ(EDU_DEVICE, device);
	/* vt_edu_init() enabled bus mastering through a config write */
	ASSERT_EQ(0, vt_cfg_read(self->o.fd, PCI_COMMAND, &cmd, 2));
	EXPECT_TRUE(cmd & PCI_COMMAND_MASTER);
	EXPECT_TRUE(cmd & PCI_COMMAND_MEMORY);
	cmd &= ~PCI_COMMAND_MASTER;
	ASSERT_EQ(0, vt_cfg_write(self->o.fd, PCI_COMMAND, &cmd, 2));
	ASSERT_EQ(0, vt_cfg_read(self->o.fd, PCI_COMMAND, &cmd, 2));
	EXPECT_FALSE(cmd & PCI_COMMAND_MASTER);
	ASSERT_EQ(0, vt_cfg_read(self->o.fd, PCI_INTERRUPT_PIN, &pin, 1));
	EXPECT_EQ(1, pin);
}

TEST_F(device, bar0_pread_pwrite)
{
	__u32 val;

	ASSERT_EQ(0, vt_edu_read(&self->edu, EDU_IDENT, &val));
	EXPECT_EQ(EDU_IDENT_VAL, val & EDU_IDENT_MASK);
	ASSERT_EQ(0, vt_edu_write(&self->edu, EDU_LIVENESS, 0xa5a5f00d));
	ASSERT_EQ(0, vt_edu_read(&self->edu, EDU_LIVENESS, &val));
	EXPECT_EQ(~0xa5a5f00dU, val);
}

/* MMIO through the mapping: single 32-bit accesses the compiler keeps */
static __u32 mmio_read(void *base, __u32 off)
{
	return __atomic_load_n((__u32 *)((char *)base + off), __ATOMIC_SEQ_CST);
}

static void mmio_write(void *base, __u32 off, __u32 val)
{
	__atomic_store_n((__u32 *)((char *)base + off), val, __ATOMIC_SEQ_CST);
}

TEST_F(device, bar0_mmap)
{
	__u32 val;

	ASSERT_EQ(0, vt_edu_mmap(&self->edu));
	EXPECT_EQ(EDU_IDENT_VAL, mmio_read(self->edu.map, EDU_IDENT) & EDU_IDENT_MASK);
	mmio_write(self->edu.map, EDU_LIVENESS, 0x0badcafe);
	EXPECT_EQ(~0x0badcafeU, mmio_read(self->edu.map, EDU_LIVENESS));
	/* the same register seen through pread */
	ASSERT_EQ(0, vt_edu_read(&self->edu, EDU_LIVENESS, &val));
	EXPECT_EQ(~0x0badcafeU, val);
	/* the config region cannot be mapped */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->o.fd,
				   self->edu.cfg));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(device, irq_info)
{
	struct vfio_irq_info irq = { .argsz = sizeof(irq) };

	irq.index = VFIO_PCI_INTX_IRQ_INDEX;
	ASSERT_EQ(0, ioctl(self->o.fd, VFIO_DEVICE_GET_IRQ_INFO, &irq));
	EXPECT_EQ(1, irq.count);
	EXPECT_TRUE(irq.flags & VFIO_IRQ_INFO_EVENTFD);
	EXPECT_TRUE(irq.flags & VFIO_IRQ_INFO_MASKABLE);
	irq.index = VFIO_PCI_MSI_IRQ_INDEX;
	ASSERT_EQ(0, ioctl(self->o.fd, VFIO_DEVICE_GET_IRQ_INFO, &irq));
	EXPECT_EQ(1, irq.count);
	EXPECT_TRUE(irq.flags & VFIO_IRQ_INFO_EVENTFD);
	irq.index = VFIO_PCI_MSIX_IRQ_INDEX;
	ASSERT_EQ(0, ioctl(self->o.fd, VFIO_DEVICE_GET_IRQ_INFO, &irq));
	EXPECT_EQ(0, irq.count);
	irq.index = VFIO_PCI_REQ_IRQ_INDEX;
	ASSERT_EQ(0, ioctl(self->o.fd, VFIO_DEVICE_GET_IRQ_INFO, &irq));
	EXPECT_EQ(1, irq.count);
	irq.index = VFIO_PCI_NUM_IRQS;
	EXPECT_EQ(-1, ioctl(self->o.fd, VFIO_DEVICE_GET_IRQ_INFO, &irq));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(device, msi_eventfd)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	__u32 status;

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, vt_irq_eventfd(self->o.fd, VFIO_PCI_MSI_IRQ_INDEX, efd));
	/* nothing fires on its own */
	EXPECT_EQ(0, vt_eventfd_wait(efd, 200));
	ASSERT_EQ(0, vt_edu_write(&self->edu, EDU_IRQ_RAISE, 0x1));
	EXPECT_LT(0, vt_eventfd_wait(efd, 3000));
	ASSERT_EQ(0, vt_edu_read(&self->edu, EDU_IRQ_STATUS, &status));
	EXPECT_EQ(0x1, status);
	ASSERT_EQ(0, vt_edu_write(&self->edu, EDU_IRQ_ACK, 0x1));
	/* a second interrupt is a second event */
	ASSERT_EQ(0, vt_edu_write(&self->edu, EDU_IRQ_RAISE, 0x2));
	EXPECT_LT(0, vt_eventfd_wait(efd, 3000));
	ASSERT_EQ(0, vt_edu_write(&self->edu, EDU_IRQ_ACK, 0x2));
	ASSERT_EQ(0, vt_irq_disable(self->o.fd, VFIO_PCI_MSI_IRQ_INDEX));
	close(efd);
}

TEST_F(device, set_irqs_rejects_bad_input)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = VFIO_PCI_MSI_IRQ_INDEX,
		.count = 1,
	};

	/* two data types at once */
	set.flags |= VFIO_IRQ_SET_DATA_BOOL;
	EXPECT_EQ(-1, ioctl(self->o.fd, VFIO_DEVICE_SET_IRQS, &set));
	EXPECT_EQ(EINVAL, errno);
	/* beyond the vectors the index has */
	set.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	set.start = 1;
	EXPECT_EQ(-1, ioctl(self->o.fd, VFIO_DEVICE_SET_IRQS, &set));
	EXPECT_EQ(EINVAL, errno);
	/* an eventfd array larger than argsz says */
	set.start = 0;
	set.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	EXPECT_EQ(-1, ioctl(self->o.fd, VFIO_DEVICE_SET_IRQS, &set));
	EXPECT_EQ(EINVAL, errno);
	set.index = VFIO_PCI_NUM_IRQS;
	set.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	EXPECT_EQ(-1, ioctl(self->o.fd, VFIO_DEVICE_SET_IRQS, &set));
	EXPECT_EQ(EINVAL, errno);
}

/* RESET works exactly when GET_INFO says it does. */
TEST_F(device, reset_matches_info)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	__u32 val;
	int ret;

	ASSERT_EQ(0, ioctl(self->o.fd, VFIO_DEVICE_GET_INFO, &info));
	ret = ioctl(self->o.fd, VFIO_DEVICE_RESET);
	if (info.flags & VFIO_DEVICE_FLAGS_RESET) {
		EXPECT_EQ(0, ret);
	} else {
		/* edu has no FLR or PM, and is not alone behind a bridge */
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(EINVAL, errno);
	}
	/* the device answers afterwards either way */
	ASSERT_EQ(0, vt_edu_read(&self->edu, EDU_IDENT, &val));
	EXPECT_EQ(EDU_IDENT_VAL, val & EDU_IDENT_MASK);
}

/* The edu on the root bus has no bus or slot to reset. */
TEST_F(device, hot_reset_info_root_bus)
{
	struct vfio_pci_hot_reset_info info = { .argsz = sizeof(info) };

	EXPECT_EQ(-1, ioctl(self->o.fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &info));
	EXPECT_EQ(ENODEV, errno);
}

TEST_F(device, feature_rules)
{
	struct vfio_device_feature feat = { .argsz = sizeof(feat) };

	/* an unsupported feature, probed */
	feat.flags = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET | 0x7fff;
	EXPECT_EQ(-1, ioctl(self->o.fd, VFIO_DEVICE_FEATURE, &feat));
	EXPECT_EQ(ENOTTY, errno);
	/* vfio-pci without migration support */
	feat.flags = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET |
		     VFIO_DEVICE_FEATURE_MIGRATION;
	EXPECT_EQ(-1, ioctl(self->o.fd, VFIO_DEVICE_FEATURE, &feat));
	EXPECT_EQ(ENOTTY, errno);
	/* GET and SET together without PROBE */
	feat.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET |
		     VFIO_DEVICE_FEATURE_MIGRATION;
	EXPECT_EQ(-1, ioctl(self->o.fd, VFIO_DEVICE_FEATURE, &feat));
	EXPECT_EQ(EINVAL, errno);
	/* an unknown flag bit */
	feat.flags = VFIO_DEVICE_FEATURE_PROBE | (1U << 20);
	EXPECT_EQ(-1, ioctl(self->o.fd, VFIO_DEVICE_FEATURE, &feat));
	EXPECT_EQ(EINVAL, errno);
	/* argsz below the header */
	feat.flags = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET;
	feat.argsz = 4;
	EXPECT_EQ(-1, ioctl(self->o.fd, VFIO_DEVICE_FEATURE, &feat));
	EXPECT_EQ(EINVAL, errno);
	/* a feature vfio-pci does have: the VF token, settable only on a PF */
	feat.argsz = sizeof(feat);
	feat.flags = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET |
		     VFIO_DEVICE_FEATURE_PCI_VF_TOKEN;
	EXPECT_EQ(-1, ioctl(self->o.fd, VFIO_DEVICE_FEATURE, &feat));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(device, unknown_ioctl)
{
	EXPECT_EQ(-1, ioctl(self->o.fd, _IO(VFIO_TYPE, VFIO_BASE + 60)));
	EXPECT_EQ(ENOTTY, errno);
}

/*
 * Hot reset of the bridge's secondary bus: the two edus and the e1000.  The
 * reset needs every device on the bus to be in vfio-pci's device set, so it
 * fails while the e1000 has its own driver, and works once it is rebound.
 */
FIXTURE(hot_reset) {
	struct vt_topology topo;
	struct vt_dev o;
};

FIXTURE_VARIANT(hot_reset) {
	enum vt_path path;
};

FIXTURE_VARIANT_ADD(hot_reset, cdev) {
	.path = VT_CDEV,
};

FIXTURE_VARIANT_ADD(hot_reset, group) {
	.path = VT_GROUP,
};

FIXTURE_SETUP(hot_reset)
{
	vt_dev_init(&self->o);
	ASSERT_EQ(0, vt_topology(&self->topo));
	if (vt_noiommu_mode())
		SKIP(return, "no-IOMMU devices have no group to prove ownership");
	if (vt_no_path(variant->path))
		SKIP(return, "%s", vt_no_path(variant->path));
	ASSERT_EQ(0, vt_pci_bind(self->topo.nic, "vfio-pci"));
	ASSERT_EQ(0, vt_dev_open(&self->o, variant->path, self->topo.shared[0]));
}

FIXTURE_TEARDOWN(hot_reset)
{
	vt_dev_close(&self->o);
	vt_pci_bind(self->topo.nic, "e1000");
}

static struct vfio_pci_hot_reset_info *hot_reset_info(int fd, int *err)
{
	struct vfio_pci_hot_reset_info *info, hdr = { .argsz = sizeof(hdr) };
	size_t sz;

	*err = 0;
	/* the first call tells how many devices there are */
	if (!ioctl(fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &hdr) || errno != ENOSPC) {
		*err = errno ? errno : -1;
		return NULL;
	}
	sz = sizeof(hdr) + hdr.count * sizeof(struct vfio_pci_dependent_device);
	info = calloc(1, sz);
	info->argsz = sz;
	if (ioctl(fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, info)) {
		*err = errno;
		free(info);
		return NULL;
	}
	return info;
}

TEST_F(hot_reset, info_lists_the_bus)
{
	struct vfio_pci_hot_reset_info *info;
	int err, i, group = vt_group_id(self->topo.shared[0]);
	__u32 devid_or_group;

	info = hot_reset_info(self->o.fd, &err);
	ASSERT_NE(NULL, info) TH_LOG("errno %d", err);
	ASSERT_EQ(3, info->count);
	if (variant->path == VT_CDEV) {
		EXPECT_TRUE(info->flags & VFIO_PCI_HOT_RESET_FLAG_DEV_ID);
		EXPECT_TRUE(info->flags & VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED);
	} else {
		EXPECT_FALSE(info->flags & VFIO_PCI_HOT_RESET_FLAG_DEV_ID);
	}
	for (i = 0; i < (int)info->count; i++) {
		devid_or_group = variant->path == VT_CDEV ? info->devices[i].devid :
							      info->devices[i].group_id;
		EXPECT_EQ(0, info->devices[i].segment);
		/* the group's number, or an id owned by the caller's iommufd */
		EXPECT_TRUE(variant->path == VT_GROUP ? devid_or_group == (__u32)group :
			    devid_or_group != (__u32)VFIO_PCI_DEVID_NOT_OWNED);
	}
	free(info);
}

TEST_F(hot_reset, reset_the_bus)
{
	struct {
		struct vfio_pci_hot_reset hdr;
		__s32 fds[1];
	} arg = { .hdr.argsz = sizeof(arg.hdr) };

	if (variant->path == VT_CDEV) {
		/* a cdev proves ownership through its iommufd: no group fds */
		arg.hdr.count = 1;
		arg.hdr.argsz = sizeof(arg);
		arg.fds[0] = -1;
		EXPECT_EQ(-1, ioctl(self->o.fd, VFIO_DEVICE_PCI_HOT_RESET, &arg));
		EXPECT_EQ(EINVAL, errno);
		arg.hdr.count = 0;
		arg.hdr.argsz = sizeof(arg.hdr);
		EXPECT_EQ(0, ioctl(self->o.fd, VFIO_DEVICE_PCI_HOT_RESET, &arg));
	} else {
		EXPECT_EQ(-1, ioctl(self->o.fd, VFIO_DEVICE_PCI_HOT_RESET, &arg));
		EXPECT_EQ(EINVAL, errno);
		arg.hdr.count = 1;
		arg.hdr.argsz = sizeof(arg);
		arg.fds[0] = 1000;
		EXPECT_EQ(-1, ioctl(self->o.fd, VFIO_DEVICE_PCI_HOT_RESET, &arg));
		EXPECT_EQ(EBADF, errno);
		arg.fds[0] = self->o.container;
		EXPECT_EQ(-1, ioctl(self->o.fd, VFIO_DEVICE_PCI_HOT_RESET, &arg));
		EXPECT_EQ(EINVAL, errno);
		arg.fds[0] = self->o.group;
		EXPECT_EQ(0, ioctl(self->o.fd, VFIO_DEVICE_PCI_HOT_RESET, &arg));
	}
	arg.hdr.flags = 1;
	EXPECT_EQ(-1, ioctl(self->o.fd, VFIO_DEVICE_PCI_HOT_RESET, &arg));
	EXPECT_EQ(EINVAL, errno);
}

TEST_HARNESS_MAIN
