/*
 * /bin/clientrun: the real-client driver, started as init by
 * tests/run-clients with `init=/bin/clientrun test=a,b` (no test=, or
 * "all": every case of tests/clients/cases, compiled in by
 * tools/gen-client-cases).
 *
 * Each case runs in its own process between two marker lines:
 *
 *   === case NAME begin
 *   ...whatever the program writes...
 *   === case NAME end: exit 0            (or: killed by signal 11,
 *                                             or: not started: -ENOENT)
 *
 * The host cuts each case's output out of the serial log and compares it
 * with the expected file and status; the driver judges nothing itself.
 * The last line is "=== clients: done".
 */
#include "../lib/sysgate.h"
#include "cases.h"

static void run(const struct client_case *c)
{
    printf("=== case %s begin\n", c->name);
    long status = sg_run_init(c->argv[0], (char *const *)c->argv);
    if (status < 0)
        printf("\n=== case %s end: not started: %s\n", c->name, sg_errno_name(status));
    else if (SG_WIFSIGNALED(status))
        printf("\n=== case %s end: killed by signal %d\n", c->name, (int)SG_WTERMSIG(status));
    else
        printf("\n=== case %s end: exit %d\n", c->name, (int)SG_WEXITSTATUS(status));
}

int main(int argc, char **argv)
{
    const unsigned count = sizeof client_cases / sizeof client_cases[0];
    for (int a = 1; a < argc || (argc == 1 && a == 1); a++) {
        const char *want = argc == 1 ? "all" : argv[a];
        int found = 0;
        for (unsigned i = 0; i < count; i++) {
            if (!strcmp(want, "all") || !strcmp(want, client_cases[i].name)) {
                run(&client_cases[i]);
                found = 1;
            }
        }
        if (!found)
            printf("=== case %s begin\n\n=== case %s end: no such case\n", want, want);
    }
    printf("=== clients: done\n");
    return 0;
}
