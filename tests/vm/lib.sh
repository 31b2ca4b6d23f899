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
#   vm_apt_download DIR PKG...    apt-get download PKGs into DIR (apt-get
#                                 update and a retry when that fails)
#   vm_fetch_debs NAME DEBARCH PKG... [-PKG...]
#                                 make sure DEBARCH's PKGs and the closure of
#                                 their Depends/Pre-Depends (minus -PKGs and
#                                 :any dependencies) are cached unpacked in
#                                 build/kernel/NAME/; sets DEBROOT
#   vm_stage_foreign_binary DIR ROOT BIN [AS]
#                                 copy the dynamic executable ROOT/BIN of
#                                 another architecture to DIR/AS (default
#                                 BIN), with its program loader and every
#                                 library it needs, recursively, from ROOT
#                                 (readelf, not ldd)
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

# Package lists can be stale (the archive has moved on): update once, retry.
vm_apt_download() {
	local dir=$1 opts=(-qq)
	shift
	# as root, apt's _apt sandbox user may not be able to write build/
	[ "$(id -u)" = 0 ] && opts+=(-o APT::Sandbox::User=root)
	(cd "$dir" && apt-get download "${opts[@]}" "$@" >&2) ||
		{ apt-get update -q >&2 && (cd "$dir" && apt-get download "${opts[@]}" "$@" >&2); }
}

# NAME's unpacked packages are reused as long as DIR/.request (the request
# they were made for) is the same; DIR/.packages lists name, arch, version.
vm_fetch_debs() {
	local name=$1 arch=$2 kdir=$BUILD/kernel droot req todo=() skip=" " seen=" " p info deps
	shift 2
	for p in "$@"; do
		case $p in
		-*) skip="$skip${p#-} " ;;
		*) todo+=("$p") ;;
		esac
	done
	droot=$kdir/$name
	req="$arch: $*"
	mkdir -p "$kdir"
	exec 8>"$kdir/.lock"
	flock 8
	if [ ! -f "$droot/.packages" ] || [ "$(cat "$droot/.request" 2>/dev/null)" != "$req" ]; then
		vm_foreign_arch "$arch"
		apt-cache show --no-all-versions "${todo[0]}:$arch" >/dev/null 2>&1 || apt-get update -q >&2
		local pkgs=()
		while [ ${#todo[@]} -gt 0 ]; do
			p=${todo[0]}
			todo=("${todo[@]:1}")
			case "$seen$skip" in *" $p "*) continue ;; esac
			seen="$seen$p "
			pkgs+=("$p:$arch")
			info=$(apt-cache show --no-all-versions "$p:$arch") ||
				die "no $arch package $p"
			# first alternative, no version constraints, no :any
			deps=$(printf '%s\n' "$info" |
				sed -n 's/^\(Pre-\)\{0,1\}Depends: //p' | tr ',' '\n' |
				sed 's/|.*//; s/(.*)//; s/[[:space:]]//g' |
				grep -v ':any$' | sed "s/:$arch\$//" | grep . || true)
			# shellcheck disable=SC2206
			todo+=($deps)
		done
		log "downloading ${pkgs[*]}"
		rm -rf "$droot" "$droot.tmp"
		mkdir -p "$droot.tmp/.debs"
		vm_apt_download "$droot.tmp/.debs" "${pkgs[@]}"
		for p in "$droot.tmp"/.debs/*.deb; do
			dpkg -x "$p" "$droot.tmp"
			# shellcheck disable=SC2016	# dpkg-deb's format, not the shell's
			dpkg-deb -W --showformat='${Package}:${Architecture} ${Version}\n' "$p"
		done > "$droot.tmp/.packages"
		rm -rf "$droot.tmp/.debs"
		echo "$req" > "$droot.tmp/.request"
		mv "$droot.tmp" "$droot"
	fi
	flock -u 8
	exec 8>&-
	# shellcheck disable=SC2034	# for the caller
	DEBROOT=$droot
}

# Libraries are looked up where Debian puts them (the multiarch directories
# first) and staged at the path they were found at, which the program
# loader searches by default.
# A file in ROOT, symbolic links resolved; die if they lead out of ROOT.
vm_foreign_file() {
	local real
	real=$(readlink -f "$2")
	case $real in
	"$1"/*) [ -f "$real" ] && { echo "$real"; return 0; } ;;
	esac
	die "${2#"$1"} is missing from $1 (or a link out of it)"
}

vm_stage_foreign_binary() {
	local stage=$1 root=$2 bin=$3 as=${4:-$3} interp f so d todo=() seen=" " found real
	root=$(readlink -f "$root")
	real=$(vm_foreign_file "$root" "$root$bin")
	mkdir -p "$stage$(dirname "$as")"
	cp "$real" "$stage$as"
	interp=$(readelf -l "$root$bin" | sed -n 's/.*interpreter: \(.*\)\]/\1/p')
	[ -n "$interp" ] || die "$root$bin has no program interpreter"
	real=$(vm_foreign_file "$root" "$root$interp")
	mkdir -p "$stage$(dirname "$interp")"
	cp "$real" "$stage$interp"
	todo=("$root$bin")
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		for so in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			case $seen in *" $so "*) continue ;; esac
			seen="$seen$so "
			found=
			for d in "$root"/lib/*-linux-gnu* "$root"/usr/lib/*-linux-gnu* "$root/lib" "$root/usr/lib"; do
				[ -e "$d/$so" ] && { found=$d/$so; break; }
			done
			[ -n "$found" ] || die "$so (needed by ${f#"$root"}) missing from $root"
			real=$(vm_foreign_file "$root" "$found")
			if [ ! -e "$stage${found#"$root"}" ]; then
				mkdir -p "$stage$(dirname "${found#"$root"}")"
				cp "$real" "$stage${found#"$root"}"
			fi
			todo+=("$real")
		done
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
