/* Linker script for build/k42.elf (preprocessed with clang -E -P -x c).
 * Low part (VMA = LMA): the PVH note, the multiboot2 header and the 32-bit boot trampoline.
 * High part: the kernel image window, VA = KERNEL_OFFSET + PA, text RX, rodata R, data RW.
 * .ksyms (the symbol table for panic backtraces, filled by a second link) comes last, so
 * that filling it moves no byte of anything before it. */
#include "layout.h"

ENTRY(_start)
OUTPUT_FORMAT(elf64-x86-64)

PHDRS {
    boot    PT_LOAD FLAGS(7);
    note    PT_NOTE FLAGS(4);
    text    PT_LOAD FLAGS(5);
    rodata  PT_LOAD FLAGS(4);
    data    PT_LOAD FLAGS(6);
    ksyms   PT_LOAD FLAGS(4);
}

SECTIONS {
    . = KERNEL_PHYS_BASE;
    __image_phys_start = .;
    .boot : {
        KEEP(*(.multiboot2))
        *(.boot.text)
        *(.boot.rodata)
        *(.boot.data)
    } :boot
    .note.Xen : { KEEP(*(.note.Xen)) } :boot :note

    . = ALIGN(4096);
    . += KERNEL_OFFSET;
    __text_start = .;
    .text : AT(ADDR(.text) - KERNEL_OFFSET) {
        *(.text.entry)
        *(.text .text.*)
    } :text
    . = ALIGN(4096);
    __text_end = .;

    __rodata_start = .;
    .rodata : AT(ADDR(.rodata) - KERNEL_OFFSET) {
        *(.rodata .rodata.*)
        . = ALIGN(16);
        __ap_trampoline_start = .;
        KEEP(*(.ap_trampoline))
        __ap_trampoline_end = .;
    } :rodata
    .data.rel.ro : AT(ADDR(.data.rel.ro) - KERNEL_OFFSET) { *(.data.rel.ro .data.rel.ro.*) } :rodata
    . = ALIGN(4096);
    __rodata_end = .;

    __data_start = .;
    .data : AT(ADDR(.data) - KERNEL_OFFSET) {
        *(.data .data.*)
        *(.got .got.plt)
    } :data
    .bss (NOLOAD) : AT(ADDR(.bss) - KERNEL_OFFSET) {
        . = ALIGN(4096);
        __bss_start = .;
        *(COMMON)
        *(.bss .bss.*)
        . = ALIGN(4096);
        __bss_end = .;
    } :data
    __data_end = .;
    . = ALIGN(4096);
    .ksyms : AT(ADDR(.ksyms) - KERNEL_OFFSET) {
        __ksyms_start = .;
        KEEP(*(.ksyms))
        __ksyms_end = .;
    } :ksyms
    . = ALIGN(4096);
    __image_end = .;

    /DISCARD/ : {
        *(.swift_modhash) *(.swift1_autolink_entries) *(.note.GNU-stack) *(.comment)
        *(.eh_frame) *(.eh_frame_hdr)
    }
}
