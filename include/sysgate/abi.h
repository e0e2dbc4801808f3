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

/* The per-thread switches of the rdtsc and cpuid doors (for C and for the
 * stubs, which arm them).  arch_prctl ARCH_GET_CPUID / ARCH_SET_CPUID
 * (Linux asm/prctl.h; both widths): 1 - cpuid runs, 0 - it faults (CPUID
 * faulting; -ENODEV where the CPU lacks it).  prctl(2) PR_GET_TSC /
 * PR_SET_TSC: rdtsc runs (PR_TSC_ENABLE) or raises SIGSEGV
 * (PR_TSC_SIGSEGV: CR4.TSD while the thread runs). */
#define SG_ARCH_GET_CPUID 0x1011
#define SG_ARCH_SET_CPUID 0x1012
#define SG_PR_GET_TSC 25
#define SG_PR_SET_TSC 26
#define SG_PR_TSC_ENABLE 1
#define SG_PR_TSC_SIGSEGV 2

/* The page-fault door's range (doors.def: pf; kernel/entry/exception_doors.c):
 * SG_PF_RANGE bytes at SG_PF_BASE64 in every 64-bit process and at
 * SG_PF_BASE32 in every 32-bit one, reserved by the loader (a pinned region
 * with no access: never mapped, mmap and MAP_FIXED refused there) and
 * outside where mmap, the interface page and the stack go.  The stub reads
 * the byte at offset = the call number; the last offset (SG_PF_RANGE - 1)
 * says the number is one the range cannot hold (an argument-way flag, an
 * unknown number) and is in rax.  No suffixes: assembly reads them too. */
#define SG_PF_BASE64      0x00007ff000000000
#define SG_PF_BASE32      0xfe000000
#define SG_PF_RANGE       0x10000

#ifdef __ASSEMBLER__
/* The same SG_MECH_* numbers for assembly (the doors' entry tags), and
 * SG_MECH_COUNT (the rows are in nr order). */
#define DOOR(NAME, name, nr, rank, what) .equ SG_MECH_##NAME, nr; .set SG_MECH_COUNT, nr + 1;
#include <sysgate/doors.def>
#undef DOOR
#else
#include <stdint.h>

#define SG_VERSION_STRING "sysgate 0.1"

/* Entry mechanisms ("doors"), from the one list, doors.def.  A bit mask
 * of (1 << SG_MECH_x) says which are on. */
enum sg_mechanism {
#define DOOR(NAME, name, nr, rank, what) SG_MECH_##NAME = nr,
#include <sysgate/doors.def>
#undef DOOR
    SG_MECH_COUNT
};
/* The first exception door (doors.def): from it on, a door's instruction
 * is a call only inside its interface-page stub. */
#define SG_MECH_FIRST_EXCEPTION SG_MECH_INT3

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
    /* System calls this process has entered, through every door (the
     * interface page's time functions answer without one). */
    uint64_t syscalls;
    /* How often each return instruction faulted in ring 0 and the
     * process was killed for it (since boot): [0] sysretq, [1] sysretl,
     * [2] sysexitq, [3] sysexitl, [4] lretq, [5] iretq. */
    uint64_t exit_faults[6];
    /* The last #DB raised by a process's own breakpoint (sg_set_debugreg)
     * since boot: where it was taken - in user mode, or in ring 0, as the
     * CPU does for a data breakpoint on the operand of MOV SS followed by a
     * door - DR6 as the CPU reported it, and the process. */
    uint64_t debug_rip;
    uint64_t debug_dr6;
    uint32_t debug_pid;
    uint32_t debug_in_kernel;
    /* Physical frames free right now: what a process held comes back when
     * it is gone (the memory test's leak check). */
    uint64_t free_frames;
    /* Of the system calls (syscalls above), the ones the C dispatcher (the
     * full path) ran - the fast paths answer every other
     * (docs/mechanisms.md) - and the same for its children collected by
     * wait4. */
    uint64_t full_path_calls;
    uint64_t children_full_path_calls;
    /* The calling process's own control-register state, as the CPU has it
     * during this call (the exception doors' per-process bits):
     * SG_CPU_TS - CR0.TS is set while it runs (its nm door is armed). */
    uint32_t cpu_state;
    uint32_t reserved;
};
#define SG_CPU_TS (1u << 0)
_Static_assert(sizeof(struct sg_info) == 320 && __builtin_offsetof(struct sg_info, kip_address) == 144, "sg_info has one layout for both widths");

#define SG_FEAT_SMEP  (1u << 0)
#define SG_FEAT_SMAP  (1u << 1)
#define SG_FEAT_UMIP  (1u << 2)
#define SG_FEAT_NX    (1u << 3)
#define SG_FEAT_XSAVE (1u << 4)   /* CR4.OSXSAVE: user state is XSAVE's (XCR0: xgetbv) */
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
#define SG_SIGKILL  9       /* out of memory for a page the process touched */
#define SG_SIGSEGV 11
/* Signals the process calls name (signal(7), Linux's x86 numbers). */
#define SG_SIGHUP   1
#define SG_SIGINT   2
#define SG_SIGQUIT  3
#define SG_SIGPIPE 13
#define SG_SIGTERM 15
#define SG_SIGCHLD 17
#define SG_SIGCONT 18
#define SG_SIGSTOP 19
#define SG_SIGTSTP 20
#define SG_SIGTTIN 21
#define SG_SIGTTOU 22
#define SG_SIGURG  23
#define SG_SIGWINCH 28
#define SG_NSIG    64       /* _NSIG: signals 1..64 */

/* Auxiliary vector tags (Linux's values, include/uapi/linux/auxvec.h and
 * arch/x86/include/uapi/asm/auxvec.h, plus one of sysgate's). */
#define SG_AT_NULL          0
#define SG_AT_PHDR          3
#define SG_AT_PHENT         4
#define SG_AT_PHNUM         5
#define SG_AT_PAGESZ        6
#define SG_AT_BASE          7       /* the interpreter's base: 0, none     */
#define SG_AT_FLAGS         8
#define SG_AT_ENTRY         9
#define SG_AT_UID          11
#define SG_AT_EUID         12
#define SG_AT_GID          13
#define SG_AT_EGID         14
#define SG_AT_PLATFORM     15      /* "x86_64" or "i686"                   */
#define SG_AT_HWCAP        16      /* CPUID.1:EDX                          */
#define SG_AT_CLKTCK       17      /* times() ticks per second             */
#define SG_AT_SECURE       23
#define SG_AT_RANDOM       25      /* 16 random bytes                      */
#define SG_AT_HWCAP2       26
#define SG_AT_EXECFN       31      /* the path the program was started as  */
#define SG_AT_SYSINFO      32      /* 32-bit: __kernel_vsyscall            */
#define SG_AT_SYSINFO_EHDR 33      /* the interface page, an ELF image (vDSO) */
#define SG_AT_MINSIGSTKSZ  51
/* The interface page again, under sysgate's own tag (as Jinue passes its
 * AT_HOWSYSCALL): the same address as SG_AT_SYSINFO_EHDR. */
#define SG_AT_KIP          0x5347

/* arch_prctl codes (Linux asm/prctl.h).  The four base calls exist for
 * 64-bit callers only: from 32-bit code they are -EINVAL, as on Linux
 * (the CPUID codes, above, serve both widths). */
#define SG_ARCH_SET_GS 0x1001
#define SG_ARCH_SET_FS 0x1002
#define SG_ARCH_GET_FS 0x1003
#define SG_ARCH_GET_GS 0x1004

/* set_thread_area, get_thread_area and modify_ldt take Linux's struct
 * user_desc (asm/ldt.h; the same 16 bytes for both widths, `lm` ignored).
 * entry_number -1 asks set_thread_area for a free TLS slot, which it
 * writes back.  The TLS slots are GDT entries SG_TLS_ENTRY_MIN ..
 * SG_TLS_ENTRY_MIN + 2 (Linux x86-64's GDT_ENTRY_TLS_MIN): selector =
 * entry_number * 8 + 3.  An LDT entry n has the selector n * 8 + 7. */
#define SG_TLS_ENTRY_MIN 12
#define SG_TLS_ENTRIES   3
#define SG_LDT_ENTRIES   8192

struct sg_user_desc {
    uint32_t entry_number;
    uint32_t base_addr;
    uint32_t limit;
    uint32_t seg_32bit : 1;
    uint32_t contents : 2;          /* 0 data, 1 data expand-down, 2 code, 3 conforming code */
    uint32_t read_exec_only : 1;
    uint32_t limit_in_pages : 1;
    uint32_t seg_not_present : 1;
    uint32_t useable : 1;
    uint32_t lm : 1;
};
_Static_assert(sizeof(struct sg_user_desc) == 16, "struct user_desc is 16 bytes");

/* sg_set_debugreg(reg, value) / sg_get_debugreg(reg, uint64_t *value):
 * the caller's own debug registers, reg 0-3 (addresses), 6 (what the last
 * #DB reported) and 7 (Intel SDM vol. 3B 18.2.4).  Addresses must lie in
 * the user half, aligned to their breakpoint's length; DR7 may not set GD,
 * I/O breakpoints or reserved bits; -EINVAL otherwise.  A #DB from one of
 * them ends the process with SIGTRAP (sysgate has no signal handlers). */
#define SG_DR7_ENABLE(n)     (1u << (2 * (n)))          /* Ln */
#define SG_DR7_RW(n, rw)     ((uint32_t)(rw) << (16 + 4 * (n)))
#define SG_DR7_LEN(n, len)   ((uint32_t)(len) << (18 + 4 * (n)))
#define SG_DR_RW_EXEC  0
#define SG_DR_RW_WRITE 1
#define SG_DR_RW_IO    2
#define SG_DR_RW_RW    3
#define SG_DR_LEN_1    0
#define SG_DR_LEN_2    1
#define SG_DR_LEN_8    2
#define SG_DR_LEN_4    3

#endif /* __ASSEMBLER__ */

/* Linux errno values sysgate returns (negated in rax; also read by the
 * fast path's assembly). */
#define SG_EPERM    1
#define SG_ENOENT   2
#define SG_ESRCH    3
#define SG_EINTR    4
#define SG_EIO      5
#define SG_ENXIO    6
#define SG_E2BIG    7
#define SG_ENOEXEC  8
#define SG_EBADF    9
#define SG_ECHILD  10
#define SG_EAGAIN  11
#define SG_ENOMEM  12
#define SG_EACCES  13
#define SG_EFAULT  14
#define SG_EBUSY   16
#define SG_EEXIST  17
#define SG_ENODEV  19
#define SG_ENOTDIR 20
#define SG_EISDIR  21
#define SG_EINVAL  22
#define SG_EMFILE  24
#define SG_ENOTTY  25
#define SG_ESPIPE  29
#define SG_EROFS   30
#define SG_EPIPE   32
#define SG_ERANGE  34
#define SG_ENAMETOOLONG 36
#define SG_ENOSYS  38
#define SG_ELOOP   40
#define SG_EOVERFLOW 75
#define SG_EOPNOTSUPP 95
#define SG_ETIMEDOUT 110

/* mmap(2), mprotect(2), madvise(2): Linux's values (asm-generic/mman*.h,
 * the same on x86-64 and i386). */
#define SG_PROT_NONE   0x0
#define SG_PROT_READ   0x1
#define SG_PROT_WRITE  0x2
#define SG_PROT_EXEC   0x4
#define SG_PROT_GROWSDOWN 0x01000000
#define SG_PROT_GROWSUP   0x02000000
#define SG_MAP_SHARED          0x01
#define SG_MAP_PRIVATE         0x02
#define SG_MAP_SHARED_VALIDATE 0x03
#define SG_MAP_TYPE            0x0f
#define SG_MAP_FIXED           0x10
#define SG_MAP_ANONYMOUS       0x20
#define SG_MAP_32BIT           0x40        /* x86-64 only: below 2 GiB */
#define SG_MAP_GROWSDOWN       0x0100
#define SG_MAP_DENYWRITE       0x0800
#define SG_MAP_EXECUTABLE      0x1000
#define SG_MAP_LOCKED          0x2000
#define SG_MAP_NORESERVE       0x4000
#define SG_MAP_POPULATE        0x8000
#define SG_MAP_NONBLOCK        0x10000
#define SG_MAP_STACK           0x20000
#define SG_MAP_HUGETLB         0x40000
#define SG_MAP_SYNC            0x80000
#define SG_MAP_FIXED_NOREPLACE 0x100000
#define SG_MAP_UNINITIALIZED   0x4000000
#define SG_MREMAP_MAYMOVE   1
#define SG_MREMAP_FIXED     2
#define SG_MADV_NORMAL      0
#define SG_MADV_RANDOM      1
#define SG_MADV_SEQUENTIAL  2
#define SG_MADV_WILLNEED    3
#define SG_MADV_DONTNEED    4
#define SG_MADV_FREE        8
#define SG_MADV_REMOVE      9
#define SG_MADV_DONTFORK   10
#define SG_MADV_DOFORK     11
#define SG_MADV_MERGEABLE  12
#define SG_MADV_UNMERGEABLE 13
#define SG_MADV_HUGEPAGE   14
#define SG_MADV_NOHUGEPAGE 15
#define SG_MADV_DONTDUMP   16
#define SG_MADV_DODUMP     17
#define SG_MADV_WIPEONFORK 18
#define SG_MADV_KEEPONFORK 19
#define SG_MADV_COLD       20
#define SG_MADV_PAGEOUT    21
#define SG_MADV_POPULATE_READ  22
#define SG_MADV_POPULATE_WRITE 23
#define SG_MADV_DONTNEED_LOCKED 24
#define SG_MADV_COLLAPSE   25
#define SG_MADV_HWPOISON  100
#define SG_MADV_SOFT_OFFLINE 101

#endif
