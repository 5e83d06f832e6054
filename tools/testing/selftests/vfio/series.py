#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Export this repository as a patch series and check that it applies.

    series.py REPO BASE WORK OUT

REPO is this repository, BASE the pristine linux-source-6.12 tree, WORK a
scratch directory, OUT where the patches go.  The series is described by
series.txt (next to this file).

1. WORK/src becomes a git tree of BASE with one commit, "base" (made once
   per base version; the files are hard links, and git replaces files by
   writing new ones, so BASE is never modified).
2. Branch "export": one commit per block of series.txt, made from the
   files of REPO and the diffs of REPO/patches; git format-patch writes them, with a cover letter, to OUT.
   A file that several patches build up ("part:" lines) is written at each
   patch without the parts of the patches after it.
3. Branch "verify": base plus "git am" of the patches in OUT.  Its tree
   must be the export's tree, and every file of REPO the series exports
   must be in exactly one patch.

WORK/src is left at "verify", ready to build.
"""
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# Kernel paths of this repository (the rest is the repository's own).
EXPORTED = ('drivers/', 'include/', 'tools/', 'Documentation/', 'samples/',
            'virt/', 'MAINTAINERS')


def die(msg):
    print(f'series: error: {msg}', file=sys.stderr)
    sys.exit(1)


def git(tree, *args, env=None, capture=False):
    full = dict(os.environ, **(env or {}))
    res = subprocess.run(['git', '-C', tree, *args], env=full, text=True,
                         stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    if res.returncode:
        die(f'git {" ".join(args[:3])}...: {res.stderr.strip()}')
    return res.stdout.strip() if capture else None


def parse(path):
    """The blocks of series.txt: a dict of directives and a message each."""
    blocks, cur = [], None
    with open(path) as f:
        lines = f.read().split('\n')
    for line in lines + ['---']:
        if cur is None:
            if line.startswith('#') or not line.strip():
                continue
            cur = {'files': [], 'remove': [], 'index': [], 'entry': [], 'part': [],
                   'apply': [], 'msg': []}
        if line == '---':
            if cur:
                cur['msg'] = '\n'.join(cur['msg']).strip() + '\n'
                blocks.append(cur)
            cur = None
            continue
        key, _, rest = line.partition(': ')
        if not cur['msg'] and key == 'part':
            fname, _, spec = rest.partition(' ')
            first, _, last = spec.strip().partition(' .. ')
            cur['part'].append((fname, first, last or None))
        elif not cur['msg'] and key in ('files', 'remove', 'index', 'entry', 'apply'):
            cur[key].append(rest.split())
        else:
            cur['msg'].append(line)
    return blocks


def repo_files(repo):
    out = subprocess.run(['git', '-C', repo, 'ls-files', '-co', '--exclude-standard'],
                         text=True, capture_output=True, check=True).stdout.split()
    return sorted(f for f in out if f.startswith(EXPORTED) and
                  os.path.isfile(os.path.join(repo, f)))


def diffs(repo):
    """The diffs against the base tree in patches/ (changes outside the
    files this repository carries whole)."""
    d = os.path.join(repo, 'patches')
    if not os.path.isdir(d):
        return []
    return sorted('patches/' + f for f in os.listdir(d) if f.endswith('.diff'))


def expand(repo, paths, files):
    """The repository files a "files:" line names."""
    out = []
    for p in paths:
        hits = [f for f in files if f == p or f.startswith(p.rstrip('/') + '/')]
        if not hits:
            die(f'series.txt names {p}, which is not in the repository')
        out += hits
    return out


def base_tree(base, work):
    src = os.path.join(work, 'src')
    with open(os.path.join(base, '.vmtest-version')) as f:
        version = f.read().strip()
    stamp = os.path.join(work, 'base-version')
    if os.path.exists(stamp) and open(stamp).read().strip() == version:
        return src
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    subprocess.run(['cp', '-al', base, src], check=True)
    os.unlink(os.path.join(src, '.vmtest-version'))
    git(src, 'init', '-q')
    # Debian's tarball ignores every top-level path: add with -f
    git(src, 'add', '-A', '-f')
    git(src, 'commit', '-q', '--no-verify', '-m',
        f'Linux {version} (Debian linux-source-6.12)', env=IDENTITY)
    git(src, 'tag', '-f', 'base')
    with open(stamp, 'w') as f:
        f.write(version + '\n')
    return src


def replace(src, rel, data):
    """Write a file of the tree as a new file (never through a hard link)."""
    path = os.path.join(src, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + '.series-tmp'
    with open(tmp, 'wb') as f:
        f.write(data)
    os.replace(tmp, path)


def add_index(src, fname, after, entry):
    path = os.path.join(src, fname)
    lines = open(path).read().split('\n')
    want = '   ' + after
    if want not in lines:
        die(f'{fname} has no toctree line "{want}"')
    lines.insert(lines.index(want) + 1, '   ' + entry)
    replace(src, fname, '\n'.join(lines).encode())


def add_entry(repo, src, fname, before):
    path = os.path.join(src, fname)
    lines = open(path).read().split('\n')
    if before not in lines:
        die(f'{fname} has no line "{before}"')
    ours = open(os.path.join(repo, 'MAINTAINERS')).read().rstrip('\n').split('\n')
    i = lines.index(before)
    lines[i:i] = ours + ['']
    replace(src, fname, '\n'.join(lines).encode())


def find(lines, regex, start, fname, unique=True):
    """The line at or after start that regex matches: the only one, or
    the first."""
    hits = [i for i in range(start, len(lines)) if re.search(regex, lines[i])]
    if not hits or (unique and len(hits) != 1):
        die(f'part of {fname}: /{regex}/ matches {len(hits)} lines, not one')
    return hits[0]


def part_lines(lines, fname, first, last):
    """The lines a part names: the line /first/ through the line /last/;
    without /last/, a line at the margin with the indented lines after it
    (a Kconfig entry, say, with the blank lines inside its help), or one
    indented line alone."""
    i = find(lines, first, 0, fname)
    if last:
        j = find(lines, last, i, fname, unique=False)
    elif lines[i][:1] in (' ', '\t'):
        j = i
    else:
        j = i
        while j + 1 < len(lines) and (not lines[j + 1].strip() or
                                      lines[j + 1][:1] in (' ', '\t')):
            j += 1
        while j > i and not lines[j].strip():
            j -= 1
    return set(range(i, j + 1))


def without(data, fname, parts):
    """data without the lines of parts; a blank line the removal leaves
    next to another blank line (or at the top) goes too."""
    lines = data.decode().split('\n')
    drop = set()
    for first, last in parts:
        named = part_lines(lines, fname, first, last)
        if named & drop:
            die(f'parts of {fname} overlap at /{first}/')
        drop |= named
    out = []
    for i, line in enumerate(lines):
        if i in drop:
            continue
        seam = i > 0 and i - 1 in drop
        if seam and not line.strip() and (not out or not out[-1].strip()):
            continue
        out.append(line)
    return '\n'.join(out).encode()


def export(repo, src, blocks, files, out):
    git(src, 'checkout', '-q', '-f', '-B', 'export', 'base')
    git(src, 'clean', '-q', '-f', '-d', '-x')
    used = {}
    applied = {}
    # parts[f]: (patch, first, last) of each part of f
    parts = {}
    for n, b in enumerate(blocks, 1):
        for fname, first, last in b['part']:
            parts.setdefault(fname, []).append((n, first, last))
    for n, b in enumerate(blocks, 1):
        for paths in b['files']:
            for f in expand(repo, paths, files):
                if f in used:
                    die(f'{f} is in patches {used[f]} and {n}')
                used[f] = n
        for f, fparts in parts.items():
            if f not in used or used[f] > n:
                if any(p == n for p, _, _ in fparts):
                    die(f'patch {n} adds a part of {f} before a patch adds {f}')
                continue
            if used[f] == n and any(p <= n for p, _, _ in fparts):
                die(f'a part of {f} is in the patch that adds it ({n})')
        for f in (f for f, p in used.items() if p == n or
                  (f in parts and any(q == n for q, _, _ in parts[f]))):
            with open(os.path.join(repo, f), 'rb') as fh:
                data = fh.read()
            later = [(a, z) for q, a, z in parts.get(f, []) if q > n]
            replace(src, f, without(data, f, later) if later else data)
            mode = os.stat(os.path.join(repo, f)).st_mode & 0o777
            os.chmod(os.path.join(src, f), mode)
        for paths in b['apply']:
            for d in paths:
                if d in applied:
                    die(f'{d} is in patches {applied[d]} and {n}')
                applied[d] = n
                git(src, 'apply', os.path.join(repo, d))
        for paths in b['remove']:
            for f in paths:
                if not os.path.exists(os.path.join(src, f)):
                    die(f'patch {n} removes {f}, which the base tree does not have')
                os.unlink(os.path.join(src, f))
        for fname, after, entry in b['index']:
            add_index(src, fname, after, entry)
        for args in b['entry']:
            fname, before = args[0], ' '.join(args[1:])
            add_entry(repo, src, fname, before)
            used['MAINTAINERS'] = n
        git(src, 'add', '-A', '-f')
        commit(src, b['msg'])
    missing = [f for f in files if f not in used]
    missing += [d for d in diffs(repo) if d not in applied]
    if missing:
        die('not in any patch of series.txt: ' + ' '.join(missing))
    shutil.rmtree(out, ignore_errors=True)
    git(src, 'format-patch', '-q', '--cover-letter', '-o', out, 'base..export',
        env=IDENTITY)
    cover(src, out, len(blocks))


def commit(src, msg):
    subprocess.run(['git', '-C', src, 'commit', '-q', '--no-verify', '-s', '-F', '-'],
                   input=msg, text=True, env=dict(os.environ, **IDENTITY),
                   check=True, stdout=subprocess.DEVNULL)


def cover(src, out, count):
    """Fill in the cover letter format-patch leaves blank, from
    cover-letter.txt (subject, blank line, text) and the patches' sizes."""
    with open(os.path.join(HERE, 'cover-letter.txt')) as f:
        subject, _, blurb = f.read().partition('\n\n')
    sizes = []
    revs = git(src, 'rev-list', '--reverse', 'base..export', capture=True).split()
    for n, rev in enumerate(revs, 1):
        title = git(src, 'log', '-1', '--format=%s', rev, capture=True)
        stat = git(src, 'diff', '--shortstat', rev + '^', rev, capture=True)
        plus = re.search(r'(\d+) insertion', stat)
        minus = re.search(r'(\d+) deletion', stat)
        sizes.append(f'  {n:2}/{count} +{plus.group(1) if plus else 0:<5} '
                     f'-{minus.group(1) if minus else 0:<5} {title}')
    blurb = (blurb.rstrip('\n') + '\n\n'
             f'It applies to Debian\'s linux-source-6.12 tree ({count} patches;'
             ' lines added and removed):\n\n' + '\n'.join(sizes))
    path = os.path.join(out, sorted(os.listdir(out))[0])
    text = open(path).read()
    text = text.replace('*** SUBJECT HERE ***', subject.strip())
    text = text.replace('*** BLURB HERE ***', blurb)
    with open(path, 'w') as f:
        f.write(text)


def verify(src, out):
    git(src, 'checkout', '-q', '-f', '-B', 'verify', 'base')
    git(src, 'clean', '-q', '-f', '-d', '-x')
    patches = sorted(os.path.join(out, p) for p in os.listdir(out)
                     if p.endswith('.patch') and not p.startswith('0000-'))
    res = subprocess.run(['git', '-C', src, 'am', '-q', *patches], text=True,
                         env=dict(os.environ, **IDENTITY), capture_output=True)
    if res.returncode:
        subprocess.run(['git', '-C', src, 'am', '--abort'], capture_output=True)
        die('git am failed: ' + (res.stderr or res.stdout).strip())
    a = git(src, 'rev-parse', 'verify^{tree}', capture=True)
    b = git(src, 'rev-parse', 'export^{tree}', capture=True)
    if a != b:
        die('the applied series differs from the exported tree')
    return patches


def main():
    if len(sys.argv) != 5:
        die(__doc__.strip().split('\n')[2].strip())
    repo, base, work, out = (os.path.abspath(a) for a in sys.argv[1:])
    global IDENTITY
    name = subprocess.run(['git', '-C', repo, 'log', '-1', '--format=%an'],
                          text=True, capture_output=True).stdout.strip() or 'VFIO Dev'
    mail = subprocess.run(['git', '-C', repo, 'log', '-1', '--format=%ae'],
                          text=True, capture_output=True).stdout.strip() or 'vfio-dev@example.org'
    date = subprocess.run(['git', '-C', repo, 'log', '-1', '--format=%aD'],
                          text=True, capture_output=True).stdout.strip() or 'Thu, 1 Jan 2026 00:00:00 +0000'
    IDENTITY = {'GIT_AUTHOR_NAME': name, 'GIT_AUTHOR_EMAIL': mail,
                'GIT_COMMITTER_NAME': name, 'GIT_COMMITTER_EMAIL': mail,
                'GIT_AUTHOR_DATE': date, 'GIT_COMMITTER_DATE': date}
    blocks = parse(os.path.join(HERE, 'series.txt'))
    files = repo_files(repo)
    src = base_tree(base, work)
    export(repo, src, blocks, files, out)
    patches = verify(src, out)
    print(f'series: {len(patches)} patches in {out}, applied with git am to the '
          f'pristine tree: identical to the exported tree')


IDENTITY = {}

if __name__ == '__main__':
    main()
