#!/usr/bin/env bash
# Builds build/bench/bench.cpio, the one initramfs both kernels boot in make bench: Debian's
# busybox-static with its applet links (downloaded by scripts/make-initramfs.sh into build/debs),
# our /init (bench/programs/init.c), the driver script and the static benchmark programs in
# /bench. It is kept lean on purpose (not make run's root, which grows with every test program)
# so that the boot figures do not drift as the project adds files.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/bench
root=$out/root
busybox=build/debs/busybox/bin/busybox
if [ ! -x "$busybox" ]; then
  # scripts/make-initramfs.sh owns the busybox download; its own cpio goes to a scratch path.
  INITRAMFS_OUT=$out/scratch/initramfs.cpio bash scripts/make-initramfs.sh >/dev/null
  rm -rf "$out/scratch"
fi
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,etc,root,bench}
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list-full); do
  [ "$applet" = bin/busybox ] && continue
  mkdir -p "$root/$(dirname "$applet")"
  ln -sf /bin/busybox "$root/$applet"
done
for c in bench/programs/*.c; do
  name=$(basename "$c" .c)
  target=$root/bench/$name
  [ "$name" = init ] && target=$root/init
  gcc -static -O2 -Wall -o "$target" "$c" -lpthread
done
install -m 755 bench/rootfs/driver.sh "$root/bench/driver.sh"
(cd "$root" && find . | sort | cpio -o -H newc --quiet) > "$out/bench.cpio"
echo "$out/bench.cpio: busybox $("$busybox" | head -1 | awk '{print $2}'), $(du -h "$out/bench.cpio" | cut -f1)"
