/*
 * kip32_stubs.S - the code of the 32-bit interface page, for processes in
 * compatibility mode.  A template like kip_stubs.S: kip.c copies it into a
 * frame below 4 GiB, fills in the header and patches the default entry,
 * which is __kernel_vsyscall: its address reaches the process as AT_SYSINFO.
 *
 * Every stub is called (`call`) with Linux i386's registers - eax =
 * number, ebx ecx edx esi edi ebp = arguments - and returns the result in
 * eax, every other register preserved (r8-r15 included).
 *
 * SYSENTER and 32-bit SYSCALL need the stack (docs/abi.md): the stub saves
 * ecx, edx and ebp there, which the instruction or the argument shuffle
 * destroys, and the kernel returns to the landing point right after the
 * instruction, which restores them (the dance of Linux's vDSO, seed 003):
 *   sysenter: ebp = esp (the kernel finds the user stack, and the 6th
 *             argument at [esp]); the kernel returns to the landing point
 *             with SYSEXIT
 *   syscall:  ebp = ecx (ecx is about to become the return EIP); the 6th
 *             argument at [esp]; SYSRET returns to the instruction after
 *             it, and SS is reloaded there: after SYSRET an AMD CPU may
 *             keep the hidden attributes of a NULL SS (Linux:
 *             X86_BUG_SYSRET_SS_ATTRS).
 */
#include "../../include/sysgate/kip.h"
#include "../arch/selectors_msrs.h"

    .section .kip32, "a"
    .code32
    .globl kip32_template_start
kip32_template_start:
    .skip SG_KIP_DEFAULT_OFFSET

/* __kernel_vsyscall: `jmp rel32` to the chosen stub, patched by kip.c. */
    .globl kip32_default_entry
kip32_default_entry:
    jmp     kip32_stub_int80
    .balign 16

    .globl kip32_stub_int80
kip32_stub_int80:
    int     $0x80
    ret
    .balign 16

    .globl kip32_stub_callgate
kip32_stub_callgate:
    lcall   $CALL_GATE_SEL, $0
    ret
    .balign 16

    .globl kip32_stub_syscall, kip32_syscall_landing
kip32_stub_syscall:
    push    %ecx
    push    %edx
    push    %ebp
    mov     %ecx, %ebp
    syscall
kip32_syscall_landing:
    mov     $USER_DS, %ecx
    mov     %ecx, %ss
    pop     %ebp
    pop     %edx
    pop     %ecx
    ret
    .balign 16

    .globl kip32_stub_sysenter, kip32_sysenter_landing
kip32_stub_sysenter:
    push    %ecx
    push    %edx
    push    %ebp
    mov     %esp, %ebp
    sysenter
kip32_sysenter_landing:
    pop     %ebp
    pop     %edx
    pop     %ecx
    ret
    .balign 16

    .globl kip32_stub_trap
kip32_stub_trap:
    ud2
    .ascii  "SG"
    ret
    .balign 16

    .globl kip32_stub_end, kip32_template_end
kip32_stub_end:
kip32_template_end:
    .code64

    .section .note.GNU-stack, "", @progbits
