/*
 * The kernel interface page (seed 001: Windows XP's SharedUserData stub,
 * L4's kernel info page).  One read-only, user-executable page, the same
 * frame in every process, mapped at an address chosen at boot.  It starts
 * with a header (struct sg_kip_header in include/sysgate/kip.h), holds one
 * stub per entry mechanism and a default entry that boot code points at
 * the best mechanism this CPU has.
 */
#ifndef SYSGATE_KIP_H
#define SYSGATE_KIP_H

#include <stdint.h>

void kip_init(void);
/* Maps the page into a new address space; returns its user address or 0. */
uint64_t kip_map(uint64_t *pml4);
uint64_t kip_user_address(void);

#endif
