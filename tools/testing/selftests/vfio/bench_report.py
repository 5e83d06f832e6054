#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench's report: vfio_bench's numbers of each side, side by side.

Usage: bench_report.py --out DIR SIDE=TAP [SIDE=TAP ...]

Each SIDE=TAP is one boot's TAP output (vfio_bench's "# bench:" and
"# reg:" lines); a side given twice is two boots of it, whose agreement is
reported.  Sides are shown in the order upstream, ours.  Prints the table
of operations (median guest nanoseconds, which under -icount are guest
instructions), the ratio ours/upstream, the ratio of the device ioctls to
the ENOTTY floor, the registration scaling, and writes the scaling plot to
DIR/registration.png (gnuplot) with its data in DIR/registration.dat.
"""
import os
import subprocess
import sys

FLOOR = 'floor.dev_null_unknown_ioctl'
# the ioctls whose cost is mostly dispatch: shown against the floor
DISPATCH = ('unknown_ioctl', 'get_info', 'get_region_info', 'get_irq_info',
            'feature_probe', 'type1_get_info', 'hot_reset_info')


def parse(path):
    ops, reg, order, slab = {}, {}, [], {}
    with open(path, errors='replace') as f:
        for line in f:
            w = line.split()
            if line.startswith('# bench: ') and len(w) == 6:
                ops[w[2]] = int(w[3])
                order.append(w[2])
            elif line.startswith('# reg: ') and len(w) in (8, 9):
                reg[int(w[2])] = [int(x) for x in w[3:]]
            elif line.startswith('# regslab: ') and len(w) == 6:
                slab.setdefault(int(w[2]), {})[w[3]] = (int(w[4]), int(w[5]))
    return ops, reg, order, slab


def slab_report(slabs):
    """The caches whose objects a registration changed differently."""
    if set(slabs) != {'upstream', 'ours'}:
        return
    up, ours = slabs['upstream'], slabs['ours']
    print('slab objects the registration of N devices left, by cache: the '
          'caches where the sides differ')
    for n in sorted(set(up) & set(ours)):
        diff = []
        for c in sorted(set(up[n]) | set(ours[n])):
            u, o = up[n].get(c, (0, 0)), ours[n].get(c, (0, 0))
            if u[0] != o[0]:
                diff.append('%s %+d -> %+d x %d B' % (c, u[0], o[0],
                                                       u[1] or o[1]))
        same = len(set(up[n]) & set(ours[n])) - len(diff)
        print('%6d: %d caches changed alike; %s' %
              (n, max(same, 0), '; '.join(diff) if diff else 'no other'))


def ratio(a, b):
    return '%.3f' % (a / b) if b else '-'


def main(argv):
    out = None
    runs = {}
    args = iter(argv)
    for a in args:
        if a == '--out':
            out = next(args)
        elif '=' in a:
            side, path = a.split('=', 1)
            runs.setdefault(side, []).append(parse(path))
        else:
            sys.exit(__doc__)
    if not out or not runs:
        sys.exit(__doc__)
    sides = [s for s in ('upstream', 'ours') if s in runs] + \
        [s for s in runs if s not in ('upstream', 'ours')]
    order = []
    for s in sides:
        for name in runs[s][0][2]:
            if name not in order:
                order.append(name)
    if not order:
        sys.exit('bench_report: no "# bench:" lines')

    first = {s: runs[s][0][0] for s in sides}
    head = ['operation'] + sides
    if len(sides) == 2:
        head += ['%s/%s' % (sides[1], sides[0])]
    head += ['%s/floor' % s for s in sides]
    rows = []
    for name in order:
        row = [name] + [str(first[s].get(name, '-')) for s in sides]
        if len(sides) == 2:
            a, b = first[sides[0]].get(name), first[sides[1]].get(name)
            row.append(ratio(b, a) if a and b else '-')
        for s in sides:
            v, fl = first[s].get(name), first[s].get(FLOOR)
            disp = name.rsplit('.', 1)[-1] in DISPATCH
            row.append(ratio(v, fl) if disp and v and fl else '')
        rows.append(row)
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    fmt = '  '.join(('%%-%ds' if i == 0 else '%%%ds') % w
                    for i, w in enumerate(widths))
    print('guest ns per operation (= guest instructions under -icount), '
          'median of the repetitions')
    print(fmt % tuple(head))
    for r in rows:
        print(fmt % tuple(r))

    if len(sides) == 2:
        worse = [r[0] for r in rows
                 if first[sides[0]].get(r[0]) and first[sides[1]].get(r[0]) and
                 first[sides[1]][r[0]] > first[sides[0]][r[0]]]
        print('%s above %s: %s' % (sides[1], sides[0],
                                   ', '.join(worse) if worse else 'none'))
    for s in sides:
        if len(runs[s]) < 2:
            continue
        a, b = runs[s][0][0], runs[s][1][0]
        worst, same, n = (0.0, None), 0, 0
        for name in a:
            if name not in b or not a[name]:
                continue
            n += 1
            d = abs(b[name] - a[name]) / a[name]
            same += b[name] == a[name]
            if d >= worst[0]:
                worst = (d, name)
        if same == n:
            print('%s: two runs: all %d operations identical' % (s, n))
        else:
            print('%s: two runs: %d of %d operations identical, the others '
                  'within %.3f%% (worst: %s)' % (s, same, n, 100 * worst[0],
                                                 worst[1]))

    regs = {s: runs[s][0][1] for s in sides if runs[s][0][1]}
    if not regs:
        return 0
    counts = sorted(set(n for r in regs.values() for n in r))
    print()
    print('registration of N emulated devices: ns per registration and per '
          'unregistration, slab and page bytes per registered device (pages '
          'of the slab and page counters; bytes of live slab objects), ns per '
          'bare parent device')
    cols = ['devices']
    whats = ('reg ns', 'unreg ns', 'slab B', 'pages B', 'parent ns', 'objects B')
    for what in whats:
        cols += ['%s %s' % (s, what) for s in regs]
    table = [cols]
    for n in counts:
        row = [str(n)]
        for i in range(len(whats)):
            row += [str(regs[s][n][i]) if n in regs[s] and
                    i < len(regs[s][n]) else '-' for s in regs]
        table.append(row)
    widths = [max(len(r[i]) for r in table) for i in range(len(cols))]
    for r in table:
        print('  '.join(c.rjust(w) for c, w in zip(r, widths)))
    for s in regs:
        r = regs[s]
        lo, hi = min(r), max(r)
        print('%s: registration at %d devices / at %d: %s; a bare parent '
              'device_add() (the driver core alone): %s, %+d ns' %
              (s, hi, lo, ratio(r[hi][0], r[lo][0]), ratio(r[hi][4], r[lo][4]),
               r[hi][4] - r[lo][4]))

    slab_report({s: runs[s][0][3] for s in sides if runs[s][0][3]})

    os.makedirs(out, exist_ok=True)
    dat = os.path.join(out, 'registration.dat')
    with open(dat, 'w') as f:
        f.write('# devices ' + ' '.join('%s_reg_ns' % s for s in regs) + '\n')
        for n in counts:
            f.write('%d %s\n' % (n, ' '.join(str(regs[s][n][0]) if n in regs[s]
                                              else 'NaN' for s in regs)))
    png = os.path.join(out, 'registration.png')
    plots = ', '.join("'%s' using 1:%d with linespoints title '%s'" %
                      (dat, i + 2, s) for i, s in enumerate(regs))
    script = ("set terminal png size 800,500\n"
              "set output '%s'\n"
              "set logscale x 2\n"
              "set xlabel 'registered devices'\n"
              "set ylabel 'guest ns (instructions) per registration'\n"
              "set yrange [0:*]\n"
              "set key bottom right\n"
              "set title 'VFIO device registration at scale'\n"
              "plot %s\n" % (png, plots))
    try:
        subprocess.run(['gnuplot'], input=script, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit('bench_report: gnuplot failed: %s' % e)
    print('plot: %s' % png)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
