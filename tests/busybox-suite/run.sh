#!/usr/bin/env bash
# Debian's busybox test suite (testsuite/runtest from the busybox 1.35.0 source package) against
# Debian's busybox-static binary, run twice from the same root tree: on the host's Linux (in a
# chroot, so /bin/sh and every tool is that busybox, as in the guest) and inside our kernel
# (the tree as the initramfs, /init runs the suite and powers off). runtest skips what Debian's
# static build config (debian/config/pkg/static) leaves out. The PASS/FAIL lines of both runs
# are compared: every test that passes on Linux but not here must be listed, with a reason, in
# known-gaps.txt; the pass counts must be within 3%. Tests too slow for TCG (slow-tests.txt)
# are skipped in both runs. Needs root on the host (chroot, a private mount name space).
# Usage: run.sh [APPLET...] runs only those applets' tests (then the 3% rule is not applied).
# Output and logs: build/busybox-suite/.
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.."
here=tests/busybox-suite
out=build/busybox-suite
src=build/busybox-src
version=1.35.0 debian_rev=4+deb12u1
orig=busybox_$version.orig.tar.bz2 debtar=busybox_$version-$debian_rev.debian.tar.xz
pool=http://deb.debian.org/debian/pool/main/b/busybox

# The source package, fetched once into build/ (never committed), checked against its .dsc.
if [ ! -f $src/busybox-$version/testsuite/runtest ] || [ ! -f $src/debian/config/pkg/static ]; then
  rm -rf $src && mkdir -p $src
  for f in busybox_$version-$debian_rev.dsc $orig $debtar; do
    (cd $src && { curl -fsSLO $pool/$f || wget -q $pool/$f; }) || { echo "cannot fetch $pool/$f"; exit 1; }
  done
  for f in $orig $debtar; do
    want=$(awk '/^Checksums-Sha256:/{on=1; next} /^[A-Z]/{on=0} on && $3=="'$f'"{print $1}' $src/busybox_$version-$debian_rev.dsc)
    have=$(sha256sum $src/$f | cut -d' ' -f1)
    [ -n "$want" ] && [ "$want" = "$have" ] || { echo "checksum mismatch for $f"; rm -rf $src; exit 1; }
  done
  (cd $src && tar xjf $orig && tar xJf $debtar) || { echo "cannot unpack the busybox source"; exit 1; }
fi
bash scripts/make-initramfs.sh >/dev/null || exit 1        # fetches busybox-static into build/debs
busybox=build/debs/busybox/bin/busybox

# The root tree both runs use: busybox and its links, the testsuite next to busybox and the
# static .config (runtest's $bindir), /bbsuite/run.sh, and /init for the guest.
rm -rf $out && mkdir -p $out/root/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,etc,root,bbsuite}
root=$out/root
cp $busybox $root/bin/busybox
for applet in $($busybox --list-full); do
  [ "$applet" = bin/busybox ] || ln -sf /bin/busybox $root/$applet
done
cp rootfs/etc/* $root/etc/
cp $busybox $root/bbsuite/busybox
cp $src/debian/config/pkg/static $root/bbsuite/.config
cp -r $src/busybox-$version/testsuite $root/bbsuite/testsuite
# Skip the slow tests (slow-tests.txt: "file<TAB>test name<TAB>reason") in both runs.
echo 'skip_slow() { echo "SKIPPED: $1"; }' >> $root/bbsuite/testsuite/testing.sh
while IFS=$'\t' read -r file name _reason; do
  case "$file" in ''|\#*) continue ;; esac
  sed -i "s/^testing \"$name\"/skip_slow \"$name\"/" $root/bbsuite/testsuite/$file
done < $here/slow-tests.txt
cat > $root/bbsuite/run.sh <<'SCRIPT'
#!/bin/sh
# Runs busybox's testsuite/runtest (applets given as arguments, or all) as root, in C locale.
cd /bbsuite/testsuite || exit 1
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TERM=dumb LC_ALL=C
echo "### busybox-suite start"
sh ./runtest "$@" 2>&1
echo "### busybox-suite end"
SCRIPT
cat > $root/init <<'SCRIPT'
#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t tmpfs tmpfs /tmp
/bbsuite/run.sh $(cat /bbsuite/applets 2>/dev/null)
poweroff -f
SCRIPT
chmod 755 $root/bbsuite/run.sh $root/init
echo "$*" > $root/bbsuite/applets
(cd $root && find . | cpio -o -H newc --quiet > ../initramfs.cpio)

# Expected: the host's Linux, in a chroot of a copy of the tree on a tmpfs (as the guest's
# files are in RAM: du and large-file tests see the same kind of file system), with /proc and
# /dev mounted in a private mount name space (nothing leaks onto the host).
echo "busybox suite: host run..."
t0=$(date +%s)
mkdir -p $out/host-root
timeout -k 5 900 unshare -m sh -c "mount -t tmpfs tmpfs $out/host-root && cp -a $root/. $out/host-root/ && \
  mount -t proc proc $out/host-root/proc && mount --rbind /dev $out/host-root/dev && \
  exec env -i /usr/sbin/chroot $out/host-root /bbsuite/run.sh $*" > $out/host.log 2>&1
host_seconds=$(( $(date +%s) - t0 ))
rmdir $out/host-root
[ -n "${BUSYBOX_SUITE_HOST_ONLY:-}" ] && { grep -E '^(PASS|FAIL|SKIPPED|UNTESTED): ' $out/host.log | cut -d: -f1 | sort | uniq -c; exit 0; }

# Actual: our kernel.
echo "busybox suite: our kernel (QEMU)..."
t0=$(date +%s)
rc=$(scripts/qemu-boot.sh build/k42.elf $out/console.log 1500 2 "console=ttyS0 quiet" -initrd $out/initramfs.cpio)
guest_seconds=$(( $(date +%s) - t0 ))
sed -e 's/\r//g' $out/console.log | grep -vE '^\[ *[0-9]+\.[0-9]+\] ' > $out/guest.log

results() { grep -E '^(PASS|FAIL|SKIPPED|UNTESTED): ' "$1" | sort; }
results $out/host.log > $out/host.txt
results $out/guest.log > $out/guest.txt
count() { grep -c "^$1: " "$2"; }
hp=$(count PASS $out/host.txt) hf=$(count FAIL $out/host.txt)
gp=$(count PASS $out/guest.txt) gf=$(count FAIL $out/guest.txt)
echo "  host Linux:  $hp passed, $hf failed, $(count SKIPPED $out/host.txt) skipped, $(count UNTESTED $out/host.txt) untested ($host_seconds s)"
echo "  our kernel:  $gp passed, $gf failed, $(count SKIPPED $out/guest.txt) skipped, $(count UNTESTED $out/guest.txt) untested ($guest_seconds s, qemu status $rc)"

status=0
grep -q '^### busybox-suite end' $out/guest.log || { echo "  FAIL the run in our kernel did not finish (qemu status $rc): $out/console.log"; status=1; }
[ "$rc" = 33 ] || { echo "  FAIL qemu exit status $rc (33 = power off)"; status=1; }
# Tests (by name, counted: some names repeat) that pass on the host but not here.
sed -n 's/^PASS: //p' $out/host.txt > $out/host-pass.txt
sed -n 's/^PASS: //p' $out/guest.txt > $out/guest-pass.txt
comm -23 $out/host-pass.txt $out/guest-pass.txt > $out/regressions.txt
comm -13 $out/host-pass.txt $out/guest-pass.txt > $out/only-here.txt
cut -f1 $here/known-gaps.txt | grep -v '^#' | grep -v '^$' | sort > $out/gaps.txt
while IFS= read -r name; do
  if grep -qxF -- "$name" $out/gaps.txt; then
    echo "  gap  $name ($(grep -F -- "$name"$'\t' $here/known-gaps.txt | head -1 | cut -f2))"
  else
    echo "  FAIL $name (passes on Linux, not listed in known-gaps.txt)"; status=1
  fi
done < $out/regressions.txt
while IFS= read -r name; do
  grep -qxF -- "$name" $out/regressions.txt || echo "  warning: known gap now passes: $name"
done < $out/gaps.txt
while IFS= read -r name; do echo "  note: passes here, fails on the host's Linux: $name"; done < $out/only-here.txt
if [ $# -eq 0 ]; then
  # Pass counts within 3% of the host's.
  if [ $(( (hp - gp) * 100 )) -gt $(( hp * 3 )) ]; then echo "  FAIL pass count $gp is more than 3% below the host's $hp"; status=1; fi
fi
echo "busybox suite: host $hp passed, $hf failed; ours $gp passed, $gf failed; $(wc -l < $out/regressions.txt) known gaps"
exit $status
