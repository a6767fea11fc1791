#!/usr/bin/env bash
# Tier 3: Linux-ABI tests. Static C programs (programs/*.c) run under our kernel from an
# initramfs, driven by programs/driver.c as /init; the same driver runs them on the host's
# Linux; the two outputs must be identical (Linux is the oracle). Host paths are rewritten to
# /bin before comparing. Logs and outputs: build/linux-abi/.
# Usage: run.sh [NAME...] runs only the named programs/scripts (run.sh pipe_eof files.sh).
set -u
cd "$(dirname "$0")/../.."
out=build/linux-abi
rm -rf $out && mkdir -p $out/root/bin $out/host $out/scripts $out/root/scripts $out/root/tmp
programs=$(cd tests/linux-abi/programs && ls *.c | sed 's/\.c$//' | grep -v '^driver$')
scripts=$(cd tests/linux-abi/scripts && ls *.sh)
tests="$programs $scripts"
[ $# -gt 0 ] && tests="$*"
for t in driver $programs; do
  gcc -static -O2 -w -o $out/host/$t tests/linux-abi/programs/$t.c || { echo "cannot compile $t"; exit 1; }
  cp $out/host/$t $out/root/bin/$t
done
# busybox-static from Debian (scripts/make-initramfs.sh fetches it) runs the shell scripts,
# on the host and in the guest alike.
bash scripts/make-initramfs.sh >/dev/null
cp build/debs/busybox/bin/busybox $out/host/busybox
cp build/debs/busybox/bin/busybox $out/root/bin/busybox
# Every applet as a link next to busybox, in both places, so scripts use the same tools.
for applet in $(build/debs/busybox/bin/busybox --list); do
  [ -e $out/host/$applet ] || ln -s busybox $out/host/$applet
  [ -e $out/root/bin/$applet ] || ln -s busybox $out/root/bin/$applet
done
cp tests/linux-abi/scripts/*.sh $out/scripts/
cp tests/linux-abi/scripts/*.sh $out/root/scripts/
cp $out/host/driver $out/root/init
(cd $out/root && find . | cpio -o -H newc --quiet > ../initramfs.cpio)

# Expected: the host's Linux.
# A hung host run must not hang make test: 5 minutes is far more than the suite needs.
timeout -k 5 300 $out/host/driver "$PWD/$out/host" $tests > $out/expected.raw 2>&1 || echo "  note: the host run ended with status $? (a host-side hang or failure shows as FAIL below)"
sed -e "s|$PWD/$out/host|/bin|g" $out/expected.raw > $out/expected.txt

# Actual: our kernel (quiet: the kernel log stays out of the program output).
rc=$(scripts/qemu-boot.sh build/k42.elf $out/console.log 600 2 "console=ttyS0 quiet -- /bin $(echo $tests)" -initrd $out/initramfs.cpio)
# Keep program output only: drop kernel log lines and carriage returns.
sed -e 's/\r$//' $out/console.log | grep -vE '^\[ *[0-9]+\.[0-9]+\] ' > $out/actual.txt

pass=0 fail=0
. tests/lib/compare-sections.sh
compare_sections $out $tests
grep -q '^### done' $out/actual.txt || { echo "  FAIL the run did not finish (qemu status $rc); console: $out/console.log"; tail -20 $out/console.log | sed 's/^/       | /'; fail=$((fail + 1)); }
[ "$rc" = 33 ] || { echo "  FAIL qemu exit status $rc (33 = power off)"; fail=$((fail + 1)); }
echo "tier 3: $pass passed, $fail failed"
[ $fail -eq 0 ]
