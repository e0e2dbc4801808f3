/*
 * bench-exit.S - /bin/bench-exit and /bin/bench-exit32: the program the
 * fork_exec row of user/bench/lmbench.h executes, on sysgate and in the
 * Linux peer alike.  It only ends: exit_group(0), as lmbench's lat_proc
 * exec runs a program that does next to nothing.  Built by the host without
 * a C library and the same file put into both systems' initrds
 * (tools/bench.mk), so that both kernels load the same image.  The number
 * is Linux's own (<asm/unistd.h>: unistd_64.h or, with -m32, unistd_32.h).
 */
#include <asm/unistd.h>

    .text
    .globl _start
_start:
#ifdef __x86_64__
    mov     $__NR_exit_group, %eax
    xor     %edi, %edi
    syscall
#else
    mov     $__NR_exit_group, %eax
    xor     %ebx, %ebx
    int     $0x80
#endif
    ud2

    .section .note.GNU-stack, "", @progbits
