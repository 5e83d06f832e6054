// SPDX-License-Identifier: GPL-2.0
/*
 * A real userspace driver: DPDK's testpmd (Debian's 22.11) drives the
 * e1000 through vfio-pci and the legacy interface, as DPDK does by
 * default: the group of the bridge, the container, TYPE1, MAP_DMA of its
 * memory, GET_DEVICE_FD, the BARs by mmap, interrupts by eventfd.
 *
 * The proof that DMA works is the NIC's own count: after testpmd queues a
 * burst, the e1000's good-packets-transmitted counter, which the device
 * raises only after reading each descriptor and packet from memory
 * through the IOMMU, must have moved.
 *
 * vmtest.sh stages testpmd and its libraries under /dpdk in the guest
 * image of the IOMMU boots; without them the tests SKIP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "../kselftest_harness.h"
#include "vfiotest.h"

#define TESTPMD		"/dpdk/bin/dpdk-testpmd"
#define PROMPT		"testpmd> "
#define WAIT_S		240

static char *const testpmd_env[] = {
	"LD_LIBRARY_PATH=/dpdk/lib", "PATH=/bin:/usr/bin", NULL
};

/* The number after @key in what testpmd printed since @from, or -1. */
static long testpmd_value(struct vt_proc *p, size_t from, const char *key)
{
	char *at = strstr(p->log + from, key);

	return at ? strtol(at + strlen(key), NULL, 10) : -1;
}

FIXTURE(dpdk) {
	struct vt_topology topo;
	struct vt_proc pmd;
	bool running;
};

FIXTURE_SETUP(dpdk)
{
	char *const argv[] = {
		TESTPMD, "-l", "0-1", "-n", "1", "--no-huge", "-m", "64",
		"--iova-mode=va", "--no-telemetry",
		"-d", "/dpdk/pmds/librte_mempool_ring.so.23",
		"-d", "/dpdk/pmds/librte_net_e1000.so.23",
		"-a", self->topo.nic, "--",
		"-i", "--total-num-mbufs=2048", NULL
	};

	self->running = false;
	if (access(TESTPMD, X_OK))
		SKIP(return, "testpmd is not in this guest image");
	if (vt_no_group())
		SKIP(return, "DPDK 22.11 uses the legacy interface: %s", vt_no_group());
	if (vt_noiommu_mode())
		SKIP(return, "the no-IOMMU boot has no IOMMU to test DMA through");
	ASSERT_EQ(0, vt_topology(&self->topo));
	/* the EAL keeps its runtime files there */
	mkdir("/var", 0755);
	mkdir("/var/run", 0755);
	/* the whole group must be VFIO's: the edus are, the e1000 joins */
	ASSERT_EQ(0, vt_pci_bind(self->topo.nic, "vfio-pci"));
	ASSERT_EQ(0, vt_proc_start(&self->pmd, argv, testpmd_env));
	self->running = true;
}

FIXTURE_TEARDOWN(dpdk)
{
	if (self->running)
		vt_proc_kill(&self->pmd);
	if (self->topo.nic[0])
		vt_pci_bind(self->topo.nic, "e1000");
}

/*
 * lsvfio sees testpmd hold the NIC's group node and a device file from it
 * (which only a core whose fdinfo names the device can tell), in use
 * through the group.
 */
static void expect_lsvfio(struct __test_metadata *_metadata, const char *bdf,
			  pid_t pmd)
{
	char entry[8192];

	ASSERT_EQ(0, vt_lsvfio(bdf, entry, sizeof(entry)));
	EXPECT_TRUE(vt_lsvfio_holder(entry, pmd, "group", "null"));
	if (vt_ours()) {
		EXPECT_TRUE(vt_lsvfio_holder(entry, pmd, "device", "true"));
		EXPECT_NE(NULL, strstr(entry, "\"bound\": \"group\""));
	}
	if (_metadata->exit_code != KSFT_PASS)
		fprintf(stderr, "# lsvfio: %s\n", entry);
}

/*
 * testpmd's answers are printed through stdio, which is buffered on a
 * pipe: they come out at exit, after the prompts.  So the commands are
 * sent one by one, each when the prompt is back, and the answers are read
 * from the whole output at the end.
 */
TEST_F_TIMEOUT(dpdk, testpmd_transmits, 3 * WAIT_S)
{
	static const char * const cmds[] = {
		"show port info 0\n", "start tx_first\n", NULL,
		"show port stats 0\n", "stop\n",
	};
	struct vt_proc *p = &self->pmd;
	bool up;
	char *nic;
	long sent = -1;
	unsigned int i;

	up = vt_proc_expect(p, 0, PROMPT, WAIT_S);
	if (up)
		expect_lsvfio(_metadata, self->topo.nic, p->pid);
	for (i = 0; up && i < ARRAY_SIZE(cmds); i++) {
		if (!cmds[i])
			sleep(2);	/* let the NIC work through the burst */
		else
			up = vt_proc_command(p, cmds[i], PROMPT, WAIT_S);
	}
	EXPECT_TRUE(up);
	self->running = false;
	EXPECT_EQ(0, vt_proc_finish(p, "quit\n", WAIT_S));

	EXPECT_NE(NULL, strstr(p->log, "Driver name: net_e1000_em"));
	/* the NIC's counters, read from its registers */
	nic = strstr(p->log, "NIC statistics for port 0");
	if (nic)
		sent = testpmd_value(p, nic - p->log, "TX-packets:");
	/* the first burst, read from memory by the NIC itself */
	EXPECT_LT(0, sent);
	if (_metadata->exit_code != KSFT_PASS)
		vt_proc_dump(p, "testpmd");
	else
		fprintf(stderr, "# the e1000 transmitted %ld packets\n", sent);
}

TEST_HARNESS_MAIN
