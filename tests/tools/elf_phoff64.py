#!/usr/bin/python3
"""Copy an ELF64 LE core file so that its program headers sit at offset 64.

Usage: elf_phoff64.py IN OUT

Why: Debian's makedumpfile 1.7.2 assumes the program header table directly
follows the ELF header (e_phoff == 64), as the kernel's /proc/vmcore has it.
QEMU 7.2's dump-guest-memory writes the section header table first and puts
the program headers at e_phoff == 192, which 1.7.2 misreads.

What it does:
  * writes the ELF header with e_phoff = 64 and the program header table
    right after it;
  * drops the section header table (e_shoff = e_shnum = e_shstrndx = 0),
    except with PN_XNUM extended numbering (e_phnum == 0xffff, real count
    in section header 0's sh_info), where section header 0 is kept, placed
    right after the program headers;
  * keeps all segment data at its original offset when the new headers fit
    before the first segment data (the usual case: the table only moves
    down); otherwise shifts all data by a multiple of 4096 and adds that
    to every p_offset;
  * zero-fills the gap between the headers and the first segment data.

Data is streamed in 1 MiB chunks; all-zero chunks are skipped with a seek, so
OUT is sparse where the dump holds zeros.  OUT is written as OUT.tmp and
renamed when complete.  Standard library only.
"""

import os
import struct
import sys

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")      # Elf64_Ehdr, 64 bytes
PHDR = struct.Struct("<IIQQQQQQ")              # Elf64_Phdr, 56 bytes
SHDR = struct.Struct("<IIQQQQIIQQ")            # Elf64_Shdr, 64 bytes
PN_XNUM = 0xFFFF
CHUNK = 1 << 20
ZEROS = bytes(CHUNK)


def die(msg):
    sys.exit("elf_phoff64: " + msg)


def copy_range(src, dst, length):
    """Copy LENGTH bytes from src's position to dst's, sparse for zeros."""
    while length > 0:
        n = min(CHUNK, length)
        buf = src.read(n)
        if len(buf) != n:
            die("input truncated")
        if buf == ZEROS[:n]:
            dst.seek(n, os.SEEK_CUR)
        else:
            dst.write(buf)
        length -= n


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src_path, dst_path = sys.argv[1], sys.argv[2]

    with open(src_path, "rb") as src:
        src_size = os.fstat(src.fileno()).st_size
        raw = src.read(EHDR.size)
        if len(raw) < EHDR.size or raw[:4] != b"\x7fELF":
            die("not an ELF file")
        if raw[4] != 2 or raw[5] != 1:
            die("only ELF64 little-endian is supported")
        (ident, e_type, e_machine, e_version, e_entry, e_phoff, e_shoff,
         e_flags, e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum,
         e_shstrndx) = EHDR.unpack(raw)
        if e_phentsize != PHDR.size:
            die("unexpected e_phentsize %d" % e_phentsize)

        # PN_XNUM: the real program header count is in shdr[0].sh_info.
        shdr0 = None
        phnum = e_phnum
        if e_phnum == PN_XNUM:
            if not e_shoff:
                die("PN_XNUM without a section header table")
            src.seek(e_shoff)
            shdr0 = list(SHDR.unpack(src.read(SHDR.size)))
            phnum = shdr0[7]  # sh_info

        src.seek(e_phoff)
        phdrs = [list(PHDR.unpack(src.read(PHDR.size))) for _ in range(phnum)]

        hdr_end = EHDR.size + phnum * PHDR.size
        new_shoff = 0
        if shdr0 is not None:
            new_shoff = (hdr_end + 7) & ~7
            hdr_end = new_shoff + SHDR.size

        # First byte of segment data (anything a phdr points at).
        data_start = min([p[2] for p in phdrs if p[5] > 0] or [src_size])
        shift = 0
        if hdr_end > data_start:
            shift = (hdr_end - data_start + 4095) & ~4095
            for p in phdrs:
                if p[2] >= data_start:
                    p[2] += shift

        if shdr0 is not None:
            new_ehdr = EHDR.pack(ident, e_type, e_machine, e_version, e_entry,
                                 EHDR.size, new_shoff, e_flags, EHDR.size,
                                 PHDR.size, PN_XNUM, SHDR.size, 1, 0)
        else:
            new_ehdr = EHDR.pack(ident, e_type, e_machine, e_version, e_entry,
                                 EHDR.size, 0, e_flags, EHDR.size,
                                 PHDR.size, phnum, 0, 0, 0)
        header = bytearray(new_ehdr)
        for p in phdrs:
            header += PHDR.pack(*p)
        if shdr0 is not None:
            header += bytes(new_shoff - len(header))
            header += SHDR.pack(*shdr0)
        assert len(header) == hdr_end

        tmp = dst_path + ".tmp"
        with open(tmp, "wb") as dst:
            dst.write(header)
            dst.write(bytes(data_start + shift - hdr_end))
            src.seek(data_start)
            copy_range(src, dst, src_size - data_start)
            dst.truncate(src_size + shift)
        os.replace(tmp, dst_path)

    print("elf_phoff64: %s -> %s: %d phdrs, e_phoff %d -> 64, data shift %d"
          % (src_path, dst_path, phnum, e_phoff, shift), file=sys.stderr)


if __name__ == "__main__":
    main()
