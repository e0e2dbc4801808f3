/*
 * syscall.S - how the user library enters the kernel, for both widths.
 *
 * long sg_syscall(long nr, long a1, ..., long a6)
 *   through the interface page's default entry.
 * long sg_syscall_int80(long nr, long a1, ..., long a6)
 *   straight through int $0x80.
 * long sg_call_stub(uintptr_t stub, long nr, long a1, ..., long a6)
 *   through one interface-page stub, arguments in registers.
 * long sg_call_stub_stack(uintptr_t stub, long nr, long a1, ..., long a6)
 *   the same with the arguments on the stack above the stub's return
 *   address (SG_ARGS_STACK must be in nr); the argument registers are
 *   zeroed so that only the stack can carry them.
 *
 * 64-bit: C passes nr a1..a5 in rdi rsi rdx rcx r8 r9 and a6 on the stack;
 * the kernel wants rax = nr and rdi rsi rdx r10 r8 r9 (docs/abi.md).
 * 32-bit: C passes everything on the stack; the kernel wants eax = nr and
 * ebx ecx edx esi edi ebp, four of which C expects preserved.
 */
    .text
#ifdef __x86_64__

/* Shuffle C's registers into the kernel's: nr a1..a6 arrive in rdi rsi
 * rdx rcx r8 r9 [rsp+8]. */
.macro SHUFFLE_ARGS
    mov     %rdi, %rax
    mov     %rsi, %rdi
    mov     %rdx, %rsi
    mov     %rcx, %rdx
    mov     %r8, %r10
    mov     %r9, %r8
    mov     8(%rsp), %r9
.endm

    .globl sg_syscall
sg_syscall:
    SHUFFLE_ARGS
    call    *sg_kip_entry(%rip)
    ret

    .globl sg_syscall_int80
sg_syscall_int80:
    SHUFFLE_ARGS
    int     $0x80
    ret

    .globl sg_call_stub
sg_call_stub:
    mov     %rdi, %r11
    mov     %rsi, %rax
    mov     %rdx, %rdi
    mov     %rcx, %rsi
    mov     %r8, %rdx
    mov     %r9, %r10
    mov     8(%rsp), %r8
    mov     16(%rsp), %r9
    call    *%r11
    ret

    .globl sg_call_stub_stack
sg_call_stub_stack:
    mov     8(%rsp), %rax
    mov     16(%rsp), %r10
    sub     $56, %rsp               /* six arguments, RSP stays 16-aligned at the call */
    mov     %rdx, 0(%rsp)
    mov     %rcx, 8(%rsp)
    mov     %r8, 16(%rsp)
    mov     %r9, 24(%rsp)
    mov     %rax, 32(%rsp)
    mov     %r10, 40(%rsp)
    mov     %rdi, %r11
    mov     %rsi, %rax
    xor     %edi, %edi
    xor     %esi, %esi
    xor     %edx, %edx
    xor     %r10d, %r10d
    xor     %r8d, %r8d
    xor     %r9d, %r9d
    call    *%r11
    add     $56, %rsp
    ret

/* Until crt0 has read the auxiliary vector, calls go through int $0x80. */
    .data
    .balign 8
    .globl sg_kip_entry
sg_kip_entry:
    .quad   sg_int80_stub
    .text
sg_int80_stub:
    int     $0x80
    ret

#else /* i386 */

/* After pushing ebx esi edi ebp, the first C argument is at 20(%esp). */
.macro LOAD_ARGS first
    push    %ebx
    push    %esi
    push    %edi
    push    %ebp
    mov     20+4*\first(%esp), %eax
    mov     24+4*\first(%esp), %ebx
    mov     28+4*\first(%esp), %ecx
    mov     32+4*\first(%esp), %edx
    mov     36+4*\first(%esp), %esi
    mov     40+4*\first(%esp), %edi
    mov     44+4*\first(%esp), %ebp
.endm
.macro RESTORE
    pop     %ebp
    pop     %edi
    pop     %esi
    pop     %ebx
.endm

    .globl sg_syscall
sg_syscall:
    LOAD_ARGS 0
    call    *sg_kip_entry
    RESTORE
    ret

    .globl sg_syscall_int80
sg_syscall_int80:
    LOAD_ARGS 0
    int     $0x80
    RESTORE
    ret

    .globl sg_call_stub
sg_call_stub:
    LOAD_ARGS 1
    call    *20(%esp)               /* the stub pointer, the first argument */
    RESTORE
    ret

    .globl sg_call_stub_stack
sg_call_stub_stack:
    push    %ebx
    push    %esi
    push    %edi
    push    %ebp
    mov     20(%esp), %ebp          /* the stub */
    mov     24(%esp), %eax          /* nr */
    sub     $28, %esp               /* six arguments, 16-aligned at the call */
    mov     28+28(%esp), %ebx
    mov     %ebx, 0(%esp)
    mov     28+32(%esp), %ebx
    mov     %ebx, 4(%esp)
    mov     28+36(%esp), %ebx
    mov     %ebx, 8(%esp)
    mov     28+40(%esp), %ebx
    mov     %ebx, 12(%esp)
    mov     28+44(%esp), %ebx
    mov     %ebx, 16(%esp)
    mov     28+48(%esp), %ebx
    mov     %ebx, 20(%esp)
    xor     %ebx, %ebx
    xor     %ecx, %ecx
    xor     %edx, %edx
    xor     %esi, %esi
    xor     %edi, %edi
    mov     %ebp, %ebx              /* the stub pointer, out of ebp */
    xor     %ebp, %ebp
    call    *%ebx
    add     $28, %esp
    RESTORE
    ret

    .data
    .balign 4
    .globl sg_kip_entry
sg_kip_entry:
    .long   sg_int80_stub
    .text
sg_int80_stub:
    int     $0x80
    ret

#endif

    .section .note.GNU-stack, "", @progbits
