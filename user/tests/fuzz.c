/*
 * fuzz: bad input never takes the kernel down.  For every door this
 * process's width has, a child makes thousands of system calls with
 * numbers and arguments drawn from a hostile pool - kernel addresses,
 * non-canonical ones, unmapped ones, the child's own text and interface
 * page, a scratch buffer, the argument page, all ones, small integers,
 * random paths through the file fixture's directories and symlinks - in
 * registers, in the argument page and on the stack (the number's SG_ARGS_*
 * flags are drawn too).  Every child must get through all its calls and
 * exit normally, and the kernel must answer the parent afterwards.  The
 * generator is a fixed xorshift, so every run makes the same calls.
 *
 * `fuzz` makes 20000 calls per door (make test); `fuzz:N` makes N (make
 * soak: ten million), and says how many calls per second each child made.
 *
 * Left out of the draw, because they would end, stall or blind the child
 * rather than test the kernel: exit, exit_group, kill, nanosleep,
 * clock_nanosleep, poll and the select family (a valid-looking time can be
 * a million seconds, none at all is for ever; console.c gives poll its
 * hostile input, procs.c tests select), sg_setcontext (a
 * valid-looking context jumps anywhere; regs.c tests it), sg_bench_floor
 * (a floor turns a door off; mechanisms.c tests it), sg_set_debugreg (a
 * breakpoint on its own text ends the child; debugreg.c tests it), the
 * memory calls that could unmap or reprotect the child's own text and stack
 * (mmap, munmap, mprotect, madvise: memory.c fuzzes them inside a sandbox),
 * and
 * prlimit64 (a hostile pid can be init's: it would change the limits every
 * later test inherits; linux.c tests it with hostile input), fork, vfork
 * clone and clone3 (children would multiply), execve and execveat (it would replace the
 * child), pipe and pipe2 (a read of the child's own empty pipe blocks for
 * ever), futex (a FUTEX_WAIT without timeout can sleep for ever), tkill,
 * tgkill, rt_sigqueueinfo and rt_tgsigqueueinfo (as kill), rseq (a hostile
 * area the kernel cannot write when the child next returns to user mode is
 * a SIGSEGV, as on Linux; rseq.c gives it hostile input) - procs.c fuzzes
 * the process and thread calls in a
 * bounded way - and the signal calls that would end the child, jump
 * anywhere or wait for ever (sigreturn: the sigreturn test fuzzes it with
 * frames that come back; handlers, suspends, waits and alarms: signals.c).  The
 * child first puts /dev/null on its descriptors 0, 1 and 2, so that no
 * hostile write or ioctl reaches the console; the file calls get its open
 * files, the fixture's and a directory among the hostile small integers.
 *
 * The signal and process calls left out above get a bounded child of their
 * own (`fuzz sig N`): rt_sigaction with hostile signals, structures,
 * handlers and flags, rt_sigprocmask, sigaltstack, rt_sigpending,
 * rt_sigtimedwait (never waiting), kill, tgkill, rt_sigqueueinfo and
 * rt_tgsigqueueinfo (a hostile siginfo) of itself (no stop
 * signal: nothing would continue it), setitimer, fork and clone3 children
 * that exit at once, wait4 and waitid with hostile options (never
 * blocking).  A hostile handler may end it; the kernel must answer after.
 *
 * Now and then the rdtsc and cpuid doors' per-thread switches (prctl
 * PR_SET_TSC, arch_prctl ARCH_SET_CPUID) are flipped between the calls.
 *
 * The exception doors (from SG_MECH_FIRST_EXCEPTION on) get a second kind
 * of hostility: a child per byte of the stub (up to the next stub, 16 to
 * 64 bytes) jumps into the stub at that byte with every register but the stack pointer hostile -
 * mid-instruction, past the instruction, at the divisor; the number is
 * getpid's (the hostile numbers are the first kind's: here a hostile kill
 * could reach the test driver).  The child may return or die; the kernel
 * must answer afterwards.
 */
#include "../lib/files.h"
#include "../lib/signals.h"
#include "../lib/tap.h"
#include "../lib/xorshift.h"

static uint64_t state = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
    return xorshift64(&state);
}

static void text_marker(void) {}

static uint8_t scratch[8192];

/* A path of random components, some of them the fixture's symlinks and
 * loops, for the file calls' path resolution. */
static char path_buf[512];

static uintptr_t random_path(void)
{
    static const char *const parts[] = { "", ".", "..", "fixture", "link", "loop1", "dirlink", "abslink", "dir",
                                         "sub", "deep.txt", "dev", "null", "hello.txt", "x" };
    size_t len = 0;
    for (int n = (int)(next() % 12); n >= 0; n--) {
        const char *part = parts[next() % (sizeof parts / sizeof parts[0])];
        size_t pl = strlen(part);
        if (len + pl + 2 >= sizeof path_buf)
            break;
        if (next() % 2)
            path_buf[len++] = '/';
        memcpy(path_buf + len, part, pl);
        len += pl;
    }
    path_buf[len] = 0;
    return (uintptr_t)path_buf;
}

static unsigned long hostile(void)
{
    switch (next() % 13) {
    case 11: return random_path();
    case 0: return 0;
    case 1: return 1;
    case 2: return (unsigned long)-1;
    case 3: return (unsigned long)next() % 4096;
    case 4: return (unsigned long)0xffffffff80100000ull;       /* the kernel (64-bit) */
    case 5: return (unsigned long)0x0000800000000000ull;       /* non-canonical (64-bit) */
    case 6: return 0x10000000ul;                               /* unmapped */
    case 7: return (uintptr_t)text_marker;                     /* read-only text */
    case 8: return (uintptr_t)scratch + (next() % sizeof scratch);  /* writable */
    case 9: return sg_kip + (next() % 4096);                   /* the interface page */
    case 10: return (uintptr_t)SG_ARGPAGE;
    default: return (unsigned long)next();
    }
}

static int excluded(unsigned long nr)
{
    return nr == SYS_exit || nr == SYS_exit_group || nr == SYS_kill || nr == SYS_nanosleep || nr == SYS_poll ||
           nr == (unsigned long)SYS_clock_nanosleep || nr == (unsigned long)SYS_clock_nanosleep_time64 ||
           nr == SYS_sg_setcontext || nr == SYS_sg_shutdown || nr == SYS_sg_bench_floor ||
           nr == SYS_sg_set_debugreg ||
           nr == SYS_munmap || nr == SYS_mprotect || nr == SYS_madvise || nr == SYS_mremap || nr == SYS_prlimit64 ||
           nr == SYS_fork || nr == SYS_vfork || nr == SYS_clone || nr == SYS_execve || nr == SYS_pipe ||
           nr == SYS_pipe2 || nr == SYS_futex || nr == SYS_tkill || nr == SYS_tgkill ||
           nr == SYS_rt_sigqueueinfo || nr == SYS_rt_tgsigqueueinfo ||
           nr == (unsigned long)SYS_futex_time64 ||
           nr == SYS_rt_sigreturn || nr == SYS_rt_sigaction || nr == SYS_rt_sigsuspend || nr == SYS_pause ||
           nr == SYS_rt_sigtimedwait || nr == SYS_alarm || nr == SYS_setitimer ||
           nr == (unsigned long)SYS_sigreturn || nr == (unsigned long)SYS_sigaction ||
           nr == (unsigned long)SYS_signal || nr == (unsigned long)SYS_sigsuspend ||
           nr == (unsigned long)SYS_rt_sigtimedwait_time64 ||
           nr == (unsigned long)SYS_select || nr == (unsigned long)SYS__newselect ||
           nr == (unsigned long)SYS_old_select || nr == SYS_pselect6 || nr == SYS_ppoll ||
           nr == (unsigned long)SYS_pselect6_time64 || nr == (unsigned long)SYS_ppoll_time64 ||
           nr == SYS_clone3 || nr == SYS_execveat || nr == SYS_rseq ||
           /* -1 where this width has no such call */
           nr == (unsigned long)SYS_mmap || nr == (unsigned long)SYS_mmap2 || nr == (unsigned long)SYS_old_mmap;
}

static int fuzz(int mech, int calls)
{
    uintptr_t stub = sg_kip_stub(mech);
    static const unsigned long known[] = {
        SYS_read, SYS_write, SYS_sched_yield, SYS_getpid, SYS_wait4, SYS_uname, SYS_sg_null, SYS_sg_info,
        SYS_sg_spawn, SYS_sg_echo6, SYS_sg_bench_floor, SYS_open, SYS_openat, SYS_close, SYS_stat, SYS_fstat,
        SYS_lstat, SYS_lseek, SYS_ioctl, SYS_pread64, SYS_pwrite64, SYS_readv, SYS_writev, SYS_access, SYS_dup,
        SYS_dup2, SYS_dup3, SYS_fcntl, SYS_getdents, SYS_getdents64, SYS_getcwd, SYS_chdir, SYS_fchdir,
        SYS_readlink, SYS_readlinkat, SYS_faccessat, SYS_faccessat2, SYS_statx, SYS_gettimeofday, SYS_time,
        SYS_clock_gettime, SYS_clock_getres, SYS_arch_prctl, SYS_set_thread_area, SYS_get_thread_area,
        SYS_modify_ldt, SYS_sg_get_debugreg, SYS_sendfile, SYS_getcpu,
#ifdef __x86_64__
        SYS_newfstatat,
#else
        SYS__llseek, SYS_stat64, SYS_lstat64, SYS_fstat64, SYS_fcntl64, SYS_fstatat64, SYS_sendfile64,
#endif
    };
    /* No descriptor of the child reaches the console; some reach files. */
    long null = sys_open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3; fd++)
        sys_dup2((int)null, fd);
    sys_open("/fixture/data.bin", O_RDONLY);
    sys_open("/fixture/dir", O_RDONLY | O_DIRECTORY);
    sys_open("/fixture", O_PATH);
    for (int i = 0; i < calls; i++) {
        unsigned long nr;
        switch (next() % 4) {
        case 0: nr = (unsigned long)next(); break;
        case 1: nr = next() % 600; break;
        case 2: nr = SG_PRIVATE_BASE + next() % (SG_PRIVATE_COUNT + 8); break;
        default: nr = known[next() % (sizeof known / sizeof known[0])]; break;
        }
        if (excluded(nr & ~(unsigned long)SG_ARGS_MASK))
            continue;
        /* The per-thread switches of the rdtsc and cpuid doors, flipped
         * under the calls (modes valid and not, a hostile buffer): their
         * stubs arm again by themselves, and no other door may care. */
        if (next() % 16 == 0) {
            unsigned long mode = next() % 2 ? next() % 4 : hostile();
            sg_call_stub(stub, SYS_prctl, next() % 2 ? SG_PR_SET_TSC : SG_PR_GET_TSC, (long)mode, 0, 0, 0, 0);
            sg_call_stub(stub, SYS_arch_prctl, next() % 2 ? SG_ARCH_SET_CPUID : SG_ARCH_GET_CPUID,
                         (long)(next() % 3), 0, 0, 0, 0);
        }
        unsigned long way = next() % 8 == 0 ? SG_ARGS_STACK : next() % 8 == 0 ? SG_ARGS_PAGE : 0;
        unsigned long a[6];
        for (int j = 0; j < 6; j++)
            a[j] = hostile();
        for (int j = 0; j < 6; j++)
            SG_ARGPAGE->args[j] = hostile();
        if (way == SG_ARGS_STACK)
            sg_call_stub_stack(stub, (long)(nr | way), (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4],
                               (long)a[5]);
        else
            sg_call_stub(stub, (long)(nr | way), (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4],
                         (long)a[5]);
    }
    return 0;
}

/* Jumps into an exception door's stub at byte `at` with hostile
 * registers (the stack pointer kept); returns if the stub returns.  The
 * target and the frame pointer's value are globals: absolute or
 * RIP-relative operands, valid whatever the push did to the stack. */
static unsigned long jump_target, jump_bp;
static void jump_into(int mech, int at)
{
    jump_target = sg_kip_stub(mech) + (unsigned long)at;
    jump_bp = hostile();
    unsigned long r[5];
    for (int j = 0; j < 5; j++)
        r[j] = hostile();
    unsigned long nr = SYS_getpid;
#ifdef __x86_64__
    __asm__ volatile("push %%rbp\n mov %1, %%rbp\n call *%2\n pop %%rbp"
                     : "+a"(nr) : "m"(jump_bp), "m"(jump_target), "b"(r[1]), "c"(r[2]), "d"(r[3]), "S"(r[4]),
                       "D"(r[0])
                     : "r8", "r9", "r10", "r11", "memory", "cc");
#else
    __asm__ volatile("push %%ebp\n mov %1, %%ebp\n call *%2\n pop %%ebp"
                     : "+a"(nr) : "m"(jump_bp), "m"(jump_target), "b"(r[1]), "c"(r[2]), "d"(r[3]), "S"(r[4]),
                       "D"(r[0])
                     : "memory", "cc");
#endif
}

/* How many bytes an exception door's stub spans: up to the next stub in
 * the page (at least 16, the stubs' alignment; the pf stub has its loads
 * past its first 16), at most 64. */
static int stub_span(int mech)
{
    uintptr_t stub = sg_kip_stub(mech), span = 64;
    for (int m = 0; m < SG_MECH_COUNT; m++) {
        uintptr_t other = sg_kip_stub(m);
        if (other > stub && other - stub < span)
            span = other - stub;
    }
    return span < 16 ? 16 : (int)span;
}

/* A signal number: mostly valid, sometimes not; never a stop signal. */
static long hostile_signal(void)
{
    long sig = (long)(next() % 8 ? next() % 65 : next() % 200) - (next() % 16 == 0 ? 100 : 0);
    return sig >= 19 && sig <= 22 ? 10 : sig;
}

/* A handler that returns - but not from a fault's signal: a hostile
 * handler address (data, say) faults at its first instruction, and a
 * SIGSEGV handler that returned would resume it to fault again, for ever
 * (as on Linux). */
static void counting_handler(int sig)
{
    if (sig == SG_SIGSEGV || sig == SG_SIGBUS || sig == SG_SIGILL || sig == SG_SIGFPE || sig == SG_SIGTRAP)
        sys_exit(0);
}

/* A struct sigaction of this width (kernel layout): mostly one that lets
 * the child go on - a harmless handler or SIG_IGN, SA_RESTORER with the
 * library's restorer, some of the SA_* flags - sometimes hostile in every
 * field (its delivery may end the child). */
static unsigned long act[5];
static void draw_action(void)
{
    unsigned long handler = next() % 2 ? (uintptr_t)counting_handler : next() % 2 ? SG_SIG_IGN : hostile();
    unsigned long flags = SG_SA_RESTORER | (next() & (SG_SA_SIGINFO | SG_SA_NODEFER | SG_SA_RESETHAND |
                                                      SG_SA_ONSTACK | SG_SA_RESTART | SG_SA_NOCLDSTOP |
                                                      SG_SA_NOCLDWAIT));
    unsigned long restorer = (uintptr_t)(flags & SG_SA_SIGINFO || SG_BITS == 64 ? sg_restore_rt : sg_restore);
    unsigned long mask = hostile();
    if (next() % 16 == 0)
        flags = hostile(), restorer = hostile();
    act[0] = handler, act[1] = flags, act[2] = restorer, act[3] = mask, act[4] = next();
}

/* The signal and process calls, `calls` times, with hostile arguments. */
static int fuzz_signals(int calls)
{
    static const long zero_ts[2] = { 0, 0 };
    long self = sys_getpid();
    for (int sig = 1; sig <= 64; sig++)
        sg_sigaction(sig, (void *)counting_handler, 0, 0, 0);
    for (int i = 0; i < calls; i++) {
        draw_action();
        long ptr = next() % 8 ? (long)(uintptr_t)act : (long)hostile();
        switch (next() % 14) {
        case 0: sg_syscall(SYS_rt_sigaction, hostile_signal(), ptr, next() % 2 ? 0 : (long)hostile(),
                           next() % 8 ? 8 : (long)hostile(), 0, 0); break;
        case 1: sg_syscall(SYS_rt_sigprocmask, (long)(next() % 5), ptr, (long)hostile(), 8, 0, 0); break;
        case 2: sg_syscall(SYS_sigaltstack, ptr, (long)hostile(), 0, 0, 0, 0); break;
        case 3: sg_syscall(SYS_rt_sigpending, (long)hostile(), (long)(next() % 12), 0, 0, 0, 0); break;
        case 4: sg_syscall(SYS_rt_sigtimedwait, ptr, (long)hostile(), (long)(uintptr_t)zero_ts, 8, 0, 0); break;
        case 5: sys_kill((int)self, (int)hostile_signal()); break;
        case 6: sg_syscall(SYS_tgkill, self, sg_syscall(SYS_gettid, 0, 0, 0, 0, 0, 0), hostile_signal(), 0, 0, 0); break;
        case 7: {
            long itv[4] = { 0, 0, 0, (long)(next() % 50000) };
            sg_syscall(SYS_setitimer, (long)(next() % 4), next() % 2 ? (long)(uintptr_t)itv : (long)hostile(),
                       (long)hostile(), 0, 0, 0);
            break;
        }
        case 8:
            if (next() % 8 == 0 && sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0) == 0)
                sys_exit(0);
            break;
        case 9: {
            /* Not CLONE_VM (nor what needs it), CLONE_PARENT or CLONE_VFORK:
             * the children are this process's own and exit at once. */
            static uint64_t args[11];
            for (int j = 0; j < 11; j++)
                args[j] = next() % 3 ? 0 : hostile();
            args[0] &= ~(uint64_t)(0x100 | 0x800 | 0x10000 | 0x8000 | 0x4000);
            args[4] = next() % 2 ? 17 : args[4];
            if (sg_syscall(SYS_clone3, next() % 4 ? (long)(uintptr_t)args : (long)hostile(),
                           next() % 4 ? 64 : (long)(next() % 200), 0, 0, 0, 0) == 0)
                sys_exit(0);
            break;
        }
        case 10: sg_syscall(SYS_wait4, next() % 2 ? -1 : (long)hostile(), (long)hostile(),
                            (long)(1 | (next() % 2 ? hostile() : 0xaul)), (long)hostile(), 0, 0); break;
        case 11:
        case 12: {
            static unsigned long info[128 / sizeof(unsigned long)];
            for (size_t j = 0; j < sizeof info / sizeof info[0]; j++)
                info[j] = next() % 2 ? 0 : hostile();
            long at = next() % 8 ? (long)(uintptr_t)info : (long)hostile();
            if (next() % 2)
                sg_syscall(SYS_rt_sigqueueinfo, self, hostile_signal(), at, 0, 0, 0);
            else
                sg_syscall(SYS_rt_tgsigqueueinfo, self, sg_syscall(SYS_gettid, 0, 0, 0, 0, 0, 0), hostile_signal(),
                           at, 0, 0);
            break;
        }
        default: sg_syscall(SYS_waitid, (long)(next() % 4), (long)hostile(), (long)hostile(),
                            (long)(1 | (hostile() & 0x0100000e)), (long)hostile(), 0); break;
        }
    }
    return 0;
}

static long parse_count(const char *s)
{
    long n = 0;
    for (; *s >= '0' && *s <= '9'; s++)
        n = n * 10 + (*s - '0');
    return n;
}

int main(int argc, char **argv)
{
    if (argc > 2 && !strcmp(argv[1], "sig"))
        return fuzz_signals((int)parse_count(argv[2]));
    if (argc > 3 && !strcmp(argv[2], "jump")) {
        state ^= (uint64_t)parse_count(argv[3]) * 0x100000001b3ull;
        jump_into(argv[1][0] - '0', (int)parse_count(argv[3]));
        return 0;
    }
    if (argc > 3) {
        state ^= (uint64_t)(argv[1][0] - '0') * 0x100000001b3ull;
        return fuzz(argv[1][0] - '0', (int)parse_count(argv[3]));
    }
    long calls = argc > 1 ? parse_count(argv[1]) : 0;
    if (calls <= 0 || calls > 2000000000)
        calls = 20000;
    char count[16];
    snformat(count, sizeof count, "%ld", calls);
    tap_begin("fuzz");
    struct sg_info info;
    sg_info(&info);
    uint32_t offered = SG_BITS == 64 ? info.mechanisms64 : info.mechanisms32;
    for (int m = 0; m < SG_MECH_COUNT; m++) {
        if (!(offered & (1u << m)))
            continue;
        char door[2] = { (char)('0' + m), 0 };
        char *child_argv[] = { argv[0], door, "child", count, 0 };
        uint64_t t0 = info.ticks;
        long st = sg_run(argv[0], child_argv);
        sg_info(&info);
        uint64_t ticks = info.ticks - t0 ? info.ticks - t0 : 1;
        tap_check(st >= 0 && SG_WIFEXITED(st) && SG_WEXITSTATUS(st) == 0,
                  "%s: %ld hostile calls, all answered (status %#lx)", sg_mechanism_name(m), calls, st);
        tap_diag("%d-bit %s: %ld calls in %lu.%02lu s of guest time: %lu calls per second", SG_BITS,
                 sg_mechanism_name(m), calls,
                 (unsigned long)(ticks / info.timer_hz), (unsigned long)(ticks % info.timer_hz * 100 / info.timer_hz),
                 (unsigned long)((uint64_t)calls * info.timer_hz / ticks));
        tap_eq(sys_getpid() > 0 && sg_info(&info) == sizeof info, 1, "%s: the kernel still answers",
               sg_mechanism_name(m));
        if (m < SG_MECH_FIRST_EXCEPTION)
            continue;
        int ended = 0, span = stub_span(m);
        for (int at = 0; at < span; at++) {
            char where[4];
            snformat(where, sizeof where, "%d", at);
            char *jump_argv[] = { argv[0], door, "jump", where, 0 };
            st = sg_run(argv[0], jump_argv);
            ended += st >= 0 && (SG_WIFEXITED(st) || SG_WIFSIGNALED(st));
        }
        tap_eq(ended, span, "%s: jumps into each of the stub's %d bytes with hostile registers: every child "
               "returned or died", sg_mechanism_name(m), span);
        tap_eq(sys_getpid() > 0 && sg_info(&info) == sizeof info, 1, "%s: the kernel still answers after them",
               sg_mechanism_name(m));
    }
    /* The signal and process calls: the child returns or dies (a hostile
     * handler), its children end, the kernel answers. */
    char *sig_argv[] = { argv[0], "sig", "3000", 0 };
    long st = sg_run(argv[0], sig_argv);
    tap_check(st >= 0 && (SG_WIFEXITED(st) || SG_WIFSIGNALED(st)), "3000 hostile signal and process calls (sigaction, "
              "masks, alternate stacks, kill, tgkill, timers, fork, clone3, wait4, waitid): the child returned or "
              "died (status %#lx)", st);
    tap_eq(sys_getpid() > 0 && sg_info(&info) == sizeof info, 1, "the kernel still answers after them");
    return tap_end();
}
