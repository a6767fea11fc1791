#!/usr/bin/env bash
# Boots a kernel that does not exit by itself, waits until its console log shows PATTERN
# (or TIMEOUT seconds pass), then stops QEMU. Exit status 0 if the pattern appeared.
# Usage: qemu-until.sh KERNEL LOG TIMEOUT SMP "APPEND" PATTERN
set -u
kernel=$1 log=$2 limit=$3 smp=$4 append=$5 pattern=$6
: > "$log"
qemu-system-x86_64 -m 512M -smp "$smp" -display none -no-reboot -serial "file:$log" -monitor none \
  -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$kernel" -append "$append" \
  </dev/null >/dev/null 2>"$log.qemu-stderr" &
pid=$!
found=1
for _ in $(seq 1 $((limit * 4))); do
  if grep -qE "$pattern" "$log"; then found=0; break; fi
  kill -0 $pid 2>/dev/null || break
  sleep 0.25
done
kill $pid 2>/dev/null; wait $pid 2>/dev/null
exit $found
