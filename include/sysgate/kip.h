/*
 * Layout of the kernel interface page, as user code sees it.  The page's
 * address reaches a process in the auxiliary vector (AT_SYSGATE_KIP) and
 * through the `lock nop` query.
 *
 *   +0x000  struct sg_kip_header
 *   +0x100  default entry: a jump the kernel patches at boot to the stub of
 *           the best mechanism (or the one `syscall=` named)
 *   +0x...  one stub per mechanism at header.stub_offset[mech]
 *
 * Every stub is called like a function with the system call in the
 * registers of docs/abi.md (rax = number, rdi rsi rdx r10 r8 r9 =
 * arguments) and returns with the result in rax.
 */
#ifndef SYSGATE_KIP_LAYOUT_H
#define SYSGATE_KIP_LAYOUT_H

#define SG_KIP_MAGIC          0x50494b4753ull      /* "SGKIP" */
#define SG_KIP_VERSION        1
#define SG_KIP_DEFAULT_OFFSET 0x100

#ifndef __ASSEMBLER__
#include <stdint.h>
#include "abi.h"

struct sg_kip_header {
    uint64_t magic;
    uint32_t version;
    uint32_t mechanisms;                    /* mask of (1 << SG_MECH_x) */
    uint32_t default_mechanism;
    uint32_t stub_offset[SG_MECH_COUNT];    /* 0: not in this page */
};
#endif

#endif
