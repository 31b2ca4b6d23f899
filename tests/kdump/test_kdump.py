"""End-to-end kdump: our static makedumpfile as the collector in a real
capture kernel (the project's issue 6), on x86_64 and on arm64.

tests/kdump/run-kdump.sh (run once per module and architecture, cached by
the collector's hash) crashes Debian's cloud kernel under QEMU/TCG with
sysrq-c; in the kexec'ed capture kernel Debian's makedumpfile 1.7.2 and
ours (the static build/static/makedumpfile) each dump the same
/proc/vmcore.  The same with --arch aarch64 (results in
build/kdump-aarch64/): Debian's arm64 cloud kernel on QEMU's virt board,
Debian's arm64 kexec and makedumpfile, and our cross-built
build/static-aarch64/makedumpfile.  Every test runs for both architectures
(the `run` fixture's parameter); the host-side tools are the x86_64 ones
(our build/makedumpfile, Debian's /usr/bin/makedumpfile for -R) except the
reference for --dump-dmesg of an arm64 dump, Debian's arm64 makedumpfile
under qemu-user (tests/tools/ref-makedumpfile-arm64).  Checked here:

  case 1  ours `-l -d 31 -F` to a raw disk: `build/makedumpfile -R`
          rebuilds it from the disk (trailing data after the end marker is
          ignored); libkdumpfile opens it; its kernel log holds the crash;
          its kept pfns (bitmap 2) and their contents equal Debian's
          `-l -d 31 -F` dump of the same crash.
  case 2  ours `-c -d 31` to a file on ext4 (copied out with debugfs): the
          same checks.
  case 3  ours `-l -d 0` to a 64 MiB ext2: exit status 1, the dump flagged
          incomplete (header status bit 0x8), and every page libkdumpfile
          can read from it equals that page of Debian's complete
          `-l -d 0 -F` dump of the same crash.
  console ours prints only whole lines on the serial console when TERM is
          unset (cases 1 and 3) or dumb (case 2): no '\\r', no escapes.

Needs QEMU (qemu-system-x86_64, qemu-system-aarch64); an architecture is
skipped when its QEMU is missing unless MKDUMP_REQUIRE_VMCORES is set.
Run: /usr/bin/python3 -m pytest -q tests/kdump
"""

import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
RUN = ROOT / "tests" / "kdump" / "run-kdump.sh"
OURS = BUILD / "makedumpfile"          # host-side tool: -R, --dump-dmesg
DEBIAN = Path("/usr/bin/makedumpfile")  # Debian's 1.7.2, the reference
DEBIAN_ARM64 = ROOT / "tests" / "tools" / "ref-makedumpfile-arm64"
PAGE = 4096

# architecture -> (QEMU, run-kdump.sh arguments, results directory,
#                  Debian's makedumpfile that reads its dumps on this host)
ARCHES = {
    "x86_64": ("qemu-system-x86_64", [], BUILD / "kdump", DEBIAN),
    "aarch64": ("qemu-system-aarch64", ["--arch", "aarch64"], BUILD / "kdump-aarch64", DEBIAN_ARM64),
}

DUMP_DH_COMPRESSED_ZLIB = 0x1
DUMP_DH_COMPRESSED_LZO = 0x2
DUMP_DH_COMPRESSED_INCOMPLETE = 0x8

# case -> TERM the capture init gave our collector
OUR_CASES = {"ours-l31": "unset", "ours-c31": "dumb", "ours-l0": "unset"}
ALL_CASES = ["debian-l31", "ours-l31", "ours-c31", "debian-l0", "ours-l0"]

# no external reader needed for the kernel log: the crash message and the
# marker the first kernel wrote to /dev/kmsg just before sysrq-c
CRASH_MSG = b"sysrq triggered crash"
MARKER = b"KDUMP-TEST-MARKER: first kernel about to crash"


def _tail(data, n=40):
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    return "\n".join(data.splitlines()[-n:])


# --- the QEMU run -----------------------------------------------------------

class Run:
    def __init__(self, arch, out, console):
        self.arch = arch
        self.out = out            # run-kdump.sh's results
        self.host = out / "host"  # what the tests make from them
        self.debian = ARCHES[arch][3]
        self.console = console
        self.exit = {}
        for m in re.finditer(rb"COLLECTOR-EXIT ([\w-]+)=(\S+)", console):
            self.exit[m.group(1).decode()] = m.group(2).decode()

    def segment(self, case):
        """What the collector of CASE wrote to the console."""
        begin = b"COLLECTOR-BEGIN %s" % case.encode()
        i = self.console.find(begin)
        j = self.console.find(b"COLLECTOR-EXIT %s=" % case.encode())
        if i < 0 or j < 0:
            return None
        return self.console[i + len(begin):j]


@pytest.fixture(scope="module", params=sorted(ARCHES))
def run(request):
    arch = request.param
    qemu, args, out, _debian = ARCHES[arch]
    if not shutil.which(qemu):
        if os.environ.get("MKDUMP_REQUIRE_VMCORES"):
            pytest.fail("%s not found and MKDUMP_REQUIRE_VMCORES is set" % qemu)
        pytest.skip("%s not found (set MKDUMP_REQUIRE_VMCORES to make this a failure)" % qemu)
    p = subprocess.run([str(RUN)] + args, cwd=ROOT, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=1800)
    console_path = out / "console.log"
    console = console_path.read_bytes() if console_path.exists() else b""
    if p.returncode != 0:
        pytest.fail("tests/kdump/run-kdump.sh %s failed (exit %d):\n%s\n--- console (%s) ---\n%s"
                    % (" ".join(args), p.returncode, _tail(p.stdout), console_path, _tail(console)))
    return Run(arch, out, console)


def _build_host_tool():
    if not OURS.exists():
        subprocess.run(["make", "-C", str(ROOT)], check=True,
                       stdout=subprocess.DEVNULL)
    assert OURS.exists(), "%s missing and `make` did not build it" % OURS


class Dumps:
    """Host-side dump files, made on first use."""

    def __init__(self, run):
        self.run = run
        self.cache = {}

    def _rearrange(self, tool, img, out):
        out.unlink(missing_ok=True)
        with open(img, "rb") as f:
            p = subprocess.run([str(tool), "-R", str(out)], stdin=f,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return p

    def reference(self, case):
        """Debian's dump of CASE (debian-l31, debian-l0), rebuilt by Debian's -R."""
        if case not in self.cache:
            status = self.run.exit.get(case)
            if status != "0":
                pytest.fail("reference collector %s exited with %s in the capture kernel "
                            "(Debian's makedumpfile; a harness or environment problem)\n%s"
                            % (case, status, (self.run.segment(case) or b"").decode("utf-8", "replace")))
            self.run.host.mkdir(exist_ok=True)
            out = self.run.host / (case + ".kdump")
            # -R only copies the flattened records: the x86_64 build serves
            p = self._rearrange(DEBIAN, self.run.out / (case + ".img"), out)
            if p.returncode != 0:
                pytest.fail("Debian's makedumpfile -R of %s failed (exit %d):\n%s"
                            % (case, p.returncode, p.stdout.decode("utf-8", "replace")))
            self.cache[case] = out
        return self.cache[case]

    def ours(self, case):
        """Our dump of CASE as a kdump-compressed file on the host."""
        if case not in self.cache:
            if case == "ours-l31":
                _build_host_tool()
                self.run.host.mkdir(exist_ok=True)
                out = self.run.host / "ours-l31.kdump"
                p = self._rearrange(OURS, self.run.out / "ours-l31.img", out)
                assert p.returncode == 0, (
                    "case 1: `build/makedumpfile -R` of the raw disk failed (exit %d):\n%s"
                    % (p.returncode, p.stdout.decode("utf-8", "replace")))
                assert out.exists(), "case 1: -R exited 0 but wrote no %s" % out
            else:
                out = self.run.out / (case + ".kdump")
                assert out.exists(), (
                    "%s: no /vmcore in the file system image (see %s)"
                    % (case, self.run.out / "console.log"))
            self.cache[case] = out
        return self.cache[case]


@pytest.fixture(scope="module")
def dumps(run):
    return Dumps(run)


# --- kdump-compressed format ---------------------------------------------------

class Header:
    def __init__(self, path):
        with open(path, "rb") as f:
            head = f.read(PAGE)
            assert len(head) >= 448, "%s: shorter than a kdump header" % path
            self.signature = head[:8]
            self.version, = struct.unpack_from("<i", head, 8)
            (self.status, self.block_size, self.sub_hdr_size,
             self.bitmap_blocks, self.max_mapnr) = struct.unpack_from("<IiiII", head, 424)
            assert self.signature == b"KDUMP   ", (
                "%s: signature %r, not a kdump-compressed file" % (path, self.signature))
            assert self.block_size == PAGE, "%s: block_size %d" % (path, self.block_size)
            f.seek(self.block_size)
            sub = f.read(self.sub_hdr_size * self.block_size)
            self.dump_level, = struct.unpack_from("<i", sub, 8)
            if self.version >= 6:
                self.max_mapnr, = struct.unpack_from("<Q", sub, 96)
            half = self.bitmap_blocks * self.block_size // 2
            f.seek((1 + self.sub_hdr_size) * self.block_size + half)
            self.bitmap2 = f.read(half)
            assert len(self.bitmap2) == half, "%s: truncated in the bitmaps" % path

    def kept_pfns(self):
        """The pfns whose pages the dump holds (bitmap 2), sorted."""
        out = []
        for i, byte in enumerate(self.bitmap2):
            if byte:
                base = i * 8
                out.extend(base + b for b in range(8) if byte >> b & 1)
        return [p for p in out if p < self.max_mapnr]


def _open(path):
    import kdumpfile
    try:
        return kdumpfile.kdumpfile(str(path))
    except Exception as e:  # noqa: BLE001 - report whatever libkdumpfile raises
        pytest.fail("libkdumpfile cannot open %s: %s: %s" % (path, type(e).__name__, e))


def _read(k, pfn):
    import kdumpfile
    return bytes(k.read(kdumpfile.KDUMP_MACHPHYSADDR, pfn * PAGE, PAGE))


def _fmt_pfns(pfns, n=10):
    pfns = sorted(pfns)
    s = ", ".join("%#x" % p for p in pfns[:n])
    return s + (", ... (%d in all)" % len(pfns) if len(pfns) > n else "")


def _dmesg(run, path, tag):
    """The kernel log of the dump at PATH by our --dump-dmesg, which must
    equal what Debian's makedumpfile (RUN's architecture's) reads from the
    same file; returns (text, reader)."""
    run.host.mkdir(exist_ok=True)
    _build_host_tool()
    texts = []
    for name, binary in (("ours", OURS), ("debian", run.debian)):
        out = run.host / ("%s.%s.dmesg" % (tag, name))
        out.unlink(missing_ok=True)
        p = subprocess.run([str(binary), "--dump-dmesg", str(path), str(out)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert p.returncode == 0 and out.exists(), (
            "%s: %s --dump-dmesg failed (exit %d):\n%s"
            % (tag, binary, p.returncode, p.stdout.decode("utf-8", "replace")))
        texts.append(out.read_bytes())
    assert texts[0] == texts[1], "%s: our --dump-dmesg differs from Debian's" % tag
    return texts[0], "build/makedumpfile --dump-dmesg (= Debian's)"


# --- the capture run as a whole ---------------------------------------------

def test_capture_kernel_ran_all_collectors(run):
    missing = [c for c in ALL_CASES if c not in run.exit]
    assert not missing, (
        "no COLLECTOR-EXIT line for %s; console tail:\n%s" % (missing, _tail(run.console)))
    assert b"KDUMP-CAPTURE-DONE" in run.console
    for c in ("debian-l31", "debian-l0"):
        assert run.exit[c] == "0", (
            "reference collector %s (Debian's makedumpfile) exited %s:\n%s"
            % (c, run.exit[c], (run.segment(c) or b"").decode("utf-8", "replace")))


@pytest.mark.parametrize("case", sorted(OUR_CASES))
def test_console_output_is_line_oriented(run, case):
    seg = run.segment(case)
    assert seg is not None, "%s: no COLLECTOR-BEGIN/EXIT lines on the console" % case
    # the harness switched the console to raw output (stty -opost): its own
    # marker line must end in a bare \n, or the check below means nothing
    assert b"COLLECTOR-BEGIN %s\n" % case.encode() in run.console, (
        "harness: the console still translates \\n to \\r\\n (stty -opost failed?)")
    problems = []
    for ch, name in ((b"\r", "carriage return"), (b"\x1b", "escape"),
                     (b"\b", "backspace")):
        n = seg.count(ch)
        if n:
            i = seg.index(ch)
            problems.append("%d %s(s), first in %r" % (n, name, seg[max(0, i - 60):i + 60]))
    assert not problems, (
        "%s: our collector (stderr on the serial console, TERM %s) wrote terminal "
        "redraws instead of whole lines: %s\nfull output:\n%r"
        % (case, OUR_CASES[case], "; ".join(problems), seg))


# --- cases 1 and 2 --------------------------------------------------------------

CASES_12 = {
    "case1-l31-flat-raw-disk": ("ours-l31", DUMP_DH_COMPRESSED_LZO),
    "case2-c31-file-on-ext4": ("ours-c31", DUMP_DH_COMPRESSED_ZLIB),
}


@pytest.fixture(scope="module", params=sorted(CASES_12))
def c12(request, run, dumps):
    case, flag = CASES_12[request.param]
    assert run.exit.get(case) == "0", (
        "%s: our collector exited %s in the capture kernel; its output:\n%s"
        % (case, run.exit.get(case), (run.segment(case) or b"").decode("utf-8", "replace")))
    return case, flag, dumps.ours(case)


def test_dump_header(c12):
    case, flag, path = c12
    h = Header(path)
    assert h.status & flag, "%s: header status %#x lacks compression flag %#x" % (case, h.status, flag)
    assert not h.status & DUMP_DH_COMPRESSED_INCOMPLETE, (
        "%s: complete dump flagged incomplete (status %#x)" % (case, h.status))
    assert h.dump_level == 31, "%s: sub-header dump_level %d, expected 31" % (case, h.dump_level)


def test_libkdumpfile_opens_and_translates(run, c12):
    import kdumpfile
    case, _flag, path = c12
    k = _open(path)
    assert k.attr["file.format"] == "diskdump"
    assert k.attr["arch.name"] == run.arch, (
        "%s: a dump of an %s machine, not %s" % (case, k.attr["arch.name"], run.arch))
    k.attr["addrxlat.ostype"] = "linux"
    release = k.attr["linux.uts.release"]
    uts = k.attr["linux.vmcoreinfo.SYMBOL.init_uts_ns"]
    data = bytes(k.read(kdumpfile.KDUMP_KVADDR, uts, 512))
    assert release.encode() in data, (
        "%s: init_uts_ns read through the kernel page tables lacks %r" % (case, release))


def test_kernel_log_has_the_crash(run, c12):
    case, _flag, path = c12
    text, reader = _dmesg(run, path, case)
    assert MARKER in text, "%s: kernel log (via %s) lacks %r" % (case, reader, MARKER)
    assert CRASH_MSG in text, "%s: kernel log (via %s) lacks %r" % (case, reader, CRASH_MSG)


def test_kept_pfns_equal_debian(c12, dumps):
    case, _flag, path = c12
    ref = Header(dumps.reference("debian-l31"))
    ours = Header(path)
    assert ours.max_mapnr == ref.max_mapnr, (
        "%s: max_mapnr %d, Debian's %d" % (case, ours.max_mapnr, ref.max_mapnr))
    a, b = set(ours.kept_pfns()), set(ref.kept_pfns())
    assert a == b, (
        "%s: kept pfns differ from Debian's makedumpfile -d 31 on the same crash: "
        "%d vs %d kept; only ours: %s; only Debian's: %s"
        % (case, len(a), len(b), _fmt_pfns(a - b), _fmt_pfns(b - a)))


def test_pages_equal_debian(c12, dumps):
    case, _flag, path = c12
    ref_path = dumps.reference("debian-l31")
    pfns = set(Header(path).kept_pfns()) & set(Header(ref_path).kept_pfns())
    k, r = _open(path), _open(ref_path)
    bad, errors = [], []
    for pfn in sorted(pfns):
        try:
            a = _read(k, pfn)
        except Exception as e:  # noqa: BLE001
            errors.append("%#x: %s: %s" % (pfn, type(e).__name__, e))
            continue
        if a != _read(r, pfn):
            bad.append(pfn)
    assert not errors, "%s: %d kept pages unreadable by libkdumpfile: %s" % (
        case, len(errors), "; ".join(errors[:5]))
    assert not bad, "%s: %d of %d pages differ from Debian's dump: %s" % (
        case, len(bad), len(pfns), _fmt_pfns(bad))


# --- case 3 -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def c3(run, dumps):
    return dumps.ours("ours-l0")


def test_case3_exit_status_is_1(run):
    seg = (run.segment("ours-l0") or b"").decode("utf-8", "replace")
    assert run.exit.get("ours-l0") == "1", (
        "case 3 (-l -d 0 to a 64 MiB ext2): our collector exited %s, expected 1; output:\n%s"
        % (run.exit.get("ours-l0"), seg))


def test_case3_flagged_incomplete(c3):
    h = Header(c3)
    assert h.status & DUMP_DH_COMPRESSED_INCOMPLETE, (
        "case 3: the dump that ran out of space is not flagged incomplete "
        "(status %#x at byte 424, bit 0x8 missing)" % h.status)
    assert h.status & DUMP_DH_COMPRESSED_LZO, "case 3: status %#x lacks the lzo flag" % h.status
    assert h.dump_level == 0, "case 3: sub-header dump_level %d, expected 0" % h.dump_level


def test_case3_written_pages_match_reference(c3, dumps):
    ref_path = dumps.reference("debian-l0")
    ours_h, ref_h = Header(c3), Header(ref_path)
    ours_pfns = ours_h.kept_pfns()
    extra = set(ours_pfns) - set(ref_h.kept_pfns())
    assert not extra, "case 3: our bitmap names pfns Debian's -d 0 dump does not have: %s" % _fmt_pfns(extra)
    k, r = _open(c3), _open(ref_path)
    written, unwritten, bad = 0, 0, []
    for pfn in ours_pfns:
        try:
            a = _read(k, pfn)
        except Exception:  # noqa: BLE001 - a zeroed descriptor: never written
            unwritten += 1
            continue
        written += 1
        if a != _read(r, pfn):
            bad.append(pfn)
    assert written >= 1000, (
        "case 3: only %d pages of the incomplete dump are readable (%d are not); "
        "a 64 MiB file system holds far more" % (written, unwritten))
    assert not bad, ("case 3: %d of %d written pages differ from Debian's complete dump: %s"
                     % (len(bad), written, _fmt_pfns(bad)))
