/*
 * The kernel command line: space-separated words, each `key=value` or a
 * bare `key`.  Values run to the next space; a value may be quoted with
 * double quotes to contain spaces.  Pure: host unit tests drive it.
 */
#ifndef SYSGATE_CMDLINE_H
#define SYSGATE_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/* Copies the value of the last `key=...` into out (NUL terminated, cut to
 * size - 1).  Returns true when the key is present; a bare `key` yields "". */
bool cmdline_get(const char *cmdline, const char *key, char *out, size_t size);

/* Splits a comma-separated list in place: returns how many items were
 * stored in items[] (at most max); empty items are skipped. */
int cmdline_split_list(char *list, char **items, int max);

#endif
