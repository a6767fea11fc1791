/* Boot trampoline: from the loader's 32-bit protected mode to Swift in 64-bit long mode.
 * Two ways in, one image:
 *   - QEMU `-kernel` (PVH boot protocol): the "Xen" ELF note below gives the 32-bit physical
 *     entry; EBX = physical address of hvm_start_info (magic 0x336ec578).
 *   - GRUB `multiboot2`: the header below; EAX = 0x36d76289, EBX = the multiboot2 info.
 * Either way we build boot page tables (identity + direct map + image window, 2 MiB pages),
 * enter long mode, jump to the image window, drop the identity map and call
 * k42_boot_main(magic, info_pa). Swift decides which protocol it was (Drivers/Firmware). */
#include "layout.h"
#include "asm_macros.h"

#define PA(x) ((x) - KERNEL_OFFSET)
#define MB2_MAGIC   0xE85250D6
#define MSR_EFER    0xC0000080

/* ---- multiboot2 header (must be in the first 32 KiB of the file, 8-byte aligned) ---- */
        .section .multiboot2, "a"
        .balign 8
mb2_header:
        .long MB2_MAGIC
        .long 0                                /* architecture: i386 protected mode */
        .long mb2_header_end - mb2_header
        .long -(MB2_MAGIC + (mb2_header_end - mb2_header))
        .short 0, 0                            /* end tag */
        .long 8
mb2_header_end:

/* ---- PVH entry note: XEN_ELFNOTE_PHYS32_ENTRY (type 18) ---- */
        .section .note.Xen, "a", @note
        .balign 4
        .long 4                                /* namesz */
        .long 4                                /* descsz */
        .long 18                               /* type */
        .asciz "Xen"
        .long _start

/* ---- 32-bit entry, running at its physical address with paging off ---- */
        .section .boot.text, "ax"
        .code32
        .globl _start
_start:
        cli
        cld
        movl    %eax, %ebp                      /* loader magic (multiboot2) or garbage (PVH) */
                                                /* EBX = boot information, physical */
        movl    $PA(boot_stack_top), %esp

        /* Zero .bss: the page tables and the boot stack live there. */
        movl    $PA(__bss_start), %edi
        movl    $PA(__bss_end), %ecx
        subl    %edi, %ecx
        shrl    $2, %ecx
        xorl    %eax, %eax
        rep stosl
        movl    %ebp, PA(saved_magic)
        movl    %ebx, PA(saved_info)            /* cpuid below clobbers EBX */

        /* Four page directories of 2 MiB pages: physical 0 .. 4 GiB. */
        movl    $PA(boot_pd), %edi
        movl    $0x83, %eax                     /* present | writable | 2 MiB */
        xorl    %edx, %edx
        movl    $2048, %ecx
1:      movl    %eax, (%edi)
        movl    %edx, 4(%edi)
        addl    $0x200000, %eax
        adcl    $0, %edx
        addl    $8, %edi
        loop    1b

        /* Direct map (PDPT slots 0..3) and the image window (slot 510 -> first GiB). */
        movl    $PA(boot_pdpt_hi), %edi
        movl    $PA(boot_pd), %eax
        orl     $3, %eax
        movl    %eax, 0(%edi)
        addl    $4096, %eax
        movl    %eax, 8(%edi)
        addl    $4096, %eax
        movl    %eax, 16(%edi)
        addl    $4096, %eax
        movl    %eax, 24(%edi)
        movl    $PA(boot_pd), %eax
        orl     $3, %eax
        movl    %eax, 510*8(%edi)
        /* Temporary identity map of the first GiB, dropped once we run high. */
        movl    $PA(boot_pdpt_lo), %edi
        movl    %eax, (%edi)
        movl    $PA(boot_pml4), %edi
        movl    $PA(boot_pdpt_lo), %eax
        orl     $3, %eax
        movl    %eax, (%edi)
        movl    $PA(boot_pdpt_hi), %eax
        orl     $3, %eax
        movl    %eax, 255*8(%edi)

        /* PAE, then EFER.LME (and NXE where the CPU has NX), then paging. */
        movl    %cr4, %eax
        orl     $(1 << 5), %eax
        movl    %eax, %cr4
        movl    $PA(boot_pml4), %eax
        movl    %eax, %cr3
        movl    $0x80000001, %eax
        cpuid
        movl    %edx, %esi                      /* bit 20 = NX */
        movl    $MSR_EFER, %ecx
        rdmsr
        orl     $(1 << 8), %eax                 /* LME */
        testl   $(1 << 20), %esi
        jz      2f
        orl     $(1 << 11), %eax                /* NXE */
2:      wrmsr
        movl    %cr0, %eax
        orl     $((1 << 31) | (1 << 16) | (1 << 1)), %eax   /* PG | WP | MP */
        andl    $~(1 << 2), %eax                            /* EM off: x87 usable */
        movl    %eax, %cr0

        lgdt    boot_gdt_ptr
        ljmp    $0x08, $long_mode_low

        .code64
long_mode_low:
        movabsq $high_entry, %rax
        jmp     *%rax

        .section .boot.rodata, "a"
        .balign 16
boot_gdt:
        .quad 0
        .quad 0x00AF9A000000FFFF                /* 0x08: 64-bit kernel code */
        .quad 0x00CF92000000FFFF                /* 0x10: kernel data */
boot_gdt_end:
boot_gdt_ptr:
        .short boot_gdt_end - boot_gdt - 1
        .long boot_gdt

/* ---- 64-bit, running in the image window ---- */
        .section .text.entry, "ax"
        .code64
high_entry:
        leaq    boot_stack_top(%rip), %rsp
        LOAD_KERNEL_SEGMENTS
        movq    $0, boot_pml4(%rip)             /* drop the identity map: user half empty */
        movq    %cr3, %rax
        movq    %rax, %cr3
        fninit
        xorl    %ebp, %ebp                      /* end of the frame-pointer chain */
        /* k42_boot_main(magic: UInt32, infoPhysical: UInt64) */
        movl    saved_info(%rip), %esi
        movl    saved_magic(%rip), %edi
        call    k42_boot_main
3:      cli
        hlt
        jmp     3b

        .section .data
        .balign 8
        .globl high_gdt_ptr
high_gdt:
        .quad 0
        .quad 0x00AF9A000000FFFF
        .quad 0x00CF92000000FFFF
high_gdt_end:
high_gdt_ptr:
        .short high_gdt_end - high_gdt - 1
        .quad high_gdt
saved_magic:
        .long 0
saved_info:
        .long 0

        .section .bss
        .balign 4096
        .globl boot_pml4, boot_pdpt_hi, boot_pd
boot_pml4:      .skip 4096
boot_pdpt_lo:   .skip 4096
boot_pdpt_hi:   .skip 4096
boot_pd:        .skip 4 * 4096
        .globl boot_stack_top
boot_stack:     .skip BOOT_STACK_SIZE
boot_stack_top:
        /* The boot CPU's per-CPU area (GS base from the first Swift line on). */
        .balign 64
        .globl k42_boot_cpu_area
k42_boot_cpu_area: .skip 256
        /* The Swift heap before the frame manager exists (Memory/KernelHeap.swift, BootstrapArena). */
        .balign 4096
        .globl k42_bootstrap_arena
k42_bootstrap_arena: .skip 8 * 1024 * 1024
