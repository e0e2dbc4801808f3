/*
 * The checks a process's debug registers must pass (debugreg.h,
 * debug_check).  Pure: tested on the host (tests/host/test_debugcheck.c).
 */
#include "debugcheck.h"
#include <sysgate/abi.h>

/* The bytes a breakpoint covers: DR7 LENn (SDM vol. 3B 18.2.5): 00 one,
 * 01 two, 11 four, 10 eight (IA-32e mode). */
static uint64_t bp_length(unsigned len)
{
    static const uint64_t bytes[4] = { 1, 2, 8, 4 };
    return bytes[len & 3];
}

int debug_check(const uint64_t dr[4], uint64_t dr7, uint64_t user_end)
{
    /* GD would make the process's next MOV DR (none: it has no such
     * instruction in ring 3, but the kernel's switch has) a #DB. */
    if (dr7 & DR7_GD)
        return -SG_EINVAL;
    /* Allowed: L0-3/G0-3 (7:0), LE/GE (9:8), bit 10, RW/LEN (31:16);
     * refused: RTM (11) and the reserved bits, anything above 31. */
    if (dr7 & ~(0xffff03fful | DR7_FIXED))
        return -SG_EINVAL;
    for (int i = 0; i < 4; i++) {
        if (!(dr7 >> (2 * i) & 3))
            continue;
        unsigned rw = dr7 >> (16 + 4 * i) & 3, len = dr7 >> (18 + 4 * i) & 3;
        uint64_t n = bp_length(len);
        if (rw == 2)                    /* I/O breakpoint (needs CR4.DE) */
            return -SG_EINVAL;
        if (rw == 0 && len != 0)        /* instruction breakpoints: LEN 00 */
            return -SG_EINVAL;
        if (dr[i] & (n - 1))            /* aligned to its length */
            return -SG_EINVAL;
        if (dr[i] >= user_end || user_end - dr[i] < n)
            return -SG_EINVAL;
    }
    return 0;
}
