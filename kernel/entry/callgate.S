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
 * IF is still 1 (an interrupt may arrive before the popfq below), TF, DF,
 * AC and NT are as the user left them, and GS is the user's.
 *
 * Every caller's flags are pushed first, under the gate's four words,
 * before the width test changes them (IF 1: ring 3 with IOPL 0 can clear
 * it neither with CLI nor with POPF, SDM vol. 2B POPF); then each path
 * loads fixed flags - IF, TF, DF, AC and NT clear.  A user-set TF
 * single-steps up to that popfq: the #DB traps in [callgate_entry,
 * callgate_tf_window_end] (and the other paths' windows) are ignored
 * (kernel/arch/traps.c), and each marks percpu.work (WORK_STEPPED), so
 * that such a call takes the full path, whose exit restores TF with IRETQ.
 * Interrupts in the window test the GS base themselves (interrupts.S).
 *
 * 64-bit callers (CS = USER64_CS) take the call gate's fast path
 * (docs/mechanisms.md, "The fast path"), which writes only part of the
 * frame and reads back only what it wrote:
 *
 *     +176 ss, +168 rsp        the gate's, where the frame has them
 *     +160 cs, +152 rip        the gate's, one slot above the frame's
 *     +144 rflags              the user's (pushfq), in the frame's rip slot
 *     +136 error, +128 vector, +120 door tag: skipped
 *     +112 rdi ... +72 r9      SAVE_ARG_REGS
 *     +64 rcx, +56 r11         SAVE_RCX_R11: C clobbers them, the gate preserves them
 *     +48 rax ... +0 r15       not written: rax is the number, C preserves the rest
 *
 * One test of percpu.work, the handler through callgate_table64 (tables.h),
 * and back with POPFQ and LRETQ from the words the CPU and the pushfq wrote:
 * RIP, CS, RSP and SS exactly as the gate pushed them.  That LRETQ cannot
 * fault (so it is not in exit.S's exit_fault_table): RIP follows an lcall
 * that ran in user space, below USER_END and so canonical; CS is USER64_CS;
 * SS is the selector the process ran with, whose descriptor nothing changed
 * since (one CPU: every return to user mode reloads it - IRETQ and LRETQ
 * from the table, SYSRET and SYSEXIT a fixed one - and only FULL calls
 * change descriptors); LRETQ does not check the RSP it loads (SDM vol. 2B
 * RET).  TF never reaches it (WORK_STEPPED), and RF is never in the image
 * PUSHFQ stores.  Anything else - work, a FULL call, a process's first
 * unknown number, a fault on the argument ways - takes callgate_full,
 * which moves RIP, CS and RFLAGS to their frame slots, writes the door
 * words and the other registers, and leaves through the C dispatcher and
 * ret_user (exit.S: LRETQ when its checks allow it, IRETQ otherwise).
 *
 * 32-bit callers (CS = USER32_CS) take their own fast path
 * (compat_doors.S, callgate_entry32); any other CS builds the complete
 * frame at once and takes the dispatcher's front (callgate_entry_not64).
 */
#include "frame.h"
#include "../arch/selectors_msrs.h"
#include "../syscall/tables.h"

#define FULL(field) (FRAME_##field - FRAME_R11)(%rsp)     /* the frame, from the fast path's last word */

/* The fast exit: the registers the entry saved, the user's flags, and the
 * far return to the gate's words (rax is the result).  From the POPFQ on
 * IF is 1: an interrupt there finds user GS and kernel CS, which
 * interrupt_common's GS test handles. */
.macro CALLGATE_FAST_EXIT
    RESTORE_RCX_R11
    RESTORE_ARG_REGS
    add     $FRAME_DOOR_WORDS, %rsp
    swapgs
    popfq
    lretq
.endm

    .text
    .globl callgate_entry, callgate_tf_window_end, callgate_entry_not64, callgate_ldt_tf_window_end
    .globl callgate_entry_compat, callgate_entry_compat_end
    .globl callgate_full_call
    .align 16
callgate_entry:
    pushfq                                      /* the user's flags, IF 1 */
    cmpq    $USER64_CS, 16(%rsp)                /* the CS the gate pushed */
    jne     callgate_entry_not64
.Lcallgate64:
    push    $RFLAGS_FIXED
    popfq
callgate_tf_window_end:
    DOOR_PARTIAL_FRAME
    swapgs
    DOOR_WORK_TEST callgate                     /* WORK_STEPPED: TF was set */
    DOOR_FAST_PATH callgate, callgate_table64, FULL(RSP), CALLGATE_FAST_EXIT

/* The full path: the gate's RIP and CS down into their frame slots and the
 * flags into theirs (IF 1, as pushed), the door words, then rax (the
 * number, as the caller passed it) and the registers C preserves; the
 * dispatcher reads the number and the arguments from the frame.  The call
 * was counted above. */
callgate_full:
    SAVE_REST_REGS
    mov     FRAME_RIP(%rsp), %rax               /* the flags the entry pushed */
    mov     FRAME_CS(%rsp), %rcx                /* the gate's RIP */
    mov     %rcx, FRAME_RIP(%rsp)
    mov     FRAME_RFLAGS(%rsp), %rcx            /* the gate's CS */
    mov     %rcx, FRAME_CS(%rsp)
    mov     %rax, FRAME_RFLAGS(%rsp)
    DOOR_WORDS SYSCALL_VECTOR, SG_MECH_CALLGATE, 0
    mov     %rsp, %rdi
    call    syscall_dispatch
    jmp     ret_user

/* The gate's target while a 32-bit process runs (mechanisms.c aims it per
 * width at every switch): its code's CS tested first, so that a 32-bit
 * caller does not pay for the 64-bit test; any other CS - a 32-bit
 * process's far jump to 64-bit code included - as from callgate_entry. */
callgate_entry_compat:
    pushfq                                      /* the user's flags, IF 1 */
    cmpq    $USER32_CS, 16(%rsp)
    je      callgate_entry32
    cmpq    $USER64_CS, 16(%rsp)
    jne     callgate_entry_not64
    jmp     .Lcallgate64
callgate_entry_compat_end:

/* 32-bit code (CS = USER32_CS) has its own fast path (compat_doors.S,
 * which finds the caller's flags pushed as above); any other code segment
 * (an LDT one: modify_ldt) gets the complete frame and the dispatcher's
 * front, which hands it to the C dispatcher.  A user-set TF is still set
 * here: the #DB handler ignores the traps up to the popfq of each path
 * (callgate_entry_not64 to callgate_ldt_tf_window_end, entry_in_tf_window). */
callgate_entry_not64:
    cmpq    $USER32_CS, 16(%rsp)
    je      callgate_entry32
    CALLGATE_FRAME_ORDER
    push    $0
    push    $SYSCALL_VECTOR
    push    $SG_MECH_CALLGATE
    SAVE_GPRS
    push    $RFLAGS_FIXED
    popfq
callgate_ldt_tf_window_end:
    swapgs
    call    syscall_enter
    jmp     ret_user

    .section .note.GNU-stack, "", @progbits
