/* Interrupt and exception entry: one 16-byte stub per vector (the IDT points at
 * isr_stubs + 16 * vector), all falling into isr_common, which saves the general registers
 * as a struct trap_frame (include/arch.h) and calls the Swift dispatcher
 * k42_trap_entry(frame). The kernel is built without SSE (docs/build.md), so no FPU state
 * is saved here; user FPU state is the scheduler's business when user mode arrives.
 * swapgs: GS always holds the kernel per-CPU area in the kernel; entry from ring 3 swaps. */
#include "layout.h"
#include "asm_macros.h"

        .section .text, "ax"
        .code64
        .balign 16
        .globl isr_stubs
isr_stubs:
        .set vec, 0
        .rept 256
        .balign 16
        .if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
        /* the CPU pushed an error code */
        .else
        pushq   $0
        .endif
        pushq   $vec
        jmp     isr_common
        .set vec, vec + 1
        .endr

        .balign 16
isr_common:
        testb   $3, 24(%rsp)                    /* saved CS: from user mode? */
        jz      1f
        swapgs
1:      PUSH_GPRS
        cld
        movq    %rsp, %rdi
        call    k42_trap_entry
        cli                                     /* handlers may have turned interrupts on (a user
                                                 * page fault does); none may arrive between the
                                                 * swapgs below and iretq, which restores IF */
        POP_GPRS
        testb   $3, 24(%rsp)
        jz      2f
        swapgs
2:      addq    $16, %rsp                       /* vector and error code */
        iretq

/* Secondary CPUs arrive here from the trampoline (64-bit, temporary page tables, stack set,
 * RDI = argument from the BSP). Load the kernel GDT, reload the segments, call Swift. */
        .globl k42_ap_entry
k42_ap_entry:
        LOAD_KERNEL_SEGMENTS
        fninit
        xorl    %ebp, %ebp
        call    k42_ap_main
3:      cli
        hlt
        jmp     3b

/* ceil(double) for the Swift runtime's Dictionary/Set sizing. The kernel is built with
 * -mno-sse, so doubles travel on the stack and return in st(0) (x87), which C cannot
 * express without SSE; hence assembly. Rounds toward +infinity with a temporary FPU
 * control word. */
        .globl ceil
ceil:
        subq    $8, %rsp
        fldl    16(%rsp)
        fnstcw  (%rsp)
        movw    (%rsp), %ax
        movw    %ax, 4(%rsp)
        andw    $0xF3FF, %ax
        orw     $0x0800, %ax                    /* RC = 10b: round up */
        movw    %ax, 2(%rsp)
        fldcw   2(%rsp)
        frndint
        fldcw   4(%rsp)
        addq    $8, %rsp
        ret
