/* Processes and the scheduler. */
#ifndef SYSGATE_PROC_H
#define SYSGATE_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include "../arch/debugreg.h"
#include "../arch/layout.h"
#include "../arch/segments.h"
#include "../entry/frame.h"
#include "../lib/kernel.h"
#include "rseq.h"
#include "signal.h"
#include "../syscall/tables.h"

#define MAX_PROCS 64
#define MAX_ARGS 32
#define MAX_ARG_LEN 256
/* Linux-numbered calls the dispatcher's tables cover: 0 .. LINUX_NR_MAX - 1
 * (dispatch.c, dispatch_fast.S). */
/* Resource limits, Linux's RLIM_NLIMITS (include/uapi/asm-generic/resource.h). */
#define RLIM_NLIMITS 16
#define RLIMIT_STACK 3          /* the one the loader reads: execve's argument room */
#define RLIMIT_SIGPENDING 11    /* queued real-time signals (signal.c) */

struct rlimit64 {
    uint64_t cur, max;
};

enum proc_state {
    PROC_FREE = 0,
    PROC_RUNNABLE,      /* ready, or running when it is `current` */
    PROC_SLEEPING,      /* nanosleep: until wake_ns */
    PROC_WAITING,       /* wait4: until a child exits */
    PROC_BLOCKED,       /* sched_block: until sched_wake(wait_chan), or wake_ns if set */
    PROC_ZOMBIE,        /* exited; waits for its parent to collect it */
    PROC_STOPPED,       /* a stop signal (job control): until SIGCONT or SIGKILL */
};

struct proc {
    uint8_t *fpu;               /* FPU/SSE/AVX state while switched out (arch/fpu.h: fpu_cfg.size
                                   bytes, 64-byte aligned; the slot's, kept across its processes) */
    uint64_t syscalls;          /* system calls entered, every door, until its last switch-out
                                   (the running process's since then: percpu.syscalls) */
    int pid;
    enum proc_state state;
    char name[32];
    int bits;                   /* 64 or 32 */
    uint64_t *pml4;
    struct vm_space *vm;        /* the regions beside pml4 (mm/space.h) */
    void *kstack;               /* KSTACK_SIZE bytes */
    uint64_t ksp;               /* saved kernel RSP while switched out */
    struct proc *parent;
    int tgid;                   /* thread group: the process's pid (getpid); pid is the tid */
    int pgid, sid;              /* process group and session (setpgid(2), setsid(2)) */
    /* futex(2) waiting (PROC_BLOCKED on futex_chan): the word's address in
     * futex_vm, the FUTEX_WAIT_BITSET mask, and whether a wake found it. */
    uint64_t futex_addr;
    const struct vm_space *futex_vm;
    uint32_t futex_bitset;
    bool futex_woken;
    struct proc *vfork_parent;  /* blocked in vfork until this child execs or ends */
    bool execed;                /* has called execve (setpgid's -EACCES) */
    int wait_status;            /* Linux wait4 encoding, once a zombie */
    int exit_signal;            /* sent to the parent when the process ends (clone's CSIGNAL;
                                   SIGCHLD for fork and sg_spawn, 0 for a thread) */
    uint64_t wake_ns;           /* PROC_SLEEPING: CLOCK_MONOTONIC to wake at
                                   (PROC_BLOCKED: the same, 0 for none) */
    const void *wait_chan;      /* PROC_BLOCKED: what it waits for */
    uint64_t cpu_ticks;         /* timer ticks that found it running */
    struct seg_state seg;       /* segment registers and TLS, while switched out */
    struct debug_state debug;   /* DR0-3, DR7 and what #DB reported (arch/debugreg.h) */
    struct fd_table *files;     /* open file descriptors (fs/file.h) */
    uint32_t cwd;               /* the working directory's node (fs/fstree.h) */
    bool fpu_trap;              /* CR0.TS is set while it runs: its nm door is armed (the
                                   x87/SSE then raise #NM; kernel/entry/exception_doors.c) */
    bool align_trap;            /* CR0.AM is set while it runs: its ac door is armed (an
                                   unaligned access with EFLAGS.AC is then #AC) */
    uint32_t floors;            /* doors at their benchmark floor for this process
                                   (1 << SG_MECH_x; entry/mechanisms.c) */
    bool tsc_faults;            /* rdtsc raises #GP: CR4.TSD while it runs (prctl
                                   PR_SET_TSC; the rdtsc door; entry/exception_doors.c) */
    bool cpuid_faults;          /* cpuid raises #GP: CPUID faulting while it runs
                                   (arch_prctl ARCH_SET_CPUID; the cpuid door) */
    /* Linux's per-process bookkeeping (syscall/sys_identity.c). */
    struct rlimit64 rlimits[RLIM_NLIMITS];  /* inherited from the parent */
    uint64_t clear_child_tid;   /* set_tid_address, CLONE_CHILD_CLEARTID: cleared at thread exit */
    uint64_t robust_list, robust_list_len;  /* set_robust_list: remembered */
    /* syscall/trace.c: the unimplemented numbers already logged, one bit per
     * number with a table slot and bit UNIMPLEMENTED_PAST for the rest
     * (syscall/tables.h). */
    uint64_t unimplemented_logged[UNIMPLEMENTED_WORDS];
    uint32_t unimplemented_count;   /* how many bits of it are set */
    /* System calls the C dispatcher (the full path) ran for this process,
     * and for its children once collected by wait4 (as RUSAGE_CHILDREN). */
    uint64_t full_calls;
    uint64_t children_full_calls;
    struct signal_state sig;    /* handlers, mask, pending set, alternate stack (signal.h) */
    struct rseq_reg rseq;       /* rseq(2): the thread's registration (rseq.h) */
};


extern struct proc procs[MAX_PROCS];

static inline struct proc *current_proc(void)
{
    return percpu0.current;
}

/* Whether a thread of p's group other than p is still alive. */
static inline bool proc_group_alive(const struct proc *p)
{
    for (int i = 0; i < MAX_PROCS; i++) {
        const struct proc *q = &procs[i];
        if (q != p && q->tgid == p->tgid && q->state != PROC_FREE && q->state != PROC_ZOMBIE)
            return true;
    }
    return false;
}

static inline struct frame *proc_frame(struct proc *p)
{
    return (struct frame *)((char *)p->kstack + KSTACK_SIZE - sizeof(struct frame));
}

/* loader.c: a new process running the initrd file `path`; returns its pid
 * or -errno. */
long proc_spawn(const char *path, int argc, char *const argv[], struct proc *parent);

/* syscall/sys_identity.c: a new process's limits (its parent's, or
 * Linux's defaults for the first) and Linux bookkeeping. */
void proc_identity_init(struct proc *p, const struct proc *parent);

/* loader.c: execve (and execveat: dirfd and AT_* flags as
 * fs_exec_lookup takes them) for the running process: path (already
 * copied in), argv and envp arrays in its memory.  0 with the new image in
 * place (its frame rewritten), or -errno with the caller untouched. */
long proc_exec(int dirfd, const char *path, int at_flags, uint64_t argv, uint64_t envp);
/* loader.c: a process whose kernel stack holds `frame` at its top (the
 * frame the exit path restores) starts in process_first_return when first
 * switched to. */
void proc_start_at_frame(struct proc *p);

/* fork.c: the vfork parent, if any, may go on (the child exec'd or ended). */
void proc_vfork_release(struct proc *child);

/* syscall/sys_tls.c: set_thread_area for p (running, or a new thread:
 * clone's CLONE_SETTLS, which may not allocate an entry); 0 or -errno. */
long tls_set_thread_area(struct proc *p, uint64_t uptr, bool can_allocate);

/* syscall/sys_futex.c: wakes up to n waiters on the word at addr of vm
 * whose bitset meets mask (at least one if there is one); how many. */
int futex_wake(const struct vm_space *vm, uint64_t addr, int n, uint32_t mask);

/* proc.c */
struct proc *proc_alloc(void);
struct proc *proc_find(int pid);
/* Registers a function called for every process that ends (exit, kill,
 * fault), before it becomes a zombie, with the process still current if it
 * was: how other parts of the kernel let go of per-process state without
 * proc.c knowing them.  At most PROC_EXIT_HOOKS. */
#define PROC_EXIT_HOOKS 4
void proc_add_exit_hook(void (*hook)(struct proc *p));
/* Ends the running thread p (exit(2)); the last thread of a group ends
 * the process. */
noreturn void proc_exit(struct proc *p, int wait_status);
/* Ends every thread of p's group, p (running) last (exit_group(2), a
 * fatal signal, a fault). */
noreturn void proc_exit_group(struct proc *p, int wait_status);
/* execve: the other threads of p's group end (their slots free). */
void proc_end_other_threads(struct proc *p);
/* Whether p still belongs to its process group: alive, or a process its
 * parent has not collected yet (Linux keeps a zombie in its group until it
 * is reaped: setpgid and TIOCSPGRP find a group whose first member has
 * already ended, as a pipeline's does). */
bool proc_in_group(const struct proc *p);
/* Whether p is its group's last live thread (its end ends the process). */
bool proc_last_thread(const struct proc *p);
/* Whether process group pgid is orphaned (POSIX): no member - `ignored`
 * apart, ended processes and init's children apart - has a parent in
 * another group of the same session (Linux's will_become_orphaned_pgrp).
 * Nobody in the session would continue a stopped member. */
bool proc_pgrp_orphaned(int pgid, const struct proc *ignored);
/* Sends sig from the kernel (SI_KERNEL) to every process of group pgid
 * (Linux's __kill_pgrp_info). */
void proc_signal_pgrp(int pgid, int sig);
/* Whether p is the first live thread of its group in the table: loops
 * over the table that act once per process (kill of a process group). */
bool proc_first_of_group(const struct proc *p);
/* kill(2) (info NULL: SI_USER from the caller) and rt_sigqueueinfo(2) of
 * one process: -ESRCH, -EINVAL for a bad signal; signal 0 tests for
 * existence; any other is sent (signal_send_info: init drops those it has
 * no handler for, a full queue is -EAGAIN). */
long proc_kill_info(int pid, int sig, const struct sig_info *info);
/* Kills the current process for a fault it took in user mode: one log
 * line naming the fault, then exit with the signal's wait status. */
noreturn void proc_kill_current(int signal, const char *what, uint64_t rip, uint64_t addr);
/* What proc_wait looks for and how (wait4's and waitid's options). */
#define WAIT_EXITED    1u       /* an ended child (wait4 always) */
#define WAIT_STOPPED   2u       /* a child stopped by a signal (WUNTRACED, WSTOPPED) */
#define WAIT_CONTINUED 4u       /* a stopped child continued by SIGCONT (WCONTINUED) */
#define WAIT_NOHANG    8u       /* do not block */
#define WAIT_NOREAP    16u      /* leave what was found to be found again (WNOWAIT) */
/* Waits for a child: pid > 0 that one, -1 any, 0 the caller's process
 * group, < -1 group -pid.  The child's pid and its status in wait4's
 * encoding (exited, killed, stopped (sig << 8 | 0x7f) or continued
 * (0xffff)), 0 with WAIT_NOHANG and nothing to report, -ECHILD.  An ended
 * child is collected unless WAIT_NOREAP; a stop or continue is reported
 * once. */
long proc_wait(struct proc *parent, int pid, int *status, unsigned how);
/* Every thread of parent's group waiting in wait4/waitid looks again. */
void proc_wake_waiters(const struct proc *parent);
/* The leader of p's thread group (p itself for a single-threaded one). */
struct proc *proc_leader(struct proc *p);

/* sched.c */
void sched_init(void);
noreturn void sched_run_idle(void);
void schedule(void);
/* Sleeps until CLOCK_MONOTONIC reaches mono_ns (checked on each tick). */
void sched_sleep_until(uint64_t mono_ns);
void sched_timer_tick(struct frame *f);
/* Blocks the current process until sched_wake(chan), or until
 * CLOCK_MONOTONIC reaches deadline_ns if that is not 0.  The caller checks
 * again what it waited for: a wake-up promises nothing. */
void sched_block(const void *chan, uint64_t deadline_ns);
/* Makes every process blocked on chan runnable (safe in an interrupt). */
void sched_wake(const void *chan);

#endif
