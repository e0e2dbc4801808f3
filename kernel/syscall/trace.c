/*
 * The system-call trace and the unimplemented-call log.
 *
 * A trace line, one per call, in strace's manner (strace(1)):
 *
 *   [pid 3 32 sysenter] write(1, "hello\n", 6) = 6
 *   [pid 3 64 syscall] openat(-100, "/nope", 0, 0) = -1 ENOENT (No such file or directory)
 *
 * pid, the caller's width, the door it came through (the frame's entry
 * tag), the call's name, its arguments shown as the sig column of
 * include/sysgate/syscalls.def says, and the result or the errno's name
 * and description.  The names of calls sysgate does not implement, and of
 * errnos, come from tables generated from the Linux headers
 * (tools/gen-linux-names).
 */
#include "trace.h"
#include "uaccess.h"
#include "../arch/selectors_msrs.h"
#include "../entry/entry.h"
#include "../lib/cmdline.h"
#include "../proc/proc.h"
#include <sysgate/abi.h>
#include <common/format.h>

#include "linux_names.h"

bool syscall_tracing;

void trace_init(const char *cmdline)
{
    if (cmdline_get(cmdline, "strace", 0, 0)) {
        syscall_tracing = true;
        percpu0.work |= WORK_TRACE;   /* every call through the C dispatcher */
        printk("trace: every system call of every process is logged (strace)\n");
    }
}

static const char *linux_name(bool compat, uint64_t nr)
{
    if (compat)
        return nr < ARRAY_SIZE(linux_names32) ? linux_names32[nr] : 0;
    return nr < ARRAY_SIZE(linux_names64) ? linux_names64[nr] : 0;
}

static bool frame_compat(const struct frame *f)
{
    return f->cs == USER32_CS;
}

static uint64_t frame_nr(const struct frame *f)
{
    uint64_t number = frame_compat(f) ? (uint32_t)f->rax : f->rax;
    return number & ~(uint64_t)SG_ARGS_MASK;
}

/* The first call of an unimplemented number in a process: the bit, the
 * doors' tables (which answer its next calls at once: dispatch.c), the
 * line.  Out of line: the calls after the first only test the bit. */
static __attribute__((noinline)) void log_unimplemented(struct proc *p, bool compat, uint64_t nr, uint64_t bit)
{
    p->unimplemented_logged[bit / 64] |= 1ull << (bit % 64);
    fast_tables_show(p->unimplemented_logged, ++p->unimplemented_count);
    if (bit == UNIMPLEMENTED_PAST) {
        printk("pid %d (%s): system call number %#lx is neither Linux's nor sysgate's -> -ENOSYS "
               "(further ones not logged)\n", p->pid, p->name, nr);
        return;
    }
    const char *name = nr < LINUX_NR_MAX ? linux_name(compat, nr) : 0;
    printk("pid %d (%s): unimplemented %ssystem call %lu %s -> -ENOSYS\n", p->pid, p->name,
           compat ? "i386 " : "", nr, name ? name : "(no Linux call)");
}

void trace_unimplemented(const struct frame *f)
{
    struct proc *p = current_proc();
    bool compat = frame_compat(f);
    uint64_t nr = frame_nr(f);
    uint64_t bit = nr < SYSCALL_TABLE_SIZE ? nr : UNIMPLEMENTED_PAST;
    if (!(p->unimplemented_logged[bit / 64] & (1ull << (bit % 64))))
        log_unimplemented(p, compat, nr, bit);
}

/* ---- one trace line ---- */

struct line {
    char buf[320];
    size_t len;
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct line *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (l->len < sizeof l->buf) {
        int n = vsnformat(l->buf + l->len, sizeof l->buf - l->len, fmt, ap);
        l->len += n > 0 ? (size_t)n : 0;
        if (l->len > sizeof l->buf - 1)
            l->len = sizeof l->buf - 1;
    }
    va_end(ap);
}

#define SHOW_BYTES 32   /* strace's default string limit (-s 32) */

/* Bytes as strace quotes them: C escapes, \ooo for the rest, "..." when
 * cut. */
static void add_quoted(struct line *l, const char *s, size_t n, bool cut)
{
    add(l, "\"");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '\n': add(l, "\\n"); break;
        case '\t': add(l, "\\t"); break;
        case '\r': add(l, "\\r"); break;
        case '"': add(l, "\\\""); break;
        case '\\': add(l, "\\\\"); break;
        default:
            if (c >= 0x20 && c < 0x7f)
                add(l, "%c", c);
            else
                add(l, "\\%o", c);
        }
    }
    add(l, cut ? "\"..." : "\"");
}

static void add_string(struct line *l, uint64_t ptr)
{
    char s[SHOW_BYTES + 1];
    if (!ptr) {
        add(l, "NULL");
        return;
    }
    long n = strncpy_from_user(s, ptr, sizeof s);
    if (n == -SG_EFAULT)
        add(l, "%#lx", ptr);
    else if (n < 0)         /* longer than SHOW_BYTES */
        add_quoted(l, s, SHOW_BYTES, true);
    else
        add_quoted(l, s, (size_t)n, false);
}

/* A buffer: as much as the call moved (its result), else its address. */
static void add_buffer(struct line *l, uint64_t ptr, long result)
{
    char s[SHOW_BYTES];
    size_t n = result > SHOW_BYTES ? SHOW_BYTES : result > 0 ? (size_t)result : 0;
    if (!ptr) {
        add(l, "NULL");
        return;
    }
    if (result < 0 || copy_from_user(s, ptr, n)) {
        add(l, "%#lx", ptr);
        return;
    }
    add_quoted(l, s, n, (uint64_t)result > n);
}

static void add_arg(struct line *l, char how, uint64_t v, bool compat, long result)
{
    switch (how) {
    case 'd':
        add(l, "%ld", compat ? (long)(int32_t)v : (long)v);
        break;
    case 'f':
        add(l, "%d", (int)v);
        break;
    case 'u':
        add(l, "%lu", v);
        break;
    case 'o':
        add(l, "%#lo", v);
        break;
    case 'p':
        if (v)
            add(l, "%#lx", v);
        else
            add(l, "NULL");
        break;
    case 's':
        add_string(l, v);
        break;
    case 'b':
        add_buffer(l, v, result);
        break;
    default:        /* 'x', and any letter this file does not know yet */
        add(l, "%#lx", v);
        break;
    }
}

void trace_call(const struct frame *f, const char *name, const char *sig, const uint64_t a[6], long result,
                bool done)
{
    struct line l = { .len = 0 };
    bool compat = frame_compat(f);
    uint64_t nr = frame_nr(f);
    add(&l, "[pid %d %d %s] ", current_proc()->pid, compat ? 32 : 64,
        entry_mechanism_name(entry_mechanism_of(f)));
    if (!name)
        name = linux_name(compat, nr);
    if (name) {
        add(&l, "%s(", name);
    } else {
        add(&l, "syscall_%#lx(", nr);
    }
    if (!sig)           /* not implemented: the raw registers */
        sig = "xxxxxx";
    for (int i = 0; sig && sig[i] && i < 6; i++) {
        if (i)
            add(&l, ", ");
        add_arg(&l, sig[i], a[i], compat, result);
    }
    if (!done)
        add(&l, ") = ?");
    else if (result < 0 && result >= -4095) {
        long e = -result;
        const char *en = e < (long)ARRAY_SIZE(linux_errnos) ? linux_errnos[e].name : 0;
        add(&l, ") = -1 %s (%s)", en ? en : "E?", en ? linux_errnos[e].text : "unknown error");
    } else if (result >= 0 && result < 0x10000) {
        add(&l, ") = %ld", result);
    } else {
        add(&l, ") = %#lx", (uint64_t)result);
    }
    printk("%s\n", l.buf);
}
