#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Make one mutant of each selftest: a copy of its program in which the last
assertion that always runs in the test's body is inverted (EQ<->NE, LT<->GE,
LE<->GT, TRUE<->FALSE, STREQ<->STRNE).  vmtest.sh runs every mutant on the
one test it targets; a test whose mutant still passes proves nothing and is
reported as such.

Usage: mutate.py SRCDIR OUTDIR
Writes OUTDIR/<prog>.m<N>.c and OUTDIR/mutants.list, one
"<prog>.m<N> <test name> <file>:<line>" per line.
"""
import os
import re
import sys

FLIP = {
    'EQ': 'NE', 'NE': 'EQ', 'LT': 'GE', 'GE': 'LT', 'LE': 'GT', 'GT': 'LE',
    'TRUE': 'FALSE', 'FALSE': 'TRUE', 'STREQ': 'STRNE', 'STRNE': 'STREQ',
}
TEST_RE = re.compile(r'^(TEST|TEST_F|TEST_F_TIMEOUT)\(([^)]*)\)\s*\n\{', re.M)
ASSERT_RE = re.compile(r'\b(EXPECT|ASSERT)_(EQ|NE|LT|LE|GT|GE|TRUE|FALSE|STREQ|STRNE)\(')


def body_end(src, start):
    """Index of the brace closing the block that opens at src[start]."""
    depth = 0
    for i in range(start, len(src)):
        if src[i] == '{':
            depth += 1
        elif src[i] == '}':
            depth -= 1
            if depth == 0:
                return i
    raise ValueError('unbalanced braces')


def pick(src, start, end):
    """The last assertion at the top level of the body, else the last one."""
    best_top = best_any = None
    for m in ASSERT_RE.finditer(src, start, end):
        depth = src.count('{', start, m.start()) - src.count('}', start, m.start())
        best_any = m
        if depth == 1:
            best_top = m
    return best_top or best_any


def main():
    srcdir, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    lines = []
    for name in sorted(os.listdir(srcdir)):
        if not re.match(r'vfio_.*_test\.c$', name):
            continue
        prog = name[:-2]
        src = open(os.path.join(srcdir, name)).read()
        for n, t in enumerate(TEST_RE.finditer(src)):
            args = [a.strip() for a in t.group(2).split(',')]
            test = args[0] if t.group(1) == 'TEST' else args[1]
            start = t.end() - 1
            m = pick(src, start, body_end(src, start))
            if not m:
                print(f'{name}: {test}: no assertion to invert', file=sys.stderr)
                continue
            mutant = src[:m.start(2)] + FLIP[m.group(2)] + src[m.end(2):]
            line = src.count('\n', 0, m.start()) + 1
            out = f'{prog}.m{n}'
            with open(os.path.join(outdir, out + '.c'), 'w') as f:
                f.write(f'#line 1 "{name}"\n' + mutant)
            lines.append(f'{out} {test} {name}:{line}')
    with open(os.path.join(outdir, 'mutants.list'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print(f'{len(lines)} mutants')


if __name__ == '__main__':
    main()
