#!/bin/sh
# init.sh - /init of both kernels of the end-to-end kdump test (busybox sh).
#
# Packed by tests/kdump/run-kdump.sh into two initramfs images:
#   - the capture initramfs: busybox, the virtio block modules, Debian's
#     makedumpfile (/usr/bin/makedumpfile with its libraries) and ours
#     (static, /opt/ng/makedumpfile);
#   - the first kernel's initramfs: busybox, /bin/workload, Debian's kexec
#     with its libraries, the kernel as /vmlinuz and the capture initramfs
#     as /initrd.
# The same on x86_64 and arm64 (run-kdump.sh --arch aarch64, all binaries
# arm64 ones); the capture kernel gets the first kernel's console= (ttyS0,
# ttyAMA0).
#
# First kernel (no /proc/vmcore): start the workload, load the capture
# kernel with `kexec -p`, write KDUMP-TEST-MARKER to /dev/kmsg and crash
# with sysrq-c.
#
# Capture kernel (/proc/vmcore exists): load the virtio block modules, find
# the disks by their virtio serial numbers, run the collectors one after the
# other on the same /proc/vmcore, print
#     COLLECTOR-BEGIN <case>
#     ... the collector's own console output ...
#     COLLECTOR-EXIT <case>=<status>
#     COLLECTOR-TIME <case>=<seconds>s
# for each, then KDUMP-CAPTURE-DONE, and power off.
#
# Disks (serial -> use):
#   vmcore-head raw: the first 64 KiB of /proc/vmcore (ELF headers, notes)
#   debian-l31  raw: Debian's `-l -d 31 -F` (flattened) - the reference
#   ours-l31    raw: our `-l -d 31 -F` (flattened), TERM unset
#   ours-c31    ext4: our `-c -d 31` to /vmcore, TERM=dumb
#   debian-l0   raw: Debian's `-l -d 0 -F` (flattened) - the reference
#   ours-l0     64 MiB ext2: our `-l -d 0` to /vmcore (must run out of space),
#               TERM unset
#
# The console is switched to raw output (stty -opost) and the kernel's
# console log level is lowered while a collector runs, so the bytes between
# COLLECTOR-BEGIN and COLLECTOR-EXIT are exactly what the collector wrote
# to the serial console (the host checks them for carriage returns).

PATH=/bin:/usr/bin:/sbin:/usr/sbin
export PATH

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1

say() { echo "kdump-init: $*"; }
fail() {
	echo "KDUMP-INIT-FAILED: $*"
	sync
	poweroff -f
	sleep 10
}

# --- first kernel -----------------------------------------------------------
# kexec-tools (2.0.25) on arm64 reads _text from /proc/kallsyms: for the
# page offset, and for the kernel image's PT_LOAD in the ELF headers it
# makes for the capture kernel.  Without CONFIG_KALLSYMS_ALL (Debian's
# cloud-arm64 kernel) kallsyms only lists the range from _stext on, kexec
# says "Can't get the symbol of _text to calculate page_offset" and builds
# broken headers (page offset 0; /proc/vmcore some 16 EiB long, unreadable).
# _text is the start of the head text, which the linker script
# (arch/arm64/kernel/vmlinux.lds.S) makes one 64 KiB block before _stext,
# and the image is mapped with 2 MiB blocks: _text = _stext - 64 KiB, 2 MiB
# aligned.  A copy of kallsyms with that _text in front is bind-mounted
# over /proc/kallsyms - what kexec reads from a KALLSYMS_ALL kernel.
arm64_kallsyms_text() {
	grep -q ' _text$' /proc/kallsyms && return 0
	stext=$(awk '$3 == "_stext" { print $1; exit }' /proc/kallsyms)
	case $stext in
	????????????????) ;;
	*) fail "no _stext in /proc/kallsyms" ;;
	esac
	# 64-bit addresses: compute on the low 32 bits (no borrow, see above)
	lo=$((0x${stext#????????} - 0x10000))
	[ $((lo % 0x200000)) = 0 ] || fail "_stext $stext - 64 KiB is not 2 MiB aligned"
	text=$(printf '%s%08x' "${stext%????????}" "$lo")
	{ echo "$text T _text"; cat /proc/kallsyms; } > /tmp/kallsyms
	mount --bind /tmp/kallsyms /proc/kallsyms || fail "cannot bind-mount /proc/kallsyms"
	say "kallsyms lacks _text (no KALLSYMS_ALL): _text $text added for kexec"
}

first_kernel() {
	mkdir -p /mnt/tmpfs
	mount -t tmpfs -o size=50% tmpfs /mnt/tmpfs
	say "first kernel $(uname -r), $(grep MemTotal /proc/meminfo)"
	say "cmdline: $(cat /proc/cmdline)"
	[ "$(cat /sys/kernel/kexec_crash_size 2>/dev/null || echo 0)" -gt 0 ] ||
		fail "no crash kernel memory reserved (crashkernel=?)"

	mem_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
	anon_mib=$((mem_kb / 1024 / 16))
	/bin/workload "$anon_mib" > /tmp/workload.out 2>&1 &
	say "workload started: $anon_mib MiB anonymous memory"

	# some page cache: text, random and zero data on the tmpfs
	yes "KDUMP-CACHE-PAGE text line: the quick brown fox jumps over the lazy dog" |
		head -c $((8 * 1024 * 1024)) > /mnt/tmpfs/text.txt
	dd if=/dev/urandom of=/mnt/tmpfs/random.bin bs=1M count=8 2>/dev/null
	dd if=/dev/zero of=/mnt/tmpfs/zero.bin bs=1M count=8 2>/dev/null
	cat /mnt/tmpfs/* > /dev/null

	n=0
	until grep -q resident /tmp/workload.out 2>/dev/null; do
		n=$((n + 1))
		[ $n -gt 300 ] && fail "workload did not become ready"
		sleep 1
	done
	cat /tmp/workload.out

	[ "$(uname -m)" = aarch64 ] && arm64_kallsyms_text
	cons=ttyS0
	for w in $(cat /proc/cmdline); do
		case $w in console=*) cons=${w#console=} ;; esac
	done
	kexec -p /vmlinuz --initrd=/initrd \
		--append="console=$cons irqpoll nr_cpus=1 reset_devices panic=-1" ||
		fail "kexec -p failed"
	[ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ] ||
		fail "kexec_crash_loaded is not 1 after kexec -p"
	say "capture kernel loaded"

	echo "KDUMP-TEST-MARKER: first kernel about to crash" > /dev/kmsg
	echo "KDUMP-CRASHING"
	sync
	echo c > /proc/sysrq-trigger
	fail "still alive after sysrq-c"
}

# --- capture kernel ---------------------------------------------------------
# disk SERIAL: print /dev/vdX of the virtio disk with that serial number
disk() {
	for b in /sys/block/vd*; do
		[ "$(cat "$b/serial" 2>/dev/null)" = "$1" ] && { echo "/dev/${b##*/}"; return 0; }
	done
	return 1
}

# run CASE TERMVALUE CMD... : run a collector with the console in raw mode
# and the kernel quiet; TERMVALUE "-" means TERM unset.
run() {
	c=$1 t=$2
	shift 2
	echo "COLLECTOR-BEGIN $c"
	echo 1 > /proc/sys/kernel/printk
	t0=$(cut -d' ' -f1 /proc/uptime)
	if [ "$t" = - ]; then
		env -u TERM "$@"
	else
		env TERM="$t" "$@"
	fi
	rc=$?
	t1=$(cut -d' ' -f1 /proc/uptime)
	echo 7 > /proc/sys/kernel/printk
	echo "COLLECTOR-EXIT $c=$rc"
	echo "COLLECTOR-TIME $c=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')s"
}

capture_kernel() {
	say "capture kernel $(uname -r), $(grep MemTotal /proc/meminfo)"
	say "cmdline: $(cat /proc/cmdline)"
	say "/proc/vmcore: $(ls -l /proc/vmcore)"
	for m in $(cat /modules/order); do
		insmod "/modules/$m" || fail "insmod $m"
	done
	for s in vmcore-head debian-l31 ours-l31 ours-c31 debian-l0 ours-l0; do
		n=0
		until disk $s > /dev/null; do
			n=$((n + 1))
			[ $n -gt 100 ] && fail "no virtio disk with serial $s"
			sleep 0.2
		done
		say "disk $s is $(disk $s)"
	done
	mkdir -p /mnt/c31 /mnt/l0
	# the ELF headers and notes of /proc/vmcore, for the post-mortem
	dd if=/proc/vmcore of="$(disk vmcore-head)" bs=64k count=1 2>/dev/null
	# raw console output from here on: no \n -> \r\n translation
	stty -opost || say "stty -opost failed"
	say "console: TERM=${TERM-<unset>}, $(stty 2>/dev/null | tr '\n' ' ')"

	run debian-l31 - sh -c "/usr/bin/makedumpfile -l -d 31 -F /proc/vmcore > $(disk debian-l31)"
	sync

	run ours-l31 - sh -c "/opt/ng/makedumpfile -l -d 31 -F /proc/vmcore > $(disk ours-l31)"
	sync

	if mount -t ext4 "$(disk ours-c31)" /mnt/c31; then
		run ours-c31 dumb /opt/ng/makedumpfile -c -d 31 /proc/vmcore /mnt/c31/vmcore
		ls -l /mnt/c31
		umount /mnt/c31 || say "umount /mnt/c31 failed"
	else
		echo "COLLECTOR-EXIT ours-c31=mount-failed"
	fi
	sync

	run debian-l0 - sh -c "/usr/bin/makedumpfile -l -d 0 -F /proc/vmcore > $(disk debian-l0)"
	sync

	if mount -t ext2 "$(disk ours-l0)" /mnt/l0; then
		run ours-l0 - /opt/ng/makedumpfile -l -d 0 /proc/vmcore /mnt/l0/vmcore
		ls -l /mnt/l0
		df /mnt/l0
		umount /mnt/l0 || say "umount /mnt/l0 failed"
	else
		echo "COLLECTOR-EXIT ours-l0=mount-failed"
	fi
	sync

	echo "KDUMP-CAPTURE-DONE"
	poweroff -f
	sleep 10
}

if [ -e /proc/vmcore ]; then
	capture_kernel
else
	first_kernel
fi
