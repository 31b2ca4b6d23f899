"""Every output path on the real Debian 6.1 vmcores (issue 4): -E, --split
and --reassemble, re-filtering, dump-level retries and -L.

Oracles: Debian's makedumpfile 1.7.2, libkdumpfile (its Python binding and,
for split sets, its C API), and our own independent ELF parser of the input.
"""
import os
import subprocess

import pytest

import dumps
from dumps import OURS, REF, PAGE, run

L5 = dumps.vmcore("x86_64-6.1-l5-1g.elf")
QEMU_KDUMP = dumps.vmcore("x86_64-6.1-l5-1g.kdump-zlib")

pytestmark = pytest.mark.skipif(
    not os.path.exists(L5) and not os.environ.get("MKDUMP_REQUIRE_VMCORES"),
    reason="no real vmcore (tests/vm/mkvmcore.sh makes it)")


@pytest.fixture(scope="module")
def work():
    yield from dumps.workdir("outputs")


@pytest.fixture(scope="module")
def elf():
    return dumps.Elf(L5)


@pytest.fixture(scope="module")
def max_pfn(work):
    """max_mapnr of our dump (end of the last mem_map range)."""
    out = os.path.join(work, "probe.kdump")
    run(OURS, "-d", "31", "--message-level", "0", L5, out)
    import kdumpfile
    return kdumpfile.kdumpfile(out).attr["max_pfn"]


def elf_kept(path):
    return dumps.Elf(path).pfns_with_data()


@pytest.mark.parametrize("level", [1, 31])
def test_elf_output_matches_172_and_input(work, elf, max_pfn, level):
    ours = os.path.join(work, "E%d.elf" % level)
    ref = os.path.join(work, "E%d.ref.elf" % level)
    run(OURS, "-E", "-d", str(level), "--message-level", "0", L5, ours)
    run(REF, "-E", "-d", str(level), "--message-level", "0", dumps.phoff64(L5), ref)
    a, b = elf_kept(ours), elf_kept(ref)
    low_a = {p for p in a if p < max_pfn}
    low_b = {p for p in b if p < max_pfn}
    assert low_a == low_b, "kept pfns differ below max_mapnr: %d only ours, %d only 1.7.2" % (
        len(low_a - low_b), len(low_b - low_a))
    # Above the last struct page (QEMU's BIOS/framebuffer) nothing can be
    # classified: we keep every page the input has (1.7.2 reads stray bits).
    high_in = {p for p in elf.pfns_with_data() if p >= max_pfn}
    assert {p for p in a if p >= max_pfn} == high_in
    # every page in our ELF file equals the input, read through libkdumpfile
    import kdumpfile
    k = kdumpfile.kdumpfile(ours)
    sample = sorted(a)[::7]
    bad = [p for p in sample
           if bytes(k.read(kdumpfile.KDUMP_MACHPHYSADDR, p * PAGE, PAGE)) != elf.page(p)]
    assert not bad, "pages differ from the input: %s" % bad[:10]
    os.unlink(ref)


def test_elf_output_level0_is_input(work, elf):
    ours = os.path.join(work, "E0.elf")
    run(OURS, "-E", "-d", "0", "--message-level", "0", L5, ours)
    out = dumps.Elf(ours)
    assert out.pfns_with_data() == elf.pfns_with_data()
    assert all(out.page(p) == elf.page(p) for p in sorted(elf.pfns_with_data())[::97])
    os.unlink(ours)


def test_elf_output_refuses_compression(work):
    p = run(OURS, "-E", "-c", "-d", "31", L5, os.path.join(work, "x"), check=False)
    assert p.returncode == 1
    assert b"makedumpfile Failed." in p.stdout


@pytest.mark.parametrize("n", [2, 3])
def test_split_and_reassemble(work, elf, n):
    single = os.path.join(work, "single.kdump")
    if not os.path.exists(single):
        run(OURS, "-l", "-d", "31", "--message-level", "0", L5, single)
    parts = [os.path.join(work, "split%d.%d" % (n, i)) for i in range(n)]
    run(OURS, "-l", "-d", "31", "--message-level", "0", "--split",
        "--splitblock-size", "65536", L5, *parts)
    heads = [dumps.kdump_header(p) for p in parts]
    assert all(h["split"] == 1 for h in heads)
    assert heads[0]["start_pfn"] == 0
    for a, b in zip(heads, heads[1:]):
        assert a["end_pfn"] == b["start_pfn"]
    # the set opens in libkdumpfile and holds exactly the single dump's pages
    read = dumps.open_fdset(parts)
    kept = dumps.kdump_kept(single)
    for pfn in sorted(kept)[::13]:
        assert read(pfn) == elf.page(pfn), "pfn %#x" % pfn
    # our --reassemble, and 1.7.2's, give the single-file dump byte for byte
    ours = os.path.join(work, "re%d.ours" % n)
    ref = os.path.join(work, "re%d.ref" % n)
    run(OURS, "--reassemble", *parts, ours, "--message-level", "0")
    run(REF, "--reassemble", *parts, ref)
    with open(single, "rb") as f:
        want = f.read()
    for got in (ours, ref):
        with open(got, "rb") as f:
            assert f.read() == want, got
        os.unlink(got)
    for p in parts:
        os.unlink(p)


def test_refilter_chain_equals_direct(work):
    d0 = os.path.join(work, "d0.kdump")
    chain = os.path.join(work, "chain31.kdump")
    direct = os.path.join(work, "direct31.kdump")
    run(OURS, "-l", "-d", "0", "--message-level", "0", L5, d0)
    run(OURS, "-c", "-d", "31", "--message-level", "0", d0, chain)
    run(OURS, "-c", "-d", "31", "--message-level", "0", L5, direct)
    with open(chain, "rb") as a, open(direct, "rb") as b:
        assert a.read() == b.read()
    # the union of levels: re-filtering a -d 31 dump with -d 1 keeps -d 31
    back = os.path.join(work, "back1.kdump")
    p = run(OURS, "-l", "-d", "1", direct, back)
    assert b"dump_level is changed to 31" in p.stdout
    assert dumps.kdump_header(back)["dump_level"] == 31
    assert dumps.kdump_kept(back) == dumps.kdump_kept(direct)
    for f in (d0, chain, back):
        os.unlink(f)


def test_refilter_flattened_in_place(work):
    flat = os.path.join(work, "d0.flat")
    out = os.path.join(work, "flat31.kdump")
    direct = os.path.join(work, "direct31.kdump")
    with open(flat, "wb") as f:
        run(OURS, "-F", "-z", "-d", "0", "--message-level", "0", L5, stdout=f)
    run(OURS, "-c", "-d", "31", "--message-level", "0", flat, out)
    with open(out, "rb") as a, open(direct, "rb") as b:
        assert a.read() == b.read()
    os.unlink(flat)
    os.unlink(out)


@pytest.mark.skipif(not os.path.exists(QEMU_KDUMP) and not os.environ.get(
    "MKDUMP_REQUIRE_VMCORES"), reason="no QEMU kdump-zlib dump")
def test_refilter_qemu_kdump(work):
    """QEMU's own flattened kdump-zlib dump of the same stopped guest,
    re-filtered to -d 31, equals filtering the ELF vmcore."""
    out = os.path.join(work, "qemu31.kdump")
    direct = os.path.join(work, "direct31.kdump")
    run(OURS, "-c", "-d", "31", "--message-level", "0", QEMU_KDUMP, out)
    assert dumps.kdump_kept(out) == dumps.kdump_kept(direct)
    with open(out, "rb") as a, open(direct, "rb") as b:
        assert a.read() == b.read()
    os.unlink(out)


@pytest.fixture
def small_fs(work):
    """A 48 MiB tmpfs: holds a -d 31 dump (~33 MB), not a -d 0 one."""
    d = os.path.join(work, "tmpfs")
    os.makedirs(d, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", d], check=True)
    yield d
    subprocess.run(["umount", d], check=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_retry_next_level_on_full_disk(small_fs):
    out = os.path.join(small_fs, "vmcore")
    p = run(OURS, "-l", "-d", "0,31", L5, out, check=False)
    assert p.returncode == 0, p.stderr.decode()
    assert b"Retry to create a dumpfile by dump_level(31)." in p.stdout
    assert dumps.kdump_header(out)["dump_level"] == 31
    assert dumps.kdump_header(out)["status"] & 0x8 == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_full_disk_without_retry_is_flagged(small_fs, elf, work):
    out = os.path.join(small_fs, "vmcore")
    p = run(OURS, "-l", "-d", "0", L5, out, check=False)
    assert p.returncode == 1
    assert p.stdout.rstrip().endswith(b"makedumpfile Failed.")
    assert b"No space left on device" in p.stderr
    # read a copy: mapping holes of a full tmpfs raises SIGBUS in readers
    copy = os.path.join(work, "full-disk.kdump")
    subprocess.run(["cp", "--sparse=always", out, copy], check=True)
    os.unlink(out)
    check_incomplete(copy, elf, 5, min_good=1000, min_missing=1000)
    os.unlink(copy)


def check_incomplete(path, elf, step, min_good, max_missing=None, min_missing=0):
    """Flagged incomplete; every sampled page that reads back equals the
    input, enough of them read back, and the rest are reported missing."""
    import kdumpfile
    from kdumpfile import exceptions as kexc
    assert dumps.kdump_header(path)["status"] & 0x8
    k = kdumpfile.kdumpfile(path)
    good = missing = 0
    for pfn in range(0, 0x40000, step):
        try:
            data = bytes(k.read(kdumpfile.KDUMP_MACHPHYSADDR, pfn * PAGE, PAGE))
        except (kexc.CorruptException, kexc.NoDataException):
            missing += 1
            continue
        assert data == elf.page(pfn), "pfn %#x differs" % pfn
        good += 1
    assert good >= min_good and missing >= min_missing, (good, missing)
    assert max_missing is None or missing <= max_missing, (good, missing)


def test_size_limit_just_below(work, elf):
    full = os.path.join(work, "full0.kdump")
    run(OURS, "-l", "-d", "0", "--message-level", "0", L5, full)
    size = os.path.getsize(full)
    os.unlink(full)
    cut = os.path.join(work, "cut0.kdump")
    p = run(OURS, "-l", "-d", "0", "-L", str(size - 4096), L5, cut, check=False)
    assert p.returncode == 1
    assert b"incomplete dumpfile" in p.stdout
    assert os.path.getsize(cut) <= size - 4096
    # cut at its very end: all but the last few pages read back
    check_incomplete(cut, elf, 3, min_good=80000, max_missing=2000)
    os.unlink(cut)
    # -L with room to spare changes nothing
    ok = os.path.join(work, "ok0.kdump")
    run(OURS, "-l", "-d", "0", "-L", str(size), "--message-level", "0", L5, ok)
    assert dumps.kdump_header(ok)["status"] & 0x8 == 0
    os.unlink(ok)


# --- arm64: the same paths on the aarch64 guest, against Debian's arm64 1.7.2

ARM64 = dumps.vmcore("aarch64-6.1-1g.elf")
REF_ARM64 = os.path.join(dumps.ROOT, "tests", "tools", "ref-makedumpfile-arm64")
needs_arm64 = pytest.mark.skipif(
    not os.path.exists(ARM64) and not os.environ.get("MKDUMP_REQUIRE_VMCORES"),
    reason="no arm64 vmcore (tests/vm/mkvmcore.sh --arch aarch64)")


def _same_file(a, b):
    return dumps.sha256(a) == dumps.sha256(b)


@needs_arm64
def test_arm64_elf_output_and_split_same_as_1_7_2(work):
    """-E -d 31 and --split -l -d 31 on the arm64 vmcore: byte-identical to
    Debian's arm64 makedumpfile 1.7.2 (run under qemu-user)."""
    ref_in = dumps.phoff64(ARM64)
    ours, ref = os.path.join(work, "a64.elf"), os.path.join(work, "a64.ref.elf")
    run(OURS, "-E", "-d", "31", "--message-level", "0", ARM64, ours)
    run(REF_ARM64, "-E", "-d", "31", "--message-level", "0", ref_in, ref)
    assert _same_file(ours, ref)
    parts = [os.path.join(work, "a64.s%d" % i) for i in range(3)]
    refs = [os.path.join(work, "a64.rs%d" % i) for i in range(3)]
    run(OURS, "--split", "-l", "-d", "31", "--message-level", "0", ARM64, *parts)
    run(REF_ARM64, "--split", "-l", "-d", "31", "--message-level", "0", ref_in, *refs)
    for a, b in zip(parts, refs):
        assert _same_file(a, b), a
    for p in [ours, ref] + parts + refs:
        os.unlink(p)


@needs_arm64
def test_arm64_refilter_qemu_64k_blocks(work):
    """QEMU writes its aarch64 kdump-zlib dump in 64 KiB blocks with the
    machine name "Unknown"; re-filtered to -d 31 (4 KiB pages, from its
    VMCOREINFO) it equals filtering the ELF vmcore, and its kernel log is
    the ELF's."""
    qemu = ARM64[:-len(".elf")] + ".kdump-zlib"
    out, direct = os.path.join(work, "a64q.kdump"), os.path.join(work, "a64d.kdump")
    run(OURS, "-l", "-d", "31", "--message-level", "0", qemu, out)
    run(OURS, "-l", "-d", "31", "--message-level", "0", ARM64, direct)
    assert _same_file(out, direct)
    logs = []
    for src in (qemu, ARM64):
        log = os.path.join(work, "a64.dmesg")
        run(OURS, "-f", "--dump-dmesg", "--message-level", "0", src, log)
        logs.append(open(log, "rb").read())
    assert logs[0] == logs[1] and b"MKDUMP-TEST-MARKER" in logs[0]
    for p in (out, direct, log):
        os.unlink(p)
