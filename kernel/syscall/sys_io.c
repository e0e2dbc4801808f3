/*
 * Reading and writing open files: read, write, readv, writev, pread64,
 * pwrite64, lseek, i386's _llseek, and ioctl, as read(2), write(2),
 * readv(2), pread(2), lseek(2), llseek(2) and ioctl(2) describe them,
 * checks in Linux's order (fs/read_write.c, fs/ioctl.c).  The files
 * themselves are kernel/fs/file.c.
 */
#include "syscall.h"
#include "uaccess.h"
#include "../fs/file.h"
#include "../fs/fs.h"
#include "../fs/linux.h"
#include "../mm/mm.h"
#include "../proc/proc.h"
#include <sysgate/abi.h>

/* Linux's MAX_RW_COUNT: one call moves at most INT_MAX rounded down to a
 * page. */
#define MAX_RW_COUNT 0x7ffff000ul
/* UIO_MAXIOV: the most iovecs one readv or writev takes. */
#define UIO_MAXIOV 1024

static struct file *file_of(uint64_t fd)
{
    struct file *f = fd_get(current_proc(), (int)fd);
    return f && !(f->flags & L_O_PATH) ? f : 0;
}

/* One read or write at pos (the file's own position when pos is 0):
 * moves the position of a file that has one. */
static long transfer(struct file *f, bool write, uint64_t buf, uint64_t len, uint64_t *pos)
{
    uint64_t at = pos ? *pos : f->pos;
    if (len > MAX_RW_COUNT)
        len = MAX_RW_COUNT;
    long r = write ? f->ops->write(f, buf, len, at) : f->ops->read(f, buf, len, at);
    if (r > 0 && pos)
        *pos += (uint64_t)r;
    else if (r > 0 && f->ops->seek == SEEK_FILE)
        f->pos += (uint64_t)r;
    return r;
}

/* The checks read, write and their vectored and positioned forms share:
 * -EBADF without the access mode, -EINVAL without the operation. */
static long check_access(struct file *f, bool write)
{
    if (!f || !(write ? file_writable(f) : file_readable(f)))
        return -SG_EBADF;
    if (!(write ? f->ops->write : f->ops->read))
        return -SG_EINVAL;
    return 0;
}

static long read_write(uint64_t fd, bool write, uint64_t buf, uint64_t len, uint64_t *pos)
{
    struct file *f = file_of(fd);
    long r = check_access(f, write);
    if (r)
        return r;
    if (!user_range_ok(buf, len))
        return -SG_EFAULT;
    return transfer(f, write, buf, len, pos);
}

long sys_read(uint64_t fd, uint64_t buf, uint64_t len)
{
    return read_write(fd, false, buf, len, 0);
}

long sys_write(uint64_t fd, uint64_t buf, uint64_t len)
{
    return read_write(fd, true, buf, len, 0);
}

/* pread64 and pwrite64's position: one 64-bit register, or for i386 two
 * 32-bit ones, low half first (Linux: arch/x86/kernel/sys_ia32.c). */
static int64_t position64(uint64_t lo, uint64_t hi)
{
    return current_proc()->bits == 64 ? (int64_t)lo : (int64_t)(((uint64_t)(uint32_t)hi << 32) | (uint32_t)lo);
}

static long positioned(uint64_t fd, bool write, uint64_t buf, uint64_t len, int64_t pos)
{
    if (pos < 0)
        return -SG_EINVAL;
    struct file *f = file_of(fd);
    if (!f)
        return -SG_EBADF;
    if (f->ops->seek == SEEK_NONE)
        return -SG_ESPIPE;
    uint64_t at = (uint64_t)pos;
    return read_write(fd, write, buf, len, &at);
}

long sys_pread64(uint64_t fd, uint64_t buf, uint64_t len, uint64_t pos_lo, uint64_t pos_hi)
{
    return positioned(fd, false, buf, len, position64(pos_lo, pos_hi));
}

long sys_pwrite64(uint64_t fd, uint64_t buf, uint64_t len, uint64_t pos_lo, uint64_t pos_hi)
{
    return positioned(fd, true, buf, len, position64(pos_lo, pos_hi));
}

/* readv and writev: the iovec array (this width's pointers and lengths)
 * is copied in once, every buffer checked before any moves, the total cut
 * to MAX_RW_COUNT, and a short transfer ends the call (Linux fs/read_write.c,
 * lib/iov_iter.c). */
struct kiovec {
    uint64_t base, len;
};

static long copy_iovecs(struct kiovec *v, uint64_t iov, uint64_t count)
{
    if (current_proc()->bits == 64) {
        _Static_assert(sizeof(struct kiovec) == 16, "x86-64 struct iovec");
        return copy_from_user(v, iov, count * sizeof *v);
    }
    for (uint64_t i = 0; i < count; i++) {
        uint32_t v32[2];
        if (copy_from_user(v32, iov + i * sizeof v32, sizeof v32))
            return -SG_EFAULT;
        /* i386's iov_len is a size_t; as a compat_ssize_t it must not be
         * negative. */
        v[i].base = v32[0];
        v[i].len = (uint64_t)(int64_t)(int32_t)v32[1];
    }
    return 0;
}

/* readv of a stream (a file without a position: the console) is one read
 * for the whole vector, as Linux's read_iter over one iov_iter: a terminal
 * returns one line a read, and a read that filled the first buffer must
 * not wait again for the second.  The bytes go through a kernel buffer of
 * STREAM_CHUNK (no stream read gives more at once: the console's input
 * buffer) and are spread over the buffers in order; a fault part way is
 * a short read, as copy_to_iter's. */
#define STREAM_CHUNK 4096

static long stream_readv(struct file *f, const struct kiovec *v, uint64_t count)
{
    uint64_t total = 0;
    for (uint64_t i = 0; i < count && total < STREAM_CHUNK; i++)
        total += v[i].len < STREAM_CHUNK - total ? v[i].len : STREAM_CHUNK - total;
    uint8_t *k = kmalloc(STREAM_CHUNK);
    if (!k)
        return -SG_ENOMEM;
    long n = f->ops->read(f, (uint64_t)k, total, 0);
    uint64_t done = 0;
    for (uint64_t i = 0; i < count && n > 0 && done < (uint64_t)n; i++) {
        uint64_t part = v[i].len < (uint64_t)n - done ? v[i].len : (uint64_t)n - done;
        if (copy_to_user(v[i].base, k + done, part)) {
            n = done ? (long)done : -SG_EFAULT;
            break;
        }
        done += part;
    }
    kfree(k);
    return n;
}

static long vectored(uint64_t fd, bool write, uint64_t iov, uint64_t count)
{
    struct file *f = file_of(fd);
    long r = check_access(f, write);
    if (r)
        return r;
    if (count == 0)
        return 0;
    if (count > UIO_MAXIOV)
        return -SG_EINVAL;
    struct kiovec *v = kmalloc(count * sizeof *v);
    if (!v)
        return -SG_ENOMEM;
    r = copy_iovecs(v, iov, count);
    for (uint64_t i = 0; i < count && !r; i++) {
        if ((int64_t)v[i].len < 0)
            r = -SG_EINVAL;
        else if (!user_range_ok(v[i].base, v[i].len))
            r = -SG_EFAULT;
    }
    if (!r && !write && f->ops->seek == SEEK_NONE) {
        r = stream_readv(f, v, count);
        kfree(v);
        return r;
    }
    long done = 0;
    for (uint64_t i = 0; i < count && !r && (uint64_t)done < MAX_RW_COUNT; i++) {
        uint64_t len = v[i].len < MAX_RW_COUNT - (uint64_t)done ? v[i].len : MAX_RW_COUNT - (uint64_t)done;
        long n = transfer(f, write, v[i].base, len, 0);
        if (n < 0) {
            if (!done)
                r = n;
            break;
        }
        done += n;
        if ((uint64_t)n < len)
            break;
    }
    kfree(v);
    return r ? r : done;
}

long sys_readv(uint64_t fd, uint64_t iov, uint64_t count)
{
    return vectored(fd, false, iov, count);
}

long sys_writev(uint64_t fd, uint64_t iov, uint64_t count)
{
    return vectored(fd, true, iov, count);
}

/* The new position for lseek, or -errno (vfs_setpos, generic_file_llseek,
 * dcache_dir_lseek, null_lseek). */
static int64_t seek(struct file *f, int64_t off, uint64_t whence)
{
    if (whence > L_SEEK_HOLE)
        return -SG_EINVAL;
    int64_t size = (int64_t)fs_node(f->node)->size, pos = (int64_t)f->pos, to;
    switch (f->ops->seek) {
    case SEEK_ZERO:
        f->pos = 0;
        return 0;
    case SEEK_DIR:
        if (whence != L_SEEK_SET && whence != L_SEEK_CUR)
            return -SG_EINVAL;
        if (__builtin_add_overflow(whence == L_SEEK_CUR ? pos : 0, off, &to) || to < 0)
            return -SG_EINVAL;
        break;
    case SEEK_FILE:
        switch (whence) {
        case L_SEEK_DATA:
        case L_SEEK_HOLE:
            if (off < 0 || off >= size)
                return -SG_ENXIO;
            to = whence == L_SEEK_DATA ? off : size;
            break;
        default:
            if (__builtin_add_overflow(whence == L_SEEK_SET ? 0 : whence == L_SEEK_CUR ? pos : size, off, &to) ||
                to < 0)
                return -SG_EINVAL;
        }
        break;
    default:
        return -SG_ESPIPE;
    }
    f->pos = (uint64_t)to;
    return to;
}

long sys_lseek(uint64_t fd, uint64_t off, uint64_t whence)
{
    struct file *f = file_of(fd);
    if (!f)
        return -SG_EBADF;
    bool wide = current_proc()->bits == 64;
    int64_t r = seek(f, wide ? (int64_t)off : (int64_t)(int32_t)off, (uint32_t)whence);
    /* i386's off_t is 32 bits: a position beyond it is -EOVERFLOW. */
    if (!wide && r > INT32_MAX)
        return -SG_EOVERFLOW;
    return (long)r;
}

/* i386's _llseek(fd, offset_high, offset_low, loff_t *result, whence). */
long sys__llseek(uint64_t fd, uint64_t high, uint64_t low, uint64_t result, uint64_t whence)
{
    struct file *f = file_of(fd);
    if (!f)
        return -SG_EBADF;
    int64_t r = seek(f, (int64_t)(((uint64_t)(uint32_t)high << 32) | (uint32_t)low), (uint32_t)whence);
    if (r < 0)
        return (long)r;
    return copy_to_user(result, &r, sizeof r);
}

/* ioctl(2): FIOCLEX and FIONCLEX for every descriptor (Linux fs/ioctl.c), the
 * rest is the file's (a terminal's, tty_ioctl(4)); -ENOTTY elsewhere. */
#define L_FIONCLEX 0x5450
#define L_FIOCLEX  0x5451

long sys_ioctl(uint64_t fd, uint64_t cmd, uint64_t arg)
{
    struct proc *p = current_proc();
    struct file *f = file_of(fd);
    if (!f)
        return -SG_EBADF;
    if ((uint32_t)cmd == L_FIOCLEX || (uint32_t)cmd == L_FIONCLEX) {
        fd_set_cloexec(p, (int)fd, (uint32_t)cmd == L_FIOCLEX);
        return 0;
    }
    return f->ops->ioctl ? f->ops->ioctl(f, cmd, arg) : -SG_ENOTTY;
}

/* ---- sendfile(2) --------------------------------------------------------- */

/* Linux's MAX_NON_LFS: i386's sendfile (a 32-bit off_t) stops short of 2^31. */
#define MAX_NON_LFS 0x7fffffffll

/* do_sendfile (Linux fs/read_write.c), checks in its order: in_fd open for
 * reading (-EBADF); an explicit position only on a file with one (-ESPIPE);
 * rw_verify_area's -EINVAL for a negative position or count; the count cut
 * to MAX_RW_COUNT; out_fd open for writing (-EBADF); past max -EOVERFLOW.
 * Only a regular file reads at a position in sysgate (Linux: has
 * splice_read), so any other in_fd - a pipe, the console, a directory -
 * is -EINVAL, as is an O_APPEND out_fd that is not a pipe.  The bytes go
 * straight from the initrd to out_fd: into a pipe what fits once there is
 * room (splice_file_to_pipe), elsewhere through the file's write.  ppos
 * NULL: in_fd's position is used and moved; else *ppos is, and in_fd's
 * position stays.  The files are held for the call (a pipe may block). */
static long do_sendfile(uint64_t out_fd, uint64_t in_fd, int64_t *ppos, uint64_t count, int64_t max)
{
    struct proc *p = current_proc();
    struct file *in = file_of(in_fd);
    if (!in || !file_readable(in))
        return -SG_EBADF;
    if (ppos && in->ops->seek == SEEK_NONE)
        return -SG_ESPIPE;
    int64_t pos = ppos ? *ppos : (int64_t)in->pos;
    if ((int64_t)count < 0 || pos < 0 || (int64_t)((uint64_t)pos + count) < 0)
        return -SG_EINVAL;
    if (count > MAX_RW_COUNT)
        count = MAX_RW_COUNT;
    struct file *out = file_of(out_fd);
    if (!out || !file_writable(out))
        return -SG_EBADF;
    if (pos + (int64_t)count > max) {
        if (pos >= max)
            return -SG_EOVERFLOW;
        count = (uint64_t)(max - pos);
    }
    const uint8_t *data;
    uint64_t size;
    int oflags;
    if (fd_file_bytes(p, (int)in_fd, &data, &size, &oflags) < 0 || !out->ops->write ||
        (!file_is_pipe(out) && (out->flags & L_O_APPEND)))
        return -SG_EINVAL;
    uint64_t n = (uint64_t)pos >= size ? 0 : size - (uint64_t)pos < count ? size - (uint64_t)pos : count;
    /* A pipe is waited for (and its reader checked) even for nothing to
     * move, as splice_file_to_pipe's wait_for_space comes first. */
    if (!n && !file_is_pipe(out))
        return 0;
    const uint8_t *from = n ? data + pos : data;
    file_get(in);
    file_get(out);
    long r = file_is_pipe(out) ? pipe_splice_in(out, from, n) : out->ops->write(out, (uint64_t)from, n, out->pos);
    if (r > 0) {
        if (ppos)
            *ppos = pos + r;
        else
            in->pos = (uint64_t)(pos + r);
        if (out->ops->seek == SEEK_FILE)
            out->pos += (uint64_t)r;
    }
    file_put(out);
    file_put(in);
    return r;
}

/* x86-64's sendfile (40) is Linux's sendfile64: a 64-bit loff_t *offset.
 * i386's sendfile (187) takes a 32-bit off_t and stops before 2^31
 * (compat_sys_sendfile).  *offset is read first and written back after
 * the transfer, -EFAULT either way (the bytes have moved by then). */
long sys_sendfile(uint64_t out_fd, uint64_t in_fd, uint64_t offset, uint64_t count)
{
    if (current_proc()->bits == 64)
        return sys_sendfile64(out_fd, in_fd, offset, count);
    if (!offset)
        return do_sendfile(out_fd, in_fd, 0, count, INT64_MAX);
    int32_t off;
    if (copy_from_user(&off, offset, sizeof off))
        return -SG_EFAULT;
    int64_t pos = off;
    long r = do_sendfile(out_fd, in_fd, &pos, count, MAX_NON_LFS);
    off = (int32_t)pos;
    if (copy_to_user(offset, &off, sizeof off))
        return -SG_EFAULT;
    return r;
}

/* sendfile64 (i386 239; x86-64's sendfile): a 64-bit loff_t *offset. */
long sys_sendfile64(uint64_t out_fd, uint64_t in_fd, uint64_t offset, uint64_t count)
{
    if (!offset)
        return do_sendfile(out_fd, in_fd, 0, count, INT64_MAX);
    int64_t pos;
    if (copy_from_user(&pos, offset, sizeof pos))
        return -SG_EFAULT;
    long r = do_sendfile(out_fd, in_fd, &pos, count, INT64_MAX);
    if (copy_to_user(offset, &pos, sizeof pos))
        return -SG_EFAULT;
    return r;
}
