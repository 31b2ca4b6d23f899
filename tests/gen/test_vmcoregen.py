"""Synthetic vmcores (tests/gen/cases/*.desc) against their ground truth.

For each description the generator writes an ELF vmcore and the truth
(pfns excluded at every dump level, computed from the page descriptions).
Three checks per case:

  * the generated file reads back with libkdumpfile, page for page;
  * Debian's makedumpfile 1.7.2 (REF_MAKEDUMPFILE) agrees with the truth,
    apart from differences a case declares ('#@ known-diff-pfns');
  * our build (MAKEDUMPFILE, default build/makedumpfile) agrees with the
    truth exactly, kdump-compressed and ELF output, kept pages byte-identical.

MKDUMP_FAST=1 checks only -d 31 (kdump and ELF) for our build; MKDUMP_ALL_LEVELS=1
checks all 32 dump levels for every case (by default only the cases in
ALL_LEVEL_CASES get all 32, the others LEVELS).  A case whose
'#@ xfail-ours: REASON' line declares a known disagreement of our build
with the truth is a strict xfail for our build.
"""
import glob
import os
import re
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vmcoregen  # noqa: E402
import selfcheck  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
OURS = os.environ.get("MAKEDUMPFILE", os.path.join(ROOT, "build", "makedumpfile"))
REF = selfcheck.default_makedumpfile()
CASES = sorted(glob.glob(os.path.join(HERE, "cases", "*.desc")))
FAST = bool(os.environ.get("MKDUMP_FAST"))
LEVELS = [0, 1, 2, 4, 8, 16, 31]
ALL_LEVELS = bool(os.environ.get("MKDUMP_ALL_LEVELS"))
ALL_LEVEL_CASES = ("classes_61", "era_2.6.15", "era_2.6.16", "era_3.10", "era_4.4", "era_6.12",
                   "era_minimal_6.12",
                   "era_reduced_vmcoreinfo")

needs_kdumpfile = pytest.mark.skipif(selfcheck.kdumpfile is None,
                                     reason="python3-libkdumpfile missing")


def _id(path):
    return os.path.basename(path)[:-5]


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    cache = {}

    def get(desc):
        if desc not in cache:
            work = str(tmp_path_factory.mktemp(_id(desc)))
            g, truth, elf, problems = selfcheck.prepare(desc, work)
            cache[desc] = (work, g, truth, elf, problems)
        return cache[desc]
    return get


@needs_kdumpfile
@pytest.mark.parametrize("desc", CASES, ids=_id)
def test_generated_file_reads_back(generated, desc):
    _, _, _, _, problems = generated(desc)
    assert not problems


@needs_kdumpfile
@pytest.mark.skipif(not os.path.exists(REF), reason="reference makedumpfile missing")
@pytest.mark.parametrize("desc", CASES, ids=_id)
def test_reference_agrees_with_truth(generated, desc):
    work, g, truth, elf, _ = generated(desc)
    _, _, known_pfns, opts = selfcheck.directives(desc)
    if "noref" in opts:
        pytest.skip("the case declares the reference cannot read it (#@ selfcheck: noref)")
    elf_in = selfcheck.phoff64(elf) if "phoff64" in opts else elf
    failures = []
    for level in LEVELS:
        out = os.path.join(work, "ref.d%d.kdump" % level)
        probs, _, _ = selfcheck.check_level(REF, g, truth, elf_in, out, level, "kdump",
                                            frozenset(known_pfns))
        failures += ["-d %d: %s" % (level, p) for p in probs]
    assert not failures, "\n".join(failures)


def _xfail_ours(desc):
    """'#@ xfail-ours [levels=L,L,...|all] [elf=L,...|all|none]: REASON' ->
    ({'kdump': levels or None, 'elf': levels or None}, reason); None = all."""
    for line in open(desc):
        if line.startswith("#@ xfail-ours"):
            head, _, reason = line[len("#@ xfail-ours"):].partition(":")
            sel = {"kdump": None}
            for tok in head.split():
                k, _, v = tok.partition("=")
                if k in ("levels", "elf"):
                    sel["kdump" if k == "levels" else "elf"] = \
                        None if v == "all" else set() if v == "none" else {int(x) for x in v.split(",")}
            sel.setdefault("elf", sel["kdump"])
            return sel, reason.strip() or "declared"
    return None


def _marks(xf, level, fmt="kdump"):
    if xf and (xf[0][fmt] is None or level in xf[0][fmt]):
        return [pytest.mark.xfail(reason=xf[1], strict=True)]
    return []


def _ours_params():
    out = []
    for desc in CASES:
        xf = _xfail_ours(desc)
        if FAST:
            levels = [31]
        elif ALL_LEVELS or _id(desc) in ALL_LEVEL_CASES:
            levels = list(range(32))
        else:
            levels = LEVELS
        for level in levels:
            out.append(pytest.param(desc, level, "kdump", id="%s-d%d-kdump" % (_id(desc), level),
                                    marks=_marks(xf, level)))
        for level in ([31] if FAST else [1, 31]):
            out.append(pytest.param(desc, level, "elf", id="%s-d%d-elf" % (_id(desc), level),
                                    marks=_marks(xf, level, "elf")))
    return out


@needs_kdumpfile
@pytest.mark.skipif(not os.path.exists(OURS), reason="build/makedumpfile not built")
@pytest.mark.parametrize("desc,level,fmt", _ours_params())
def test_ours_agrees_with_truth(generated, desc, level, fmt):
    work, g, truth, elf, _ = generated(desc)
    out = os.path.join(work, "ours.d%d.%s" % (level, fmt))
    probs, _, _ = selfcheck.check_level(OURS, g, truth, elf, out, level, fmt)
    assert not probs, "\n".join(probs)


# Everything a filter may need beyond struct page: where mem_map is and how
# to translate (the "mem_map symbols" of issue 3's "done when").
MINIMAL_KEYS = ("OSRELEASE PAGESIZE SYMBOL(mem_section) LENGTH(mem_section) SIZE(mem_section) "
                "OFFSET(mem_section.section_mem_map) SYMBOL(init_top_pgt) "
                "SYMBOL(init_level4_pgt) NUMBER(phys_base) SYMBOL(phys_base) KERNELOFFSET "
                "NUMBER(pgtable_l5_enabled)")


def _era_version(desc):
    m = re.fullmatch(r"era_(\d+)\.(\d+)(?:\.(\d+))?", _id(desc))
    return m and tuple(int(x or 0) for x in m.groups())


# one plain case per kernel generation that has a VMCOREINFO note (2.6.24+)
ERA_CASES = [d for d in CASES if _era_version(d) and _era_version(d) >= (2, 6, 24)]


@needs_kdumpfile
@pytest.mark.skipif(not os.path.exists(OURS), reason="build/makedumpfile not built")
@pytest.mark.parametrize("desc", ERA_CASES, ids=_id)
def test_table_row_alone(tmp_path, desc):
    """The era's case with VMCOREINFO cut to MINIMAL_KEYS: every struct page
    offset, flag bit, buddy/page-type value and compound location comes from
    that generation's row of kernel_tables.c, and the kept pfns still equal
    the ground truth (which drops what the missing keys cannot tell, such
    as PG_hwpoison) at every level tested."""
    text = "".join(l for l in open(desc) if not l.startswith(("#", "keep_keys", "drop_key")))
    has = {k for k, _ in vmcoregen.build(text).vmcoreinfo_lines}
    keep = [k for k in MINIMAL_KEYS.split() if k in has]
    cut = tmp_path / os.path.basename(desc)
    cut.write_text("keep_keys %s\n" % " ".join(keep) + text)
    g, truth, elf, problems = selfcheck.prepare(str(cut), str(tmp_path))
    assert not problems
    failures = []
    for level in ([31] if FAST else LEVELS):
        out = str(tmp_path / ("ours.d%d" % level))
        probs, _, _ = selfcheck.check_level(OURS, g, truth, elf, out, level, "kdump")
        failures += ["-d %d: %s" % (level, p) for p in probs]
    assert not failures, "\n".join(failures)


def test_expected_kept_examples():
    """expected_kept() on a tiny hand-checked layout."""
    desc = """
kernel 6.1
memory 0x100000-0x1200000
pfn 0x400 free order=3
pfn 0x500-0x50f cache
pfn 0x510-0x51f cache_private
pfn 0x600-0x7ff hugetlb order=9
pfn 0x800 offline
pfn 0x900-0x90f zero
"""
    g = vmcoregen.build(desc)
    g.loads = g._loads()
    for ld in g.loads:
        ld["offset"] = 0
    t = g.truth()
    vmcoregen._check_intent(g, t)
    ex = lambda lv: vmcoregen.excluded(t, lv)             # noqa: E731
    r = lambda a, b: set(range(a, b))                      # noqa: E731
    assert ex(0) == {0x800}
    assert ex(2) == r(0x500, 0x510) | {0x800}
    assert ex(4) == r(0x500, 0x520) | {0x800}
    assert ex(8) == r(0x600, 0x800) | {0x800}
    assert ex(16) == r(0x400, 0x408) | {0x800}
    assert r(0x900, 0x910) <= vmcoregen.from_ranges(t["zero"])
    assert r(0x900, 0x910) <= vmcoregen.expected_kept(t, 1, "kdump")
    assert not r(0x900, 0x910) & vmcoregen.expected_kept(t, 1, "bitmap")
