/*
 * sysenter.S - the SYSENTER door (Intel only: AMD CPUs raise #UD for
 * SYSENTER in long and compatibility mode, AMD APM vol. 3 SYSENTER), for
 * 64-bit and for 32-bit processes, and its SYSEXIT exit.
 *
 * What the hardware did (Intel SDM vol. 2B SYSENTER, vol. 3A 5.8.7):
 * CS = IA32_SYSENTER_CS, SS = IA32_SYSENTER_CS + 8, RIP = IA32_SYSENTER_EIP,
 * RSP = IA32_SYSENTER_ESP; cleared IF, VM and RF.  It saved NOTHING: not
 * the user RIP, not the user RSP, not RFLAGS.  It did not clear TF, DF,
 * AC or NT, and did not touch GS.
 *
 * So the user must tell us where to return, by sysgate's convention
 * (docs/abi.md):  rcx = the return RIP,  r11 = the user RSP,
 * rax/rdi/rsi/rdx/r10/r8/r9 as for every mechanism.  SYSEXIT will return
 * with RIP = RDX and RSP = RCX (Intel SDM vol. 2B SYSEXIT), so rdx and rcx
 * are clobbered; the interface-page stub keeps the caller's rdx in its
 * red zone and restores it.
 *
 * A user-set TF is still set here: a #DB trap follows every instruction
 * until the `popfq` below clears it.  The #DB handler ignores those traps
 * between sysenter_entry and sysenter_tf_window_end (traps.c), so we
 * single-step to the popfq, with TF faithfully captured by the pushfq on
 * the way; the exit then uses IRETQ, which restores TF (as Linux's
 * entry_SYSENTER_compat does).
 *
 * Both widths come through the one IA32_SYSENTER_EIP, and the hardware does
 * not say which mode it left: the per-CPU flag `compat` (set at every
 * process switch) does.  A 32-bit process cannot spare two registers for
 * the return address and stack, so its convention is Linux's vDSO dance
 * (kip32_stubs.S): ebp = the user ESP, the caller's ebp, edx and ecx saved
 * on the user stack, and the kernel always returns to the stub's landing
 * point (compat.c).  A 32-bit process's path is compat_doors.S's
 * (sysenter_entry32), reached from the width test below.
 *
 *                  64-bit process              32-bit process
 *     +176 ss      USER_DS2 (SYSENTER_CS + 40) USER_DS (SYSENTER_CS + 24)
 *     +168 rsp     R11 (by convention)         EBP, zero-extended (the dance)
 *     +160 rflags  pushfq | IF  (the user's; IF was 1 in ring 3)
 *     +152 cs      USER64_CS (SYSENTER_CS + 32) USER32_CS (SYSENTER_CS + 16)
 *     +144 rip     RCX (by convention)         0 until compat.c fills it in
 *     +136 0       +128 0x80    +120 SG_MECH_SYSENTER
 *     +112 rdi ... +0 r15
 *
 * A 64-bit process takes sysenter's fast path (docs/mechanisms.md, "The
 * fast path"), which writes only part of that frame: the RSP (R11), the
 * flags as PUSHFQ saw them (IF 0: the full path sets it), the RIP (RCX)
 * and the six argument registers - rcx and r11 come back as the
 * convention says (the user RSP), rax is the result and C preserves the
 * rest.  One test - the RIP and the RSP in the lower canonical half
 * (SYSEXIT raises #GP in ring 0 otherwise: Intel SDM vol. 2B SYSEXIT), TF
 * clear, percpu.work 0 - the handler through sysenter_table64 (tables.h),
 * and SYSEXIT with RDX = RIP and RCX = R11 = RSP from the words the entry
 * wrote, the user's flags loaded first with IF still 0 and STI's shadow
 * covering SYSEXIT.  Anything else takes sysenter_full: the frame
 * completed as above, then fast_door_syscall (compat.c: the C dispatcher,
 * and the documented clobbers written into the frame unless the call
 * replaced it), ret_user (exit.S: SYSEXIT when its checks allow it, IRETQ
 * otherwise).
 */
#include "frame.h"
#include "../arch/selectors_msrs.h"
#include "../syscall/tables.h"

#define FAST(field) (FRAME_##field - FRAME_ENTRY)(%rsp)   /* the frame, from the skipped words */
#define FULL(field) (FRAME_##field - FRAME_R9)(%rsp)      /* the frame, from the last argument */

/* The fast exit: the argument registers back, then RDX = RIP, RCX = R11 =
 * RSP (the convention's clobbers) and the user's flags with IF 0, as the
 * entry's PUSHFQ saw them; STI's one-instruction shadow keeps interrupts
 * off until SYSEXIT has completed (Intel SDM vol. 2B STI). */
.macro SYSENTER_FAST_EXIT
    RESTORE_ARG_REGS
    mov     FAST(RIP), %rdx
    mov     FAST(RSP), %rcx
    mov     %rcx, %r11
    lea     FAST(RFLAGS), %rsp
    popfq
    swapgs
    sti
    sysexitq
.endm

    .text
    .globl sysenter_entry, sysenter_tf_window_end, sysenter_full_call
    .align 16
sysenter_entry:
    swapgs
    mov     %gs:PERCPU_SYSCALL_RSP, %rsp        /* the ss slot, written per width */
    /* The rsp slot, then the user's flags before anything here changes
     * them (push touches no flag). */
    push    %r11
    pushfq
    testb   $1, %gs:PERCPU_COMPAT
    jnz     sysenter_entry32                    /* compat_doors.S */
    /* Clear TF, DF, AC and NT (IF stays 0): the flags ring 0 expects. */
    push    $RFLAGS_FIXED
    popfq
sysenter_tf_window_end:
    mov     %rcx, -16(%rsp)                     /* rip, under the skipped cs */
    sub     $16 + FRAME_DOOR_WORDS, %rsp        /* cs, rip, error, vector, entry */
    SAVE_ARG_REGS
sysenter_fast_test:
    incq    %gs:PERCPU_SYSCALLS                 /* the process's count (sg_info) */
    /* The one test, on rcx (in the frame now): bits 63:47 of the RIP or
     * the RSP, TF as the carry, the work word - not 0 if any is. */
    or      %r11, %rcx
    shr     $47, %rcx
    btl     $RFLAGS_TF_BIT, FULL(RFLAGS)
    adc     %gs:PERCPU_WORK, %rcx
    jnz     sysenter_full
    DOOR_FAST_PATH sysenter, sysenter_table64, FULL(RSP), SYSENTER_FAST_EXIT

/* The full path: the words the fast path skipped, rcx and r11 as they came
 * (the RIP and the RSP, by the convention), rax and the registers C
 * preserves; then the C dispatcher. */
sysenter_full:
    movq    $USER_DS2, FULL(SS)
    orq     $RFLAGS_IF, FULL(RFLAGS)            /* the user's IF was 1 in ring 3 */
    movq    $USER64_CS, FULL(CS)
    DOOR_WORDS SYSCALL_VECTOR, SG_MECH_SYSENTER, -FRAME_R9
    mov     FULL(RIP), %rcx
    mov     FULL(RSP), %r11
    SAVE_OTHER_REGS
    mov     %rsp, %rdi
    call    fast_door_syscall                   /* compat.c: also RDX = RIP, RCX = RSP */
    jmp     ret_user

    .section .note.GNU-stack, "", @progbits
