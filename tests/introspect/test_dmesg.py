"""--dump-dmesg on the real 6.1 vmcores (lockless ring buffer), checked
byte for byte against Debian's makedumpfile 1.7.2 on the same memory.

The older formats (flat log_buf, printk_log records) and the corner cases
of the ring (wrap, id wrap, reserved and data-less records, partial) are in
the unit test tests/unit/test_dmesg.c, built from plain message lists.
"""
import os
import re

import pytest

from conftest import phoff64, real_vmcore
from coregen import OURS, REF, run

MARKER = re.compile(rb"^\[ *\d+\.\d{6}\] MKDUMP-TEST-MARKER: guest workload ready$", re.M)
LINE = re.compile(rb"^\[ *\d+\.\d{6}\] ")


def dmesg(binary, vmcore, out, *opts):
    p = run(binary, "--dump-dmesg", *opts, vmcore, out)
    with open(out, "rb") as f:
        return f.read(), p


@pytest.mark.parametrize("variant", ["l5", "l4"])
@pytest.mark.parametrize("partial", [False, True], ids=["full", "partial"])
def test_same_as_1_7_2(work, variant, partial):
    vmcore = real_vmcore(variant)
    opts = ["--partial-dmesg"] if partial else []
    ours, p = dmesg(OURS, vmcore, os.path.join(work, "ours.txt"), *opts)
    ref, _ = dmesg(REF, phoff64(vmcore), os.path.join(work, "ref.txt"), *opts)
    assert len(ours) > 10000
    assert ours == ref
    assert MARKER.search(ours)
    out = p.stdout.decode()
    assert "The dmesg log is saved to %s." % os.path.join(work, "ours.txt") in out
    assert out.rstrip().endswith("makedumpfile Completed.")


@pytest.mark.parametrize("partial", [False, True], ids=["full", "partial"])
def test_arm64_same_as_1_7_2(work, partial):
    """The arm64 guest's log, against Debian's arm64 makedumpfile 1.7.2
    (run under qemu-user by tests/tools/ref-makedumpfile-arm64)."""
    vmcore = os.path.join(os.path.dirname(real_vmcore("l5")), "aarch64-6.1-1g.elf")
    if not os.path.exists(vmcore):
        if os.environ.get("MKDUMP_REQUIRE_VMCORES"):
            pytest.fail("%s missing (tests/vm/mkvmcore.sh --arch aarch64)" % vmcore)
        pytest.skip("%s missing (tests/vm/mkvmcore.sh --arch aarch64)" % vmcore)
    ref_bin = os.path.join(os.path.dirname(__file__), "..", "tools", "ref-makedumpfile-arm64")
    opts = ["--partial-dmesg"] if partial else []
    ours, _ = dmesg(OURS, vmcore, os.path.join(work, "ours.txt"), *opts)
    ref, _ = dmesg(ref_bin, phoff64(vmcore), os.path.join(work, "ref.txt"), *opts)
    assert ours == ref
    assert MARKER.search(ours)
    assert b"Booting Linux on physical CPU" in ours


def test_log_is_well_formed(work):
    text, _ = dmesg(OURS, real_vmcore("l5"), os.path.join(work, "log"))
    lines = text.split(b"\n")
    assert lines[-1] == b""
    stamps = []
    for line in lines[:-1]:
        m = LINE.match(line)
        assert m, line
        stamps.append(float(line[1:line.index(b"]")]))
    assert stamps == sorted(stamps)
    assert lines[0].startswith(b"[    0.000000] Linux version 6.1.0-")


def test_kdump_inputs(work):
    """The same log from QEMU's flattened kdump-zlib dump of the same guest,
    and from our own -d 31 kdump-compressed dump of the vmcore."""
    vmcore = real_vmcore("l5")
    elf, _ = dmesg(OURS, vmcore, os.path.join(work, "elf.txt"))
    qemu = vmcore[:-len(".elf")] + ".kdump-zlib"
    if os.path.exists(qemu):
        got, _ = dmesg(OURS, qemu, os.path.join(work, "qemu.txt"))
        assert got == elf
    ours = os.path.join(work, "d31.kdump")
    run(OURS, "-l", "-d", "31", vmcore, ours)
    got, _ = dmesg(OURS, ours, os.path.join(work, "d31.txt"))
    assert got == elf


def test_existing_logfile(work):
    vmcore = real_vmcore("l5")
    out = os.path.join(work, "log")
    with open(out, "w") as f:
        f.write("keep me\n")
    p = run(OURS, "--dump-dmesg", vmcore, out, check=False)
    assert p.returncode == 1
    assert open(out).read() == "keep me\n"
    assert p.stdout.decode().rstrip().endswith("makedumpfile Failed.")
    run(OURS, "-f", "--dump-dmesg", vmcore, out)
    assert MARKER.search(open(out, "rb").read())


def test_no_log_symbols(work):
    """A VMCOREINFO without any printk key: one clear error, no file."""
    from coregen import Image, note
    img = Image()
    img.add(0x1000000, 0xffffffff81000000, 0x10000)
    img.u64(0x1000000 + 0x1000, 0xffffea0000000000)
    vi = ("OSRELEASE=6.1.0\nPAGESIZE=4096\nSYMBOL(init_top_pgt)=ffffffff81000000\n"
          "NUMBER(phys_base)=0\nSYMBOL(mem_map)=ffffffff81001000\nSIZE(page)=64\n"
          "OFFSET(page.flags)=0\nOFFSET(page.mapping)=24\nOFFSET(page._refcount)=52\n")
    core = os.path.join(work, "core")
    img.write_elf(core, note("VMCOREINFO", 0, vi.encode()))
    out = os.path.join(work, "log")
    p = run(OURS, "--dump-dmesg", core, out, check=False)
    assert p.returncode == 1
    assert b"Can't find some symbols for log_buf" in p.stderr
    assert not os.path.exists(out)


def records(text):
    """Split a log into records (a record's continuation lines are indented)."""
    out = []
    for line in text.splitlines(keepends=True):
        if LINE.match(line) or not out:
            out.append(line)
        else:
            out[-1] += line
    return out


def cleared_copy(work, vmcore, seq):
    """A sparse copy of @vmcore (program headers at 64) whose clear_seq says
    that `dmesg -C` was run when the next record was number @seq."""
    import struct
    from coregen import START_KERNEL_MAP, Core
    out = os.path.join(work, "cleared-%d.elf" % seq)
    run("cp", "--sparse=always", phoff64(vmcore), out)
    c = Core(out)
    vi = c.vmcoreinfo()
    assert "SIZE(latched_seq)" in vi and vi["OFFSET(latched_seq.val)"] == "8"
    pa = int(vi["SYMBOL(clear_seq)"], 16) - START_KERNEL_MAP + int(vi["NUMBER(phys_base)"])
    latch, = struct.unpack("<I", c.read(pa, 4))
    fo = next(off + pa - base for base, size, off, _va in c.loads if base <= pa < base + size)
    c.close()
    with open(out, "r+b") as f:
        f.seek(fo + 8 + 8 * (latch & 1))
        f.write(struct.pack("<Q", seq))
    return out


def test_partial_after_clear(work):
    """After `dmesg -C` at record 100, --partial-dmesg writes records 100 on:
    the same as 1.7.2, and the same as the full log without its first 100
    records."""
    vmcore = real_vmcore("l5")
    full, _ = dmesg(OURS, vmcore, os.path.join(work, "full"))
    cleared = cleared_copy(work, vmcore, 100)
    ours, _ = dmesg(OURS, cleared, os.path.join(work, "ours"), "--partial-dmesg")
    ref, _ = dmesg(REF, cleared, os.path.join(work, "ref"), "--partial-dmesg")
    assert ours == ref
    assert ours == b"".join(records(full)[100:])
    assert MARKER.search(ours)
    whole, _ = dmesg(OURS, cleared, os.path.join(work, "whole"))
    os.remove(cleared)
    assert whole == full


def test_partial_cleared_at_the_end(work):
    """`dmesg -C` after the last record: an empty log.  (1.7.2 computes its
    first descriptor id as head's lap + clear_seq % count, which here is one
    past head_id, and then walks the whole 2^62 id space: it never ends.)"""
    import subprocess
    vmcore = real_vmcore("l5")
    full, _ = dmesg(OURS, vmcore, os.path.join(work, "full"))
    cleared = cleared_copy(work, vmcore, len(records(full)))
    ours, _ = dmesg(OURS, cleared, os.path.join(work, "ours"), "--partial-dmesg")
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            subprocess.run([REF, "--dump-dmesg", "--partial-dmesg", cleared,
                            os.path.join(work, "ref")], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=5)
    finally:
        os.remove(cleared)
    assert ours == b""
