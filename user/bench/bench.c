/*
 * /bin/bench (and /bin/bench32, the same source built for 32-bit code):
 * the measurement lab's guest program (docs/bench.md).
 *
 * Booted as init (`init=/bin/bench`) by tools/bench, it measures the round
 * trip of every door this width's interface page offers - int80,
 * callgate, syscall, sysenter, trap and the page's default entry - with
 * every argument way (registers, the argument page, the stack) for:
 *
 *   floor    the door switched to its bare entry+return stub
 *            (sg_bench_floor(mech, 1), switched back through another door)
 *   null     sg_null, the dispatcher's cheapest call
 *   getpid   getpid
 *   unknown  a number inside the dispatch table that no call has
 *            (SG_BENCH_UNKNOWN_NR, -ENOSYS)
 *   past     a number past the table (SG_BENCH_PAST_NR, -ENOSYS)
 *   write1   a 1-byte write to /dev/null (opened once, before measuring)
 *
 * and the `lock nop` query (answered by the #UD handler), and the vDSO's
 * functions, which answer without entering the kernel (clock_gettime of
 * CLOCK_MONOTONIC and of CLOCK_MONOTONIC_COARSE, gettimeofday, time,
 * getcpu, found through AT_SYSINFO_EHDR as a C library finds them) beside
 * clock_gettime as a system call through the default entry.  Then, when
 * /bin/bench32 exists, it runs it as a child to measure 32-bit processes
 * the same way.  Last come the lmbench-style rows of user/bench/lmbench.h
 * (signal install and catch, a pipe round trip between two processes,
 * fork+exit and fork+execve, each waited for) through the default entry,
 * before the 32-bit run.  Measuring is user/bench/measure.h: TSC deltas over
 * batches of BENCH_CALLS calls, minus the empty loop.  Under QEMU's
 * -icount shift=0 that is the exact instruction count of a round trip;
 * under KVM or on bare metal, TSC cycles.  This program does not know
 * which: the host says.
 *
 * Output: one `BENCH {...}` JSON line per figure, `BENCH-INFO {...}` about
 * the kernel and CPU, and `# bench: ...` progress lines.
 *
 * tools/bench --check-baseline (make test) compares every figure with tests/bench-baseline.
 *
 *   /bin/bench trace DOOR ARGS CALL   one round trip, twice (the second is
 *                                     the one tools/bench --trace follows)
 */
#include "../lib/files.h"
#include "../lib/signals.h"
#include "../lib/sysgate.h"
#include <sysgate/kip.h>
#include <sysgate/vvar.h>
#include <common/vdso_elf.h>
#include "measure.h"
#include "lmbench.h"

/* The loop body for every door: number in rax, call the stub. */
BENCH_LOOP(bench_loop_stub, BENCH_BODY_CALL_STUB);
/* The query: `lock nop` raises #UD and the kernel answers in rax, rdx, rcx. */
BENCH_LOOP(bench_loop_locknop, "    .byte 0xf0, 0x90");
/* The same bodies between two global labels, for tools/bench --trace, which
 * single-steps from the first to the second through QEMU's gdb stub: the
 * instructions it counts are the ones a figure counts. */
BENCH_LOOP(bench_trace_loop, ".globl bench_trace_start\nbench_trace_start:\n" BENCH_BODY_CALL_STUB
                             "\n.globl bench_trace_end\nbench_trace_end:");
BENCH_LOOP(bench_trace_locknop, ".globl bench_trace_locknop_start\nbench_trace_locknop_start:\n"
                                "    .byte 0xf0, 0x90\n.globl bench_trace_locknop_end\nbench_trace_locknop_end:");

/* The same loop and its empty one for the rdtsc door, whose TSD makes the
 * loop's own rdtsc fault: the TSC is read through the interface page's
 * __sg_rdtsc instead, whose rdtsc the kernel does for the thread
 * (kernel/entry/exception_doors.c).  The read's cost is in both loops
 * and cancels. */
uintptr_t bench_page_tsc;
#ifdef __x86_64__
#define BENCH_READ_PAGE_TSC "    call *bench_page_tsc(%rip)\n    mov %rax, %rdx\n    shr $32, %rdx"
#else
#define BENCH_READ_PAGE_TSC "    call *bench_page_tsc"
#endif
BENCH_LOOP_READ(bench_loop_stub_tsd, BENCH_BODY_CALL_STUB, BENCH_READ_PAGE_TSC);
BENCH_LOOP_READ(bench_loop_empty_tsd, "", BENCH_READ_PAGE_TSC);

#define MECH_DEFAULT SG_MECH_COUNT      /* the interface page's default entry */

enum way { WAY_REGS, WAY_PAGE, WAY_STACK, WAY_COUNT };
static const char *const way_names[WAY_COUNT] = { "registers", "page", "stack" };

enum call { CALL_FLOOR, CALL_NULL, CALL_GETPID, CALL_UNKNOWN, CALL_PAST, CALL_WRITE1, CALL_COUNT };
static const char *const call_names[CALL_COUNT] = { "floor", "null", "getpid", "unknown", "past", "write1" };

/* Two numbers no call has: one inside the Linux range of the dispatch
 * tables (Linux has none there on either width), one past every table
 * and below the argument-way flags (abi.h). */
#define SG_BENCH_UNKNOWN_NR 500
#define SG_BENCH_PAST_NR    0x00ffffff

static struct sg_info info;
static uint32_t mechanisms;     /* the doors this width may use */
static int default_door;        /* the door behind the default entry */
static long self_pid;
static unsigned batches = BENCH_BATCHES;
static uint64_t baseline;
static uint64_t baseline_tsd;   /* bench_loop_empty_tsd's, measured with TSD armed */
static const char one_byte[1] = { 'x' };
static long dev_null;          /* the descriptor write1 writes to */

static const char *mech_name(int m)
{
    return m == MECH_DEFAULT ? "default" : sg_mechanism_name(m);
}

/*
 * Every door has a floor stub for both widths (kernel/entry/floor.S): 32-bit
 * syscall's through CSTAR, 32-bit sysenter's returning with sysexitl to the
 * interface page's landing point.
 */
static int floor_fits(int door)
{
    (void)door;
    return 1;
}

/* sg_bench_floor through another door: while a door's floor is on, the
 * door itself no longer reaches the kernel.  The call gate is there for
 * both widths; syscall (for int80's own floor) only for 64-bit code. */
static long set_floor(int mech, int on)
{
    int other = mech != SG_MECH_INT80 ? SG_MECH_INT80 : SG_BITS == 64 ? SG_MECH_SYSCALL : SG_MECH_CALLGATE;
    return sg_syscall_via(other, SYS_sg_bench_floor, mech, on, 0, 0, 0, 0);
}

/* Fills in the call for one door, way and call, and says what one such
 * call must return. */
static void prepare(struct bench_call *c, uintptr_t stub, enum way way, enum call call, long *expect)
{
    struct sg_argpage *page = SG_ARGPAGE;
    uint64_t nr;
    memset(c, 0, sizeof *c);
    switch (call) {
    case CALL_GETPID:
        nr = SYS_getpid, *expect = self_pid;
        break;
    case CALL_UNKNOWN:
        nr = SG_BENCH_UNKNOWN_NR, *expect = -SG_ENOSYS;
        break;
    case CALL_PAST:
        nr = SG_BENCH_PAST_NR, *expect = -SG_ENOSYS;
        break;
    case CALL_WRITE1:
        nr = SYS_write, *expect = 1;
        c->a[0] = (unsigned long)dev_null, c->a[1] = (uintptr_t)one_byte, c->a[2] = 1;
        break;
    default:
        nr = SYS_sg_null, *expect = 0;
        break;
    }
    if (way == WAY_PAGE) {
        for (int i = 0; i < 6; i++)
            page->args[i] = c->a[i];
        memset(c->a, 0, sizeof c->a);
        nr |= SG_ARGS_PAGE;
    } else if (way == WAY_STACK) {
        nr |= SG_ARGS_STACK;
        c->stack = 1;
    }
    c->stub = stub;
    c->nr = nr;
    /* A floor returns at once with rax untouched. */
    if (call == CALL_FLOOR)
        *expect = (long)nr;
}

/* One call the way the loop makes it, for the check. */
static long call_once(const struct bench_call *c)
{
    if (c->stack)
        return sg_call_stub_stack((uintptr_t)c->stub, (long)c->nr, (long)c->a[0], (long)c->a[1], (long)c->a[2],
                                  (long)c->a[3], (long)c->a[4], (long)c->a[5]);
    return sg_call_stub((uintptr_t)c->stub, (long)c->nr, (long)c->a[0], (long)c->a[1], (long)c->a[2],
                        (long)c->a[3], (long)c->a[4], (long)c->a[5]);
}

static void measure(int mech, uintptr_t stub, enum way way, enum call call)
{
    struct bench_call c;
    struct bench_stats st;
    long expect, got;
    int door = mech == MECH_DEFAULT ? default_door : mech;

    prepare(&c, stub, way, call, &expect);
    bench_loop_fn loop = door == SG_MECH_RDTSC ? bench_loop_stub_tsd : bench_loop_stub;
    uint64_t base = door == SG_MECH_RDTSC ? baseline_tsd : baseline;
    if (call == CALL_FLOOR) {
        if (!floor_fits(door))
            return;
        /* Nothing may enter the kernel through `door` while its floor is
         * on: no printing until it is off again. */
        long on = set_floor(door, 1);
        got = call_once(&c);
        /* The rdtsc floor's loop reads the TSC through the floor's check
         * too: its empty loop is measured with the floor on. */
        if (on == 0 && door == SG_MECH_RDTSC)
            base = bench_baseline_of(bench_loop_empty_tsd, BENCH_CALLS, batches);
        if (on == 0)
            bench_measure(loop, &c, base, batches, &st);
        long off = set_floor(door, 0);
        if (on != 0 || off != 0) {
            printf("# bench: %s: sg_bench_floor failed (%s, %s)\n", mech_name(mech), sg_errno_name(on),
                   sg_errno_name(off));
            return;
        }
    } else {
        got = call_once(&c);
        bench_measure(loop, &c, base, batches, &st);
    }
    if (got != expect)
        printf("# bench: %s, %s, %s: one call returned %ld, expected %ld\n", mech_name(mech), way_names[way],
               call_names[call], got, expect);
    bench_report("sysgate", mech_name(mech), sg_mechanism_name(door), way_names[way], call_names[call], &st,
                 got == expect);
}

static void measure_query(void)
{
    struct bench_call c;
    struct bench_stats st;
    uintptr_t q_ax;
    memset(&c, 0, sizeof c);
    __asm__ volatile(".byte 0xf0, 0x90" : "=a"(q_ax) : "a"(0) : "ecx", "edx", "memory");
    bench_measure(bench_loop_locknop, &c, baseline, batches, &st);
    bench_report("sysgate", "trap", "trap", "none", "locknop", &st, q_ax == sg_kip);
}

/* /bin/bench trace DOOR ARGS CALL: the round trip tools/bench --trace
 * single-steps.  Run twice: the first pass touches every page it needs. */
static int trace(const char *door_name, const char *way_name, const char *call_name)
{
    int mech = -1, way = -1, call = -1;
    for (int m = 0; m <= MECH_DEFAULT; m++)
        if (!strcmp(door_name, mech_name(m)))
            mech = m;
    for (int w = 0; w < WAY_COUNT; w++)
        if (!strcmp(way_name, way_names[w]))
            way = w;
    for (int c = 0; c < CALL_COUNT; c++)
        if (!strcmp(call_name, call_names[c]))
            call = c;
    struct bench_call c;
    memset(&c, 0, sizeof c);
    if (!strcmp(call_name, "locknop")) {
        printf("# bench: trace: lock nop\n");
        bench_trace_locknop(&c, 1);
        bench_trace_locknop(&c, 1);
        printf("# bench: trace: done\n");
        return 0;
    }
    uintptr_t stub = mech < 0 ? 0 : mech == MECH_DEFAULT ? sg_kip_default() : sg_kip_stub(mech);
    if (mech == SG_MECH_RDTSC) {
        printf("# bench: trace: the rdtsc door's TSD would fault the traced loop's own rdtsc\n");
        return 2;
    }
    if (!stub || way < 0 || call < 0) {
        printf("# bench: trace: no such door, way or call here: %s %s %s\n", door_name, way_name, call_name);
        return 2;
    }
    long expect;
    int door = mech == MECH_DEFAULT ? default_door : mech;
    prepare(&c, stub, (enum way)way, (enum call)call, &expect);
    printf("# bench: trace: %d-bit %s %s %s: interface page at %#lx, stub at %#lx\n", SG_BITS, door_name, way_name,
           call_name, (unsigned long)sg_kip, (unsigned long)stub);
    long on = call == CALL_FLOOR ? set_floor(door, 1) : 0;
    bench_trace_loop(&c, 1);
    bench_trace_loop(&c, 1);
    long off = call == CALL_FLOOR ? set_floor(door, 0) : 0;
    printf("# bench: trace: done%s\n", on || off ? " (sg_bench_floor failed)" : "");
    return on || off ? 1 : 0;
}

/* The vDSO's time functions, and clock_gettime as a system call through
 * the default entry for comparison. */
static void measure_vdso(void)
{
    static struct {
        long sec, frac;
    } out;
    static unsigned cpu, node;
    struct vdso_elf elf;
    uintptr_t base = sg_auxv_get(SG_AT_SYSINFO_EHDR);
    if (!base || vdso_elf_open(&elf, (const void *)base, 0) != VDSO_ELF_OK) {
        printf("# bench: %d-bit: no vDSO\n", SG_BITS);
        return;
    }
    static const struct {
        const char *call, *symbol;
        int arg;        /* 0: (clock, &out); 1: (&out, NULL); 2: (NULL); 3: (&cpu, &node) */
        long clock;
    } fns[] = {
        { "clock_gettime", "__vdso_clock_gettime", 0, SG_CLOCK_MONOTONIC },
        { "clock_gettime_coarse", "__vdso_clock_gettime", 0, SG_CLOCK_MONOTONIC_COARSE },
        { "gettimeofday", "__vdso_gettimeofday", 1, 0 },
        { "time", "__vdso_time", 2, 0 },
        { "getcpu", "__vdso_getcpu", 3, 0 },
    };
    struct bench_call c;
    struct bench_stats st;
    for (unsigned i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        struct vdso_elf_sym sym;
        if (!vdso_elf_lookup(&elf, fns[i].symbol, "LINUX_2.6", VDSO_HASH_ANY, &sym)) {
            printf("# bench: %d-bit: the vDSO has no %s\n", SG_BITS, fns[i].symbol);
            continue;
        }
        memset(&c, 0, sizeof c);
        c.stub = base + sym.offset;
        c.a[0] = fns[i].arg == 0 ? (uint64_t)fns[i].clock : fns[i].arg == 1 ? (uintptr_t)&out
                 : fns[i].arg == 3 ? (uintptr_t)&cpu : 0;
        c.a[1] = fns[i].arg == 0 ? (uintptr_t)&out : fns[i].arg == 3 ? (uintptr_t)&node : 0;
        /* time() returns a long, the others an int: (int)got is their value. */
        long (*fn)(long, long) = (long (*)(long, long))(uintptr_t)c.stub;
        long got = fn((long)c.a[0], (long)c.a[1]);
        bench_measure(bench_loop_call_c2, &c, baseline, batches, &st);
        bench_report("sysgate", "vdso", "none", "none", fns[i].call, &st, fns[i].arg == 2 ? got > 0 : (int)got == 0);
    }
    memset(&c, 0, sizeof c);
    c.stub = sg_kip_default();
    c.nr = SYS_clock_gettime;
    c.a[0] = SG_CLOCK_MONOTONIC;
    c.a[1] = (uintptr_t)&out;
    long got = call_once(&c);
    bench_measure(bench_loop_stub, &c, baseline, batches, &st);
    bench_report("sysgate", "default", sg_mechanism_name(default_door), "registers", "clock_gettime", &st, got == 0);
}

int main(int argc, char **argv)
{
    sg_info(&info);
    mechanisms = SG_BITS == 64 ? info.mechanisms64 : info.mechanisms32;
    default_door = (int)(SG_BITS == 64 ? info.default64 : info.default32);
    self_pid = sys_getpid();
    dev_null = sys_open("/dev/null", O_WRONLY);
    /* With syscall=rdtsc every call arms this thread's TSD, and the
     * loops' own rdtsc would fault. */
    if (default_door == SG_MECH_RDTSC) {
        printf("# bench: %d-bit: the default entry is the rdtsc door: not measured\n", SG_BITS);
        return 1;
    }
    struct vdso_elf elf;
    struct vdso_elf_sym sym;
    uintptr_t vdso = sg_auxv_get(SG_AT_SYSINFO_EHDR);
    if (vdso && vdso_elf_open(&elf, (const void *)vdso, 0) == VDSO_ELF_OK &&
        vdso_elf_lookup(&elf, "__sg_rdtsc", "SYSGATE_1", VDSO_HASH_ANY, &sym))
        bench_page_tsc = vdso + sym.offset;
    if (argc == 5 && !strcmp(argv[1], "trace"))
        return trace(argv[2], argv[3], argv[4]);
    printf("BENCH-INFO {\"system\":\"sysgate\",\"bits\":%d,\"kernel\":\"%s\",\"vendor\":\"%s\",\"brand\":\"%s\","
           "\"family\":%u,\"model\":%u,\"hypervisor\":%s,\"default\":\"%s\",\"mechanisms\":\"",
           SG_BITS, info.version, info.vendor, info.model, info.family, info.model_id,
           info.hypervisor ? "true" : "false", sg_mechanism_name(default_door));
    for (int m = 0, first = 1; m < SG_MECH_COUNT; m++)
        if (mechanisms & (1u << m)) {
            printf("%s%s", first ? "" : ",", sg_mechanism_name(m));
            first = 0;
        }
    printf("\",\"calls_per_sample\":%u,\"samples\":%u}\n", (unsigned)BENCH_CALLS, batches);

    baseline = bench_baseline(batches);
    printf("# bench: %d-bit: empty loop: %llu per batch of %u (subtracted from every batch)\n", SG_BITS,
           (unsigned long long)baseline, (unsigned)BENCH_CALLS);
    uint64_t declined[3];
    sg_info(&info);
    memcpy(declined, info.fast_exit_declined, sizeof declined);

    for (int m = 0; m <= MECH_DEFAULT; m++) {
        uintptr_t stub = m == MECH_DEFAULT ? sg_kip_default() : sg_kip_stub(m);
        if (!stub) {
            printf("# bench: %d-bit: %s: not offered on this CPU\n", SG_BITS, mech_name(m));
            continue;
        }
        /* The rdtsc door arms CR4.TSD for this thread (its stub asks
         * prctl(PR_SET_TSC)), which would fault the loops' own rdtsc: its
         * rows read the TSC through the interface page, with their own
         * empty loop, and the thread is disarmed afterwards. */
        int tsd = m == SG_MECH_RDTSC;
        if (tsd) {
            if (!bench_page_tsc) {
                printf("# bench: %d-bit: %s: no __sg_rdtsc in the interface page: not measured\n", SG_BITS,
                       mech_name(m));
                continue;
            }
            sg_syscall(SYS_prctl, SG_PR_SET_TSC, SG_PR_TSC_SIGSEGV, 0, 0, 0, 0);
            baseline_tsd = bench_baseline_of(bench_loop_empty_tsd, BENCH_CALLS, batches);
            printf("# bench: %d-bit: %s: TSD armed; the TSC read through __sg_rdtsc: empty loop %llu per batch\n",
                   SG_BITS, mech_name(m), (unsigned long long)baseline_tsd);
        }
        if (m == MECH_DEFAULT)
            printf("# bench: %d-bit: default entry (%s)\n", SG_BITS, sg_mechanism_name(default_door));
        else
            printf("# bench: %d-bit: %s%s\n", SG_BITS, mech_name(m),
                   floor_fits(m) ? "" : " (no floor: the kernel has none for this width)");
        for (int w = 0; w < WAY_COUNT; w++)
            for (int call = 0; call < CALL_COUNT; call++)
                measure(m, stub, w, call);
        if (tsd)
            sg_syscall(SYS_prctl, SG_PR_SET_TSC, SG_PR_TSC_ENABLE, 0, 0, 0, 0);
    }
    printf("# bench: %d-bit: lock nop query\n", SG_BITS);
    measure_query();
    printf("# bench: %d-bit: vDSO\n", SG_BITS);
    measure_vdso();

    /* A fast exit that declined would have measured the iretq path. */
    sg_info(&info);
    printf("# bench: %d-bit: fast exits declined during the run: sysret %llu, sysexit %llu, lret %llu\n", SG_BITS,
           (unsigned long long)(info.fast_exit_declined[0] - declined[0]),
           (unsigned long long)(info.fast_exit_declined[1] - declined[1]),
           (unsigned long long)(info.fast_exit_declined[2] - declined[2]));

    /* Whole operations (they take slow exits: signal delivery, switches). */
    printf("# bench: %d-bit: lmbench-style rows through the default entry (%s)\n", SG_BITS,
           sg_mechanism_name(default_door));
    lmbench_run("sysgate", sg_mechanism_name(default_door));

#if SG_BITS == 64
    /* 32-bit processes, the same way, when the initrd has them. */
    {
        char *argv32[] = { "/bin/bench32", 0 };
        long st = sg_run("/bin/bench32", argv32);
        if (st == -SG_ENOENT)
            printf("# bench: no /bin/bench32: 32-bit processes not measured\n");
        else if (st < 0 || !SG_WIFEXITED(st) || SG_WEXITSTATUS(st) != 0)
            printf("# bench: /bin/bench32 failed (status %#lx)\n", st);
    }
    printf("# bench: done\n");
#endif
    return 0;
}
