/*
 * exit.S - every way back out of the kernel, chosen from the frame.
 *
 * On arrival %rsp points at a struct frame (frame.h) and GS holds the
 * kernel's per-CPU base.  Every exit restores all general-purpose
 * registers from the frame, so whatever C wrote there (the result in rax,
 * a new context from sg_setcontext) is what the process gets.
 *
 *   ret_user               does the work percpu.work asks for (exit_work.c),
 *                          then looks at frame->entry and tries the door's
 *                          own fast return; each falls back to ret_user_iret
 *   ret_user_sysret        SYSRETQ / SYSRETL (entered by syscall, 64/32-bit)
 *   ret_user_sysexit       SYSEXITQ / SYSEXITL (entered by sysenter)
 *   ret_user_lret          LRETQ     (entered through the call gate)
 *   ret_user_iret          IRETQ     - always correct: it reloads RIP, CS,
 *                          RFLAGS, RSP and SS from the frame
 *   ret_kernel             IRETQ back to interrupted kernel code
 *
 * A fast return is used only when it restores exactly what the frame says
 * and cannot fault in ring 0:
 *   - CS and SS are the ones the instruction loads by itself;
 *   - the return RIP (and for SYSEXIT and LRET the RSP) is canonical: on Intel,
 *     SYSRET with a non-canonical RCX raises #GP in ring 0 with the user's
 *     RSP and GS already loaded (Intel SDM vol. 2B SYSRET; CVE-2012-0217),
 *     and SYSEXIT with a non-canonical RCX or RDX raises #GP in ring 0;
 *   - to 32-bit code, RIP (and for SYSEXIT RSP) fit in 32 bits: SYSRETL and
 *     SYSEXITL take ECX and EDX;
 *   - TF and RF are clear: none of these restores RF, and a TF restored
 *     before the return instruction would trap in ring 0;
 *   - for SYSRET, RCX and R11 in the frame equal RIP and RFLAGS, because
 *     SYSRET takes RIP from RCX and RFLAGS from R11; for SYSEXIT, RDX and
 *     RCX equal RIP and RSP, because SYSEXIT takes them from there.
 * The return instructions themselves (and IRETQ with a frame that is bad
 * for any other reason) are listed in exit_fault_table: a fault there is
 * reported as the process's own fault (traps.c), never a kernel crash.
 * (The syscall fast path's own SYSRETQ, syscall.S, is not: its one test
 * leaves nothing it could fault on - RCX canonical, CS and SS from STAR.)
 */
#include "frame.h"
#include "../arch/selectors_msrs.h"

/* SYSEXIT's last steps, with rdx = RIP and rcx = RSP already restored from
 * the frame (the checks made sure the frame says so).  SYSEXIT does not
 * touch RFLAGS, so the user's flags are loaded first - with IF still 0 -
 * and STI's one-instruction shadow keeps interrupts off until SYSEXIT has
 * completed (Intel SDM vol. 2B STI). */
.macro SYSEXIT_TAIL insn, label
    pushq   FRAME_RFLAGS - FRAME_ENTRY(%rsp)
    andq    $~RFLAGS_IF, (%rsp)
    popfq
    swapgs
    sti
    .globl \label
\label:
    \insn
.endm

    .text
    .globl ret_user, ret_user_iret, ret_kernel

ret_user:
    cmpq    $0, %gs:PERCPU_WORK
    jne     .Lwork
.Lchoose_exit:
    mov     FRAME_ENTRY(%rsp), %rax
    cmp     $SG_MECH_SYSCALL, %rax
    je      ret_user_sysret
    cmp     $SG_MECH_SYSENTER, %rax
    je      ret_user_sysexit
    cmp     $SG_MECH_CALLGATE, %rax
    je      ret_user_lret
    jmp     ret_user_iret

/* Once: the trace bit stays set; the work may switch processes (this one
 * resumes here when it runs again) or rewrite the frame (a signal
 * handler's entry, a restarted call). */
.Lwork:
    mov     %rsp, %rdi
    call    exit_to_user_work
    jmp     .Lchoose_exit

ret_user_sysret:
    cmpq    $USER_DS, FRAME_SS(%rsp)
    jne     sysret_declined
    mov     FRAME_RIP(%rsp), %rcx
    cmp     FRAME_RCX(%rsp), %rcx
    jne     sysret_declined
    mov     FRAME_RFLAGS(%rsp), %r11
    cmp     FRAME_R11(%rsp), %r11
    jne     sysret_declined
    test    $FAST_EXIT_UNSAFE_FLAGS, %r11
    jnz     sysret_declined
    cmpq    $USER64_CS, FRAME_CS(%rsp)
    jne     1f
    shr     $47, %rcx                   /* canonical user half: bits 63:47 zero */
    jnz     sysret_declined
    RESTORE_GPRS
    mov     FRAME_RSP - FRAME_ENTRY(%rsp), %rsp
    swapgs
    .globl ret_user_sysretq_insn
ret_user_sysretq_insn:
    sysretq

1:  cmpq    $USER32_CS, FRAME_CS(%rsp)
    jne     sysret_declined
    shr     $32, %rcx                   /* SYSRETL returns to ECX */
    jnz     sysret_declined
    RESTORE_GPRS
    mov     FRAME_RSP - FRAME_ENTRY(%rsp), %rsp
    swapgs
    .globl ret_user_sysretl_insn
ret_user_sysretl_insn:
    sysretl

ret_user_sysexit:
    mov     FRAME_RIP(%rsp), %rax
    cmp     FRAME_RDX(%rsp), %rax
    jne     sysexit_declined
    mov     FRAME_RSP(%rsp), %rcx
    cmp     FRAME_RCX(%rsp), %rcx
    jne     sysexit_declined
    mov     FRAME_RFLAGS(%rsp), %rdx
    test    $FAST_EXIT_UNSAFE_FLAGS, %rdx
    jnz     sysexit_declined
    cmpq    $USER64_CS, FRAME_CS(%rsp)
    jne     2f
    cmpq    $USER_DS2, FRAME_SS(%rsp)
    jne     sysexit_declined
    shr     $47, %rax
    jnz     sysexit_declined
    shr     $47, %rcx
    jnz     sysexit_declined
    RESTORE_GPRS
    SYSEXIT_TAIL sysexitq, ret_user_sysexit_insn

2:  cmpq    $USER32_CS, FRAME_CS(%rsp)
    jne     sysexit_declined
    cmpq    $USER_DS, FRAME_SS(%rsp)
    jne     sysexit_declined
    shr     $32, %rax                   /* SYSEXITL returns to EDX, ESP = ECX */
    jnz     sysexit_declined
    shr     $32, %rcx
    jnz     sysexit_declined
    RESTORE_GPRS
    SYSEXIT_TAIL sysexitl, ret_user_sysexitl_insn

ret_user_lret:
    cmpq    $USER64_CS, FRAME_CS(%rsp)
    je      1f
    cmpq    $USER32_CS, FRAME_CS(%rsp)
    jne     lret_declined
1:
    /* LRETQ reads SS's descriptor, so either user data selector will do
     * (a process that last left through SYSEXIT has USER_DS2). */
    cmpq    $USER_DS, FRAME_SS(%rsp)
    je      1f
    cmpq    $USER_DS2, FRAME_SS(%rsp)
    jne     lret_declined
1:
    mov     FRAME_RFLAGS(%rsp), %rax
    test    $FAST_EXIT_UNSAFE_FLAGS, %rax
    jnz     lret_declined
    mov     FRAME_RIP(%rsp), %rcx
    shr     $47, %rcx
    jnz     lret_declined
    mov     FRAME_RSP(%rsp), %rcx
    shr     $47, %rcx
    jnz     lret_declined
    /* LRETQ pops RIP, CS, RSP, SS - no RFLAGS - so move RIP and CS up
     * over the RFLAGS slot and load RFLAGS with POPFQ just before.  From
     * the POPFQ on IF is 1: an interrupt there finds user GS and kernel
     * CS, which interrupt_common's GS test handles. */
    mov     FRAME_CS(%rsp), %rcx
    mov     %rcx, FRAME_RFLAGS(%rsp)
    mov     FRAME_RIP(%rsp), %rcx
    mov     %rcx, FRAME_CS(%rsp)
    mov     %rax, FRAME_RIP(%rsp)
    RESTORE_GPRS
    add     $FRAME_DOOR_WORDS, %rsp   /* entry, vector, error code */
    swapgs
    popfq
    .globl ret_user_lretq_insn
ret_user_lretq_insn:
    lretq

/* A fast exit that declined is counted (per CPU, reported by sg_info) so
 * that tests can see each safety check at work even where an emulator
 * would forgive the unsafe instruction. */
sysret_declined:
    incq    %gs:PERCPU_DECLINED_SYSRET
    jmp     ret_user_iret
sysexit_declined:
    incq    %gs:PERCPU_DECLINED_SYSEXIT
    jmp     ret_user_iret
lret_declined:
    incq    %gs:PERCPU_DECLINED_LRET

ret_user_iret:
    RESTORE_GPRS
    add     $FRAME_DOOR_WORDS, %rsp   /* entry, vector, error code */
    swapgs
    .globl ret_user_iretq_insn
ret_user_iretq_insn:
    iretq

ret_kernel:
    RESTORE_GPRS
    add     $FRAME_DOOR_WORDS, %rsp
    iretq

/* The return instructions whose faults belong to the process. */
    .section .rodata
    .globl exit_fault_table, exit_fault_table_end
exit_fault_table:
    .quad ret_user_sysretq_insn, ret_user_sysretl_insn, ret_user_sysexit_insn, ret_user_sysexitl_insn
    .quad ret_user_lretq_insn, ret_user_iretq_insn
exit_fault_table_end:

    .text
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
