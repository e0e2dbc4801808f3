/*
 * Seeing what a program does: the system-call trace (`strace` on the kernel
 * command line) and the log of unimplemented calls (always on, once per
 * process and number).  docs/linux-abi.md shows both.
 */
#ifndef SYSGATE_TRACE_H
#define SYSGATE_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include "../entry/frame.h"

/* `strace` sets WORK_TRACE in percpu.work (entry/frame.h), the one word
 * the fast paths test: every system call then goes through the C
 * dispatcher. */
/* True while `strace` is on. */
extern bool syscall_tracing;

/* Reads `strace` from the kernel command line. */
void trace_init(const char *cmdline);

/* The call the frame describes has no handler: one log line per process
 * and number. */
void trace_unimplemented(const struct frame *f);

/* One strace-style line for a call made through frame f: its name (NULL:
 * not implemented), the sig column of syscalls.def (how to show each
 * argument), the arguments and the result.  `done` false: the call does
 * not return (exit): the line ends in "= ?". */
void trace_call(const struct frame *f, const char *name, const char *sig, const uint64_t a[6], long result,
                bool done);

#endif
