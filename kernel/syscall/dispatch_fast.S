/*
 * dispatch_fast.S - the dispatcher's front, syscall_enter: the fast path
 * of every door but the 64-bit SYSCALL door (which has its own, shorter
 * one: entry/syscall.S).
 *
 * Every door calls this right after it has saved the complete frame, with
 * the caller's registers still live and the frame just above the return
 * address.  The common case - arguments in registers, a FAST call or a
 * number no call has - takes a handful of instructions: the handler is
 * called through front_table64/32 (tables.h) with the six arguments in the
 * C ABI's registers (rdi rsi rdx rcx r8 r9; a handler that takes fewer
 * ignores the rest, as the System V ABI allows) and its result goes to the
 * frame's rax.
 *   64-bit caller: rax = number; rdi rsi rdx r10 r8 r9 (r10 becomes rcx)
 *   32-bit caller: eax = number; ebx ecx edx esi edi ebp, zero-extended
 *                  (the upper halves are undefined after compatibility mode)
 * Everything else goes to the C dispatcher, syscall_dispatch() (dispatch.c):
 *   - a FULL call: its table slot is front_full_call (below);
 *   - the stack and argument-page ways (a number past the tables without
 *     them is answered -ENOSYS here once the process's first has been
 *     logged);
 *   - every call while percpu.work is set (the trace; work before the
 *     return to user mode, which ret_user then does: entry/exit.S).
 *
 * Every call is counted in the calling process (struct proc's syscalls,
 * which sg_info reports): whatever the door, every system call passes
 * here exactly once.
 *
 * Every call entered is counted (percpu.syscalls: sg_info's count of a
 * process's system calls).
 *
 * The doors restore every register from the frame afterwards, so nothing
 * here needs preserving.  syscall_enter64 skips the test of the caller's
 * width, for sysenter's 64-bit path, which only 64-bit code can take.
 */
#include "tables.h"
#include "../entry/frame.h"

#define F(field) (8 + FRAME_##field)(%rsp)      /* the frame, above our return address */

    .text
    .globl syscall_enter, syscall_enter64, front_full_call
    .align 16
syscall_enter:
    cmpq    $USER64_CS, F(CS)
    jne     enter32
syscall_enter64:
    incq    %gs:PERCPU_SYSCALLS
    cmpq    $0, %gs:PERCPU_WORK
    jne     to_dispatcher
    cmp     $SYSCALL_TABLE_SIZE, %rax
    jae     past_table
    mov     %r10, %rcx
    call    *front_table64(,%rax,8)
    mov     %rax, F(RAX)
    ret

/* A number past the tables: -ENOSYS here, unless it asks for another
 * argument way (abi.h), which the C dispatcher reads, or is the process's
 * first such number, which the C dispatcher logs (trace.c). */
past_table:
    PAST_TABLES_OR to_dispatcher
    movq    $-SG_ENOSYS, F(RAX)
    ret

to_dispatcher:
    lea     8(%rsp), %rdi
    jmp     syscall_dispatch

enter32:
    incq    %gs:PERCPU_SYSCALLS
    cmpq    $USER32_CS, F(CS)
    jne     to_dispatcher
    cmpq    $0, %gs:PERCPU_WORK
    jne     to_dispatcher
    mov     %eax, %eax
    cmp     $SYSCALL_TABLE_SIZE, %rax
    jae     past_table
    mov     %edi, %r8d                  /* 5th: edi */
    mov     %ebp, %r9d                  /* 6th: ebp */
    mov     %esi, %r10d
    mov     %ecx, %esi                  /* 2nd: ecx */
    mov     %r10d, %ecx                 /* 4th: esi */
    mov     %ebx, %edi                  /* 1st: ebx */
    mov     %edx, %edx                  /* 3rd: edx */
    call    *front_table32(,%rax,8)
    mov     %rax, F(RAX)
    ret

/* A FULL call's slot in front_table64/32: the C dispatcher runs it with
 * the whole frame (which these doors have saved), and the front stores
 * what it left in the frame's rax back into it. */
front_full_call:
    lea     16(%rsp), %rdi              /* above our and the front's return addresses */
    call    syscall_dispatch
    mov     16 + FRAME_RAX(%rsp), %rax
    ret

    .section .note.GNU-stack, "", @progbits
