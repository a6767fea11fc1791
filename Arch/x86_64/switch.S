/* Thread switching, the system-call entry, the return to user mode, and the user-memory copy
 * routine whose faults become EFAULT.
 *
 * k42_context_switch(saveRSP, newRSP, saveFPU, loadFPU): saves the callee-saved registers
 *   and the FPU/SSE state of the outgoing thread (fxsave; the kernel itself never touches
 *   SSE, so this is the user's state), switches stacks, restores the incoming thread's.
 * k42_syscall_entry: the SYSCALL target (LSTAR). Builds a struct trap_frame (vector 0x100)
 *   on the thread's kernel stack, so system calls, interrupts and signals share one layout.
 * k42_user_return: restores a trap frame and returns to ring 3, by SYSRET when RCX/R11 still
 *   equal RIP/RFLAGS and RIP is a user address, else by IRETQ (after execve, sigreturn).
 * k42_copy_user(dst, src, n): rep movsb whose page faults the trap handler first tries to
 *   resolve (demand paging), else resumes at k42_copy_user_fixup, which returns 1 (EFAULT). */
#include "layout.h"
#include "asm_macros.h"

        .section .text, "ax"
        .code64

        .globl k42_context_switch
k42_context_switch:
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        testq   %rdx, %rdx
        jz      1f
        fxsave64 (%rdx)
1:      movq    %rsp, (%rdi)
        movq    %rsi, %rsp
        testq   %rcx, %rcx
        jz      2f
        fxrstor64 (%rcx)
2:      popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret

/* A new thread's first return lands here (its stack was built by Swift). */
        .globl k42_thread_trampoline
k42_thread_trampoline:
        xorl    %ebp, %ebp
        call    k42_thread_begin
        ud2

        .globl k42_syscall_entry
k42_syscall_entry:
        swapgs
        movq    %rsp, %gs:32                    /* user RSP */
        movq    %gs:24, %rsp                    /* this thread's kernel stack */
        pushq   $0x1b                           /* SS */
        pushq   %gs:32                          /* RSP */
        pushq   %r11                            /* RFLAGS */
        pushq   $0x23                           /* CS */
        pushq   %rcx                            /* RIP */
        pushq   $0                              /* error code */
        pushq   $0x100                          /* "vector": system call */
        PUSH_GPRS
        cld
        xorl    %ebp, %ebp
        movq    %rsp, %rdi
        sti
        call    k42_syscall_dispatch
        cli
        movq    %rsp, %rdi
        jmp     k42_user_return

/* k42_user_return(frame): RDI = RSP = a trap frame to return to user mode from. */
        .globl k42_user_return
k42_user_return:
        movq    %rdi, %rsp
        movq    0x88(%rsp), %rax                /* frame.rip */
        cmpq    0x60(%rsp), %rax                /* == frame.rcx ? */
        jne     9f
        movq    $USER_END, %rdx
        cmpq    %rdx, %rax
        jae     9f
        movq    0x98(%rsp), %rax                /* frame.rflags */
        cmpq    0x20(%rsp), %rax                /* == frame.r11 ? */
        jne     9f
        POP_GPRS
        addq    $16, %rsp                       /* vector, error code */
        swapgs
        movq    24(%rsp), %rsp                  /* user RSP (frame.rsp) */
        sysretq
9:      POP_GPRS
        addq    $16, %rsp
        swapgs
        iretq

/* UInt64 k42_copy_user(void *dst, const void *src, size_t n): 0 = copied, 1 = fault. */
        .globl k42_copy_user, k42_copy_user_insn, k42_copy_user_fixup
k42_copy_user:
        movq    %rdx, %rcx
k42_copy_user_insn:
        rep movsb
        xorl    %eax, %eax
        ret
k42_copy_user_fixup:
        movl    $1, %eax
        ret

/* UInt64 k42_zero_user(void *dst, size_t n): 0 = zeroed, 1 = fault. */
        .globl k42_zero_user, k42_zero_user_insn
k42_zero_user:
        movq    %rsi, %rcx
        xorl    %eax, %eax
k42_zero_user_insn:
        rep stosb
        ret
