/*
 * File status and directory listings: stat, fstat, lstat, newfstatat,
 * statx, i386's stat64, fstat64, lstat64 and fstatat64, getdents and
 * getdents64, as stat(2), statx(2) and getdents(2) describe them, in the
 * layouts of kernel/fs/linux.h (fs/stat.c, fs/readdir.c, and the x86-64
 * kernel's compat layer for i386).
 */
#include "syscall.h"
#include "uaccess.h"
#include "../fs/file.h"
#include "../fs/fs.h"
#include "../fs/linux.h"
#include "../proc/proc.h"
#include <sysgate/abi.h>

/* The initrd's device number, as an anonymous file system gets one. */
#define INITRD_DEV_MAJOR 0
#define INITRD_DEV_MINOR 1

/* What every stat layout is filled from. */
struct kstat {
    uint32_t dev_major, dev_minor, rdev_major, rdev_minor;
    uint64_t ino, nlink, size, blocks;
    uint32_t mode, uid, gid, blksize;
    int64_t time;               /* atime = mtime = ctime: the archive's mtime */
};

static void kstat_of(uint32_t node, struct kstat *k)
{
    const struct fs_node *n = fs_node(node);
    memset(k, 0, sizeof *k);
    k->dev_major = INITRD_DEV_MAJOR;
    k->dev_minor = INITRD_DEV_MINOR;
    k->rdev_major = n->rdev_major;
    k->rdev_minor = n->rdev_minor;
    k->ino = n->ino;
    k->nlink = n->nlink;
    k->mode = n->mode;
    k->uid = n->uid;
    k->gid = n->gid;
    k->size = n->size;
    k->blksize = 4096;
    /* 512-byte units of the pages a regular file's data would fill. */
    if ((n->mode & FS_S_IFMT) == FS_S_IFREG)
        k->blocks = ALIGN_UP(n->size, 4096) / 512;
    k->time = n->mtime;
}

/* new_encode_dev (include/linux/kdev_t.h). */
static uint64_t encode_dev(uint32_t major, uint32_t minor)
{
    return (minor & 0xff) | ((uint64_t)major << 8) | ((uint64_t)(minor & ~0xffu) << 12);
}

/* i386's 16-bit ids: high2lowuid makes a larger one the overflow id. */
static uint16_t low_id(uint32_t id)
{
    return id > 0xffff ? 65534 : (uint16_t)id;
}

/* Writes k in the layout of the caller's stat, stat64 (i386) or the
 * x86-64 struct stat. */
static long put_stat(const struct kstat *k, uint64_t buf, bool i386_stat64)
{
    uint64_t dev = encode_dev(k->dev_major, k->dev_minor), rdev = encode_dev(k->rdev_major, k->rdev_minor);
    if (current_proc()->bits == 64) {
        struct l_stat64 s = {
            .st_dev = dev, .st_ino = k->ino, .st_nlink = k->nlink, .st_mode = k->mode, .st_uid = k->uid,
            .st_gid = k->gid, .st_rdev = rdev, .st_size = (int64_t)k->size, .st_blksize = k->blksize,
            .st_blocks = (int64_t)k->blocks, .st_atime = (uint64_t)k->time, .st_mtime = (uint64_t)k->time,
            .st_ctime = (uint64_t)k->time,
        };
        return copy_to_user(buf, &s, sizeof s);
    }
    if (i386_stat64) {
        struct l_stat64_i386 s = {
            .st_dev = dev, .st_ino32 = (uint32_t)k->ino, .st_mode = k->mode, .st_nlink = (uint32_t)k->nlink,
            .st_uid = k->uid, .st_gid = k->gid, .st_rdev = rdev, .st_size = (int64_t)k->size,
            .st_blksize = k->blksize, .st_blocks = (int64_t)k->blocks, .st_atime = (uint32_t)k->time,
            .st_mtime = (uint32_t)k->time, .st_ctime = (uint32_t)k->time, .st_ino = k->ino,
        };
        return copy_to_user(buf, &s, sizeof s);
    }
    /* The old struct stat: what does not fit is -EOVERFLOW (cp_compat_stat). */
    if (k->ino > UINT32_MAX || k->nlink > 0xffff || k->size > INT32_MAX || dev > 0xffff || rdev > 0xffff)
        return -SG_EOVERFLOW;
    struct l_stat32 s = {
        .st_dev = (uint32_t)dev, .st_ino = (uint32_t)k->ino, .st_mode = (uint16_t)k->mode,
        .st_nlink = (uint16_t)k->nlink, .st_uid = low_id(k->uid), .st_gid = low_id(k->gid),
        .st_rdev = (uint32_t)rdev, .st_size = (uint32_t)k->size, .st_blksize = k->blksize,
        .st_blocks = (uint32_t)k->blocks, .st_atime = (uint32_t)k->time, .st_mtime = (uint32_t)k->time,
        .st_ctime = (uint32_t)k->time,
    };
    return copy_to_user(buf, &s, sizeof s);
}

/* The node a *stat call names; empty_ok for AT_EMPTY_PATH. */
static long stat_node(int dirfd, uint64_t path_ptr, bool follow, bool empty_ok, uint32_t *node)
{
    char path[FS_PATH_MAX];
    long r = fs_copy_path(path, path_ptr);
    if (r < 0)
        return r;
    return fs_resolve(current_proc(), dirfd, path, follow ? FS_WALK_FOLLOW : 0, empty_ok, node, 0);
}

static long do_fstatat(int dirfd, uint64_t path, uint64_t buf, uint64_t flags, bool i386_stat64)
{
    if ((uint32_t)flags & ~(uint32_t)(L_AT_SYMLINK_NOFOLLOW | L_AT_NO_AUTOMOUNT | L_AT_EMPTY_PATH))
        return -SG_EINVAL;
    uint32_t node;
    long r = stat_node(dirfd, path, !(flags & L_AT_SYMLINK_NOFOLLOW), flags & L_AT_EMPTY_PATH, &node);
    if (r)
        return r;
    struct kstat k;
    kstat_of(node, &k);
    return put_stat(&k, buf, i386_stat64);
}

/* fstat works on O_PATH descriptors too. */
static long do_fstat(uint64_t fd, uint64_t buf, bool i386_stat64)
{
    struct file *f = fd_get(current_proc(), (int)fd);
    if (!f)
        return -SG_EBADF;
    struct kstat k;
    kstat_of(f->node, &k);
    /* A pipe is no node of the tree: a FIFO of pipefs, as Linux shows it
     * (mode 0600, one link, the pipe's address as its inode number). */
    if (file_is_pipe(f)) {
        memset(&k, 0, sizeof k);
        k.mode = FS_S_IFIFO | 0600;
        k.nlink = 1;
        k.blksize = 4096;
        k.ino = (uint32_t)((uint64_t)f->priv >> 4);
        k.dev_minor = 12;
    }
    return put_stat(&k, buf, i386_stat64);
}

long sys_stat(uint64_t path, uint64_t buf)
{
    return do_fstatat(FS_AT_FDCWD, path, buf, 0, false);
}

long sys_lstat(uint64_t path, uint64_t buf)
{
    return do_fstatat(FS_AT_FDCWD, path, buf, L_AT_SYMLINK_NOFOLLOW, false);
}

long sys_fstat(uint64_t fd, uint64_t buf)
{
    return do_fstat(fd, buf, false);
}

long sys_newfstatat(uint64_t dirfd, uint64_t path, uint64_t buf, uint64_t flags)
{
    return do_fstatat((int)dirfd, path, buf, flags, false);
}

long sys_stat64(uint64_t path, uint64_t buf)
{
    return do_fstatat(FS_AT_FDCWD, path, buf, 0, true);
}

long sys_lstat64(uint64_t path, uint64_t buf)
{
    return do_fstatat(FS_AT_FDCWD, path, buf, L_AT_SYMLINK_NOFOLLOW, true);
}

long sys_fstat64(uint64_t fd, uint64_t buf)
{
    return do_fstat(fd, buf, true);
}

long sys_fstatat64(uint64_t dirfd, uint64_t path, uint64_t buf, uint64_t flags)
{
    return do_fstatat((int)dirfd, path, buf, flags, true);
}

/* statx(2): the basic statistics whatever the mask asked (as Linux fills
 * what it has); no birth time.  A NULL path with AT_EMPTY_PATH names
 * dirfd, as since Linux 6.11. */
long sys_statx(uint64_t dirfd, uint64_t path, uint64_t flags, uint64_t mask, uint64_t buf)
{
    uint32_t fl = (uint32_t)flags;
    if (fl & ~(uint32_t)(L_AT_SYMLINK_NOFOLLOW | L_AT_NO_AUTOMOUNT | L_AT_EMPTY_PATH | L_AT_STATX_SYNC_TYPE))
        return -SG_EINVAL;
    if ((fl & L_AT_STATX_SYNC_TYPE) == L_AT_STATX_SYNC_TYPE || ((uint32_t)mask & L_STATX_RESERVED))
        return -SG_EINVAL;
    uint32_t node;
    long r;
    if (!path && (fl & L_AT_EMPTY_PATH))
        r = fs_resolve(current_proc(), (int)dirfd, "", 0, true, &node, 0);
    else
        r = stat_node((int)dirfd, path, !(fl & L_AT_SYMLINK_NOFOLLOW), fl & L_AT_EMPTY_PATH, &node);
    if (r)
        return r;
    struct kstat k;
    kstat_of(node, &k);
    struct l_statx s;
    memset(&s, 0, sizeof s);
    s.stx_mask = L_STATX_BASIC_STATS;
    s.stx_blksize = k.blksize;
    s.stx_nlink = (uint32_t)k.nlink;
    s.stx_uid = k.uid;
    s.stx_gid = k.gid;
    s.stx_mode = (uint16_t)k.mode;
    s.stx_ino = k.ino;
    s.stx_size = k.size;
    s.stx_blocks = k.blocks;
    s.stx_atime.tv_sec = s.stx_ctime.tv_sec = s.stx_mtime.tv_sec = k.time;
    s.stx_rdev_major = k.rdev_major;
    s.stx_rdev_minor = k.rdev_minor;
    s.stx_dev_major = k.dev_major;
    s.stx_dev_minor = k.dev_minor;
    return copy_to_user(buf, &s, sizeof s);
}

/*
 * getdents64 and getdents: as many whole records as fit, from the
 * directory's position on (".", "..", then the entries in archive order);
 * 0 at the end; -EINVAL when not even the first fits; -ENOTDIR for a
 * descriptor that is not a directory.  A fault after some records ends
 * the call with those records (Linux fs/readdir.c).
 */
enum dirent_layout { DIRENT64, DIRENT_LONG64, DIRENT_LONG32 };

/* One record into rec; its length. */
static size_t make_dirent(uint8_t *rec, enum dirent_layout layout, const struct fs_dirent *e, uint64_t ino,
                          unsigned type)
{
    size_t name_at, len;
    switch (layout) {
    case DIRENT64:
        /* d_ino u64, d_off s64, d_reclen u16, d_type u8, d_name */
        name_at = L_DIRENT64_NAME;
        len = ALIGN_UP(name_at + e->namelen + 1, 8);
        memcpy(rec, &ino, 8);
        memcpy(rec + 8, &e->next, 8);
        rec[18] = (uint8_t)type;
        break;
    case DIRENT_LONG64:
        /* d_ino, d_off (longs), d_reclen u16, d_name, NUL, d_type last */
        name_at = 18;
        len = ALIGN_UP(name_at + e->namelen + 2, 8);
        memcpy(rec, &ino, 8);
        memcpy(rec + 8, &e->next, 8);
        break;
    default: {
        name_at = 10;
        len = ALIGN_UP(name_at + e->namelen + 2, 4);
        uint32_t ino32 = (uint32_t)ino, off32 = (uint32_t)e->next;
        memcpy(rec, &ino32, 4);
        memcpy(rec + 4, &off32, 4);
        break;
    }
    }
    uint16_t reclen = (uint16_t)len;
    memset(rec + name_at, 0, len - name_at);
    memcpy(rec + (layout == DIRENT64 ? 16 : name_at - 2), &reclen, 2);
    memcpy(rec + name_at, e->name, e->namelen);
    if (layout != DIRENT64)
        rec[len - 1] = (uint8_t)type;
    return len;
}

static long do_getdents(uint64_t fd, uint64_t buf, uint64_t count, enum dirent_layout layout)
{
    struct proc *p = current_proc();
    struct file *f = fd_get(p, (int)fd);
    if (!f || (f->flags & L_O_PATH))
        return -SG_EBADF;
    if (!fs_is_dir(fs_node(f->node)))
        return -SG_ENOTDIR;
    uint8_t rec[ALIGN_UP(L_DIRENT64_NAME + FS_NAME_MAX + 2, 8)];
    uint64_t done = 0;
    count = (uint32_t)count;
    struct fs_dirent e;
    while (fs_dir_entry(&fs_tree, f->node, f->pos, &e)) {
        const struct fs_node *n = fs_node(e.node);
        if (layout == DIRENT_LONG32 && n->ino > UINT32_MAX)
            return done ? (long)done : -SG_EOVERFLOW;
        size_t len = make_dirent(rec, layout, &e, n->ino, fs_dtype(n));
        if (len > count - done)
            return done ? (long)done : -SG_EINVAL;
        if (copy_to_user(buf + done, rec, len))
            return done ? (long)done : -SG_EFAULT;
        done += len;
        f->pos = e.next;
    }
    return (long)done;
}

long sys_getdents64(uint64_t fd, uint64_t buf, uint64_t count)
{
    return do_getdents(fd, buf, count, DIRENT64);
}

long sys_getdents(uint64_t fd, uint64_t buf, uint64_t count)
{
    return do_getdents(fd, buf, count, current_proc()->bits == 64 ? DIRENT_LONG64 : DIRENT_LONG32);
}
