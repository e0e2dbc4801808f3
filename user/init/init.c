/*
 * /bin/init: the first process.  Runs the demo, 64-bit and 32-bit, then a
 * real program - Debian's busybox, unmodified - printing `uname -a` and
 * listing /bin, and passes on their exit status, which becomes the
 * machine's.  (The tests have their own first processes, /bin/testrun and
 * /bin/clientrun.)
 */
#include "../lib/sysgate.h"

static int run(char *const argv[])
{
    const char *path = argv[0];
    long status = sg_run_init(path, argv);
    if (status < 0) {
        printf("init: cannot run %s: %s\n", path, sg_errno_name(status));
        return 1;
    }
    if (SG_WIFSIGNALED(status)) {
        printf("init: %s was killed by signal %d\n", path, (int)SG_WTERMSIG(status));
        return 1;
    }
    return SG_WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    /* The demo as a 64-bit process, then the same source built for 32-bit
     * code, in compatibility mode. */
    char *demo[] = { "/bin/demo", 0 }, *demo32[] = { "/bin/demo32", 0 };
    int failed = run(demo);
    failed |= run(demo32);
    /* A real Linux program through the same doors. */
    char *uname[] = { "/bin/busybox", "uname", "-a", 0 }, *ls[] = { "/bin/busybox", "ls", "/bin", 0 };
    printf("\n== busybox (Debian's busybox-static, unmodified) ==\n$ busybox uname -a\n");
    failed |= run(uname);
    printf("$ busybox ls /bin\n");
    failed |= run(ls);
    return failed;
}
