/* Open files, their kinds, and per-process descriptor tables (file.h). */
#include "file.h"
#include "fs.h"
#include "linux.h"
#include "../drivers/tty.h"
#include "../mm/mm.h"
#include "../proc/proc.h"
#include "../syscall/uaccess.h"
#include "../../include/sysgate/abi.h"

/* ---- regular files and directories in the initrd ---------------------------- */

static long regular_read(struct file *f, uint64_t buf, uint64_t len, uint64_t pos)
{
    const struct fs_node *n = fs_node(f->node);
    if (pos >= n->size || len == 0)
        return 0;
    uint64_t count = len < n->size - pos ? len : n->size - pos;
    uint64_t left = uaccess_copy((void *)buf, (const uint8_t *)n->data + pos, count);
    /* A fault part way is a short read, as Linux's copy_to_user makes it. */
    return left == count ? -SG_EFAULT : (long)(count - left);
}

static long directory_read(struct file *f, uint64_t buf, uint64_t len, uint64_t pos)
{
    (void)f, (void)buf, (void)len, (void)pos;
    return -SG_EISDIR;
}

static const struct file_ops regular_ops = { .read = regular_read, .seek = SEEK_FILE };
static const struct file_ops directory_ops = { .read = directory_read, .seek = SEEK_DIR };
/* O_PATH descriptors and symlinks opened with O_PATH | O_NOFOLLOW. */
static const struct file_ops path_ops = { .seek = SEEK_NONE };

/* The console - the serial port, a terminal - is drivers/tty.c's console_ops. */

/* ---- /dev/null and /dev/zero (Linux: drivers/char/mem.c) --------------------------- */

static long null_read(struct file *f, uint64_t buf, uint64_t len, uint64_t pos)
{
    (void)f, (void)buf, (void)len, (void)pos;
    return 0;
}

/* Takes everything without reading it (the caller checked the range). */
static long null_write(struct file *f, uint64_t buf, uint64_t len, uint64_t pos)
{
    (void)f, (void)buf, (void)pos;
    return (long)len;
}

static long zero_read(struct file *f, uint64_t buf, uint64_t len, uint64_t pos)
{
    (void)f, (void)pos;
    static const uint8_t zeros[256];
    uint64_t done = 0;
    while (done < len) {
        uint64_t n = len - done < sizeof zeros ? len - done : sizeof zeros;
        uint64_t left = uaccess_copy((void *)(buf + done), zeros, n);
        done += n - left;
        if (left)
            return done ? (long)done : -SG_EFAULT;
    }
    return (long)done;
}

static const struct file_ops null_ops = { .read = null_read, .write = null_write, .seek = SEEK_ZERO };
static const struct file_ops zero_ops = { .read = zero_read, .write = null_write, .seek = SEEK_ZERO };

/* ---- open files --------------------------------------------------------------- */

static const struct file_ops *device_ops(const struct fs_node *n)
{
    static const struct {
        uint32_t major, minor;
        const struct file_ops *ops;
    } table[] = {
        { FILE_DEV_NULL, &null_ops }, { FILE_DEV_ZERO, &zero_ops },
        /* sysgate has one terminal: /dev/tty opens it too (drivers/tty.c). */
        { FILE_DEV_TTY, &console_ops }, { FILE_DEV_CONSOLE, &console_ops },
    };
    for (size_t i = 0; i < ARRAY_SIZE(table); i++)
        if (n->rdev_major == table[i].major && n->rdev_minor == table[i].minor)
            return table[i].ops;
    return 0;
}

long file_open(uint32_t node, uint32_t flags, struct file **out)
{
    const struct fs_node *n = fs_node(node);
    const struct file_ops *ops;
    if (flags & L_O_PATH)
        ops = &path_ops;
    else if ((n->mode & FS_S_IFMT) == FS_S_IFREG)
        ops = &regular_ops;
    else if ((n->mode & FS_S_IFMT) == FS_S_IFDIR)
        ops = &directory_ops;
    else if ((n->mode & FS_S_IFMT) == FS_S_IFCHR)
        ops = device_ops(n);
    else
        ops = 0;        /* block devices, FIFOs, sockets */
    if (!ops)
        return -SG_ENXIO;
    struct file *f = kzalloc(sizeof *f);
    if (!f)
        return -SG_ENOMEM;
    f->refs = 1;
    f->flags = flags & ~(uint32_t)(L_O_CREAT | L_O_EXCL | L_O_NOCTTY | L_O_TRUNC | L_O_CLOEXEC);
    f->node = node;
    f->ops = ops;
    *out = f;
    return 0;
}

struct file *file_get(struct file *f)
{
    f->refs++;
    return f;
}

void file_put(struct file *f)
{
    if (--f->refs > 0)
        return;
    if (f->ops->release)
        f->ops->release(f);
    kfree(f);
}

static const char poll_waiters;     /* the channel poll sleeps on */

void file_poll_wake(void)
{
    sched_wake(&poll_waiters);
}

void file_poll_wait(uint64_t deadline_ns)
{
    sched_block(&poll_waiters, deadline_ns);
}

/* ---- descriptor tables -------------------------------------------------------- */

long fd_install(struct proc *p, struct file *f, long min, bool cloexec)
{
    for (long fd = min < 0 ? 0 : min; fd < FD_MAX; fd++)
        if (!p->files->files[fd]) {
            p->files->files[fd] = f;
            p->files->cloexec[fd] = cloexec;
            return fd;
        }
    return -SG_EMFILE;
}

long fd_dup_to(struct proc *p, long oldfd, long newfd, bool cloexec)
{
    struct file *f = fd_get(p, oldfd);
    if (!f || newfd < 0 || newfd >= FD_MAX)
        return -SG_EBADF;
    struct file *old = p->files->files[newfd];
    p->files->files[newfd] = file_get(f);
    p->files->cloexec[newfd] = cloexec;
    if (old)
        file_put(old);
    return newfd;
}

long fd_close(struct proc *p, long fd)
{
    struct file *f = fd_get(p, fd);
    if (!f)
        return -SG_EBADF;
    p->files->files[fd] = 0;
    p->files->cloexec[fd] = false;
    file_put(f);
    return 0;
}

bool fd_cloexec(struct proc *p, long fd)
{
    return p->files->cloexec[fd];
}

void fd_set_cloexec(struct proc *p, long fd, bool on)
{
    p->files->cloexec[fd] = on;
}

/* A new table for child with parent's descriptors (the same open files):
 * every one and its close-on-exec flag (fork), or only those without it
 * (sg_spawn, which is fork + exec).  0 or -ENOMEM. */
static int table_from(struct proc *child, struct proc *parent, bool all)
{
    struct fd_table *t = kzalloc(sizeof *t);
    if (!t)
        return -SG_ENOMEM;
    t->refs = 1;
    child->files = t;
    child->cwd = parent ? parent->cwd : FS_ROOT;
    for (int fd = 0; parent && parent->files && fd < FD_MAX; fd++)
        if (parent->files->files[fd] && (all || !parent->files->cloexec[fd])) {
            t->files[fd] = file_get(parent->files->files[fd]);
            t->cloexec[fd] = parent->files->cloexec[fd];
        }
    return 0;
}

int files_spawn(struct proc *child, struct proc *parent)
{
    if (table_from(child, parent, false))
        return -SG_ENOMEM;
    if (parent && parent->files)
        return 0;
    /* The first process: one open file of /dev/console, as fd 0, 1 and 2
     * (Linux's init/main.c console_on_rootfs does the same). */
    uint32_t node;
    struct file *f;
    if (fs_walk(&fs_tree, FS_ROOT, "/dev/console", FS_WALK_FOLLOW, &node, 0) ||
        file_open(node, L_O_RDWR | L_O_LARGEFILE, &f)) {
        printk("fs: no /dev/console: the first process has no fds 0, 1 and 2\n");
        return 0;
    }
    for (int fd = 0; fd < 3; fd++)
        child->files->files[fd] = fd ? file_get(f) : f;
    return 0;
}

int files_fork(struct proc *child, struct proc *parent)
{
    return table_from(child, parent, true);
}

void files_share(struct proc *child, struct proc *parent)
{
    child->files = parent->files;
    child->files->refs++;
    child->cwd = parent->cwd;
}

int files_close_on_exec(struct proc *p)
{
    if (p->files->refs > 1) {
        struct proc copy = { .files = 0 };
        if (files_fork(&copy, p))
            return -SG_ENOMEM;
        files_release(p);
        p->files = copy.files;
    }
    for (int fd = 0; fd < FD_MAX; fd++)
        if (p->files->files[fd] && p->files->cloexec[fd])
            fd_close(p, fd);
    return 0;
}

void files_release(struct proc *p)
{
    struct fd_table *t = p->files;
    if (!t)
        return;
    p->files = 0;
    if (--t->refs > 0)
        return;
    for (int fd = 0; fd < FD_MAX; fd++)
        if (t->files[fd])
            file_put(t->files[fd]);
    kfree(t);
}

long fd_file_bytes(struct proc *p, int fd, const uint8_t **data, uint64_t *size, int *oflags)
{
    struct file *f = fd_get(p, fd);
    if (!f || (f->flags & L_O_PATH))
        return -SG_EBADF;
    if (f->ops != &regular_ops)
        return -SG_ENODEV;
    if (!file_readable(f))
        return -SG_EACCES;
    const struct fs_node *n = fs_node(f->node);
    *data = n->data;
    *size = n->size;
    *oflags = (int)f->flags;
    return 0;
}
