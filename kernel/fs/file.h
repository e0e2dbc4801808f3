/*
 * Open files and file descriptors.  An open file (struct file) is what
 * open() creates: the node it opened, its position, its flags and the
 * operations of its kind (a regular initrd file, a directory, the console,
 * /dev/null, /dev/zero).  It is reference-counted, so that dup()ed
 * descriptors - and a process's spawned children - share one position.
 * Each process has a table of descriptors (struct fd_table, shareable
 * for threads later) holding references to open files, with the
 * close-on-exec flag kept per descriptor.
 */
#ifndef SYSGATE_FILE_H
#define SYSGATE_FILE_H

#include <stdbool.h>
#include <stdint.h>
#include "fstree.h"
#include "linux.h"
#include "../proc/proc.h"

struct proc;
struct file;

/* Device numbers of the devices file.c provides (Linux's devices.txt). */
#define FILE_DEV_NULL    1, 3
#define FILE_DEV_ZERO    1, 5
#define FILE_DEV_TTY     5, 0
#define FILE_DEV_CONSOLE 5, 1

/* What each kind of open file does.  read and write take a user buffer
 * and a position and move nothing: the callers keep f->pos.  A missing
 * operation is -EINVAL for read and write (Linux's answer for a file that
 * has none), -ENOTTY for ioctl. */
struct file_ops {
    long (*read)(struct file *f, uint64_t buf, uint64_t len, uint64_t pos);
    long (*write)(struct file *f, uint64_t buf, uint64_t len, uint64_t pos);
    long (*ioctl)(struct file *f, uint64_t cmd, uint64_t arg);
    /* called when the last reference goes, before the file is freed */
    void (*release)(struct file *f);
    /* poll(2): the L_POLL* events the file has now; missing: always
     * readable and writable. */
    unsigned (*poll)(struct file *f);
    /* lseek: 0 none (-ESPIPE, and pread/pwrite too), 1 within the file's
     * size, 2 always to 0 (/dev/null and /dev/zero), 3 a directory's
     * listing position (SEEK_SET and SEEK_CUR only) */
    int seek;
};
enum { SEEK_NONE, SEEK_FILE, SEEK_ZERO, SEEK_DIR };

struct file {
    int refs;
    uint32_t flags;             /* open's flags as F_GETFL reports them */
    uint32_t node;              /* the node it opened */
    uint64_t pos;
    const struct file_ops *ops;
    void *priv;                 /* the kind's own state (a pipe) */
};

/* pipe.c: a new pipe's read end (ends[0]) and write end (ends[1]), open
 * files with one reference each; flags may hold O_NONBLOCK.  0 or -ENOMEM. */
long pipe_create(uint32_t flags, struct file *ends[2]);
bool file_is_pipe(const struct file *f);
/* sendfile(2) into the pipe whose write end is f: waits for room, moves
 * what fits of len kernel bytes at src; the count, or -EAGAIN, -EPIPE
 * (with SIGPIPE), a restart for a pending signal. */
long pipe_splice_in(struct file *f, const uint8_t *src, uint64_t len);

/* Opens node with open()'s flags (the caller has checked access and
 * type); -ENXIO for a device sysgate does not have, -ENOMEM. */
long file_open(uint32_t node, uint32_t flags, struct file **out);
struct file *file_get(struct file *f);      /* one more reference */
void file_put(struct file *f);              /* one fewer; the last frees */

static inline bool file_readable(const struct file *f)
{
    uint32_t acc = f->flags & L_O_ACCMODE;
    return !(f->flags & L_O_PATH) && (acc == L_O_RDONLY || acc == L_O_RDWR);
}

static inline bool file_writable(const struct file *f)
{
    uint32_t acc = f->flags & L_O_ACCMODE;
    return !(f->flags & L_O_PATH) && (acc == L_O_WRONLY || acc == L_O_RDWR);
}

/* poll(2)'s waiting: a file whose readiness may have changed wakes every
 * process in poll (which then looks again); file_poll_wait blocks until
 * then or until CLOCK_MONOTONIC reaches deadline_ns (0: no deadline). */
void file_poll_wake(void);
void file_poll_wait(uint64_t deadline_ns);

#define FD_MAX 256              /* descriptors per process: RLIMIT_NOFILE */

struct fd_table {
    int refs;
    struct file *files[FD_MAX];
    bool cloexec[FD_MAX];
};

/* The open file behind fd in p, or 0 (inline: every read and write
 * starts here). */
static inline struct file *fd_get(struct proc *p, long fd)
{
    if (!p->files || fd < 0 || fd >= FD_MAX)
        return 0;
    return p->files->files[fd];
}
/* Puts f (whose reference the table takes over) at the lowest free
 * descriptor >= min; the descriptor, or -EMFILE (f untouched). */
long fd_install(struct proc *p, struct file *f, long min, bool cloexec);
/* Makes newfd refer to oldfd's file, closing what newfd held (dup2, dup3). */
long fd_dup_to(struct proc *p, long oldfd, long newfd, bool cloexec);
long fd_close(struct proc *p, long fd);
bool fd_cloexec(struct proc *p, long fd);
void fd_set_cloexec(struct proc *p, long fd, bool on);

/* A new process's descriptors: its parent's that are not close-on-exec
 * (sg_spawn is fork + exec), sharing the open files; the first process
 * (no parent) gets the console as 0, 1 and 2.  0 or -ENOMEM. */
int files_spawn(struct proc *child, struct proc *parent);
/* fork: child gets a table of its own with parent's descriptors - the
 * same open files - and their close-on-exec flags; 0 or -ENOMEM. */
int files_fork(struct proc *child, struct proc *parent);
/* clone(CLONE_FILES): child uses parent's table (one reference more). */
void files_share(struct proc *child, struct proc *parent);
/* execve: a table shared with another process is copied first (Linux's
 * unshare_files), then the descriptors marked close-on-exec are closed.
 * 0 or -ENOMEM (nothing changed). */
int files_close_on_exec(struct proc *p);
/* Closes every descriptor of an exiting process. */
void files_release(struct proc *p);

/*
 * For mmap of initrd files: the bytes of the regular file open as fd in
 * p.  0 with *data (in the initrd, read-only, never freed), *size and
 * *oflags (the open flags, L_O_ACCMODE bits included); -EBADF (no such
 * fd, or an O_PATH one), -EACCES (not open for reading), -ENODEV (not a
 * regular file).
 */
long fd_file_bytes(struct proc *p, int fd, const uint8_t **data, uint64_t *size, int *oflags);

#endif
