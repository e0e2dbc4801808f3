/*
 * interrupts.S - the doors that are not system calls: CPU exceptions
 * (vectors 0-31) and hardware interrupts (vectors 32-47, the remapped 8259
 * PICs).
 *
 * What the hardware did on entry (Intel SDM vol. 3A 6.12.1 and 6.14.2;
 * AMD APM vol. 2 8.9.3): through a 64-bit interrupt gate it switched to
 * RSP0 of the TSS if the privilege level changed, or to the gate's IST
 * stack if it names one; aligned RSP down to 16 bytes; pushed SS, RSP,
 * RFLAGS, CS, RIP and, for vectors 8, 10-14, 17, 21, 29 and 30, an error
 * code; then cleared IF, TF, NT, RF (and VM).  It did not touch GS: the
 * GS base is still the user's if we came from user mode.
 *
 * Each stub below pushes a zero where the CPU pushed no error code, the
 * vector and the door tag, so that all of them leave the same struct
 * frame (frame.h), then jumps to the common path:
 *
 *     +176 ss  +168 rsp  +160 rflags  +152 cs  +144 rip   (hardware)
 *     +136 error code (hardware, or 0 from the stub)
 *     +128 vector                                         (stub)
 *     +120 ENTRY_EXCEPTION or ENTRY_IRQ                   (stub)
 *     +112 rdi ... +0 r15                                 (SAVE_GPRS)
 *
 * IST stacks: #DB, NMI and #MC have stacks of their own (arch/idt.c), so
 * that one taken in ring 0 - a #DB at a door's first instruction, before
 * the door has a stack it trusts - lands somewhere good.  The CPU starts
 * an IST stack from its top at every use (SDM vol. 3A 6.14.5), so nothing
 * may stay there: when one of these comes from user mode, its stub moves
 * the hardware's words and its own three to the top of the process's
 * kernel stack, where every other entry from user mode builds its frame
 * (proc_frame, syscall_frame), and carries on from there (Linux's
 * sync_regs).  The process can then stop, block (a system call through
 * the icebp door) or be switched away in its way out like after any other
 * entry; interrupt_dispatch checks that a user-mode frame is there.
 *
 * GS: an exception can arrive in kernel mode while the GS base is still the
 * user's - a #DB raised by a user-set TF on the first instruction after
 * sysenter, an interrupt in the first instruction of the call gate (which
 * does not clear IF), a #GP raised by iretq to a bad user frame.  So the
 * common path does not trust CS: it reads IA32_GS_BASE and swaps only when
 * the base is not a kernel address (the "paranoid" test of Linux's
 * entry_64.S), and remembers in %ebx whether it did, for the way out.
 */
#include "frame.h"
#include "../syscall/uaccess_asm.h"
#include "../arch/selectors_msrs.h"

    .text

/* Vectors whose exception pushes an error code (SDM vol. 3A table 6-1). */
.macro EXCEPTION_STUB vector
    .align 16
exception_stub_\vector:
    .if (\vector == 8) || (\vector >= 10 && \vector <= 14) || (\vector == 17) || (\vector == 21) || (\vector == 29) || (\vector == 30)
    .else
    push    $0
    .endif
    push    $\vector
    push    $ENTRY_EXCEPTION
    .if (\vector == 1) || (\vector == 2) || (\vector == 18)
    testb   $3, 32(%rsp)                /* the saved CS: from user mode? */
    jnz     ist_from_user
    .endif
    jmp     interrupt_common
.endm

.macro IRQ_STUB vector
    .align 16
irq_stub_\vector:
    push    $0
    push    $\vector
    push    $ENTRY_IRQ
    jmp     interrupt_common
.endm

    .globl exception_stubs
exception_stubs:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    EXCEPTION_STUB \v
    .endr
    .irp v, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
    IRQ_STUB \v
    .endr

/* An IST vector from user mode: the process's kernel stack is empty (no
 * kernel code of its own was running), so its top takes the eight words
 *     +56 ss  +48 rsp  +40 rflags  +32 cs  +24 rip  +16 error  +8 vector
 *     +0 door tag
 * as the CPU and the stub left them on the IST stack. */
ist_from_user:
    push    %rax                                /* IST: +0 rax, +8.. the words */
    mov     %rsp, %rax
    mov     percpu0 + PERCPU_KERNEL_RSP(%rip), %rsp
    .irp off, 64, 56, 48, 40, 32, 24, 16, 8
    pushq   \off(%rax)
    .endr
    mov     (%rax), %rax
    jmp     interrupt_common

interrupt_common:
    SAVE_GPRS
    .globl interrupt_common_saved
interrupt_common_saved:                 /* trap.S joins here for a ring-0 #UD */
    SMAP_CLOSE
    cld
    /* Paranoid GS test: a negative GS base is the kernel's per-CPU block. */
    xor     %ebx, %ebx
    mov     $MSR_GS_BASE, %ecx
    rdmsr
    test    %edx, %edx
    js      1f
    swapgs
    mov     $1, %ebx
1:  mov     %rsp, %rdi
    call    interrupt_dispatch
    /* If we swapped on the way in, the interrupted code ran with the user
     * GS base: leave through the user exit, which swaps back. */
    test    %ebx, %ebx
    jnz     ret_user
    jmp     ret_kernel

/* The address table idt.c walks: one stub per vector 0-47. */
    .section .rodata
    .align 8
    .globl interrupt_stub_table
interrupt_stub_table:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad exception_stub_\v
    .endr
    .irp v, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
    .quad irq_stub_\v
    .endr

    .section .note.GNU-stack, "", @progbits
