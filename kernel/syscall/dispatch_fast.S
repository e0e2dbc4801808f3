/*
 * dispatch_fast.S - the dispatcher's front: syscall_enter.
 *
 * Every 64-bit-capable door calls this right after it has saved the frame,
 * with the caller's registers still live and the frame just above the
 * return address.  The common case - a 64-bit caller, arguments in
 * registers, a number in one of the two tables - takes a handful of
 * instructions: the handler is called with the six arguments in the C
 * ABI's registers (rdi rsi rdx rcx r8 r9: the system-call ABI's r10 becomes
 * rcx; a handler that takes fewer ignores the rest, as the System V ABI
 * allows) and its result goes to the frame's rax.  Everything else -
 * 32-bit callers, the stack and argument-page ways, unknown numbers -
 * goes to the C dispatcher, syscall_dispatch() (dispatch.c), which fills
 * the same tables at boot and is the reference for what every call means.
 *
 * The doors restore every register from the frame afterwards, so nothing
 * here needs preserving.  syscall_enter64 skips the test of the caller's
 * width, for the doors only 64-bit code can come through (syscall, and
 * sysenter's 64-bit path).  Every empty slot of the tables holds
 * sys_enosys, so a number in range needs no further test.
 */
#include "../entry/frame.h"
#include "../../include/sysgate/abi.h"

#define LINUX_NR_MAX 512
#define F(field) (8 + FRAME_##field)(%rsp)      /* the frame, above our return address */

    .text
    .globl syscall_enter, syscall_enter64
    .align 16
syscall_enter:
    cmpq    $USER64_CS, F(CS)
    jne     3f
syscall_enter64:
    cmp     $LINUX_NR_MAX, %rax
    jae     1f
    mov     fast_table64(,%rax,8), %rax
    jmp     2f
1:  sub     $SG_PRIVATE_BASE, %rax
    cmp     $SG_PRIVATE_COUNT, %rax
    jae     3f
    mov     fast_private_table(,%rax,8), %rax
2:  mov     %r10, %rcx
    call    *%rax
    mov     %rax, F(RAX)
    ret
3:  lea     8(%rsp), %rdi
    jmp     syscall_dispatch

    .section .note.GNU-stack, "", @progbits
