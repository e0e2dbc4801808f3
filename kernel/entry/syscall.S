/*
 * syscall.S - the SYSCALL door for 64-bit processes: its fast path, with
 * its own SYSRET, and the way from it onto the full path.
 *
 * What the hardware did (Intel SDM vol. 2B SYSCALL; AMD APM vol. 2 6.1.1,
 * vol. 3 SYSCALL): RCX = the user RIP of the next instruction, R11 = the
 * user RFLAGS, RFLAGS &= ~IA32_FMASK (sysgate masks IF, TF, DF, NT, AC and
 * IOPL: mechanisms.c), CS = STAR[47:32], SS = STAR[47:32] + 8 (fixed flat
 * attributes, no descriptor read), RIP = LSTAR.  It did NOT switch the
 * stack (RSP is still the user's), save anything in memory, or touch GS.
 * So nothing may be pushed before the stack switch, and the GS swap comes
 * first: the per-CPU block holds the kernel stack pointer.  IF is 0 from
 * here to SYSRET: nothing asynchronous can land on this stack.
 *
 * Register use (docs/abi.md): rax = number, rdi rsi rdx r10 r8 r9 =
 * arguments; rax = result, rcx = return RIP, r11 = RFLAGS; everything else
 * preserved.
 *
 * The fast path (docs/mechanisms.md, "The fast path") writes only what it
 * needs of the frame (frame.h) and reads back only what it wrote:
 *
 *     +176 ss      skipped: the full path writes USER_DS
 *     +168 rsp     user RSP     (parked in percpu.user_rsp meanwhile)
 *     +160 rflags  R11          (the user's, before masking)
 *     +152 cs      skipped: the full path writes USER64_CS
 *     +144 rip     RCX
 *     +136 error, +128 vector, +120 entry: skipped, the full path writes them
 *     +112 rdi ... +72 r9       SAVE_ARG_REGS: the registers C may clobber
 *                               that the caller gets back
 *     +64 rax ... +0 r15        not written: rbx rbp r12-r15 are preserved by
 *                               the C handler itself, rax rcx r11 are the ABI's
 *
 * One test decides whether the call may stay on it: the user RFLAGS have
 * TF or RF set (SYSRET restores neither faithfully: the exit checks of
 * exit.S), the return RIP is not canonical (SYSRET would #GP in ring 0 on
 * Intel: CVE-2012-0217), or percpu.work is set (the trace, or work before
 * the return to user mode), tested in four instructions.  Any of them, an
 * argument way or a FULL call (its table slot is syscall_door_full_call)
 * takes the full path:
 * syscall_full completes the frame and goes through the C dispatcher and
 * ret_user, as every other door.  A FAST call cannot read or change the
 * frame (syscalls.def; tools/check-fast-calls checks it at every build),
 * so the words the test read are still the ones SYSRET returns to.
 */
#include "frame.h"
#include "../arch/selectors_msrs.h"
#include "../syscall/tables.h"
#include "../arch/layout.h"

#define FAST(field) (FRAME_##field - FRAME_ENTRY)(%rsp)   /* the frame, from the skipped words */
#define FULL(field) (FRAME_##field - FRAME_R9)(%rsp)      /* the frame, from the last argument */

/* The fast exit: the argument registers back, and SYSRET to the RIP and
 * RFLAGS the entry saved (the test above checked them), on the user's
 * stack. */
.macro SYSCALL_FAST_EXIT
    RESTORE_ARG_REGS
    mov     FAST(RIP), %rcx
    mov     FAST(RFLAGS), %r11
    mov     FAST(RSP), %rsp
    swapgs
    sysretq
.endm

    .text
    .globl syscall_entry, syscall_door_full_call, syscall_door_unknown
/* The parts of the fast path have named labels: tools/bench --trace groups
 * the instructions it steps through by them. */
    .align 16
syscall_entry:
    swapgs
    mov     %rsp, %gs:PERCPU_USER_RSP
    mov     %gs:PERCPU_SYSCALL_RSP, %rsp        /* the ss word, skipped */
syscall_fast_frame:
    push    %gs:PERCPU_USER_RSP
    push    %r11
    mov     %rcx, -16(%rsp)                     /* rip, under the skipped cs word */
    sub     $16 + FRAME_DOOR_WORDS, %rsp        /* cs, rip, error, vector, entry */
    SAVE_ARG_REGS

syscall_fast_test:
    incq    %gs:PERCPU_SYSCALLS                 /* the process's count (sg_info) */

    /* The one test, on r11 (in the frame now, free as scratch): the unsafe
     * flags, plus bit 47 of the return RIP as the carry, plus the work
     * word - not 0 if any is.  Bit 47 is the whole canonical test here:
     * SYSCALL from ring 3 leaves the next RIP in RCX, at most
     * 0x0000800000000000 (bits 63:48 clear, bit 47 set only past the
     * lower half's end) or in the upper half (bit 47 set). */
    and     $FAST_EXIT_UNSAFE_FLAGS, %r11
    bt      $47, %rcx
    adc     %gs:PERCPU_WORK, %r11
    jnz     syscall_full

syscall_fast_dispatch:
    cmp     $SYSCALL_TABLE_SIZE, %rax
    jae     syscall_past_table
    mov     %r10, %rcx
    call    *syscall_door_table64(,%rax,8)
syscall_fast_exit:
    SYSCALL_FAST_EXIT

/* A number past the tables: -ENOSYS here, unless it asks for another
 * argument way (abi.h), or is the process's first such number, which the
 * C dispatcher logs (trace.c). */
syscall_past_table:
    PAST_TABLES_OR syscall_way, syscall_full
    mov     $-SG_ENOSYS, %rax
    jmp     syscall_fast_exit

/* The argument ways (tables.h): rax without its flag there, which every
 * way to the full path puts back. */
    DOOR_WAYS syscall, syscall_door_table64, FULL(RSP), syscall_way_full_stack, syscall_way_full_page, \
              syscall_fast_exit, SYSCALL_FAST_EXIT

syscall_way_full_stack:
    xor     $(1 << SG_ARGS_STACK_BIT), %rax
    jmp     syscall_full

syscall_way_full_page:
    xor     $(1 << SG_ARGS_PAGE_BIT), %rax
    jmp     syscall_full

/* An empty slot of syscall_door_table64 (tables.h). */
syscall_door_unknown:
    UNKNOWN_SLOT syscall_door_full_call

/* A FULL call's slot in syscall_door_table64: drop the return address and
 * take the full path, rax still the number. */
syscall_door_full_call:
    add     $8, %rsp

/* The full path: write every word the fast path skipped, with the values
 * SYSCALL_DOOR_FRAME (frame.h) gives them, then the rest of the registers
 * - rcx and r11 as the hardware left them - and dispatch in C. */
syscall_full:
    SYSCALL_DOOR_COMPLETE USER64_CS
    mov     %rsp, %rdi
    call    syscall_dispatch
    jmp     ret_user

    .section .note.GNU-stack, "", @progbits
