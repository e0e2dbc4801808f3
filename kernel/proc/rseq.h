/*
 * Restartable sequences (rseq(2), Linux's kernel/rseq.c): a thread
 * registers a struct rseq in its memory; the kernel keeps the CPU number
 * there current and, when the thread is preempted or gets a signal while
 * inside a critical section it has described (rseq_cs), moves it to the
 * section's abort address before it runs again.  The work is done on the
 * way back to user mode (percpu.work WORK_RSEQ, entry/exit_work.c) and
 * before a signal handler's frame is built (signal.c run_handler).
 */
#ifndef SYSGATE_RSEQ_H
#define SYSGATE_RSEQ_H

#include <stdbool.h>
#include <stdint.h>
#include "../entry/frame.h"

struct proc;
struct frame;

/* A thread's registration (Linux: task_struct rseq, rseq_len, rseq_sig,
 * rseq_event_mask). */
struct rseq_reg {
    uint64_t area;              /* its struct rseq in user memory; 0: none */
    uint32_t len;               /* the length it registered */
    uint32_t sig;               /* the signature before every abort address */
    uint32_t events;            /* RSEQ_EVENT_*: what happened since the last restart check */
};

/* exit_work.c: WORK_RSEQ on the way back to user mode with frame f. */
void rseq_exit_work(struct frame *f);
/* rseq_signal_deliver's work, for a thread r that uses rseq. */
void rseq_signal_notify(struct rseq_reg *r, struct frame *f, int sig);

#define RSEQ_EVENT_PREEMPT 1u
#define RSEQ_EVENT_SIGNAL  2u

/* The hooks are inline, so that processes without rseq pay one test
 * where they pay anything (the exact benchmark's signal, pipe and fork
 * rows). */

/* signal.c run_handler: a handler for sig is about to be entered from
 * frame f by the thread of r: its section is aborted first (Linux's
 * rseq_signal_deliver in setup_rt_frame). */
static inline void rseq_signal_deliver(struct rseq_reg *r, struct frame *f, int sig)
{
    if (r->area)
        rseq_signal_notify(r, f, sig);
}

/* fork.c: a child (whose proc_alloc zeroed it) inherits its parent's
 * registration, except one sharing its memory (CLONE_VM: a thread,
 * vfork), which starts with none (Linux's rseq_fork). */
static inline void rseq_fork(struct rseq_reg *child, const struct rseq_reg *parent, bool shares_vm)
{
    if (!shares_vm)
        *child = *parent;
}

/* loader.c: execve drops the registration (the memory is gone). */
static inline void rseq_exec(struct rseq_reg *r)
{
    *r = (struct rseq_reg){ 0 };
}

/* sched.c switch_to: the thread of r runs again - for its critical
 * section a preemption (Linux's rseq_preempt at every switch), and its CPU
 * fields to write: WORK_RSEQ, if it uses rseq.  A thread without costs
 * this one test, and its calls keep their fast paths. */
static inline void rseq_switch_in(struct rseq_reg *r)
{
    if (r->area) {
        r->events |= RSEQ_EVENT_PREEMPT;
        percpu0.work |= WORK_RSEQ;
    }
}

#endif
