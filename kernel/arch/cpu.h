/* What the CPU is and has: read once at boot from CPUID. */
#ifndef SYSGATE_CPU_H
#define SYSGATE_CPU_H

#include <stdbool.h>
#include <stdint.h>
#include "../../include/sysgate/abi.h"

struct cpu_info {
    char vendor[13];
    char brand[49];
    char hypervisor_vendor[13];    /* CPUID 0x40000000 when hypervisor is set */
    enum sg_vendor vendor_id;
    uint32_t family, model, stepping;
    bool hypervisor;
    bool nx, smep, smap, umip, sep, syscall, fxsr, long_mode, pge;
    uint32_t enabled;              /* SG_FEAT_* actually switched on */
};

extern struct cpu_info cpu;

void cpu_identify(void);
/* CR0/CR4/EFER set-up: WP, PGE, FXSR/SSE, NX, and SMEP/SMAP/UMIP where the
 * CPU reports them. */
void cpu_enable_features(void);
/* Turns every STAC/CLAC into a NOP on a CPU without SMAP (after paging_init). */
void smap_patch_sites(void);

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

#endif
