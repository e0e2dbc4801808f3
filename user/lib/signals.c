/* The user library's signal calls (signals.h). */
#include "signals.h"

long sys_rt_sigaction(int sig, const void *act, void *old)
{
    return sg_syscall(SYS_rt_sigaction, sig, (long)act, (long)old, 8, 0, 0);
}

long sg_sigaction(int sig, void *handler, unsigned long flags, uint64_t mask, uintptr_t *old)
{
    uintptr_t restorer = (uintptr_t)(flags & SG_SA_SIGINFO || SG_BITS == 64 ? sg_restore_rt : sg_restore);
    if ((uintptr_t)handler <= SG_SIG_IGN)
        restorer = 0;
    else
        flags |= SG_SA_RESTORER;
#ifdef __x86_64__
    struct sg_sigaction64 act = { (uintptr_t)handler, flags, restorer, mask }, o;
#else
    struct sg_sigaction32 act = { (uintptr_t)handler, (uint32_t)flags, restorer,
                                  { (uint32_t)mask, (uint32_t)(mask >> 32) } }, o;
#endif
    long r = sys_rt_sigaction(sig, &act, &o);
    if (!r && old)
        *old = o.handler;
    return r;
}

long sys_rt_sigprocmask(int how, const uint64_t *set, uint64_t *old)
{
    return sg_syscall(SYS_rt_sigprocmask, how, (long)set, (long)old, 8, 0, 0);
}

uint64_t sg_blocked(void)
{
    uint64_t old = 0;
    sys_rt_sigprocmask(SG_SIG_BLOCK, 0, &old);
    return old;
}

long sys_rt_sigpending(uint64_t *set)
{
    return sg_syscall(SYS_rt_sigpending, (long)set, 8, 0, 0, 0, 0);
}

long sys_rt_sigsuspend(const uint64_t *mask)
{
    return sg_syscall(SYS_rt_sigsuspend, (long)mask, 8, 0, 0, 0, 0);
}

long sys_rt_sigtimedwait(const uint64_t *set, void *info, const void *timeout)
{
    return sg_syscall(SYS_rt_sigtimedwait, (long)set, (long)info, (long)timeout, 8, 0, 0);
}

long sys_sigaltstack(const sg_stack_t *ss, sg_stack_t *old)
{
    return sg_syscall(SYS_sigaltstack, (long)ss, (long)old, 0, 0, 0, 0);
}

long sys_pause(void)
{
    return sg_syscall(SYS_pause, 0, 0, 0, 0, 0, 0);
}

long sys_alarm(unsigned seconds)
{
    return sg_syscall(SYS_alarm, seconds, 0, 0, 0, 0, 0);
}

long sys_tgkill(int tgid, int tid, int sig)
{
    return sg_syscall(SYS_tgkill, tgid, tid, sig, 0, 0, 0);
}

long sys_rt_sigqueueinfo(int pid, int sig, const sg_siginfo_t *info)
{
    return sg_syscall(SYS_rt_sigqueueinfo, pid, sig, (long)info, 0, 0, 0);
}

long sys_rt_tgsigqueueinfo(int tgid, int tid, int sig, const sg_siginfo_t *info)
{
    return sg_syscall(SYS_rt_tgsigqueueinfo, tgid, tid, sig, (long)info, 0, 0);
}

long sg_sigqueue(int pid, int sig, int code, long value)
{
    sg_siginfo_t si;
    memset(&si, 0, sizeof si);
    si.signo = sig;
    si.code = code;
    si.u.rt.pid = (int)sys_getpid();
    si.u.rt.value = (unsigned long)value;
    return sys_rt_sigqueueinfo(pid, sig, &si);
}

long sg_setitimer_us(long value_us, long interval_us, long *old_value_us)
{
    long v[4] = { interval_us / 1000000, interval_us % 1000000, value_us / 1000000, value_us % 1000000 }, o[4];
    long r = sg_syscall(SYS_setitimer, SG_ITIMER_REAL, (long)v, (long)o, 0, 0, 0);
    if (!r && old_value_us)
        *old_value_us = o[2] * 1000000 + o[3];
    return r;
}
