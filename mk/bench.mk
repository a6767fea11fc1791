# Benchmarks (issue 8, docs/bench.md), included by the Makefile.
#   make bench           Debian's Linux kernel and ours in the same QEMU, 3 alternating runs each:
#                        the table (medians, spread, ratio ours/Linux) and build/bench/results.csv,
#                        table.md, ratios.svg
#   make bench QUICK=1   one run each, shorter loops (under five minutes)
#   make bench-icount    our kernel alone under QEMU -icount: instruction-counted, repeatable
#                        figures for A/B comparisons of a change (bench/icount.sh)
#   make bench-test      make test's check: every benchmark program runs on our kernel and prints
#                        a number (no timing asserted)

.PHONY: bench bench-test bench-icount

bench: deps kernel
	@QUICK=$(QUICK) RUNS=$(RUNS) BENCH_MS=$(BENCH_MS) bash bench/run.sh

bench-test: deps kernel
	@bash bench/test.sh

bench-icount: deps kernel
	@bash bench/icount.sh
