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

#include "../../include/sysgate/abi.h"

#define LINUX_NR_MAX        512
#define SYSCALL_TABLE_SIZE  (SG_PRIVATE_BASE + SG_PRIVATE_COUNT)

/* The log of unimplemented numbers (trace.c) keeps one bit per number with
 * a table slot and, after them, one for "a number past the tables": bit
 * UNIMPLEMENTED_PAST.  The fast path of the syscall door tests the running
 * process's bits through percpu.unimplemented_logged. */
#define UNIMPLEMENTED_PAST  SYSCALL_TABLE_SIZE
#define UNIMPLEMENTED_WORDS (SYSCALL_TABLE_SIZE / 64 + 1)

#ifdef __ASSEMBLER__
/* Both fast paths (entry/syscall.S, dispatch_fast.S), for a number past
 * the tables in rax: to \full when it asks for another argument way
 * (abi.h) or is the process's first such number, which the C dispatcher
 * logs (trace.c); on otherwise, where -ENOSYS may be answered at once.
 * Uses rcx. */
#include "../entry/frame.h"
.macro PAST_TABLES_OR full
    test    $(1 << SG_ARGS_STACK_BIT | 1 << SG_ARGS_PAGE_BIT), %eax
    jnz     \full
    mov     %gs:PERCPU_UNIMPLEMENTED, %rcx
    btq     $(UNIMPLEMENTED_PAST % 64), (UNIMPLEMENTED_PAST / 64 * 8)(%rcx)
    jnc     \full
.endm
#else
_Static_assert(LINUX_NR_MAX <= SG_PRIVATE_BASE, "tables.h: the Linux range ends below sysgate's private range");

/* The tables (dispatch.c), filled by syscall_init() from syscalls.def:
 * slot n holds the handler of call n when its path is FAST, the path's
 * full-path stub when it is FULL, and where no call has n sys_enosys
 * (syscall_door_unknown in the syscall door's, which must not read the
 * frame).
 *   syscall_door_table64  the 64-bit SYSCALL door's fast path (entry/syscall.S);
 *                         FULL: syscall_door_full_call
 *   front_table64/32      the dispatcher's front for every other door
 *                         (dispatch_fast.S); FULL: front_full_call */
extern void *syscall_door_table64[SYSCALL_TABLE_SIZE];
extern void *front_table64[SYSCALL_TABLE_SIZE];
extern void *front_table32[SYSCALL_TABLE_SIZE];
void front_full_call(void);
#endif

#endif
