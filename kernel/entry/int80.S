/*
 * int80.S - system calls through `int $0x80`.
 *
 * What the hardware did (Intel SDM vol. 3A 6.12.1, 6.14; AMD APM vol. 2
 * 8.9): the IDT entry for vector 0x80 is a 64-bit interrupt gate with DPL 3
 * (so ring 3 may name it: SDM 6.12.1.1), so the CPU switched to RSP0 from
 * the TSS, pushed SS, RSP, RFLAGS, CS and RIP (RIP already past the 2-byte
 * `int` instruction), and cleared IF, TF, NT and RF.  No error code.
 * Every general-purpose register still holds the user's value; GS base
 * is the user's.
 *
 * Register use (docs/abi.md): rax = number, rdi rsi rdx r10 r8 r9 =
 * arguments, rax = result; every other register is preserved.
 *
 *     +176 ss  +168 rsp  +160 rflags  +152 cs  +144 rip   (hardware)
 *     +136 0            error code slot                    (below)
 *     +128 0x80         vector                             (below)
 *     +120 SG_MECH_INT80 door tag                          (below)
 *     +112 rdi ... +0 r15                                  (SAVE_GPRS)
 *
 * AC is not cleared by the gate: SMAP_CLOSE does it.  The exit is ret_user
 * (exit.S), which for SG_MECH_INT80 is always iretq.
 */
#include "frame.h"
#include "../syscall/uaccess_asm.h"

    .text
    .globl int80_entry
    .align 16
int80_entry:
    push    $0
    push    $SYSCALL_VECTOR
    push    $SG_MECH_INT80
    SAVE_GPRS
    SMAP_CLOSE
    /* The gate has DPL 3 and no kernel code executes int $0x80, so we
     * always come from ring 3: the GS base is the user's. */
    swapgs
    cld
    call    syscall_enter
    jmp     ret_user

    .section .note.GNU-stack, "", @progbits
