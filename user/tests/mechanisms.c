/*
 * mechanisms: every door the CPU has reaches the same dispatcher.  For
 * every mechanism the interface page offers and every argument way
 * (registers, the argument page, the stack) every call works and all six
 * 64-bit arguments arrive intact; the page, the info call and the lock-nop
 * query agree on what is offered; a mechanism the CPU lacks is never
 * offered and kills only the process that tries it; processes looping on
 * each door are still preempted.
 */
#include "../lib/files.h"
#include "../lib/tap.h"
#include "../../include/sysgate/kip.h"
#include "../../kernel/arch/selectors_msrs.h"

static const char *self;

/* Six distinct argument patterns, as wide as this program's registers. */
static const unsigned long pattern[6] = {
#ifdef __x86_64__
    0x0102030405060708, 0x1112131415161718, 0x2122232425262728,
    0x8182838485868788, 0xf1f2f3f4f5f6f7f8, 0x7fffffffffffffff,
#else
    0x01020304, 0x11121314, 0x21222324, 0x81828384, 0xf1f2f3f4, 0x7fffffff,
#endif
};

enum way { WAY_REGS, WAY_PAGE, WAY_STACK, WAY_COUNT };
static const char *const way_names[WAY_COUNT] = { "registers", "argument page", "stack" };

static long call_way(uintptr_t stub, enum way way, long nr, const unsigned long a[6])
{
    struct sg_argpage *page = SG_ARGPAGE;
    switch (way) {
    case WAY_REGS:
        return sg_call_stub(stub, nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    case WAY_PAGE:
        for (int i = 0; i < 6; i++)
            page->args[i] = a[i];
        page->result = 0x5a5a5a5a;
        return sg_call_stub(stub, nr | SG_ARGS_PAGE, 0, 0, 0, 0, 0, 0);
    case WAY_STACK:
        return sg_call_stub_stack(stub, nr | SG_ARGS_STACK, a[0], a[1], a[2], a[3], a[4], a[5]);
    default:
        return -1;
    }
}

static void raw_ud2_no_signature(void)
{
    __asm__ volatile("ud2; .byte 0x90, 0x90");
}

/* The stack way with the stack pointer in nothing: each door's own
 * instruction, inline, since a `call` to a stub would fault on the push
 * first.  Returns the result, for the doors that return at all. */
#define BAD_SP "0x10000000"
static const struct { uint32_t offset; uint16_t sel; } __attribute__((packed)) gate = { 0, CALL_GATE_SEL };

/* An exception door (reached only through its stub) entered by a jump
 * with the stack pointer in nothing (garbage: every other register all
 * ones too): the call answers, -EFAULT for the stack way, then the stub's
 * `ret` faults in user mode and only the caller dies. */
static void bad_stack_exception_door(int mech, int garbage)
{
    uintptr_t stub = sg_kip_stub(mech);
    long nr = garbage ? -1L : (long)(SYS_getpid | SG_ARGS_STACK);
    if (garbage)
        __asm__ volatile("mov %%eax, %%ebx; mov %%eax, %%ecx; mov %%eax, %%edx; mov %%eax, %%esi; mov %%eax, %%edi;"
                         "mov %%eax, %%ebp; mov $-1, %%esp; jmp *%1" ::"a"(nr), "S"(stub) : "memory");
    else
        __asm__ volatile("mov $" BAD_SP ", %%esp; jmp *%1" ::"a"(nr), "S"(stub) : "memory");
}

#ifdef __x86_64__
/* 64-bit sysenter by sysgate's convention: rcx = return RIP, r11 = RSP. */
static void raw_fast_door(int mech)
{
    if (mech == SG_MECH_SYSENTER)
        __asm__ volatile("lea 1f(%%rip), %%rcx; mov %%rsp, %%r11; sysenter; 1:"
                         ::"a"(SYS_getpid) : "rcx", "rdx", "r11", "memory");
}
/* sysenter told to return to a non-canonical address: SYSEXIT would #GP
 * in ring 0, so the exit must decline, and the process alone gets the
 * fault. */
static void garbage_fast_door(int mech)
{
    if (mech == SG_MECH_SYSENTER)
        __asm__ volatile("mov %%rsp, %%r11; mov $0x800000000000, %%rcx; sysenter"
                         ::"a"(SYS_getpid) : "rcx", "rdx", "r11", "memory");
}
/* With the benchmark's floor switched on for a door, the hazards the real
 * door handles must still be handled: a user TF (sysenter, call gate) and
 * a non-canonical return address (sysenter). */
/* The door that is not `mech`, for calls while mech's floor is on. */
static int floor_other(int mech)
{
    return mech == SG_MECH_INT80 ? SG_MECH_SYSCALL : SG_MECH_INT80;
}

static long spawn_via(int door, const char *role, int mech)
{
    char arg[2] = { (char)('0' + mech), 0 };
    char *argv[] = { (char *)self, (char *)role, arg, 0 };
    return sg_syscall_via(door, SYS_sg_spawn, (long)self, (long)argv, 0, 0, 0, 0);
}

/* A process with no floor of its own: its calls through `mech` reach the
 * kernel, whatever other processes did to the door.  0 when they do. */
static int floor_other_process(int mech)
{
    long pid = sg_syscall_via(floor_other(mech), SYS_getpid, 0, 0, 0, 0, 0, 0);
    return sg_syscall_via(mech, SYS_getpid, 0, 0, 0, 0, 0, 0) == pid && pid > 0 ? 0 : 3;
}

/* Sets mech's floor for itself, then, blocked in wait4, lets a child of
 * its own use the door; leaves with the child's verdict.  Every call of
 * its own goes through the other door. */
static int floor_hold(int mech)
{
    int other = floor_other(mech), status = -1;
    if (sg_syscall_via(other, SYS_sg_bench_floor, mech, 1, 0, 0, 0, 0) ||
        sg_syscall_via(mech, SYS_sg_null, 0, 0, 0, 0, 0, 0) != SYS_sg_null)
        return 4;
    long pid = spawn_via(other, "floor-other", mech);
    if (sg_syscall_via(other, SYS_wait4, pid, (long)&status, 0, 0, 0, 0) != pid)
        return 5;
    sg_syscall_via(other, SYS_exit_group, SG_WIFEXITED(status) ? SG_WEXITSTATUS(status) : 6, 0, 0, 0, 0, 0);
    return 7;
}

/* Sets mech's floor for itself and spins until killed. */
static void floor_spin(int mech)
{
    sg_syscall_via(floor_other(mech), SYS_sg_bench_floor, mech, 1, 0, 0, 0, 0);
    for (;;)
        __asm__ volatile("" ::: "memory");
}

static void floor_hazard(int mech, int tf)
{
    sg_syscall_int80(SYS_sg_bench_floor, mech, 1, 0, 0, 0, 0);
    if (mech == SG_MECH_SYSENTER && !tf)
        __asm__ volatile("mov %%rsp, %%r11; mov $0x800000000000, %%rcx; sysenter"
                         ::"a"(SYS_getpid) : "rcx", "rdx", "r11", "memory");
    else if (mech == SG_MECH_SYSENTER)
        __asm__ volatile("lea 1f(%%rip), %%rcx; mov %%rsp, %%r11; pushfq; orq $0x100, (%%rsp); popfq; sysenter; 1:"
                         ::"a"(SYS_getpid) : "rcx", "rdx", "r11", "memory");
    else if (mech == SG_MECH_CALLGATE)
        __asm__ volatile("pushfq; orq $0x100, (%%rsp); popfq; lcall *%0" ::"m"(gate), "a"(SYS_getpid) : "memory");
}

static long bad_stack_call(int mech)
{
    long r = SYS_getpid | SG_ARGS_STACK;
    switch (mech) {
    case SG_MECH_INT80:
        __asm__ volatile("mov %%rsp, %%rbx; mov $" BAD_SP ", %%rsp; int $0x80; mov %%rbx, %%rsp"
                         : "+a"(r) :: "rbx", "memory");
        break;
    case SG_MECH_SYSCALL:
        __asm__ volatile("mov %%rsp, %%rbx; mov $" BAD_SP ", %%rsp; syscall; mov %%rbx, %%rsp"
                         : "+a"(r) :: "rbx", "rcx", "r11", "memory");
        break;
    case SG_MECH_CALLGATE:
        __asm__ volatile("mov %%rsp, %%rbx; mov $" BAD_SP ", %%rsp; lcall *%1; mov %%rbx, %%rsp"
                         : "+a"(r) : "m"(gate) : "rbx", "memory");
        break;
    case SG_MECH_SYSENTER:
        __asm__ volatile("mov $" BAD_SP ", %%r11; lea 1f(%%rip), %%rcx; mov %%rsp, %%rbx; sysenter; 1: mov %%rbx, %%rsp"
                         : "+a"(r) :: "rbx", "rcx", "rdx", "r11", "memory");
        break;
    case SG_MECH_TRAP:
        __asm__ volatile("mov %%rsp, %%rbx; mov $" BAD_SP ", %%rsp; ud2; .ascii \"SG\"; mov %%rbx, %%rsp"
                         : "+a"(r) :: "rbx", "memory");
        break;
    }
    return r;
}
#else
/* 32-bit sysenter and syscall go through __kernel_vsyscall's dance
 * (kip32_stubs.S); raw, they come back to that page's landing point (for
 * sysenter) or after the instruction (syscall). */
static void raw_fast_door(int mech)
{
    if (mech == SG_MECH_SYSENTER)
        __asm__ volatile("push %%ecx; push %%edx; push %%ebp; mov %%esp, %%ebp; sysenter"
                         ::"a"(SYS_getpid) : "memory");
    else if (mech == SG_MECH_SYSCALL)
        __asm__ volatile("push %%ecx; push %%edx; push %%ebp; mov %%ecx, %%ebp; syscall; pop %%ebp; pop %%edx; pop %%ecx"
                         ::"a"(SYS_getpid) : "memory");
}
/* Every register all ones, the stack pointer included. */
static void garbage_fast_door(int mech)
{
    if (mech == SG_MECH_SYSENTER)
        __asm__ volatile("mov $-1, %%eax; mov %%eax, %%ebx; mov %%eax, %%ecx; mov %%eax, %%edx; mov %%eax, %%esi;"
                         "mov %%eax, %%edi; mov %%eax, %%ebp; mov %%eax, %%esp; sysenter" ::: "memory");
    else if (mech == SG_MECH_SYSCALL)
        __asm__ volatile("mov $-1, %%eax; mov %%eax, %%ebx; mov %%eax, %%ecx; mov %%eax, %%edx; mov %%eax, %%esi;"
                         "mov %%eax, %%edi; mov %%eax, %%ebp; mov %%eax, %%esp; syscall; ud2" ::: "memory");
}
static long bad_stack_call(int mech)
{
    long r = SYS_getpid | SG_ARGS_STACK;
    switch (mech) {
    case SG_MECH_INT80:
        __asm__ volatile("mov %%esp, %%esi; mov $" BAD_SP ", %%esp; int $0x80; mov %%esi, %%esp"
                         : "+a"(r) :: "esi", "memory");
        break;
    case SG_MECH_CALLGATE:
        __asm__ volatile("mov %%esp, %%esi; mov $" BAD_SP ", %%esp; lcall *%1; mov %%esi, %%esp"
                         : "+a"(r) : "m"(gate) : "esi", "memory");
        break;
    case SG_MECH_TRAP:
        __asm__ volatile("mov %%esp, %%esi; mov $" BAD_SP ", %%esp; ud2; .ascii \"SG\"; mov %%esi, %%esp"
                         : "+a"(r) :: "esi", "memory");
        break;
    default:
        /* sysenter and syscall return to a stack they must pop: the
         * process dies in user mode instead (checked in a child). */
        return -SG_EFAULT;
    }
    return r;
}
static void bad_stack_fast_door(int mech)
{
    if (mech == SG_MECH_SYSENTER)
        __asm__ volatile("mov $" BAD_SP ", %%ebp; sysenter" ::"a"(SYS_getpid) : "memory");
    else
        __asm__ volatile("mov $" BAD_SP ", %%esp; syscall; pop %%ebp" ::"a"(SYS_getpid) : "memory");
}
#endif

static void loop_on(int mech)
{
    uintptr_t stub = sg_kip_stub(mech);
    for (;;)
        sg_call_stub(stub, SYS_sg_null, 0, 0, 0, 0, 0, 0);
}

/* Every other call sysgate implements, through one door and one way:
 * returns how many answered wrongly (and says which). */
static int every_call(uintptr_t stub, enum way w, const char *door)
{
    static char buf[512];
    static struct sg_info info;
    struct {
        long sec, nsec;
    } ts = { 0, 1000 };
    int status = 0;
    long pid = sys_getpid();
    long null = sys_open("/dev/null", O_WRONLY), hello = sys_open("/fixture/hello.txt", O_RDONLY);
    const struct {
        const char *what;
        long nr;
        unsigned long a[6];
        long want;
    } calls[] = {
        { "read(0) of 0 bytes", SYS_read, { 0, (uintptr_t)buf, 0 }, 0 },
        { "write to /dev/null", SYS_write, { (unsigned long)null, (uintptr_t)buf, 5 }, 5 },
        { "read of /fixture/hello.txt", SYS_read, { (unsigned long)hello, (uintptr_t)buf, 5 }, 5 },
        { "pread64 of /fixture/hello.txt at 7", SYS_pread64, { (unsigned long)hello, (uintptr_t)buf, 6, 7 }, 6 },
        { "lseek of /dev/null", SYS_lseek, { (unsigned long)null, 5, 0 }, 0 },
        { "fstat of /dev/null", SYS_fstat, { (unsigned long)null, (uintptr_t)buf }, 0 },
        { "fcntl F_GETFD", SYS_fcntl, { (unsigned long)null, F_GETFD }, 0 },
        { "ioctl TIOCGWINSZ on the console", SYS_ioctl, { 1, TIOCGWINSZ, (uintptr_t)buf }, 0 },
        { "ioctl TCGETS on /dev/null", SYS_ioctl, { (unsigned long)null, TCGETS, (uintptr_t)buf }, -SG_ENOTTY },
        { "getcwd", SYS_getcwd, { (uintptr_t)buf, sizeof buf }, 2 },
        { "readlink /fixture/link", SYS_readlink, { (uintptr_t)"/fixture/link", (uintptr_t)buf, sizeof buf }, 9 },
        { "access /fixture/hello.txt W_OK", SYS_access, { (uintptr_t)"/fixture/hello.txt", SG_W_OK }, -SG_EROFS },
        { "getdents64 of a file", SYS_getdents64, { (unsigned long)hello, (uintptr_t)buf, sizeof buf }, -SG_ENOTDIR },
        { "close of a closed fd", SYS_close, { 200 }, -SG_EBADF },
        { "sched_yield", SYS_sched_yield, { 0 }, 0 },
        { "nanosleep(1 us)", SYS_nanosleep, { (uintptr_t)&ts, 0 }, 0 },
        { "uname", SYS_uname, { (uintptr_t)buf }, 0 },
        { "sg_info", SYS_sg_info, { (uintptr_t)&info, sizeof info }, sizeof info },
        { "wait4 WNOHANG without children", SYS_wait4, { (unsigned long)-1, (uintptr_t)&status, 1 }, -SG_ECHILD },
        { "kill(self, 0)", SYS_kill, { (unsigned long)pid, 0 }, 0 },
        { "sg_shutdown from a non-init process", SYS_sg_shutdown, { 0 }, -SG_EPERM },
        { "sg_bench_floor for no door", SYS_sg_bench_floor, { 99, 0 }, -SG_EINVAL },
        { "sg_spawn of a missing file", SYS_sg_spawn, { (uintptr_t)"/bin/none", 0 }, -SG_ENOENT },
    };
    int bad = 0;
    for (unsigned i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        long r = call_way(stub, w, calls[i].nr, calls[i].a);
        if (r != calls[i].want) {
            tap_diag("%s, %s: %s gave %ld, not %ld", door, way_names[w], calls[i].what, r, calls[i].want);
            bad++;
        }
    }
    if (strcmp(buf, "sysgate"))     /* uname's sysname */
        bad++;
    sys_close((int)null);
    sys_close((int)hello);
    return bad;
}

static int child_main(char **argv)
{
    if (!strcmp(argv[1], "exit-via")) {
        /* exit through one door and one way, with a code naming them */
        int m = argv[2][0] - '0', w = argv[2][1] - '0';
        unsigned long a[6] = { (unsigned long)(40 + m * 3 + w) };
        call_way(sg_kip_stub(m), w, SYS_exit_group, a);
        return 99;
    }
    if (!strcmp(argv[1], "exception-badstack"))
        bad_stack_exception_door(argv[2][0] - '0', 0);
    else if (!strcmp(argv[1], "exception-garbage"))
        bad_stack_exception_door(argv[2][0] - '0', 1);
    else if (!strcmp(argv[1], "raw"))
        raw_fast_door(argv[2][0] - '0');
    else if (!strcmp(argv[1], "garbage"))
        garbage_fast_door(argv[2][0] - '0');
#ifdef __x86_64__
    else if (!strcmp(argv[1], "floor-tf"))
        floor_hazard(argv[2][0] - '0', 1);
    else if (!strcmp(argv[1], "floor-badret"))
        floor_hazard(argv[2][0] - '0', 0);
    else if (!strcmp(argv[1], "floor-other"))
        return floor_other_process(argv[2][0] - '0');
    else if (!strcmp(argv[1], "floor-hold"))
        return floor_hold(argv[2][0] - '0');
    else if (!strcmp(argv[1], "floor-spin"))
        floor_spin(argv[2][0] - '0');
#endif
#ifndef __x86_64__
    else if (!strcmp(argv[1], "badstack"))
        bad_stack_fast_door(argv[2][0] - '0');
#endif
    else if (!strcmp(argv[1], "ud2"))
        raw_ud2_no_signature();
    else if (!strcmp(argv[1], "loop"))
        loop_on(argv[2][0] - '0');
    return 0;
}

static long run_child(const char *role, const char *arg)
{
    char *argv[] = { (char *)self, (char *)role, (char *)arg, 0 };
    return sg_run(self, argv);
}

/* What every scenario needs to know about this CPU and this process. */
struct doors {
    struct sg_info info;
    uint32_t offered, default_mech;
    int intel, tcg;
    const struct sg_kip_header *kip;
};

/* The interface page, sg_info and the lock-nop query agree on what is
 * offered. */
static void offer_agrees(const struct doors *d)
{
    const struct sg_kip_header *kip = d->kip;
    tap_eq(kip->mechanisms, d->offered, "the page and sg_info offer the same mechanisms");
    tap_eq(kip->default_mechanism, d->default_mech, "the page and sg_info name the same default (%s)",
           sg_mechanism_name((int)d->default_mech));
    tap_eq(d->info.bits, SG_BITS, "sg_info knows this is a %d-bit process", SG_BITS);
    if (SG_BITS == 64)
        tap_check(d->offered & (1u << SG_MECH_SYSCALL), "syscall is offered to 64-bit code on every x86-64 CPU");
    else if (!(d->info.features & SG_FEAT_DEFAULT_FORCED))
        tap_eq(d->default_mech, d->intel ? SG_MECH_SYSENTER : SG_MECH_SYSCALL,
               "32-bit code's default is the vendor's own door (%s)", d->intel ? "sysenter" : "syscall");

    /* The L4 query: lock nop. */
    unsigned long q_ax, q_dx, q_cx, q_bx = 0x0b0b0b0b, q_si = 0x5151, q_di = 0xd1d1;
    __asm__ volatile(".byte 0xf0, 0x90  /* lock nop */"
                     : "=a"(q_ax), "=d"(q_dx), "=c"(q_cx), "+b"(q_bx), "+S"(q_si), "+D"(q_di)
                     : "a"(0), "d"(0), "c"(0) : "memory");
    tap_eq(q_ax, sg_kip, "lock nop answers the interface page address given at start");
    tap_eq(q_dx, SG_KIP_VERSION, "lock nop answers the interface version");
    tap_eq(q_cx, d->offered, "lock nop answers the mechanism mask");
    tap_check(q_bx == 0x0b0b0b0b && q_si == 0x5151 && q_di == 0xd1d1, "lock nop preserves other registers");
}

/* Every door offered, every argument way: six arguments intact, the
 * common calls, an unknown number, every other call, a child's start and
 * end; a door not offered has no stub; a stack pointer into nothing. */
static void every_door_every_way(const struct doors *d)
{
    unsigned long want = (unsigned long)sg_echo6_expect(pattern[0], pattern[1], pattern[2], pattern[3], pattern[4],
                                                        pattern[5]);
    long pid = sys_getpid();
    for (int m = 0; m < SG_MECH_COUNT; m++) {
        uintptr_t stub = sg_kip_stub(m);
        if (!(d->offered & (1u << m))) {
            tap_check(stub == 0 && d->kip->stub_offset[m] == 0, "%s: not offered, and the page has no stub for it",
                      sg_mechanism_name(m));
            continue;
        }
        for (int w = 0; w < WAY_COUNT; w++) {
            const char *mn = sg_mechanism_name(m), *wn = way_names[w];
            tap_eq((unsigned long)call_way(stub, w, SYS_sg_echo6, pattern), want,
                   "%s, %s: six %d-bit arguments arrive intact", mn, wn, SG_BITS);
            unsigned long none[6] = { 0 };
            tap_eq(call_way(stub, w, SYS_getpid, none), pid, "%s, %s: getpid", mn, wn);
            tap_eq(call_way(stub, w, SYS_sg_null, none), 0, "%s, %s: sg_null", mn, wn);
            char msg[48];
            int len = snformat(msg, sizeof msg, "# write via %s, %s\n", mn, wn);
            unsigned long wargs[6] = { 1, (uintptr_t)msg, (unsigned long)len, 0, 0, 0 };
            tap_eq(call_way(stub, w, SYS_write, wargs), len, "%s, %s: write returns its length", mn, wn);
            tap_eq(call_way(stub, w, 4242, none), -SG_ENOSYS, "%s, %s: an unknown number is -ENOSYS", mn, wn);
            if (w == WAY_PAGE)
                tap_eq(SG_ARGPAGE->result, -SG_ENOSYS, "%s, argument page: the result is written back to the page", mn);
            tap_eq(every_call(stub, w, mn), 0, "%s, %s: read, write, sched_yield, nanosleep, uname, sg_info, wait4, "
                   "kill, sg_shutdown, sg_bench_floor and sg_spawn answer as they should", mn, wn);
            char spec[3] = { (char)('0' + m), (char)('0' + w), 0 };
            char *cargv[] = { (char *)self, "exit-via", spec, 0 };
            long child = call_way(stub, w, SYS_sg_spawn, (unsigned long[6]){ (uintptr_t)self, (uintptr_t)cargv });
            int status = -1;
            long waited = call_way(stub, w, SYS_wait4, (unsigned long[6]){ (unsigned long)child, (uintptr_t)&status });
            tap_check(child > 0 && waited == child && SG_WIFEXITED(status) && SG_WEXITSTATUS(status) == 40 + m * 3 + w,
                      "%s, %s: sg_spawn, then exit_group in the child and wait4 in the parent (status %#x)", mn, wn,
                      status);
        }
        if (m >= SG_MECH_FIRST_EXCEPTION) {
            char door[2] = { (char)('0' + m), 0 };
            long st = run_child("exception-badstack", door);
            tap_check(SG_WIFSIGNALED(st) && SG_WTERMSIG(st) == SG_SIGSEGV,
                      "%s, a stack pointer into nothing: the stub's return kills only the caller (status %#lx)",
                      sg_mechanism_name(m), st);
            st = run_child("exception-garbage", door);
            tap_check(SG_WIFSIGNALED(st) && SG_WTERMSIG(st) == SG_SIGSEGV,
                      "%s with every register all ones, the stack pointer too: only the caller dies (status %#lx)",
                      sg_mechanism_name(m), st);
        } else if (SG_BITS == 64 || (m != SG_MECH_SYSENTER && m != SG_MECH_SYSCALL)) {
            tap_eq(bad_stack_call(m), -SG_EFAULT, "%s, stack: a stack pointer into unmapped memory is -EFAULT",
                   sg_mechanism_name(m));
        } else {
            char door[2] = { (char)('0' + m), 0 };
            long st = run_child("badstack", door);
            tap_check(SG_WIFSIGNALED(st) && SG_WTERMSIG(st) == SG_SIGSEGV,
                      "%s, a stack pointer into nothing: -EFAULT, then the landing pad's pop kills only the caller "
                      "(status %#lx)", sg_mechanism_name(m), st);
            st = run_child("garbage", door);
            tap_check(SG_WIFSIGNALED(st), "%s with every register all ones, esp too: only the caller dies (status %#lx)",
                      sg_mechanism_name(m), st);
        }
    }
}

/* The default entry reaches the kernel, and sg_info names its door. */
static void default_entry(const struct doors *d)
{
    struct sg_info info;
    unsigned long want = (unsigned long)sg_echo6_expect(pattern[0], pattern[1], pattern[2], pattern[3], pattern[4],
                                                        pattern[5]);
    tap_eq((unsigned long)sg_syscall(SYS_sg_echo6, pattern[0], pattern[1], pattern[2], pattern[3], pattern[4], pattern[5]),
           want, "the default entry (%s): six arguments intact", sg_mechanism_name((int)d->default_mech));
    info.entry = 99;
    sg_info(&info);
    tap_eq(info.entry, d->default_mech, "sg_info through the default entry says it came through %s",
           sg_mechanism_name((int)d->default_mech));
}

/* The benchmark's floor: a door switched to its bare stub returns rax
 * untouched, and comes back when switched off through another door.
 * (64-bit doors only: the floors are 64-bit stubs.) */
static void floors_switch(const struct doors *d)
{
    (void)d;
    for (int m = 0; m < SG_MECH_COUNT; m++) {
        uintptr_t stub = sg_kip_stub(m);
        if (!stub)
            continue;
        int other = m == SG_MECH_INT80 ? SG_MECH_SYSCALL : SG_MECH_INT80;
        long on = sg_syscall_via(other, SYS_sg_bench_floor, m, 1, 0, 0, 0, 0);
        long floor = sg_call_stub(stub, SYS_sg_null, 0, 0, 0, 0, 0, 0);
        long off = sg_syscall_via(other, SYS_sg_bench_floor, m, 0, 0, 0, 0, 0);
        long real = sg_call_stub(stub, SYS_sg_null, 0, 0, 0, 0, 0, 0);
        tap_check(on == 0 && floor == SYS_sg_null && off == 0 && real == 0,
                  "%s: the floor stub returns at once (rax %ld) and the real door comes back (%ld)",
                  sg_mechanism_name(m), floor, real);
    }
    tap_eq(sg_syscall(SYS_sg_bench_floor, SG_MECH_COUNT, 1, 0, 0, 0, 0), -SG_EINVAL,
           "a floor for no mechanism is -EINVAL");
}

#ifdef __x86_64__
/* A floor reaches only the process that set it: the doors are re-aimed on
 * every switch.  (A global floor let one process turn another's int $0x80
 * exit_group into a no-op.) */
static void floors_per_process(const struct doors *d)
{
    (void)d;
    for (int m = 0; m < SG_MECH_COUNT; m++) {
        uintptr_t stub = sg_kip_stub(m);
        if (!stub)
            continue;
        int other = floor_other(m), status = -1;
        long on = sg_syscall_via(other, SYS_sg_bench_floor, m, 1, 0, 0, 0, 0);
        long pid = spawn_via(other, "floor-other", m);
        long waited = sg_syscall_via(other, SYS_wait4, pid, (long)&status, 0, 0, 0, 0);
        long still = sg_call_stub(stub, SYS_sg_null, 0, 0, 0, 0, 0, 0);
        long off = sg_syscall_via(other, SYS_sg_bench_floor, m, 0, 0, 0, 0, 0);
        tap_check(on == 0 && waited == pid && SG_WIFEXITED(status) && SG_WEXITSTATUS(status) == 0 &&
                      still == SYS_sg_null && off == 0,
                  "%s floor on in this process: a child's calls through the door (its start, getpid, exit) "
                  "enter the kernel (status %#x), and the floor is still this process's after it ran (rax %ld)",
                  sg_mechanism_name(m), status, still);

        long st = run_child("floor-hold", (char[]){ (char)('0' + m), 0 });
        long mine = sg_call_stub(stub, SYS_getpid, 0, 0, 0, 0, 0, 0);
        tap_check(SG_WIFEXITED(st) && SG_WEXITSTATUS(st) == 0 && mine == sys_getpid(),
                  "%s: while a process with the floor on waits, its child's door works (status %#lx); "
                  "after it exits, ours does (getpid %ld)", sg_mechanism_name(m), st, mine);

        pid = spawn_via(other, "floor-spin", m);
        sys_nanosleep_ms(20);       /* the spinner runs, sets its floor, is preempted */
        long during = sg_call_stub(stub, SYS_getpid, 0, 0, 0, 0, 0, 0);
        sys_kill((int)pid, 9);
        waited = sys_wait4((int)pid, &status, 0);
        long after = sg_call_stub(stub, SYS_getpid, 0, 0, 0, 0, 0, 0);
        tap_check(during == sys_getpid() && waited == pid && SG_WIFSIGNALED(status) && after == sys_getpid(),
                  "%s: a spinning process's floor does not reach us (getpid %ld), nor outlives its kill (%ld)",
                  sg_mechanism_name(m), during, after);
    }
}
#endif

/* The floors are no way around the doors' safety: each child switches a
 * floor on and dies; the floor goes with it. */
static void floors_keep_hazards(const struct doors *d)
{
    for (int m = SG_MECH_CALLGATE; m <= SG_MECH_SYSENTER; m += SG_MECH_SYSENTER - SG_MECH_CALLGATE) {
        if (!(d->offered & (1u << m)))
            continue;
        char door[2] = { (char)('0' + m), 0 };
        long st = run_child("floor-tf", door);
        tap_check(SG_WIFSIGNALED(st) && SG_WTERMSIG(st) == SG_SIGTRAP,
                  "%s floor with TF set: the trap lands in user mode (status %#lx)", sg_mechanism_name(m), st);
        if (m == SG_MECH_SYSENTER) {
            st = run_child("floor-badret", door);
            tap_check(SG_WIFSIGNALED(st) && SG_WTERMSIG(st) == SG_SIGSEGV,
                      "sysenter floor with the return address 1 << 47: SIGSEGV for the caller only (status %#lx)",
                      st);
        }
    }
    tap_eq(sg_call_stub(sg_kip_stub(SG_MECH_CALLGATE), SYS_sg_null, 0, 0, 0, 0, 0, 0), 0,
           "the floors went with the processes that set them");
}

/* A mechanism the CPU lacks kills only the caller, and is never offered.
 *   64-bit sysenter on AMD: #UD on hardware, and QEMU 7.2's TCG models
 *     the same for non-Intel models: SIGILL either way.
 *   32-bit syscall on Intel: #UD on hardware; TCG runs it, and the
 *     kernel's CSTAR door does what the hardware would: SIGILL.
 *   32-bit sysenter on AMD: #UD on hardware (SIGILL); TCG runs it and
 *     finds SYSENTER_CS = 0, so #GP: SIGSEGV.
 * The door the CPU does offer works raw, and a garbage return address
 * kills only the caller. */
static void lacking_door(const struct doors *d)
{
    int intel = d->intel, tcg = d->tcg;
    uint32_t offered = d->offered;
    int lacking = SG_BITS == 64 ? (intel ? -1 : SG_MECH_SYSENTER) : (intel ? SG_MECH_SYSCALL : SG_MECH_SYSENTER);
    int fast_offered = SG_BITS == 64 ? (intel ? SG_MECH_SYSENTER : -1) : (intel ? SG_MECH_SYSENTER : SG_MECH_SYSCALL);
    if (fast_offered >= 0) {
        char door[2] = { (char)('0' + fast_offered), 0 };
        long st;
        if (SG_BITS == 64) {
            st = run_child("garbage", door);
            tap_check(SG_WIFSIGNALED(st) && SG_WTERMSIG(st) == SG_SIGSEGV,
                      "64-bit sysenter with the return address 1 << 47: only the caller dies, SIGSEGV (status %#lx)",
                      st);
        }
        st = run_child("raw", door);
        if (SG_BITS == 64)
            tap_check(SG_WIFEXITED(st) && SG_WEXITSTATUS(st) == 0, "raw %s works (status %#lx)",
                      sg_mechanism_name(fast_offered), st);
        else    /* without the stub's call, the landing pad's ret has nowhere to go */
            tap_check(st >= 0, "raw %s with the dance returns to user mode (status %#lx)",
                      sg_mechanism_name(fast_offered), st);
    }
    if (lacking >= 0) {
        int want_sig = (SG_BITS == 32 && !intel && tcg) ? SG_SIGSEGV : SG_SIGILL;
        char door[2] = { (char)('0' + lacking), 0 };
        tap_check(!(offered & (1u << lacking)), "%s %d-bit %s is never offered", intel ? "Intel:" : "AMD:", SG_BITS,
                  sg_mechanism_name(lacking));
        long st = run_child("raw", door);
        tap_check(SG_WIFSIGNALED(st) && SG_WTERMSIG(st) == want_sig,
                  "%s %d-bit %s kills only the caller, with %s under %s (status %#lx)", intel ? "Intel:" : "AMD:",
                  SG_BITS, sg_mechanism_name(lacking), want_sig == SG_SIGILL ? "SIGILL (#UD)" : "SIGSEGV (#GP)",
                  tcg ? "TCG" : "hardware", st);
        if (SG_BITS == 32) {
            st = run_child("garbage", door);
            tap_check(SG_WIFSIGNALED(st), "%s with every register all ones: only the caller dies (status %#lx)",
                      sg_mechanism_name(lacking), st);
        }
    }
}

static void ud2_without_signature(const struct doors *d)
{
    (void)d;
    long st = run_child("ud2", "");
    tap_check(SG_WIFSIGNALED(st) && SG_WTERMSIG(st) == SG_SIGILL, "ud2 without the signature is still SIGILL (%#lx)", st);
}

/* Preemption while every door is hammered. */
static void preempted_on_every_door(const struct doors *d)
{
    uint32_t offered = d->offered;
    long loopers[SG_MECH_COUNT];
    int started = 0;
    for (int m = 0; m < SG_MECH_COUNT; m++) {
        loopers[m] = 0;
        if (!(offered & (1u << m)))
            continue;
        char arg[2] = { (char)('0' + m), 0 };
        char *cargv[] = { (char *)self, "loop", arg, 0 };
        loopers[m] = sg_spawn(self, cargv);
        started += loopers[m] > 0;
    }
    int woke = 0;
    for (int i = 0; i < 3; i++)
        woke += sys_nanosleep_ms(20) == 0;
    tap_eq(woke, 3, "the parent keeps running while %d children loop on every door", started);
    int collected = 0;
    for (int m = 0; m < SG_MECH_COUNT; m++) {
        int status;
        if (loopers[m] > 0 && sys_kill((int)loopers[m], 9) == 0 && sys_wait4((int)loopers[m], &status, 0) == loopers[m])
            collected++;
    }
    tap_eq(collected, started, "every looping child is killed and collected");
}

/* The scenarios, in order; bits 0 = both widths. */
static const struct scenario {
    int bits;
    void (*run)(const struct doors *d);
} scenarios[] = {
    { 0, offer_agrees },
    { 0, every_door_every_way },
    { 0, default_entry },
    { 64, floors_switch },
#ifdef __x86_64__
    { 64, floors_per_process },
#endif
    { 64, floors_keep_hazards },
    { 0, lacking_door },
    { 0, ud2_without_signature },
    { 0, preempted_on_every_door },
};

int main(int argc, char **argv)
{
    self = argv[0];
    if (argc > 1)
        return child_main(argv);
    tap_begin("mechanisms");

    struct doors d;
    sg_info(&d.info);
    d.offered = SG_BITS == 64 ? d.info.mechanisms64 : d.info.mechanisms32;
    d.default_mech = SG_BITS == 64 ? d.info.default64 : d.info.default32;
    d.intel = d.info.vendor_id == SG_VENDOR_INTEL;
    d.tcg = !strcmp(d.info.hypervisor_vendor, "TCGTCGTCGTCG");
    tap_diag("%s, %s, %d-bit process, doors %#x, default %s", d.info.vendor, d.tcg ? "QEMU TCG" : "hardware or KVM",
             SG_BITS, d.offered, sg_mechanism_name((int)d.default_mech));

    d.kip = sg_kip_header();
    tap_check(d.kip && d.kip->magic == SG_KIP_MAGIC && d.kip->version == SG_KIP_VERSION,
              "the interface page from the auxiliary vector has the sysgate header at +%#x", SG_KIP_HEADER_OFFSET);
    if (!d.kip)
        return tap_end();
    for (unsigned i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
        if (!scenarios[i].bits || scenarios[i].bits == SG_BITS)
            scenarios[i].run(&d);
    return tap_end();
}
