#!/usr/bin/env bash
# Boot time to the first line of /init, for the README: boots build/k42.elf with
# build/initramfs.cpio RUNS times and prints the medians of
#   guest: kernel entry -> "Run /init as init process" (the kernel log's TSC timestamp)
#   host:  QEMU start -> the first line /init prints ("K42 in Swift: ...")
set -u
cd "$(dirname "$0")/.."
runs=${1:-5} smp=${2:-2}
log=build/test-logs/measure-init.log
mkdir -p build/test-logs
guest=() host=()
for i in $(seq 1 "$runs"); do
  : > $log
  t0=$(date +%s.%N)
  qemu-system-x86_64 -m 512M -smp "$smp" -display none -no-reboot -serial "file:$log" -monitor none \
    -kernel build/k42.elf -initrd build/initramfs.cpio -append console=ttyS0 </dev/null >/dev/null 2>&1 &
  pid=$!
  seen=""
  for _ in $(seq 1 2400); do
    if grep -q '^K42 in Swift:' $log; then seen=$(date +%s.%N); break; fi
    sleep 0.025
  done
  kill $pid 2>/dev/null; wait $pid 2>/dev/null
  guest+=("$(grep -o '^\[ *[0-9.]*\] Run /init' $log | grep -o '[0-9]*\.[0-9]*')")
  host+=("$(python3 -c "print(round($seen - $t0, 2))")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "boot to /init (-smp $smp, $runs runs, medians): guest kernel entry -> Run /init: $(median "${guest[@]}") s; host QEMU start -> first line of /init: $(median "${host[@]}") s"
