/*
 * The user FPU/SSE/AVX state (fpu.h).  Where CPUID reports XSAVE the
 * kernel sets CR4.OSXSAVE and XCR0 = x87 | SSE, plus AVX where the CPU has
 * it, as Linux does for the components it handles (Intel SDM vol. 3A 2.6
 * "Extended Control Registers", vol. 1 13.3 "Enabling the XSAVE feature
 * set"; AMD APM vol. 2 11.5.2): user programs then see OSXSAVE in CPUID
 * and may use AVX.  The per-process area is XSAVE's standard format,
 * sized by CPUID.(EAX=0xD,ECX=0):EBX for that XCR0 (SDM vol. 1 13.4,
 * 13.5), and saved with XSAVEOPT at a switch where the CPU has it.
 * Without XSAVE everything stays FXSAVE/FXRSTOR with a 512-byte area.
 */
#include "fpu.h"
#include "cpu.h"
#include "io.h"
#include "selectors_msrs.h"
#include "../lib/kernel.h"
#include "../mm/mm.h"

struct fpu_config fpu_cfg;

/* The components sysgate enables end at 576 + 256 = 832 bytes (AVX, SDM
 * vol. 1 13.5.3): well inside FPU_AREA_MAX. */
static uint8_t init_image[FPU_AREA_MAX] __attribute__((aligned(FPU_AREA_ALIGN)));
const uint8_t *fpu_init_state = init_image;

static void xsetbv(uint32_t index, uint64_t value)
{
    __asm__ volatile("xsetbv" ::"c"(index), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

void fpu_init(void)
{
    uint32_t r[4];
    cpuid(1, 0, r);
    bool xsave = r[2] & (1u << 26), avx = r[2] & (1u << 28);

    fpu_cfg.xcr0 = XFEATURE_X87 | XFEATURE_SSE;
    fpu_cfg.size = FPU_LEGACY_SIZE;
    if (xsave) {
        /* CPUID.(0xD,0):EDX:EAX - the XCR0 bits the CPU supports; AVX
         * only where CPUID.1:ECX.AVX says the instructions exist too. */
        cpuid(0xd, 0, r);
        uint64_t supported = r[0] | (uint64_t)r[3] << 32;
        if (avx && (supported & XFEATURE_AVX))
            fpu_cfg.xcr0 |= XFEATURE_AVX;
        /* XSETBV is #UD until CR4.OSXSAVE is set (SDM vol. 2C XSETBV). */
        write_cr4(read_cr4() | CR4_OSXSAVE);
        xsetbv(0, fpu_cfg.xcr0);
        /* EBX: the size the standard format needs for the components XCR0
         * enables now (SDM vol. 1 13.2). */
        cpuid(0xd, 0, r);
        fpu_cfg.size = (r[1] + FPU_AREA_ALIGN - 1) & ~(uint32_t)(FPU_AREA_ALIGN - 1);
        if (fpu_cfg.size > FPU_AREA_MAX)
            panic("XSAVE area of %u bytes for XCR0 %#lx", fpu_cfg.size, fpu_cfg.xcr0);
        cpuid(0xd, 1, r);
        fpu_cfg.xsaveopt = r[0] & 1;
        fpu_cfg.xsave = true;
    }

    /* MXCSR_MASK from an FXSAVE; 0 means the CPU predates the field: the
     * default mask (SDM vol. 1 11.6.6). */
    __asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t(*)[FPU_LEGACY_SIZE])init_image));
    memcpy(&fpu_cfg.mxcsr_mask, init_image + FPU_MXCSR_MASK, 4);
    if (!fpu_cfg.mxcsr_mask)
        fpu_cfg.mxcsr_mask = 0xffbf;

    /* The reset state: x87 control word 0x37f (every exception masked),
     * MXCSR 0x1f80 (SDM vol. 1 8.1.5, 10.2.3.1); XSTATE_BV 0, so XRSTOR
     * puts every extended component in its initial configuration (SDM
     * vol. 1 13.8.1) - but it loads MXCSR from the legacy region
     * whenever SSE or AVX is requested, so that one is written. */
    memset(init_image, 0, sizeof init_image);
    init_image[0] = 0x7f;
    init_image[1] = 0x03;
    uint32_t mxcsr = 0x1f80;
    memcpy(init_image + FPU_MXCSR, &mxcsr, 4);
}

uint8_t *fpu_area_alloc(void)
{
    uint8_t *raw = kmalloc(fpu_cfg.size + FPU_AREA_ALIGN - 1);
    if (!raw)
        return 0;
    return (uint8_t *)(((uintptr_t)raw + FPU_AREA_ALIGN - 1) & ~(uintptr_t)(FPU_AREA_ALIGN - 1));
}
