/*
 * sigreturn: the signal return is an exit that loads RIP, CS, RFLAGS, RSP,
 * SS and the FPU state from user memory; hostile frames in the style of
 * Linux's tools/testing/selftests/x86/sigreturn.c, both widths:
 *   - refused (the process gets a SIGSEGV it can catch, in user mode, never
 *     a fault in ring 0): a kernel CS, the other width's CS, LDT selectors,
 *     a null or kernel SS, a non-canonical RIP or RSP, an MXCSR with
 *     reserved bits (FXRSTOR would #GP in ring 0), an unreadable FPU state
 *     or frame; with XSAVE, an XSAVE header XRSTOR would #GP on in ring 0
 *     (XSTATE_BV bits outside XCR0, XCOMP_BV, reserved bytes) - through
 *     the handler's return and through every door - and a FP_XSTATE_MAGIC2
 *     that cannot be read;
 *   - accepted as FXSAVE only (Linux's fallback): a frame whose magic1 or
 *     magic2 is wrong or whose xstate_size is too big - the x87/SSE state
 *     from it, AVX's upper halves initial, the header ignored; a frame
 *     whose xfeatures leaves AVX out gets AVX initial;
 *   - accepted but harmless: a kernel-half RIP or RSP (the #PF comes in user
 *     mode), RFLAGS with IOPL, NT, VM, VIF, VIP and RF (sanitised; AC kept);
 *   - every register of a crafted frame arrives exactly, through every door,
 *     and the SYSRET check sees the restored frame;
 *   - random frames (bounded) always come back.
 * Each hostile case runs in a child (this program again, the case in
 * argv[1]) whose SIGSEGV handler, on an alternate stack, exits with 42; the
 * parent also checks that no return instruction faulted in ring 0
 * (sg_info's exit_faults).
 */
#include "../lib/tap.h"
#include "../lib/signals.h"
#include "../lib/xorshift.h"

#define CAUGHT 42           /* the child's SIGSEGV handler exits with this */
#define SANITISED 43        /* the resumed code found what it expected */

static char altstack[16384] __attribute__((aligned(16)));
static char scratch_stack[16384] __attribute__((aligned(16)));
static volatile int segv_code;

static void segv_exit(int sig, sg_siginfo_t *info, void *uc)
{
    (void)sig, (void)uc;
    sys_exit(info->code == SG_SI_KERNEL || info->code == SG_SEGV_MAPERR || info->code == SG_SEGV_ACCERR ? CAUGHT
                                                                                                        : 44);
}

static void catch_segv(void)
{
    sg_stack_t ss = { .sp = (uintptr_t)altstack, .size = sizeof altstack };
    sys_sigaltstack(&ss, 0);
    sg_sigaction(SG_SIGSEGV, (void *)segv_exit, SG_SA_SIGINFO | SG_SA_ONSTACK, 0, 0);
}

/* The code the "sanitised" cases resume at (flags_resume passes RFLAGS):
 * "flags": IOPL, NT, VM, VIF and VIP clear, IF set, AC as the frame asked
 * (set); "mxcsr-fz": the frame's MXCSR.FZ loaded; "bad-gs": GS null. */
static const char *edit_case;
uint64_t ymm3_seen[4];              /* ymm_resume and sigreturn_resume_ymm store ymm3 here */
#define XMM3_PATTERN 0x0123456789abcdefull
#define YMM3_HI_PATTERN 0xfedcba9876543210ull
void flags_resume(void);
void flags_check(uintptr_t flags)
{
    uintptr_t bad = (3u << 12) | (1u << 14) | (1u << 17) | (1u << 19) | (1u << 20);
    uint32_t mxcsr;
    uint16_t gs;
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    __asm__ volatile("mov %%gs, %0" : "=r"(gs));
    if (!strcmp(edit_case, "flags"))
        sys_exit(!(flags & bad) && (flags & (1u << 9)) && (flags & (1u << 18)) ? SANITISED : 45);
    if (!strcmp(edit_case, "mxcsr-fz"))
        sys_exit(mxcsr & 0x8000 ? SANITISED : 45);
    if (!strncmp(edit_case, "fallback-", 9))    /* x87/SSE from the frame, AVX initial */
        sys_exit(ymm3_seen[0] == XMM3_PATTERN && !ymm3_seen[2] && !ymm3_seen[3] ? SANITISED : 45);
    sys_exit(gs == 0 ? SANITISED : 45);
}
#ifdef __x86_64__
__asm__(".text\n.globl flags_resume\nflags_resume:\n  pushfq\n  pop %rdi\n  and $-16, %rsp\n  call flags_check\n");
__asm__(".text\n.globl ymm_resume\nymm_resume:\n  vmovdqu %ymm3, ymm3_seen(%rip)\n  jmp flags_resume\n");
#else
__asm__(".text\n.globl ymm_resume\nymm_resume:\n  vmovdqu %ymm3, ymm3_seen\n  jmp flags_resume\n");
__asm__(".text\n.globl flags_resume\nflags_resume:\n  pushfl\n  pop %eax\n  and $-16, %esp\n  sub $12, %esp\n  push %eax\n"
        "  call flags_check\n");
#endif

void ymm_resume(void);

/* ---- XSAVE-format frames (Linux's layout: include/sysgate/signal.h) ---- */

static uint32_t cpuid_reg(uint32_t leaf, uint32_t sub, int which)
{
    uint32_t r[4];
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
    return r[which];
}

/* The kernel saves with XSAVE (CR4.OSXSAVE, as CPUID shows it). */
static int osxsave(void)
{
    return (cpuid_reg(1, 0, 2) >> 27) & 1;
}

static uint64_t xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return lo | (uint64_t)hi << 32;
}

static int avx_enabled(void)
{
    return osxsave() && (xcr0() & SG_XFEATURE_AVX);
}

/* Makes the FXSAVE image at fx a valid XSAVE area of a frame: the
 * _fpx_sw_bytes, XSTATE_BV = XCR0 (header otherwise 0), ymm3's upper half
 * YMM3_HI_PATTERN, FP_XSTATE_MAGIC2 after xstate_size. */
static void make_xsave(uint8_t *fx)
{
    uint32_t size = cpuid_reg(0xd, 0, 1), magic2 = SG_FP_XSTATE_MAGIC2;
    struct sg_fpx_sw_bytes sw = {
        .magic1 = SG_FP_XSTATE_MAGIC1,
        .extended_size = size + 4 + (SG_BITS == 32 ? SG_FPSTATE32_FXSAVE : 0),
        .xfeatures = xcr0(),
        .xstate_size = size,
    };
    memcpy(fx + SG_FXSAVE_SW_BYTES, &sw, sizeof sw);
    uint64_t bv = xcr0(), hi = YMM3_HI_PATTERN;
    memset(fx + SG_XSAVE_HEADER, 0, 64);
    memcpy(fx + SG_XSAVE_HEADER, &bv, 8);
    if (bv & SG_XFEATURE_AVX)
        memcpy(fx + SG_XSAVE_YMM_HI + 3 * 16, &hi, 8);
    memcpy(fx + size, &magic2, 4);
}

/* The XSAVE header edits XRSTOR would #GP on in ring 0 (SDM vol. 1 13.8,
 * vol. 2C XRSTOR), and one only Linux refuses (a reserved byte past 23);
 * 0 if `c` is none of them. */
static int bad_header(uint8_t *fx, const char *c)
{
    uint64_t v;
    if (!strcmp(c, "xstate-bv")) {
        memcpy(&v, fx + SG_XSAVE_HEADER, 8);
        v |= 1ull << 9;                         /* PKRU's bit: never in sysgate's XCR0 */
        memcpy(fx + SG_XSAVE_HEADER, &v, 8);
    } else if (!strcmp(c, "xstate-bv-63")) {
        memcpy(&v, fx + SG_XSAVE_HEADER, 8);
        v |= 1ull << 63;
        memcpy(fx + SG_XSAVE_HEADER, &v, 8);
    } else if (!strcmp(c, "xcomp-bv")) {
        v = (1ull << 63) | 7;                   /* the compacted form, which XSAVES writes */
        memcpy(fx + SG_XSAVE_HEADER + 8, &v, 8);
    } else if (!strcmp(c, "xcomp-bv-low")) {
        v = 1;
        memcpy(fx + SG_XSAVE_HEADER + 8, &v, 8);
    } else if (!strcmp(c, "xsave-reserved")) {
        fx[SG_XSAVE_HEADER + 16] = 1;           /* bytes 23:8 must be 0 */
    } else if (!strcmp(c, "xsave-reserved-high")) {
        fx[SG_XSAVE_HEADER + 63] = 0x80;
    } else {
        return 0;
    }
    return 1;
}

/* Pushes on the (kernel) stack the frame gave it: a #PF in user mode. */
void push_resume(void);
#ifdef __x86_64__
__asm__(".text\n.globl push_resume\npush_resume:\n  push %rax\n  ud2\n");
#else
__asm__(".text\n.globl push_resume\npush_resume:\n  push %eax\n  ud2\n");
#endif


static void edit_handler(int sig, sg_siginfo_t *info, void *ucv)
{
    (void)sig, (void)info;
    sg_ucontext_t *uc = ucv;
    const char *c = edit_case;
#ifdef __x86_64__
    uint8_t *fx = (uint8_t *)(uintptr_t)uc->uc_mcontext.fpstate;
#else
    uint8_t *fx = (uint8_t *)(uintptr_t)uc->uc_mcontext.fpstate + SG_FPSTATE32_FXSAVE;
#endif
    if (bad_header(fx, c))
        return;
    if (!strncmp(c, "fallback-", 9)) {
        /* A frame that would restore ymm3's upper half - but for the edit
         * that makes it FXSAVE only (or leaves AVX out of xfeatures). */
        uint64_t x3 = XMM3_PATTERN, hi = YMM3_HI_PATTERN, bv = SG_XFEATURE_X87 | SG_XFEATURE_SSE | SG_XFEATURE_AVX;
        struct sg_fpx_sw_bytes sw;
        memcpy(fx + 160 + 3 * 16, &x3, 8);
        memcpy(fx + SG_XSAVE_YMM_HI + 3 * 16, &hi, 8);
        memcpy(fx + SG_XSAVE_HEADER, &bv, 8);
        memcpy(&sw, fx + SG_FXSAVE_SW_BYTES, sizeof sw);
        if (!strcmp(c, "fallback-magic1"))
            sw.magic1 ^= 1;
        else if (!strcmp(c, "fallback-magic2"))
            fx[sw.xstate_size] ^= 1;
        else if (!strcmp(c, "fallback-size"))
            sw.xstate_size = 1u << 20;
        else                                    /* fallback-xfeatures */
            sw.xfeatures = SG_XFEATURE_X87 | SG_XFEATURE_SSE;
        if (strcmp(c, "fallback-xfeatures")) {
            bv = 1ull << 9;                     /* a header XRSTOR would refuse: ignored without the magics */
            memcpy(fx + SG_XSAVE_HEADER, &bv, 8);
        }
        memcpy(fx + SG_FXSAVE_SW_BYTES, &sw, sizeof sw);
        SG_UC_IP(uc) = (uintptr_t)ymm_resume;
        return;
    }
    if (!strcmp(c, "magic2-unmapped")) {
        /* The FXSAVE part copied to the end of a page whose next page is
         * unmapped: the magic2 read at fx + xstate_size fails. */
        uint8_t *two = (uint8_t *)sys_mmap(0, 8192, 3, 0x22, -1, 0);   /* PROT_READ|WRITE, MAP_PRIVATE|ANONYMOUS */
        sys_munmap(two + 4096, 4096);
        uint8_t *at = two + 4096 - 512;
        memcpy(at, fx, 512);
#ifdef __x86_64__
        uc->uc_mcontext.fpstate = (uintptr_t)at;
#else
        memcpy(at - SG_FPSTATE32_FXSAVE, fx - SG_FPSTATE32_FXSAVE, SG_FPSTATE32_FXSAVE);
        uc->uc_mcontext.fpstate = (uint32_t)(uintptr_t)(at - SG_FPSTATE32_FXSAVE);
#endif
        return;
    }
#ifdef __x86_64__
    struct sg_sigcontext64 *m = &uc->uc_mcontext;
    if (!strcmp(c, "kernel-cs")) m->cs = 0x08;
    else if (!strcmp(c, "kernel-cs-rpl3")) m->cs = 0x0b;
    else if (!strcmp(c, "compat-cs")) m->cs = 0x1b;
    else if (!strcmp(c, "ldt-cs")) m->cs = 0x07;
    else if (!strcmp(c, "null-ss")) m->ss = 0;
    else if (!strcmp(c, "kernel-ss")) m->ss = 0x10;
    else if (!strcmp(c, "ldt-ss")) m->ss = 0x0f;
    else if (!strcmp(c, "noncanonical-rip")) m->rip = 0x0000800000000000ull;
    else if (!strcmp(c, "noncanonical-rip-high")) m->rip = 0x8000000000000000ull;
    else if (!strcmp(c, "noncanonical-rsp")) m->rsp = 0x0000800000001000ull;
    else if (!strcmp(c, "kernel-rip")) m->rip = 0xffffffff80100000ull;
    else if (!strcmp(c, "kernel-rsp")) { m->rsp = 0xffff800000100000ull; m->rip = (uintptr_t)push_resume; }
    else if (!strcmp(c, "flags")) {
        m->eflags |= (3u << 12) | (1u << 14) | (1u << 16) | (1u << 17) | (1u << 18) | (1u << 19) | (1u << 20);
        m->rip = (uintptr_t)flags_resume;
    }
    else if (!strcmp(c, "mxcsr")) { uint32_t v = 0xffff1f80u; memcpy(fx + SG_FXSAVE_MXCSR, &v, 4); }
    else if (!strcmp(c, "mxcsr-fz")) {
        uint32_t v = 0x1f80u | 0x8000u;     /* FZ: a defined bit */
        memcpy(fx + SG_FXSAVE_MXCSR, &v, 4);
        m->rip = (uintptr_t)flags_resume;
    }
    else if (!strcmp(c, "fpstate-unmapped")) m->fpstate = 0x10;
    else if (!strcmp(c, "fpstate-kernel")) m->fpstate = 0xffffffff80100000ull;
#else
    struct sg_sigcontext32 *m = &uc->uc_mcontext;
    if (!strcmp(c, "kernel-cs")) m->cs = 0x08;
    else if (!strcmp(c, "kernel-cs-rpl3")) m->cs = 0x0b;
    else if (!strcmp(c, "compat-cs")) m->cs = 0x2b;         /* 64-bit code in a 32-bit frame */
    else if (!strcmp(c, "ldt-cs")) m->cs = 0x07;
    else if (!strcmp(c, "null-ss")) m->ss = 0;
    else if (!strcmp(c, "kernel-ss")) m->ss = 0x10;
    else if (!strcmp(c, "ldt-ss")) m->ss = 0x0f;
    else if (!strcmp(c, "kernel-rip")) m->eip = 0xfffff000u;
    else if (!strcmp(c, "kernel-rsp")) { m->esp = 0xfffff000u; m->eip = (uintptr_t)push_resume; }
    else if (!strcmp(c, "flags")) {
        m->eflags |= (3u << 12) | (1u << 14) | (1u << 16) | (1u << 17) | (1u << 18) | (1u << 19) | (1u << 20);
        m->eip = (uintptr_t)flags_resume;
    }
    else if (!strcmp(c, "mxcsr")) { uint32_t v = 0xffff1f80u; memcpy(fx + SG_FXSAVE_MXCSR, &v, 4); }
    else if (!strcmp(c, "fpstate-unmapped")) m->fpstate = 0x10;
    else if (!strcmp(c, "bad-gs")) { m->gs = 0x0b; m->eip = (uintptr_t)flags_resume; }   /* refused: null */
#endif
}

struct hostile {
    const char *name;
    int expect;             /* CAUGHT or SANITISED */
    int bits;               /* 0: both widths */
    const char *what;
    int needs;              /* NEEDS_XSAVE: the kernel saves with XSAVE; NEEDS_AVX: and AVX is on */
};
#define NEEDS_XSAVE 1
#define NEEDS_AVX 2

static const struct hostile hostile_cases[] = {
    { "kernel-cs", CAUGHT, 0, "the kernel's CS", 0 },
    { "kernel-cs-rpl3", CAUGHT, 0, "the kernel's CS with RPL 3", 0 },
    { "compat-cs", CAUGHT, 0, "the other width's code segment", 0 },
    { "ldt-cs", CAUGHT, 0, "an LDT code selector", 0 },
    { "null-ss", CAUGHT, 0, "a null SS", 0 },
    { "kernel-ss", CAUGHT, 0, "the kernel's SS", 0 },
    { "ldt-ss", CAUGHT, 0, "an LDT stack selector", 0 },
    { "noncanonical-rip", CAUGHT, 64, "a non-canonical RIP (the SYSRET hazard)", 0 },
    { "noncanonical-rip-high", CAUGHT, 64, "RIP 0x8000000000000000", 0 },
    { "noncanonical-rsp", CAUGHT, 64, "a non-canonical RSP", 0 },
    { "kernel-rip", CAUGHT, 0, "a kernel address as RIP (#PF in user mode)", 0 },
    { "kernel-rsp", CAUGHT, 0, "a kernel address as RSP (#PF in user mode at the first push)", 0 },
    { "flags", SANITISED, 0, "IOPL 3, NT, RF, VM, VIF, VIP: cleared; AC kept", 0 },
    { "mxcsr", CAUGHT, 0, "MXCSR with reserved bits (FXRSTOR would #GP in ring 0)", 0 },
    { "mxcsr-fz", SANITISED, 64, "MXCSR with FZ (a defined bit): loaded", 0 },
    { "fpstate-unmapped", CAUGHT, 0, "an unreadable FPU state", 0 },
    { "fpstate-kernel", CAUGHT, 64, "an FPU state pointer into the kernel", 0 },
    { "bad-gs", SANITISED, 32, "a GS the CPU refuses: loaded as null, the return goes on", 0 },
    { "frame-unmapped", CAUGHT, 0, "rt_sigreturn with the stack pointer at unmapped memory", 0 },
    { "frame-kernel", CAUGHT, 64, "rt_sigreturn with the stack pointer in the kernel", 0 },
    { "xstate-bv", CAUGHT, 0, "XSTATE_BV with a bit outside XCR0 (XRSTOR would #GP in ring 0)", NEEDS_XSAVE },
    { "xstate-bv-63", CAUGHT, 0, "XSTATE_BV bit 63", NEEDS_XSAVE },
    { "xcomp-bv", CAUGHT, 0, "XCOMP_BV asking for the compacted form (XRSTOR would #GP)", NEEDS_XSAVE },
    { "xcomp-bv-low", CAUGHT, 0, "XCOMP_BV bit 0 without bit 63 (XRSTOR would #GP)", NEEDS_XSAVE },
    { "xsave-reserved", CAUGHT, 0, "XSAVE header byte 16 set (XRSTOR would #GP)", NEEDS_XSAVE },
    { "xsave-reserved-high", CAUGHT, 0, "XSAVE header byte 63 set (refused as Linux does)", NEEDS_XSAVE },
    { "magic2-unmapped", CAUGHT, 0, "FP_XSTATE_MAGIC2 on an unmapped page", NEEDS_XSAVE },
    { "fallback-magic1", SANITISED, 0, "a wrong FP_XSTATE_MAGIC1: FXSAVE only (xmm from the frame, AVX initial)",
      NEEDS_AVX },
    { "fallback-magic2", SANITISED, 0, "a wrong FP_XSTATE_MAGIC2: FXSAVE only", NEEDS_AVX },
    { "fallback-size", SANITISED, 0, "an xstate_size past the kernel's: FXSAVE only", NEEDS_AVX },
    { "fallback-xfeatures", SANITISED, 0, "xfeatures without AVX: AVX initial, the rest from the frame", NEEDS_AVX },
};

/* Hostile XSAVE headers in a crafted frame through each instruction door
 * (run_hostile's "door:<header case>:<door>"). */
static const char *const door_header_cases[] = { "xstate-bv", "xcomp-bv", "xsave-reserved" };

static uintptr_t craft(int rcx_is_rip);
void sigreturn_via(int mech, uintptr_t sp);
static uint8_t *crafted_fx;

static int run_hostile(const char *name)
{
    catch_segv();
    if (!strncmp(name, "door:", 5)) {           /* door:<header case>:<door number> */
        const char *c = name + 5, *colon = strchr(c, ':');
        static char header_case[32];
        memcpy(header_case, c, (size_t)(colon - c));
        uintptr_t sp = craft(0);
        make_xsave(crafted_fx);
        bad_header(crafted_fx, header_case);
        sigreturn_via(colon[1] - '0', sp);
        return 47;
    }
    if (!strcmp(name, "frame-unmapped") || !strcmp(name, "frame-kernel")) {
        uintptr_t sp = !strcmp(name, "frame-unmapped") ? 0x1000 : (uintptr_t)0xffff800000100000ull;
#ifdef __x86_64__
        __asm__ volatile("mov %0, %%rsp; mov $15, %%eax; syscall; ud2" ::"r"(sp));
#else
        __asm__ volatile("mov %0, %%esp; mov $173, %%eax; int $0x80; ud2" ::"r"(sp));
#endif
    }
    edit_case = name;
    sg_sigaction(SG_SIGUSR1, (void *)edit_handler, SG_SA_SIGINFO, 0, 0);
    sys_kill((int)sys_getpid(), SG_SIGUSR1);
#ifndef __x86_64__
    if (!strcmp(name, "bad-gs"))
        return 46;
#endif
    return 47;      /* the return was accepted unchanged */
}

/* One hostile case in a child of its own: its exit status, and no return
 * instruction faulted in ring 0 meanwhile. */
static void run_child_case(const char *name, int expect, const char *what)
{
    struct sg_info before, after;
    sg_info(&before);
    char *argv[] = { sg_argv[0], (char *)name, 0 };
    long st = sg_run(sg_argv[0], argv);
    sg_info(&after);
    int faults = 0;
    for (int x = 0; x < 6; x++)
        faults += (int)(after.exit_faults[x] - before.exit_faults[x]);
    tap_eq(st, SG_WSTATUS_EXITED(expect), "%s: %s", name, what);
    tap_eq(faults, 0, "%s: no return instruction faulted in ring 0", name);
}

#define INSTRUCTION_DOORS SG_MECH_INT3

static void check_hostile(void)
{
    int xsave = osxsave(), avx = avx_enabled();
    for (unsigned i = 0; i < sizeof hostile_cases / sizeof hostile_cases[0]; i++) {
        const struct hostile *h = &hostile_cases[i];
        if (h->bits && h->bits != SG_BITS)
            continue;
        if ((h->needs == NEEDS_XSAVE && !xsave) || (h->needs == NEEDS_AVX && !avx)) {
            tap_skip(h->needs == NEEDS_AVX ? "the CPU model has no AVX" : "the CPU model has no XSAVE", "%s: %s",
                     h->name, h->what);
            continue;
        }
        run_child_case(h->name, h->expect, h->what);
    }
    for (int mech = 0; mech < INSTRUCTION_DOORS; mech++) {
        if (!sg_kip_stub(mech))
            continue;
        for (unsigned i = 0; i < sizeof door_header_cases / sizeof door_header_cases[0]; i++) {
            char name[64], what[96];
            snformat(name, sizeof name, "door:%s:%d", door_header_cases[i], mech);
            snformat(what, sizeof what, "a crafted frame with a hostile XSAVE header through %s",
                     sg_mechanism_name(mech));
            if (!xsave)
                tap_skip("the CPU model has no XSAVE", "%s: %s", name, what);
            else
                run_child_case(name, CAUGHT, what);
        }
    }
}

/* ---- A crafted frame through every door ---- */

/* sigreturn_via (assembly below): rt_sigreturn through door `mech` with
 * the stack pointer at `sp` (the frame + one word: where the handler's
 * ret leaves it); the crafted context resumes at sigreturn_resume, which
 * stores every register in resumed[] and comes back (with DF, AC and TF clear, as the
 * C code it returns to expects). */
uintptr_t saved_sp, resumed[20];
void sigreturn_resume(void);
void sigreturn_resume_ymm(void);    /* stores ymm3 in ymm3_seen, then sigreturn_resume */
struct { uint32_t offset; uint16_t sel; } __attribute__((packed)) gate_ptr = { 0, 0x4b };
#ifdef __x86_64__
__asm__(".text\n.globl sigreturn_via, sigreturn_resume, sigreturn_resume_ymm\nsigreturn_via:\n"
        "  push %rbp; push %rbx; push %r12; push %r13; push %r14; push %r15\n"
        "  mov %rsp, saved_sp(%rip)\n  mov %rsi, %rsp\n  mov $15, %eax\n"
        "  cmp $0, %edi; je 10f\n  cmp $1, %edi; je 11f\n  cmp $2, %edi; je 12f\n  cmp $3, %edi; je 13f\n"
        "  ud2; .ascii \"SG\"\n  ud2\n"
        "10: int $0x80\n  ud2\n"
        "11: lcall *gate_ptr(%rip)\n  ud2\n"
        "12: syscall\n  ud2\n"
        "13: mov %rsp, %r11\n  lea 14f(%rip), %rcx\n  sysenter\n14: ud2\n"
        "sigreturn_resume:\n"
        "  mov %rax, resumed+0(%rip); mov %rbx, resumed+8(%rip); mov %rcx, resumed+16(%rip)\n"
        "  mov %rdx, resumed+24(%rip); mov %rsi, resumed+32(%rip); mov %rdi, resumed+40(%rip)\n"
        "  mov %rbp, resumed+48(%rip); mov %r8, resumed+56(%rip); mov %r9, resumed+64(%rip)\n"
        "  mov %r10, resumed+72(%rip); mov %r11, resumed+80(%rip); mov %r12, resumed+88(%rip)\n"
        "  mov %r13, resumed+96(%rip); mov %r14, resumed+104(%rip); mov %r15, resumed+112(%rip)\n"
        "  mov %rsp, resumed+120(%rip)\n  pushfq\n  pop resumed+128(%rip)\n"
        "  movq %xmm3, resumed+136(%rip)\n"
        "  pushq $0x202\n  popfq\n  mov saved_sp(%rip), %rsp\n  pop %r15; pop %r14; pop %r13; pop %r12; pop %rbx; pop %rbp\n  ret\n"
        "sigreturn_resume_ymm:\n  vmovdqu %ymm3, ymm3_seen(%rip)\n  jmp sigreturn_resume\n");
#else
__asm__(".text\n.globl sigreturn_via, sigreturn_resume\nsigreturn_via:\n"
        "  push %ebp; push %ebx; push %esi; push %edi\n"
        "  mov 20(%esp), %ecx\n  mov 24(%esp), %edx\n"
        "  mov %esp, saved_sp\n  mov %edx, %esp\n  mov $173, %eax\n"
        "  cmp $0, %ecx; je 10f\n  cmp $1, %ecx; je 11f\n  cmp $2, %ecx; je 12f\n  cmp $3, %ecx; je 13f\n"
        "  ud2; .ascii \"SG\"\n  ud2\n"
        "10: int $0x80\n  ud2\n"
        "11: lcall $0x4b, $0\n  ud2\n"
        "12: mov %ecx, %ebp\n  syscall\n  ud2\n"
        "13: mov %esp, %ebp\n  sysenter\n  ud2\n"
        "sigreturn_resume:\n"
        "  mov %eax, resumed+0; mov %ebx, resumed+4; mov %ecx, resumed+8; mov %edx, resumed+12\n"
        "  mov %esi, resumed+16; mov %edi, resumed+20; mov %ebp, resumed+24; mov %esp, resumed+28\n"
        "  pushfl\n  popl resumed+32\n  movd %xmm3, resumed+36\n"
        "  mov %gs, resumed+40\n"
        "  pushl $0x202\n  popfl\n  mov saved_sp, %esp\n  pop %edi; pop %esi; pop %ebx; pop %ebp\n  ret\n"
        ".globl sigreturn_resume_ymm\nsigreturn_resume_ymm:\n  vmovdqu %ymm3, ymm3_seen\n  jmp sigreturn_resume\n");
#endif

static uint8_t fxstate[4096] __attribute__((aligned(64)));   /* an FSAVE header + an XSAVE area, aligned */
static union {
    struct sg_rt_sigframe64 f64;
    struct sg_rt_sigframe32 f32;
    uint8_t bytes[512];
} crafted __attribute__((aligned(16)));

/* The doors sigreturn_via knows: the five instruction doors (the exception
 * doors' stubs are in the interface page, reached by a call):
 * INSTRUCTION_DOORS above. */

/* A frame whose every register holds a pattern, resuming at
 * sigreturn_resume on the scratch stack, with xmm3 set through the FPU
 * state; rcx_is_rip makes the frame one SYSRET could return (rcx = rip,
 * r11 = rflags). */
static uintptr_t craft(int rcx_is_rip)
{
    memset(&crafted, 0, sizeof crafted);
    memset(fxstate, 0, sizeof fxstate);
    uintptr_t resume_sp = (uintptr_t)scratch_stack + sizeof scratch_stack - 64;
#ifdef __x86_64__
    uint8_t *fx = fxstate;
    crafted_fx = fx;
    fx[0] = 0x7f, fx[1] = 0x03;
    uint32_t mxcsr = 0x1f80;
    memcpy(fx + SG_FXSAVE_MXCSR, &mxcsr, 4);
    uint64_t x3 = 0x0123456789abcdefull;
    memcpy(fx + 160 + 3 * 16, &x3, 8);          /* XMM3 (SDM vol. 1 table 10-2) */
    struct sg_sigcontext64 *m = &crafted.f64.uc.uc_mcontext;
    uint64_t *r = &m->r8;
    for (int i = 0; i < 15; i++)                /* r8 .. rcx: every general register but rsp */
        r[i] = 0x1010101010101010ull * (uint64_t)(i + 1) + 0x0102030405060708ull;
    m->rsp = resume_sp;
    m->rip = (uintptr_t)sigreturn_resume;
    m->eflags = 0x202 | 0x1 | 0x40 | 0x800;       /* IF, CF, ZF, OF */
    if (rcx_is_rip) {
        m->rcx = m->rip;
        m->r11 = m->eflags;
    }
    m->cs = 0x2b;
    m->ss = 0x2b - 8;
    m->fpstate = (uintptr_t)fx;
    crafted.f64.uc.uc_flags = SG_UC_SIGCONTEXT_SS | SG_UC_STRICT_RESTORE_SS;
    return (uintptr_t)&crafted.f64 + 8;
#else
    uint8_t *fx = fxstate + 64 - SG_FPSTATE32_FXSAVE % 64;     /* the FXSAVE part 16-byte aligned */
    uint8_t *image = fx + SG_FPSTATE32_FXSAVE;
    crafted_fx = image;
    image[0] = 0x7f, image[1] = 0x03;
    uint32_t mxcsr = 0x1f80, x3 = 0x89abcdefu;
    memcpy(image + SG_FXSAVE_MXCSR, &mxcsr, 4);
    memcpy(image + 160 + 3 * 16, &x3, 4);
    struct sg_sigcontext32 *m = &crafted.f32.uc.uc_mcontext;
    uint32_t *r = &m->edi;
    for (int i = 0; i < 8; i++)                 /* edi esi ebp esp ebx edx ecx eax */
        r[i] = 0x10101010u * (uint32_t)(i + 1) + 0x01020304u;
    m->esp = (uint32_t)resume_sp;
    m->eip = (uintptr_t)sigreturn_resume;
    m->eflags = 0x202 | 0x1 | 0x40 | 0x800;
    m->cs = 0x1b;
    m->ss = 0x23;
    m->ds = m->es = 0x23;
    __asm__ volatile("mov %%gs, %0" : "=r"(m->gs));
    __asm__ volatile("mov %%fs, %0" : "=r"(m->fs));
    m->fpstate = (uintptr_t)fx;
    (void)rcx_is_rip;
    return (uintptr_t)&crafted.f32 + 4;
#endif
}

static void check_doors(void)
{
    for (int mech = 0; mech < INSTRUCTION_DOORS; mech++) {
        if (!sg_kip_stub(mech))
            continue;
        const char *door = sg_mechanism_name(mech);
        uintptr_t sp = craft(0);
        memset(resumed, 0, sizeof resumed);
        sigreturn_via(mech, sp);
        int same = 1;
#ifdef __x86_64__
        const struct sg_sigcontext64 *m = &crafted.f64.uc.uc_mcontext;
        const uint64_t want[15] = { m->rax, m->rbx, m->rcx, m->rdx, m->rsi, m->rdi, m->rbp, m->r8, m->r9,
                                    m->r10, m->r11, m->r12, m->r13, m->r14, m->r15 };
        for (int i = 0; i < 15; i++)
            same &= resumed[i] == want[i];
        tap_check(same, "%s: rt_sigreturn restores all fifteen general registers of a crafted frame", door);
        tap_eq(resumed[15], m->rsp, "%s: ... and RSP", door);
        tap_eq(resumed[16] & 0xfff, m->eflags & 0xfff, "%s: ... and the arithmetic flags", door);
        tap_eq(resumed[17], 0x0123456789abcdefull, "%s: ... and xmm3 from its FXSAVE image", door);
#else
        const struct sg_sigcontext32 *m = &crafted.f32.uc.uc_mcontext;
        const uint32_t want[8] = { m->eax, m->ebx, m->ecx, m->edx, m->esi, m->edi, m->ebp, m->esp };
        for (int i = 0; i < 8; i++)
            same &= resumed[i] == want[i];
        tap_check(same, "%s: rt_sigreturn restores all eight general registers of a crafted frame", door);
        tap_eq(resumed[8] & 0xfff, m->eflags & 0xfff, "%s: ... and the arithmetic flags", door);
        tap_eq(resumed[9], 0x89abcdefu, "%s: ... and xmm3 from its FXSAVE image", door);
        tap_eq(resumed[10] & 0xffff, m->gs, "%s: ... and GS", door);
#endif
        /* The same frame as an XSAVE area: ymm3's upper half from it too. */
        if (avx_enabled()) {
            sp = craft(0);
            make_xsave(crafted_fx);
#ifdef __x86_64__
            crafted.f64.uc.uc_mcontext.rip = (uintptr_t)sigreturn_resume_ymm;
#else
            crafted.f32.uc.uc_mcontext.eip = (uintptr_t)sigreturn_resume_ymm;
#endif
            memset(ymm3_seen, 0, sizeof ymm3_seen);
            sigreturn_via(mech, sp);
            tap_eq(ymm3_seen[2], YMM3_HI_PATTERN, "%s: an XSAVE-format frame restores ymm3's upper half", door);
        }
    }
#ifdef __x86_64__
    /* The exit is chosen from the restored frame: through the syscall door,
     * SYSRET is declined when the frame's rcx is not its rip, taken when
     * the frame is one SYSRET can return. */
    struct sg_info a, b;
    sg_info(&a);
    sigreturn_via(SG_MECH_SYSCALL, craft(0));
    sg_info(&b);
    tap_eq(b.fast_exit_declined[0] - a.fast_exit_declined[0], 1,
           "syscall: a restored frame with rcx != rip leaves through iretq (SYSRET declined)");
    sg_info(&a);
    sigreturn_via(SG_MECH_SYSCALL, craft(1));
    sg_info(&b);
    tap_eq(b.fast_exit_declined[0] - a.fast_exit_declined[0], 0,
           "syscall: a restored frame SYSRET can return leaves through SYSRET");
    tap_eq(resumed[2], (uintptr_t)sigreturn_resume, "syscall: ... with rcx = rip as the frame said");
#endif
}

/* ---- Random frames ---- */

static uint64_t state = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
    return xorshift64(&state);
}

/* A value for one field: mostly plausible, sometimes hostile. */
static uint64_t hostile(uint64_t plausible)
{
    switch (next() % 8) {
    case 0: return next();
    case 1: return next() & 0xffff;
    case 2: return plausible ^ (1ull << (next() % 64));
    case 3: return 0;
    default: return plausible;
    }
}

/* A RIP or RSP for a random frame: the good one, or one that cannot reach
 * the program's own code or data (null, the kernel half, non-canonical, a
 * random high address): a random frame must come back, not run the
 * program's text from a random point or push over its variables. */
static uint64_t hostile_address(uint64_t good)
{
    switch (next() % 8) {
    case 0: return 0;
    case 1: return SG_BITS == 64 ? 0xffffffff80000000ull + (next() & 0xffffff) : 0xfffff000u;
    case 2: return SG_BITS == 64 ? 0x0000800000000000ull | next() : 0xc0000000u | (next() & 0x0fffffff);
    case 3: return SG_BITS == 64 ? 0x7ff000000000ull + (next() & 0xfffffffff) : 0xe0000000u | (next() & 0x0fffffff);
    default: return good;
    }
}

static volatile int random_faults;

/* Any signal from a random frame: back to sigreturn_resume's way home. */
static void random_handler(int sig, sg_siginfo_t *info, void *ucv)
{
    (void)sig, (void)info;
    sg_ucontext_t *uc = ucv;
    random_faults++;
#ifdef __x86_64__
    uc->uc_mcontext.rip = (uintptr_t)sigreturn_resume;
    uc->uc_mcontext.rsp = (uintptr_t)scratch_stack + sizeof scratch_stack - 64;
    uc->uc_mcontext.eflags = 0x202;
    uc->uc_mcontext.cs = 0x2b;
    uc->uc_mcontext.ss = 0x23;
    uc->uc_mcontext.fpstate = 0;    /* a fresh FPU: a random one may hold a pending x87 exception */
#else
    uc->uc_mcontext.eip = (uintptr_t)sigreturn_resume;
    uc->uc_mcontext.esp = (uintptr_t)scratch_stack + sizeof scratch_stack - 64;
    uc->uc_mcontext.eflags = 0x202;
    uc->uc_mcontext.cs = 0x1b;
    uc->uc_mcontext.ss = 0x23;
    uc->uc_mcontext.ds = uc->uc_mcontext.es = 0x23;
    uc->uc_mcontext.fpstate = 0;
#endif
}

/* An XSAVE area with random damage: the software bytes (magics, sizes,
 * xfeatures) and the header's words, mostly plausible, sometimes not. */
static void hostile_xsave(uint8_t *fx)
{
    make_xsave(fx);
    struct sg_fpx_sw_bytes sw;
    memcpy(&sw, fx + SG_FXSAVE_SW_BYTES, sizeof sw);
    sw.magic1 = (uint32_t)hostile(sw.magic1);
    sw.extended_size = (uint32_t)hostile(sw.extended_size);
    sw.xstate_size = next() % 4 ? sw.xstate_size : (uint32_t)hostile(sw.xstate_size) % 1024;
    sw.xfeatures = hostile(sw.xfeatures);
    memcpy(fx + SG_FXSAVE_SW_BYTES, &sw, sizeof sw);
    for (int i = 0; i < 8; i++) {
        uint64_t w;
        memcpy(&w, fx + SG_XSAVE_HEADER + 8 * i, 8);
        w = next() % 4 ? w : hostile(w);
        memcpy(fx + SG_XSAVE_HEADER + 8 * i, &w, 8);
    }
}

static int fuzz_frames(int rounds)
{
    int xsave = osxsave();
    sg_stack_t ss = { .sp = (uintptr_t)altstack, .size = sizeof altstack };
    sys_sigaltstack(&ss, 0);
    static const int sigs[] = { SG_SIGSEGV, SG_SIGBUS, SG_SIGILL, SG_SIGFPE, SG_SIGTRAP };
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sg_sigaction(sigs[i], (void *)random_handler, SG_SA_SIGINFO | SG_SA_ONSTACK | SG_SA_NODEFER, 0, 0);
    for (int i = 0; i < rounds; i++) {
        int mech = (int)(next() % INSTRUCTION_DOORS);
        if (!sg_kip_stub(mech))
            continue;
        uintptr_t sp = craft((int)(next() & 1));
#ifdef __x86_64__
        struct sg_sigcontext64 *m = &crafted.f64.uc.uc_mcontext;
        m->cs = (uint16_t)hostile(m->cs);
        m->ss = (uint16_t)hostile(m->ss);
        m->rip = hostile_address(m->rip);
        m->rsp = hostile_address(m->rsp);
        m->eflags = hostile(m->eflags);
        m->fpstate = next() % 4 ? m->fpstate : hostile(m->fpstate);
        crafted.f64.uc.uc_flags = hostile(crafted.f64.uc.uc_flags);
        uint32_t mxcsr = (uint32_t)hostile(0x1f80);
        memcpy(fxstate + SG_FXSAVE_MXCSR, &mxcsr, 4);
#endif
        if (xsave && next() % 2)
            hostile_xsave(crafted_fx);
#ifdef __x86_64__
#else
        struct sg_sigcontext32 *m = &crafted.f32.uc.uc_mcontext;
        m->cs = (uint16_t)hostile(m->cs);
        m->ss = (uint16_t)hostile(m->ss);
        m->ds = (uint16_t)hostile(m->ds);
        m->es = (uint16_t)hostile(m->es);
        m->fs = (uint16_t)hostile(m->fs);
        m->gs = (uint16_t)hostile(m->gs);
        m->eip = (uint32_t)hostile_address(m->eip);
        m->esp = (uint32_t)hostile_address(m->esp);
        m->eflags = (uint32_t)hostile(m->eflags);
        m->fpstate = next() % 4 ? m->fpstate : (uint32_t)hostile(m->fpstate);
#endif
        sigreturn_via(mech, sp);
#ifndef __x86_64__
        /* A random DS or ES may have come back as null: 32-bit code needs one. */
        __asm__ volatile("mov %0, %%ds; mov %0, %%es" ::"r"(0x23));
#endif
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 2 && !strcmp(argv[1], "fuzz"))
        return fuzz_frames((int)(argv[2][0] - '0') * 1000);
    if (argc > 1)
        return run_hostile(argv[1]);
    tap_begin("sigreturn");
    check_hostile();
    check_doors();
    char *argv_fuzz[] = { argv[0], "fuzz", "2", 0 };
    struct sg_info before, after;
    sg_info(&before);
    long st = sg_run(argv[0], argv_fuzz);
    sg_info(&after);
    tap_eq(st, SG_WSTATUS_EXITED(0), "2000 random signal frames through random doors: each came back (%#lx)", st);
    int faults = 0;
    for (int x = 0; x < 6; x++)
        faults += (int)(after.exit_faults[x] - before.exit_faults[x]);
    tap_diag("random frames: %d return instructions faulted in ring 0 (each the process's, as exit faults are)", faults);
    return tap_end();
}
