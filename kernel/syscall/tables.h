/*
 * tables.h - the size of the dispatch tables, for C (dispatch.c) and the
 * assembly that indexes them (dispatch_fast.S, entry/syscall.S).
 *
 * One table per width and path covers every number below
 * SYSCALL_TABLE_SIZE: the Linux numbers (below LINUX_NR_MAX: Linux x86-64
 * and i386 have fewer than 512 calls) and sysgate's private range
 * (abi.h), with sys_enosys in between (syscall_door_unknown in the
 * syscall door's table: entry/syscall.S), so that one unsigned compare
 * decides whether a number has a slot.
 */
#ifndef SYSGATE_SYSCALL_TABLES_H
#define SYSGATE_SYSCALL_TABLES_H

#include <sysgate/abi.h>
#include "../arch/layout.h"

#define LINUX_NR_MAX        512
#define SYSCALL_TABLE_SIZE  (SG_PRIVATE_BASE + SG_PRIVATE_COUNT)

/* The log of unimplemented numbers (trace.c) keeps one bit per number with
 * a table slot and, after them, one for "a number past the tables": bit
 * UNIMPLEMENTED_PAST.  The fast path of the syscall door tests the running
 * process's bits through percpu.unimplemented_logged. */
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

/* A door's argument ways on its own fast path (entry/syscall.S,
 * entry/int80.S, entry/compat_doors.S; docs/mechanisms.md "The argument
 * ways"), for a caller of width \bits (its stack arguments \first bytes
 * above the stack pointer \sp, its page USER_ARGPAGE or USER32_ARGPAGE), after
 * PAST_TABLES_OR sent a flagged number to \door\()_way: each argument
 * read once, with a guarded load, into the C ABI's register (the partial
 * frame keeps the caller's: the exit restores them), the call through
 * \table, the page's result written back with one guarded store.  \sp is
 * the frame's user RSP; \full_stack and \full_page take the full path
 * with rax as WAY_DECODE left it on each way (flag off), \exit is the
 * door's fast exit and \stack_exit a copy of it that ends the stack way
 * (the jump back would cost one more).  A fault on a load takes the full
 * path, whose dispatcher reads the arguments again and answers -EFAULT
 * (nothing read here was used); a fault on the store answers -EFAULT, as
 * the dispatcher does. */
.macro DOOR_WAYS door, table, sp, full_stack, full_page, exit, stack_exit, bits=64, first=8
\door\()_way:
    WAY_DECODE \door\()_way_page, \full_stack
    WAY_FAST fast_calls\bits, \full_stack
    STACK_ARGS_BASE \sp, stack_args_top\bits, %r10, \full_stack
    .if \bits == 64
    LOAD_ARGS %r10, \first, 8, \door\()_way_fault_stack, ARGS64
    .else
    LOAD_ARGS %r10, \first, 4, \door\()_way_fault_stack, ARGS32
    .endif
    call    *\table(,%rax,8)
\door\()_fast_exit_stack:
    \stack_exit

\door\()_way_page:
    WAY_FAST fast_calls\bits, \full_page
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
    jmp     \exit

\door\()_result_fault:
    SMAP_CLOSE
    mov     $-SG_EFAULT, %rax
    jmp     \exit

\door\()_way_fault_stack:
    SMAP_CLOSE
    jmp     \full_stack

\door\()_way_fault_page:
    SMAP_CLOSE
    jmp     \full_page
.endm

/* An empty slot of a door's own table (syscall_door_table64,
 * int80_table64): -ENOSYS, once the process's first call of this number
 * has been logged through the full path (\full_call).  The number is
 * still in rax (the table's call does not change it): the door's fast path
 * writes no rax slot it could be read from. */
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
 * (syscall_door_unknown in the syscall door's, which must not read the
 * frame).
 *   syscall_door_table64  the 64-bit SYSCALL door's fast path (entry/syscall.S);
 *                         FULL: syscall_door_full_call
 *   int80_table64         int $0x80's fast path for 64-bit callers (entry/int80.S);
 *                         FULL: int80_full_call, empty: int80_unknown
 *   compat_table32        the fast paths of the five system-call doors for
 *                         32-bit callers (entry/compat_doors.S); FULL:
 *                         compat_full_call, empty: compat_unknown
 *   front_table64/32      the dispatcher's front for every other door
 *                         (dispatch_fast.S); FULL: front_full_call */
extern void *syscall_door_table64[SYSCALL_TABLE_SIZE];
extern void *int80_table64[SYSCALL_TABLE_SIZE];
extern void *compat_table32[SYSCALL_TABLE_SIZE];
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
