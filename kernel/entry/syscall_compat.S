/*
 * syscall_compat.S - the 32-bit SYSCALL door: SYSCALL executed in
 * compatibility mode (AMD only; Intel raises #UD - see compat.c for the
 * emulator case), and its SYSRETL exit.
 *
 * What the hardware did (AMD APM vol. 2 6.1.1; vol. 3 SYSCALL): RCX = the
 * EIP of the next instruction (zero-extended), R11 = RFLAGS, RFLAGS &=
 * ~IA32_FMASK, CS = STAR[47:32], SS = STAR[47:32] + 8, RIP = IA32_CSTAR,
 * and the CPU is now in 64-bit mode.  It did not switch the stack (ESP is
 * the user's; the upper half of RSP is undefined after compatibility mode,
 * hence the zero-extension below), did not save anything in memory, did
 * not touch GS.
 *
 * The user side is __kernel_vsyscall's syscall stub (kip32_stubs.S): it
 * pushed ecx, edx and ebp, moved the 2nd argument from ecx (about to be
 * overwritten with the return EIP) into ebp, and left the 6th argument,
 * the caller's ebp, at [esp].  compat.c puts the arguments back where the
 * 32-bit ABI has them before the dispatcher sees the frame.
 *
 *     +176 ss      USER_DS      (what SYSRETL will load: STAR[63:48] + 8)
 *     +168 rsp     user ESP, zero-extended
 *     +160 rflags  R11
 *     +152 cs      USER32_CS    (what SYSRETL will load: STAR[63:48])
 *     +144 rip     RCX          (the return EIP)
 *     +136 0       +128 0x80    +120 SG_MECH_SYSCALL
 *     +112 rdi ... +0 r15
 *
 * The exit (exit.S) is SYSRETL when it is safe, IRETQ when not.
 */
#include "frame.h"
#include "../arch/selectors_msrs.h"

    .text
    .globl syscall_compat_entry
    .align 16
syscall_compat_entry:
    swapgs
    mov     %esp, %esp                  /* zero-extend ESP into RSP */
    SYSCALL_DOOR_FRAME USER32_CS
    mov     %rsp, %rdi
    call    compat_fast_syscall
    jmp     ret_user

    .section .note.GNU-stack, "", @progbits
