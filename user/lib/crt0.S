/*
 * crt0.S - the process entry.  The kernel starts us with the stack pointer
 * at argc, followed by argv[], NULL, envp[], NULL and the auxiliary vector
 * (System V ABI: AMD64 3.4.1, i386 2.3.1), every other register zero.
 * sg_start(uintptr_t *sp) takes it from there.
 */
    .text
    .globl _start
_start:
#ifdef __x86_64__
    xor     %ebp, %ebp              /* outermost frame for debuggers */
    mov     %rsp, %rdi
    and     $-16, %rsp
    call    sg_start
#else
    xor     %ebp, %ebp
    mov     %esp, %eax
    and     $-16, %esp
    sub     $12, %esp               /* 16-byte aligned at the call */
    push    %eax
    call    sg_start
#endif
    ud2

    .section .note.GNU-stack, "", @progbits
