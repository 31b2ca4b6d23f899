#!/usr/bin/python3
"""selfcheck - validate vmcoregen's ground truth against a reference filter.

For every description (default: tests/gen/cases/*.desc that have no
'#@ selfcheck: skip' line) this

  1. generates the ELF vmcore and its truth file,
  2. reads every RAM page of the generated ELF back with libkdumpfile and
     compares it with the generator's own bytes,
  3. runs the reference makedumpfile (default /usr/sbin/makedumpfile, Debian
     1.7.2) at each dump level to a kdump-compressed file, reads bitmap 2
     (libkdumpfile 'file.pagemap') and compares it with
     vmcoregen.expected_kept(truth, level), then compares the data of every
     kept page,
  4. optionally (--elf) does the same for ELF output (-E), parsing the output
     program headers directly.

Differences are printed with the page classes involved.  A description may
declare differences that are expected for the reference binary with lines
such as

    #@ known-diff 1.7.2: slab trap=anon (isAnon() lacks the slab check before 1.7.3)
    #@ known-diff-pfns 0xd2a

(the pfns listed there are ignored for the comparison, and reported).

Usage:
    selfcheck.py [--makedumpfile PATH] [--levels 0,1,2,4,8,16,31 | --all-levels]
                 [--elf] [--keep DIR] [CASE.desc ...]

Exit status 0 when everything matches (apart from declared known diffs).
"""

import argparse
import glob
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vmcoregen  # noqa: E402

try:
    import kdumpfile
    from kdumpfile import exceptions as kdexc
except ImportError:                                       # pragma: no cover
    kdumpfile = None

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE = vmcoregen.PAGE_SIZE


def default_makedumpfile():
    env = os.environ.get('REF_MAKEDUMPFILE')
    if env:
        return env
    for p in ('/usr/sbin/makedumpfile', '/usr/bin/makedumpfile'):
        if os.path.exists(p):
            return p
    return '/usr/sbin/makedumpfile'


def pagemap_set(k):
    """pfns set in libkdumpfile's file.pagemap (bitmap 2 for kdump files)."""
    bm = k.attr['file.pagemap']
    maxpfn = int(k.attr['max_pfn'])
    raw = bm.get_bits(0, maxpfn - 1)
    out = set()
    for i, byte in enumerate(raw):
        if not byte:
            continue
        for b in range(8):
            if byte >> b & 1:
                pfn = i * 8 + b
                if pfn < maxpfn:
                    out.add(pfn)
    return out


def directives(path):
    opts = set()
    skip = None
    known = []
    known_pfns = set()
    for line in open(path):
        s = line.strip()
        if s.startswith('#@ selfcheck: phoff64'):
            opts.add('phoff64')
        elif s.startswith('#@ selfcheck: noref'):
            opts.add('noref')
        elif s.startswith('#@ selfcheck: vmcoreinfo-file'):
            opts.add('vmcoreinfo-file')
        elif s.startswith('#@ xfail-ours'):
            opts.add('xfail-ours')
        elif s.startswith('#@ selfcheck: skip'):
            skip = s[len('#@ selfcheck: skip'):].strip(' :') or 'skip'
        elif s.startswith('#@ known-diff-pfns'):
            for tok in s.split()[2:]:
                known_pfns |= vmcoregen.from_ranges([vmcoregen.parse_pfn_range(tok)])
        elif s.startswith('#@ known-diff'):
            known.append(s[len('#@ known-diff'):].strip())
    return skip, known, known_pfns, opts


def classes_of(truth, pfns):
    lab = {}
    for cls, rngs in truth['classes'].items():
        for a, b in rngs:
            for p in range(a, b):
                lab[p] = cls
    out = {}
    for p in sorted(pfns):
        out.setdefault(lab.get(p, '?'), []).append(p)
    return ', '.join('%s: %s' % (c, vmcoregen._fmt_ranges(vmcoregen.to_ranges(v)))
                     for c, v in sorted(out.items()))


def elf_kept(path):
    """pfns with file data in an ELF file (PT_LOAD p_filesz ranges) and a
    reader for them."""
    f = open(path, 'rb')
    eh = f.read(64)
    phoff, = struct.unpack_from('<Q', eh, 32)
    phnum, = struct.unpack_from('<H', eh, 56)
    if phnum == 0xffff:
        shoff, = struct.unpack_from('<Q', eh, 40)
        f.seek(shoff)
        sh = f.read(64)
        phnum, = struct.unpack_from('<I', sh, 44)
    f.seek(phoff)
    segs = []
    for i in range(phnum):
        ph = f.read(56)
        typ, flags, off, va, pa, filesz, memsz, align = struct.unpack('<IIQQQQQQ', ph)
        if typ == 1:
            segs.append((pa, filesz, off))
    kept = {}
    for pa, filesz, off in segs:
        for q in range(0, filesz - filesz % PAGE, PAGE):
            kept.setdefault((pa + q) // PAGE, off + q)
    return kept, f


def prepare(desc, work):
    """Generate DESC into WORK; return (generator, truth, elf path, problems)."""
    name = os.path.basename(desc)
    g = vmcoregen.build(open(desc).read())
    elf = os.path.join(work, name.replace('.desc', '.elf'))
    g.write_elf(elf)
    if 'vmcoreinfo-file' in directives(desc)[3] and not g.vmcoreinfo_path:
        g.vmcoreinfo_path = elf + '.vmcoreinfo'
        with open(g.vmcoreinfo_path, 'w') as f:
            f.write(g.vmcoreinfo)
    truth = g.truth()
    vmcoregen._check_intent(g, truth)
    with open(elf + '.truth.json', 'w') as f:
        json.dump(truth, f, indent=1, sort_keys=True)
    problems = []
    data = vmcoregen.from_ranges(truth['data'])
    k = kdumpfile.kdumpfile(elf)
    bad = []
    for pfn in sorted(data):
        try:
            b = k.read(kdumpfile.KDUMP_MACHPHYSADDR, pfn * PAGE, PAGE)
        except kdexc.KDumpBaseException as e:
            bad.append((pfn, str(e)))
            continue
        if bytes(b) != g.page_bytes(pfn):
            bad.append((pfn, 'content differs'))
    if bad:
        problems.append('libkdumpfile reads %d pages of the generated ELF wrongly, e.g. %s'
                        % (len(bad), bad[:5]))
    if not g.vmcoreinfo_in_note:
        try:
            raw = bytes(k.attr['linux.vmcoreinfo.raw'])
        except (KeyError, kdexc.KDumpBaseException):
            raw = b''
        if raw:
            problems.append('the ELF has a VMCOREINFO note although the kernel had none')
    elif bytes(k.attr['linux.vmcoreinfo.raw']).decode() != g.vmcoreinfo:
        problems.append('VMCOREINFO read back differs')
    return g, truth, elf, problems


def phoff64(elf):
    """Copy with e_phoff 64 (tests/tools/elf_phoff64.py) for 1.7.2."""
    out = elf + '.phoff64'
    if not os.path.exists(out):
        tool = os.path.join(HERE, '..', 'tools', 'elf_phoff64.py')
        subprocess.run([sys.executable, tool, elf, out], check=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return out


def check_level(binary, g, truth, elf_in, out, level, fmt, known_pfns=frozenset(),
                vmcoreinfo=None, keep_output=False):
    """Run BINARY -d LEVEL [-E] [-i VMCOREINFO] ELF_IN OUT and compare with
    the truth; OUT is removed afterwards unless keep_output.  Returns
    (problems, notes, kept_count)."""
    try:
        return _check_level(binary, g, truth, elf_in, out, level, fmt, known_pfns,
                            vmcoreinfo)
    finally:
        if not keep_output and os.path.exists(out):
            os.unlink(out)


def _check_level(binary, g, truth, elf_in, out, level, fmt, known_pfns=frozenset(),
                 vmcoreinfo=None):
    """Run BINARY -d LEVEL [-E] [-i VMCOREINFO] ELF_IN OUT and compare with
    the truth.  Returns (problems, notes, kept_count)."""
    if vmcoreinfo is None:
        vmcoreinfo = g.vmcoreinfo_path
    problems, notes = [], []
    if os.path.exists(out):
        os.unlink(out)
    cmd = [binary, '-d', str(level), '--message-level', '1']
    if fmt == 'elf':
        cmd.append('-E')
    if vmcoreinfo:
        cmd += ['-i', vmcoreinfo]
    cmd += [elf_in, out]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    expect_fail = level in truth['fail_levels']
    if r.returncode != 0:
        if not expect_fail:
            problems.append('exit %d\n%s' % (r.returncode, r.stdout[-2000:]))
        return problems, notes, 0
    if expect_fail:
        problems.append('the truth predicts failure (no way to find free pages), it succeeded')
        return problems, notes, 0
    want = vmcoregen.expected_kept(truth, level, fmt)
    if fmt == 'kdump':
        ko = kdumpfile.kdumpfile(out)
        got = pagemap_set(ko)

        def reader(pfn):
            return bytes(ko.read(kdumpfile.KDUMP_MACHPHYSADDR, pfn * PAGE, PAGE))
    else:
        kmap, fh = elf_kept(out)
        got = set(kmap)

        def reader(pfn):
            fh.seek(kmap[pfn])
            return fh.read(PAGE)
    extra = (got - want) - known_pfns
    missing = (want - got) - known_pfns
    kd = (got ^ want) & known_pfns
    if kd:
        notes.append('known difference on ' + classes_of(truth, kd))
    if extra or missing:
        msg = 'keeps %d pfns the truth excludes, excludes %d the truth keeps' % (
            len(extra), len(missing))
        if extra:
            msg += '\n     kept only by the binary: ' + classes_of(truth, extra)
        if missing:
            msg += '\n     kept only by the truth:  ' + classes_of(truth, missing)
        problems.append(msg)
        return problems, notes, len(got)
    data = vmcoregen.from_ranges(truth['data'])
    wrong = []
    for pfn in sorted(got & data):
        try:
            if reader(pfn) != g.page_bytes(pfn):
                wrong.append(pfn)
        except Exception:                                  # noqa: BLE001
            wrong.append(pfn)
    if wrong:
        problems.append('%d kept pages have wrong data: %s'
                        % (len(wrong), classes_of(truth, wrong[:20])))
    return problems, notes, len(got)


def run_case(desc, binary, levels, do_elf, keep_dir, verbose, native_elf=False):
    name = os.path.basename(desc)
    skip, known, known_pfns, opts = directives(desc)
    if skip:
        print('SKIP %s (%s)' % (name, skip))
        return True
    if 'noref' in opts and not native_elf:
        print('SKIP %s (the reference cannot read it: #@ selfcheck: noref)' % name)
        return True
    if native_elf:
        known_pfns = frozenset()     # known diffs are declared for the reference
    work = keep_dir or tempfile.mkdtemp(prefix='vmcoregen-')
    os.makedirs(work, exist_ok=True)
    ok = True
    try:
        g, truth, elf, problems = prepare(desc, work)
        for p in problems:
            ok = False
            print('FAIL %s: %s' % (name, p))
        elf_in = phoff64(elf) if 'phoff64' in opts and not native_elf else elf
        for L in levels:
            for fmt in (['kdump', 'elf'] if do_elf else ['kdump']):
                out = os.path.join(work, '%s.d%d.%s' % (name.replace('.desc', ''), L, fmt))
                probs, notes, n = check_level(binary, g, truth, elf_in, out, L, fmt, known_pfns,
                                              keep_output=bool(keep_dir))
                for nt in notes:
                    print('note %s -d %d %s: %s (%s)' % (name, L, fmt, nt,
                                                         '; '.join(known) or 'declared'))
                for p in probs:
                    ok = False
                    print('FAIL %s -d %d %s: %s' % (name, L, fmt, p))
                if not probs and verbose:
                    print('ok   %s -d %d %s: %d pfns kept' % (name, L, fmt, n))
        if ok:
            print('PASS %s (levels %s%s)' % (name, ','.join(map(str, levels)),
                                             ', kdump+elf' if do_elf else ''))
    except vmcoregen.GenError as e:
        ok = False
        print('FAIL %s: generator: %s' % (name, e))
    finally:
        if not keep_dir:
            shutil.rmtree(work, ignore_errors=True)
    return ok


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('cases', nargs='*')
    ap.add_argument('--makedumpfile', default=default_makedumpfile(),
                    help='reference binary (default $REF_MAKEDUMPFILE, else Debian\'s)')
    ap.add_argument('--levels', default='0,1,2,4,8,16,31')
    ap.add_argument('--all-levels', action='store_true')
    ap.add_argument('--elf', action='store_true', help='also check -E output')
    ap.add_argument('--keep', help='keep files in this directory')
    ap.add_argument('--any-phoff', action='store_true',
                    help='do not convert e_phoff=192 inputs (for binaries that read them)')
    ap.add_argument('-v', '--verbose', action='store_true')
    a = ap.parse_args(argv)
    if kdumpfile is None:
        print('selfcheck: python3-libkdumpfile is required (use /usr/bin/python3)')
        return 2
    if not os.path.exists(a.makedumpfile):
        print('selfcheck: %s not found (apt-get install makedumpfile)' % a.makedumpfile)
        return 2
    levels = list(range(32)) if a.all_levels else [int(x) for x in a.levels.split(',')]
    cases = a.cases or sorted(glob.glob(os.path.join(HERE, 'cases', '*.desc')))
    allok = True
    for c in cases:
        ok = run_case(c, a.makedumpfile, levels, a.elf, a.keep, a.verbose, a.any_phoff)
        allok &= ok
    print('selfcheck: %s' % ('all passed' if allok else 'FAILURES'))
    return 0 if allok else 1


if __name__ == '__main__':
    sys.exit(main())
