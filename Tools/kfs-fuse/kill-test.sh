#!/usr/bin/env bash
# Kills kfs-fuse with SIGKILL at random moments while a writer creates, rewrites and fsyncs
# files, then checks after each kill: fsck.kfs finds the image clean and every file whose fsync
# returned holds exactly what was written. (A process kill, not a power cut: the power-cut test
# with reordered and torn writes is Tests/KFSTests/CrashTests.swift.)
# Usage: Tools/kfs-fuse/kill-test.sh [KILLS] [BIN_DIR] (KEEP=1 keeps the image). Exit 77
# when FUSE cannot mount here.
set -euo pipefail
cd "$(dirname "$0")/../.."
kills=${1:-20} bin=${2:-.build-kfs/debug}
work=$(mktemp -d)
image=$work/kfs.img mnt=$work/mnt log=$work/synced
mkdir -p "$mnt"; : > "$log"
pid=""
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  mountpoint -q "$mnt" && { fusermount3 -u -z "$mnt" 2>/dev/null || umount -l "$mnt"; } || true
  if [ -n "${KEEP:-}" ]; then echo "kill-test: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
fail() { echo "kill-test: FAIL: $*" >&2; exit 1; }
mountit() {
  "$bin/kfs-fuse" "$image" "$mnt" -f --commit-interval 1 2>/dev/null & pid=$!
  for _ in $(seq 50); do mountpoint -q "$mnt" && return 0; sleep 0.1; done
  echo "kill-test: SKIP: FUSE cannot mount here" >&2; exit 77
}
writer='
import os, sys, random
mnt, log, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
random.seed(seed)
n = 0
while True:
    name = "f%d-%d" % (seed, n % 40)
    data = bytes(random.getrandbits(8) for _ in range(random.choice([10, 3000, 9000, 70000])))
    path = os.path.join(mnt, name)
    with open(log, "a") as out:
        out.write("begin %s\n" % name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.write(fd, data)
    os.fsync(fd)
    os.close(fd)
    with open(log, "a") as out:
        out.write("done %s %s\n" % (name, data.hex()))
    n += 1
'
check='
import sys
mnt, log = sys.argv[1], sys.argv[2]
latest = {}
for line in open(log):
    words = line.split()
    # A file being rewritten when the daemon died may hold old, new or partial data.
    latest[words[1]] = bytes.fromhex(words[2]) if words[0] == "done" else None
for name, data in latest.items():
    if data is None:
        continue
    with open(mnt + "/" + name, "rb") as f:
        if f.read() != data:
            f.seek(0); got = f.read(); sys.exit("content of %s differs: %d bytes, expected %d" % (name, len(got), len(data)))
print("kill-test: %d fsynced files intact" % len(latest))
'
"$bin/mkfs.kfs" -q "$image" 64M
for round in $(seq "$kills"); do
  mountit
  python3 -c "$writer" "$mnt" "$log" "$round" 2>/dev/null & writer_pid=$!
  sleep "0.$((RANDOM % 9 + 1))"
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  wait "$writer_pid" 2>/dev/null || true
  fusermount3 -u -z "$mnt" 2>/dev/null || umount -l "$mnt"
  "$bin/fsck.kfs" "$image" || fail "fsck after kill $round"
  mountit
  python3 -c "$check" "$mnt" "$log" >/dev/null || fail "fsynced data lost after kill $round"
  fusermount3 -u "$mnt" 2>/dev/null || umount "$mnt"; wait "$pid" 2>/dev/null || true; pid=""
done
"$bin/fsck.kfs" "$image" || fail "final fsck"
echo "kill-test: PASS ($kills kills)"
