/* printf for user programs: formats into a buffer, one write per call. */
#include "sysgate.h"

struct out {
    char buf[512];
    size_t len;
};

static void flush(struct out *o)
{
    if (o->len)
        sys_write(1, o->buf, o->len);
    o->len = 0;
}

static void put(void *ctx, char c)
{
    struct out *o = ctx;
    if (o->len == sizeof o->buf)
        flush(o);
    o->buf[o->len++] = c;
}

int vprintf(const char *fmt, va_list ap)
{
    struct out o;
    o.len = 0;
    int n = format(put, &o, fmt, ap);
    flush(&o);
    return n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int puts(const char *s)
{
    return printf("%s\n", s);
}
