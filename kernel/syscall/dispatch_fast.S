/*
 * dispatch_fast.S - the dispatcher's front: void syscall_enter(struct frame *)
 *
 * Every door calls this.  The common case - a 64-bit caller, its arguments
 * in registers, a number in one of the two tables - takes a handful of
 * instructions here: the handler is called with the six arguments in the
 * C ABI's registers (rdi rsi rdx rcx r8 r9; the system-call ABI's r10
 * becomes rcx) and its result stored in the frame's rax.  A handler that
 * takes fewer arguments ignores the rest, as the System V ABI allows.
 * Everything else - 32-bit callers, the stack and argument-page ways,
 * unknown numbers - goes to the C dispatcher, syscall_dispatch()
 * (dispatch.c), which fills the same tables at boot and is the reference
 * for what every call means.
 *
 * Called only by the doors, which restore every register from the frame
 * afterwards: rbx, callee-saved in C, is used here without saving it.
 */
#include "../entry/frame.h"
#include "../../include/sysgate/abi.h"

#define LINUX_NR_MAX 512

    .text
    .globl syscall_enter
    .align 16
syscall_enter:
    cmpq    $USER64_CS, FRAME_CS(%rdi)
    jne     syscall_dispatch
    mov     FRAME_RAX(%rdi), %rax
    cmp     $LINUX_NR_MAX, %rax
    jae     1f
    mov     fast_table64(,%rax,8), %rax
    jmp     2f
1:  sub     $SG_PRIVATE_BASE, %rax
    cmp     $SG_PRIVATE_COUNT, %rax
    jae     syscall_dispatch
    mov     fast_private_table(,%rax,8), %rax
2:  test    %rax, %rax
    jz      syscall_dispatch
    mov     %rdi, %rbx
    mov     FRAME_RSI(%rbx), %rsi
    mov     FRAME_RDX(%rbx), %rdx
    mov     FRAME_R10(%rbx), %rcx
    mov     FRAME_R8(%rbx), %r8
    mov     FRAME_R9(%rbx), %r9
    mov     FRAME_RDI(%rbx), %rdi
    call    *%rax
    mov     %rax, FRAME_RAX(%rbx)
    ret

    .section .note.GNU-stack, "", @progbits
