/*
 * exdoors: the exception doors whose CPU state is per thread or per CPU
 * model - rdtsc (CR4.TSD), umip (CR4.UMIP), cpuid (CPUID faulting) and
 * icebp (#DB) - and the two #BP doors, int3 (CC) and int3n (int $3, CD
 * 03), beyond what every door gets from mechanisms, regs and faults:
 *  - int3, int $3, a division by zero, hlt, smsw (UMIP), an armed rdtsc, a load from the pf
 *    range and, in 32-bit code, bound and into in the program are
 *    signals delivered exactly there (the saved IP at the fault, or right
 *    after the trap), never calls through a door of their vector;
 *  - int3 and int3n share vector 3 and are told apart only by the saved
 *    RIP, the end of the instruction: each call reports its own door; the
 *    same instructions in the program stay SIGTRAP; and a CC ending where
 *    the other width's int3n stub ends is no call (the kernel compares
 *    with the caller's width's page only);
 *  - each is offered exactly where this CPU (or emulator) has it, and the
 *    test says per model and accelerator what it expected;
 *  - the rdtsc door arms CR4.TSD for the calling thread only (prctl
 *    PR_GET_TSC shows it), and it never leaks: a process that did not arm
 *    it reads the TSC while an armed one runs beside it and is preempted,
 *    and an armed one keeps faulting across the switches;
 *  - a thread whose rdtsc faults still reads the vDSO's clocks (the
 *    kernel does the page's own rdtsc for it), without a system call;
 *  - its own rdtsc outside the stub is SIGSEGV (Linux's PR_TSC_SIGSEGV),
 *    fork and execve keep the setting, a spawned process starts without it;
 *  - prctl and arch_prctl refuse bad values as Linux does.
 * Every case that may fault runs in a child process of its own.
 */
#include "../lib/files.h"
#include "../lib/signals.h"
#include "../lib/tap.h"
#include <common/vdso_elf.h>
#include <sysgate/kip.h>
#include <sysgate/vvar.h>

static const char *self;
static struct sg_info info;

static long prctl(long option, long arg2)
{
    return sg_syscall(SYS_prctl, option, arg2, 0, 0, 0, 0);
}

static long arch_prctl(long code, long arg)
{
    return sg_syscall(SYS_arch_prctl, code, arg, 0, 0, 0, 0);
}

static int tsc_mode(void)
{
    int mode = -1;
    return prctl(SG_PR_GET_TSC, (long)&mode) ? -1 : mode;
}

static uint64_t read_tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static long run_child(const char *role)
{
    char *argv[] = { (char *)self, (char *)role, 0 };
    return sg_run(self, argv);
}

static long spawn_child(const char *role)
{
    char *argv[] = { (char *)self, (char *)role, 0 };
    return sg_spawn(self, argv);
}

/* Arms the rdtsc door as a program does: one call through its stub. */
static long call_rdtsc_door(void)
{
    return sg_call_stub(sg_kip_stub(SG_MECH_RDTSC), SYS_getpid, 0, 0, 0, 0, 0, 0);
}

/* The vDSO's clock_gettime, found as a C library finds it. */
struct vts {
    long tv_sec, tv_nsec;
};
typedef int (*gettime_fn)(int clock, struct vts *ts);
static uintptr_t vdso_find(const char *name, const char *version)
{
    struct vdso_elf elf;
    struct vdso_elf_sym sym;
    uintptr_t base = sg_auxv_get(SG_AT_SYSINFO_EHDR);
    if (!base || vdso_elf_open(&elf, (const void *)base, 0) != VDSO_ELF_OK ||
        !vdso_elf_lookup(&elf, name, version, VDSO_HASH_ANY, &sym))
        return 0;
    return base + (uintptr_t)sym.offset;
}

static int killed_by(long st, int sig)
{
    return st >= 0 && SG_WIFSIGNALED(st) && SG_WTERMSIG(st) == sig;
}

static int exited_ok(long st)
{
    return st >= 0 && SG_WIFEXITED(st) && SG_WEXITSTATUS(st) == 0;
}

#ifdef __x86_64__
/* The 32-bit int3n door's call site (the stub's end) as a 32-bit
 * process sees it: asked of /bin/tests32/exdoors through a pipe.  0: none
 * (the door is off, or the helper failed). */
static uint32_t int3n_site32(void)
{
    int fds[2];
    uint32_t site = 0;
    if (sg_syscall(SYS_pipe2, (long)fds, 0, 0, 0, 0, 0))
        return 0;
    char fd[2] = { (char)('0' + fds[1]), 0 };
    char *argv[] = { "/bin/tests32/exdoors", "int3n-site", fd, 0 };
    long st = fds[1] < 10 ? sg_run(argv[0], argv) : -1;
    sys_close(fds[1]);
    if (exited_ok(st) && sys_read(fds[0], &site, sizeof site) != sizeof site)
        site = 0;
    sys_close(fds[0]);
    return site;
}
#endif

static int child_main(const char *role, const char *arg)
{
    if (!strcmp(role, "int3")) {           /* int3 (CC) in the program, not the stub */
        __asm__ volatile("int3");
        return 0;
    }
    if (!strcmp(role, "int-3")) {          /* int $3 (CD 03) in the program; GNU as would write CC */
        __asm__ volatile(".byte 0xcd, 0x03");
        return 0;
    }
    if (!strcmp(role, "int3n-site")) {     /* this width's int3n call site, written to fd `arg` */
        uint32_t site = sg_kip_stub(SG_MECH_INT3N) ? (uint32_t)sg_kip_stub(SG_MECH_INT3N) + 2 : 0;
        return sys_write(arg[0] - '0', &site, sizeof site) == sizeof site ? 0 : 17;
    }
    if (!strcmp(role, "cc-at")) {          /* a CC ending at address `arg` (hex), called with getpid's number */
        uintptr_t end = 0;
        for (const char *c = arg; *c; c++)
            end = end * 16 + (uintptr_t)(*c <= '9' ? *c - '0' : *c - 'a' + 10);
        uintptr_t page = (end - 1) & ~(uintptr_t)4095;
        unsigned char *p = (unsigned char *)sys_mmap((void *)page, 8192, SG_PROT_READ | SG_PROT_WRITE | SG_PROT_EXEC,
                                                     SG_MAP_PRIVATE | SG_MAP_ANONYMOUS | SG_MAP_FIXED_NOREPLACE, -1, 0);
        if ((uintptr_t)p != page)
            return 18;
        ((unsigned char *)end)[-1] = 0xcc;
        ((unsigned char *)end)[0] = 0xc3;
        long r;
        __asm__ volatile("call *%2" : "=a"(r) : "0"((long)SYS_getpid), "r"(end - 1) : "memory", "cc"
#ifdef __x86_64__
                         , "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11"
#else
                         , "ecx", "edx"
#endif
        );
        return r == sys_getpid() ? 19 : 0;     /* a call would have answered: 19 */
    }
    if (!strcmp(role, "rdtsc")) {          /* this process's own rdtsc */
        read_tsc();
        return 0;
    }
    if (!strcmp(role, "armed-rdtsc")) {    /* armed by the door, then its own rdtsc: SIGSEGV */
        call_rdtsc_door();
        read_tsc();
        return 0;
    }
    if (!strcmp(role, "prctl-rdtsc")) {    /* armed by prctl alone, as on Linux */
        prctl(SG_PR_SET_TSC, SG_PR_TSC_SIGSEGV);
        read_tsc();
        return 0;
    }
    if (!strcmp(role, "reenabled")) {      /* armed, then PR_TSC_ENABLE: rdtsc works again */
        call_rdtsc_door();
        if (prctl(SG_PR_SET_TSC, SG_PR_TSC_ENABLE) || tsc_mode() != SG_PR_TSC_ENABLE)
            return 3;
        read_tsc();
        return 0;
    }
    if (!strcmp(role, "rdtsc-loop")) {     /* reads the TSC across many switches */
        for (int i = 0; i < 2000; i++) {
            read_tsc();
            if (i % 16 == 0)
                sys_sched_yield();
        }
        return tsc_mode() == SG_PR_TSC_ENABLE ? 0 : 4;
    }
    if (!strcmp(role, "armed-loop")) {     /* armed, calls its door across many switches */
        long pid = sys_getpid();
        for (int i = 0; i < 2000; i++) {
            if (call_rdtsc_door() != pid)
                return 5;
            if (i % 16 == 0)
                sys_sched_yield();
        }
        read_tsc();                         /* still armed: SIGSEGV */
        return 0;
    }
    if (!strcmp(role, "fork-armed")) {     /* fork keeps PR_TSC_SIGSEGV (Linux's thread flags) */
        call_rdtsc_door();
        long pid = sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
        if (pid == 0) {
            read_tsc();                     /* SIGSEGV in the child */
            sys_exit(0);
        }
        int status = 0;
        if (pid < 0 || sys_wait4((int)pid, &status, 0) != pid)
            return 6;
        return SG_WIFSIGNALED(status) && SG_WTERMSIG(status) == SG_SIGSEGV ? 0 : 7;
    }
    if (!strcmp(role, "exec-armed")) {     /* execve keeps it (Linux keeps TIF_NOTSC) */
        call_rdtsc_door();
        char *argv[] = { (char *)self, "rdtsc", 0 };
        char *envp[] = { 0 };
        sg_syscall(SYS_execve, (long)self, (long)argv, (long)envp, 0, 0, 0);
        return 15;
    }
    if (!strcmp(role, "spawn-unarmed")) {  /* a process it spawns starts with rdtsc working */
        call_rdtsc_door();
        long st = run_child("rdtsc");
        return SG_WIFEXITED(st) && SG_WEXITSTATUS(st) == 0 ? 0 : 8;
    }
    if (!strcmp(role, "vdso-armed")) {     /* the vDSO's clocks while armed */
        gettime_fn gettime = (gettime_fn)vdso_find("__vdso_clock_gettime", "LINUX_2.6");
        uint64_t (*tsc)(void) = (uint64_t (*)(void))vdso_find("__sg_rdtsc", "SYSGATE_1");
        if (!gettime || !tsc)
            return 9;
        call_rdtsc_door();
        if (tsc_mode() != SG_PR_TSC_SIGSEGV)
            return 10;
        struct sg_info before, after;
        struct vts a, b, s;
        sg_info(&before);
        int ra = gettime(SG_CLOCK_MONOTONIC, &a);
        int rb = gettime(SG_CLOCK_MONOTONIC, &b);
        sg_info(&after);
        if (ra || rb)
            return 11;
        /* sg_info itself is one system call; the two reads none. */
        if (after.syscalls - before.syscalls != 1)
            return 12;
        sg_syscall(SYS_clock_gettime, SG_CLOCK_MONOTONIC, (long)&s, 0, 0, 0, 0);
        uint64_t na = (uint64_t)a.tv_sec * SG_NSEC_PER_SEC + (uint64_t)a.tv_nsec;
        uint64_t nb = (uint64_t)b.tv_sec * SG_NSEC_PER_SEC + (uint64_t)b.tv_nsec;
        uint64_t ns = (uint64_t)s.tv_sec * SG_NSEC_PER_SEC + (uint64_t)s.tv_nsec;
        if (nb < na || ns < nb || ns - na > 1000000000ull)
            return 13;                      /* the emulated reads must be the TSC's */
        uint64_t t0 = tsc(), t1 = tsc();    /* the page's TSC read works too */
        return t1 > t0 ? 0 : 14;
    }
    if (!strcmp(role, "umip-smsw")) {      /* smsw in the program, not the stub */
        unsigned long msw;
        __asm__ volatile("smsw %0" : "=r"(msw));
        return 0;
    }
    if (!strcmp(role, "icebp")) {          /* icebp in the program, not the stub */
        __asm__ volatile(".byte 0xf1");
        return 0;
    }
    if (!strcmp(role, "cpuid-armed")) {    /* armed by the door, then its own cpuid */
        uint32_t a = 0, b, c = 0, d;
        sg_call_stub(sg_kip_stub(SG_MECH_CPUID), SYS_getpid, 0, 0, 0, 0, 0, 0);
        __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
        return 0;
    }
    if (!strcmp(role, "cpuid")) {          /* this process's own cpuid */
        uint32_t a = 0, b, c = 0, d;
        __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
        return 0;
    }
    if (!strcmp(role, "cpuid-exec")) {     /* execve switches CPUID faulting off (Linux) */
        sg_call_stub(sg_kip_stub(SG_MECH_CPUID), SYS_getpid, 0, 0, 0, 0, 0, 0);
        char *argv[] = { (char *)self, "cpuid", 0 };
        char *envp[] = { 0 };
        sg_syscall(SYS_execve, (long)self, (long)argv, (long)envp, 0, 0, 0);
        return 16;
    }
    return 100;
}

static void rdtsc_door(void)
{
    uint32_t offered = SG_BITS == 64 ? info.mechanisms64 : info.mechanisms32;
    if (!(offered & (1u << SG_MECH_RDTSC))) {
        tap_skip("the door is switched off (nodoor=)", "the rdtsc door's per-thread TSD");
        return;
    }
    /* With syscall=rdtsc every process arms the door with its first
     * system call (the default entry is the door's stub): nothing here
     * runs unarmed, and a disarmed thread arms again at its next call. */
    uint32_t default_door = SG_BITS == 64 ? info.default64 : info.default32;
    int always_armed = default_door == SG_MECH_RDTSC;
    if (always_armed) {
        tap_eq(tsc_mode(), SG_PR_TSC_SIGSEGV, "syscall=rdtsc: the first system call armed this process");
        tap_skip("syscall=rdtsc: every process is armed from its first call", "the checks of unarmed processes");
    } else {
        /* Before this process ever arms it: rdtsc works, PR_GET_TSC says so. */
        tap_eq(tsc_mode(), SG_PR_TSC_ENABLE, "a new process's rdtsc works (PR_GET_TSC: PR_TSC_ENABLE)");
        tap_check(exited_ok(run_child("rdtsc")), "rdtsc in a process that never called the door works");
    }
    tap_eq(prctl(SG_PR_SET_TSC, 3), -SG_EINVAL, "PR_SET_TSC with a mode that is neither: -EINVAL");
    tap_eq(prctl(SG_PR_SET_TSC, 0), -SG_EINVAL, "PR_SET_TSC 0: -EINVAL");
    tap_eq(prctl(SG_PR_GET_TSC, 8), -SG_EFAULT, "PR_GET_TSC into page 0: -EFAULT");

    /* The stub arms the door for the thread that calls it. */
    long st = run_child("armed-rdtsc");
    tap_check(killed_by(st, SG_SIGSEGV),
              "after a call through the door, the process's own rdtsc is SIGSEGV (PR_TSC_SIGSEGV) (status %#lx)", st);
    st = run_child("prctl-rdtsc");
    tap_check(killed_by(st, SG_SIGSEGV), "prctl(PR_SET_TSC, PR_TSC_SIGSEGV) alone: rdtsc is SIGSEGV (status %#lx)",
              st);
    st = run_child("fork-armed");
    tap_check(exited_ok(st), "fork keeps the setting: the child's rdtsc is SIGSEGV too (status %#lx)", st);
    st = run_child("exec-armed");
    tap_check(killed_by(st, SG_SIGSEGV), "execve keeps it: the new program's rdtsc is SIGSEGV (status %#lx)", st);
    if (!always_armed) {
        st = run_child("reenabled");
        tap_check(exited_ok(st), "PR_TSC_ENABLE after the door: rdtsc works again (status %#lx)", st);
        st = run_child("spawn-unarmed");
        tap_check(exited_ok(st), "a process spawned by an armed one reads the TSC (status %#lx)", st);

        /* Never leaking: an unarmed reader and an armed caller, side by
         * side, both preempted and yielding many times. */
        long reader = spawn_child("rdtsc-loop");
        long caller = spawn_child("armed-loop");
        int rs = -1, cs = -1;
        long rw = sys_wait4((int)reader, &rs, 0), cw = sys_wait4((int)caller, &cs, 0);
        tap_check(rw == reader && SG_WIFEXITED(rs) && SG_WEXITSTATUS(rs) == 0,
                  "an unarmed process reads the TSC 2000 times while an armed one runs beside it (status %#x)", rs);
        tap_check(cw == caller && SG_WIFSIGNALED(cs) && SG_WTERMSIG(cs) == SG_SIGSEGV,
                  "the armed one's 2000 door calls all answer, and its rdtsc still faults afterwards (status %#x)",
                  cs);
    }

    st = run_child("vdso-armed");
    tap_check(exited_ok(st),
              "a thread whose rdtsc faults reads CLOCK_MONOTONIC from the vDSO without a system call, "
              "between the syscall's values, and the TSC through __sg_rdtsc (status %#lx)", st);

    /* And this process, armed now, still reads the TSC's clocks. */
    tap_eq(call_rdtsc_door(), sys_getpid(), "getpid through the rdtsc door");
    tap_eq(tsc_mode(), SG_PR_TSC_SIGSEGV, "the door armed this thread (PR_GET_TSC: PR_TSC_SIGSEGV)");
}

static void umip_door(int tcg, int amd)
{
    int has = (info.features & SG_FEAT_UMIP) != 0;
    uint32_t offered = SG_BITS == 64 ? info.mechanisms64 : info.mechanisms32;
    if (tcg)
        tap_eq(has, amd, "UMIP under TCG: %s", amd ? "EPYC-Rome has it" : "Skylake-Client has not");
    if (!has) {
        tap_check(!(offered & (1u << SG_MECH_UMIP)) && !sg_kip_stub(SG_MECH_UMIP),
                  "no UMIP: the umip door is absent and the page has no stub for it");
        tap_check(exited_ok(run_child("umip-smsw")), "no UMIP: smsw works in ring 3");
        return;
    }
    if (!(offered & (1u << SG_MECH_UMIP))) {
        tap_skip("the door is switched off (nodoor=)", "the umip door");
        return;
    }
    tap_eq(sg_call_stub(sg_kip_stub(SG_MECH_UMIP), SYS_getpid, 0, 0, 0, 0, 0, 0), sys_getpid(),
           "getpid through the umip door");
    long st = run_child("umip-smsw");
    tap_check(killed_by(st, SG_SIGSEGV),
              "smsw outside the stub is the process's #GP: SIGSEGV (Linux would emulate it) (status %#lx)", st);
}

static void cpuid_door(int tcg)
{
    uint32_t offered = SG_BITS == 64 ? info.mechanisms64 : info.mechanisms32;
    int has = (offered & (1u << SG_MECH_CPUID)) != 0;
    tap_eq(arch_prctl(SG_ARCH_GET_CPUID, 0), 1, "ARCH_GET_CPUID: cpuid runs in a new process");
    if (tcg)    /* QEMU 7.2's TCG models neither MSR_PLATFORM_INFO bit 32 nor the faulting */
        tap_check(!has, "under TCG the cpuid door is absent (no CPUID faulting)");
    if (!has) {
        tap_check(!sg_kip_stub(SG_MECH_CPUID), "no CPUID faulting: the page has no cpuid stub");
        tap_eq(arch_prctl(SG_ARCH_SET_CPUID, 0), -SG_ENODEV, "no CPUID faulting: ARCH_SET_CPUID 0 is -ENODEV");
        tap_eq(arch_prctl(SG_ARCH_SET_CPUID, 1), -SG_ENODEV, "ARCH_SET_CPUID 1 too, as on Linux");
        return;
    }
    tap_eq(sg_call_stub(sg_kip_stub(SG_MECH_CPUID), SYS_getpid, 0, 0, 0, 0, 0, 0), sys_getpid(),
           "getpid through the cpuid door");
    tap_eq(arch_prctl(SG_ARCH_GET_CPUID, 0), 0, "the door armed CPUID faulting for this thread");
    long st = run_child("cpuid-armed");
    tap_check(killed_by(st, SG_SIGSEGV), "an armed process's own cpuid is SIGSEGV (status %#lx)", st);
    st = run_child("cpuid-exec");
    tap_check(exited_ok(st), "execve switches CPUID faulting off: the new program's cpuid runs (status %#lx)", st);
    tap_eq(arch_prctl(SG_ARCH_SET_CPUID, 1), 0, "ARCH_SET_CPUID 1 switches it off again");
}

static void icebp_door(int tcg)
{
    uint32_t offered = SG_BITS == 64 ? info.mechanisms64 : info.mechanisms32;
    int has = (offered & (1u << SG_MECH_ICEBP)) != 0;
    long st = run_child("icebp");
    if (tcg) {
        /* QEMU 7.2's TCG decodes F1 as #UD (QEMU's target/i386/tcg/translate.c): no door. */
        tap_check(!has && !sg_kip_stub(SG_MECH_ICEBP), "under TCG the icebp door is absent (icebp raises #UD)");
        tap_check(killed_by(st, SG_SIGILL), "under TCG icebp in the program is SIGILL (#UD) (status %#lx)", st);
        return;
    }
    /* Hardware: #DB, a trap, delivered as SIGTRAP. */
    tap_check(killed_by(st, SG_SIGTRAP), "icebp in the program is the process's #DB: SIGTRAP (status %#lx)", st);
    if (has)
        tap_eq(sg_call_stub(sg_kip_stub(SG_MECH_ICEBP), SYS_getpid, 0, 0, 0, 0, 0, 0), sys_getpid(),
               "getpid through the icebp door");
}

/* The exception doors' instructions in the program, each delivered as
 * the process's own signal exactly where the CPU raised it: a trap's
 * saved IP after the instruction, a fault's at it (then resumed past it
 * by the handler, as a C library's siglongjmp would).  A door that took
 * one of them for a call would return through its stub instead, and the
 * handler would see another IP - or none. */
extern char int3_insn[], int3_after[], int_3_insn[], int_3_after[];
__attribute__((noinline)) static void do_int3(void) { __asm__ volatile("int3_insn: int3\nint3_after:"); }
__attribute__((noinline)) static void do_int_3(void)
{
    __asm__ volatile("int_3_insn: .byte 0xcd, 0x03\nint_3_after:");
}
#ifndef __x86_64__
extern char bound_insn[], bound_after[], into_insn[], into_after[];
static const int32_t bound_range[2] = { 1, 0 };     /* holds no value */
__attribute__((noinline)) static void do_bound(void)
{
    __asm__ volatile("bound_insn: bound %0, %1\nbound_after:" ::"r"(0), "m"(bound_range));
}
__attribute__((noinline)) static void do_into(void)
{
    __asm__ volatile("mov $0x7f, %%al\n add $1, %%al\ninto_insn: into\ninto_after:" ::: "eax", "cc");
}
#endif

/* A load from the pf door's range, of the byte a getpid call through the
 * door would name. */
extern char pf_insn[], pf_after[];
#define PF_GETPID_BYTE ((SG_BITS == 64 ? SG_PF_BASE64 : SG_PF_BASE32) + SYS_getpid)
__attribute__((noinline)) static void do_pf_load(void)
{
    __asm__ volatile("pf_insn: testb $0, (%0)\npf_after:" ::"r"((uintptr_t)PF_GETPID_BYTE) : "memory", "cc");
}

/* A division by zero (#DE), as the divide door's stub makes. */
extern char div_insn[], div_after[];
__attribute__((noinline)) static void do_divide(void)
{
    __asm__ volatile("xor %%ecx, %%ecx; mov $1, %%eax; xor %%edx, %%edx\ndiv_insn: divl %%ecx\ndiv_after:"
                     ::: "eax", "ecx", "edx");
}

/* The #GP doors' instructions: hlt; smsw where UMIP is on; rdtsc with
 * this thread's TSD set (armed by prctl around it, off again after). */
extern char hlt_insn[], hlt_after[], smsw_insn[], smsw_after[], rdtsc_insn[], rdtsc_after[];
__attribute__((noinline)) static void do_hlt(void) { __asm__ volatile("hlt_insn: hlt\nhlt_after:"); }
__attribute__((noinline)) static void do_smsw(void)
{
    __asm__ volatile("smsw_insn: smsw %%eax\nsmsw_after:" ::: "eax");
}
__attribute__((noinline)) static void do_rdtsc_armed(void)
{
    prctl(SG_PR_SET_TSC, SG_PR_TSC_SIGSEGV);
    __asm__ volatile("rdtsc_insn: rdtsc\nrdtsc_after:" ::: "eax", "edx");
    prctl(SG_PR_SET_TSC, SG_PR_TSC_ENABLE);
}

static volatile int caught_sig, caught_code;
static volatile uintptr_t caught_ip, caught_addr, resume_at;

static void catch_fault(int sig, sg_siginfo_t *si, void *ucv)
{
    sg_ucontext_t *uc = ucv;
    caught_sig = sig;
    caught_code = si->code;
    caught_ip = SG_UC_IP(uc);
    caught_addr = si->u.fault.addr;
    if (resume_at)
        SG_UC_IP(uc) = resume_at;
}

static void delivered_exactly(void)
{
    /* Linux: #DE is FPE_INTDIV at the instruction; do_trap for #BP, #BR
     * and #OF, a #GP from user mode, si_code SI_KERNEL; the pf range is never mapped: SEGV_MAPERR and the
     * address, as Linux gives for an address no mapping covers. */
    static const struct {
        int sig;
        void (*run)(void);
        char *insn, *ip, *resume;
        int code;
        uintptr_t addr;
        const char *what;
    } cases[] = {
        { SG_SIGFPE, do_divide, div_insn, div_insn, div_after, SG_FPE_INTDIV, 0, "a division by zero (#DE), a fault" },
        { SG_SIGSEGV, do_hlt, hlt_insn, hlt_insn, hlt_after, SG_SI_KERNEL, 0, "hlt (#GP), a fault" },
        { SG_SIGSEGV, do_smsw, smsw_insn, smsw_insn, smsw_after, SG_SI_KERNEL, 0, "smsw with UMIP on (#GP), a fault" },
        { SG_SIGSEGV, do_rdtsc_armed, rdtsc_insn, rdtsc_insn, rdtsc_after, SG_SI_KERNEL, 0,
          "rdtsc with this thread's TSD set (#GP), a fault" },
        { SG_SIGTRAP, do_int3, int3_insn, int3_after, 0, SG_SI_KERNEL, 0, "int3 (CC), a trap" },
        { SG_SIGTRAP, do_int_3, int_3_insn, int_3_after, 0, SG_SI_KERNEL, 0, "int $3 (CD 03), a trap" },
        { SG_SIGSEGV, do_pf_load, pf_insn, pf_insn, pf_after, SG_SEGV_MAPERR, PF_GETPID_BYTE,
          "a load of getpid's byte of the pf door's range (#PF), a fault" },
#ifndef __x86_64__
        { SG_SIGSEGV, do_bound, bound_insn, bound_insn, bound_after, SG_SI_KERNEL, 0,
          "bound outside its range (#BR), a fault" },
        { SG_SIGSEGV, do_into, into_insn, into_after, 0, SG_SI_KERNEL, 0, "into with OF set (#OF), a trap" },
#endif
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cases[i].run == do_smsw && !(info.features & SG_FEAT_UMIP)) {
            tap_skip("no UMIP: smsw runs in ring 3", "smsw delivered as #GP");
            continue;
        }
        caught_sig = caught_code = 0;
        caught_ip = caught_addr = 0;
        resume_at = (uintptr_t)cases[i].resume;
        sg_sigaction(cases[i].sig, (void *)catch_fault, SG_SA_SIGINFO, 0, 0);
        cases[i].run();
        sg_sigaction(cases[i].sig, (void *)SG_SIG_DFL, 0, 0, 0);
        tap_check(caught_sig == cases[i].sig && caught_code == cases[i].code && caught_ip == (uintptr_t)cases[i].ip &&
                      (cases[i].code == SG_SI_KERNEL ||
                       caught_addr == (cases[i].addr ? cases[i].addr : (uintptr_t)cases[i].insn)),
                  "%s in the program: signal %d (want %d), si_code %d (want %d), saved IP the instruction%s "
                  "(IP - instruction: %ld)%s", cases[i].what, caught_sig, cases[i].sig, caught_code, cases[i].code,
                  cases[i].ip == cases[i].insn ? "'s own" : "'s end", (long)(caught_ip - (uintptr_t)cases[i].insn),
                  cases[i].code == SG_SI_KERNEL ? "" : cases[i].addr ? ", si_addr the byte" : ", si_addr the instruction");
    }
    resume_at = 0;
}

/* sg_bench_floor through int $0x80, which every process has and no
 * floor here touches. */
static long floor_set(int mech, int on)
{
    return sg_syscall_via(SG_MECH_INT80, SYS_sg_bench_floor, mech, on, 0, 0, 0, 0);
}

/* Doors that share a vector share its IDT gate: one of their floors at
 * a time (kernel/entry/mechanisms.c), or switching one off would take the
 * other's away unnoticed. */
static void floors_share_a_vector(void)
{
    uint32_t offered = SG_BITS == 64 ? info.mechanisms64 : info.mechanisms32;
    static const int pairs[][2] = { { SG_MECH_INT3, SG_MECH_INT3N }, { SG_MECH_HLT, SG_MECH_RDTSC } };
    for (unsigned i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        int a = pairs[i][0], b = pairs[i][1];
        if ((offered & (1u << a | 1u << b)) != (1u << a | 1u << b)) {
            tap_skip("a door of the pair is switched off (nodoor=)", "one floor per vector");
            continue;
        }
        long on = floor_set(a, 1), busy = floor_set(b, 1), off = floor_set(a, 0);
        long again = floor_set(b, 1), off2 = floor_set(b, 0);
        tap_check(on == 0 && busy == -SG_EBUSY && off == 0 && again == 0 && off2 == 0,
                  "%s's floor on: %s's (the same vector) is -EBUSY until it is off (%ld %ld %ld %ld %ld)",
                  sg_mechanism_name(a), sg_mechanism_name(b), on, busy, off, again, off2);
    }
}

static long call_via(int mech, long nr, long a1, long a2)
{
    return sg_call_stub(sg_kip_stub(mech), nr, a1, a2, 0, 0, 0, 0);
}

static void int3n_door(void)
{
    uint32_t offered = SG_BITS == 64 ? info.mechanisms64 : info.mechanisms32;
    /* The same instructions in the program: the process's own #BP, a
     * SIGTRAP as on Linux, whether the doors are on or off. */
    long st = run_child("int-3");
    tap_check(killed_by(st, SG_SIGTRAP), "int $3 (CD 03) in the program is SIGTRAP (status %#lx)", st);
    st = run_child("int3");
    tap_check(killed_by(st, SG_SIGTRAP), "int3 (CC) in the program is SIGTRAP (status %#lx)", st);
    if (!(offered & (1u << SG_MECH_INT3N))) {
        tap_check(!sg_kip_stub(SG_MECH_INT3N), "int3n switched off (nodoor=): the page has no stub for it");
        tap_skip("the door is switched off (nodoor=)", "the int3n door's calls");
        return;
    }
    const unsigned char *stub = (const unsigned char *)sg_kip_stub(SG_MECH_INT3N);
    tap_check(stub[0] == 0xcd && stub[1] == 0x03 && stub[2] == 0xc3,
              "the int3n stub is int $3; ret (CD 03 C3): no CC can end where its call ends");
    tap_eq(call_via(SG_MECH_INT3N, SYS_getpid, 0, 0), sys_getpid(), "getpid through the int3n door");
    /* One vector, two doors: the saved RIP alone says which instruction
     * raised the #BP, and the call is tagged with that door. */
    struct sg_info through;
    memset(&through, 0, sizeof through);
    call_via(SG_MECH_INT3N, SYS_sg_info, (long)&through, sizeof through);
    tap_eq(through.entry, SG_MECH_INT3N, "a call through int $3 is int3n's (sg_info's door)");
    if (offered & (1u << SG_MECH_INT3)) {
        memset(&through, 0, sizeof through);
        call_via(SG_MECH_INT3, SYS_sg_info, (long)&through, sizeof through);
        tap_eq(through.entry, SG_MECH_INT3, "a call through int3 is int3's, not int3n's");
    }
#ifdef __x86_64__
    /* A CC whose end is the 32-bit page's int3n call site, in this
     * 64-bit process (the 32-bit page is not mapped here; the address is
     * free): the RIP a 32-bit caller's call has, from the wrong width -
     * the process's own #BP. */
    uint32_t site = int3n_site32();
    if (!site) {
        tap_skip("the 32-bit int3n door is off or its helper failed", "a CC at the 32-bit int3n stub's end");
        return;
    }
    char hex[12], *h = hex + sizeof hex - 1;
    *h = 0;
    for (uint32_t v = site; v || h == hex + sizeof hex - 1; v /= 16)
        *--h = "0123456789abcdef"[v % 16];
    char *argv[] = { (char *)self, "cc-at", h, 0 };
    st = sg_run(self, argv);
    tap_check(killed_by(st, SG_SIGTRAP),
              "a CC ending at the 32-bit int3n stub's call site %#x, in a 64-bit process, is SIGTRAP (status %#lx)",
              site, st);
#endif
}

int main(int argc, char **argv)
{
    self = argv[0];
    if (argc > 1)
        return child_main(argv[1], argc > 2 ? argv[2] : "");
    tap_begin("exdoors");
    sg_info(&info);
    int tcg = !strcmp(info.hypervisor_vendor, "TCGTCGTCGTCG");
    int amd = info.vendor_id == SG_VENDOR_AMD;
    tap_diag("%s, %s, %d-bit process", info.model, tcg ? "QEMU TCG" : "hardware or KVM", SG_BITS);
    umip_door(tcg, amd);
    cpuid_door(tcg);
    icebp_door(tcg);
    delivered_exactly();
    int3n_door();
    floors_share_a_vector();
    rdtsc_door();       /* last: it leaves this process armed */
    return tap_end();
}
