/*
 * linux: what a Linux C library finds at start-up and asks first - the
 * initial stack exactly as Linux's create_elf_tables builds it (argv, envp,
 * the auxiliary vector, the strings and their order, 16-byte alignment),
 * and the identity and bookkeeping calls (getuid and friends, getppid,
 * gettid, set_tid_address, set_robust_list, sched_getaffinity, getrandom,
 * the resource limits, uname, prctl's name), each with its hostile inputs.  Roles in
 * argv[1] run as children: what a child inherits and sees of its parent.
 */
#include "../lib/tap.h"

#define RLIMIT_STACK  3
#define RLIMIT_NOFILE 7
#define RLIM_NLIMITS  16
#define GRND_NONBLOCK 1
#define GRND_RANDOM   2

struct rlimit64 {
    uint64_t cur, max;
};

/* struct rlimit of this width. */
struct rlimit_native {
    unsigned long cur, max;
};

static const char *self;
static const uintptr_t kernel_address = (uintptr_t)(SG_BITS == 64 ? 0xffffffff80100000ull : 0xfffff800u);

static long call(long nr, long a, long b, long c, long d)
{
    return sg_syscall(nr, a, b, c, d, 0, 0);
}

static int child_main(char **argv)
{
    /* The parent's pid arrives as argv[2]. */
    if (!strcmp(argv[1], "ppid")) {
        long want = 0;
        for (const char *c = argv[2]; *c; c++)
            want = want * 10 + (*c - '0');
        return call(SYS_getppid, 0, 0, 0, 0) == want ? 0 : 1;
    }
    /* The parent lowered RLIMIT_NOFILE to 256 before spawning us. */
    if (!strcmp(argv[1], "rlimit")) {
        struct rlimit64 r;
        return call(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, (long)&r) == 0 && r.cur == 256 ? 0 : 1;
    }
    return 100;
}

static long spawn_wait(char **argv)
{
    long pid = sg_spawn(argv[0], argv);
    if (pid < 0)
        return pid;
    int status = 0;
    sys_wait4((int)pid, &status, 0);
    return status;
}

static void initial_stack(void)
{
    uintptr_t *sp = sg_initial_sp;
    tap_eq((uintptr_t)sp % 16, 0, "the stack pointer is 16-byte aligned at argc (ABI 3.4.1)");
    tap_eq(sp[0], (uintptr_t)sg_argc, "argc is the first word");
    tap_eq(sg_argv[sg_argc] == 0, 1, "argv[] ends in NULL");

    /* The environment: what sysgate hands every program. */
    const char *want_env[] = { "PATH=/bin:/usr/bin", "HOME=/", "TERM=linux" };
    int envc = 0;
    while (sg_envp[envc])
        envc++;
    tap_eq(envc, 3, "three environment strings");
    for (int i = 0; i < 3 && i < envc; i++)
        tap_check(!strcmp(sg_envp[i], want_env[i]), "envp[%d] is %s (got %s)", i, want_env[i], sg_envp[i]);

    /* Linux's string area: argv strings, then envp strings, then the
     * path (AT_EXECFN), each right after the last. */
    const char *execfn = (const char *)sg_auxv_get(SG_AT_EXECFN);
    tap_check(execfn && !strcmp(execfn, self), "AT_EXECFN is the path the program was started as (%s)",
              execfn ? execfn : "(none)");
    const char *next = sg_argv[0];
    int in_order = 1;
    for (int i = 0; i < sg_argc; i++, next += strlen(next) + 1)
        in_order &= sg_argv[i] == next;
    for (int i = 0; i < envc; i++, next += strlen(next) + 1)
        in_order &= sg_envp[i] == next;
    in_order &= execfn == next;
    tap_check(in_order, "argv strings, envp strings and AT_EXECFN lie back to back, as Linux places them");
    tap_check((uintptr_t)execfn > (uintptr_t)sp, "the strings lie above the pointer tables");

    /* The auxiliary vector. */
    tap_eq(sg_auxv_get(SG_AT_PAGESZ), 4096, "AT_PAGESZ is 4096");
    tap_eq(sg_auxv_get(SG_AT_CLKTCK), 100, "AT_CLKTCK is 100");
    extern char _start[];
    tap_eq(sg_auxv_get(SG_AT_ENTRY), (uintptr_t)_start, "AT_ENTRY is _start");
    tap_eq(sg_auxv_get(SG_AT_BASE), 0, "AT_BASE is 0 (no interpreter)");
    tap_eq(sg_auxv_get(SG_AT_SECURE), 0, "AT_SECURE is 0");
    tap_eq(sg_auxv_get(SG_AT_UID) | sg_auxv_get(SG_AT_EUID) | sg_auxv_get(SG_AT_GID) | sg_auxv_get(SG_AT_EGID), 0,
           "AT_UID, AT_EUID, AT_GID, AT_EGID are 0");
    uint32_t r[4], x[4] = { 0, 0, 0, 0 };
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(1), "c"(0));
    /* Linux's get_sigframe_size(): i386's sigframe (732) + 15, the FPU
     * area (with OSXSAVE: CPUID.(0xD,0):EBX for the XCR0 the kernel set,
     * + FP_XSTATE_MAGIC2; else FXSAVE's 512) + the FSAVE header (112) + 63,
     * rounded up to 16. */
    if (r[2] & (1u << 27))
        __asm__ volatile("cpuid" : "=a"(x[0]), "=b"(x[1]), "=c"(x[2]), "=d"(x[3]) : "a"(0xd), "c"(0));
    uint32_t fpu_area = r[2] & (1u << 27) ? ((x[1] + 63) & ~63u) + 4 : 512;
    tap_eq(sg_auxv_get(SG_AT_MINSIGSTKSZ), (732 + 15 + fpu_area + 112 + 63 + 15) & ~15u,
           "AT_MINSIGSTKSZ is Linux's largest signal frame (%u-byte FPU area)", fpu_area);
    tap_eq(sg_auxv_get(SG_AT_HWCAP), r[3], "AT_HWCAP is CPUID.1:EDX");
    const char *platform = (const char *)sg_auxv_get(SG_AT_PLATFORM);
    tap_check(platform && !strcmp(platform, SG_BITS == 64 ? "x86_64" : "i686"), "AT_PLATFORM is %s",
              SG_BITS == 64 ? "x86_64" : "i686");
    /* The program headers: AT_PHNUM entries of AT_PHENT bytes at AT_PHDR,
     * of which one is the PT_LOAD holding the entry point. */
    uintptr_t phdr = sg_auxv_get(SG_AT_PHDR), phent = sg_auxv_get(SG_AT_PHENT), phnum = sg_auxv_get(SG_AT_PHNUM);
    tap_eq(phent, SG_BITS == 64 ? 56 : 32, "AT_PHENT is the size of an ELF%d program header", SG_BITS);
    int entry_loaded = 0;
    for (uintptr_t i = 0; phdr && i < phnum; i++) {
        const uint32_t *h = (const uint32_t *)(phdr + i * phent);
        uintptr_t vaddr = SG_BITS == 64 ? *(const uintptr_t *)(h + 4) : h[2];
        uintptr_t memsz = SG_BITS == 64 ? *(const uintptr_t *)(h + 10) : h[5];
        if (h[0] == 1 && vaddr <= (uintptr_t)_start && (uintptr_t)_start < vaddr + memsz)
            entry_loaded = 1;
    }
    tap_check(entry_loaded, "AT_PHDR/AT_PHNUM describe the loaded program (a PT_LOAD holds _start)");
    const uint8_t *random = (const uint8_t *)sg_auxv_get(SG_AT_RANDOM);
    int nonzero = 0;
    for (int i = 0; random && i < 16; i++)
        nonzero |= random[i];
    tap_check(random && nonzero, "AT_RANDOM points at 16 bytes, not all zero");
    tap_check(sg_auxv_get(SG_AT_KIP) == sg_kip && sg_kip, "SG_AT_KIP is the interface page");
    extern uintptr_t sg_kip_entry;      /* what the library calls (start.c) */
    if (SG_BITS == 32)
        tap_eq(sg_auxv_get(SG_AT_SYSINFO), sg_kip_entry, "AT_SYSINFO is __kernel_vsyscall, the page's default entry");
}

static void identity(void)
{
    long pid = sys_getpid();
    tap_eq(call(SYS_getuid, 0, 0, 0, 0) | call(SYS_geteuid, 0, 0, 0, 0) | call(SYS_getgid, 0, 0, 0, 0) |
               call(SYS_getegid, 0, 0, 0, 0), 0, "getuid, geteuid, getgid, getegid: root");
#ifndef __x86_64__
    tap_eq(call(SYS_getuid32, 0, 0, 0, 0) | call(SYS_geteuid32, 0, 0, 0, 0) | call(SYS_getgid32, 0, 0, 0, 0) |
               call(SYS_getegid32, 0, 0, 0, 0), 0, "getuid32, geteuid32, getgid32, getegid32: root");
#endif
    tap_eq(call(SYS_gettid, 0, 0, 0, 0), pid, "gettid is the pid (one thread)");
    tap_eq(call(SYS_set_tid_address, (long)&pid, 0, 0, 0), pid, "set_tid_address returns the tid");
    char ppid[16];
    snformat(ppid, sizeof ppid, "%ld", pid);
    char *argv[] = { (char *)self, "ppid", ppid, 0 };
    tap_eq(spawn_wait(argv), SG_WSTATUS_EXITED(0), "a child's getppid is its parent's pid");

    long head[3] = { 0 };
    tap_eq(call(SYS_set_robust_list, (long)head, sizeof head, 0, 0), 0, "set_robust_list with the head's size");
    tap_eq(call(SYS_set_robust_list, (long)head, sizeof head + 1, 0, 0), -SG_EINVAL,
           "set_robust_list with another size is -EINVAL");

    unsigned long mask[4] = { 0 };
    tap_eq(call(SYS_sched_getaffinity, 0, sizeof mask, (long)mask, 0), sizeof(long),
           "sched_getaffinity writes one long");
    tap_eq(mask[0], 1, "one CPU: bit 0");
    tap_eq(call(SYS_sched_getaffinity, 0, 3, (long)mask, 0), -SG_EINVAL, "a mask size not a multiple of a long is -EINVAL");
    tap_eq(call(SYS_sched_getaffinity, 99999, sizeof mask, (long)mask, 0), -SG_ESRCH, "an unknown pid is -ESRCH");
    tap_eq(call(SYS_sched_getaffinity, 0, sizeof mask, (long)kernel_address, 0), -SG_EFAULT,
           "a kernel mask pointer is -EFAULT");

    struct { char f[6][65]; } uts;
    tap_eq(call(SYS_uname, (long)&uts, 0, 0, 0), 0, "uname");
    tap_check(!strcmp(uts.f[0], "sysgate") && !strcmp(uts.f[2], "6.1.0-sysgate") && !strcmp(uts.f[4], "x86_64"),
              "uname: sysgate, release 6.1.0-sysgate, x86_64 for both widths (%s %s %s)", uts.f[0], uts.f[2],
              uts.f[4]);
}

static void process_name(void)
{
    enum { PR_SET_NAME = 15, PR_GET_NAME = 16 };
    char name[16];
    tap_eq(sg_syscall(SYS_prctl, PR_SET_NAME, (long)"a-rather-long-process-name", 0, 0, 0, 0), 0,
           "prctl(PR_SET_NAME)");
    memset(name, 'x', sizeof name);
    tap_eq(sg_syscall(SYS_prctl, PR_GET_NAME, (long)name, 0, 0, 0, 0), 0, "prctl(PR_GET_NAME)");
    tap_check(!memcmp(name, "a-rather-long-p", 16), "the name is cut to 15 bytes and a NUL, as Linux cuts it");
    tap_eq(sg_syscall(SYS_prctl, PR_SET_NAME, (long)kernel_address, 0, 0, 0, 0), -SG_EFAULT,
           "PR_SET_NAME from a kernel address is -EFAULT");
    tap_eq(sg_syscall(SYS_prctl, PR_GET_NAME, (long)sg_kip, 0, 0, 0, 0), -SG_EFAULT,
           "PR_GET_NAME into the read-only interface page is -EFAULT");
    tap_eq(sg_syscall(SYS_prctl, 0x7fff, 0, 0, 0, 0, 0), -SG_EINVAL, "an unknown option is -EINVAL");
    sg_syscall(SYS_prctl, PR_SET_NAME, (long)"linux", 0, 0, 0, 0);
}

static void randomness(void)
{
    uint8_t a[64], b[64];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    tap_eq(call(SYS_getrandom, (long)a, sizeof a, 0, 0), sizeof a, "getrandom fills 64 bytes");
    tap_eq(call(SYS_getrandom, (long)b, sizeof b, GRND_NONBLOCK | GRND_RANDOM, 0), sizeof b,
           "getrandom with GRND_NONBLOCK | GRND_RANDOM");
    tap_check(memcmp(a, b, sizeof a) != 0, "two draws differ");
    tap_eq(call(SYS_getrandom, (long)a, 0, 0, 0), 0, "getrandom of 0 bytes returns 0");
    tap_eq(call(SYS_getrandom, (long)a, sizeof a, 4, 0), -SG_EINVAL, "an unknown flag is -EINVAL");
    tap_eq(call(SYS_getrandom, (long)kernel_address, 16, 0, 0), -SG_EFAULT, "a kernel buffer is -EFAULT");
    tap_eq(call(SYS_getrandom, (long)sg_kip, 16, 0, 0), -SG_EFAULT, "the read-only interface page is -EFAULT");
}

static void limits(void)
{
    struct rlimit64 r = { 0, 0 }, set;
    tap_eq(call(SYS_prlimit64, 0, RLIMIT_STACK, 0, (long)&r), 0, "prlimit64 reads RLIMIT_STACK");
    tap_eq(r.cur, 8 << 20, "RLIMIT_STACK is 8 MiB");
    tap_eq(call(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, (long)&r), 0, "prlimit64 reads RLIMIT_NOFILE");
    tap_check(r.cur == 1024 && r.max == 4096, "RLIMIT_NOFILE is 1024 / 4096 (%lu / %lu)", (unsigned long)r.cur,
              (unsigned long)r.max);
    struct rlimit_native n = { 0, 0 };
    tap_eq(call(SYS_getrlimit, RLIMIT_NOFILE, (long)&n, 0, 0), 0, "getrlimit reads RLIMIT_NOFILE");
    tap_check(n.cur == 1024 && n.max == 4096, "getrlimit agrees with prlimit64");
#ifndef __x86_64__
    set = (struct rlimit64){ ~0ull, ~0ull };
    tap_eq(call(SYS_prlimit64, 0, 0, (long)&set, 0), 0, "prlimit64 sets RLIMIT_CPU to infinity");
    tap_eq(call(SYS_ugetrlimit, 0, (long)&n, 0, 0), 0, "ugetrlimit reads RLIMIT_CPU");
    tap_eq(n.cur, 0xffffffffu, "ugetrlimit shows infinity as 0xffffffff");
    tap_eq(call(SYS_getrlimit, 0, (long)&n, 0, 0), 0, "the old getrlimit reads RLIMIT_CPU");
    tap_eq(n.cur, 0x7fffffffu, "the old getrlimit shows infinity as 0x7fffffff");
#endif
    set = (struct rlimit64){ 256, 4096 };
    tap_eq(call(SYS_prlimit64, 0, RLIMIT_NOFILE, (long)&set, (long)&r), 0, "prlimit64 sets and reads at once");
    tap_eq(r.cur, 1024, "it returns the old limit");
    char *argv[] = { (char *)self, "rlimit", 0 };
    tap_eq(spawn_wait(argv), SG_WSTATUS_EXITED(0), "a child inherits its parent's limits");
    n = (struct rlimit_native){ 512, 4096 };
    tap_eq(call(SYS_setrlimit, RLIMIT_NOFILE, (long)&n, 0, 0), 0, "setrlimit");
    tap_eq(call(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, (long)&r), 0, "read back");
    tap_eq(r.cur, 512, "setrlimit's value is seen by prlimit64");

    set = (struct rlimit64){ 5000, 4096 };
    tap_eq(call(SYS_prlimit64, 0, RLIMIT_NOFILE, (long)&set, 0), -SG_EINVAL, "cur above max is -EINVAL");
    set = (struct rlimit64){ 1024, 1 << 30 };
    tap_eq(call(SYS_prlimit64, 0, RLIMIT_NOFILE, (long)&set, 0), -SG_EPERM, "NOFILE above nr_open is -EPERM");
    tap_eq(call(SYS_prlimit64, 0, RLIM_NLIMITS, 0, (long)&r), -SG_EINVAL, "an unknown resource is -EINVAL");
    tap_eq(call(SYS_prlimit64, 99999, RLIMIT_NOFILE, 0, (long)&r), -SG_ESRCH, "an unknown pid is -ESRCH");
    tap_eq(call(SYS_prlimit64, 0, RLIMIT_NOFILE, (long)kernel_address, 0), -SG_EFAULT, "a kernel new-limit pointer is -EFAULT");
    tap_eq(call(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, (long)sg_kip), -SG_EFAULT,
           "an old-limit pointer into the read-only interface page is -EFAULT");
    tap_eq(call(SYS_getrlimit, RLIMIT_NOFILE, (long)kernel_address, 0, 0), -SG_EFAULT, "getrlimit into the kernel is -EFAULT");
    tap_eq(call(SYS_setrlimit, RLIMIT_NOFILE, (long)kernel_address, 0, 0), -SG_EFAULT, "setrlimit from the kernel is -EFAULT");
    tap_eq(call(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, (long)&r), 0, "the failed calls changed nothing");
    tap_eq(r.cur, 512, "RLIMIT_NOFILE is still 512");
}

int main(int argc, char **argv)
{
    self = argv[0];
    if (argc > 1)
        return child_main(argv);
    tap_begin("linux");
    initial_stack();
    identity();
    process_name();
    randomness();
    limits();
    /* rseq (Linux x86-64 334, i386 386): not implemented, -ENOSYS (glibc carries on). */
    tap_eq(call(SG_BITS == 64 ? 334 : 386, 0, 0, 0, 0), -SG_ENOSYS, "rseq (not implemented) is -ENOSYS");
    return tap_end();
}
