/*
 * The signal calls, both widths (signal(7) and each call's man page):
 * rt_sigaction, rt_sigprocmask, rt_sigpending, rt_sigsuspend, pause,
 * rt_sigtimedwait, sigaltstack, rt_sigreturn, alarm,
 * getitimer/setitimer (ITIMER_REAL); i386's old signal, sigaction,
 * sigprocmask, sigpending, sigsuspend and sigreturn.  The state they change
 * and the delivery are proc/signal.c's; kill, tkill and tgkill are in
 * sys_proc.c.
 */
#include "syscall.h"
#include "uaccess.h"
#include "../proc/proc.h"
#include "../time/clock.h"
#include <sysgate/abi.h>
#include <sysgate/vvar.h>

#define UNBLOCKABLE (SG_SIGSET(SG_SIGKILL) | SG_SIGSET(SG_SIGSTOP))
#define SIGSET_SIZE 8   /* the kernel's sigset_t: 64 signals */

static bool is64(void)
{
    return current_proc()->bits == 64;
}

static bool valid_signal(uint64_t sig)
{
    return sig >= 1 && sig <= SG_NSIG;
}

/* Changes one action; old (if asked for) gets the previous one. */
static long set_action(int sig, const struct sig_action *act, struct sig_action *old)
{
    struct proc *p = current_proc();
    if (!valid_signal((uint64_t)sig))
        return -SG_EINVAL;
    /* The table may be the thread group's (CLONE_SIGHAND): a change is
     * seen by every thread. */
    struct sig_action *action = &p->sig.hand->action[sig - 1];
    if (old)
        *old = *action;
    if (!act)
        return 0;
    /* SIGKILL and SIGSTOP keep their default (sigaction(2): -EINVAL). */
    if (sig == SG_SIGKILL || sig == SG_SIGSTOP)
        return -SG_EINVAL;
    *action = *act;
    action->mask &= ~UNBLOCKABLE;
    /* Setting SIG_IGN (or SIG_DFL where that ignores) discards a pending
     * one, in every thread (POSIX; Linux's do_sigaction). */
    uint64_t h = act->handler;
    if (h == SG_SIG_IGN || (h == SG_SIG_DFL && (sig == SG_SIGCHLD || sig == SG_SIGURG || sig == SG_SIGWINCH ||
                                                  sig == SG_SIGCONT)))
        signal_discard(p, sig);
    signal_update_work(p);
    return 0;
}

long sys_rt_sigaction(uint64_t sig, uint64_t act_ptr, uint64_t oact_ptr, uint64_t setsize)
{
    struct sig_action act, old;
    if (setsize != SIGSET_SIZE)
        return -SG_EINVAL;
    if (act_ptr) {
        if (is64()) {
            struct sg_sigaction64 a;
            if (copy_from_user(&a, act_ptr, sizeof a))
                return -SG_EFAULT;
            act = (struct sig_action){ a.handler, a.flags, a.restorer, a.mask };
        } else {
            struct sg_sigaction32 a;
            if (copy_from_user(&a, act_ptr, sizeof a))
                return -SG_EFAULT;
            act = (struct sig_action){ a.handler, a.flags, a.restorer, a.mask[0] | (uint64_t)a.mask[1] << 32 };
        }
    }
    long r = set_action((int)sig, act_ptr ? &act : 0, oact_ptr ? &old : 0);
    if (r || !oact_ptr)
        return r;
    if (is64()) {
        struct sg_sigaction64 a = { old.handler, old.flags, old.restorer, old.mask };
        return copy_to_user(oact_ptr, &a, sizeof a) ? -SG_EFAULT : 0;
    }
    struct sg_sigaction32 a = { (uint32_t)old.handler, (uint32_t)old.flags, (uint32_t)old.restorer,
                                { (uint32_t)old.mask, (uint32_t)(old.mask >> 32) } };
    return copy_to_user(oact_ptr, &a, sizeof a) ? -SG_EFAULT : 0;
}

/* i386's sigaction (67): the old structure, a one-word mask. */
long sys_sigaction(uint64_t sig, uint64_t act_ptr, uint64_t oact_ptr)
{
    struct sig_action act, old;
    if (act_ptr) {
        struct sg_old_sigaction32 a;
        if (copy_from_user(&a, act_ptr, sizeof a))
            return -SG_EFAULT;
        act = (struct sig_action){ a.handler, a.flags, a.restorer, a.mask };
    }
    long r = set_action((int)sig, act_ptr ? &act : 0, oact_ptr ? &old : 0);
    if (r || !oact_ptr)
        return r;
    struct sg_old_sigaction32 a = { (uint32_t)old.handler, (uint32_t)old.mask, (uint32_t)old.flags,
                                    (uint32_t)old.restorer };
    return copy_to_user(oact_ptr, &a, sizeof a) ? -SG_EFAULT : 0;
}

/* i386's signal (48): SA_RESETHAND | SA_NODEFER semantics (System V), as
 * Linux's sys_signal; returns the old handler. */
long sys_signal(uint64_t sig, uint64_t handler)
{
    struct sig_action act = { handler, SG_SA_RESETHAND | SG_SA_NODEFER, 0, 0 }, old;
    long r = set_action((int)sig, &act, &old);
    return r ? r : (long)old.handler;
}

static long change_mask(int how, const uint64_t *set, uint64_t *old)
{
    struct proc *p = current_proc();
    if (old)
        *old = p->sig.blocked;
    if (!set)
        return 0;
    switch (how) {
    case SG_SIG_BLOCK: p->sig.blocked |= *set; break;
    case SG_SIG_UNBLOCK: p->sig.blocked &= ~*set; break;
    case SG_SIG_SETMASK: p->sig.blocked = *set; break;
    default: return -SG_EINVAL;
    }
    p->sig.blocked &= ~UNBLOCKABLE;
    signal_update_work(p);
    return 0;
}

/* A sigset of the caller's width: 8 bytes either way (i386 two words, the
 * same bytes little-endian). */
long sys_rt_sigprocmask(uint64_t how, uint64_t set_ptr, uint64_t oset_ptr, uint64_t setsize)
{
    uint64_t set, old;
    if (setsize != SIGSET_SIZE)
        return -SG_EINVAL;
    if (set_ptr && copy_from_user(&set, set_ptr, sizeof set))
        return -SG_EFAULT;
    if (set_ptr && how > SG_SIG_SETMASK)
        return -SG_EINVAL;
    long r = change_mask((int)how, set_ptr ? &set : 0, &old);
    if (!r && oset_ptr && copy_to_user(oset_ptr, &old, sizeof old))
        return -SG_EFAULT;
    return r;
}

/* i386's sigprocmask (126): one 32-bit word, the first 32 signals. */
long sys_sigprocmask(uint64_t how, uint64_t set_ptr, uint64_t oset_ptr)
{
    uint32_t set32 = 0;
    uint64_t old;
    if (set_ptr && copy_from_user(&set32, set_ptr, sizeof set32))
        return -SG_EFAULT;
    if (set_ptr && how > SG_SIG_SETMASK)
        return -SG_EINVAL;
    uint64_t set = set32;
    if (set_ptr && how == SG_SIG_SETMASK)
        set |= current_proc()->sig.blocked & ~0xffffffffull;   /* the upper signals stay */
    long r = change_mask((int)how, set_ptr ? &set : 0, &old);
    uint32_t old32 = (uint32_t)old;
    if (!r && oset_ptr && copy_to_user(oset_ptr, &old32, sizeof old32))
        return -SG_EFAULT;
    return r;
}

long sys_rt_sigpending(uint64_t set_ptr, uint64_t setsize)
{
    struct proc *p = current_proc();
    if (setsize > SIGSET_SIZE)
        return -SG_EINVAL;
    uint64_t set = signal_pending_set(p) & p->sig.blocked;
    return copy_to_user(set_ptr, &set, setsize) ? -SG_EFAULT : 0;
}

long sys_sigpending(uint64_t set_ptr)
{
    return sys_rt_sigpending(set_ptr, 4);
}

/* Sleeps with `mask` as the blocked set until a signal is delivered; the
 * old mask comes back after the handler has been set up (its frame holds
 * the old one), so -EINTR is what the caller sees (ERESTARTNOHAND). */
static long suspend_with(uint64_t mask)
{
    struct proc *p = current_proc();
    p->sig.saved_mask = p->sig.blocked;
    p->sig.restore_saved_mask = true;
    p->sig.blocked = mask & ~UNBLOCKABLE;
    while (!signal_pending(p)) {
        p->wake_ns = UINT64_MAX;
        p->state = PROC_SLEEPING;
        schedule();
    }
    return signal_restart(-SG_ERESTARTNOHAND);
}

long sys_rt_sigsuspend(uint64_t mask_ptr, uint64_t setsize)
{
    uint64_t mask;
    if (setsize != SIGSET_SIZE)
        return -SG_EINVAL;
    if (copy_from_user(&mask, mask_ptr, sizeof mask))
        return -SG_EFAULT;
    return suspend_with(mask);
}

/* i386's sigsuspend (72): the mask is the third argument, by value. */
long sys_sigsuspend(uint64_t unused1, uint64_t unused2, uint64_t mask)
{
    (void)unused1, (void)unused2;
    return suspend_with((uint32_t)mask | (current_proc()->sig.blocked & ~0xffffffffull));
}

long sys_pause(void)
{
    struct proc *p = current_proc();
    while (!signal_pending(p)) {
        p->wake_ns = UINT64_MAX;
        p->state = PROC_SLEEPING;
        schedule();
    }
    return signal_restart(-SG_ERESTARTNOHAND);
}

/* rt_sigtimedwait: takes a pending signal of `set` without running its
 * handler - the lowest number, of a real-time one the oldest instance -
 * and waits for one (until the timeout) if none is pending. */
static long timedwait(uint64_t set_ptr, uint64_t info_ptr, uint64_t ts_ptr, uint64_t setsize, bool time64)
{
    struct proc *p = current_proc();
    uint64_t set, deadline = UINT64_MAX;
    if (setsize != SIGSET_SIZE)
        return -SG_EINVAL;
    if (copy_from_user(&set, set_ptr, sizeof set))
        return -SG_EFAULT;
    set &= ~UNBLOCKABLE;
    if (ts_ptr) {
        int64_t sec, nsec;
        if (is64() || time64) {
            int64_t ts[2];
            if (copy_from_user(ts, ts_ptr, sizeof ts))
                return -SG_EFAULT;
            sec = ts[0], nsec = ts[1];
        } else {
            int32_t ts[2];
            if (copy_from_user(ts, ts_ptr, sizeof ts))
                return -SG_EFAULT;
            sec = ts[0], nsec = ts[1];
        }
        if (sec < 0 || nsec < 0 || nsec >= (int64_t)SG_NSEC_PER_SEC)
            return -SG_EINVAL;
        deadline = clock_monotonic_ns() + (uint64_t)sec * SG_NSEC_PER_SEC + (uint64_t)nsec;
    }
    /* The signals waited for are unblocked while waiting (Linux's
     * do_sigtimedwait), so that sending one wakes us. */
    uint64_t blocked = p->sig.blocked;
    for (;;) {
        uint64_t ready = signal_pending_set(p) & set;
        if (ready) {
            int sig = __builtin_ctzll(ready) + 1;
            struct sig_info in = signal_take(p, sig);
            p->sig.blocked = blocked;
            signal_update_work(p);
            if (info_ptr && signal_put_siginfo(info_ptr, p->bits, sig, &in))
                return -SG_EFAULT;
            return sig;
        }
        if (signal_pending(p) && (p->sig.stop_pending || (signal_pending_set(p) & ~set & ~p->sig.blocked))) {
            p->sig.blocked = blocked;
            /* A stop ends the wait with -EINTR once the caller is
             * continued, as on Linux (signal(7), "Interruption of system
             * calls and library functions by stop signals"). */
            if (signal_stop_in_call(p))
                return -SG_EINTR;
            return signal_restart(-SG_ERESTARTNOHAND);
        }
        if (clock_monotonic_ns() >= deadline) {
            p->sig.blocked = blocked;
            return -SG_EAGAIN;
        }
        p->sig.blocked = blocked & ~set;
        sched_sleep_until(deadline);
    }
}

long sys_rt_sigtimedwait(uint64_t set_ptr, uint64_t info_ptr, uint64_t ts_ptr, uint64_t setsize)
{
    return timedwait(set_ptr, info_ptr, ts_ptr, setsize, false);
}

long sys_rt_sigtimedwait_time64(uint64_t set_ptr, uint64_t info_ptr, uint64_t ts_ptr, uint64_t setsize)
{
    return timedwait(set_ptr, info_ptr, ts_ptr, setsize, true);
}

long sys_sigaltstack(uint64_t ss_ptr, uint64_t old_ptr)
{
    struct proc *p = current_proc();
    struct signal_state *s = &p->sig;
    struct frame *f = syscall_frame();
    bool on = !(s->altstack_flags & SG_SS_DISABLE) && f->rsp > s->altstack_sp &&
              f->rsp - s->altstack_sp <= s->altstack_size;
    struct sg_stack64 old = { s->altstack_sp, 0, 0, s->altstack_size };
    old.flags = (int32_t)(on ? SG_SS_ONSTACK : (s->altstack_flags & (SG_SS_DISABLE | SG_SS_AUTODISARM)));
    if (ss_ptr) {
        struct sg_stack64 ss;
        if (is64()) {
            if (copy_from_user(&ss, ss_ptr, sizeof ss))
                return -SG_EFAULT;
        } else {
            struct sg_stack32 s32;
            if (copy_from_user(&s32, ss_ptr, sizeof s32))
                return -SG_EFAULT;
            ss = (struct sg_stack64){ s32.sp, s32.flags, 0, s32.size };
        }
        /* sigaltstack(2): -EPERM while on it; flags only 0, SS_ONSTACK
         * (taken as 0), SS_DISABLE, plus SS_AUTODISARM. */
        if (on)
            return -SG_EPERM;
        uint32_t mode = (uint32_t)ss.flags & ~SG_SS_AUTODISARM;
        if (mode != 0 && mode != SG_SS_ONSTACK && mode != SG_SS_DISABLE)
            return -SG_EINVAL;
        if (mode == SG_SS_DISABLE) {
            s->altstack_sp = s->altstack_size = 0;
            s->altstack_flags = SG_SS_DISABLE;
        } else {
            if (ss.size < SG_MINSIGSTKSZ)
                return -SG_ENOMEM;
            s->altstack_sp = ss.sp;
            s->altstack_size = ss.size;
            s->altstack_flags = (uint32_t)ss.flags & SG_SS_AUTODISARM;
        }
    }
    if (!old_ptr)
        return 0;
    if (is64())
        return copy_to_user(old_ptr, &old, sizeof old) ? -SG_EFAULT : 0;
    struct sg_stack32 o32 = { (uint32_t)old.sp, old.flags, (uint32_t)old.size };
    return copy_to_user(old_ptr, &o32, sizeof o32) ? -SG_EFAULT : 0;
}

long sys_rt_sigreturn(void)
{
    return signal_return(true);
}

long sys_sigreturn(void)
{
    return signal_return(false);
}

/* ITIMER_REAL as a deadline and an interval, in microseconds at the user
 * boundary (struct itimerval: two timevals of the caller's width).  The
 * timer is the process's (any thread's call sets the one timer, SIGALRM
 * goes to the process): it lives in the group's signal state. */
static long put_itimerval(uint64_t ptr, uint64_t interval_ns, uint64_t value_ns)
{
    uint64_t us[4] = { interval_ns / SG_NSEC_PER_SEC, interval_ns % SG_NSEC_PER_SEC / 1000,
                       value_ns / SG_NSEC_PER_SEC, value_ns % SG_NSEC_PER_SEC / 1000 };
    if (is64())
        return copy_to_user(ptr, us, sizeof us) ? -SG_EFAULT : 0;
    uint32_t u32[4] = { (uint32_t)us[0], (uint32_t)us[1], (uint32_t)us[2], (uint32_t)us[3] };
    return copy_to_user(ptr, u32, sizeof u32) ? -SG_EFAULT : 0;
}

static struct signal_state *timer_owner(void)
{
    return current_proc()->sig.group;
}

static uint64_t itimer_left(const struct signal_state *t)
{
    uint64_t now = clock_monotonic_ns();
    if (!t->itimer_next_ns)
        return 0;
    return t->itimer_next_ns > now ? t->itimer_next_ns - now : 1000;  /* due: as Linux, 1 us */
}

long sys_getitimer(uint64_t which, uint64_t value_ptr)
{
    struct signal_state *t = timer_owner();
    if (which != SG_ITIMER_REAL)
        return -SG_EINVAL;
    return put_itimerval(value_ptr, t->itimer_interval_ns, itimer_left(t));
}

long sys_setitimer(uint64_t which, uint64_t new_ptr, uint64_t old_ptr)
{
    struct signal_state *t = timer_owner();
    int64_t v[4];
    if (which != SG_ITIMER_REAL)
        return -SG_EINVAL;
    if (new_ptr) {
        if (is64()) {
            if (copy_from_user(v, new_ptr, sizeof v))
                return -SG_EFAULT;
        } else {
            int32_t v32[4];
            if (copy_from_user(v32, new_ptr, sizeof v32))
                return -SG_EFAULT;
            for (int i = 0; i < 4; i++)
                v[i] = v32[i];
        }
        for (int i = 0; i < 4; i++)
            if (v[i] < 0 || (i % 2 && v[i] >= 1000000))
                return -SG_EINVAL;
    }
    if (old_ptr && put_itimerval(old_ptr, t->itimer_interval_ns, itimer_left(t)))
        return -SG_EFAULT;
    if (new_ptr) {
        uint64_t interval = (uint64_t)v[0] * SG_NSEC_PER_SEC + (uint64_t)v[1] * 1000;
        uint64_t value = (uint64_t)v[2] * SG_NSEC_PER_SEC + (uint64_t)v[3] * 1000;
        t->itimer_interval_ns = interval;
        t->itimer_next_ns = value ? clock_monotonic_ns() + value : 0;
    }
    return 0;
}

/* alarm(2): seconds left of the previous alarm (rounded up), 0 if none. */
long sys_alarm(uint64_t seconds)
{
    struct signal_state *t = timer_owner();
    uint64_t left = itimer_left(t);
    t->itimer_interval_ns = 0;
    t->itimer_next_ns = (uint32_t)seconds ? clock_monotonic_ns() + (uint64_t)(uint32_t)seconds * SG_NSEC_PER_SEC : 0;
    return (long)((left + SG_NSEC_PER_SEC / 2) / SG_NSEC_PER_SEC) + (left && left < SG_NSEC_PER_SEC / 2);
}
