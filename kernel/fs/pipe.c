/*
 * Pipes (pipe(7)): a 64 KiB ring buffer between a read end and a write
 * end, each an open file that descriptors, dup and fork share.  A read
 * with nothing buffered blocks until a writer writes or the last write end
 * closes (then end of file); a write blocks while the buffer is full, and
 * a write of at most PIPE_BUF bytes is never split.  With no read end left
 * a write is SIGPIPE and -EPIPE.  O_NONBLOCK turns every block into
 * -EAGAIN (or a short count once something moved).  poll(2) sees both
 * ends' readiness.
 */
#include "file.h"
#include "../mm/mm.h"
#include "../syscall/uaccess.h"
#include <sysgate/abi.h>

#define PIPE_SIZE   (16 * PAGE_SIZE)    /* Linux's default capacity */
#define PIPE_BUF    4096                /* atomic writes up to this (pipe(7)) */

struct pipe {
    uint8_t *buf;
    uint32_t head;              /* where the next byte is read */
    uint32_t count;             /* bytes buffered */
    int readers, writers;       /* open files of each end */
};

/* Both ends' waiters look again: blocked readers and writers, and poll. */
static void pipe_changed(struct pipe *p)
{
    sched_wake(p);
    file_poll_wake();
}

/* One wait for the other end, by a call that has moved `done` bytes so
 * far: with O_NONBLOCK, or a pending signal, the call ends - with done if
 * not 0, else -EAGAIN, or a restart under SA_RESTART and -EINTR otherwise
 * (pipe(7)); else 0 once woken, and the caller looks again. */
static long pipe_wait(struct file *f, struct pipe *p, uint64_t done)
{
    if (f->flags & L_O_NONBLOCK)
        return done ? (long)done : -SG_EAGAIN;
    if (signal_pending(current_proc()))
        return done ? (long)done : signal_restart(-SG_ERESTARTSYS);
    sched_block(p, 0);
    return 0;
}

static long pipe_read(struct file *f, uint64_t buf, uint64_t len, uint64_t pos)
{
    (void)pos;
    struct pipe *p = f->priv;
    if (!len)
        return 0;
    while (!p->count) {
        if (!p->writers)
            return 0;
        long err = pipe_wait(f, p, 0);
        if (err)
            return err;
    }
    uint64_t done = 0;
    while (done < len && p->count) {
        uint32_t n = PIPE_SIZE - p->head < p->count ? PIPE_SIZE - p->head : p->count;
        if (n > len - done)
            n = (uint32_t)(len - done);
        /* buf is the caller's, already checked (sys_io.c), or readv's
         * kernel buffer for a stream (stream_readv): uaccess_copy takes
         * either, as the console's read does. */
        uint32_t moved = n - (uint32_t)uaccess_copy((void *)(buf + done), p->buf + p->head, n);
        p->head = (p->head + moved) % PIPE_SIZE;
        p->count -= moved;
        done += moved;
        if (moved < n)
            break;
    }
    pipe_changed(p);
    return done ? (long)done : -SG_EFAULT;
}

static long pipe_write(struct file *f, uint64_t buf, uint64_t len, uint64_t pos)
{
    (void)pos;
    struct pipe *p = f->priv;
    uint64_t done = 0;
    while (done < len) {
        if (!p->readers) {
            if (done)
                return (long)done;
            signal_send_thread(current_proc(), SG_SIGPIPE, 0);
            return -SG_EPIPE;
        }
        uint32_t room = PIPE_SIZE - p->count;
        /* At most PIPE_BUF bytes go in one piece or not at all. */
        if (!room || (len <= PIPE_BUF && room < len)) {
            long end = pipe_wait(f, p, done);
            if (end)
                return end;
            continue;
        }
        uint32_t tail = (p->head + p->count) % PIPE_SIZE;
        uint32_t n = PIPE_SIZE - tail < room ? PIPE_SIZE - tail : room;
        if (n > len - done)
            n = (uint32_t)(len - done);
        if (copy_from_user(p->buf + tail, buf + done, n))
            return done ? (long)done : -SG_EFAULT;
        p->count += n;
        done += n;
        pipe_changed(p);
    }
    return (long)done;
}

/* sendfile(2) into a pipe (Linux's splice_file_to_pipe): waits until the
 * pipe has room (-EAGAIN instead with O_NONBLOCK, a pending signal
 * interrupts), then moves as much of the len kernel bytes at src as fits
 * now and returns that count - unlike write(), never waiting for the rest. */
long pipe_splice_in(struct file *f, const uint8_t *src, uint64_t len)
{
    struct pipe *p = f->priv;
    for (;;) {
        if (!p->readers) {
            signal_send_thread(current_proc(), SG_SIGPIPE, 0);
            return -SG_EPIPE;
        }
        if (p->count < PIPE_SIZE)
            break;
        long err = pipe_wait(f, p, 0);
        if (err)
            return err;
    }
    uint64_t done = 0;
    while (done < len && p->count < PIPE_SIZE) {
        uint32_t tail = (p->head + p->count) % PIPE_SIZE;
        uint32_t room = PIPE_SIZE - p->count;
        uint32_t n = PIPE_SIZE - tail < room ? PIPE_SIZE - tail : room;
        if (n > len - done)
            n = (uint32_t)(len - done);
        memcpy(p->buf + tail, src + done, n);
        p->count += n;
        done += n;
    }
    pipe_changed(p);
    return (long)done;
}

/* poll(2) (Linux's pipe_poll): the read end is readable with data or
 * with no writer left (POLLHUP); the write end writable with room, and
 * POLLERR with no reader left. */
static unsigned pipe_poll(struct file *f)
{
    struct pipe *p = f->priv;
    if (file_readable(f))
        return (p->count ? L_POLLIN | L_POLLRDNORM : 0) | (p->writers ? 0 : L_POLLHUP);
    return (p->count < PIPE_SIZE ? L_POLLOUT | L_POLLWRNORM : 0) | (p->readers ? 0 : L_POLLERR);
}

static void pipe_release(struct file *f)
{
    struct pipe *p = f->priv;
    if (file_readable(f))
        p->readers--;
    else
        p->writers--;
    pipe_changed(p);
    if (!p->readers && !p->writers) {
        phys_free(virt_to_phys(p->buf), PIPE_SIZE / PAGE_SIZE);
        kfree(p);
    }
}

static const struct file_ops pipe_ops = {
    .read = pipe_read, .write = pipe_write, .poll = pipe_poll, .release = pipe_release, .seek = SEEK_NONE,
};

bool file_is_pipe(const struct file *f)
{
    return f->ops == &pipe_ops;
}

long pipe_create(uint32_t flags, struct file *ends[2])
{
    struct pipe *p = kzalloc(sizeof *p);
    uint64_t pa = phys_alloc(PIPE_SIZE / PAGE_SIZE);
    ends[0] = kzalloc(sizeof *ends[0]);
    ends[1] = kzalloc(sizeof *ends[1]);
    if (!p || !pa || !ends[0] || !ends[1]) {
        if (pa)
            phys_free(pa, PIPE_SIZE / PAGE_SIZE);
        kfree(p);
        kfree(ends[0]);
        kfree(ends[1]);
        return -SG_ENOMEM;
    }
    p->buf = phys_to_virt(pa);
    p->readers = p->writers = 1;
    for (int i = 0; i < 2; i++) {
        ends[i]->refs = 1;
        ends[i]->flags = (i ? L_O_WRONLY : L_O_RDONLY) | (flags & L_O_NONBLOCK);
        ends[i]->ops = &pipe_ops;
        ends[i]->priv = p;
    }
    return 0;
}
