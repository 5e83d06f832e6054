// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO core: services for drivers.
 *
 * Capability chains for the *_INFO ioctls, the common checks of
 * VFIO_DEVICE_SET_IRQS, the migration state machine, merging of DMA
 * logging ranges, DMA for emulated devices, and the KVM reference a
 * device holds while it is open.
 */
#include <linux/interval_tree.h>
#include <linux/iommufd.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vfio.h>
#if IS_ENABLED(CONFIG_KVM)
#endif

#include "vfio.h"

/* ---- Capability chains -------------------------------------------------- */

/* The last header of a non-empty chain; offsets are from the chain start. */
static struct vfio_info_cap_header *vfio_cap_tail(struct vfio_info_cap *caps)
{
	struct vfio_info_cap_header *hdr = caps->buf;

	while (hdr->next)
		hdr = (void *)caps->buf + hdr->next;
	return hdr;
}

/*
 * Append a capability of @size bytes (header included) to the chain and
 * link it from the current tail.  Its payload, after the header, is zeroed.
 * Capabilities are padded to 8 bytes so that the next one is aligned.
 */
static struct vfio_info_cap_header *vfio_cap_append(struct vfio_info_cap *caps,
						    size_t size, u16 id, u16 version)
{
	size_t at = caps->size, len = ALIGN(size, sizeof(u64));
	struct vfio_info_cap_header *hdr;
	void *buf;

	buf = krealloc(caps->buf, at + len, GFP_KERNEL);
	if (!buf) {
		/* the chain is lost with its buffer: start over empty */
		kfree(caps->buf);
		*caps = (struct vfio_info_cap) {};
		return ERR_PTR(-ENOMEM);
	}
	caps->buf = buf;
	if (at)
		vfio_cap_tail(caps)->next = at;
	caps->size = at + len;

	hdr = buf + at;
	memset(hdr, 0, len);
	hdr->id = id;
	hdr->version = version;
	return hdr;
}

/**
 * vfio_info_cap_add - append a capability to a chain
 * @caps: the chain; on failure its buffer is freed and it is left empty
 * @size: the size of the capability, header included
 * @id: its id
 * @version: its version
 *
 * Return: the new, zeroed capability with its header filled in, or
 * ERR_PTR(-ENOMEM).
 */
struct vfio_info_cap_header *vfio_info_cap_add(struct vfio_info_cap *caps,
					       size_t size, u16 id, u16 version)
{
	return vfio_cap_append(caps, size, id, version);
}
EXPORT_SYMBOL_GPL(vfio_info_cap_add);

/**
 * vfio_info_cap_shift - make a chain's offsets relative to where it lands
 * @caps: the chain
 * @offset: where the chain starts in the user's buffer; a multiple of 8
 */
void vfio_info_cap_shift(struct vfio_info_cap *caps, size_t offset)
{
	struct vfio_info_cap_header *hdr = caps->buf;
	u32 next;

	WARN_ON(!IS_ALIGNED(offset, sizeof(u64)));
	/* the tail keeps next == 0: that is how the chain ends */
	for (; hdr->next; hdr = (void *)caps->buf + next) {
		next = hdr->next;
		hdr->next = next + offset;
	}
}
EXPORT_SYMBOL(vfio_info_cap_shift);

/**
 * vfio_info_add_capability - append a ready-made capability to a chain
 * @caps: the chain
 * @cap: the capability, whose header gives its id and version
 * @size: its size, header included
 *
 * Return: 0 or -ENOMEM.
 */
int vfio_info_add_capability(struct vfio_info_cap *caps,
			     struct vfio_info_cap_header *cap, size_t size)
{
	struct vfio_info_cap_header *hdr;

	hdr = vfio_cap_append(caps, size, cap->id, cap->version);
	if (IS_ERR(hdr))
		return PTR_ERR(hdr);
	memcpy(hdr + 1, cap + 1, size - sizeof(*hdr));
	return 0;
}
EXPORT_SYMBOL(vfio_info_add_capability);

/* ---- VFIO_DEVICE_SET_IRQS ----------------------------------------------- */

/**
 * vfio_set_irqs_validate_and_prepare - check a VFIO_DEVICE_SET_IRQS header
 * @hdr: the header, copied from userspace
 * @num_irqs: the vectors the addressed index has
 * @max_irq_type: the number of interrupt indexes the device has
 * @data_size: set to the size of the data that follows the header; may be
 *	NULL only for calls that carry no data
 *
 * Return: 0, or -EINVAL if the header is malformed or out of range.
 */
int vfio_set_irqs_validate_and_prepare(struct vfio_irq_set *hdr, int num_irqs,
				       int max_irq_type, size_t *data_size)
{
	const size_t min = offsetofend(struct vfio_irq_set, count);
	u32 data = hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	size_t elem;

	if (hdr->argsz < min || hdr->index >= max_irq_type)
		return -EINVAL;
	if (hdr->flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK))
		return -EINVAL;
	/* start + count must neither wrap nor run past the index */
	if (hdr->count >= U32_MAX - hdr->start)
		return -EINVAL;
	if (data_size)
		*data_size = 0;
	if (hdr->start >= num_irqs || hdr->start + hdr->count > num_irqs)
		return -EINVAL;

	switch (data) {
	case VFIO_IRQ_SET_DATA_NONE:
		return 0;
	case VFIO_IRQ_SET_DATA_BOOL:
		elem = sizeof(u8);
		break;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		elem = sizeof(s32);
		break;
	default:
		/* none, or more than one, data type */
		return -EINVAL;
	}
	if (!data_size || hdr->argsz - min < hdr->count * elem)
		return -EINVAL;
	*data_size = hdr->count * elem;
	return 0;
}
EXPORT_SYMBOL(vfio_set_irqs_validate_and_prepare);

/* ---- The migration state machine ---------------------------------------- */

#define MIG_STATES	VFIO_DEVICE_STATE_NR

/*
 * The arcs of the state machine (see the description of
 * enum vfio_device_mig_state): the steps a driver implements.  Every other
 * transition is a path of them.
 */
static const struct {
	u8 from, to;
} vfio_mig_arcs[] = {
	{ VFIO_DEVICE_STATE_RUNNING, VFIO_DEVICE_STATE_RUNNING_P2P },
	{ VFIO_DEVICE_STATE_RUNNING, VFIO_DEVICE_STATE_PRE_COPY },
	{ VFIO_DEVICE_STATE_RUNNING_P2P, VFIO_DEVICE_STATE_STOP },
	{ VFIO_DEVICE_STATE_RUNNING_P2P, VFIO_DEVICE_STATE_RUNNING },
	{ VFIO_DEVICE_STATE_RUNNING_P2P, VFIO_DEVICE_STATE_PRE_COPY_P2P },
	{ VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_RUNNING_P2P },
	{ VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_STOP_COPY },
	{ VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_RESUMING },
	{ VFIO_DEVICE_STATE_STOP_COPY, VFIO_DEVICE_STATE_STOP },
	{ VFIO_DEVICE_STATE_RESUMING, VFIO_DEVICE_STATE_STOP },
	{ VFIO_DEVICE_STATE_PRE_COPY, VFIO_DEVICE_STATE_RUNNING },
	{ VFIO_DEVICE_STATE_PRE_COPY, VFIO_DEVICE_STATE_PRE_COPY_P2P },
	{ VFIO_DEVICE_STATE_PRE_COPY_P2P, VFIO_DEVICE_STATE_RUNNING_P2P },
	{ VFIO_DEVICE_STATE_PRE_COPY_P2P, VFIO_DEVICE_STATE_PRE_COPY },
	{ VFIO_DEVICE_STATE_PRE_COPY_P2P, VFIO_DEVICE_STATE_STOP_COPY },
};

/* The migration flags a state needs; 0 if it never exists on its own. */
static u32 vfio_mig_state_needs(unsigned int state)
{
	switch (state) {
	case VFIO_DEVICE_STATE_RUNNING:
	case VFIO_DEVICE_STATE_STOP:
	case VFIO_DEVICE_STATE_STOP_COPY:
	case VFIO_DEVICE_STATE_RESUMING:
		return VFIO_MIGRATION_STOP_COPY;
	case VFIO_DEVICE_STATE_RUNNING_P2P:
		return VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P;
	case VFIO_DEVICE_STATE_PRE_COPY:
		return VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_PRE_COPY;
	case VFIO_DEVICE_STATE_PRE_COPY_P2P:
		return VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P |
		       VFIO_MIGRATION_PRE_COPY;
	default:
		return 0;
	}
}

static bool vfio_mig_state_ok(struct vfio_device *device, unsigned int state)
{
	u32 needs = vfio_mig_state_needs(state);

	return needs && (device->migration_flags & needs) == needs;
}

/*
 * A device without P2P support behaves in a P2P state as in the state's
 * fully running twin, so arcs to and from the P2P states land there.
 */
static unsigned int vfio_mig_state_as(struct vfio_device *device,
				      unsigned int state)
{
	if (vfio_mig_state_ok(device, state))
		return state;
	if (state == VFIO_DEVICE_STATE_RUNNING_P2P)
		return VFIO_DEVICE_STATE_RUNNING;
	if (state == VFIO_DEVICE_STATE_PRE_COPY_P2P &&
	    vfio_mig_state_ok(device, VFIO_DEVICE_STATE_PRE_COPY))
		return VFIO_DEVICE_STATE_PRE_COPY;
	return VFIO_DEVICE_STATE_ERROR;
}

/* PRE_COPY, PRE_COPY_P2P and STOP_COPY share one data stream. */
static bool vfio_mig_saving(unsigned int state)
{
	return state == VFIO_DEVICE_STATE_PRE_COPY ||
	       state == VFIO_DEVICE_STATE_PRE_COPY_P2P ||
	       state == VFIO_DEVICE_STATE_STOP_COPY;
}

/**
 * vfio_mig_get_next_state - the next arc towards a requested state
 * @device: the device, with its migration_flags set
 * @cur_fsm: the state the device is in
 * @new_fsm: the state userspace asked for
 * @next_fsm: set to the state one arc from @cur_fsm on the way to @new_fsm
 *
 * The way is the shortest path over the arcs the device supports on which
 * the data stream of the saving group (PRE_COPY, PRE_COPY_P2P, STOP_COPY)
 * is never ended and started again: a path may enter the group only at
 * its end, and leave it only without coming back.  Among equally short
 * paths, leaving the group comes first (the order of vfio_mig_arcs).
 * STOP_COPY cannot lead back to a PRE_COPY state.  Drivers call this
 * repeatedly, performing each arc, until the device is in @new_fsm.
 *
 * Return: 0, or -EINVAL if @cur_fsm or @new_fsm is not a state of this
 * device, or if @new_fsm cannot be reached from @cur_fsm (then @next_fsm
 * is VFIO_DEVICE_STATE_ERROR).
 */
int vfio_mig_get_next_state(struct vfio_device *device,
			    enum vfio_device_mig_state cur_fsm,
			    enum vfio_device_mig_state new_fsm,
			    enum vfio_device_mig_state *next_fsm)
{
	u8 first[MIG_STATES], queue[MIG_STATES];
	bool saving_all_the_way[MIG_STATES] = {};
	unsigned int head = 0, tail = 0, at, i, from, to;

	if (cur_fsm >= MIG_STATES || !vfio_mig_state_ok(device, cur_fsm) ||
	    new_fsm >= MIG_STATES || !vfio_mig_state_ok(device, new_fsm))
		return -EINVAL;
	*next_fsm = VFIO_DEVICE_STATE_ERROR;
	if (cur_fsm == new_fsm) {
		*next_fsm = new_fsm;
		return 0;
	}
	if (cur_fsm == VFIO_DEVICE_STATE_STOP_COPY &&
	    (new_fsm == VFIO_DEVICE_STATE_PRE_COPY ||
	     new_fsm == VFIO_DEVICE_STATE_PRE_COPY_P2P))
		return -EINVAL;

	/*
	 * Breadth first.  first[s] is the first step of the way to s;
	 * saving_all_the_way[s] says the way to s never left the saving group.
	 */
	memset(first, VFIO_DEVICE_STATE_ERROR, sizeof(first));
	queue[tail++] = cur_fsm;
	first[cur_fsm] = cur_fsm;
	saving_all_the_way[cur_fsm] = vfio_mig_saving(cur_fsm);
	while (head < tail) {
		at = queue[head++];
		if (vfio_mig_saving(at) && !saving_all_the_way[at])
			continue;	/* entered the group: the path must end here */
		for (i = 0; i < ARRAY_SIZE(vfio_mig_arcs); i++) {
			from = vfio_mig_state_as(device, vfio_mig_arcs[i].from);
			to = vfio_mig_state_as(device, vfio_mig_arcs[i].to);
			if (from != at || to == VFIO_DEVICE_STATE_ERROR ||
			    to == from || first[to] != VFIO_DEVICE_STATE_ERROR)
				continue;
			first[to] = at == cur_fsm ? to : first[at];
			saving_all_the_way[to] = saving_all_the_way[at] &&
						 vfio_mig_saving(to);
			if (to == new_fsm) {
				*next_fsm = first[to];
				return 0;
			}
			queue[tail++] = to;
		}
	}
	return -EINVAL;
}
EXPORT_SYMBOL_GPL(vfio_mig_get_next_state);

/* ---- DMA logging ranges -------------------------------------------------- */

/* Merge @b, which follows @a, into @a. */
static void vfio_range_merge(struct rb_root_cached *root,
			     struct interval_tree_node *a,
			     struct interval_tree_node *b)
{
	unsigned long last = b->last;

	interval_tree_remove(b, root);
	interval_tree_remove(a, root);
	a->last = last;
	interval_tree_insert(a, root);
}

/**
 * vfio_combine_iova_ranges - merge ranges until few enough remain
 * @root: the ranges, none overlapping; nodes merged away are removed from
 *	the tree but still belong to the caller
 * @cur_nodes: how many ranges there are
 * @req_nodes: how many there may be
 *
 * Each step merges the two neighbours with the smallest gap between them,
 * so that the merged ranges cover as little extra space as possible.
 */
void vfio_combine_iova_ranges(struct rb_root_cached *root, u32 cur_nodes,
			      u32 req_nodes)
{
	struct interval_tree_node *prev, *node, *best_a, *best_b;
	unsigned long gap, best;

	if (WARN_ON_ONCE(!req_nodes))
		return;
	for (; cur_nodes > req_nodes; cur_nodes--) {
		best = ULONG_MAX;
		best_a = NULL;
		best_b = NULL;
		prev = NULL;
		for (node = interval_tree_iter_first(root, 0, ULONG_MAX); node;
		     node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
			if (prev) {
				gap = node->start - prev->last;
				if (gap < best) {
					best = gap;
					best_a = prev;
					best_b = node;
				}
			}
			prev = node;
		}
		if (WARN_ON_ONCE(!best_a))
			return;
		vfio_range_merge(root, best_a, best_b);
	}
}
EXPORT_SYMBOL_GPL(vfio_combine_iova_ranges);

/* ---- DMA for emulated devices ------------------------------------------- */

/* These are for a driver whose device is open: anything else is a bug. */
static bool vfio_device_open_for_dma(struct vfio_device *device)
{
	return !WARN_ON_ONCE(!vfio_device_is_open(device));
}

/**
 * vfio_pin_pages - pin the pages behind a range of IOVA
 * @device: an open emulated device
 * @iova: start of the range; need not be page aligned
 * @npage: pages to pin, at most VFIO_PIN_PAGES_MAX_ENTRIES
 * @prot: IOMMU_READ and/or IOMMU_WRITE
 * @pages: filled with the pinned pages
 *
 * The driver must implement dma_unmap, through which it learns that pinned
 * pages must be released.
 *
 * Return: @npage on success, or a negative errno.
 */
int vfio_pin_pages(struct vfio_device *device, dma_addr_t iova,
		   int npage, int prot, struct page **pages)
{
	int ret;

	if (!pages || npage <= 0 || npage > VFIO_PIN_PAGES_MAX_ENTRIES ||
	    !vfio_device_open_for_dma(device) || !device->ops->dma_unmap)
		return -EINVAL;
	if (vfio_device_in_container(device))
		return vfio_container_pin_pages(device, iova, npage, prot, pages);
	if (!IS_ENABLED(CONFIG_IOMMUFD) || !device->iommufd_access)
		return -EINVAL;
	if (iova > ULONG_MAX)
		return -EINVAL;
	ret = iommufd_access_pin_pages(device->iommufd_access,
				       ALIGN_DOWN(iova, PAGE_SIZE),
				       npage * PAGE_SIZE, pages,
				       (prot & IOMMU_WRITE) ? IOMMUFD_ACCESS_RW_WRITE : 0);
	return ret ? ret : npage;
}
EXPORT_SYMBOL(vfio_pin_pages);

/**
 * vfio_unpin_pages - unpin pages pinned with vfio_pin_pages()
 * @device: the device
 * @iova: the IOVA given to vfio_pin_pages()
 * @npage: the number of pages given to it
 */
void vfio_unpin_pages(struct vfio_device *device, dma_addr_t iova, int npage)
{
	if (WARN_ON(npage <= 0 || npage > VFIO_PIN_PAGES_MAX_ENTRIES) ||
	    !vfio_device_open_for_dma(device))
		return;
	if (vfio_device_in_container(device)) {
		vfio_container_unpin_pages(device, iova, npage);
		return;
	}
	if (IS_ENABLED(CONFIG_IOMMUFD) && device->iommufd_access &&
	    !WARN_ON(iova > ULONG_MAX))
		iommufd_access_unpin_pages(device->iommufd_access,
					   ALIGN_DOWN(iova, PAGE_SIZE),
					   npage * PAGE_SIZE);
}
EXPORT_SYMBOL(vfio_unpin_pages);

/**
 * vfio_dma_rw - copy between a kernel buffer and IOVA
 * @device: an open emulated device
 * @iova: where in the device's address space
 * @data: the kernel buffer
 * @len: bytes
 * @write: true to write to IOVA, false to read from it
 *
 * Return: 0 or a negative errno.
 */
int vfio_dma_rw(struct vfio_device *device, dma_addr_t iova, void *data,
		size_t len, bool write)
{
	unsigned int flags = write ? IOMMUFD_ACCESS_RW_WRITE : 0;

	if (!data || !len || !vfio_device_open_for_dma(device))
		return -EINVAL;
	if (vfio_device_in_container(device))
		return vfio_container_dma_rw(device, iova, data, len, write);
	if (!IS_ENABLED(CONFIG_IOMMUFD) || !device->iommufd_access ||
	    iova > ULONG_MAX)
		return -EINVAL;
	/* a kernel thread has no mm of its own to copy through */
	if (!current->mm)
		flags |= IOMMUFD_ACCESS_RW_KTHREAD;
	return iommufd_access_rw(device->iommufd_access, iova, data, len, flags);
}
EXPORT_SYMBOL(vfio_dma_rw);
