/*
 * /bin/init: the first process.  Runs the demo, 64-bit and 32-bit, and
 * passes on their exit status, which becomes the machine's.  (The tests
 * have their own first process, /bin/testrun.)
 */
#include "../lib/sysgate.h"

static int run(const char *path)
{
    char *argv[] = { (char *)path, 0 };
    long status = sg_run(path, argv);
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
    int failed = run("/bin/demo");
    failed |= run("/bin/demo32");
    return failed;
}
