/*
 * front.h - the dispatcher's front in C, for the doors that make their
 * call from C (the exception doors: entry/exception_doors.c);
 * dispatch_fast.S is the same for the doors that make it from assembly.
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

static inline void syscall_front(struct frame *f)
{
    percpu0.syscalls++;
    bool compat = f->cs == USER32_CS;
    uint64_t nr = compat ? (uint32_t)f->rax : f->rax;
    if (percpu0.work || (!compat && f->cs != USER64_CS)) {
        syscall_dispatch(f);
    } else if (nr >= SYSCALL_TABLE_SIZE) {
        /* An argument way of a FAST call (one flag, a number with a slot,
         * its bit in fast_calls64/32); any other way or the process's
         * first such number to the C dispatcher, which logs it (trace.c);
         * -ENOSYS here otherwise. */
        uint64_t way = nr & SG_ARGS_MASK, n = nr & ~(uint64_t)SG_ARGS_MASK;
        const uint64_t *fast_calls = compat ? fast_calls32 : fast_calls64;
        uint64_t logged = percpu0.unimplemented_logged[UNIMPLEMENTED_PAST / 64] >> (UNIMPLEMENTED_PAST % 64);
        if ((way == SG_ARGS_STACK || way == SG_ARGS_PAGE) && n < SYSCALL_TABLE_SIZE &&
            (fast_calls[n / 64] >> (n % 64) & 1))
            syscall_front_way(f, compat, way, compat ? front_table32[n] : front_table64[n]);
        else if (way || !(logged & 1))
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
