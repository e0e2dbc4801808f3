/*
 * The console: COM1 as a Linux terminal.  The UART's receive interrupt
 * feeds every byte its FIFO holds to the line discipline (ldisc.c), which
 * echoes, edits lines and raises signals; read() blocks in the scheduler
 * until a line (canonical mode) or enough bytes (VMIN, VTIME) are there;
 * write() goes out through the discipline's OPOST processing; ioctl() is
 * tty_ioctl(4) and the terminal part of ioctl_tty(2).  sysgate has one
 * terminal, /dev/console and /dev/tty both, the controlling terminal of at
 * most one session.
 */
#include "tty.h"
#include "ldisc.h"
#include "serial.h"
#include "timer.h"
#include "../fs/file.h"
#include "../proc/proc.h"
#include "../syscall/uaccess.h"
#include "../time/clock.h"
#include <sysgate/abi.h>

#define CONSOLE_IRQ 4

/* Terminal ioctls (asm-generic/ioctls.h) beyond those in fs/linux.h. */
#define L_TCFLSH     0x540B
#define L_TIOCSCTTY  0x540E
#define L_TIOCGPGRP  0x540F
#define L_TIOCSPGRP  0x5410
#define L_FIONREAD   0x541B     /* TIOCINQ */
#define L_TIOCNOTTY  0x5422
#define L_TIOCGSID   0x5429
#define L_TCIFLUSH   0
#define L_TCOFLUSH   1
#define L_TCIOFLUSH  2

static struct ldisc console;
static struct l_winsize console_winsize = { 24, 80, 0, 0 };
/* The session whose controlling terminal the console is (its leader's
 * pid), and that session's foreground process group: who ^C reaches, who
 * TIOCGPGRP names.  0 until a session leader asks with TIOCSCTTY: as in
 * Linux, /dev/console given to init is nobody's controlling terminal (its
 * tty_open never makes 5:1 one), so that a shell run as init finds no job
 * control ("can't access tty") and ^C reaches no one, until a program such
 * as busybox's `setsid -c` asks for it. */
static int console_session, console_pgrp;

static void console_out(void *ctx, const uint8_t *s, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++)
        serial_putb(s[i]);
}


static bool is_live(const struct proc *p)
{
    return p->state != PROC_FREE && p->state != PROC_ZOMBIE;
}

/* Whether the console is p's controlling terminal: p is in its session. */
static bool controls(const struct proc *p)
{
    return console_session && p->sid == console_session;
}

static bool group_in_session(int pgrp, int sid)
{
    for (int i = 0; i < MAX_PROCS; i++)
        if (proc_in_group(&procs[i]) && procs[i].pgid == pgrp && procs[i].sid == sid)
            return true;
    return false;
}

static bool group_exists(int pgrp)
{
    for (int i = 0; i < MAX_PROCS; i++)
        if (proc_in_group(&procs[i]) && procs[i].pgid == pgrp)
            return true;
    return false;
}

/* Sends sig to every process of group pgrp but init (once per thread
 * group). */
static void signal_group(int pgrp, int sig)
{
    for (int i = 0; i < MAX_PROCS; i++)
        if (is_live(&procs[i]) && procs[i].pgid == pgrp && procs[i].pid != 1 && proc_first_of_group(&procs[i]))
            signal_send(&procs[i], sig);
}

/* Job control for a process of a background group that uses its
 * controlling terminal (Linux's __tty_check_change and n_tty_read's
 * job_control): a read (SIGTTIN), or a write under TOSTOP or a change of
 * the terminal (SIGTTOU).  0 when it may go on (not its terminal, the
 * foreground, or - for SIGTTOU - the signal ignored or blocked); else the
 * signal goes to its whole group, which stops (or runs a handler) and
 * tries again: -ERESTARTSYS.  A read with SIGTTIN ignored or blocked, or
 * from an orphaned group, is -EIO. */
static long background_check(int sig)
{
    struct proc *p = current_proc();
    /* init is let through: it is never stopped (signal_send drops the
     * signals it has no handler for), and its group, having no parent, is
     * orphaned - Linux would say -EIO. */
    if (!controls(p) || !console_pgrp || p->pgid == console_pgrp || p->pid == 1)
        return 0;
    if (p->sig.hand->action[sig - 1].handler == SG_SIG_IGN || (p->sig.blocked & SG_SIGSET(sig)))
        return sig == SG_SIGTTIN ? -SG_EIO : 0;
    /* An orphaned group: nobody would continue it, so the terminal stops
     * none of it (proc_pgrp_orphaned). */
    if (proc_pgrp_orphaned(p->pgid, 0))
        return -SG_EIO;
    signal_group(p->pgid, sig);
    return signal_restart(-SG_ERESTARTSYS);
}

/* The signals the discipline raised, to every process of the foreground
 * group (a stop signal stops it: job control).  init is left out: Linux's init gets only the signals it handles
 * (SIGNAL_UNKILLABLE). */
static void deliver_signals(void)
{
    uint32_t raised = console.signals;
    console.signals = 0;
    if (!console_pgrp)
        return;
    static const int sigs[] = { LDISC_SIGINT, LDISC_SIGQUIT, LDISC_SIGTSTP };
    for (size_t s = 0; s < ARRAY_SIZE(sigs); s++)
        if (raised & (1u << sigs[s]))
            signal_group(console_pgrp, sigs[s]);
}

/* The end of the controlling process - the session leader, its last
 * thread - hangs up the terminal's foreground process group, SIGHUP, and
 * ends the console's being the session's controlling terminal (POSIX
 * _exit(2); Linux's disassociate_ctty(1) through tty_vhangup_session,
 * whose SIGCONT goes to session leaders only).  A stopped job of the
 * session that the end orphans gets SIGHUP and SIGCONT from proc.c. */
static void tty_exit_hook(struct proc *p)
{
    if (!console_session || p->tgid != console_session || !proc_last_thread(p))
        return;
    if (console_pgrp)
        proc_signal_pgrp(console_pgrp, SG_SIGHUP);
    console_session = 0;
    console_pgrp = 0;
}

void tty_init(void)
{
    ldisc_init(&console, console_out, 0);
    proc_add_exit_hook(tty_exit_hook);
    serial_rx_enable();
    irq_unmask(CONSOLE_IRQ);
}

/* IRQ 4.  Every byte first (the UART raises no new edge while its FIFO is
 * not empty), then the wake-ups and the signals - a signal may end the
 * process this interrupt came from, and that never returns here. */
void tty_irq(void)
{
    static uint64_t overruns_seen;
    for (int c; (c = serial_getc()) >= 0;)
        ldisc_receive(&console, (uint8_t)c);
    if (serial_overruns != overruns_seen) {
        overruns_seen = serial_overruns;
        printk("console: input overrun (the UART's FIFO was full: bytes lost), %lu so far\n", overruns_seen);
    }
    sched_wake(&console);
    file_poll_wake();
    if (console.signals)
        deliver_signals();
}

/* termios(3) "Canonical and noncanonical mode": how many bytes a read of
 * len must find before it returns, in non-canonical mode. */
static size_t raw_minimum(size_t len)
{
    size_t vmin = console.t.c_cc[L_VMIN];
    return vmin < len ? vmin : len;
}

/* Gives the reader n bytes from the front of the input (n = 0: an end of
 * file marker, or nothing).  A fault takes nothing: the input stays for the
 * next read (Linux would lose what it had taken off the queue). */
static long copy_out(uint64_t buf, size_t n)
{
    uint64_t left = uaccess_copy((void *)buf, console.buf, n);
    if (n > 0 && left == n)
        return -SG_EFAULT;
    ldisc_take(&console, n - left);
    return (long)(n - left);
}

static long console_read(struct file *f, uint64_t buf, uint64_t len, uint64_t pos)
{
    (void)pos;
    long stop = background_check(SG_SIGTTIN);
    if (stop)
        return stop;
    if (len == 0)
        return 0;
    uint64_t deadline = 0;
    size_t had = 0;
    for (;;) {
        /* Settings may change while the reader waits: read them anew. */
        bool canonical = console.t.c_lflag & L_ICANON;
        uint64_t vtime_ns = console.t.c_cc[L_VTIME] * 100000000ull;
        size_t want = raw_minimum(len);
        long n = ldisc_peek(&console, len);
        size_t have = n < 0 ? 0 : (size_t)n;
        bool done;
        if (canonical) {
            done = n >= 0;
        } else {
            /* VMIN 0 VTIME 0: a poll; VMIN 0: the first byte or VTIME;
             * VMIN > 0: VMIN bytes, or VTIME after the last if VTIME > 0. */
            done = (want > 0 && have >= want) || (want == 0 && (have > 0 || !vtime_ns)) ||
                   (deadline && clock_monotonic_ns() >= deadline);
            if (!done && vtime_ns && (want == 0 ? !deadline : have > had))
                deadline = clock_monotonic_ns() + vtime_ns;
        }
        if (done)
            return copy_out(buf, have);
        if (f->flags & L_O_NONBLOCK)
            return -SG_EAGAIN;
        had = have;
        /* A signal interrupts the read: restarted under SA_RESTART, else
         * -EINTR (Linux's n_tty_read: -ERESTARTSYS). */
        if (signal_pending(current_proc()))
            return signal_restart(-SG_ERESTARTSYS);
        sched_block(&console, canonical ? 0 : deadline);
    }
}

static long console_write(struct file *f, uint64_t buf, uint64_t len, uint64_t pos)
{
    (void)f, (void)pos;
    long stop = console.t.c_lflag & L_TOSTOP ? background_check(SG_SIGTTOU) : 0;
    if (stop)
        return stop;
    uint8_t chunk[256];
    uint64_t done = 0;
    while (done < len) {
        uint64_t n = len - done < sizeof chunk ? len - done : sizeof chunk;
        uint64_t left = uaccess_copy(chunk, (const void *)(buf + done), n);
        ldisc_output(&console, chunk, n - left);
        done += n - left;
        if (left)
            return done ? (long)done : -SG_EFAULT;
    }
    return (long)done;
}

static long put_int(uint64_t arg, int v)
{
    return copy_to_user(arg, &v, sizeof v);
}

static long console_ioctl(struct file *f, uint64_t cmd, uint64_t arg)
{
    (void)f;
    switch ((uint32_t)cmd) {
    case L_TCGETS:
        return copy_to_user(arg, &console.t, sizeof console.t);
    case L_TCSETS:
    case L_TCSETSW:
    case L_TCSETSF: {
        /* Output is written before write() returns: nothing to drain. */
        struct l_termios t;
        long stop = background_check(SG_SIGTTOU);
        if (stop)
            return stop;
        if (copy_from_user(&t, arg, sizeof t))
            return -SG_EFAULT;
        if ((uint32_t)cmd == L_TCSETSF)
            ldisc_flush_input(&console);
        ldisc_set_termios(&console, &t);
        sched_wake(&console);   /* the new mode may make input readable */
        file_poll_wake();
        return 0;
    }
    case L_TCFLSH:
        if (arg == L_TCIFLUSH || arg == L_TCIOFLUSH)
            ldisc_flush_input(&console);
        else if (arg != L_TCOFLUSH)
            return -SG_EINVAL;
        return 0;
    case L_FIONREAD:
        return put_int(arg, (int)ldisc_readable(&console));
    case L_TIOCGWINSZ:
        return copy_to_user(arg, &console_winsize, sizeof console_winsize);
    case L_TIOCSWINSZ:
        return copy_from_user(&console_winsize, arg, sizeof console_winsize);
    case L_TIOCGPGRP:
        return controls(current_proc()) ? put_int(arg, console_pgrp) : -SG_ENOTTY;
    case L_TIOCGSID:
        return controls(current_proc()) ? put_int(arg, console_session) : -SG_ENOTTY;
    case L_TIOCSPGRP: {
        /* tiocspgrp: only for the caller's own terminal, to a group of its
         * session. */
        struct proc *p = current_proc();
        if (!controls(p))
            return -SG_ENOTTY;
        uint32_t pgrp;
        if (get_user_u32(&pgrp, arg))
            return -SG_EFAULT;
        if ((int)pgrp < 0)
            return -SG_EINVAL;
        if (!group_exists((int)pgrp))
            return -SG_ESRCH;
        if (!group_in_session((int)pgrp, p->sid))
            return -SG_EPERM;
        long stop = background_check(SG_SIGTTOU);
        if (stop)
            return stop;
        console_pgrp = (int)pgrp;
        return 0;
    }
    case L_TIOCSCTTY: {
        /* tiocsctty: a session leader without a controlling terminal takes
         * this one, unless another session has it (whose taking, with arg 1,
         * is root's right - everyone here is root). */
        struct proc *p = current_proc();
        if (controls(p))
            return 0;
        if (p->sid != p->tgid)
            return -SG_EPERM;
        if (console_session && arg != 1)
            return -SG_EPERM;
        console_session = p->sid;
        console_pgrp = p->pgid;
        return 0;
    }
    case L_TIOCNOTTY:
        /* A session leader lets it go and hangs up the foreground group:
         * SIGHUP and SIGCONT (Linux's disassociate_ctty); anyone else keeps it, as a process
         * cannot leave its session's terminal without leaving the session. */
        if (!controls(current_proc()))
            return -SG_ENOTTY;
        if (current_proc()->sid == current_proc()->tgid) {
            signal_group(console_pgrp, SG_SIGHUP);
            signal_group(console_pgrp, SG_SIGCONT);
            console_session = console_pgrp = 0;
        }
        return 0;
    }
    return -SG_ENOTTY;
}

/* Readable as a read would not wait for its first byte (n_tty_poll);
 * output never waits. */
static unsigned console_poll(struct file *f)
{
    (void)f;
    unsigned mask = L_POLLOUT | L_POLLWRNORM;
    if (ldisc_peek(&console, LDISC_BUF) >= 0)
        mask |= L_POLLIN | L_POLLRDNORM;
    return mask;
}

const struct file_ops console_ops = {
    .read = console_read, .write = console_write, .ioctl = console_ioctl, .poll = console_poll,
    .seek = SEEK_NONE,
};
