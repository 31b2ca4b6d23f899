"""--vtop on the real 6.1 vmcores (4- and 5-level paging, KASLR).

Oracles, none of them the code under test:
  * kernel-image symbols: physical = virtual - 0xffffffff80000000 +
    NUMBER(phys_base), and init_uts_ns there holds "Linux" and OSRELEASE;
  * every printed page-table line equals a walk done here in Python on the
    vmcore file (entry address and entry value, level by level);
  * a direct-map address (SYMBOL(mem_section), the memblock-allocated root
    array): KASLR places the direct map on a 1 GiB boundary and these
    guests have no RAM above 1 GiB, so physical = virtual mod 1 GiB; the
    root array found there points at section arrays in the same direct map;
  * Debian's makedumpfile 1.7.2 prints the same walk and result.
"""
import os
import re

import pytest

from conftest import phoff64, real_vmcore
from coregen import OURS, REF, START_KERNEL_MAP, Core, run, walk

WALK = re.compile(r"^  (PGD|P4D|PUD|PMD|PTE) : +([0-9a-f]+) => +([0-9a-f]+)$", re.M)
RESULT = re.compile(r"^VIRTUAL           PHYSICAL\n *([0-9a-f]+)  ([0-9a-f]+)$", re.M)
SYMBOLS = ["init_uts_ns", "swapper_pg_dir", "_stext", "prb", "printk_rb_static",
           "clear_seq", "node_data", "vmap_area_list", "kallsyms_names"]


def vtop(vmcore, va, *extra, binary=OURS, check=True):
    p = run(binary, "--vtop", "%#x" % va, vmcore, *extra, check=check)
    out = p.stdout.decode()
    steps = [(m.group(1), int(m.group(2), 16), int(m.group(3), 16))
             for m in WALK.finditer(out)]
    m = RESULT.search(out)
    return steps, (int(m.group(2), 16) if m else None), p


@pytest.fixture(scope="module", params=["l5", "l4"])
def core(request):
    path = real_vmcore(request.param)
    c = Core(path)
    c.path = path
    c.vi = c.vmcoreinfo()
    c.levels = 5 if c.vi.get("NUMBER(pgtable_l5_enabled)") == "1" else 4
    c.phys_base = int(c.vi["NUMBER(phys_base)"])
    c.pgd = int(c.vi["SYMBOL(init_top_pgt)"], 16) - START_KERNEL_MAP + c.phys_base
    yield c
    c.close()


def check_walk(core, va, steps, pa):
    """The printed walk is the one done here on the file."""
    want, want_pa = walk(core, core.pgd, core.levels, va)
    names = ["PGD", "P4D", "PUD", "PMD", "PTE"] if core.levels == 5 else \
        ["PGD", "PUD", "PMD", "PTE"]
    assert [(n, a, e) for n, a, e in steps] == \
        [(names[i], a, e) for i, (a, e) in enumerate(want)]
    assert pa == want_pa


@pytest.mark.parametrize("name", SYMBOLS)
def test_kernel_symbol(core, name):
    va = int(core.vi["SYMBOL(%s)" % name], 16)
    steps, pa, p = vtop(core.path, va)
    assert pa == va - START_KERNEL_MAP + core.phys_base
    check_walk(core, va, steps, pa)
    assert "Translating virtual address %x to physical address." % va in p.stdout.decode()
    if name == "init_uts_ns":
        off = int(core.vi.get("OFFSET(uts_namespace.name)", "4"))
        uts = core.read(pa + off, 6 * 65)
        assert uts[:6] == b"Linux\0"
        assert uts[130:130 + 65].rstrip(b"\0").decode() == core.vi["OSRELEASE"]


def test_direct_map(core):
    va = int(core.vi["SYMBOL(mem_section)"], 16)
    steps, pa, _ = vtop(core.path, va)
    gib = 1 << 30
    assert pa == va % gib
    check_walk(core, va, steps, pa)
    roots = [core.u64(pa + 8 * i) for i in range(4)]
    assert roots[0] and roots[0] // gib == va // gib
    _, root0_pa, _ = vtop(core.path, roots[0])
    assert root0_pa == roots[0] % gib
    # section 0 is present (bit 0) and its mem_map is a vmemmap address
    sec0 = core.u64(root0_pa)
    assert sec0 & 1 and sec0 >> 63


@pytest.mark.parametrize("name", ["init_uts_ns", "mem_section"])
def test_same_as_1_7_2(core, name, work):
    va = int(core.vi["SYMBOL(%s)" % name], 16)
    steps, pa, _ = vtop(core.path, va)
    ref, ref_pa, _ = vtop(phoff64(core.path), va, "-d", "31", "--dry-run",
                          os.path.join(work, "out"), binary=REF)
    assert ref and steps == ref[:len(steps)]
    assert pa is not None and pa == ref_pa


def test_not_mapped(core):
    """An address in a PGD slot that is empty: the walk up to there, an
    error, exit status 1."""
    for slot in range(256, 512):
        shift = 48 if core.levels == 5 else 39
        if not core.u64(core.pgd + 8 * slot) & 1:
            break
    else:
        pytest.skip("no empty PGD slot")
    va = (slot << shift) | ((1 << 64) - (1 << (shift + 9)))
    steps, pa, p = vtop(core.path, va, check=False)
    assert p.returncode == 1
    assert pa is None
    assert steps == [("PGD", core.pgd + 8 * slot, 0)]
    assert b"Can't get a valid PGD entry" in p.stderr


def test_with_dumpfile(core, work):
    """--vtop with VMCORE DUMPFILE: the translation, then the dump."""
    va = int(core.vi["SYMBOL(init_uts_ns)"], 16)
    out = os.path.join(work, "dump")
    steps, pa, p = vtop(core.path, va, "-d", "31", "-l", out)
    assert pa == va - START_KERNEL_MAP + core.phys_base
    assert os.path.getsize(out) > 1 << 20
    assert "The dumpfile is saved to %s." % out in p.stdout.decode()


ARM64_SYMBOLS = ["init_uts_ns", "swapper_pg_dir", "_stext", "prb", "clear_seq",
                 "vmap_area_list", "kallsyms_names"]


@pytest.mark.parametrize("name", ARM64_SYMBOLS)
def test_arm64_kernel_image_symbols(name):
    """arm64 kernel-image symbols walked through swapper_pg_dir land at
    virtual - NUMBER(kimage_voffset), where init_uts_ns holds "Linux"; and
    SYMBOL(mem_section) (linear map) lands at virtual - PAGE_OFFSET +
    NUMBER(PHYS_OFFSET), PAGE_OFFSET being -(1 << VA_BITS) on 6.1."""
    path = os.path.join(os.path.dirname(real_vmcore("l5")), "aarch64-6.1-1g.elf")
    if not os.path.exists(path):
        if os.environ.get("MKDUMP_REQUIRE_VMCORES"):
            pytest.fail("%s missing (tests/vm/mkvmcore.sh --arch aarch64)" % path)
        pytest.skip("%s missing" % path)
    c = Core(path)
    vi = c.vmcoreinfo()
    voff = int(vi["NUMBER(kimage_voffset)"], 16)
    va = int(vi["SYMBOL(%s)" % name], 16)
    steps, pa, _ = vtop(path, va)
    # 4 levels, or 3 where a 2 MiB block maps it (text and rodata)
    assert [s[0] for s in steps] in (["PGD", "PUD", "PMD", "PTE"], ["PGD", "PUD", "PMD"])
    assert pa == (va - voff) & (2 ** 64 - 1)
    if name == "init_uts_ns":
        assert c.read(pa, 5) == b"Linux"
    lin = int(vi["SYMBOL(mem_section)"], 16)
    _, pa, _ = vtop(path, lin)
    page_offset = 2 ** 64 - 2 ** int(vi["NUMBER(VA_BITS)"])
    assert pa == lin - page_offset + int(vi["NUMBER(PHYS_OFFSET)"], 16)
    c.close()
