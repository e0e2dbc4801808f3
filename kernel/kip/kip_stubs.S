/*
 * kip_stubs.S - the code of the kernel interface page.  This section is a
 * template: kip.c copies it into a frame at boot, fills in the header,
 * marks the stubs of mechanisms this CPU lacks as absent (and overwrites
 * them with UD2) and patches the default entry.  The code runs in ring 3
 * at whatever address the page gets, so it is position independent.
 *
 * Every stub is called (`call`) with rax = number and rdi rsi rdx r10 r8
 * r9 = arguments (or the SG_ARGS_* flag and the arguments above the
 * return address / in the argument page) and returns the result in rax.
 * Each preserves every register but rax, rcx and r11 (docs/abi.md).
 */
#include "../../include/sysgate/kip.h"
#include "../arch/selectors_msrs.h"

    .section .kip, "a"
    .globl kip_template_start
kip_template_start:
    .skip SG_KIP_DEFAULT_OFFSET         /* header, filled in by kip.c */

/* The default entry: `jmp rel32` to the chosen stub, patched by kip.c. */
    .globl kip_default_entry
kip_default_entry:
    jmp     kip_stub_int80
    .balign 16

    .globl kip_stub_int80
kip_stub_int80:
    int     $0x80
    ret
    .balign 16

/* A far call through the call gate.  The gate supplies the target; only
 * the selector of the pointer matters.  No REX.W: the m16:32 form, which
 * Intel and AMD decode alike. */
    .globl kip_stub_callgate
kip_stub_callgate:
    lcall   *kip_callgate_pointer(%rip)
    ret
    .balign 8
kip_callgate_pointer:
    .long   0
    .word   CALL_GATE_SEL
    .balign 16

    .globl kip_stub_syscall
kip_stub_syscall:
    syscall
    ret
    .balign 16

/* SYSENTER saves nothing: pass the return RIP in rcx and the stack
 * pointer in r11.  SYSEXIT comes back with RDX = RIP, so the caller's rdx
 * waits in the red zone (nothing in sysgate writes below a user RSP). */
    .globl kip_stub_sysenter
kip_stub_sysenter:
    mov     %rdx, -8(%rsp)
    mov     %rsp, %r11
    lea     1f(%rip), %rcx
    sysenter
1:  mov     -8(%rsp), %rdx
    ret
    .balign 16

/* UD2 and the signature "SG" (entry/trap.c). */
    .globl kip_stub_trap
kip_stub_trap:
    ud2
    .ascii  "SG"
    ret
    .balign 16

    .globl kip_stub_end
kip_stub_end:
    .globl kip_template_end
kip_template_end:

    .section .note.GNU-stack, "", @progbits
