/*
 * regs: what every door does to the user's registers and flags
 * (docs/abi.md), in the style of Linux's selftests/x86: load all sixteen
 * general-purpose registers and RFLAGS with poison, go through one door,
 * store everything, and diff.
 *
 *  - every register the ABI calls preserved is preserved, bit for bit;
 *  - every clobbered one holds its documented value (rcx = return RIP and
 *    r11 = RFLAGS after syscall; rdx = return RIP and rcx = r11 = RSP
 *    after sysenter) - never kernel data;
 *  - DF, AC, NT and the arithmetic flags come back as they went in; IF is
 *    always 1 and IOPL always 0 afterwards;
 *  - with TF set the kernel survives the entry and the call works
 *    (exit(42) through each door), and the trap lands in user mode;
 *  - (32-bit) upper halves of eax..ebp set by 64-bit code before the far
 *    jump back are not the call's: the number and the arguments are the
 *    low 32 bits, through every door;
 *  - sg_setcontext hands each exit a context no door would produce (rcx !=
 *    rip, r11 != rflags, a non-canonical rip or rsp): the context arrives
 *    exactly, or the process is killed with SIGSEGV; the kernel survives.
 */
#include "../lib/tap.h"
#include <sysgate/kip.h>
#include "../../kernel/arch/selectors_msrs.h"

/* A constant's value as text for the assembly below (CALL_GATE_SEL). */
#define STR_(x) #x
#define STR(x) STR_(x)

/* RFLAGS bits (Intel SDM vol. 1 3.4.3), as wide as this program's registers. */
#define ARITH_FLAGS 0x8d5ul         /* CF PF AF ZF SF OF */
#define TF 0x100ul
#define IF 0x200ul
#define DF 0x400ul
#define IOPL 0x3000ul
#define NT 0x4000ul
#define AC 0x40000ul

/* The doors (doors.def, by SG_MECH number), then the interface page's
 * default entry (for 32-bit code __kernel_vsyscall). */
enum { D_KIP = SG_MECH_COUNT, D_COUNT };

static const char *door_name(int d)
{
    return d == D_KIP ? (SG_BITS == 64 ? "interface page default" : "__kernel_vsyscall") : sg_mechanism_name(d);
}

static const char *self;
static struct sg_info info;

static int door_available(int d)
{
    return d == D_KIP || ((SG_BITS == 64 ? info.mechanisms64 : info.mechanisms32) & (1u << d));
}

/* Reached by a call into the interface page: the default entry and the
 * exception doors (their instruction is a call only in their stub). */
static int through_page(int d)
{
    return d == D_KIP || d >= SG_MECH_FIRST_EXCEPTION;
}

/* This program again, as a child with a role, a door and an argument. */
static long run_child(const char *role, int d, const char *arg)
{
    char door[2] = { (char)('0' + d), 0 };
    char *argv[] = { (char *)self, (char *)role, door, (char *)arg, 0 };
    return sg_run(self, argv);
}

#ifdef __x86_64__

struct regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rflags;    /* 120 */
    uint64_t rsp;       /* 128: out only */
    uint64_t ret_rip;   /* 136: out only: the address after the door */
};
_Static_assert(__builtin_offsetof(struct regs, rflags) == 120, "asm below uses these offsets");

/* One harness per door (doors.def), each with a DOOR_<name> instruction
 * macro below, and one for the interface page's default entry. */
#define DOOR(NAME, name, nr, rank, what) \
    void regs_##name(const struct regs *in, struct regs *out); \
    long ctx_##name(const struct sg_context *c);
#include <sysgate/doors.def>
#undef DOOR
void regs_kip(const struct regs *in, struct regs *out);
long ctx_kip(const struct sg_context *c);
static void (*const harness[D_COUNT])(const struct regs *, struct regs *) = {
#define DOOR(NAME, name, nr, rank, what) [SG_MECH_##NAME] = regs_##name,
#include <sysgate/doors.def>
#undef DOOR
    [D_KIP] = regs_kip,
};
static long (*const ctx_harness[D_COUNT])(const struct sg_context *) = {
#define DOOR(NAME, name, nr, rank, what) [SG_MECH_##NAME] = ctx_##name,
#include <sysgate/doors.def>
#undef DOOR
    [D_KIP] = ctx_kip,
};

uint64_t harness_kip;                 /* the interface page's default entry */
uint64_t harness_int3;                /* the exception doors' stubs */
uint64_t harness_divide;
uint64_t harness_hlt;
uint64_t harness_rdtsc;
uint64_t harness_umip;
uint64_t harness_cpuid;
uint64_t harness_icebp;
uint64_t harness_pf;
uint64_t harness_nm;
uint64_t harness_ac;
uint64_t harness_int3n;
struct regs harness_landed;           /* what harness_landing found */
uint64_t harness_landed_flag;
void harness_landing(void);
uint8_t landing_stack[4096] __attribute__((aligned(16)));

/* The door instructions, one macro each. */
__asm__(
    ".macro DOOR_int80\n int $0x80\n .endm\n"
    ".macro DOOR_syscall\n syscall\n .endm\n"
    ".macro DOOR_callgate\n lcall *harness_gate(%rip)\n .endm\n"
    ".macro DOOR_sysenter\n sysenter\n .endm\n"
    ".macro DOOR_trap\n ud2\n .ascii \"SG\"\n .endm\n"
    ".macro DOOR_kip\n call *harness_kip(%rip)\n .endm\n"
    ".macro DOOR_int3\n call *harness_int3(%rip)\n .endm\n"
    ".macro DOOR_divide\n call *harness_divide(%rip)\n .endm\n"
    ".macro DOOR_hlt\n call *harness_hlt(%rip)\n .endm\n"
    ".macro DOOR_rdtsc\n call *harness_rdtsc(%rip)\n .endm\n"
    ".macro DOOR_umip\n call *harness_umip(%rip)\n .endm\n"
    ".macro DOOR_cpuid\n call *harness_cpuid(%rip)\n .endm\n"
    ".macro DOOR_icebp\n call *harness_icebp(%rip)\n .endm\n"
    ".macro DOOR_pf\n call *harness_pf(%rip)\n .endm\n"
    ".macro DOOR_nm\n call *harness_nm(%rip)\n .endm\n"
    ".macro DOOR_ac\n call *harness_ac(%rip)\n .endm\n"
    ".macro DOOR_int3n\n call *harness_int3n(%rip)\n .endm\n"
    /* bound and into exist in 32-bit code only: never offered here, never run */
    ".macro DOOR_bound\n ud2\n .endm\n"
    ".macro DOOR_into\n ud2\n .endm\n"
    /* What must happen before the flags are loaded (a TF set by the popfq
     * traps after the next instruction): sysenter's return RIP and RSP. */
    ".macro PRE_int80\n .endm\n .macro PRE_syscall\n .endm\n .macro PRE_callgate\n .endm\n"
    ".macro PRE_trap\n .endm\n .macro PRE_kip\n .endm\n .macro PRE_int3\n .endm\n .macro PRE_divide\n .endm\n .macro PRE_hlt\n .endm\n .macro PRE_bound\n .endm\n .macro PRE_into\n .endm\n"
    ".macro PRE_rdtsc\n .endm\n .macro PRE_umip\n .endm\n .macro PRE_cpuid\n .endm\n .macro PRE_icebp\n .endm\n"
    ".macro PRE_pf\n .endm\n .macro PRE_nm\n .endm\n .macro PRE_ac\n .endm\n .macro PRE_int3n\n .endm\n"
    ".macro PRE_sysenter\n lea 1f(%rip), %rcx\n lea 8(%rsp), %r11\n .endm\n"
    "   .section .rodata\n"
    "harness_gate: .long 0\n .word " STR(CALL_GATE_SEL) "\n"
    "   .bss\n .balign 8\n"
    ".globl harness_rsp\nharness_out: .quad 0\nharness_rsp: .quad 0\nharness_rsp_after: .quad 0\n"
    "   .text\n"
    /* void regs_<door>(const struct regs *in, struct regs *out) */
    ".macro HARNESS name\n"
    "   .globl regs_\\name\n"
    "regs_\\name:\n"
    "   push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
    "   mov %rsi, harness_out(%rip)\n"
    "   mov %rsp, harness_rsp(%rip)\n"
    "   lea 1f(%rip), %rax\n mov %rax, 136(%rsi)\n"
    "   pushq 120(%rdi)\n"
    "   mov 0(%rdi), %rax\n mov 8(%rdi), %rbx\n mov 16(%rdi), %rcx\n mov 24(%rdi), %rdx\n"
    "   mov 32(%rdi), %rsi\n mov 48(%rdi), %rbp\n mov 56(%rdi), %r8\n mov 64(%rdi), %r9\n"
    "   mov 72(%rdi), %r10\n mov 80(%rdi), %r11\n mov 88(%rdi), %r12\n mov 96(%rdi), %r13\n"
    "   mov 104(%rdi), %r14\n mov 112(%rdi), %r15\n mov 40(%rdi), %rdi\n"
    "   PRE_\\name\n"
    "   popfq\n"                                   /* TF, if set, traps after the door */
    "   DOOR_\\name\n"
    "1: mov %rsp, harness_rsp_after(%rip)\n"
    "   pushfq\n push %rax\n"
    "   mov harness_out(%rip), %rax\n"
    "   popq 0(%rax)\n popq 120(%rax)\n"
    "   mov %rbx, 8(%rax)\n mov %rcx, 16(%rax)\n mov %rdx, 24(%rax)\n mov %rsi, 32(%rax)\n"
    "   mov %rdi, 40(%rax)\n mov %rbp, 48(%rax)\n mov %r8, 56(%rax)\n mov %r9, 64(%rax)\n"
    "   mov %r10, 72(%rax)\n mov %r11, 80(%rax)\n mov %r12, 88(%rax)\n mov %r13, 96(%rax)\n"
    "   mov %r14, 104(%rax)\n mov %r15, 112(%rax)\n"
    "   mov harness_rsp_after(%rip), %rbx\n mov %rbx, 128(%rax)\n"
    "   mov harness_rsp(%rip), %rsp\n"
    "   pushq $2\n popfq\n"                    /* DF, AC, NT off again for C */
    "   pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
    "   ret\n"
    ".endm\n"
    /* long ctx_<door>(const struct sg_context *): sg_setcontext through
     * that door; returns through harness_landing, or with the error. */
    ".macro CTX name\n"
    "   .globl ctx_\\name\n"
    "ctx_\\name:\n"
    "   push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
    "   mov %rsp, harness_rsp(%rip)\n"
    "   mov $0x1005, %eax\n"                   /* SYS_sg_setcontext */
    "   PRE_\\name\n"
    "   DOOR_\\name\n"
    "1: mov harness_rsp(%rip), %rsp\n"
    "   pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
    "   ret\n"
    ".endm\n"
#define DOOR(NAME, name, nr, rank, what) "HARNESS " #name "\nCTX " #name "\n"
#include <sysgate/doors.def>
#undef DOOR
    "HARNESS kip\nCTX kip\n"
    /* Where a context set by sg_setcontext lands: record, then return
     * from the ctx_<door> call that set it. */
    "   .globl harness_landing\n"
    "harness_landing:\n"
    "   mov %rax, harness_landed+0(%rip)\n mov %rbx, harness_landed+8(%rip)\n"
    "   mov %rcx, harness_landed+16(%rip)\n mov %rdx, harness_landed+24(%rip)\n"
    "   mov %rsi, harness_landed+32(%rip)\n mov %rdi, harness_landed+40(%rip)\n"
    "   mov %rbp, harness_landed+48(%rip)\n mov %r8, harness_landed+56(%rip)\n"
    "   mov %r9, harness_landed+64(%rip)\n mov %r10, harness_landed+72(%rip)\n"
    "   mov %r11, harness_landed+80(%rip)\n mov %r12, harness_landed+88(%rip)\n"
    "   mov %r13, harness_landed+96(%rip)\n mov %r14, harness_landed+104(%rip)\n"
    "   mov %r15, harness_landed+112(%rip)\n mov %rsp, harness_landed+128(%rip)\n"
    "   pushfq\n popq harness_landed+120(%rip)\n"
    "   movq $1, harness_landed_flag(%rip)\n"
    "   mov harness_rsp(%rip), %rsp\n"
    "   pushq $2\n popfq\n"
    "   xor %eax, %eax\n"
    "   pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
    "   ret\n");


/* Which fast exit a door has, as an index into fast_exit_declined. */
static int fast_exit_of(int d)
{
    return d == SG_MECH_SYSCALL ? 0 : d == SG_MECH_SYSENTER ? 1 : d == SG_MECH_CALLGATE ? 2 : -1;
}

static uint64_t declined(int d)
{
    struct sg_info i;
    sg_info(&i);
    return fast_exit_of(d) < 0 ? 0 : i.fast_exit_declined[fast_exit_of(d)];
}


static void poison(struct regs *r, unsigned long seed, unsigned long flags)
{
    uint64_t *p = &r->rax;
    for (int i = 0; i < 15; i++)
        p[i] = seed ^ (0x0101010101010101ul * (uint64_t)(i + 1)) ^ ((uint64_t)i << 56);
    r->rflags = flags;
}

/* One door, one poison set, one flags value: diff every register. */
static void check_door(int d, unsigned long seed, unsigned long flags, const char *flags_name)
{
    struct regs in, out;
    poison(&in, seed, flags);
    in.rax = SYS_sg_echo6;
    memset(&out, 0, sizeof out);
    harness[d](&in, &out);

    static const char *const names[15] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8",
                                           "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
    uint64_t want[15];
    memcpy(want, &in.rax, sizeof want);
    uint64_t flags_after = (flags & (ARITH_FLAGS | DF | AC | NT)) | IF | 2;
    want[0] = sg_echo6_expect(in.rdi, in.rsi, in.rdx, in.r10, in.r8, in.r9);
    uint64_t kip_lo = sg_kip, kip_hi = sg_kip + sg_kip_header()->image_size;
    int bad = -1;
    switch (d) {
    case SG_MECH_SYSCALL:
        want[2] = out.ret_rip;          /* rcx: the return RIP */
        want[10] = flags_after;         /* r11: RFLAGS at the syscall */
        break;
    case SG_MECH_SYSENTER:
        want[3] = out.ret_rip;          /* rdx: the return RIP */
        want[2] = out.rsp;              /* rcx: the user RSP */
        want[10] = out.rsp;             /* r11: the user RSP passed in */
        break;
    case D_KIP:
        /* rcx and r11 are clobbered by the default stub: each must be its
         * old value, zero, RFLAGS, the stack, or an address in the page. */
        for (int i = 2; i <= 10; i += 8) {
            uint64_t v = (&out.rax)[i];
            if (v == want[i] || v == 0 || v == flags_after || v == out.rsp - 8 || v == out.rsp ||
                (v >= kip_lo && v < kip_hi))
                want[i] = v;
        }
        break;
    }
    for (int i = 0; i < 15; i++)
        if ((&out.rax)[i] != want[i] && bad < 0)
            bad = i;
    if (!tap_check(bad < 0, "%s, flags %s: every register as documented", door_name(d), flags_name))
        tap_diag("%s is %#lx, expected %#lx", names[bad], (&out.rax)[bad], want[bad]);
    tap_eq(out.rflags & ~(uint64_t)0x10000 /* RF */, flags_after, "%s, flags %s: RFLAGS as they were, IF on, IOPL 0",
           door_name(d), flags_name);
    extern uint64_t harness_rsp;   /* RSP before the flags were pushed = before the door */
    tap_eq(out.rsp, harness_rsp, "%s, flags %s: rsp preserved", door_name(d), flags_name);
}

static int child_main(int argc, char **argv)
{
    int d = argv[2][0] - '0';
    if (!strcmp(argv[1], "tf-exit") || !strcmp(argv[1], "tf-getpid")) {
        struct regs in, out;
        poison(&in, 0x1234, TF | ARITH_FLAGS);
        in.rax = !strcmp(argv[1], "tf-exit") ? SYS_exit_group : SYS_getpid;
        in.rdi = 42;
        harness[d](&in, &out);
        return 0;   /* not reached: the trap in user mode kills us first */
    }
    if (!strcmp(argv[1], "ctx") && argc > 3) {
        struct sg_context c;
        memset(&c, 0, sizeof c);
        c.rip = (uint64_t)harness_landing;
        c.rsp = (uint64_t)&landing_stack[sizeof landing_stack];
        if (!strcmp(argv[3], "rip47"))
            c.rip = 1ul << 47;
        else if (!strcmp(argv[3], "rip63"))
            c.rip = 1ul << 63;
        else if (!strcmp(argv[3], "ripkernel"))
            c.rip = 0xffffffff80101000ul;
        else if (!strcmp(argv[3], "rsp47"))
            c.rsp = 1ul << 47;
        c.rflags = 0x202;
        c.rax = 7;
        c.rcx = d == SG_MECH_SYSENTER ? c.rsp : c.rip;    /* what SYSRET / SYSEXIT would load */
        c.rdx = d == SG_MECH_SYSENTER ? c.rip : 0;
        c.r11 = c.rflags;
        ctx_harness[d](&c);
        return 0;   /* landed: the context did not fault */
    }
    return 100;
}

/* TF through a door: the kernel survives the entry, exit(42) works, and
 * getpid returns with the single-step trap landing in user mode. */
static void check_tf(int d)
{
    if (through_page(d)) {
        tap_skip("the call into the page traps before any door", "%s with TF set", door_name(d));
        return;
    }
    long st = run_child("tf-exit", d, "");
    tap_check(SG_WIFEXITED(st) && SG_WEXITSTATUS(st) == 42,
              "%s with TF set: the kernel survives and exit(42) works (status %#lx)", door_name(d), st);
    st = run_child("tf-getpid", d, "");
    tap_check(SG_WIFSIGNALED(st) && SG_WTERMSIG(st) == SG_SIGTRAP,
              "%s with TF set: getpid returns and the single-step trap lands in user mode (status %#lx)",
              door_name(d), st);
}

/* sg_setcontext through a door: exact contexts arrive exactly, and a fast
 * exit declines what it cannot deliver; bad return addresses kill only the
 * process. */
static void check_contexts(int d)
{
    long st;
    /* An exact context, with rcx != rip and r11 != rflags, so that the
     * fast exits must decline. */
    struct sg_context c;
    uint64_t *cp = &c.rax;
    for (int i = 0; i < 15; i++)
        cp[i] = 0xc0c0c0c000000000ul | (uint64_t)(d << 8 | i);
    c.rip = (uint64_t)harness_landing;
    c.rsp = (uint64_t)&landing_stack[sizeof landing_stack - 64];
    c.rflags = ARITH_FLAGS | DF | IOPL;
    harness_landed_flag = 0;
    uint64_t before = declined(d);
    ctx_harness[d](&c);
    uint64_t declined_exact = declined(d) - before;
    int exact = harness_landed_flag == 1;
    for (int i = 0; i < 15 && exact; i++)
        exact = (&harness_landed.rax)[i] == cp[i];
    tap_check(exact && harness_landed.rsp == c.rsp, "%s: sg_setcontext delivers all registers exactly", door_name(d));
    /* SYSRET cannot give rcx != rip, SYSEXIT rdx != rip; LRET restores
     * everything (flags by popfq first). */
    if (fast_exit_of(d) >= 0)
        tap_eq(declined_exact, d != SG_MECH_CALLGATE, "%s: its fast exit %s this context", door_name(d),
               d != SG_MECH_CALLGATE ? "declines" : "takes");
    tap_eq(harness_landed.rflags & ~(uint64_t)0x10000, (ARITH_FLAGS | DF | IF | 2),
           "%s: sg_setcontext's RFLAGS: as asked, with IF forced on and IOPL 0", door_name(d));

    /* A context a fast exit could take: rcx = rip and r11 = rflags for
     * SYSRET, rdx = rip and rcx = rsp for SYSEXIT. */
    c.rcx = d == SG_MECH_SYSENTER ? c.rsp : c.rip;
    c.rdx = d == SG_MECH_SYSENTER ? c.rip : c.rdx;
    c.rflags = 0x202;
    c.r11 = 0x202;
    harness_landed_flag = 0;
    before = declined(d);
    ctx_harness[d](&c);
    uint64_t declined_fast = declined(d) - before;
    exact = harness_landed_flag == 1;
    for (int i = 0; i < 15 && exact; i++)
        exact = (&harness_landed.rax)[i] == cp[i];
    tap_check(exact, "%s: a context the fast exit can deliver arrives exactly too", door_name(d));
    if (fast_exit_of(d) >= 0)
        tap_eq(declined_fast, 0, "%s: and the fast exit takes it", door_name(d));

    static const char *const bad_ctx[] = { "rip47", "rip63", "ripkernel", "rsp47" };
    for (unsigned i = 0; i < sizeof bad_ctx / sizeof bad_ctx[0]; i++) {
        before = declined(d);
        st = run_child("ctx", d, bad_ctx[i]);
        /* The child's only system call is the sg_setcontext; a fast exit
         * must decline a non-canonical RIP (SYSRET/SYSEXIT would #GP in
         * ring 0 on Intel; QEMU's TCG forgives it, so only this counter
         * shows the check at work there) and, for SYSEXIT and LRET, a
         * non-canonical RSP (SYSRET loads no RSP).  A canonical
         * kernel-half RIP may take any exit: the fetch faults in user
         * mode. */
        int must_decline = fast_exit_of(d) >= 0 && (i < 2 || (i == 3 && d != SG_MECH_SYSCALL));
        if (fast_exit_of(d) >= 0 && i != 2)
            tap_eq(declined(d) - before, (uint64_t)must_decline, "%s: %s: the fast exit %s", door_name(d),
                   bad_ctx[i], must_decline ? "declines" : "is used");
        tap_check(SG_WIFSIGNALED(st) && SG_WTERMSIG(st) == SG_SIGSEGV,
                  "%s: returning to %s kills only the process with SIGSEGV (status %#lx)", door_name(d),
                  bad_ctx[i], st);
    }
}

#else /* 32-bit: the same hazards for a process in compatibility mode */

/*
 * The 32-bit harness poisons eax..ebp and EFLAGS, and - by a far jump to
 * 64-bit code, which a 32-bit process may do - r8 to r15, which the kernel
 * must hand back as they were (or as documented), never with kernel data.
 * sysenter and syscall are reached through the 32-bit interface page's
 * stubs, which do the dance the instruction needs.
 */
struct regs32 {
    uint32_t eax, ebx, ecx, edx, esi, edi, ebp, eflags;   /* 0 .. 28 */
    uint64_t r[8];                                          /* 32: r8 .. r15 */
    uint32_t esp;                                           /* 96: out only */
};
_Static_assert(__builtin_offsetof(struct regs32, r) == 32 && __builtin_offsetof(struct regs32, esp) == 96,
               "asm below uses these offsets");


void regs32_raw(const struct regs32 *in, struct regs32 *out);     /* door: harness_door */
uintptr_t harness_stub;        /* for the stub doors: the stub to call */
uint32_t harness_door;         /* 0 int80, 1 callgate, 2 trap, 3 call harness_stub */
uint32_t harness_esp;
struct regs32 *harness_in, *harness_out;

__asm__(
    "   .text\n"
    "   .globl regs32_raw\n"
    "regs32_raw:\n"
    "   push %ebx\n push %esi\n push %edi\n push %ebp\n"
    "   mov 20(%esp), %eax\n mov %eax, harness_in\n"
    "   mov 24(%esp), %eax\n mov %eax, harness_out\n"
    "   mov %esp, harness_esp\n"
    /* r8..r15 from in->r[], in 64-bit code */
    "   ljmp $0x2b, $1f\n"
    "   .code64\n"
    "1: mov harness_in(%rip), %eax\n"
    "   mov 32(%rax), %r8\n mov 40(%rax), %r9\n mov 48(%rax), %r10\n mov 56(%rax), %r11\n"
    "   mov 64(%rax), %r12\n mov 72(%rax), %r13\n mov 80(%rax), %r14\n mov 88(%rax), %r15\n"
    "   ljmpl *back32_a(%rip)\n"
    "   .code32\n"
    "2: mov harness_in, %eax\n"
    "   pushl 28(%eax)\n"
    "   mov 4(%eax), %ebx\n mov 8(%eax), %ecx\n mov 12(%eax), %edx\n"
    "   mov 16(%eax), %esi\n mov 20(%eax), %edi\n mov 24(%eax), %ebp\n mov 0(%eax), %eax\n"
    "   cmpl $0, harness_door\n je 10f\n"
    "   cmpl $1, harness_door\n je 11f\n"
    "   cmpl $2, harness_door\n je 12f\n"
    "   popfl\n call *harness_stub\n jmp 3f\n"
    "10: popfl\n int $0x80\n jmp 3f\n"
    "11: popfl\n lcall $" STR(CALL_GATE_SEL) ", $0\n jmp 3f\n"
    "12: popfl\n ud2\n .ascii \"SG\"\n"
    "3: pushfl\n push %eax\n"
    "   mov harness_out, %eax\n"
    "   popl 0(%eax)\n popl 28(%eax)\n"
    "   mov %ebx, 4(%eax)\n mov %ecx, 8(%eax)\n mov %edx, 12(%eax)\n"
    "   mov %esi, 16(%eax)\n mov %edi, 20(%eax)\n mov %ebp, 24(%eax)\n mov %esp, 96(%eax)\n"
    "   ljmp $0x2b, $4f\n"
    "   .code64\n"
    "4: mov harness_out(%rip), %eax\n"
    "   mov %r8, 32(%rax)\n mov %r9, 40(%rax)\n mov %r10, 48(%rax)\n mov %r11, 56(%rax)\n"
    "   mov %r12, 64(%rax)\n mov %r13, 72(%rax)\n mov %r14, 80(%rax)\n mov %r15, 88(%rax)\n"
    "   ljmpl *back32_b(%rip)\n"
    "   .code32\n"
    "5: mov harness_esp, %esp\n"
    "   pushl $2\n popfl\n"
    "   pop %ebp\n pop %edi\n pop %esi\n pop %ebx\n"
    "   ret\n"
    "   .section .rodata\n"
    "back32_a: .long 2b\n .word 0x1b\n"
    "back32_b: .long 5b\n .word 0x1b\n"
    "   .text\n");



static void run_door(int d, const struct regs32 *in, struct regs32 *out)
{
    /* The raw instruction for int80, callgate, trap; a call to the stub
     * for the others (the fast doors' dance, the exception doors). */
    harness_door = d == SG_MECH_INT80 ? 0 : d == SG_MECH_CALLGATE ? 1 : d == SG_MECH_TRAP ? 2 : 3;
    harness_stub = d == D_KIP ? sg_kip_default() : sg_kip_stub(d);
    regs32_raw(in, out);
}

static void poison(struct regs32 *r, unsigned long seed, unsigned long flags)
{
    uint32_t *p = &r->eax;
    for (int i = 0; i < 7; i++)
        p[i] = seed ^ (0x01010101u * (uint32_t)(i + 1));
    for (int i = 0; i < 8; i++)
        r->r[i] = 0xffffffff80000000ull ^ ((uint64_t)seed << 8) ^ (uint64_t)(i + 8);
    r->eflags = flags;
}

static void check_door(int d, unsigned long seed, unsigned long flags, const char *flags_name)
{
    struct regs32 in, out;
    poison(&in, seed, flags);
    in.eax = SYS_sg_echo6;
    memset(&out, 0, sizeof out);
    run_door(d, &in, &out);

    uint32_t want_eax = (uint32_t)sg_echo6_expect(in.ebx, in.ecx, in.edx, in.esi, in.edi, in.ebp);
    uint32_t flags_after = (flags & (ARITH_FLAGS | DF | AC | NT)) | IF | 2;
    tap_eq(out.eax, want_eax, "%s, flags %s: eax is the result of six arguments", door_name(d), flags_name);
    tap_check(out.ebx == in.ebx && out.ecx == in.ecx && out.edx == in.edx && out.esi == in.esi &&
                  out.edi == in.edi && out.ebp == in.ebp,
              "%s, flags %s: ebx ecx edx esi edi ebp preserved", door_name(d), flags_name);
    tap_eq(out.eflags & ~0x10000u, flags_after, "%s, flags %s: EFLAGS as they were, IF on, IOPL 0", door_name(d),
           flags_name);
    int r_ok = 1, bad = -1;
    for (int i = 0; i < 8; i++) {
        /* r11 after a 32-bit SYSCALL holds the caller's EFLAGS (SYSRETL
         * reloads EFLAGS from it): a user value, documented. */
        int ok = out.r[i] == in.r[i] || out.r[i] == 0 ||
                 (i == 3 && (d == SG_MECH_SYSCALL || d == D_KIP) && out.r[i] == flags_after);
        if (!ok && bad < 0)
            bad = i;
        r_ok &= ok;
    }
    if (!tap_check(r_ok, "%s, flags %s: r8-r15 hold their user values", door_name(d), flags_name))
        tap_diag("r%d is %#llx, was %#llx", bad + 8, (unsigned long long)out.r[bad], (unsigned long long)in.r[bad]);
}


static int child_main(int argc, char **argv)
{
    (void)argc;
    int d = argv[2][0] - '0';
    if (!strcmp(argv[1], "tf-exit") && (d == SG_MECH_SYSENTER || d == SG_MECH_SYSCALL)) {
        /* The stub's dance by hand, so that TF, loaded by the popfl just
         * before, first traps after the door instruction itself. */
        if (d == SG_MECH_SYSENTER)
            __asm__ volatile("push $0\n push %%ecx\n push %%edx\n push %%ebp\n mov %%esp, %%ebp\n"
                             "pushl $0x1d7\n popfl\n sysenter"
                             ::"a"(SYS_exit_group), "b"(42) : "memory");
        else
            __asm__ volatile("push $0\n push %%ecx\n push %%edx\n push %%ebp\n mov %%ecx, %%ebp\n"
                             "pushl $0x1d7\n popfl\n syscall"
                             ::"a"(SYS_exit_group), "b"(42) : "memory");
    } else if (!strcmp(argv[1], "tf-exit")) {
        struct regs32 in, out;
        poison(&in, 0x1234, TF | ARITH_FLAGS);
        in.eax = SYS_exit_group;
        in.ebx = 42;
        run_door(d, &in, &out);
    }
    return 0;
}

/*
 * The upper halves.  Compatibility mode leaves the upper 32 bits of the
 * general registers undefined, and a 32-bit process can set them: in
 * 64-bit code, before a far jump back.  A door that took rax or an
 * argument register whole would index its table past its end or pass a
 * handler a value the i386 ABI cannot express.  regs32_wide loads all
 * seven i386 registers with 64-bit values in 64-bit code, returns to
 * 32-bit code and goes through the door without touching them; the call
 * must be the one their low halves make.
 */
uint64_t harness_wide[7];       /* rax rbx rcx rdx rsi rdi rbp */
void regs32_wide(void);         /* door: harness_door; results: harness_out's eax..ebp */

__asm__(
    "   .text\n"
    "   .globl regs32_wide\n"
    "regs32_wide:\n"
    "   push %ebx\n push %esi\n push %edi\n push %ebp\n"
    "   mov %esp, harness_esp\n"
    "   ljmp $0x2b, $1f\n"
    "   .code64\n"
    "1: mov harness_wide+8(%rip), %rbx\n mov harness_wide+16(%rip), %rcx\n"
    "   mov harness_wide+24(%rip), %rdx\n mov harness_wide+32(%rip), %rsi\n"
    "   mov harness_wide+40(%rip), %rdi\n mov harness_wide+48(%rip), %rbp\n"
    "   mov harness_wide(%rip), %rax\n"
    "   ljmpl *back32_c(%rip)\n"
    "   .code32\n"
    /* From here to the door only the flags and esp change. */
    "2: cmpl $0, harness_door\n je 10f\n"
    "   cmpl $1, harness_door\n je 11f\n"
    "   cmpl $2, harness_door\n je 12f\n"
    "   call *harness_stub\n jmp 3f\n"
    "10: int $0x80\n jmp 3f\n"
    "11: lcall $" STR(CALL_GATE_SEL) ", $0\n jmp 3f\n"
    "12: ud2\n .ascii \"SG\"\n"
    "3: push %eax\n"
    "   mov harness_out, %eax\n"
    "   popl 0(%eax)\n"
    "   mov %ebx, 4(%eax)\n mov %ecx, 8(%eax)\n mov %edx, 12(%eax)\n"
    "   mov %esi, 16(%eax)\n mov %edi, 20(%eax)\n mov %ebp, 24(%eax)\n"
    "   mov harness_esp, %esp\n"
    "   pop %ebp\n pop %edi\n pop %esi\n pop %ebx\n"
    "   ret\n"
    "   .section .rodata\n"
    "back32_c: .long 2b\n .word 0x1b\n"
    "   .text\n");

static void check_wide(int d)
{
    static const uint32_t lo[7] = { SYS_sg_echo6, 0x11111111, 0x22222222, 0x33333333, 0x44444444, 0x55555555,
                                    0x66666666 };
    struct regs32 out;
    for (int i = 0; i < 7; i++)
        harness_wide[i] = (uint64_t)(0xdead1000u + 0x10u * (unsigned)i) << 32 | lo[i];
    memset(&out, 0, sizeof out);
    harness_door = d == SG_MECH_INT80 ? 0 : d == SG_MECH_CALLGATE ? 1 : d == SG_MECH_TRAP ? 2 : 3;
    harness_stub = d == D_KIP ? sg_kip_default() : sg_kip_stub(d);
    harness_out = &out;
    regs32_wide();
    tap_eq(out.eax, (uint32_t)sg_echo6_expect(lo[1], lo[2], lo[3], lo[4], lo[5], lo[6]),
           "%s: upper halves set by 64-bit code are not the call's: number and arguments are eax..ebp",
           door_name(d));
    tap_check(out.ebx == lo[1] && out.ecx == lo[2] && out.edx == lo[3] && out.esi == lo[4] && out.edi == lo[5] &&
                  out.ebp == lo[6],
              "%s: with upper halves set, ebx ecx edx esi edi ebp preserved", door_name(d));
}

/* TF through every door but those reached by a call into the page, whose
 * `call` would trap first (sysenter and syscall by the dance done by hand). */
static void check_tf(int d)
{
    if (through_page(d))
        return;
    long st = run_child("tf-exit", d, "");
    tap_check(SG_WIFEXITED(st) && SG_WEXITSTATUS(st) == 42,
              "%s with TF set: the kernel survives and exit(42) works (status %#lx)", door_name(d), st);
}
#endif

/* The driver, both widths: every door, then the default entry; poison sets
 * and flag values through each, TF, and (64-bit) sg_setcontext. */
int main(int argc, char **argv)
{
    self = argv[0];
    sg_info(&info);
    if (argc > 2)
        return child_main(argc, argv);
    tap_begin("regs");
#ifdef __x86_64__
    harness_kip = sg_kip_default();
    harness_int3 = sg_kip_stub(SG_MECH_INT3);
    harness_divide = sg_kip_stub(SG_MECH_DIVIDE);
    harness_hlt = sg_kip_stub(SG_MECH_HLT);
    harness_rdtsc = sg_kip_stub(SG_MECH_RDTSC);
    harness_umip = sg_kip_stub(SG_MECH_UMIP);
    harness_cpuid = sg_kip_stub(SG_MECH_CPUID);
    harness_icebp = sg_kip_stub(SG_MECH_ICEBP);
    harness_pf = sg_kip_stub(SG_MECH_PF);
    harness_nm = sg_kip_stub(SG_MECH_NM);
    harness_ac = sg_kip_stub(SG_MECH_AC);
    harness_int3n = sg_kip_stub(SG_MECH_INT3N);
#endif

    static const struct {
        unsigned long flags;
        const char *name;
    } flag_sets[] = {
        { 0, "clear" },
        { ARITH_FLAGS, "CF PF AF ZF SF OF" },
        { DF, "DF" },
        { AC, "AC" },
        { NT, "NT" },
        { ARITH_FLAGS | DF | AC | NT | IOPL, "all + IOPL 3 + IF 0 asked" },
    };
    /* Poison seeds, cut to this width. */
    static const unsigned long seeds[] = { 0, ~0ul, (unsigned long)0xffffffff80000000ull,
                                           (unsigned long)0x5a5a5a5aa5a5a5a5ull };

    for (int d = 0; d < D_COUNT; d++) {
        if (!door_available(d)) {
            tap_skip(SG_BITS == 64 ? "not offered on this CPU" : "not offered to 32-bit code on this CPU",
                     "%s: register and flag checks", door_name(d));
            continue;
        }
        for (unsigned s = 0; s < sizeof seeds / sizeof seeds[0]; s++)
            check_door(d, seeds[s], ARITH_FLAGS, "CF PF AF ZF SF OF");
        for (unsigned f = 0; f < sizeof flag_sets / sizeof flag_sets[0]; f++)
            check_door(d, (unsigned long)0x0123456789abcdefull, flag_sets[f].flags & ~IF, flag_sets[f].name);
        check_tf(d);
#ifdef __x86_64__
        check_contexts(d);
#else
        check_wide(d);
#endif
    }
    tap_eq(sys_getpid() > 0, 1, "the kernel is still alive");
    return tap_end();
}
