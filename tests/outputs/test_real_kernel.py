"""The core job on real vmcores of Debian's 6.1 cloud kernel (issue 2), for
x86_64 (5- and 4-level paging) and arm64.

For every dump level and codec, the pages we keep are the pages Debian's
makedumpfile 1.7.2 keeps on the same input (for arm64, Debian's arm64 build
run under qemu-user: tests/tools/ref-makedumpfile-arm64), and every kept page read back
through libkdumpfile equals the input while excluded pages raise
NoDataException.  Where 1.7.2 has the codec (none, zlib, lzo) the files are
byte-identical.  Also: -F then -R, many cycles against one, crash's reader.
"""
import os
import subprocess

import pytest

import dumps
from dumps import OURS, REF, PAGE, run

REF_ARM64 = os.path.join(dumps.ROOT, "tests", "tools", "ref-makedumpfile-arm64")
REFS = {"x86_64-6.1-l5-1g.elf": REF, "x86_64-6.1-l4-1g.elf": REF,
        "aarch64-6.1-1g.elf": REF_ARM64}
VMCORES = [v for v in REFS
           if os.path.exists(dumps.vmcore(v)) or os.environ.get("MKDUMP_REQUIRE_VMCORES")]
LEVELS = [0, 1, 2, 4, 8, 16, 31]
CODECS = {"none": [], "zlib": ["-c"], "lzo": ["-l"], "snappy": ["-p"], "zstd": ["-z"]}
REF_CODECS = ("none", "zlib", "lzo")          # what Debian's 1.7.2 has built in

pytestmark = pytest.mark.skipif(not VMCORES, reason="no real vmcore (tests/vm/mkvmcore.sh)")


@pytest.fixture(scope="module")
def work():
    yield from dumps.workdir("real")


@pytest.fixture(scope="module", params=VMCORES)
def core(request, work):
    """A vmcore, its parsed input, and Debian 1.7.2's dumps at each level:
    the lzo files (for the kept pfns) and the SHA-256 of every file (the
    others are deleted at once: uncompressed, they are up to 1 GiB each)."""
    path = dumps.vmcore(request.param)
    name = request.param[:-4]
    refs, digests = {}, {}
    for level in LEVELS:
        for codec in REF_CODECS:
            out = os.path.join(work, "%s.ref.%d.%s" % (name, level, codec))
            run(REFS[request.param], *CODECS[codec], "-d", str(level),
                "--message-level", "0", dumps.phoff64(path), out)
            digests[level, codec] = dumps.sha256(out)
            if codec == "lzo":
                refs[level] = out
            else:
                os.unlink(out)
    yield {"path": path, "name": name, "elf": dumps.Elf(path), "refs": refs,
           "digests": digests}
    for out in refs.values():
        os.unlink(out)


def full_check(level, codec):
    return codec == "lzo" or level in (0, 31)


@pytest.mark.parametrize("codec", list(CODECS))
@pytest.mark.parametrize("level", LEVELS)
def test_kept_pages(core, work, level, codec):
    out = os.path.join(work, "%s.ours.%d.%s" % (core["name"], level, codec))
    run(OURS, *CODECS[codec], "-d", str(level), "--message-level", "0", core["path"], out)
    kept, want = dumps.kdump_kept(out), dumps.kdump_kept(core["refs"][level])
    assert kept == want, "kept pfns differ from 1.7.2: %d only ours, %d only 1.7.2" % (
        len(kept - want), len(want - kept))
    if codec in REF_CODECS:
        assert dumps.sha256(out) == core["digests"][level, codec], \
            "not byte-identical to 1.7.2"
    step = 1 if full_check(level, codec) else 17
    bad = dumps.check_kdump_pages(out, core["elf"], sorted(kept)[::step])
    assert not bad, "pages differ from the input: %s" % [hex(p) for p in bad[:10]]
    import kdumpfile
    from kdumpfile import exceptions as kexc
    k = kdumpfile.kdumpfile(out)
    excluded = sorted(core["elf"].pfns_with_data() - kept)[::step * 7]
    for pfn in excluded:
        if pfn >= k.attr["max_pfn"]:
            continue
        with pytest.raises(kexc.NoDataException):
            k.read(kdumpfile.KDUMP_MACHPHYSADDR, pfn * PAGE, PAGE)
    os.unlink(out)


def test_header_and_notes(core, work):
    out = os.path.join(work, core["name"] + ".hdr")
    run(OURS, "-l", "-d", "31", "--message-level", "0", core["path"], out)
    import kdumpfile
    k = kdumpfile.kdumpfile(out)
    text = core["elf"].vmcoreinfo()
    release = [l.split("=", 1)[1] for l in text.splitlines() if l.startswith("OSRELEASE=")][0]
    assert k.attr["linux.uts.release"] == release
    assert bytes(k.attr["linux.vmcoreinfo.raw"]).decode() == text
    if not core["name"].startswith("x86_64"):
        return          # Debian's crash reads dumps of its own architecture only
    # crash is a second, independent reader of the header
    p = subprocess.run(["crash", "-d1", "--osrelease", out], capture_output=True)
    assert p.returncode == 0 and release.encode() in p.stdout, p.stdout[-2000:]
    os.unlink(out)


def test_flattened_then_rearranged(core, work):
    flat = os.path.join(work, core["name"] + ".flat")
    rebuilt = os.path.join(work, core["name"] + ".rebuilt")
    direct = os.path.join(work, core["name"] + ".direct")
    with open(flat, "wb") as f:
        run(OURS, "-F", "-l", "-d", "31", "--message-level", "0", core["path"], stdout=f)
    with open(flat, "rb") as f:
        run(OURS, "-R", rebuilt, "--message-level", "0", stdin=f)
    run(OURS, "-l", "-d", "31", "--message-level", "0", core["path"], direct)
    with open(rebuilt, "rb") as a, open(direct, "rb") as b:
        assert a.read() == b.read()
    # Debian's -R reads our stream too
    ref_rebuilt = rebuilt + ".ref"
    with open(flat, "rb") as f:
        run(REF, "-R", ref_rebuilt, stdin=f)
    with open(ref_rebuilt, "rb") as a, open(direct, "rb") as b:
        assert a.read() == b.read()
    for p in (flat, rebuilt, direct, ref_rebuilt):
        os.unlink(p)


@pytest.mark.parametrize("args", [["--cyclic-buffer", "1"], ["--cyclic-buffer", "3"],
                                  ["--work-dir", "WORK"]])
def test_cycles_do_not_change_the_dump(core, work, args):
    """32 cycles of 8192 pfns (or 11 uneven ones, or one in a file) give the
    same bytes as one cycle in memory."""
    args = [work if a == "WORK" else a for a in args]
    one = os.path.join(work, core["name"] + ".one")
    many = os.path.join(work, core["name"] + ".many")
    run(OURS, "-c", "-d", "31", "--message-level", "0", core["path"], one)
    run(OURS, "-c", "-d", "31", "--message-level", "0", *args, core["path"], many)
    with open(one, "rb") as a, open(many, "rb") as b:
        assert a.read() == b.read()
    os.unlink(one)
    os.unlink(many)


def test_threads_do_not_change_the_dump(core, work):
    outs = []
    for n in ("1", "2", "5"):
        out = os.path.join(work, "%s.t%s" % (core["name"], n))
        run(OURS, "-z", "-d", "1", "--num-threads", n, "--message-level", "0",
            core["path"], out)
        outs.append(out)
    data = [open(o, "rb").read() for o in outs]
    assert data[0] == data[1] == data[2]
    for o in outs:
        os.unlink(o)


def patched_copy(src, dst, edits):
    """Copy a vmcore, rewriting text in its VMCOREINFO note in place
    (each edit keeps the length, so no offset moves)."""
    subprocess.run(["cp", "--sparse=always", src, dst], check=True)
    with open(dst, "r+b") as f:
        head = f.read(1 << 20)
        for old, new in edits:
            assert len(old) == len(new)
            pos = head.find(old)
            assert pos >= 0, old
            f.seek(pos)
            f.write(new)


@pytest.mark.parametrize("method,edits", [
    ("table", [(b"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=", b"NUMBER(PAGE_BUDDY_MAPCOUNT_XXXXX)=")]),
    ("free lists", [(b"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=", b"NUMBER(PAGE_BUDDY_MAPCOUNT_XXXXX)="),
                    (b"OSRELEASE=6.", b"OSRELEASE=x.")]),
])
def test_free_page_fallbacks_on_a_real_kernel(core, work, method, edits):
    """Without the exported buddy value, the 6.1 row of the table (or, with
    an OSRELEASE that names no version, the zone free lists) finds exactly
    the free pages the exported value finds."""
    patched = os.path.join(work, "patched.elf")
    patched_copy(core["path"], patched, edits)
    out = os.path.join(work, "fallback.kdump")
    if method == "free lists" and "SYMBOL(node_data)" not in core["elf"].vmcoreinfo():
        # arm64 exports no pgdat symbol: no free-list walk without -x
        p = run(OURS, "-l", "-d", "31", patched, out, check=False)
        assert p.returncode == 1 and b"Can't exclude free pages" in p.stderr, p.stderr
        assert p.stderr.count(b"\n") == 1 and not os.path.exists(out)
        os.unlink(patched)
        return
    p = run(OURS, "-l", "-d", "31", "-D", patched, out)
    assert (b"walking the zone free lists" in p.stdout) == (method == "free lists")
    assert dumps.kdump_kept(out) == dumps.kdump_kept(core["refs"][31])
    os.unlink(patched)
    os.unlink(out)
