/*
 * The kernel command line: space-separated words, each `key=value` or a
 * bare `key`.  Values run to the next space; a value may be quoted with
 * double quotes to contain spaces.  As on Linux, a word `--` ends the
 * kernel's part: the words after it are the first program's arguments.
 * Pure: host unit tests drive it.
 */
#ifndef SYSGATE_CMDLINE_H
#define SYSGATE_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/* Copies the value of the last `key=...` before any `--` into out (NUL terminated, cut to
 * size - 1).  Returns true when the key is present; a bare `key` yields "". */
bool cmdline_get(const char *cmdline, const char *key, char *out, size_t size);

/* The words after `--` (quotes removed), as Linux passes them to init as
 * argv[1...]: each copied NUL-terminated into buf (size bytes) and pointed
 * to from items[]; returns how many were stored (at most max; a word that
 * no longer fits in buf ends the list). */
int cmdline_init_args(const char *cmdline, char *buf, size_t size, char **items, int max);

/* Splits a comma-separated list in place: returns how many items were
 * stored in items[] (at most max); empty items are skipped. */
int cmdline_split_list(char *list, char **items, int max);

#endif
