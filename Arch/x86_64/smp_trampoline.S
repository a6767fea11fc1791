/* The real-mode start code for secondary CPUs. The BSP copies this blob to
 * AP_TRAMPOLINE_PA (0x8000) and fills the slots at fixed offsets, then sends INIT-SIPI-SIPI
 * with vector 0x08 (Intel SDM Vol. 3A, 9.4 "Multiple-Processor Initialization").
 * The CPU starts in 16-bit real mode at 0x8000 and walks: protected mode -> long mode on
 * temporary page tables (identity map of the first 2 MiB + the kernel's slot 255), then
 * jumps to k42_ap_entry in the image window. Slots (offsets from the start):
 *   8: CR3 (temporary PML4, below 4 GiB)   16: EFER value   24: stack top
 *  32: 64-bit entry address               40: argument (RDI)  */
#include "layout.h"
#define T(x) ((x) - ap_start + AP_TRAMPOLINE_PA)

        .section .ap_trampoline, "a"
        .code16
        .globl ap_start
ap_start:
        jmp     ap_real
        .balign 8
ap_slot_cr3:    .quad 0
ap_slot_efer:   .quad 0
ap_slot_stack:  .quad 0
ap_slot_entry:  .quad 0
ap_slot_arg:    .quad 0
ap_real:
        cli
        cld
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        lgdtl   T(ap_gdt_ptr)
        movl    %cr0, %eax
        orl     $1, %eax
        movl    %eax, %cr0
        ljmpl   $0x08, $T(ap_pm32)

        .code32
ap_pm32:
        movl    $0x10, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        movl    %cr4, %eax
        orl     $(1 << 5), %eax                 /* PAE */
        movl    %eax, %cr4
        movl    T(ap_slot_cr3), %eax
        movl    %eax, %cr3
        movl    $0xC0000080, %ecx
        movl    T(ap_slot_efer), %eax
        xorl    %edx, %edx
        wrmsr
        movl    %cr0, %eax
        orl     $((1 << 31) | (1 << 16) | (1 << 1)), %eax
        andl    $~(1 << 2), %eax
        movl    %eax, %cr0
        ljmpl   $0x18, $T(ap_lm64)

        .code64
ap_lm64:
        movq    T(ap_slot_stack), %rsp
        movq    T(ap_slot_arg), %rdi
        movq    T(ap_slot_entry), %rax
        jmpq    *%rax

        .balign 8
ap_gdt:
        .quad 0
        .quad 0x00CF9A000000FFFF                /* 0x08: 32-bit code */
        .quad 0x00CF92000000FFFF                /* 0x10: data */
        .quad 0x00AF9A000000FFFF                /* 0x18: 64-bit code */
ap_gdt_end:
ap_gdt_ptr:
        .short ap_gdt_end - ap_gdt - 1
        .long T(ap_gdt)

/* The temporary page tables the trampoline runs on (in the image, so below 4 GiB). */
        .section .bss
        .balign 4096
        .globl ap_boot_pml4, ap_boot_pdpt, ap_boot_pd
ap_boot_pml4:   .skip 4096
ap_boot_pdpt:   .skip 4096
ap_boot_pd:     .skip 4096
