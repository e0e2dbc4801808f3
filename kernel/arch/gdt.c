/*
 * The GDT, the TSS and the per-CPU block (one CPU).  The layout and the
 * reason for its order are in selectors_msrs.h.
 */
#include "gdt.h"
#include "descriptor.h"
#include "selectors_msrs.h"
#include "../entry/frame.h"
#include "../lib/kernel.h"

/* The 64-bit TSS (Intel SDM vol. 3A 8.7, figure 8-11). */
struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "64-bit TSS is 104 bytes");

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
static struct tss tss __attribute__((aligned(16)));
struct percpu percpu0;

/* Separate stacks for the exceptions that may arrive on a bad stack or
 * in a bad state (SDM vol. 3A 6.14.5): NMI, #DF, #MC, #DB. */
static uint8_t ist_stacks[IST_COUNT][8192] __attribute__((aligned(16)));

static void gdt_set16(unsigned slot, struct desc16 d)
{
    gdt[slot] = d.lo;
    gdt[slot + 1] = d.hi;
}

void gdt_set_call_gate(uint64_t target)
{
    gdt_set16(CALL_GATE_SEL >> 3, desc_call_gate(KERNEL_CS, target, 3));
}

void gdt_set_ldt(uint64_t base, uint32_t limit)
{
    gdt_set16(LDT_SEL >> 3, desc_ldt(base, limit));
}

void gdt_set_tls(const uint64_t tls[GDT_TLS_ENTRIES])
{
    for (int i = 0; i < GDT_TLS_ENTRIES; i++)
        gdt[GDT_TLS_MIN + i] = tls[i];
}

void gdt_init(void)
{
    gdt[0] = 0;
    gdt[KERNEL_CS >> 3] = desc_code(0, CODE_64);
    gdt[KERNEL_DS >> 3] = desc_data(0);
    gdt[USER32_CS >> 3] = desc_code(3, CODE_32);
    gdt[USER_DS >> 3] = desc_data(3);
    gdt[USER64_CS >> 3] = desc_code(3, CODE_64);
    gdt[USER_DS2 >> 3] = desc_data(3);

    for (int i = 0; i < IST_COUNT; i++)
        tss.ist[i] = (uint64_t)&ist_stacks[i][sizeof ist_stacks[i]];
    /* No I/O permission bitmap: iomap_base beyond the limit (SDM 20.5.2). */
    tss.iomap_base = sizeof tss;
    gdt_set16(TSS_SEL >> 3, desc_tss((uint64_t)&tss, sizeof tss - 1));

    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) gdtr = { sizeof gdt - 1, (uint64_t)gdt };

    __asm__ volatile(
        "lgdt %0\n\t"
        "mov %1, %%ds\n\t"
        "mov %1, %%es\n\t"
        "mov %1, %%ss\n\t"
        "xor %%eax, %%eax\n\t"
        "mov %%eax, %%fs\n\t"
        "mov %%eax, %%gs\n\t"
        "pushq %2\n\t"
        "lea 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "ltr %w3"
        :
        : "m"(gdtr), "r"((uint64_t)KERNEL_DS), "i"(KERNEL_CS), "r"(TSS_SEL)
        : "rax", "memory");

    /* No LDT until a process asks for one.  The LDTR is not null at reset
     * but base 0, limit 0xffff (SDM vol. 3A 10.1.1, table 10-1), and no
     * loader is bound to change it: without this, a user LDT selector
     * would have the CPU read descriptors from linear address 0 - user
     * memory.  A null LDTR makes every LDT selector #GP (SDM vol. 3A 3.5.1). */
    __asm__ volatile("lldt %w0" ::"r"(0));

    /* The per-CPU block: GS_BASE while in the kernel; user code gets
     * KERNEL_GS_BASE (0) and swapgs exchanges them (SDM vol. 2B SWAPGS). */
    percpu0.self = &percpu0;
    wrmsr(MSR_GS_BASE, (uint64_t)&percpu0);
    wrmsr(MSR_KERNEL_GS_BASE, 0);
}

void tss_set_kernel_stack(uint64_t rsp0)
{
    tss.rsp[0] = rsp0;
    percpu0.kernel_rsp = rsp0;
    percpu0.syscall_rsp = rsp0 - 8;     /* the syscall fast path skips the ss word */
}
