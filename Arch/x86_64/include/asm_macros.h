/* Assembler macros shared by boot.S, entry.S and switch.S (included after layout.h).
 * PUSH_GPRS / POP_GPRS build and unwind the general-register half of struct trap_frame
 * (include/arch.h): RAX pushed first, R15 last, so R15 sits at the lowest address.
 * LOAD_KERNEL_SEGMENTS loads the kernel GDT (high_gdt_ptr, boot.S) and reloads DS/ES/SS,
 * clears FS/GS and reloads CS with a far return. Clobbers RAX. */
#pragma once

.macro PUSH_GPRS
        pushq   %rax
        pushq   %rbx
        pushq   %rcx
        pushq   %rdx
        pushq   %rsi
        pushq   %rdi
        pushq   %rbp
        pushq   %r8
        pushq   %r9
        pushq   %r10
        pushq   %r11
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
.endm

.macro POP_GPRS
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %r11
        popq    %r10
        popq    %r9
        popq    %r8
        popq    %rbp
        popq    %rdi
        popq    %rsi
        popq    %rdx
        popq    %rcx
        popq    %rbx
        popq    %rax
.endm

.macro LOAD_KERNEL_SEGMENTS
        lgdt    high_gdt_ptr(%rip)
        movl    $0x10, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        xorl    %eax, %eax
        movl    %eax, %fs
        movl    %eax, %gs
        pushq   $0x08
        leaq    .Lreloaded\@(%rip), %rax
        pushq   %rax
        lretq
.Lreloaded\@:
.endm
