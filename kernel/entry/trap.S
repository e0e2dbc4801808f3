/*
 * trap.S - the #UD door: trap-based entry (trap.c says which byte
 * sequences are doors and why they can never become valid instructions).
 *
 * What the hardware did (Intel SDM vol. 3A 6.15 "#UD"; AMD APM vol. 2 8.2):
 * an invalid instruction raised #UD, a fault - the saved RIP is the
 * instruction itself - through an interrupt gate (vector 6, DPL 0, so
 * `int $6` from ring 3 is a #GP, not this): RSP0 from the TSS when it came
 * from ring 3, SS RSP RFLAGS CS RIP pushed, no error code, IF TF NT RF
 * cleared; AC, DF and GS untouched.
 *
 *     +176 ss  +168 rsp  +160 rflags  +152 cs  +144 rip   (hardware)
 *     +136 0            error code slot                    (below)
 *     +128 6            vector                             (below)
 *     +120 ENTRY_EXCEPTION, SG_MECH_TRAP once trap.c recognises a door
 *     +112 rdi ... +0 r15                                  (SAVE_GPRS)
 *
 * 32-bit callers (CS = USER32_CS) take their own fast path first,
 * trap_ud_entry32 (compat_doors.S), which comes back to trap_ud_full for
 * every #UD it does not answer.
 *
 * From ring 3 the door first looks for the trap system call itself: one
 * guarded 4-byte load at RIP (a user address by construction: the fault
 * came from ring 3; the load's fixup sends anything unreadable to the slow
 * path).  On a match it advances RIP past the four bytes and dispatches
 * like every door, the caller's registers still live.  The same load
 * tells the lock-nop query (F0 90), answered here: rax, rcx and rdx from
 * trap_query_answer (trap.c: fixed at boot for each width), RIP past the
 * two bytes, and straight back with IRETQ - unless percpu.work is set,
 * which takes the C answer and ret_user (exit.S), where the work is done.
 * Everything else - a #UD near the end of a mapping, any other invalid
 * instruction - goes to trap_classify() (trap.c), which answers the query
 * in the frame or kills the process.  A #UD in ring 0 is a kernel bug: the
 * ordinary exception path reports it.  The exit is iretq.
 *
 * The query's own exit restores r11 (the only register the door used)
 * from the frame and returns to the RIP, CS, RFLAGS, RSP and SS the CPU
 * pushed, RIP + 2 - the words the entry wrote, nothing else.  Its IRETQ
 * cannot fault, so it is not in exit.S's exit_fault_table: RIP + 2 is
 * canonical and inside the process's space (the four bytes at RIP were
 * just read from a user page, below USER_END), and CS and SS are the
 * selectors the CPU had loaded at the #UD, checked against tables nothing
 * has changed since (interrupts are off from the gate to IRETQ).
 */
#include "frame.h"
#include "entry.h"
#include "../syscall/uaccess_asm.h"
#include <sysgate/kip.h>

/* 0F 0B "SG" read as one little-endian 32-bit word; F0 90 as a 16-bit one. */
#define TRAP_SYSCALL_WORD (0x0b0f | SG_TRAP_SIGNATURE_0 << 16 | SG_TRAP_SIGNATURE_1 << 24)
#define TRAP_LOCK_NOP_WORD 0x90f0

/* The frame's words below the CPU's, and the registers. */
.macro UD_FRAME
    push    $0
    push    $UD_VECTOR
    push    $ENTRY_EXCEPTION
    SAVE_GPRS
.endm

    .text
    .globl trap_ud_entry, trap_ud_full
    .align 16
trap_ud_entry:
    cmpq    $USER64_CS, 8(%rsp)         /* the CS the CPU pushed */
    jne     trap_ud_entry_not64
    UD_FRAME
.Lfrom_user:
    SMAP_CLOSE
    swapgs
    cld
    mov     FRAME_RIP(%rsp), %r11           /* r11: scratch, restored from the frame */
    SMAP_OPEN
1:  movl    (%r11), %r11d
    SMAP_CLOSE
    cmp     $TRAP_SYSCALL_WORD, %r11d
    jne     3f
    addq    $4, FRAME_RIP(%rsp)
    movq    $SG_MECH_TRAP, FRAME_ENTRY(%rsp)
    call    syscall_enter
    jmp     ret_user

3:  cmp     $TRAP_LOCK_NOP_WORD, %r11w
    jne     4f
    cmpq    $0, %gs:PERCPU_WORK
    jne     4f
trap_lock_nop_query:
    mov     %gs:PERCPU_COMPAT, %r11             /* 0 or 1: the answers' row */
    shl     $4, %r11
    mov     trap_query_answer + TRAP_QUERY_KIP(%r11), %rax
    mov     trap_query_answer + TRAP_QUERY_MECHANISMS(%r11), %rcx
    mov     $SG_KIP_VERSION, %edx
    addq    $2, FRAME_RIP(%rsp)
    mov     FRAME_R11(%rsp), %r11
    add     $FRAME_RIP, %rsp
    swapgs
    iretq

2:  SMAP_CLOSE                              /* the load faulted */
4:  mov     %rsp, %rdi
    call    trap_classify
    cmp     $TRAP_SYSCALL, %eax
    jne     ret_user
    RELOAD_CALL_REGS
    call    syscall_enter
    jmp     ret_user
    EXTABLE 1b, 2b

/* 32-bit code (CS = USER32_CS) has its own fast path; everything else -
 * ring 0, an LDT code segment, and every #UD that trap_ud_entry32 does not
 * answer itself - comes through trap_ud_full. */
trap_ud_entry_not64:
    cmpq    $USER32_CS, 8(%rsp)
    je      trap_ud_entry32             /* compat_doors.S */
trap_ud_full:
    UD_FRAME
    testb   $3, FRAME_CS(%rsp)
    jz      interrupt_common_saved
    jmp     .Lfrom_user

    .section .note.GNU-stack, "", @progbits
