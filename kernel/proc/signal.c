/*
 * Signals: sending, delivery on the way back to user mode, and the signal
 * return - the one exit in which the kernel loads a whole register set,
 * RIP, CS, RFLAGS, RSP, SS and the FPU state, from user memory.
 *
 * Sending only marks the signal pending (a standard signal once per number:
 * a second of the same kind while one is pending merges with it; a
 * real-time one queues an instance per send) and wakes a blocked receiver; everything else happens in the receiver's
 * own context, in signal_exit_work(), which the exit path (entry/exit.S)
 * calls through the per-CPU work word before any return to user mode:
 *   - the default action: ignore, end the process, or stop it (job
 *     control: every thread of the group stops on its way back to user
 *     mode, the parent hears of it through SIGCHLD and wait, and SIGCONT
 *     makes the group run again the moment it is sent);
 *   - a handler: the interrupted registers, mask and FPU state go into a
 *     signal frame on the user stack laid out exactly as Linux's
 *     (arch/x86/kernel/signal.c, signal_32.c; include/sysgate/signal.h),
 *     and the frame is rewritten to enter the handler;
 *   - an interrupted system call (-ERESTART*): restarted by moving RIP back
 *     over the door's instruction, or -EINTR.
 *
 * signal_return() takes a frame back.  Every value is checked before any is
 * used, as strictly as the fast exits check theirs (docs/security.md,
 * "Signal return"); a frame that fails gets SIGSEGV, and the exit is then
 * chosen from the restored frame by the normal exit path.
 */
#include "signal.h"
#include "proc.h"
#include "../arch/fpu.h"
#include "../arch/io.h"
#include "../arch/segments.h"
#include "../arch/selectors_msrs.h"
#include "../entry/entry.h"
#include "../kip/interface_page.h"
#include "../syscall/syscall.h"
#include "../syscall/uaccess.h"
#include "../time/clock.h"
#include <sysgate/abi.h>

#define SIGSET(sig) SG_SIGSET(sig)
#define UNBLOCKABLE (SIGSET(SG_SIGKILL) | SIGSET(SG_SIGSTOP))
/* Faults first, as Linux's SYNCHRONOUS_MASK: their frame is the fault's. */
#define SYNCHRONOUS (SIGSET(SG_SIGSEGV) | SIGSET(SG_SIGBUS) | SIGSET(SG_SIGILL) | SIGSET(SG_SIGTRAP) | \
                     SIGSET(SG_SIGFPE) | SIGSET(SG_SIGSYS))
/* Default action ignore (signal(7)); SIGCONT's continuing is done when it
 * is sent, its delivery is then ignored. */
#define DEFAULT_IGNORE (SIGSET(SG_SIGCHLD) | SIGSET(SG_SIGURG) | SIGSET(SG_SIGWINCH) | SIGSET(SG_SIGCONT))
/* Default action stop (signal(7)). */
#define STOP_SIGNALS (SIGSET(SG_SIGSTOP) | SIGSET(SG_SIGTSTP) | SIGSET(SG_SIGTTIN) | SIGSET(SG_SIGTTOU))
/* A stopped or continued child's wait status (wait(2): WIFSTOPPED,
 * WIFCONTINUED; Linux's wait_task_stopped, wait_task_continued). */
#define WSTATUS_STOPPED(sig) ((sig) << 8 | 0x7f)
#define WSTATUS_CONTINUED 0xffff

/* The flags a signal return takes from the user (Linux's FIX_EFLAGS, but
 * without RF: sysgate never returns with RF set from a user value).  IOPL,
 * NT, VM, VIF, VIP and ID keep the values the process had in the kernel;
 * IF is always set. */
#define SIGRETURN_FLAGS (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_TF | RFLAGS_DF | \
                         RFLAGS_OF | RFLAGS_AC)

/* The FPU state on its way into or out of a frame: the frame's XSAVE
 * (or FXSAVE) area, 64-byte aligned for the instructions. */
static uint8_t frame_fpu[FPU_AREA_MAX] __attribute__((aligned(FPU_AREA_ALIGN)));

/* The bytes a frame's FPU area takes: the XSAVE area and FP_XSTATE_MAGIC2
 * after it, or the FXSAVE image (Linux's xstate_sigframe_size). */
static uint32_t frame_fpu_size(void)
{
    return fpu_cfg.xsave ? fpu_cfg.size + SG_FP_XSTATE_MAGIC2_SIZE : FPU_LEGACY_SIZE;
}

uint64_t signal_frame_max(void)
{
    /* Linux's get_sigframe_size() (arch/x86/kernel/signal.c
     * init_sigframe_size, fpu__get_fpstate_size): the largest frame
     * (i386's sigframe) + its alignment, the FPU area with the i386
     * FSAVE header + its 64-byte alignment, rounded up to 16. */
    uint64_t size = sizeof(struct sg_sigframe32) + 15 + frame_fpu_size() + SG_FPSTATE32_FXSAVE + 63;
    return (size + 15) & ~15ull;
}

/* The handler tables.  Each process slot holds at most one reference, a
 * table at least one, so a free table is there whenever a process asks
 * for one (a new or exec'ing process holds none, or shares its own). */
static struct sighand sighands[MAX_PROCS];

/* A free table, its actions a copy of `from`'s, or all SIG_DFL. */
static struct sighand *sighand_new(const struct sighand *from)
{
    for (int i = 0; i < MAX_PROCS; i++)
        if (!sighands[i].refs) {
            if (from)
                memcpy(sighands[i].action, from->action, sizeof sighands[i].action);
            else
                memset(sighands[i].action, 0, sizeof sighands[i].action);
            sighands[i].refs = 1;
            return &sighands[i];
        }
    panic("no free signal handler table");
}

/* ---- Pending sets and the real-time queue ---------------------------- */

/* The queued instances of real-time signals, for every process: a pool
 * (Linux allocates them, up to the receiver's RLIMIT_SIGPENDING for its
 * user - every process here is root's, so the count is the system's). */
#define SIGQUEUE_POOL 1024
static struct sigqueue sigqueue_pool[SIGQUEUE_POOL];
static unsigned sigqueue_used;

static struct sigqueue *sigqueue_alloc(const struct proc *receiver)
{
    if (sigqueue_used >= receiver->rlimits[RLIMIT_SIGPENDING].cur)
        return 0;
    for (int i = 0; i < SIGQUEUE_POOL; i++)
        if (!sigqueue_pool[i].sig) {
            sigqueue_used++;
            return &sigqueue_pool[i];
        }
    return 0;
}

static void sigqueue_free(struct sigqueue *q)
{
    q->sig = 0;
    q->next = 0;
    sigqueue_used--;
}

/* Makes sig pending in set s with info (Linux's __send_signal): a
 * standard signal already pending keeps its first siginfo; a real-time one
 * queues a new instance at the tail.  Without room for it, kill(2)'s
 * (SI_USER) is pending all the same, its siginfo lost; any other is
 * -EAGAIN. */
static long pending_add(struct sigpending *s, const struct proc *receiver, int sig, const struct sig_info *info)
{
    if (sig < SG_SIGRTMIN) {
        if (!(s->set & SIGSET(sig)))
            s->info[sig - 1] = *info;
        s->set |= SIGSET(sig);
        return 0;
    }
    struct sigqueue *q = sigqueue_alloc(receiver);
    if (q) {
        q->sig = sig;
        q->info = *info;
        struct sigqueue **tail = &s->queue;
        while (*tail)
            tail = &(*tail)->next;
        *tail = q;
    } else if (info->code != SG_SI_USER) {
        return -SG_EAGAIN;
    }
    s->set |= SIGSET(sig);
    return 0;
}

/* Takes one sig, pending in s, off it (Linux's collect_signal): a
 * real-time signal stays pending while another instance is queued; one
 * that lost its siginfo (pending_add) is SI_USER from nobody. */
static struct sig_info pending_take(struct sigpending *s, int sig)
{
    if (sig < SG_SIGRTMIN) {
        s->set &= ~SIGSET(sig);
        return s->info[sig - 1];
    }
    struct sig_info info = { .code = SG_SI_USER };
    bool more = false;
    struct sigqueue **at = &s->queue;
    while (*at && (*at)->sig != sig)
        at = &(*at)->next;
    if (*at) {
        struct sigqueue *q = *at;
        info = q->info;
        *at = q->next;
        sigqueue_free(q);
        for (struct sigqueue *r = *at; r && !more; r = r->next)
            more = r->sig == sig;
    }
    if (!more)
        s->set &= ~SIGSET(sig);
    return info;
}

/* Drops the signals of set from s, every queued instance with them. */
static void pending_flush(struct sigpending *s, uint64_t set)
{
    s->set &= ~set;
    struct sigqueue **at = &s->queue;
    while (*at) {
        struct sigqueue *q = *at;
        if (set & SIGSET(q->sig)) {
            *at = q->next;
            sigqueue_free(q);
        } else {
            at = &q->next;
        }
    }
}

void signal_reset(struct proc *p)
{
    memset(&p->sig, 0, sizeof p->sig);
    p->sig.hand = sighand_new(0);
    p->sig.group = &p->sig;
    p->sig.altstack_flags = SG_SS_DISABLE;
    p->sig.unkillable = p->pid == 1;
}

void signal_fork(struct proc *child, struct proc *parent, bool share_hand, bool thread)
{
    memset(&child->sig, 0, sizeof child->sig);
    if (share_hand) {
        child->sig.hand = parent->sig.hand;
        child->sig.hand->refs++;
    } else {
        child->sig.hand = sighand_new(parent->sig.hand);
    }
    child->sig.group = thread ? parent->sig.group : &child->sig;
    child->sig.blocked = parent->sig.blocked;
    child->sig.altstack_sp = parent->sig.altstack_sp;
    child->sig.altstack_size = parent->sig.altstack_size;
    child->sig.altstack_flags = parent->sig.altstack_flags;
}

void signal_exec(struct proc *p)
{
    if (p->sig.hand->refs > 1) {
        struct sighand *own = sighand_new(p->sig.hand);
        p->sig.hand->refs--;
        p->sig.hand = own;
    }
    struct sig_action *action = p->sig.hand->action;
    for (int i = 0; i < SG_NSIG; i++)
        if (action[i].handler != SG_SIG_IGN)
            memset(&action[i], 0, sizeof action[i]);
    p->sig.altstack_sp = p->sig.altstack_size = 0;
    p->sig.altstack_flags = SG_SS_DISABLE;
}

void signal_thread_exit(struct proc *p)
{
    struct signal_state *g = p->sig.group;
    pending_flush(&p->sig.pending, ~0ull);
    if (g && (g->shared.queue || g->itimer_next_ns) && !proc_group_alive(p)) {
        pending_flush(&g->shared, ~0ull);
        g->itimer_next_ns = g->itimer_interval_ns = 0;
    }
}

void signal_release(struct proc *p)
{
    if (p->sig.hand)
        p->sig.hand->refs--;
    p->sig.hand = 0;
}

static struct sig_action *action_of(const struct proc *p, int sig)
{
    return &p->sig.hand->action[sig - 1];
}

uint64_t signal_pending_set(const struct proc *p)
{
    return p->sig.pending.set | (p->sig.group ? p->sig.group->shared.set : 0);
}

static uint64_t deliverable(const struct proc *p)
{
    return signal_pending_set(p) & ~(p->sig.blocked & ~UNBLOCKABLE);
}

struct sig_info signal_take(struct proc *p, int sig)
{
    if (p->sig.pending.set & SIGSET(sig))
        return pending_take(&p->sig.pending, sig);
    return pending_take(&p->sig.group->shared, sig);
}

/* Takes the signals of set off every thread of p's group and the group's
 * shared set. */
static void discard_set(struct proc *p, uint64_t set)
{
    for (int i = 0; i < MAX_PROCS; i++)
        if (procs[i].state != PROC_FREE && procs[i].tgid == p->tgid)
            pending_flush(&procs[i].sig.pending, set);
    if (p->sig.group)
        pending_flush(&p->sig.group->shared, set);
}

void signal_discard(struct proc *p, int sig)
{
    discard_set(p, SIGSET(sig));
}

bool signal_pending(const struct proc *p)
{
    return deliverable(p) != 0 || p->sig.stop_pending;
}

void signal_update_work(struct proc *p)
{
    if (p != current_proc())
        return;
    if (deliverable(p) || p->sig.restart_pending || p->sig.restore_saved_mask || p->sig.stop_pending)
        percpu0.work |= WORK_SIGNAL;
    else
        percpu0.work &= ~(uint64_t)WORK_SIGNAL;
}

/* init gets only the signals it has handlers for, SIGKILL and SIGSTOP
 * included (Linux's SIGNAL_UNKILLABLE: sig_task_ignored at the sending,
 * get_signal at the delivery of one that was blocked then). */
static bool unkillable_default(const struct proc *p, int sig)
{
    return p->sig.group->unkillable && action_of(p, sig)->handler == SG_SIG_DFL;
}

static bool ignored(const struct proc *p, int sig)
{
    uint64_t h = action_of(p, sig)->handler;
    if (unkillable_default(p, sig))
        return true;
    if (sig == SG_SIGKILL || sig == SG_SIGSTOP)
        return false;
    return h == SG_SIG_IGN || (h == SG_SIG_DFL && (DEFAULT_IGNORE & SIGSET(sig)));
}

static bool is_live(const struct proc *p)
{
    return p->state != PROC_FREE && p->state != PROC_ZOMBIE;
}

/* SIGCONT, at its sending: the group runs again, whatever SIGCONT's
 * action or mask, and no stop signal stays pending (Linux's
 * prepare_signal).  The parent hears of it if the group had stopped; a
 * stop still under way counts as done and continued, and since SIGCHLD
 * does not queue the parent hears CLD_STOPPED, as if the CLD_CONTINUED
 * after it had merged with it (Linux's prepare_signal, the same). */
static void continue_group(struct proc *p)
{
    for (int i = 0; i < MAX_PROCS; i++) {
        struct proc *t = &procs[i];
        if (t->tgid != p->tgid || !is_live(t))
            continue;
        t->sig.stop_pending = false;
        if (t->state == PROC_STOPPED)
            t->state = PROC_RUNNABLE;
        signal_update_work(t);
    }
    discard_set(p, STOP_SIGNALS);
    struct proc *leader = proc_leader(p);
    int stop_sig = leader->sig.group_stop_sig;
    if (stop_sig) {
        bool stopped = leader->sig.group_stopped;
        leader->sig.group_stop_sig = 0;
        leader->sig.group_stopped = false;
        leader->sig.wait_report = WSTATUS_CONTINUED;
        signal_notify_parent(leader, stopped ? SG_CLD_CONTINUED : SG_CLD_STOPPED, stopped ? SG_SIGCONT : stop_sig);
    }
}

/* Once every live thread of p's group has stopped, the group's stop is
 * complete: wait reports it and the parent gets SIGCHLD, once (Linux's
 * do_notify_parent_cldstop from the last thread to stop). */
static void group_stop_check(struct proc *p)
{
    struct proc *leader = proc_leader(p);
    int sig = leader->sig.group_stop_sig;
    if (!sig || leader->sig.group_stopped)
        return;
    for (int i = 0; i < MAX_PROCS; i++)
        if (procs[i].tgid == p->tgid && is_live(&procs[i]) && procs[i].state != PROC_STOPPED)
            return;
    leader->sig.group_stopped = true;
    leader->sig.wait_report = WSTATUS_STOPPED(sig);
    signal_notify_parent(leader, SG_CLD_STOPPED, sig);
}

/* A stop signal's default action (Linux's do_signal_stop): every thread
 * of the group is to stop - the running one on its way back to user mode,
 * a blocked one woken so that its call returns (signal_pending() says so)
 * and stops on its own way back, or in the call (signal_stop_in_call).
 * The parent hears of it once the last has stopped (group_stop_check). */
static void stop_group(struct proc *p, int sig)
{
    proc_leader(p)->sig.group_stop_sig = sig;
    for (int i = 0; i < MAX_PROCS; i++) {
        struct proc *t = &procs[i];
        if (t->tgid != p->tgid || !is_live(t) || t->state == PROC_STOPPED)
            continue;
        t->sig.stop_pending = true;
        if (t->state == PROC_BLOCKED || t->state == PROC_WAITING || t->state == PROC_SLEEPING)
            t->state = PROC_RUNNABLE;
        signal_update_work(t);
    }
}

/* The running thread stops until SIGCONT (or SIGKILL) makes it runnable. */
static void stop_here(struct proc *p)
{
    p->sig.stop_pending = false;
    p->state = PROC_STOPPED;
    group_stop_check(p);
    schedule();
    signal_update_work(p);
}

void signal_thread_gone(struct proc *p)
{
    group_stop_check(p);
}

bool signal_stop_discarded(const struct proc *p, int sig)
{
    return sig != SG_SIGSTOP && proc_pgrp_orphaned(proc_leader((struct proc *)p)->pgid, 0);
}

bool signal_notify_parent(struct proc *p, int code, int status)
{
    struct proc *parent = p->parent;
    if (!parent || !is_live(parent))
        return false;
    const struct sig_action *a = action_of(parent, SG_SIGCHLD);
    bool end = code == SG_CLD_EXITED || code == SG_CLD_KILLED;
    int sig = end ? p->exit_signal : SG_SIGCHLD;
    bool autoreap = end && sig == SG_SIGCHLD && (a->handler == SG_SIG_IGN || (a->flags & SG_SA_NOCLDWAIT));
    if (!end && (a->flags & SG_SA_NOCLDSTOP))
        sig = 0;
    if (sig > 0 && sig <= SG_NSIG) {
        struct sig_info info = { .code = code, .pid = p->pid, .status = status };
        signal_send_info(parent, sig, &info);
    }
    proc_wake_waiters(parent);
    return autoreap;
}

/* The thread of p's group that takes a process-directed sig: p unless it
 * blocks sig, else the running thread, else any that does not (Linux's
 * complete_signal); NULL when every thread blocks it. */
static struct proc *taker(struct proc *p, int sig)
{
    uint64_t bit = SIGSET(sig) & ~UNBLOCKABLE;
    struct proc *self = current_proc();
    if (is_live(p) && !(p->sig.blocked & bit))
        return p;
    if (self->tgid == p->tgid && is_live(self) && !(self->sig.blocked & bit))
        return self;
    for (int i = 0; i < MAX_PROCS; i++)
        if (procs[i].tgid == p->tgid && is_live(&procs[i]) && !(procs[i].sig.blocked & bit))
            return &procs[i];
    return 0;
}

/* Makes sig pending for thread p (group false) or p's thread group, and
 * wakes the thread that is to take it. */
static long send(struct proc *p, int sig, const struct sig_info *info, bool group)
{
    if (sig < 1 || sig > SG_NSIG || !p->sig.hand)
        return 0;
    /* A group whose leader has ended is reached through a live thread. */
    if (group && !is_live(p))
        for (int i = 0; i < MAX_PROCS && !is_live(p); i++)
            if (procs[i].tgid == p->tgid)
                p = &procs[i];
    if (!is_live(p))
        return 0;
    if (sig == SG_SIGCONT)
        continue_group(p);
    else if (STOP_SIGNALS & SIGSET(sig))
        discard_set(p, SIGSET(SG_SIGCONT));
    /* An ignored signal is dropped at once unless blocked (signal(7));
     * so is one init has no handler for (a shell as init catches its own
     * raise(SIGINT); nothing stops or kills it). */
    if (ignored(p, sig) && !(p->sig.blocked & SIGSET(sig)))
        return 0;
    long err = pending_add(group ? &p->sig.group->shared : &p->sig.pending, p, sig, info);
    if (err)
        return err;
    /* The taker's blocked call sees signal_pending() and returns; a
     * stopped one stays stopped but for SIGKILL. */
    struct proc *t = group ? taker(p, sig) : p;
    if (t && signal_pending(t) && t->state != PROC_RUNNABLE && (t->state != PROC_STOPPED || sig == SG_SIGKILL))
        t->state = PROC_RUNNABLE;
    signal_update_work(current_proc());
    return 0;
}

/* si_pid: the sending process (its thread group), 0 for the kernel. */
static struct sig_info from_user(void)
{
    struct proc *from = current_proc();
    return (struct sig_info){ .code = SG_SI_USER, .pid = from ? from->tgid : 0 };
}

long signal_send_info(struct proc *p, int sig, const struct sig_info *info)
{
    return send(p, sig, info, true);
}

void signal_send(struct proc *p, int sig)
{
    struct sig_info info = from_user();
    send(p, sig, &info, true);
}

long signal_send_thread(struct proc *p, int sig, const struct sig_info *info)
{
    struct sig_info user = from_user();
    return send(p, sig, info ? info : &user, false);
}

long signal_restart(long err)
{
    struct proc *p = current_proc();
    p->sig.restart_pending = true;
    p->sig.restart_nr = syscall_frame()->rax;
    /* The doors that write their exit's clobbers into the frame after the
     * call (sysenter, the 32-bit fast doors) must leave the caller's
     * registers for the restart. */
    percpu0.replaced_frame = syscall_frame();
    signal_update_work(p);
    return err;
}

/* A signal the kernel forces on the running thread p (a fault, a failed
 * frame): pending for p with this siginfo, whatever was pending. */
static void force_pending(struct proc *p, int sig, const struct sig_info *info)
{
    p->sig.pending.info[sig - 1] = *info;
    p->sig.pending.set |= SIGSET(sig);
    signal_update_work(p);
}

bool signal_fault(struct frame *f, int sig, int code, uint64_t addr)
{
    struct proc *p = current_proc();
    uint64_t h = action_of(p, sig)->handler;
    /* Linux's force_sig: a fault that is blocked or ignored cannot be
     * delivered and ends the process. */
    if (h == SG_SIG_DFL || h == SG_SIG_IGN || (p->sig.blocked & SIGSET(sig)))
        return false;
    p->sig.trapno = f->vector;
    p->sig.err = f->error;
    p->sig.cr2 = f->vector == 14 ? addr : 0;
    struct sig_info info = { .code = code, .pid = 0, .addr = addr };
    force_pending(p, sig, &info);
    return true;
}

/* A signal the process cannot take (its frame would not fit, or the
 * return was refused): SIGSEGV that cannot be blocked or ignored; if it
 * was SIGSEGV's own handler that failed, the default (Linux's
 * force_sigsegv). */
void signal_force_sigsegv(struct proc *p, int failed_sig)
{
    struct sig_action *a = action_of(p, SG_SIGSEGV);
    if (failed_sig == SG_SIGSEGV || a->handler == SG_SIG_IGN)
        a->handler = SG_SIG_DFL;
    p->sig.blocked &= ~SIGSET(SG_SIGSEGV);
    /* Even init dies of it (Linux's force_sig_info_to_task). */
    if (a->handler == SG_SIG_DFL)
        p->sig.group->unkillable = false;
    struct sig_info info = { .code = SG_SI_KERNEL };
    force_pending(p, SG_SIGSEGV, &info);
}

/* ---- Restarting an interrupted call --------------------------------- */

/* Whether the bytes before RIP are the door's instruction, and how many:
 * only a call that came through a known instruction is restarted by moving
 * RIP back over it (else -EINTR: docs/linux-abi.md). */
static int door_insn_length(const struct frame *f)
{
    uint8_t b[8];
    bool compat = f->cs != USER64_CS;
    if (f->rip < 8 || copy_from_user(b, f->rip - 8, 8))
        return 0;
    switch (f->entry) {
    case SG_MECH_INT80:
        return b[6] == 0xcd && b[7] == 0x80 ? 2 : 0;
    case SG_MECH_TRAP:
        return b[4] == 0x0f && b[5] == 0x0b && b[6] == 'S' && b[7] == 'G' ? 4 : 0;
    case SG_MECH_SYSCALL:
        /* 32-bit: the interface page's dance, from `mov %ecx, %ebp`
         * (the stack still holds what the stub pushed). */
        if (compat)
            return b[4] == 0x89 && b[5] == 0xcd && b[6] == 0x0f && b[7] == 0x05 ? 4 : 0;
        return b[6] == 0x0f && b[7] == 0x05 ? 2 : 0;
    case SG_MECH_SYSENTER:
        if (compat)     /* from `mov %esp, %ebp` of __kernel_vsyscall's stub */
            return b[4] == 0x89 && b[5] == 0xe5 && b[6] == 0x0f && b[7] == 0x34 ? 4 : 0;
        return b[6] == 0x0f && b[7] == 0x34 ? 2 : 0;
    case SG_MECH_CALLGATE:
        /* lcall *rel32(%rip) (64-bit interface page), lcall $sel, $off
         * (32-bit code). */
        if (!compat)
            return b[2] == 0xff && b[3] == 0x1d ? 6 : 0;
        return b[1] == 0x9a && b[6] == (CALL_GATE_SEL & 0xff) && b[7] == (CALL_GATE_SEL >> 8) ? 7 : 0;
    }
    return 0;
}

static void restart_call(struct proc *p, struct frame *f)
{
    /* An exception door (doors.def) ran only from inside its stub: the
     * stub's start - or, where the stub's words are still there, the
     * instruction that raised the exception - makes the same call again
     * (exception_doors.c). */
    if (f->entry >= SG_MECH_FIRST_EXCEPTION && f->entry < SG_MECH_COUNT) {
        uint64_t again = exception_door_restart(f, p->bits);
        if (!again) {
            f->rax = (uint64_t)-SG_EINTR;
            return;
        }
        f->rip = again;
        f->rax = p->sig.restart_nr;
        return;
    }
    int len = door_insn_length(f);
    if (!len) {
        f->rax = (uint64_t)-SG_EINTR;
        return;
    }
    uint64_t next = f->rip;
    f->rip -= len;
    f->rax = p->sig.restart_nr;
    /* 64-bit sysenter: the convention's rcx = return RIP, r11 = RSP. */
    if (f->entry == SG_MECH_SYSENTER && f->cs == USER64_CS) {
        f->rcx = next;
        f->r11 = f->rsp;
    }
}

/* With a handler about to run: restart or -EINTR (signal(7), "Interruption
 * of system calls and library functions by signal handlers"). */
static void settle_restart(struct proc *p, struct frame *f, const struct sig_action *a)
{
    if (!p->sig.restart_pending)
        return;
    p->sig.restart_pending = false;
    long err = -(long)f->rax;
    if (err == SG_ERESTARTNOINTR || (err == SG_ERESTARTSYS && (a->flags & SG_SA_RESTART)))
        restart_call(p, f);
    else if (err == SG_ERESTARTSYS || err == SG_ERESTARTNOHAND)
        f->rax = (uint64_t)-SG_EINTR;
}

/* ---- Building the signal frames -------------------------------------- */

static bool on_altstack(const struct proc *p, uint64_t sp)
{
    return !(p->sig.altstack_flags & SG_SS_DISABLE) && sp > p->sig.altstack_sp &&
           sp - p->sig.altstack_sp <= p->sig.altstack_size;
}

static int32_t altstack_flags_for(const struct proc *p, uint64_t sp)
{
    if (p->sig.altstack_flags & SG_SS_DISABLE)
        return SG_SS_DISABLE;
    return (on_altstack(p, sp) ? SG_SS_ONSTACK : 0) | (int32_t)(p->sig.altstack_flags & SG_SS_AUTODISARM);
}

/* Where the frame goes: the alternate stack for SA_ONSTACK unless already
 * on it, else below the interrupted RSP (x86-64: below its 128-byte red
 * zone). */
static uint64_t frame_top(struct proc *p, const struct frame *f, const struct sig_action *a)
{
    uint64_t sp = f->rsp;
    if ((a->flags & SG_SA_ONSTACK) && !(p->sig.altstack_flags & SG_SS_DISABLE) && !on_altstack(p, sp))
        return p->sig.altstack_sp + p->sig.altstack_size;
    return p->bits == 64 ? sp - 128 : (uint32_t)sp;
}

/* The running process's FPU (p is current): with its nm door armed CR0.TS
 * is set, and (F)XSAVE/(F)XRSTOR would raise #NM in the kernel - cleared
 * around them, set again after. */
static void fpu_save_current(const struct proc *p, uint8_t *image)
{
    if (p->fpu_trap)
        clts();
    fpu_save(image, p->bits == 32);
    if (p->fpu_trap)
        stts();
}

static void fpu_load_current(const struct proc *p, const uint8_t *image)
{
    if (p->fpu_trap)
        clts();
    fpu_load(image, p->bits == 32);
    if (p->fpu_trap)
        stts();
}

/* The running process's FPU state as a frame carries it, in frame_fpu
 * (frame_fpu_size() bytes): the registers, then in the software-reserved
 * bytes Linux's _fpx_sw_bytes and FP_XSTATE_MAGIC2 after the XSAVE area
 * (Linux's save_xstate_epilog; extended_size counts the i386 FSAVE
 * header too).  The bytes (F)XSAVE does not write are written here, so
 * that nothing of an earlier frame - another process's - shows through:
 * the reserved legacy bytes 416..463 past xmm15, the software bytes
 * 464..511, the header past XSTATE_BV (SDM vol. 1 10.5.1, 13.7).  Every
 * register slot is written: the kernel runs XSAVE in 64-bit mode, which
 * saves all sixteen xmm and ymm registers whatever the process's width. */
static void fpu_to_frame(const struct proc *p)
{
    fpu_save_current(p, frame_fpu);
    memset(frame_fpu + FPU_LEGACY_RESERVED, 0, FPU_LEGACY_SIZE - FPU_LEGACY_RESERVED);
    if (!fpu_cfg.xsave)
        return;
    memset(frame_fpu + FPU_XCOMP_BV, 0, FPU_HEADER_SIZE - 8);
    struct sg_fpx_sw_bytes sw = {
        .magic1 = SG_FP_XSTATE_MAGIC1,
        .extended_size = frame_fpu_size() + (p->bits == 32 ? SG_FPSTATE32_FXSAVE : 0),
        .xfeatures = fpu_cfg.xcr0,
        .xstate_size = fpu_cfg.size,
    };
    uint32_t magic2 = SG_FP_XSTATE_MAGIC2;
    memcpy(frame_fpu + SG_FXSAVE_SW_BYTES, &sw, sizeof sw);
    memcpy(frame_fpu + fpu_cfg.size, &magic2, sizeof magic2);
}

/* frame_fpu out to the frame at `at`: the area (a multiple of 64 bytes:
 * uaccess_copy moves it by quadwords) and magic2's 4 bytes apart. */
static bool fpu_copy_out(uint64_t at)
{
    uint32_t size = frame_fpu_size(), whole = size & ~7u;
    return !copy_to_user(at, frame_fpu, whole) &&
           (whole == size || !copy_to_user(at + whole, frame_fpu + whole, size - whole));
}

/* A child's news (signal_notify_parent): si_status follows si_uid. */
static bool is_child_info(int sig, const struct sig_info *in)
{
    return sig == SG_SIGCHLD && in->code >= SG_CLD_EXITED && in->code <= SG_CLD_CONTINUED;
}

/* A fault's siginfo (Linux's SIL_FAULT) carries si_addr; the others
 * the sender's pid and uid, and a negative si_code (SIL_RT) its value. */
static bool is_fault_info(int sig, const struct sig_info *in)
{
    return SYNCHRONOUS & SIGSET(sig) && in->code > 0;
}

static void fill_siginfo64(struct sg_siginfo64 *si, int sig, const struct sig_info *in)
{
    memset(si, 0, sizeof *si);
    si->signo = sig;
    si->code = in->code;
    if (is_fault_info(sig, in)) {
        si->u.fault.addr = in->addr;
        return;
    }
    si->u.rt.pid = in->pid;
    si->u.rt.uid = in->uid;
    if (in->code < 0)
        si->u.rt.value = in->value;
    if (is_child_info(sig, in))
        si->u.chld.status = in->status;
}

static void fill_siginfo32(struct sg_siginfo32 *si, int sig, const struct sig_info *in)
{
    memset(si, 0, sizeof *si);
    si->signo = sig;
    si->code = in->code;
    if (is_fault_info(sig, in)) {
        si->u.fault.addr = (uint32_t)in->addr;
        return;
    }
    si->u.rt.pid = in->pid;
    si->u.rt.uid = in->uid;
    if (in->code < 0)
        si->u.rt.value = (uint32_t)in->value;
    if (is_child_info(sig, in))
        si->u.chld.status = in->status;
}

long signal_put_siginfo(uint64_t uaddr, int bits, int sig, const struct sig_info *in)
{
    if (bits == 64) {
        struct sg_siginfo64 si;
        fill_siginfo64(&si, sig, in);
        return copy_to_user(uaddr, &si, sizeof si) ? -SG_EFAULT : 0;
    }
    struct sg_siginfo32 si;
    fill_siginfo32(&si, sig, in);
    return copy_to_user(uaddr, &si, sizeof si) ? -SG_EFAULT : 0;
}

/* The fields fill_siginfo* writes, read back (Linux's
 * copy_siginfo_from_user and, for i386, from_compat_siginfo): si_code is
 * at 8 in both widths, the union's words are each width's. */
#define FROM_UNION(in, u) ((in)->addr = (u).fault.addr, (in)->pid = (u).rt.pid, (in)->uid = (u).rt.uid, \
                           (in)->value = (u).rt.value, (in)->status = (u).chld.status)

long signal_get_siginfo(uint64_t uaddr, int bits, int sig, struct sig_info *in)
{
    union {
        struct sg_siginfo64 w64;
        struct sg_siginfo32 w32;
    } si;
    if (copy_from_user(&si, uaddr, sizeof si))
        return -SG_EFAULT;
    memset(in, 0, sizeof *in);
    in->code = si.w64.code;
    if (bits == 64)
        FROM_UNION(in, si.w64.u);
    else
        FROM_UNION(in, si.w32.u);
    if (is_fault_info(sig, in))
        in->pid = 0, in->uid = 0, in->value = 0;
    else
        in->addr = 0;
    return 0;
}

static bool setup_frame64(struct proc *p, struct frame *f, int sig, const struct sig_action *a,
                          const struct sig_info *in, uint64_t oldmask)
{
    struct sg_rt_sigframe64 fr;
    uint32_t fpu_size = frame_fpu_size();
    uint64_t top = frame_top(p, f, a);
    uint64_t fpstate = (top - fpu_size) & ~63ull;
    uint64_t sp = ((fpstate - sizeof fr) & ~15ull) - 8;     /* as after a call: (sp + 8) % 16 == 0 */

    memset(&fr, 0, sizeof fr);
    fr.pretcode = a->restorer;
    fr.uc.uc_flags = SG_UC_SIGCONTEXT_SS | SG_UC_STRICT_RESTORE_SS | (fpu_cfg.xsave ? SG_UC_FP_XSTATE : 0);
    fr.uc.uc_stack.sp = p->sig.altstack_sp;
    fr.uc.uc_stack.size = p->sig.altstack_size;
    fr.uc.uc_stack.flags = altstack_flags_for(p, f->rsp);
    struct sg_sigcontext64 *sc = &fr.uc.uc_mcontext;
    sc->r8 = f->r8, sc->r9 = f->r9, sc->r10 = f->r10, sc->r11 = f->r11;
    sc->r12 = f->r12, sc->r13 = f->r13, sc->r14 = f->r14, sc->r15 = f->r15;
    sc->rdi = f->rdi, sc->rsi = f->rsi, sc->rbp = f->rbp, sc->rbx = f->rbx;
    sc->rdx = f->rdx, sc->rax = f->rax, sc->rcx = f->rcx, sc->rsp = f->rsp, sc->rip = f->rip;
    sc->eflags = f->rflags;
    sc->cs = (uint16_t)f->cs;
    sc->ss = (uint16_t)f->ss;           /* gs and fs: 0, as Linux */
    sc->err = p->sig.err, sc->trapno = p->sig.trapno, sc->cr2 = p->sig.cr2;
    sc->oldmask = oldmask;
    sc->fpstate = fpstate;
    fr.uc.uc_sigmask = oldmask;
    fill_siginfo64(&fr.info, sig, in);

    fpu_to_frame(p);
    if (!user_range_ok(sp, top - sp) || !fpu_copy_out(fpstate) ||
        copy_to_user(sp, &fr, sizeof fr))
        return false;

    f->rdi = (uint64_t)sig;
    f->rsi = sp + __builtin_offsetof(struct sg_rt_sigframe64, info);
    f->rdx = sp + __builtin_offsetof(struct sg_rt_sigframe64, uc);
    f->rax = 0;
    f->rip = a->handler;
    f->rsp = sp;
    f->cs = USER64_CS;
    f->ss = USER_DS;
    return true;
}

/* The FSAVE-format header of i386's _fpstate_32, from an FXSAVE image
 * (Linux's convert_from_fxsr; the tag word says valid or empty per
 * register, without telling zero and special values apart). */
static void fsave_header32(uint8_t *hdr, const uint8_t *fx)
{
    uint32_t *w = (uint32_t *)hdr;
    uint16_t cw, sw, ftw_abridged;
    memcpy(&cw, fx, 2);
    memcpy(&sw, fx + 2, 2);
    ftw_abridged = fx[4];
    uint32_t tag = 0;
    for (int i = 0; i < 8; i++)
        tag |= (ftw_abridged & (1u << i) ? 0u : 3u) << (2 * i);
    w[0] = 0xffff0000u | cw;
    w[1] = 0xffff0000u | sw;
    w[2] = 0xffff0000u | tag;
    memcpy(&w[3], fx + 8, 4);                       /* FPU IP */
    w[4] = (uint32_t)(fx[12] | fx[13] << 8) | (uint32_t)((fx[6] | (fx[7] & 7) << 8)) << 16; /* CS, opcode */
    memcpy(&w[5], fx + 16, 4);                      /* FPU DP */
    w[6] = 0xffff0000u | (uint32_t)(fx[20] | fx[21] << 8);
    for (int i = 0; i < 8; i++)
        memcpy(hdr + 28 + 10 * i, fx + 32 + 16 * i, 10);
    memcpy(hdr + 108, &sw, 2);                      /* status */
    hdr[SG_FPSTATE32_MAGIC] = hdr[SG_FPSTATE32_MAGIC + 1] = 0;   /* X86_FXSR_MAGIC: an FXSAVE image follows */
}

static void fill_sigcontext32(struct sg_sigcontext32 *sc, const struct proc *p, const struct frame *f,
                              uint32_t fpstate, uint64_t oldmask)
{
    memset(sc, 0, sizeof *sc);
    sc->gs = seg_read_gs(), sc->fs = seg_read_fs(), sc->es = seg_read_es(), sc->ds = seg_read_ds();
    sc->edi = (uint32_t)f->rdi, sc->esi = (uint32_t)f->rsi, sc->ebp = (uint32_t)f->rbp;
    sc->esp = (uint32_t)f->rsp, sc->ebx = (uint32_t)f->rbx, sc->edx = (uint32_t)f->rdx;
    sc->ecx = (uint32_t)f->rcx, sc->eax = (uint32_t)f->rax;
    sc->trapno = (uint32_t)p->sig.trapno, sc->err = (uint32_t)p->sig.err;
    sc->eip = (uint32_t)f->rip;
    sc->cs = (uint16_t)f->cs;
    sc->eflags = (uint32_t)f->rflags;
    sc->esp_at_signal = (uint32_t)f->rsp;
    sc->ss = (uint16_t)f->ss;
    sc->fpstate = fpstate;
    sc->oldmask = (uint32_t)oldmask;
    sc->cr2 = (uint32_t)p->sig.cr2;
}

static bool setup_frame32(struct proc *p, struct frame *f, int sig, const struct sig_action *a,
                          const struct sig_info *in, uint64_t oldmask)
{
    uint8_t fsave[SG_FPSTATE32_FXSAVE];
    bool rt = a->flags & SG_SA_SIGINFO;
    uint32_t fpu_size = frame_fpu_size();
    uint64_t top = frame_top(p, f, a);
    uint64_t fx_at = (top - fpu_size) & ~63ull;
    uint64_t fpstate = fx_at - SG_FPSTATE32_FXSAVE;
    size_t size = rt ? sizeof(struct sg_rt_sigframe32) : sizeof(struct sg_sigframe32);
    uint64_t sp = ((fpstate - size + 4) & ~15ull) - 4;      /* (esp + 4) % 16 == 0 at the handler */
    /* Without SA_RESTORER the handler returns to the vDSO's
     * __kernel_(rt_)sigreturn, as on Linux; the frame still carries
     * Linux's retcode (popl %eax; movl $119, %eax; int $0x80 - or movl
     * $173, %eax; int $0x80), which debuggers recognise. */
    static const uint8_t retcode[8] = { 0x58, 0xb8, 119, 0, 0, 0, 0xcd, 0x80 };
    static const uint8_t rt_retcode[8] = { 0xb8, 173, 0, 0, 0, 0xcd, 0x80, 0 };

    if (sp >= 0x100000000ull || top > 0x100000000ull)
        return false;
    fpu_to_frame(p);
    fsave_header32(fsave, frame_fpu);
    if (copy_to_user(fpstate, fsave, sizeof fsave) || !fpu_copy_out(fx_at))
        return false;

    uint32_t restorer = (uint32_t)a->restorer;
    if (rt) {
        struct sg_rt_sigframe32 fr;
        memset(&fr, 0, sizeof fr);
        fr.pretcode = a->flags & SG_SA_RESTORER ? restorer : (uint32_t)kip32_sigreturn(true);
        fr.sig = sig;
        fr.pinfo = (uint32_t)sp + __builtin_offsetof(struct sg_rt_sigframe32, info);
        fr.puc = (uint32_t)sp + __builtin_offsetof(struct sg_rt_sigframe32, uc);
        fill_siginfo32(&fr.info, sig, in);
        fr.uc.uc_flags = fpu_cfg.xsave ? SG_UC_FP_XSTATE : 0;   /* as Linux's ia32_setup_rt_frame */
        fr.uc.uc_stack.sp = (uint32_t)p->sig.altstack_sp;
        fr.uc.uc_stack.size = (uint32_t)p->sig.altstack_size;
        fr.uc.uc_stack.flags = altstack_flags_for(p, f->rsp);
        fill_sigcontext32(&fr.uc.uc_mcontext, p, f, (uint32_t)fpstate, oldmask);
        fr.uc.uc_sigmask[0] = (uint32_t)oldmask;
        fr.uc.uc_sigmask[1] = (uint32_t)(oldmask >> 32);
        memcpy(fr.retcode, rt_retcode, 8);
        if (copy_to_user(sp, &fr, sizeof fr))
            return false;
        f->rdx = fr.pinfo;      /* regparm(3) handlers: eax, edx, ecx (Linux does the same) */
        f->rcx = fr.puc;
    } else {
        static struct sg_sigframe32 fr;
        memset(&fr, 0, sizeof fr);
        fr.pretcode = a->flags & SG_SA_RESTORER ? restorer : (uint32_t)kip32_sigreturn(false);
        fr.sig = sig;
        fill_sigcontext32(&fr.sc, p, f, (uint32_t)fpstate, oldmask);
        fr.extramask[0] = (uint32_t)(oldmask >> 32);
        memcpy(fr.retcode, retcode, 8);
        if (copy_to_user(sp, &fr, sizeof fr))
            return false;
        f->rdx = 0;
        f->rcx = 0;
    }
    f->rax = (uint64_t)sig;
    f->rip = a->handler;
    f->rsp = sp;
    f->cs = USER32_CS;
    f->ss = USER_DS;
    /* Linux loads __USER_DS into DS and ES for the handler. */
    seg_load_ds(USER_DS);
    seg_load_es(USER_DS);
    return true;
}

static void run_handler(struct proc *p, struct frame *f, int sig, const struct sig_info *in)
{
    struct sig_action a = *action_of(p, sig);
    settle_restart(p, f, &a);
    /* A critical section the signal interrupts is aborted first, so the
     * frame holds its abort address (Linux's setup_rt_frame). */
    rseq_signal_deliver(&p->rseq, f, sig);
    uint64_t oldmask = p->sig.restore_saved_mask ? p->sig.saved_mask : p->sig.blocked;
    uint64_t sp_before = f->rsp;
    bool ok = p->bits == 64 ? setup_frame64(p, f, sig, &a, in, oldmask) : setup_frame32(p, f, sig, &a, in, oldmask);
    if (!ok) {
        signal_force_sigsegv(p, sig);
        return;
    }
    p->sig.restore_saved_mask = false;
    /* The handler starts with DF clear (the ABI) and neither TF nor RF
     * (Linux: handle_signal). */
    f->rflags &= ~(uint64_t)(RFLAGS_DF | RFLAGS_TF | RFLAGS_RF);
    fpu_load_current(p, fpu_init_state);
    if ((a.flags & SG_SA_ONSTACK) && (p->sig.altstack_flags & SG_SS_AUTODISARM) && !on_altstack(p, sp_before) &&
        on_altstack(p, f->rsp)) {
        p->sig.altstack_sp = p->sig.altstack_size = 0;
        p->sig.altstack_flags = SG_SS_DISABLE;
    }
    p->sig.blocked = oldmask | (a.mask & ~UNBLOCKABLE);
    if (!(a.flags & SG_SA_NODEFER))
        p->sig.blocked |= SIGSET(sig);
    if (a.flags & SG_SA_RESETHAND)
        memset(action_of(p, sig), 0, sizeof a);
    /* The new frame must take the iretq exit: mark it replaced, so the
     * 32-bit fast doors write no clobbers over the handler's registers. */
    percpu0.replaced_frame = f;
}

static int next_signal(const struct proc *p)
{
    uint64_t set = deliverable(p);
    if (set & SYNCHRONOUS)
        set &= SYNCHRONOUS;
    return set ? __builtin_ctzll(set) + 1 : 0;
}

void signal_exit_work(struct frame *f)
{
    struct proc *p = current_proc();
    int sig;
    for (;;) {
        /* A stop of the group: here until SIGCONT, then on with what is
         * pending (SIGKILL ends a stopped process at once). */
        if (p->sig.stop_pending && !(signal_pending_set(p) & SIGSET(SG_SIGKILL))) {
            stop_here(p);
            continue;
        }
        if (!(sig = next_signal(p)))
            break;
        struct sig_info in = signal_take(p, sig);
        uint64_t h = action_of(p, sig)->handler;
        /* init's, blocked when sent: dropped now (but SIGKILL and SIGSTOP,
         * which only the kernel makes pending for it). */
        if (unkillable_default(p, sig) && sig != SG_SIGKILL && sig != SG_SIGSTOP)
            continue;
        if (sig == SG_SIGKILL || h == SG_SIG_DFL) {
            if (sig != SG_SIGKILL && (DEFAULT_IGNORE & SIGSET(sig)))
                continue;
            if (STOP_SIGNALS & SIGSET(sig)) {
                if (!signal_stop_discarded(p, sig))
                    stop_group(p, sig);
                continue;
            }
            if (in.pid && in.pid != p->tgid)
                printk("sysgate: pid %d (%s) killed by signal %d from pid %d\n", p->pid, p->name, sig, in.pid);
            proc_exit_group(p, SG_WSTATUS_KILLED(sig));   /* a fatal signal ends every thread */
        }
        if (h == SG_SIG_IGN)
            continue;
        run_handler(p, f, sig, &in);
    }
    /* No handler ran: an interrupted call starts again (signal(7)), and
     * rt_sigsuspend's mask goes back. */
    if (p->sig.restart_pending) {
        p->sig.restart_pending = false;
        long err = -(long)f->rax;
        if (err == SG_ERESTARTSYS || err == SG_ERESTARTNOINTR || err == SG_ERESTARTNOHAND)
            restart_call(p, f);
    }
    if (p->sig.restore_saved_mask) {
        p->sig.restore_saved_mask = false;
        p->sig.blocked = p->sig.saved_mask;
    }
    signal_update_work(p);
}

/* ---- The signal return ------------------------------------------------ */

static bool canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

static bool user_data_selector(uint64_t sel)
{
    return sel == USER_DS || sel == USER_DS2;
}

/* The extended part of a frame's XSAVE area at `at` (its FXSAVE part
 * already in frame_fpu), as Linux's check_xstate_in_sigframe and
 * validate_user_xstate_header take it: 1 when both magics are there and
 * the header is one XRSTOR loads without a fault, 0 when the magics are
 * not (an FXSAVE-only frame: Linux restores the legacy region and puts
 * every other component in its initial configuration), -1 to refuse the
 * frame.  XRSTOR raises #GP - in ring 0 - for XSTATE_BV bits outside
 * XCR0, a non-zero XCOMP_BV without compaction or non-zero header bytes
 * 16..23 (SDM vol. 1 13.8, vol. 2C XRSTOR); Linux refuses every reserved
 * header byte, and so does sysgate. */
static int fetch_xstate(uint64_t at)
{
    struct sg_fpx_sw_bytes sw;
    memcpy(&sw, frame_fpu + SG_FXSAVE_SW_BYTES, sizeof sw);
    if (sw.magic1 != SG_FP_XSTATE_MAGIC1 || sw.xstate_size < FPU_LEGACY_SIZE + FPU_HEADER_SIZE ||
        sw.xstate_size > fpu_cfg.size || sw.xstate_size > sw.extended_size)
        return 0;
    uint32_t magic2;
    if (get_user_u32(&magic2, at + sw.xstate_size))
        return -1;
    if (magic2 != SG_FP_XSTATE_MAGIC2)
        return 0;
    if (copy_from_user(frame_fpu + FPU_LEGACY_SIZE, at + FPU_LEGACY_SIZE, sw.xstate_size - FPU_LEGACY_SIZE))
        return -1;
    /* A shorter area than the kernel's: the components past it initial. */
    memcpy(frame_fpu + sw.xstate_size, fpu_init_state + sw.xstate_size, fpu_cfg.size - sw.xstate_size);
    uint64_t header[FPU_HEADER_SIZE / 8];
    memcpy(header, frame_fpu + FPU_XSTATE_BV, sizeof header);
    if (header[0] & ~fpu_cfg.xcr0)
        return -1;
    for (unsigned i = 1; i < FPU_HEADER_SIZE / 8; i++)
        if (header[i])
            return -1;
    /* A component the frame's xfeatures leaves out is initial (Linux
     * restores with XRSTOR's mask = xfeatures, then the initial state for
     * the rest) - MXCSR too when neither SSE nor AVX is in. */
    header[0] &= sw.xfeatures;
    memcpy(frame_fpu + FPU_XSTATE_BV, &header[0], 8);
    if (!(sw.xfeatures & (XFEATURE_SSE | XFEATURE_AVX)))
        memcpy(frame_fpu + FPU_MXCSR, fpu_init_state + FPU_MXCSR, 4);
    return 1;
}

/* The FPU state of the frame whose FXSAVE-format area is at `at` (0: none,
 * a fresh FPU as on Linux), checked, into frame_fpu for fpu_load: false
 * refuses the frame.  A reserved MXCSR bit makes FXRSTOR and XRSTOR raise
 * #GP in ring 0 (SDM vol. 1 10.5.1.1, 13.8; vol. 2A FXRSTOR). */
static bool fetch_fpu(uint64_t at)
{
    if (!at) {
        memcpy(frame_fpu, fpu_init_state, fpu_cfg.size);
        return true;
    }
    uint32_t mxcsr;
    if (copy_from_user(frame_fpu, at, FPU_LEGACY_SIZE))
        return false;
    memcpy(&mxcsr, frame_fpu + FPU_MXCSR, 4);
    if (mxcsr & ~fpu_cfg.mxcsr_mask)
        return false;
    if (!fpu_cfg.xsave)
        return true;
    int x = fetch_xstate(at);
    if (x < 0)
        return false;
    if (x == 0) {
        /* FXSAVE only: x87 and SSE from the legacy region, the rest
         * initial; the header is the initial image's but for XSTATE_BV. */
        memcpy(frame_fpu + FPU_LEGACY_SIZE, fpu_init_state + FPU_LEGACY_SIZE, fpu_cfg.size - FPU_LEGACY_SIZE);
        uint64_t bv = XFEATURE_X87 | XFEATURE_SSE;
        memcpy(frame_fpu + FPU_XSTATE_BV, &bv, 8);
    }
    return true;
}

static uint64_t sigreturn_flags(const struct frame *f, uint64_t user)
{
    return (user & SIGRETURN_FLAGS) | (f->rflags & RFLAGS_ID) | RFLAGS_IF | RFLAGS_FIXED;
}

static bool sigreturn64(struct proc *p, struct frame *f, uint64_t *rax)
{
    struct sg_ucontext64 uc;
    uint64_t frame = f->rsp - 8;        /* the handler's `ret` took pretcode */
    if (copy_from_user(&uc, frame + __builtin_offsetof(struct sg_rt_sigframe64, uc), sizeof uc))
        return false;
    const struct sg_sigcontext64 *sc = &uc.uc_mcontext;
    /* CS: only the 64-bit user code segment (a 64-bit process's frame);
     * SS: a user data segment, or USER_DS when the frame does not ask for
     * its own (UC_STRICT_RESTORE_SS, Linux). */
    uint64_t ss = (uc.uc_flags & SG_UC_STRICT_RESTORE_SS) ? sc->ss : USER_DS;
    if (sc->cs != USER64_CS || !user_data_selector(ss))
        return false;
    if (!canonical(sc->rip) || !canonical(sc->rsp))
        return false;
    if (!fetch_fpu(sc->fpstate))
        return false;

    f->r8 = sc->r8, f->r9 = sc->r9, f->r10 = sc->r10, f->r11 = sc->r11;
    f->r12 = sc->r12, f->r13 = sc->r13, f->r14 = sc->r14, f->r15 = sc->r15;
    f->rdi = sc->rdi, f->rsi = sc->rsi, f->rbp = sc->rbp, f->rbx = sc->rbx;
    f->rdx = sc->rdx, f->rcx = sc->rcx, f->rsp = sc->rsp, f->rip = sc->rip;
    f->rflags = sigreturn_flags(f, sc->eflags);
    f->cs = USER64_CS;
    f->ss = ss;
    fpu_load_current(p, frame_fpu);
    p->sig.blocked = uc.uc_sigmask & ~UNBLOCKABLE;
    *rax = sc->rax;
    return true;
}

/* i386: every selector from the frame; CS the 32-bit user code segment,
 * SS a user data segment; DS, ES, FS and GS whatever the process may load
 * (the loads refuse what the CPU refuses and leave null: seg_load_*). */
static bool sigreturn32(struct proc *p, struct frame *f, bool rt, uint64_t *rax)
{
    struct sg_sigcontext32 sc;
    uint64_t mask;
    if (rt) {
        struct sg_ucontext32 uc;
        uint64_t frame = (uint32_t)f->rsp - 4;  /* the handler's ret took pretcode */
        if (copy_from_user(&uc, frame + __builtin_offsetof(struct sg_rt_sigframe32, uc), sizeof uc))
            return false;
        sc = uc.uc_mcontext;
        mask = uc.uc_sigmask[0] | (uint64_t)uc.uc_sigmask[1] << 32;
    } else {
        uint32_t extramask;
        uint64_t frame = (uint32_t)f->rsp - 8;  /* ... and the restorer's popl the signal number */
        if (copy_from_user(&sc, frame + __builtin_offsetof(struct sg_sigframe32, sc), sizeof sc) ||
            copy_from_user(&extramask, frame + __builtin_offsetof(struct sg_sigframe32, extramask), 4))
            return false;
        mask = sc.oldmask | (uint64_t)extramask << 32;
    }
    if (sc.cs != USER32_CS || !user_data_selector(sc.ss))
        return false;
    if (!fetch_fpu(sc.fpstate ? (uint64_t)sc.fpstate + SG_FPSTATE32_FXSAVE : 0))
        return false;

    f->rdi = sc.edi, f->rsi = sc.esi, f->rbp = sc.ebp, f->rsp = sc.esp;
    f->rbx = sc.ebx, f->rdx = sc.edx, f->rcx = sc.ecx, f->rip = sc.eip;
    f->r8 = f->r9 = f->r10 = f->r11 = f->r12 = f->r13 = f->r14 = f->r15 = 0;
    f->rflags = sigreturn_flags(f, sc.eflags);
    f->cs = USER32_CS;
    f->ss = sc.ss;
    seg_load_gs(sc.gs);
    seg_load_fs(sc.fs);
    seg_load_ds(sc.ds);
    seg_load_es(sc.es);
    fpu_load_current(p, frame_fpu);
    p->sig.blocked = mask & ~UNBLOCKABLE;
    *rax = sc.eax;
    return true;
}

long signal_return(bool rt)
{
    struct proc *p = current_proc();
    struct frame *f = syscall_frame();
    uint64_t rax = 0;
    bool ok = p->bits == 64 ? rt && sigreturn64(p, f, &rax) : sigreturn32(p, f, rt, &rax);
    /* Whatever happens, no restart: the restored rax is the process's own
     * (Linux sets orig_ax to -1). */
    p->sig.restart_pending = false;
    if (!ok) {
        signal_force_sigsegv(p, 0);
        return -SG_EFAULT;
    }
    /* The exit path checks the restored frame like any other (a fast
     * return only when its own checks pass); the 32-bit fast doors must
     * not write their clobbers over it. */
    percpu0.replaced_frame = f;
    signal_update_work(p);
    return (long)rax;
}

bool signal_stop_in_call(struct proc *p)
{
    uint64_t set = deliverable(p);
    for (uint64_t s = set; s; s &= s - 1) {
        int sig = __builtin_ctzll(s) + 1;
        if (!(STOP_SIGNALS & SIGSET(sig)) || action_of(p, sig)->handler != SG_SIG_DFL)
            return false;
    }
    int stop_sig = 0;
    for (uint64_t s = set; s; s &= s - 1) {
        int sig = __builtin_ctzll(s) + 1;
        signal_take(p, sig);
        if (!stop_sig && !signal_stop_discarded(p, sig))
            stop_sig = sig;
    }
    if (stop_sig)
        stop_group(p, stop_sig);
    if (p->sig.stop_pending)
        stop_here(p);
    return true;
}

/* Each process's timer is in its leader's signal state, which outlives
 * the leader's own end while other threads run: SIGALRM goes to the
 * process (signal_send_info finds a live thread). */
void signal_timer_tick(uint64_t now_ns)
{
    for (int i = 0; i < MAX_PROCS; i++) {
        struct proc *p = &procs[i];
        if (p->state == PROC_FREE || p->sig.group != &p->sig || !p->sig.itimer_next_ns ||
            now_ns < p->sig.itimer_next_ns)
            continue;
        p->sig.itimer_next_ns = p->sig.itimer_interval_ns ? now_ns + p->sig.itimer_interval_ns : 0;
        struct sig_info info = { .code = SG_SI_KERNEL };
        signal_send_info(p, SG_SIGALRM, &info);
    }
}
