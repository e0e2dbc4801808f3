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

    .section .note.GNU-stack, "", @progbits
