/*
 * segments: the segment registers and thread-local storage are process
 * state.  Built for both widths.
 *
 *  - a new process starts with the selectors Linux gives it (a 32-bit one
 *    with the user data selector in DS and ES: compatibility mode raises
 *    #GP on a DS-relative access through a null DS, which QEMU's TCG does
 *    not check, so the value itself is tested);
 *  - the selectors a process loaded survive every door (the kernel never
 *    leaves one of its own, nor nulls a user one);
 *  - what ring 3 may load: kernel, system, empty, out-of-limit and LDT
 *    selectors (no LDT) raise #GP and the process is killed; a DPL-3 data
 *    selector with RPL 0 and a readable user code selector are allowed
 *    (Intel SDM vol. 2B MOV; vol. 3A 5.6);
 *  - arch_prctl (64-bit) and set_thread_area/get_thread_area (both
 *    widths): %fs:0 and %gs:0 read through the base; hostile arguments are
 *    refused as Linux refuses them;
 *  - a TLS slot emptied under a loaded selector leaves the register null,
 *    a changed one is reloaded at once;
 *  - two processes with different selectors, bases and TLS descriptors in
 *    the same slots, preempted against each other, each keep their own.
 */
#include "../lib/tap.h"
#include "../../kernel/arch/selectors_msrs.h"

#define SEL_USER_DS   0x23      /* kernel/arch/selectors_msrs.h */
#define SEL_USER_DS2  0x33
#define SEL_USER32_CS 0x1b
#define SEL_USER64_CS 0x2b
#define TLS_SEL(entry) ((entry) * 8 + 3)

static const char *self;

#define READ_SEG(reg)                                               \
    static uint16_t read_##reg(void)                                \
    {                                                               \
        uint16_t v;                                                 \
        __asm__ volatile("mov %%" #reg ", %0" : "=r"(v));           \
        return v;                                                   \
    }                                                               \
    static void load_##reg(uint16_t v)                              \
    {                                                               \
        __asm__ volatile("mov %0, %%" #reg ::"r"(v) : "memory");    \
    }
READ_SEG(ds)
READ_SEG(es)
READ_SEG(fs)
READ_SEG(gs)

static uint16_t read_ss(void)
{
    uint16_t v;
    __asm__ volatile("mov %%ss, %0" : "=r"(v));
    return v;
}

static uintptr_t read_fs0(void)
{
    uintptr_t v;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(v));
    return v;
}

static uintptr_t read_gs0(void)
{
    uintptr_t v;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(v));
    return v;
}

static long arch_prctl(long code, uintptr_t addr)
{
    return sg_syscall(SYS_arch_prctl, code, (long)addr, 0, 0, 0, 0);
}

static long set_thread_area(struct sg_user_desc *u)
{
    return sg_syscall(SYS_set_thread_area, (long)(uintptr_t)u, 0, 0, 0, 0, 0);
}

static long get_thread_area(struct sg_user_desc *u)
{
    return sg_syscall(SYS_get_thread_area, (long)(uintptr_t)u, 0, 0, 0, 0, 0);
}

/* A flat-limit 32-bit data segment at `base` (what glibc i386 asks for). */
static struct sg_user_desc tls_desc(uint32_t entry, uintptr_t base)
{
    struct sg_user_desc u = { 0 };
    u.entry_number = entry;
    u.base_addr = (uint32_t)base;
    u.limit = 0xfffff;
    u.seg_32bit = 1;
    u.limit_in_pages = 1;
    u.useable = 1;
    return u;
}

/* ---- children: one forbidden load each ------------------------------- */

struct bad_load {
    const char *name;
    const char *what;
    uint16_t selector;
};

static const struct bad_load bad_loads[] = {
    { "load_kernel_ds", "the kernel data selector 0x10", 0x10 },
    { "load_kernel_ds3", "the kernel data selector with RPL 3 (0x13)", 0x13 },
    { "load_kernel_cs", "the kernel code selector 0x08", 0x08 },
    { "load_tss", "the TSS selector 0x3b", 0x3b },
    { "load_gate", "the call gate selector 0x4b", CALL_GATE_SEL },
    { "load_empty", "an empty GDT slot (0x5b)", 0x5b },
    { "load_tls_empty", "an unused TLS slot (0x63)", 0x63 },
    { "load_ldt_desc", "the GDT's LDT system descriptor (0x7b)", 0x7b },
    { "load_beyond", "a selector beyond the GDT limit (0x8b)", 0x8b },
    { "load_ldt", "an LDT selector without an LDT (0x07)", 0x07 },
};
#define NBAD (sizeof bad_loads / sizeof bad_loads[0])

/* ---- children: preempted against each other --------------------------- */

struct keeper {
    uint16_t ds, es, fs, gs;
    uintptr_t fs0, gs0;          /* what %fs:0 and %gs:0 must read */
};

/* Spins through 15 timer ticks (preempted by the timer, and by the other
 * keeper, over and over) comparing everything with what it loaded; exits
 * 0 if nothing changed.  Nothing in this program or its library loads a
 * segment register, so any change is the kernel's. */
static int keep(const struct keeper *k)
{
    struct sg_info info;
    sg_info(&info);
    uint64_t until = info.ticks + 15;
    do {
        for (volatile int i = 0; i < 100000; i++)
            ;
        if (read_ds() != k->ds || read_es() != k->es || read_fs() != k->fs || read_gs() != k->gs)
            return 2;
        if (read_fs0() != k->fs0 || read_gs0() != k->gs0)
            return 3;
        sg_info(&info);
    } while (info.ticks < until);
    return 0;
}

static uintptr_t tcb_a[2] = { 0xa0a0a0a0, 0 }, tcb_a2[2] = { 0xa2a2a2a2, 0 };
static uintptr_t tcb_b[2] = { 0xb0b0b0b0, 0 }, tcb_b2[2] = { 0xb2b2b2b2, 0 };

/* Both keepers take TLS slots with the same numbers (the first free ones)
 * with different bases: the GDT must be reloaded on every switch. */
static int keeper_role(int which)
{
    struct keeper k;
    struct sg_user_desc u1 = tls_desc((uint32_t)-1, (uintptr_t)(which ? tcb_b : tcb_a));
    struct sg_user_desc u2 = tls_desc((uint32_t)-1, (uintptr_t)(which ? tcb_b2 : tcb_a2));
    if (set_thread_area(&u1) || set_thread_area(&u2))
        return 10;
    k.fs0 = which ? tcb_b[0] : tcb_a[0];
    k.gs0 = which ? tcb_b2[0] : tcb_a2[0];
    /* Flat data selectors only for 32-bit code, whose DS and ES address
     * memory; 64-bit code may hold anything loadable (a code selector, a
     * null one). */
    k.ds = which ? SEL_USER_DS2 : SEL_USER_DS & ~3;   /* RPL 0 of a DPL-3 segment is allowed */
    k.es = which ? (SG_BITS == 64 ? 0 : SEL_USER_DS) : (SG_BITS == 64 ? SEL_USER64_CS : SEL_USER_DS2);
#ifdef __x86_64__
    /* A: both bases by arch_prctl with null selectors; B: FS by
     * arch_prctl, GS through a TLS descriptor. */
    if (which == 0) {
        k.fs = k.gs = 0;
        if (arch_prctl(SG_ARCH_SET_FS, (uintptr_t)tcb_a) || arch_prctl(SG_ARCH_SET_GS, (uintptr_t)tcb_a2))
            return 11;
    } else {
        k.fs = 0;
        k.gs = TLS_SEL(u2.entry_number);
        if (arch_prctl(SG_ARCH_SET_FS, (uintptr_t)tcb_b))
            return 11;
        load_gs(k.gs);
    }
#else
    k.fs = TLS_SEL(u1.entry_number);
    k.gs = TLS_SEL(u2.entry_number);
    load_fs(k.fs);
    load_gs(k.gs);
#endif
    load_ds(k.ds);
    load_es(k.es);
    int r = keep(&k);
    /* Leave with the ordinary data selectors: the library's code after
     * main does not care, but be tidy. */
    load_ds(SG_BITS == 64 ? 0 : SEL_USER_DS);
    load_es(SG_BITS == 64 ? 0 : SEL_USER_DS);
    return r;
}

static long spawn_role(const char *role)
{
    char *argv[] = { (char *)self, (char *)role, 0 };
    return sg_spawn(self, argv);
}

static long run_role(const char *role)
{
    char *argv[] = { (char *)self, (char *)role, 0 };
    return sg_run(self, argv);
}

static int child(const char *role)
{
    for (unsigned i = 0; i < NBAD; i++)
        if (!strcmp(role, bad_loads[i].name)) {
            load_ds(bad_loads[i].selector);
            return 0;   /* the load did not fault */
        }
    if (!strcmp(role, "keeper_a"))
        return keeper_role(0);
    if (!strcmp(role, "keeper_b"))
        return keeper_role(1);
    return 100;
}

/* ---- the checks ------------------------------------------------------- */

static void check_start_state(void)
{
#ifdef __x86_64__
    tap_eq(read_ds(), 0, "a 64-bit process starts with a null DS");
    tap_eq(read_es(), 0, "a 64-bit process starts with a null ES");
#else
    tap_eq(read_ds(), SEL_USER_DS, "a 32-bit process starts with the user data selector in DS "
                                   "(a null DS faults in compatibility mode)");
    tap_eq(read_es(), SEL_USER_DS, "a 32-bit process starts with the user data selector in ES");
#endif
    tap_eq(read_fs(), 0, "FS starts null");
    tap_eq(read_gs(), 0, "GS starts null (no kernel GS selector reaches user mode)");
    uint16_t ss = read_ss();
    tap_check(ss == SEL_USER_DS || ss == SEL_USER_DS2, "SS is a user data selector (%#x)", ss);
}

/* Loads distinct user selectors, then makes a call through every door and
 * checks after each that nothing changed. */
static void check_doors_keep_selectors(void)
{
    struct sg_info info;
    sg_info(&info);
    uint32_t mechs = SG_BITS == 64 ? info.mechanisms64 : info.mechanisms32;
    for (int m = 0; m < SG_MECH_COUNT; m++) {
        if (!(mechs & (1u << m)))
            continue;
        load_ds(SEL_USER_DS2);
        load_es(SEL_USER_DS & ~3);
        load_fs(SEL_USER_DS);
        load_gs(SEL_USER_DS2);
        long pid = sg_syscall_via(m, SYS_getpid, 0, 0, 0, 0, 0, 0);
        uint16_t ds = read_ds(), es = read_es(), fs = read_fs(), gs = read_gs(), ss = read_ss();
        load_ds(SG_BITS == 64 ? 0 : SEL_USER_DS);
        load_es(SG_BITS == 64 ? 0 : SEL_USER_DS);
        load_fs(0);
        load_gs(0);
        tap_check(pid == (long)info.pid && ds == SEL_USER_DS2 && es == (SEL_USER_DS & ~3) && fs == SEL_USER_DS &&
                      gs == SEL_USER_DS2 && (ss == SEL_USER_DS || ss == SEL_USER_DS2),
                  "%s keeps the user's DS %#x ES %#x FS %#x GS %#x, SS %#x is a user one",
                  sg_mechanism_name(m), ds, es, fs, gs, ss);
    }
}

static void check_forbidden_loads(void)
{
    for (unsigned i = 0; i < NBAD; i++) {
        long status = run_role(bad_loads[i].name);
        tap_check(SG_WIFSIGNALED(status) && SG_WTERMSIG(status) == SG_SIGSEGV,
                  "ring 3 cannot load %s into DS: killed with SIGSEGV (status %#lx)", bad_loads[i].what, status);
    }
    load_ds(SEL_USER_DS & ~3);
    uint16_t rpl0 = read_ds();
    load_ds(SG_BITS == 64 ? SEL_USER64_CS : SEL_USER32_CS);
    uint16_t code = read_ds();
    load_ds(SG_BITS == 64 ? 0 : SEL_USER_DS);
    tap_eq(rpl0, SEL_USER_DS & ~3, "a DPL-3 data selector with RPL 0 may be loaded (max(CPL, RPL) <= DPL)");
    tap_eq(code, SG_BITS == 64 ? SEL_USER64_CS : SEL_USER32_CS, "the readable user code selector may be loaded into DS");
}

#ifdef __x86_64__
static uintptr_t tcb[4] = { 0x1111222233334444ull, 0, 0, 0 };
static uintptr_t tcb2[4] = { 0x5555666677778888ull, 0, 0, 0 };

static void check_arch_prctl(void)
{
    uintptr_t got = 1;
    tap_eq(arch_prctl(SG_ARCH_SET_FS, (uintptr_t)tcb), 0, "arch_prctl(ARCH_SET_FS) succeeds");
    tap_eq(read_fs0(), tcb[0], "%%fs:0 reads through the FS base");
    tap_eq(arch_prctl(SG_ARCH_GET_FS, (uintptr_t)&got), 0, "arch_prctl(ARCH_GET_FS) succeeds");
    tap_eq(got, (uintptr_t)tcb, "ARCH_GET_FS returns the base set");
    tap_eq(arch_prctl(SG_ARCH_SET_GS, (uintptr_t)tcb2), 0, "arch_prctl(ARCH_SET_GS) succeeds");
    tap_eq(read_gs0(), tcb2[0], "%%gs:0 reads through the user GS base (the kernel's stays its own)");
    tap_eq(arch_prctl(SG_ARCH_GET_GS, (uintptr_t)&got), 0, "arch_prctl(ARCH_GET_GS) succeeds");
    tap_eq(got, (uintptr_t)tcb2, "ARCH_GET_GS returns the base set");
    sys_nanosleep_ms(20);
    tap_check(read_fs0() == tcb[0] && read_gs0() == tcb2[0], "both bases survive a sleep (switched out and back)");

    static const struct { long code; uintptr_t addr; long want; const char *what; } bad[] = {
        { SG_ARCH_SET_FS, 0x00007ffffffff000ull, -SG_EPERM, "ARCH_SET_FS at the end of the user half" },
        { SG_ARCH_SET_FS, 0x0000800000000000ull, -SG_EPERM, "ARCH_SET_FS non-canonical" },
        { SG_ARCH_SET_FS, 0xffff800000000000ull, -SG_EPERM, "ARCH_SET_FS to the kernel half" },
        { SG_ARCH_SET_GS, 0xffffffff80000000ull, -SG_EPERM, "ARCH_SET_GS to the kernel image (a kernel GS base)" },
        { SG_ARCH_SET_GS, 0x8000000000000000ull, -SG_EPERM, "ARCH_SET_GS non-canonical" },
        { SG_ARCH_GET_FS, 0, -SG_EFAULT, "ARCH_GET_FS to NULL" },
        { SG_ARCH_GET_GS, 0xffffffff80000000ull, -SG_EFAULT, "ARCH_GET_GS into the kernel" },
        { 0, 0, -SG_EINVAL, "code 0" },
        { 0x1005, 0, -SG_EINVAL, "an unknown code 0x1005" },
        { 0x100000000 | SG_ARCH_SET_FS, 0xffff800000000000ull, -SG_EPERM,
          "a code with high bits set is an int: still ARCH_SET_FS, still refused" },
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        tap_eq(arch_prctl(bad[i].code, bad[i].addr), bad[i].want, "arch_prctl: %s", bad[i].what);
    tap_check(read_fs0() == tcb[0] && read_gs0() == tcb2[0], "the refused calls changed neither base");

    /* Setting a base nulls the selector, as on Linux. */
    load_fs(SEL_USER_DS);
    tap_eq(arch_prctl(SG_ARCH_SET_FS, (uintptr_t)tcb2), 0, "ARCH_SET_FS with a selector in FS");
    tap_check(read_fs() == 0 && read_fs0() == tcb2[0], "FS is null and reads through the new base");
    arch_prctl(SG_ARCH_SET_FS, 0);
    arch_prctl(SG_ARCH_SET_GS, 0);
}
#else
static void check_arch_prctl(void)
{
    uintptr_t x = 0;
    tap_eq(arch_prctl(SG_ARCH_SET_FS, 0x1000), -SG_EINVAL, "arch_prctl(ARCH_SET_FS) from 32-bit code is -EINVAL (as Linux)");
    tap_eq(arch_prctl(SG_ARCH_GET_GS, (uintptr_t)&x), -SG_EINVAL, "arch_prctl(ARCH_GET_GS) from 32-bit code is -EINVAL");
}
#endif

static uint32_t tls_block[4] = { 0xcafe0001, 0xcafe0002, 0, 0 };
static uint32_t tls_block2[4] = { 0xbeef0001, 0, 0, 0 };

static void check_thread_area(void)
{
    /* glibc i386's start: set_thread_area with entry_number -1, then the
     * selector it got into GS. */
    struct sg_user_desc u = tls_desc((uint32_t)-1, (uintptr_t)tls_block);
    tap_eq(set_thread_area(&u), 0, "set_thread_area(entry -1) succeeds");
    tap_check(u.entry_number >= SG_TLS_ENTRY_MIN && u.entry_number < SG_TLS_ENTRY_MIN + SG_TLS_ENTRIES,
              "it wrote back a TLS entry number (%u)", u.entry_number);
    uint16_t sel = TLS_SEL(u.entry_number);
    load_gs(sel);
    tap_eq(read_gs(), sel, "the TLS selector loads into GS from ring 3 (DPL 3 forced)");
    tap_eq((uint32_t)read_gs0(), tls_block[0], "%%gs:0 reads through the TLS descriptor's base");
    sys_nanosleep_ms(20);
    tap_check(read_gs() == sel && (uint32_t)read_gs0() == tls_block[0], "GS and its base survive a sleep");

    struct sg_user_desc g = { 0 };
    g.entry_number = u.entry_number;
    tap_eq(get_thread_area(&g), 0, "get_thread_area succeeds");
    tap_check(g.base_addr == (uint32_t)(uintptr_t)tls_block && g.limit == 0xfffff && g.seg_32bit &&
                  g.limit_in_pages && g.useable && !g.contents && !g.read_exec_only && !g.seg_not_present && !g.lm,
              "get_thread_area returns what was set (base %#x limit %#x)", g.base_addr, g.limit);

    /* A change of the slot under a loaded selector takes effect at once. */
    struct sg_user_desc moved = tls_desc(u.entry_number, (uintptr_t)tls_block2);
    moved.lm = 1;     /* ignored: never a 64-bit code descriptor */
    load_fs(sel);
    tap_eq(set_thread_area(&moved), 0, "set_thread_area on the slot in use");
    tap_check((uint32_t)read_gs0() == tls_block2[0] && read_gs() == sel, "GS reloaded: %%gs:0 reads the new base");
    tap_check((uint32_t)read_fs0() == tls_block2[0] && read_fs() == sel, "FS reloaded: %%fs:0 reads the new base");
    g.entry_number = u.entry_number;
    get_thread_area(&g);
    tap_eq(g.lm, 0, "the lm bit is never set in a TLS descriptor");

    /* Emptied under loaded selectors: every register holding it is null.
     * (A 32-bit program cannot point DS and ES at a TLS segment with a
     * base: its data would move.  There FS and GS show it.) */
#ifdef __x86_64__
    load_ds(sel);
    load_es(sel);
#endif
    struct sg_user_desc empty = { 0 };
    empty.entry_number = u.entry_number;
    tap_eq(set_thread_area(&empty), 0, "emptying the slot (all-zero user_desc) succeeds");
    uint16_t ds = read_ds(), es = read_es(), fs = read_fs(), gs = read_gs();
    load_ds(SG_BITS == 64 ? 0 : SEL_USER_DS);
    load_es(SG_BITS == 64 ? 0 : SEL_USER_DS);
    uint16_t flat = SG_BITS == 64 ? 0 : SEL_USER_DS;
    tap_check(ds == flat && es == flat && fs == 0 && gs == 0,
              "a selector whose slot was emptied is never what the process returns with: "
              "DS %#x ES %#x FS %#x GS %#x", ds, es, fs, gs);
    sys_nanosleep_ms(20);
    tap_check(read_fs() == 0 && read_gs() == 0, "and they stay null across a switch");

    /* Hostile descriptors and pointers. */
    struct bad_desc { const char *what; long want; struct sg_user_desc u; } bad[] = {
        { "contents 3 (conforming code)", -SG_EINVAL, tls_desc(SG_TLS_ENTRY_MIN, 0) },
        { "contents 2 (code)", -SG_EINVAL, tls_desc(SG_TLS_ENTRY_MIN, 0) },
        { "a 16-bit segment", -SG_EINVAL, tls_desc(SG_TLS_ENTRY_MIN, 0) },
        { "a present-bit-clear (not present) segment", -SG_EINVAL, tls_desc(SG_TLS_ENTRY_MIN, 0) },
        { "entry 11 (below the TLS slots)", -SG_EINVAL, tls_desc(SG_TLS_ENTRY_MIN - 1, 0) },
        { "entry 15 (above the TLS slots)", -SG_EINVAL, tls_desc(SG_TLS_ENTRY_MIN + 3, 0) },
        { "entry 1 (the kernel's code segment)", -SG_EINVAL, tls_desc(1, 0) },
        { "entry 0x80000000", -SG_EINVAL, tls_desc(0x80000000u, 0) },
        { "entry -2", -SG_EINVAL, tls_desc((uint32_t)-2, 0) },
    };
    bad[0].u.contents = 3;
    bad[1].u.contents = 2;
    bad[2].u.seg_32bit = 0;
    bad[3].u.seg_not_present = 1;
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        tap_eq(set_thread_area(&bad[i].u), bad[i].want, "set_thread_area refuses %s", bad[i].what);
    tap_eq(set_thread_area(0), -SG_EFAULT, "set_thread_area(NULL) is -EFAULT");
    tap_eq(set_thread_area((struct sg_user_desc *)(uintptr_t)0xfffff000u), -SG_EFAULT,
           "set_thread_area on an unmapped/kernel page is -EFAULT");
    tap_eq(get_thread_area(0), -SG_EFAULT, "get_thread_area(NULL) is -EFAULT");
    g.entry_number = SG_TLS_ENTRY_MIN - 1;
    tap_eq(get_thread_area(&g), -SG_EINVAL, "get_thread_area of entry 11 is -EINVAL");
    g.entry_number = (uint32_t)-1;
    tap_eq(get_thread_area(&g), -SG_EINVAL, "get_thread_area of entry -1 is -EINVAL");

    /* Three slots, then no more. */
    int got = 0;
    for (int i = 0; i < SG_TLS_ENTRIES; i++) {
        struct sg_user_desc a = tls_desc((uint32_t)-1, (uintptr_t)tls_block);
        got += set_thread_area(&a) == 0;
    }
    tap_eq(got, SG_TLS_ENTRIES, "three TLS slots can be allocated");
    struct sg_user_desc more = tls_desc((uint32_t)-1, (uintptr_t)tls_block);
    tap_eq(set_thread_area(&more), -SG_ESRCH, "a fourth allocation is -ESRCH");
    tap_eq(more.entry_number, (uint32_t)-1, "and writes nothing back");
    for (int i = 0; i < SG_TLS_ENTRIES; i++) {
        struct sg_user_desc e = { 0 };
        e.entry_number = SG_TLS_ENTRY_MIN + i;
        e.read_exec_only = 1;
        e.seg_not_present = 1;     /* Linux's LDT_empty form */
        set_thread_area(&e);
    }
    struct sg_user_desc again = tls_desc((uint32_t)-1, (uintptr_t)tls_block);
    tap_eq(set_thread_area(&again), 0, "the LDT_empty form freed the slots");
    tap_eq(again.entry_number, SG_TLS_ENTRY_MIN, "the first free slot is the lowest");
    again.base_addr = 0;
    again.limit = 0;
    again.seg_32bit = again.limit_in_pages = again.useable = 0;
    set_thread_area(&again);
}

static void check_preempted_pair(void)
{
    long a = spawn_role("keeper_a"), b = spawn_role("keeper_b");
    int sa = -1, sb = -1;
    sys_wait4((int)a, &sa, 0);
    sys_wait4((int)b, &sb, 0);
    tap_check(SG_WIFEXITED(sa) && SG_WEXITSTATUS(sa) == 0,
              "process A keeps its selectors, bases and TLS slots while preempted against B (status %#x)", sa);
    tap_check(SG_WIFEXITED(sb) && SG_WEXITSTATUS(sb) == 0,
              "process B keeps its own (same TLS slot numbers, other bases) (status %#x)", sb);
}

int main(int argc, char **argv)
{
    self = argv[0];
    if (argc > 1)
        return child(argv[1]);

    tap_begin("segments");
    check_start_state();
    check_doors_keep_selectors();
    check_forbidden_loads();
    check_arch_prctl();
    check_thread_area();
    check_preempted_pair();
    struct sg_info info;
    tap_eq(sg_info(&info), sizeof info, "the kernel still answers");
    return tap_end();
}
