// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO test driver: emulated devices for tools/testing/selftests/vfio.
 *
 * The in-tree drivers leave paths of the core that a user cannot reach
 * through them: no mdev sample pins guest pages or keeps them pinned past
 * its close, and no driver's init callback can be made to fail after it
 * has joined a device set.  The devices of this driver can: they are
 * created and removed through sysfs (see selftest.h), registered as
 * emulated-IOMMU devices with a cdev and a group, and their ioctls pin
 * pages, unpin them and copy data through vfio_pin_pages(),
 * vfio_unpin_pages() and vfio_dma_rw().
 *
 * Never for production kernels: any user with access to a device file can
 * pin pages through it.
 */
#include <linux/device.h>
#include <linux/idr.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <linux/wait.h>

#include "selftest.h"

#define VFIO_ST_MAX_PINS	64
#define VFIO_ST_MAX_PAGES	16
#define VFIO_ST_IOVA_MAX	((dma_addr_t)~0ULL)

/*
 * One vfio_pin_pages() call, unpinned as a whole with the IOVA it was
 * pinned with (type1 keys its pins by that IOVA, page aligned or not).
 */
struct vfio_st_pin {
	dma_addr_t iova;
	int npage;
};

/**
 * struct vfio_st_device - one test device
 * @vdev: the VFIO device
 * @node: link in vfio_st_devices
 * @lock: protects the fields below; nothing is called with it held, so
 *	that it nests inside every lock the unmap notifications come with
 * @npins: how many of @pins are in use
 * @pinning: vfio_pin_pages() calls in progress, whose slots are reserved
 * @keep_pins: leave the pins to the unmap notification at close
 * @pins: the ranges the device holds pinned
 * @pinned: woken when @pinning drops
 */
struct vfio_st_device {
	struct vfio_device vdev;
	struct list_head node;
	struct mutex lock;	/* see above */
	unsigned int npins;
	unsigned int pinning;
	bool keep_pins;
	struct vfio_st_pin pins[VFIO_ST_MAX_PINS];
	wait_queue_head_t pinned;
};

static struct device *vfio_st_root;
static DEFINE_IDA(vfio_st_ids);
static int vfio_st_sets[VFIO_SELFTEST_SETS];

/* Protects the list of devices and the parameters of the next creation. */
static DEFINE_MUTEX(vfio_st_lock);
static LIST_HEAD(vfio_st_devices);
static unsigned int vfio_st_next_set;
static bool vfio_st_next_fails;

static struct vfio_st_device *to_st(struct vfio_device *vdev)
{
	return container_of(vdev, struct vfio_st_device, vdev);
}

/* ---- Pins ---------------------------------------------------------------- */

/* Take one pinned range that overlaps [@first, @last] off the list. */
static bool vfio_st_take_pin(struct vfio_st_device *st, dma_addr_t first,
			     dma_addr_t last, struct vfio_st_pin *out)
{
	struct vfio_st_pin *pin;
	dma_addr_t start;
	unsigned int i;

	lockdep_assert_held(&st->lock);
	for (i = 0; i < st->npins; i++) {
		pin = &st->pins[i];
		start = ALIGN_DOWN(pin->iova, PAGE_SIZE);
		if (start > last ||
		    start + (dma_addr_t)pin->npage * PAGE_SIZE - 1 < first)
			continue;
		*out = *pin;
		*pin = st->pins[--st->npins];
		return true;
	}
	return false;
}

/*
 * Unpin the pinned ranges that overlap [@first, @last], after any pin in
 * progress has been recorded; returns how many pages they had.
 */
static unsigned int vfio_st_unpin_range(struct vfio_st_device *st,
					dma_addr_t first, dma_addr_t last)
{
	struct vfio_st_pin pin;
	unsigned int dropped = 0;
	bool found;

	wait_event(st->pinned, !READ_ONCE(st->pinning));
	for (;;) {
		mutex_lock(&st->lock);
		found = vfio_st_take_pin(st, first, last, &pin);
		mutex_unlock(&st->lock);
		if (!found)
			return dropped;
		vfio_unpin_pages(&st->vdev, pin.iova, pin.npage);
		dropped += pin.npage;
	}
}

/* How many pages the device holds pinned. */
static unsigned int vfio_st_pinned(struct vfio_st_device *st)
{
	unsigned int i, pages = 0;

	lockdep_assert_held(&st->lock);
	for (i = 0; i < st->npins; i++)
		pages += st->pins[i].npage;
	return pages;
}

static int vfio_st_pin(struct vfio_st_device *st, void __user *uarg)
{
	struct vfio_selftest_pin pin;
	struct page **pages;
	int ret;

	if (copy_from_user(&pin, uarg, sizeof(pin)))
		return -EFAULT;
	if (!pin.npage || pin.npage > VFIO_ST_MAX_PAGES || pin.pad)
		return -EINVAL;
	pages = kcalloc(pin.npage, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;

	/* reserve a slot; the pin itself runs without the lock */
	mutex_lock(&st->lock);
	ret = st->npins + st->pinning < VFIO_ST_MAX_PINS ? 0 : -ENOSPC;
	if (!ret)
		st->pinning++;
	mutex_unlock(&st->lock);
	if (ret)
		goto out_free;

	ret = vfio_pin_pages(&st->vdev, pin.iova, pin.npage,
			     IOMMU_READ | IOMMU_WRITE, pages);
	mutex_lock(&st->lock);
	if (ret >= 0) {
		st->pins[st->npins].iova = pin.iova;
		st->pins[st->npins].npage = pin.npage;
		st->npins++;
		ret = 0;
	}
	st->pinning--;
	mutex_unlock(&st->lock);
	wake_up_all(&st->pinned);
out_free:
	kfree(pages);
	return ret;
}

static int vfio_st_dma_rw(struct vfio_st_device *st, void __user *uarg)
{
	struct vfio_selftest_rw rw;
	void __user *ubuf;
	void *buf;
	int ret;

	if (copy_from_user(&rw, uarg, sizeof(rw)))
		return -EFAULT;
	if (!rw.len || rw.len > PAGE_SIZE || rw.write > 1)
		return -EINVAL;
	ubuf = u64_to_user_ptr(rw.uptr);
	buf = kmalloc(rw.len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (rw.write && copy_from_user(buf, ubuf, rw.len)) {
		ret = -EFAULT;
		goto out_free;
	}
	ret = vfio_dma_rw(&st->vdev, rw.iova, buf, rw.len, rw.write);
	if (!ret && !rw.write && copy_to_user(ubuf, buf, rw.len))
		ret = -EFAULT;
out_free:
	kfree(buf);
	return ret;
}

/* ---- VFIO device callbacks ------------------------------------------------ */

static int vfio_st_init(struct vfio_device *vdev)
{
	struct vfio_st_device *st = to_st(vdev);
	int ret;

	lockdep_assert_held(&vfio_st_lock);
	ret = vfio_assign_device_set(vdev, &vfio_st_sets[vfio_st_next_set]);
	if (ret)
		return ret;
	/* a failure after the set is assigned: the core must undo it */
	if (vfio_st_next_fails)
		return -VFIO_SELFTEST_INIT_ERR;
	mutex_init(&st->lock);
	init_waitqueue_head(&st->pinned);
	return 0;
}

static void vfio_st_release(struct vfio_device *vdev)
{
	mutex_destroy(&to_st(vdev)->lock);
}

static void vfio_st_close_device(struct vfio_device *vdev)
{
	struct vfio_st_device *st = to_st(vdev);
	bool keep;

	/*
	 * Only an iommufd access tells the driver to unpin after the close;
	 * a container would not, and its unmap would wait for the pages.
	 */
	mutex_lock(&st->lock);
	keep = st->keep_pins && vdev->iommufd_access;
	st->keep_pins = false;
	mutex_unlock(&st->lock);
	if (!keep)
		vfio_st_unpin_range(st, 0, VFIO_ST_IOVA_MAX);
}

static void vfio_st_dma_unmap(struct vfio_device *vdev, u64 iova, u64 length)
{
	struct vfio_st_device *st = to_st(vdev);
	u64 last;

	if (check_add_overflow(iova, length - 1, &last))
		last = U64_MAX;
	vfio_st_unpin_range(st, iova, min_t(u64, last, VFIO_ST_IOVA_MAX));
}

static long vfio_st_get_info(void __user *uarg)
{
	const size_t min = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, uarg, min))
		return -EFAULT;
	if (info.argsz < min)
		return -EINVAL;
	info.flags = VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = 0;
	info.num_irqs = 0;
	return copy_to_user(uarg, &info, min) ? -EFAULT : 0;
}

static long vfio_st_ioctl(struct vfio_device *vdev, unsigned int cmd,
			  unsigned long arg)
{
	struct vfio_st_device *st = to_st(vdev);
	void __user *uarg = (void __user *)arg;
	long ret = 0;

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return vfio_st_get_info(uarg);
	case VFIO_DEVICE_RESET:
		return 0;
	case VFIO_SELFTEST_PIN:
		return vfio_st_pin(st, uarg);
	case VFIO_SELFTEST_DMA_RW:
		return vfio_st_dma_rw(st, uarg);
	case VFIO_SELFTEST_UNPIN_ALL:
		return vfio_st_unpin_range(st, 0, VFIO_ST_IOVA_MAX);
	case VFIO_SELFTEST_PINNED:
	case VFIO_SELFTEST_KEEP_PINS:
		mutex_lock(&st->lock);
		if (cmd == VFIO_SELFTEST_PINNED)
			ret = vfio_st_pinned(st);
		else if (arg > 1)
			ret = -EINVAL;
		else
			st->keep_pins = arg;
		mutex_unlock(&st->lock);
		return ret;
	default:
		return -ENOTTY;
	}
}

static const struct vfio_device_ops vfio_st_ops = {
	.name		= "vfio-selftest",
	.init		= vfio_st_init,
	.release	= vfio_st_release,
	.bind_iommufd	= vfio_iommufd_emulated_bind,
	.unbind_iommufd	= vfio_iommufd_emulated_unbind,
	.attach_ioas	= vfio_iommufd_emulated_attach_ioas,
	.detach_ioas	= vfio_iommufd_emulated_detach_ioas,
	.close_device	= vfio_st_close_device,
	.ioctl		= vfio_st_ioctl,
	.dma_unmap	= vfio_st_dma_unmap,
};

/* ---- Creation and removal ------------------------------------------------- */

/*
 * The parent of a test device, what it exposes: a platform device "stK"
 * bound to this module's driver, as the core expects of a device it opens
 * (it holds the driver's module while the device is open).
 */
static int vfio_st_probe(struct platform_device *pdev)
{
	return 0;
}

static struct platform_driver vfio_st_driver = {
	.driver.name	= "vfio-selftest",
	.probe		= vfio_st_probe,
};

static struct device *vfio_st_parent_add(void)
{
	struct platform_device *pdev;
	char name[16];
	int id, ret;

	id = ida_alloc(&vfio_st_ids, GFP_KERNEL);
	if (id < 0)
		return ERR_PTR(id);
	snprintf(name, sizeof(name), "st%d", id);
	pdev = platform_device_alloc(name, PLATFORM_DEVID_NONE);
	if (!pdev) {
		ret = -ENOMEM;
		goto err_free_id;
	}
	pdev->dev.parent = vfio_st_root;
	/*
	 * Named here, where a failed allocation is -ENOMEM: the name that
	 * platform_device_add() sets is not checked, and a device it left
	 * without one fails device_add() with -EINVAL.  Its failed renaming
	 * keeps this one.
	 */
	ret = dev_set_name(&pdev->dev, "%s", name);
	if (ret)
		goto err_put;
	ret = device_set_driver_override(&pdev->dev, vfio_st_driver.driver.name);
	if (ret)
		goto err_put;
	ret = platform_device_add(pdev);
	if (ret)
		goto err_put;
	if (!pdev->dev.driver) {
		platform_device_unregister(pdev);
		ret = -ENODEV;
		goto err_free_id;
	}
	return &pdev->dev;

err_put:
	platform_device_put(pdev);
err_free_id:
	ida_free(&vfio_st_ids, id);
	return ERR_PTR(ret);
}

static void vfio_st_parent_del(struct device *parent)
{
	int id;

	if (WARN_ON(kstrtoint(dev_name(parent) + 2, 10, &id)))
		id = -1;
	platform_device_unregister(to_platform_device(parent));
	if (id >= 0)
		ida_free(&vfio_st_ids, id);
}

static int vfio_st_create(unsigned int set, bool fail)
{
	struct vfio_st_device *st;
	struct device *parent;
	int ret;

	lockdep_assert_held(&vfio_st_lock);
	parent = vfio_st_parent_add();
	if (IS_ERR(parent))
		return PTR_ERR(parent);
	vfio_st_next_set = set;
	vfio_st_next_fails = fail;
	st = vfio_alloc_device(vfio_st_device, vdev, parent, &vfio_st_ops);
	if (IS_ERR(st)) {
		ret = PTR_ERR(st);
		goto err_parent;
	}
	ret = vfio_register_emulated_iommu_dev(&st->vdev);
	if (ret)
		goto err_put;
	list_add_tail(&st->node, &vfio_st_devices);
	return 0;

err_put:
	vfio_put_device(&st->vdev);
err_parent:
	vfio_st_parent_del(parent);
	return ret;
}

static void vfio_st_remove(struct vfio_st_device *st)
{
	struct device *parent = st->vdev.dev;

	lockdep_assert_held(&vfio_st_lock);
	list_del(&st->node);
	vfio_unregister_group_dev(&st->vdev);
	vfio_put_device(&st->vdev);
	vfio_st_parent_del(parent);
}

static ssize_t create_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	bool fail = false;
	unsigned int set;
	int ret;

	if (!strncmp(buf, "fail ", 5)) {
		fail = true;
		buf += 5;
	}
	ret = kstrtouint(buf, 0, &set);
	if (ret)
		return ret;
	if (set >= VFIO_SELFTEST_SETS)
		return -EINVAL;
	mutex_lock(&vfio_st_lock);
	ret = vfio_st_create(set, fail);
	mutex_unlock(&vfio_st_lock);
	return ret ?: count;
}
static DEVICE_ATTR_WO(create);

static ssize_t remove_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	struct vfio_st_device *st, *next;
	bool all = sysfs_streq(buf, "all");
	int ret = -ENODEV;

	mutex_lock(&vfio_st_lock);
	list_for_each_entry_safe(st, next, &vfio_st_devices, node) {
		if (all || sysfs_streq(buf, dev_name(st->vdev.dev))) {
			vfio_st_remove(st);
			ret = 0;
		}
	}
	mutex_unlock(&vfio_st_lock);
	return all || !ret ? count : ret;
}
static DEVICE_ATTR_WO(remove);

static struct attribute *vfio_st_attrs[] = {
	&dev_attr_create.attr,
	&dev_attr_remove.attr,
	NULL
};
ATTRIBUTE_GROUPS(vfio_st);

static int __init vfio_st_init_module(void)
{
	int ret;

	ret = platform_driver_register(&vfio_st_driver);
	if (ret)
		return ret;
	vfio_st_root = root_device_register("vfio-selftest");
	if (IS_ERR(vfio_st_root)) {
		platform_driver_unregister(&vfio_st_driver);
		return PTR_ERR(vfio_st_root);
	}
	ret = sysfs_create_groups(&vfio_st_root->kobj, vfio_st_groups);
	if (ret) {
		root_device_unregister(vfio_st_root);
		platform_driver_unregister(&vfio_st_driver);
	}
	return ret;
}

static void __exit vfio_st_exit_module(void)
{
	struct vfio_st_device *st, *next;

	sysfs_remove_groups(&vfio_st_root->kobj, vfio_st_groups);
	mutex_lock(&vfio_st_lock);
	list_for_each_entry_safe(st, next, &vfio_st_devices, node)
		vfio_st_remove(st);
	mutex_unlock(&vfio_st_lock);
	root_device_unregister(vfio_st_root);
	platform_driver_unregister(&vfio_st_driver);
	ida_destroy(&vfio_st_ids);
}

module_init(vfio_st_init_module);
module_exit(vfio_st_exit_module);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VFIO test driver for the VFIO selftests");
