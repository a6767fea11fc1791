#!/usr/bin/env bash
# Builds build/bench/bench.cpio, the one initramfs both kernels boot in make bench: the project's
# root (scripts/make-initramfs.sh: Debian's busybox-static and its applets) with our /init
# (bench/programs/init.c) and the static benchmark programs in /bench.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/bench
extra=$out/extra
rm -rf "$extra"
mkdir -p "$extra/bench"
for c in bench/programs/*.c; do
  name=$(basename "$c" .c)
  target=$extra/bench/$name
  [ "$name" = init ] && target=$extra/init
  gcc -static -O2 -Wall -o "$target" "$c" -lpthread
done
cp bench/rootfs/driver.sh "$extra/bench/driver.sh"
chmod 755 "$extra/bench/driver.sh"
EXTRA_DIR=$extra INITRAMFS_OUT=$out/bench.cpio bash scripts/make-initramfs.sh
