/*
 * /bin/init: the first process.  Runs the demo (or the programs named on
 * the kernel command line with test=..., see testrun) and passes on its
 * exit status, which becomes the machine's.
 */
#include "../lib/sysgate.h"

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    char *demo_argv[] = { "/bin/demo", 0 };
    long status = sg_run("/bin/demo", demo_argv);
    if (status < 0) {
        printf("init: cannot run /bin/demo: %s\n", sg_errno_name(status));
        return 1;
    }
    if (SG_WIFSIGNALED(status)) {
        printf("init: /bin/demo was killed by signal %d\n", (int)SG_WTERMSIG(status));
        return 1;
    }
    return SG_WEXITSTATUS(status);
}
