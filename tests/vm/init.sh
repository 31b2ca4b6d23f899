#!/bin/sh
# init.sh - /init of the makedumpfile test VM (runs under busybox sh).
#
# Packed into the initramfs by tests/vm/mkvmcore.sh.  It:
#   1. mounts proc, sysfs, devtmpfs and a tmpfs;
#   2. loads qemu_fw_cfg (and its dependencies, listed in /modules/order),
#      which hands the kernel's VMCOREINFO note to QEMU's `-device
#      vmcoreinfo`, so that dump-guest-memory can embed it in the vmcore;
#   3. creates a realistic mix of memory contents:
#        a. page cache: files of text-like, random and zero content written
#           and read back on the tmpfs, on the rootfs and (when the loop
#           module is available) on an ext2 file system mounted from a loop
#           device, which gives classic block-backed page cache with buffer
#           heads (PG_private);
#        b. slab: ~20000 files and directories (dentry/inode caches);
#        c. anonymous memory: /bin/workload mallocs ~MemTotal/16 and fills it
#           with zero, random and text pages, then sleeps forever;
#   4. writes "MKDUMP-TEST-MARKER: guest workload ready" to /dev/kmsg;
#   5. prints WORKLOAD-READY on the console (the host waits for this line
#      and then takes the dump over QMP) and sleeps forever; or, when the
#      initramfs has a /hook.sh (tests/vm/guestrun.sh), runs it between
#      HOOK-BEGIN and "HOOK-END rc=N" lines and powers off.
# Caches are deliberately NOT dropped: the dump should contain them.

PATH=/bin
export PATH

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mkdir -p /mnt/tmpfs /mnt/ext2 /data
mount -t tmpfs -o size=90% tmpfs /mnt/tmpfs

say() { echo "mkvm-init: $*"; }
fail() {
	echo "WORKLOAD-FAILED: $*"
	sleep 1
	echo o > /proc/sysrq-trigger 2>/dev/null
	poweroff -f
}

say "kernel $(uname -r), $(grep MemTotal /proc/meminfo)"

# --- 2. modules ------------------------------------------------------------
for m in $(cat /modules/order); do
	insmod "/modules/$m" || fail "insmod $m"
done
if [ -e /sys/firmware/qemu_fw_cfg/by_name/etc/vmcoreinfo ]; then
	say "fw_cfg etc/vmcoreinfo present"
else
	say "warning: fw_cfg etc/vmcoreinfo not found (missing -device vmcoreinfo?)"
fi

# Sizes scale with guest memory.
mem_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
mem_mib=$((mem_kb / 1024))
anon_mib=$((mem_mib / 16))
cache_mib=$((mem_mib / 64))		# per kind and per file system
[ "$cache_mib" -lt 4 ] && cache_mib=4

# --- 3c. anonymous memory (started first; it runs while we write files) ---
/bin/workload "$anon_mib" > /tmp/workload.out 2>&1 &
say "workload started: $anon_mib MiB anonymous memory"

# --- 3a. page cache -------------------------------------------------------
# Text-like content: repeated readable lines plus a copy of kallsyms.
make_text() {	# make_text FILE MIB
	yes "MKDUMP-CACHE-PAGE text line: the quick brown fox jumps over the lazy dog 0123456789" |
		head -c $(($2 * 1024 * 1024)) > "$1" || fail "writing $1"
}
fill_dir() {	# fill_dir DIR MIB
	make_text "$1/text.txt" "$2"
	dd if=/dev/urandom of="$1/random.bin" bs=1M count="$2" 2>/dev/null ||
		fail "writing $1/random.bin"
	dd if=/dev/zero of="$1/zero.bin" bs=1M count="$2" 2>/dev/null ||
		fail "writing $1/zero.bin"
	cat /proc/kallsyms > "$1/kallsyms.txt" || fail "writing $1/kallsyms.txt"
	# read everything back so the pages are referenced
	for f in "$1"/*; do [ -f "$f" ] && cat "$f"; done > /dev/null
}

fill_dir /mnt/tmpfs "$cache_mib"
fill_dir /data "$cache_mib"
say "page cache: $cache_mib MiB x3 on tmpfs and on rootfs"

ext2=no
if [ -b /dev/loop0 ]; then
	img=/mnt/tmpfs/ext2.img
	# room for 3 x cache_mib, kallsyms (~10 MiB) and 10000 small files;
	# 1 KiB blocks, so page-cache pages carry several buffer heads
	dd if=/dev/zero of=$img bs=1M count=$((cache_mib * 3 + 48)) 2>/dev/null
	if mke2fs -q -F -b 1024 -N 32768 $img >/dev/null 2>&1 &&
		losetup /dev/loop0 $img &&
		mount -t ext2 /dev/loop0 /mnt/ext2; then
		fill_dir /mnt/ext2 "$cache_mib"
		sync
		for f in /mnt/ext2/*; do [ -f "$f" ] && cat "$f"; done > /dev/null
		ext2=yes
		say "page cache: $cache_mib MiB x3 on ext2 (loop)"
	else
		say "warning: ext2-on-loop setup failed, skipping"
	fi
fi

# --- 3b. slab: dentries and inodes ---------------------------------------
make_tree() {	# make_tree DIR NDIRS NFILES_PER_DIR
	d=0
	while [ $d -lt "$2" ]; do
		mkdir -p "$1/d$d"
		f=0
		while [ $f -lt "$3" ]; do
			# shell builtins only: no fork per file
			echo "$d/$f" > "$1/d$d/f$f" || fail "creating $1/d$d/f$f"
			f=$((f + 1))
		done
		d=$((d + 1))
	done
}
make_tree /mnt/tmpfs/tree 100 100
if [ $ext2 = yes ]; then
	make_tree /mnt/ext2/tree 100 100
else
	make_tree /data/tree 100 100
fi
say "slab: 20000 files in 200 directories"

# --- wait for the workload to finish touching its memory ------------------
n=0
until grep -q resident /tmp/workload.out 2>/dev/null; do
	n=$((n + 1))
	[ $n -gt 600 ] && fail "workload did not become ready"
	grep -q . /tmp/workload.out 2>/dev/null && ! grep -q resident /tmp/workload.out &&
		fail "workload: $(cat /tmp/workload.out)"
	sleep 1
done
cat /tmp/workload.out

# --- 4./5. marker and ready line -----------------------------------------
echo "MKDUMP-TEST-MARKER: guest workload ready" > /dev/kmsg
grep -E '^(MemFree|Cached|Shmem|AnonPages|AnonHugePages|Slab):' /proc/meminfo
echo "WORKLOAD-READY"

# --- optional: tests/vm/guestrun.sh puts a /hook.sh in the initramfs ------
if [ -x /hook.sh ]; then
	echo "HOOK-BEGIN"
	/hook.sh
	echo "HOOK-END rc=$?"
	sync
	poweroff -f
fi

while :; do
	sleep 3600
done
