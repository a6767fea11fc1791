#!/usr/bin/env bash
# Builds build/initramfs.cpio, the root file system `make run` boots: Debian's busybox-static
# and bash-static (downloaded with apt-get download and unpacked with dpkg -x into build/,
# never committed), a link for every applet, /bin/bash, a minimal /etc, and /init
# (rootfs/init) that starts a shell.
set -euo pipefail
cd "$(dirname "$0")/.."
debs=build/debs
output=${INITRAMFS_OUT:-build/initramfs.cpio}
root=${output%.cpio}
mkdir -p "$debs"
if [ ! -x "$debs/busybox/bin/busybox" ]; then
  rm -rf "$debs/busybox" "$debs"/busybox-static_*.deb
  (cd "$debs" && { apt-get download busybox-static >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 || sudo apt-get update -qq; apt-get download busybox-static; }; })
  dpkg -x "$debs"/busybox-static_*.deb "$debs/busybox"
fi
if [ ! -x "$debs/bash/bin/bash-static" ]; then
  rm -rf "$debs/bash" "$debs"/bash-static_*.deb
  (cd "$debs" && { apt-get download bash-static >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 || sudo apt-get update -qq; apt-get download bash-static; }; })
  dpkg -x "$debs"/bash-static_*.deb "$debs/bash"
fi
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,etc,root,mnt}
cp "$debs/busybox/bin/busybox" "$root/bin/busybox"
cp "$debs/bash/bin/bash-static" "$root/bin/bash"
for applet in $("$debs/busybox/bin/busybox" --list-full); do
  [ "$applet" = bin/busybox ] && continue
  mkdir -p "$root/$(dirname "$applet")"
  ln -sf /bin/busybox "$root/$applet"
done
# The project's Linux-ABI test programs (tests/linux-abi/programs), static, in /usr/libexec/k42-tests.
if command -v gcc >/dev/null; then
  mkdir -p "$root/usr/libexec/k42-tests"
  for c in tests/linux-abi/programs/*.c; do
    name=$(basename "$c" .c)
    [ "$name" = driver ] && continue
    gcc -static -O2 -w -o "$root/usr/libexec/k42-tests/$name" "$c" || echo "make-initramfs: cannot build $name" >&2
  done
fi
cp rootfs/init "$root/init"
chmod 755 "$root/init"
cp -r rootfs/etc/. "$root/etc/"
# Extra files from the caller (a workload /init, test programs): EXTRA_DIR is copied over the root.
if [ -n "${EXTRA_DIR:-}" ] && [ -d "$EXTRA_DIR" ]; then cp -r "$EXTRA_DIR"/. "$root/"; fi
(cd "$root" && find . | sort | cpio -o -H newc --quiet) > "$output"
echo "$output: busybox $("$debs/busybox/bin/busybox" | head -1 | awk '{print $2}'), $(du -h "$output" | cut -f1)"
