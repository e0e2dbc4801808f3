/*
 * rseq(2): restartable sequences, as Linux's kernel/rseq.c (6.3 and later:
 * node_id and mm_cid written too).  The thread's struct rseq (uapi
 * linux/rseq.h; the same layout for both widths, 32-byte aligned):
 *
 *   offset  field
 *        0  u32 cpu_id_start   kernel-written: the CPU (always 0: one CPU)
 *        4  u32 cpu_id         kernel-written: the CPU, or -1 unregistered
 *        8  u64 rseq_cs        user-written: the critical section's
 *                              struct rseq_cs, or 0
 *       16  u32 flags          must be 0 (the NO_RESTART flags are gone)
 *       20  u32 node_id        kernel-written: the NUMA node (0)
 *       24  u32 mm_cid         kernel-written: the concurrency id (0)
 *
 * and struct rseq_cs: u32 version (0), u32 flags (0), u64 start_ip, u64
 * post_commit_offset, u64 abort_ip, where the u32 at abort_ip - 4 must be
 * the signature the thread registered.  Between any preemption or signal
 * delivery and the next return to user mode (Linux's
 * __rseq_handle_notify_resume), the kernel writes the CPU fields and, if
 * RIP lies in [start_ip, start_ip + post_commit_offset), moves it to
 * abort_ip and clears rseq_cs.  Anything wrong in the area, the section or
 * its signature at that point is a SIGSEGV the thread cannot block.
 */
#include "rseq.h"
#include "proc.h"
#include "signal.h"
#include "../lib/kernel.h"
#include "../syscall/syscall.h"
#include "../syscall/uaccess.h"
#include <sysgate/abi.h>

#define ORIG_RSEQ_SIZE 32               /* the first struct rseq, padding included */
#define RSEQ_FLAG_UNREGISTER 1
#define RSEQ_CPU_ID_UNINITIALIZED 0xffffffffu

#define RSEQ_CPU_ID_START 0
#define RSEQ_CS 8
#define RSEQ_FLAGS 16

/* The four kernel-written fields at once: cpu_id_start, cpu_id, then
 * node_id and mm_cid beyond the rseq_cs pointer and the flags. */
static int write_ids(const struct rseq_reg *r, uint32_t cpu_start, uint32_t cpu)
{
    uint32_t ids[2] = { cpu_start, cpu }, tail[2] = { 0, 0 };
    if (copy_to_user(r->area + RSEQ_CPU_ID_START, ids, sizeof ids) ||
        copy_to_user(r->area + 20, tail, sizeof tail))
        return -SG_EFAULT;
    return 0;
}

static int clear_cs(uint64_t area)
{
    uint64_t zero = 0;
    return copy_to_user(area + RSEQ_CS, &zero, sizeof zero) ? -SG_EFAULT : 0;
}

struct rseq_cs {
    uint32_t version, flags;
    uint64_t start_ip, post_commit_offset, abort_ip;
};

/* The user address space's end for p (Linux's TASK_SIZE: a 32-bit
 * process's ends below 4 GiB). */
static uint64_t task_size(const struct proc *p)
{
    return p->bits == 64 ? USER_END : USER32_END;
}

/* rseq_get_rseq_cs: the critical section rseq_cs points at, checked; a
 * NULL pointer is an empty one.  0, -EFAULT or -EINVAL. */
static int get_cs(const struct proc *p, struct rseq_cs *cs)
{
    uint64_t ptr;
    if (copy_from_user(&ptr, p->rseq.area + RSEQ_CS, sizeof ptr))
        return -SG_EFAULT;
    if (!ptr) {
        *cs = (struct rseq_cs){ 0 };
        return 0;
    }
    uint64_t top = task_size(p);
    if (ptr >= top)
        return -SG_EINVAL;
    if (copy_from_user(cs, ptr, sizeof *cs))
        return -SG_EFAULT;
    if (cs->start_ip >= top || cs->start_ip + cs->post_commit_offset >= top || cs->abort_ip >= top ||
        cs->version > 0)
        return -SG_EINVAL;
    if (cs->start_ip + cs->post_commit_offset < cs->start_ip)
        return -SG_EINVAL;
    /* The abort address lies outside the section. */
    if (cs->abort_ip - cs->start_ip < cs->post_commit_offset)
        return -SG_EINVAL;
    uint32_t sig;
    if (get_user_u32(&sig, cs->abort_ip - sizeof sig))
        return -SG_EFAULT;
    if (sig != p->rseq.sig) {
        printk("sysgate: pid %d (%s): rseq signature %#x at %#lx, expected %#x\n", p->pid, p->name, sig,
               cs->abort_ip - sizeof sig, p->rseq.sig);
        return -SG_EINVAL;
    }
    return 0;
}

/* rseq_ip_fixup: out of a section the pointer is cleared (lazily, as
 * Linux); inside one that was preempted or signalled, RIP goes to abort_ip.
 * 0 or -errno. */
static int ip_fixup(struct proc *p, struct frame *f)
{
    struct rseq_cs cs;
    int err = get_cs(p, &cs);
    if (err)
        return err;
    if (f->rip - cs.start_ip >= cs.post_commit_offset)
        return clear_cs(p->rseq.area);
    /* rseq_need_restart: flags, the section's or the thread's, are
     * refused (Linux warns of the deprecated NO_RESTART ones). */
    uint32_t flags;
    if (cs.flags)
        return -SG_EINVAL;
    if (get_user_u32(&flags, p->rseq.area + RSEQ_FLAGS))
        return -SG_EFAULT;
    if (flags)
        return -SG_EINVAL;
    uint32_t events = p->rseq.events;
    p->rseq.events = 0;
    if (!events)
        return 0;
    err = clear_cs(p->rseq.area);
    if (err)
        return err;
    f->rip = cs.abort_ip;
    return 0;
}

/* __rseq_handle_notify_resume: the fix-up, then the CPU fields; a failure
 * is SIGSEGV (SIGSEGV's default if it was SIGSEGV's handler being entered). */
static void notify_resume(struct proc *p, struct frame *f, int sig)
{
    if (ip_fixup(p, f) < 0 || write_ids(&p->rseq, 0, 0) < 0)
        signal_force_sigsegv(p, sig);
}

void rseq_exit_work(struct frame *f)
{
    struct proc *p = current_proc();
    percpu0.work &= ~(uint64_t)WORK_RSEQ;
    if (p->rseq.area)
        notify_resume(p, f, 0);
}

void rseq_signal_notify(struct rseq_reg *r, struct frame *f, int sig)
{
    struct proc *p = current_proc();
    r->events |= RSEQ_EVENT_SIGNAL;
    notify_resume(p, f, sig);
}

/* rseq(rseq, rseq_len, flags, sig): checks in Linux's order. */
long sys_rseq(uint64_t area, uint64_t len, uint64_t flags, uint64_t sig)
{
    struct proc *p = current_proc();
    struct rseq_reg *r = &p->rseq;
    if ((int32_t)flags & RSEQ_FLAG_UNREGISTER) {
        if ((int32_t)flags & ~RSEQ_FLAG_UNREGISTER)
            return -SG_EINVAL;
        if (!r->area || r->area != area || (uint32_t)len != r->len)
            return -SG_EINVAL;
        if (r->sig != (uint32_t)sig)
            return -SG_EPERM;
        if (write_ids(r, 0, RSEQ_CPU_ID_UNINITIALIZED))
            return -SG_EFAULT;
        *r = (struct rseq_reg){ 0 };
        return 0;
    }
    if ((int32_t)flags)
        return -SG_EINVAL;
    if (r->area) {
        if (r->area != area || (uint32_t)len != r->len)
            return -SG_EINVAL;
        if (r->sig != (uint32_t)sig)
            return -SG_EPERM;
        return -SG_EBUSY;
    }
    /* At least the original size, aligned as the structure (32 bytes:
     * Linux's AT_RSEQ_ALIGN); every field sysgate writes lies in the
     * original 32 bytes, so any longer area has room for them all
     * (AT_RSEQ_FEATURE_SIZE, 28). */
    uint32_t n = (uint32_t)len;
    if (n < ORIG_RSEQ_SIZE || (area & 31))
        return -SG_EINVAL;
    if (!user_range_ok(area, n))
        return -SG_EFAULT;
    /* A stale rseq_cs (a C library reusing an area for a new thread) is
     * cleared rather than refused. */
    uint64_t cs;
    if (copy_from_user(&cs, area + RSEQ_CS, sizeof cs))
        return -SG_EFAULT;
    if (cs && clear_cs(area))
        return -SG_EFAULT;
    r->area = area;
    r->len = n;
    r->sig = (uint32_t)sig;
    /* The CPU fields are written on the way out. */
    percpu0.work |= WORK_RSEQ;
    return 0;
}
