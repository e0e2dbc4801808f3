/*
 * Signals: per-process state, sending, delivery on the way back to user
 * mode, and the hardened signal return (signal.c; the calls are in
 * syscall/sys_signal.c).  docs/linux-abi.md lists what is implemented,
 * docs/security.md what sigreturn checks and why.
 */
#ifndef SYSGATE_SIGNAL_STATE_H
#define SYSGATE_SIGNAL_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sysgate/signal.h>

struct frame;
struct proc;

/* What a pending signal carries into its siginfo.  pid, uid and value are
 * the union's first words as a negative si_code lays them out (Linux's
 * SIL_RT: si_pid, si_uid, si_value; SI_TIMER's si_tid, si_overrun and
 * si_value are the same words). */
struct sig_info {
    int32_t code;               /* si_code */
    int32_t pid;                /* sender (kill, tkill, sigqueue), 0 for the kernel; SIGCHLD: the child */
    uint32_t uid;               /* si_uid */
    int32_t status;             /* SIGCHLD: si_status (exit code or signal) */
    uint64_t addr;              /* si_addr of a fault */
    uint64_t value;             /* si_value (sigqueue(3)) */
};

/* One queued instance of a real-time signal (Linux's struct sigqueue);
 * the instances come from a pool (signal.c). */
struct sigqueue {
    struct sigqueue *next;
    int sig;                    /* 0: free */
    struct sig_info info;
};

/* A set of pending signals (Linux's struct sigpending): the set, the one
 * siginfo of each standard signal (1-31: a second of the same number
 * while one is pending merges with it), and every instance of the
 * real-time signals (SIGRTMIN-SIGRTMAX: each send queues one with its own
 * siginfo), oldest first. */
struct sigpending {
    uint64_t set;               /* bit sig-1 */
    struct sig_info info[SG_SIGRTMIN - 1];
    struct sigqueue *queue;
};

/* One action per signal, in the 64-bit caller's layout (an i386 caller's
 * words are widened on the way in). */
struct sig_action {
    uint64_t handler, flags, restorer, mask;
};

/* The handlers: one table per process, shared by the threads that
 * CLONE_SIGHAND made (a sigaction in one is seen by all), counted by its
 * users; execve gives the caller a table of its own. */
struct sighand {
    int refs;                   /* 0: free */
    struct sig_action action[SG_NSIG];
};

struct signal_state {
    struct sighand *hand;
    uint64_t blocked;           /* bit sig-1; per thread */
    /* Thread-directed signals (tkill, tgkill, rt_tgsigqueueinfo, faults,
     * SIGPIPE). */
    struct sigpending pending;
    /* The thread group's: the leader's signal state, whose shared set holds
     * the process-directed signals (kill, sigqueue, the terminal's,
     * SIGCHLD, SIGALRM) until a thread that does not block them takes one,
     * and whose timer is the process's ITIMER_REAL. */
    struct signal_state *group;
    struct sigpending shared;
    uint64_t altstack_sp, altstack_size;
    uint32_t altstack_flags;    /* SG_SS_DISABLE, SG_SS_AUTODISARM */
    /* rt_sigsuspend: the mask to restore once a handler has been set up. */
    uint64_t saved_mask;
    bool restore_saved_mask;
    /* A call returned -ERESTART*: its number, for a restart. */
    bool restart_pending;
    uint64_t restart_nr;
    /* The last fault, for the sigcontext's trapno, err and cr2. */
    uint64_t trapno, err, cr2;
    /* Kept in the group leader's (p->sig.group): ITIMER_REAL, one per
     * process (setitimer(2)) - the next expiry (CLOCK_MONOTONIC ns, 0 =
     * off) and the interval; and whether the process is init, which gets
     * only the signals it has handlers for (Linux's SIGNAL_UNKILLABLE,
     * lifted by a forced SIGSEGV). */
    uint64_t itimer_next_ns, itimer_interval_ns;
    bool unkillable;
    /* Job control (signal(7), "stop" and "cont"): a stop of its group is
     * under way and the thread has not stopped yet.  It counts as a
     * pending signal (signal_pending): a blocking call returns, and the
     * thread stops on its way back to user mode (or in the call:
     * signal_stop_in_call). */
    bool stop_pending;
    /* Kept in the group leader's: the signal that stops the group (0 while
     * it runs), whether every thread has stopped and the parent been told
     * (Linux's SIGNAL_STOP_STOPPED), and a stop or continue that wait has
     * not reported yet (its wait status; 0 for none). */
    int group_stop_sig;
    bool group_stopped;
    int wait_report;
};

/* The restart errors a blocking call returns (Linux's, never seen by user
 * space: the exit path turns them into a restart or -EINTR). */
#define SG_ERESTARTSYS           512
#define SG_ERESTARTNOINTR        513
#define SG_ERESTARTNOHAND        514

/* The most stack a signal frame takes, either width (Linux's
 * get_sigframe_size(): the auxv's AT_MINSIGSTKSZ). */
uint64_t signal_frame_max(void);
/* A new process (sg_spawn): every action SIG_DFL, nothing blocked; pid 1
 * (init) unkillable. */
void signal_reset(struct proc *p);
/* fork: the child gets the parent's actions (a copy, or with share_hand -
 * CLONE_SIGHAND - the same table), mask and alternate stack, nothing
 * pending, no timer (signal(7), fork(2)); with thread (CLONE_THREAD) it
 * joins the parent's thread group's shared pending set and timer. */
void signal_fork(struct proc *child, struct proc *parent, bool share_hand, bool thread);
/* execve: a shared handler table is left for a copy of its own; handled
 * signals go back to SIG_DFL, ignored ones stay; the mask, the pending
 * signals and ITIMER_REAL stay; the alternate stack goes (execve(2)). */
void signal_exec(struct proc *p);
/* A thread ends (proc.c, before it is a zombie): the signals queued for
 * it go, and with the group's last thread those queued for the process
 * and its timer (Linux's __exit_signal). */
void signal_thread_exit(struct proc *p);
/* The process slot is freed: its hold on the handler table goes (its
 * queued signals went when it ended). */
void signal_release(struct proc *p);

/* Sends sig to the process (thread group) p belongs to, as kill(2) does
 * (from the running process, SI_USER, or with info): it is pending for the
 * group and taken by a thread that does not block it - p if it does not,
 * else the running thread, else any.  Never ends or switches anything
 * itself: the thread acts on it on its next way back to user mode; a
 * blocked one (sleeping, waiting, blocked on a channel) is made runnable so
 * that its call can return -EINTR or be restarted.  A signal whose action
 * is to ignore it is dropped, as Linux does.  A real-time signal queues
 * one more instance; past the receiver's RLIMIT_SIGPENDING (or the pool)
 * it is -EAGAIN unless it came from kill(2) (SI_USER: then pending
 * without its siginfo, Linux's __send_signal); else 0. */
void signal_send(struct proc *p, int sig);
long signal_send_info(struct proc *p, int sig, const struct sig_info *info);
/* The same for thread p alone (tkill, tgkill, rt_tgsigqueueinfo,
 * SIGPIPE); info NULL: SI_USER from the running process. */
long signal_send_thread(struct proc *p, int sig, const struct sig_info *info);
/* What is pending for thread p: its own and its group's. */
uint64_t signal_pending_set(const struct proc *p);
/* Takes pending sig off thread p (its own first, then its group's) and
 * returns what it carries: a real-time signal one instance, the oldest
 * (the others stay pending). */
struct sig_info signal_take(struct proc *p, int sig);
/* Writes sig's siginfo as a process of `bits` sees it (the handler's
 * frame, rt_sigtimedwait) at uaddr; 0 or -EFAULT. */
long signal_put_siginfo(uint64_t uaddr, int bits, int sig, const struct sig_info *in);
/* Reads a siginfo of `bits`' layout (rt_sigqueueinfo) as the kernel keeps
 * it; 0 or -EFAULT. */
long signal_get_siginfo(uint64_t uaddr, int bits, int sig, struct sig_info *in);
/* Drops pending sig everywhere in p's thread group (sigaction to ignore). */
void signal_discard(struct proc *p, int sig);
/* True when p has a signal pending that it does not block, or a stop of
 * its group to take part in: a blocking call must return
 * signal_restart(-SG_ERESTART*) (or -EINTR), or stop where it is
 * (signal_stop_in_call). */
bool signal_pending(const struct proc *p);
/* A blocking call interrupted by a signal: records the call's number (the
 * frame's rax still holds it) for a restart and returns err. */
long signal_restart(long err);

/* A fault in user mode (traps.c): true when the process has a handler for
 * sig that it does not block, with the signal queued to run it; false when
 * the fault must end the process (the caller logs and kills as ever). */
bool signal_fault(struct frame *f, int sig, int code, uint64_t addr);
/* A signal the process cannot take, or a fault the kernel found in its
 * memory on its behalf (rseq): SIGSEGV it can neither block nor ignore;
 * when failed_sig is SIGSEGV itself, with the default action (Linux's
 * force_sigsegv). */
void signal_force_sigsegv(struct proc *p, int failed_sig);

/* The work before a return to user mode (exit path): deliver what is
 * pending - run the default action or set up a handler's frame - and settle
 * an interrupted call's restart. */
void signal_exit_work(struct frame *f);
/* Whether the running process needs signal_exit_work before it returns:
 * sets or clears the exit path's work bit (the scheduler calls it on every
 * switch, the calls that change the mask or the pending set after). */
void signal_update_work(struct proc *p);

/* sigreturn (rt_sigreturn for both widths, sigreturn for i386): restore
 * the frame from the user's signal frame with every value checked; an
 * unacceptable frame gets SIGSEGV instead. */
long signal_return(bool rt);

/* Tells the parent of group leader p that p ended, stopped or continued
 * (code SG_CLD_*, status as siginfo's si_status): the exit signal for an
 * end, SIGCHLD for the others (not under SA_NOCLDSTOP); a waiting parent
 * looks again.  For an end, true when the parent takes no status
 * (SIGCHLD ignored or SA_NOCLDWAIT: the child is collected at once,
 * wait(2) NOTES). */
bool signal_notify_parent(struct proc *p, int code, int status);

/* A call that waits until a deadline (nanosleep, poll, select) and finds
 * signal_pending(): if all there is to act on is a stop (a stop of the
 * group under way, stop signals with the default action), the thread
 * stops right here until SIGCONT and the call goes on with its deadline
 * unchanged (what Linux's restart_syscall of the call achieves); a stop
 * signal that an orphaned process group discards is taken and dropped.
 * True when the call goes on; false when a signal must end it. */
bool signal_stop_in_call(struct proc *p);
/* A thread of p's group ended: if the others have all stopped, the
 * group's stop is complete and the parent hears of it. */
void signal_thread_gone(struct proc *p);

/* Whether the stop signal sig's default action is discarded for p: its
 * process group is orphaned (POSIX; Linux's get_signal and
 * is_current_pgrp_orphaned) - nobody would continue it.  SIGSTOP always
 * stops. */
bool signal_stop_discarded(const struct proc *p, int sig);

/* The timer tick: ITIMER_REAL expiries. */
void signal_timer_tick(uint64_t now_ns);

#endif
