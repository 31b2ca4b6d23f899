#!/bin/sh
# Install the Debian packages needed to build and test, if any is missing.
set -e
PKGS="build-essential pkg-config zlib1g-dev liblzo2-dev libsnappy-dev libzstd-dev
libelf-dev libdw-dev python3 python3-pytest python3-libkdumpfile makedumpfile
qemu-system-x86 busybox-static cpio crash time kexec-tools xz-utils zstd bc
qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "Installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
