/*
 * Signals as Linux's x86 ABI lays them out, shared by the kernel and user
 * space: the numbers sysgate adds to abi.h's, the sigaction flags, the
 * kernel's struct sigaction (rt_sigaction(2) - not the C library's), siginfo,
 * stack_t, and the signal frames of both widths exactly as Linux builds them
 * (Linux's arch/x86/include/uapi/asm/sigcontext.h, Linux's
 * arch/x86/include/asm/sigframe.h, Linux's include/uapi/asm-generic/siginfo.h).
 * Fixed-width types only; every
 * offset a program or the kernel relies on is asserted below.
 */
#ifndef SYSGATE_SIGNAL_H
#define SYSGATE_SIGNAL_H

#include <stdint.h>
#include <sysgate/abi.h>

/* Linux x86's numbers (signal(7)) beyond the ones abi.h names. */
#define SG_SIGABRT   6
#define SG_SIGUSR1  10
#define SG_SIGUSR2  12
#define SG_SIGALRM  14
#define SG_SIGSTKFLT 16
#define SG_SIGXCPU  24
#define SG_SIGXFSZ  25
#define SG_SIGVTALRM 26
#define SG_SIGPROF  27
#define SG_SIGIO    29
#define SG_SIGPWR   30
#define SG_SIGSYS   31
#define SG_SIGRTMIN 32      /* the kernel's; the C libraries keep 32-34 for themselves */
#define SG_SIGRTMAX 64
#define SG_SIGSET(sig) (1ull << ((sig) - 1))

/* sa_handler's two special values. */
#define SG_SIG_DFL 0
#define SG_SIG_IGN 1

/* sa_flags (Linux's include/uapi/asm-generic/signal-defs.h, x86's SA_RESTORER). */
#define SG_SA_NOCLDSTOP 0x00000001u
#define SG_SA_NOCLDWAIT 0x00000002u
#define SG_SA_SIGINFO   0x00000004u
#define SG_SA_RESTORER  0x04000000u
#define SG_SA_ONSTACK   0x08000000u
#define SG_SA_RESTART   0x10000000u
#define SG_SA_NODEFER   0x40000000u
#define SG_SA_RESETHAND 0x80000000u

/* rt_sigprocmask's how. */
#define SG_SIG_BLOCK   0
#define SG_SIG_UNBLOCK 1
#define SG_SIG_SETMASK 2

/* sigaltstack: ss_flags, and the smallest stack it takes (x86's). */
#define SG_SS_ONSTACK 1
#define SG_SS_DISABLE 2
#define SG_SS_AUTODISARM (1u << 31)
#define SG_MINSIGSTKSZ 2048

/* si_code values (siginfo.h). */
#define SG_SI_USER    0
#define SG_SI_KERNEL  0x80
#define SG_SI_QUEUE   (-1)     /* sigqueue(3) */
#define SG_SI_TIMER   (-2)
#define SG_SI_TKILL   (-6)
#define SG_CLD_EXITED    1      /* SIGCHLD's codes */
#define SG_CLD_KILLED    2
#define SG_CLD_STOPPED   5
#define SG_CLD_CONTINUED 6
#define SG_SEGV_MAPERR 1
#define SG_SEGV_ACCERR 2
#define SG_BUS_ADRALN  1
#define SG_BUS_ADRERR  2
#define SG_ILL_ILLOPN  2
#define SG_ILL_PRVOPC  5
#define SG_FPE_INTDIV  1
#define SG_FPE_FLTDIV  3
#define SG_FPE_FLTINV  7
#define SG_TRAP_BRKPT  1
#define SG_TRAP_TRACE  2
#define SG_TRAP_HWBKPT 4

/* ITIMER_REAL for setitimer/getitimer. */
#define SG_ITIMER_REAL 0

/* ucontext's uc_flags on x86-64 (Linux's arch/x86/include/uapi/asm/ucontext.h). */
#define SG_UC_FP_XSTATE        0x1
#define SG_UC_SIGCONTEXT_SS    0x2
#define SG_UC_STRICT_RESTORE_SS 0x4

/* The kernel's struct sigaction for a 64-bit caller (x86-64 rt_sigaction):
 * handler, flags, restorer, mask. */
struct sg_sigaction64 {
    uint64_t handler;
    uint64_t flags;
    uint64_t restorer;
    uint64_t mask;
};
/* ... and for an i386 caller (rt_sigaction): the same, 32-bit words, the
 * mask two of them. */
struct sg_sigaction32 {
    uint32_t handler;
    uint32_t flags;
    uint32_t restorer;
    uint32_t mask[2];
};
/* i386's old sigaction (67): handler, one-word mask, flags, restorer. */
struct sg_old_sigaction32 {
    uint32_t handler;
    uint32_t mask;
    uint32_t flags;
    uint32_t restorer;
};

/* siginfo_t: 128 bytes; the union starts at 16 on x86-64 (after a pad)
 * and at 12 on i386.  Only the fields sysgate fills are named. */
#define SG_SIGINFO_SIZE 128
struct sg_siginfo64 {
    int32_t signo, errno_, code, pad;
    union {
        struct { int32_t pid; uint32_t uid; } kill;
        struct { int32_t pid; uint32_t uid; int32_t status, pad; int64_t utime, stime; } chld;
        struct { uint64_t addr; } fault;
        struct { int32_t tid, overrun; uint64_t value; } timer;
        struct { int32_t pid; uint32_t uid; uint64_t value; } rt;     /* a negative si_code */
        uint8_t bytes[SG_SIGINFO_SIZE - 16];
    } u;
};
struct sg_siginfo32 {
    int32_t signo, errno_, code;
    union {
        struct { int32_t pid; uint32_t uid; } kill;
        struct { int32_t pid; uint32_t uid; int32_t status, utime, stime; } chld;
        struct { uint32_t addr; } fault;
        struct { int32_t tid, overrun; uint32_t value; } timer;
        struct { int32_t pid; uint32_t uid; uint32_t value; } rt;
        uint8_t bytes[SG_SIGINFO_SIZE - 12];
    } u;
};

struct sg_stack64 {
    uint64_t sp;
    int32_t flags, pad;
    uint64_t size;
};
struct sg_stack32 {
    uint32_t sp;
    int32_t flags;
    uint32_t size;
};

/* x86-64 struct sigcontext (uapi sigcontext.h, "sigcontext_64"). */
struct sg_sigcontext64 {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip;
    uint64_t eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2;
    uint64_t fpstate;           /* -> the FXSAVE image, 64-byte aligned, or 0 */
    uint64_t reserved1[8];
};

struct sg_ucontext64 {
    uint64_t uc_flags;
    uint64_t uc_link;
    struct sg_stack64 uc_stack;
    struct sg_sigcontext64 uc_mcontext;
    uint64_t uc_sigmask;
};

/* x86-64 struct rt_sigframe: the handler's return address (the restorer),
 * the ucontext, the siginfo; the FPU state lies above, where
 * uc_mcontext.fpstate points. */
struct sg_rt_sigframe64 {
    uint64_t pretcode;
    struct sg_ucontext64 uc;
    struct sg_siginfo64 info;
};

/* i386 struct sigcontext ("sigcontext_32"). */
struct sg_sigcontext32 {
    uint16_t gs, gsh, fs, fsh, es, esh, ds, dsh;
    uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
    uint32_t trapno, err, eip;
    uint16_t cs, csh;
    uint32_t eflags, esp_at_signal;
    uint16_t ss, ssh;
    uint32_t fpstate;           /* -> struct _fpstate_32: FSAVE header + FXSAVE image */
    uint32_t oldmask, cr2;
};

struct sg_ucontext32 {
    uint32_t uc_flags;
    uint32_t uc_link;
    struct sg_stack32 uc_stack;
    struct sg_sigcontext32 uc_mcontext;
    uint32_t uc_sigmask[2];
};

/* i386 struct _fpstate_32 (624 bytes): the FSAVE-format header (112 bytes,
 * its `magic` 0 saying an FXSAVE image follows), then the FXSAVE image. */
#define SG_FPSTATE32_FXSAVE 112
#define SG_FPSTATE32_SIZE   (SG_FPSTATE32_FXSAVE + 512)
#define SG_FPSTATE32_MAGIC  110     /* u16: 0 = X86_FXSR_MAGIC, 0xffff = FSAVE only */

/* i386 struct sigframe (handlers without SA_SIGINFO; sigreturn, 119). */
struct sg_sigframe32 {
    uint32_t pretcode;
    int32_t sig;
    struct sg_sigcontext32 sc;
    uint8_t fpstate_unused[SG_FPSTATE32_SIZE];
    uint32_t extramask[1];
    uint8_t retcode[8];
};

/* i386 struct rt_sigframe (SA_SIGINFO; rt_sigreturn, 173). */
struct sg_rt_sigframe32 {
    uint32_t pretcode;
    int32_t sig;
    uint32_t pinfo;
    uint32_t puc;
    struct sg_siginfo32 info;
    struct sg_ucontext32 uc;
    uint8_t retcode[8];
};

/* The FXSAVE image's fields the kernel checks (Intel SDM vol. 1 10.5.1). */
#define SG_FXSAVE_MXCSR      24
#define SG_FXSAVE_MXCSR_MASK 28

/* Where the kernel saves with XSAVE (sg_info features SG_FEAT_XSAVE), the
 * FXSAVE-format area fpstate points at is the start of an XSAVE area
 * (standard format: the 64-byte header at 512 - XSTATE_BV, XCOMP_BV 0,
 * reserved 0 - then each component, AVX's ymm upper halves at 576), and
 * its software-reserved bytes 464..511 say so: Linux's struct
 * _fpx_sw_bytes, magic1 FP_XSTATE_MAGIC1, and FP_XSTATE_MAGIC2 in the 4
 * bytes right after xstate_size bytes (uapi asm/sigcontext.h).  A frame
 * without both magics is restored as FXSAVE only (the other components
 * initial). */
#define SG_FP_XSTATE_MAGIC1 0x46505853u
#define SG_FP_XSTATE_MAGIC2 0x46505845u
#define SG_FP_XSTATE_MAGIC2_SIZE 4
#define SG_FXSAVE_SW_BYTES  464
#define SG_XSAVE_HEADER     512     /* u64 XSTATE_BV, u64 XCOMP_BV, 48 reserved bytes */
#define SG_XSAVE_YMM_HI     576     /* 16 x 16 bytes: the upper halves of ymm0-15 */
#define SG_XFEATURE_X87 0x1u
#define SG_XFEATURE_SSE 0x2u
#define SG_XFEATURE_AVX 0x4u
struct sg_fpx_sw_bytes {
    uint32_t magic1;            /* SG_FP_XSTATE_MAGIC1 */
    uint32_t extended_size;     /* xstate_size + MAGIC2's 4 bytes (+ the i386 FSAVE header's 112) */
    uint64_t xfeatures;         /* the components the area holds (XCR0) */
    uint32_t xstate_size;       /* the XSAVE area's bytes, from fpstate (i386: from the FXSAVE part) */
    uint32_t padding[7];
};

#ifndef __cplusplus
_Static_assert(sizeof(struct sg_siginfo64) == 128 && sizeof(struct sg_siginfo32) == 128, "siginfo is 128 bytes");
_Static_assert(__builtin_offsetof(struct sg_siginfo64, u) == 16, "x86-64 siginfo union at 16");
_Static_assert(__builtin_offsetof(struct sg_siginfo32, u) == 12, "i386 siginfo union at 12");
_Static_assert(sizeof(struct sg_stack64) == 24 && sizeof(struct sg_stack32) == 12, "stack_t");
_Static_assert(sizeof(struct sg_sigcontext64) == 256, "x86-64 sigcontext is 256 bytes");
_Static_assert(__builtin_offsetof(struct sg_sigcontext64, eflags) == 136, "sigcontext_64.eflags");
_Static_assert(__builtin_offsetof(struct sg_sigcontext64, fpstate) == 184, "sigcontext_64.fpstate");
_Static_assert(sizeof(struct sg_ucontext64) == 304, "x86-64 ucontext (uc_sigmask at 296)");
_Static_assert(__builtin_offsetof(struct sg_rt_sigframe64, info) == 312, "x86-64 rt_sigframe.info");
_Static_assert(sizeof(struct sg_rt_sigframe64) == 440, "x86-64 rt_sigframe");
_Static_assert(sizeof(struct sg_sigcontext32) == 88, "i386 sigcontext is 88 bytes");
_Static_assert(sizeof(struct sg_ucontext32) == 116, "i386 ucontext");
_Static_assert(__builtin_offsetof(struct sg_sigframe32, extramask) == 720, "i386 sigframe.extramask");
_Static_assert(sizeof(struct sg_sigframe32) == 732, "i386 sigframe");
_Static_assert(__builtin_offsetof(struct sg_rt_sigframe32, uc) == 144, "i386 rt_sigframe.uc");
_Static_assert(sizeof(struct sg_rt_sigframe32) == 268, "i386 rt_sigframe");
_Static_assert(sizeof(struct sg_fpx_sw_bytes) == 48, "_fpx_sw_bytes fills FXSAVE bytes 464..511");
#endif

#endif
