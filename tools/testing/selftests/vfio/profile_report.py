#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench-profile's report: where one operation's kernel instructions go,
per kernel function, on each side, side by side.

Usage: profile_report.py [-n ROWS] SIDE=PROFILE,SYSTEM_MAP,TAP ...

PROFILE is bench/insn_profile.c's output of one boot (instructions per
translation block inside vfio_bench's windows), SYSTEM_MAP that kernel's
System.map, TAP the boot's vfio_bench output, whose "# profile:" line says
how many operations the windows held.  Blocks are charged to the function
whose text they start in; addresses outside the kernel image (modules) are
summed as "[modules]".  Prints instructions per operation for each function,
the difference ours - upstream, largest differences first.
"""
import bisect
import sys


def symbols(path):
    addrs, names = [], []
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) == 3 and w[1] in 'tTwW':
                addrs.append(int(w[0], 16))
                names.append(w[2])
    pairs = sorted(zip(addrs, names))
    return [a for a, _ in pairs], [n for _, n in pairs]


def load(spec):
    prof, smap, tap = spec.split(',')
    addrs, names = symbols(smap)
    end = addrs[-1] if addrs else 0
    ops = 0
    with open(tap, errors='replace') as f:
        for line in f:
            if line.startswith('# profile: '):
                ops = int(line.split()[3])
    if not ops:
        sys.exit('%s: no "# profile:" line with operations' % tap)
    funcs, windows = {}, 0
    with open(prof) as f:
        for line in f:
            if line.startswith('# windows'):
                windows = int(line.split()[2])
                continue
            a, n = line.split()
            a, n = int(a, 16), int(n)
            i = bisect.bisect_right(addrs, a) - 1
            name = names[i] if 0 <= i and a <= end else '[modules]'
            funcs[name] = funcs.get(name, 0) + n
    return {k: v / ops for k, v in funcs.items()}, ops, windows


def main(argv):
    rows = 40
    sides = {}
    args = iter(argv)
    for a in args:
        if a == '-n':
            rows = int(next(args))
        elif '=' in a:
            side, spec = a.split('=', 1)
            sides[side] = load(spec)
        else:
            sys.exit(__doc__)
    if set(sides) != {'upstream', 'ours'}:
        sys.exit(__doc__)
    up, ours = sides['upstream'][0], sides['ours'][0]
    for s in ('upstream', 'ours'):
        f, ops, win = sides[s]
        print('# %s: %d operations in %d windows, %.1f kernel instructions each'
              % (s, ops, win, sum(f.values())))
    names = set(up) | set(ours)
    diff = sorted(names, key=lambda k: (-abs(ours.get(k, 0) - up.get(k, 0)), k))
    print('%-44s %12s %12s %10s' % ('function', 'upstream', 'ours', 'ours-up'))
    for k in diff[:rows]:
        u, o = up.get(k, 0), ours.get(k, 0)
        print('%-44s %12.1f %12.1f %+10.1f' % (k[:44], u, o, o - u))
    u, o = sum(up.values()), sum(ours.values())
    print('%-44s %12.1f %12.1f %+10.1f' % ('total', u, o, o - u))


if __name__ == '__main__':
    main(sys.argv[1:])
