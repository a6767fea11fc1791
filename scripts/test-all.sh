#!/usr/bin/env bash
# `make test`: every tier, in order. Exits non-zero if any tier fails.
#   tier 1: hosted unit tests of the portable layers (swift test)
#           + the portable layers compiled in Embedded mode (what swift test cannot check)
#   tier 2: the kernel built with its in-kernel tests, run in QEMU (scripts/test-kernel.sh)
#   tier 3: Linux-ABI programs in an initramfs, compared with the host's Linux
#           (arrives with the Linux personality: tests/linux-abi/ is its place)
#   real suites: Debian's busybox test suite, bash scripts under bash-static, interactive bash
#           (tests/busybox-suite, tests/bash-suite, tests/bash-interactive)
set -u
cd "$(dirname "$0")/.."
bash scripts/deps.sh
start=$(date +%s)
status=0
run() { local name=$1; shift; echo "=== $name"; local t0=$(date +%s); if "$@"; then echo "=== $name: passed ($(( $(date +%s) - t0 )) s)"; else echo "=== $name: FAILED"; status=1; fi; }
run "tier 1: hosted unit tests (swift test)" swift test
run "tier 1: portable modules in Embedded mode" bash scripts/embedded-check.sh
run "build: kernel and test kernel" make -s kernel test-kernel
run "tier 2: in-kernel tests in QEMU" bash scripts/test-kernel.sh
run "tier 2: tracing over COM2" bash scripts/test-trace.sh
run "tier 2: KFS on virtio-blk (end to end, crash)" bash scripts/test-kfs.sh
run "tier 3: Linux-ABI tests" bash tests/linux-abi/run.sh
run "real suites: busybox's test suite (host Linux vs ours)" bash tests/busybox-suite/run.sh
run "real suites: bash scripts under bash-static (host Linux vs ours)" bash tests/bash-suite/run.sh
run "real suites: interactive bash with job control on the console" bash tests/bash-interactive/run.sh
run "tier 3: benchmark programs run on our kernel (no timing)" bash bench/test.sh
echo "make test: $([ $status = 0 ] && echo passed || echo FAILED) in $(( $(date +%s) - start )) s"
exit $status
