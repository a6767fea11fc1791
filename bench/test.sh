#!/usr/bin/env bash
# make test's benchmark check (docs/bench.md): builds the benchmark initramfs, boots OUR kernel
# once with BENCH_MS=0 (each loop runs about once) and checks that every figure of
# bench/benchmarks.txt is printed with a number. No time is asserted. The rows in known_na may
# say n/a until the kernel grows what they need; they are listed, not hidden.
set -uo pipefail
cd "$(dirname "$0")/.."
# Pinned rows need sched_setaffinity (not in Linux/Syscalls.swift yet).
known_na="pipe_rtt_same_cpu pipe_rtt_cross_cpu ctx_switch"
[ -f build/k42.elf ] || { echo "bench-test: build/k42.elf missing (make kernel)" >&2; exit 1; }
bash bench/make-initramfs.sh >/dev/null || { echo "bench-test: cannot build the initramfs"; exit 1; }
mkdir -p build/test-logs
python3 bench/boot.py --label bench-test --kernel build/k42.elf --initrd build/bench/bench.cpio \
  --append "console=ttyS0 quiet BENCH_MS=0 BENCH_TIMEOUT=60" --timeout 300 \
  --log build/test-logs/bench-test.log --json build/test-logs/bench-test.json
python3 - "$known_na" <<'PYTHON'
import json, sys
known_na = sys.argv[1].split()
result = json.load(open("build/test-logs/bench-test.json"))
names = [line.split()[0] for line in open("bench/benchmarks.txt") if line.strip() and not line.startswith("#")]
failures = []
for name in names:
    if name.startswith("boot_"):
        if result[name] is None:
            failures.append(f"{name}: no BENCH-START line")
    elif name in result["bench"]:
        continue
    elif name in result["na"] and name in known_na:
        print(f"  {name}: n/a {result['na'][name]} (known)")
    elif name in result["na"]:
        failures.append(f"{name}: n/a {result['na'][name]}")
    else:
        failures.append(f"{name}: not printed")
failures += result["failed"]
if not result["ended"]:
    failures.append(f"no BENCH-END (QEMU exit {result['exit_status']}, timed out: {result['timed_out']})")
for failure in failures:
    print(f"  FAIL {failure}")
print(f"bench-test: {'FAIL' if failures else 'PASS'} ({len(result['bench'])} figures; log build/test-logs/bench-test.log)")
sys.exit(1 if failures else 0)
PYTHON
