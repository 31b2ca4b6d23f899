"""Independent readers for the test tiers: the input ELF vmcore read with
our own small PT_LOAD parser, outputs read with libkdumpfile (kdump) or
parsed as ELF, and helpers to run our binary and Debian's makedumpfile.

Nothing here uses the code under test to judge its output.
"""
import ctypes
import hashlib
import mmap
import os
import shutil
import struct
import subprocess

import kdumpfile
from kdumpfile import exceptions as kexc

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OURS = os.environ.get("MAKEDUMPFILE", os.path.join(ROOT, "build", "makedumpfile"))
REF = os.environ.get("REF_MAKEDUMPFILE", "/usr/bin/makedumpfile")
VMCORES = os.path.join(ROOT, "build", "vmcores")
WORK = os.path.join(ROOT, "build", "test-outputs")
PAGE = 4096


def workdir(name):
    """Yield an empty scratch directory under build/test-outputs/, removed
    afterwards (the real-kernel outputs are gigabytes) unless
    MKDUMP_KEEP_OUTPUTS is set.  For a `yield from` in a fixture."""
    d = os.path.join(WORK, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    yield d
    if not os.environ.get("MKDUMP_KEEP_OUTPUTS"):
        shutil.rmtree(d, ignore_errors=True)


def sha256(path):
    """The SHA-256 of a file, read in 1 MiB pieces."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run(binary, *args, stdin=None, stdout=None, check=True):
    """Run a makedumpfile; return the CompletedProcess."""
    p = subprocess.run([binary, *args], stdin=stdin,
                       stdout=stdout if stdout is not None else subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if check and p.returncode != 0:
        raise AssertionError("%s %s exited %d:\n%s" % (
            binary, " ".join(args), p.returncode, p.stderr.decode(errors="replace")))
    return p


class Elf:
    """An ELF64 little-endian core: PT_LOADs keyed on p_paddr."""

    def __init__(self, path):
        self.f = open(path, "rb")
        self.m = mmap.mmap(self.f.fileno(), 0, prot=mmap.PROT_READ)
        eh = self.m[:64]
        assert eh[:4] == b"\x7fELF" and eh[4] == 2 and eh[5] == 1
        phoff, = struct.unpack_from("<Q", eh, 32)
        phnum, = struct.unpack_from("<H", eh, 56)
        self.e_flags, = struct.unpack_from("<I", eh, 48)
        if phnum == 0xffff:
            shoff, = struct.unpack_from("<Q", eh, 40)
            phnum, = struct.unpack_from("<I", self.m, shoff + 44)
        self.loads = []
        for i in range(phnum):
            t, _fl, off, va, pa, fsz, msz, _al = struct.unpack_from(
                "<IIQQQQQQ", self.m, phoff + 56 * i)
            if t == 1:
                self.loads.append((pa, off, fsz, msz, va))

    def vmcoreinfo(self):
        """The text of the VMCOREINFO note."""
        eh = self.m[:64]
        phoff, = struct.unpack_from("<Q", eh, 32)
        phnum, = struct.unpack_from("<H", eh, 56)
        for i in range(phnum):
            t, _fl, off, _va, _pa, fsz, _msz, _al = struct.unpack_from(
                "<IIQQQQQQ", self.m, phoff + 56 * i)
            if t != 4:
                continue
            pos = off
            while pos + 12 <= off + fsz:
                nsz, dsz, _ty = struct.unpack_from("<III", self.m, pos)
                name = self.m[pos + 12:pos + 12 + nsz]
                desc = pos + 12 + ((nsz + 3) & ~3)
                if name.rstrip(b"\0") == b"VMCOREINFO":
                    return self.m[desc:desc + dsz].decode()
                pos = desc + ((dsz + 3) & ~3)
        raise AssertionError("no VMCOREINFO note")

    def page(self, pfn):
        """Bytes of page pfn from the first segment with file data, or None."""
        a = pfn * PAGE
        for pa, off, fsz, _msz, _va in self.loads:
            if pa <= a and a + PAGE <= pa + fsz:
                return self.m[off + a - pa:off + a - pa + PAGE]
        return None

    def pfns_with_data(self):
        """Set of pfns whose whole page has file data."""
        s = set()
        for pa, _off, fsz, _msz, _va in self.loads:
            first = (pa + PAGE - 1) // PAGE
            s.update(range(first, (pa + fsz) // PAGE))
        return s


def kdump_kept(path, max_pfn=None):
    """pfns set in the dumpable bitmap of a kdump file (via libkdumpfile)."""
    k = kdumpfile.kdumpfile(path)
    bm = k.attr["file.pagemap"]
    top = max_pfn if max_pfn is not None else k.attr["max_pfn"]
    kept, pfn = set(), 0
    while pfn < top:
        a = bm.find_set(pfn)
        if a >= top:
            break
        b = min(bm.find_clear(a), top)
        kept.update(range(a, b))
        pfn = b
    return kept


def check_kdump_pages(dump, elf, pfns):
    """Each pfn reads back from dump (libkdumpfile) equal to the ELF input."""
    k = kdumpfile.kdumpfile(dump)
    bad = []
    for pfn in sorted(pfns):
        data = bytes(k.read(kdumpfile.KDUMP_MACHPHYSADDR, pfn * PAGE, PAGE))
        if data != elf.page(pfn):
            bad.append(pfn)
    return bad


def kdump_header(path):
    """Selected fields of a kdump-compressed file, parsed by hand."""
    with open(path, "rb") as f:
        h = f.read(4096 + 104)
    status, block = struct.unpack_from("<II", h, 424)
    kh = h[block:block + 104] if block == 4096 else None
    dump_level, split = struct.unpack_from("<ii", kh, 8)
    start, end = struct.unpack_from("<QQ", kh, 80)
    return {"signature": h[:8], "status": status, "dump_level": dump_level,
            "split": split, "start_pfn": start, "end_pfn": end}


_lib = None


def open_fdset(paths):
    """Open a split set with libkdumpfile's C API (the Python binding takes
    one file).  Returns a reader function pfn -> bytes or None."""
    global _lib
    if _lib is None:
        _lib = ctypes.CDLL("libkdumpfile.so.10")
        _lib.kdump_new.restype = ctypes.c_void_p
        _lib.kdump_open_fdset.argtypes = [ctypes.c_void_p, ctypes.c_uint,
                                          ctypes.POINTER(ctypes.c_int)]
        _lib.kdump_read.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint64,
                                    ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t)]
        _lib.kdump_get_err.restype = ctypes.c_char_p
        _lib.kdump_get_err.argtypes = [ctypes.c_void_p]
    ctx = _lib.kdump_new()
    fds = [os.open(p, os.O_RDONLY) for p in paths]
    arr = (ctypes.c_int * len(fds))(*fds)
    st = _lib.kdump_open_fdset(ctx, len(fds), arr)
    if st != 0:
        raise AssertionError("kdump_open_fdset: %s" % _lib.kdump_get_err(ctx))
    buf = ctypes.create_string_buffer(PAGE)

    def read(pfn):
        n = ctypes.c_size_t(PAGE)
        if _lib.kdump_read(ctx, 1, pfn * PAGE, buf, ctypes.byref(n)) != 0 or n.value != PAGE:
            return None
        return buf.raw
    return read


def vmcore(name):
    """Path of a cached real vmcore; made by tests/vm/mkvmcore.sh."""
    return os.path.join(VMCORES, name)


def phoff64(path):
    """Copy with program headers at offset 64, for Debian's 1.7.2."""
    out = path[:-4] + ".phoff64.elf"
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(path):
        subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tests/tools/elf_phoff64.py"),
                        path, out], check=True, stdout=subprocess.DEVNULL)
    return out
