/*
 * Process calls: exit, getpid, kill, wait4/waitpid/waitid, execve, the
 * process group and session calls, sched_yield, sg_spawn.  fork, vfork
 * and clone are in kernel/proc/fork.c.
 */
#include "syscall.h"
#include "uaccess.h"
#include "../fs/fs.h"
#include "../fs/linux.h"
#include "../proc/proc.h"
#include <sysgate/abi.h>

#define INT_MIN (-2147483647 - 1)

long sys_exit(uint64_t code)
{
    proc_exit(current_proc(), SG_WSTATUS_EXITED((int)code));
}

long sys_exit_group(uint64_t code)
{
    proc_exit_group(current_proc(), SG_WSTATUS_EXITED((int)code));
}

/* The thread group's id; gettid gives the thread's own. */
long sys_getpid(void)
{
    return current_proc()->tgid;
}

long sys_sched_yield(void)
{
    schedule();
    return 0;
}

/* kill(2): pid > 0 that process; 0 the caller's process group; -1 every
 * process but init and the caller; < -1 the group -pid.  init takes only
 * the signals it has handlers for (signal_send drops the others; kill
 * still returns 0, as Linux). */
long sys_kill(uint64_t pid_arg, uint64_t sig_arg)
{
    int pid = (int)pid_arg, sig = (int)sig_arg;
    struct proc *self = current_proc();
    if (sig < 0 || sig > SG_NSIG)
        return -SG_EINVAL;
    if (pid > 0)
        return proc_kill_info(pid, sig, 0);
    if (pid == INT_MIN)
        return -SG_ESRCH;
    int pgid = pid == 0 ? self->pgid : -pid;
    bool found = false, self_too = false;
    for (int i = 0; i < MAX_PROCS; i++) {
        struct proc *p = &procs[i];
        if (p->state == PROC_FREE || p->state == PROC_ZOMBIE || !proc_first_of_group(p))
            continue;
        if (pid == -1 ? p->tgid == self->tgid || p->tgid == 1 : p->pgid != pgid)
            continue;
        found = true;
        if (p->tgid == self->tgid)
            self_too = true;    /* last: the caller's own end does not return */
        else if (sig)
            signal_send(p, sig);
    }
    if (self_too && sig)
        signal_send(self, sig);
    return found ? 0 : -SG_ESRCH;
}

/* One thread, by its tid and group (Linux's do_send_specific): -ESRCH,
 * -EINVAL for a bad signal, 0 for signal 0, or what the sending says. */
static long send_specific(int tgid, int tid, int sig, const struct sig_info *info)
{
    struct proc *p = proc_find(tid);
    if (!p || p->state == PROC_ZOMBIE || p->tgid != tgid)
        return -SG_ESRCH;
    if (sig < 0 || sig > SG_NSIG)
        return -SG_EINVAL;
    return sig ? signal_send_thread(p, sig, info) : 0;
}

/* tgkill(2) and tkill(2): one thread, by its tid (and group). */
long sys_tgkill(uint64_t tgid, uint64_t tid, uint64_t sig)
{
    if ((int)tgid <= 0 || (int)tid <= 0 || (int)sig < 0 || (int)sig > SG_NSIG)
        return -SG_EINVAL;
    struct sig_info info = { .code = SG_SI_TKILL, .pid = current_proc()->tgid };
    return send_specific((int)tgid, (int)tid, (int)sig, &info);
}

long sys_tkill(uint64_t tid, uint64_t sig)
{
    struct proc *p = (int)tid > 0 ? proc_find((int)tid) : 0;
    if ((int)tid <= 0 || (int)sig < 0 || (int)sig > SG_NSIG)
        return -SG_EINVAL;
    return p ? sys_tgkill((uint64_t)p->tgid, tid, sig) : -SG_ESRCH;
}

/* rt_sigqueueinfo(2) and rt_tgsigqueueinfo(2) (sigqueue(3),
 * pthread_sigqueue(3)): a signal with the caller's siginfo (of its width;
 * si_signo is taken as sig), to a process or to one thread.  Only to
 * itself may a thread send one that claims to come from the kernel or
 * from kill/tkill (si_code >= 0, SI_TKILL): -EPERM (Linux compares with
 * the calling thread's own tid).  A real-time signal past the queue's
 * limit is -EAGAIN. */
static bool forged(const struct sig_info *info, int target)
{
    return (info->code >= 0 || info->code == SG_SI_TKILL) && target != current_proc()->pid;
}

long sys_rt_sigqueueinfo(uint64_t pid, uint64_t sig, uint64_t uinfo)
{
    struct sig_info info;
    if (signal_get_siginfo(uinfo, current_proc()->bits, (int)sig, &info))
        return -SG_EFAULT;
    if (forged(&info, (int)pid))
        return -SG_EPERM;
    return proc_kill_info((int)pid, (int)sig, &info);
}

long sys_rt_tgsigqueueinfo(uint64_t tgid, uint64_t tid, uint64_t sig, uint64_t uinfo)
{
    struct sig_info info;
    if (signal_get_siginfo(uinfo, current_proc()->bits, (int)sig, &info))
        return -SG_EFAULT;
    if ((int)tgid <= 0 || (int)tid <= 0)
        return -SG_EINVAL;
    if (forged(&info, (int)tid))
        return -SG_EPERM;
    return send_specific((int)tgid, (int)tid, (int)sig, &info);
}

/* wait4 options (include/uapi/linux/wait.h). */
#define WNOHANG     0x00000001
#define WUNTRACED   0x00000002
#define WEXITED     0x00000004
#define WCONTINUED  0x00000008
#define WNOWAIT     0x01000000
#define WNOTHREAD   0x20000000
#define WALL        0x40000000
#define WCLONE      0x80000000u

/* struct rusage: two timevals and fourteen longs, of the caller's width. */
#define RUSAGE_SIZE(bits) ((bits) == 32 ? 72 : 144)

/* CPU time is not split per child: a reaped child's usage reads as zeros
 * (getrusage(2) fields sysgate does not count). */
static long put_rusage(uint64_t rusage)
{
    static const uint8_t zeros[144];
    if (rusage && copy_to_user(rusage, zeros, RUSAGE_SIZE(current_proc()->bits)))
        return -SG_EFAULT;
    return 0;
}

long sys_wait4(uint64_t pid, uint64_t status_ptr, uint64_t options, uint64_t rusage)
{
    int pid_arg = (int)pid;
    int status = 0;
    /* Linux's kernel_wait4: the options it knows, and -INT_MIN is no
     * group. */
    if ((uint32_t)options & ~(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE))
        return -SG_EINVAL;
    if (pid_arg == INT_MIN)
        return -SG_ESRCH;
    /* Check the pointer before waiting so a bad one does not eat the
     * child's status. */
    if (status_ptr && !user_range_ok(status_ptr, sizeof status))
        return -SG_EFAULT;
    unsigned how = WAIT_EXITED | (options & WUNTRACED ? WAIT_STOPPED : 0) |
                   (options & WCONTINUED ? WAIT_CONTINUED : 0) | (options & WNOHANG ? WAIT_NOHANG : 0);
    long r = proc_wait(current_proc(), pid_arg, &status, how);
    if (r > 0 && status_ptr && copy_to_user(status_ptr, &status, sizeof status))
        return -SG_EFAULT;
    if (r > 0 && put_rusage(rusage))
        return -SG_EFAULT;
    return r;
}

/* i386's waitpid (7): wait4 without rusage. */
long sys_waitpid(uint64_t pid, uint64_t status_ptr, uint64_t options)
{
    return sys_wait4(pid, status_ptr, options, 0);
}

/* waitid's idtype (include/uapi/linux/wait.h) and the SIGCHLD codes of
 * siginfo (include/uapi/asm-generic/siginfo.h). */
#define P_ALL  0
#define P_PID  1
#define P_PGID 2

long sys_waitid(uint64_t idtype, uint64_t id, uint64_t infop, uint64_t options, uint64_t rusage)
{
    struct proc *self = current_proc();
    int pid;
    switch (idtype) {
    case P_ALL: pid = -1; break;
    case P_PID: if ((int)id <= 0) return -SG_EINVAL; pid = (int)id; break;
    case P_PGID: if ((int)id < 0) return -SG_EINVAL; pid = (int)id ? -(int)id : 0; break;
    default: return -SG_EINVAL;
    }
    if ((uint32_t)options & ~(WNOHANG | WNOWAIT | WEXITED | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE))
        return -SG_EINVAL;
    if (!(options & (WEXITED | WUNTRACED | WCONTINUED)))
        return -SG_EINVAL;
    /* WSTOPPED is WUNTRACED's value. */
    unsigned how = (options & WEXITED ? WAIT_EXITED : 0) | (options & WUNTRACED ? WAIT_STOPPED : 0) |
                   (options & WCONTINUED ? WAIT_CONTINUED : 0) | (options & WNOHANG ? WAIT_NOHANG : 0) |
                   (options & WNOWAIT ? WAIT_NOREAP : 0);
    int status = 0;
    long r = proc_wait(self, pid, &status, how);
    if (r < 0)
        return r;
    /* siginfo_t: signo, errno, code, then (after padding to the union's
     * alignment: 8 for x86-64, 4 for i386) pid, uid, status. */
    if (infop) {
        int32_t info[32] = { 0 };
        int u = self->bits == 32 ? 3 : 4;
        if (r > 0) {
            info[0] = SG_SIGCHLD;
            info[u] = (int32_t)r;
            if (status == 0xffff) {                     /* continued */
                info[2] = SG_CLD_CONTINUED;
                info[u + 2] = SG_SIGCONT;
            } else if ((status & 0xff) == 0x7f) {       /* stopped */
                info[2] = SG_CLD_STOPPED;
                info[u + 2] = status >> 8;
            } else {
                info[2] = SG_WIFEXITED(status) ? SG_CLD_EXITED : SG_CLD_KILLED;
                info[u + 2] = SG_WIFEXITED(status) ? SG_WEXITSTATUS(status) : SG_WTERMSIG(status);
            }
        }
        if (copy_to_user(infop, info, sizeof info))
            return -SG_EFAULT;
    }
    if (r > 0 && put_rusage(rusage))
        return -SG_EFAULT;
    return 0;
}

long sys_execve(uint64_t path_ptr, uint64_t argv, uint64_t envp)
{
    static char path[FS_PATH_MAX];
    long r = fs_copy_path(path, path_ptr);
    if (r < 0)
        return r;
    return proc_exec(FS_AT_FDCWD, path, 0, argv, envp);
}

/* execveat(2): the program relative to dirfd; AT_EMPTY_PATH runs the file
 * open as dirfd (fexecve), AT_SYMLINK_NOFOLLOW refuses a symlink. */
long sys_execveat(uint64_t dirfd, uint64_t path_ptr, uint64_t argv, uint64_t envp, uint64_t flags)
{
    static char path[FS_PATH_MAX];
    if ((uint32_t)flags & ~(uint32_t)(L_AT_EMPTY_PATH | L_AT_SYMLINK_NOFOLLOW))
        return -SG_EINVAL;
    long r = fs_copy_path(path, path_ptr);
    if (r < 0)
        return r;
    return proc_exec((int)dirfd, path, (int)flags, argv, envp);
}

/* ---- process groups and sessions (credentials(7)) ---- */

/* The caller for pid 0; a zombie counts (Linux finds it until reaped). */
static struct proc *live_or_self(int pid)
{
    return pid == 0 ? current_proc() : proc_find(pid);
}

long sys_getpgid(uint64_t pid)
{
    struct proc *p = live_or_self((int)pid);
    return p ? p->pgid : -SG_ESRCH;
}

long sys_getpgrp(void)
{
    return current_proc()->pgid;
}

long sys_getsid(uint64_t pid)
{
    struct proc *p = live_or_self((int)pid);
    return p ? p->sid : -SG_ESRCH;
}

/* Whether group pgid of session sid has a member (proc_in_group). */
static bool group_exists(int pgid, int sid)
{
    for (int i = 0; i < MAX_PROCS; i++)
        if (proc_in_group(&procs[i]) && procs[i].pgid == pgid && procs[i].sid == sid)
            return true;
    return false;
}

/* setpgid(2), in Linux's order of checks (kernel/sys.c). */
long sys_setpgid(uint64_t pid_arg, uint64_t pgid_arg)
{
    struct proc *self = current_proc();
    int pid = (int)pid_arg ? (int)pid_arg : self->pid;
    int pgid = (int)pgid_arg ? (int)pgid_arg : pid;
    if (pgid < 0)
        return -SG_EINVAL;
    struct proc *p = live_or_self(pid);
    if (!p)
        return -SG_ESRCH;
    if (p->parent && p->parent->tgid == self->tgid && p->tgid != self->tgid) {
        if (p->sid != self->sid)
            return -SG_EPERM;
        if (p->execed)
            return -SG_EACCES;
    } else if (p->tgid != self->tgid) {
        return -SG_ESRCH;
    }
    if (p->sid == p->pid)
        return -SG_EPERM;       /* a session leader */
    if (pgid != pid && !group_exists(pgid, self->sid))
        return -SG_EPERM;
    p->pgid = pgid;
    return 0;
}

long sys_setsid(void)
{
    struct proc *self = current_proc();
    for (int i = 0; i < MAX_PROCS; i++)
        if (procs[i].state != PROC_FREE && procs[i].pgid == self->pid)
            return -SG_EPERM;   /* already a group leader, or its group exists */
    self->sid = self->pgid = self->pid;
    return self->sid;
}

long sys_sg_spawn(uint64_t path_ptr, uint64_t argv_ptr)
{
    char path[MAX_ARG_LEN];
    static char strings[MAX_ARGS][MAX_ARG_LEN];
    char *argv[MAX_ARGS];
    int argc = 0;

    long r = strncpy_from_user(path, path_ptr, sizeof path);
    if (r < 0)
        return r;
    /* argv may be NULL: the program then gets its path as argv[0]. */
    if (!argv_ptr) {
        strlcpy(strings[0], path, sizeof strings[0]);
        argv[argc++] = strings[0];
    }
    /* argv holds pointers of the caller's width. */
    unsigned word = current_proc()->bits == 64 ? 8 : 4;
    while (argv_ptr) {
        uint64_t p = 0;
        if (copy_from_user(&p, argv_ptr + (uint64_t)word * argc, word))
            return -SG_EFAULT;
        if (!p)
            break;
        if (argc == MAX_ARGS)
            return -SG_E2BIG;
        r = strncpy_from_user(strings[argc], p, sizeof strings[argc]);
        if (r < 0)
            return r == -SG_ENAMETOOLONG ? -SG_E2BIG : r;
        argv[argc] = strings[argc];
        argc++;
    }
    return proc_spawn(path, argc, argv, current_proc());
}
