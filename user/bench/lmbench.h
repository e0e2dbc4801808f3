/*
 * lmbench.h - lmbench-style latencies of whole operations, shared word for
 * word by sysgate's /bin/bench and /bin/bench32 (user/bench/bench.c) and the
 * Linux peer's /init and /init32 (tools/linux-bench/linux-bench.c), after
 * lmbench's lat_sig, lat_pipe and lat_proc (docs/bench.md, "lmbench-style
 * rows"):
 *
 *   sig_install  rt_sigaction(SIGUSR1, &act, &old)               lat_sig install
 *   sig_catch    kill(self, SIGUSR1), the handler (it counts), its
 *                return through the restorer and rt_sigreturn    lat_sig catch
 *   pipe         one byte to a child through one pipe and back
 *                through another: two context switches           lat_pipe
 *   fork_exit    fork; the child exit_group(0)s; wait4           lat_proc fork
 *   fork_exec    fork; the child execve()s /bin/bench-exit (or
 *                bench-exit32), which only exit_group(0)s
 *                (user/bench/bench-exit.S); wait4               lat_proc exec
 *
 * Every system call here goes through sg_syscall() (user/lib/syscall.S,
 * linked into both programs): `call *sg_kip_entry`.  On sysgate that is
 * the interface page's default entry (a jmp to the default door's stub);
 * the Linux peer points it at Linux's own default way in: a `syscall; ret`
 * stub in 64-bit code, the vDSO's __kernel_vsyscall (AT_SYSINFO) in 32-bit
 * code.  Handlers return through sg_restore_rt (user/lib/sigrestore.S, also
 * linked into both; rt_sigreturn by `syscall` or, 32-bit, `int $0x80`, as
 * the C libraries' restorers).
 *
 * One sample is a batch of `calls` calls of the operation's C function -
 * measure.h's bench_loop_call_c2, as the vDSO's functions are called -
 * minus the empty loop of as many turns, divided by `calls`; the median of
 * `batches` samples is the figure.  The C functions' own instructions are in
 * it on both systems (the same source, built with the same code-generation
 * flags: tools/bench.mk).  The batches are smaller than the round trips'
 * (a fork is hundreds of thousands of instructions): LAT_*_CALLS below.
 * Each call checks what it got (the result, the handler having run, the
 * byte, the child's status); one wrong result marks the figure "ok": false.
 * The rows are measured in a forked child (lmbench_run).
 *
 * The includer provides printf, sg_syscall, sg_restore_rt and SYS_<name>
 * for its width (sysgate: syscalls.def through user/lib/sysgate.h; Linux:
 * <sys/syscall.h>).
 */
#ifndef SYSGATE_BENCH_LMBENCH_H
#define SYSGATE_BENCH_LMBENCH_H

#include <stdint.h>
#include <sysgate/signal.h>
#include "measure.h"

#if BENCH_BITS == 64
typedef struct sg_sigaction64 lat_sigaction_t;
#define LAT_EXIT_PATH "/bin/bench-exit"
#else
typedef struct sg_sigaction32 lat_sigaction_t;
#define LAT_EXIT_PATH "/bin/bench-exit32"
#endif

static unsigned long lat_errors;        /* wrong results during one figure */
static volatile unsigned long lat_caught;       /* the handler's runs */
static lat_sigaction_t lat_act, lat_old;

static void lat_handler(int sig, void *info, void *uc)
{
    (void)sig, (void)info, (void)uc;
    lat_caught++;
}

static long lat_sig_install(long sig, long unused)
{
    (void)unused;
    if (sg_syscall(SYS_rt_sigaction, sig, (long)&lat_act, (long)&lat_old, 8, 0, 0) != 0)
        lat_errors++;
    return 0;
}

/* The signal is delivered on the way out of kill: the handler has run
 * when the call returns (kill(2): at least one signal is delivered before
 * it returns when a process signals itself). */
static long lat_sig_catch(long pid, long sig)
{
    unsigned long before = lat_caught;
    if (sg_syscall(SYS_kill, pid, sig, 0, 0, 0, 0) != 0 || lat_caught != before + 1)
        lat_errors++;
    return 0;
}

static long lat_pipe(long to_child, long from_child)
{
    char byte = 'x';
    if (sg_syscall(SYS_write, to_child, (long)&byte, 1, 0, 0, 0) != 1)
        lat_errors++;
    byte = 0;
    if (sg_syscall(SYS_read, from_child, (long)&byte, 1, 0, 0, 0) != 1 || byte != 'x')
        lat_errors++;
    return 0;
}

/* The child of lat_pipe: echoes every byte until the parent closes its end. */
static __attribute__((noreturn)) void lat_pipe_child(int from_parent, int to_parent)
{
    char byte;
    while (sg_syscall(SYS_read, from_parent, (long)&byte, 1, 0, 0, 0) == 1)
        sg_syscall(SYS_write, to_parent, (long)&byte, 1, 0, 0, 0);
    sg_syscall(SYS_exit_group, 0, 0, 0, 0, 0, 0);
    __builtin_unreachable();
}

static void lat_reap(long pid)
{
    int status = -1;
    if (sg_syscall(SYS_wait4, pid, (long)&status, 0, 0, 0, 0) != pid || status != 0)
        lat_errors++;
}

/* fork_exit (path 0) and fork_exec: the child ends at once or execve()s
 * path with argv (127 if that fails); the parent waits for it. */
static long lat_fork(long path, long argv)
{
    static char *const envp[] = { 0 };
    long pid = sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
    if (pid == 0) {
        if (path)
            sg_syscall(SYS_execve, path, argv, (long)envp, 0, 0, 0);
        sg_syscall(SYS_exit_group, path ? 127 : 0, 0, 0, 0, 0, 0);
    }
    if (pid < 0)
        lat_errors++;
    else
        lat_reap(pid);
    return 0;
}

/* One figure: `calls` calls of fn(a0, a1) per sample. */
static void lat_figure(const char *system, const char *door, const char *call, long (*fn)(long, long), long a0,
                       long a1, unsigned calls, unsigned batches)
{
    struct bench_call c = { .stub = (uintptr_t)fn, .a = { (uint64_t)a0, (uint64_t)a1 } };
    struct bench_stats st;
    uint64_t baseline = bench_baseline_calls(calls, batches);
    lat_errors = 0;
    bench_measure_calls(bench_loop_call_c2, &c, calls, baseline, batches, &st);
    bench_report(system, "default", door, "registers", call, &st, lat_errors == 0);
}

/* Calls per sample and samples of each row: samples short enough that a
 * timer tick lands in few of them (a fork is most of a million instructions
 * on sysgate, a fifth of one on Linux), enough of them for an honest median,
 * and both boots within seconds. */
#define LAT_SIG_CALLS   64
#define LAT_SIG_BATCHES 32
#define LAT_PIPE_CALLS  32
#define LAT_PIPE_BATCHES 32
#define LAT_PROC_CALLS  2
#define LAT_PROC_BATCHES 16

/* Every row, through `door` (the name of the system's default door). */
static void lmbench_rows(const char *system, const char *door)
{
    long self = sg_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
    lat_act.handler = (uintptr_t)lat_handler;
    lat_act.flags = SG_SA_SIGINFO | SG_SA_RESTORER;
    lat_act.restorer = (uintptr_t)sg_restore_rt;
    lat_figure(system, door, "sig_install", lat_sig_install, SG_SIGUSR1, 0, LAT_SIG_CALLS, LAT_SIG_BATCHES);
    lat_figure(system, door, "sig_catch", lat_sig_catch, self, SG_SIGUSR1, LAT_SIG_CALLS, LAT_SIG_BATCHES);

    int to_child[2], from_child[2];
    if (sg_syscall(SYS_pipe, (long)to_child, 0, 0, 0, 0, 0) != 0 ||
        sg_syscall(SYS_pipe, (long)from_child, 0, 0, 0, 0, 0) != 0) {
        printf("# %s: lmbench: pipe failed\n", system);
        return;
    }
    long child = sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
    if (child == 0) {
        sg_syscall(SYS_close, to_child[1], 0, 0, 0, 0, 0);
        sg_syscall(SYS_close, from_child[0], 0, 0, 0, 0, 0);
        lat_pipe_child(to_child[0], from_child[1]);
    }
    sg_syscall(SYS_close, to_child[0], 0, 0, 0, 0, 0);
    sg_syscall(SYS_close, from_child[1], 0, 0, 0, 0, 0);
    if (child > 0)
        lat_figure(system, door, "pipe", lat_pipe, to_child[1], from_child[0], LAT_PIPE_CALLS, LAT_PIPE_BATCHES);
    else
        printf("# %s: lmbench: fork failed (%ld)\n", system, child);
    sg_syscall(SYS_close, to_child[1], 0, 0, 0, 0, 0);
    sg_syscall(SYS_close, from_child[0], 0, 0, 0, 0, 0);
    if (child > 0)
        lat_reap(child);

    static char *const argv[] = { LAT_EXIT_PATH, 0 };
    lat_figure(system, door, "fork_exit", lat_fork, 0, 0, LAT_PROC_CALLS, LAT_PROC_BATCHES);
    lat_figure(system, door, "fork_exec", lat_fork, (long)LAT_EXIT_PATH, (long)argv, LAT_PROC_CALLS,
               LAT_PROC_BATCHES);
}

/* The rows are measured in a child, an ordinary process as lmbench's are:
 * the benchmark runs as init (pid 1) on both systems, and a signal to init
 * is a special case in both kernels (Linux's SIGNAL_UNKILLABLE; sysgate's
 * kill refuses pid 1 outright). */
static void lmbench_run(const char *system, const char *door)
{
    long pid = sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
    if (pid == 0) {
        lmbench_rows(system, door);
        sg_syscall(SYS_exit_group, 0, 0, 0, 0, 0, 0);
    }
    int status = -1;
    if (pid < 0 || sg_syscall(SYS_wait4, pid, (long)&status, 0, 0, 0, 0) != pid || status != 0)
        printf("# %s: lmbench: the measuring child failed (%ld, status %#x)\n", system, pid, status);
}

#endif
