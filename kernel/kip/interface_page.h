/*
 * The kernel interface pages (seed 001: Windows XP's SharedUserData stub,
 * L4's kernel info page; seed 003: Linux's vDSO).  One read-only ELF image
 * per process width, the same frames in every process of that width,
 * mapped at an address chosen at boot, with the shared data page (struct
 * sg_vvar) just below it.  Each holds sysgate's header (include/sysgate/
 * kip.h), one stub per door, a default entry that boot code points at the
 * best door this CPU has (for 32-bit processes __kernel_vsyscall,
 * AT_SYSINFO), and the time functions that answer from the data page.
 */
#ifndef SYSGATE_KIP_H
#define SYSGATE_KIP_H

#include <stdbool.h>
#include <stdint.h>

struct sg_vvar;

/* Builds both interface pages at boot: `doors64`/`doors32` are the masks of
 * (1 << SG_MECH_x) each width may use, whose stubs the page keeps, and
 * `default64`/`default32` the door its default entry jumps to (entry_init
 * decides them: entry/entry.h). */
/* randomize false (the command line's `norandmaps`, as Linux's): the
 * pages at the first slot of their ranges instead of one drawn per boot. */
void kip_init(uint32_t doors64, int default64, uint32_t doors32, int default32, bool randomize);
/* Maps the data page and the image for a process of `bits` (64 or 32);
 * returns the image's address or 0. */
uint64_t kip_map(uint64_t *pml4, int bits);
/* The image's ELF header in a process of `bits`: AT_SYSINFO_EHDR, SG_AT_KIP. */
uint64_t kip_vdso_base(int bits);
/* The default entry; for 32-bit processes __kernel_vsyscall (AT_SYSINFO). */
uint64_t kip_default_entry(int bits);
/* What kip_map maps for `bits`' processes: [*start, *end), the data page
 * and every page of the image. */
void kip_span(int bits, uint64_t *start, uint64_t *end);
/* The data page, as the kernel writes it. */
struct sg_vvar *kip_vvar(void);
/* Where the 32-bit sysenter stub continues after SYSEXIT. */
uint64_t kip32_sysenter_return(void);
/* Door `mech`'s stub in every process of the width (its user address), or
 * 0 where the door is not offered to that width. */
uint64_t kip_stub(int bits, int mech);
/* The same stub's bytes in the kernel's copy (NULL where not offered). */
const uint8_t *kip_stub_bytes(int bits, int mech);
/* The kernel's copy of the `n` image bytes at user address `addr` of the
 * width's interface page (NULL unless all of them are in the image). */
const uint8_t *kip_code_at(int bits, uint64_t addr, uint64_t n);
/* The 32-bit image's __kernel_rt_sigreturn (rt) or __kernel_sigreturn: a
 * handler's return address when it came without SA_RESTORER. */
uint64_t kip32_sigreturn(bool rt);

#endif
