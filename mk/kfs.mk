# KFS in the kernel (docs/kfs.md "In the kernel"): the end-to-end test, the 100-kill crash
# test, and the benchmark against ext2 on Linux in the same QEMU.
.PHONY: kfs-test kfs-crash-test kfs-bench

kfs-test: deps
	@bash scripts/test-kfs.sh all 5

kfs-crash-test: deps
	@bash scripts/test-kfs.sh crash 100

kfs-bench: deps
	@bash scripts/test-kfs.sh bench
