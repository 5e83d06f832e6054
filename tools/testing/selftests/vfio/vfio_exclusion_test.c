// SPDX-License-Identifier: GPL-2.0
/*
 * Group access and cdev access to the devices of one IOMMU group exclude
 * each other: an open group makes BIND_IOMMUFD fail with EBUSY, a bound
 * device makes opening its group fail with EBUSY, and there is no moment in
 * which both can succeed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "../kselftest_harness.h"
#include "vfiotest.h"

FIXTURE(excl) {
	struct vt_topology topo;
	int iommufd, fd, group;
};

FIXTURE_SETUP(excl)
{
	self->iommufd = -1;
	self->fd = -1;
	self->group = -1;
	if (!vt_have_cdev() || !vt_have_group())
		SKIP(return, "needs both CONFIG_VFIO_DEVICE_CDEV and CONFIG_VFIO_GROUP");
	if (vt_noiommu_mode())
		SKIP(return, "no-IOMMU devices have no cdev");
	ASSERT_EQ(0, vt_topology(&self->topo));
	self->iommufd = vt_iommufd_open();
	ASSERT_LE(0, self->iommufd);
	self->fd = vt_cdev_open(self->topo.solo);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(excl)
{
	if (self->group >= 0)
		close(self->group);
	if (self->fd >= 0)
		close(self->fd);
	if (self->iommufd >= 0)
		close(self->iommufd);
	if (self->topo.nic[0])
		vt_pci_bind(self->topo.nic, "e1000");
}

TEST_F(excl, open_group_blocks_bind)
{
	self->group = vt_group_open(self->topo.solo);
	ASSERT_LE(0, self->group);
	EXPECT_EQ(-EBUSY, vt_bind(self->fd, self->iommufd, NULL));
	close(self->group);
	self->group = -1;
	EXPECT_EQ(0, vt_bind(self->fd, self->iommufd, NULL));
}

TEST_F(excl, bind_blocks_group_open)
{
	ASSERT_EQ(0, vt_bind(self->fd, self->iommufd, NULL));
	EXPECT_EQ(-EBUSY, vt_group_open(self->topo.solo));
	close(self->fd);
	self->fd = -1;
	self->group = vt_group_open(self->topo.solo);
	EXPECT_LE(0, self->group);
}

/* Only a bind counts: an open, unbound cdev leaves the group alone. */
TEST_F(excl, unbound_cdev_does_not_block)
{
	self->group = vt_group_open(self->topo.solo);
	EXPECT_LE(0, self->group);
}

/* A failed bind does not leave the group blocked. */
TEST_F(excl, failed_bind_unblocks)
{
	EXPECT_EQ(-EBADF, vt_bind(self->fd, 1000, NULL));
	self->group = vt_group_open(self->topo.solo);
	EXPECT_LE(0, self->group);
}

/* A device bound through its cdev blocks its siblings' group too. */
TEST_F(excl, sibling_bind_blocks_group)
{
	int fd;

	ASSERT_EQ(0, vt_pci_bind(self->topo.nic, "vfio-pci"));
	fd = vt_cdev_open(self->topo.shared[0]);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vt_bind(fd, self->iommufd, NULL));
	EXPECT_EQ(-EBUSY, vt_group_open(self->topo.shared[1]));
	close(fd);
	self->group = vt_group_open(self->topo.shared[1]);
	EXPECT_LE(0, self->group);
}

/* A kernel driver on a sibling owns the group's DMA. */
TEST_F(excl, kernel_driver_sibling_blocks_bind)
{
	int fd;

	ASSERT_EQ(0, vt_pci_bind(self->topo.nic, "e1000"));
	fd = vt_cdev_open(self->topo.shared[0]);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EPERM, vt_bind(fd, self->iommufd, NULL));
	close(fd);
}

/* Two devices of one group cannot be bound to two different iommufds. */
TEST_F(excl, group_shares_one_iommufd)
{
	int fd0, fd1, iommufd2;

	ASSERT_EQ(0, vt_pci_bind(self->topo.nic, "vfio-pci"));
	fd0 = vt_cdev_open(self->topo.shared[0]);
	fd1 = vt_cdev_open(self->topo.shared[1]);
	ASSERT_LE(0, fd0);
	ASSERT_LE(0, fd1);
	iommufd2 = vt_iommufd_open();
	ASSERT_LE(0, iommufd2);
	ASSERT_EQ(0, vt_bind(fd0, self->iommufd, NULL));
	EXPECT_EQ(-EPERM, vt_bind(fd1, iommufd2, NULL));
	EXPECT_EQ(0, vt_bind(fd1, self->iommufd, NULL));
	close(fd0);
	close(fd1);
	close(iommufd2);
}

#define RACE_ROUNDS	60

struct race {
	const char *bdf;
	int iommufd;
	int devfd;
	pthread_barrier_t *start;
	int result;
};

static void *race_group(void *arg)
{
	struct race *r = arg;

	pthread_barrier_wait(r->start);
	r->result = vt_group_open(r->bdf);
	return NULL;
}

static void *race_bind(void *arg)
{
	struct race *r = arg;

	pthread_barrier_wait(r->start);
	r->result = vt_bind(r->devfd, r->iommufd, NULL);
	return NULL;
}

/* Racing threads: exactly one of group open and bind wins, every time. */
TEST_F_TIMEOUT(excl, race_group_open_and_bind, 300)
{
	pthread_barrier_t start;
	int i, group_won = 0, bind_won = 0;

	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, 2));
	for (i = 0; i < RACE_ROUNDS; i++) {
		struct race g = { .bdf = self->topo.solo, .start = &start };
		struct race b = { .iommufd = self->iommufd, .start = &start };
		pthread_t tg, tb;

		b.devfd = vt_cdev_open(self->topo.solo);
		ASSERT_LE(0, b.devfd);
		ASSERT_EQ(0, pthread_create(&tg, NULL, race_group, &g));
		ASSERT_EQ(0, pthread_create(&tb, NULL, race_bind, &b));
		pthread_join(tg, NULL);
		pthread_join(tb, NULL);
		if (g.result >= 0) {
			group_won++;
			EXPECT_EQ(-EBUSY, b.result);
			close(g.result);
		} else {
			EXPECT_EQ(-EBUSY, g.result);
			EXPECT_EQ(0, b.result);
			bind_won++;
		}
		close(b.devfd);
		if (_metadata->exit_code)
			break;
	}
	pthread_barrier_destroy(&start);
	TH_LOG("group open won %d times, bind won %d times", group_won, bind_won);
}

TEST_HARNESS_MAIN
