/*
 * front_ways.S - the argument ways of a FAST call for the doors that make
 * their call from C through the dispatcher's front (front.h: the exception
 * doors), taken as the assembly fast paths take them (tables.h, DOOR_WAYS;
 * docs/mechanisms.md "The argument ways").
 *
 * int front_way64(struct frame *f, uint64_t number)
 * int front_way32(struct frame *f, uint64_t number)
 *   number: the frame's rax (32-bit: its low half), past the tables.  When
 *   it is a FAST call's number with exactly one way's flag (WAY_DECODE,
 *   WAY_FAST), the six arguments are read once from user memory - the
 *   stack above the caller's return address (below USER_END), or the
 *   argument page - with guarded loads straight into the C ABI's argument
 *   registers (32-bit: words, zero-extended), the handler is called through
 *   front_table64/32, the page's result written back with one guarded
 *   store (-EFAULT when it faults), the result put in f->rax, and 0
 *   returned.  Anything else - no such call, both flags, a stack out of
 *   range, a load that faulted - returns 1 with nothing read or done: the
 *   front then takes the C dispatcher (or answers -ENOSYS for a number
 *   past the tables), which reads the arguments again and answers -EFAULT
 *   where they cannot be read.
 */
#include "tables.h"
#include "../entry/frame.h"
#include "../arch/layout.h"

.macro FRONT_WAY name, bits, top, first, step, page, args:vararg
    .globl \name
    .align 16
\name:
    push    %rdi                        /* f: also aligns the stack for the call */
    mov     %rsi, %rax
    WAY_DECODE 1f, 9f
    WAY_FAST fast_calls\bits, 9f
    STACK_ARGS_BASE FRAME_RSP(%rdi), \top, %r10, 9f
    LOAD_ARGS %r10, \first, \step, 8f, \args
    call    *front_table\bits(,%rax,8)
    pop     %rdi
    mov     %rax, FRAME_RAX(%rdi)
    xor     %eax, %eax
    ret

1:  WAY_FAST fast_calls\bits, 9f        /* the argument page */
    movabs  $\page, %r10
    LOAD_ARGS %r10, 0, 8, 8f, \args
    call    *front_table\bits(,%rax,8)
    STORE_RESULT \page, 7f
2:  pop     %rdi
    mov     %rax, FRAME_RAX(%rdi)
    xor     %eax, %eax
    ret

7:  SMAP_CLOSE                          /* the page's store faulted */
    mov     $-SG_EFAULT, %rax
    jmp     2b

8:  SMAP_CLOSE                          /* a load faulted */
9:  pop     %rdi
    mov     $1, %eax
    ret
.endm

    .text
    FRONT_WAY front_way64, 64, stack_args_top64, 8, 8, USER_ARGPAGE, ARGS64
    FRONT_WAY front_way32, 32, stack_args_top32, 4, 4, USER32_ARGPAGE, ARGS32

    .section .note.GNU-stack, "", @progbits
