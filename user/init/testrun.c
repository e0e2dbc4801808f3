/*
 * /bin/testrun: the in-guest test driver, started as init by the host
 * runner (tests/run-guest) with `init=/bin/testrun test=a,b,c` (no test=
 * or test=all: every program under /bin/tests).
 *
 * Each test program runs in its own process and prints its own TAP lines.
 * The driver adds one line per program only when the program ended in a
 * way that is a failure by itself: killed by a fault, or an exit status
 * other than 0 (all passed) and 1 (failures already reported).  The last
 * line says how the programs ended; the driver's exit status, the number
 * of programs that did not pass, becomes QEMU's.
 */
#include "../lib/tap.h"

/* Every test program, in the order they run. */
static const char *const all_tests[] = {
    "syscalls", "badinput", "faults", "sched", "mechanisms", "regs",
};

int main(int argc, char **argv)
{
    const char *const *names = all_tests;
    int count = sizeof all_tests / sizeof all_tests[0];
    if (argc > 1 && strcmp(argv[1], "all")) {
        names = (const char *const *)argv + 1;
        count = argc - 1;
    }

    int passed = 0, failed = 0;
    for (int i = 0; i < count; i++) {
        char path[128];
        snformat(path, sizeof path, "/bin/tests/%s", names[i]);
        char *child_argv[] = { path, 0 };
        printf("# testrun: running %s\n", path);
        long status = sg_run(path, child_argv);
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
