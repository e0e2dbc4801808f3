/*
 * exit.S - every way back out of the kernel.
 *
 * On arrival %rsp points at a struct frame (frame.h) and, for ret_user,
 * GS holds the kernel's per-CPU base.  The frame's door tag chooses the
 * exit; every exit restores all general-purpose registers from the frame,
 * so whatever C wrote there (the result in rax, a new rip) is what the
 * process sees.
 *
 *   ret_user         choose from frame->entry (below)
 *   ret_user_iret    swapgs; iretq - always correct: it reloads RIP, CS,
 *                    RFLAGS, RSP and SS from the frame
 *   ret_kernel       iretq back to interrupted kernel code (no swapgs)
 */
#include "frame.h"

    .text
    .globl ret_user, ret_user_iret, ret_kernel

ret_user:
ret_user_iret:
    RESTORE_GPRS
    add     $24, %rsp               /* entry, vector, error code */
    swapgs
    .globl ret_user_iretq_insn
ret_user_iretq_insn:
    iretq

ret_kernel:
    RESTORE_GPRS
    add     $24, %rsp
    iretq

/*
 * A new process starts here: switch_context() "returns" into this with
 * %rsp at the initial frame that proc.c built at the top of its kernel
 * stack.
 */
    .globl process_first_return
process_first_return:
    jmp     ret_user

/*
 * void switch_context(uint64_t *save_rsp, uint64_t new_rsp)
 * Saves the callee-saved registers on the current kernel stack, stores
 * the stack pointer in *save_rsp and resumes the stack new_rsp.
 */
    .globl switch_context
switch_context:
    push    %rbp
    push    %rbx
    push    %r12
    push    %r13
    push    %r14
    push    %r15
    mov     %rsp, (%rdi)
    mov     %rsi, %rsp
    pop     %r15
    pop     %r14
    pop     %r13
    pop     %r12
    pop     %rbx
    pop     %rbp
    ret

    .section .note.GNU-stack, "", @progbits
