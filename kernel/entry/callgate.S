/*
 * callgate.S - the call-gate door: `lcall` through the 16-byte long-mode
 * call gate at CALL_GATE_SEL (DPL 3, target KERNEL_CS:callgate_entry).
 *
 * What the hardware did (Intel SDM vol. 3A 5.8.5-5.8.6, AMD APM vol. 2
 * 4.11.2): the far call named only the gate's selector (a gate ignores the
 * pointer's offset, so user code uses the m16:32 form that Intel and AMD
 * decode alike: AMD ignores REX.W on far pointers, Intel honours it).  The
 * CPU switched to RSP0 from the TSS, loaded SS with a NULL selector
 * (64-bit mode), and pushed the user SS, RSP, CS and RIP - four quadwords,
 * NO RFLAGS - then jumped to the gate's target.  A gate changes NO flag:
 * IF is still 1 (an interrupt may arrive before the popfq below clears
 * it), TF, DF, AC and NT are as the user left them, and GS is the user's.
 *
 *   on arrival               after the shuffle below (the struct frame)
 *   +24 user ss              +32 ss     (the frame's ss at +176)
 *   +16 user rsp             +24 rsp
 *    +8 user cs              +16 rflags (pushfq: IF is 1 in ring 3)
 *    +0 user rip             +8  cs
 *                            +0  rip
 * then error 0, vector 0x80, SG_MECH_CALLGATE and the registers, as every
 * door.  The interrupt window before the popfq and a user-set TF are handled
 * as for sysenter (see sysenter.S): interrupts and #DB traps in
 * [callgate_entry, callgate_tf_window_end] test the GS base themselves,
 * and #DB traps there are ignored until the popfq clears TF.
 *
 * The exit (exit.S) is a far return (LRETQ) when that is safe, IRETQ when
 * not.  32-bit callers (CS = USER32_CS) take their own fast path,
 * callgate_entry32 (compat_doors.S).
 */
#include "frame.h"
#include "../arch/selectors_msrs.h"

    .text
    .globl callgate_entry, callgate_tf_window_end
    .align 16
callgate_entry:
    /* The user's flags first, before the width test changes them; IF is
     * 1 in them: IOPL 0 lets ring 3 neither clear it with CLI nor with
     * POPF (SDM vol. 2B POPF). */
    pushfq
    cmpq    $USER32_CS, 16(%rsp)        /* the caller's CS */
    je      callgate_entry32            /* compat_doors.S */
    CALLGATE_FRAME_ORDER
    push    $0
    push    $SYSCALL_VECTOR
    push    $SG_MECH_CALLGATE
    SAVE_GPRS
    push    $RFLAGS_FIXED
    popfq
callgate_tf_window_end:
    swapgs
    call    syscall_enter
    jmp     ret_user

    .section .note.GNU-stack, "", @progbits
