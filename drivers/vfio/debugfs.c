// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO core: /sys/kernel/debug/vfio.
 *
 * One directory per registered device, named after the device it exposes
 * (for example 0000:00:04.0).  Drivers may add files to it through
 * vfio_device.debug_root.  For a migratable device the core adds
 * migration/state and migration/features.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/vfio.h>

#include "vfio.h"

static struct dentry *vfio_debugfs_root;

static const char * const vfio_mig_state_names[] = {
	[VFIO_DEVICE_STATE_ERROR] = "ERROR",
	[VFIO_DEVICE_STATE_STOP] = "STOP",
	[VFIO_DEVICE_STATE_RUNNING] = "RUNNING",
	[VFIO_DEVICE_STATE_STOP_COPY] = "STOP_COPY",
	[VFIO_DEVICE_STATE_RESUMING] = "RESUMING",
	[VFIO_DEVICE_STATE_RUNNING_P2P] = "RUNNING_P2P",
	[VFIO_DEVICE_STATE_PRE_COPY] = "PRE_COPY",
	[VFIO_DEVICE_STATE_PRE_COPY_P2P] = "PRE_COPY_P2P",
};

/* The seq files are created on the vfio_device's class device. */
static struct vfio_device *vfio_debugfs_device(struct seq_file *seq)
{
	return container_of((struct device *)seq->private, struct vfio_device, device);
}

static int vfio_debugfs_state_show(struct seq_file *seq, void *unused)
{
	struct vfio_device *device = vfio_debugfs_device(seq);
	enum vfio_device_mig_state state;
	int ret;

	ret = device->mig_ops->migration_get_state(device, &state);
	if (ret)
		return -EINVAL;
	if (state < ARRAY_SIZE(vfio_mig_state_names))
		seq_printf(seq, "%s\n", vfio_mig_state_names[state]);
	else
		seq_puts(seq, "Invalid\n");
	return 0;
}

static int vfio_debugfs_features_show(struct seq_file *seq, void *unused)
{
	struct vfio_device *device = vfio_debugfs_device(seq);

	if (device->migration_flags & VFIO_MIGRATION_STOP_COPY)
		seq_puts(seq, "stop-copy\n");
	if (device->migration_flags & VFIO_MIGRATION_P2P)
		seq_puts(seq, "p2p\n");
	if (device->migration_flags & VFIO_MIGRATION_PRE_COPY)
		seq_puts(seq, "pre-copy\n");
	if (device->log_ops)
		seq_puts(seq, "dirty-tracking\n");
	return 0;
}

void vfio_debugfs_add_device(struct vfio_device *device)
{
	struct dentry *mig;

	device->debug_root = debugfs_create_dir(dev_name(device->dev),
						vfio_debugfs_root);
	if (!device->mig_ops)
		return;
	mig = debugfs_create_dir("migration", device->debug_root);
	debugfs_create_devm_seqfile(&device->device, "state", mig,
				    vfio_debugfs_state_show);
	debugfs_create_devm_seqfile(&device->device, "features", mig,
				    vfio_debugfs_features_show);
}

void vfio_debugfs_remove_device(struct vfio_device *device)
{
	debugfs_remove_recursive(device->debug_root);
	device->debug_root = NULL;
}

void vfio_debugfs_init(void)
{
	vfio_debugfs_root = debugfs_create_dir("vfio", NULL);
}

void vfio_debugfs_exit(void)
{
	debugfs_remove_recursive(vfio_debugfs_root);
}
