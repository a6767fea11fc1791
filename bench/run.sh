#!/usr/bin/env bash
# make bench (issue 8): boots Debian's Linux kernel and ours in the same QEMU (TCG, -smp 2,
# -m 512M) with the same initramfs of static benchmark programs, alternating the two kernels
# RUNS times (the machine is shared and noisy), then prints medians, spread and ratio ours/Linux
# and writes build/bench/results.csv, table.md and ratios.svg (bench/report.py).
#   QUICK=1     one run each, shorter loops (under five minutes in all)
#   RUNS=N      runs per kernel (default 3)
#   BENCH_MS=N  wanted duration of one measurement inside the guest, in ms (default 400)
# Expects build/k42.elf (mk/bench.mk builds it first).
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/bench
if [ "${QUICK:-0}" = 1 ]; then
  runs=${RUNS:-1} bench_ms=${BENCH_MS:-100} program_limit=30 run_limit=240
else
  runs=${RUNS:-3} bench_ms=${BENCH_MS:-400} program_limit=90 run_limit=600
fi
[ -f build/k42.elf ] || { echo "bench: build/k42.elf missing (make kernel)" >&2; exit 1; }
linux=$(bash bench/fetch-linux.sh)
bash bench/make-initramfs.sh
rm -rf "$out/runs" && mkdir -p "$out/runs"
append="console=ttyS0 quiet BENCH_MS=$bench_ms BENCH_TIMEOUT=$program_limit"
qemu_version=$(qemu-system-x86_64 --version | head -1 | sed 's/^QEMU emulator version //')
{
  echo "date: $(date -u +%Y-%m-%d), QEMU $qemu_version (TCG), host CPUs: $(nproc), -smp 2 -m 512M"
  echo "Linux: $(basename "$linux") (Debian); ours: build/k42.elf at $(git describe --always --dirty 2>/dev/null || echo "?")"
  echo "runs per kernel: $runs, alternating; BENCH_MS=$bench_ms"
} | tee "$out/header.txt"
for run in $(seq 1 "$runs"); do
  # Alternate so that a slow phase of the shared machine hits both kernels alike.
  python3 bench/boot.py --label "linux-$run" --kernel "$linux" --initrd "$out/bench.cpio" \
    --append "$append" --timeout "$run_limit" --log "$out/runs/linux-$run.log" --json "$out/runs/linux-$run.json" || true
  python3 bench/boot.py --label "ours-$run" --kernel build/k42.elf --initrd "$out/bench.cpio" \
    --append "$append" --timeout "$run_limit" --log "$out/runs/ours-$run.log" --json "$out/runs/ours-$run.json" || true
done
echo
python3 bench/report.py "$out/runs" "$out"
