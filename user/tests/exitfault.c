/*
 * exitfault: the LDT (modify_ldt) and the exit path's fault recovery,
 * exercised.  Built for both widths.
 *
 * A return instruction of exit.S can fault in ring 0 when the frame names
 * a selector whose descriptor the CPU refuses: the fast checks compare
 * selectors, they do not read descriptors.  A process's own LDT gives it
 * such selectors: it runs with CS or SS from its LDT, then, from inside a
 * system call, marks that descriptor not present.  IRETQ back to it raises
 * #NP/#SS with CPL still 0 (Intel SDM vol. 2B IRET; AMD APM vol. 3 IRET);
 * the kernel must kill the process (exit_fault_table, traps.c), log it,
 * count it in sg_info's exit_faults, and carry on.
 *
 * The other exits load no selector from a descriptor table the process
 * controls: SYSRET and SYSEXIT compute CS and SS from MSRs, and the fast
 * checks admit only the GDT's fixed user selectors to LRETQ and refuse
 * non-canonical (and, to 32-bit code, >= 4 GiB) SYSRET/SYSEXIT addresses.
 * What is left: LRETQ and IRETQ to 32-bit code with RIP >= 4 GiB, which
 * hardware refuses (#GP(0) in ring 0, the CS limit) and QEMU's TCG
 * truncates instead - the test says which it saw.
 */
#include "../lib/tap.h"

#define LDT_SEL(entry) ((entry) * 8 + 7)        /* TI = 1, RPL 3 */
#define USER64_CS 0x2b
#define USER32_CS 0x1b
#define USER_DS 0x23

enum { X_SYSRETQ, X_SYSRETL, X_SYSEXITQ, X_SYSEXITL, X_LRETQ, X_IRETQ };
static const char *const exit_names[6] = { "sysretq", "sysretl", "sysexitq", "sysexitl", "lretq", "iretq" };

static const char *self;

static long modify_ldt(long func, void *ptr, unsigned long bytecount)
{
    return sg_syscall(SYS_modify_ldt, func, (long)(uintptr_t)ptr, (long)bytecount, 0, 0, 0);
}

/* Linux's modify_ldt returns an int, zero-extended for 64-bit callers. */
static long as_int(long r)
{
    return (int)r;
}

static struct sg_user_desc flat(uint32_t entry, int code)
{
    struct sg_user_desc u = { 0 };
    u.entry_number = entry;
    u.limit = 0xfffff;
    u.seg_32bit = 1;
    u.limit_in_pages = 1;
    u.contents = code ? 2 : 0;
    return u;
}

/* ---- children --------------------------------------------------------- */

/* Named by the 32-bit code below, hence not static.  The descriptors the
 * children hand to modify_ldt from inside LDT code: */
struct sg_user_desc code_gone, data_gone;

/* Far pointers (m16:32, which both widths decode alike). */
struct far32 {
    uint32_t offset;
    uint16_t sel;
} __attribute__((packed));

extern char ldt_code_start[], ldt_code_back[], ldt_kill_start[];
struct far32 to_ldt_code, back_home, to_ldt_kill;
volatile uint32_t ldt_getpid_result, ldt_cs_seen;
/* 64-bit: 32-bit code runs on ESP, so the round trip uses a stack below
 * 4 GiB, and keeps the callee-saved registers there (the SDM leaves the
 * upper halves of registers undefined across compatibility mode). */
uint8_t low_stack[4096] __attribute__((aligned(16)));
uint64_t saved_rsp;

/* Runs in a 32-bit code segment from the LDT: getpid through int $0x80
 * (the i386 ABI: the dispatcher takes any CS but USER64_CS as 32-bit
 * code), records it and CS, and jumps home.  Assembled as 32-bit code in
 * either program. */
__asm__(".pushsection .text\n"
        ".code32\n"
        ".globl ldt_code_start, ldt_code_back, ldt_kill_start\n"
        "ldt_code_start:\n"
        "   mov $20, %eax\n"                    /* i386 getpid */
        "   int $0x80\n"
        "   mov %eax, ldt_getpid_result\n"
        "   mov %cs, %eax\n"
        "   mov %eax, ldt_cs_seen\n"
        "   ljmpl *back_home\n"
        /* Marks its own code descriptor not present from inside a call:
         * the IRETQ back to it faults in ring 0. */
        "ldt_kill_start:\n"
        "   mov $123, %eax\n"                   /* i386 modify_ldt */
        "   mov $0x11, %ebx\n"
        "   mov $code_gone, %ecx\n"
        "   mov $16, %edx\n"
        "   int $0x80\n"
        "   ud2\n"                              /* never: the process is gone */
#ifdef __x86_64__
        ".code64\n"
#endif
        "ldt_code_back:\n"
        "   ret\n"
        ".popsection\n");

static int setup_ldt(void)
{
    struct sg_user_desc code = flat(0, 1), data = flat(1, 0);
    if (modify_ldt(0x11, &code, sizeof code) || modify_ldt(0x11, &data, sizeof data))
        return 0;
    code_gone = code;
    code_gone.seg_not_present = 1;
    data_gone = data;
    data_gone.seg_not_present = 1;
    return 1;
}

/* Into LDT code and back: 0 when getpid worked there and CS was ours. */
static int child_ldt_code(void)
{
    if (!setup_ldt())
        return 10;
    to_ldt_code = (struct far32){ (uint32_t)(uintptr_t)ldt_code_start, LDT_SEL(0) };
    back_home = (struct far32){ (uint32_t)(uintptr_t)ldt_code_back, SG_BITS == 64 ? USER64_CS : USER32_CS };
    /* A call, so that ldt_code_back's ret comes back here. */
#ifdef __x86_64__
    __asm__ volatile("mov %%rsp, saved_rsp\n"
                     "mov $low_stack + 4096, %%esp\n"
                     "push %%rbx\n push %%rbp\n push %%r12\n push %%r13\n push %%r14\n push %%r15\n"
                     "call 1f\n"
                     "jmp 2f\n"
                     "1: ljmpl *to_ldt_code\n"
                     "2: pop %%r15\n pop %%r14\n pop %%r13\n pop %%r12\n pop %%rbp\n pop %%rbx\n"
                     "mov saved_rsp, %%rsp"
                     ::: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc");
#else
    __asm__ volatile("call 1f\n"
                     "jmp 2f\n"
                     "1: ljmpl *to_ldt_code\n"
                     "2:"
                     ::: "eax", "memory", "cc");
#endif
    if (ldt_cs_seen != LDT_SEL(0))
        return 11;
    return ldt_getpid_result == (uint32_t)sys_getpid() ? 0 : 12;
}

/* CS from the LDT, made not present during the call that returns to it. */
static void child_ldt_cs(void)
{
    if (!setup_ldt())
        sys_exit(10);
    to_ldt_kill = (struct far32){ (uint32_t)(uintptr_t)ldt_kill_start, LDT_SEL(0) };
    __asm__ volatile("ljmpl *%0" ::"m"(to_ldt_kill) : "memory");
}

/* SS from the LDT, made not present during a call through int $0x80. */
static void child_ldt_ss(void)
{
    if (!setup_ldt())
        sys_exit(10);
#ifdef __x86_64__
    __asm__ volatile("mov %[ss], %%ss\n"
                     "int $0x80"
                     ::[ss] "r"((uint16_t)LDT_SEL(1)), "a"(SYS_modify_ldt), "D"(0x11), "S"(&data_gone), "d"(16)
                     : "memory");
#else
    __asm__ volatile("mov %[ss], %%ss\n"
                     "int $0x80"
                     ::[ss] "r"((uint16_t)LDT_SEL(1)), "a"(SYS_modify_ldt), "b"(0x11), "c"(&data_gone), "d"(16)
                     : "memory");
#endif
}

/* A 32-bit process returning to RIP >= 4 GiB through one door (lretq
 * behind the call gate, iretq behind int $0x80).  Hardware: #GP(0) in
 * ring 0.  TCG: RIP truncated, and the process lands here and exits 42. */
static void landing(void)
{
    sys_exit(42);
}

static uint8_t landing_stack[4096] __attribute__((aligned(16)));

static void child_high_return(int mech)
{
    struct sg_context c = { 0 };
    c.rip = 0x100000000ull | (uint32_t)(uintptr_t)landing;
    c.rsp = (uintptr_t)&landing_stack[sizeof landing_stack - 16];
    c.rflags = 0;
    sg_syscall_via(mech, SYS_sg_setcontext, (long)(uintptr_t)&c, 0, 0, 0, 0, 0);
    sys_exit(13);   /* the call failed */
}

static int child(const char *role)
{
    if (!strcmp(role, "ldt_code"))
        return child_ldt_code();
    if (!strcmp(role, "ldt_cs"))
        child_ldt_cs();
    if (!strcmp(role, "ldt_ss"))
        child_ldt_ss();
    if (!strcmp(role, "high_lret"))
        child_high_return(SG_MECH_CALLGATE);
    if (!strcmp(role, "high_iret"))
        child_high_return(SG_MECH_INT80);
    return 99;      /* the fault did not happen */
}

static long run_role(const char *role)
{
    char *argv[] = { (char *)self, (char *)role, 0 };
    return sg_run(self, argv);
}

/* ---- checks ----------------------------------------------------------- */

static void check_modify_ldt_arguments(void)
{
    struct sg_user_desc u = flat(3, 0);
    uint64_t back[8];

    tap_eq(as_int(modify_ldt(0, back, sizeof back)), 0, "modify_ldt read without an LDT returns 0 bytes");
    tap_eq(as_int(modify_ldt(0x11, &u, sizeof u)), 0, "modify_ldt writes a 32-bit data descriptor (entry 3)");
    memset(back, 0xff, sizeof back);
    tap_eq(as_int(modify_ldt(0, back, sizeof back)), sizeof back, "modify_ldt reads back what was asked for");
    tap_check(back[3] == 0x00cff3000000ffffull && back[0] == 0 && back[4] == 0,
              "entry 3 is a flat DPL-3 data descriptor, accessed (%#llx), the rest empty",
              (unsigned long long)back[3]);
    memset(back, 0xff, sizeof back);
    tap_eq(as_int(modify_ldt(2, back, sizeof back)), sizeof back, "modify_ldt(2) reads the default LDT");
    tap_check(back[0] == 0 && back[7] == 0, "the default LDT is zeros");
    uint64_t big[32];
    tap_eq(as_int(modify_ldt(2, big, 1000)), 128, "modify_ldt(2) stops at 128 bytes, as on x86-64 Linux");

    struct { const char *what; long func; struct sg_user_desc u; unsigned long size; long want; } bad[] = {
        { "a 15-byte user_desc", 0x11, flat(1, 0), 15, -SG_EINVAL },
        { "a 17-byte user_desc", 0x11, flat(1, 0), 17, -SG_EINVAL },
        { "entry 8192", 0x11, flat(8192, 0), 16, -SG_EINVAL },
        { "entry 0xffffffff", 0x11, flat(0xffffffffu, 0), 16, -SG_EINVAL },
        { "present conforming code (contents 3)", 0x11, flat(1, 0), 16, -SG_EINVAL },
        { "conforming code in the old mode (func 1)", 1, flat(1, 0), 16, -SG_EINVAL },
        { "a 16-bit segment", 0x11, flat(1, 0), 16, -SG_EINVAL },
        { "function 3", 3, flat(1, 0), 16, -SG_ENOSYS },
        { "function 0x10", 0x10, flat(1, 0), 16, -SG_ENOSYS },
        { "function -1", -1, flat(1, 0), 16, -SG_ENOSYS },
    };
    bad[4].u.contents = 3;
    bad[5].u.contents = 3;
    bad[5].u.seg_not_present = 1;
    bad[6].u.seg_32bit = 0;
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long r = modify_ldt(bad[i].func, &bad[i].u, bad[i].size);
        tap_eq(as_int(r), bad[i].want, "modify_ldt refuses %s", bad[i].what);
        if (SG_BITS == 64)
            tap_eq((unsigned long)r, (uint32_t)bad[i].want, "  ... as an int, zero-extended in rax (Linux)");
    }
    struct sg_user_desc np = flat(2, 1);
    np.contents = 3;
    np.seg_not_present = 1;
    tap_eq(as_int(modify_ldt(0x11, &np, sizeof np)), 0, "not-present conforming code is allowed (Linux)");
    tap_eq(as_int(modify_ldt(0x11, 0, 16)), -SG_EFAULT, "modify_ldt with a NULL user_desc is -EFAULT");
    tap_eq(as_int(modify_ldt(0x11, (void *)(uintptr_t)0xfffff000u, 16)), -SG_EFAULT,
           "modify_ldt with an unmapped user_desc is -EFAULT");
    tap_eq(as_int(modify_ldt(0, 0, 16)), -SG_EFAULT, "reading the LDT into NULL is -EFAULT");

    /* A selector loaded from an entry that goes away is null at once. */
    uint16_t sel = LDT_SEL(3), fs, gs, ds, es;
    __asm__ volatile("mov %0, %%fs; mov %0, %%gs" ::"r"(sel));
#ifdef __x86_64__
    __asm__ volatile("mov %0, %%ds; mov %0, %%es" ::"r"(sel));
#endif
    struct sg_user_desc gone = flat(3, 0);
    gone.seg_not_present = 1;
    tap_eq(as_int(modify_ldt(0x11, &gone, sizeof gone)), 0, "a loaded LDT entry is marked not present");
    __asm__ volatile("mov %%fs, %0; mov %%gs, %1" : "=r"(fs), "=r"(gs));
    __asm__ volatile("mov %%ds, %0; mov %%es, %1" : "=r"(ds), "=r"(es));
    /* (A 32-bit program keeps its flat DS and ES: its data lives there.) */
    uint16_t flat_ds = SG_BITS == 64 ? 0 : USER_DS;
    tap_check(fs == 0 && gs == 0 && ds == flat_ds && es == flat_ds,
              "every segment register that held it is now null (FS %#x GS %#x DS %#x ES %#x)", fs, gs, ds, es);
}

int main(int argc, char **argv)
{
    self = argv[0];
    if (argc > 1)
        return child(argv[1]);

    tap_begin("exitfault");
    struct sg_info before, after;
    sg_info(&before);
    int tcg = !strcmp(before.hypervisor_vendor, "TCGTCGTCGTCG");

    check_modify_ldt_arguments();

    long st = run_role("ldt_code");
    tap_check(SG_WIFEXITED(st) && SG_WEXITSTATUS(st) == 0,
              "a process runs 32-bit code from its own LDT: getpid through int $0x80 there, back with CS %#x "
              "(status %#lx)", LDT_SEL(0), st);

    static const struct { const char *role, *reg; } ldt_cases[] = { { "ldt_cs", "CS" }, { "ldt_ss", "SS" } };
    for (unsigned i = 0; i < 2; i++) {
        sg_info(&before);
        st = run_role(ldt_cases[i].role);
        sg_info(&after);
        tap_check(SG_WIFSIGNALED(st) && SG_WTERMSIG(st) == SG_SIGSEGV,
                  "%s from the LDT made not present inside the call: iretq faults in ring 0, the process is "
                  "killed (status %#lx)", ldt_cases[i].reg, st);
        tap_eq(after.exit_faults[X_IRETQ] - before.exit_faults[X_IRETQ], 1, "  ... counted as one iretq exit fault");
    }

    if (SG_BITS == 32) {
        static const struct { const char *role; int mech, insn; } high[] = {
            { "high_lret", SG_MECH_CALLGATE, X_LRETQ },
            { "high_iret", SG_MECH_INT80, X_IRETQ },
        };
        for (unsigned i = 0; i < 2; i++) {
            sg_info(&before);
            st = run_role(high[i].role);
            sg_info(&after);
            uint64_t n = after.exit_faults[high[i].insn] - before.exit_faults[high[i].insn];
            if (SG_WIFSIGNALED(st) && n == 1)
                tap_check(SG_WTERMSIG(st) == SG_SIGSEGV,
                          "%s to 32-bit code at RIP >= 4 GiB: #GP in ring 0, counted, the process killed",
                          exit_names[high[i].insn]);
            else if (tcg && SG_WIFEXITED(st) && SG_WEXITSTATUS(st) == 42)
                tap_skip("QEMU's TCG truncates RIP to 32 bits on a return to compatibility mode instead of "
                         "faulting (the process landed at the truncated address)",
                         "%s to 32-bit code at RIP >= 4 GiB faults in ring 0", exit_names[high[i].insn]);
            else
                tap_check(0, "%s to 32-bit code at RIP >= 4 GiB faults in ring 0 (status %#lx, counted %llu)",
                          exit_names[high[i].insn], st, (unsigned long long)n);
        }
    }

    /* SYSRET and SYSEXIT take their selectors from MSRs, never from a
     * descriptor the process controls, and the fast checks refuse every
     * return address they would fault on: no test can reach them, and no
     * hostile test since boot has. */
    sg_info(&after);
    for (int x = X_SYSRETQ; x <= X_SYSEXITL; x++)
        tap_eq(after.exit_faults[x], 0, "%s never faulted in ring 0 (unreachable: fixed selectors, checked addresses)",
               exit_names[x]);
    tap_eq(sg_info(&after), sizeof after, "the kernel carries on");
    return tap_end();
}
