/*
 * tables.h - the size of the dispatch tables, for C (dispatch.c) and the
 * assembly that indexes them (dispatch_fast.S, the 64-bit doors in
 * kernel/entry/).
 *
 * One table per width and path covers every number below
 * SYSCALL_TABLE_SIZE: the Linux numbers (below LINUX_NR_MAX: Linux x86-64
 * and i386 have fewer than 512 calls) and sysgate's private range
 * (abi.h), with -ENOSYS in between, so that one unsigned compare decides
 * whether a number has a slot.
 */
#ifndef SYSGATE_SYSCALL_TABLES_H
#define SYSGATE_SYSCALL_TABLES_H

#include <sysgate/abi.h>
#include "../arch/layout.h"

#define LINUX_NR_MAX        512
#define SYSCALL_TABLE_SIZE  (SG_PRIVATE_BASE + SG_PRIVATE_COUNT)

/* The log of unimplemented numbers (trace.c) keeps one bit per number with
 * a table slot and, after them, one for "a number past the tables": bit
 * UNIMPLEMENTED_PAST.  The 64-bit doors' tables show the running process's
 * bits in their slots (dispatch.c, fast_tables_show); the dispatcher's
 * front tests them through percpu.unimplemented_logged. */
#define UNIMPLEMENTED_PAST  SYSCALL_TABLE_SIZE
#define UNIMPLEMENTED_WORDS (SYSCALL_TABLE_SIZE / 64 + 1)

/* The argument page's result (struct sg_argpage, at USER_ARGPAGE and
 * USER32_ARGPAGE: arch/layout.h) and the highest stack pointer whose stack arguments lie below USER_END
 * (uaccess.h's user_range_ok), for the fast paths' argument ways: a
 * 64-bit caller's six quadwords at [sp + 8, sp + 56), a 32-bit caller's
 * six words at [sp + 4, sp + 28) (abi.h). */
#define ARGPAGE_RESULT      48
#define STACK_ARGS_TOP64    (USER_END - 56)
#define STACK_ARGS_TOP32    (USER_END - 28)

#ifdef __ASSEMBLER__
#include "../entry/frame.h"
#include "uaccess_asm.h"

/* Both fast paths (entry/syscall.S, dispatch_fast.S), for a number past
 * the tables in rax: to \way when it asks for another argument way
 * (abi.h), to \full when it is the process's first such number, which
 * the C dispatcher logs (trace.c); on otherwise, where -ENOSYS may be
 * answered at once.  Uses rcx. */
.macro PAST_TABLES_OR way, full
    test    $(1 << SG_ARGS_STACK_BIT | 1 << SG_ARGS_PAGE_BIT), %eax
    jnz     \way
    mov     %gs:PERCPU_UNIMPLEMENTED, %rcx
    btq     $(UNIMPLEMENTED_PAST % 64), (UNIMPLEMENTED_PAST / 64 * 8)(%rcx)
    jnc     \full
.endm

/* A number in rax with an argument way's flag: rax = the number without
 * the flag (the full path needs it back: rax ^ SG_ARGS_PAGE at \page,
 * rax ^ SG_ARGS_STACK after the macro and at \full_stack).  To \page for
 * the argument page, on for the stack; to \full_stack for both flags or a
 * number past the tables (the C dispatcher answers -ENOSYS, logs it and
 * writes the page). */
.macro WAY_DECODE page, full_stack
    xor     $(1 << SG_ARGS_PAGE_BIT), %rax
    cmp     $SYSCALL_TABLE_SIZE, %rax
    jb      \page
    xor     $(1 << SG_ARGS_PAGE_BIT | 1 << SG_ARGS_STACK_BIT), %rax
    cmp     $SYSCALL_TABLE_SIZE, %rax
    jae     \full_stack
.endm

/* Call rax stays on the fast path only if FAST (its bit in \fast_calls,
 * tables.h): a FULL call or a number without a call goes to \full before
 * any argument is read. */
.macro WAY_FAST fast_calls, full
    bt      %rax, \fast_calls(%rip)
    jnc     \full
.endm

/* The stack way's check: \reg = the caller's stack pointer, \sp_field
 * (the frame's rsp); to \full unless the six arguments above it lie below
 * USER_END (\top: stack_args_top64/32), where the C dispatcher answers
 * -EFAULT. */
.macro STACK_ARGS_BASE sp_field, top, reg, full
    mov     \sp_field, \reg
    cmp     \top(%rip), \reg
    ja      \full
.endm

/* One user access that may fault: on a fault, resume at \fixup (the
 * exception table, arch/traps.c). */
.macro GUARDED fixup, insn:vararg
.Lguarded\@:
    \insn
    EXTABLE .Lguarded\@, \fixup
.endm

/* The six arguments, each read once from user memory at \base + \first,
 * \step apart, into the C ABI's argument registers (64-bit: quadwords;
 * 32-bit: words, zero-extended), inside one SMAP window.  A fault goes to
 * \fixup, which must close the window. */
.macro LOAD_ARGS base, first, step, fixup, r1, r2, r3, r4, r5, r6
    SMAP_OPEN
    GUARDED \fixup, mov (\first + 0 * \step)(\base), \r1
    GUARDED \fixup, mov (\first + 1 * \step)(\base), \r2
    GUARDED \fixup, mov (\first + 2 * \step)(\base), \r3
    GUARDED \fixup, mov (\first + 3 * \step)(\base), \r4
    GUARDED \fixup, mov (\first + 4 * \step)(\base), \r5
    GUARDED \fixup, mov (\first + 5 * \step)(\base), \r6
    SMAP_CLOSE
.endm
#define ARGS64 %rdi, %rsi, %rdx, %rcx, %r8, %r9
#define ARGS32 %edi, %esi, %edx, %ecx, %r8d, %r9d

/* The partial frame of a 64-bit door that preserves rcx and r11 (int80.S,
 * callgate.S, trap.S), under the words the CPU pushed: the door words
 * skipped, the argument registers, rcx and r11 - eight pushes, frame.h's
 * order; rax and the registers C preserves are left to the full path. */
.macro DOOR_PARTIAL_FRAME
    sub     $FRAME_DOOR_WORDS, %rsp             /* error, vector, tag: skipped */
    SAVE_ARG_REGS
    SAVE_RCX_R11
.endm

/* The fast exit of a door the CPU entered through an interrupt gate
 * (int80.S, trap.S): DOOR_PARTIAL_FRAME's registers back (rax is the
 * result), and IRETQ to the five words the CPU pushed. */
.macro DOOR_IRETQ_EXIT
    RESTORE_RCX_R11
    RESTORE_ARG_REGS
    add     $FRAME_DOOR_WORDS, %rsp
    swapgs
    iretq
.endm

/* The one test most 64-bit doors' fast paths make (int80.S, callgate.S,
 * trap.S; syscall.S and sysenter.S fold more into theirs): the call
 * counted for the process (sg_info), and to the full path while
 * percpu.work is set. */
.macro DOOR_WORK_TEST door
\door\()_fast_test:
    incq    %gs:PERCPU_SYSCALLS
    cmpq    $0, %gs:PERCPU_WORK
    jne     \door\()_full
.endm

/* The rest of a 64-bit door's fast path, after its test: the dispatch
 * (DOOR_DISPATCH), the door's fast exit (\exit, a macro), the numbers past
 * the table (DOOR_PAST_TABLE), the argument ways (DOOR_WAYS, \sp the
 * frame's user RSP), and the FULL calls' stub (DOOR_FULL_CALL), which
 * falls into the door's full path: \door\()_full must follow. */
.macro DOOR_FAST_PATH door, table, sp, exit
\door\()_fast_dispatch:
    DOOR_DISPATCH \door, \table
\door\()_fast_exit:
    \exit

    DOOR_PAST_TABLE \door, \table, \exit
    DOOR_WAYS \door, \table, \sp, \exit, \door\()_fast_exit
    DOOR_FULL_CALL \door
.endm

/* A full path writes the three door words its fast path skipped, with the
 * values a complete frame has: error code 0, \vector, the door's \tag;
 * \base is where the frame starts, from %rsp. */
.macro DOOR_WORDS vector, tag, base
    movq    $0, \base + FRAME_ERROR(%rsp)
    movq    $\vector, \base + FRAME_VECTOR(%rsp)
    movq    $\tag, \base + FRAME_ENTRY(%rsp)
.endm

/* The full path of a door whose fast path saved the argument registers,
 * rcx and r11 (%rsp at the r11 slot): the door words, rax (still the
 * number as the caller passed it) and the registers C preserves (still
 * the caller's), then the C dispatcher, which reads the number and the
 * arguments from the frame, and ret_user.  The call was counted on the
 * fast path. */
.macro DOOR_FULL_PATH door, vector, tag
\door\()_full:
    DOOR_WORDS \vector, \tag, -FRAME_R11
    SAVE_REST_REGS
    mov     %rsp, %rdi
    call    syscall_dispatch
    jmp     ret_user
.endm

/* The dispatch of a 64-bit door's own fast path (entry/syscall.S, int80.S,
 * callgate.S, sysenter.S, trap.S): rax = the number, the arguments in rdi
 * rsi rdx r10 r8 r9 (r10 becomes the C ABI's rcx); the handler through the
 * door's own \table (dispatch.c fills it: a FAST call's handler, the
 * door's \door\()_full_call in a FULL call's slot, and in an empty slot
 * the same, or enosys_logged once the running process has had that number
 * logged).  A number past the table goes to \door\()_past_table. */
.macro DOOR_DISPATCH door, table
    cmp     $SYSCALL_TABLE_SIZE, %rax
    jae     \door\()_past_table
    mov     %r10, %rcx
    call    *\table(,%rax,8)
.endm

/* A FULL call's slot in a door's table (and an empty one, until the number
 * is logged): drop the return address and fall through into the door's
 * full path, which follows the macro, rax still the number (the table's
 * call does not change it). */
.macro DOOR_FULL_CALL door
\door\()_full_call:
    add     $8, %rsp
.endm

/* A number past the tables on a door's fast path: to the argument ways
 * (\door\()_way) when it asks for one (abi.h), to the full path unless the
 * running process has had such a number logged already - the table's one
 * slot past its end holds enosys_logged then (dispatch.c) - and -ENOSYS
 * otherwise, straight out through \exit, a copy of the door's fast exit
 * (the jump back to it would cost one more).  Uses nothing but rax. */
.macro DOOR_PAST_TABLE door, table, exit
\door\()_past_table:
    test    $(1 << SG_ARGS_STACK_BIT | 1 << SG_ARGS_PAGE_BIT), %eax
    jnz     \door\()_way
    cmpq    $enosys_logged, \table + 8 * SYSCALL_TABLE_SIZE(%rip)
    jne     \door\()_full
    mov     $-SG_ENOSYS, %rax
    \exit
.endm

/* A door's argument ways on its own fast path (docs/mechanisms.md "The
 * argument ways"), after DOOR_PAST_TABLE (or compat_doors.S's COMPAT_PAST)
 * sent a flagged number to \door\()_way, for a caller of width \bits
 * (its stack arguments \first bytes above the stack pointer \sp, the
 * frame's user RSP; its page USER_ARGPAGE or USER32_ARGPAGE): each
 * argument read once, with a guarded load, into the C ABI's register (the
 * partial frame keeps the caller's: the exit restores them), the call
 * through \table, the page's result written back with one guarded store.
 * \exit is the door's fast exit macro, expanded once more to end the stack
 * way (the jump back would cost one more), \exit_label where the page way
 * jumps to it.  Every way to the full path (\door\()_full) puts back the
 * flag WAY_DECODE took off rax, so that the C dispatcher sees the number
 * as the caller passed it.  A fault on a load takes the full path, whose
 * dispatcher reads the arguments again and answers -EFAULT (nothing read
 * here was used); a fault on the store answers -EFAULT, as the dispatcher
 * does. */
.macro DOOR_WAYS door, table, sp, exit, exit_label, bits=64, first=8
\door\()_way:
    WAY_DECODE \door\()_way_page, \door\()_way_full_stack
    WAY_FAST fast_calls\bits, \door\()_way_full_stack
    STACK_ARGS_BASE \sp, stack_args_top\bits, %r10, \door\()_way_full_stack
    .if \bits == 64
    LOAD_ARGS %r10, \first, 8, \door\()_way_fault_stack, ARGS64
    .else
    LOAD_ARGS %r10, \first, 4, \door\()_way_fault_stack, ARGS32
    .endif
    call    *\table(,%rax,8)
    \exit

\door\()_way_page:
    WAY_FAST fast_calls\bits, \door\()_way_full_page
    .if \bits == 64
    movabs  $USER_ARGPAGE, %r10
    LOAD_ARGS %r10, 0, 8, \door\()_way_fault_page, ARGS64
    call    *\table(,%rax,8)
    STORE_RESULT USER_ARGPAGE, \door\()_result_fault
    .else
    movabs  $USER32_ARGPAGE, %r10                  /* the low halves of its quadwords */
    LOAD_ARGS %r10, 0, 8, \door\()_way_fault_page, ARGS32
    call    *\table(,%rax,8)
    STORE_RESULT USER32_ARGPAGE, \door\()_result_fault
    .endif
    jmp     \exit_label

\door\()_result_fault:
    SMAP_CLOSE
    mov     $-SG_EFAULT, %rax
    jmp     \exit_label

\door\()_way_fault_stack:
    SMAP_CLOSE
\door\()_way_full_stack:
    xor     $(1 << SG_ARGS_STACK_BIT), %rax
    jmp     \door\()_full

\door\()_way_fault_page:
    SMAP_CLOSE
\door\()_way_full_page:
    xor     $(1 << SG_ARGS_PAGE_BIT), %rax
    jmp     \door\()_full
.endm

/* An empty slot of compat_table32 (compat_doors.S; the 64-bit doors'
 * tables show the log in their slots instead: fast_tables_show):
 * -ENOSYS, once the process's first call of this number has been logged
 * through the full path (\full_call).  The number is still in rax (the
 * table's call does not change it). */
.macro UNKNOWN_SLOT full_call
    mov     %gs:PERCPU_UNIMPLEMENTED, %rcx
    bt      %rax, (%rcx)
    jnc     \full_call
    mov     $-SG_ENOSYS, %rax
    ret
.endm

/* The result in rax to the argument page at \page (an absolute address:
 * the one store from rax that takes a 64-bit address, Intel SDM vol. 2B
 * MOV moffs64), guarded; a fault goes to \fixup, which must close the
 * window. */
.macro STORE_RESULT page, fixup
    SMAP_OPEN
    GUARDED \fixup, movabs %rax, \page + ARGPAGE_RESULT
    SMAP_CLOSE
.endm
#else
_Static_assert(LINUX_NR_MAX <= SG_PRIVATE_BASE, "tables.h: the Linux range ends below sysgate's private range");
_Static_assert(USER_ARGPAGE == SG_ARGPAGE_ADDRESS && USER32_ARGPAGE == SG_ARGPAGE_ADDRESS32, "tables.h: the argument pages");
_Static_assert(ARGPAGE_RESULT == __builtin_offsetof(struct sg_argpage, result) &&
               __builtin_offsetof(struct sg_argpage, args) == 0, "tables.h: struct sg_argpage's layout");

/* The tables (dispatch.c), filled by syscall_init() from syscalls.def:
 * slot n holds the handler of call n when its path is FAST, the path's
 * full-path stub when it is FULL, and where no call has n sys_enosys
 * (which logs the number from the frame) - except in the 64-bit doors'
 * own tables, whose fast paths save only part of the frame: there an
 * empty slot holds the door's full-path stub, or enosys_logged once the
 * running process has had the number logged, and one more slot past the
 * end says the same for the numbers past the tables (fast_tables_show).
 *   <door>_table64        a 64-bit door's own fast path (entry/syscall.S,
 *                         int80.S, callgate.S, sysenter.S, trap.S);
 *                         FULL: <door>_full_call
 *   exception_table64     the 64-bit exception doors' one fast path
 *                         (entry/exception_entry.S); FULL: exdoor64_full_call
 *   compat_table32        the fast paths of the five system-call doors for
 *                         32-bit callers (entry/compat_doors.S); FULL:
 *                         compat_full_call, empty: compat_unknown
 *   front_table64/32      the dispatcher's front (dispatch_fast.S, front.h)
 *                         for every other door; FULL: front_full_call */
#define DOOR_TABLE_SLOTS (SYSCALL_TABLE_SIZE + 1)
extern void *syscall_door_table64[DOOR_TABLE_SLOTS], *int80_table64[DOOR_TABLE_SLOTS],
    *callgate_table64[DOOR_TABLE_SLOTS], *sysenter_table64[DOOR_TABLE_SLOTS], *trap_table64[DOOR_TABLE_SLOTS],
    *exception_table64[DOOR_TABLE_SLOTS];
extern void *compat_table32[SYSCALL_TABLE_SIZE];
long enosys_logged(void);
/* Make the 64-bit doors' tables show these unimplemented_logged bits (the
 * running process's, count of them set): at every switch, after a log, at
 * exec. */
void fast_tables_show(const uint64_t *logged, uint32_t count);
extern void *front_table64[SYSCALL_TABLE_SIZE];
extern void *front_table32[SYSCALL_TABLE_SIZE];
/* One bit per slot: set where the slot holds a FAST call's handler (the
 * argument ways' fast paths call only those). */
extern uint64_t fast_calls64[UNIMPLEMENTED_WORDS], fast_calls32[UNIMPLEMENTED_WORDS];
/* STACK_ARGS_TOP64/32 in memory, for the assembly's compare (no imm32). */
extern const uint64_t stack_args_top64, stack_args_top32;
void front_full_call(void);
#endif

#endif
