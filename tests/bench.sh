#!/bin/bash
# tests/bench.sh - `make bench`: our makedumpfile against Debian's
# makedumpfile 1.7.2 on the same real vmcore (a 4 GiB Debian 6.1 guest made
# by tests/vm/mkvmcore.sh), in the same run, alternating the two binaries.
# Reports the median wall time of each, their ratio, and peak RSS
# (/usr/bin/time -v), and writes the table to build/bench.md.
# BENCH_RUNS (default 5) sets the repetitions; BENCH_MEM the guest MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
OURS=${MAKEDUMPFILE:-$PWD/build/makedumpfile}
REF=${REF_MAKEDUMPFILE:-/usr/bin/makedumpfile}
RUNS=${BENCH_RUNS:-5}
MEM=${BENCH_MEM:-4096}
V=build/vmcores/x86_64-6.1-l5-$((MEM / 1024))g.elf
V64=${V%.elf}.phoff64.elf
OUT=build/bench
mkdir -p "$OUT"
tests/vm/mkvmcore.sh --mem "$MEM" --variant l5 --out "$V"
# 1.7.2 only reads program headers at offset 64: give it a rewritten copy
[ "$V64" -nt "$V" ] || /usr/bin/python3 tests/tools/elf_phoff64.py "$V" "$V64"

# run BIN ARGS... -> prints "seconds maxrss_kb" of one run
measure() {
	local t="$OUT/time.txt"
	rm -f "$OUT/dump"
	sync		# the previous run's dirty pages are not this run's cost
	# Timed until the dump is on disk, for both: ours fsyncs the file before
	# it exits (so a late ENOSPC or EIO is reported), 1.7.2 leaves that to
	# the page cache; sync puts them on equal terms.
	if ! /usr/bin/time -v -o "$t" sh -c '"$@" && sync' sh "$@" "$OUT/dump" \
		>/dev/null 2>&1; then
		echo "bench: failed: $*" >&2
		exit 1
	fi
	awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, a, ":");
		s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; el = s }
		/Maximum resident/ { rss = $2 } END { print el, rss }' "$t"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

{
	echo "| mode | ours (s) | 1.7.2 (s) | ratio ours/1.7.2 | ours peak RSS | 1.7.2 peak RSS |"
	echo "|---|---|---|---|---|---|"
} > "$OUT/table.md"
for mode in "-l -d 31" "-c -d 31" "-l -d 1" "-c -d 1"; do
	: > "$OUT/ours.txt"
	: > "$OUT/ref.txt"
	for _ in $(seq "$RUNS"); do
		measure "$OURS" $mode --message-level 0 "$V" >> "$OUT/ours.txt"
		measure "$REF" $mode --message-level 0 "$V64" >> "$OUT/ref.txt"
	done
	to=$(cut -d' ' -f1 "$OUT/ours.txt" | median)
	tr=$(cut -d' ' -f1 "$OUT/ref.txt" | median)
	mo=$(cut -d' ' -f2 "$OUT/ours.txt" | sort -n | tail -1)
	mr=$(cut -d' ' -f2 "$OUT/ref.txt" | sort -n | tail -1)
	ratio=$(awk -v a="$to" -v b="$tr" 'BEGIN { printf "%.2f", a / b }')
	printf '| `%s` | %s | %s | %s | %.1f MiB | %.1f MiB |\n' "$mode" "$to" "$tr" \
		"$ratio" "$(echo "$mo / 1024" | bc -l)" "$(echo "$mr / 1024" | bc -l)" \
		>> "$OUT/table.md"
done
{
	echo "Input: $(basename "$V") ($(du -h "$V" | cut -f1)), $RUNS runs per mode,"
	echo "median wall time, $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))."
	echo
	cat "$OUT/table.md"
} > build/bench.md
cat build/bench.md
