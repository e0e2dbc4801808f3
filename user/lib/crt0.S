/*
 * crt0.S - the process entry.  The kernel starts us with RSP at argc,
 * followed by argv[], NULL, envp[], NULL and the auxiliary vector
 * (System V AMD64 ABI 3.4.1), every other register zero.
 */
    .text
    .globl _start
_start:
    xor     %ebp, %ebp              /* outermost frame for debuggers */
    mov     %rsp, %rdi              /* the initial stack, for sg_start */
    and     $-16, %rsp
    call    sg_start
    ud2

    .section .note.GNU-stack, "", @progbits
