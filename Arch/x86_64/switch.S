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
 * k42_copy_user(dst, src, n), k42_zero_user(dst, n), k42_cmpxchg_user32: user accesses whose page faults the trap handler
 *   first tries to resolve (demand paging), else resumes at k42_copy_user_fixup, which
 *   returns 1 (EFAULT). */
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

/* k42_user_return(frame): RDI = RSP = a trap frame to return to user mode from. Interrupts go
 * off first: from the swapgs below until sysretq/iretq the CPU is in ring 0 with the user's GS
 * base (and, for sysretq, the user's stack), so an interrupt taken there would run the kernel
 * on the user's per-CPU pointer (isr_common swaps only when it interrupted ring 3). New threads
 * (fork's child, clone, exec's first entry) call this from Swift with interrupts on. The
 * user's IF comes back from RFLAGS (R11 for sysretq, the frame for iretq). */
        .globl k42_user_return
k42_user_return:
        cli
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

/* UInt64 k42_copy_user(void *dst, const void *src, size_t n): 0 = copied, 1 = fault.
 * 64 bytes per turn in 8-byte moves, then a byte tail: under TCG each iteration of a rep string
 * instruction is a separate trip through the translated-code loop (runtime.c's memcpy says
 * more), so this copies several times faster than rep movsb there. Every instruction from
 * k42_user_access_start to k42_user_access_end may fault on the user address; the trap
 * handler resolves the fault and retries the instruction, or resumes at k42_copy_user_fixup. */
        .globl k42_copy_user, k42_user_access_start, k42_user_access_end, k42_copy_user_fixup
k42_copy_user:
k42_user_access_start:
        movq    %rdx, %rcx
        shrq    $6, %rcx
        jz      2f
1:      movq    0(%rsi), %r8
        movq    8(%rsi), %r9
        movq    16(%rsi), %r10
        movq    24(%rsi), %r11
        movq    %r8, 0(%rdi)
        movq    %r9, 8(%rdi)
        movq    %r10, 16(%rdi)
        movq    %r11, 24(%rdi)
        movq    32(%rsi), %r8
        movq    40(%rsi), %r9
        movq    48(%rsi), %r10
        movq    56(%rsi), %r11
        movq    %r8, 32(%rdi)
        movq    %r9, 40(%rdi)
        movq    %r10, 48(%rdi)
        movq    %r11, 56(%rdi)
        leaq    64(%rsi), %rsi
        leaq    64(%rdi), %rdi
        decq    %rcx
        jnz     1b
2:      movq    %rdx, %rcx
        andl    $63, %ecx
        rep movsb
        xorl    %eax, %eax
        ret

/* UInt64 k42_zero_user(void *dst, size_t n): 0 = zeroed, 1 = fault. */
        .globl k42_zero_user
k42_zero_user:
        movq    %rsi, %rcx
        shrq    $3, %rcx
        xorl    %eax, %eax
        rep stosq
        movq    %rsi, %rcx
        andl    $7, %ecx
        rep stosb
        ret

/* UInt64 k42_cmpxchg_user32(uint32_t *uaddr, uint32_t expected, uint32_t desired,
 * uint32_t *actual): one locked compare-and-swap on a user word (futex(2)'s PI protocol);
 * 0 = done, with the word's old value in *actual; 1 = fault (the fixup). A write fault on a
 * copy-on-write page is resolved and the instruction retried, as for the copies. */
        .globl k42_cmpxchg_user32
k42_cmpxchg_user32:
        movl    %esi, %eax
        lock cmpxchgl %edx, (%rdi)
        movl    %eax, (%rcx)
        xorl    %eax, %eax
        ret
k42_user_access_end:
k42_copy_user_fixup:
        movl    $1, %eax
        ret
