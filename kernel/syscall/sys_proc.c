/* Process calls: exit, getpid, wait4, sched_yield, sg_spawn. */
#include "syscall.h"
#include "uaccess.h"
#include "../proc/proc.h"
#include "../../include/sysgate/abi.h"

long sys_exit(uint64_t code)
{
    proc_exit(current_proc(), SG_WSTATUS_EXITED((int)code));
}

long sys_exit_group(uint64_t code)
{
    proc_exit(current_proc(), SG_WSTATUS_EXITED((int)code));
}

long sys_getpid(void)
{
    return current_proc()->pid;
}

long sys_sched_yield(void)
{
    schedule();
    return 0;
}

long sys_kill(uint64_t pid, uint64_t sig)
{
    if (sig > SG_NSIG)
        return -SG_EINVAL;
    if ((int)pid <= 0)
        return -SG_EINVAL;
    return proc_kill((int)pid, (int)sig);
}

#define WNOHANG 1

long sys_wait4(uint64_t pid, uint64_t status_ptr, uint64_t options, uint64_t rusage)
{
    int pid_arg = (int)pid;
    int status = 0;
    if (options & ~(uint64_t)WNOHANG)
        return -SG_EINVAL;
    if (pid_arg < -1 || pid_arg == 0)
        return -SG_EINVAL;  /* process groups: sysgate has none */
    if (rusage)
        return -SG_EINVAL;
    /* Check the pointer before waiting so a bad one does not eat the
     * child's status. */
    if (status_ptr && !user_range_ok(status_ptr, sizeof status))
        return -SG_EFAULT;
    long r = proc_wait(current_proc(), pid_arg, &status, options & WNOHANG);
    if (r > 0 && status_ptr && copy_to_user(status_ptr, &status, sizeof status))
        return -SG_EFAULT;
    return r;
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
