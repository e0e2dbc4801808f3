/*
 * uaccess.S - the only instructions in the kernel that may fault on a user
 * address.  Each such instruction has an entry in __ex_table (faulting
 * RIP, fixup RIP); the page-fault handler looks the RIP up there and
 * resumes at the fixup instead of panicking (kernel/arch/traps.c).
 *
 * With SMAP on, ring-0 access to user pages faults unless RFLAGS.AC is set
 * (Intel SDM vol. 3A 4.6.1): STAC opens the window, CLAC closes it.  Both
 * are #UD on a CPU without SMAP, hence the test of smap_enabled.
 */

.macro EXTABLE insn, fixup
    .pushsection __ex_table, "a"
    .balign 8
    .quad \insn, \fixup
    .popsection
.endm

.macro SMAP_OPEN
    testb   $1, smap_enabled(%rip)
    jz      99f
    stac
99:
.endm

.macro SMAP_CLOSE
    testb   $1, smap_enabled(%rip)
    jz      99f
    clac
99:
.endm

    .text

/* uint64_t uaccess_copy(void *dst, const void *src, uint64_t n)
 * rep movsb counts RCX down as it goes and a fault leaves RCX at what was
 * not yet copied (SDM vol. 2B REP), which is what we return. */
    .globl uaccess_copy
uaccess_copy:
    mov     %rdx, %rcx
    SMAP_OPEN
1:  rep movsb
2:  SMAP_CLOSE
    mov     %rcx, %rax
    ret
    EXTABLE 1b, 2b

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
