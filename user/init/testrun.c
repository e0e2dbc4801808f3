/*
 * /bin/testrun: the in-guest test driver, started as init by the host
 * runner (tests/run-guest) with `init=/bin/testrun test=a,b,c` (no test=,
 * or an item "all": every program in all_tests below; "all64" the 64-bit
 * ones, "all32" the 32-bit ones).
 *
 * An item may carry one argument for the program after a colon
 * (kipdefault:int80 runs /bin/tests/kipdefault int80).
 *
 * Each test program runs in its own process and prints its own TAP lines.
 * The driver adds one line per program only when the program ended in a
 * way that is a failure by itself: killed by a fault, or an exit status
 * other than 0 (all passed) and 1 (failures already reported).  The last
 * line says how the programs ended; the driver's exit status, the number
 * of programs that did not pass, becomes QEMU's.
 *
 * init takes only the signals it has a handler for (Linux's rule): the
 * signals test checks that one reaches it - SIGUSR1, which the driver
 * answers with SIGUSR2 to the sender.
 */
#include "../lib/tap.h"
#include "../lib/signals.h"

static void answer(int sig, sg_siginfo_t *info, void *uc)
{
    (void)sig, (void)uc;
    sys_kill(info->u.kill.pid, SG_SIGUSR2);
}

/* Every test program, in the order they run: a name is /bin/tests/NAME,
 * "32/NAME" the same test built for 32-bit code, /bin/tests32/NAME. */
static const char *const all_tests[] = {
    "syscalls", "badinput", "faults", "sched", "segments", "fpu", "exitfault", "debugreg", "mechanisms", "regs",
    "fuzz", "memory", "vdso", "time", "files", "linux", "fastpath", "fastdoors", "procs", "cow", "signals",
    "sigreturn", "exdoors", "xstate", "sendfile", "rseq",
    "32/syscalls", "32/badinput", "32/faults", "32/sched", "32/segments", "32/fpu", "32/exitfault", "32/debugreg",
    "32/mechanisms", "32/regs", "32/fuzz", "32/vsyscall", "32/memory", "32/vdso", "32/time", "32/files", "32/linux", "32/fastpath", "32/procs", "32/cow",
    "32/signals", "32/sigreturn", "32/exdoors", "32/xstate", "32/sendfile", "32/rseq",
};

int main(int argc, char **argv)
{
    sg_sigaction(SG_SIGUSR1, (void *)answer, SG_SA_SIGINFO | SG_SA_RESTART, 0, 0);
    /* The list to run: the arguments, with "all" standing for all_tests
     * ("all64"/"all32" for one width's); no arguments at all is "all". */
    const char *names[64];
    int count = 0;
    for (int a = 1; a < argc || (argc == 1 && a == 1); a++) {
        const char *item = argc == 1 ? "all" : argv[a];
        int all = !strcmp(item, "all"), all64 = !strcmp(item, "all64"), all32 = !strcmp(item, "all32");
        if (all || all64 || all32) {
            for (unsigned t = 0; t < sizeof all_tests / sizeof all_tests[0] && count < 64; t++) {
                int is32 = !strncmp(all_tests[t], "32/", 3);
                if (all || (all32 && is32) || (all64 && !is32))
                    names[count++] = all_tests[t];
            }
        } else if (count < 64) {
            names[count++] = item;
        }
    }

    int passed = 0, failed = 0;
    for (int i = 0; i < count; i++) {
        char name[64], path[128];
        strlcpy(name, names[i], sizeof name);
        char *arg = strchr(name, ':');
        if (arg)
            *arg++ = 0;
        if (!strncmp(name, "32/", 3))
            snformat(path, sizeof path, "/bin/tests32/%s", name + 3);
        else
            snformat(path, sizeof path, "/bin/tests/%s", name);
        char *child_argv[] = { path, arg, 0 };
        printf("# testrun: running %s\n", path);
        struct sg_info before, after;
        sg_info(&before);
        long status = sg_run_init(path, child_argv);
        sg_info(&after);
        printf("# testrun: %s took %lu timer ticks\n", names[i], (unsigned long)(after.ticks - before.ticks));
        if (status < 0) {
            printf("not ok - testrun: %s could not be started: %s\n", names[i], sg_errno_name(status));
            failed++;
        } else if (SG_WIFSIGNALED(status)) {
            printf("not ok - testrun: %s was killed by signal %d\n", names[i], (int)SG_WTERMSIG(status));
            failed++;
        } else if (SG_WEXITSTATUS(status) == 0) {
            passed++;
        } else {
            if (SG_WEXITSTATUS(status) != 1)
                printf("not ok - testrun: %s exited with status %d\n", names[i], (int)SG_WEXITSTATUS(status));
            failed++;
        }
    }
    printf("# testrun: done, %d programs passed, %d failed\n", passed, failed);
    return failed > 125 ? 125 : failed;
}
