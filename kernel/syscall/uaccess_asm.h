/*
 * Assembly helpers for touching user memory (uaccess.S, entry/trap.S), and
 * for the doors that must close the SMAP window the user left open
 * (entry/int80.S, entry/interrupts.S, entry/trap.S).
 *
 * EXTABLE insn, fixup: the instruction at `insn` may fault on a user
 * address; the page-fault handler resumes at `fixup` (arch/traps.c).
 *
 * SMAP_OPEN / SMAP_CLOSE: with SMAP on, ring-0 access to user pages faults
 * unless RFLAGS.AC is set (Intel SDM vol. 3A 4.6.1); STAC opens the window,
 * CLAC closes it.  Both are #UD on a CPU without SMAP: each one's address
 * goes to the __smap_sites section, and at boot, on such a CPU,
 * smap_patch_sites() (arch/cpu.c) overwrites every one with a three-byte
 * NOP before anything can run it (Linux's ALTERNATIVE for X86_FEATURE_SMAP
 * does the same).  A window costs one instruction at each end.
 * SMAP_CLOSE is also the first thing an interrupt, trap or call gate door
 * does: such a gate does not clear AC (Intel SDM vol. 3A 6.12.1.3), and a
 * user-set AC would switch SMAP off in the kernel.
 */
#ifndef SYSGATE_UACCESS_ASM_H
#define SYSGATE_UACCESS_ASM_H

.macro EXTABLE insn, fixup
    .pushsection __ex_table, "a"
    .balign 8
    .quad \insn, \fixup
    .popsection
.endm

/* One STAC or CLAC (three bytes each: 0f 01 cb, 0f 01 ca), listed. */
.macro SMAP_SITE insn
.Lsmap_site\@:
    \insn
    .pushsection __smap_sites, "a"
    .balign 8
    .quad .Lsmap_site\@
    .popsection
.endm

.macro SMAP_OPEN
    SMAP_SITE stac
.endm

.macro SMAP_CLOSE
    SMAP_SITE clac
.endm

#endif
