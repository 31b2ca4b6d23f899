"""--dump-dmesg in every printk format, against makedumpfile 1.7.2 and
against the messages written.

The vmcores come from tests/gen/vmcoregen.py (real page tables, mem_section
and the VMCOREINFO of the chosen kernel generation, which 1.7.2 reads);
this test puts a kernel log in memory the generator leaves free, the way
that generation's printk stores it, and points the printk keys at it:

  3.0   the flat character ring (log_buf, log_end, logged_chars)
  3.10  variable-length "struct log" records (log_first_idx/log_next_idx)
  4.19  "struct printk_log" records, clear_idx
  5.10  the lockless ring buffer, clear_seq a plain u64
  6.1   the same, clear_seq a struct latched_seq

Messages include a multi-line one, control characters and UTF-8 bytes, so
the escaping is compared with 1.7.2 too.  The kernel side is simulated
from its source (log_store(), data_alloc()): old records are dropped when
the buffer is full, and only the survivors are expected.
"""
import os
import struct
import sys

import pytest

from coregen import OURS, REF, ROOT, run

sys.path.insert(0, os.path.join(ROOT, "tests", "gen"))
vg = pytest.importorskip("vmcoregen")

MEMORY = "memory 0x100000-0x1200000\n"


def messages(n):
    out = []
    for i in range(n):
        text = b"message %d: %s" % (i, b"abcdefghijklmnopqrstuvwxyz"[:i % 23])
        if i % 11 == 3:
            text = b"two lines %d\nsecond line" % i
        if i % 13 == 5:
            text = b"bytes %d: \x01\x7f caf\xc3\xa9 \ttab" % i
        out.append((i * 1234567891 + 777, text))
    return out


def expected(msgs):
    """The text upstream prints for @msgs (no caller ids)."""
    out = b""
    for ts, text in msgs:
        prefix = b"[%5d.%06d] " % (ts // 10**9, ts % 10**9 // 1000)
        line = prefix
        for c in text:
            if c == 10:
                line += b"\n" + b" " * len(prefix)
            elif 0x20 <= c < 0x7f or c in b"\t\v\f\r":
                line += bytes([c])
            else:   # "\\x%02x" of a signed char
                line += b"\\x%02x" % (c if c < 0x80 else 0xffffff00 | c)
        out += line + b"\n"
    return out


class Kernel:
    """A vmcoregen model with free RAM handed out for the log."""

    def __init__(self, version):
        self.g = vg.build("kernel %s\n%s" % (version, MEMORY))
        self.keys = {}

    def alloc(self, nbytes):
        pfns = self.g.alloc_meta((nbytes + 4095) // 4096, label="printk")
        for p in pfns:
            self.g.meta_page(p)
        pa = pfns[0] << 12
        return pa, self.g.dm_va(pa)

    def var(self, name, size, value):
        """A kernel variable @name (in the direct map) holding @value."""
        pa, va = self.alloc(8)
        self.g.wr(pa, struct.pack("<Q" if size == 8 else "<I", value))
        self.keys["SYMBOL(%s)" % name] = "%x" % va
        return pa, va

    def write(self, path):
        lines = [(k, self.keys.pop(k, v)) for k, v in self.g.vmcoreinfo_lines]
        at = len(lines) - (1 if lines and lines[-1][0] == "CRASHTIME" else 0)
        lines[at:at] = list(self.keys.items())
        self.g.vmcoreinfo_lines = lines
        self.g.vmcoreinfo = "".join("%s=%s\n" % kv for kv in lines)
        self.g.write_elf(path)


def both(work, core, partial):
    opts = ["--partial-dmesg"] if partial else []
    out = {}
    for name, binary in (("ours", OURS), ("ref", REF)):
        path = os.path.join(work, name)
        run(binary, "--dump-dmesg", *opts, core, path)
        with open(path, "rb") as f:
            out[name] = f.read()
    return out["ours"], out["ref"]


# ---------------------------------------------------------------- flat

@pytest.mark.parametrize("partial", [False, True], ids=["full", "partial"])
def test_flat(work, partial):
    k = Kernel("3.0")
    stream = b"".join(b"<%d>[%5d.%06d] flat message %d\n" % (i % 8, i, i * 7, i)
                      for i in range(200))
    size, logged = 1024, 100
    pa, va = k.alloc(size)
    for i, c in enumerate(stream):
        k.g.wr(pa + i % size, bytes([c]))
    k.var("log_buf", 8, va)
    k.var("log_buf_len", 4, size)
    k.var("log_end", 4, len(stream))
    k.var("logged_chars", 4, logged)
    core = os.path.join(work, "core")
    k.write(core)
    ours, ref = both(work, core, partial)
    assert ref == stream[-size:]        # 1.7.2 has no --partial-dmesg here
    assert ours == stream[-logged:] if partial else ours == ref


# ------------------------------------------------------------- records

def log_store(buf, st, ts, text, hdr=16):
    """kernel/printk/printk.c log_store() (3.5-5.9), 4-byte LOG_ALIGN."""
    size = (hdr + len(text) + 3) & ~3
    n = len(buf)

    def rec_next(idx):
        ln, = struct.unpack_from("<H", buf, idx + 8)
        return idx + ln if ln else struct.unpack_from("<H", buf, 8)[0]

    def has_space(empty):
        if st["next_idx"] > st["first_idx"] or empty:
            free = max(n - st["next_idx"], st["first_idx"])
        else:
            free = st["first_idx"] - st["next_idx"]
        return free >= size + hdr

    while st["first_seq"] < st["next_seq"] and not has_space(False):
        st["first_idx"] = rec_next(st["first_idx"])
        st["first_seq"] += 1
    if st["clear_seq"] < st["first_seq"]:
        st["clear_seq"], st["clear_idx"] = st["first_seq"], st["first_idx"]
    if st["next_idx"] + size + hdr > n:
        buf[st["next_idx"]:st["next_idx"] + hdr] = bytes(hdr)
        st["next_idx"] = 0
    rec = struct.pack("<QHHHBB", ts, size, len(text), 0, 0, 6 << 5) + text
    buf[st["next_idx"]:st["next_idx"] + size] = rec.ljust(size, b"\0")
    st["next_idx"] += size
    st["next_seq"] += 1


@pytest.mark.parametrize("version", ["3.10", "4.19"])
@pytest.mark.parametrize("partial", [False, True], ids=["full", "partial"])
def test_records(work, version, partial):
    k = Kernel(version)
    msgs = messages(60)
    buf = bytearray(1024)
    st = dict(first_idx=0, next_idx=0, first_seq=0, next_seq=0, clear_seq=0, clear_idx=0)
    for i, (ts, text) in enumerate(msgs):
        log_store(buf, st, ts, text)
        if i == 44:
            st["clear_seq"], st["clear_idx"] = st["next_seq"], st["next_idx"]
    assert st["first_seq"] > 0          # the buffer wrapped and dropped records
    pa, va = k.alloc(len(buf))
    k.g.wr(pa, bytes(buf))
    k.var("log_buf", 8, va)
    k.var("log_buf_len", 4, len(buf))
    k.var("log_first_idx", 4, st["first_idx"])
    k.var("log_next_idx", 4, st["next_idx"])
    if version != "3.10":
        k.var("clear_idx", 4, st["clear_idx"])
    core = os.path.join(work, "core")
    k.write(core)
    ours, ref = both(work, core, partial)
    # clear_idx is exported from 4.5 on; before, the whole log is written
    cleared = partial and version != "3.10"
    first = max(st["first_seq"], st["clear_seq"]) if cleared else st["first_seq"]
    assert ours == expected(msgs[first:st["next_seq"]])
    assert ours == ref


# ---------------------------------------------------------------- prb

def prb_build(k, msgs, clear_at, latched, count_bits=4, size_bits=10):
    """kernel/printk/printk_ringbuffer.c: descriptors, infos and a data ring
    (block = id + text, 8-byte aligned; a block that would cross the end
    of the ring goes to its start); the oldest records are invalidated when
    either ring is full.  Returns (first live seq, clear seq)."""
    count, size = 1 << count_bits, 1 << size_bits
    descs, infos, data = bytearray(24 * count), bytearray(88 * count), bytearray(size)
    nexts = {}
    tail_id, head_id, head_lpos, tail_lpos = 0, -1, 0, 0
    clear = 0
    for seq, (ts, text) in enumerate(msgs):
        rid = seq
        if rid - tail_id >= count:
            tail_lpos = nexts.pop(tail_id)
            tail_id += 1
        blk = (8 + len(text) + 7) & ~7
        begin, nxt = head_lpos, head_lpos + blk
        if begin // size != nxt // size:
            nxt = nxt // size * size + blk
        while nxt - tail_lpos > size:
            tail_lpos = nexts.pop(tail_id)
            tail_id += 1
        head_lpos, head_id = nxt, rid
        nexts[rid] = nxt
        at = (nxt - blk) % size
        data[at:at + 8] = struct.pack("<Q", rid)
        data[at + 8:at + 8 + len(text)] = text
        i = rid % count
        descs[24 * i:24 * i + 24] = struct.pack("<QQQ", 2 << 62 | rid, begin, nxt)
        infos[88 * i:88 * i + 24] = struct.pack("<QQHBBI", seq, ts, len(text), 0, 6 << 5, 1)
        if seq == clear_at:
            clear = seq + 1
    for i in range(count):      # records dropped: reusable
        sv, = struct.unpack_from("<Q", descs, 24 * i)
        if sv & (1 << 62) - 1 < tail_id and sv:
            struct.pack_into("<Q", descs, 24 * i, 3 << 62 | sv & (1 << 62) - 1)
    _, dva = k.alloc(len(descs))
    k.g.wr(k.g.pt.translate(dva), bytes(descs))
    _, iva = k.alloc(len(infos))
    k.g.wr(k.g.pt.translate(iva), bytes(infos))
    _, tva = k.alloc(size)
    k.g.wr(k.g.pt.translate(tva), bytes(data))
    rb = struct.pack("<I4xQQQQQ", count_bits, dva, iva, head_id, tail_id, 0)
    rb += struct.pack("<I4xQQQ", size_bits, tva, head_lpos, tail_lpos) + bytes(8)
    rpa, rva = k.alloc(len(rb))
    k.g.wr(rpa, rb)
    k.var("prb", 8, rva)
    k.keys["SYMBOL(printk_rb_static)"] = "%x" % rva
    cpa, cva = k.alloc(24)
    if latched:
        k.g.wr(cpa, struct.pack("<IIQQ", 3, 0, 999, clear))     # latch odd: val[1]
    else:
        k.g.wr(cpa, struct.pack("<Q", clear))
    k.keys["SYMBOL(clear_seq)"] = "%x" % cva
    return tail_id, clear


@pytest.mark.parametrize("version", ["5.10", "6.1"])
@pytest.mark.parametrize("partial", [False, True], ids=["full", "partial"])
def test_prb(work, version, partial):
    k = Kernel(version)
    msgs = messages(60)
    first, clear = prb_build(k, msgs, clear_at=50, latched=version != "5.10")
    assert first > 40                   # both rings wrapped
    core = os.path.join(work, "core")
    k.write(core)
    ours, ref = both(work, core, partial)
    assert ours == expected(msgs[max(first, clear) if partial else first:])
    assert ours == ref
