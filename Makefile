# K42 in Swift: the build. `make run` boots into the system, `make test` runs every test tier.
# The kernel is Embedded Swift compiled with swiftc directly (one module per layer, in
# dependency order), plus the assembly stubs and the C runtime symbols, linked twice: the
# second link embeds the symbol table that panic backtraces print (docs/build.md).

SHELL        := /bin/bash
BUILD        := build
SWIFT_BIN    ?= $(dir $(shell command -v swiftc))
CLANG        := $(SWIFT_BIN)clang
LLD          := $(SWIFT_BIN)ld.lld
SWIFTC       := $(SWIFT_BIN)swiftc
OBJCOPY      := $(shell command -v llvm-objcopy || echo $(SWIFT_BIN)llvm-objcopy)
NM           := $(SWIFT_BIN)llvm-nm
DEMANGLE     := $(SWIFT_BIN)swift-demangle
UNICODE_LIB  := $(SWIFT_BIN)../lib/swift/embedded/x86_64-unknown-none-elf/libswiftUnicodeDataTables.a
QEMU         := qemu-system-x86_64
SMP          ?= 2
MEM          ?= 512M

ARCH         := Arch/x86_64
INCLUDES     := -I $(ARCH)/include -I Arch/Platform/include
SWIFTFLAGS   := -target x86_64-unknown-none-elf \
                -enable-experimental-feature Embedded -enable-experimental-feature Extern \
                -wmo -parse-as-library -Osize -g \
                -Xfrontend -disable-stack-protector \
                -Xcc -mno-red-zone -Xcc -mno-sse -Xcc -mno-mmx -Xcc -DK42_KERNEL \
                -Xcc -fno-omit-frame-pointer $(INCLUDES)
CFLAGS       := --target=x86_64-unknown-none-elf -ffreestanding -fno-builtin -nostdlib \
                -mno-red-zone -mno-sse -mno-mmx -fPIE -O2 -g -fno-omit-frame-pointer \
                -fno-stack-protector -DK42_KERNEL $(INCLUDES)
ASFLAGS      := --target=x86_64-unknown-none-elf -DK42_KERNEL $(INCLUDES) -g

# Portable layers, in dependency order (module:folder). Each is also a SwiftPM target.
PORTABLE     := LinuxABI:LinuxABI Trace:Trace Objects:Objects Memory:Memory Firmware:Drivers/Firmware FileSystem:FileSystem KFS:KFS
KERNEL_SRCS  := $(sort $(wildcard $(ARCH)/*.swift) $(wildcard Kernel/*.swift) $(wildcard Linux/*.swift))
TEST_SRCS    := $(sort $(wildcard Kernel/Tests/*.swift))
ASM_SRCS     := $(filter-out $(ARCH)/link.ld.S,$(wildcard $(ARCH)/*.S))
C_SRCS       := $(wildcard $(ARCH)/*.c)

PHONY_EXTRA := initramfs
.PHONY: all kernel test-kernel run initramfs test test-hosted test-kernel-tier test-embedded tools debug clean deps bench help

all: kernel

help:
	@echo "make run          boot the system in QEMU (SMP=$(SMP) MEM=$(MEM))"
	@echo "make test         every test tier (hosted, embedded compile, in-kernel, Linux ABI)"
	@echo "make kernel       build/k42.elf"
	@echo "make tools        host tools into build/bin/"
	@echo "make debug        QEMU halted with its gdb stub, and gdb with the kernel's symbols"

deps:
	@bash scripts/deps.sh

# ---- the kernel: build/k42.elf (normal) and build/k42-test.elf (with in-kernel tests) ----
kernel: $(BUILD)/k42.elf
test-kernel: $(BUILD)/k42-test.elf

$(BUILD)/link.ld: $(ARCH)/link.ld.S $(ARCH)/include/layout.h
	@mkdir -p $(@D)
	$(CLANG) -E -P -x c -undef $(INCLUDES) $< -o $@

$(BUILD)/arch/%.o: $(ARCH)/%.S $(wildcard $(ARCH)/include/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(ASFLAGS) -c $< -o $@

$(BUILD)/arch/%.o: $(ARCH)/%.c $(wildcard $(ARCH)/include/*.h) $(wildcard Arch/Platform/include/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(CFLAGS) -c $< -o $@

ARCH_OBJS := $(patsubst $(ARCH)/%.S,$(BUILD)/arch/%.o,$(ASM_SRCS)) $(patsubst $(ARCH)/%.c,$(BUILD)/arch/%.o,$(C_SRCS))

# The portable modules, compiled in Embedded mode in dependency order.
$(BUILD)/embedded/.stamp: $(shell find LinuxABI Trace Objects Memory Drivers FileSystem KFS -name '*.swift') Arch/Platform/include/platform.h scripts/swiftflags.sh
	@mkdir -p $(BUILD)/embedded
	@set -e; for entry in $(PORTABLE); do m=$${entry%%:*}; d=$${entry#*:}; \
	  echo "  SWIFT(embedded) $$m"; \
	  $(SWIFTC) $(SWIFTFLAGS) -I $(BUILD)/embedded -module-name $$m -emit-module \
	    -emit-module-path $(BUILD)/embedded/$$m.swiftmodule -c $$(find $$d -name '*.swift' | sort) \
	    -o $(BUILD)/embedded/$$m.o; done
	@touch $@
PORTABLE_OBJS := $(foreach e,$(PORTABLE),$(BUILD)/embedded/$(firstword $(subst :, ,$(e))).o)

define kernel_module
$(BUILD)/$(1)/Kernel.o: $(BUILD)/embedded/.stamp $(KERNEL_SRCS) $(2) $(wildcard $(ARCH)/include/*.h)
	@mkdir -p $$(@D)
	@echo "  SWIFT(embedded) Kernel [$(1)]"
	$(SWIFTC) $(SWIFTFLAGS) $(3) -I $(BUILD)/embedded -import-objc-header $(ARCH)/include/arch.h \
	  -module-name Kernel -c $(KERNEL_SRCS) $(2) -o $$@

# First link without symbols, then embed the text symbols (demangled) and link again.
# Embedded Swift emits a client module's copy of another module's class vtable with
# _swift_dead_method_stub aliases under the same (strong) names as the owning module's real
# methods; --allow-multiple-definition with the owning modules linked first keeps the real ones.
LDFLAGS := -T $(BUILD)/link.ld -nostdlib --no-pie -z max-page-size=4096 --allow-multiple-definition
$(BUILD)/$(1)/pass1.elf: $(BUILD)/$(1)/Kernel.o $(ARCH_OBJS) $(PORTABLE_OBJS) $(BUILD)/link.ld $(BUILD)/empty-ksyms.o
	$(LLD) $$(LDFLAGS) -o $$@ \
	  $(ARCH_OBJS) $(PORTABLE_OBJS) $(BUILD)/$(1)/Kernel.o $(BUILD)/empty-ksyms.o $(UNICODE_LIB)

$(BUILD)/$(1)/ksyms.o: $(BUILD)/$(1)/pass1.elf scripts/ksyms.py
	python3 scripts/ksyms.py --nm $(NM) --demangle $(DEMANGLE) $$< $(BUILD)/$(1)/ksyms.bin
	printf '.section .ksyms,"a"\n.incbin "%s"\n' $(BUILD)/$(1)/ksyms.bin > $(BUILD)/$(1)/ksyms.S
	$(CLANG) $(ASFLAGS) -c $(BUILD)/$(1)/ksyms.S -o $$@

$(4): $(BUILD)/$(1)/ksyms.o
	$(LLD) $$(LDFLAGS) -o $$@ \
	  $(ARCH_OBJS) $(PORTABLE_OBJS) $(BUILD)/$(1)/Kernel.o $(BUILD)/$(1)/ksyms.o $(UNICODE_LIB)
	@python3 scripts/ksyms.py --check-text $(BUILD)/$(1)/pass1.elf $$@ --nm $(NM) || { rm -f $$@; exit 1; }
endef

$(BUILD)/empty-ksyms.o:
	@mkdir -p $(@D)
	printf '.section .ksyms,"a"\n' > $(BUILD)/empty-ksyms.S
	$(CLANG) $(ASFLAGS) -c $(BUILD)/empty-ksyms.S -o $@

$(eval $(call kernel_module,normal,,,$(BUILD)/k42.elf))
$(eval $(call kernel_module,test,$(TEST_SRCS),-D KERNEL_TESTS,$(BUILD)/k42-test.elf))

# ---- running ----
QEMU_COMMON = -m $(MEM) -smp $(SMP) -serial mon:stdio -display none -no-reboot \
              -device isa-debug-exit,iobase=0xf4,iosize=0x04
APPEND      ?= console=ttyS0

INITRD      ?= $(BUILD)/initramfs.cpio

initramfs: $(BUILD)/initramfs.cpio
$(BUILD)/initramfs.cpio: scripts/make-initramfs.sh rootfs/init $(wildcard rootfs/etc/*) $(wildcard tests/linux-abi/programs/*.c)
	@bash scripts/make-initramfs.sh

run: deps kernel $(if $(filter $(BUILD)/initramfs.cpio,$(INITRD)),$(BUILD)/initramfs.cpio)
	$(QEMU) $(QEMU_COMMON) -kernel $(BUILD)/k42.elf -append "$(APPEND)" $(if $(INITRD),-initrd $(INITRD)); \
	  rc=$$?; [ $$rc -eq 1 ] || [ $$rc -eq 33 ] || [ $$rc -eq 0 ]

debug: deps kernel
	$(OBJCOPY) --remove-section=.debug_names --remove-section=.debug_aranges $(BUILD)/k42.elf $(BUILD)/k42.dbg.elf
	$(QEMU) $(QEMU_COMMON) -kernel $(BUILD)/k42.elf -append "$(APPEND)" -s -S & \
	  gdb -q -ex 'file $(BUILD)/k42.dbg.elf' -ex 'set architecture i386:x86-64' \
	      -ex 'target remote localhost:1234' -ex 'hbreak k42_boot_main' ; kill %1 2>/dev/null || true

# ---- tests ----
test: deps
	@bash scripts/test-all.sh

test-hosted:
	swift test

test-embedded:
	@bash scripts/embedded-check.sh

test-kernel-tier: deps test-kernel
	@bash scripts/test-kernel.sh

tools:
	swift build -c release
	@mkdir -p $(BUILD)/bin
	@for p in k42-trace mkfs.kfs fsck.kfs kfs-fuse; do cp "$$(swift build -c release --show-bin-path)/$$p" $(BUILD)/bin/; done
	@ls $(BUILD)/bin

clean:
	rm -rf $(BUILD)

# Feature-specific targets (trace-demo, ...) live in mk/*.mk.
-include $(wildcard mk/*.mk)
