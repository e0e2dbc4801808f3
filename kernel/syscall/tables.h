/*
 * tables.h - the size of the dispatch tables, for C (dispatch.c) and the
 * assembly that indexes them (dispatch_fast.S, entry/syscall.S).
 *
 * One table per width and path covers every number below
 * SYSCALL_TABLE_SIZE: the Linux numbers (below LINUX_NR_MAX: Linux x86-64
 * and i386 have fewer than 512 calls) and sysgate's private range
 * (abi.h), with sys_enosys in between, so that one unsigned compare
 * decides whether a number has a slot.
 */
#ifndef SYSGATE_SYSCALL_TABLES_H
#define SYSGATE_SYSCALL_TABLES_H

#include "../../include/sysgate/abi.h"

#define LINUX_NR_MAX        512
#define SYSCALL_TABLE_SIZE  (SG_PRIVATE_BASE + SG_PRIVATE_COUNT)

#ifndef __ASSEMBLER__
_Static_assert(LINUX_NR_MAX <= SG_PRIVATE_BASE, "tables.h: the Linux range ends below sysgate's private range");

/* The tables (dispatch.c), filled by syscall_init() from syscalls.def:
 * slot n holds the handler of call n when its path is FAST, the path's
 * full-path stub when it is FULL, and sys_enosys when no call has n.
 *   syscall_door_table64  the 64-bit SYSCALL door's fast path (entry/syscall.S);
 *                         FULL: syscall_door_full_call
 *   front_table64/32      the dispatcher's front for every other door
 *                         (dispatch_fast.S); FULL: front_full_call */
extern void *syscall_door_table64[SYSCALL_TABLE_SIZE];
extern void *front_table64[SYSCALL_TABLE_SIZE];
extern void *front_table32[SYSCALL_TABLE_SIZE];
void front_full_call(void);

#include "syscall.h"
#include "../arch/selectors_msrs.h"

/* The dispatcher's front for a door that dispatches from C
 * (entry/compat.c): the decisions of dispatch_fast.S's, with the
 * arguments read from the frame.  Every handler is called with six
 * arguments, as the assembly front does: one that takes fewer ignores the
 * rest (System V AMD64 ABI). */
typedef long (*fast_handler)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

static inline void syscall_front(struct frame *f)
{
    percpu0.syscalls++;
    bool compat = f->cs == USER32_CS;
    uint64_t nr = compat ? (uint32_t)f->rax : f->rax;
    if (percpu0.work || (!compat && f->cs != USER64_CS)) {
        syscall_dispatch(f);
    } else if (nr >= SYSCALL_TABLE_SIZE) {
        if (nr & SG_ARGS_MASK)
            syscall_dispatch(f);
        else
            f->rax = (uint64_t)-SG_ENOSYS;
    } else {
        void *h = compat ? front_table32[nr] : front_table64[nr];
        fast_handler call = (fast_handler)h;
        if (h == (void *)front_full_call)
            syscall_dispatch(f);
        else if (compat)
            f->rax = (uint64_t)call((uint32_t)f->rbx, (uint32_t)f->rcx, (uint32_t)f->rdx, (uint32_t)f->rsi,
                                    (uint32_t)f->rdi, (uint32_t)f->rbp);
        else
            f->rax = (uint64_t)call(f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9);
    }
}
#endif

#endif
