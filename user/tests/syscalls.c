/*
 * syscalls: every implemented call does what Linux's does, through the
 * default entry (the interface page) and through int $0x80 directly.
 * Each hazard that needs a process of its own (exit codes, kill, argv)
 * runs this program again as a child with a role in argv[1].
 */
#include "../lib/tap.h"

static const char *self;

static int child_main(int argc, char **argv)
{
    if (!strcmp(argv[1], "exit42"))
        return 42;
    if (!strcmp(argv[1], "argv"))   /* argv[2..] must arrive intact */
        return argc == 4 && !strcmp(argv[2], "two words") && !strcmp(argv[3], "") ? 7 : 99;
    if (!strcmp(argv[1], "sleep"))
        for (;;)
            sys_nanosleep_ms(1000);
    return 100;
}

static long spawn_role(const char *role)
{
    char *argv[] = { (char *)self, (char *)role, 0 };
    return sg_spawn(self, argv);
}

int main(int argc, char **argv)
{
    self = argv[0];
    if (argc > 1)
        return child_main(argc, argv);
    tap_begin("syscalls");

    struct sg_info info;
    tap_eq(sg_info(&info), sizeof info, "sg_info returns the size of struct sg_info");
    long pid = sys_getpid();
    tap_check(pid > 1, "getpid returns a pid above init's (%ld)", pid);
    tap_eq(info.pid, pid, "sg_info's pid matches getpid");
    tap_check(info.vendor[0] != 0 && info.version[0] != 0, "sg_info names the kernel and the CPU vendor (%s)",
              info.vendor);
    uint32_t offered = SG_BITS == 64 ? info.mechanisms64 : info.mechanisms32;
    uint32_t default_mech = SG_BITS == 64 ? info.default64 : info.default32;
    tap_check(offered & (1u << SG_MECH_INT80), "int80 is offered to %d-bit code", SG_BITS);
    tap_check(offered & (1u << default_mech), "the default mechanism is one that is offered");
    tap_eq(info.kip_address, sg_kip, "the interface page address matches SG_AT_KIP");

    tap_eq(sg_null(), 0, "sg_null returns 0");
    unsigned long a = (unsigned long)0x0123456789abcdefull, b = (unsigned long)0xfedcba9876543210ull,
                  c = (unsigned long)0x1111111122222222ull, d = (unsigned long)0x3333333344444444ull,
                  e = (unsigned long)0x5555555566666666ull, f = (unsigned long)0x7777777788888888ull;
    unsigned long want = (unsigned long)sg_echo6_expect(a, b, c, d, e, f);
    tap_eq((unsigned long)sg_syscall(SYS_sg_echo6, a, b, c, d, e, f), want, "six arguments arrive intact (default entry)");
    tap_eq((unsigned long)sg_syscall_int80(SYS_sg_echo6, a, b, c, d, e, f), want,
           "six arguments arrive intact (int 0x80)");
    tap_eq(sg_syscall_int80(SYS_getpid, 0, 0, 0, 0, 0, 0), pid, "getpid through int 0x80");

    tap_eq(sys_write(1, "# write to fd 1\n", 16), 16, "write to fd 1 returns the length");
    tap_eq(sys_write(2, "# write to fd 2\n", 16), 16, "write to fd 2 returns the length");
    tap_eq(sys_write(1, "", 0), 0, "a zero-length write returns 0");
    tap_eq(sys_write(7, "x", 1), -SG_EBADF, "write to an unknown fd is -EBADF");
    char buf[8];
    tap_eq(sys_read(0, buf, 0), 0, "a read of 0 bytes from the console returns 0 without waiting for input");
    tap_eq(sys_read(5, buf, sizeof buf), -SG_EBADF, "read from an unknown fd is -EBADF");

    struct {
        char f[6][65];
    } uts;
    tap_eq(sg_syscall(SYS_uname, (long)&uts, 0, 0, 0, 0, 0), 0, "uname succeeds");
    tap_check(!strcmp(uts.f[0], "sysgate") && !strcmp(uts.f[4], "x86_64"), "uname says sysgate, x86_64");

    tap_eq(sys_sched_yield(), 0, "sched_yield returns 0");
    /* nanosleep(2) sleeps at least the time asked, measured by
     * CLOCK_MONOTONIC - the kernel's own clock (the TSC, calibrated at boot),
     * not the timer's tick count, which runs on another oscillator. */
    struct {
        long sec, nsec;     /* struct timespec of this width */
    } t0, t1;
    sg_syscall(SYS_clock_gettime, 1 /* CLOCK_MONOTONIC */, (long)&t0, 0, 0, 0, 0);
    tap_eq(sys_nanosleep_ms(30), 0, "nanosleep(30 ms) returns 0");
    sg_syscall(SYS_clock_gettime, 1 /* CLOCK_MONOTONIC */, (long)&t1, 0, 0, 0, 0);
    long long slept_us = ((long long)t1.sec - t0.sec) * 1000000 + (t1.nsec - t0.nsec) / 1000;
    tap_check(slept_us >= 30000, "nanosleep(30 ms) lets at least 30 ms of CLOCK_MONOTONIC pass (%ld us)",
              (long)slept_us);
    struct {
        long sec, nsec;     /* struct timespec of this width */
    } bad_ts = { 0, 1000000000 }, neg_ts = { -1, 0 };
    tap_eq(sg_syscall(SYS_nanosleep, (long)&bad_ts, 0, 0, 0, 0, 0), -SG_EINVAL, "nanosleep with tv_nsec = 1e9 is -EINVAL");
    tap_eq(sg_syscall(SYS_nanosleep, (long)&neg_ts, 0, 0, 0, 0, 0), -SG_EINVAL, "nanosleep with a negative time is -EINVAL");

    int status = -1;
    tap_eq(sys_wait4(-1, &status, 0), -SG_ECHILD, "wait4 without children is -ECHILD");
    tap_eq(sys_wait4(-1, &status, 0x4000), -SG_EINVAL, "wait4 with unknown options is -EINVAL");
    tap_eq(sg_spawn("/bin/no-such-program", 0), -SG_ENOENT, "spawning a missing file is -ENOENT");

    long child = spawn_role("exit42");
    tap_check(child > pid, "spawn returns a new pid (%ld)", child);
    tap_eq(sys_wait4((int)child, &status, 0), child, "wait4 returns the child's pid");
    tap_check(SG_WIFEXITED(status) && SG_WEXITSTATUS(status) == 42, "the child's exit code 42 arrives (status %#x)", status);

    char *args[] = { (char *)self, "argv", "two words", "", 0 };
    long st = sg_run(self, args);
    tap_check(SG_WIFEXITED(st) && SG_WEXITSTATUS(st) == 7, "argv arrives intact in the child (status %#lx)", st);

    long sleeper = spawn_role("sleep");
    tap_eq(sys_wait4((int)sleeper, &status, 1 /* WNOHANG */), 0, "wait4 WNOHANG on a live child returns 0");
    tap_eq(sys_kill((int)sleeper, 0), 0, "kill(pid, 0) finds a live child");
    tap_eq(sys_kill((int)sleeper, 9), 0, "kill(pid, SIGKILL) succeeds");
    tap_eq(sys_wait4((int)sleeper, &status, 0), sleeper, "the killed child can be waited for");
    tap_check(SG_WIFSIGNALED(status) && SG_WTERMSIG(status) == 9, "its status says killed by signal 9 (%#x)", status);
    tap_eq(sys_kill((int)sleeper, 0), -SG_ESRCH, "a reaped pid is gone (-ESRCH)");
    /* Linux's rule: init gets only the signals it has a handler for; the
     * others are dropped and kill() returns 0 (a SIGKILL that reached it
     * would end the machine; signals.c has the rest). */
    tap_eq(sys_kill(1, 9), 0, "kill(1, SIGKILL) returns 0 and is dropped, as Linux's");
    tap_eq(sys_kill((int)pid, 65), -SG_EINVAL, "a signal past 64 is -EINVAL");
    tap_eq(sg_syscall(SYS_sg_shutdown, 0, 0, 0, 0, 0, 0), -SG_EPERM, "only init may shut the machine down");
    return tap_end();
}
