# Tracing targets (docs/tracing.md, "In the kernel"), included by the Makefile.
#   make trace-demo    boots build/k42.elf with every trace class on and a busybox workload
#                      (tests/trace-workload/init: pipelines, forks, file I/O; -smp 4), captures
#                      the COM2 stream in build/trace.bin and runs every k42-trace command on it
#                      into build/trace-demo/
#   make trace-bench   boots `ktest=trace-bench` and prints the in-kernel trace figures

TRACE_DEMO    := $(BUILD)/trace-demo
TRACE_BIN     := $(BUILD)/trace.bin
K42_TRACE     := $(BUILD)/bin/k42-trace
TRACE_SMP     ?= 4
# Classes for the demo: every class but lockhold (every lock acquisition and release, which
# would outnumber all other events ten to one and overrun the serial stream); empty = all; or a
# hex mask / names, e.g. TRACE_CLASSES=irq,lock,objects or TRACE_CLASSES=all
TRACE_CLASSES ?= all,-lockhold
# Extra SwiftPM flags for building k42-trace, e.g. SWIFTPM_FLAGS="--scratch-path .build-mine"
SWIFTPM_FLAGS ?=
TRACE_QEMU     = $(QEMU) -m $(MEM) -smp $(TRACE_SMP) -display none -no-reboot -monitor none \
                 -device isa-debug-exit,iobase=0xf4,iosize=0x04

.PHONY: trace-demo trace-bench trace-tool

# Only the trace tool (make tools also builds the KFS tools, which need libfuse3).
trace-tool:
	swift build -c release --product k42-trace $(SWIFTPM_FLAGS)
	@mkdir -p $(BUILD)/bin
	cp "$$(swift build -c release --show-bin-path $(SWIFTPM_FLAGS))/k42-trace" $(K42_TRACE)

trace-demo: deps kernel trace-tool
	@rm -rf $(TRACE_DEMO) $(TRACE_BIN); mkdir -p $(TRACE_DEMO)
	@EXTRA_DIR=tests/trace-workload INITRAMFS_OUT=$(BUILD)/trace-workload.cpio bash scripts/make-initramfs.sh
	@echo "  QEMU -smp $(TRACE_SMP): trace$(if $(TRACE_CLASSES),=$(TRACE_CLASSES)), busybox workload; console in $(TRACE_DEMO)/console.log, trace stream (COM2) in $(TRACE_BIN)"
	@timeout --foreground -k 5 600 $(TRACE_QEMU) -serial file:$(TRACE_DEMO)/console.log -serial file:$(TRACE_BIN) \
	  -kernel $(BUILD)/k42.elf -initrd $(BUILD)/trace-workload.cpio \
	  -append "console=ttyS0 trace$(if $(TRACE_CLASSES),=$(TRACE_CLASSES))" \
	  </dev/null; rc=$$?; grep -E 'workload done|trace: ' $(TRACE_DEMO)/console.log | sed 's/^/    /'; \
	  [ $$rc = 33 ] || { echo "trace-demo: QEMU exit status $$rc (33 = the workload powered off)"; exit 1; }
	$(K42_TRACE) print $(TRACE_BIN) | head -200 > $(TRACE_DEMO)/print.txt
	$(K42_TRACE) summary $(TRACE_BIN) > $(TRACE_DEMO)/summary.txt
	$(K42_TRACE) locks $(TRACE_BIN) > $(TRACE_DEMO)/locks.txt
	$(K42_TRACE) perfetto $(TRACE_BIN) $(TRACE_DEMO)/trace.json
	$(K42_TRACE) ctf $(TRACE_BIN) $(TRACE_DEMO)/ctf
	babeltrace2 $(TRACE_DEMO)/ctf > $(TRACE_DEMO)/babeltrace2.txt 2> $(TRACE_DEMO)/babeltrace2.stderr
	$(K42_TRACE) timeline $(TRACE_BIN) $(TRACE_DEMO)/timeline.svg
	@cat $(TRACE_DEMO)/summary.txt | head -30
	@events=$$(sed -n 's/^events: //p' $(TRACE_DEMO)/summary.txt); lines=$$(wc -l < $(TRACE_DEMO)/babeltrace2.txt); \
	  echo "babeltrace2 read $$lines events, k42-trace summary counts $$events; its messages: $$(grep -v 'discarded' $(TRACE_DEMO)/babeltrace2.stderr | wc -l) other than counted lost events"; \
	  [ "$$lines" = "$$events" ]
	@echo "trace-demo: outputs in $(TRACE_DEMO)/ (print.txt summary.txt locks.txt trace.json ctf/ babeltrace2.txt timeline.svg)"

# Buffers per CPU for trace-bench (trace_buffers=): 64 x 32 KiB absorb ~80 ms of absence of the
# consumer vCPU at 1 M events/s, which a loaded host causes; the default 8 absorb ~10 ms.
TRACE_BENCH_BUFFERS ?= 64

trace-bench: deps test-kernel
	@mkdir -p $(BUILD)/test-logs
	@timeout --foreground -k 5 600 $(TRACE_QEMU) -serial file:$(BUILD)/test-logs/trace-bench.log \
	  -kernel $(BUILD)/k42-test.elf -append "console=ttyS0 ktest=trace-bench trace_buffers=$(TRACE_BENCH_BUFFERS)" </dev/null; rc=$$?; \
	  grep -E 'trace-bench:|tsc:|trace: [0-9]+ CPUs' $(BUILD)/test-logs/trace-bench.log | sed 's/^\[[ 0-9.]*\] //'; \
	  [ $$rc = 33 ] || { echo "trace-bench: QEMU exit status $$rc"; exit 1; }
