#!/usr/bin/env bash
# Tier 2: the in-kernel tests and the boot checks, each a QEMU run of the real kernel.
#   1. build/k42-test.elf with `ktest` on -smp 4: every in-kernel test passes (exit 33).
#   2. build/k42.elf boots with -smp 1, 2, 4, 8 and prints "smp: brought up N CPUs".
#   3. hot swap: `hotswap-demo=100` on -smp 4, and a busybox script that swaps one file's cache
#      object from /proc/k42/objects while a reader checksums the file.
#   4. tests/job-control: TOSTOP and SIGTTOU on the console (a tier-3 host run has no terminal).
#      tests/pthreads-stress: 8 threads (mutex, condvars, barrier, TLS) 100 times on -smp 4.
#   5. `ktest=panic` (bad kernel pointer) and `ktest=trap` (Swift overflow trap) end in a
#      panic report with a symbolized backtrace and QEMU exit status 35.
# Generous timeouts: the machine is shared and QEMU is software-emulated. No timing asserts.
set -u
cd "$(dirname "$0")/.."
out=build/test-logs
mkdir -p "$out"
pass=0 fail=0
ok()   { echo "  ok   $1"; pass=$((pass + 1)); }
bad()  { echo "  FAIL $1"; fail=$((fail + 1)); [ -n "${2:-}" ] && sed 's/^/       | /' "$2" | tail -40; }

echo "tier 2: in-kernel tests (QEMU, -smp 4)"
rc=$(scripts/qemu-boot.sh build/k42-test.elf $out/ktest.log 600 4 "console=ttyS0 ktest")
grep -E '^\[[ 0-9.]+\] ktest: .* \.\.\. ' $out/ktest.log | sed 's/^\[[ 0-9.]*\] /       /'
if [ "$rc" = 33 ] && grep -q 'ktest: [0-9]* passed, 0 failed' $out/ktest.log; then ok "in-kernel tests"; else bad "in-kernel tests (qemu status $rc)" $out/ktest.log; fi

echo "tier 2: boot with -smp 1, 2, 4, 8"
for n in 1 2 4 8; do
  # The normal kernel idles after boot; stop it once the SMP line is out (or after the limit).
  log=$out/boot-smp$n.log
  scripts/qemu-boot.sh build/k42-test.elf $log 300 $n "console=ttyS0 ktest=smp.all-cpus-online" >/dev/null
  if grep -q "smp: brought up $n CPUs" $log && grep -q 'ktest: 1 passed, 0 failed' $log; then
    ok "-smp $n: smp: brought up $n CPUs"
  else
    bad "-smp $n" $log
  fi
done

echo "tier 2: the normal kernel (build/k42.elf) boots to its idle loop"
if scripts/qemu-until.sh build/k42.elf $out/boot-normal.log 300 2 "console=ttyS0" 'Kernel is up' \
   && grep -q 'smp: brought up 2 CPUs' $out/boot-normal.log; then
  ok "build/k42.elf -smp 2 boots: $(grep -o 'K42 in Swift[^#]*' $out/boot-normal.log | head -1)"
else
  bad "build/k42.elf boot" $out/boot-normal.log
fi

echo "tier 2: hot swap (docs/objects.md)"
log=$out/hotswap-demo.log
rc=$(scripts/qemu-boot.sh build/k42.elf $log 600 4 "console=ttyS0 hotswap-demo=100")
if [ "$rc" = 33 ] && grep -q 'hotswap: 100 swaps, [0-9]* calls, 0 failed' $log && grep -q 'completed calls [0-9]*: match' $log; then
  ok "$(grep -o 'hotswap: [0-9]* swaps.*' $log)"
else
  bad "hotswap-demo=100 (qemu status $rc)" $log
fi
# The shell: swap one file's cache object while a reader checksums the file.
EXTRA_DIR=tests/hotswap INITRAMFS_OUT=build/hotswap-shell.cpio bash scripts/make-initramfs.sh >/dev/null
log=$out/hotswap-shell.log
rc=$(scripts/qemu-boot.sh build/k42.elf $log 600 2 "console=ttyS0 quiet" -initrd build/hotswap-shell.cpio)
if grep -q 'hotswap-shell: reader: 30 reads, 0 wrong; [1-9][0-9]* swaps, 0 failed' $log \
   && grep -q 'hotswap-shell: while interposed: interposed calls [1-9]' $log \
   && grep -q 'hotswap-shell: bad implementation refused' $log && grep -q 'hotswap-shell: file intact' $log \
   && grep -q 'hotswap-shell: new contents read back' $log; then
  ok "shell: $(grep -o 'reader: .*' $log)"
else
  bad "hotswap shell test (qemu status $rc)" $log
fi

echo "tier 2: terminal job control (TOSTOP, SIGTTOU; the host's tier-3 run has no terminal)"
EXTRA_DIR=tests/job-control INITRAMFS_OUT=build/job-control.cpio bash scripts/make-initramfs.sh >/dev/null
log=$out/job-control.log
rc=$(scripts/qemu-boot.sh build/k42.elf $log 600 2 "console=ttyS0 quiet" -initrd build/job-control.cpio)
if grep -q 'job-control: without TOSTOP the write goes out' $log \
   && grep -q 'job-control: TOSTOP writer state T, wrote: nothing' $log \
   && grep -q 'job-control: SIGTTOU ignored, the write goes out' $log \
   && grep -q 'job-control: after SIGCONT without TOSTOP wrote: done' $log \
   && grep -q 'job-control: background tcsetattr state T, tostop now: -tostop' $log \
   && grep -q 'job-control: done' $log; then
  ok "job control: TOSTOP stops a background writer, SIGTTOU ignored lets it write, background tcsetattr stops"
else
  bad "job control (qemu status $rc)" $log
fi

echo "tier 2: an 8-thread pthreads program (mutex, condvars, barrier, TLS), 100 runs on -smp 4"
stress=build/pthreads-stress-files
rm -rf $stress && mkdir -p $stress/bin && cp tests/pthreads-stress/init $stress/init
gcc -static -O2 -pthread -w -o $stress/bin/pthreads8 tests/pthreads-stress/pthreads8.c
EXTRA_DIR=$stress INITRAMFS_OUT=build/pthreads-stress.cpio bash scripts/make-initramfs.sh >/dev/null
log=$out/pthreads-stress.log
rc=$(scripts/qemu-boot.sh build/k42.elf $log 900 4 "console=ttyS0 quiet" -initrd build/pthreads-stress.cpio)
if grep -q 'pthreads-stress: 100 of 100 runs right' $log; then
  ok "$(grep -o 'pthreads-stress: .*' $log | tr -d '\r')"
else
  bad "pthreads stress (qemu status $rc)" $log
fi

echo "tier 2: panic reports"
for kind in panic trap; do
  log=$out/$kind.log
  rc=$(scripts/qemu-boot.sh build/k42-test.elf $log 300 2 "console=ttyS0 ktest=$kind")
  want='KernelTests.badPointerDereference'; [ $kind = trap ] && want='KernelTests.swiftRuntimeTrap'
  if [ "$rc" = 35 ] && grep -q 'kernel panic' $log && grep -q 'Backtrace:' $log \
     && grep -q "RIP: 0x[0-9a-f]* .*$want" $log && grep -q '#[ 0-9]* 0x[0-9a-f]* .*k42_boot_main' $log; then
    ok "ktest=$kind: panic report with symbolized backtrace, exit status 35"
  else
    bad "ktest=$kind (qemu status $rc)" $log
  fi
done

echo "tier 2: $pass passed, $fail failed"
[ $fail -eq 0 ]
