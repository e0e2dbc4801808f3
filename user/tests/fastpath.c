/*
 * fastpath: which calls take the fast path and which the full one
 * (docs/mechanisms.md, "The fast path"), through every door this width may
 * use.  The kernel counts the calls its C dispatcher - the full path - runs
 * for each process (sg_info's full_path_calls, and children_full_path_calls
 * for the children wait4 collected); sg_info is itself a FULL call, so two
 * reads in a row differ by one, and a call made between them adds one more
 * only when it took the full path.
 *
 * Hazards: a call that reads or rewrites the frame, blocks, schedules or
 * ends the process run on a fast path that saved part of the frame (Linux's
 * partial-frame bug, 2016); the trace or the argument ways losing their
 * effect on a fast path.  Expectations:
 *   - every FAST call of syscalls.def, arguments in registers: fast (+0);
 *   - every FULL call: full (+1), each called so that it harms nothing
 *     (full_ways below); exit and exit_group in a child, which reports the
 *     count it saw before calling them: collected, the child must have
 *     made one full call more;
 *   - a FAST call with its arguments on the stack or in the argument page:
 *     fast (+0), the page's result written back; a FULL call with the page
 *     way, both way flags at once, and a number past the tables asking for
 *     a way: full (+1);
 *   - an unknown number, in the tables or past them: logged the first time
 *     in a process (kernel/syscall/trace.c) - through the full path past
 *     the tables, and in them through the syscall door - fast after that.
 *
 *   /bin/tests/fastpath            the checks
 *   /bin/tests/fastpath end MECH NAME   (the child) exit through door MECH
 */
#include "../lib/tap.h"

#define PATH_FAST 1
#define PATH_FULL 0
static const struct call {
    const char *name;
    long nr;
    int fast;
} calls[] = {
#define SYSCALL(name, nr64, nr32, nargs, path, sig) { #name, SG_BITS == 64 ? (nr64) : (nr32), PATH_##path },
#include <sysgate/syscalls.def>
#undef SYSCALL
};

/* How each FULL call is made so that it does nothing: by default with -1
 * as its first argument and zeros after it - a bad descriptor, address,
 * id or length, refused before anything happens (-EBADF, -EFAULT,
 * -EINVAL); the calls listed here differently: their own arguments, END
 * for the calls that end the caller (made by a child), SKIP with the
 * reason for a call that cannot be made harmlessly. */
enum how { ARGS, END, SKIP };
static const struct full_way {
    const char *name;
    enum how how;
    long a[6];
    const char *why;
} full_ways[] = {
    { "exit", END, { 0 }, 0 },
    { "exit_group", END, { 0 }, 0 },
    { "wait4", ARGS, { -2 }, 0 },                     /* -EINVAL, never waits */
    { "kill", ARGS, { 0x7fffffff, 0 }, 0 },           /* -ESRCH */
    { "sg_shutdown", SKIP, { 0 }, "only the first program may stop the machine, and it would" },
    { "fork", SKIP, { 0 }, "no argument makes it harmless" },
    { "vfork", SKIP, { 0 }, "no argument makes it harmless" },
    { "clone", SKIP, { 0 }, "no argument makes it harmless" },
    { "pause", SKIP, { 0 }, "it waits for a signal" },
    { "sigsuspend", SKIP, { 0 }, "its mask is an argument by value: it waits for a signal" },
    { "rt_sigreturn", SKIP, { 0 }, "it loads the caller's registers from its stack (sigreturn.c: every door)" },
    { "sigreturn", SKIP, { 0 }, "it loads the caller's registers from its stack (sigreturn.c: every door)" },
    { "alarm", ARGS, { 0 }, 0 },                      /* cancels no alarm: there is none */
    { "ppoll", ARGS, { 0, 0x7fffffff }, 0 },          /* -EINVAL: more descriptors than allowed */
    { "ppoll_time64", ARGS, { 0, 0x7fffffff }, 0 },
};
static const struct full_way by_default = { "", ARGS, { -1 }, 0 };

static uint64_t full_count(void)
{
    struct sg_info info;
    sg_info(&info);
    return info.full_path_calls;
}

/* How many full-path calls one call through `mech` added. */
static uint64_t full_calls_of(int mech, long nr, const long *a)
{
    uint64_t before = full_count();
    sg_syscall_via(mech, nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    return full_count() - before - 1;
}

/* The same for a FAST call, which may still take the full path when work
 * was pending on its way in (a timer tick that landed in the kernel asks
 * for a reschedule, percpu.work): the fewest full-path calls of three
 * tries.  A FAST call can be repeated: it changes nothing. */
static uint64_t full_calls_of_fast(int mech, long nr, const long *a)
{
    uint64_t fewest = full_calls_of(mech, nr, a);
    for (int i = 0; i < 2 && fewest; i++) {
        uint64_t n = full_calls_of(mech, nr, a);
        if (n < fewest)
            fewest = n;
    }
    return fewest;
}

static const struct full_way *full_way_of(const char *name)
{
    for (size_t i = 0; i < sizeof full_ways / sizeof full_ways[0]; i++)
        if (!strcmp(full_ways[i].name, name))
            return &full_ways[i];
    return &by_default;
}

/* The argument page's way on the fast path writes the result into the
 * page as well as into the result register (abi.h): getpid's, a FAST
 * call. */
static void page_result_check(int mech, const char *door)
{
    struct sg_argpage *page = SG_ARGPAGE;
    page->result = 0x5a5a5a5a;
    long r = sg_syscall_via(mech, SYS_getpid | SG_ARGS_PAGE, 0, 0, 0, 0, 0, 0);
    tap_eq(r, sys_getpid(), "getpid with its arguments in the argument page via %s returns the pid", door);
    tap_eq(page->result, r, "... and writes it into the argument page");
}

/* The child: the count it saw, then the call that ends it. */
static int child_end(int mech, const char *name)
{
    /* The rdtsc and cpuid doors' first call in a thread arms them with a
     * system call of its own (kernel/kip/vdso/kip_stubs.S): made here,
     * before the count is read. */
    if (mech == SG_MECH_RDTSC || mech == SG_MECH_CPUID)
        sg_syscall_via(mech, SYS_getpid, 0, 0, 0, 0, 0, 0);
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
        if (!strcmp(calls[i].name, name)) {
            long seen = (long)(full_count() & 0x7f);
            sg_syscall_via(mech, calls[i].nr, seen, 0, 0, 0, 0, 0);
        }
    return 0x7f + 1;    /* the call did not end the process */
}

static uint64_t children_count(void)
{
    struct sg_info info;
    sg_info(&info);
    return info.children_full_path_calls;
}

/* A call that ends the caller, through `mech`, in a child: the child's
 * count when collected is one more than it saw just before that call when
 * the call took the full path. */
static void check_end(int mech, const struct call *c)
{
    uint64_t before = children_count();
    char m[4] = { (char)('0' + mech), 0 };
    char *argv[] = { "fastpath", "end", m, (char *)c->name, 0 };
    int status = 0;
    long pid = sg_spawn(SG_BITS == 64 ? "/bin/tests/fastpath" : "/bin/tests32/fastpath", argv);
    if (pid < 0 || sys_wait4((int)pid, &status, 0) != pid || !SG_WIFEXITED(status)) {
        tap_check(0, "%s via %s: the child ran and exited (pid %ld, status %#x)", c->name, sg_mechanism_name(mech),
                  pid, status);
        return;
    }
    uint64_t child = children_count() - before;
    tap_eq((uint64_t)SG_WEXITSTATUS(status), (child - 1) & 0x7f, "%s via %s takes the full path", c->name,
           sg_mechanism_name(mech));
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "end"))
        return child_end(argv[2][0] - '0', argv[3]);

    tap_begin("fastpath");
    struct sg_info info;
    sg_info(&info);
    uint32_t mechs = SG_BITS == 64 ? info.mechanisms64 : info.mechanisms32;
    static const long zero[6];

    int first = SG_BITS == 64 ? SG_MECH_SYSCALL : SG_MECH_INT80;
    /* The 64-bit syscall door's fast path and every 32-bit door's
     * (entry/compat_doors.S) save no number in a frame, so they log the
     * first through the full path (their tables' empty slots). */
    tap_eq(full_calls_of(first, 500, zero), 1, "the first unknown number in the table via %s is logged through the full path",
           sg_mechanism_name(first));
    tap_eq(full_calls_of(first, 0xffffff, zero), 1, "the first number past the tables takes the full path (logged)");

    for (int mech = 0; mech < SG_MECH_COUNT; mech++) {
        if (!(mechs & (1u << mech)))
            continue;
        const char *door = sg_mechanism_name(mech);
        for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
            const struct call *c = &calls[i];
            if (c->nr < 0)
                continue;
            if (c->fast) {
                tap_eq(full_calls_of_fast(mech, c->nr, zero), 0, "%s (FAST) via %s takes the fast path", c->name, door);
                continue;
            }
            const struct full_way *w = full_way_of(c->name);
            if (w->how == SKIP) {
                tap_skip(w->why, "%s (FULL) via %s", c->name, door);
            } else if (w->how == END) {
                check_end(mech, c);
            } else {
                tap_eq(full_calls_of(mech, c->nr, w->a), 1, "%s (FULL) via %s takes the full path", c->name, door);
            }
        }
        tap_eq(full_calls_of_fast(mech, SYS_sg_null | SG_ARGS_PAGE, zero), 0,
               "sg_null (FAST) with its arguments in the argument page via %s takes the fast path", door);
        tap_eq(full_calls_of_fast(mech, SYS_sg_null | SG_ARGS_STACK, zero), 0,
               "sg_null (FAST) with its arguments on the stack via %s takes the fast path", door);
        page_result_check(mech, door);
        struct sg_argpage *page = SG_ARGPAGE;
        page->args[0] = 0x7fffffff;
        for (int i = 1; i < 6; i++)
            page->args[i] = 0;
        tap_eq(full_calls_of(mech, SYS_kill | SG_ARGS_PAGE, zero), 1,
               "kill (FULL) with its arguments in the argument page via %s takes the full path", door);
        tap_eq(page->result, -SG_ESRCH, "... and its result (-ESRCH: no process 0x7fffffff) is in the page");
        tap_eq(full_calls_of(mech, SYS_sg_null | SG_ARGS_PAGE | SG_ARGS_STACK, zero), 1,
               "sg_null with both way flags via %s takes the full path (-ENOSYS there)", door);
        tap_eq(full_calls_of(mech, 0xffffff | SG_ARGS_PAGE, zero), 1,
               "a number past the tables with the argument-page flag via %s takes the full path", door);
        tap_eq(full_calls_of_fast(mech, 0xffffff, zero), 0,
               "a number past the tables via %s, once logged: -ENOSYS on the fast path", door);
        tap_eq(full_calls_of_fast(mech, 500, zero), 0, "an unknown number in the table via %s, once logged: the fast path",
               door);
    }
    return tap_end();
}
