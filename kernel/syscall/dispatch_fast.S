/*
 * dispatch_fast.S - the dispatcher's front: syscall_enter.
 *
 * Every door calls this right after it has saved the frame, with the
 * caller's registers still live and the frame just above the return
 * address.  The common case - arguments in registers, a number in one of
 * the tables - takes a handful of instructions: the handler is called with
 * the six arguments in the C ABI's registers (rdi rsi rdx rcx r8 r9; a
 * handler that takes fewer ignores the rest, as the System V ABI allows)
 * and its result goes to the frame's rax.
 *   64-bit caller: rax = number; rdi rsi rdx r10 r8 r9 (r10 becomes rcx)
 *   32-bit caller: eax = number; ebx ecx edx esi edi ebp, zero-extended
 *                  (the upper halves are undefined after compatibility mode)
 * Everything else - the stack and argument-page ways, numbers outside the
 * tables - goes to the C dispatcher, syscall_dispatch() (dispatch.c), which
 * fills the same tables at boot and is the reference for what every call
 * means.
 *
 * Every call is counted in the calling process (struct proc's syscalls,
 * which sg_info reports): whatever the door, every system call passes
 * here exactly once.
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
    jne     4f
syscall_enter64:
    mov     percpu0 + PERCPU_CURRENT, %r11
    incq    PROC_SYSCALLS(%r11)
    /* The trace (syscall_force_full, trace.c) wants every call in C. */
    cmpl    $0, syscall_force_full(%rip)
    jne     3f
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

4:  mov     percpu0 + PERCPU_CURRENT, %r11
    incq    PROC_SYSCALLS(%r11)
    cmpq    $USER32_CS, F(CS)
    jne     3b
    /* The trace (syscall_force_full, trace.c) wants every call in C. */
    cmpl    $0, syscall_force_full(%rip)
    jne     3b
    mov     %eax, %eax
    cmp     $LINUX_NR_MAX, %rax
    jae     5f
    mov     fast_table32(,%rax,8), %rax
    jmp     6f
5:  sub     $SG_PRIVATE_BASE, %rax
    cmp     $SG_PRIVATE_COUNT, %rax
    jae     3b
    mov     fast_private_table(,%rax,8), %rax
6:  mov     %edi, %r8d                  /* 5th: edi */
    mov     %ebp, %r9d                  /* 6th: ebp */
    mov     %esi, %r10d
    mov     %ecx, %esi                  /* 2nd: ecx */
    mov     %r10d, %ecx                 /* 4th: esi */
    mov     %ebx, %edi                  /* 1st: ebx */
    mov     %edx, %edx                  /* 3rd: edx */
    call    *%rax
    mov     %rax, F(RAX)
    ret

    .section .note.GNU-stack, "", @progbits
