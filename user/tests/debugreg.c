/*
 * debugreg: debug registers as process state, and the MOV SS / POP SS
 * data-breakpoint hazard (CVE-2018-8897; Linux's mov_ss_trap selftest).
 * Built for both widths.
 *
 *  - sg_set_debugreg refuses kernel and non-canonical addresses, addresses
 *    that are not aligned to their length or run past the user half, I/O
 *    breakpoints, DR7.GD and reserved bits;
 *  - a data breakpoint fires in user mode: SIGTRAP, recorded in sg_info;
 *  - breakpoints are process state: another process touching the same
 *    address (its own copy) is not trapped;
 *  - a data breakpoint the kernel itself hits (a user copy) is the
 *    process's: #DB in ring 0, recorded, SIGTRAP at its next interrupt;
 *  - MOV SS / POP SS from a watched variable, then a door: the CPU holds
 *    the #DB back until the door's instruction has run, so hardware takes
 *    it at the kernel's entry - before swapgs, and for syscall on the
 *    user's stack.  The kernel survives it (an IST stack, GS chosen from
 *    MSR_GS_BASE, with a user GS base set here to make a wrong guess
 *    fatal), reports it to the process (SIGTRAP) and carries on.  Whether
 *    QEMU's TCG holds the #DB back at all is doubtful: each case says
 *    where the #DB was taken (the kernel's entry, or user mode right
 *    after MOV SS), so that the same test shows the hazard on hardware.
 */
#include "../lib/tap.h"
#include "../../kernel/arch/selectors_msrs.h"

static const char *self;

volatile uint32_t watched = 1;
volatile uint16_t ss_value;
volatile uint32_t ss_slot;      /* POP SS pops this (32-bit only) */
static struct timespec_like { long sec, nsec; } nap = { 0, 1000000 };

static long set_dr(int reg, uintptr_t value)
{
    return sg_syscall(SYS_sg_set_debugreg, reg, (long)value, 0, 0, 0, 0);
}

static uint64_t get_dr(int reg)
{
    uint64_t v = 0xdead;
    sg_syscall(SYS_sg_get_debugreg, reg, (long)(uintptr_t)&v, 0, 0, 0, 0);
    return v;
}

static long watch(const volatile void *addr, unsigned rw, unsigned len)
{
    long r = set_dr(0, (uintptr_t)addr);
    return r ? r : set_dr(7, SG_DR7_ENABLE(0) | SG_DR7_RW(0, rw) | SG_DR7_LEN(0, len));
}

/* Waits in user mode for the pending SIGTRAP (delivered at the next timer
 * interrupt from user mode); exits 0 if it never comes. */
static void await_trap(void)
{
    struct sg_info info;
    sg_info(&info);
    uint64_t until = info.ticks + 5;
    while (info.ticks < until) {
        for (volatile int i = 0; i < 100000; i++)
            ;
        sg_info(&info);
    }
    sys_exit(0);
}

/* ---- MOV SS + door ---------------------------------------------------- */

static const struct { uint32_t offset; uint16_t sel; } __attribute__((packed)) gate = { 0, CALL_GATE_SEL };

enum door { D_INT80, D_CALLGATE, D_SYSCALL, D_SYSENTER, D_TRAP, D_INT3, D_ICEBP, D_POPSS_INT80, D_INT_3, D_COUNT };
static const char *const door_names[D_COUNT] = {
    "int $0x80", "the call gate", "syscall", "sysenter", "the trap (ud2 \"SG\")", "int3", "icebp",
    "int $0x80, after POP SS", "int $3 (CD 03)",
};

static void user_gs_base(void)
{
    /* A user GS base: a #DB handler that assumed the kernel's would now
     * find this instead. */
    static uint64_t gs_area[8];
#ifdef __x86_64__
    sg_syscall(SYS_arch_prctl, SG_ARCH_SET_GS, (long)(uintptr_t)gs_area, 0, 0, 0, 0);
#else
    struct sg_user_desc u = { 0 };
    u.entry_number = (uint32_t)-1;
    u.base_addr = (uint32_t)(uintptr_t)gs_area;
    u.limit = 0xfffff;
    u.seg_32bit = 1;
    u.limit_in_pages = 1;
    if (sg_syscall(SYS_set_thread_area, (long)(uintptr_t)&u, 0, 0, 0, 0, 0) == 0)
        __asm__ volatile("mov %0, %%gs" ::"r"((uint16_t)(u.entry_number * 8 + 3)));
#endif
}

static void mov_ss_door(enum door d)
{
    uint16_t ss;
    __asm__ volatile("mov %%ss, %0" : "=r"(ss));
    ss_value = ss;
    ss_slot = ss;
    user_gs_base();
    long r = d == D_POPSS_INT80 ? watch(&ss_slot, SG_DR_RW_RW, SG_DR_LEN_4)
                                : watch(&ss_value, SG_DR_RW_RW, SG_DR_LEN_2);
    if (r)
        sys_exit(20);
    long nr = SYS_getpid;
    switch (d) {
    case D_INT80:
        __asm__ volatile("mov ss_value, %%ss\n int $0x80" : "+a"(nr) :: "memory");
        break;
#ifndef __x86_64__
    case D_POPSS_INT80:     /* POP SS does not exist in 64-bit mode */
        __asm__ volatile("mov %%esp, %%ebx\n"
                         "mov $ss_slot, %%esp\n"
                         "pop %%ss\n"
                         "int $0x80\n"
                         "mov %%ebx, %%esp"
                         : "+a"(nr) :: "ebx", "memory");
        break;
#endif
    case D_CALLGATE:
        __asm__ volatile("mov ss_value, %%ss\n lcall *%1" : "+a"(nr) : "m"(gate) : "memory");
        break;
#ifdef __x86_64__
    case D_SYSCALL:
        __asm__ volatile("mov ss_value, %%ss\n syscall" : "+a"(nr) :: "rcx", "r11", "memory");
        break;
    case D_SYSENTER:
        __asm__ volatile("lea 1f(%%rip), %%rcx\n mov %%rsp, %%r11\n mov ss_value, %%ss\n sysenter\n 1:"
                         : "+a"(nr) :: "rcx", "rdx", "r11", "memory");
        break;
#else
    /* The vendor's 32-bit doors with __kernel_vsyscall's dance (kip32
     * stubs), the SS load moved right before the door instruction. */
    case D_SYSCALL:         /* AMD: returns after the instruction */
        __asm__ volatile("push %%ecx\n push %%edx\n push %%ebp\n"
                         "mov %%ecx, %%ebp\n"
                         "mov ss_value, %%ss\n"
                         "syscall\n"
                         "mov $0x23, %%ecx\n mov %%ecx, %%ss\n"
                         "pop %%ebp\n pop %%edx\n pop %%ecx"
                         : "+a"(nr) :: "memory");
        break;
    case D_SYSENTER:        /* Intel: returns to the page's landing point, which returns to our call */
        __asm__ volatile("call 1f\n"
                         "jmp 2f\n"
                         "1: push %%ecx\n push %%edx\n push %%ebp\n"
                         "mov %%esp, %%ebp\n"
                         "mov ss_value, %%ss\n"
                         "sysenter\n"
                         "2:"
                         : "+a"(nr) :: "memory");
        break;
#endif
    case D_TRAP:
        __asm__ volatile("mov ss_value, %%ss\n ud2\n .ascii \"SG\"" : "+a"(nr) :: "memory");
        break;
    case D_INT3:
        __asm__ volatile("mov ss_value, %%ss\n int3" ::: "memory");
        break;
    case D_ICEBP:
        __asm__ volatile("mov ss_value, %%ss\n .byte 0xf1" ::: "memory");
        break;
    case D_INT_3:           /* CVE-2018-8897's own sequence: MOV SS, then INT 3 (the two-byte form) */
        __asm__ volatile("mov ss_value, %%ss\n .byte 0xcd, 0x03" ::: "memory");
        break;
    default:
        sys_exit(21);
    }
    await_trap();
}

/* ---- children --------------------------------------------------------- */

static int child(char **argv)
{
    const char *role = argv[1];
    if (!strcmp(role, "read")) {
        if (watch(&watched, SG_DR_RW_RW, SG_DR_LEN_4))
            return 20;
        return (int)watched + 10;       /* SIGTRAP before this returns */
    }
    if (!strcmp(role, "hold")) {
        /* Watches its copy of `watched`, lets the parent run, then reads. */
        if (watch(&watched, SG_DR_RW_RW, SG_DR_LEN_4))
            return 20;
        sys_nanosleep_ms(60);
        return (int)watched + 10;
    }
    if (!strcmp(role, "kernelcopy")) {
        /* The kernel reads the watched timespec for nanosleep. */
        if (watch(&nap, SG_DR_RW_RW, SG_DR_LEN_4))
            return 20;
        sg_syscall(SYS_nanosleep, (long)(uintptr_t)&nap, 0, 0, 0, 0, 0);
        await_trap();
    }
    if (!strcmp(role, "movss"))
        mov_ss_door((enum door)(argv[2][0] - '0'));
    return 99;
}

/* Runs a child; its wait status, and its pid in *pid. */
static long run_role(const char *role, int arg, long *pid)
{
    char a[2] = { (char)('0' + arg), 0 };
    char *argv[] = { (char *)self, (char *)role, a, 0 };
    int status = 0;
    *pid = sg_spawn(self, argv);
    if (*pid < 0)
        return *pid;
    sys_wait4((int)*pid, &status, 0);
    return status;
}

static int is_sigtrap(long st)
{
    return st >= 0 && SG_WIFSIGNALED(st) && SG_WTERMSIG(st) == SG_SIGTRAP;
}

/* ---- checks ----------------------------------------------------------- */

static void check_validation(void)
{
    uintptr_t ok = (uintptr_t)&watched;
    struct { const char *what; int reg; uint64_t value; } bad[] = {
        { "DR4 (an alias of DR6)", 4, 0 },
        { "DR5 (an alias of DR7)", 5, 0 },
        { "DR8", 8, 0 },
        { "register -1", -1, 0 },
        { "DR7.GD (general detect)", 7, SG_DR7_ENABLE(0) | (1u << 13) },
        { "an I/O breakpoint (RW = 10)", 7, SG_DR7_ENABLE(0) | SG_DR7_RW(0, SG_DR_RW_IO) },
        { "an instruction breakpoint of length 4", 7, SG_DR7_ENABLE(0) | SG_DR7_LEN(0, SG_DR_LEN_4) },
        { "reserved DR7 bit 11", 7, 1u << 11 },
        { "reserved DR7 bit 15", 7, 1u << 15 },
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        tap_eq(sg_syscall(SYS_sg_set_debugreg, bad[i].reg, (long)bad[i].value, 0, 0, 0, 0), -SG_EINVAL,
               "sg_set_debugreg refuses %s", bad[i].what);
#ifdef __x86_64__
    tap_eq(set_dr(0, 0xffff800000000000ull), -SG_EINVAL, "sg_set_debugreg refuses a kernel address");
    tap_eq(set_dr(1, 0xffffffff80100000ull), -SG_EINVAL, "sg_set_debugreg refuses the kernel image");
    tap_eq(set_dr(2, 0x0000800000000000ull), -SG_EINVAL, "sg_set_debugreg refuses a non-canonical address");
    tap_eq(set_dr(7, 1ull << 32), -SG_EINVAL, "sg_set_debugreg refuses DR7 bits above 31");
    tap_eq(set_dr(3, 0x00007ffffffffffcull), -SG_EINVAL, "an address in the last page of the canonical half");
#endif
    /* Alignment: a 4-byte breakpoint at an odd address. */
    tap_eq(set_dr(0, ok | 1), 0, "an odd address alone is accepted (nothing enabled yet)");
    tap_eq(set_dr(7, SG_DR7_ENABLE(0) | SG_DR7_RW(0, SG_DR_RW_WRITE) | SG_DR7_LEN(0, SG_DR_LEN_4)), -SG_EINVAL,
           "enabling it as a 4-byte breakpoint is refused: not aligned to its length");
    tap_eq(get_dr(7), 0x400, "DR7 is still clear (bit 10 reads as 1)");
    tap_eq(set_dr(0, ok), 0, "an aligned address");
    tap_eq(set_dr(7, SG_DR7_ENABLE(0) | SG_DR7_RW(0, SG_DR_RW_WRITE) | SG_DR7_LEN(0, SG_DR_LEN_4)), 0,
           "a 4-byte write breakpoint");
    tap_eq(set_dr(0, ok + 2), -SG_EINVAL, "moving the enabled breakpoint to a misaligned address is refused");
    tap_eq(get_dr(0), ok, "DR0 reads back");
    tap_eq(get_dr(7), 0x400 | SG_DR7_ENABLE(0) | SG_DR7_RW(0, SG_DR_RW_WRITE) | SG_DR7_LEN(0, SG_DR_LEN_4),
           "DR7 reads back");
    uint32_t r = watched;     /* a read: no trap for a write breakpoint */
    tap_eq(r, 1, "reading a write-watched variable does not trap");
    tap_eq(set_dr(7, 0), 0, "the breakpoint is switched off");
    watched = 1;
    tap_eq(sg_syscall(SYS_sg_get_debugreg, 0, 0, 0, 0, 0, 0), -SG_EFAULT, "sg_get_debugreg into NULL is -EFAULT");
}

int main(int argc, char **argv)
{
    self = argv[0];
    if (argc > 1)
        return child(argv);

    tap_begin("debugreg");
    struct sg_info info;
    sg_info(&info);
    int tcg = !strcmp(info.hypervisor_vendor, "TCGTCGTCGTCG");
    uint32_t mechs = SG_BITS == 64 ? info.mechanisms64 : info.mechanisms32;

    check_validation();

    long pid;
    long st = run_role("read", 0, &pid);
    sg_info(&info);
    tap_check(is_sigtrap(st), "a data breakpoint fires in user mode: SIGTRAP (status %#lx)", st);
    tap_check(info.debug_pid == (uint32_t)pid && !info.debug_in_kernel && (info.debug_dr6 & 1) &&
                  info.debug_rip < 0x800000000000ull,
              "  ... recorded: taken in user mode at %#llx, DR6 %#llx", (unsigned long long)info.debug_rip,
              (unsigned long long)info.debug_dr6);

    /* Process state: the child watches its copy of `watched` and sleeps;
     * this process reads its own copy at the same address meanwhile. */
    char *hold_argv[] = { (char *)self, "hold", 0 };
    long hold = sg_spawn(self, hold_argv);
    sys_nanosleep_ms(20);
    uint32_t mine = watched;
    int status = 0;
    sys_wait4((int)hold, &status, 0);
    tap_check(mine == 1 && is_sigtrap(status),
              "breakpoints are process state: another process reads the same address freely, the owner is "
              "trapped (status %#x)", status);
    tap_eq(get_dr(7), 0x400, "this process's DR7 is its own (clear)");

    st = run_role("kernelcopy", 0, &pid);
    sg_info(&info);
    tap_check(is_sigtrap(st) && info.debug_pid == (uint32_t)pid && info.debug_in_kernel &&
                  info.debug_rip >= 0xffff800000000000ull,
              "the kernel reading a watched user variable (nanosleep's timespec) raises #DB in ring 0 at %#llx: "
              "the process gets SIGTRAP, the kernel carries on (status %#lx)", (unsigned long long)info.debug_rip,
              st);

    for (int d = 0; d < D_COUNT; d++) {
        if (d == D_SYSCALL && !(mechs & (1u << SG_MECH_SYSCALL)))
            continue;
        if (d == D_SYSENTER && !(mechs & (1u << SG_MECH_SYSENTER)))
            continue;
        if (d == D_POPSS_INT80 && SG_BITS == 64)
            continue;
        st = run_role("movss", d, &pid);
        sg_info(&info);
        const char *where = info.debug_in_kernel ? "at the kernel's entry (held back past the door, as hardware does)"
                                                 : "in user mode, right after the SS load (not held back)";
        if (is_sigtrap(st))
            tap_check(info.debug_pid == (uint32_t)pid,
                      "MOV SS + data breakpoint + %s: the kernel survives, the process gets SIGTRAP; #DB taken %s, "
                      "rip %#llx", door_names[d], where, (unsigned long long)info.debug_rip);
        else if (d == D_ICEBP && tcg && SG_WIFSIGNALED(st) && SG_WTERMSIG(st) == SG_SIGILL)
            tap_check(1, "MOV SS + data breakpoint + icebp: QEMU's TCG decodes ICEBP as #UD (SIGILL) and did not "
                         "raise the breakpoint's #DB first");
        else
            tap_check(0, "MOV SS + data breakpoint + %s: SIGTRAP expected (status %#lx)", door_names[d], st);
    }
    tap_eq(sg_info(&info), sizeof info, "the kernel carries on");
    return tap_end();
}
