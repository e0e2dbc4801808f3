/*
 * TAP output for in-guest tests (Test Anything Protocol).  Each test
 * program prints "ok N - <program>: <what>" or "not ok N - ..." per check
 * and "1..N" at the end; the host runner (tests/run-guest) collects those
 * lines from the serial log.  A program's exit status is 0 when every
 * check passed and 1 otherwise; the test driver (/bin/testrun) reports any
 * other ending (a kill, a crash) as a failure of its own.
 */
#ifndef SYSGATE_TAP_H
#define SYSGATE_TAP_H

#include "sysgate.h"

void tap_begin(const char *program);
/* Records one check; returns cond so callers can chain. */
int tap_check(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Equality of two 64-bit values, printing both on failure. */
int tap_eq(uint64_t got, uint64_t want, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void tap_skip(const char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* How many checks have failed so far (a case run in a child process of
 * its own exits with it: the parent sees it in the wait status). */
int tap_failures(void);
/* Prints the plan; returns the exit status for main. */
int tap_end(void);

#endif
