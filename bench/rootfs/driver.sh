#!/bin/sh
# Runs every benchmark program of bench/programs (installed in /bench) and powers off; started
# by /init (bench/programs/init.c) on both kernels. Each program runs under busybox timeout so
# that a hang becomes a BENCH-FAIL line instead of a stuck run; risky programs (threads) go last
# because a kernel panic there loses only what follows. BENCH_MS comes from the kernel command
# line (both kernels pass unknown NAME=value words to init's environment).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
limit=${BENCH_TIMEOUT:-120}
echo "BENCH-INFO kernel $(uname -r) cpus $(grep -c ^processor /proc/cpuinfo) bench_ms ${BENCH_MS:-300}"
for program in syscalls files tmpfs_io memory process pipe scale thread; do
  echo "BENCH-PROGRAM $program"
  timeout "$limit" /bench/$program /bench/hello
  status=$?
  [ "$status" = 0 ] || echo "BENCH-FAIL $program exit $status"
done
echo "BENCH-END"
poweroff -f
