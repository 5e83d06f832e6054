// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO core: eventfds that run a driver's handler when signalled.
 *
 * Userspace hands a driver an eventfd (for example to unmask an INTx
 * interrupt).  Each signal runs the driver's handler in the waker's atomic
 * context and, if it asks for more or has no handler, the driver's thread
 * function from a workqueue.  The driver holds its virqfd through a
 * pointer; that pointer is cleared, under vfio_virqfd_lock, whenever the
 * virqfd is shut down, by the driver or by the eventfd going away.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vfio.h>

#include "vfio.h"

static struct workqueue_struct *vfio_virqfd_wq;
static DEFINE_SPINLOCK(vfio_virqfd_lock);

int vfio_virqfd_init(void)
{
	vfio_virqfd_wq = create_singlethread_workqueue("vfio-irqfd-cleanup");
	return vfio_virqfd_wq ? 0 : -ENOMEM;
}

void vfio_virqfd_exit(void)
{
	destroy_workqueue(vfio_virqfd_wq);
}

/* A signal: the handler now, the thread later if called for. */
static void virqfd_fire(struct virqfd *virqfd)
{
	bool more = !virqfd->handler ||
		    virqfd->handler(virqfd->opaque, virqfd->data);

	if (more && virqfd->thread)
		schedule_work(&virqfd->inject);
}

/* Under vfio_virqfd_lock: take the virqfd from its owner and free it. */
static void virqfd_unhook(struct virqfd *virqfd)
{
	lockdep_assert_held(&vfio_virqfd_lock);
	*virqfd->pvirqfd = NULL;
	queue_work(vfio_virqfd_wq, &virqfd->shutdown);
}

static int virqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			 int sync, void *key)
{
	struct virqfd *virqfd = container_of(wait, struct virqfd, wait);
	__poll_t events = key_to_poll(key);
	unsigned long flags;
	u64 count;

	if (events & EPOLLIN) {
		eventfd_ctx_do_read(virqfd->eventfd, &count);
		virqfd_fire(virqfd);
	}
	if (events & EPOLLHUP) {
		/* the eventfd is closing; the owner may have moved on already */
		spin_lock_irqsave(&vfio_virqfd_lock, flags);
		if (*virqfd->pvirqfd == virqfd)
			virqfd_unhook(virqfd);
		spin_unlock_irqrestore(&vfio_virqfd_lock, flags);
	}
	return 0;
}

static void virqfd_queue_proc(struct file *file, wait_queue_head_t *wqh,
			      poll_table *pt)
{
	struct virqfd *virqfd = container_of(pt, struct virqfd, pt);

	add_wait_queue(wqh, &virqfd->wait);
}

static void virqfd_shutdown(struct work_struct *work)
{
	struct virqfd *virqfd = container_of(work, struct virqfd, shutdown);
	u64 count;

	eventfd_ctx_remove_wait_queue(virqfd->eventfd, &virqfd->wait, &count);
	flush_work(&virqfd->inject);
	eventfd_ctx_put(virqfd->eventfd);
	kfree(virqfd);
}

static void virqfd_inject(struct work_struct *work)
{
	struct virqfd *virqfd = container_of(work, struct virqfd, inject);

	virqfd->thread(virqfd->opaque, virqfd->data);
}

static void virqfd_flush_inject(struct work_struct *work)
{
	struct virqfd *virqfd = container_of(work, struct virqfd, flush_inject);

	flush_work(&virqfd->inject);
}

static struct virqfd *virqfd_new(void *opaque, int (*handler)(void *, void *),
				 void (*thread)(void *, void *), void *data,
				 struct virqfd **pvirqfd)
{
	struct virqfd *virqfd = kzalloc(sizeof(*virqfd), GFP_KERNEL_ACCOUNT);

	if (!virqfd)
		return NULL;
	*virqfd = (struct virqfd) {
		.opaque = opaque, .handler = handler, .thread = thread,
		.data = data, .pvirqfd = pvirqfd,
	};
	INIT_WORK(&virqfd->shutdown, virqfd_shutdown);
	INIT_WORK(&virqfd->inject, virqfd_inject);
	INIT_WORK(&virqfd->flush_inject, virqfd_flush_inject);
	init_waitqueue_func_entry(&virqfd->wait, virqfd_wakeup);
	init_poll_funcptr(&virqfd->pt, virqfd_queue_proc);
	return virqfd;
}

/* Become the owner's virqfd, unless it has one already. */
static bool virqfd_claim(struct virqfd *virqfd)
{
	bool vacant;

	spin_lock_irq(&vfio_virqfd_lock);
	vacant = !*virqfd->pvirqfd;
	if (vacant)
		*virqfd->pvirqfd = virqfd;
	spin_unlock_irq(&vfio_virqfd_lock);
	return vacant;
}

/**
 * vfio_virqfd_enable - run a handler on every signal of an eventfd
 * @opaque: the handlers' first argument
 * @handler: runs in atomic context on each signal; returns non-zero to have
 *	@thread run too.  May be NULL
 * @thread: runs from a workqueue.  May be NULL
 * @data: the handlers' second argument
 * @pvirqfd: where the driver keeps the virqfd; must be NULL
 * @fd: the eventfd
 *
 * A signal already pending on the eventfd counts as the first one.
 *
 * Return: 0; -EBUSY if @pvirqfd is in use; -EBADF or -EINVAL for a bad @fd;
 * -ENOMEM.
 */
int vfio_virqfd_enable(void *opaque, int (*handler)(void *, void *),
		       void (*thread)(void *, void *), void *data,
		       struct virqfd **pvirqfd, int fd)
{
	CLASS(fd, f)(fd);
	struct virqfd *virqfd;
	int ret;

	if (!fd_file(f))
		return -EBADF;
	virqfd = virqfd_new(opaque, handler, thread, data, pvirqfd);
	if (!virqfd)
		return -ENOMEM;
	virqfd->eventfd = eventfd_ctx_fileget(fd_file(f));
	if (IS_ERR(virqfd->eventfd)) {
		ret = PTR_ERR(virqfd->eventfd);
		goto err_free;
	}
	if (!virqfd_claim(virqfd)) {
		ret = -EBUSY;
		goto err_put_eventfd;
	}
	/* from here on every signal wakes us; one sent before counts too */
	if (vfs_poll(fd_file(f), &virqfd->pt) & EPOLLIN)
		virqfd_fire(virqfd);
	return 0;

err_put_eventfd:
	eventfd_ctx_put(virqfd->eventfd);
err_free:
	kfree(virqfd);
	return ret;
}
EXPORT_SYMBOL_GPL(vfio_virqfd_enable);

/**
 * vfio_virqfd_disable - stop a virqfd and wait until it is gone
 * @pvirqfd: the driver's pointer to it; may already be NULL
 */
void vfio_virqfd_disable(struct virqfd **pvirqfd)
{
	unsigned long flags;

	spin_lock_irqsave(&vfio_virqfd_lock, flags);
	if (*pvirqfd)
		virqfd_unhook(*pvirqfd);
	spin_unlock_irqrestore(&vfio_virqfd_lock, flags);

	/* also waits for a shutdown an EPOLLHUP may have queued */
	flush_workqueue(vfio_virqfd_wq);
}
EXPORT_SYMBOL_GPL(vfio_virqfd_disable);

/**
 * vfio_virqfd_flush_thread - wait for a virqfd's thread function to finish
 * @pvirqfd: the driver's pointer to the virqfd; may be NULL
 */
void vfio_virqfd_flush_thread(struct virqfd **pvirqfd)
{
	unsigned long flags;

	spin_lock_irqsave(&vfio_virqfd_lock, flags);
	if (*pvirqfd && (*pvirqfd)->thread)
		queue_work(vfio_virqfd_wq, &(*pvirqfd)->flush_inject);
	spin_unlock_irqrestore(&vfio_virqfd_lock, flags);

	flush_workqueue(vfio_virqfd_wq);
}
EXPORT_SYMBOL_GPL(vfio_virqfd_flush_thread);
