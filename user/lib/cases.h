/*
 * Test programs whose cases each run in a process of their own (a case
 * may kill its process, leave state behind, or be killed on purpose): the
 * program starts itself again with the case's name in argv[1], once per
 * case, and prints one TAP line per case naming its hazard, from the
 * case's exit status - 0, or the line of its first failed check (EXPECT,
 * which prints the check as a TAP comment).
 */
#ifndef SYSGATE_USER_CASES_H
#define SYSGATE_USER_CASES_H

#include "tap.h"

struct test_case {
    const char *name;
    const char *hazard;         /* what the case checks; 0 for a helper run only by name */
    int (*run)(void);
};

/* A case's check: on failure, the case (or a helper it forked) ends
 * with the check's line. */
#define EXPECT(cond)                                                               \
    do {                                                                           \
        if (!(cond)) {                                                             \
            printf("# %s:%d: %s\n", __func__, __LINE__, #cond);                    \
            return __LINE__ % 250 + 1;                                             \
        }                                                                          \
    } while (0)

/* main's first step: with a case's name in argv[1], runs that case and
 * returns its result (99 for an unknown name); without, -1. */
int case_child(int argc, char **argv, const struct test_case *cases, unsigned n);
/* Runs the case called name in a process of its own; its wait status. */
long case_spawn(const char *self, const char *name);
/* Runs every case that has a hazard, one TAP check each. */
void case_report_all(const char *self, const struct test_case *cases, unsigned n);

#endif
