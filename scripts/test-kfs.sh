#!/usr/bin/env bash
# KFS in the kernel, end to end (issue 5, docs/kfs.md "In the kernel"):
#   1. mkfs.kfs an image; write files into it on the host through kfs-fuse (small, extent-sized,
#      a hashed directory, a symlink, a hard link);
#   2. boot build/k42.elf with the image as a virtio disk (-drive if=virtio) and an initramfs
#      whose /init mounts it (`mount -t kfs /dev/vda /mnt`), checks the host's files by md5,
#      writes, renames, removes and links, fsyncs, unmounts, mounts again, re-checks, and
#      powers off; a second disk of garbage must be refused with EUCLEAN/EINVAL, not a panic;
#   3. fsck.kfs the image (must be clean) and read the guest's files on the host via kfs-fuse;
#   4. boot again with root=/dev/vda (KFS as the root file system, no initrd): busybox from
#      the KFS disk runs /init, which writes a file; fsck clean, file there;
#   5. the crash test: QEMU is SIGKILLed at a random moment of a write+fsync workload, N times
#      on one image; after each kill fsck.kfs must be clean and every file the guest reported
#      fsync'd must be there with its content (md5 through kfs-fuse).
# Usage: test-kfs.sh [all|e2e|crash|bench] [KILLS]   (all: e2e and a 5-kill crash test; make
# kfs-crash-test runs `crash 100`, make kfs-bench `bench`: KFS on k42 vs ext2 on Linux).
# Needs root for FUSE; without it (or /dev/fuse) steps 1, 3 and 4 use fsck.kfs only and the
# host-file checks are skipped (exit 77 only if nothing could run). Logs: build/test-logs/kfs*.
set -u
cd "$(dirname "$0")/.."
mode=${1:-all}
kills=${2:-5}
root_dir=$(pwd)
out=build/test-logs
work=build/kfs-test
mkdir -p "$out"
rm -rf "$work"; mkdir -p "$work/extra" "$work/mnt" "$work/rootextra"
pass=0 fail=0
ok()  { echo "  ok   $1"; pass=$((pass + 1)); }
bad() { echo "  FAIL $1"; fail=$((fail + 1)); [ -n "${2:-}" ] && [ -f "$2" ] && sed 's/^/       | /' "$2" | tail -40; }

echo "kfs: building the host tools (.build-kfsk) and the kernel"
for p in mkfs.kfs fsck.kfs kfs-fuse; do
  swift build --scratch-path .build-kfsk --product $p >"$out/kfs-build-$p.log" 2>&1 || { bad "swift build $p" "$out/kfs-build-$p.log"; exit 1; }
done
bin=$(swift build --scratch-path .build-kfsk --show-bin-path)
make -s kernel >"$out/kfs-make.log" 2>&1 || { bad "make kernel" "$out/kfs-make.log"; exit 1; }

fuse_ok=0
if [ -e /dev/fuse ] && [ "$(id -u)" = 0 ]; then fuse_ok=1; fi
fuse_mount() {   # IMAGE DIR [-r]
  "$bin/kfs-fuse" "$1" "$2" -f ${3:-} >"$out/kfs-fuse.log" 2>&1 &
  fuse_pid=$!
  for _ in $(seq 50); do mountpoint -q "$2" && return 0; sleep 0.1; done
  return 1
}
fuse_umount() {  # DIR: unmount commits; wait for kfs-fuse to finish writing
  umount "$1" 2>/dev/null || fusermount3 -u "$1"
  for _ in $(seq 100); do kill -0 "$fuse_pid" 2>/dev/null || return 0; sleep 0.1; done
  return 1
}

e2e_test() {
image=$work/disk.img
"$bin/mkfs.kfs" "$image" 64M >/dev/null

echo "kfs: host writes files through kfs-fuse"
: >"$work/extra/expected.md5"
if [ $fuse_ok = 1 ] && fuse_mount "$image" "$work/mnt"; then
  m=$work/mnt
  echo "written on the host" >"$m/host-small.txt"
  seq 1 20000 >"$m/host-large.txt"                        # 108 KiB: file.extents
  mkdir -p "$m/host-dir"
  for i in $(seq 1 300); do echo "entry $i" >"$m/host-dir/file-$i"; done   # dir.hashed
  ln -s host-small.txt "$m/host-link"
  ln "$m/host-small.txt" "$m/host-hardlink"
  echo "remove me" >"$m/host-doomed.txt"
  (cd "$m" && md5sum host-small.txt host-large.txt host-dir/file-1 host-dir/file-300 host-hardlink) >"$work/extra/expected.md5"
  fuse_umount "$work/mnt" && ok "kfs-fuse wrote the host's files" || bad "kfs-fuse unmount"
else
  echo "  skip host writes (no FUSE: not root or no /dev/fuse)"
fi
"$bin/fsck.kfs" "$image" >"$out/kfs-fsck0.log" 2>&1 || bad "fsck after host writes" "$out/kfs-fsck0.log"
head -c $((4 << 20)) /dev/urandom >"$work/garbage.img"
gcc -static -O2 -o "$work/extra/kfsmmap" tests/kfs/kfsmmap.c || bad "kfsmmap program"

cat >"$work/extra/init" <<'EOF'
#!/bin/sh
# KFS kernel test (scripts/test-kfs.sh): each check prints "kfs-check NAME ok|FAIL".
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
check() { if [ "$2" = 0 ]; then echo "kfs-check $1 ok"; else echo "kfs-check $1 FAIL"; fi; }
mount -t proc proc /proc
mount -t kfs /dev/vda /mnt; check mount $?
if [ -s /expected.md5 ]; then (cd /mnt && md5sum -c /expected.md5 >/dev/null); check host-files $?; fi
if [ -e /mnt/host-dir ]; then [ "$(ls /mnt/host-dir | wc -l)" = 300 ]; check host-dir-listing $?; fi
if [ -e /mnt/host-link ]; then [ "$(readlink /mnt/host-link)" = host-small.txt ] && cmp -s /mnt/host-link /mnt/host-small.txt; check host-symlink $?; fi
if [ -e /mnt/host-doomed.txt ]; then rm /mnt/host-doomed.txt; check rm-host-file $?; fi
echo "written by k42" > /mnt/guest-small.txt; check write-small $?
seq 1 50000 > /mnt/guest-large.txt; check write-large $?
mkdir -p /mnt/guest-dir/sub; check mkdir $?
for i in $(seq 1 200); do echo "guest $i" > /mnt/guest-dir/g-$i; done; check many-files $?
mv /mnt/guest-dir/g-200 /mnt/guest-dir/sub/renamed; check rename $?
ln /mnt/guest-small.txt /mnt/guest-hardlink; check link $?
ln -s guest-large.txt /mnt/guest-symlink; check symlink $?
echo appended >> /mnt/guest-small.txt; check append $?
dd if=/dev/zero of=/mnt/guest-trunc bs=4096 count=4 2>/dev/null && truncate -s 5000 /mnt/guest-trunc; check truncate $?
[ "$(stat -c %s /mnt/guest-trunc)" = 5000 ]; check truncate-size $?
chmod 600 /mnt/guest-small.txt && [ "$(stat -c %a /mnt/guest-small.txt)" = 600 ]; check chmod $?
exec 3</mnt/guest-dir/g-1; rm /mnt/guest-dir/g-1; [ "$(cat <&3)" = "guest 1" ]; check read-after-unlink $?; exec 3<&-
sync /mnt/guest-large.txt; check fsync $?
/kfsmmap write /mnt >/tmp/mmap.log 2>&1; check mmap $?; grep -v ' ok' /tmp/mmap.log
dd if=/dev/vda bs=4096 count=1 2>/dev/null | hexdump -C | grep -q 'K42KFS01'; check raw-read-superblock $?
[ "$(dd if=/dev/vda bs=1 skip=16 count=8 2>/dev/null)" = K42KFS01 ]; check raw-read-unaligned $?
echo -n raw-write-test | dd of=/dev/vdb bs=1 seek=5000 conv=notrunc 2>/dev/null; check raw-write $?
[ "$(dd if=/dev/vdb bs=1 skip=5000 count=14 2>/dev/null)" = raw-write-test ]; check raw-write-reads-back $?
[ "$(dd if=/dev/vdb bs=4096 skip=1023 2>/dev/null | wc -c)" = 4096 ]; check raw-read-to-end $?
(cd /mnt && md5sum guest-small.txt guest-large.txt guest-hardlink guest-dir/sub/renamed > /guest.md5)
cat /proc/kfs | head -3
grep -q "kfs" /proc/mounts; check proc-mounts $?
df /mnt | tail -1
umount /mnt; check umount $?
mount -t kfs /dev/vda /mnt; check remount $?
(cd /mnt && md5sum -c /guest.md5 >/dev/null); check reread-after-remount $?
/kfsmmap check /mnt >/tmp/mmap.log 2>&1; check mmap-after-remount $?; grep -v ' ok' /tmp/mmap.log
[ ! -e /mnt/guest-dir/g-1 ] && [ ! -e /mnt/.kfs-orphans/* ]; check orphan-freed $?
echo "guest md5:"; cat /guest.md5
umount /mnt; check umount2 $?
mkdir -p /bad
mount -t kfs /dev/vdb /bad 2>/tmp/err; rc=$?; cat /tmp/err
[ $rc != 0 ]; check garbage-refused $?
mount -t kfs /dev/null /bad 2>/dev/null; [ $? != 0 ]; check not-a-block-device $?
echo "kfs-test done"
poweroff -f
EOF
chmod 755 "$work/extra/init"
EXTRA_DIR=$work/extra INITRAMFS_OUT=$work/init.cpio bash scripts/make-initramfs.sh >"$out/kfs-initramfs.log" 2>&1 \
  || { bad "make-initramfs" "$out/kfs-initramfs.log"; exit 1; }

echo "kfs: boot with the disk attached (mount -t kfs /dev/vda /mnt)"
log=$out/kfs-boot.log
rc=$(scripts/qemu-boot.sh build/k42.elf "$log" 300 2 "console=ttyS0" -initrd "$work/init.cpio" \
     -drive file="$image",if=virtio,format=raw -drive file="$work/garbage.img",if=virtio,format=raw)
if grep -q "kfs-test done" "$log" && ! grep -q "kfs-check .* FAIL" "$log" && ! grep -q "kernel panic" "$log"; then
  ok "guest: $(grep -c 'kfs-check .* ok' "$log") checks passed (qemu status $rc)"
else
  bad "guest checks (qemu status $rc)" "$log"
fi
[ "$(dd if="$work/garbage.img" bs=1 skip=5000 count=14 2>/dev/null)" = raw-write-test ] && ok "raw write to /dev/vdb is on the host's image" || bad "raw write to /dev/vdb not on the image"
grep -q "kfs: cannot mount vdb" "$log" && ok "garbage disk refused: $(grep -o 'kfs: cannot mount vdb.*' "$log" | head -1)" || bad "garbage disk log line" "$log"

echo "kfs: the image on the host"
if "$bin/fsck.kfs" "$image" -l >"$out/kfs-fsck1.log" 2>&1; then ok "fsck.kfs clean: $(head -1 "$out/kfs-fsck1.log")"; else bad "fsck.kfs after the guest" "$out/kfs-fsck1.log"; fi
grep -q "/guest-dir/sub/renamed" "$out/kfs-fsck1.log" && ok "fsck.kfs -l lists the guest's files" || bad "guest files in fsck -l" "$out/kfs-fsck1.log"
impl=$(grep -E ' /guest-(small|large).txt$' "$out/kfs-fsck1.log" | awk '{print $2}' | sort -u | tr '\n' ' ')
[ "$impl" = "file.extents file.inline " ] && ok "two implementations side by side: $impl" || bad "implementations ($impl)"
if [ $fuse_ok = 1 ]; then
  sed -n '/^guest md5:/,/^[[]/p' "$log" | grep -E '^[0-9a-f]{32}  ' | tr -d '\r' >"$work/guest.md5"
  if [ -s "$work/guest.md5" ] && fuse_mount "$image" "$work/mnt"; then
    (cd "$work/mnt" && md5sum -c "$root_dir/$work/guest.md5") >"$out/kfs-host-md5.log" 2>&1 \
      && ok "host reads the guest's files through kfs-fuse ($(wc -l <"$work/guest.md5") files, md5 match)" \
      || bad "guest files on the host" "$out/kfs-host-md5.log"
    [ "$(seq 1 50000 | md5sum | cut -d' ' -f1)" = "$(md5sum <"$work/mnt/guest-large.txt" | cut -d' ' -f1)" ] \
      && ok "guest-large.txt equals the host's seq 1 50000" || bad "guest-large.txt content"
    "$work/extra/kfsmmap" check "$work/mnt" >"$out/kfs-host-mmap.log" 2>&1 \
      && ok "the guest's mmap writes read back on the host" || bad "mmap files on the host" "$out/kfs-host-mmap.log"
    fuse_umount "$work/mnt"
  else
    bad "kfs-fuse remount"
  fi
fi

echo "kfs: root=/dev/vda (KFS as the root file system)"
rootimg=$work/root.img
"$bin/mkfs.kfs" "$rootimg" 64M >/dev/null
if [ $fuse_ok = 1 ] && fuse_mount "$rootimg" "$work/mnt"; then
  m=$work/mnt
  mkdir -p "$m"/{bin,sbin,usr/bin,usr/sbin,dev,proc,tmp,etc}
  cp build/debs/busybox/bin/busybox "$m/bin/busybox"
  for a in sh mount umount cat echo ls poweroff sync md5sum grep mkdir; do ln -s /bin/busybox "$m/bin/$a"; done
  cat >"$m/init" <<'EOF'
#!/bin/sh
mount -t proc proc /proc
echo "root: $(grep ' / ' /proc/mounts)"
echo "from the KFS root" > /written-at-boot; sync /written-at-boot
# Programs run mapped from KFS's page cache: 300 forks and execs of busybox, each in a pipe.
n=0; while [ $n -lt 300 ]; do echo $n | /bin/busybox md5sum; n=$((n+1)); done > /exec-loop
echo "exec-loop $(md5sum < /exec-loop)"
ls /dev/vda >/dev/null && echo "kfs-root ok"
poweroff -f
EOF
  chmod 755 "$m/init"
  fuse_umount "$m"
  log=$out/kfs-root.log
  rc=$(scripts/qemu-boot.sh build/k42.elf "$log" 120 2 "console=ttyS0 root=/dev/vda" \
       -drive file="$rootimg",if=virtio,format=raw)
  if grep -q "kfs-root ok" "$log" && grep -q "root: /dev/vda / kfs" "$log"; then ok "booted from KFS: $(grep -o 'root: .*' "$log" | head -1)"; else bad "root=/dev/vda boot (qemu status $rc)" "$log"; fi
  bb=build/debs/busybox/bin/busybox
  want=$(n=0; while [ $n -lt 300 ]; do echo $n | $bb md5sum; n=$((n+1)); done | $bb md5sum)
  if tr -d '\r' < "$log" | grep -qx "exec-loop $want"; then ok "300 fork+exec of busybox mapped from KFS, output as on Linux"
  else bad "exec loop on the KFS root (want $want)" "$log"; fi
  if "$bin/fsck.kfs" "$rootimg" -l >"$out/kfs-fsck-root.log" 2>&1 && grep -q " /written-at-boot$" "$out/kfs-fsck-root.log"; then
    ok "root image clean, /written-at-boot present"
  else
    bad "root image after boot" "$out/kfs-fsck-root.log"
  fi
else
  echo "  skip (no FUSE to put busybox on the image)"
fi
}

crash_test() {   # KILLS
  local n=$1 image=$work/crash.img cdir=$work/crash
  mkdir -p "$cdir/extra"
  echo "kfs: crash test, $n random kills of QEMU during a write+fsync workload"
  "$bin/mkfs.kfs" "$image" 64M >/dev/null
  cat >"$cdir/extra/init" <<'EOF'
#!/bin/sh
# The crash workload: files that are fsync'd and never changed again (f-BOOT-I, reported on
# the console once durable), and churn that is never synced on purpose (scratch files).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t kfs /dev/vda /mnt || { echo "crash-mount FAILED"; poweroff -f; }
mkdir -p /mnt/w /mnt/scratch
echo "crash-workload started"
i=0
while true; do
  i=$((i + 1))
  f=/mnt/w/f-$KFSBOOT-$i
  if [ $((i % 4)) = 0 ]; then seq $i $((i + 20000)) >$f; else seq $i $((i + 300)) >$f; fi
  sync $f && echo "fsynced w/f-$KFSBOOT-$i $(md5sum <$f | cut -d' ' -f1)"
  seq 1 $((i * 37 % 9000)) >/mnt/scratch/s-$i
  rm -f /mnt/scratch/s-$((i - 3))
  mv /mnt/scratch/s-$i /mnt/scratch/t-$((i % 5)) 2>/dev/null
done
EOF
  chmod 755 "$cdir/extra/init"
  EXTRA_DIR=$cdir/extra INITRAMFS_OUT=$cdir/init.cpio bash scripts/make-initramfs.sh >"$out/kfs-crash-initramfs.log" 2>&1 \
    || { bad "crash initramfs" "$out/kfs-crash-initramfs.log"; return; }
  : >"$cdir/durable.md5"
  local k clean=0 intact=0 synced_total=0
  for k in $(seq 1 "$n"); do
    local log=$cdir/boot-$k.log
    qemu-system-x86_64 -m 512M -smp 2 -display none -no-reboot -serial "file:$log" -monitor none \
      -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel build/k42.elf -initrd "$cdir/init.cpio" \
      -append "console=ttyS0 quiet KFSBOOT=$k" -drive file="$image",if=virtio,format=raw </dev/null >/dev/null 2>&1 &
    local qpid=$!
    for _ in $(seq 300); do grep -q "crash-workload started\|crash-mount FAILED" "$log" 2>/dev/null && break; sleep 0.1; done
    sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.1 + (r % 300) / 100 }')"
    kill -9 $qpid 2>/dev/null; wait $qpid 2>/dev/null
    if grep -q "crash-mount FAILED\|kernel panic" "$log"; then bad "kill $k: the guest could not mount (or panicked)" "$log"; break; fi
    grep -a -o 'fsynced w/f-[0-9]*-[0-9]* [0-9a-f]\{32\}' "$log" | awk '{print $3 "  " $2}' >>"$cdir/durable.md5"
    if ! "$bin/fsck.kfs" "$image" -n >"$cdir/fsck-$k.log" 2>&1; then bad "kill $k: fsck.kfs not clean" "$cdir/fsck-$k.log"; break; fi
    clean=$((clean + 1))
    if [ $fuse_ok = 1 ]; then
      if fuse_mount "$image" "$work/mnt" -r; then
        if (cd "$work/mnt" && md5sum -c --quiet "$root_dir/$cdir/durable.md5") >"$cdir/verify-$k.log" 2>&1; then
          intact=$((intact + 1))
        else
          fuse_umount "$work/mnt"; bad "kill $k: an fsync'd file is missing or wrong" "$cdir/verify-$k.log"; break
        fi
        fuse_umount "$work/mnt"
      else
        bad "kill $k: kfs-fuse cannot mount the image"; break
      fi
    fi
  done
  synced_total=$(wc -l <"$cdir/durable.md5")
  [ $clean = "$n" ] && ok "crash test: $n kills, fsck clean after each"
  [ $fuse_ok = 1 ] && [ $intact = "$n" ] && ok "crash test: all $synced_total fsync'd files intact after every kill"
}

bench() {   # KFS in our kernel vs ext2 on Linux, same QEMU, same 256 MiB virtio disk
  local bdir=$work/bench files=${KFS_BENCH_FILES:-500} mib=${KFS_BENCH_MIB:-16}
  mkdir -p "$bdir/extra/lib/modules"
  echo "kfs: benchmark, $files small files and a $mib MiB file (KFS on k42 vs ext2 on Linux)"
  gcc -static -O2 -o "$bdir/extra/kfsbench" bench/kfsbench.c || { bad "bench program"; return; }
  local deb; deb=$(ls build/debs/linux-image-*.deb 2>/dev/null | head -1)
  local linux; linux=$(bash bench/fetch-linux.sh 2>/dev/null) || linux=""
  deb=$(ls build/debs/linux-image-*.deb 2>/dev/null | head -1)
  if [ -n "$deb" ] && [ -n "$linux" ]; then
    rm -rf "$bdir/mods"; mkdir -p "$bdir/mods"
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$bdir/mods" --wildcards './lib/modules/*/kernel/drivers/virtio/*' \
      './lib/modules/*/kernel/drivers/block/virtio_blk.ko' './lib/modules/*/kernel/fs/ext4/*' './lib/modules/*/kernel/fs/jbd2/*' \
      './lib/modules/*/kernel/fs/mbcache.ko' './lib/modules/*/kernel/lib/crc16.ko' './lib/modules/*/kernel/crypto/crc32c_generic.ko'
    for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk crc16 mbcache jbd2 crc32c_generic ext4; do
      cp "$(find "$bdir/mods" -name $m.ko | head -1)" "$bdir/extra/lib/modules/"
    done
  fi
  cat >"$bdir/extra/init" <<'EOF'
#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t devtmpfs dev /dev 2>/dev/null
if [ "$BENCHFS" = ext2 ]; then
  for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk crc16 mbcache jbd2 crc32c_generic ext4; do
    insmod /lib/modules/$m.ko 2>/dev/null
  done
  sleep 1
fi
mount -t $BENCHFS /dev/vda /mnt && /kfsbench /mnt $FILES $MIB
umount /mnt
echo "kfsbench done"
poweroff -f
EOF
  chmod 755 "$bdir/extra/init"
  EXTRA_DIR=$bdir/extra INITRAMFS_OUT=$bdir/init.cpio bash scripts/make-initramfs.sh >"$out/kfs-bench-initramfs.log" 2>&1 || { bad "bench initramfs"; return; }
  "$bin/mkfs.kfs" "$bdir/kfs.img" 256M >/dev/null
  scripts/qemu-boot.sh build/k42.elf "$out/kfs-bench-k42.log" 600 2 "console=ttyS0 quiet BENCHFS=kfs FILES=$files MIB=$mib" \
    -initrd "$bdir/init.cpio" -drive file="$bdir/kfs.img",if=virtio,format=raw >/dev/null
  grep -a '^kfsbench [a-z-]* [0-9]' "$out/kfs-bench-k42.log" | tr -d '\r' | sed 's/^kfsbench //' >"$bdir/k42.txt"
  : >"$bdir/linux.txt"
  if [ -n "$linux" ] && command -v mkfs.ext2 >/dev/null; then
    rm -f "$bdir/ext2.img"; truncate -s 256M "$bdir/ext2.img"; mkfs.ext2 -q -F -b 4096 "$bdir/ext2.img"
    scripts/qemu-boot.sh "$linux" "$out/kfs-bench-linux.log" 600 2 "console=ttyS0 quiet panic=-1 BENCHFS=ext2 FILES=$files MIB=$mib" \
      -initrd "$bdir/init.cpio" -drive file="$bdir/ext2.img",if=virtio,format=raw >/dev/null
    grep -a '^kfsbench [a-z-]* [0-9]' "$out/kfs-bench-linux.log" | tr -d '\r' | sed 's/^kfsbench //' >"$bdir/linux.txt"
  fi
  printf '%-22s %18s %18s %8s\n' test "KFS on k42" "ext2 on Linux" ratio
  while read -r name value unit; do
    lv=$(awk -v n="$name" '$1 == n { print $2 }' "$bdir/linux.txt")
    ratio=$([ -n "$lv" ] && awk -v a="$value" -v b="$lv" 'BEGIN { if (b > 0) printf "%.2f", a / b }')
    printf '%-22s %12s %-5s %12s %-5s %8s\n' "$name" "$value" "$unit" "${lv:--}" "$unit" "${ratio:--}"
  done <"$bdir/k42.txt"
  [ -s "$bdir/k42.txt" ] && ok "benchmark ran on k42" || bad "benchmark on k42" "$out/kfs-bench-k42.log"
}

case $mode in
  e2e) e2e_test ;;
  crash) crash_test "$kills" ;;
  bench) bench ;;
  *) e2e_test; crash_test "$kills" ;;
esac

echo "kfs: $pass passed, $fail failed"
[ $fail -eq 0 ]
