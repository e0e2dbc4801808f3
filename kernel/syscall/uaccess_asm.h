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
 * CLAC closes it.  Both are #UD on a CPU without SMAP, hence the test of
 * smap_enabled (arch/cpu.c).  SMAP_CLOSE is also the first thing an
 * interrupt, trap or call gate door does: such a gate does not clear AC
 * (Intel SDM vol. 3A 6.12.1.3), and a user-set AC would switch SMAP off in
 * the kernel.
 */
#ifndef SYSGATE_UACCESS_ASM_H
#define SYSGATE_UACCESS_ASM_H

.macro EXTABLE insn, fixup
    .pushsection __ex_table, "a"
    .balign 8
    .quad \insn, \fixup
    .popsection
.endm

.macro SMAP_OPEN
    testb   $1, smap_enabled(%rip)
    jz      99f
    stac
99:
.endm

.macro SMAP_CLOSE
    testb   $1, smap_enabled(%rip)
    jz      99f
    clac
99:
.endm

#endif
