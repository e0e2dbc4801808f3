/*
 * Opening, closing and duplicating descriptors, and the calls about names:
 * open, openat, close, dup, dup2, dup3, fcntl (and i386's fcntl64),
 * access, faccessat, faccessat2, readlink, readlinkat, chdir, fchdir,
 * getcwd - as open(2), close(2), dup(2), fcntl(2), access(2), readlink(2),
 * chdir(2) and getcwd(2) describe them.  The initrd is read-only: what
 * would write to it is -EROFS.
 */
#include "syscall.h"
#include "uaccess.h"
#include "../fs/file.h"
#include "../fs/fs.h"
#include "../fs/linux.h"
#include "../proc/proc.h"
#include <sysgate/abi.h>

/*
 * openat(2), in the order Linux's fs/namei.c path_openat and may_open check:
 * the flags, the path, O_CREAT/O_EXCL, the file type against the access
 * mode, then -EROFS for writing to (or truncating) a file of the initrd.
 * Devices may be written.  Unknown flags are ignored, as open(2) does.
 */
static long do_open(int dirfd, uint64_t path_ptr, uint32_t flags)
{
    struct proc *p = current_proc();
    char path[FS_PATH_MAX];
    uint32_t acc = flags & L_O_ACCMODE;
    bool wants_write = acc != L_O_RDONLY;

    if ((flags & L_O_TMPFILE) == L_O_TMPFILE && !wants_write)
        return -SG_EINVAL;
    if ((flags & (L_O_CREAT | L_O_DIRECTORY)) == (L_O_CREAT | L_O_DIRECTORY))
        return -SG_EINVAL;
    if (flags & L_O_PATH)
        flags &= L_O_PATH | L_O_DIRECTORY | L_O_NOFOLLOW | L_O_CLOEXEC;
    if (p->bits == 64)
        flags |= L_O_LARGEFILE;     /* x86-64 opens every file large (force_o_largefile) */
    long r = fs_copy_path(path, path_ptr);
    if (r < 0)
        return r;

    bool creat = flags & L_O_CREAT, excl = creat && (flags & L_O_EXCL);
    unsigned walk = (flags & L_O_NOFOLLOW) || excl ? 0 : FS_WALK_FOLLOW;
    if (flags & L_O_DIRECTORY)
        walk |= FS_WALK_DIRECTORY;
    uint32_t node, parent;
    r = fs_resolve(p, dirfd, path, walk, false, &node, &parent);
    /* Creating needs a writable directory: none here. */
    if (r == -SG_ENOENT && creat && parent != FS_NONE)
        return -SG_EROFS;
    if (r)
        return r;
    const struct fs_node *n = fs_node(node);
    if ((flags & L_O_TMPFILE) == L_O_TMPFILE)
        return -SG_EROFS;
    if (excl)
        return -SG_EEXIST;
    if (!(flags & L_O_PATH)) {
        switch (n->mode & FS_S_IFMT) {
        case FS_S_IFLNK:
            return -SG_ELOOP;       /* O_NOFOLLOW met a symlink */
        case FS_S_IFDIR:
            if (wants_write || creat)
                return -SG_EISDIR;
            break;
        case FS_S_IFREG:
            if (wants_write || (flags & L_O_TRUNC))
                return -SG_EROFS;
            break;
        }
    }
    struct file *f;
    r = file_open(node, flags, &f);
    if (r)
        return r;
    r = fd_install(p, f, 0, flags & L_O_CLOEXEC);
    if (r < 0)
        file_put(f);
    return r;
}

/* The dirfd argument as the int it is. */
static int dirfd_of(uint64_t v)
{
    return (int)v;
}

long sys_open(uint64_t path, uint64_t flags, uint64_t mode)
{
    (void)mode;     /* only for files created: none can be */
    return do_open(FS_AT_FDCWD, path, (uint32_t)flags);
}

long sys_openat(uint64_t dirfd, uint64_t path, uint64_t flags, uint64_t mode)
{
    (void)mode;
    return do_open(dirfd_of(dirfd), path, (uint32_t)flags);
}

long sys_close(uint64_t fd)
{
    return fd_close(current_proc(), (int)fd);
}

long sys_dup(uint64_t fd)
{
    struct proc *p = current_proc();
    struct file *f = fd_get(p, (int)fd);
    if (!f)
        return -SG_EBADF;
    long r = fd_install(p, file_get(f), 0, false);
    if (r < 0)
        file_put(f);
    return r;
}

long sys_dup2(uint64_t oldfd, uint64_t newfd)
{
    struct proc *p = current_proc();
    if (!fd_get(p, (int)oldfd))
        return -SG_EBADF;
    if ((int)oldfd == (int)newfd)
        return (int)newfd;
    return fd_dup_to(p, (int)oldfd, (int)newfd, false);
}

long sys_dup3(uint64_t oldfd, uint64_t newfd, uint64_t flags)
{
    if ((uint32_t)flags & ~(uint32_t)L_O_CLOEXEC)
        return -SG_EINVAL;
    if ((int)oldfd == (int)newfd)
        return -SG_EINVAL;
    return fd_dup_to(current_proc(), (int)oldfd, (int)newfd, flags & L_O_CLOEXEC);
}

/* The status flags F_SETFL may change (Linux fs/fcntl.c SETFL_MASK, without
 * O_ASYNC, which sysgate does not signal). */
#define SETFL_MASK (L_O_APPEND | L_O_NONBLOCK | L_O_NOATIME | L_O_DIRECT)

static long do_fcntl(uint64_t fd_arg, uint64_t cmd, uint64_t arg)
{
    struct proc *p = current_proc();
    int fd = (int)fd_arg;
    struct file *f = fd_get(p, fd);
    if (!f)
        return -SG_EBADF;
    switch ((uint32_t)cmd) {
    case L_F_DUPFD:
    case L_F_DUPFD_CLOEXEC: {
        /* The lowest free descriptor >= arg (an unsigned long); -EINVAL
         * beyond the limit. */
        if (arg >= FD_MAX)
            return -SG_EINVAL;
        long r = fd_install(p, file_get(f), (long)arg, (uint32_t)cmd == L_F_DUPFD_CLOEXEC);
        if (r < 0)
            file_put(f);
        return r;
    }
    case L_F_GETFD:
        return fd_cloexec(p, fd) ? L_FD_CLOEXEC : 0;
    case L_F_SETFD:
        fd_set_cloexec(p, fd, arg & L_FD_CLOEXEC);
        return 0;
    case L_F_GETFL:
        return f->flags;
    case L_F_SETFL:
        if (f->flags & L_O_PATH)
            return -SG_EBADF;
        f->flags = (f->flags & ~(uint32_t)SETFL_MASK) | ((uint32_t)arg & SETFL_MASK);
        return 0;
    }
    return -SG_EINVAL;
}

long sys_fcntl(uint64_t fd, uint64_t cmd, uint64_t arg)
{
    return do_fcntl(fd, cmd, arg);
}

/* i386's fcntl64 differs from fcntl only in the record locks' layout. */
long sys_fcntl64(uint64_t fd, uint64_t cmd, uint64_t arg)
{
    return do_fcntl(fd, cmd, arg);
}

/*
 * access(2) for root, the only user: reading and writing are allowed,
 * writing but -EROFS on the initrd's files, directories and symlinks;
 * executing needs an execute bit (any of the three) unless it is a
 * directory (Linux fs/namei.c generic_permission, sb_permission).
 */
static long do_access(int dirfd, uint64_t path_ptr, uint64_t mode, uint64_t flags)
{
    if ((uint32_t)mode & ~(uint32_t)(L_R_OK | L_W_OK | L_X_OK))
        return -SG_EINVAL;
    if ((uint32_t)flags & ~(uint32_t)(L_AT_EACCESS | L_AT_SYMLINK_NOFOLLOW | L_AT_EMPTY_PATH))
        return -SG_EINVAL;
    char path[FS_PATH_MAX];
    long r = fs_copy_path(path, path_ptr);
    if (r < 0)
        return r;
    uint32_t node;
    r = fs_resolve(current_proc(), dirfd, path, flags & L_AT_SYMLINK_NOFOLLOW ? 0 : FS_WALK_FOLLOW,
                   flags & L_AT_EMPTY_PATH, &node, 0);
    if (r)
        return r;
    const struct fs_node *n = fs_node(node);
    uint32_t type = n->mode & FS_S_IFMT;
    if ((mode & L_W_OK) && (type == FS_S_IFREG || type == FS_S_IFDIR || type == FS_S_IFLNK))
        return -SG_EROFS;
    if ((mode & L_X_OK) && type != FS_S_IFDIR && !(n->mode & 0111))
        return -SG_EACCES;
    return 0;
}

long sys_access(uint64_t path, uint64_t mode)
{
    return do_access(FS_AT_FDCWD, path, mode, 0);
}

long sys_faccessat(uint64_t dirfd, uint64_t path, uint64_t mode)
{
    return do_access(dirfd_of(dirfd), path, mode, 0);
}

long sys_faccessat2(uint64_t dirfd, uint64_t path, uint64_t mode, uint64_t flags)
{
    return do_access(dirfd_of(dirfd), path, mode, flags);
}

/* readlink(2): the target without a NUL, cut to the buffer; -EINVAL for
 * anything but a symlink or a buffer size <= 0.  An empty path with a
 * dirfd reads that descriptor's symlink (an O_PATH | O_NOFOLLOW one). */
static long do_readlink(int dirfd, uint64_t path_ptr, uint64_t buf, uint64_t size)
{
    if ((int)size <= 0)
        return -SG_EINVAL;
    char path[FS_PATH_MAX];
    long r = fs_copy_path(path, path_ptr);
    if (r < 0)
        return r;
    uint32_t node;
    r = fs_resolve(current_proc(), dirfd, path, 0, dirfd != FS_AT_FDCWD, &node, 0);
    if (r)
        return r;
    const struct fs_node *n = fs_node(node);
    if ((n->mode & FS_S_IFMT) != FS_S_IFLNK)
        return path[0] ? -SG_EINVAL : -SG_ENOENT;
    uint64_t len = n->size < (uint32_t)size ? n->size : (uint32_t)size;
    if (copy_to_user(buf, n->data, len))
        return -SG_EFAULT;
    return (long)len;
}

long sys_readlink(uint64_t path, uint64_t buf, uint64_t size)
{
    return do_readlink(FS_AT_FDCWD, path, buf, size);
}

long sys_readlinkat(uint64_t dirfd, uint64_t path, uint64_t buf, uint64_t size)
{
    return do_readlink(dirfd_of(dirfd), path, buf, size);
}

long sys_chdir(uint64_t path_ptr)
{
    char path[FS_PATH_MAX];
    long r = fs_copy_path(path, path_ptr);
    if (r < 0)
        return r;
    uint32_t node;
    r = fs_resolve(current_proc(), FS_AT_FDCWD, path, FS_WALK_FOLLOW | FS_WALK_DIRECTORY, false, &node, 0);
    if (r)
        return r;
    current_proc()->cwd = node;
    return 0;
}

long sys_fchdir(uint64_t fd)
{
    struct file *f = fd_get(current_proc(), (int)fd);
    if (!f)
        return -SG_EBADF;
    if (!fs_is_dir(fs_node(f->node)))
        return -SG_ENOTDIR;
    current_proc()->cwd = f->node;
    return 0;
}

/* getcwd(2), the system call: the length written, the NUL included;
 * -ERANGE when the buffer is too small. */
long sys_getcwd(uint64_t buf, uint64_t size)
{
    char path[FS_PATH_MAX];
    long len = fs_path_of(&fs_tree, current_proc()->cwd, path, sizeof path);
    if (len < 0)
        return len;
    if ((uint64_t)len + 1 > size)
        return -SG_ERANGE;
    if (copy_to_user(buf, path, (size_t)len + 1))
        return -SG_EFAULT;
    return len + 1;
}
