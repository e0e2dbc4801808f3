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
 * 64-bit user code (CS = USER64_CS) takes the trap door's fast path
 * (docs/mechanisms.md, "The fast path"), which writes only part of the
 * frame and reads back only what it wrote:
 *
 *     +176 ss ... +144 rip     the CPU's
 *     +136 error, +128 vector, +120 door tag: skipped
 *     +112 rdi ... +72 r9      SAVE_ARG_REGS
 *     +64 rcx, +56 r11         SAVE_RCX_R11: C clobbers them, the door preserves them
 *     +48 rax ... +0 r15       not written: rax is the number, C preserves the rest
 *
 * A #UD at the interface page's trap stub (trap_stub64: its UD2 is
 * always followed by "SG", in a page the process can neither change nor
 * replace) is the trap system call without a look at the bytes: RIP past
 * the four, one test of percpu.work, the handler through trap_table64
 * (tables.h), and back with IRETQ to the words the CPU pushed.  That IRETQ
 * cannot fault (so it is not in exit.S's exit_fault_table): RIP + 4 is in
 * the interface page, CS and SS are the selectors the CPU had loaded at
 * the #UD, whose descriptors nothing changed since (one CPU: every return
 * to user mode reloads SS - IRETQ and LRETQ from the table, SYSRET and
 * SYSEXIT a fixed one - and only FULL calls change descriptors), and TF,
 * RF, AC, DF, NT and IOPL come back as the process had them.  Anything
 * else - work, a FULL call, a process's first unknown number, a fault on
 * the argument ways - takes trap_full: the door words and the other
 * registers written, the C dispatcher, ret_user (exit.S).
 *
 * Any other #UD from 64-bit code reads the four bytes at RIP with one
 * guarded load (a user address by construction: the fault came from ring
 * 3; the load's fixup sends anything unreadable to trap_classify).  The
 * trap system call written out anywhere (`ud2; .ascii "SG"`) joins the fast
 * path after the stub test.  The lock-nop query (F0 90) is answered here:
 * rax, rcx and rdx from trap_query_answer (trap.c: fixed at boot for each
 * width), RIP past the two bytes, the registers the entry saved, and
 * straight back with the same IRETQ - unless percpu.work is set, which
 * takes the C answer and ret_user, where the work is done.  Everything
 * else completes the frame and goes to trap_classify() (trap.c), which
 * answers the query in the frame, makes the call, or kills the process.
 *
 * 32-bit code has its own fast path (compat_doors.S, trap_ud_entry32);
 * other callers (an LDT code segment; ring 0, where a #UD is a kernel bug
 * that the ordinary exception path reports; a 32-bit #UD that
 * trap_ud_entry32 does not answer) build the complete frame at once
 * (trap_ud_full).
 */
#include "frame.h"
#include "entry.h"
#include "../syscall/tables.h"
#include "../syscall/uaccess_asm.h"
#include <sysgate/kip.h>

/* 0F 0B "SG" read as one little-endian 32-bit word; F0 90 as a 16-bit one. */
#define TRAP_SYSCALL_WORD (0x0b0f | SG_TRAP_SIGNATURE_0 << 16 | SG_TRAP_SIGNATURE_1 << 24)
#define TRAP_LOCK_NOP_WORD 0x90f0

#define FULL(field) (FRAME_##field - FRAME_R11)(%rsp)     /* the frame, from the fast path's last word */

    .text
    .globl trap_ud_entry, trap_ud_full, trap_full_call
    .align 16
trap_ud_entry:
    cmpq    $USER64_CS, 8(%rsp)                 /* the CS the CPU pushed */
    jne     trap_ud_entry_not64
    DOOR_PARTIAL_FRAME
    SMAP_CLOSE
    swapgs
    cld
    mov     FULL(RIP), %r11                     /* r11: scratch, restored from the frame */
    cmp     trap_stub64(%rip), %r11
    jne     trap_ud_bytes
trap_fast_call:
    addq    $4, FULL(RIP)                       /* past ud2 "SG" */
    DOOR_WORK_TEST trap
    DOOR_FAST_PATH trap, trap_table64, FULL(RSP), DOOR_IRETQ_EXIT
    DOOR_FULL_PATH trap, UD_VECTOR, SG_MECH_TRAP

/* A #UD elsewhere in 64-bit code: the bytes at RIP (r11). */
trap_ud_bytes:
    SMAP_OPEN
1:  movl    (%r11), %r11d
    SMAP_CLOSE
    cmp     $TRAP_SYSCALL_WORD, %r11d
    je      trap_fast_call
    cmp     $TRAP_LOCK_NOP_WORD, %r11w
    jne     trap_ud_classify
    cmpq    $0, %gs:PERCPU_WORK
    jne     trap_ud_classify
trap_lock_nop_query:
    addq    $2, FULL(RIP)
    RESTORE_RCX_R11
    RESTORE_ARG_REGS
    add     $FRAME_DOOR_WORDS, %rsp
    mov     %gs:PERCPU_COMPAT, %rcx             /* 0 or 1: the answers' row */
    shl     $4, %rcx
    mov     trap_query_answer + TRAP_QUERY_KIP(%rcx), %rax
    mov     trap_query_answer + TRAP_QUERY_MECHANISMS(%rcx), %rcx
    mov     $SG_KIP_VERSION, %edx
    swapgs
    iretq

2:  SMAP_CLOSE                                  /* the load faulted */
/* Anything else: the complete frame, as an exception's, for trap.c. */
trap_ud_classify:
    DOOR_WORDS UD_VECTOR, ENTRY_EXCEPTION, -FRAME_R11
    SAVE_REST_REGS
    mov     %rsp, %rdi
    call    trap_classify
    cmp     $TRAP_SYSCALL, %eax
    jne     ret_user
    incq    %gs:PERCPU_SYSCALLS
    mov     %rsp, %rdi
    call    syscall_dispatch
    jmp     ret_user
    EXTABLE 1b, 2b

/* 32-bit code (CS = USER32_CS) has its own fast path (compat_doors.S);
 * everything else - ring 0, an LDT code segment, and every #UD that
 * trap_ud_entry32 does not answer itself - gets the complete frame at once
 * (trap_ud_full). */
trap_ud_entry_not64:
    cmpq    $USER32_CS, 8(%rsp)
    je      trap_ud_entry32
trap_ud_full:
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
    movq    $SG_MECH_TRAP, FRAME_ENTRY(%rsp)
    call    syscall_enter
    jmp     ret_user

3:  cmp     $TRAP_LOCK_NOP_WORD, %r11w
    jne     4f
    cmpq    $0, %gs:PERCPU_WORK
    jne     4f
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

    .section .note.GNU-stack, "", @progbits
