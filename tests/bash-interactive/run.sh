#!/usr/bin/env bash
# Interactive bash with job control on our kernel's console (run.py drives it through QEMU's
# serial port). Builds the `make run` initramfs first (busybox-static + bash-static).
# Output: the console in build/bash-interactive/console.log.
set -u
cd "$(dirname "$0")/../.."
bash scripts/make-initramfs.sh >/dev/null || exit 1
python3 tests/bash-interactive/run.py build/k42.elf build/initramfs.cpio build/bash-interactive/console.log
