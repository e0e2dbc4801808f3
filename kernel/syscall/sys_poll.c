/*
 * poll(2), both widths (struct pollfd is the same for both): every
 * descriptor asked about, its file's readiness (file_ops.poll; a file
 * without one is always ready, Linux's DEFAULT_POLLMASK), and the caller
 * blocked until one is ready or the timeout passes.  A file whose state
 * changes calls file_poll_wake() (the console's input does).
 */
#include "syscall.h"
#include "uaccess.h"
#include "../fs/file.h"
#include "../proc/proc.h"
#include "../time/clock.h"
#include "../../include/sysgate/abi.h"

#define RLIMIT_NOFILE 7         /* Linux's asm-generic/resource.h */
#define POLL_STACK 32           /* pollfds handled on the kernel stack at once */

struct l_pollfd {
    int32_t fd;
    int16_t events, revents;
};

/* One pass over the caller's array: revents for each, written back; the
 * number with any event, or -EFAULT. */
static long poll_once(struct proc *p, uint64_t ufds, uint64_t nfds)
{
    long ready = 0;
    for (uint64_t at = 0; at < nfds; at += POLL_STACK) {
        struct l_pollfd fds[POLL_STACK];
        uint64_t n = nfds - at < POLL_STACK ? nfds - at : POLL_STACK;
        uint64_t addr = ufds + at * sizeof fds[0];
        if (copy_from_user(fds, addr, n * sizeof fds[0]))
            return -SG_EFAULT;
        for (uint64_t i = 0; i < n; i++) {
            fds[i].revents = 0;
            if (fds[i].fd < 0)
                continue;       /* ignored, as poll(2) says */
            struct file *f = fd_get(p, fds[i].fd);
            unsigned mask;
            if (!f || (f->flags & L_O_PATH))
                mask = L_POLLNVAL;
            else
                mask = f->ops->poll ? f->ops->poll(f) : L_POLLIN | L_POLLOUT | L_POLLRDNORM | L_POLLWRNORM;
            /* POLLERR, POLLHUP and POLLNVAL come whether asked for or not. */
            fds[i].revents = (int16_t)(mask & ((uint16_t)fds[i].events | L_POLLERR | L_POLLHUP | L_POLLNVAL));
            ready += fds[i].revents != 0;
        }
        if (copy_to_user(addr, fds, n * sizeof fds[0]))
            return -SG_EFAULT;
    }
    return ready;
}

long sys_poll(uint64_t ufds, uint64_t nfds, uint64_t timeout_ms)
{
    struct proc *p = current_proc();
    if (p->bits == 32)
        nfds = (uint32_t)nfds;
    if (nfds > p->rlimits[RLIMIT_NOFILE].cur)
        return -SG_EINVAL;
    if (!user_range_ok(ufds, nfds * sizeof(struct l_pollfd)))
        return -SG_EFAULT;
    int32_t ms = (int32_t)timeout_ms;
    uint64_t deadline = ms > 0 ? clock_monotonic_ns() + (uint64_t)ms * 1000000 : 0;
    for (;;) {
        long ready = poll_once(p, ufds, nfds);
        if (ready != 0 || ms == 0 || (deadline && clock_monotonic_ns() >= deadline))
            return ready;
        /* A signal ends the wait: -EINTR after a handler, never restarted
         * (signal(7); Linux's -ERESTARTNOHAND). */
        if (signal_pending(p))
            return signal_restart(-SG_ERESTARTNOHAND);
        file_poll_wait(deadline);
    }
}
