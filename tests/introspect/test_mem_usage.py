"""--mem-usage /proc/kcore inside the 6.1 QEMU guest (tests/vm/guestrun.sh),
with the static binary, while the guest runs the usual workload (page
cache on tmpfs/rootfs/ext2, slab, 1/16 of RAM anonymous).

The guest boots with crashkernel=64M, which Debian's makedumpfile 1.7.2
insists on, so both can be run on the same /proc/kcore.  Oracles:
  * /proc/meminfo read just before and just after: FREE vs MemFree, USER vs
    AnonPages, NON_PRI_CACHE + PRI_CACHE vs Cached + Buffers, each within
    TOLERANCE (the guest is idle; the observed differences are < 1%);
  * /proc/iomem: "Total pages on system" is exactly the System RAM pages
    minus the "Crash kernel" pages (which /proc/vmcore will not have);
  * makedumpfile 1.7.2 on the same kcore: the five excludable classes within
    1% (two runs a few seconds apart).  Its total is larger by exactly the
    kernel-text PT_LOAD (_end - _text from /proc/kallsyms): 1.7.2 subtracts
    every PT_LOAD's pages from the hole count, and the text segment overlaps
    RAM, so it counts those pages twice (and in KERN_DATA).
"""
import os
import re
import subprocess

import pytest

from coregen import REF, ROOT

TOLERANCE = 0.05
CLASSES = ["ZERO", "NON_PRI_CACHE", "PRI_CACHE", "USER", "FREE", "KERN_DATA"]

HOOK = r"""#!/bin/sh
echo "@@ iomem"; grep -E "System RAM|Crash kernel" /proc/iomem
echo "@@ kallsyms"; grep -E " (_text|_end)$" /proc/kallsyms
echo "@@ meminfo1"; cat /proc/meminfo
echo "@@ ours"; /bin/makedumpfile --mem-usage /proc/kcore 2>&1; echo "@@ rc $?"
echo "@@ meminfo2"; cat /proc/meminfo
echo "@@ ref"; /bin/makedumpfile-1.7.2 --mem-usage /proc/kcore 2>&1; echo "@@ rc $?"
echo "@@ end"
"""


def sections(text):
    out, cur = {}, None
    for line in text.splitlines():
        if line.startswith("@@ "):
            cur = line[3:]
            out[cur] = []
        elif cur:
            out[cur].append(line)
    return out


def table(lines):
    rows = {}
    for line in lines:
        m = re.match(r"^(\w+)\t+(\d+) *\t(yes|no)\t", line)
        if m:
            rows[m.group(1)] = int(m.group(2))
        m = re.match(r"^Total pages on system:\t(\d+)", line)
        if m:
            rows["total"] = int(m.group(1))
        m = re.match(r"^page size:\t+(\d+)", line)
        if m:
            rows["page_size"] = int(m.group(1))
    return rows


def meminfo(lines):
    return {k: int(v.split()[0]) for k, v in (l.split(":", 1) for l in lines if ":" in l)}


@pytest.fixture(scope="module", params=["l5", "l4"])
def guest(request, tmp_path_factory):
    if not os.path.isdir(os.path.join(ROOT, "build", "kernel")) or \
            subprocess.run(["which", "qemu-system-x86_64"], stdout=subprocess.DEVNULL).returncode:
        pytest.skip("no QEMU or no cached guest kernel (run tests/vm/mkvmcore.sh once)")
    subprocess.run(["make", "-s", "-C", ROOT, "LINKTYPE=static", "all"], check=True)
    hook = tmp_path_factory.mktemp("hook") / "hook.sh"
    hook.write_text(HOOK)
    p = subprocess.run([os.path.join(ROOT, "tests", "vm", "guestrun.sh"),
                        "--variant", request.param, "--append", "crashkernel=64M",
                        "--hook", str(hook),
                        "--file", os.path.join(ROOT, "build", "static", "makedumpfile") +
                        ":/bin/makedumpfile",
                        "--binary", REF + ":/bin/makedumpfile-1.7.2"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=1200)
    out = p.stdout.decode(errors="replace")
    assert p.returncode == 0, out + p.stderr.decode(errors="replace")
    s = sections(out)
    assert "end" in s, out
    return s


def test_table_format(guest):
    lines = guest["ours"]
    assert {k for k in guest if k.startswith("rc ")} == {"rc 0"}   # both ran
    assert lines[1] == "TYPE\t\tPAGES\t\t\tEXCLUDABLE\tDESCRIPTION"
    assert lines[2] == "-" * 70
    rows = table(lines)
    assert set(CLASSES) <= set(rows) and rows["page_size"] == 4096
    assert sum(rows[c] for c in CLASSES) == rows["total"]
    assert "Total size on system:\t%-16d Byte" % (rows["total"] * 4096) in lines


def test_against_meminfo(guest):
    rows = table(guest["ours"])
    kb = lambda pages: pages * 4
    for m in (meminfo(guest["meminfo1"]), meminfo(guest["meminfo2"])):
        pairs = [("FREE", kb(rows["FREE"]), m["MemFree"]),
                 ("USER", kb(rows["USER"]), m["AnonPages"]),
                 ("CACHE", kb(rows["NON_PRI_CACHE"] + rows["PRI_CACHE"]),
                  m["Cached"] + m["Buffers"])]
        for name, ours, theirs in pairs:
            assert abs(ours - theirs) <= TOLERANCE * theirs, (name, ours, theirs)
        assert m["MemTotal"] <= kb(rows["total"]) <= 1.1 * m["MemTotal"]


def test_total_is_ram_minus_crashkernel(guest):
    ram = crash = 0
    for line in guest["iomem"]:
        m = re.match(r"^\s*([0-9a-f]+)-([0-9a-f]+) : (System RAM|Crash kernel)$", line)
        if not m:
            continue
        a, b = int(m.group(1), 16), int(m.group(2), 16) + 1
        n = (b >> 12) - ((a + 4095) >> 12)
        if m.group(3) == "System RAM":
            ram += n
        else:
            crash += n
    assert crash == 64 << 8            # 64 MiB in pages
    assert table(guest["ours"])["total"] == ram - crash


def test_against_1_7_2(guest):
    ours, ref = table(guest["ours"]), table(guest["ref"])
    for c in CLASSES[:5]:
        assert abs(ours[c] - ref[c]) <= max(0.01 * ref[c], 300), (c, ours[c], ref[c])
    syms = {l.split()[2]: int(l.split()[0], 16) for l in guest["kallsyms"]}
    text_pages = (syms["_end"] - syms["_text"] + 4095) // 4096
    assert ref["total"] - ours["total"] == text_pages


def test_vmcore_file_matches_show_stats():
    """On a saved vmcore (no /proc/iomem adjustment), the table has the
    counts the dump path reports for -d 31 (--dry-run --show-stats)."""
    from conftest import real_vmcore
    from coregen import OURS, run
    vmcore = real_vmcore("l4")
    rows = table(run(OURS, "--mem-usage", vmcore).stdout.decode().splitlines())
    stats = run(OURS, "-d", "31", "--dry-run", "--show-stats", vmcore,
                "/nonexistent/out").stdout.decode()

    def stat(label):
        return int(re.search(r"%s *: 0x([0-9a-f]+)" % re.escape(label), stats).group(1), 16)
    assert rows["ZERO"] == stat("Pages filled with zero")
    assert rows["NON_PRI_CACHE"] == stat("Non-private cache pages")
    assert rows["PRI_CACHE"] == stat("Private cache pages")
    assert rows["USER"] == stat("User process data pages")
    assert rows["FREE"] == stat("Free pages")
    assert rows["total"] == stat("Original pages")
    assert rows["KERN_DATA"] == stat("Remaining pages")
