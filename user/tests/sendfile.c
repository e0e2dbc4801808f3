/*
 * sendfile: sendfile(2) as Linux's do_sendfile (fs/read_write.c), both
 * widths - x86-64's sendfile (40) and i386's sendfile64 (239) with a
 * 64-bit loff_t *offset, i386's sendfile (187) with a 32-bit off_t that
 * stops before 2^31 (-EOVERFLOW).  Bytes of /fixture/data.bin (byte i is
 * i % 251) go into a pipe and are read back: with a NULL offset from the
 * file's position, which moves; with an offset from *offset, which moves
 * while the position stays; a short count at the end of the file; counts
 * cut to MAX_RW_COUNT; a pipe gets only what fits (never a wait for the
 * rest), -EAGAIN when full and O_NONBLOCK, -EPIPE with no reader.  And
 * every refusal in Linux's order: -EBADF, -ESPIPE, -EINVAL (a pipe or a
 * directory to read from, a negative offset, an O_APPEND target), -EFAULT
 * for an offset pointer that cannot be read (nothing moves) or written
 * (the bytes have moved).  Each case runs in a process of its own (this
 * program again, the case's name in argv[1]).
 */
#include "../lib/cases.h"
#include "../lib/files.h"
#include "../lib/signals.h"

#define DATA "/fixture/data.bin"
#define DATA_SIZE 4196
#define PIPE_SIZE 65536


#if SG_BITS == 64
typedef int64_t off_arg;        /* x86-64 sendfile: loff_t */
#else
typedef int32_t off_arg;        /* i386 sendfile: off_t */
#endif

static long sys_pipe2(int fds[2], int flags) { return sg_syscall(SYS_pipe2, (long)fds, flags, 0, 0, 0, 0); }

static long sendfile(int out, int in, void *offset, unsigned long count)
{
    return sg_syscall(SYS_sendfile, out, in, (long)offset, (long)count, 0, 0);
}

/* Whether the next n bytes in the pipe are data.bin's from position at. */
static int pipe_holds(int fd, long at, long n)
{
    static uint8_t buf[DATA_SIZE];
    long got = 0;
    while (got < n) {
        long r = sys_read(fd, buf + got, (size_t)(n - got));
        if (r <= 0)
            return 0;
        got += r;
    }
    for (long i = 0; i < n; i++)
        if (buf[i] != (uint8_t)((at + i) % 251))
            return 0;
    return 1;
}

static long position(int fd)
{
    return sys_lseek(fd, 0, SG_SEEK_CUR);
}

static int null_offset(void)
{
    int p[2];
    long fd = sys_open(DATA, O_RDONLY);
    EXPECT(fd >= 0 && sys_pipe2(p, 0) == 0);
    EXPECT(sys_lseek((int)fd, 100, SG_SEEK_SET) == 100);
    EXPECT(sendfile(p[1], (int)fd, 0, 1000) == 1000);
    EXPECT(pipe_holds(p[0], 100, 1000));
    EXPECT(position((int)fd) == 1100);
    /* A descriptor dup'ed from it shares the position (one open file). */
    long d = sys_dup((int)fd);
    EXPECT(sendfile(p[1], (int)d, 0, 10) == 10 && position((int)fd) == 1110);
    EXPECT(pipe_holds(p[0], 1100, 10));
    return 0;
}

static int explicit_offset(void)
{
    int p[2];
    long fd = sys_open(DATA, O_RDONLY);
    EXPECT(fd >= 0 && sys_pipe2(p, 0) == 0);
    EXPECT(sys_lseek((int)fd, 7, SG_SEEK_SET) == 7);
    off_arg off = 2000;
    EXPECT(sendfile(p[1], (int)fd, &off, 500) == 500);
    EXPECT(off == 2500);
    EXPECT(pipe_holds(p[0], 2000, 500));
    EXPECT(position((int)fd) == 7);
    return 0;
}

static int end_of_file(void)
{
    int p[2];
    long fd = sys_open(DATA, O_RDONLY);
    EXPECT(fd >= 0 && sys_pipe2(p, 0) == 0);
    off_arg off = DATA_SIZE - 96;
    EXPECT(sendfile(p[1], (int)fd, &off, 1000) == 96 && off == DATA_SIZE);
    EXPECT(pipe_holds(p[0], DATA_SIZE - 96, 96));
    EXPECT(sendfile(p[1], (int)fd, &off, 1000) == 0 && off == DATA_SIZE);
    off = 1 << 30;
    EXPECT(sendfile(p[1], (int)fd, &off, 1000) == 0 && off == 1 << 30);
    EXPECT(sendfile(p[1], (int)fd, 0, 0) == 0 && position((int)fd) == 0);
    EXPECT(sys_lseek((int)fd, DATA_SIZE + 5, SG_SEEK_SET) == DATA_SIZE + 5);
    EXPECT(sendfile(p[1], (int)fd, 0, 10) == 0 && position((int)fd) == DATA_SIZE + 5);
    return 0;
}

/* Counts past MAX_RW_COUNT are cut, not refused; x86-64's count is a
 * size_t, refused as a negative ssize_t (rw_verify_area). */
static int huge_count(void)
{
    int p[2];
    long fd = sys_open(DATA, O_RDONLY);
    EXPECT(fd >= 0 && sys_pipe2(p, 0) == 0);
    EXPECT(sendfile(p[1], (int)fd, 0, ~0ul >> 1 >> (SG_BITS == 64 ? 2 : 0)) == DATA_SIZE);
    EXPECT(pipe_holds(p[0], 0, DATA_SIZE) && position((int)fd) == DATA_SIZE);
#if SG_BITS == 64
    EXPECT(sendfile(p[1], (int)fd, 0, 1ul << 63) == -SG_EINVAL);
    off_arg off = 1;
    EXPECT(sendfile(p[1], (int)fd, &off, (1ul << 63) - 1) == -SG_EINVAL && off == 1);
#else
    EXPECT(sendfile(p[1], (int)fd, 0, ~0ul) == 0);     /* a u32: cut, at the end already */
#endif
    return 0;
}

static int bad_descriptors(void)
{
    int p[2];
    long fd = sys_open(DATA, O_RDONLY);
    long null = sys_open("/dev/null", O_WRONLY);
    EXPECT(fd >= 0 && null >= 0 && sys_pipe2(p, 0) == 0);
    EXPECT(sendfile((int)null, -1, 0, 10) == -SG_EBADF);
    EXPECT(sendfile((int)null, 200, 0, 10) == -SG_EBADF);
    EXPECT(sendfile(-1, (int)fd, 0, 10) == -SG_EBADF);
    EXPECT(sendfile((int)fd, (int)fd, 0, 10) == -SG_EBADF);        /* out not open for writing */
    EXPECT(sendfile((int)null, p[1], 0, 10) == -SG_EBADF);         /* in not open for reading */
    long path = sys_open(DATA, O_PATH);
    EXPECT(path >= 0 && sendfile((int)null, (int)path, 0, 10) == -SG_EBADF);
    EXPECT(position((int)fd) == 0);
    return 0;
}

/* -ESPIPE only with an offset (a file without positions); without one a
 * file sysgate cannot read at a position is -EINVAL; an in_fd error
 * comes before any out_fd error. */
static int unreadable_kinds(void)
{
    int p[2];
    long null = sys_open("/dev/null", O_WRONLY);
    long dir = sys_open("/fixture", O_RDONLY | O_DIRECTORY);
    EXPECT(null >= 0 && dir >= 0 && sys_pipe2(p, 0) == 0);
    off_arg off = 0;
    EXPECT(sendfile((int)null, p[0], 0, 10) == -SG_EINVAL);
    EXPECT(sendfile((int)null, p[0], &off, 10) == -SG_ESPIPE);
    EXPECT(sendfile(-1, p[0], &off, 10) == -SG_ESPIPE);
    EXPECT(sendfile(-1, p[0], 0, 10) == -SG_EBADF);
    EXPECT(sendfile((int)null, (int)dir, 0, 10) == -SG_EINVAL);
    EXPECT(sendfile((int)null, 0, &off, 10) == -SG_ESPIPE);        /* the console */
    long app = sys_open("/dev/null", O_WRONLY | O_APPEND);
    long fd = sys_open(DATA, O_RDONLY);
    EXPECT(app >= 0 && fd >= 0 && sendfile((int)app, (int)fd, 0, 10) == -SG_EINVAL);
    EXPECT(sendfile((int)null, (int)fd, 0, 10) == 10 && position((int)fd) == 10);
    return 0;
}

static int negative_offset(void)
{
    int p[2];
    long fd = sys_open(DATA, O_RDONLY);
    EXPECT(fd >= 0 && sys_pipe2(p, 0) == 0);
    off_arg off = -1;
    EXPECT(sendfile(p[1], (int)fd, &off, 10) == -SG_EINVAL && off == -1);
    return 0;
}

static int bad_offset_pointer(void)
{
    int p[2];
    long fd = sys_open(DATA, O_RDONLY);
    EXPECT(fd >= 0 && sys_pipe2(p, 0) == 0 && sys_fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
    EXPECT(sendfile(p[1], (int)fd, (void *)16, 10) == -SG_EFAULT);
    EXPECT(sendfile(p[1], (int)fd, (void *)(uintptr_t)-8l, 10) == -SG_EFAULT);
    uint8_t b;
    EXPECT(sys_read(p[0], &b, 1) == -SG_EAGAIN);                    /* nothing moved */
    /* Readable, not writable: the bytes move, then -EFAULT. */
    static const off_arg ro_off = 300;
    EXPECT(sendfile(p[1], (int)fd, (void *)&ro_off, 10) == -SG_EFAULT);
    EXPECT(pipe_holds(p[0], 300, 10) && position((int)fd) == 0);
    return 0;
}

/* Into a pipe: what fits now, never a wait for the rest (Linux's
 * splice_file_to_pipe); a full O_NONBLOCK pipe is -EAGAIN; a pipe without
 * a reader is -EPIPE and SIGPIPE. */
static int pipe_room(void)
{
    int p[2];
    long fd = sys_open(DATA, O_RDONLY);
    EXPECT(fd >= 0 && sys_pipe2(p, O_NONBLOCK) == 0);
    static uint8_t filler[PIPE_SIZE];
    EXPECT(sys_write(p[1], filler, PIPE_SIZE - 10) == PIPE_SIZE - 10);
    off_arg off = 0;
    EXPECT(sendfile(p[1], (int)fd, &off, 100) == 10 && off == 10);
    EXPECT(sendfile(p[1], (int)fd, &off, 100) == -SG_EAGAIN && off == 10);
    EXPECT(sys_read(p[0], filler, PIPE_SIZE - 10) == PIPE_SIZE - 10);
    EXPECT(pipe_holds(p[0], 0, 10));
    EXPECT(sg_sigaction(SG_SIGPIPE, (void *)SG_SIG_IGN, 0, 0, 0) == 0);
    EXPECT(sys_close(p[0]) == 0);
    EXPECT(sendfile(p[1], (int)fd, &off, 100) == -SG_EPIPE && off == 10);
    off = DATA_SIZE;        /* at the end of the file: still -EPIPE */
    EXPECT(sendfile(p[1], (int)fd, &off, 100) == -SG_EPIPE && sendfile(p[1], (int)fd, 0, 0) == -SG_EPIPE);
    return 0;
}

/* A blocking pipe that is full waits for room, then takes what fits. */
static int pipe_waits(void)
{
    int p[2];
    long fd = sys_open(DATA, O_RDONLY);
    EXPECT(fd >= 0 && sys_pipe2(p, 0) == 0);
    static uint8_t filler[PIPE_SIZE];
    EXPECT(sys_write(p[1], filler, PIPE_SIZE) == PIPE_SIZE);
    long pid = sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
    if (pid == 0) {
        sys_nanosleep_ms(20);
        sys_exit(sys_read(p[0], filler, 100) == 100 ? 0 : 1);
    }
    off_arg off = 0;
    EXPECT(sendfile(p[1], (int)fd, &off, 1000) == 100 && off == 100);
    int status;
    EXPECT(sys_wait4((int)pid, &status, 0) == pid && status == 0);
    EXPECT(sys_read(p[0], filler, PIPE_SIZE - 100) == PIPE_SIZE - 100);
    EXPECT(pipe_holds(p[0], 0, 100));
    return 0;
}

#if SG_BITS == 32
/* i386's sendfile (187): a 32-bit off_t - a transfer that would pass
 * 2^31 - 1 is cut there, one starting there is -EOVERFLOW; sendfile64
 * (239) has no such limit. */
static int offset_32bit_limit(void)
{
    int p[2];
    long fd = sys_open(DATA, O_RDONLY);
    EXPECT(fd >= 0 && sys_pipe2(p, 0) == 0);
    int32_t off = 0x7fffffff;
    EXPECT(sendfile(p[1], (int)fd, &off, 1) == -SG_EOVERFLOW && off == 0x7fffffff);
    off = 0x7ffffff0;
    EXPECT(sendfile(p[1], (int)fd, &off, 100) == 0 && off == 0x7ffffff0);
    int64_t off64 = 0x80000000ll;
    EXPECT(sg_syscall(SYS_sendfile64, p[1], fd, (long)&off64, 100, 0, 0) == 0 && off64 == 0x80000000ll);
    off64 = 4000;
    EXPECT(sg_syscall(SYS_sendfile64, p[1], fd, (long)&off64, 100, 0, 0) == 100 && off64 == 4100);
    EXPECT(pipe_holds(p[0], 4000, 100) && position((int)fd) == 0);
    off64 = -1;
    EXPECT(sg_syscall(SYS_sendfile64, p[1], fd, (long)&off64, 100, 0, 0) == -SG_EINVAL);
    EXPECT(sg_syscall(SYS_sendfile64, p[1], fd, 0, 100, 0, 0) == 100 && position((int)fd) == 100);
    return 0;
}
#endif

static const struct test_case cases[] = {
    { "null_offset", "offset NULL: from the file's position, which moves (shared by a dup)", null_offset },
    { "explicit_offset", "an offset: from *offset, which moves; the file's position stays", explicit_offset },
    { "end_of_file", "a short count at the end of the file, 0 at or past it", end_of_file },
    { "huge_count", "a count past MAX_RW_COUNT is cut, a negative ssize_t refused", huge_count },
    { "bad_descriptors", "-EBADF: no such descriptor, not open for reading/writing, O_PATH", bad_descriptors },
    { "unreadable_kinds", "a pipe, the console, a directory: -EINVAL, or -ESPIPE with an offset; O_APPEND -EINVAL",
      unreadable_kinds },
    { "negative_offset", "a negative offset is -EINVAL", negative_offset },
    { "bad_offset_pointer", "-EFAULT: an unreadable offset moves nothing, an unwritable one after the bytes",
      bad_offset_pointer },
    { "pipe_room", "into a pipe: only what fits, -EAGAIN when full and O_NONBLOCK, -EPIPE without a reader",
      pipe_room },
    { "pipe_waits", "into a full blocking pipe: waits for room, then moves what fits", pipe_waits },
#if SG_BITS == 32
    { "offset_32bit_limit", "i386 sendfile's 32-bit off_t: -EOVERFLOW at 2^31 - 1; sendfile64 has no limit",
      offset_32bit_limit },
#endif
};
#define NCASES (sizeof cases / sizeof cases[0])

int main(int argc, char **argv)
{
    int child = case_child(argc, argv, cases, NCASES);
    if (child >= 0)
        return child;
    tap_begin("sendfile");
    case_report_all(argv[0], cases, NCASES);
    return tap_end();
}
