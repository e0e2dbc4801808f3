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
 *     +64 rax                the number (the full path's dispatcher reads it)
 *     +56 rcx, +48 r11       C clobbers them and int $0x80 preserves them
 *     +40 rbx ... +0 r15     not written: the C handler preserves them
 *
 * One test of percpu.work (the work ret_user would do, the trace), the
 * number below the table, then the handler through int80_table64 (FULL
 * calls and empty slots: int80's own stubs, which complete the frame) and
 * straight back with IRETQ from the words the CPU pushed.  Anything else -
 * work, a FULL call, a process's first unknown number, a fault on the
 * argument ways - takes int80_full: the skipped words written, the other
 * six registers pushed, the C dispatcher, ret_user, never back here.
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

/* The fast exit: the words the entry wrote, back (rax is the result). */
.macro INT80_FAST_EXIT
    pop     %r11
    pop     %rcx
    add     $8, %rsp                            /* the rax slot */
    RESTORE_ARG_REGS
    add     $FRAME_DOOR_WORDS, %rsp
    swapgs
    iretq
.endm

    .text
    .globl int80_entry, int80_full_call, int80_unknown
    .align 16
int80_entry:
    cmpq    $USER64_CS, 8(%rsp)                 /* the CS the gate pushed */
    jne     int80_entry32
    sub     $FRAME_DOOR_WORDS, %rsp             /* error, vector, tag: skipped */
    SAVE_ARG_REGS
    push    %rax
    push    %rcx
    push    %r11
    SMAP_CLOSE
    /* The gate has DPL 3 and no kernel code executes int $0x80, so we
     * always come from ring 3: the GS base is the user's. */
    swapgs
    cld
int80_fast_test:
    incq    %gs:PERCPU_SYSCALLS                 /* the process's count (sg_info) */
    cmpq    $0, %gs:PERCPU_WORK
    jne     int80_full
int80_fast_dispatch:
    cmp     $SYSCALL_TABLE_SIZE, %rax
    jae     int80_past_table
    mov     %r10, %rcx
    call    *int80_table64(,%rax,8)
int80_fast_exit:
    INT80_FAST_EXIT

/* A number past the tables: -ENOSYS here, unless it asks for another
 * argument way, or is the process's first such number (logged by the C
 * dispatcher). */
int80_past_table:
    PAST_TABLES_OR int80_way, int80_full
    mov     $-SG_ENOSYS, %rax
    jmp     int80_fast_exit

/* The argument ways (tables.h): the frame's rax slot keeps the number
 * with its flag, which is what the full path reads. */
    DOOR_WAYS int80, int80_table64, FULL(RSP), int80_full, int80_full, int80_fast_exit, INT80_FAST_EXIT

/* An empty slot of int80_table64 (tables.h). */
int80_unknown:
    UNKNOWN_SLOT int80_full_call

/* A FULL call's slot in int80_table64: drop the return address. */
int80_full_call:
    add     $8, %rsp

/* The full path: the words the fast path skipped, with the values the
 * complete frame always has, and the registers it did not save (still the
 * caller's: nothing here touches them); the dispatcher reads the number
 * and the arguments from the frame.  The call was counted above. */
int80_full:
    movq    $0, FULL(ERROR)
    movq    $SYSCALL_VECTOR, FULL(VECTOR)
    movq    $SG_MECH_INT80, FULL(ENTRY)
    SAVE_CALLEE_REGS
    mov     %rsp, %rdi
    call    syscall_dispatch
    jmp     ret_user

    .section .note.GNU-stack, "", @progbits
