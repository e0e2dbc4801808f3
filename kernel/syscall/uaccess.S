/*
 * uaccess.S - the only instructions in the kernel that may fault on a user
 * address.  Each such instruction has an entry in __ex_table (faulting
 * RIP, fixup RIP); the page-fault handler looks the RIP up there and
 * resumes at the fixup instead of panicking (kernel/arch/traps.c).
 *
 * With SMAP on, ring-0 access to user pages faults unless RFLAGS.AC is set
 * (Intel SDM vol. 3A 4.6.1): STAC opens the window, CLAC closes it (both
 * patched to NOPs on a CPU without SMAP: uaccess_asm.h).
 */

#include "uaccess_asm.h"

    .text

/* uint64_t uaccess_copy(void *dst, const void *src, uint64_t n)
 * A rep string move counts RCX down as it goes and a fault leaves RCX at
 * what was not yet moved (SDM vol. 2B REP), which is what we return (in
 * bytes).  Whole quadwords move 8 at a time: system-call arguments and
 * most structures are a multiple of 8. */
    .globl uaccess_copy
uaccess_copy:
    mov     %rdx, %rcx
    SMAP_OPEN
    test    $7, %cl
    jnz     3f
    shr     $3, %rcx
1:  rep movsq
2:  SMAP_CLOSE
    lea     (,%rcx,8), %rax
    ret
3:  rep movsb
4:  SMAP_CLOSE
    mov     %rcx, %rax
    ret
    EXTABLE 1b, 2b
    EXTABLE 3b, 4b

/* int uaccess_get32(uint32_t *dst, const void *src): one guarded 4-byte
 * load; 0, or -1 when it faulted. */
    .globl uaccess_get32
uaccess_get32:
    SMAP_OPEN
7:  movl    (%rsi), %eax
    SMAP_CLOSE
    movl    %eax, (%rdi)
    xor     %eax, %eax
    ret
8:  SMAP_CLOSE
    mov     $-1, %eax
    ret
    EXTABLE 7b, 8b

/* int64_t uaccess_strncpy(char *dst, const char *src, uint64_t max)
 * Copies up to max bytes and stops after a NUL; returns the string length
 * (max when no NUL was found) or -1 when a read faulted. */
    .globl uaccess_strncpy
uaccess_strncpy:
    xor     %eax, %eax
    SMAP_OPEN
3:  cmp     %rdx, %rax
    je      5f
4:  movb    (%rsi,%rax), %cl
    movb    %cl, (%rdi,%rax)
    test    %cl, %cl
    jz      5f
    inc     %rax
    jmp     3b
5:  SMAP_CLOSE
    ret
6:  mov     $-1, %rax
    jmp     5b
    EXTABLE 4b, 6b

    .section .note.GNU-stack, "", @progbits
