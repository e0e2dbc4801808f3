/*
 * poll(2) and select(2), both widths (struct pollfd is the same for both):
 * every descriptor asked about, its file's readiness (file_ops.poll; a file
 * without one is always ready, Linux's DEFAULT_POLLMASK), and the caller
 * blocked until one is ready or the timeout passes.  A file whose state
 * changes calls file_poll_wake() (the console's input does).  ppoll and
 * pselect6 wait with a signal mask of the caller's choosing; select and
 * pselect6 take descriptor bitmaps (fd_set) and write back the time left.
 */
#include "syscall.h"
#include "uaccess.h"
#include "../fs/file.h"
#include "../proc/proc.h"
#include "../time/clock.h"
#include <sysgate/abi.h>
#include <sysgate/vvar.h>

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

/* A wait's end: NOW (do not wait), FOREVER, or a CLOCK_MONOTONIC time. */
#define NOW 0
#define FOREVER UINT64_MAX

/* Calls once(p, a) until it finds something ready (its result, > 0), an
 * error, or the deadline; a signal ends the wait: -EINTR after a handler,
 * else the call is restarted (Linux's -ERESTARTNOHAND).  A stop (job
 * control) stops the caller here and the wait goes on with the deadline
 * it had, as Linux's restart of poll and select with the time left does. */
static long wait_ready(struct proc *p, long (*once)(struct proc *, const void *), const void *a, uint64_t deadline)
{
    for (;;) {
        long ready = once(p, a);
        if (ready != 0 || deadline == NOW || (deadline != FOREVER && clock_monotonic_ns() >= deadline))
            return ready;
        if (signal_pending(p)) {
            if (signal_stop_in_call(p))
                continue;       /* continued: look again before waiting */
            return signal_restart(-SG_ERESTARTNOHAND);
        }
        file_poll_wait(deadline == FOREVER ? 0 : deadline);
    }
}

struct poll_args {
    uint64_t ufds, nfds;
};

static long poll_pass(struct proc *p, const void *a)
{
    const struct poll_args *pa = a;
    return poll_once(p, pa->ufds, pa->nfds);
}

static long poll_checked(uint64_t ufds, uint64_t nfds, uint64_t deadline)
{
    struct proc *p = current_proc();
    if (p->bits == 32)
        nfds = (uint32_t)nfds;
    if (nfds > p->rlimits[RLIMIT_NOFILE].cur)
        return -SG_EINVAL;
    if (!user_range_ok(ufds, nfds * sizeof(struct l_pollfd)))
        return -SG_EFAULT;
    struct poll_args a = { ufds, nfds };
    return wait_ready(p, poll_pass, &a, deadline);
}

long sys_poll(uint64_t ufds, uint64_t nfds, uint64_t timeout_ms)
{
    int32_t ms = (int32_t)timeout_ms;
    uint64_t deadline = ms < 0 ? FOREVER : ms == 0 ? NOW : clock_monotonic_ns() + (uint64_t)ms * 1000000;
    return poll_checked(ufds, nfds, deadline);
}

/* ---- timeouts: a timeval or timespec of the caller's width (or i386's
 * time64 calls: 64-bit fields), in and out ---- */

enum time_unit { USEC, NSEC };

/* The deadline a timeout asks for (NULL: FOREVER); -EFAULT, -EINVAL. */
static long read_timeout(uint64_t ptr, bool wide, enum time_unit unit, uint64_t *deadline)
{
    int64_t t[2];
    if (!ptr) {
        *deadline = FOREVER;
        return 0;
    }
    if (wide) {
        if (copy_from_user(t, ptr, sizeof t))
            return -SG_EFAULT;
    } else {
        int32_t t32[2];
        if (copy_from_user(t32, ptr, sizeof t32))
            return -SG_EFAULT;
        t[0] = t32[0], t[1] = t32[1];
    }
    int64_t per_sec = unit == USEC ? 1000000 : (int64_t)SG_NSEC_PER_SEC;
    if (t[0] < 0 || t[1] < 0 || t[1] >= per_sec)
        return -SG_EINVAL;
    uint64_t ns = (uint64_t)t[1] * (unit == USEC ? 1000 : 1);
    if (!t[0] && !ns)
        *deadline = NOW;
    else if (t[0] > 10000000000ll)     /* the year 2286: as good as forever */
        *deadline = FOREVER;
    else
        *deadline = clock_monotonic_ns() + (uint64_t)t[0] * SG_NSEC_PER_SEC + ns;
    return 0;
}

/* select and pselect6 write the time left back (Linux's
 * poll_select_finish); a fault there is ignored, as Linux does. */
static void write_time_left(uint64_t ptr, bool wide, enum time_unit unit, uint64_t deadline)
{
    if (!ptr || deadline == FOREVER || deadline == NOW)
        return;
    uint64_t now = clock_monotonic_ns(), left = deadline > now ? deadline - now : 0;
    int64_t t[2] = { (int64_t)(left / SG_NSEC_PER_SEC),
                     (int64_t)(left % SG_NSEC_PER_SEC / (unit == USEC ? 1000 : 1)) };
    if (wide) {
        copy_to_user(ptr, t, sizeof t);
    } else {
        int32_t t32[2] = { (int32_t)t[0], (int32_t)t[1] };
        copy_to_user(ptr, t32, sizeof t32);
    }
}

/* ppoll and pselect6: the signal mask to wait with (sigsuspend's way:
 * the old one comes back after a handler, or now if none runs). */
static long wait_mask_begin(uint64_t mask_ptr, uint64_t setsize)
{
    struct proc *p = current_proc();
    uint64_t mask;
    if (!mask_ptr)
        return 0;
    if (setsize != sizeof mask)
        return -SG_EINVAL;
    if (copy_from_user(&mask, mask_ptr, sizeof mask))
        return -SG_EFAULT;
    p->sig.saved_mask = p->sig.blocked;
    p->sig.restore_saved_mask = true;
    p->sig.blocked = mask & ~(SG_SIGSET(SG_SIGKILL) | SG_SIGSET(SG_SIGSTOP));
    signal_update_work(p);
    return 0;
}

static long wait_mask_end(uint64_t mask_ptr, long r)
{
    struct proc *p = current_proc();
    if (mask_ptr && r != -SG_ERESTARTNOHAND) {
        p->sig.blocked = p->sig.saved_mask;
        p->sig.restore_saved_mask = false;
        signal_update_work(p);
    }
    return r;
}

static long ppoll_wide(uint64_t ufds, uint64_t nfds, uint64_t ts_ptr, uint64_t mask_ptr, uint64_t setsize, bool wide)
{
    uint64_t deadline;
    long r = read_timeout(ts_ptr, wide, NSEC, &deadline);
    if (r || (r = wait_mask_begin(mask_ptr, setsize)))
        return r;
    return wait_mask_end(mask_ptr, poll_checked(ufds, nfds, deadline));
}

long sys_ppoll(uint64_t ufds, uint64_t nfds, uint64_t ts_ptr, uint64_t mask_ptr, uint64_t setsize)
{
    return ppoll_wide(ufds, nfds, ts_ptr, mask_ptr, setsize, current_proc()->bits == 64);
}

long sys_ppoll_time64(uint64_t ufds, uint64_t nfds, uint64_t ts_ptr, uint64_t mask_ptr, uint64_t setsize)
{
    return ppoll_wide(ufds, nfds, ts_ptr, mask_ptr, setsize, true);
}

/* ---- select: three fd_set bitmaps, bit n for descriptor n, in longs of
 * the caller's width (the same bytes either way, little-endian) ---- */

#define FDSET_BYTES (FD_MAX / 8)
/* Linux's POLLIN_SET, POLLOUT_SET, POLLEX_SET (fs/select.c). */
#define SELECT_IN  (L_POLLIN | L_POLLRDNORM | L_POLLHUP | L_POLLERR)
#define SELECT_OUT (L_POLLOUT | L_POLLWRNORM | L_POLLERR)
#define SELECT_EX  L_POLLPRI

struct select_args {
    int nfds;
    size_t bytes;                       /* of each set, whole longs */
    uint64_t set_ptr[3];                /* read, write, except; 0 for none */
    uint8_t in[3][FDSET_BYTES];         /* what was asked */
};

static long select_pass(struct proc *p, const void *a)
{
    const struct select_args *sa = a;
    static const unsigned want[3] = { SELECT_IN, SELECT_OUT, SELECT_EX };
    uint8_t out[3][FDSET_BYTES];
    long ready = 0;
    memset(out, 0, sizeof out);
    for (int fd = 0; fd < sa->nfds; fd++) {
        uint8_t bit = (uint8_t)(1u << (fd % 8));
        bool asked = false;
        for (int k = 0; k < 3; k++)
            asked |= sa->in[k][fd / 8] & bit;
        if (!asked)
            continue;
        struct file *f = fd_get(p, fd);
        if (!f || (f->flags & L_O_PATH))
            return -SG_EBADF;
        unsigned mask = f->ops->poll ? f->ops->poll(f) : L_POLLIN | L_POLLOUT | L_POLLRDNORM | L_POLLWRNORM;
        for (int k = 0; k < 3; k++)
            if ((sa->in[k][fd / 8] & bit) && (mask & want[k])) {
                out[k][fd / 8] |= bit;
                ready++;
            }
    }
    /* Nothing is written back until something is ready (or the wait ends:
     * select_finish). */
    if (ready)
        for (int k = 0; k < 3; k++)
            if (sa->set_ptr[k] && copy_to_user(sa->set_ptr[k], out[k], sa->bytes))
                return -SG_EFAULT;
    return ready;
}

static long do_select(uint64_t nfds, uint64_t r, uint64_t w, uint64_t e, uint64_t deadline)
{
    struct proc *p = current_proc();
    static struct select_args a;
    if ((int)nfds < 0)
        return -SG_EINVAL;
    /* Linux takes nfds down to the table's size. */
    a.nfds = (int)nfds > FD_MAX ? FD_MAX : (int)nfds;
    size_t word = p->bits == 64 ? 8 : 4;
    a.bytes = ((size_t)a.nfds + word * 8 - 1) / (word * 8) * word;
    a.set_ptr[0] = r, a.set_ptr[1] = w, a.set_ptr[2] = e;
    memset(a.in, 0, sizeof a.in);
    for (int k = 0; k < 3; k++)
        if (a.set_ptr[k] && copy_from_user(a.in[k], a.set_ptr[k], a.bytes))
            return -SG_EFAULT;
    long ready = wait_ready(p, select_pass, &a, deadline);
    if (ready == 0)     /* the time is up: every set comes back empty */
        for (int k = 0; k < 3; k++) {
            static const uint8_t none[FDSET_BYTES];
            if (a.set_ptr[k] && copy_to_user(a.set_ptr[k], none, a.bytes))
                return -SG_EFAULT;
        }
    return ready;
}

/* select(2): x86-64's 23 and i386's _newselect (142); the timeval is
 * updated with the time left. */
static long select_timeval(uint64_t nfds, uint64_t r, uint64_t w, uint64_t e, uint64_t tv_ptr)
{
    bool wide = current_proc()->bits == 64;
    uint64_t deadline;
    long err = read_timeout(tv_ptr, wide, USEC, &deadline);
    if (err)
        return err;
    long ready = do_select(nfds, r, w, e, deadline);
    write_time_left(tv_ptr, wide, USEC, deadline);
    return ready;
}

long sys_select(uint64_t nfds, uint64_t r, uint64_t w, uint64_t e, uint64_t tv_ptr)
{
    return select_timeval(nfds, r, w, e, tv_ptr);
}

long sys__newselect(uint64_t nfds, uint64_t r, uint64_t w, uint64_t e, uint64_t tv_ptr)
{
    return select_timeval(nfds, r, w, e, tv_ptr);
}

/* i386's old select (82): its five arguments in a struct in memory
 * (Linux's sel_arg_struct). */
long sys_old_select(uint64_t args_ptr)
{
    uint32_t a[5];
    if (copy_from_user(a, args_ptr, sizeof a))
        return -SG_EFAULT;
    return select_timeval(a[0], a[1], a[2], a[3], a[4]);
}

/* pselect6: a timespec, and the mask as {sigset pointer, its size} in
 * longs of the caller's width. */
static long pselect6_wide(uint64_t nfds, uint64_t r, uint64_t w, uint64_t e, uint64_t ts_ptr, uint64_t sig_ptr,
                          bool wide)
{
    uint64_t deadline, mask_ptr = 0, setsize = 0;
    long err = read_timeout(ts_ptr, wide, NSEC, &deadline);
    if (err)
        return err;
    if (sig_ptr) {
        if (current_proc()->bits == 64) {
            uint64_t m[2];
            if (copy_from_user(m, sig_ptr, sizeof m))
                return -SG_EFAULT;
            mask_ptr = m[0], setsize = m[1];
        } else {
            uint32_t m[2];
            if (copy_from_user(m, sig_ptr, sizeof m))
                return -SG_EFAULT;
            mask_ptr = m[0], setsize = m[1];
        }
    }
    if ((err = wait_mask_begin(mask_ptr, setsize)))
        return err;
    long ready = wait_mask_end(mask_ptr, do_select(nfds, r, w, e, deadline));
    write_time_left(ts_ptr, wide, NSEC, deadline);
    return ready;
}

long sys_pselect6(uint64_t nfds, uint64_t r, uint64_t w, uint64_t e, uint64_t ts_ptr, uint64_t sig_ptr)
{
    return pselect6_wide(nfds, r, w, e, ts_ptr, sig_ptr, current_proc()->bits == 64);
}

long sys_pselect6_time64(uint64_t nfds, uint64_t r, uint64_t w, uint64_t e, uint64_t ts_ptr, uint64_t sig_ptr)
{
    return pselect6_wide(nfds, r, w, e, ts_ptr, sig_ptr, true);
}
