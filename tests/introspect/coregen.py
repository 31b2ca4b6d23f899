"""Small helpers for the introspection tests: an ELF64 core writer, an ELF
core reader with an independent x86_64 page-table walk, and the lockless
printk ring buffer (5.10+) written the way the kernel lays it out.

Standard library only; nothing here uses the code under test.
"""
import mmap
import os
import struct
import subprocess

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OURS = os.environ.get("MAKEDUMPFILE", os.path.join(ROOT, "build", "makedumpfile"))
REF = os.environ.get("REF_MAKEDUMPFILE", "/usr/bin/makedumpfile")
VMCORES = os.path.join(ROOT, "build", "vmcores")
START_KERNEL_MAP = 0xffffffff80000000
PTE_ADDR = 0x000ffffffffff000
PAGE = 4096


def run(binary, *args, check=True, **kw):
    p = subprocess.run([binary, *map(str, args)], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, **kw)
    if check and p.returncode != 0:
        raise AssertionError("%s %s exited %d:\n%s%s" % (
            binary, " ".join(map(str, args)), p.returncode,
            p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")))
    return p


def parse_vmcoreinfo(text):
    out = {}
    for line in text.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            out[k] = v
    return out


# --------------------------------------------------------------- reading

class Core:
    """An ELF64 LE core file: PT_LOADs by physical address, notes."""

    def __init__(self, path):
        self.f = open(path, "rb")
        self.m = mmap.mmap(self.f.fileno(), 0, prot=mmap.PROT_READ)
        phoff, = struct.unpack_from("<Q", self.m, 32)
        phnum, = struct.unpack_from("<H", self.m, 56)
        if phnum == 0xffff:
            shoff, = struct.unpack_from("<Q", self.m, 40)
            phnum, = struct.unpack_from("<I", self.m, shoff + 44)
        self.loads, self.notes, self.note_segs = [], b"", []
        for i in range(phnum):
            t, _f, off, va, pa, fsz, _msz, _al = struct.unpack_from(
                "<IIQQQQQQ", self.m, phoff + 56 * i)
            if t == 1:
                self.loads.append((pa, fsz, off, va))
            elif t == 4:
                self.note_segs.append((len(self.notes), off))
                self.notes += self.m[off:off + fsz]

    def close(self):
        self.m.close()
        self.f.close()

    def read(self, pa, n):
        for base, size, off, _va in self.loads:
            if base <= pa and pa + n <= base + size:
                return self.m[off + pa - base:off + pa - base + n]
        raise KeyError("physical %#x+%d not in the core" % (pa, n))

    def u64(self, pa):
        return struct.unpack("<Q", self.read(pa, 8))[0]

    def vmcoreinfo_span(self):
        """(file offset, size) of the VMCOREINFO note's text, or None."""
        pos = 0
        while pos + 12 <= len(self.notes):
            namesz, descsz, _t = struct.unpack_from("<III", self.notes, pos)
            name = self.notes[pos + 12:pos + 12 + namesz].rstrip(b"\0")
            d = pos + 12 + (namesz + 3 & ~3)
            if name == b"VMCOREINFO":
                seg = max(s for s in self.note_segs if s[0] <= d)
                return seg[1] + d - seg[0], descsz
            pos = d + (descsz + 3 & ~3)
        return None

    def vmcoreinfo(self):
        span = self.vmcoreinfo_span()
        if not span:
            return {}
        return parse_vmcoreinfo(self.m[span[0]:span[0] + span[1]].decode())


def walk(core, pgd_pa, levels, va):
    """x86_64 page-table walk: [(entry address, entry)], physical address."""
    steps = []
    table = pgd_pa
    shift = 48 if levels == 5 else 39
    for level in range(levels, 0, -1):
        addr = table + ((va >> shift) & 511) * 8
        entry = core.u64(addr)
        steps.append((addr, entry))
        if not entry & 1:
            return steps, None
        if level == 1 or (level in (2, 3) and entry & 0x80):
            size = 1 << shift
            return steps, (entry & PTE_ADDR & ~(size - 1)) + (va & (size - 1))
        table = entry & PTE_ADDR
        shift -= 9
    return steps, None


# --------------------------------------------------------------- writing

def note(name, ntype, desc):
    name = name.encode() + b"\0"
    pad = lambda b: b + b"\0" * (-len(b) % 4)
    return struct.pack("<III", len(name), len(desc), ntype) + pad(name) + pad(desc)


class Image:
    """Physical memory regions of a core being built: [(paddr, vaddr, bytearray)]."""

    def __init__(self):
        self.regions = []

    def add(self, paddr, vaddr, size):
        self.regions.append((paddr, vaddr, bytearray(size)))

    def _at(self, pa, n):
        for base, _va, buf in self.regions:
            if base <= pa and pa + n <= base + len(buf):
                return buf, pa - base
        raise KeyError("physical %#x+%d is outside the image" % (pa, n))

    def write(self, pa, data):
        buf, off = self._at(pa, len(data))
        buf[off:off + len(data)] = data

    def u64(self, pa, v):
        self.write(pa, struct.pack("<Q", v & (1 << 64) - 1))

    def u32(self, pa, v):
        self.write(pa, struct.pack("<I", v & 0xffffffff))

    def write_elf(self, path, notes=b""):
        """ELF64 ET_CORE x86_64: PT_NOTE (if any) then one PT_LOAD per region,
        program headers at 64 (as /proc/vmcore and 1.7.2 want)."""
        nph = len(self.regions) + (1 if notes else 0)
        off = 64 + 56 * nph
        phdrs, datas = b"", []
        if notes:
            phdrs += struct.pack("<IIQQQQQQ", 4, 0, off, 0, 0, len(notes), len(notes), 4)
            datas.append((off, notes))
            off += len(notes)
        for pa, va, buf in self.regions:
            off = (off + PAGE - 1) & ~(PAGE - 1)
            phdrs += struct.pack("<IIQQQQQQ", 1, 7, off, va, pa, len(buf), len(buf), PAGE)
            datas.append((off, bytes(buf)))
            off += len(buf)
        eh = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
        eh += struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, 64, 0, 0, 64, 56, nph, 0, 0, 0)
        with open(path, "wb") as f:
            f.write(eh + phdrs)
            for o, d in datas:
                f.seek(o)
                f.write(d)


# ------------------------------------------------- printk ring (5.10+)

def expected_line(ts, text):
    """One record as makedumpfile prints it (no caller id)."""
    return "[%5d.%06d] %s\n" % (ts // 10**9, ts % 10**9 // 1000, text)


def write_prb(img, va2pa, sym, msgs, count_bits=4, size_bits=14, first_id=0):
    """Fill a 6.1 printk_ringbuffer (SIZE 88) in @img.

    @sym: virtual addresses of prb (the pointer), printk_rb_static, the
    descriptor and info arrays and the text buffer; @msgs: (ts_nsec, text).
    All records are finalized and fit in the rings (no wrap).  Returns the
    expected --dump-dmesg text.
    """
    count = 1 << count_bits
    assert len(msgs) <= count
    lpos = 0
    for seq, (ts, text) in enumerate(msgs):
        rid = first_id + seq
        i = rid % count
        t = text.encode()
        blk = (8 + len(t) + 7) & ~7
        img.u64(va2pa(sym["data"]) + lpos, rid)
        img.write(va2pa(sym["data"]) + lpos + 8, t)
        d = va2pa(sym["descs"]) + i * 24
        img.u64(d, 2 << 62 | rid)            # finalized
        img.u64(d + 8, lpos)
        img.u64(d + 16, lpos + blk)
        inf = va2pa(sym["infos"]) + i * 88
        img.u64(inf, seq)
        img.u64(inf + 8, ts)
        img.write(inf + 16, struct.pack("<H", len(t)))
        img.u32(inf + 20, 1)
        lpos += blk
    rb = va2pa(sym["rb"])
    img.u32(rb, count_bits)
    img.u64(rb + 8, sym["descs"])
    img.u64(rb + 16, sym["infos"])
    img.u64(rb + 24, first_id + len(msgs) - 1)
    img.u64(rb + 32, first_id)
    img.u32(rb + 48, size_bits)
    img.u64(rb + 56, sym["data"])
    img.u64(rb + 64, lpos)
    img.u64(rb + 72, 0)
    img.u64(va2pa(sym["prb"]), sym["rb"])
    return "".join(expected_line(ts, text) for ts, text in msgs)


PRB_KEYS_61 = """SIZE(printk_ringbuffer)=88
OFFSET(printk_ringbuffer.desc_ring)=0
OFFSET(printk_ringbuffer.text_data_ring)=48
OFFSET(printk_ringbuffer.fail)=80
SIZE(prb_desc_ring)=48
OFFSET(prb_desc_ring.count_bits)=0
OFFSET(prb_desc_ring.descs)=8
OFFSET(prb_desc_ring.infos)=16
OFFSET(prb_desc_ring.head_id)=24
OFFSET(prb_desc_ring.tail_id)=32
SIZE(prb_desc)=24
OFFSET(prb_desc.state_var)=0
OFFSET(prb_desc.text_blk_lpos)=8
SIZE(prb_data_blk_lpos)=16
OFFSET(prb_data_blk_lpos.begin)=0
OFFSET(prb_data_blk_lpos.next)=8
SIZE(printk_info)=88
OFFSET(printk_info.seq)=0
OFFSET(printk_info.ts_nsec)=8
OFFSET(printk_info.text_len)=16
OFFSET(printk_info.caller_id)=20
SIZE(prb_data_ring)=32
OFFSET(prb_data_ring.size_bits)=0
OFFSET(prb_data_ring.data)=8
SIZE(atomic_long_t)=8
OFFSET(atomic_long_t.counter)=0
"""
