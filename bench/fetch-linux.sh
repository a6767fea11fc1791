#!/usr/bin/env bash
# Fetches Debian's Linux kernel for make bench: the versioned package that the metapackage
# linux-image-amd64 depends on (apt-cache depends), downloaded with apt-get download into
# build/debs and its vmlinuz extracted into build/bench/linux/ (never committed). Only the
# kernel image is unpacked (dpkg-deb's data tar, one member), not the 400 MB of modules, which an
# initramfs boot under QEMU does not need: Debian builds the 8250 serial console, initramfs, tmpfs,
# devtmpfs and ACPI power-off into the image. Prints the vmlinuz path.
set -euo pipefail
cd "$(dirname "$0")/.."
package=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
if [ -z "$package" ]; then
  { apt-get update -qq || sudo apt-get update -qq; } >/dev/null 2>&1
  package=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
fi
[ -n "$package" ] || { echo "fetch-linux: cannot resolve linux-image-amd64's kernel package" >&2; exit 1; }
version=${package#linux-image-}
vmlinuz=build/bench/linux/boot/vmlinuz-$version
if [ ! -f "$vmlinuz" ]; then
  mkdir -p build/debs build/bench/linux
  if ! ls build/debs/"$package"_*.deb >/dev/null 2>&1; then
    (cd build/debs && apt-get download "$package" >/dev/null 2>&1) || { echo "fetch-linux: apt-get download $package failed" >&2; exit 1; }
  fi
  dpkg-deb --fsys-tarfile build/debs/"$package"_*.deb | tar -x -C build/bench/linux --wildcards './boot/vmlinuz-*'
fi
echo "$vmlinuz"
