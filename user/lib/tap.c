/* TAP output for the in-guest tests (tap.h). */
#include "tap.h"

static const char *program = "test";
static int count, failed;

void tap_begin(const char *name)
{
    /* The same test built for 32-bit code says so in every line. */
    static char named[64];
    snformat(named, sizeof named, SG_BITS == 64 ? "%s" : "%s32", name);
    program = named;
    count = failed = 0;
    printf("# %s\n", name);
}

static void report(int ok, const char *directive, const char *fmt, va_list ap)
{
    char what[256];
    vsnformat(what, sizeof what, fmt, ap);
    count++;
    if (!ok)
        failed++;
    printf("%sok %d - %s: %s%s\n", ok ? "" : "not ", count, program, what, directive);
}

int tap_check(int cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(cond, "", fmt, ap);
    va_end(ap);
    return cond;
}

int tap_eq(uint64_t got, uint64_t want, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(got == want, "", fmt, ap);
    va_end(ap);
    if (got != want)
        printf("#   got  %#llx (%lld)\n#   want %#llx (%lld)\n", (unsigned long long)got, (long long)got,
               (unsigned long long)want, (long long)want);
    return got == want;
}

void tap_skip(const char *why, const char *fmt, ...)
{
    char directive[160];
    snformat(directive, sizeof directive, " # SKIP %s", why);
    va_list ap;
    va_start(ap, fmt);
    report(1, directive, fmt, ap);
    va_end(ap);
}

void tap_diag(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    vsnformat(line, sizeof line, fmt, ap);
    va_end(ap);
    printf("# %s\n", line);
}

int tap_failures(void)
{
    return failed;
}

int tap_end(void)
{
    printf("1..%d\n", count);
    printf("# %s: %d passed, %d failed\n", program, count - failed, failed);
    return failed ? 1 : 0;
}
