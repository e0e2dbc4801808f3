/*
 * Layout of the kernel interface page, as user code sees it.  Each width's
 * page is an ELF shared object, as Linux's vDSO is (its address reaches a
 * process as AT_SYSINFO_EHDR and SG_AT_KIP, and through the `lock nop`
 * query), with a read-only data page (struct sg_vvar, vvar.h) just below
 * it:
 *
 *   -0x1000  the data page (SG_KIP_VVAR_OFFSET)
 *   +0x000   ELF header and program headers
 *   +0x100   struct sg_kip_header (SG_KIP_HEADER_OFFSET; also the symbol
 *            __sg_kip_header)
 *   +...     the default entry (header.default_offset; the symbols
 *            __sg_default_entry, and __kernel_vsyscall for 32-bit): a jump
 *            the kernel patches at boot to the stub of the best mechanism
 *            (or the one `syscall=` named)
 *   +...     one stub per mechanism at header.stub_offset[mech] (the
 *            symbols __sg_stub_<name>: one per door of
 *            include/sysgate/doors.def)
 *   +...     the dynamic symbol table, and the time functions
 *            (__vdso_clock_gettime, ...) that answer from the data page
 *
 * Every stub is called like a function with the system call in the
 * registers of docs/abi.md (rax = number, rdi rsi rdx r10 r8 r9 =
 * arguments) and returns with the result in rax.
 *
 * Read by C and by assembly (kernel/kip/vdso/): the header's field offsets
 * are constants here, checked against the structure below.
 */
#ifndef SYSGATE_KIP_LAYOUT_H
#define SYSGATE_KIP_LAYOUT_H

#define SG_KIP_MAGIC          0x50494b4753ull      /* "SGKIP" */
#define SG_KIP_VERSION        3      /* 3: the header has a stub offset per door of doors.def */
#define SG_KIP_HEADER_OFFSET  0x100
#define SG_KIP_VVAR_OFFSET    (-0x1000)

/* Field offsets of struct sg_kip_header, for the assembly that lays it out. */
#define SG_KIP_HDR_MAGIC            0
#define SG_KIP_HDR_VERSION          8
#define SG_KIP_HDR_MECHANISMS       12
#define SG_KIP_HDR_DEFAULT_MECH     16
#define SG_KIP_HDR_STUB_OFFSET      20
/* After one stub offset per door (SG_MECH_COUNT: abi.h, for C and for
 * assembly alike). */
#define SG_KIP_HDR_DEFAULT_OFFSET   (SG_KIP_HDR_STUB_OFFSET + 4 * SG_MECH_COUNT)
#define SG_KIP_HDR_LANDING_OFFSET   (SG_KIP_HDR_DEFAULT_OFFSET + 4)
#define SG_KIP_HDR_IMAGE_SIZE       (SG_KIP_HDR_DEFAULT_OFFSET + 8)
#define SG_KIP_HDR_VVAR_OFFSET      (SG_KIP_HDR_DEFAULT_OFFSET + 12)
#define SG_KIP_HDR_SIZE             ((SG_KIP_HDR_DEFAULT_OFFSET + 16 + 7) & ~7)   /* 8-aligned: the magic */

#ifndef __ASSEMBLER__
#include <stdint.h>
#include "abi.h"

struct sg_kip_header {
    uint64_t magic __attribute__((aligned(8)));   /* 8 in i386 code too: one size */
    uint32_t version;
    uint32_t mechanisms;                    /* mask of (1 << SG_MECH_x), set at boot */
    uint32_t default_mechanism;             /* set at boot */
    uint32_t stub_offset[SG_MECH_COUNT];    /* from the image's start; 0: not offered */
    uint32_t default_offset;                /* the default entry */
    uint32_t landing_offset;                /* 32-bit: where the sysenter stub's
                                               SYSEXIT returns; 0 in the 64-bit page */
    uint32_t image_size;                    /* bytes of the ELF image, set at boot */
    int32_t vvar_offset;                    /* the data page, from the image's start */
};
_Static_assert(__builtin_offsetof(struct sg_kip_header, version) == SG_KIP_HDR_VERSION &&
                   __builtin_offsetof(struct sg_kip_header, mechanisms) == SG_KIP_HDR_MECHANISMS &&
                   __builtin_offsetof(struct sg_kip_header, default_mechanism) == SG_KIP_HDR_DEFAULT_MECH &&
                   __builtin_offsetof(struct sg_kip_header, stub_offset) == SG_KIP_HDR_STUB_OFFSET &&
                   __builtin_offsetof(struct sg_kip_header, default_offset) == SG_KIP_HDR_DEFAULT_OFFSET &&
                   __builtin_offsetof(struct sg_kip_header, landing_offset) == SG_KIP_HDR_LANDING_OFFSET &&
                   __builtin_offsetof(struct sg_kip_header, image_size) == SG_KIP_HDR_IMAGE_SIZE &&
                   __builtin_offsetof(struct sg_kip_header, vvar_offset) == SG_KIP_HDR_VVAR_OFFSET &&
                   sizeof(struct sg_kip_header) == SG_KIP_HDR_SIZE,
               "kip.h: the offsets the assembly uses match struct sg_kip_header");
#endif

#endif
