// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit benchmark: registering many VFIO devices.
 *
 * Registration must not get slower as devices are added: device numbers
 * come from an IDA, device sets and legacy groups are found in xarrays,
 * and nothing walks the devices already registered.  This registers
 * VFIO_BENCH_DEVICES emulated devices (each with its cdev, and its own
 * group when the legacy layer is built) in batches and reports the mean
 * time of a registration in every batch, then of an unregistration, so
 * that a run shows whether the last batch costs more than the first.
 *
 * It reports numbers; it fails only if a registration fails.  vmtest.sh
 * prints its lines ("vfio-bench: ...") with the results of a run.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/ktime.h>
#include <linux/vfio.h>

#define VFIO_BENCH_DEVICES	2048
#define VFIO_BENCH_BATCH	256

struct vfio_bench_device {
	struct vfio_device vdev;
};

static const struct vfio_device_ops vfio_bench_ops = {
	.name			= "vfio-bench",
	.bind_iommufd		= vfio_iommufd_emulated_bind,
	.unbind_iommufd		= vfio_iommufd_emulated_unbind,
	.attach_ioas		= vfio_iommufd_emulated_attach_ioas,
	.detach_ioas		= vfio_iommufd_emulated_detach_ioas,
};

/* Mean nanoseconds per device of one batch, from @start. */
static u64 vfio_bench_mean(u64 start)
{
	return div_u64(ktime_get_ns() - start, VFIO_BENCH_BATCH);
}

static void vfio_bench_registration(struct kunit *test)
{
	const unsigned int batches = VFIO_BENCH_DEVICES / VFIO_BENCH_BATCH;
	struct vfio_bench_device **devs;
	unsigned int i, b, registered = 0;
	u64 start, *reg_ns, *unreg_ns;
	struct device *parent;
	char name[32];

	devs = kunit_kcalloc(test, VFIO_BENCH_DEVICES, sizeof(*devs), GFP_KERNEL);
	reg_ns = kunit_kcalloc(test, batches, sizeof(*reg_ns), GFP_KERNEL);
	unreg_ns = kunit_kcalloc(test, batches, sizeof(*unreg_ns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, devs);
	KUNIT_ASSERT_NOT_NULL(test, reg_ns);
	KUNIT_ASSERT_NOT_NULL(test, unreg_ns);

	for (i = 0; i < VFIO_BENCH_DEVICES; i++) {
		snprintf(name, sizeof(name), "vfio-bench%u", i);
		parent = kunit_device_register(test, name);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, parent);
		devs[i] = vfio_alloc_device(vfio_bench_device, vdev, parent,
					    &vfio_bench_ops);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, devs[i]);
	}

	/* register batch by batch; stop at the first failure */
	for (b = 0; b < batches && registered == b * VFIO_BENCH_BATCH; b++) {
		start = ktime_get_ns();
		for (i = 0; i < VFIO_BENCH_BATCH; i++) {
			if (vfio_register_emulated_iommu_dev(&devs[registered]->vdev))
				break;
			registered++;
		}
		reg_ns[b] = vfio_bench_mean(start);
	}
	KUNIT_EXPECT_EQ(test, registered, VFIO_BENCH_DEVICES);

	/* unregister in the same order, so the set shrinks from the front */
	for (b = 0; b < batches; b++) {
		start = ktime_get_ns();
		for (i = b * VFIO_BENCH_BATCH; i < (b + 1) * VFIO_BENCH_BATCH; i++) {
			if (i < registered)
				vfio_unregister_group_dev(&devs[i]->vdev);
		}
		unreg_ns[b] = vfio_bench_mean(start);
	}
	for (i = 0; i < VFIO_BENCH_DEVICES; i++)
		vfio_put_device(&devs[i]->vdev);

	for (b = 0; registered == VFIO_BENCH_DEVICES && b < batches; b++)
		kunit_info(test,
			   "vfio-bench: devices %5u-%5u: register %6llu us, unregister %6llu us per device\n",
			   b * VFIO_BENCH_BATCH, (b + 1) * VFIO_BENCH_BATCH - 1,
			   div_u64(reg_ns[b], NSEC_PER_USEC),
			   div_u64(unreg_ns[b], NSEC_PER_USEC));
}

static struct kunit_case vfio_bench_cases[] = {
	KUNIT_CASE_SLOW(vfio_bench_registration),
	{}
};

static struct kunit_suite vfio_bench_suite = {
	.name = "vfio_registration",
	.test_cases = vfio_bench_cases,
};

kunit_test_suite(vfio_bench_suite);
