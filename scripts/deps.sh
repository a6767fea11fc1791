#!/usr/bin/env bash
# Installs the host packages the build and the tests need, once, from Debian's registry.
# Every make target that needs one of them calls this first; it does nothing when all are present.
set -euo pipefail
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have qemu-system-x86_64 || need+=(qemu-system-x86)
have cpio               || need+=(cpio)
have gdb                || need+=(gdb)
have llvm-objcopy       || need+=(llvm)
[ -f /usr/include/fuse3/fuse.h ] || need+=(libfuse3-dev)
have pkg-config         || need+=(pkg-config)
[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || need+=(libc6-dev)   # static test programs (tier 3)
have gcc                || need+=(gcc)
have fusermount3        || need+=(fuse3)   # kfs-fuse: unmounting (and mounting as non-root)
have babeltrace2        || need+=(babeltrace2)
have curl               || need+=(curl)          # the busybox source package (tests/busybox-suite)
have python3            || need+=(python3)       # tests/bash-interactive drives the console
[ ${#need[@]} -eq 0 ] && exit 0
echo "deps: installing ${need[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null 2>&1 || $sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
