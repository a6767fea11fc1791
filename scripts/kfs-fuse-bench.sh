#!/usr/bin/env bash
# Reference benchmark on the host's Linux (make kfs-fuse-bench): the kfs-bench workload
# (bench/kfsbench.c: small files created+written, read, deleted; one large file written and
# read sequentially) on KFS through kfs-fuse (release build) on an image file, against ext4
# through the kernel on a loop device over an image file of the same size. Between phases the
# program fsyncs, syncs and writes 3 to /proc/sys/vm/drop_caches, which drops both the FUSE
# files' pages and the image files' pages in the host's cache (so reads come from the disk
# for both). Needs root, /dev/fuse and loop devices; says what it could not do and exits 77.
# Usage: kfs-fuse-bench.sh [RUNS]  (env KFS_BENCH_FILES, KFS_BENCH_MIB, KFS_BENCH_SIZE)
set -u
cd "$(dirname "$0")/.."
runs=${1:-3}
files=${KFS_BENCH_FILES:-500} mib=${KFS_BENCH_MIB:-16} size=${KFS_BENCH_SIZE:-256M}
work=build/kfs-fuse-bench out=build/test-logs
mkdir -p "$work/kfs" "$work/ext4" "$out"
skip() { echo "kfs-fuse-bench: SKIP: $*" >&2; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (mount, loop devices, drop_caches)"
[ -e /dev/fuse ] || skip "no /dev/fuse"
command -v mkfs.ext4 >/dev/null && command -v losetup >/dev/null || skip "no mkfs.ext4/losetup (e2fsprogs, mount)"

echo "kfs-fuse-bench: building kfs-fuse and mkfs.kfs (release) and the workload"
for p in mkfs.kfs kfs-fuse; do
  swift build -c release --scratch-path .build-kfsk --product $p >"$out/kfs-fuse-bench-build.log" 2>&1 \
    || { echo "kfs-fuse-bench: swift build $p failed ($out/kfs-fuse-bench-build.log)"; exit 1; }
done
bin=$(swift build -c release --scratch-path .build-kfsk --show-bin-path)
gcc -O2 -o "$work/kfsbench" bench/kfsbench.c || exit 1

fuse_pid=""
cleanup() {
  mountpoint -q "$work/kfs" && { fusermount3 -u "$work/kfs" 2>/dev/null || umount "$work/kfs"; }
  [ -n "$fuse_pid" ] && wait "$fuse_pid" 2>/dev/null
  mountpoint -q "$work/ext4" && umount "$work/ext4"
  rm -f "$work/kfs.img" "$work/ext4.img"
}
trap cleanup EXIT

run_kfs() {
  rm -f "$work/kfs.img"; "$bin/mkfs.kfs" -q "$work/kfs.img" "$size" || return 1
  "$bin/kfs-fuse" "$work/kfs.img" "$work/kfs" -f >"$out/kfs-fuse-bench-fuse.log" 2>&1 & fuse_pid=$!
  for _ in $(seq 100); do mountpoint -q "$work/kfs" && break; sleep 0.1; done
  mountpoint -q "$work/kfs" || { echo "kfs-fuse-bench: kfs-fuse did not mount"; return 1; }
  "$work/kfsbench" "$work/kfs" "$files" "$mib"
  fusermount3 -u "$work/kfs" 2>/dev/null || umount "$work/kfs"; wait "$fuse_pid" 2>/dev/null; fuse_pid=""
}
run_ext4() {
  rm -f "$work/ext4.img"; truncate -s "$size" "$work/ext4.img"; mkfs.ext4 -q -F "$work/ext4.img" || return 1
  mount -o loop "$work/ext4.img" "$work/ext4" || { echo "kfs-fuse-bench: loop mount failed"; return 1; }
  "$work/kfsbench" "$work/ext4" "$files" "$mib"
  umount "$work/ext4"
}

: >"$work/kfs.txt"; : >"$work/ext4.txt"
echo "kfs-fuse-bench: $runs runs of $files small files and a $mib MiB file, $size images (KFS via FUSE vs ext4 on loop)"
for r in $(seq "$runs"); do       # alternate, so a change in the host's load hits both
  run_kfs | sed 's/^kfsbench //' >>"$work/kfs.txt"
  run_ext4 | sed 's/^kfsbench //' >>"$work/ext4.txt"
done
median() { awk -v n="$1" '$1 == n { print $2 }' "$2" | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
printf '%-22s %16s %16s %8s\n' "test (median of $runs)" "KFS via FUSE" "ext4 (kernel)" ratio
for name in small-create-write small-read small-delete large-write large-read; do
  unit=$(awk -v n="$name" '$1 == n { print $3; exit }' "$work/kfs.txt")
  k=$(median "$name" "$work/kfs.txt"); e=$(median "$name" "$work/ext4.txt")
  ratio=$([ -n "$k" ] && [ -n "$e" ] && awk -v a="$k" -v b="$e" 'BEGIN { if (b > 0) printf "%.2f", a / b }')
  printf '%-22s %10s %-5s %10s %-5s %8s\n' "$name" "${k:--}" "$unit" "${e:--}" "$unit" "${ratio:--}"
done
[ -s "$work/kfs.txt" ] && [ -s "$work/ext4.txt" ]
