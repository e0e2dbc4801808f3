/* Cases in processes of their own (cases.h). */
#include "cases.h"

int case_child(int argc, char **argv, const struct test_case *cases, unsigned n)
{
    if (argc < 2)
        return -1;
    for (unsigned i = 0; i < n; i++)
        if (!strcmp(argv[1], cases[i].name))
            return cases[i].run();
    return 99;
}

long case_spawn(const char *self, const char *name)
{
    char *argv[] = { (char *)self, (char *)name, 0 };
    return sg_run(self, argv);
}

void case_report_all(const char *self, const struct test_case *cases, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (!cases[i].hazard)
            continue;
        long status = case_spawn(self, cases[i].name);
        tap_check(status >= 0 && SG_WIFEXITED(status) && SG_WEXITSTATUS(status) == 0, "%s (status %#lx)",
                  cases[i].hazard, status);
    }
}
