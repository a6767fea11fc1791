# KFS in the kernel (docs/kfs.md "In the kernel"): the end-to-end test, the 100-kill crash
# test, the benchmark against ext2 on Linux in the same QEMU, and the host reference benchmark
# (KFS via FUSE against ext4 on a loop device, on the host's Linux).
.PHONY: kfs-test kfs-crash-test kfs-bench kfs-fuse-bench

kfs-test: deps
	@bash scripts/test-kfs.sh all 5

kfs-crash-test: deps
	@bash scripts/test-kfs.sh crash 100

kfs-bench: deps
	@bash scripts/test-kfs.sh bench

kfs-fuse-bench: deps
	@bash scripts/kfs-fuse-bench.sh $(or $(RUNS),3)
