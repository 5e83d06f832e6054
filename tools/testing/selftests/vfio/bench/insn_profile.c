// SPDX-License-Identifier: GPL-2.0
/*
 * A QEMU TCG plugin for make bench-profile: counts the guest kernel's
 * instructions per translation block while a window is open, so that the
 * host can sum them per kernel function (System.map) and put two kernels'
 * profiles of one operation side by side.
 *
 * The guest opens and closes the window itself: every execution of the
 * kernel function at mark=<address> (vfio_bench's marker system call)
 * toggles it.  Counts are exact: a block's instructions are added each time
 * it runs, which is what -icount charges for it.
 *
 *   -plugin insn_profile.so,mark=0xffffffff81234560,out=profile.txt
 *
 * The output has one line per block that ran inside a window,
 * "<address> <instructions>", after a "# windows <n>" line.
 *
 * The few declarations of QEMU's plugin interface it needs are in
 * qemu_plugin_api.h, so that building it needs no QEMU headers.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin_api.h"

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* one translation of a block; a block translated again gets another */
struct block {
	uint64_t vaddr;
	uint64_t insns;
	uint64_t runs;
	struct block *next;
};

static struct block *blocks;
static uint64_t mark;
static const char *out_path = "insn_profile.txt";
static uint64_t windows;
static bool open_window;

/* kernel text: the upper half of the address space */
static bool kernel(uint64_t vaddr)
{
	return vaddr >> 63;
}

static void block_ran(unsigned int vcpu, void *udata)
{
	struct block *b = udata;

	(void)vcpu;
	if (b->vaddr == mark) {
		open_window = !open_window;
		windows += open_window;
		return;
	}
	if (open_window)
		b->runs++;
}

static void translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	struct block *b;

	(void)id;
	if (!kernel(qemu_plugin_tb_vaddr(tb)))
		return;
	b = calloc(1, sizeof(*b));
	if (!b)
		abort();
	b->vaddr = qemu_plugin_tb_vaddr(tb);
	b->insns = qemu_plugin_tb_n_insns(tb);
	b->next = blocks;
	blocks = b;
	qemu_plugin_register_vcpu_tb_exec_cb(tb, block_ran, 0, b);
}

static void done(qemu_plugin_id_t id, void *udata)
{
	struct block *b;
	FILE *f;

	(void)id;
	(void)udata;
	f = fopen(out_path, "w");
	if (!f) {
		perror(out_path);
		return;
	}
	fprintf(f, "# windows %llu\n", (unsigned long long)windows);
	for (b = blocks; b; b = b->next)
		if (b->runs)
			fprintf(f, "%llx %llu\n", (unsigned long long)b->vaddr,
				(unsigned long long)(b->runs * b->insns));
	fclose(f);
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info,
			int argc, char **argv)
{
	int i;

	(void)info;
	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "mark=", 5))
			mark = strtoull(argv[i] + 5, NULL, 0);
		else if (!strncmp(argv[i], "out=", 4))
			out_path = strdup(argv[i] + 4);
		else
			return -1;
	}
	if (!mark)
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
	qemu_plugin_register_atexit_cb(id, done, NULL);
	return 0;
}
