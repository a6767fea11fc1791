#!/usr/bin/env bash
# Deterministic A/B runs of OUR kernel (docs/bench.md, "Counting instructions"): QEMU's
# -icount shift=3 makes the guest clock advance 8 ns per executed instruction, so each figure
# measures the instructions a path executes, the same on every run whatever the host's load.
# It is not a comparison with Linux (Linux does not finish the programs in this mode in
# reasonable time) and it ignores what TCG makes dear (atomics, TLB flushes, cross-CPU work):
# use it to see whether a change made a path shorter, then confirm with make bench.
#   bash bench/icount.sh [KERNEL...]   one column per kernel (default build/k42.elf)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- build/k42.elf
bash bench/make-initramfs.sh >/dev/null
out=build/bench/icount && mkdir -p "$out"
columns=()
for kernel in "$@"; do
  label=$(basename "$kernel" .elf)-${#columns[@]}
  python3 bench/boot.py --icount --label "$label" --kernel "$kernel" --initrd build/bench/bench.cpio \
    --append "console=ttyS0 quiet BENCH_MS=100 BENCH_TIMEOUT=60" --timeout 300 \
    --log "$out/$label.log" --json "$out/$label.json" >/dev/null || true
  grep '^BENCH ' "$out/$label.log" | tr -d '\r' | awk '{print $2, $3}' > "$out/$label.txt"
  columns+=("$out/$label.txt")
done
echo "benchmark $*"
paste "${columns[@]}" | awk '{printf "%s", $1; for (i = 2; i <= NF; i += 2) printf " %s", $i; print ""}' | column -t
