/*
 * A small printf engine shared by the kernel and the user library.
 * Supports %d %i %u %x %X %p %s %c %% with flags -, 0 and #, width, precision
 * for strings, and the length modifiers l, ll, z, h, hh.
 */
#ifndef SYSGATE_FORMAT_H
#define SYSGATE_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*format_sink)(void *ctx, char c);

/* Formats into sink; returns the number of characters produced. */
int format(format_sink sink, void *ctx, const char *fmt, va_list ap);

/* Into a buffer, always NUL terminated when size > 0; returns the length
 * the full output would have had. */
int vsnformat(char *buf, size_t size, const char *fmt, va_list ap);
int snformat(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
