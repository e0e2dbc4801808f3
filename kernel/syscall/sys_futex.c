/*
 * futex(2) for threads: FUTEX_WAIT, FUTEX_WAKE, FUTEX_WAIT_BITSET,
 * FUTEX_WAKE_BITSET, FUTEX_REQUEUE and FUTEX_CMP_REQUEUE, with or without
 * FUTEX_PRIVATE_FLAG, timeouts relative (WAIT) or absolute (WAIT_BITSET,
 * CLOCK_MONOTONIC or with FUTEX_CLOCK_REALTIME).  A futex is a 32-bit word
 * of an address space: waiters are keyed by (address space, address).
 * Only threads share an address space here (there is no shared memory
 * between processes), so private and shared futexes are the same thing.
 * The kernel is never preempted: the word's test and the sleep cannot be
 * separated by a wake-up (Linux's futex_wait ordering comes for free).
 */
#include "syscall.h"
#include "uaccess.h"
#include "../proc/proc.h"
#include "../mm/space.h"
#include "../time/clock.h"
#include "../../include/sysgate/abi.h"
#include "../../include/sysgate/vvar.h"

#define FUTEX_WAIT            0
#define FUTEX_WAKE            1
#define FUTEX_REQUEUE         3
#define FUTEX_CMP_REQUEUE     4
#define FUTEX_WAIT_BITSET     9
#define FUTEX_WAKE_BITSET     10
#define FUTEX_PRIVATE_FLAG    128
#define FUTEX_CLOCK_REALTIME  256

static const char futex_chan;   /* what every futex waiter blocks on */

static bool waits_on(const struct proc *p, const struct vm_space *vm, uint64_t addr)
{
    return p->state == PROC_BLOCKED && p->wait_chan == &futex_chan && p->futex_vm == vm && p->futex_addr == addr &&
           !p->futex_woken;
}

int futex_wake(const struct vm_space *vm, uint64_t addr, int n, uint32_t mask)
{
    int woken = 0;
    for (int i = 0; i < MAX_PROCS && woken < (n > 0 ? n : 1); i++) {
        struct proc *p = &procs[i];
        if (waits_on(p, vm, addr) && (p->futex_bitset & mask)) {
            p->futex_woken = true;
            p->state = PROC_RUNNABLE;
            woken++;
        }
    }
    return woken;
}

static long futex_wait(struct proc *self, uint64_t addr, uint32_t val, uint32_t bitset, uint64_t deadline)
{
    uint32_t now_val;
    if (get_user_u32(&now_val, addr))
        return -SG_EFAULT;
    if (now_val != val)
        return -SG_EAGAIN;
    if (deadline && clock_monotonic_ns() >= deadline)
        return -SG_ETIMEDOUT;
    self->futex_addr = addr;
    self->futex_vm = self->vm;
    self->futex_bitset = bitset;
    self->futex_woken = false;
    long r;
    for (;;) {
        sched_block(&futex_chan, deadline);
        if (self->futex_woken) {
            r = 0;
            break;
        }
        if (deadline && clock_monotonic_ns() >= deadline) {
            r = -SG_ETIMEDOUT;
            break;
        }
        /* A signal ends the wait: restarted under SA_RESTART, else -EINTR
         * (futex(2)). */
        if (signal_pending(self)) {
            r = signal_restart(-SG_ERESTARTSYS);
            break;
        }
    }
    self->futex_vm = 0;
    return r;
}

/* Wakes up to n waiters on addr and moves up to `moves` of the rest to
 * addr2 (FUTEX_REQUEUE); how many were woken and moved. */
static long futex_requeue(const struct vm_space *vm, uint64_t addr, int n, int moves, uint64_t addr2)
{
    long done = futex_wake(vm, addr, n, ~0u);
    for (int i = 0; i < MAX_PROCS && moves > 0; i++)
        if (waits_on(&procs[i], vm, addr)) {
            procs[i].futex_addr = addr2;
            moves--;
            done++;
        }
    return done;
}

static long do_futex(uint64_t addr, uint64_t op, uint64_t val, uint64_t timeout, uint64_t addr2, uint64_t val3,
                     bool time64)
{
    struct proc *self = current_proc();
    int cmd = (int)(op & ~(uint64_t)(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME));
    bool realtime = op & FUTEX_CLOCK_REALTIME;
    if (realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET)
        return -SG_ENOSYS;
    if (addr % 4 || !user_range_ok(addr, 4))
        return -SG_EINVAL;
    uint64_t deadline = 0;
    long r;
    switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET:
        if (cmd == FUTEX_WAIT_BITSET && !(uint32_t)val3)
            return -SG_EINVAL;
        /* FUTEX_WAIT's timeout is relative (on CLOCK_MONOTONIC), the
         * bitset form's absolute on the chosen clock. */
        if (timeout) {
            r = timeout_deadline(timeout, time64, realtime ? SG_CLOCK_REALTIME : SG_CLOCK_MONOTONIC,
                                 cmd == FUTEX_WAIT_BITSET, &deadline);
            if (r)
                return r;
            if (!deadline)
                return -SG_ETIMEDOUT;   /* an absolute time already past */
        }
        return futex_wait(self, addr, (uint32_t)val, cmd == FUTEX_WAIT ? ~0u : (uint32_t)val3, deadline);
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET:
        if (cmd == FUTEX_WAKE_BITSET && !(uint32_t)val3)
            return -SG_EINVAL;
        return futex_wake(self->vm, addr, (int)val, cmd == FUTEX_WAKE ? ~0u : (uint32_t)val3);
    case FUTEX_CMP_REQUEUE:
    case FUTEX_REQUEUE: {
        if ((int)val < 0 || (int)timeout < 0)
            return -SG_EINVAL;
        if (addr2 % 4 || !user_range_ok(addr2, 4))
            return -SG_EINVAL;
        if (cmd == FUTEX_CMP_REQUEUE) {
            uint32_t now_val;
            if (get_user_u32(&now_val, addr))
                return -SG_EFAULT;
            if (now_val != (uint32_t)val3)
                return -SG_EAGAIN;
        }
        return futex_requeue(self->vm, addr, (int)val, (int)timeout, addr2);
    }
    }
    return -SG_ENOSYS;
}

long sys_futex(uint64_t addr, uint64_t op, uint64_t val, uint64_t timeout, uint64_t addr2, uint64_t val3)
{
    return do_futex(addr, op, val, timeout, addr2, val3, false);
}

/* i386's futex with a 64-bit struct timespec. */
long sys_futex_time64(uint64_t addr, uint64_t op, uint64_t val, uint64_t timeout, uint64_t addr2, uint64_t val3)
{
    return do_futex(addr, op, val, timeout, addr2, val3, true);
}
