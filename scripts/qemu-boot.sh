#!/usr/bin/env bash
# Boots a kernel image in QEMU with the serial console captured to a file, under a timeout.
# Usage: qemu-boot.sh KERNEL LOG TIMEOUT_SECONDS SMP "APPEND" [extra qemu args...]
# Prints QEMU's exit status (33 = isa-debug-exit success, 35 = failure/panic, 124 = timeout).
set -u
kernel=$1 log=$2 limit=$3 smp=$4 append=$5
shift 5
timeout --foreground -k 5 "$limit" qemu-system-x86_64 -m 512M -smp "$smp" -display none -no-reboot \
  -serial "file:$log" -monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
  -kernel "$kernel" -append "$append" "$@" </dev/null >/dev/null 2>"$log.qemu-stderr"
echo $?
