#!/usr/bin/env bash
# Boot-time figures for the README: boots build/k42.elf RUNS times (-smp SMP) and prints
#   guest: kernel entry -> "smp: brought up N CPUs" (the kernel log's own timestamp, TSC)
#   host:  QEMU start -> the banner line on the console (wall clock, includes firmware)
# Medians over the runs. Usage: measure-boot.sh [RUNS] [SMP]
set -u
cd "$(dirname "$0")/.."
runs=${1:-5} smp=${2:-2}
log=build/test-logs/measure-boot.log
mkdir -p build/test-logs
guest=() host=()
for i in $(seq 1 "$runs"); do
  t0=$(date +%s.%N)
  : > $log
  qemu-system-x86_64 -m 512M -smp "$smp" -display none -no-reboot -serial "file:$log" -monitor none \
    -kernel build/k42.elf -append console=ttyS0 </dev/null >/dev/null 2>&1 &
  pid=$!
  banner=""
  for _ in $(seq 1 1200); do
    [ -z "$banner" ] && grep -q 'K42 in Swift' $log && banner=$(date +%s.%N)
    grep -q 'Kernel is up' $log && break
    sleep 0.05
  done
  kill $pid 2>/dev/null; wait $pid 2>/dev/null
  g=$(grep -o '^\[ *[0-9.]*\] smp: brought up' $log | grep -o '[0-9]*\.[0-9]*')
  guest+=("$g"); host+=("$(python3 -c "print(round($banner - $t0, 3))")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "boot (-smp $smp, $runs runs, medians): guest kernel entry -> smp up: $(median "${guest[@]}") s; host QEMU start -> banner: $(median "${host[@]}") s"
