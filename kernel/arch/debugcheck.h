/* The checks of sg_set_debugreg (debugcheck.c), apart from the kernel
 * state so that the host unit tests can run them. */
#ifndef SYSGATE_DEBUGCHECK_H
#define SYSGATE_DEBUGCHECK_H

#include <stdint.h>

#define DR7_FIXED   (1ul << 10)    /* reads as 1 */
#define DR7_GD      (1ul << 13)    /* general detect: #DB on any MOV DR */

/* The DR7 value (with dr[] the addresses it enables) a process may have,
 * or -EINVAL.  Addresses below user_end only, aligned to the length; no
 * I/O breakpoints (RW = 10); instruction breakpoints of length 1 only; no
 * GD; reserved bits 0 (Intel SDM vol. 3B 18.2.4, 18.2.5). */
int debug_check(const uint64_t dr[4], uint64_t dr7, uint64_t user_end);

#endif
