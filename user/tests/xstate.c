/*
 * xstate: the extended processor state - AVX's ymm registers, whose upper
 * halves FXSAVE does not hold - is process state: the kernel enables it
 * (CR4.OSXSAVE, XCR0) where the CPU has it and saves it with XSAVE at a
 * switch and in signal frames, as Linux does.  Built for both widths
 * (ymm0-15, i386 ymm0-7):
 *   - what the CPU offers and the kernel enabled: OSXSAVE in CPUID, XCR0 =
 *     x87|SSE|AVX where CPUID has AVX (xgetbv);
 *   - two processes ping-ponging through pipes, each with its own values
 *     in every ymm register, find them intact after every switch (the
 *     registers are loaded before and stored after each blocking system
 *     call, with no compiled code in between);
 *   - a signal handler that loads its own values sees them, and the
 *     interrupted code gets its own back; the frame carries the XSAVE area
 *     as Linux lays it out (UC_FP_XSTATE, FP_XSTATE_MAGIC1 and the
 *     _fpx_sw_bytes, XSTATE_BV with AVX, the ymm upper halves at 576,
 *     FP_XSTATE_MAGIC2 after xstate_size) - rt frames both widths, i386's
 *     old sigframe too;
 *   - a handler that edits the saved ymm in its frame sees the edit
 *     restored.
 * On a CPU (model) without XSAVE or AVX the test says so and runs the same
 * cases with the xmm registers (the FXSAVE path): frames then carry no
 * magic.
 */
#include "../lib/tap.h"
#include "../lib/files.h"
#include "../lib/signals.h"

#ifdef __x86_64__
#define NREGS 16
#else
#define NREGS 8
#endif

struct regs {
    uint8_t b[NREGS][32];           /* ymm i, or xmm i in the low 16 bytes */
} __attribute__((aligned(32)));

/* vec_syscall(nr, a1, a2, a3, in, out, wide): loads every ymm (wide) or
 * xmm register from *in, makes system call nr with the instruction of
 * this width (syscall, int $0x80), stores the registers to *out, and
 * returns the call's result - nothing between the load, the kernel and
 * the store touches them. */
long vec_syscall(long nr, long a1, long a2, long a3, const struct regs *in, struct regs *out, int wide);
#ifdef __x86_64__
#define LOADS(op, w) \
    op " 0(%r8), %" w "0\n " op " 32(%r8), %" w "1\n " op " 64(%r8), %" w "2\n " op " 96(%r8), %" w "3\n " \
    op " 128(%r8), %" w "4\n " op " 160(%r8), %" w "5\n " op " 192(%r8), %" w "6\n " op " 224(%r8), %" w "7\n " \
    op " 256(%r8), %" w "8\n " op " 288(%r8), %" w "9\n " op " 320(%r8), %" w "10\n " op " 352(%r8), %" w "11\n " \
    op " 384(%r8), %" w "12\n " op " 416(%r8), %" w "13\n " op " 448(%r8), %" w "14\n " op " 480(%r8), %" w "15\n"
#define STORES(op, w) \
    op " %" w "0, 0(%r9)\n " op " %" w "1, 32(%r9)\n " op " %" w "2, 64(%r9)\n " op " %" w "3, 96(%r9)\n " \
    op " %" w "4, 128(%r9)\n " op " %" w "5, 160(%r9)\n " op " %" w "6, 192(%r9)\n " op " %" w "7, 224(%r9)\n " \
    op " %" w "8, 256(%r9)\n " op " %" w "9, 288(%r9)\n " op " %" w "10, 320(%r9)\n " op " %" w "11, 352(%r9)\n " \
    op " %" w "12, 384(%r9)\n " op " %" w "13, 416(%r9)\n " op " %" w "14, 448(%r9)\n " op " %" w "15, 480(%r9)\n"
__asm__(".text\n.globl vec_syscall\nvec_syscall:\n"
        "  mov %rdi, %rax\n  mov %rsi, %rdi\n  mov %rdx, %rsi\n  mov %rcx, %rdx\n  push %r9\n"
        "  cmpl $0, 16(%rsp)\n  je 1f\n"
        "  " LOADS("vmovdqu", "ymm") "  syscall\n  mov (%rsp), %r9\n  " STORES("vmovdqu", "ymm")
        "  vzeroupper\n  pop %r9\n  ret\n"
        "1: " LOADS("movdqu", "xmm") "  syscall\n  mov (%rsp), %r9\n  " STORES("movdqu", "xmm") "  pop %r9\n  ret\n");
#else
#define LOADS(op, w) \
    op " 0(%esi), %" w "0\n " op " 32(%esi), %" w "1\n " op " 64(%esi), %" w "2\n " op " 96(%esi), %" w "3\n " \
    op " 128(%esi), %" w "4\n " op " 160(%esi), %" w "5\n " op " 192(%esi), %" w "6\n " op " 224(%esi), %" w "7\n"
#define STORES(op, w) \
    op " %" w "0, 0(%edi)\n " op " %" w "1, 32(%edi)\n " op " %" w "2, 64(%edi)\n " op " %" w "3, 96(%edi)\n " \
    op " %" w "4, 128(%edi)\n " op " %" w "5, 160(%edi)\n " op " %" w "6, 192(%edi)\n " op " %" w "7, 224(%edi)\n"
__asm__(".text\n.globl vec_syscall\nvec_syscall:\n"
        "  push %ebx\n  push %esi\n  push %edi\n  push %ebp\n"
        "  mov 20(%esp), %eax\n  mov 24(%esp), %ebx\n  mov 28(%esp), %ecx\n  mov 32(%esp), %edx\n"
        "  mov 36(%esp), %esi\n  mov 40(%esp), %edi\n  mov 44(%esp), %ebp\n"
        "  test %ebp, %ebp\n  je 1f\n"
        "  " LOADS("vmovdqu", "ymm") "  int $0x80\n  " STORES("vmovdqu", "ymm") "  vzeroupper\n  jmp 2f\n"
        "1: " LOADS("movdqu", "xmm") "  int $0x80\n  " STORES("movdqu", "xmm")
        "2: pop %ebp\n  pop %edi\n  pop %esi\n  pop %ebx\n  ret\n");
#endif

static int wide;            /* AVX usable: ymm; else xmm (the FXSAVE path) */
static unsigned vec_bytes;  /* 32 or 16 */

/* A pattern no other case uses: every byte differs with the register, the
 * byte, the owner (seed) and the round. */
static void fill(struct regs *r, uint32_t seed)
{
    memset(r, 0, sizeof *r);
    for (int i = 0; i < NREGS; i++)
        for (unsigned j = 0; j < vec_bytes; j++)
            r->b[i][j] = (uint8_t)(seed * 0x9d + i * 0x3b + j * 0x11 + (seed >> 8) + 1);
}

/* How many registers of got differ from want (only the bytes in use). */
static int differ(const struct regs *got, const struct regs *want)
{
    int n = 0;
    for (int i = 0; i < NREGS; i++)
        n += memcmp(got->b[i], want->b[i], vec_bytes) != 0;
    return n;
}

static uint32_t cpuid_reg(uint32_t leaf, uint32_t sub, int which)
{
    uint32_t r[4];
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
    return r[which];
}

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return lo | (uint64_t)hi << 32;
}

/* ---- What the kernel enabled ---- */

static void check_enabled(void)
{
    struct sg_info info;
    sg_info(&info);
    uint32_t ecx = cpuid_reg(1, 0, 2);
    int xsave = (ecx >> 26) & 1, osxsave = (ecx >> 27) & 1, avx = (ecx >> 28) & 1;
    tap_eq(osxsave, xsave, "CPUID.1:ECX.OSXSAVE is set exactly where the CPU has XSAVE (CR4.OSXSAVE)");
    tap_eq(!!(info.features & SG_FEAT_XSAVE), xsave, "sg_info reports SG_FEAT_XSAVE likewise");
    if (!osxsave) {
        tap_skip("the CPU model has no XSAVE", "XCR0");
        tap_diag("no XSAVE: the cases below check the FXSAVE path with the xmm registers");
        return;
    }
    uint64_t offered = cpuid_reg(0xd, 0, 0) | (uint64_t)cpuid_reg(0xd, 0, 3) << 32;
    uint64_t want = SG_XFEATURE_X87 | SG_XFEATURE_SSE | (avx && (offered & SG_XFEATURE_AVX) ? SG_XFEATURE_AVX : 0);
    tap_eq(xgetbv0(), want, "XCR0 = x87 | SSE%s", want & SG_XFEATURE_AVX ? " | AVX" : " (the CPU has no AVX)");
    tap_eq(cpuid_reg(0xd, 0, 1), wide ? 832 : 576, "CPUID.(0xD,0):EBX, the area for XCR0: %u bytes", wide ? 832 : 576);
}

/* ---- Context switches ---- */

#define ROUNDS 40

/* One side of the ping-pong: `first_write` writes first; each round one
 * write and one read, both through vec_syscall with the side's own
 * pattern; the read blocks until the other side (its own registers) has
 * run.  Returns how many calls came back with different registers. */
static int ping_pong(int rfd, int wfd, int first_write, uint32_t who)
{
    static struct regs in, out;
    int bad = 0;
    char byte = 'x';
    for (int i = 0; i < ROUNDS; i++) {
        for (int step = 0; step < 2; step++) {
            int writing = step == !first_write;
            fill(&in, who * 1000 + (uint32_t)i * 2 + (uint32_t)step);
            memset(&out, 0, sizeof out);
            long r = writing ? vec_syscall(SYS_write, wfd, (long)&byte, 1, &in, &out, wide)
                             : vec_syscall(SYS_read, rfd, (long)&byte, 1, &in, &out, wide);
            bad += r != 1;
            bad += differ(&out, &in);
        }
    }
    return bad;
}

static void check_switch(void)
{
    int p2c[2], c2p[2];
    sg_syscall(SYS_pipe2, (long)p2c, 0, 0, 0, 0, 0);
    sg_syscall(SYS_pipe2, (long)c2p, 0, 0, 0, 0, 0);
    long pid = sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
    if (pid == 0)
        sys_exit(ping_pong(p2c[0], c2p[1], 0, 2) ? 1 : 0);
    int bad = ping_pong(c2p[0], p2c[1], 1, 1);
    int status = -1;
    sys_wait4((int)pid, &status, 0);
    tap_eq(bad, 0, "%d switches between two processes: each finds its own %s registers after every blocking call",
           4 * ROUNDS, wide ? "ymm" : "xmm");
    tap_eq(status, SG_WSTATUS_EXITED(0), "... and so does the other process");
    for (int i = 0; i < 2; i++) {
        sys_close(p2c[i]);
        sys_close(c2p[i]);
    }
}

/* ---- Signal frames ---- */

static struct regs interrupted, handler_in, handler_out, edited;
static volatile int handler_bad, handler_ran;
static const char *mode;            /* "clobber" or "edit" */
/* What the handler found in its frame. */
static volatile uint32_t seen_magic1, seen_magic2, seen_xstate_size, seen_extended, seen_fsave_magic;
static volatile uint64_t seen_xfeatures, seen_bv, seen_uc_flags;
static volatile int seen_ymm_hi_ok, seen_aligned;

/* The FXSAVE-format area of the frame (i386: past the FSAVE header). */
static void inspect(uint8_t *fx)
{
    struct sg_fpx_sw_bytes sw;
    memcpy(&sw, fx + SG_FXSAVE_SW_BYTES, sizeof sw);
    seen_aligned = (uintptr_t)fx % 64 == 0;
    seen_magic1 = sw.magic1;
    seen_xstate_size = sw.xstate_size;
    seen_extended = sw.extended_size;
    seen_xfeatures = sw.xfeatures;
    if (sw.magic1 == SG_FP_XSTATE_MAGIC1 && sw.xstate_size < 4096) {
        uint32_t m2;
        uint64_t bv;
        memcpy(&m2, fx + sw.xstate_size, 4);
        memcpy(&bv, fx + SG_XSAVE_HEADER, 8);
        seen_magic2 = m2;
        seen_bv = bv;
    }
    /* The interrupted registers: xmm i at 160 + 16 i, ymm i's upper half
     * at 576 + 16 i (SDM vol. 1 10.5.1, 13.5.3). */
    int ok = 1;
    for (int i = 0; i < NREGS; i++) {
        ok &= !memcmp(fx + 160 + 16 * i, interrupted.b[i], 16);
        if (wide)
            ok &= !memcmp(fx + SG_XSAVE_YMM_HI + 16 * i, interrupted.b[i] + 16, 16);
    }
    seen_ymm_hi_ok = ok;
    if (!strcmp(mode, "edit")) {
        /* New values for every register, written into the frame. */
        fill(&edited, 777);
        for (int i = 0; i < NREGS; i++) {
            memcpy(fx + 160 + 16 * i, edited.b[i], 16);
            if (wide)
                memcpy(fx + SG_XSAVE_YMM_HI + 16 * i, edited.b[i] + 16, 16);
        }
    }
    /* Clobbers every register with the handler's own values and checks
     * them across a call of its own. */
    fill(&handler_in, 555);
    memset(&handler_out, 0, sizeof handler_out);
    vec_syscall(SYS_getpid, 0, 0, 0, &handler_in, &handler_out, wide);
    handler_bad = differ(&handler_out, &handler_in);
    handler_ran++;
}

static void rt_handler(int sig, sg_siginfo_t *info, void *ucv)
{
    (void)sig, (void)info;
    sg_ucontext_t *uc = ucv;
    seen_uc_flags = uc->uc_flags;
#ifdef __x86_64__
    inspect((uint8_t *)(uintptr_t)uc->uc_mcontext.fpstate);
#else
    uint8_t *fp = (uint8_t *)(uintptr_t)uc->uc_mcontext.fpstate;
    seen_fsave_magic = ((uint16_t *)fp)[SG_FPSTATE32_MAGIC / 2];
    inspect(fp + SG_FPSTATE32_FXSAVE);
#endif
}

#ifndef __x86_64__
/* i386 without SA_SIGINFO: struct sigframe, the signal number at esp+4
 * (its sigcontext right after it). */
static void old_handler(int sig)
{
    struct sg_sigframe32 *fr = (struct sg_sigframe32 *)((uintptr_t)&sig - 4);
    uint8_t *fp = (uint8_t *)(uintptr_t)fr->sc.fpstate;
    seen_uc_flags = 0;
    seen_fsave_magic = ((uint16_t *)fp)[SG_FPSTATE32_MAGIC / 2];
    inspect(fp + SG_FPSTATE32_FXSAVE);
}
#endif

static void check_signal(const char *how, int rt)
{
    mode = how;
    handler_ran = handler_bad = 0;
    seen_magic1 = seen_magic2 = seen_xstate_size = seen_extended = 0;
    seen_fsave_magic = 0xdead;
    seen_xfeatures = seen_bv = seen_uc_flags = 0;
    seen_ymm_hi_ok = seen_aligned = 0;
#ifdef __x86_64__
    (void)rt;
    sg_sigaction(SG_SIGUSR1, (void *)rt_handler, SG_SA_SIGINFO, 0, 0);
    const char *frame = "rt frame";
#else
    sg_sigaction(SG_SIGUSR1, rt ? (void *)rt_handler : (void *)old_handler, rt ? SG_SA_SIGINFO : 0, 0, 0);
    const char *frame = rt ? "rt frame" : "old sigframe";
#endif
    static struct regs out;
    fill(&interrupted, rt ? 321 : 432);
    memset(&out, 0, sizeof out);
    /* kill(2) of itself: the handler runs on the way back from this very call. */
    vec_syscall(SYS_kill, sys_getpid(), SG_SIGUSR1, 0, &interrupted, &out, wide);
    sg_sigaction(SG_SIGUSR1, (void *)SG_SIG_DFL, 0, 0, 0);
    const char *regs = wide ? "ymm" : "xmm";
    tap_eq(handler_ran, 1, "%s, %s: the handler ran", frame, how);
    tap_eq(handler_bad, 0, "%s, %s: the handler sees the %s values it loaded", frame, how, regs);
    tap_check(seen_ymm_hi_ok, "%s, %s: the frame holds the interrupted %s registers%s", frame, how, regs,
              wide ? " (upper halves at 576)" : "");
    tap_check(seen_aligned, "%s, %s: the FXSAVE-format area is 64-byte aligned", frame, how);
    const struct regs *want = !strcmp(how, "edit") ? &edited : &interrupted;
    tap_eq(differ(&out, want), 0, "%s, %s: the interrupted code gets %s %s registers back", frame, how,
           !strcmp(how, "edit") ? "the frame's edited" : "its own", regs);
#ifndef __x86_64__
    tap_eq(seen_fsave_magic, 0, "%s, %s: _fpstate_32.magic = X86_FXSR_MAGIC", frame, how);
#endif
    if (!(cpuid_reg(1, 0, 2) & (1u << 27))) {
        tap_eq(seen_magic1, 0, "%s, %s: without XSAVE no FP_XSTATE_MAGIC1 (an FXSAVE image only)", frame, how);
        return;
    }
    uint32_t size = cpuid_reg(0xd, 0, 1);
    tap_eq(seen_magic1, SG_FP_XSTATE_MAGIC1, "%s, %s: sw_reserved.magic1 = FP_XSTATE_MAGIC1", frame, how);
    tap_eq(seen_xstate_size, size, "%s, %s: xstate_size = CPUID.(0xD,0):EBX (%u)", frame, how, size);
    tap_eq(seen_extended, size + 4 + (SG_BITS == 32 ? SG_FPSTATE32_FXSAVE : 0),
           "%s, %s: extended_size = xstate_size + MAGIC2%s", frame, how, SG_BITS == 32 ? " + the FSAVE header" : "");
    tap_eq(seen_xfeatures, xgetbv0(), "%s, %s: xfeatures = XCR0", frame, how);
    tap_eq(seen_magic2, SG_FP_XSTATE_MAGIC2, "%s, %s: FP_XSTATE_MAGIC2 right after xstate_size", frame, how);
    if (wide)
        tap_eq(seen_bv & SG_XFEATURE_AVX, SG_XFEATURE_AVX, "%s, %s: XSTATE_BV has AVX (the upper halves in use)", frame,
               how);
    if (rt)
        tap_eq(seen_uc_flags & SG_UC_FP_XSTATE, SG_UC_FP_XSTATE, "%s, %s: uc_flags has UC_FP_XSTATE", frame, how);
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    wide = (cpuid_reg(1, 0, 2) & (1u << 27)) && (xgetbv0() & SG_XFEATURE_AVX);
    vec_bytes = wide ? 32 : 16;
    tap_begin("xstate");
    check_enabled();
    check_switch();
    check_signal("clobber", 1);
    check_signal("edit", 1);
#ifndef __x86_64__
    check_signal("clobber", 0);
    check_signal("edit", 0);
#endif
    return tap_end();
}
