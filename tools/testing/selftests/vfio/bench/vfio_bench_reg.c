// SPDX-License-Identifier: GPL-2.0-only
/*
 * Registration at scale: an out-of-tree module that registers many emulated
 * VFIO devices through the public driver API only, so that one source builds
 * against any 6.12 VFIO core (this tree's and the pristine one) and measures
 * both the same way.
 *
 * Userspace drives it through its parameters, one step at a time, and reads
 * the memory counters between the steps:
 *
 *   parents=N   create N bare parent devices (one per VFIO device: an
 *               emulated device joins an IOMMU group of its own); 0 removes
 *               them
 *   devices=N   allocate and register N VFIO devices on those parents;
 *               register_ns is the time the N registrations took; 0
 *               unregisters them (unregister_ns) and frees them
 *   glue=1      add two devices of a class of the module's own under each
 *               parent, all the first ones, then all the second ones: each
 *               second one finds its parent's glue directory
 *               (parent/vfio-bench-glue/), which the series' driver-core
 *               patch looks up by name once the class has many; 0 removes
 *               them.  VFIO devices cannot share a parent (an emulated
 *               device's parent joins an IOMMU group of its own).
 *
 * It is not a test of the core's behaviour: vfio_bench (its user) fails only
 * when a step fails.
 */
#include <linux/device.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/vfio.h>

#define BENCH_MAX_DEVICES	65536

struct bench_vdev {
	struct vfio_device vdev;
};

static const struct vfio_device_ops bench_ops = {
	.name		= "vfio-bench-reg",
	.bind_iommufd	= vfio_iommufd_emulated_bind,
	.unbind_iommufd	= vfio_iommufd_emulated_unbind,
	.attach_ioas	= vfio_iommufd_emulated_attach_ioas,
	.detach_ioas	= vfio_iommufd_emulated_detach_ioas,
};

static DEFINE_MUTEX(bench_lock);
static struct device *bench_root;
static struct device **bench_parents;
static struct bench_vdev **bench_vdevs;
static unsigned int nr_parents, nr_devices;
static struct device **bench_glue;
static unsigned int nr_glue;
static const struct class bench_glue_class = { .name = "vfio-bench-glue" };
static unsigned long long register_ns, unregister_ns, parents_ns;

static void bench_parent_release(struct device *dev)
{
	kfree(dev);
}

static void bench_parents_remove(void)
{
	while (nr_parents)
		device_unregister(bench_parents[--nr_parents]);
	kvfree(bench_parents);
	bench_parents = NULL;
}

static int bench_parents_add(unsigned int n)
{
	struct device *dev;
	u64 start;
	int ret;

	bench_parents = kvcalloc(n, sizeof(*bench_parents), GFP_KERNEL);
	if (!bench_parents)
		return -ENOMEM;
	start = ktime_get_ns();
	while (nr_parents < n) {
		dev = kzalloc(sizeof(*dev), GFP_KERNEL);
		if (!dev) {
			ret = -ENOMEM;
			goto err;
		}
		device_initialize(dev);
		dev->parent = bench_root;
		dev->release = bench_parent_release;
		ret = dev_set_name(dev, "bench%u", nr_parents);
		if (!ret)
			ret = device_add(dev);
		if (ret) {
			put_device(dev);
			goto err;
		}
		bench_parents[nr_parents++] = dev;
	}
	parents_ns = ktime_get_ns() - start;
	return 0;
err:
	bench_parents_remove();
	return ret;
}

static void bench_devices_remove(void)
{
	unsigned int i;
	u64 start;

	start = ktime_get_ns();
	for (i = 0; i < nr_devices; i++)
		vfio_unregister_group_dev(&bench_vdevs[i]->vdev);
	unregister_ns = ktime_get_ns() - start;
	for (i = 0; i < nr_devices; i++)
		vfio_put_device(&bench_vdevs[i]->vdev);
	nr_devices = 0;
	kvfree(bench_vdevs);
	bench_vdevs = NULL;
}

static int bench_devices_add(unsigned int n)
{
	unsigned int i, allocated;
	int ret = 0;
	u64 start;

	if (n > nr_parents)
		return -EINVAL;
	bench_vdevs = kvcalloc(n, sizeof(*bench_vdevs), GFP_KERNEL);
	if (!bench_vdevs)
		return -ENOMEM;
	for (allocated = 0; allocated < n; allocated++) {
		bench_vdevs[allocated] = vfio_alloc_device(bench_vdev, vdev,
							   bench_parents[allocated],
							   &bench_ops);
		if (IS_ERR(bench_vdevs[allocated])) {
			ret = PTR_ERR(bench_vdevs[allocated]);
			goto err_put;
		}
	}
	start = ktime_get_ns();
	for (; nr_devices < n; nr_devices++) {
		ret = vfio_register_emulated_iommu_dev(&bench_vdevs[nr_devices]->vdev);
		if (ret)
			break;
	}
	register_ns = ktime_get_ns() - start;
	if (!ret)
		return 0;
	for (i = 0; i < nr_devices; i++)
		vfio_unregister_group_dev(&bench_vdevs[i]->vdev);
	nr_devices = 0;
err_put:
	for (i = 0; i < allocated; i++)
		vfio_put_device(&bench_vdevs[i]->vdev);
	kvfree(bench_vdevs);
	bench_vdevs = NULL;
	return ret;
}

static void bench_glue_remove(void)
{
	while (nr_glue)
		device_unregister(bench_glue[--nr_glue]);
	kvfree(bench_glue);
	bench_glue = NULL;
}

static int bench_glue_add(void)
{
	struct device *dev;

	if (!nr_parents)
		return -EINVAL;
	bench_glue = kvcalloc(2 * nr_parents, sizeof(*bench_glue), GFP_KERNEL);
	if (!bench_glue)
		return -ENOMEM;
	while (nr_glue < 2 * nr_parents) {
		dev = device_create(&bench_glue_class,
				    bench_parents[nr_glue % nr_parents], 0, NULL,
				    "glue%u", nr_glue);
		if (IS_ERR(dev)) {
			bench_glue_remove();
			return PTR_ERR(dev);
		}
		bench_glue[nr_glue++] = dev;
	}
	return 0;
}

static int bench_glue_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int ret;

	ret = kstrtobool(val, &on);
	if (ret)
		return ret;
	mutex_lock(&bench_lock);
	if (!on)
		bench_glue_remove();
	else
		ret = nr_glue ? -EBUSY : bench_glue_add();
	mutex_unlock(&bench_lock);
	return ret;
}

static int bench_glue_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%u\n", nr_glue);
}

static const struct kernel_param_ops bench_glue_ops = {
	.set = bench_glue_set,
	.get = bench_glue_get,
};

/* parents=N and devices=N: each grows from 0 or shrinks to 0 */
static int bench_set(const char *val, const struct kernel_param *kp)
{
	bool devices = kp->arg == &nr_devices;
	unsigned int n;
	int ret;

	ret = kstrtouint(val, 0, &n);
	if (ret)
		return ret;
	if (n > BENCH_MAX_DEVICES)
		return -E2BIG;
	mutex_lock(&bench_lock);
	if (devices && !n) {
		bench_devices_remove();
	} else if (!n) {
		ret = nr_devices || nr_glue ? -EBUSY : 0;
		if (!ret)
			bench_parents_remove();
	} else if (devices) {
		ret = nr_devices ? -EBUSY : bench_devices_add(n);
	} else {
		ret = nr_parents ? -EBUSY : bench_parents_add(n);
	}
	mutex_unlock(&bench_lock);
	return ret;
}

static const struct kernel_param_ops bench_count_ops = {
	.set = bench_set,
	.get = param_get_uint,
};

module_param_cb(parents, &bench_count_ops, &nr_parents, 0600);
MODULE_PARM_DESC(parents, "bare parent devices (write N, then 0)");
module_param_cb(devices, &bench_count_ops, &nr_devices, 0600);
MODULE_PARM_DESC(devices, "registered VFIO devices (write N, then 0)");
module_param_cb(glue, &bench_glue_ops, NULL, 0600);
MODULE_PARM_DESC(glue, "two class devices under each parent (write 1, then 0)");
module_param(register_ns, ullong, 0400);
MODULE_PARM_DESC(register_ns, "nanoseconds the last N registrations took");
module_param(unregister_ns, ullong, 0400);
MODULE_PARM_DESC(unregister_ns, "nanoseconds the last N unregistrations took");
module_param(parents_ns, ullong, 0400);
MODULE_PARM_DESC(parents_ns, "nanoseconds the last N parents took to add (the driver core alone)");

static int __init bench_init(void)
{
	int ret;

	ret = class_register(&bench_glue_class);
	if (ret)
		return ret;
	bench_root = root_device_register("vfio-bench-reg");
	if (IS_ERR(bench_root)) {
		class_unregister(&bench_glue_class);
		return PTR_ERR(bench_root);
	}
	return 0;
}

static void __exit bench_exit(void)
{
	mutex_lock(&bench_lock);
	bench_devices_remove();
	bench_glue_remove();
	bench_parents_remove();
	mutex_unlock(&bench_lock);
	root_device_unregister(bench_root);
	class_unregister(&bench_glue_class);
}

module_init(bench_init);
module_exit(bench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Registration of many emulated VFIO devices, timed");
