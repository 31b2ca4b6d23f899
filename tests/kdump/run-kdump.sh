#!/bin/bash
# run-kdump.sh - end-to-end kdump under QEMU with our static makedumpfile
# as the collector in a real capture kernel.
#
# Usage: tests/kdump/run-kdump.sh [--arch x86_64|aarch64] [--force]
#                                 [--timeout SECONDS] [--binary PATH]
#                                 [--out DIR]
#
# Boots Debian's cloud kernel (cached in build/kernel/, see tests/vm/lib.sh)
# under QEMU/TCG (q35, -cpu max, 1 GiB) with crashkernel=256M.  Its /init
# (tests/kdump/init.sh) starts tests/vm/workload.c, loads the same kernel
# with a capture initramfs via `kexec -p`, writes KDUMP-TEST-MARKER to
# /dev/kmsg and crashes with sysrq-c.  In the capture kernel the same
# init.sh loads the virtio block modules and runs, on the same /proc/vmcore,
# Debian's makedumpfile (the reference) and ours, one after the other, to
# five virtio disks told apart by their serial numbers:
#
#   disk (serial)  file in DIR        collector and output
#   vmcore-head    vmcore-head.bin    the first 64 KiB of /proc/vmcore
#   debian-l31     debian-l31.img     Debian's  -l -d 31 -F > raw disk
#   ours-l31       ours-l31.img       ours      -l -d 31 -F > raw disk
#   ours-c31       ours-c31.ext4      ours      -c -d 31 to /vmcore (ext4)
#   debian-l0      debian-l0.img      Debian's  -l -d 0 -F > raw disk
#   ours-l0        ours-l0.ext2       ours      -l -d 0 to /vmcore on a
#                                     64 MiB ext2: must run out of space
#
# Results in DIR (default build/kdump/): console.log (serial console of
# both kernels; the capture part carries COLLECTOR-BEGIN/-EXIT lines),
# the disk images, ours-c31.kdump and ours-l0.kdump (the files copied out
# of the file systems with debugfs), exit-status.txt (case=status lines),
# timings.txt, and key (what the results were made from).  The checks are
# tests/kdump/test_kdump.py.
#
# Cached: if DIR/key matches the current inputs (sha256 of the collector,
# of these scripts and of workload.c, the kernel and Debian's makedumpfile
# versions) the boot is skipped; --force reruns it.  Exits non-zero if the
# guest did not reach KDUMP-CAPTURE-DONE; the logs are then still in DIR.
#
#   --binary PATH  the collector (default build/static/makedumpfile; built
#                  with `make LINKTYPE=static` when missing)
#   --timeout S    seconds for the whole QEMU run (default 600)
#   --arch aarch64 the same on arm64: Debian's arm64 cloud kernel on QEMU's
#                  `virt` board (-cpu max,pauth-impdef=on, 1 GiB, TCG, as
#                  tests/vm/mkvmcore.sh --arch aarch64), console ttyAMA0;
#                  busybox-static:arm64 (vm_fetch_busybox) and the arm64
#                  kexec-tools and makedumpfile with their libraries
#                  (vm_fetch_debs, build/kernel/kdump-arm64/) come from
#                  Debian's arm64 packages, the workload is cross-compiled;
#                  the collector defaults to build/static-aarch64/makedumpfile
#                  (`make CROSS=aarch64-linux-gnu- LINKTYPE=static`), DIR to
#                  build/kdump-aarch64/.  The same disks and cases.  The
#                  first kernel's init.sh adds the _text the cloud kernel's
#                  kallsyms lacks for kexec (see arm64_kallsyms_text there).

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VMDIR=$ROOT/tests/vm
HERE=$ROOT/tests/kdump
BUILD=$ROOT/build
PY=/usr/bin/python3

ARCH=x86_64
OUTDIR=
NG=
TIMEOUT=600
FORCE=no

die() { echo "run-kdump: error: $*" >&2; exit 1; }
log() { echo "run-kdump: $*" >&2; }
usage() { sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
# shellcheck source=../vm/lib.sh
. "$VMDIR/lib.sh"

while [ $# -gt 0 ]; do
	case $1 in
	--force) FORCE=yes; shift ;;
	--timeout) TIMEOUT=${2:?}; shift 2 ;;
	--timeout=*) TIMEOUT=${1#*=}; shift ;;
	--binary) NG=${2:?}; shift 2 ;;
	--binary=*) NG=${1#*=}; shift ;;
	--out) OUTDIR=${2:?}; shift 2 ;;
	--out=*) OUTDIR=${1#*=}; shift ;;
	--arch) ARCH=${2:?}; shift 2 ;;
	--arch=*) ARCH=${1#*=}; shift ;;
	-h|--help) usage ;;
	*) die "unknown argument: $1" ;;
	esac
done
# per architecture: the default collector and results, how to build it
case $ARCH in
x86_64)
	: "${OUTDIR:=$BUILD/kdump}"
	DEF_NG=$BUILD/static/makedumpfile
	MAKE_NG=(LINKTYPE=static)
	;;
aarch64|arm64)
	ARCH=aarch64
	: "${OUTDIR:=$BUILD/kdump-aarch64}"
	DEF_NG=$BUILD/static-aarch64/makedumpfile
	MAKE_NG=(CROSS=aarch64-linux-gnu- LINKTYPE=static)
	;;
*) die "unsupported --arch $ARCH (x86_64 or aarch64)" ;;
esac
: "${NG:=$DEF_NG}"
case $OUTDIR in /*) ;; *) OUTDIR=$PWD/$OUTDIR ;; esac
case $NG in /*) ;; *) NG=$PWD/$NG ;; esac

T0=$(date +%s.%N)
elapsed() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# --- Debian packages --------------------------------------------------------
need=$(vm_missing_base_packages)
if [ "$ARCH" = x86_64 ]; then
	command -v kexec >/dev/null || [ -x /sbin/kexec ] || need="$need kexec-tools"
else
	# the guest's kexec and Debian's makedumpfile: see vm_fetch_debs below
	need="$need $(vm_missing_arch_packages "$ARCH")"
fi
[ -x /usr/bin/makedumpfile ] || need="$need makedumpfile"
{ [ -x /sbin/mke2fs ] && [ -x /sbin/debugfs ]; } || need="$need e2fsprogs"
$PY -c 'import kdumpfile' 2>/dev/null || need="$need python3-libkdumpfile"
# shellcheck disable=SC2086
vm_apt_install $need

# --- the collector ----------------------------------------------------------
mkdir -p "$(dirname "$OUTDIR")"
exec 9>"$OUTDIR.lock"
flock 9
if [ ! -x "$NG" ] && [ "$NG" = "$DEF_NG" ]; then
	log "building $NG"
	make -C "$ROOT" "${MAKE_NG[@]}" >&2
fi
[ -x "$NG" ] || die "no collector binary $NG"
if [ "$ARCH" = x86_64 ]; then
	if ldd "$NG" >/dev/null 2>&1; then
		die "$NG is dynamically linked; the capture initramfs needs a static binary"
	fi
else
	# no ldd for a foreign binary
	readelf -h "$NG" | grep -q 'Machine:.*AArch64' || die "$NG is not an AArch64 executable"
	if readelf -l "$NG" | grep -q 'program interpreter'; then
		die "$NG is dynamically linked; the capture initramfs needs a static binary"
	fi
fi

if [ "$ARCH" = x86_64 ]; then
	vm_fetch_kernel
	BUSYBOX=/bin/busybox
	KEXEC=$(command -v kexec || echo /sbin/kexec)
else
	vm_foreign_arch arm64
	vm_fetch_kernel arm64
	vm_fetch_busybox arm64
	# Debian's arm64 kexec (built with Xen support: the libxen* libraries)
	# and makedumpfile; debconf is only kexec-tools' configuration
	vm_fetch_debs kdump-arm64 arm64 kexec-tools makedumpfile -debconf
fi
log "kernel $KVER"

key=$(
	echo "collector $(sha256sum < "$NG" | cut -d' ' -f1)"
	for f in "$HERE/run-kdump.sh" "$HERE/init.sh" "$VMDIR/workload.c" "$VMDIR/lib.sh"; do
		echo "${f#"$ROOT"/} $(sha256sum < "$f" | cut -d' ' -f1)"
	done
	echo "kernel $KVER"
	if [ "$ARCH" = x86_64 ]; then
		echo "debian-makedumpfile $(dpkg-query -W -f '${Version}' makedumpfile)"
		echo "kexec-tools $(dpkg-query -W -f '${Version}' kexec-tools)"
	else
		echo "arch $ARCH"
		echo "busybox $(sha256sum < "$BUSYBOX" | cut -d' ' -f1)"
		sed 's/^/debian /' "$DEBROOT/.packages"
		echo "host-makedumpfile $(dpkg-query -W -f '${Version}' makedumpfile)"
	fi
)
if [ $FORCE = no ] && [ -f "$OUTDIR/key" ] && [ "$(cat "$OUTDIR/key")" = "$key" ]; then
	log "results in $OUTDIR are up to date (same collector and scripts); use --force to rerun"
	exit 0
fi

# --- work directory, cleanup ---------------------------------------------
NEW=$OUTDIR.new
rm -rf "$NEW"
mkdir -p "$NEW"
WORK=$(mktemp -d "$BUILD/kdump.work.XXXXXX")
QEMU_PID=
cleanup() {
	rc=$?
	vm_stop_qemu "$QEMU_PID"
	rm -rf "$WORK"
	if [ -d "$NEW" ]; then
		# keep what there is for the post-mortem, without a valid key
		rm -rf "$OUTDIR"
		mv "$NEW" "$OUTDIR"
	fi
	[ $rc -eq 0 ] || log "FAILED (see $OUTDIR/console.log)"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# --- capture initramfs ------------------------------------------------------
CAP=$WORK/capture
vm_stage_busybox "$CAP" "$BUSYBOX"
vm_stage_modules "$CAP" virtio_ring virtio virtio_pci_modern_dev \
	virtio_pci_legacy_dev virtio_pci virtio_blk
if [ "$ARCH" = x86_64 ]; then
	vm_stage_binary "$CAP" /usr/bin/makedumpfile
else
	vm_stage_foreign_binary "$CAP" "$DEBROOT" /usr/bin/makedumpfile
fi
mkdir -p "$CAP/opt/ng"
cp "$NG" "$CAP/opt/ng/makedumpfile"
install -m 755 "$HERE/init.sh" "$CAP/init"
vm_pack_initramfs "$CAP" "$WORK/capture.cpio.gz"
log "capture initramfs $(du -k "$WORK/capture.cpio.gz" | cut -f1) KiB (modules: $(tr '\n' ' ' < "$CAP/modules/order"))"

# --- first kernel's initramfs ----------------------------------------------
FIRST=$WORK/first
vm_stage_busybox "$FIRST" "$BUSYBOX"
if [ "$ARCH" = x86_64 ]; then
	gcc -static -O2 -Wall -o "$FIRST/bin/workload" "$VMDIR/workload.c"
	vm_stage_binary "$FIRST" "$KEXEC" /sbin/kexec
else
	aarch64-linux-gnu-gcc -static -O2 -Wall -o "$FIRST/bin/workload" "$VMDIR/workload.c"
	vm_stage_foreign_binary "$FIRST" "$DEBROOT" /sbin/kexec
fi
install -m 755 "$HERE/init.sh" "$FIRST/init"
cp "$VMLINUZ" "$FIRST/vmlinuz"
cp "$WORK/capture.cpio.gz" "$FIRST/initrd"
vm_pack_initramfs "$FIRST" "$WORK/first.cpio.gz"
log "first initramfs $(du -k "$WORK/first.cpio.gz" | cut -f1) KiB"

# --- disks --------------------------------------------------------------------
truncate -s 1M "$NEW/vmcore-head.bin"
truncate -s 512M "$NEW/debian-l31.img"
truncate -s 512M "$NEW/ours-l31.img"
mke2fs -q -F -t ext4 -L c31 "$NEW/ours-c31.ext4" 1G
truncate -s 1536M "$NEW/debian-l0.img"
mke2fs -q -F -t ext2 -L l0 "$NEW/ours-l0.ext2" 64M
drives=()
for d in vmcore-head:vmcore-head.bin debian-l31:debian-l31.img ours-l31:ours-l31.img ours-c31:ours-c31.ext4 \
	debian-l0:debian-l0.img ours-l0:ours-l0.ext2; do
	serial=${d%%:*}
	drives+=(-drive "file=$NEW/${d#*:},if=none,id=$serial,format=raw,cache=unsafe"
		-device "virtio-blk-pci,drive=$serial,serial=$serial")
done
echo "$key" > "$NEW/key.pending"

# --- boot ---------------------------------------------------------------------
LOG=$NEW/console.log
: > "$LOG"
T_BOOT=$(elapsed)
log "booting (timeout ${TIMEOUT}s), console in $OUTDIR/console.log"
if [ "$ARCH" = x86_64 ]; then
	qemu-system-x86_64 \
		-machine q35,accel=tcg -cpu max -m 1024 -smp 1 \
		-nographic -no-reboot -nic none \
		-kernel "$VMLINUZ" -initrd "$WORK/first.cpio.gz" \
		-append "console=ttyS0 crashkernel=256M panic=-1 quiet" \
		"${drives[@]}" \
		</dev/null >>"$LOG" 2>&1 &
else
	# see tests/vm/mkvmcore.sh for pauth-impdef=on; init.sh passes
	# console= on to the capture kernel
	qemu-system-aarch64 \
		-machine virt,accel=tcg -cpu max,pauth-impdef=on -m 1024 -smp 1 \
		-nographic -no-reboot -nic none \
		-kernel "$VMLINUZ" -initrd "$WORK/first.cpio.gz" \
		-append "console=ttyAMA0 crashkernel=256M panic=-1 quiet" \
		"${drives[@]}" \
		</dev/null >>"$LOG" 2>&1 &
fi
QEMU_PID=$!

deadline=$(($(date +%s) + TIMEOUT))
T_CRASH='' T_CAPTURE=''
while kill -0 "$QEMU_PID" 2>/dev/null; do
	if [ -z "$T_CRASH" ] && grep -q '^KDUMP-CRASHING' "$LOG"; then
		T_CRASH=$(elapsed); log "first kernel crashed at ${T_CRASH}s"
	fi
	if [ -z "$T_CAPTURE" ] && grep -qa 'kdump-init: capture kernel' "$LOG"; then
		T_CAPTURE=$(elapsed); log "capture kernel up at ${T_CAPTURE}s"
	fi
	if [ "$(date +%s)" -ge "$deadline" ]; then
		tail -n 30 "$LOG" >&2
		die "timeout (${TIMEOUT}s)"
	fi
	sleep 1
done
wait "$QEMU_PID" 2>/dev/null || true
QEMU_PID=
T_END=$(elapsed)
grep -ao 'COLLECTOR-EXIT [^[:space:]]*' "$LOG" | sed 's/^COLLECTOR-EXIT //' > "$NEW/exit-status.txt" || true
log "collectors: $(tr '\n' ' ' < "$NEW/exit-status.txt")"
if ! grep -qa '^KDUMP-CAPTURE-DONE' "$LOG"; then
	tail -n 40 "$LOG" >&2
	grep -qa 'KDUMP-INIT-FAILED' "$LOG" && die "$(grep -a 'KDUMP-INIT-FAILED' "$LOG" | head -n1)"
	die "the guest stopped before KDUMP-CAPTURE-DONE"
fi

# --- copy the dump files out of the file systems -------------------------------
for c in ours-c31:ours-c31.ext4 ours-l0:ours-l0.ext2; do
	rm -f "$NEW/${c%%:*}.kdump"
	if debugfs -R "stat /vmcore" "$NEW/${c#*:}" 2>/dev/null | grep -q 'Type: regular'; then
		debugfs -R "dump /vmcore $NEW/${c%%:*}.kdump" "$NEW/${c#*:}" 2>/dev/null
	else
		log "no /vmcore in ${c#*:}"
	fi
done

{
	echo "boot_start ${T_BOOT}"
	echo "first_kernel_crash ${T_CRASH:-?}"
	echo "capture_kernel_up ${T_CAPTURE:-?}"
	echo "poweroff ${T_END}"
	grep -ao 'COLLECTOR-TIME [^[:space:]]*' "$LOG" | sed 's/^COLLECTOR-TIME /collector /; s/=/ /'
	echo "total $(elapsed)"
} > "$NEW/timings.txt"
mv "$NEW/key.pending" "$NEW/key"
log "done in $(elapsed)s (QEMU $(awk -v a="$T_BOOT" -v b="$T_END" 'BEGIN { printf "%.1f", b - a }')s)"
