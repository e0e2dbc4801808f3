/*
 * segload.S - loading a user's selector into DS, ES, FS or GS from ring 0.
 *
 * The selector may be one the CPU refuses: a TLS slot or LDT entry the
 * process just emptied, an LDT selector without an LDT.  Such a load
 * raises #GP or #NP (Intel SDM vol. 2B MOV, "Loading a segment register
 * while in protected mode"); the exception table sends the handler to the
 * fixup, which loads the null selector instead - always allowed for DS,
 * ES, FS and GS (SDM vol. 3A 3.4.2) - as Linux's loadsegment() does.
 *
 * GS: `mov %gs` replaces the hidden GS base, which in the kernel is the
 * per-CPU block's.  The load happens between two swapgs, so it lands in
 * the user's half (Linux: native_load_gs_index).  Interrupts are off in
 * the kernel; an exception or NMI inside the pair finds the user's GS base
 * in MSR_GS_BASE, which interrupt_common's GS test recognises (a user
 * base is never a kernel address: arch_prctl refuses those).
 */
#include "../syscall/uaccess_asm.h"

    .text

.macro SEGLOAD reg
    .globl seg_load_\reg
seg_load_\reg:
1:  mov     %di, %\reg
    ret
2:  xor     %edi, %edi
    jmp     1b
    EXTABLE 1b, 2b
.endm

    SEGLOAD ds
    SEGLOAD es
    SEGLOAD fs

    .globl seg_load_gs
seg_load_gs:
    swapgs
1:  mov     %di, %gs
    swapgs
    ret
2:  xor     %edi, %edi
    jmp     1b
    EXTABLE 1b, 2b

    .section .note.GNU-stack, "", @progbits
