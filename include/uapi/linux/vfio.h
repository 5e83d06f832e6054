/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * VFIO: the userspace interface for driving devices through an IOMMU.
 *
 * Three kinds of file speak this interface:
 *
 *  - the device file, obtained by opening /dev/vfio/devices/vfioN and
 *    binding it to an iommufd (VFIO_DEVICE_BIND_IOMMUFD), or from a group
 *    with VFIO_GROUP_GET_DEVICE_FD.  It describes the device (regions,
 *    interrupts, features) and gives access to it;
 *  - the group file, /dev/vfio/$GROUP, for the legacy flow: it joins a
 *    container (or an iommufd) and hands out device files;
 *  - the container file, /dev/vfio/vfio, which selects a legacy IOMMU
 *    model and carries that model's DMA mapping ioctls.
 *
 * Every ioctl that takes a structure starts it with argsz, the size
 * userspace gives, and flags.  The kernel reads at most what it knows and
 * rejects what it does not understand, so structures can grow at the end.
 * Variable data (capability chains, arrays) follows the fixed part.
 *
 * Layouts, numbers and values here are ABI and must never change.
 */
#ifndef _UAPIVFIO_H
#define _UAPIVFIO_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define VFIO_API_VERSION	0

/*
 * Extensions, for VFIO_CHECK_EXTENSION on the container.  Most name an
 * IOMMU model that VFIO_SET_IOMMU can select.
 */
#define VFIO_TYPE1_IOMMU		1	/* type1: map/unmap whole ranges */
#define VFIO_SPAPR_TCE_IOMMU		2	/* POWER TCE tables */
#define VFIO_TYPE1v2_IOMMU		3	/* type1, unmap may split ranges */
#define VFIO_DMA_CC_IOMMU		4	/* DMA is cache coherent */
#define VFIO_EEH			5	/* POWER error recovery */
#define VFIO_TYPE1_NESTING_IOMMU	6	/* obsolete, never answered */
#define VFIO_SPAPR_TCE_v2_IOMMU		7	/* POWER TCE, dynamic windows */
#define VFIO_NOIOMMU_IOMMU		8	/* no translation at all: unsafe */
#define VFIO_UNMAP_ALL			9	/* VFIO_DMA_UNMAP_FLAG_ALL works */
#define VFIO_UPDATE_VADDR		10	/* the _FLAG_VADDR variants work */

/* The ioctl type and the first number of every VFIO ioctl. */
#define VFIO_TYPE	(';')
#define VFIO_BASE	100

/*
 * Capability chains.  An info structure with a cap_offset points at the
 * first of a list of capabilities laid after it in the same buffer; each
 * starts with this header, whose @next is the offset of the following one
 * from the start of the buffer, or 0 at the end of the list.  When the
 * buffer is too small the kernel fills in what fits, sets argsz to the
 * size needed and leaves cap_offset 0.
 */
struct vfio_info_cap_header {
	__u16	id;		/* which capability; the namespace is per info type */
	__u16	version;	/* of that capability's layout */
	__u32	next;		/* offset of the next header, 0 if last */
};

/* ---- Container: /dev/vfio/vfio ---------------------------------------- */

/* Returns VFIO_API_VERSION. */
#define VFIO_GET_API_VERSION		_IO(VFIO_TYPE, VFIO_BASE + 0)

/*
 * Argument: an extension number (above), by value.  Returns 1 if it is
 * supported, 0 if not.  Before an IOMMU model is set every model answers;
 * afterwards only the chosen one does.
 */
#define VFIO_CHECK_EXTENSION		_IO(VFIO_TYPE, VFIO_BASE + 1)

/*
 * Argument: an IOMMU model (VFIO_TYPE1v2_IOMMU, ...), by value.  The
 * container must already hold a group.  Returns 0, or an error and leaves
 * the container without a model so that another may be tried.
 */
#define VFIO_SET_IOMMU			_IO(VFIO_TYPE, VFIO_BASE + 2)

/* ---- Group: /dev/vfio/$GROUP ------------------------------------------ */

/**
 * struct vfio_group_status - argument of VFIO_GROUP_GET_STATUS
 * @argsz: size of this structure
 * @flags: filled in by the kernel
 *
 * A group is viable when no device in it is used by a kernel driver that
 * would conflict with userspace owning the group's DMA.
 */
struct vfio_group_status {
	__u32	argsz;
	__u32	flags;
};

#define VFIO_GROUP_FLAGS_VIABLE		(1 << 0)
#define VFIO_GROUP_FLAGS_CONTAINER_SET	(1 << 1)

#define VFIO_GROUP_GET_STATUS		_IO(VFIO_TYPE, VFIO_BASE + 3)

/*
 * Argument: a pointer to an int holding a container fd or an iommufd.
 * Joins the group to it; the group must not be set already.
 */
#define VFIO_GROUP_SET_CONTAINER	_IO(VFIO_TYPE, VFIO_BASE + 4)

/* No argument.  Leaves the container or iommufd set by SET_CONTAINER. */
#define VFIO_GROUP_UNSET_CONTAINER	_IO(VFIO_TYPE, VFIO_BASE + 5)

/*
 * Argument: a NUL-terminated string naming a device of the group (its
 * device name, or whatever the driver matches, e.g. "BDF vf_token=UUID"
 * for vfio-pci).  Returns a new device file.
 */
#define VFIO_GROUP_GET_DEVICE_FD	_IO(VFIO_TYPE, VFIO_BASE + 6)

/* ---- Device file: description ----------------------------------------- */

/**
 * struct vfio_device_info - argument of VFIO_DEVICE_GET_INFO
 * @argsz: size of the buffer, which may hold a capability chain
 * @flags: VFIO_DEVICE_FLAGS_*: the bus API and what the device offers
 * @num_regions: regions, indexed from 0, for VFIO_DEVICE_GET_REGION_INFO
 * @num_irqs: interrupt indexes, for VFIO_DEVICE_GET_IRQ_INFO
 * @cap_offset: first capability (VFIO_DEVICE_INFO_CAP_*), with _FLAGS_CAPS
 * @pad: reserved
 */
struct vfio_device_info {
	__u32	argsz;
	__u32	flags;
	__u32	num_regions;
	__u32	num_irqs;
	__u32	cap_offset;
	__u32	pad;
};

#define VFIO_DEVICE_FLAGS_RESET		(1 << 0)	/* VFIO_DEVICE_RESET works */
#define VFIO_DEVICE_FLAGS_PCI		(1 << 1)
#define VFIO_DEVICE_FLAGS_PLATFORM	(1 << 2)
#define VFIO_DEVICE_FLAGS_AMBA		(1 << 3)
#define VFIO_DEVICE_FLAGS_CCW		(1 << 4)
#define VFIO_DEVICE_FLAGS_AP		(1 << 5)
#define VFIO_DEVICE_FLAGS_FSL_MC	(1 << 6)
#define VFIO_DEVICE_FLAGS_CAPS		(1 << 7)	/* cap_offset is valid */
#define VFIO_DEVICE_FLAGS_CDX		(1 << 8)

#define VFIO_DEVICE_GET_INFO		_IO(VFIO_TYPE, VFIO_BASE + 7)

/* The device_api sysfs attribute of a mediated device type. */
#define VFIO_DEVICE_API_PCI_STRING		"vfio-pci"
#define VFIO_DEVICE_API_PLATFORM_STRING		"vfio-platform"
#define VFIO_DEVICE_API_AMBA_STRING		"vfio-amba"
#define VFIO_DEVICE_API_CCW_STRING		"vfio-ccw"
#define VFIO_DEVICE_API_AP_STRING		"vfio-ap"

/* Device info capabilities.  1-4: s390 zPCI, see vfio_zdev.h. */
#define VFIO_DEVICE_INFO_CAP_ZPCI_BASE		1
#define VFIO_DEVICE_INFO_CAP_ZPCI_GROUP		2
#define VFIO_DEVICE_INFO_CAP_ZPCI_UTIL		3
#define VFIO_DEVICE_INFO_CAP_ZPCI_PFIP		4

/* Which PCIe AtomicOp completer sizes the root port supports. */
#define VFIO_DEVICE_INFO_CAP_PCI_ATOMIC_COMP	5

struct vfio_device_info_cap_pci_atomic_comp {
	struct vfio_info_cap_header header;
	__u32	flags;
	__u32	reserved;
};

#define VFIO_PCI_ATOMIC_COMP32		(1 << 0)
#define VFIO_PCI_ATOMIC_COMP64		(1 << 1)
#define VFIO_PCI_ATOMIC_COMP128		(1 << 2)

/**
 * struct vfio_region_info - argument of VFIO_DEVICE_GET_REGION_INFO
 * @argsz: size of the buffer, which may hold a capability chain
 * @flags: VFIO_REGION_INFO_FLAG_*
 * @index: the region asked about (in)
 * @cap_offset: first capability (VFIO_REGION_INFO_CAP_*), with _FLAG_CAPS
 * @size: bytes in the region
 * @offset: where the region starts in the device file, for pread, pwrite
 *	and mmap
 */
struct vfio_region_info {
	__u32	argsz;
	__u32	flags;
	__u32	index;
	__u32	cap_offset;
	__aligned_u64	size;
	__aligned_u64	offset;
};

#define VFIO_REGION_INFO_FLAG_READ	(1 << 0)
#define VFIO_REGION_INFO_FLAG_WRITE	(1 << 1)
#define VFIO_REGION_INFO_FLAG_MMAP	(1 << 2)
#define VFIO_REGION_INFO_FLAG_CAPS	(1 << 3)

#define VFIO_DEVICE_GET_REGION_INFO	_IO(VFIO_TYPE, VFIO_BASE + 8)

/* Only these parts of a region with _FLAG_MMAP may be mapped. */
#define VFIO_REGION_INFO_CAP_SPARSE_MMAP	1

struct vfio_region_sparse_mmap_area {
	__aligned_u64	offset;		/* from the start of the region */
	__aligned_u64	size;
};

struct vfio_region_info_cap_sparse_mmap {
	struct vfio_info_cap_header header;
	__u32	nr_areas;
	__u32	reserved;
	struct vfio_region_sparse_mmap_area areas[];
};

/*
 * A region beyond the bus's fixed ones says what it is with a type and a
 * subtype.  A PCI vendor's own types set the top bit and carry the vendor
 * id in the low 16 bits.
 */
#define VFIO_REGION_INFO_CAP_TYPE	2

struct vfio_region_info_cap_type {
	struct vfio_info_cap_header header;
	__u32	type;
	__u32	subtype;
};

#define VFIO_REGION_TYPE_PCI_VENDOR_TYPE	(1 << 31)
#define VFIO_REGION_TYPE_PCI_VENDOR_MASK	(0xffff)
#define VFIO_REGION_TYPE_GFX			(1)
#define VFIO_REGION_TYPE_CCW			(2)
#define VFIO_REGION_TYPE_MIGRATION_DEPRECATED	(3)

/* Subtypes of VFIO_REGION_TYPE_PCI_VENDOR_TYPE | PCI_VENDOR_ID_INTEL */
#define VFIO_REGION_SUBTYPE_INTEL_IGD_OPREGION	(1)
#define VFIO_REGION_SUBTYPE_INTEL_IGD_HOST_CFG	(2)
#define VFIO_REGION_SUBTYPE_INTEL_IGD_LPC_CFG	(3)

/* Subtype of VFIO_REGION_TYPE_PCI_VENDOR_TYPE | PCI_VENDOR_ID_NVIDIA */
#define VFIO_REGION_SUBTYPE_NVIDIA_NVLINK2_RAM	(1)

/* Subtype of VFIO_REGION_TYPE_PCI_VENDOR_TYPE | PCI_VENDOR_ID_IBM */
#define VFIO_REGION_SUBTYPE_IBM_NVLINK2_ATSD	(1)

/* Subtype of VFIO_REGION_TYPE_GFX: the EDID of a virtual display. */
#define VFIO_REGION_SUBTYPE_GFX_EDID		(1)

/**
 * struct vfio_region_gfx_edid - the head of a GFX_EDID region
 * @edid_offset: where in the region the EDID blob lives (read-only)
 * @edid_max_size: the room for it (read-only)
 * @edid_size: the size of the blob userspace wrote
 * @max_xres: largest horizontal resolution the device can show (read-only)
 * @max_yres: largest vertical resolution (read-only)
 * @link_state: VFIO_DEVICE_GFX_LINK_STATE_*; set it DOWN while the blob
 *	changes and UP again to present the new one
 */
struct vfio_region_gfx_edid {
	__u32	edid_offset;
	__u32	edid_max_size;
	__u32	edid_size;
	__u32	max_xres;
	__u32	max_yres;
	__u32	link_state;
};

#define VFIO_DEVICE_GFX_LINK_STATE_UP		1
#define VFIO_DEVICE_GFX_LINK_STATE_DOWN		2

/* Subtypes of VFIO_REGION_TYPE_CCW */
#define VFIO_REGION_SUBTYPE_CCW_ASYNC_CMD	(1)
#define VFIO_REGION_SUBTYPE_CCW_SCHIB		(2)
#define VFIO_REGION_SUBTYPE_CCW_CRW		(3)

/*
 * The first migration protocol, a region of this layout.  No kernel driver
 * offers it any more (see VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE); the names
 * stay so that old userspace still builds.
 */
#define VFIO_REGION_SUBTYPE_MIGRATION_DEPRECATED	(1)

struct vfio_device_migration_info {
	__u32	device_state;
	__u32	reserved;
	__aligned_u64	pending_bytes;
	__aligned_u64	data_offset;
	__aligned_u64	data_size;
};

#define VFIO_DEVICE_STATE_V1_STOP	(0)
#define VFIO_DEVICE_STATE_V1_RUNNING	(1 << 0)
#define VFIO_DEVICE_STATE_V1_SAVING	(1 << 1)
#define VFIO_DEVICE_STATE_V1_RESUMING	(1 << 2)
#define VFIO_DEVICE_STATE_MASK		(VFIO_DEVICE_STATE_V1_RUNNING | \
					 VFIO_DEVICE_STATE_V1_SAVING | \
					 VFIO_DEVICE_STATE_V1_RESUMING)
/*
 * RESUMING may not be combined with another bit: of the eight values of
 * the mask, exactly those up to RESUMING alone are valid.
 */
#define VFIO_DEVICE_STATE_VALID(state) \
	(((state) & VFIO_DEVICE_STATE_MASK) <= VFIO_DEVICE_STATE_V1_RESUMING)
/* SAVING together with RESUMING, and nothing else, marks an error. */
#define VFIO_DEVICE_STATE_IS_ERROR(state) \
	(((state) & VFIO_DEVICE_STATE_MASK) == (VFIO_DEVICE_STATE_V1_SAVING | \
						VFIO_DEVICE_STATE_V1_RESUMING))
#define VFIO_DEVICE_STATE_SET_ERROR(state) \
	(((state) & ~VFIO_DEVICE_STATE_MASK) | VFIO_DEVICE_STATE_V1_SAVING | \
	 VFIO_DEVICE_STATE_V1_RESUMING)

/* The MSI-X table of this BAR may be mapped along with the rest of it. */
#define VFIO_REGION_INFO_CAP_MSIX_MAPPABLE	3

/* NVLink2 GPU RAM: the address the GPU sees (POWER9, hardware gone). */
#define VFIO_REGION_INFO_CAP_NVLINK2_SSATGT	4

struct vfio_region_info_cap_nvlink2_ssatgt {
	struct vfio_info_cap_header header;
	__aligned_u64	tgt;
};

/* NVLink2 link speed (POWER9, hardware gone). */
#define VFIO_REGION_INFO_CAP_NVLINK2_LNKSPD	5

struct vfio_region_info_cap_nvlink2_lnkspd {
	struct vfio_info_cap_header header;
	__u32	link_speed;
	__u32	__pad;
};

/**
 * struct vfio_irq_info - argument of VFIO_DEVICE_GET_IRQ_INFO
 * @argsz: size of this structure
 * @flags: VFIO_IRQ_INFO_*
 * @index: the interrupt index asked about (in)
 * @count: vectors at this index; 0 if the device has none
 *
 * _EVENTFD: signalled through an eventfd.  _MASKABLE: ACTION_MASK and
 * ACTION_UNMASK work.  _AUTOMASKED: the kernel masks the interrupt when it
 * fires (level-triggered) and userspace unmasks it.  _NORESIZE: vectors
 * cannot be added to a running set; disable and re-enable to change it.
 */
struct vfio_irq_info {
	__u32	argsz;
	__u32	flags;
	__u32	index;
	__u32	count;
};

#define VFIO_IRQ_INFO_EVENTFD		(1 << 0)
#define VFIO_IRQ_INFO_MASKABLE		(1 << 1)
#define VFIO_IRQ_INFO_AUTOMASKED	(1 << 2)
#define VFIO_IRQ_INFO_NORESIZE		(1 << 3)

#define VFIO_DEVICE_GET_IRQ_INFO	_IO(VFIO_TYPE, VFIO_BASE + 9)

/**
 * struct vfio_irq_set - argument of VFIO_DEVICE_SET_IRQS
 * @argsz: size of this structure and @data
 * @flags: one DATA_ type and one ACTION_ type
 * @index: the interrupt index
 * @start: first vector
 * @count: vectors from @start; 0 with DATA_NONE and ACTION_TRIGGER turns
 *	the whole index off
 * @data: nothing (DATA_NONE), a __u8 per vector (DATA_BOOL: act on the
 *	vectors whose byte is set) or an __s32 eventfd per vector
 *	(DATA_EVENTFD: -1 detaches a vector's eventfd)
 *
 * ACTION_TRIGGER with eventfds wires vectors up; with NONE or BOOL it fires
 * them from software, for testing.  ACTION_MASK and ACTION_UNMASK act on
 * masking, and with eventfds connect an eventfd that masks or unmasks.
 */
struct vfio_irq_set {
	__u32	argsz;
	__u32	flags;
	__u32	index;
	__u32	start;
	__u32	count;
	__u8	data[];
};

#define VFIO_IRQ_SET_DATA_NONE		(1 << 0)
#define VFIO_IRQ_SET_DATA_BOOL		(1 << 1)
#define VFIO_IRQ_SET_DATA_EVENTFD	(1 << 2)
#define VFIO_IRQ_SET_ACTION_MASK	(1 << 3)
#define VFIO_IRQ_SET_ACTION_UNMASK	(1 << 4)
#define VFIO_IRQ_SET_ACTION_TRIGGER	(1 << 5)

#define VFIO_IRQ_SET_DATA_TYPE_MASK	(VFIO_IRQ_SET_DATA_NONE | \
					 VFIO_IRQ_SET_DATA_BOOL | \
					 VFIO_IRQ_SET_DATA_EVENTFD)
#define VFIO_IRQ_SET_ACTION_TYPE_MASK	(VFIO_IRQ_SET_ACTION_MASK | \
					 VFIO_IRQ_SET_ACTION_UNMASK | \
					 VFIO_IRQ_SET_ACTION_TRIGGER)

#define VFIO_DEVICE_SET_IRQS		_IO(VFIO_TYPE, VFIO_BASE + 10)

/* No argument.  Resets the device, when GET_INFO says _FLAGS_RESET. */
#define VFIO_DEVICE_RESET		_IO(VFIO_TYPE, VFIO_BASE + 11)

/* ---- PCI devices ------------------------------------------------------- */

/* Fixed region indexes of a vfio-pci device; device-specific ones follow. */
enum {
	VFIO_PCI_BAR0_REGION_INDEX,
	VFIO_PCI_BAR1_REGION_INDEX,
	VFIO_PCI_BAR2_REGION_INDEX,
	VFIO_PCI_BAR3_REGION_INDEX,
	VFIO_PCI_BAR4_REGION_INDEX,
	VFIO_PCI_BAR5_REGION_INDEX,
	VFIO_PCI_ROM_REGION_INDEX,
	VFIO_PCI_CONFIG_REGION_INDEX,
	/*
	 * Legacy VGA: 0xa0000-0xbffff, then the I/O ports 0x3b0-0x3bb and
	 * 0x3c0-0x3df, each at its own address within the region.
	 */
	VFIO_PCI_VGA_REGION_INDEX,
	VFIO_PCI_NUM_REGIONS = 9
};

/* Interrupt indexes of a vfio-pci device. */
enum {
	VFIO_PCI_INTX_IRQ_INDEX,
	VFIO_PCI_MSI_IRQ_INDEX,
	VFIO_PCI_MSIX_IRQ_INDEX,
	VFIO_PCI_ERR_IRQ_INDEX,		/* AER errors, for the user to handle */
	VFIO_PCI_REQ_IRQ_INDEX,		/* the kernel asks for the device back */
	VFIO_PCI_NUM_IRQS
};

/* s390 channel I/O devices */
enum {
	VFIO_CCW_CONFIG_REGION_INDEX,
	VFIO_CCW_NUM_REGIONS
};

enum {
	VFIO_CCW_IO_IRQ_INDEX,
	VFIO_CCW_CRW_IRQ_INDEX,
	VFIO_CCW_REQ_IRQ_INDEX,
	VFIO_CCW_NUM_IRQS
};

/* s390 crypto adapters */
enum {
	VFIO_AP_REQ_IRQ_INDEX,
	VFIO_AP_NUM_IRQS
};

/**
 * struct vfio_pci_dependent_device - one device a hot reset would reset
 * @group_id: its IOMMU group, when asked through a group-obtained file
 * @devid: when asked through a cdev file (VFIO_PCI_HOT_RESET_FLAG_DEV_ID):
 *	its iommufd device id if bound to the caller's iommufd;
 *	VFIO_PCI_DEVID_OWNED if not bound but in an IOMMU group the caller
 *	owns through that iommufd; VFIO_PCI_DEVID_NOT_OWNED otherwise
 * @segment: PCI segment
 * @bus: PCI bus number
 * @devfn: PCI device and function
 */
struct vfio_pci_dependent_device {
	union {
		__u32	group_id;
		__u32	devid;
	};
	__u16	segment;
	__u8	bus;
	__u8	devfn;
};

#define VFIO_PCI_DEVID_OWNED		0
#define VFIO_PCI_DEVID_NOT_OWNED	-1

/**
 * struct vfio_pci_hot_reset_info - argument of GET_PCI_HOT_RESET_INFO
 * @argsz: size of the buffer
 * @flags: VFIO_PCI_HOT_RESET_FLAG_*, out.  _DEV_ID: @devices carry devids;
 *	_DEV_ID_OWNED: the caller owns every one of them
 * @count: entries in @devices (out); if they do not fit, the call fails
 *	with ENOSPC and @count says how many there are
 * @devices: the devices a slot or bus reset would affect
 */
struct vfio_pci_hot_reset_info {
	__u32	argsz;
	__u32	flags;
	__u32	count;
	struct vfio_pci_dependent_device devices[];
};

#define VFIO_PCI_HOT_RESET_FLAG_DEV_ID		(1 << 0)
#define VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED	(1 << 1)

#define VFIO_DEVICE_GET_PCI_HOT_RESET_INFO	_IO(VFIO_TYPE, VFIO_BASE + 12)

/**
 * struct vfio_pci_hot_reset - argument of VFIO_DEVICE_PCI_HOT_RESET
 * @argsz: size of this structure and @group_fds
 * @flags: must be 0
 * @count: entries in @group_fds.  Through a group-obtained file: the
 *	group fds that together own every affected device.  Through a cdev
 *	file: 0, ownership is proven by the file's iommufd
 * @group_fds: the group fds
 */
struct vfio_pci_hot_reset {
	__u32	argsz;
	__u32	flags;
	__u32	count;
	__s32	group_fds[];
};

#define VFIO_DEVICE_PCI_HOT_RESET	_IO(VFIO_TYPE, VFIO_BASE + 13)

/* ---- Display devices (mediated GPUs) ---------------------------------- */

/**
 * struct vfio_device_gfx_plane_info - argument of QUERY_GFX_PLANE
 * @argsz: size of this structure
 * @flags: _TYPE_PROBE with _DMABUF or _REGION asks whether that kind of
 *	plane is offered; otherwise one of them asks for the plane's state
 * @drm_plane_type: DRM_PLANE_TYPE_* (in)
 * @drm_format: fourcc of the plane (out)
 * @drm_format_mod: format modifier (out)
 * @width: in pixels (out)
 * @height: in pixels (out)
 * @stride: bytes per line (out)
 * @size: bytes of the whole plane (out)
 * @x_pos: horizontal position of a cursor plane (out)
 * @y_pos: vertical position of a cursor plane (out)
 * @x_hot: cursor hotspot, horizontal (out)
 * @y_hot: cursor hotspot, vertical (out)
 * @region_index: the region holding the plane (_TYPE_REGION)
 * @dmabuf_id: for VFIO_DEVICE_GET_GFX_DMABUF (_TYPE_DMABUF)
 * @reserved: reserved
 */
struct vfio_device_gfx_plane_info {
	__u32	argsz;
	__u32	flags;
	__u32	drm_plane_type;
	__u32	drm_format;
	__aligned_u64	drm_format_mod;
	__u32	width;
	__u32	height;
	__u32	stride;
	__u32	size;
	__u32	x_pos;
	__u32	y_pos;
	__u32	x_hot;
	__u32	y_hot;
	union {
		__u32	region_index;
		__u32	dmabuf_id;
	};
	__u32	reserved;
};

#define VFIO_GFX_PLANE_TYPE_PROBE	(1 << 0)
#define VFIO_GFX_PLANE_TYPE_DMABUF	(1 << 1)
#define VFIO_GFX_PLANE_TYPE_REGION	(1 << 2)

#define VFIO_DEVICE_QUERY_GFX_PLANE	_IO(VFIO_TYPE, VFIO_BASE + 14)

/* Argument: a __u32 dmabuf_id.  Returns a dma-buf fd for that plane. */
#define VFIO_DEVICE_GET_GFX_DMABUF	_IO(VFIO_TYPE, VFIO_BASE + 15)

/**
 * struct vfio_device_ioeventfd - argument of VFIO_DEVICE_IOEVENTFD
 * @argsz: size of this structure
 * @flags: the access size, one of VFIO_DEVICE_IOEVENTFD_8/16/32/64
 * @offset: where in the device file the write goes
 * @data: the value written
 * @fd: an eventfd; every signal makes the kernel do the write.  -1 removes
 *	the ioeventfd with the same offset, data and size
 * @reserved: reserved
 */
struct vfio_device_ioeventfd {
	__u32	argsz;
	__u32	flags;
	__aligned_u64	offset;
	__aligned_u64	data;
	__s32	fd;
	__u32	reserved;
};

#define VFIO_DEVICE_IOEVENTFD_8		(1 << 0)
#define VFIO_DEVICE_IOEVENTFD_16	(1 << 1)
#define VFIO_DEVICE_IOEVENTFD_32	(1 << 2)
#define VFIO_DEVICE_IOEVENTFD_64	(1 << 3)
#define VFIO_DEVICE_IOEVENTFD_SIZE_MASK	(0xf)

#define VFIO_DEVICE_IOEVENTFD		_IO(VFIO_TYPE, VFIO_BASE + 16)

/* ---- Device features --------------------------------------------------- */

/**
 * struct vfio_device_feature - argument of VFIO_DEVICE_FEATURE
 * @argsz: size of this structure and @data
 * @flags: the feature number in the low 16 bits, and what to do:
 *	_GET reads the feature into @data, _SET writes it from @data.
 *	_PROBE does neither: it answers 0 if the feature exists and supports
 *	the _GET and/or _SET given with it, an error otherwise.  _GET and
 *	_SET together are only valid with _PROBE.
 * @data: the feature's own structure
 *
 * A feature the device does not have fails with ENOTTY.
 */
struct vfio_device_feature {
	__u32	argsz;
	__u32	flags;
	__u8	data[];
};

#define VFIO_DEVICE_FEATURE_MASK	(0xffff)
#define VFIO_DEVICE_FEATURE_GET		(1 << 16)
#define VFIO_DEVICE_FEATURE_SET		(1 << 17)
#define VFIO_DEVICE_FEATURE_PROBE	(1 << 18)

#define VFIO_DEVICE_FEATURE		_IO(VFIO_TYPE, VFIO_BASE + 17)

/* ---- Device file: the cdev path ---------------------------------------- */

/**
 * struct vfio_device_bind_iommufd - argument of VFIO_DEVICE_BIND_IOMMUFD
 * @argsz: size of this structure; 16 without @token_uuid_ptr
 * @flags: VFIO_DEVICE_BIND_FLAG_TOKEN, or 0
 * @iommufd: the iommufd the device's DMA will be set up through
 * @out_devid: the device's id within that iommufd, for IOMMU_* ioctls
 * @token_uuid_ptr: with VFIO_DEVICE_BIND_FLAG_TOKEN, the address of a
 *	16-byte UUID: the VF token (VFIO_DEVICE_FEATURE_PCI_VF_TOKEN) of a
 *	device that needs one; @argsz must then include this field
 *
 * The first ioctl a file opened from /dev/vfio/devices/vfioN must issue;
 * every other use of the file fails with EINVAL until it succeeds.  It
 * fails with EBUSY while the device's group is open through
 * /dev/vfio/$GROUP.  The device starts with DMA blocked; closing the file
 * unbinds it.
 *
 * A device that needs a VF token (an SR-IOV VF whose PF is owned by a VFIO
 * user, or such a PF while its VFs are in use) fails with EACCES without
 * the right one, as VFIO_GROUP_GET_DEVICE_FD does for a name without its
 * "vf_token=" part.  The flag gives EINVAL on a device that takes no token.
 */
struct vfio_device_bind_iommufd {
	__u32	argsz;
	__u32	flags;
#define VFIO_DEVICE_BIND_FLAG_TOKEN	(1 << 0)
	__s32	iommufd;
	__u32	out_devid;
	__aligned_u64 token_uuid_ptr;
};

#define VFIO_DEVICE_BIND_IOMMUFD	_IO(VFIO_TYPE, VFIO_BASE + 18)

/**
 * struct vfio_device_attach_iommufd_pt - argument of ATTACH_IOMMUFD_PT
 * @argsz: size of this structure
 * @flags: must be 0
 * @pt_id: in: an IOAS or a HWPT of the bound iommufd.  out: the HWPT the
 *	device is attached to (for an IOAS, the one the kernel picked)
 *
 * A device that is already attached moves to the new page table without
 * passing through a blocked state.
 */
struct vfio_device_attach_iommufd_pt {
	__u32	argsz;
	__u32	flags;
	__u32	pt_id;
};

#define VFIO_DEVICE_ATTACH_IOMMUFD_PT		_IO(VFIO_TYPE, VFIO_BASE + 19)

/**
 * struct vfio_device_detach_iommufd_pt - argument of DETACH_IOMMUFD_PT
 * @argsz: size of this structure
 * @flags: must be 0
 *
 * Detaches the device from its page table; its DMA is blocked.
 */
struct vfio_device_detach_iommufd_pt {
	__u32	argsz;
	__u32	flags;
};

#define VFIO_DEVICE_DETACH_IOMMUFD_PT		_IO(VFIO_TYPE, VFIO_BASE + 20)

/* ---- Feature numbers and their structures ------------------------------ */

/*
 * PCI_VF_TOKEN (SET): a 16-byte UUID shared by a PF driven through vfio-pci
 * and the users of its VFs, who must present it to open a VF.
 */
#define VFIO_DEVICE_FEATURE_PCI_VF_TOKEN	(0)

/* MIGRATION (GET): which migration protocol features the device has. */
struct vfio_device_feature_migration {
	__aligned_u64	flags;
};

#define VFIO_MIGRATION_STOP_COPY	(1 << 0)
#define VFIO_MIGRATION_P2P		(1 << 1)
#define VFIO_MIGRATION_PRE_COPY		(1 << 2)

#define VFIO_DEVICE_FEATURE_MIGRATION	1

/*
 * MIG_DEVICE_STATE (GET, SET): the migration state.  A SET that enters a
 * state with a data stream (STOP_COPY, RESUMING, PRE_COPY, PRE_COPY_P2P)
 * returns the stream's fd in @data_fd; otherwise @data_fd is -1.
 */
struct vfio_device_feature_mig_state {
	__u32	device_state;	/* enum vfio_device_mig_state */
	__s32	data_fd;
};

#define VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE	2

/*
 * The states of a migratable device.  RUNNING: normal operation.  STOP:
 * no DMA, no interrupts, no change of internal state.  STOP_COPY: stopped,
 * its state readable from the data fd.  RESUMING: stopped, its state
 * written through the data fd.  RUNNING_P2P: running, but no longer
 * initiating peer-to-peer DMA (with VFIO_MIGRATION_P2P).  PRE_COPY and
 * PRE_COPY_P2P: running (or P2P-quiesced) while an initial part of the
 * state is already read (with VFIO_MIGRATION_PRE_COPY).  ERROR: a failed
 * transition left the device unusable until it is reset.
 *
 * Userspace may ask for any state; the driver walks the shortest path of
 * steps it supports between them.
 */
enum vfio_device_mig_state {
	VFIO_DEVICE_STATE_ERROR = 0,
	VFIO_DEVICE_STATE_STOP = 1,
	VFIO_DEVICE_STATE_RUNNING = 2,
	VFIO_DEVICE_STATE_STOP_COPY = 3,
	VFIO_DEVICE_STATE_RESUMING = 4,
	VFIO_DEVICE_STATE_RUNNING_P2P = 5,
	VFIO_DEVICE_STATE_PRE_COPY = 6,
	VFIO_DEVICE_STATE_PRE_COPY_P2P = 7,
	VFIO_DEVICE_STATE_NR,
};

/**
 * struct vfio_precopy_info - argument of VFIO_MIG_GET_PRECOPY_INFO
 * @argsz: size of this structure
 * @flags: must be 0
 * @initial_bytes: bytes of the initial state not yet read (out)
 * @dirty_bytes: bytes of state changed since (out), an estimate
 *
 * Issued on the data fd while the device is in a PRE_COPY state.
 */
struct vfio_precopy_info {
	__u32	argsz;
	__u32	flags;
	__aligned_u64	initial_bytes;
	__aligned_u64	dirty_bytes;
};

#define VFIO_MIG_GET_PRECOPY_INFO	_IO(VFIO_TYPE, VFIO_BASE + 21)

/* LOW_POWER_ENTRY (SET): let the device enter D3 while unused. */
#define VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY	3

/*
 * LOW_POWER_ENTRY_WITH_WAKEUP (SET): the same, and signal @wakeup_eventfd
 * if the device wakes up (for example on a PME).
 */
struct vfio_device_low_power_entry_with_wakeup {
	__s32	wakeup_eventfd;
	__u32	reserved;
};

#define VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP	4

/* LOW_POWER_EXIT (SET): back to full power. */
#define VFIO_DEVICE_FEATURE_LOW_POWER_EXIT	5

/*
 * DMA_LOGGING_START (SET): the device starts tracking the pages it writes
 * by DMA, in @num_ranges IOVA ranges at @ranges (an array of
 * vfio_device_feature_dma_logging_range), at a granularity of @page_size.
 * DMA_LOGGING_STOP (SET, no data): tracking ends.
 */
struct vfio_device_feature_dma_logging_control {
	__aligned_u64	page_size;
	__u32	num_ranges;
	__u32	__reserved;
	__aligned_u64	ranges;
};

struct vfio_device_feature_dma_logging_range {
	__aligned_u64	iova;
	__aligned_u64	length;
};

#define VFIO_DEVICE_FEATURE_DMA_LOGGING_START	6
#define VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP	7

/*
 * DMA_LOGGING_REPORT (GET): fill the bitmap at @bitmap, a bit per
 * @page_size page of [@iova, @iova + @length), with the pages written
 * since the last report, and clear them.
 */
struct vfio_device_feature_dma_logging_report {
	__aligned_u64	iova;
	__aligned_u64	length;
	__aligned_u64	page_size;
	__aligned_u64	bitmap;
};

#define VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT	8

/* MIG_DATA_SIZE (GET): an estimate of the bytes STOP_COPY will produce. */
struct vfio_device_feature_mig_data_size {
	__aligned_u64	stop_copy_length;
};

#define VFIO_DEVICE_FEATURE_MIG_DATA_SIZE	9

/* BUS_MASTER (SET): turn the device's bus mastering off or on. */
struct vfio_device_feature_bus_master {
	__u32	op;
};

#define VFIO_DEVICE_FEATURE_CLEAR_MASTER	0
#define VFIO_DEVICE_FEATURE_SET_MASTER		1

#define VFIO_DEVICE_FEATURE_BUS_MASTER		10

/* ---- Container: the type1 IOMMU model --------------------------------- */

/**
 * struct vfio_iommu_type1_info - argument of VFIO_IOMMU_GET_INFO
 * @argsz: size of the buffer, which may hold a capability chain
 * @flags: VFIO_IOMMU_INFO_* (out)
 * @iova_pgsizes: the page sizes mappings can use, a bit per size (out)
 * @cap_offset: first capability, with VFIO_IOMMU_INFO_CAPS (out)
 * @pad: reserved
 */
struct vfio_iommu_type1_info {
	__u32	argsz;
	__u32	flags;
	__aligned_u64	iova_pgsizes;
	__u32	cap_offset;
	__u32	pad;
};

#define VFIO_IOMMU_INFO_PGSIZES		(1 << 0)
#define VFIO_IOMMU_INFO_CAPS		(1 << 1)

/* The IOVA ranges DMA may use; everything else is reserved. */
#define VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE	1

struct vfio_iova_range {
	__u64	start;
	__u64	end;		/* inclusive */
};

struct vfio_iommu_type1_info_cap_iova_range {
	struct vfio_info_cap_header header;
	__u32	nr_iovas;
	__u32	reserved;
	struct vfio_iova_range iova_ranges[];
};

/* Dirty page tracking: supported bitmap page sizes and bitmap limit. */
#define VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION	2

struct vfio_iommu_type1_info_cap_migration {
	struct vfio_info_cap_header header;
	__u32	flags;
	__u64	pgsize_bitmap;
	__u64	max_dirty_bitmap_size;	/* in bytes */
};

/* How many more mappings the container will accept. */
#define VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL		3

struct vfio_iommu_type1_info_dma_avail {
	struct vfio_info_cap_header header;
	__u32	avail;
};

#define VFIO_IOMMU_GET_INFO		_IO(VFIO_TYPE, VFIO_BASE + 12)

/**
 * struct vfio_iommu_type1_dma_map - argument of VFIO_IOMMU_MAP_DMA
 * @argsz: size of this structure
 * @flags: VFIO_DMA_MAP_FLAG_*.  _READ and _WRITE: the device's access.
 *	_VADDR: only move an existing mapping to a new @vaddr (after the old
 *	one was invalidated with VFIO_DMA_UNMAP_FLAG_VADDR)
 * @vaddr: the process memory to map
 * @iova: where the device sees it
 * @size: bytes
 */
struct vfio_iommu_type1_dma_map {
	__u32	argsz;
	__u32	flags;
	__u64	vaddr;
	__u64	iova;
	__u64	size;
};

#define VFIO_DMA_MAP_FLAG_READ		(1 << 0)
#define VFIO_DMA_MAP_FLAG_WRITE		(1 << 1)
#define VFIO_DMA_MAP_FLAG_VADDR		(1 << 2)

#define VFIO_IOMMU_MAP_DMA		_IO(VFIO_TYPE, VFIO_BASE + 13)

/**
 * struct vfio_bitmap - a dirty bitmap in userspace memory
 * @pgsize: the page size one bit stands for
 * @size: bytes at @data
 * @data: the bitmap
 */
struct vfio_bitmap {
	__u64	pgsize;
	__u64	size;
	__u64 __user *data;
};

/**
 * struct vfio_iommu_type1_dma_unmap - argument of VFIO_IOMMU_UNMAP_DMA
 * @argsz: size of this structure and @data
 * @flags: VFIO_DMA_UNMAP_FLAG_*.  _GET_DIRTY_BITMAP: @data holds a
 *	struct vfio_bitmap to fill for the range before it goes.  _ALL: unmap
 *	everything (@iova and @size must be 0).  _VADDR: keep the mappings but
 *	forget their process addresses until MAP_DMA with _VADDR gives new ones
 * @iova: start of the range
 * @size: bytes; on return, how many were unmapped
 * @data: see @flags
 */
struct vfio_iommu_type1_dma_unmap {
	__u32	argsz;
	__u32	flags;
	__u64	iova;
	__u64	size;
	__u8	data[];
};

#define VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP	(1 << 0)
#define VFIO_DMA_UNMAP_FLAG_ALL			(1 << 1)
#define VFIO_DMA_UNMAP_FLAG_VADDR		(1 << 2)

#define VFIO_IOMMU_UNMAP_DMA		_IO(VFIO_TYPE, VFIO_BASE + 14)

/* sPAPR TCE: enable and disable the container's IOMMU.  No argument. */
#define VFIO_IOMMU_ENABLE		_IO(VFIO_TYPE, VFIO_BASE + 15)
#define VFIO_IOMMU_DISABLE		_IO(VFIO_TYPE, VFIO_BASE + 16)

/**
 * struct vfio_iommu_type1_dirty_bitmap - argument of VFIO_IOMMU_DIRTY_PAGES
 * @argsz: size of this structure and @data
 * @flags: exactly one of _START (begin tracking pages the devices may
 *	write), _STOP, or _GET_BITMAP (@data holds a
 *	struct vfio_iommu_type1_dirty_bitmap_get)
 * @data: see @flags
 */
struct vfio_iommu_type1_dirty_bitmap {
	__u32	argsz;
	__u32	flags;
	__u8	data[];
};

#define VFIO_IOMMU_DIRTY_PAGES_FLAG_START	(1 << 0)
#define VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP	(1 << 1)
#define VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP	(1 << 2)

/* The range to report, which must match whole mappings, and its bitmap. */
struct vfio_iommu_type1_dirty_bitmap_get {
	__u64	iova;
	__u64	size;
	struct vfio_bitmap bitmap;
};

#define VFIO_IOMMU_DIRTY_PAGES		_IO(VFIO_TYPE, VFIO_BASE + 17)

/* ---- Container: the sPAPR TCE IOMMU models (POWER) --------------------- */

/**
 * struct vfio_iommu_spapr_tce_ddw_info - dynamic DMA window limits
 * @pgsizes: the IOMMU page sizes windows can use, a bit per size
 * @max_dynamic_windows_supported: how many windows can exist at once
 * @levels: most levels a window's TCE table may have
 */
struct vfio_iommu_spapr_tce_ddw_info {
	__u64	pgsizes;
	__u32	max_dynamic_windows_supported;
	__u32	levels;
};

/**
 * struct vfio_iommu_spapr_tce_info - argument of SPAPR_TCE_GET_INFO
 * @argsz: size of this structure
 * @flags: VFIO_IOMMU_SPAPR_INFO_DDW when @ddw is valid (out)
 * @dma32_window_start: the default 32-bit DMA window (out)
 * @dma32_window_size: its size (out)
 * @ddw: dynamic windows (out)
 */
struct vfio_iommu_spapr_tce_info {
	__u32	argsz;
	__u32	flags;
	__u32	dma32_window_start;
	__u32	dma32_window_size;
	struct vfio_iommu_spapr_tce_ddw_info ddw;
};

#define VFIO_IOMMU_SPAPR_INFO_DDW	(1 << 0)

#define VFIO_IOMMU_SPAPR_TCE_GET_INFO	_IO(VFIO_TYPE, VFIO_BASE + 12)

/* An error to inject into a partitionable endpoint (VFIO_EEH_PE_INJECT_ERR) */
struct vfio_eeh_pe_err {
	__u32	type;
	__u32	func;
	__u64	addr;
	__u64	mask;
};

/**
 * struct vfio_eeh_pe_op - argument of VFIO_EEH_PE_OP
 * @argsz: size of this structure
 * @flags: must be 0
 * @op: VFIO_EEH_PE_* operation
 * @err: the error, for VFIO_EEH_PE_INJECT_ERR
 */
struct vfio_eeh_pe_op {
	__u32	argsz;
	__u32	flags;
	__u32	op;
	union {
		struct vfio_eeh_pe_err err;
	};
};

#define VFIO_EEH_PE_DISABLE		0	/* stop error handling */
#define VFIO_EEH_PE_ENABLE		1	/* start error handling */
#define VFIO_EEH_PE_UNFREEZE_IO		2	/* let MMIO through again */
#define VFIO_EEH_PE_UNFREEZE_DMA	3	/* let DMA through again */
#define VFIO_EEH_PE_GET_STATE		4	/* returns a _STATE_ below */
#define   VFIO_EEH_PE_STATE_NORMAL	0
#define   VFIO_EEH_PE_STATE_RESET	1
#define   VFIO_EEH_PE_STATE_STOPPED	2
#define   VFIO_EEH_PE_STATE_STOPPED_DMA	4
#define   VFIO_EEH_PE_STATE_UNAVAIL	5
#define VFIO_EEH_PE_RESET_DEACTIVATE	5	/* end a reset */
#define VFIO_EEH_PE_RESET_HOT		6	/* hot reset */
#define VFIO_EEH_PE_RESET_FUNDAMENTAL	7	/* fundamental reset */
#define VFIO_EEH_PE_CONFIGURE		8	/* restore config after a reset */
#define VFIO_EEH_PE_INJECT_ERR		9	/* inject @err */

#define VFIO_EEH_PE_OP			_IO(VFIO_TYPE, VFIO_BASE + 21)

/**
 * struct vfio_iommu_spapr_register_memory - argument of
 *	VFIO_IOMMU_SPAPR_REGISTER_MEMORY and _UNREGISTER_MEMORY
 * @argsz: size of this structure
 * @flags: must be 0
 * @vaddr: start of the process memory to pin (or unpin) for DMA
 * @size: bytes
 */
struct vfio_iommu_spapr_register_memory {
	__u32	argsz;
	__u32	flags;
	__u64	vaddr;
	__u64	size;
};

#define VFIO_IOMMU_SPAPR_REGISTER_MEMORY	_IO(VFIO_TYPE, VFIO_BASE + 17)
#define VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY	_IO(VFIO_TYPE, VFIO_BASE + 18)

/**
 * struct vfio_iommu_spapr_tce_create - argument of SPAPR_TCE_CREATE
 * @argsz: size of this structure
 * @flags: must be 0
 * @page_shift: log2 of the IOMMU page size of the new window
 * @__resv1: reserved
 * @window_size: bytes of the window
 * @levels: levels of its TCE table
 * @__resv2: reserved
 * @start_addr: where the window starts on the bus (out)
 */
struct vfio_iommu_spapr_tce_create {
	__u32	argsz;
	__u32	flags;
	__u32	page_shift;
	__u32	__resv1;
	__u64	window_size;
	__u32	levels;
	__u32	__resv2;
	__u64	start_addr;
};

#define VFIO_IOMMU_SPAPR_TCE_CREATE	_IO(VFIO_TYPE, VFIO_BASE + 19)

/**
 * struct vfio_iommu_spapr_tce_remove - argument of SPAPR_TCE_REMOVE
 * @argsz: size of this structure
 * @flags: must be 0
 * @start_addr: the window to remove, by its start on the bus
 */
struct vfio_iommu_spapr_tce_remove {
	__u32	argsz;
	__u32	flags;
	__u64	start_addr;
};

#define VFIO_IOMMU_SPAPR_TCE_REMOVE	_IO(VFIO_TYPE, VFIO_BASE + 20)

#endif /* _UAPIVFIO_H */
