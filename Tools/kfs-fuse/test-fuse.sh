#!/usr/bin/env bash
# End-to-end test of kfs-fuse on Linux: mkfs.kfs an image, mount it, use it with ordinary
# commands (files small and large, directories big enough to switch to dir.hashed, symlinks,
# hard links, rename, chmod, truncate back to inline), unmount, fsck.kfs clean, mount again and
# compare. Usage: Tools/kfs-fuse/test-fuse.sh [BIN_DIR] (default .build-kfs/debug). Exit 77
# (skipped) when FUSE cannot mount here.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-.build-kfs/debug}
work=$(mktemp -d)
image=$work/kfs.img mnt=$work/mnt
mkdir -p "$mnt"
pid=""
unmount() {
  if mountpoint -q "$mnt"; then fusermount3 -u "$mnt" 2>/dev/null || umount "$mnt"; fi
  if [ -n "$pid" ]; then wait "$pid" 2>/dev/null || true; pid=""; fi
}
cleanup() { unmount; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "test-fuse: FAIL: $*" >&2; exit 1; }
mountit() {
  "$bin/kfs-fuse" "$image" "$mnt" -f --commit-interval 1 & pid=$!
  for _ in $(seq 50); do mountpoint -q "$mnt" && return 0; sleep 0.1; done
  echo "test-fuse: SKIP: FUSE cannot mount here" >&2; exit 77
}
impl() { python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "user.kfs.implementation").decode())' "$1"; }

"$bin/mkfs.kfs" -q "$image" 64M
mountit
echo hello > "$mnt/a.txt"
mkdir -p "$mnt/d/e/f"
head -c 3000000 /dev/urandom > "$work/big.ref"
cp "$work/big.ref" "$mnt/d/big.bin"
ln -s a.txt "$mnt/sl"
ln "$mnt/a.txt" "$mnt/d/hard"
for i in $(seq 300); do : > "$mnt/d/e/file-with-a-long-name-$i"; done
mv "$mnt/d/e" "$mnt/d/e2"
chmod 640 "$mnt/a.txt"
[ "$(cat "$mnt/a.txt")" = hello ] || fail "read back"
cmp "$mnt/d/big.bin" "$work/big.ref" || fail "big file differs"
[ "$(readlink "$mnt/sl")" = a.txt ] || fail readlink
[ "$(stat -c %h "$mnt/a.txt")" = 2 ] || fail "link count"
[ "$(ls "$mnt/d/e2" | wc -l)" = 301 ] || fail "directory listing"
[ "$(impl "$mnt/a.txt")" = file.inline ] || fail "a.txt implementation"
[ "$(impl "$mnt/d/big.bin")" = file.extents ] || fail "big.bin implementation"
[ "$(impl "$mnt/d/e2")" = dir.hashed ] || fail "e2 implementation"
[ "$(impl "$mnt/d")" = dir.linear ] || fail "d implementation"
cp "$mnt/d/big.bin" "$mnt/d/small.bin" && truncate -s 100 "$mnt/d/small.bin"
[ "$(impl "$mnt/d/small.bin")" = file.inline ] || fail "truncated file did not switch back"
echo "rewritten" > "$mnt/d/hard"   # O_TRUNC on an existing file
[ "$(cat "$mnt/a.txt")" = rewritten ] || fail "O_TRUNC rewrite"
rm "$mnt/d/hard"
if rmdir "$mnt/d/e2" 2>/dev/null; then fail "rmdir of a full directory"; fi
python3 -c 'import os,sys; f=os.open(sys.argv[1], os.O_WRONLY|os.O_CREAT); os.write(f, b"synced"); os.fsync(f)' "$mnt/synced"
df "$mnt" >/dev/null
unmount
"$bin/fsck.kfs" "$image" || fail "fsck after first mount"
mountit
cmp "$mnt/d/big.bin" "$work/big.ref" || fail "big file differs after remount"
[ "$(cat "$mnt/synced")" = synced ] || fail "synced file"
[ "$(stat -c %a "$mnt/a.txt")" = 640 ] || fail "mode after remount"
[ "$(cat "$mnt/a.txt")" = rewritten ] || fail "rewrite after remount"
[ "$(ls "$mnt/d/e2" | wc -l)" = 301 ] || fail "listing after remount"
rm -r "$mnt/d/e2"
unmount
"$bin/fsck.kfs" "$image" || fail "fsck after second mount"
echo "test-fuse: PASS"
