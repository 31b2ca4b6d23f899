# shellcheck shell=bash
# tests/vm/lib.sh - shell functions shared by the QEMU test scripts
# (tests/vm/mkvmcore.sh, tests/kdump/run-kdump.sh).  Source it with bash
# after defining log() and die(), and setting ROOT, VMDIR, BUILD and PY.
#
#   vm_missing_base_packages      print the Debian packages the VM scripts
#                                 need that are not installed, one a line
#   vm_missing_arch_packages ARCH the same for the extra packages a guest of
#                                 ARCH (x86_64, aarch64) needs on this host
#   vm_apt_install PKG...         install PKGs (nothing if none given)
#   vm_foreign_arch DEBARCH       make sure apt can download DEBARCH (e.g.
#                                 arm64) packages: dpkg --add-architecture and
#                                 apt-get update when needed
#   vm_fetch_kernel [DEBARCH]     make sure Debian's cloud kernel for DEBARCH
#                                 (default amd64) is cached in build/kernel/;
#                                 sets VMLINUZ, KVER, MODDIR
#   vm_fetch_busybox DEBARCH      make sure DEBARCH's busybox-static is cached
#                                 in build/kernel/; sets BUSYBOX
#   vm_stage_busybox DIR [BB]     start an initramfs tree in DIR: the usual
#                                 directories, static busybox (BB, default the
#                                 host's /bin/busybox) and its applets
#   vm_stage_modules DIR MOD...   stage MODs and their dependencies in
#                                 DIR/modules/ (uncompressed, via moddeps.py)
#                                 and write the load order to DIR/modules/order
#   vm_stage_binary DIR BIN [AS]  copy the dynamic executable BIN to DIR/AS
#                                 (default: the same path), with every shared
#                                 library ldd lists and the program loader
#   vm_pack_initramfs DIR OUT     pack DIR as a gzip'ed newc cpio in OUT
#   vm_stop_qemu PID              terminate a QEMU process (TERM, then KILL)

vm_missing_base_packages() {
	command -v qemu-system-x86_64 >/dev/null || echo qemu-system-x86
	dpkg -s busybox-static >/dev/null 2>&1 || echo busybox-static
	[ -x "$PY" ] || echo python3
	command -v gcc >/dev/null || echo gcc
	[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || echo libc6-dev
	command -v cpio >/dev/null || echo cpio
	return 0
}

# Host packages for a foreign guest architecture, in addition to the base
# ones.  The guest's own binaries (kernel, busybox) are not installed but
# downloaded: see vm_fetch_kernel and vm_fetch_busybox.
vm_missing_arch_packages() {
	case $1 in
	x86_64) ;;
	aarch64)
		command -v qemu-system-aarch64 >/dev/null || echo qemu-system-arm
		command -v aarch64-linux-gnu-gcc >/dev/null || echo gcc-aarch64-linux-gnu
		[ -e /usr/aarch64-linux-gnu/lib/libc.a ] || echo libc6-dev-arm64-cross
		;;
	*) die "no packages known for architecture $1" ;;
	esac
	return 0
}

vm_apt_install() {
	[ $# -gt 0 ] || return 0
	log "installing $*"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2
	apt-get install -y -q "$@" >&2
}

# Print the Debian architecture names dpkg handles, native one first.
vm_deb_arches() {
	dpkg --print-architecture
	dpkg --print-foreign-architectures
}

vm_foreign_arch() {
	local arch=$1
	vm_deb_arches | grep -qx "$arch" && return 0
	log "adding dpkg architecture $arch"
	dpkg --add-architecture "$arch"
	apt-get update -q >&2
}

# The cloud kernel package (what linux-image-cloud-<arch> depends on), cached
# unpacked under build/kernel/<package>/.  Offline, the newest cached one.
vm_fetch_kernel() {
	local arch=${1:-amd64} kdir=$BUILD/kernel kpkg kroot dlpkg
	mkdir -p "$kdir"
	exec 8>"$kdir/.lock"
	flock 8
	# apt-cache prints foreign packages as NAME:ARCH; keep NAME.
	kpkg=$(apt-cache depends "linux-image-cloud-$arch" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { sub(/:.*/, "", $2); print $2; exit }') || true
	if [ -z "$kpkg" ]; then
		# No package lists yet, or offline: use a cached kernel if we have one.
		kpkg=$(cd "$kdir" && ls -d linux-image-*-"$arch"/ 2>/dev/null | sed 's,/$,,' | grep -v '\.tmp$' | sort -V | tail -n1) || true
		if [ -z "$kpkg" ]; then
			apt-get update -q >&2
			kpkg=$(apt-cache depends "linux-image-cloud-$arch" |
				awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { sub(/:.*/, "", $2); print $2; exit }')
		fi
	fi
	[ -n "$kpkg" ] || die "cannot determine the cloud kernel package"
	kroot=$kdir/$kpkg
	dlpkg=$kpkg
	[ "$arch" = "$(dpkg --print-architecture)" ] || dlpkg=$kpkg:$arch
	if ! ls "$kroot"/boot/vmlinuz-* >/dev/null 2>&1; then
		log "downloading $dlpkg"
		rm -rf "$kroot" "$kroot.tmp" "$kdir/dl"
		mkdir -p "$kdir/dl"
		(cd "$kdir/dl" && apt-get download "$dlpkg" >&2) ||
			{ apt-get update -q >&2 && (cd "$kdir/dl" && apt-get download "$dlpkg" >&2); }
		dpkg -x "$kdir"/dl/"$kpkg"_*.deb "$kroot.tmp"
		mv "$kroot.tmp" "$kroot"
		rm -rf "$kdir/dl"
	fi
	flock -u 8
	exec 8>&-
	VMLINUZ=$(ls "$kroot"/boot/vmlinuz-* | head -n1)
	KVER=${VMLINUZ##*/vmlinuz-}
	MODDIR=$kroot/lib/modules/$KVER
	[ -d "$MODDIR" ] || die "no modules for $KVER in $kroot"
}

# busybox-static for a foreign architecture cannot be installed next to the
# host's (the packages conflict), so it is downloaded and cached unpacked
# under build/kernel/busybox-static-<arch>/ (kept until removed by hand).
vm_fetch_busybox() {
	local arch=$1 kdir=$BUILD/kernel broot
	broot=$kdir/busybox-static-$arch
	mkdir -p "$kdir"
	exec 8>"$kdir/.lock"
	flock 8
	if [ ! -x "$broot/bin/busybox" ]; then
		log "downloading busybox-static:$arch"
		rm -rf "$broot" "$broot.tmp" "$kdir/dl"
		mkdir -p "$kdir/dl"
		(cd "$kdir/dl" && apt-get download "busybox-static:$arch" >&2) ||
			{ apt-get update -q >&2 && (cd "$kdir/dl" && apt-get download "busybox-static:$arch" >&2); }
		dpkg -x "$kdir"/dl/busybox-static_*_"$arch".deb "$broot.tmp"
		mv "$broot.tmp" "$broot"
		rm -rf "$kdir/dl"
	fi
	flock -u 8
	exec 8>&-
	# shellcheck disable=SC2034	# for the caller
	BUSYBOX=$broot/bin/busybox
}

# The applet links come from the host's busybox (a foreign one cannot run
# here); Debian builds busybox-static with the same configuration on every
# architecture.
vm_stage_busybox() {
	local stage=$1 bb=${2:-/bin/busybox} applet
	mkdir -p "$stage"/{bin,dev,proc,sys,tmp,mnt,data,modules}
	cp "$bb" "$stage/bin/busybox"
	for applet in $(/bin/busybox --list); do
		[ "$applet" = busybox ] || ln -s busybox "$stage/bin/$applet"
	done
	mknod "$stage/dev/console" c 5 1 2>/dev/null || true
}

vm_stage_modules() {
	local stage=$1
	shift
	mkdir -p "$stage/modules"
	"$PY" "$VMDIR/moddeps.py" "$MODDIR" "$stage/modules" "$@" \
		> "$stage/modules/order"
}

vm_stage_binary() {
	local stage=$1 bin=$2 as=${3:-$2} lib
	mkdir -p "$stage$(dirname "$as")"
	cp -L "$bin" "$stage$as"
	# "name => /path (addr)" and the loader's "/path (addr)"; skip the vdso
	for lib in $(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		[ -e "$stage$lib" ] && continue
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
}

vm_pack_initramfs() {
	(cd "$1" && find . | sort | cpio -o -H newc --quiet) | gzip -1 > "$2"
}

vm_stop_qemu() {
	local pid=$1
	[ -n "$pid" ] || return 0
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		sleep 1
		kill -9 "$pid" 2>/dev/null || true
	fi
}
