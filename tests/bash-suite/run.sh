#!/usr/bin/env bash
# Debian's bash-static running the project's bash scripts (scripts/*.sh), on the host's Linux
# and in our kernel from the same root tree (busybox-static's tools, /bin/bash): on the host in
# a chroot (private mount name space with /proc and /dev), in QEMU as the initramfs whose /init
# runs them and powers off. Each script runs in its own empty directory with stdin from
# /dev/null, stderr into stdout; the outputs (framed "### NAME" ... "### NAME: exit N") must be
# identical, line for line. Needs root on the host (chroot). Output: build/bash-suite/.
# Usage: run.sh [NAME.sh...] runs only those scripts.
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.."
here=tests/bash-suite
out=build/bash-suite
bash scripts/make-initramfs.sh >/dev/null || exit 1      # fetches busybox-static and bash-static
tests=$(cd $here/scripts && echo *.sh)
[ $# -gt 0 ] && tests="$*"
rm -rf $out && mkdir -p $out/root/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,etc,root,bash-suite}
root=$out/root
busybox=build/debs/busybox/bin/busybox
cp $busybox $root/bin/busybox
for applet in $($busybox --list-full); do
  [ "$applet" = bin/busybox ] || ln -sf /bin/busybox $root/$applet
done
cp build/debs/bash/bin/bash-static $root/bin/bash
cp rootfs/etc/* $root/etc/
cp $here/scripts/*.sh $root/bash-suite/
cat > $root/bash-suite/run-all <<'SCRIPT'
#!/bin/sh
# Runs each named script with bash in its own directory under /tmp/bash-suite. A script that
# hangs is killed after 180 s (exit 137): it fails alone and the rest still run.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root LC_ALL=C
for t in "$@"; do
  echo "### $t"
  mkdir -p /tmp/bash-suite/$t && cd /tmp/bash-suite/$t
  timeout -s KILL 180 bash /bash-suite/$t </dev/null 2>&1
  echo "### $t: exit $?"
  cd /
done
echo "### done"
SCRIPT
cat > $root/init <<'SCRIPT'
#!/bin/sh
mount -t proc proc /proc
mount -t tmpfs tmpfs /tmp
/bash-suite/run-all $(cat /bash-suite/tests)
/bin/busybox poweroff -f
SCRIPT
chmod 755 $root/init $root/bash-suite/run-all
echo $tests > $root/bash-suite/tests
(cd $root && find . | cpio -o -H newc --quiet > ../initramfs.cpio)

# Expected: the host's Linux, in a chroot of a copy of the tree (tmpfs on /tmp, as in the guest).
cp -a $root $out/host-root
timeout -k 5 300 unshare -m sh -c "mount -t proc proc $out/host-root/proc && mount --rbind /dev $out/host-root/dev && \
  mount -t tmpfs tmpfs $out/host-root/tmp && exec env -i /usr/sbin/chroot $out/host-root /bash-suite/run-all $tests" > $out/expected.txt 2>&1
rm -rf $out/host-root
[ -n "${BASH_SUITE_HOST_ONLY:-}" ] && { cat $out/expected.txt; exit 0; }

# Actual: our kernel.
rc=$(scripts/qemu-boot.sh build/k42.elf $out/console.log 900 2 "console=ttyS0 quiet" -initrd $out/initramfs.cpio)
sed -e 's/\r//g' $out/console.log | grep -vE '^\[ *[0-9]+\.[0-9]+\] ' | sed -n '/^### /,$p' > $out/actual.txt

pass=0 fail=0
. tests/lib/compare-sections.sh
compare_sections $out $tests
grep -q '^### done' $out/actual.txt || { echo "  FAIL the run did not finish (qemu status $rc); console: $out/console.log"; fail=$((fail + 1)); }
[ "$rc" = 33 ] || { echo "  FAIL qemu exit status $rc (33 = power off)"; fail=$((fail + 1)); }
echo "bash suite: $pass passed, $fail failed"
[ $fail -eq 0 ]
