/* The CPU (cpu.h): identified once from CPUID, and the CR4 features
 * sysgate uses (SSE for user code, PGE, SMEP, SMAP, UMIP) switched on. */
#include "cpu.h"
#include "fpu.h"
#include "io.h"
#include "selectors_msrs.h"
#include "../lib/kernel.h"
#include "../mm/mm.h"

struct cpu_info cpu;

/* Set by cpu_enable_features(), read by the user-access routines in
 * kernel/syscall/uaccess.S (which must not execute STAC/CLAC on a CPU
 * without SMAP: they are #UD there, SDM vol. 2B STAC). */

void cpu_identify(void)
{
    uint32_t r[4];

    cpuid(0, 0, r);
    uint32_t max_leaf = r[0];
    memcpy(cpu.vendor + 0, &r[1], 4);
    memcpy(cpu.vendor + 4, &r[3], 4);
    memcpy(cpu.vendor + 8, &r[2], 4);
    cpu.vendor[12] = 0;
    if (!strcmp(cpu.vendor, "GenuineIntel"))
        cpu.vendor_id = SG_VENDOR_INTEL;
    else if (!strcmp(cpu.vendor, "AuthenticAMD") || !strcmp(cpu.vendor, "HygonGenuine"))
        cpu.vendor_id = SG_VENDOR_AMD;
    else
        cpu.vendor_id = SG_VENDOR_OTHER;

    cpuid(1, 0, r);
    uint32_t family = (r[0] >> 8) & 0xf, model = (r[0] >> 4) & 0xf;
    if (family == 0xf)
        family += (r[0] >> 20) & 0xff;
    if (family == 0x6 || family >= 0xf)
        model |= ((r[0] >> 16) & 0xf) << 4;
    cpu.family = family;
    cpu.model = model;
    cpu.stepping = r[0] & 0xf;
    cpu.sep = r[3] & (1u << 11);
    cpu.pge = r[3] & (1u << 13);
    cpu.fxsr = r[3] & (1u << 24);
    cpu.hypervisor = r[2] & (1u << 31);
    if (cpu.hypervisor) {
        uint32_t h[4];
        cpuid(0x40000000, 0, h);
        memcpy(cpu.hypervisor_vendor + 0, &h[1], 4);
        memcpy(cpu.hypervisor_vendor + 4, &h[2], 4);
        memcpy(cpu.hypervisor_vendor + 8, &h[3], 4);
        for (int i = 0; i < 12; i++)
            if (cpu.hypervisor_vendor[i] < ' ' || cpu.hypervisor_vendor[i] > '~')
                cpu.hypervisor_vendor[i] = 0;
    }

    if (max_leaf >= 7) {
        cpuid(7, 0, r);
        cpu.smep = r[1] & (1u << 7);
        cpu.smap = r[1] & (1u << 20);
        cpu.umip = r[2] & (1u << 2);
    }

    cpuid(0x80000000, 0, r);
    uint32_t max_ext = r[0];
    if (max_ext >= 0x80000001) {
        cpuid(0x80000001, 0, r);
        cpu.syscall = r[3] & (1u << 11);
        cpu.nx = r[3] & (1u << 20);
        cpu.long_mode = r[3] & (1u << 29);
    }
    if (max_ext >= 0x80000004) {
        for (uint32_t i = 0; i < 3; i++) {
            cpuid(0x80000002 + i, 0, r);
            memcpy(cpu.brand + 16 * i, r, 16);
        }
        cpu.brand[48] = 0;
    }
    /* Brand strings are often right-justified with spaces. */
    const char *b = cpu.brand;
    while (*b == ' ')
        b++;
    memmove(cpu.brand, b, strlen(b) + 1);
}

void cpu_enable_features(void)
{
    uint64_t cr4 = read_cr4();

    /* SSE for user programs: the kernel itself is built without it and
     * saves user FPU/SSE state on every switch (fpu.c: XSAVE, which
     * fpu_init below enables where the CPU has it, else FXSAVE). */
    cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
    if (cpu.pge)
        cr4 |= CR4_PGE;
    /* SMEP: the kernel never executes user pages (SDM vol. 3A 4.6.1). */
    if (cpu.smep) {
        cr4 |= CR4_SMEP;
        cpu.enabled |= SG_FEAT_SMEP;
    }
    /* SMAP: the kernel touches user pages only inside STAC/CLAC windows. */
    if (cpu.smap) {
        cr4 |= CR4_SMAP;
        cpu.enabled |= SG_FEAT_SMAP;
    }
    /* UMIP: SGDT/SIDT/SLDT/SMSW/STR fault in user mode, so user code cannot
     * learn where the GDT and IDT are (SDM vol. 3A 2.5). */
    if (cpu.umip) {
        cr4 |= CR4_UMIP;
        cpu.enabled |= SG_FEAT_UMIP;
    }
    write_cr4(cr4);

    /* CR0: WP (set at boot) makes ring 0 honour read-only pages; clear EM
     * and TS, set MP so SSE instructions run.  NE: an unmasked x87
     * exception is #MF at the next waiting x87 instruction; without it the
     * CPU signals FERR# to the (masked) IRQ 13 and the program carries on
     * as if nothing happened (SDM vol. 1 8.7, vol. 3A 2.5).  CR4.OSXMMEXCPT
     * above does the same for unmasked SSE exceptions: #XM, not #UD (SDM
     * vol. 3A 2.5, 6.15 interrupt 19). */
    uint64_t cr0 = read_cr0();
    cr0 &= ~(uint64_t)(CR0_EM | CR0_TS);
    cr0 |= CR0_MP | CR0_NE | CR0_WP;
    write_cr0(cr0);

    if (cpu.nx)
        cpu.enabled |= SG_FEAT_NX;

    fpu_init();
    if (fpu_cfg.xsave)
        cpu.enabled |= SG_FEAT_XSAVE;
}

/* Every STAC and CLAC of the kernel (SMAP_OPEN/SMAP_CLOSE,
 * kernel/syscall/uaccess_asm.h) is #UD on a CPU without SMAP: there each
 * becomes the three-byte NOP `nopl (%rax)` (0f 1f 00; Intel SDM vol. 2B
 * NOP), written through the physical map because the text is mapped
 * read-only.  Runs once, after paging_init() and before anything can
 * execute a site (no interrupt is enabled, no process runs yet). */
extern const uint64_t __smap_sites_start[], __smap_sites_end[];

void smap_patch_sites(void)
{
    static const uint8_t nop3[3] = { 0x0f, 0x1f, 0x00 };
    if (cpu.smap)
        return;
    for (const uint64_t *site = __smap_sites_start; site < __smap_sites_end; site++) {
        uint8_t *text = phys_to_virt(virt_to_phys((const void *)*site));
        for (int i = 0; i < 3; i++)
            text[i] = nop3[i];
    }
}
