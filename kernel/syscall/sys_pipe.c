/* pipe and pipe2 (pipe(2)); the pipes themselves are kernel/fs/pipe.c. */
#include "syscall.h"
#include "uaccess.h"
#include "../fs/file.h"
#include "../fs/linux.h"
#include "../proc/proc.h"
#include <sysgate/abi.h>

long sys_pipe2(uint64_t fds_ptr, uint64_t flags)
{
    /* O_DIRECT's packet mode is not implemented: refused, not ignored. */
    if (flags & ~(uint64_t)(L_O_CLOEXEC | L_O_NONBLOCK))
        return -SG_EINVAL;
    struct proc *p = current_proc();
    struct file *ends[2];
    long r = pipe_create((uint32_t)flags, ends);
    if (r)
        return r;
    bool cloexec = flags & L_O_CLOEXEC;
    int fds[2];
    fds[0] = (int)fd_install(p, ends[0], 0, cloexec);
    fds[1] = fds[0] < 0 ? -SG_EMFILE : (int)fd_install(p, ends[1], 0, cloexec);
    if (fds[1] < 0) {
        if (fds[0] >= 0)
            fd_close(p, fds[0]);
        else
            file_put(ends[0]);
        file_put(ends[1]);
        return -SG_EMFILE;
    }
    /* Linux copies before installing; here the descriptors go again
     * (nothing else ran meanwhile: the kernel is not preempted). */
    if (copy_to_user(fds_ptr, fds, sizeof fds)) {
        fd_close(p, fds[0]);
        fd_close(p, fds[1]);
        return -SG_EFAULT;
    }
    return 0;
}

long sys_pipe(uint64_t fds_ptr)
{
    return sys_pipe2(fds_ptr, 0);
}
