#!/bin/bash
# tests/run.sh - the Python test tiers of `make check`:
#   1. synthetic vmcores from tests/gen (ground truth from the generator,
#      Debian's makedumpfile 1.7.2 as second oracle);
#   2. real vmcores of Debian's cloud kernel booted under QEMU, x86_64 and
#      arm64 (made and cached by tests/vm/mkvmcore.sh), checked against
#      makedumpfile 1.7.2 (for arm64 Debian's arm64 build under qemu-user)
#      and read back page by page with libkdumpfile and crash;
#   3. every output path (-E, --split, re-filtering, retries, -L) and the
#      command-line contract on those vmcores;
#   4. the introspection modes (tests/introspect): --dump-dmesg against
#      1.7.2 and synthetic logs of all three printk formats, -x/-g with
#      a gcc -g debuginfo ELF, --mem-usage on a live guest's /proc/kcore,
#      --vtop against independently computed addresses;
#   5. a real kdump: a crash in QEMU, our static binary as the collector
#      in the capture kernel (tests/kdump).
# Set MKDUMP_SLOW=1 to add Debian's real -dbg vmlinux (a 280 MB download)
# to tier 4.
# Set MKDUMP_FAST=1 for a quicker subset.
set -euo pipefail
cd "$(dirname "$0")/.."
export MAKEDUMPFILE=${MAKEDUMPFILE:-$PWD/build/makedumpfile}
mkdir -p build/vmcores
for v in l5 l4; do
	tests/vm/mkvmcore.sh --mem 1024 --variant $v --out build/vmcores/x86_64-6.1-$v-1g.elf
done
tests/vm/mkvmcore.sh --arch aarch64 --mem 1024 --out build/vmcores/aarch64-6.1-1g.elf
tests/tools/ref-makedumpfile-arm64 --setup-only	# Debian's arm64 1.7.2 under qemu-user
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/gen tests/outputs tests/introspect tests/kdump "$@"
