/*
 * files: the initrd as a read-only file system and the descriptor calls,
 * both widths, against the fixture the Makefile puts at /fixture:
 *
 *   hello.txt  "hello, initrd\n", 0644      data.bin  4196 bytes, byte i = i % 251, 0600
 *   empty      0 bytes                      dir/      0755: exec.sh (0755), sub/ (0750): deep.txt "deep\n"
 *   link -> hello.txt    dirlink -> dir/sub    abslink -> /fixture/dir
 *   dangling -> nowhere  loop1 -> loop2 -> loop1
 *
 * every entry with mtime 1700000000.  Structures and constants come from
 * the host's Linux headers, so that the kernel's layouts are checked
 * against Linux's own.  Hazards: a wrong byte or offset, a position not
 * shared by dup()ed descriptors or not moved by read but moved by pread, a
 * close-on-exec flag lost or leaked to a child, a listing that skips or
 * repeats an entry across calls, a symlink loop that hangs, a write that
 * reaches the read-only initrd, a stat layout off by a field.
 */
#include "../lib/files.h"
#include "../lib/tap.h"

#define MTIME 1700000000

static const char *self;
static char buf[8192];

static int contains(const char *hay, const char *needle)
{
    for (size_t n = strlen(needle); *hay; hay++)
        if (!strncmp(hay, needle, n))
            return 1;
    return 0;
}

static int number(const char *s)
{
    int v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (*s++ - '0');
    return v;
}

static long must_open(const char *path, int flags)
{
    long fd = sys_open(path, flags);
    if (fd < 0)
        tap_diag("open(%s) gave %s", path, sg_errno_name(fd));
    return fd;
}

static int data_byte_ok(const uint8_t *p, long n, long at)
{
    for (long i = 0; i < n; i++)
        if (p[i] != (uint8_t)((at + i) % 251))
            return 0;
    return 1;
}

static void test_read_seek(void)
{
    long fd = must_open("/fixture/hello.txt", O_RDONLY);
    tap_eq(fd, 3, "the first file opened gets the lowest free descriptor, 3 (0-2 are the console)");
    memset(buf, 0, 64);
    tap_eq(sys_read((int)fd, buf, 100), 14, "read of hello.txt returns its 14 bytes");
    tap_check(!memcmp(buf, "hello, initrd\n", 14), "and they are \"hello, initrd\\n\"");
    tap_eq(sys_read((int)fd, buf, 100), 0, "the next read is end of file");
    tap_eq(sys_lseek((int)fd, 7, SG_SEEK_SET), 7, "lseek SEEK_SET 7");
    tap_eq(sys_read((int)fd, buf, 5), 5, "read 5 at 7");
    tap_check(!memcmp(buf, "initr", 5), "reads \"initr\"");
    tap_eq(sys_lseek((int)fd, -2, SG_SEEK_CUR), 10, "lseek SEEK_CUR -2 gives 10");
    tap_eq(sys_lseek((int)fd, 0, SG_SEEK_END), 14, "lseek SEEK_END 0 gives the size");
    tap_eq(sys_lseek((int)fd, -1, SG_SEEK_END), 13, "lseek SEEK_END -1 gives 13");
    tap_eq(sys_lseek((int)fd, -1, SG_SEEK_SET), -SG_EINVAL, "a negative position is -EINVAL");
    tap_eq(sys_lseek((int)fd, 0, 5), -SG_EINVAL, "an unknown whence is -EINVAL");
    tap_eq(sys_lseek((int)fd, 0, SG_SEEK_CUR), 13, "a failed lseek leaves the position");
    tap_eq(sys_lseek((int)fd, 3, SG_SEEK_DATA), 3, "SEEK_DATA inside the file is the offset");
    tap_eq(sys_lseek((int)fd, 3, SG_SEEK_HOLE), 14, "SEEK_HOLE inside the file is its end");
    tap_eq(sys_lseek((int)fd, 14, SG_SEEK_DATA), -SG_ENXIO, "SEEK_DATA at the end is -ENXIO");
    tap_eq(sys_lseek((int)fd, 100, SG_SEEK_SET), 100, "lseek past the end is allowed");
    tap_eq(sys_read((int)fd, buf, 10), 0, "and reads there are end of file");
    tap_eq(sys_close((int)fd), 0, "close returns 0");
    tap_eq(sys_close((int)fd), -SG_EBADF, "a second close is -EBADF");

    fd = must_open("/fixture/data.bin", O_RDONLY);
    static uint8_t data[4300];
    long got = 0, r;
    while ((r = sys_read((int)fd, data + got, 1000)) > 0)
        got += r;
    tap_eq(got, 4196, "data.bin reads whole in pieces of 1000: 4196 bytes");
    tap_check(data_byte_ok(data, 4196, 0), "every byte of data.bin is i %% 251");
    sys_lseek((int)fd, 100, SG_SEEK_SET);
    tap_eq(sys_pread64((int)fd, data, 300, 4000), 196, "pread64 of 300 at 4000 returns the 196 left");
    tap_check(data_byte_ok(data, 196, 4000), "with the right bytes");
    tap_eq(sys_lseek((int)fd, 0, SG_SEEK_CUR), 100, "pread64 does not move the position");
    tap_eq(sys_pread64((int)fd, data, 10, -1), -SG_EINVAL, "pread64 at -1 is -EINVAL");
    /* The high half of the position matters: on i386 it is a register of
     * its own. */
    tap_eq(sys_pread64((int)fd, data, 10, 0x100000000ll), 0, "pread64 at 4 GiB is end of file");
    tap_eq(sys_pread64((int)fd, data, 10, 0x100000000ll + 5 - 0x100000000ll), 10, "pread64 at 5 reads");
    tap_check(data_byte_ok(data, 10, 5), "the bytes at 5");

    /* readv: three buffers, one empty. */
    static uint8_t a[10], c[20];
    struct {
        void *base;
        size_t len;
    } iov[3] = { { a, sizeof a }, { buf, 0 }, { c, sizeof c } };
    sys_lseek((int)fd, 250, SG_SEEK_SET);
    tap_eq(sg_syscall(SYS_readv, fd, (long)iov, 3, 0, 0, 0), 30, "readv of 10 + 0 + 20 bytes returns 30");
    tap_check(data_byte_ok(a, 10, 250) && data_byte_ok(c, 20, 260), "each buffer holds its part, in order");
    tap_eq(sys_lseek((int)fd, 0, SG_SEEK_CUR), 280, "readv moves the position by 30");
    tap_eq(sg_syscall(SYS_readv, fd, (long)iov, 0, 0, 0, 0), 0, "readv of no buffers returns 0");
    tap_eq(sg_syscall(SYS_readv, fd, (long)iov, 1025, 0, 0, 0), -SG_EINVAL, "readv of 1025 buffers is -EINVAL");
    tap_eq(sg_syscall(SYS_readv, fd, (long)iov, -1, 0, 0, 0), -SG_EINVAL, "readv of -1 buffers is -EINVAL");
    iov[1].len = (size_t)-1;
    tap_eq(sg_syscall(SYS_readv, fd, (long)iov, 3, 0, 0, 0), -SG_EINVAL, "a negative iov_len is -EINVAL");

    /* readv of a pipe: a stream, read once into the kernel and spread over
     * the buffers (musl's stdio reads so); the pipe's read must take a
     * kernel buffer there, not refuse it as a bad user address. */
    int fds[2];
    tap_eq(sg_syscall(SYS_pipe2, (long)fds, 0, 0, 0, 0, 0), 0, "pipe2 for the readv case");
    tap_eq(sys_write(fds[1], "pipe readv!", 11), 11, "11 bytes into the pipe");
    iov[1].len = 0;
    memset(a, 0, sizeof a);
    memset(c, 0, sizeof c);
    tap_eq(sg_syscall(SYS_readv, fds[0], (long)iov, 3, 0, 0, 0), 11, "readv of a pipe returns what it holds (11)");
    tap_check(!memcmp(a, "pipe readv", 10) && c[0] == '!', "readv of a pipe: 10 bytes in the first buffer, 1 in the third");
    sys_close(fds[0]);
    sys_close(fds[1]);
    iov[1].len = 0;
#ifdef __x86_64__
    iov[2].base = (void *)0xffffffff80100000ul;
    tap_eq(sg_syscall(SYS_readv, fd, (long)iov, 3, 0, 0, 0), -SG_EFAULT,
           "a kernel buffer anywhere in the vector is -EFAULT");
    tap_eq(sys_lseek((int)fd, 0, SG_SEEK_CUR), 280, "and nothing was read");
#endif
    /* An unmapped buffer passes the range check and faults in the copy:
     * what came before it is a short read, as on Linux. */
    iov[2].base = (void *)0x10000000ul;
    tap_eq(sg_syscall(SYS_readv, fd, (long)iov, 3, 0, 0, 0), 10, "an unmapped third buffer: a short read of 10");
    tap_eq(sys_lseek((int)fd, 0, SG_SEEK_CUR), 290, "which moved the position by 10");
    tap_eq(sg_syscall(SYS_readv, fd, 0x10000000l, 1, 0, 0, 0), -SG_EFAULT, "an unmapped vector is -EFAULT");
    sys_close((int)fd);

    fd = must_open("/fixture/empty", O_RDONLY);
    tap_eq(sys_read((int)fd, buf, 10), 0, "the empty file reads as end of file");
    sys_close((int)fd);
}

static void test_open_errors(void)
{
    tap_eq(sys_open("/fixture/none", O_RDONLY), -SG_ENOENT, "a missing file is -ENOENT");
    tap_eq(sys_open("", O_RDONLY), -SG_ENOENT, "an empty path is -ENOENT");
    tap_eq(sys_open("/fixture/none/x", O_RDONLY), -SG_ENOENT, "a missing directory is -ENOENT");
    tap_eq(sys_open("/fixture/hello.txt/x", O_RDONLY), -SG_ENOTDIR, "a file used as a directory is -ENOTDIR");
    tap_eq(sys_open("/fixture/hello.txt/", O_RDONLY), -SG_ENOTDIR, "a file with a trailing slash is -ENOTDIR");
    tap_eq(sys_open("/fixture/loop1", O_RDONLY), -SG_ELOOP, "a symlink loop is -ELOOP");
    tap_eq(sys_open("/fixture/loop1/x", O_RDONLY), -SG_ELOOP, "a symlink loop in the middle is -ELOOP");
    tap_eq(sys_open("/fixture/dangling", O_RDONLY), -SG_ENOENT, "a dangling symlink is -ENOENT");
    tap_eq(sys_open("/fixture/link", O_RDONLY | O_NOFOLLOW), -SG_ELOOP, "O_NOFOLLOW on a symlink is -ELOOP");
    tap_eq(sys_open("/fixture/hello.txt", O_DIRECTORY), -SG_ENOTDIR, "O_DIRECTORY on a file is -ENOTDIR");
    tap_eq(sys_open("/fixture/hello.txt", O_WRONLY), -SG_EROFS, "O_WRONLY on the initrd is -EROFS");
    tap_eq(sys_open("/fixture/hello.txt", O_RDWR), -SG_EROFS, "O_RDWR on the initrd is -EROFS");
    tap_eq(sys_open("/fixture/hello.txt", O_RDONLY | O_TRUNC), -SG_EROFS, "O_TRUNC on the initrd is -EROFS");
    tap_eq(sys_open("/fixture/new", O_WRONLY | O_CREAT), -SG_EROFS, "creating a file is -EROFS");
    tap_eq(sys_open("/fixture/none/new", O_WRONLY | O_CREAT), -SG_ENOENT,
           "creating in a missing directory is -ENOENT");
    tap_eq(sys_open("/fixture/hello.txt", O_RDONLY | O_CREAT | O_EXCL), -SG_EEXIST,
           "O_CREAT | O_EXCL of an existing file is -EEXIST");
    long fd = sys_open("/fixture/hello.txt", O_RDONLY | O_CREAT);
    tap_check(fd >= 0, "O_CREAT of an existing file opened for reading succeeds (%ld)", fd);
    sys_close((int)fd);
    tap_eq(sys_open("/fixture/dir", O_WRONLY), -SG_EISDIR, "a directory opened for writing is -EISDIR");
    tap_eq(sys_open("/fixture/dir", O_RDONLY | O_CREAT | O_DIRECTORY), -SG_EINVAL,
           "O_CREAT | O_DIRECTORY is -EINVAL");
    tap_eq(sys_open("/fixture", O_TMPFILE | O_RDONLY), -SG_EINVAL, "O_TMPFILE without write access is -EINVAL");
    tap_eq(sys_open("/fixture", O_TMPFILE | O_RDWR), -SG_EROFS, "O_TMPFILE on the initrd is -EROFS");
    static char name[300];
    memset(name, 'n', sizeof name - 1);
    memcpy(name, "/fixture/", 9);
    name[9 + 256] = 0;
    tap_eq(sys_open(name, O_RDONLY), -SG_ENAMETOOLONG, "a 256-character name is -ENAMETOOLONG");
    static char path[4200];
    for (int i = 0; i + 2 < (int)sizeof path; i += 2)
        path[i] = '/', path[i + 1] = '.';
    path[sizeof path - 1] = 0;
    tap_eq(sys_open(path, O_RDONLY), -SG_ENAMETOOLONG, "a path of PATH_MAX characters or more is -ENAMETOOLONG");
    path[4094] = 0;     /* "/././...": 4094 characters */
    fd = sys_open(path, O_RDONLY | O_DIRECTORY);
    tap_check(fd >= 0, "a path of 4094 characters resolves (%ld)", fd);
    sys_close((int)fd);

    fd = must_open("/fixture/dir", O_RDONLY);
    tap_eq(sys_read((int)fd, buf, 10), -SG_EISDIR, "read of a directory is -EISDIR");
    tap_eq(sys_write((int)fd, buf, 10), -SG_EBADF, "write to a directory is -EBADF");
    sys_close((int)fd);
    fd = must_open("/fixture/hello.txt", O_RDONLY);
    tap_eq(sys_write((int)fd, "x", 1), -SG_EBADF, "write to a file open for reading is -EBADF");
    sys_close((int)fd);
    fd = must_open("/dev/null", O_WRONLY);
    tap_eq(sys_read((int)fd, buf, 1), -SG_EBADF, "read from a descriptor open for writing is -EBADF");
    sys_close((int)fd);
    static const int bad_fds[] = { -1, 200, 255, 256, 1000, 0x7fffffff, -101 };
    for (unsigned i = 0; i < sizeof bad_fds / sizeof bad_fds[0]; i++) {
        int b = bad_fds[i];
        tap_check(sys_read(b, buf, 1) == -SG_EBADF && sys_write(b, "x", 1) == -SG_EBADF &&
                      sys_close(b) == -SG_EBADF && sys_dup(b) == -SG_EBADF && sys_lseek(b, 0, 0) == -SG_EBADF &&
                      sys_fcntl(b, F_GETFD, 0) == -SG_EBADF && sys_ioctl(b, TCGETS, buf) == -SG_EBADF &&
                      sys_getdents64(b, buf, 100) == -SG_EBADF && sg_syscall(SYS_fstat, b, (long)buf, 0, 0, 0, 0) ==
                                                                      -SG_EBADF &&
                      sys_openat(b, "x", O_RDONLY) == -SG_EBADF,
                  "descriptor %d is -EBADF for read, write, close, dup, lseek, fcntl, ioctl, getdents64, fstat, openat",
                  b);
    }
}

/* One getdents64 listing: names joined by spaces, each record checked. */
static int list_dir(int fd, char *out, size_t size, unsigned chunk, int *records_ok)
{
    static uint8_t d[4096];
    size_t used = 0;
    int calls = 0;
    long n;
    *records_ok = 1;
    out[0] = 0;
    while ((n = sys_getdents64(fd, d, chunk)) > 0) {
        calls++;
        for (long off = 0; off < n;) {
            uint16_t reclen;
            memcpy(&reclen, d + off + 16, 2);
            const char *name = (const char *)d + off + 19;
            int64_t d_off;
            memcpy(&d_off, d + off + 8, 8);
            if (reclen % 8 || reclen < 24 || off + reclen > n || strlen(name) + 20 > reclen || d_off == 0)
                *records_ok = 0;
            used += snformat(out + used, size - used, "%s%s", used ? " " : "", name);
            off += reclen;
        }
    }
    return n < 0 ? (int)n : calls;
}

static void test_directories(void)
{
    static const char want[] =
        ". .. abslink dangling data.bin dir dirlink empty hello.txt link loop1 loop2";
    static char names[512];
    int ok;
    long fd = must_open("/fixture", O_RDONLY | O_DIRECTORY);
    int calls = list_dir((int)fd, names, sizeof names, 4096, &ok);
    tap_check(!strcmp(names, want), "getdents64 lists /fixture exactly, in archive order (%s)", names);
    tap_eq(calls, 1, "in one call of 4096 bytes");
    tap_check(ok, "every record 8-aligned, its name NUL-terminated inside it, d_off set");
    tap_eq(sys_getdents64((int)fd, buf, 4096), 0, "at the end getdents64 returns 0");
    tap_eq(sys_lseek((int)fd, 0, SG_SEEK_SET), 0, "lseek rewinds a directory");
    calls = list_dir((int)fd, names, sizeof names, 32, &ok);
    tap_check(!strcmp(names, want), "a 32-byte buffer lists the same, one entry at a time (%s)", names);
    tap_eq(calls, 12, "in 12 calls");
    sys_lseek((int)fd, 0, SG_SEEK_SET);
    tap_eq(sys_getdents64((int)fd, buf, 23), -SG_EINVAL, "a buffer too small for one record is -EINVAL");
    tap_eq(sys_lseek((int)fd, 0, SG_SEEK_END), -SG_EINVAL, "SEEK_END on a directory is -EINVAL");

    /* d_ino and d_type agree with lstat. */
    sys_lseek((int)fd, 0, SG_SEEK_SET);
    long n = sys_getdents64((int)fd, buf, sizeof buf);
    int agree = n > 0;
    for (long off = 0; off < n;) {
        uint16_t reclen;
        uint64_t ino;
        memcpy(&reclen, buf + off + 16, 2);
        memcpy(&ino, buf + off, 8);
        unsigned type = (uint8_t)buf[off + 18];
        char path[64];
        snformat(path, sizeof path, "/fixture/%s", buf + off + 19);
        struct stat st;
        if (sg_syscall(SYS_lstat, (long)path, (long)&st, 0, 0, 0, 0) || st.st_ino != ino ||
            type != ((st.st_mode & S_IFMT) >> 12)) {
            tap_diag("%s: d_ino %llu d_type %u, lstat ino %llu mode %#o", path, (unsigned long long)ino, type,
                     (unsigned long long)st.st_ino, (unsigned)st.st_mode);
            agree = 0;
        }
        off += reclen;
    }
    tap_check(agree, "every entry's d_ino and d_type match lstat's st_ino and st_mode");

    /* getdents's older record: d_ino, d_off (longs), d_reclen, d_name, d_type last. */
    sys_lseek((int)fd, 0, SG_SEEK_SET);
    n = sg_syscall(SYS_getdents, fd, (long)buf, sizeof buf, 0, 0, 0);
    static char old[512];
    size_t used = 0;
    int types_ok = 1;
    for (long off = 0; off < n;) {
        uint16_t reclen;
        memcpy(&reclen, buf + off + 2 * sizeof(long), 2);
        const char *name = buf + off + 2 * sizeof(long) + 2;
        used += snformat(old + used, sizeof old - used, "%s%s", used ? " " : "", name);
        unsigned type = (uint8_t)buf[off + reclen - 1];
        if (reclen % sizeof(long) || (!strcmp(name, "dir") && type != 4) || (!strcmp(name, "link") && type != 10) ||
            (!strcmp(name, "empty") && type != 8))
            types_ok = 0;
        off += reclen;
    }
    tap_check(n > 0 && !strcmp(old, want), "getdents (the %d-bit struct linux_dirent) lists the same (%s)", SG_BITS,
              old);
    tap_check(types_ok, "with d_type in each record's last byte");
    sys_close((int)fd);

    fd = must_open("/fixture/dir/sub", O_RDONLY);
    list_dir((int)fd, names, sizeof names, 4096, &ok);
    tap_check(!strcmp(names, ". .. deep.txt"), "a nested directory lists . .. deep.txt (%s)", names);
    sys_close((int)fd);
    fd = must_open("/dev", O_RDONLY);
    list_dir((int)fd, names, sizeof names, 4096, &ok);
    tap_check(!strcmp(names, ". .. null zero tty console"), "/dev holds null zero tty console (%s)", names);
    sys_close((int)fd);
    fd = must_open("/", O_RDONLY);
    list_dir((int)fd, names, sizeof names, 4096, &ok);
    tap_check(!strncmp(names, ". .. bin", 8) && contains(names, " fixture") && contains(names, " dev"),
              "/ holds bin, fixture and dev (%s)", names);
    sys_close((int)fd);
    fd = must_open("/fixture/hello.txt", O_RDONLY);
    tap_eq(sys_getdents64((int)fd, buf, 4096), -SG_ENOTDIR, "getdents64 of a file is -ENOTDIR");
    sys_close((int)fd);
    tap_eq(sys_getdents64(1, buf, 4096), -SG_ENOTDIR, "getdents64 of the console is -ENOTDIR");
}

static void test_stat(void)
{
    struct stat st, st2;
    tap_eq(sg_syscall(SYS_stat, (long)"/fixture/hello.txt", (long)&st, 0, 0, 0, 0), 0, "stat of hello.txt");
    tap_eq(st.st_mode, S_IFREG | 0644, "st_mode is a regular file, 0644");
    tap_eq(st.st_size, 14, "st_size is 14");
    tap_eq(st.st_nlink, 1, "st_nlink is 1");
    tap_check(st.st_uid == 0 && st.st_gid == 0, "owned by root");
    tap_eq(st.st_mtime, MTIME, "st_mtime is the archive's (%d)", MTIME);
    tap_check(st.st_atime == MTIME && st.st_ctime == MTIME, "and so are st_atime and st_ctime");
    tap_eq(st.st_blksize, 4096, "st_blksize is 4096");
    tap_eq(st.st_blocks, 8, "st_blocks counts one page in 512-byte units");
    tap_check(st.st_ino != 0, "st_ino is set (%llu)", (unsigned long long)st.st_ino);
    long fd = must_open("/fixture/hello.txt", O_RDONLY);
    tap_eq(sg_syscall(SYS_fstat, fd, (long)&st2, 0, 0, 0, 0), 0, "fstat of the open file");
    tap_check(!memcmp(&st, &st2, sizeof st), "gives the same struct stat as stat");
    sys_close((int)fd);

    tap_eq(sg_syscall(SYS_stat, (long)"/fixture/data.bin", (long)&st, 0, 0, 0, 0), 0, "stat of data.bin");
    tap_check(st.st_mode == (S_IFREG | 0600) && st.st_size == 4196 && st.st_blocks == 16,
              "0600, 4196 bytes, 16 blocks");
    uint64_t hello_ino = 0;
    sg_syscall(SYS_stat, (long)"/fixture/hello.txt", (long)&st2, 0, 0, 0, 0);
    hello_ino = st2.st_ino;
    tap_check(st.st_ino != hello_ino && st.st_dev == st2.st_dev, "another inode on the same device");
    tap_eq(sg_syscall(SYS_lstat, (long)"/fixture/link", (long)&st, 0, 0, 0, 0), 0, "lstat of a symlink");
    tap_check(st.st_mode == (S_IFLNK | 0777) && st.st_size == 9, "is the link: S_IFLNK | 0777, 9 bytes");
    sg_syscall(SYS_stat, (long)"/fixture/link", (long)&st, 0, 0, 0, 0);
    tap_eq(st.st_ino, hello_ino, "stat follows it to hello.txt");
    sg_syscall(SYS_stat, (long)"/fixture/dir/sub", (long)&st, 0, 0, 0, 0);
    tap_eq(st.st_mode, S_IFDIR | 0750, "dir/sub is a directory, 0750");
    sg_syscall(SYS_stat, (long)"/dev/null", (long)&st, 0, 0, 0, 0);
    tap_check(st.st_mode == (S_IFCHR | 0666) && st.st_rdev == 0x103,
              "/dev/null is a character device 1:3 (mode %#o, rdev %#llx)", (unsigned)st.st_mode,
              (unsigned long long)st.st_rdev);
    tap_eq(sg_syscall(SYS_stat, (long)"/fixture/loop1", (long)&st, 0, 0, 0, 0), -SG_ELOOP, "stat of a loop is -ELOOP");
    tap_eq(sg_syscall(SYS_lstat, (long)"/fixture/loop1", (long)&st, 0, 0, 0, 0), 0, "lstat of a loop is the link");

    /* The *at form: AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, a directory fd. */
#ifdef __x86_64__
    long fstatat = SYS_newfstatat;
#else
    long fstatat = SYS_fstatat64;
#endif
    long dir = must_open("/fixture", O_RDONLY | O_DIRECTORY);
    static struct {
        struct stat s;
#ifndef __x86_64__
        struct stat64 s64;
#endif
    } at;
    tap_eq(sg_syscall(fstatat, dir, (long)"link", (long)&at, AT_SYMLINK_NOFOLLOW, 0, 0), 0,
           "fstatat(dirfd, \"link\", AT_SYMLINK_NOFOLLOW)");
#ifdef __x86_64__
    tap_eq(at.s.st_mode, S_IFLNK | 0777, "sees the link");
#else
    struct stat64 *s64 = (struct stat64 *)&at;
    tap_eq(s64->st_mode, S_IFLNK | 0777, "sees the link (struct stat64)");
#endif
    tap_eq(sg_syscall(fstatat, dir, (long)"", (long)&at, 0, 0, 0), -SG_ENOENT, "an empty path is -ENOENT");
    tap_eq(sg_syscall(fstatat, dir, (long)"", (long)&at, AT_EMPTY_PATH, 0, 0), 0, "but with AT_EMPTY_PATH the fd's");
    tap_eq(sg_syscall(fstatat, dir, (long)"link", (long)&at, 0x4000, 0, 0), -SG_EINVAL, "an unknown flag is -EINVAL");
    tap_eq(sg_syscall(fstatat, AT_FDCWD, (long)"/fixture/hello.txt", (long)&at, 0, 0, 0), 0, "AT_FDCWD, absolute");

    /* statx */
    static struct statx sx;
    tap_eq(sg_syscall(SYS_statx, dir, (long)"data.bin", 0, STATX_BASIC_STATS, (long)&sx, 0), 0, "statx of data.bin");
    tap_check((sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS, "with every basic field (mask %#x)",
              sx.stx_mask);
    tap_check(sx.stx_mode == (S_IFREG | 0600) && sx.stx_size == 4196 && sx.stx_nlink == 1 && sx.stx_blocks == 16 &&
                  sx.stx_mtime.tv_sec == MTIME && sx.stx_blksize == 4096,
              "mode, size, nlink, blocks, mtime, blksize as stat gives them");
    sg_syscall(SYS_stat, (long)"/fixture/data.bin", (long)&st, 0, 0, 0, 0);
    tap_eq(sx.stx_ino, st.st_ino, "the same inode number");
    tap_eq(sg_syscall(SYS_statx, dir, (long)"data.bin", 0, 0x80000000u, (long)&sx, 0), -SG_EINVAL,
           "statx with STATX__RESERVED is -EINVAL");
    tap_eq(sg_syscall(SYS_statx, dir, (long)"data.bin", 0x6000, STATX_BASIC_STATS, (long)&sx, 0), -SG_EINVAL,
           "statx with both sync types is -EINVAL");
    tap_eq(sg_syscall(SYS_statx, dir, 0, AT_EMPTY_PATH, STATX_BASIC_STATS, (long)&sx, 0), 0,
           "statx(fd, NULL, AT_EMPTY_PATH) is the fd's");
    tap_eq(sx.stx_mode, S_IFDIR | 0755, "a directory, 0755");
    sg_syscall(SYS_statx, AT_FDCWD, (long)"/dev/zero", 0, STATX_BASIC_STATS, (long)&sx, 0);
    tap_check(sx.stx_rdev_major == 1 && sx.stx_rdev_minor == 5, "/dev/zero is 1:5");
    sys_close((int)dir);

#ifndef __x86_64__
    struct stat64 st64;
    tap_eq(sg_syscall(SYS_stat64, (long)"/fixture/data.bin", (long)&st64, 0, 0, 0, 0), 0, "stat64 of data.bin");
    sg_syscall(SYS_stat, (long)"/fixture/data.bin", (long)&st, 0, 0, 0, 0);
    tap_check(st64.st_mode == (S_IFREG | 0600) && st64.st_size == 4196 && st64.st_blocks == 16 &&
                  st64.st_mtime == MTIME && st64.st_ino == st.st_ino && st64.__st_ino == st.st_ino &&
                  st64.st_nlink == 1 && st64.st_blksize == 4096 && st64.st_dev == st.st_dev,
              "i386 struct stat64: every field where Linux's header puts it");
    fd = must_open("/fixture/link", O_PATH | O_NOFOLLOW);
    tap_eq(sg_syscall(SYS_fstat64, fd, (long)&st64, 0, 0, 0, 0), 0, "fstat64 of an O_PATH symlink");
    tap_eq(st64.st_mode, S_IFLNK | 0777, "is the link");
    sys_close((int)fd);
    tap_eq(sg_syscall(SYS_lstat64, (long)"/fixture/dirlink", (long)&st64, 0, 0, 0, 0), 0, "lstat64");
    tap_eq(st64.st_size, 7, "of dirlink: 7 bytes");
    /* _llseek: the offset in two registers, the result through a pointer. */
    fd = must_open("/fixture/data.bin", O_RDONLY);
    long long result = -1;
    tap_eq(sg_syscall(SYS__llseek, fd, 0, 4000, (long)&result, SG_SEEK_SET, 0), 0, "_llseek to 4000");
    tap_eq(result, 4000, "writes 4000 to *result");
    tap_eq(sg_syscall(SYS__llseek, fd, 1, 0, (long)&result, SG_SEEK_SET, 0), 0, "_llseek to 4 GiB (high word 1)");
    tap_eq(result, 0x100000000ll, "writes 4 GiB");
    tap_eq(sys_lseek((int)fd, 0, SG_SEEK_CUR), -SG_EOVERFLOW, "and lseek's 32-bit off_t overflows there");
    tap_eq(sg_syscall(SYS__llseek, fd, 0xffffffff, 0xffffffff, (long)&result, SG_SEEK_SET, 0), -SG_EINVAL,
           "_llseek to -1 is -EINVAL");
    tap_eq(sg_syscall(SYS__llseek, fd, 0, 0, 0x10000000, SG_SEEK_SET, 0), -SG_EFAULT,
           "_llseek with an unmapped result is -EFAULT");
    sys_close((int)fd);
#endif
}

static void test_dup_fcntl(void)
{
    long a = must_open("/fixture/hello.txt", O_RDONLY);
    long b = sys_dup((int)a);
    tap_check(b > a, "dup gives a new descriptor (%ld)", b);
    sys_read((int)a, buf, 5);
    tap_eq(sys_lseek((int)b, 0, SG_SEEK_CUR), 5, "a dup()ed descriptor shares the position");
    tap_eq(sys_dup2((int)a, 50), 50, "dup2 to 50");
    sys_read((int)b, buf, 2);
    tap_eq(sys_lseek(50, 0, SG_SEEK_CUR), 7, "the dup2()ed one shares it too");
    tap_eq(sys_dup2((int)a, (int)a), a, "dup2 of a descriptor onto itself returns it");
    tap_eq(sys_dup2(222, 51), -SG_EBADF, "dup2 of a closed descriptor is -EBADF");
    tap_eq(sys_dup2((int)a, 256), -SG_EBADF, "dup2 beyond the table is -EBADF");
    tap_eq(sys_dup2((int)a, -1), -SG_EBADF, "dup2 to -1 is -EBADF");
    long other = must_open("/fixture/data.bin", O_RDONLY);
    tap_eq(sys_dup2((int)other, 50), 50, "dup2 onto an open descriptor replaces it");
    tap_eq(sys_read(50, buf, 1), 1, "which now reads data.bin");
    tap_eq((uint8_t)buf[0], 0, "from its start");
    tap_eq(sys_lseek((int)a, 0, SG_SEEK_CUR), 7, "and the file it held is still open through the others");
    tap_eq(sys_dup3((int)a, (int)a, 0), -SG_EINVAL, "dup3 onto itself is -EINVAL");
    tap_eq(sys_dup3((int)a, 52, 1), -SG_EINVAL, "dup3 with a flag other than O_CLOEXEC is -EINVAL");
    tap_eq(sys_dup3((int)a, 52, O_CLOEXEC), 52, "dup3 with O_CLOEXEC");
    tap_eq(sys_fcntl(52, F_GETFD, 0), FD_CLOEXEC, "sets FD_CLOEXEC on the new descriptor");
    tap_eq(sys_fcntl((int)a, F_GETFD, 0), 0, "and not on the old");
    long c = sys_dup(52);
    tap_eq(sys_fcntl((int)c, F_GETFD, 0), 0, "dup clears FD_CLOEXEC");
    tap_eq(sys_fcntl((int)a, F_SETFD, FD_CLOEXEC), 0, "F_SETFD FD_CLOEXEC");
    tap_eq(sys_fcntl((int)a, F_GETFD, 0), FD_CLOEXEC, "F_GETFD reads it back");
    tap_eq(sys_fcntl((int)b, F_GETFD, 0), 0, "per descriptor: the dup()ed one stays without");
    sys_fcntl((int)a, F_SETFD, 0);
    tap_eq(sys_fcntl((int)a, F_DUPFD, 20), 20, "F_DUPFD gives the lowest free descriptor >= 20");
    tap_eq(sys_fcntl((int)a, F_DUPFD, 20), 21, "and then 21");
    tap_eq(sys_fcntl((int)a, F_DUPFD_CLOEXEC, 20), 22, "F_DUPFD_CLOEXEC gives 22");
    tap_eq(sys_fcntl(22, F_GETFD, 0), FD_CLOEXEC, "with FD_CLOEXEC");
    tap_eq(sys_fcntl((int)a, F_DUPFD, 256), -SG_EINVAL, "F_DUPFD beyond the limit is -EINVAL");
    tap_eq(sys_fcntl((int)a, F_DUPFD, -1), -SG_EINVAL, "F_DUPFD from -1 (a huge unsigned long) is -EINVAL");
    tap_eq(sys_fcntl((int)a, F_GETFL, 0), O_RDONLY | (SG_BITS == 64 ? O_LARGEFILE : 0),
           "F_GETFL gives O_RDONLY%s", SG_BITS == 64 ? " | O_LARGEFILE (x86-64 opens large)" : "");
    tap_eq(sys_fcntl((int)a, F_SETFL, O_APPEND | O_NONBLOCK | O_RDWR), 0, "F_SETFL O_APPEND | O_NONBLOCK");
    tap_eq(sys_fcntl((int)b, F_GETFL, 0), O_RDONLY | O_APPEND | O_NONBLOCK | (SG_BITS == 64 ? O_LARGEFILE : 0),
           "changes the shared open file's flags, not its access mode");
    tap_eq(sys_fcntl((int)a, 999, 0), -SG_EINVAL, "an unknown fcntl command is -EINVAL");
#ifndef __x86_64__
    tap_eq(sg_syscall(SYS_fcntl64, a, F_GETFD, 0, 0, 0, 0), 0, "fcntl64 F_GETFD");
#endif
    long fd = sys_open("/fixture/hello.txt", O_RDONLY | O_CLOEXEC);
    tap_eq(sys_fcntl((int)fd, F_GETFD, 0), FD_CLOEXEC, "open with O_CLOEXEC sets FD_CLOEXEC");
    tap_eq(sys_ioctl((int)fd, FIONCLEX, 0), 0, "ioctl FIONCLEX");
    tap_eq(sys_fcntl((int)fd, F_GETFD, 0), 0, "clears it");
    tap_eq(sys_ioctl((int)fd, FIOCLEX, 0), 0, "ioctl FIOCLEX");
    tap_eq(sys_fcntl((int)fd, F_GETFD, 0), FD_CLOEXEC, "sets it");
    for (int i = 3; i < 256; i++)
        sys_close(i);

    /* The table's limit: 256 descriptors. */
    long last = 0, n = 0;
    while ((fd = sys_open("/dev/null", O_RDONLY)) >= 0)
        last = fd, n++;
    tap_eq(fd, -SG_EMFILE, "opening past the table's end is -EMFILE");
    tap_eq(last, 255, "the last descriptor given is 255");
    tap_eq(sys_dup(0), -SG_EMFILE, "dup of a full table is -EMFILE");
    tap_eq(sys_fcntl(0, F_DUPFD, 0), -SG_EMFILE, "F_DUPFD of a full table is -EMFILE");
    for (int i = 3; i < 256; i++)
        sys_close(i);
    tap_eq(sys_open("/dev/null", O_RDONLY), 3, "after closing them all, 3 is free again");
    sys_close(3);
}

/* Runs in a child spawned with "inherit N M" from /fixture/dir: N was
 * open without and M with close-on-exec; N's position is 3. */
static int child_inherit(int n, int m)
{
    char b[4] = { 0 };
    int ok = sys_fcntl(n, F_GETFD, 0) == 0 && sys_lseek(n, 0, SG_SEEK_CUR) == 3 && sys_read(n, b, 2) == 2 &&
             !memcmp(b, "lo", 2);
    ok = ok && sys_fcntl(m, F_GETFD, 0) == -SG_EBADF;
    struct termios t;
    ok = ok && sys_ioctl(0, TCGETS, &t) == 0 && sys_ioctl(2, TCGETS, &t) == 0;
    char cwd[32];
    ok = ok && sys_getcwd(cwd, sizeof cwd) == 13 && !strcmp(cwd, "/fixture/dir");
    /* Closing its copy leaves the parent's. */
    ok = ok && sys_close(n) == 0;
    return ok ? 0 : 1;
}

static void test_inheritance(void)
{
    long n = must_open("/fixture/hello.txt", O_RDONLY);
    long m = must_open("/fixture/hello.txt", O_RDONLY | O_CLOEXEC);
    sys_lseek((int)n, 3, SG_SEEK_SET);
    char ns[8], ms[8];
    snformat(ns, sizeof ns, "%ld", n);
    snformat(ms, sizeof ms, "%ld", m);
    char *argv[] = { (char *)self, "inherit", ns, ms, 0 };
    sys_chdir("/fixture/dir");
    long st = sg_run(self, argv);
    sys_chdir("/");
    tap_check(SG_WIFEXITED(st) && SG_WEXITSTATUS(st) == 0,
              "a spawned child gets the descriptors without close-on-exec (sharing the position), not those "
              "with it, the console as 0, 1, 2, and the working directory (status %#lx)",
              st);
    tap_eq(sys_lseek((int)n, 0, SG_SEEK_CUR), 5, "the child's read moved the shared position to 5");
    sys_close((int)n);
    sys_close((int)m);
}

static void test_devices(void)
{
    struct termios t;
    memset(&t, 0xa5, sizeof t);
    tap_eq(sys_ioctl(1, TCGETS, &t), 0, "TCGETS on the console");
    tap_check((t.c_lflag & (ICANON | ECHO | ISIG)) == (ICANON | ECHO | ISIG) && (t.c_oflag & (OPOST | ONLCR)) ==
                  (OPOST | ONLCR) && (t.c_iflag & ICRNL) && t.c_cc[VINTR] == 3 && t.c_cc[VEOF] == 4 &&
                  t.c_cc[VERASE] == 0177 && t.c_cc[VMIN] == 1,
              "a Linux tty's settings at boot: ICANON ECHO ISIG, OPOST ONLCR, ICRNL, ^C ^D DEL (lflag %#x)",
              t.c_lflag);
    struct termios raw = t, back;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    tap_eq(sys_ioctl(0, TCSETS, &raw), 0, "TCSETS without ICANON and ECHO");
    tap_eq(sys_ioctl(2, TCGETS, &back), 0, "TCGETS through another descriptor");
    tap_check(!memcmp(&back, &raw, sizeof raw), "reads the settings back");
    tap_eq(sys_ioctl(0, TCSETSW, &t), 0, "TCSETSW restores the old ones");
    tap_eq(sys_ioctl(0, TCSETS, (void *)0x10000000ul), -SG_EFAULT, "TCSETS from an unmapped page is -EFAULT");
    sys_ioctl(1, TCGETS, &back);
    tap_check(!memcmp(&back, &t, sizeof t), "and changed nothing");
    struct winsize ws;
    tap_eq(sys_ioctl(2, TIOCGWINSZ, &ws), 0, "TIOCGWINSZ on the console");
    tap_check(ws.ws_row == 24 && ws.ws_col == 80, "80 x 24 (%u x %u)", ws.ws_col, ws.ws_row);
    tap_eq(sys_ioctl(1, 0x5499, &ws), -SG_ENOTTY, "another ioctl on the console is -ENOTTY");
    tap_eq(sys_ioctl(1, TCGETS, (void *)0x10000000ul), -SG_EFAULT, "TCGETS into an unmapped page is -EFAULT");
    long in = must_open("/dev/console", O_RDONLY | O_NONBLOCK);
    tap_eq(sys_read((int)in, buf, 10), -SG_EAGAIN, "reading the console without input, O_NONBLOCK, is -EAGAIN");
    sys_close((int)in);
    tap_eq(sys_lseek(1, 0, SG_SEEK_CUR), -SG_ESPIPE, "lseek on the console is -ESPIPE");
    tap_eq(sys_pread64(0, buf, 1, 0), -SG_ESPIPE, "pread64 on the console is -ESPIPE");

    long fd = must_open("/dev/null", O_RDWR);
    tap_eq(sys_write((int)fd, "abc", 3), 3, "/dev/null takes a write");
    tap_eq(sys_read((int)fd, buf, 3), 0, "and reads as end of file");
    tap_eq(sys_lseek((int)fd, 77, SG_SEEK_SET), 0, "lseek on /dev/null gives 0");
    tap_eq(sys_ioctl((int)fd, TCGETS, &t), -SG_ENOTTY, "TCGETS on /dev/null is -ENOTTY");
    struct {
        const void *base;
        size_t len;
    } iov[2] = { { "ab", 2 }, { "cde", 3 } };
    tap_eq(sg_syscall(SYS_writev, fd, (long)iov, 2, 0, 0, 0), 5, "writev to /dev/null returns 5");
    tap_eq(sg_syscall(SYS_pwrite64, fd, (long)"abc", 3, 0x1000, 0, 0), 3, "pwrite64 to /dev/null returns 3");
    tap_eq(sg_syscall(SYS_pwrite64, fd, (long)"abc", 3, -1, -1, 0), -SG_EINVAL, "pwrite64 at -1 is -EINVAL");
    tap_eq(sg_syscall(SYS_pwrite64, 1, (long)"abc", 3, 0, 0, 0), -SG_ESPIPE, "pwrite64 to the console is -ESPIPE");
    tap_eq(sys_fcntl(1, F_GETFL, 0), O_RDWR | O_LARGEFILE, "the console is open O_RDWR (| O_LARGEFILE)");
    sys_close((int)fd);
    fd = must_open("/dev/zero", O_RDONLY);
    memset(buf, 0x55, 100);
    tap_eq(sys_read((int)fd, buf, 99), 99, "/dev/zero reads 99 bytes");
    int zeros = 1;
    for (int i = 0; i < 99; i++)
        zeros &= buf[i] == 0;
    tap_check(zeros && buf[99] == 0x55, "all zero, and not one more");
    sys_close((int)fd);
    fd = must_open("/dev/tty", O_RDWR);
    tap_eq(sys_ioctl((int)fd, TIOCGWINSZ, &ws), 0, "/dev/tty is the terminal too");
    sys_close((int)fd);
    fd = must_open("/fixture/hello.txt", O_RDONLY);
    tap_eq(sys_ioctl((int)fd, TCGETS, &t), -SG_ENOTTY, "TCGETS on a regular file is -ENOTTY");
    tap_eq(sg_syscall(SYS_pwrite64, fd, (long)"abc", 3, 0, 0, 0), -SG_EBADF,
           "pwrite64 to a file open for reading is -EBADF");
    sys_close((int)fd);
}

static void test_paths(void)
{
    char cwd[64];
    tap_eq(sys_getcwd(cwd, sizeof cwd), 2, "getcwd at start: \"/\", 2 bytes with the NUL");
    tap_check(!strcmp(cwd, "/"), "the root");
    tap_eq(sys_chdir("/fixture/dir"), 0, "chdir /fixture/dir");
    tap_eq(sys_getcwd(cwd, sizeof cwd), 13, "getcwd returns 13");
    tap_check(!strcmp(cwd, "/fixture/dir"), "\"/fixture/dir\" (%s)", cwd);
    tap_eq(sys_getcwd(cwd, 13), 13, "getcwd into exactly 13 bytes");
    tap_eq(sys_getcwd(cwd, 12), -SG_ERANGE, "into 12 is -ERANGE");
    tap_eq(sys_getcwd(cwd, 0), -SG_ERANGE, "into 0 is -ERANGE");
    tap_eq(sys_getcwd((char *)0x10000000ul, 64), -SG_EFAULT, "into an unmapped page is -EFAULT");
    long fd = sys_open("sub/deep.txt", O_RDONLY);
    tap_check(fd >= 0 && sys_read((int)fd, buf, 10) == 5 && !memcmp(buf, "deep\n", 5),
              "a relative path from the working directory");
    sys_close((int)fd);
    fd = sys_open("../hello.txt", O_RDONLY);
    tap_check(fd >= 0 && sys_read((int)fd, buf, 5) == 5 && !memcmp(buf, "hello", 5), "../hello.txt");
    sys_close((int)fd);
    tap_eq(sys_chdir("../dirlink"), 0, "chdir through a symlink to a directory");
    sys_getcwd(cwd, sizeof cwd);
    tap_check(!strcmp(cwd, "/fixture/dir/sub"), "getcwd names where it led (%s)", cwd);
    tap_eq(sys_chdir("/fixture/hello.txt"), -SG_ENOTDIR, "chdir to a file is -ENOTDIR");
    tap_eq(sys_chdir("/fixture/none"), -SG_ENOENT, "chdir to nothing is -ENOENT");
    sys_getcwd(cwd, sizeof cwd);
    tap_check(!strcmp(cwd, "/fixture/dir/sub"), "failed chdirs leave the working directory");
    long dir = must_open("/fixture", O_RDONLY | O_DIRECTORY);
    tap_eq(sg_syscall(SYS_fchdir, dir, 0, 0, 0, 0, 0), 0, "fchdir to /fixture");
    sys_getcwd(cwd, sizeof cwd);
    tap_check(!strcmp(cwd, "/fixture"), "getcwd says /fixture (%s)", cwd);
    fd = must_open("/fixture/hello.txt", O_RDONLY);
    tap_eq(sg_syscall(SYS_fchdir, fd, 0, 0, 0, 0, 0), -SG_ENOTDIR, "fchdir to a file is -ENOTDIR");
    tap_eq(sys_openat((int)fd, "x", O_RDONLY), -SG_ENOTDIR, "openat from a file descriptor is -ENOTDIR");
    tap_eq(sys_openat(200, "/fixture/hello.txt", O_RDONLY) >= 0, 1, "an absolute path ignores even a bad dirfd");
    sys_close((int)fd);
    fd = sys_openat((int)dir, "dir/sub/deep.txt", O_RDONLY);
    tap_check(fd >= 0 && sys_read((int)fd, buf, 10) == 5, "openat(dirfd, \"dir/sub/deep.txt\")");
    sys_close((int)fd);
    sys_chdir("/");

    static const char *const same[] = {
        "//fixture///hello.txt", "/fixture/./dir/../hello.txt", "/../../fixture/hello.txt", "fixture/link",
        "/fixture/abslink/../link", "/fixture/dirlink/../../hello.txt",
    };
    struct stat st, want;
    sg_syscall(SYS_stat, (long)"/fixture/hello.txt", (long)&want, 0, 0, 0, 0);
    for (unsigned i = 0; i < sizeof same / sizeof same[0]; i++) {
        long r = sg_syscall(SYS_stat, (long)same[i], (long)&st, 0, 0, 0, 0);
        tap_check(r == 0 && st.st_ino == want.st_ino, "%s is hello.txt", same[i]);
    }
    fd = sys_open("/fixture/abslink/sub/deep.txt", O_RDONLY);
    tap_check(fd >= 0, "an absolute symlink in the middle of a path");
    sys_close((int)fd);
    tap_eq(sys_open("/fixture/dirlink/", O_RDONLY | O_DIRECTORY) >= 0, 1, "a symlink to a directory with a slash");
    for (int i = 3; i < 256; i++)
        sys_close(i);

    char lb[32];
    memset(lb, 0, sizeof lb);
    tap_eq(sys_readlink("/fixture/link", lb, sizeof lb), 9, "readlink returns the target's length");
    tap_check(!strcmp(lb, "hello.txt"), "and the target, without a NUL (%s)", lb);
    memset(lb, 'x', sizeof lb);
    tap_eq(sys_readlink("/fixture/abslink", lb, 4), 4, "readlink into 4 bytes cuts to 4");
    tap_check(!memcmp(lb, "/fix", 4) && lb[4] == 'x', "and writes no more");
    tap_eq(sys_readlink("/fixture/hello.txt", lb, sizeof lb), -SG_EINVAL, "readlink of a file is -EINVAL");
    tap_eq(sys_readlink("/fixture/link", lb, 0), -SG_EINVAL, "readlink into 0 bytes is -EINVAL");
    tap_eq(sys_readlink("/fixture/none", lb, 8), -SG_ENOENT, "readlink of nothing is -ENOENT");
    dir = must_open("/fixture", O_RDONLY);
    tap_eq(sg_syscall(SYS_readlinkat, dir, (long)"dangling", (long)lb, sizeof lb, 0, 0), 7,
           "readlinkat(dirfd, \"dangling\")");
    long lfd = must_open("/fixture/link", O_PATH | O_NOFOLLOW);
    tap_check(lfd >= 0, "O_PATH | O_NOFOLLOW opens the symlink itself");
    tap_eq(sg_syscall(SYS_readlinkat, lfd, (long)"", (long)lb, sizeof lb, 0, 0), 9,
           "readlinkat(its fd, \"\") reads it");
    tap_eq(sys_read((int)lfd, lb, 1), -SG_EBADF, "read of an O_PATH descriptor is -EBADF");
    tap_eq(sys_fcntl((int)lfd, F_GETFL, 0) & O_PATH, O_PATH, "F_GETFL shows O_PATH");
    long pdir = must_open("/fixture/dir", O_PATH);
    tap_eq(sg_syscall(SYS_fchdir, pdir, 0, 0, 0, 0, 0), 0, "fchdir through an O_PATH directory descriptor");
    sys_getcwd(cwd, sizeof cwd);
    tap_check(!strcmp(cwd, "/fixture/dir"), "(%s)", cwd);
    sys_chdir("/");

    tap_eq(sys_access("/fixture/hello.txt", SG_R_OK), 0, "access R_OK");
    tap_eq(sys_access("/fixture/hello.txt", SG_F_OK), 0, "access F_OK");
    tap_eq(sys_access("/fixture/hello.txt", SG_W_OK), -SG_EROFS, "access W_OK on the initrd is -EROFS");
    tap_eq(sys_access("/fixture/hello.txt", SG_X_OK), -SG_EACCES, "access X_OK without an execute bit is -EACCES");
    tap_eq(sys_access("/fixture/dir/exec.sh", SG_X_OK), 0, "access X_OK of an executable");
    tap_eq(sys_access("/fixture/dir/sub", SG_X_OK), 0, "access X_OK of a directory");
    tap_eq(sys_access("/dev/null", SG_W_OK | SG_R_OK), 0, "access W_OK of /dev/null");
    tap_eq(sys_access("/fixture/dangling", SG_F_OK), -SG_ENOENT, "access of a dangling symlink is -ENOENT");
    tap_eq(sys_access("/fixture/hello.txt", 8), -SG_EINVAL, "an unknown mode is -EINVAL");
    tap_eq(sg_syscall(SYS_faccessat, dir, (long)"link", SG_R_OK, 0, 0, 0), 0, "faccessat(dirfd, \"link\")");
    tap_eq(sg_syscall(SYS_faccessat2, dir, (long)"dangling", SG_F_OK, AT_SYMLINK_NOFOLLOW, 0, 0), 0,
           "faccessat2 AT_SYMLINK_NOFOLLOW of a dangling link");
    tap_eq(sg_syscall(SYS_faccessat2, dir, (long)"link", SG_F_OK, 0x4000, 0, 0), -SG_EINVAL,
           "faccessat2 with an unknown flag is -EINVAL");
    for (int i = 3; i < 256; i++)
        sys_close(i);

    /* Programs are found the same way. */
    tap_eq(sg_spawn("/fixture/hello.txt", 0), -SG_EACCES, "spawning a file without an execute bit is -EACCES");
    tap_eq(sg_spawn("/fixture/dir", 0), -SG_EACCES, "spawning a directory is -EACCES");
    tap_eq(sg_spawn("/fixture/dir/exec.sh", 0), -SG_ENOEXEC, "spawning a script is -ENOEXEC");
    tap_eq(sg_spawn("/fixture/loop1", 0), -SG_ELOOP, "spawning a symlink loop is -ELOOP");
}

int main(int argc, char **argv)
{
    self = argv[0];
    if (argc == 4 && !strcmp(argv[1], "inherit"))
        return child_inherit(number(argv[2]), number(argv[3]));
    tap_begin("files");
    test_read_seek();
    test_open_errors();
    test_directories();
    test_stat();
    test_dup_fcntl();
    test_inheritance();
    test_devices();
    test_paths();
    return tap_end();
}
