#!/bin/bash
# mkvmcore.sh - produce a REAL x86_64 or aarch64 ELF vmcore for the
# makedumpfile tests.
#
# Usage:
#   tests/vm/mkvmcore.sh [--mem MiB] [--variant l5|l4] [--arch x86_64|aarch64]
#                        [--timeout SECONDS] --out PATH
#
# Boots Debian's current cloud kernel (the package that
# linux-image-cloud-amd64, or -arm64, depends on, cached under build/kernel/)
# under QEMU/TCG with a small busybox initramfs whose /init (tests/vm/init.sh)
# loads qemu_fw_cfg (so `-device vmcoreinfo` receives the guest's
# VMCOREINFO), fills page cache, slab and anonymous memory
# (tests/vm/workload.c), logs a marker to /dev/kmsg and prints
# WORKLOAD-READY.  The host then takes an ELF dump with QMP
# `dump-guest-memory` (paging=false) via tests/vm/qmp.py, checks that it has
# a VMCOREINFO note and renames PATH.tmp to PATH.
#
#   --mem MiB        guest memory (default 1024)
#   --variant l5     default CPU (-cpu max, 5-level paging)
#   --variant l4     same, with `no5lvl` on the kernel command line
#   --arch x86_64    q35 PC (the default)
#   --arch aarch64   `virt` board, -cpu max (pauth-impdef=on), kernel
#                    booted directly (no UEFI); Debian's arm64 kernel has
#                    4 KiB pages, 48-bit VA and KASLR; the guest's
#                    busybox comes from busybox-static:arm64 and its
#                    workload is cross-compiled (gcc-aarch64-linux-gnu);
#                    --variant does not apply
#   --timeout S      seconds to wait for WORKLOAD-READY (default 300+, or
#                    600+ for aarch64)
#
# Outputs: PATH (the vmcore), PATH.log (serial console + QEMU output),
#          PATH without .elf + .vmcoreinfo.txt (the VMCOREINFO note text),
#          PATH without .elf + .kdump-zlib (QEMU's flattened kdump-zlib dump of
#          the same stopped guest, an input for re-filtering tests).
# Lock files for concurrent runs live in build/vm/locks/.
# If PATH already exists it is taken as complete (it only ever appears by
# the final rename) and the script exits 0 at once.
# Installs its own Debian packages when missing; needs root for that.
# Works without a tty; kills QEMU and removes temporaries on failure.

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VMDIR=$ROOT/tests/vm
BUILD=$ROOT/build
PY=/usr/bin/python3

MEM=1024
VARIANT=
ARCH=x86_64
OUT=
TIMEOUT=

die() { echo "mkvmcore: error: $*" >&2; exit 1; }
log() { echo "mkvmcore: $*" >&2; }
usage() { sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
# shellcheck source=lib.sh
. "$VMDIR/lib.sh"

while [ $# -gt 0 ]; do
	case $1 in
	--mem) MEM=${2:?}; shift 2 ;;
	--mem=*) MEM=${1#*=}; shift ;;
	--variant) VARIANT=${2:?}; shift 2 ;;
	--variant=*) VARIANT=${1#*=}; shift ;;
	--arch) ARCH=${2:?}; shift 2 ;;
	--arch=*) ARCH=${1#*=}; shift ;;
	--out) OUT=${2:?}; shift 2 ;;
	--out=*) OUT=${1#*=}; shift ;;
	--timeout) TIMEOUT=${2:?}; shift 2 ;;
	--timeout=*) TIMEOUT=${1#*=}; shift ;;
	-h|--help) usage ;;
	*) die "unknown argument: $1" ;;
	esac
done
[ -n "$OUT" ] || usage
case $ARCH in
x86_64)
	: "${VARIANT:=l5}"
	case $VARIANT in l5|l4) ;; *) die "--variant must be l5 or l4" ;; esac
	;;
aarch64|arm64)
	ARCH=aarch64
	[ -z "$VARIANT" ] || die "--variant is for --arch x86_64 only"
	VARIANT=-
	;;
*) die "unsupported --arch $ARCH (x86_64 or aarch64)" ;;
esac
case $MEM in ''|*[!0-9]*) die "--mem must be a number of MiB" ;; esac
[ "$MEM" -ge 256 ] || die "--mem must be at least 256"
if [ "$ARCH" = x86_64 ]; then
	: "${TIMEOUT:=$((300 + MEM * 60 / 1024))}"
else
	: "${TIMEOUT:=$((600 + MEM * 120 / 1024))}"
fi

case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac
if [ -s "$OUT" ] && [ -s "${OUT%.elf}.kdump-zlib" ]; then
	log "$OUT exists, nothing to do"
	exit 0
fi
mkdir -p "$(dirname "$OUT")" "$BUILD/vm/locks"

# Serialize concurrent runs for the same output.
exec 9>"$BUILD/vm/locks/$(basename "$OUT").lock"
flock 9
if [ -s "$OUT" ] && [ -s "${OUT%.elf}.kdump-zlib" ]; then
	log "$OUT was made by a concurrent run"
	exit 0
fi

T0=$(date +%s.%N)
elapsed() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# --- Debian packages --------------------------------------------------------
# shellcheck disable=SC2046
vm_apt_install $(vm_missing_base_packages) $(vm_missing_arch_packages "$ARCH")

# --- kernel (cached in build/kernel/) --------------------------------------
if [ "$ARCH" = x86_64 ]; then
	vm_fetch_kernel
	BUSYBOX=/bin/busybox
else
	vm_foreign_arch arm64
	vm_fetch_kernel arm64
	vm_fetch_busybox arm64
fi
log "kernel $KVER"

# --- work directory, cleanup ---------------------------------------------
mkdir -p "$BUILD/vm"
WORK=$(mktemp -d "$BUILD/vm/work.XXXXXX")
QEMU_PID=
cleanup() {
	rc=$?
	vm_stop_qemu "$QEMU_PID"
	rm -rf "$WORK"
	rm -f "$OUT.tmp" "${OUT%.elf}.vmcoreinfo.txt.tmp" "${OUT%.elf}.kdump-zlib.tmp"
	[ $rc -eq 0 ] || log "FAILED (see $OUT.log)"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# --- initramfs --------------------------------------------------------------
STAGE=$WORK/initramfs
vm_stage_busybox "$STAGE" "$BUSYBOX"
if [ "$ARCH" = x86_64 ]; then
	gcc -static -O2 -Wall -o "$STAGE/bin/workload" "$VMDIR/workload.c"
else
	aarch64-linux-gnu-gcc -static -O2 -Wall -o "$STAGE/bin/workload" "$VMDIR/workload.c"
fi
install -m 755 "$VMDIR/init.sh" "$STAGE/init"
vm_stage_modules "$STAGE" qemu_fw_cfg loop
INITRD=$WORK/initramfs.cpio.gz
vm_pack_initramfs "$STAGE" "$INITRD"
log "initramfs $(du -k "$INITRD" | cut -f1) KiB (modules: $(tr '\n' ' ' < "$STAGE/modules/order"))"

# --- boot -------------------------------------------------------------------
SOCK=$WORK/qmp.sock
LOG=$OUT.log
rm -f "$OUT.tmp"
: > "$LOG"
if [ "$ARCH" = x86_64 ]; then
	APPEND="console=ttyS0 panic=-1 quiet"
	[ "$VARIANT" = l4 ] && APPEND="$APPEND no5lvl"
	log "booting: -m $MEM, variant $VARIANT, log $LOG"
	qemu-system-x86_64 \
		-machine q35,accel=tcg -cpu max -m "$MEM" -smp 1 \
		-nographic -no-reboot -nic none \
		-device vmcoreinfo \
		-kernel "$VMLINUZ" -initrd "$INITRD" -append "$APPEND" \
		-qmp "unix:$SOCK,server,nowait" \
		</dev/null >>"$LOG" 2>&1 &
else
	# The arm64 vmlinuz is a plain Image (QEMU would also take a gzip'ed
	# one); the virt board passes it a device tree with the fw_cfg node
	# and a kaslr-seed.  pauth-impdef=on: TCG emulates the architected
	# (QARMA) pointer authentication very slowly; with the IMPDEF
	# algorithm the 1 GiB guest is ready in ~20 s instead of ~80 s, and
	# the kernel sees the same CPU features.
	APPEND="console=ttyAMA0 panic=-1 quiet"
	log "booting: -m $MEM, arch $ARCH, log $LOG"
	qemu-system-aarch64 \
		-machine virt,accel=tcg -cpu max,pauth-impdef=on -m "$MEM" -smp 1 \
		-nographic -no-reboot -nic none \
		-device vmcoreinfo \
		-kernel "$VMLINUZ" -initrd "$INITRD" -append "$APPEND" \
		-qmp "unix:$SOCK,server,nowait" \
		</dev/null >>"$LOG" 2>&1 &
fi
QEMU_PID=$!

deadline=$(($(date +%s) + TIMEOUT))
until grep -q '^WORKLOAD-READY' "$LOG"; do
	kill -0 "$QEMU_PID" 2>/dev/null || { tail -n 30 "$LOG" >&2; die "QEMU exited before WORKLOAD-READY"; }
	if grep -q -e 'WORKLOAD-FAILED' -e 'Kernel panic' "$LOG"; then
		tail -n 30 "$LOG" >&2
		die "guest failed"
	fi
	[ "$(date +%s)" -lt "$deadline" ] || { tail -n 30 "$LOG" >&2; die "timeout (${TIMEOUT}s) waiting for WORKLOAD-READY"; }
	sleep 1
done
T_READY=$(elapsed)
log "guest ready after ${T_READY}s"

# --- dump -------------------------------------------------------------------
# Stop the guest so that both dumps see the same memory: the ELF vmcore,
# and QEMU's own flattened kdump-zlib dump of it (a re-filtering input).
$PY "$VMDIR/qmp.py" "$SOCK" cmd stop >/dev/null
$PY "$VMDIR/qmp.py" "$SOCK" dump "$OUT.tmp" --format elf >&2
$PY "$VMDIR/qmp.py" "$SOCK" dump "${OUT%.elf}.kdump-zlib.tmp" --format kdump-zlib >&2
T_DUMP=$(elapsed)
$PY "$VMDIR/qmp.py" "$SOCK" quit || true
for _ in $(seq 30); do kill -0 "$QEMU_PID" 2>/dev/null || break; sleep 1; done
wait "$QEMU_PID" 2>/dev/null || true
QEMU_PID=

# --- verify -----------------------------------------------------------------
VMCI=${OUT%.elf}.vmcoreinfo.txt
$PY - "$OUT.tmp" "$VMCI.tmp" "$VARIANT" "$ARCH" <<'EOF'
# Find the VMCOREINFO ELF note in the dump's PT_NOTE segments, save its
# text, and check OSRELEASE and the paging mode (x86_64) or the arm64
# memory layout numbers (aarch64).
import struct, sys
path, txt_out, variant, arch = sys.argv[1:5]
with open(path, "rb") as f:
    eh = f.read(64)
    if eh[:4] != b"\x7fELF" or eh[4] != 2 or eh[5] != 1:
        sys.exit("not an ELF64 LE file")
    machine, = struct.unpack_from("<H", eh, 0x12)
    want = {"x86_64": 62, "aarch64": 183}[arch]  # EM_X86_64, EM_AARCH64
    if machine != want:
        sys.exit("e_machine %d, expected %d for %s" % (machine, want, arch))
    phoff, = struct.unpack_from("<Q", eh, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", eh, 0x36)
    f.seek(phoff)
    phdrs = [struct.unpack("<IIQQQQQQ", f.read(phentsize)[:56]) for _ in range(phnum)]
    info = None
    for p_type, _fl, off, _va, _pa, filesz, _ms, _al in phdrs:
        if p_type != 4:  # PT_NOTE
            continue
        f.seek(off)
        data = f.read(filesz)
        pos = 0
        while pos + 12 <= len(data):
            namesz, descsz, _ntype = struct.unpack_from("<III", data, pos)
            name = data[pos + 12:pos + 12 + namesz].rstrip(b"\0")
            dpos = pos + 12 + ((namesz + 3) & ~3)
            if name == b"VMCOREINFO":
                info = data[dpos:dpos + descsz].rstrip(b"\0").decode()
            pos = dpos + ((descsz + 3) & ~3)
if info is None:
    sys.exit("no VMCOREINFO note in the dump (qemu_fw_cfg not loaded?)")
kv = dict(l.split("=", 1) for l in info.splitlines() if "=" in l)
if "OSRELEASE" not in kv:
    sys.exit("VMCOREINFO note has no OSRELEASE")
nload = sum(1 for p in phdrs if p[0] == 1)
if arch == "x86_64":
    l5 = kv.get("NUMBER(pgtable_l5_enabled)")
    if l5 != ("1" if variant == "l5" else "0"):
        sys.exit("variant %s but NUMBER(pgtable_l5_enabled)=%s" % (variant, l5))
    msg = "OSRELEASE=%s pgtable_l5_enabled=%s" % (kv["OSRELEASE"], l5)
else:
    keys = ("NUMBER(VA_BITS)", "NUMBER(kimage_voffset)",
            "NUMBER(PHYS_OFFSET)", "PAGESIZE")
    missing = [k for k in keys if k not in kv]
    if missing:
        sys.exit("VMCOREINFO note lacks %s" % ", ".join(missing))
    msg = "OSRELEASE=%s %s" % (kv["OSRELEASE"],
                               " ".join("%s=%s" % (k, kv[k]) for k in keys))
with open(txt_out, "w") as t:
    t.write(info + "\n")
print("mkvmcore: VMCOREINFO ok: %s, %d PT_LOAD" % (msg, nload), file=sys.stderr)
EOF
chmod 644 "$OUT.tmp" "${OUT%.elf}.kdump-zlib.tmp"	# QEMU creates dumps owner-read-only
mv "${OUT%.elf}.kdump-zlib.tmp" "${OUT%.elf}.kdump-zlib"
mv "$VMCI.tmp" "$VMCI"
mv "$OUT.tmp" "$OUT"
log "done: $OUT ($(du -m "$OUT" | cut -f1) MiB); ready ${T_READY}s, dumped ${T_DUMP}s, total $(elapsed)s"
