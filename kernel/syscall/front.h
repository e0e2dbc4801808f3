/*
 * front.h - the dispatcher's front in C, for the doors that make their
 * call from C (the exception doors: entry/exception_doors.c; the argument
 * ways in front_ways.S); dispatch_fast.S is the same for the doors that
 * make it from assembly.
 */
#ifndef SYSGATE_SYSCALL_FRONT_H
#define SYSGATE_SYSCALL_FRONT_H

#include "syscall.h"
#include "tables.h"
#include "../arch/selectors_msrs.h"

/* The dispatcher's front for a door that dispatches from C
 * (entry/exception_doors.c): the decisions of dispatch_fast.S's, with the
 * arguments read from the frame.  Every handler is called with six
 * arguments, as the assembly front does: one that takes fewer ignores the
 * rest (System V AMD64 ABI). */
typedef long (*fast_handler)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

/* front_ways.S: a FAST call's argument way, taken as the assembly fast
 * paths take it; 0 when done (the result in f->rax), 1 when the number is
 * anything else or a load faulted (nothing done). */
int front_way64(struct frame *f, uint64_t number);
int front_way32(struct frame *f, uint64_t number);

/* A number past the tables that is not a FAST call's argument way: to the
 * C dispatcher - a FULL call's way, both flags, a load that faulted, or
 * the process's first such number, which it logs (trace.c) - or -ENOSYS.
 * Out of line: the ways' fast path computes nothing of this. */
static __attribute__((noinline)) void front_past_tables(struct frame *f, uint64_t nr)
{
    if ((nr & SG_ARGS_MASK) || !(percpu0.unimplemented_logged[UNIMPLEMENTED_PAST / 64] >> (UNIMPLEMENTED_PAST % 64) & 1))
        syscall_dispatch(f);
    else
        f->rax = (uint64_t)-SG_ENOSYS;
}

static inline void syscall_front(struct frame *f)
{
    percpu0.syscalls++;
    bool compat = f->cs == USER32_CS;
    uint64_t nr = compat ? (uint32_t)f->rax : f->rax;
    if (percpu0.work || (!compat && f->cs != USER64_CS)) {
        syscall_dispatch(f);
    } else if (nr >= SYSCALL_TABLE_SIZE) {
        /* An argument way of a FAST call (one flag, a number with a slot,
         * its bit in fast_calls64/32), or else front_past_tables. */
        bool done = (compat ? front_way32(f, nr) : front_way64(f, nr)) == 0;
        if (__builtin_expect(!done, 0))
            front_past_tables(f, nr);
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
