#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that two versions of include/uapi/linux/vfio.h define the same ABI.

Usage: uapi_check.py REFERENCE_HEADER OUR_HEADER

The reference is upstream 6.12's header.  Where this tree carries an
extension that upstream made later (ADDITIONS), the reference is first
given that extension as upstream defined it, so ours must equal upstream's
later ABI there; and every member of 6.12's structures must keep its type,
offset and size, so that 6.12's ABI is unchanged.

Compares, between the two headers:
  - the set of VFIO_* macros and enumerators;
  - the value of every one of them, computed by the compiler (ioctl numbers,
    flags, strings; function-like macros evaluated over a range of inputs);
  - the layout of every structure and union (member names, types, offsets
    and sizes, as pahole reads them from DWARF).
Exits 1 and prints the differences if there are any.
"""
import os
import re
import subprocess
import sys
import tempfile

NAME = re.compile(r'\bVFIO_\w+\b')

# Later upstream extensions this tree has: (release, what, anchor, text).
# Each text is put into the 6.12 header right after its anchor (a regular
# expression that must match exactly once), as upstream's header has it.
ADDITIONS = [
    ('6.17', 'VFIO_DEVICE_BIND_IOMMUFD: the VF token',
     r'struct vfio_device_bind_iommufd \{[^}]*__u32\s+out_devid;',
     '\n\t__aligned_u64\ttoken_uuid_ptr;'),
    ('6.17', 'VFIO_DEVICE_BIND_FLAG_TOKEN',
     r'struct vfio_device_bind_iommufd \{[^}]*\};',
     '\n#define VFIO_DEVICE_BIND_FLAG_TOKEN (1 << 0)\n'),
]


def extend(header, tmp):
    """The 6.12 header with ADDITIONS, in a file of its own."""
    with open(header) as f:
        text = f.read()
    for release, what, anchor, add in ADDITIONS:
        found = list(re.finditer(anchor, text))
        if len(found) != 1:
            sys.exit(f'uapi_check: the anchor of "{what}" ({release}) matches '
                     f'{len(found)} times in {header}')
        text = text[:found[0].end()] + add + text[found[0].end():]
    out = os.path.join(tmp, 'extended.h')
    with open(out, 'w') as f:
        f.write(text)
    return out


def members(block):
    """The member lines of a pahole block: type, name, offset and size."""
    return {' '.join(l.split()) for l in block.splitlines()[1:]
            if re.search(r'/\*\s+\d+\s+\d+\s+\*/', l)}


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def stage(header, tmp, tag):
    """Put @header where '#include <linux/vfio.h>' finds it first."""
    inc = os.path.join(tmp, tag)
    os.makedirs(os.path.join(inc, 'linux'))
    with open(header) as src, open(os.path.join(inc, 'linux', 'vfio.h'), 'w') as dst:
        dst.write(src.read())
    return ['-I', inc, '-D__user=']


def symbols(flags, tmp):
    """VFIO_* macros (name -> parameter list or None) and enumerators."""
    probe = os.path.join(tmp, 'probe.c')
    with open(probe, 'w') as f:
        f.write('#include <linux/vfio.h>\n')
    macros = {}
    for line in run(['gcc', '-dM', '-E', *flags, probe]).splitlines():
        m = re.match(r'#define (VFIO_\w+)(\([^)]*\))?', line)
        if m:
            macros[m.group(1)] = m.group(2)
    text = run(['gcc', '-E', '-P', *flags, probe])
    enums = set()
    for body in re.findall(r'enum\s*\w*\s*\{([^}]*)\}', text):
        for item in body.split(','):
            m = re.match(r'\s*(VFIO_\w+)', item)
            if m:
                enums.add(m.group(1))
    return macros, enums


def values(flags, tmp, macros, enums):
    """Every symbol's value as the compiler sees it, one line each."""
    prog = ['#include <stdio.h>', '#include <linux/vfio.h>',
            '#define P(x) _Generic((x), char *: printf("%s\\n", (char *)(uintptr_t)(x)), '
            'default: printf("%lld\\n", (long long)(uintptr_t)(x)))',
            '#include <stdint.h>', 'int main(void)', '{']
    for name in sorted(set(macros) | enums):
        params = macros.get(name)
        if params is None:
            prog.append(f'\tprintf("{name} "); P({name});')
        elif params == '()':
            prog.append(f'\tprintf("{name}() "); P({name}());')
        else:
            prog.append(f'\tfor (long long i = 0; i < 16; i++) {{ '
                        f'printf("{name}(%lld) ", i); P({name}(i)); }}')
    prog += ['\treturn 0;', '}']
    src = os.path.join(tmp, 'values.c')
    exe = os.path.join(tmp, 'values')
    with open(src, 'w') as f:
        f.write('\n'.join(prog) + '\n')
    run(['gcc', '-w', *flags, '-o', exe, src])
    return run([exe]).splitlines()


def layouts(flags, tmp, tag):
    """pahole's view of every struct and union, sorted by name."""
    src = os.path.join(tmp, 'types.c')
    obj = os.path.join(tmp, tag + '.o')
    with open(src, 'w') as f:
        f.write('#include <linux/vfio.h>\n')
    run(['gcc', '-g', '-fno-eliminate-unused-debug-types', '-c', *flags, '-o', obj, src])
    blocks = re.split(r'\n(?=(?:struct|union) )', run(['pahole', obj]))
    keep = {}
    for b in blocks:
        m = re.match(r'(struct|union) (\w+) \{', b)
        if m and (m.group(2).startswith('vfio_') or m.group(2).startswith('__vfio')):
            # drop pahole's cacheline notes, keep members, sizes and holes
            keep[m.group(2)] = '\n'.join(l for l in b.splitlines()
                                         if 'cacheline' not in l)
    return keep


def main():
    ref, ours = sys.argv[1], sys.argv[2]
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        side = {}
        # 6.12 itself: each of its structures' members stays where it is
        flags = stage(ref, tmp, 'v612')
        base = layouts(flags, tmp, 'v612')
        ref = extend(ref, tmp)
        for tag, header in (('reference', ref), ('ours', ours)):
            flags = stage(header, tmp, tag)
            macros, enums = symbols(flags, tmp)
            side[tag] = (macros, enums, values(flags, tmp, macros, enums),
                         layouts(flags, tmp, tag))
        (rm, re_, rv, rl), (om, oe, ov, ol) = side['reference'], side['ours']
        for what, a, b in (('macro', set(rm), set(om)), ('enumerator', re_, oe)):
            for n in sorted(a - b):
                print(f'missing {what}: {n}')
                bad = 1
            for n in sorted(b - a):
                print(f'extra {what}: {n}')
                bad = 1
        for n in sorted(set(rm) & set(om)):
            if rm[n] != om[n]:
                print(f'{n}: parameters {rm[n]} here, {om[n]} in ours')
                bad = 1
        for line in sorted(set(rv) ^ set(ov)):
            print(f'value differs: {line} ({"reference" if line in rv else "ours"})')
            bad = 1
        for n in sorted(set(rl) | set(ol)):
            if rl.get(n) != ol.get(n):
                print(f'layout of {n} differs:\n--- reference\n{rl.get(n)}\n--- ours\n{ol.get(n)}')
                bad = 1
        for n in sorted(base):
            gone = members(base[n]) - members(ol.get(n, ''))
            for line in sorted(gone):
                print(f'6.12 member of {n} moved or changed: {line}')
                bad = 1
        print(f'uapi: {len(rm)} macros, {len(re_)} enumerators, {len(rl)} types compared: '
              + ('DIFFERENT' if bad else 'identical')
              + f' (to 6.12 with {len(ADDITIONS)} later upstream additions; '
              + f'6.12\'s members of {len(base)} types unchanged)')
    return bad


if __name__ == '__main__':
    sys.exit(main())
