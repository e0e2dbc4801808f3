/*
 * sysgate's user/kernel ABI beyond Linux's: the private call range, the
 * information block returned by sg_info, the entry mechanisms and the
 * auxiliary-vector tags.  Shared verbatim by the kernel and user space, so
 * it holds only fixed-width types and constants.
 */
#ifndef SYSGATE_ABI_H
#define SYSGATE_ABI_H

/* Private system calls: numbers SG_PRIVATE_BASE .. +SG_PRIVATE_COUNT-1
 * (also read by assembly: kernel/syscall/dispatch_fast.S). */
#define SG_PRIVATE_BASE   0x1000
#define SG_PRIVATE_COUNT  0x40

/* The bits of the argument-way flags below (SG_ARGS_*), for assembly. */
#define SG_ARGS_STACK_BIT 28
#define SG_ARGS_PAGE_BIT  29

#ifndef __ASSEMBLER__
#include <stdint.h>

#define SG_VERSION_STRING "sysgate 0.1"

/* Entry mechanisms.  A bit mask of (1 << SG_MECH_x) says which are on. */
enum sg_mechanism {
    SG_MECH_INT80    = 0,  /* int 0x80 through a DPL-3 interrupt gate      */
    SG_MECH_CALLGATE = 1,  /* far call through a 16-byte long-mode gate    */
    SG_MECH_SYSCALL  = 2,  /* syscall / sysret                              */
    SG_MECH_SYSENTER = 3,  /* sysenter / sysexit                            */
    SG_MECH_TRAP     = 4,  /* a documented invalid instruction (#UD)        */
    SG_MECH_COUNT
};

/*
 * How the six arguments travel (docs/abi.md), chosen per call by a flag in
 * the number register:
 *   no flag         in registers: rdi rsi rdx r10 r8 r9 (64-bit),
 *                   ebx ecx edx esi edi ebp (32-bit)
 *   SG_ARGS_STACK   on the user stack, just above the return address of
 *                   the entry stub: the six at [sp + w .. sp + 7w] (w = 8
 *                   or 4), sp being the stack pointer at the entry
 *                   instruction - cdecl style
 *   SG_ARGS_PAGE    in the per-process argument page at
 *                   SG_ARGPAGE_ADDRESS (struct sg_argpage); the kernel
 *                   writes the result there as well as into rax
 */
#define SG_ARGS_STACK  (1u << SG_ARGS_STACK_BIT)
#define SG_ARGS_PAGE   (1u << SG_ARGS_PAGE_BIT)
#define SG_ARGS_MASK   (SG_ARGS_STACK | SG_ARGS_PAGE)

#define SG_ARGPAGE_ADDRESS   0x00007fffffff0000ull   /* 64-bit processes */
#define SG_ARGPAGE_ADDRESS32 0xfffef000u              /* 32-bit processes */

struct sg_argpage {
    uint64_t args[6];           /* 32-bit processes: the low halves count */
    int64_t result;
};

/* sg_setcontext(const struct sg_context *): replaces the caller's saved
 * user registers, as sigreturn does; the call "returns" into the new
 * context.  Only the arithmetic flags, TF, DF, AC, NT and ID of rflags are
 * taken; IF is always set and IOPL always 0. */
struct sg_context {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rsp, rflags;
};

/* CPU vendors as the kernel classifies them. */
enum sg_vendor { SG_VENDOR_OTHER = 0, SG_VENDOR_INTEL = 1, SG_VENDOR_AMD = 2 };

/* Filled by sg_info(struct sg_info *buf, size_t size).  Laid out the same
 * for 64-bit and 32-bit programs (every 64-bit field 8-byte aligned by
 * hand: i386 aligns uint64_t to 4 only). */
struct sg_info {
    char     version[32];      /* SG_VERSION_STRING and git revision      */
    char     vendor[16];       /* CPUID leaf 0 vendor string              */
    char     model[48];        /* CPUID brand string                      */
    uint32_t vendor_id;        /* enum sg_vendor                          */
    uint32_t family, model_id, stepping;
    uint32_t mechanisms64;     /* mask of mechanisms 64-bit code may use  */
    uint32_t mechanisms32;     /* mask of mechanisms 32-bit code may use  */
    uint32_t default64;        /* mechanism behind the interface page     */
    uint32_t default32;
    uint32_t hypervisor;       /* CPUID.1:ECX[31]                         */
    uint32_t features;         /* SG_FEAT_* bits the kernel switched on   */
    uint32_t entry;            /* the door this very sg_info call came
                                  through (SG_MECH_*)                     */
    uint32_t bits;             /* the calling process: 64 or 32           */
    uint64_t kip_address;      /* the interface page in this process      */
    uint64_t ticks;            /* timer ticks since boot                  */
    uint32_t timer_hz;
    uint32_t pid;
    /* How often each fast exit declined and left through iretq instead
     * (since boot): [0] sysret, [1] sysexit, [2] lret. */
    uint64_t fast_exit_declined[3];
    /* CPUID 0x40000000's vendor when running under a hypervisor:
     * "TCGTCGTCGTCG" is QEMU's emulator, whose deviations from hardware
     * the tests must expect (docs/mechanisms.md). */
    char hypervisor_vendor[16];
    /* System calls the C dispatcher (the full path) has run for this
     * process - the fast paths answer every other (docs/mechanisms.md) -
     * and for its children collected by wait4. */
    uint64_t full_path_calls;
    uint64_t children_full_path_calls;
};
_Static_assert(sizeof(struct sg_info) == 224 && __builtin_offsetof(struct sg_info, kip_address) == 144, "sg_info has one layout for both widths");

#define SG_FEAT_SMEP  (1u << 0)
#define SG_FEAT_SMAP  (1u << 1)
#define SG_FEAT_UMIP  (1u << 2)
#define SG_FEAT_NX    (1u << 3)
#define SG_FEAT_DEFAULT_FORCED (1u << 8)   /* syscall= chose a default door */

/* The value sg_echo6 returns: each argument rotated by a different amount,
 * so that a lost, truncated or swapped argument changes the result. */
static inline uint64_t sg_echo6_expect(uint64_t a, uint64_t b, uint64_t c,
                                       uint64_t d, uint64_t e, uint64_t f)
{
#define SG_ROL(x, n) (((x) << (n)) | ((x) >> (64 - (n))))
    return a ^ SG_ROL(b, 7) ^ SG_ROL(c, 14) ^ SG_ROL(d, 21) ^ SG_ROL(e, 28) ^ SG_ROL(f, 35);
#undef SG_ROL
}

/* Exit statuses as wait4 reports them (Linux's encoding). */
#define SG_WSTATUS_EXITED(code)   (((code) & 0xff) << 8)
#define SG_WSTATUS_KILLED(sig)    ((sig) & 0x7f)
#define SG_WIFEXITED(s)           (((s) & 0x7f) == 0)
#define SG_WEXITSTATUS(s)         (((s) >> 8) & 0xff)
#define SG_WIFSIGNALED(s)         (((s) & 0x7f) != 0)
#define SG_WTERMSIG(s)            ((s) & 0x7f)

/* Signal numbers a fault is reported as (Linux's). */
#define SG_SIGILL   4
#define SG_SIGTRAP  5
#define SG_SIGBUS   7
#define SG_SIGFPE   8
#define SG_SIGSEGV 11

/* Auxiliary vector tags (Linux's values, plus one of sysgate's). */
#define SG_AT_NULL          0
#define SG_AT_PHDR          3
#define SG_AT_PHENT         4
#define SG_AT_PHNUM         5
#define SG_AT_PAGESZ        6
#define SG_AT_ENTRY         9
#define SG_AT_UID          11
#define SG_AT_EUID         12
#define SG_AT_GID          13
#define SG_AT_EGID         14
#define SG_AT_RANDOM       25
#define SG_AT_SYSINFO      32      /* 32-bit: __kernel_vsyscall            */
/* The interface page.  Not AT_SYSINFO_EHDR (33): that promises an ELF
 * image, which C libraries parse; the page is not one.  Jinue passes its
 * AT_HOWSYSCALL the same way, under a tag of its own. */
#define SG_AT_KIP          0x5347

#endif /* __ASSEMBLER__ */

/* Linux errno values sysgate returns (negated in rax; also read by the
 * fast path's assembly). */
#define SG_EPERM    1
#define SG_ENOENT   2
#define SG_ESRCH    3
#define SG_EINTR    4
#define SG_EIO      5
#define SG_E2BIG    7
#define SG_ENOEXEC  8
#define SG_EBADF    9
#define SG_ECHILD  10
#define SG_EAGAIN  11
#define SG_ENOMEM  12
#define SG_EFAULT  14
#define SG_EINVAL  22
#define SG_ENAMETOOLONG 36
#define SG_ENOSYS  38

#endif
