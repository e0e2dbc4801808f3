/* The printf engine (format.h), shared by the kernel and the user library. */
#include "format.h"
#include <stdint.h>

static int emit_number(format_sink sink, void *ctx, uint64_t value, int negative,
                       unsigned base, int upper, int width, int zero_pad, int left)
{
    char digits[24];
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int n = 0, count = 0;

    do {
        digits[n++] = set[value % base];
        value /= base;
    } while (value);

    int len = n + negative;
    if (negative && zero_pad) {
        sink(ctx, '-');
        count++;
    }
    if (!left)
        for (; len < width; width--, count++)
            sink(ctx, zero_pad ? '0' : ' ');
    if (negative && !zero_pad) {
        sink(ctx, '-');
        count++;
    }
    while (n)
        sink(ctx, digits[--n]), count++;
    if (left)
        for (; len < width; width--, count++)
            sink(ctx, ' ');
    return count;
}

int format(format_sink sink, void *ctx, const char *fmt, va_list ap)
{
    int count = 0;

    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            sink(ctx, *fmt);
            count++;
            continue;
        }
        fmt++;
        int left = 0, zero_pad = 0, alternate = 0, width = 0, precision = -1, longness = 0;
        for (;; fmt++) {
            if (*fmt == '-')
                left = 1;
            else if (*fmt == '#')
                alternate = 1;
            else if (*fmt == '0')
                zero_pad = 1;
            else
                break;
        }
        if (*fmt == '*') {
            width = va_arg(ap, int);
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        if (*fmt == '.') {
            fmt++;
            precision = 0;
            if (*fmt == '*') {
                precision = va_arg(ap, int);
                fmt++;
            }
            while (*fmt >= '0' && *fmt <= '9')
                precision = precision * 10 + (*fmt++ - '0');
        }
        /* Length: l = long, ll/j = 64 bits, z = size_t; long and size_t
         * are 32 bits wide in 32-bit programs. */
        for (;; fmt++) {
            if (*fmt == 'l')
                longness++;
            else if (*fmt == 'j')
                longness = 2;
            else if (*fmt == 'z')
                longness = sizeof(size_t) == 8 ? 2 : 0;
            else if (*fmt == 'h')
                ;
            else
                break;
        }
        if (longness == 1 && sizeof(long) == 8)
            longness = 2;
        if (left)
            zero_pad = 0;

        switch (*fmt) {
        case 'd':
        case 'i': {
            int64_t v = longness == 2 ? va_arg(ap, int64_t) : longness == 1 ? va_arg(ap, long) : va_arg(ap, int);
            uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
            count += emit_number(sink, ctx, mag, v < 0, 10, 0, width, zero_pad, left);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = longness == 2   ? va_arg(ap, uint64_t)
                         : longness == 1 ? va_arg(ap, unsigned long)
                                         : va_arg(ap, unsigned);
            unsigned base = *fmt == 'u' ? 10 : 16;
            if (alternate && base == 16 && v) {
                sink(ctx, '0');
                sink(ctx, *fmt == 'X' ? 'X' : 'x');
                count += 2;
                width -= 2;
            }
            count += emit_number(sink, ctx, v, 0, base, *fmt == 'X', width, zero_pad, left);
            break;
        }
        case 'p': {
            uint64_t v = (uint64_t)(uintptr_t)va_arg(ap, void *);
            sink(ctx, '0');
            sink(ctx, 'x');
            count += 2 + emit_number(sink, ctx, v, 0, 16, 0, 2 * sizeof(void *), 1, 0);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            int len = 0;
            while (s[len] && (precision < 0 || len < precision))
                len++;
            if (!left)
                for (; len < width; width--, count++)
                    sink(ctx, ' ');
            for (int i = 0; i < len; i++, count++)
                sink(ctx, s[i]);
            if (left)
                for (; len < width; width--, count++)
                    sink(ctx, ' ');
            break;
        }
        case 'c':
            sink(ctx, (char)va_arg(ap, int));
            count++;
            break;
        case '%':
            sink(ctx, '%');
            count++;
            break;
        case '\0':
            return count;
        default:
            sink(ctx, '%');
            sink(ctx, *fmt);
            count += 2;
            break;
        }
    }
    return count;
}

struct buffer_sink {
    char *buf;
    size_t size;
    size_t len;
};

static void buffer_put(void *ctx, char c)
{
    struct buffer_sink *b = ctx;
    if (b->len + 1 < b->size)
        b->buf[b->len] = c;
    b->len++;
}

int vsnformat(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct buffer_sink b = { buf, size, 0 };
    int n = format(buffer_put, &b, fmt, ap);
    if (size)
        buf[b.len < size ? b.len : size - 1] = '\0';
    return n;
}

int snformat(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnformat(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
