/*
 * sysenter.S - the SYSENTER door for 64-bit processes (Intel only: AMD
 * CPUs raise #UD for SYSENTER in long mode, AMD APM vol. 3 SYSENTER), and
 * its SYSEXIT exit.
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
 *     +176 ss      USER_DS2     (what SYSEXIT will load: SYSENTER_CS + 40)
 *     +168 rsp     R11          (the user RSP, by convention)
 *     +160 rflags  pushfq | IF  (the user's; IF was 1 in ring 3)
 *     +152 cs      USER64_CS    (what SYSEXIT will load: SYSENTER_CS + 32)
 *     +144 rip     RCX          (the return RIP, by convention)
 *     +136 0       +128 0x80    +120 ENTRY_SYSENTER
 *     +112 rax ... +0 r15
 */
#include "frame.h"
#include "../arch/selectors_msrs.h"

    .text
    .globl sysenter_entry, sysenter_tf_window_end
    .align 16
sysenter_entry:
    swapgs
    mov     %gs:PERCPU_KERNEL_RSP, %rsp
    push    $USER_DS2
    push    %r11
    pushfq
    orq     $RFLAGS_IF, (%rsp)
    push    $USER64_CS
    push    %rcx
    push    $0
    push    $0x80
    push    $ENTRY_SYSENTER
    SAVE_GPRS
    /* Clear TF, DF, AC and NT (IF stays 0): the flags ring 0 expects. */
    push    $RFLAGS_FIXED
    popfq
sysenter_tf_window_end:
    mov     FRAME_RDX(%rsp), %r12
    mov     FRAME_RCX(%rsp), %r13
    mov     %rsp, %rdi
    call    syscall_dispatch
    /* SYSEXIT returns with RDX = RIP and RCX = RSP: the documented
     * clobbers.  If the call left rdx and rcx as they came, the frame says
     * so now; a call that replaced them (sg_setcontext) keeps its values,
     * and the exit, finding rdx != rip or rcx != rsp, uses IRETQ. */
    cmp     FRAME_RDX(%rsp), %r12
    jne     1f
    cmp     FRAME_RCX(%rsp), %r13
    jne     1f
    mov     FRAME_RIP(%rsp), %rax
    mov     %rax, FRAME_RDX(%rsp)
    mov     FRAME_RSP(%rsp), %rax
    mov     %rax, FRAME_RCX(%rsp)
1:  jmp     ret_user

    .section .note.GNU-stack, "", @progbits
