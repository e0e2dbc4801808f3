/*
 * dispatch_fast.S - the dispatcher's front, syscall_enter: the fast path
 * of every door with a complete frame (the 64-bit SYSCALL and int $0x80
 * doors and every door's 32-bit path have their own, shorter ones:
 * entry/syscall.S, entry/int80.S, entry/compat_doors.S).
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
#include "../arch/layout.h"

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
    jae     past_table64
    mov     %r10, %rcx
    call    *front_table64(,%rax,8)
    mov     %rax, F(RAX)
    ret

/* A number past the tables: -ENOSYS here, unless it asks for another
 * argument way (abi.h), or is the process's first such number, which the
 * C dispatcher logs (trace.c). */
past_table64:
    PAST_TABLES_OR way64, to_dispatcher
    movq    $-SG_ENOSYS, F(RAX)
    ret

/* The argument ways of a FAST call, as the syscall door's (entry/
 * syscall.S, docs/mechanisms.md "The argument ways"): each argument read
 * once with a guarded load, the page's result written back with one
 * guarded store; a fault on a load sends the call to the C dispatcher,
 * which reads them again and answers -EFAULT (nothing read here was used),
 * a fault on the store answers -EFAULT.  WAY_DECODE strips the flag from
 * rax; the C dispatcher reads the number from the frame. */
.macro FRONT_WAYS bits, first, step, page, args:vararg
way\bits:
    WAY_DECODE way\bits\()_page, to_dispatcher
    WAY_FAST fast_calls\bits, to_dispatcher
    STACK_ARGS_BASE F(RSP), stack_args_top\bits, %r10, to_dispatcher
    LOAD_ARGS %r10, \first, \step, way_fault, \args
    call    *front_table\bits(,%rax,8)
    mov     %rax, F(RAX)
    ret

way\bits\()_page:
    WAY_FAST fast_calls\bits, to_dispatcher
    movabs  $\page, %r10
    LOAD_ARGS %r10, 0, 8, way_fault, \args
    call    *front_table\bits(,%rax,8)
    STORE_RESULT \page, result_fault
    mov     %rax, F(RAX)
    ret
.endm

    FRONT_WAYS 64, 8, 8, USER_ARGPAGE, ARGS64

/* A 32-bit caller's: six 4-byte slots above the stub's return address,
 * or the low halves of the page's six quadwords; zero-extended (the C
 * ABI's 32-bit moves).  32-bit code comes here only through a door's
 * complete frame - from an LDT code segment, or a trap system call that
 * trap.c recognised: every door has its own fast path for USER32_CS
 * (entry/compat_doors.S). */
    FRONT_WAYS 32, 4, 4, USER32_ARGPAGE, ARGS32

result_fault:
    SMAP_CLOSE
    movq    $-SG_EFAULT, F(RAX)
    ret

way_fault:
    SMAP_CLOSE
    jmp     to_dispatcher

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
    jae     past_table32
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

past_table32:
    PAST_TABLES_OR way32, to_dispatcher
    movq    $-SG_ENOSYS, F(RAX)
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
