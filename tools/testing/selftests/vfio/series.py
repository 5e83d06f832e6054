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
   files of REPO; git format-patch writes them, with a cover letter, to OUT.
3. Branch "verify": base plus "git am" of the patches in OUT.  Its tree
   must be the export's tree, and every file of REPO the series exports
   must be in exactly one patch.

WORK/src is left at "verify", ready to build.
"""
import os
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
            cur = {'files': [], 'remove': [], 'index': [], 'entry': [], 'msg': []}
        if line == '---':
            if cur:
                cur['msg'] = '\n'.join(cur['msg']).strip() + '\n'
                blocks.append(cur)
            cur = None
            continue
        key, _, rest = line.partition(': ')
        if not cur['msg'] and key in ('files', 'remove', 'index', 'entry'):
            cur[key].append(rest.split())
        else:
            cur['msg'].append(line)
    return blocks


def repo_files(repo):
    out = subprocess.run(['git', '-C', repo, 'ls-files', '-co', '--exclude-standard'],
                         text=True, capture_output=True, check=True).stdout.split()
    return sorted(f for f in out if f.startswith(EXPORTED) and
                  os.path.isfile(os.path.join(repo, f)))


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


def export(repo, src, blocks, files, out):
    git(src, 'checkout', '-q', '-f', '-B', 'export', 'base')
    git(src, 'clean', '-q', '-f', '-d', '-x')
    used = {}
    for n, b in enumerate(blocks, 1):
        for paths in b['files']:
            for f in expand(repo, paths, files):
                if f in used:
                    die(f'{f} is in patches {used[f]} and {n}')
                used[f] = n
                with open(os.path.join(repo, f), 'rb') as fh:
                    replace(src, f, fh.read())
                mode = os.stat(os.path.join(repo, f)).st_mode & 0o777
                os.chmod(os.path.join(src, f), mode)
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
    if missing:
        die('not in any patch of series.txt: ' + ' '.join(missing))
    shutil.rmtree(out, ignore_errors=True)
    git(src, 'format-patch', '-q', '--cover-letter', '-o', out, 'base..export',
        env=IDENTITY)
    cover(out, len(blocks))


def commit(src, msg):
    subprocess.run(['git', '-C', src, 'commit', '-q', '--no-verify', '-s', '-F', '-'],
                   input=msg, text=True, env=dict(os.environ, **IDENTITY),
                   check=True, stdout=subprocess.DEVNULL)


def cover(out, count):
    """Fill in the cover letter format-patch leaves blank."""
    path = sorted(os.listdir(out))[0]
    path = os.path.join(out, path)
    text = open(path).read()
    text = text.replace('*** SUBJECT HERE ***',
                        'vfio: a core built around the device, with the group and container on top')
    text = text.replace('*** BLURB HERE ***', (
        'This series replaces the VFIO core with one designed around the device\n'
        'and its character device bound to iommufd, keeps the legacy group and\n'
        'container as a thin layer on top (drivers/vfio/compat/), and adds the\n'
        'selftests and the QEMU-based harness that check it.  The UAPI and the\n'
        'in-kernel API are unchanged; every in-tree user builds as before.\n'
        '\n'
        f'It applies to Debian\'s linux-source-6.12 tree ({count} patches).'))
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
