#!/bin/bash
# tests/demo.sh - `make demo`: boot Debian's cloud kernel under QEMU, take a
# real vmcore of it (cached in build/vmcores), filter it with
# `makedumpfile -l -d 31 --show-stats` and open the result with libkdumpfile.
set -euo pipefail
cd "$(dirname "$0")/.."
V=build/vmcores/x86_64-6.1-l5-1g.elf
OUT=build/demo.kdump
tests/vm/mkvmcore.sh --mem 1024 --variant l5 --out "$V"
rm -f "$OUT"
echo "+ build/makedumpfile -l -d 31 --show-stats $V $OUT"
build/makedumpfile -l -d 31 --show-stats "$V" "$OUT"
ls -l "$V" "$OUT"
/usr/bin/python3 - "$OUT" <<'PY'
import sys, kdumpfile
k = kdumpfile.kdumpfile(sys.argv[1])
print("libkdumpfile opens it: format %s, kernel %s, arch %s" %
      (k.attr['file.format'], k.attr['linux.uts.release'], k.attr['arch.name']))
PY
