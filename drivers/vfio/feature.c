// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO core: VFIO_DEVICE_FEATURE.
 *
 * The core implements the migration and DMA logging features on top of
 * the driver's mig_ops and log_ops; every other feature goes to the
 * driver's device_feature callback.  The header's size and flags are
 * checked by the device file's ioctl table before any of this runs.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/interval_tree.h>
#include <linux/iova_bitmap.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vfio.h"

static int vfio_feature_migration(struct vfio_device *device, u32 flags,
				  void __user *arg, size_t argsz)
{
	struct vfio_device_feature_migration mig = {
		.flags = device->migration_flags,
	};

	return copy_to_user(arg, &mig, sizeof(mig)) ? -EFAULT : 0;
}

static int vfio_feature_mig_data_size(struct vfio_device *device, u32 flags,
				      void __user *arg, size_t argsz)
{
	struct vfio_device_feature_mig_data_size size = {};
	unsigned long length;
	int ret;

	ret = device->mig_ops->migration_get_data_size(device, &length);
	if (ret)
		return ret;
	size.stop_copy_length = length;
	return copy_to_user(arg, &size, sizeof(size)) ? -EFAULT : 0;
}

/* Give userspace the data stream of a new migration state. */
static int vfio_mig_install_stream(struct file *stream,
				   struct vfio_device_feature_mig_state __user *arg,
				   struct vfio_device_feature_mig_state *state)
{
	int fd = get_unused_fd_flags(O_CLOEXEC);

	if (fd < 0) {
		fput(stream);
		return fd;
	}
	state->data_fd = fd;
	if (copy_to_user(arg, state, sizeof(*state))) {
		put_unused_fd(fd);
		fput(stream);
		return -EFAULT;
	}
	fd_install(fd, stream);
	return 0;
}

static int vfio_feature_mig_state(struct vfio_device *device, u32 flags,
				  void __user *arg, size_t argsz)
{
	struct vfio_device_feature_mig_state state = { .data_fd = -1 };
	enum vfio_device_mig_state cur;
	struct file *stream;
	int ret;

	if (flags & VFIO_DEVICE_FEATURE_GET) {
		ret = device->mig_ops->migration_get_state(device, &cur);
		if (ret)
			return ret;
		state.device_state = cur;
		return copy_to_user(arg, &state, sizeof(state)) ? -EFAULT : 0;
	}

	if (copy_from_user(&state, arg, sizeof(state)))
		return -EFAULT;
	stream = device->mig_ops->migration_set_state(device, state.device_state);
	if (stream && !IS_ERR(stream))
		return vfio_mig_install_stream(stream, arg, &state);
	/* no stream: the user reads -1, also when the transition failed */
	state.data_fd = -1;
	if (copy_to_user(arg, &state, sizeof(state)))
		return -EFAULT;
	return PTR_ERR_OR_ZERO(stream);
}

#define VFIO_LOG_MAX_RANGES \
	(PAGE_SIZE / sizeof(struct vfio_device_feature_dma_logging_range))

/*
 * Read the ranges to track into an interval tree, refusing misaligned,
 * overflowing or overlapping ones.  On error the nodes are freed.
 */
static int vfio_log_ranges_read(struct vfio_device_feature_dma_logging_control *ctl,
				struct interval_tree_node *nodes,
				struct rb_root_cached *root)
{
	struct vfio_device_feature_dma_logging_range __user *uranges;
	struct vfio_device_feature_dma_logging_range range;
	u64 end;
	u32 i;

	uranges = u64_to_user_ptr(ctl->ranges);
	for (i = 0; i < ctl->num_ranges; i++) {
		if (copy_from_user(&range, &uranges[i], sizeof(range)))
			return -EFAULT;
		if (!IS_ALIGNED(range.iova, ctl->page_size) ||
		    !IS_ALIGNED(range.length, ctl->page_size))
			return -EINVAL;
		if (check_add_overflow(range.iova, range.length, &end) ||
		    end > ULONG_MAX)
			return -EOVERFLOW;
		nodes[i].start = range.iova;
		nodes[i].last = end - 1;
		if (interval_tree_iter_first(root, nodes[i].start, nodes[i].last))
			return -EINVAL;
		interval_tree_insert(&nodes[i], root);
	}
	return 0;
}

static int vfio_feature_log_start(struct vfio_device *device, u32 flags,
				  void __user *arg, size_t argsz)
{
	struct vfio_device_feature_dma_logging_control ctl;
	struct rb_root_cached root = RB_ROOT_CACHED;
	struct interval_tree_node *nodes;
	int ret;

	if (copy_from_user(&ctl, arg, sizeof(ctl)))
		return -EFAULT;
	if (!ctl.num_ranges)
		return -EINVAL;
	if (ctl.num_ranges > VFIO_LOG_MAX_RANGES)
		return -E2BIG;

	nodes = kmalloc_array(ctl.num_ranges, sizeof(*nodes), GFP_KERNEL);
	if (!nodes)
		return -ENOMEM;
	ret = vfio_log_ranges_read(&ctl, nodes, &root);
	if (ret)
		goto out_free;
	ret = device->log_ops->log_start(device, &root, ctl.num_ranges, &ctl.page_size);
	if (ret)
		goto out_free;
	/* the driver may have rounded the page size up */
	if (copy_to_user(arg, &ctl, sizeof(ctl))) {
		device->log_ops->log_stop(device);
		ret = -EFAULT;
	}
out_free:
	kfree(nodes);
	return ret;
}

static int vfio_feature_log_stop(struct vfio_device *device, u32 flags,
				 void __user *arg, size_t argsz)
{
	return device->log_ops->log_stop(device);
}

static int vfio_log_read_chunk(struct iova_bitmap *bitmap, unsigned long iova,
			       size_t length, void *opaque)
{
	struct vfio_device *device = opaque;

	return device->log_ops->log_read_and_clear(device, iova, length, bitmap);
}

static int vfio_feature_log_report(struct vfio_device *device, u32 flags,
				   void __user *arg, size_t argsz)
{
	struct vfio_device_feature_dma_logging_report report;
	struct iova_bitmap *bitmap;
	u64 end;
	int ret;

	if (copy_from_user(&report, arg, sizeof(report)))
		return -EFAULT;
	if (report.page_size < SZ_4K || !is_power_of_2(report.page_size))
		return -EINVAL;
	if (check_add_overflow(report.iova, report.length, &end) || end > ULONG_MAX)
		return -EOVERFLOW;

	bitmap = iova_bitmap_alloc(report.iova, report.length, report.page_size,
				   u64_to_user_ptr(report.bitmap));
	if (IS_ERR(bitmap))
		return PTR_ERR(bitmap);
	ret = iova_bitmap_for_each(bitmap, device, vfio_log_read_chunk);
	iova_bitmap_free(bitmap);
	return ret;
}

typedef int (*vfio_feature_fn)(struct vfio_device *device, u32 flags,
			       void __user *arg, size_t argsz);

/* What a feature needs from the device */
enum { VFIO_FEATURE_MIG = 1, VFIO_FEATURE_LOG };

/*
 * The features the core implements; the driver gets all the others.  The
 * dispatcher checks, for every one, that the device has the callbacks it
 * needs, that the call asks only for the supported GET/SET, and that the
 * data is large enough; a probe ends there.  The handlers do the rest.
 */
static const struct {
	vfio_feature_fn fn;
	u8 needs;
	u32 ops;
	size_t size;
} vfio_core_features[] = {
	[VFIO_DEVICE_FEATURE_MIGRATION] = {
		vfio_feature_migration, VFIO_FEATURE_MIG, VFIO_DEVICE_FEATURE_GET,
		sizeof(struct vfio_device_feature_migration) },
	[VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE] = {
		vfio_feature_mig_state, VFIO_FEATURE_MIG,
		VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET,
		sizeof(struct vfio_device_feature_mig_state) },
	[VFIO_DEVICE_FEATURE_DMA_LOGGING_START] = {
		vfio_feature_log_start, VFIO_FEATURE_LOG, VFIO_DEVICE_FEATURE_SET,
		sizeof(struct vfio_device_feature_dma_logging_control) },
	[VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP] = {
		vfio_feature_log_stop, VFIO_FEATURE_LOG, VFIO_DEVICE_FEATURE_SET, 0 },
	[VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT] = {
		vfio_feature_log_report, VFIO_FEATURE_LOG, VFIO_DEVICE_FEATURE_GET,
		sizeof(struct vfio_device_feature_dma_logging_report) },
	[VFIO_DEVICE_FEATURE_MIG_DATA_SIZE] = {
		vfio_feature_mig_data_size, VFIO_FEATURE_MIG, VFIO_DEVICE_FEATURE_GET,
		sizeof(struct vfio_device_feature_mig_data_size) },
};

/* The indexes vfio_core_features[] has, as a mask: a test without a load */
#define VFIO_CORE_FEATURES						\
	(BIT(VFIO_DEVICE_FEATURE_MIGRATION) |				\
	 BIT(VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE) |			\
	 BIT(VFIO_DEVICE_FEATURE_DMA_LOGGING_START) |			\
	 BIT(VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP) |			\
	 BIT(VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT) |			\
	 BIT(VFIO_DEVICE_FEATURE_MIG_DATA_SIZE))
static_assert(VFIO_CORE_FEATURES >> ARRAY_SIZE(vfio_core_features) == 0);

static int vfio_core_feature(struct vfio_device *device, u32 index, u32 flags,
			     void __user *arg, size_t argsz)
{
	bool has = vfio_core_features[index].needs == VFIO_FEATURE_MIG ?
		   !!device->mig_ops : !!device->log_ops;
	int ret;

	if (!has)
		return -ENOTTY;
	ret = vfio_check_feature(flags, argsz, vfio_core_features[index].ops,
				 vfio_core_features[index].size);
	if (ret != 1)
		return ret;
	return vfio_core_features[index].fn(device, flags, arg, argsz);
}

/**
 * vfio_device_feature - VFIO_DEVICE_FEATURE, from the device file's table
 * @data: the device file
 * @karg: the header, argsz and flags checked
 * @uarg: the user's argument
 *
 * Return: 0 or a positive value from the feature, or a negative errno.
 */
long vfio_device_feature(void *data, void *karg, void __user *uarg)
{
	const size_t hdr = offsetofend(struct vfio_device_feature, flags);
	const u32 ops = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET;
	struct vfio_device_feature __user *ufeature = uarg;
	struct vfio_device_feature *feature = karg;
	struct vfio_device_file *df = data;
	struct vfio_device *device = df->device;
	u32 index;

	/* GET and SET at once only make sense as a question */
	if ((feature->flags & ops) == ops && !(feature->flags & VFIO_DEVICE_FEATURE_PROBE))
		return -EINVAL;

	index = feature->flags & VFIO_DEVICE_FEATURE_MASK;
	if (index < ARRAY_SIZE(vfio_core_features) && (VFIO_CORE_FEATURES & BIT(index)))
		return vfio_core_feature(device, index, feature->flags,
					 ufeature->data, feature->argsz - hdr);
	if (!device->ops->device_feature)
		return -ENOTTY;
	return device->ops->device_feature(device, feature->flags, ufeature->data,
					   feature->argsz - hdr);
}
