/* The user FPU/SSE/AVX state ("extended processor state"): what the CPU
 * offers, the per-process save area, and the instructions that save and
 * load it - XSAVE/XRSTOR where CPUID reports XSAVE, FXSAVE/FXRSTOR
 * otherwise (chosen at boot; Intel SDM vol. 1 ch. 13, vol. 3A 2.6, AMD
 * APM vol. 2 11.5).  The kernel itself never uses these registers. */
#ifndef SYSGATE_FPU_H
#define SYSGATE_FPU_H

#include <stdbool.h>
#include <stdint.h>

/* XCR0 / XSTATE_BV bits (SDM vol. 1 13.1): the state components. */
#define XFEATURE_X87 (1ull << 0)
#define XFEATURE_SSE (1ull << 1)
#define XFEATURE_AVX (1ull << 2)        /* the upper halves of ymm0-15 */

/* The XSAVE area's standard format (SDM vol. 1 13.4): the legacy FXSAVE
 * region, then the 64-byte header (XSTATE_BV, XCOMP_BV, reserved), then
 * each component at the offset CPUID.(EAX=0xD,ECX=i):EBX gives (AVX: 576). */
#define FPU_LEGACY_SIZE 512
#define FPU_HEADER_SIZE 64
#define FPU_XSTATE_BV   512             /* u64 in the header */
#define FPU_XCOMP_BV    520             /* u64: 0 in the standard format */
#define FPU_MXCSR       24
#define FPU_MXCSR_MASK  28
#define FPU_LEGACY_RESERVED 416         /* past xmm15: reserved, then 464-511 software's */
#define FPU_AREA_ALIGN  64              /* XSAVE/XRSTOR need it (#GP otherwise) */
#define FPU_AREA_MAX    4096            /* fpu_cfg.size never exceeds it (fpu_init checks) */

struct fpu_config {
    bool xsave;                 /* CR4.OSXSAVE set: XSAVE/XRSTOR are the save and load */
    bool xsaveopt;              /* ... and XSAVEOPT saves at a switch (CPUID.(0xD,1):EAX[0]) */
    uint64_t xcr0;              /* the components enabled for user code (x87|SSE, +AVX) */
    uint32_t size;              /* bytes of a save area: CPUID.(0xD,0):EBX for xcr0, or 512 */
    uint32_t mxcsr_mask;        /* the MXCSR bits the loads accept (SDM vol. 1 11.6.6) */
};
extern struct fpu_config fpu_cfg;

/* Boot (after cpu_identify): CR4.OSXSAVE and XCR0 where the CPU has
 * XSAVE, the area size, MXCSR_MASK and the initial state image. */
void fpu_init(void);

/* The state of a freshly reset FPU (x87 control word 0x37f, MXCSR 0x1f80,
 * every other register 0; XSTATE_BV 0: each component in its initial
 * configuration), fpu_cfg.size bytes. */
extern const uint8_t *fpu_init_state;

/* A save area (fpu_cfg.size bytes, 64-byte aligned) from the kernel heap,
 * never freed (proc.c keeps one per process slot); 0 when none is left. */
uint8_t *fpu_area_alloc(void);

/* Save the registers into `area` / load them from it.  CR0.TS must be
 * clear (an armed nm door: the caller clears it around the call).
 * compat: the 32-bit format of the x87 instruction and data pointers
 * (FCS/FDS kept; an i386 signal frame), else the 64-bit format.
 * EDX:EAX = all ones: every component XCR0 enables (the requested-feature
 * bitmap is XCR0 AND EDX:EAX, SDM vol. 1 13.7, 13.8).  XSAVE writes every
 * requested component, XSTATE_BV as the CPU tracks it, and nothing of the
 * header past XSTATE_BV nor bytes 464..511 (SDM vol. 1 13.7). */
static inline void fpu_save(uint8_t *area, bool compat)
{
    if (fpu_cfg.xsave) {
        if (compat)
            __asm__ volatile("xsave (%0)" ::"r"(area), "a"(-1), "d"(-1) : "memory");
        else
            __asm__ volatile("xsave64 (%0)" ::"r"(area), "a"(-1), "d"(-1) : "memory");
    } else if (compat) {
        __asm__ volatile("fxsave (%0)" ::"r"(area) : "memory");
    } else {
        __asm__ volatile("fxsave64 (%0)" ::"r"(area) : "memory");
    }
}

/* The context switch's save, into the area the process's state was last
 * loaded from (its own): XSAVEOPT where the CPU has it, which may leave
 * out a component that is in its initial configuration (XSTATE_BV says
 * so) or unchanged since the XRSTOR that loaded it from this very address
 * (SDM vol. 1 13.6) - correct because nothing writes a process's area
 * between its switch-in XRSTOR and its switch-out but an exec, which
 * loads the area again at once. */
static inline void fpu_switch_save(uint8_t *area)
{
    if (fpu_cfg.xsaveopt)
        __asm__ volatile("xsaveopt64 (%0)" ::"r"(area), "a"(-1), "d"(-1) : "memory");
    else
        fpu_save(area, false);
}

static inline void fpu_load(const uint8_t *area, bool compat)
{
    if (fpu_cfg.xsave) {
        if (compat)
            __asm__ volatile("xrstor (%0)" ::"r"(area), "a"(-1), "d"(-1) : "memory");
        else
            __asm__ volatile("xrstor64 (%0)" ::"r"(area), "a"(-1), "d"(-1) : "memory");
    } else if (compat) {
        __asm__ volatile("fxrstor (%0)" ::"r"(area) : "memory");
    } else {
        __asm__ volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
    }
}

#endif
