# Hot-swap demo (docs/objects.md, "Hot swap"), included by the Makefile.
#   make hotswap-demo [SWAPS=1000]   boots build/k42.elf on -smp 4 with `hotswap-demo=SWAPS`:
#        three CPUs hammer one counter object while CPU 0 swaps it between its shared and
#        per-CPU implementations SWAPS times; prints
#        `hotswap: S swaps, C calls, F failed, max blocked B us, median swap T us`
#        and fails unless F = 0 and the counter's value equals the workers' own call count.

SWAPS       ?= 1000
HOTSWAP_LOG := $(BUILD)/hotswap-demo.log

.PHONY: hotswap-demo

hotswap-demo: deps kernel
	@echo "  QEMU -smp 4: hotswap-demo=$(SWAPS) (log in $(HOTSWAP_LOG))"
	@status=$$(bash scripts/qemu-boot.sh $(BUILD)/k42.elf $(HOTSWAP_LOG) 1800 4 "console=ttyS0 hotswap-demo=$(SWAPS)"); \
	  grep -o 'hotswap: .*' $(HOTSWAP_LOG); \
	  if [ "$$status" != 33 ]; then echo "hotswap-demo: FAILED (QEMU status $$status)"; exit 1; fi
