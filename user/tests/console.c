/*
 * The console with input (both widths): run as init by tests/run-console,
 * which types into the serial port.  Before each step the program prints
 * "ready: <step>" and the host, once it sees that line, sends that step's
 * bytes (tests/run-console holds them); the checks here look at what read()
 * returns.  Not in testrun's list: without typed input it would wait.
 *
 * Steps: a canonical line edited with DEL and ^U; readv (one line a read,
 * across the buffers); a read into an unmapped
 * page (-EFAULT, the line kept for the next read) and into a kernel address
 * (-EFAULT at once); ^D at the start of a line (0) and after text (the
 * text); raw mode (VMIN 1 VTIME 0: no echo, byte by byte, no editing); every
 * byte value 0-255 in raw mode; a canonical line longer than the buffer
 * (4095 bytes kept, then its end); VMIN 0 VTIME 0 and VTIME 2 without input
 * (0); poll; bytes typed in raw mode read as one line after the switch to
 * canonical mode; TCSETS with garbage and from bad pointers; the controlling
 * terminal (TIOCSCTTY, TIOCGPGRP, TIOCSPGRP, TIOCGSID, a new session
 * without it); ^C to a foreground child blocked in read (killed by SIGINT)
 * and to init's own group (init is never killed).
 */
#include "../lib/files.h"
#include "../lib/tap.h"

#define TIOCSCTTY 0x540E
#define TIOCGPGRP 0x540F
#define TIOCSPGRP 0x5410
#define FIONREAD 0x541B
#define TIOCGSID 0x5429

static char buf[8192];
static struct termios cooked;

static void ready(const char *step)
{
    printf("ready: %s\n", step);
}

static long read_line(void)
{
    return sys_read(0, buf, sizeof buf);
}

static void set_raw(int vmin, int vtime, unsigned iflag)
{
    struct termios t = cooked;
    t.c_lflag &= ~(unsigned)(ICANON | ECHO | ISIG);
    t.c_iflag = iflag;
    t.c_cc[VMIN] = (unsigned char)vmin;
    t.c_cc[VTIME] = (unsigned char)vtime;
    tap_eq(sys_ioctl(0, TCSETS, &t), 0, "TCSETS: raw, VMIN %d VTIME %d", vmin, vtime);
}

static void test_canonical(void)
{
    ready("line");      /* "hello wprld" DEL x4 "orld" CR */
    long n = read_line();
    tap_check(n == 12 && !memcmp(buf, "hello world\n", 12), "a canonical line, DEL-edited, CR made NL (%ld)", n);
    ready("kill");      /* "junk" ^U "kept" CR */
    n = read_line();
    tap_check(n == 5 && !memcmp(buf, "kept\n", 5), "^U kills the line typed so far (%ld)", n);
    ready("readv");     /* "abc" CR "xy" CR, sent at once */
    char first[4], second[16];
    struct { void *base; size_t len; } iov[2] = { { first, sizeof first }, { second, sizeof second } };
    n = sg_syscall(SYS_readv, 0, (long)iov, 2, 0, 0, 0);
    tap_check(n == 4 && !memcmp(first, "abc\n", 4), "readv: a line that fills the first buffer is the whole "
              "read, without waiting on the second (%ld)", n);
    iov[0].len = 1;
    n = sg_syscall(SYS_readv, 0, (long)iov, 2, 0, 0, 0);
    tap_check(n == 3 && first[0] == 'x' && !memcmp(second, "y\n", 2), "readv: one line spread over two buffers "
              "(%ld)", n);
    ready("twolines");  /* "ab" CR "cd" CR, sent at once */
    n = sys_read(0, buf, 1);
    tap_check(n == 1 && buf[0] == 'a', "a read of 1 takes one byte of the line");
    n = read_line();
    tap_check(n == 2 && !memcmp(buf, "b\n", 2), "the next read the rest of that line, not the next (%ld)", n);
    n = read_line();
    tap_check(n == 3 && !memcmp(buf, "cd\n", 3), "then the second line (%ld)", n);
}

static void test_efault(void)
{
    if (sizeof(void *) == 8)
        tap_eq(sys_read(0, (void *)(uintptr_t)0xffff800000000000ull, 10), -SG_EFAULT,
               "a read into a kernel address is -EFAULT at once");
    ready("efault");    /* "keep me" CR */
    tap_eq(sys_read(0, (void *)0x1000, 10), -SG_EFAULT, "a read into an unmapped page is -EFAULT");
    long n = read_line();
    tap_check(n == 8 && !memcmp(buf, "keep me\n", 8), "and the line is still there for the next read (%ld)", n);
}

static void test_eof(void)
{
    ready("eof");       /* ^D */
    tap_eq(sys_read(0, buf, 10), 0, "^D at the start of a line: read returns 0");
    ready("eof2");      /* "abc" ^D "x" CR */
    long n = read_line();
    tap_check(n == 3 && !memcmp(buf, "abc", 3), "^D after text ends the line without a newline (%ld)", n);
    n = read_line();
    tap_check(n == 2 && !memcmp(buf, "x\n", 2), "and the next line follows (%ld)", n);
}

/* Waits until at least n bytes typed are there (FIONREAD), at most 20 s (a
 * bound for a hang); how many there are. */
static int wait_for_input(int n)
{
    int have = 0;
    for (int i = 0; i < 2000 && (sys_ioctl(0, FIONREAD, &have) != 0 || have < n); i++)
        sys_nanosleep_ms(10);
    return have;
}

static void test_raw(void)
{
    set_raw(1, 0, 0);
    ready("raw");       /* "q" DEL ^U ^D ^C */
    char got[5];
    long total = 0;
    while (total < 5) {
        long n = sys_read(0, got + total, sizeof got - (size_t)total);
        if (n <= 0)
            break;
        total += n;
    }
    tap_check(total == 5 && !memcmp(got, "q\x7f\x15\x04\x03", 5),
              "raw mode: DEL ^U ^D ^C are bytes like any other (%ld)", total);
    ready("allbytes");  /* 0 .. 255 */
    static unsigned char all[256];
    total = 0;
    while (total < 256) {
        long n = sys_read(0, all + total, 256 - (size_t)total);
        if (n <= 0)
            break;
        total += n;
    }
    int same = total == 256;
    for (int i = 0; same && i < 256; i++)
        same = all[i] == i;
    tap_check(same, "every byte 0-255, NUL included, arrives as sent (%ld bytes)", total);
    int avail = -1;
    long r = sys_ioctl(0, FIONREAD, &avail);
    tap_check(r == 0 && avail == 0, "FIONREAD: nothing left (%ld, %d)", r, avail);

    set_raw(0, 0, 0);
    tap_eq(sys_read(0, buf, 10), 0, "VMIN 0 VTIME 0 without input: read returns 0 at once");
    set_raw(0, 2, 0);
    tap_eq(sys_read(0, buf, 10), 0, "VMIN 0 VTIME 2 without input: read returns 0 when VTIME passes");
    struct { int fd; short events, revents; } pfd = { 0, 1 /* POLLIN */, 0 };
    tap_eq(sg_syscall(SYS_poll, (long)&pfd, 1, 0, 0, 0, 0), 0, "poll without input: nothing readable");
    tap_eq(sg_syscall(SYS_poll, (long)&pfd, 1, 30, 0, 0, 0), 0, "poll with a 30 ms timeout: 0 when it passes");
    tap_eq(sg_syscall(SYS_poll, 0x1000, 1, 0, 0, 0, 0), -SG_EFAULT, "poll of an unmapped array is -EFAULT");
    ready("poll");      /* "p" */
    tap_eq(sg_syscall(SYS_poll, (long)&pfd, 1, -1, 0, 0, 0), 1, "poll waits for a byte");
    tap_check(pfd.revents == 1, "POLLIN (%#x)", pfd.revents);
    tap_eq(sys_read(0, buf, 10), 1, "which a read then takes");

    /* Typed ahead in raw mode, read in canonical mode (a program that
     * gives the terminal back to a shell): on the switch, the bytes there
     * become one line that ends at the last of them, its newline included
     * (Linux's n_tty_set_termios pushes them), and a line typed after the
     * switch is a line of its own - not the end of theirs. */
    set_raw(1, 0, ICRNL);
    ready("typeahead");     /* "ab" CR "cd" */
    tap_eq(wait_for_input(5), 5, "five bytes typed in raw mode, unread");
    tap_eq(sys_ioctl(0, TCSETS, &cooked), 0, "TCSETS: back to the boot settings (canonical)");
    ready("afterpush");     /* "ef" CR */
    tap_eq(wait_for_input(8), 8, "three more typed in canonical mode");
    long n = sys_read(0, buf, sizeof buf);
    tap_check(n == 5 && !memcmp(buf, "ab\ncd", 5), "what raw mode left is one line, newline and all (%ld)", n);
    n = sys_read(0, buf, sizeof buf);
    tap_check(n == 3 && !memcmp(buf, "ef\n", 3), "the line typed after the switch is a line of its own (%ld)", n);
}

static void test_long_line(void)
{
    ready("long");      /* 5000 x, CR */
    long n = sys_read(0, buf, sizeof buf);
    int xs = n == 4096 && buf[4095] == '\n';
    for (int i = 0; xs && i < 4095; i++)
        xs = buf[i] == 'x';
    tap_check(xs, "a 5000-byte line keeps 4095 bytes and its end, as Linux (%ld)", n);
}

static void test_garbage(void)
{
    struct termios g, back;
    unsigned char *raw = (unsigned char *)&g;
    for (size_t i = 0; i < sizeof g; i++)
        raw[i] = (unsigned char)(i * 37 + 11);
    tap_eq(sys_ioctl(0, TCSETS, &g), 0, "TCSETS with garbage is taken");
    tap_check(sys_ioctl(0, TCGETS, &back) == 0 && !memcmp(&back, &g, sizeof g), "and read back as it was set");
    tap_eq(sys_ioctl(0, TCSETSF, (void *)0x1000), -SG_EFAULT, "TCSETSF from an unmapped page is -EFAULT");
    tap_eq(sys_ioctl(0, TCSETSW, (void *)~(uintptr_t)0), -SG_EFAULT, "TCSETSW from the last byte of the address space is -EFAULT");
    tap_eq(sys_ioctl(0, TCSETSF, &cooked), 0, "TCSETSF: the boot settings again, input flushed");
    tap_check(sys_ioctl(0, TCGETS, &back) == 0 && !memcmp(&back, &cooked, sizeof back), "and they are back");
}

static long fork_child(void)
{
    return sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
}

/* A child in a session of its own has no controlling terminal, and cannot
 * take init's session's one without asking to steal it. */
static int child_new_session(void)
{
    int pgrp;
    int ok = sg_syscall(SYS_setsid, 0, 0, 0, 0, 0, 0) > 0 && sys_ioctl(0, TIOCGPGRP, &pgrp) == -SG_ENOTTY &&
             sys_ioctl(0, TIOCSCTTY, 0) == -SG_EPERM;
    return ok ? 0 : 1;
}

static void test_interrupt(void)
{
    int pgrp = -1;
    tap_eq(sys_ioctl(0, TIOCGPGRP, &pgrp), -SG_ENOTTY, "/dev/console given to init is no controlling terminal");
    tap_eq(sys_ioctl(0, TIOCSCTTY, 0), 0, "TIOCSCTTY makes it init's session's");
    long r = sys_ioctl(0, TIOCGPGRP, &pgrp);
    tap_check(r == 0 && pgrp == 1, "its foreground group is init's (%ld, %d)", r, pgrp);
    int sid = -1;
    r = sys_ioctl(0, TIOCGSID, &sid);
    tap_check(r == 0 && sid == 1, "TIOCGSID: init's session (%ld, %d)", r, sid);

    int status = -1;
    long child = fork_child();
    if (child == 0)
        sys_exit(child_new_session());
    tap_check(child > 1 && sys_wait4((int)child, &status, 0) == child && status == 0,
              "in a new session (setsid): no controlling terminal (TIOCGPGRP -ENOTTY), TIOCSCTTY of init's "
              "-EPERM (status %#x)", status);

    child = fork_child();
    if (child == 0) {
        /* It reads once its group is the foreground one: a background
         * reader would get SIGTTIN and stop (job control). */
        sg_syscall(SYS_setpgid, 0, 0, 0, 0, 0, 0);
        int fg = 0;
        while (sys_ioctl(0, TIOCGPGRP, &fg) == 0 && fg != sys_getpid())
            sys_sched_yield();
        sys_read(0, buf, sizeof buf);
        sys_exit(0);
    }
    tap_check(child > 1, "a child that reads the console (pid %ld)", child);
    tap_eq(sg_syscall(SYS_setpgid, child, child, 0, 0, 0, 0), 0, "in a group of its own (setpgid)");
    int group = (int)child;
    tap_eq(sys_ioctl(0, TIOCSPGRP, &group), 0, "TIOCSPGRP: the child's group in the foreground");
    group = 999;
    tap_eq(sys_ioctl(0, TIOCSPGRP, &group), -SG_ESRCH, "TIOCSPGRP of a group that does not exist is -ESRCH");
    group = -5;
    tap_eq(sys_ioctl(0, TIOCSPGRP, &group), -SG_EINVAL, "TIOCSPGRP of a negative group is -EINVAL");
    ready("intr");      /* "half a line" ^C */
    status = 0;
    tap_eq(sys_wait4((int)child, &status, 0), child, "wait4 for the reader");
    tap_check(SG_WIFSIGNALED(status) && SG_WTERMSIG(status) == 2, "^C killed it with SIGINT (status %#x)", status);
    group = 1;
    tap_eq(sys_ioctl(0, TIOCSPGRP, &group), 0, "init's group in the foreground again");
    ready("intr-init");  /* ^C "after" CR */
    long n = read_line();
    tap_check(n == 6 && !memcmp(buf, "after\n", 6), "^C to init's group leaves init running, the line it flushed "
              "gone (%ld)", n);
    tap_skip("needs rt_sigaction (signals)", "a SIGINT handler runs on ^C instead of the default action");
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    tap_begin("console");
    tap_eq(sys_ioctl(0, TCGETS, &cooked), 0, "TCGETS");
    test_canonical();
    test_efault();
    test_eof();
    test_raw();
    test_long_line();
    test_garbage();
    test_interrupt();
    return tap_end();
}
