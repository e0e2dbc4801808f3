/*
 * The kernel interface pages (seed 001: Windows XP's SharedUserData stub,
 * L4's kernel info page).  One read-only, user-executable page per process
 * width, the same frame in every process of that width, mapped at an
 * address chosen at boot.  Each starts with a header (struct sg_kip_header
 * in include/sysgate/kip.h), holds one stub per door and a default entry
 * that boot code points at the best door this CPU has; for 32-bit
 * processes the default entry is __kernel_vsyscall (AT_SYSINFO).
 */
#ifndef SYSGATE_KIP_H
#define SYSGATE_KIP_H

#include <stdint.h>

void kip_init(void);
/* Maps the page for a process of `bits` (64 or 32); returns its address or 0. */
uint64_t kip_map(uint64_t *pml4, int bits);
uint64_t kip_user_address(int bits);
/* Where the 32-bit sysenter stub continues after SYSEXIT. */
uint64_t kip32_sysenter_return(void);

#endif
