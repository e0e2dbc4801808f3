/*
 * sigreturn: the signal return is an exit that loads RIP, CS, RFLAGS, RSP,
 * SS and the FPU state from user memory; hostile frames in the style of
 * Linux's tools/testing/selftests/x86/sigreturn.c, both widths:
 *   - refused (the process gets a SIGSEGV it can catch, in user mode, never
 *     a fault in ring 0): a kernel CS, the other width's CS, LDT selectors,
 *     a null or kernel SS, a non-canonical RIP or RSP, an MXCSR with
 *     reserved bits (FXRSTOR would #GP in ring 0), an unreadable FPU state
 *     or frame;
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
    sys_exit(gs == 0 ? SANITISED : 45);
}
#ifdef __x86_64__
__asm__(".text\n.globl flags_resume\nflags_resume:\n  pushfq\n  pop %rdi\n  and $-16, %rsp\n  call flags_check\n");
#else
__asm__(".text\n.globl flags_resume\nflags_resume:\n  pushfl\n  pop %eax\n  and $-16, %esp\n  sub $12, %esp\n  push %eax\n"
        "  call flags_check\n");
#endif

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
    struct sg_sigcontext64 *m = &uc->uc_mcontext;
    uint8_t *fx = (uint8_t *)(uintptr_t)m->fpstate;
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
    uint8_t *fx = (uint8_t *)(uintptr_t)m->fpstate + SG_FPSTATE32_FXSAVE;
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
};

static const struct hostile hostile_cases[] = {
    { "kernel-cs", CAUGHT, 0, "the kernel's CS" },
    { "kernel-cs-rpl3", CAUGHT, 0, "the kernel's CS with RPL 3" },
    { "compat-cs", CAUGHT, 0, "the other width's code segment" },
    { "ldt-cs", CAUGHT, 0, "an LDT code selector" },
    { "null-ss", CAUGHT, 0, "a null SS" },
    { "kernel-ss", CAUGHT, 0, "the kernel's SS" },
    { "ldt-ss", CAUGHT, 0, "an LDT stack selector" },
    { "noncanonical-rip", CAUGHT, 64, "a non-canonical RIP (the SYSRET hazard)" },
    { "noncanonical-rip-high", CAUGHT, 64, "RIP 0x8000000000000000" },
    { "noncanonical-rsp", CAUGHT, 64, "a non-canonical RSP" },
    { "kernel-rip", CAUGHT, 0, "a kernel address as RIP (#PF in user mode)" },
    { "kernel-rsp", CAUGHT, 0, "a kernel address as RSP (#PF in user mode at the first push)" },
    { "flags", SANITISED, 0, "IOPL 3, NT, RF, VM, VIF, VIP: cleared; AC kept" },
    { "mxcsr", CAUGHT, 0, "MXCSR with reserved bits (FXRSTOR would #GP in ring 0)" },
    { "mxcsr-fz", SANITISED, 64, "MXCSR with FZ (a defined bit): loaded" },
    { "fpstate-unmapped", CAUGHT, 0, "an unreadable FPU state" },
    { "fpstate-kernel", CAUGHT, 64, "an FPU state pointer into the kernel" },
    { "bad-gs", SANITISED, 32, "a GS the CPU refuses: loaded as null, the return goes on" },
    { "frame-unmapped", CAUGHT, 0, "rt_sigreturn with the stack pointer at unmapped memory" },
    { "frame-kernel", CAUGHT, 64, "rt_sigreturn with the stack pointer in the kernel" },
};

static int run_hostile(const char *name)
{
    catch_segv();
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

static void check_hostile(void)
{
    for (unsigned i = 0; i < sizeof hostile_cases / sizeof hostile_cases[0]; i++) {
        const struct hostile *h = &hostile_cases[i];
        if (h->bits && h->bits != SG_BITS)
            continue;
        struct sg_info before, after;
        sg_info(&before);
        char *argv[] = { sg_argv[0], (char *)h->name, 0 };
        long st = sg_run(sg_argv[0], argv);
        sg_info(&after);
        int faults = 0;
        for (int x = 0; x < 6; x++)
            faults += (int)(after.exit_faults[x] - before.exit_faults[x]);
        tap_eq(st, SG_WSTATUS_EXITED(h->expect), "%s: %s", h->name, h->what);
        tap_eq(faults, 0, "%s: no return instruction faulted in ring 0", h->name);
    }
}

/* ---- A crafted frame through every door ---- */

/* sigreturn_via (assembly below): rt_sigreturn through door `mech` with
 * the stack pointer at `sp` (the frame + one word: where the handler's
 * ret leaves it); the crafted context resumes at sigreturn_resume, which
 * stores every register in resumed[] and comes back (with DF, AC and TF clear, as the
 * C code it returns to expects). */
uintptr_t saved_sp, resumed[20];
void sigreturn_via(int mech, uintptr_t sp);
void sigreturn_resume(void);
struct { uint32_t offset; uint16_t sel; } __attribute__((packed)) gate_ptr = { 0, 0x4b };
#ifdef __x86_64__
__asm__(".text\n.globl sigreturn_via, sigreturn_resume\nsigreturn_via:\n"
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
        "  pushq $0x202\n  popfq\n  mov saved_sp(%rip), %rsp\n  pop %r15; pop %r14; pop %r13; pop %r12; pop %rbx; pop %rbp\n  ret\n");
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
        "  pushl $0x202\n  popfl\n  mov saved_sp, %esp\n  pop %edi; pop %esi; pop %ebx; pop %ebp\n  ret\n");
#endif

static uint8_t fxstate[SG_FPSTATE32_SIZE + 64] __attribute__((aligned(64)));
static union {
    struct sg_rt_sigframe64 f64;
    struct sg_rt_sigframe32 f32;
    uint8_t bytes[512];
} crafted __attribute__((aligned(16)));

/* The doors sigreturn_via knows: the five instruction doors (the exception
 * doors' stubs are in the interface page, reached by a call). */
#define INSTRUCTION_DOORS SG_MECH_INT3

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

static int fuzz_frames(int rounds)
{
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
