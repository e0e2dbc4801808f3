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
 * process switch) does.  A 32-bit process - its convention is Linux's vDSO
 * dance (kip32_stubs.S) - takes sysenter_entry32 (compat_doors.S) once
 * its RFLAGS are pushed.  A 64-bit process's frame:
 *
 *     +176 ss      USER_DS2 (SYSENTER_CS + 40)
 *     +168 rsp     R11 (by convention)
 *     +160 rflags  pushfq | IF  (the user's; IF was 1 in ring 3)
 *     +152 cs      USER64_CS (SYSENTER_CS + 32)
 *     +144 rip     RCX (by convention)
 *     +136 0       +128 0x80    +120 SG_MECH_SYSENTER
 *     +112 rdi ... +0 r15
 */
#include "frame.h"
#include "../arch/selectors_msrs.h"

    .text
    .globl sysenter_entry, sysenter_tf_window_end
    .align 16
sysenter_entry:
    swapgs
    mov     %gs:PERCPU_KERNEL_RSP, %rsp
    /* The user's flags first, before anything here changes them: leave
     * the ss and rsp slots (lea touches no flag) and push RFLAGS into its
     * own slot. */
    lea     -16(%rsp), %rsp
    pushfq
    testb   $1, %gs:PERCPU_COMPAT
    jnz     sysenter_entry32            /* compat_doors.S */
    orq     $RFLAGS_IF, (%rsp)
    movq    $USER_DS2, 16(%rsp)
    mov     %r11, 8(%rsp)
    push    $USER64_CS
    push    %rcx
    push    $0
    push    $SYSCALL_VECTOR
    push    $SG_MECH_SYSENTER
    SAVE_GPRS
    /* Clear TF, DF, AC and NT (IF stays 0): the flags ring 0 expects. */
    push    $RFLAGS_FIXED
    popfq
sysenter_tf_window_end:
    movq    $0, %gs:PERCPU_REPLACED_FRAME
    call    syscall_enter64
    /* SYSEXIT returns with RDX = RIP and RCX = RSP: the documented
     * clobbers, written into the frame now - unless the call replaced the
     * whole context (sg_setcontext), whose rdx and rcx must arrive as they
     * are; the exit, finding rdx != rip or rcx != rsp, then uses IRETQ.
     * (fast_door_syscall, compat.c, does the same in C on the 32-bit
     * callers' full path; here it stays in assembly after the front that
     * uses the live registers: 28 instructions fewer than dispatching
     * from C.) */
    cmp     %gs:PERCPU_REPLACED_FRAME, %rsp
    je      .Lexit
    mov     FRAME_RIP(%rsp), %rax
    mov     %rax, FRAME_RDX(%rsp)
    mov     FRAME_RSP(%rsp), %rax
    mov     %rax, FRAME_RCX(%rsp)
.Lexit:
    jmp     ret_user

    .section .note.GNU-stack, "", @progbits
