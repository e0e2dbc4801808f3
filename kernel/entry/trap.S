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
 *     +120 ENTRY_EXCEPTION, ENTRY_TRAP once trap.c recognises a door
 *     +112 rdi ... +0 r15                                  (SAVE_GPRS)
 *
 * From ring 3 the door first looks for the trap system call itself: one
 * guarded 4-byte load at RIP (a user address by construction: the fault
 * came from ring 3; the load's fixup sends anything unreadable to the slow
 * path).  On a match it advances RIP past the four bytes and dispatches
 * like every door, the caller's registers still live.  Everything else -
 * the lock-nop query, a #UD near the end of a mapping, any other invalid
 * instruction - goes to trap_classify() (trap.c), which answers the query
 * in the frame or kills the process.  A #UD in ring 0 is a kernel bug: the
 * ordinary exception path reports it.  The exit is iretq.
 */
#include "frame.h"
#include "entry.h"
#include "../syscall/uaccess_asm.h"

/* 0F 0B "SG" read as one little-endian 32-bit word. */
#define TRAP_SYSCALL_WORD (0x0b0f | SG_TRAP_SIGNATURE_0 << 16 | SG_TRAP_SIGNATURE_1 << 24)

    .text
    .globl trap_ud_entry
    .align 16
trap_ud_entry:
    push    $0
    push    $UD_VECTOR
    push    $ENTRY_EXCEPTION
    SAVE_GPRS
    testb   $3, FRAME_CS(%rsp)
    jz      interrupt_common_saved
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
    movq    $ENTRY_TRAP, FRAME_ENTRY(%rsp)
    call    syscall_enter
    jmp     ret_user
2:  SMAP_CLOSE                              /* the load faulted */
3:  mov     %rsp, %rdi
    call    trap_classify
    cmp     $TRAP_SYSCALL, %eax
    jne     ret_user
    RELOAD_CALL_REGS
    call    syscall_enter
    jmp     ret_user
    EXTABLE 1b, 2b

    .section .note.GNU-stack, "", @progbits
