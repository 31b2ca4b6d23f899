"""-g VMCOREINFO -x VMLINUX, and -x merged into a dump's VMCOREINFO.

The "vmlinux" is built here: fake_kernel/ declares the structures of
Linux 6.1 (x86_64) with their real member names and types, and links them
with gcc -g at 0xffffffff81000000.  Oracles:
  * layout.c, a normal program compiled from the same header, prints every
    SIZE/OFFSET/LENGTH/NUMBER with sizeof(), offsetof() and the enums;
  * nm(1) gives the symbol addresses (nm -l tells the printk.c static
    log_buf from the decoy one in mm.c);
  * synthetic cores hold a printk ring buffer at the fake kernel's symbols,
    moved by a KASLR offset, with the expected log known from the list of
    messages written.
The slow case compares -g on Debian's real -dbg vmlinux with the
VMCOREINFO note the running 6.1 guest exported.
"""
import glob
import os
import re
import subprocess

import pytest

from conftest import real_vmcore
from coregen import (OURS, PRB_KEYS_61, ROOT, START_KERNEL_MAP, Image, expected_line,
                     note, parse_vmcoreinfo, run, write_prb)

FAKE = os.path.join(os.path.dirname(__file__), "fake_kernel")
RELEASE = "6.1.0-fake-amd64"
MSGS = [(0, "Linux version 6.1.0-fake-amd64"), (1500000, "Command line: quiet"),
        (2000000001, "second line"), (987654321012, "x" * 100),
        (987654321013, "MKDUMP-FAKE-MARKER")]
MSGS2 = [(7, "the other ring buffer"), (8, "named by the note")]


@pytest.fixture(scope="module")
def fake(tmp_path_factory):
    d = tmp_path_factory.mktemp("fake")
    vmlinux = str(d / "vmlinux")
    run("gcc", "-g", "-O0", "-nostdlib", "-static", "-no-pie", "-fno-pic",
        "-mcmodel=kernel", "-Wl,-Ttext=0xffffffff81000000", "-Wl,-e,_stext",
        "-Wl,--build-id=none", "-o", vmlinux,
        *[os.path.join(FAKE, f) for f in ("printk.c", "mm.c", "head.S")])
    layout = str(d / "layout")
    run("gcc", "-Wall", "-o", layout, os.path.join(FAKE, "layout.c"))
    expect = parse_vmcoreinfo(run(layout).stdout.decode())
    syms = {}
    for line in run("nm", "-l", vmlinux).stdout.decode().splitlines():
        f = line.split()
        if len(f) >= 3 and f[1] in "TtDdBbRr":
            syms.setdefault(f[2], []).append((int(f[0], 16), f[1], line))
    return {"vmlinux": vmlinux, "expect": expect, "syms": syms, "dir": str(d)}


def sym(fake, name):
    """Address of @name; for statics defined twice, the one in printk.c."""
    cands = fake["syms"][name]
    if len(cands) > 1:
        cands = [c for c in cands if "printk.c" in c[2]]
    assert len(cands) == 1, cands
    return cands[0][0]


def generate(fake, work):
    out = os.path.join(work, "vmcoreinfo")
    p = run(OURS, "-g", out, "-x", fake["vmlinux"])
    assert "The vmcoreinfo is saved to %s." % out in p.stdout.decode()
    with open(out) as f:
        text = f.read()
    return text, parse_vmcoreinfo(text)


def test_g_layout(fake, work):
    text, got = generate(fake, work)
    assert got["OSRELEASE"] == RELEASE and got["PAGESIZE"] == "4096"
    for key, val in fake["expect"].items():
        assert got.get(key) == val, key
    extra = [k for k in got if k not in fake["expect"] and not k.startswith("SYMBOL(")]
    assert extra == ["OSRELEASE", "PAGESIZE"]
    assert len(fake["expect"]) >= 80
    # the kernel's own format: hex symbols without 0x, decimal elsewhere
    for line in text.splitlines():
        assert re.match(r"^(SYMBOL\(\w+\)=[0-9a-f]+|(SIZE|OFFSET|LENGTH)\([\w.]+\)=\d+|"
                        r"NUMBER\(\w+\)=-?\d+|OSRELEASE=\S+|PAGESIZE=\d+)$", line), line


def test_g_symbols(fake, work):
    _, got = generate(fake, work)
    names = ["init_uts_ns", "node_states", "_stext", "init_top_pgt", "vmap_area_list",
             "mem_section", "node_data", "prb", "printk_rb_static", "clear_seq",
             "log_buf", "log_buf_len"]
    for name in names:
        assert int(got["SYMBOL(%s)" % name], 16) == sym(fake, name), name
    # macros the kernel exports as symbols
    assert int(got["SYMBOL(swapper_pg_dir)"], 16) == sym(fake, "init_top_pgt")
    e = fake["expect"]
    assert int(got["SYMBOL(node_online_map)"], 16) == sym(fake, "node_states") + \
        int(e["NUMBER(N_ONLINE)"]) * int(e["SIZE(nodemask_t)"])
    assert sorted(k for k in got if k.startswith("SYMBOL(")) == \
        sorted("SYMBOL(%s)" % n for n in names + ["swapper_pg_dir", "node_online_map"])


def test_g_refuses_no_debuginfo(work):
    stripped = os.path.join(work, "stripped")
    run("cp", "/bin/true", stripped)
    run("strip", "--strip-debug", stripped)
    out = os.path.join(work, "vmcoreinfo")
    p = run(OURS, "-g", out, "-x", stripped, check=False)
    assert p.returncode == 1
    assert b"no DWARF" in p.stderr or b"Can't read the kernel release" in p.stderr
    assert not os.path.exists(out)


def fake_core(fake, path, kaslr, note_keys, with_note=True, release=RELEASE,
              second_ring=None):
    """A core of the fake kernel loaded at physical 48 MiB, its symbols moved
    by @kaslr, a printk ring buffer holding MSGS; returns the expected log.
    The VMCOREINFO note (if any) has only @note_keys besides the release."""
    img = Image()
    img_pa = 0x3000000
    phys_base = img_pa - 0x1000000 - kaslr
    img.add(img_pa, 0xffffffff81000000 + kaslr, 0x20000)

    def va2pa(va):
        return va - START_KERNEL_MAP + phys_base

    s = {k: sym(fake, n) + kaslr for k, n in [
        ("prb", "prb"), ("rb", "printk_rb_static"), ("descs", "_printk_rb_static_descs"),
        ("infos", "_printk_rb_static_infos"), ("data", "__log_buf")]}
    want = write_prb(img, va2pa, s, MSGS)
    if second_ring:     # at @second_ring: prb, rb, descs, infos, data
        o = {"prb": second_ring, "rb": second_ring + 0x100, "descs": second_ring + 0x200,
             "infos": second_ring + 0x400, "data": second_ring + 0x1000}
        write_prb(img, va2pa, o, MSGS2)
    # mem_section: the pointer variable -> root array -> section 0 present
    roots = 0xffffffff81010000 + kaslr
    secs = roots + 0x1000
    img.u64(va2pa(sym(fake, "mem_section") + kaslr), roots)
    img.u64(va2pa(roots), secs)
    img.u64(va2pa(secs), 0xffffea0000000000 | 1)
    vi = "OSRELEASE=%s\nPAGESIZE=4096\n" % release + note_keys % {
        "kaslr": kaslr, "phys_base": phys_base}
    img.write_elf(path, note("VMCOREINFO", 0, vi.encode()) if with_note else b"")
    return want


MINIMAL = "KERNELOFFSET=%(kaslr)x\nNUMBER(phys_base)=%(phys_base)d\n"


def test_x_fills_minimal_note(fake, work):
    """The note has no symbol, size or offset: -x supplies all of them, its
    kernel-image symbols moved by KERNELOFFSET."""
    core = os.path.join(work, "core")
    want = fake_core(fake, core, 0x1e000000, MINIMAL)
    out = os.path.join(work, "log")
    p = run(OURS, "--dump-dmesg", core, out, check=False)
    assert p.returncode == 1          # without -x: nothing to go on
    run(OURS, "--dump-dmesg", "-x", fake["vmlinux"], core, out)
    assert open(out).read() == want


def test_x_note_wins(fake, work):
    """What the note says is used, not the debuginfo: here the note's
    SYMBOL(prb) is another ring buffer than the vmlinux's printk_rb_static."""
    core = os.path.join(work, "core")
    other = 0xffffffff81014000 + 0x2a00000
    keys = MINIMAL + "SYMBOL(prb)=%x\n" % other + PRB_KEYS_61
    fake_core(fake, core, 0x2a00000, keys, second_ring=other)
    out = os.path.join(work, "log")
    run(OURS, "--dump-dmesg", "-x", fake["vmlinux"], core, out)
    assert open(out).read() == "".join(expected_line(ts, t) for ts, t in MSGS2)


def test_x_without_note(fake, work):
    """No VMCOREINFO at all (no KASLR): everything from -x."""
    core = os.path.join(work, "core")
    want = fake_core(fake, core, 0, "", with_note=False)
    out = os.path.join(work, "log")
    run(OURS, "--dump-dmesg", "-x", fake["vmlinux"], core, out)
    assert open(out).read() == want


def test_i_reads_g_output(fake, work):
    """-g's file works as -i for a dump without VMCOREINFO."""
    text, _ = generate(fake, work)
    core = os.path.join(work, "core")
    want = fake_core(fake, core, 0, "", with_note=False)
    out = os.path.join(work, "log")
    run(OURS, "--dump-dmesg", "-i", os.path.join(work, "vmcoreinfo"), core, out)
    assert open(out).read() == want


def test_release_mismatch(fake, work):
    core = os.path.join(work, "core")
    fake_core(fake, core, 0x1e000000, MINIMAL, release="6.1.0-other")
    out = os.path.join(work, "log")
    p = run(OURS, "--dump-dmesg", "-x", fake["vmlinux"], core, out, check=False)
    assert p.returncode == 1
    assert b"6.1.0-fake-amd64" in p.stderr and b"6.1.0-other" in p.stderr
    generate(fake, work)
    p = run(OURS, "--dump-dmesg", "-i", os.path.join(work, "vmcoreinfo"), core, out,
            check=False)
    assert p.returncode == 2
    assert not os.path.exists(out)


# ------------------------------------------------ Debian's real vmlinux

def real_vmlinux():
    """Debian's -dbg vmlinux of the guest kernel, downloaded once into
    build/kernel-dbg/ (apt-get download, ~280 MB)."""
    kdir = glob.glob(os.path.join(ROOT, "build", "kernel", "linux-image-*"))
    if not kdir:
        pytest.skip("no guest kernel in build/kernel")
    pkg = os.path.basename(sorted(kdir)[-1]) + "-dbg"
    dest = os.path.join(ROOT, "build", "kernel-dbg", pkg)
    found = glob.glob(os.path.join(dest, "usr", "lib", "debug", "boot", "vmlinux-*"))
    if not found:
        dl = os.path.join(ROOT, "build", "kernel-dbg", "dl")
        os.makedirs(dl, exist_ok=True)
        subprocess.run(["apt-get", "download", pkg], cwd=dl, check=True)
        deb = glob.glob(os.path.join(dl, pkg + "_*.deb"))[0]
        subprocess.run(["dpkg-deb", "--fsys-tarfile", deb], check=True,
                       stdout=open(os.path.join(dl, "data.tar"), "wb"))
        os.makedirs(dest, exist_ok=True)
        subprocess.run(["tar", "-xf", os.path.join(dl, "data.tar"), "-C", dest,
                        "--wildcards", "./usr/lib/debug/boot/vmlinux-*"], check=True)
        subprocess.run(["rm", "-rf", dl], check=True)
        found = glob.glob(os.path.join(dest, "usr", "lib", "debug", "boot", "vmlinux-*"))
    return found[0]


def reduced_note_copy(vmcore, work):
    """A sparse copy of VMCORE whose VMCOREINFO is cut down to what a kernel
    without it would give (release, page size, KASLR offset, phys_base,
    paging mode), padded with newlines so no offset moves.  Returns (the
    full VMCOREINFO as a dict, the copy's path)."""
    from coregen import Core
    core = Core(vmcore)
    vi, span = core.vmcoreinfo(), core.vmcoreinfo_span()
    core.close()
    keep = ["OSRELEASE", "PAGESIZE", "KERNELOFFSET", "NUMBER(phys_base)",
            "NUMBER(pgtable_l5_enabled)"]
    small = "".join("%s=%s\n" % (k, vi[k]) for k in keep).encode()
    reduced = os.path.join(work, "reduced.elf")
    run("cp", "--sparse=always", vmcore, reduced)
    with open(reduced, "r+b") as f:
        f.seek(span[0])
        f.write(small + b"\n" * (span[1] - len(small)))
    return vi, reduced


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["l5", "l4"])
def test_real_vmlinux_matches_note(work, variant):
    real_vmcore(variant)
    vmlinux = real_vmlinux()
    note_path = os.path.join(ROOT, "build", "vmcores", "x86_64-6.1-%s-1g.vmcoreinfo.txt" % variant)
    with open(note_path) as f:
        note_vi = parse_vmcoreinfo(f.read())
    out = os.path.join(work, "vmcoreinfo")
    run(OURS, "-g", out, "-x", vmlinux)
    with open(out) as f:
        got = parse_vmcoreinfo(f.read())
    kaslr = int(note_vi["KERNELOFFSET"], 16)
    assert got["OSRELEASE"] == note_vi["OSRELEASE"]
    compared = 0
    for key, val in got.items():
        if key not in note_vi or key == "SYMBOL(mem_section)":
            continue                  # the note has the pointer's value there
        if key.startswith("SYMBOL("):
            assert int(val, 16) + kaslr == int(note_vi[key], 16), key
        else:
            assert val == note_vi[key], key
        compared += 1
    assert compared >= 95
    # everything the note has that DWARF can know (not #defines or run-time values)
    missing = [k for k in note_vi if k not in got and not k.startswith("NUMBER(")
               and k not in ("BUILD-ID", "KERNELOFFSET", "LENGTH(mem_section)")]
    assert missing == []


@pytest.mark.slow
def test_real_vmlinux_reduced_note(work):
    """The real vmcore with its VMCOREINFO cut down to what a kernel without
    it would give (release, page size, KASLR offset, phys_base, paging):
    with -x the log and a translation are the same as with the full note."""
    import shutil
    vmcore = real_vmcore("l5")
    vmlinux = real_vmlinux()
    vi, reduced = reduced_note_copy(vmcore, work)
    try:
        full = os.path.join(work, "full.txt")
        run(OURS, "--dump-dmesg", vmcore, full)
        got = os.path.join(work, "reduced.txt")
        p = run(OURS, "--dump-dmesg", reduced, got, check=False)
        assert p.returncode == 1
        run(OURS, "--dump-dmesg", "-x", vmlinux, reduced, got)
        assert open(got, "rb").read() == open(full, "rb").read()
        va = "%#x" % int(vi["SYMBOL(init_uts_ns)"], 16)
        a = run(OURS, "--vtop", va, vmcore).stdout
        b = run(OURS, "--vtop", va, "-x", vmlinux, reduced).stdout
        assert a == b
    finally:
        os.remove(reduced)
    shutil.rmtree(work, ignore_errors=True)


def kdump_payload(path):
    """A kdump-compressed file after its header, sub header and notes (the
    bitmaps, page descriptors and page data)."""
    import struct
    with open(path, "rb") as f:
        head = f.read(436)
        block, sub_blocks = struct.unpack_from("<ii", head, 428)
        f.seek((1 + sub_blocks) * block)
        return f.read()


@pytest.mark.slow
def test_real_vmlinux_filters_reduced_note(work):
    """Filtering (-d 31) a vmcore whose VMCOREINFO is cut down to the
    release, page size, KASLR offset, phys_base and paging mode, with -x
    the real vmlinux: the same bitmaps and pages as with the full note."""
    vmcore = real_vmcore("l5")
    vmlinux = real_vmlinux()
    _, reduced = reduced_note_copy(vmcore, work)
    try:
        full, red = os.path.join(work, "full.kdump"), os.path.join(work, "red.kdump")
        run(OURS, "-d", "31", "-l", vmcore, full)
        p = run(OURS, "-d", "31", "-l", "-x", vmlinux, reduced, red, check=False)
        assert p.returncode == 0, p.stderr
        assert kdump_payload(red) == kdump_payload(full)
    finally:
        os.remove(reduced)
