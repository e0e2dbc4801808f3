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
 * 64-bit callers take int80's fast path (docs/mechanisms.md, "The fast
 * path"): the frame only in part, read back only where it was written:
 *
 *     +176 ss  +168 rsp  +160 rflags  +152 cs  +144 rip   (hardware)
 *     +136 error, +128 vector, +120 door tag: skipped, the full path writes them
 *     +112 rdi ... +72 r9    SAVE_ARG_REGS
 *     +64 rcx, +56 r11       SAVE_RCX_R11: C clobbers them, int $0x80 preserves them
 *     +48 rax ... +0 r15     not written: rax is the number (still in rax on
 *                            every way to the full path), the C handler
 *                            preserves the rest
 *
 * One test of percpu.work (the work ret_user would do, the trace), the
 * number below the table, then the handler through int80_table64 (FULL
 * calls and empty slots: int80_full_call, which takes the full path; a
 * number the process has had logged: enosys_logged) and straight back
 * with IRETQ from the words the CPU pushed.  Anything else - work, a FULL
 * call, a process's first unknown number, a fault on the argument ways -
 * takes int80_full: the skipped words written, rax and the registers C
 * preserves pushed, the C dispatcher, ret_user, never back here.
 * 32-bit callers (any other CS: their arguments are in other registers)
 * take int80_entry32, their own fast path (compat_doors.S).
 *
 * AC is not cleared by the gate: SMAP_CLOSE does it.  Every exit is IRETQ:
 * the fast one restores RIP, CS, RFLAGS, RSP and SS exactly as the CPU
 * pushed them (a FAST handler cannot reach the frame, which
 * tools/check-fast-calls checks), so it cannot fault - RIP is past an
 * `int $0x80` that ran, below USER_END - and TF, RF, AC, DF, NT and IOPL
 * come back as the process had them, as through ret_user's IRETQ (exit.S).
 */
#include "frame.h"
#include "../syscall/uaccess_asm.h"
#include "../syscall/tables.h"
#include "../arch/layout.h"

#define FULL(field) (FRAME_##field - FRAME_R11)(%rsp)     /* the frame, from the fast path's last word */

    .text
    .globl int80_entry, int80_full_call
    .align 16
int80_entry:
    cmpq    $USER64_CS, 8(%rsp)                 /* the CS the gate pushed */
    jne     int80_entry32
    DOOR_PARTIAL_FRAME
    SMAP_CLOSE
    /* The gate has DPL 3 and no kernel code executes int $0x80, so we
     * always come from ring 3: the GS base is the user's. */
    swapgs
    cld
    DOOR_WORK_TEST int80
    DOOR_FAST_PATH int80, int80_table64, FULL(RSP), DOOR_IRETQ_EXIT
    DOOR_FULL_PATH int80, SYSCALL_VECTOR, SG_MECH_INT80

    .section .note.GNU-stack, "", @progbits
