/*
 * The user library's signal calls: thin wrappers over sg_syscall (Linux
 * semantics, -errno on failure) with the kernel's structures from
 * include/sysgate/signal.h, and the restorers a handler returns through
 * (sigrestore.S), as a C library passes them with SA_RESTORER.
 */
#ifndef SYSGATE_USER_SIGNALS_H
#define SYSGATE_USER_SIGNALS_H

#include <sysgate/signal.h>
#include "sysgate.h"

#ifdef __x86_64__
typedef struct sg_siginfo64 sg_siginfo_t;
typedef struct sg_ucontext64 sg_ucontext_t;
typedef struct sg_stack64 sg_stack_t;
#else
typedef struct sg_siginfo32 sg_siginfo_t;
typedef struct sg_ucontext32 sg_ucontext_t;
typedef struct sg_stack32 sg_stack_t;
#endif

/* The restorers: rt_sigreturn (both widths), and i386's sigreturn for
 * handlers without SA_SIGINFO (pops the signal number first). */
void sg_restore_rt(void);
void sg_restore(void);

/* Installs handler for sig with flags (SA_RESTORER and the matching
 * restorer added) and mask; the old action's handler in *old if old. */
long sg_sigaction(int sig, void *handler, unsigned long flags, uint64_t mask, uintptr_t *old);
/* The raw call: act and old in the kernel's layout of this width. */
long sys_rt_sigaction(int sig, const void *act, void *old);
long sys_rt_sigprocmask(int how, const uint64_t *set, uint64_t *old);
long sys_rt_sigpending(uint64_t *set);
long sys_rt_sigsuspend(const uint64_t *mask);
long sys_rt_sigtimedwait(const uint64_t *set, void *info, const void *timeout);
long sys_sigaltstack(const sg_stack_t *ss, sg_stack_t *old);
long sys_pause(void);
long sys_alarm(unsigned seconds);
long sys_tgkill(int tgid, int tid, int sig);
long sys_rt_sigqueueinfo(int pid, int sig, const sg_siginfo_t *info);
long sys_rt_tgsigqueueinfo(int tgid, int tid, int sig, const sg_siginfo_t *info);
/* rt_sigqueueinfo with the siginfo a C library's sigqueue(3) builds, but
 * si_code chosen: code, the caller's pid, value. */
long sg_sigqueue(int pid, int sig, int code, long value);
/* ITIMER_REAL in microseconds: value, interval; old ones if asked. */
long sg_setitimer_us(long value_us, long interval_us, long *old_value_us);
/* The current blocked set. */
uint64_t sg_blocked(void);

/* The interrupted context's registers (ucontext's mcontext). */
#ifdef __x86_64__
#define SG_UC_IP(uc) ((uc)->uc_mcontext.rip)
#define SG_UC_SP(uc) ((uc)->uc_mcontext.rsp)
#define SG_UC_FLAGS(uc) ((uc)->uc_mcontext.eflags)
#else
#define SG_UC_IP(uc) ((uc)->uc_mcontext.eip)
#define SG_UC_SP(uc) ((uc)->uc_mcontext.esp)
#define SG_UC_FLAGS(uc) ((uc)->uc_mcontext.eflags)
#endif

#endif
