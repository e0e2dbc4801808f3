/*
 * Every segment selector and every MSR sysgate uses, with the hardware's
 * selector arithmetic written down once, beside the constants.  Included by
 * C and assembly.
 *
 * GDT layout.  SYSCALL/SYSRET and SYSENTER/SYSEXIT do not read the GDT for
 * the selectors they load; they compute them from one MSR each:
 *
 *   SYSCALL   CS = STAR[47:32]           SS = STAR[47:32] + 8
 *   SYSRET    to 64-bit: CS = STAR[63:48] + 16, SS = STAR[63:48] + 8
 *             to 32-bit: CS = STAR[63:48],      SS = STAR[63:48] + 8
 *             RPL 3 is forced into both (Intel SDM vol. 2B SYSRET;
 *             AMD APM vol. 2 section 6.1.1)
 *   SYSENTER  CS = SYSENTER_CS,          SS = SYSENTER_CS + 8
 *   SYSEXIT   to 64-bit (REX.W): CS = SYSENTER_CS + 32, SS = SYSENTER_CS + 40
 *             to 32-bit:         CS = SYSENTER_CS + 16, SS = SYSENTER_CS + 24
 *             RPL 3 forced (Intel SDM vol. 2B SYSEXIT)
 *
 * One order satisfies both with SYSENTER_CS = KERNEL_CS and the SYSRET base
 * = USER32_CS:
 *
 *   0x00  null
 *   0x08  KERNEL_CS   64-bit code, DPL 0     SYSCALL CS, SYSENTER CS
 *   0x10  KERNEL_DS   data, DPL 0            SYSCALL SS, SYSENTER SS
 *   0x18  USER32_CS   32-bit code, DPL 3     SYSRET base; SYSEXIT32 CS (+16)
 *   0x20  USER_DS     data, DPL 3            SYSRET SS (base+8); SYSEXIT32 SS (+24)
 *   0x28  USER64_CS   64-bit code, DPL 3     SYSRET64 CS (base+16); SYSEXIT64 CS (+32)
 *   0x30  USER_DS2    data, DPL 3            SYSEXIT64 SS (+40): same as USER_DS
 *   0x38  TSS         16-byte system descriptor
 *   0x48  CALL_GATE   16-byte long-mode call gate, DPL 3 -> KERNEL_CS
 *   0x58  unused (null)
 *   0x60  TLS slots   three per-process data descriptors, DPL 3, written
 *   0x68              by set_thread_area and reloaded on every switch
 *   0x70              (entries 12-14, Linux x86-64's GDT_ENTRY_TLS_MIN..MAX)
 *   0x78  LDT_SEL     16-byte system descriptor of the running process's
 *                     LDT (modify_ldt); LDTR is null for a process without
 *
 * A selector's bit 2 (TI) picks the LDT instead: user selectors n * 8 + 7
 * name the process's own LDT (modify_ldt), loaded on every switch.
 */
#ifndef SYSGATE_SELECTORS_MSRS_H
#define SYSGATE_SELECTORS_MSRS_H

#define KERNEL_CS      0x08
#define KERNEL_DS      0x10
#define USER32_CS      (0x18 | 3)
#define USER_DS        (0x20 | 3)
#define USER64_CS      (0x28 | 3)
#define USER_DS2       (0x30 | 3)
#define TSS_SEL        0x38
#define CALL_GATE_SEL  (0x48 | 3)
#define GDT_TLS_MIN    12          /* = SG_TLS_ENTRY_MIN (abi.h) */
#define GDT_TLS_ENTRIES 3
#define LDT_SEL        0x78
#define GDT_ENTRIES    17          /* 8-byte slots */
#define SELECTOR_TI    4           /* table indicator: 1 = LDT */

/* STAR: [47:32] = SYSCALL CS; [63:48] = SYSRET base (the RPL bits are
 * ignored on load and forced to 3). */
#define STAR_SYSCALL_CS   KERNEL_CS
#define STAR_SYSRET_BASE  (USER32_CS & ~3)
#define SYSENTER_CS_VALUE KERNEL_CS

#ifndef __ASSEMBLER__
#include <stdint.h>
_Static_assert(STAR_SYSCALL_CS + 8 == KERNEL_DS, "SYSCALL SS = STAR[47:32] + 8");
_Static_assert(STAR_SYSRET_BASE + 8 == (USER_DS & ~3), "SYSRET SS = base + 8");
_Static_assert(STAR_SYSRET_BASE + 16 == (USER64_CS & ~3), "SYSRET 64-bit CS = base + 16");
_Static_assert(STAR_SYSRET_BASE == (USER32_CS & ~3), "SYSRET 32-bit CS = base");
_Static_assert(SYSENTER_CS_VALUE + 8 == KERNEL_DS, "SYSENTER SS = CS + 8");
_Static_assert(SYSENTER_CS_VALUE + 16 == (USER32_CS & ~3), "SYSEXIT 32-bit CS = +16");
_Static_assert(SYSENTER_CS_VALUE + 24 == (USER_DS & ~3), "SYSEXIT 32-bit SS = +24");
_Static_assert(SYSENTER_CS_VALUE + 32 == (USER64_CS & ~3), "SYSEXIT 64-bit CS = +32");
_Static_assert(SYSENTER_CS_VALUE + 40 == (USER_DS2 & ~3), "SYSEXIT 64-bit SS = +40");
_Static_assert((CALL_GATE_SEL >> 3) + 2 <= GDT_TLS_MIN, "the gate's 16 bytes end before the TLS slots");
_Static_assert(GDT_TLS_MIN + GDT_TLS_ENTRIES == LDT_SEL >> 3, "the LDT descriptor follows the TLS slots");
_Static_assert((LDT_SEL >> 3) + 2 == GDT_ENTRIES, "the LDT's 16 bytes end the GDT");
#endif

#define MSR_PLATFORM_INFO 0xCE    /* Intel: bit 32 - CPUID faulting exists (SDM vol. 4 2.17) */
#define PLATFORM_INFO_CPUID_FAULTING (1ull << 32)
#define MSR_MISC_FEATURES_ENABLES 0x140   /* Intel: bit 0 - CPUID faults at CPL > 0 */
#define MISC_FEATURES_CPUID_FAULTING 1ull
#define MSR_SYSENTER_CS   0x174   /* SDM vol. 3A 5.8.7: sysenter's CS, SS = +8 */
#define MSR_SYSENTER_ESP  0x175   /* kernel RSP loaded by sysenter           */
#define MSR_SYSENTER_EIP  0x176   /* kernel RIP loaded by sysenter           */
#define MSR_EFER          0xC0000080
#define MSR_STAR          0xC0000081  /* syscall/sysret selector bases     */
#define MSR_LSTAR         0xC0000082  /* 64-bit syscall target RIP          */
#define MSR_CSTAR         0xC0000083  /* compat-mode syscall target (AMD)   */
#define MSR_FMASK         0xC0000084  /* RFLAGS bits syscall clears         */
#define MSR_FS_BASE       0xC0000100
#define MSR_GS_BASE       0xC0000101
#define MSR_KERNEL_GS_BASE 0xC0000102 /* swapped with GS_BASE by swapgs     */

#define EFER_SCE  0x001   /* syscall/sysret enable */
#define EFER_LME  0x100
#define EFER_NXE  0x800

#define CR0_MP    (1 << 1)
#define CR0_EM    (1 << 2)
#define CR0_TS    (1 << 3)
#define CR0_NE    (1 << 5)
#define CR0_WP    (1 << 16)
#define CR0_AM    (1 << 18)  /* alignment checks at CPL 3 with EFLAGS.AC: the ac door, per process */
#define CR4_TSD   (1 << 2)     /* rdtsc/rdtscp at CPL > 0: #GP (SDM vol. 3A 2.5) */
#define CR4_PAE   (1 << 5)
#define CR4_PGE   (1 << 7)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define CR4_UMIP  (1 << 11)
#define CR4_OSXSAVE (1 << 18)  /* XSAVE/XRSTOR/XSETBV usable, XCR0 honoured (SDM vol. 3A 2.5) */
#define CR4_SMEP  (1 << 20)
#define CR4_SMAP  (1 << 21)

/* RFLAGS bits (SDM vol. 1 3.4.3). */
#define RFLAGS_CF   (1 << 0)
#define RFLAGS_FIXED (1 << 1)
#define RFLAGS_PF   (1 << 2)
#define RFLAGS_AF   (1 << 4)
#define RFLAGS_ZF   (1 << 6)
#define RFLAGS_SF   (1 << 7)
#define RFLAGS_TF_BIT 8
#define RFLAGS_TF   (1 << RFLAGS_TF_BIT)
#define RFLAGS_IF   (1 << 9)
#define RFLAGS_DF   (1 << 10)
#define RFLAGS_OF   (1 << 11)
#define RFLAGS_IOPL (3 << 12)
#define RFLAGS_NT   (1 << 14)
#define RFLAGS_RF   (1 << 16)
#define RFLAGS_VM   (1 << 17)
#define RFLAGS_AC   (1 << 18)
#define RFLAGS_ID   (1 << 21)

#ifndef __ASSEMBLER__
static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

#endif /* __ASSEMBLER__ */

#endif
