#!/bin/bash
# guestrun.sh - run a script inside the makedumpfile test VM and print its
# console output.
#
# Usage:
#   tests/vm/guestrun.sh [--mem MiB] [--variant l5|l4] [--timeout SECONDS]
#                        [--append ARGS] [--file SRC:DST]...
#                        [--binary SRC:DST]... --hook SCRIPT
#
# Boots the same guest as tests/vm/mkvmcore.sh (Debian's cloud kernel under
# QEMU/TCG, tests/vm/init.sh as /init with its page cache, slab and
# anonymous-memory workload) with SCRIPT staged as /hook.sh.  Once the
# workload is ready, init.sh runs /hook.sh between the console lines
# HOOK-BEGIN and "HOOK-END rc=N" and powers the guest off.  This script
# prints the lines in between on stdout and exits with the hook's status.
#
#   --mem MiB        guest memory (default 1024)
#   --variant l5|l4  5-level paging (default), or `no5lvl`
#   --timeout S      seconds to wait for HOOK-END (default 600+)
#   --append ARGS    more kernel command line (e.g. crashkernel=64M)
#   --file SRC:DST   copy SRC into the initramfs as DST (repeatable), e.g.
#                    build/static/makedumpfile:/bin/makedumpfile
#   --binary SRC:DST the same for a dynamic executable, with its libraries
#
# The whole console log is kept in build/vm/guestrun.log.  Needs what
# mkvmcore.sh needs (and installs it when missing, as root).

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VMDIR=$ROOT/tests/vm
BUILD=$ROOT/build
PY=/usr/bin/python3

MEM=1024
VARIANT=l5
TIMEOUT=
HOOK=
EXTRA=
FILES=()
BINS=()

die() { echo "guestrun: error: $*" >&2; exit 1; }
log() { echo "guestrun: $*" >&2; }
usage() { sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
# shellcheck source=lib.sh
. "$VMDIR/lib.sh"

while [ $# -gt 0 ]; do
	case $1 in
	--mem) MEM=${2:?}; shift 2 ;;
	--variant) VARIANT=${2:?}; shift 2 ;;
	--timeout) TIMEOUT=${2:?}; shift 2 ;;
	--append) EXTRA=${2:?}; shift 2 ;;
	--file) FILES+=("${2:?}"); shift 2 ;;
	--binary) BINS+=("${2:?}"); shift 2 ;;
	--hook) HOOK=${2:?}; shift 2 ;;
	-h|--help) usage ;;
	*) die "unknown argument: $1" ;;
	esac
done
[ -n "$HOOK" ] && [ -r "$HOOK" ] || usage
case $VARIANT in l5|l4) ;; *) die "--variant must be l5 or l4" ;; esac
case $MEM in ''|*[!0-9]*) die "--mem must be a number of MiB" ;; esac
: "${TIMEOUT:=$((600 + MEM * 60 / 1024))}"

# shellcheck disable=SC2046
vm_apt_install $(vm_missing_base_packages)
vm_fetch_kernel
mkdir -p "$BUILD/vm"
WORK=$(mktemp -d "$BUILD/vm/guestrun.XXXXXX")
LOG=$WORK/console.log
QEMU_PID=
cleanup() {
	rc=$?
	vm_stop_qemu "$QEMU_PID"
	[ -f "$LOG" ] && cp "$LOG" "$BUILD/vm/guestrun.log"
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

STAGE=$WORK/initramfs
vm_stage_busybox "$STAGE"
gcc -static -O2 -Wall -o "$STAGE/bin/workload" "$VMDIR/workload.c"
install -m 755 "$VMDIR/init.sh" "$STAGE/init"
install -m 755 "$HOOK" "$STAGE/hook.sh"
for f in "${FILES[@]}"; do
	src=${f%%:*} dst=${f#*:}
	[ -r "$src" ] || die "--file $f: $src is not readable"
	mkdir -p "$STAGE$(dirname "$dst")"
	cp -L "$src" "$STAGE$dst"
done
for f in "${BINS[@]}"; do
	[ -x "${f%%:*}" ] || die "--binary $f: ${f%%:*} is not executable"
	vm_stage_binary "$STAGE" "${f%%:*}" "${f#*:}"
done
vm_stage_modules "$STAGE" qemu_fw_cfg loop
INITRD=$WORK/initramfs.cpio.gz
vm_pack_initramfs "$STAGE" "$INITRD"

APPEND="console=ttyS0 panic=-1 quiet"
[ "$VARIANT" = l4 ] && APPEND="$APPEND no5lvl"
[ -n "$EXTRA" ] && APPEND="$APPEND $EXTRA"
log "booting $KVER: -m $MEM, variant $VARIANT"
: > "$LOG"
qemu-system-x86_64 \
	-machine q35,accel=tcg -cpu max -m "$MEM" -smp 1 \
	-nographic -no-reboot -nic none \
	-kernel "$VMLINUZ" -initrd "$INITRD" -append "$APPEND" \
	</dev/null >>"$LOG" 2>&1 &
QEMU_PID=$!

deadline=$(($(date +%s) + TIMEOUT))
until grep -q '^HOOK-END' "$LOG"; do
	if ! kill -0 "$QEMU_PID" 2>/dev/null; then
		grep -q '^HOOK-END' "$LOG" && break
		tail -n 30 "$LOG" >&2
		die "QEMU exited before HOOK-END"
	fi
	if grep -q -e 'WORKLOAD-FAILED' -e 'Kernel panic' "$LOG"; then
		tail -n 30 "$LOG" >&2
		die "guest failed"
	fi
	[ "$(date +%s)" -lt "$deadline" ] || { tail -n 30 "$LOG" >&2; die "timeout (${TIMEOUT}s)"; }
	sleep 1
done
tr -d '\r' < "$LOG" | sed -n '/^HOOK-BEGIN/,/^HOOK-END/p' | sed '1d;$d'
rc=$(tr -d '\r' < "$LOG" | sed -n 's/^HOOK-END rc=\([0-9]*\).*/\1/p' | head -n1)
exit "${rc:-1}"
