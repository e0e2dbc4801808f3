/*
 * syscall.S - the SYSCALL door for 64-bit processes, and its SYSRET exit.
 *
 * What the hardware did (Intel SDM vol. 2B SYSCALL; AMD APM vol. 2 6.1.1,
 * vol. 3 SYSCALL): RCX = the user RIP of the next instruction, R11 = the
 * user RFLAGS, RFLAGS &= ~IA32_FMASK (sysgate masks IF, TF, DF, NT, AC and
 * IOPL: mechanisms.c), CS = STAR[47:32], SS = STAR[47:32] + 8 (fixed flat
 * attributes, no descriptor read), RIP = LSTAR.  It did NOT switch the
 * stack (RSP is still the user's), save anything in memory, or touch GS.
 * So nothing may be pushed before the stack switch, and the GS swap comes
 * first: the per-CPU block holds the kernel stack pointer.
 *
 *     +176 ss      USER_DS      (what SYSRET will load: STAR[63:48] + 8)
 *     +168 rsp     user RSP     (parked in percpu.user_rsp meanwhile)
 *     +160 rflags  R11          (the user's, before masking)
 *     +152 cs      USER64_CS    (what SYSRET will load: STAR[63:48] + 16)
 *     +144 rip     RCX
 *     +136 0       error code slot
 *     +128 0x80    vector slot (all system calls say 0x80)
 *     +120 ENTRY_SYSCALL
 *     +112 rax ... +0 r15       SAVE_GPRS: rcx and r11 as the hardware left them
 *
 * Register use (docs/abi.md): rax = number, rdi rsi rdx r10 r8 r9 =
 * arguments; rax = result, rcx = return RIP, r11 = RFLAGS; everything else
 * preserved.  The exit (exit.S) is SYSRET when it is safe, IRETQ when not.
 */
#include "frame.h"
#include "../arch/selectors_msrs.h"

    .text
    .globl syscall_entry
    .align 16
syscall_entry:
    swapgs
    SYSCALL_DOOR_FRAME USER64_CS
    call    syscall_enter64
    jmp     ret_user

    .section .note.GNU-stack, "", @progbits
