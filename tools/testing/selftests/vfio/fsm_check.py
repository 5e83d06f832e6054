#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check our migration state machine against a reference implementation.

Usage: fsm_check.py REFERENCE_VFIO_MAIN_C OUR_HELPERS_C UAPI_INCLUDE_DIR

Both vfio_mig_get_next_state() implementations are compiled in userspace
with the few kernel definitions they need, and asked for the next state of
every (migration flags, current state, requested state) combination.  Any
difference in the return value or the next state fails.
"""
import os
import subprocess
import sys
import tempfile

PRELUDE = '''#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
typedef uint8_t u8;
typedef uint32_t u32;
#define __user
#define WARN_ON(x) (x)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define EXPORT_SYMBOL_GPL(x)
#include <linux/vfio.h>
struct vfio_device { u32 migration_flags; };
'''

MAIN = '''
int main(void)
{
	int n = 0, bad = 0;

	for (u32 flags = 0; flags < 8; flags++)
		for (int cur = 0; cur <= VFIO_DEVICE_STATE_NR; cur++)
			for (int want = 0; want <= VFIO_DEVICE_STATE_NR; want++) {
				struct vfio_device d = { .migration_flags = flags };
				enum vfio_device_mig_state a = 99, b = 99;
				int ra = ref_next(&d, cur, want, &a);
				int rb = vfio_mig_get_next_state(&d, cur, want, &b);

				n++;
				if (ra == rb && a == b)
					continue;
				bad++;
				printf("flags %u, %d -> %d: reference %d/%d, ours %d/%d\\n",
				       flags, cur, want, ra, a, rb, b);
			}
	printf("fsm: %d cases, %d differ\\n", n, bad);
	return !!bad;
}
'''


def extract(path, start, end):
    src = open(path).read()
    a = src.index(start)
    b = src.index(end, a)
    return src[a:b]


def main():
    ref_c, ours_c, uapi = sys.argv[1:4]
    ref = extract(ref_c, 'int vfio_mig_get_next_state(',
                  'EXPORT_SYMBOL_GPL(vfio_mig_get_next_state)')
    ref = ref.replace('int vfio_mig_get_next_state(', 'static int ref_next(', 1)
    ours = extract(ours_c, '#define MIG_STATES',
                   'EXPORT_SYMBOL_GPL(vfio_mig_get_next_state)')
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, 'fsm.c')
        exe = os.path.join(tmp, 'fsm')
        with open(src, 'w') as f:
            f.write(PRELUDE + ref + '\n' + ours + '\n' + MAIN)
        subprocess.run(['gcc', '-w', '-I', uapi, '-o', exe, src], check=True)
        return subprocess.run([exe]).returncode


if __name__ == '__main__':
    sys.exit(main())
