#!/usr/bin/python3
"""Resolve and stage kernel modules for the test-VM initramfs.

Usage: moddeps.py MODDIR DESTDIR MODULE [MODULE...]

MODDIR is an unpacked /lib/modules/<release> tree (as produced by
`dpkg -x` of a Debian linux-image package; such a tree has no modules.dep,
because depmod only runs in the package's postinst).  Dependencies are
therefore read directly from each module's ELF ".modinfo" section
("depends=a,b").  modules.dep is used instead when it exists.

Each requested module and, recursively, everything it depends on is copied
into DESTDIR as plain, uncompressed NAME.ko (busybox insmod cannot load
.ko.xz / .ko.zst).  The load order (dependencies first) is printed on
stdout, one file name per line, so the guest's /init can insmod them in
that order.

Only the Python standard library is used.
"""

import lzma
import os
import struct
import subprocess
import sys

SUFFIXES = (".ko", ".ko.xz", ".ko.zst", ".ko.gz")


def canon(name):
    """Kernel module names treat '-' and '_' as the same character."""
    return name.replace("-", "_")


def mod_name(path):
    base = os.path.basename(path)
    for suf in SUFFIXES:
        if base.endswith(suf):
            return canon(base[: -len(suf)])
    return None


def read_module(path):
    """Return the uncompressed bytes of a module file."""
    if path.endswith(".xz"):
        with lzma.open(path) as f:
            return f.read()
    if path.endswith(".gz"):
        import gzip
        with gzip.open(path) as f:
            return f.read()
    if path.endswith(".zst"):
        # No zstd in the standard library; fall back to the zstd tool.
        return subprocess.run(["zstd", "-dc", path], check=True,
                              stdout=subprocess.PIPE).stdout
    with open(path, "rb") as f:
        return f.read()


def modinfo_depends(data):
    """Parse the 'depends=' entry of an ELF64 LE module's .modinfo."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("not an ELF64 little-endian module")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    secs = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
            for i in range(shnum)]
    strtab_off = secs[shstrndx][4]
    for sh_name, _t, _f, _a, off, size, *_ in secs:
        end = data.index(b"\0", strtab_off + sh_name)
        if data[strtab_off + sh_name:end] == b".modinfo":
            for entry in data[off:off + size].split(b"\0"):
                if entry.startswith(b"depends="):
                    val = entry[len(b"depends="):].decode()
                    return [canon(d) for d in val.split(",") if d]
            return []
    return []


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    moddir, dest, wanted = sys.argv[1], sys.argv[2], sys.argv[3:]

    index = {}
    for root, _dirs, files in os.walk(moddir):
        for fn in files:
            name = mod_name(fn)
            if name:
                index.setdefault(name, os.path.join(root, fn))

    depfile = os.path.join(moddir, "modules.dep")
    depmap = {}
    if os.path.exists(depfile):
        with open(depfile) as f:
            for line in f:
                mod, _, deps = line.partition(":")
                depmap[mod_name(mod)] = [mod_name(d) for d in deps.split()]

    os.makedirs(dest, exist_ok=True)
    order, seen = [], set()

    def visit(name, stack=()):
        name = canon(name)
        if name in seen:
            return
        if name in stack:
            raise SystemExit("module dependency cycle: %s" % " -> ".join(stack + (name,)))
        if name not in index:
            raise SystemExit("module %s not found under %s" % (name, moddir))
        data = read_module(index[name])
        deps = depmap[name] if name in depmap else modinfo_depends(data)
        for dep in deps:
            visit(dep, stack + (name,))
        seen.add(name)
        with open(os.path.join(dest, name + ".ko"), "wb") as f:
            f.write(data)
        order.append(name + ".ko")

    for w in wanted:
        visit(w)
    print("\n".join(order))


if __name__ == "__main__":
    main()
