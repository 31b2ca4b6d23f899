#!/bin/bash
# arm64-dev-sysroot.sh - the arm64 static libraries for a cross build of
# makedumpfile (make CROSS=aarch64-linux-gnu- LINKTYPE=static).
#
# Usage: tests/tools/arm64-dev-sysroot.sh [--cc CROSS-GCC] DIR
#
# Makes DIR a sysroot holding the headers, static libraries and pkg-config
# files of Debian's arm64 -dev packages the static binary links:
#
#   zlib1g-dev libzstd-dev liblzo2-dev libsnappy-dev   (the codecs)
#   libelf-dev libdw-dev libbz2-dev liblzma-dev        (libdw and its deps)
#
# plus libstdc++-<N>-dev-arm64-cross (libsnappy is C++), the libstdc++ of
# the cross compiler CROSS-GCC (default aarch64-linux-gnu-gcc, gcc major
# version N), in the version of the installed gcc-<N>-aarch64-linux-gnu
# when the archive still has it.  The packages are fetched with
# `apt-get download` and unpacked with `dpkg -x`: nothing is installed for
# arm64 on the host, so no host package is upgraded or replaced.  Only their
# own contents are unpacked, not their dependencies (the C library comes
# from the cross toolchain's libc6-dev-arm64-cross).
#
# Once per machine, as root: `dpkg --add-architecture arm64` and
# `apt-get update` when apt does not know the arm64 packages yet; the cross
# compiler (gcc-aarch64-linux-gnu, libc6-dev-arm64-cross) is installed when
# CROSS-GCC is missing.
#
# The tree is built in DIR.tmp and renamed when complete.  DIR/.request
# names what was asked for, DIR/.packages the package versions unpacked
# (touched on every run that finds DIR complete, so it serves as the
# Makefile's stamp).  A run whose request differs rebuilds DIR.  Concurrent
# runs are serialised by DIR.lock.

set -euo pipefail

CC=aarch64-linux-gnu-gcc
DEBARCH=arm64
TRIPLET=aarch64-linux-gnu

die() { echo "arm64-dev-sysroot: error: $*" >&2; exit 1; }
log() { echo "arm64-dev-sysroot: $*" >&2; }
usage() { sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--cc) CC=${2:?}; shift 2 ;;
	--cc=*) CC=${1#*=}; shift ;;
	-h|--help) usage ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || usage
ROOT=$1
case $ROOT in /*) ;; *) ROOT=$PWD/$ROOT ;; esac

DEVPKGS="zlib1g-dev libzstd-dev liblzo2-dev libsnappy-dev libelf-dev libdw-dev libbz2-dev liblzma-dev"
LIBS="libz.a libzstd.a liblzo2.a libsnappy.a libelf.a libdw.a libbz2.a liblzma.a"

export DEBIAN_FRONTEND=noninteractive

need_root() {
	[ "$(id -u)" = 0 ] || die "$* needs root"
}

apt_update() {
	need_root "apt-get update"
	log "apt-get update"
	apt-get update -qq >&2
}

# --- the cross compiler -------------------------------------------------------
if ! command -v "$CC" >/dev/null; then
	[ "$CC" = aarch64-linux-gnu-gcc ] || die "no cross compiler $CC"
	need_root "installing the cross compiler"
	log "installing gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
	apt-cache policy gcc-aarch64-linux-gnu | grep -q 'Candidate: (none)' && apt_update
	apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 \
		gcc-aarch64-linux-gnu libc6-dev-arm64-cross >&2
fi
GCCVER=$("$CC" -dumpversion)
GCCVER=${GCCVER%%.*}
STDCXX=libstdc++-$GCCVER-dev-$DEBARCH-cross
# the version of the installed cross gcc, to take its very libstdc++
STDCXXVER=$(dpkg-query -W -f '${Version}' "gcc-$GCCVER-$TRIPLET" 2>/dev/null || true)

REQUEST="$DEBARCH: $DEVPKGS; $STDCXX${STDCXXVER:+ $STDCXXVER}"

mkdir -p "$(dirname "$ROOT")"
exec 9>"$ROOT.lock"
flock 9

if [ -f "$ROOT/.packages" ] && [ "$(cat "$ROOT/.request" 2>/dev/null)" = "$REQUEST" ]; then
	touch "$ROOT/.packages"
	exit 0
fi

# --- apt: the foreign architecture and its package lists ---------------------
if ! dpkg --print-foreign-architectures | grep -qx "$DEBARCH"; then
	need_root "dpkg --add-architecture $DEBARCH"
	log "dpkg --add-architecture $DEBARCH"
	dpkg --add-architecture "$DEBARCH"
	apt_update
elif ! apt-cache show --no-all-versions "zlib1g-dev:$DEBARCH" >/dev/null 2>&1; then
	apt_update
fi

# --- download and unpack ---------------------------------------------------------
TMP=$ROOT.tmp
rm -rf "$TMP"
mkdir -p "$TMP/.debs"
opts=(-qq)
# as root, apt's _apt sandbox user may not be able to write here
[ "$(id -u)" = 0 ] && opts+=(-o APT::Sandbox::User=root)
names=()
for p in $DEVPKGS; do
	names+=("$p:$DEBARCH")
done
download() {
	(cd "$TMP/.debs" && apt-get download "${opts[@]}" "$@" >&2)
}
log "downloading ${names[*]} $STDCXX"
if ! download "${names[@]}"; then
	# stale package lists: the archive has moved on
	apt_update
	download "${names[@]}"
fi
if [ -z "$STDCXXVER" ] || ! download "$STDCXX=$STDCXXVER" 2>/dev/null; then
	log "$STDCXX${STDCXXVER:+ $STDCXXVER} not available; taking the archive's version"
	download "$STDCXX"
fi
for deb in "$TMP"/.debs/*.deb; do
	dpkg -x "$deb" "$TMP"
	# shellcheck disable=SC2016	# dpkg-deb's format, not the shell's
	dpkg-deb -W --showformat='${Package}:${Architecture} ${Version}\n' "$deb"
done > "$TMP/.packages.new"
rm -rf "$TMP/.debs"

# --- check ------------------------------------------------------------------------
for a in $LIBS; do
	[ -f "$TMP/usr/lib/$TRIPLET/$a" ] || die "$a is missing from the unpacked packages"
done
[ -f "$TMP/usr/lib/gcc-cross/$TRIPLET/$GCCVER/libstdc++.a" ] ||
	die "libstdc++.a is missing from $STDCXX"
machine=$(cd "$TMP" && ar p "usr/lib/$TRIPLET/libz.a" "$(ar t "usr/lib/$TRIPLET/libz.a" | head -n1)" |
	od -An -tu2 -j18 -N2 | tr -d ' ')
[ "$machine" = 183 ] || die "libz.a holds objects for e_machine $machine, not AArch64 (183)"

echo "$REQUEST" > "$TMP/.request"
mv "$TMP/.packages.new" "$TMP/.packages"
rm -rf "$ROOT"
mv "$TMP" "$ROOT"
log "$ROOT: $(wc -l < "$ROOT/.packages") packages, $(du -sh "$ROOT" | cut -f1)"
