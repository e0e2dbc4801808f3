/*
 * syscall.S - how the user library enters the kernel.
 *
 * long sg_syscall(long nr, long a1, ..., long a6)
 *   C passes nr a1..a5 in rdi rsi rdx rcx r8 r9 and a6 on the stack; the
 *   kernel wants rax = nr and rdi rsi rdx r10 r8 r9 (docs/abi.md), so we
 *   shuffle and call the interface page's default entry.  The stubs there
 *   preserve every callee-saved register (some mechanisms clobber rcx and
 *   r11, which C treats as scratch anyway).
 */
    .text
    .globl sg_syscall
sg_syscall:
    mov     %rdi, %rax
    mov     %rsi, %rdi
    mov     %rdx, %rsi
    mov     %rcx, %rdx
    mov     %r8, %r10
    mov     %r9, %r8
    mov     8(%rsp), %r9
    call    *sg_kip_entry(%rip)
    ret

    .globl sg_syscall_int80
sg_syscall_int80:
    mov     %rdi, %rax
    mov     %rsi, %rdi
    mov     %rdx, %rsi
    mov     %rcx, %rdx
    mov     %r8, %r10
    mov     %r9, %r8
    mov     8(%rsp), %r9
    int     $0x80
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


/*
 * long sg_call_stub(uint64_t stub, long nr, long a1, ..., long a6)
 *   calls one interface-page stub with the arguments in registers.
 * long sg_call_stub_stack(uint64_t stub, long nr, long a1, ..., long a6)
 *   the same with the arguments on the stack above the stub's return
 *   address (SG_ARGS_STACK must be in nr); the argument registers are
 *   zeroed so that only the stack can carry them.
 */
    .text
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

    .section .note.GNU-stack, "", @progbits
