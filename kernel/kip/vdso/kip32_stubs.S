/*
 * kip32_stubs.S - the header and the doors of the 32-bit interface page,
 * for processes in compatibility mode.  A template like kip_stubs.S: kip.c
 * copies the linked image into frames below 4 GiB, fills in the header and
 * patches the default entry, which is __kernel_vsyscall: its address
 * reaches the process as AT_SYSINFO.
 *
 * Every stub is called (`call`) with Linux i386's registers - eax =
 * number, ebx ecx edx esi edi ebp = arguments - and returns the result in
 * eax, every other register preserved (r8-r15 included).
 *
 * SYSENTER and 32-bit SYSCALL need the stack (docs/abi.md): the stub saves
 * ecx, edx and ebp there, which the instruction or the argument shuffle
 * destroys, and the kernel returns to the landing point right after the
 * instruction, which restores them (the dance of Linux's vDSO, seed 003):
 *   sysenter: ebp = esp (the kernel finds the user stack, and the 6th
 *             argument at [esp]); the kernel returns to the landing point
 *             with SYSEXIT
 *   syscall:  ebp = ecx (ecx is about to become the return EIP); the 6th
 *             argument at [esp]; SYSRET returns to the instruction after
 *             it, and SS is reloaded there: after SYSRET an AMD CPU may
 *             keep the hidden attributes of a NULL SS (Linux:
 *             X86_BUG_SYSRET_SS_ATTRS).
 */
#include <sysgate/abi.h>
#include <sysgate/kip.h>
#include <sysgate/syscall_numbers_asm.h>
#include "../../arch/selectors_msrs.h"

#define HEADER_FIELD(field) .org __sg_kip_header + SG_KIP_HDR_##field
#define OFFSET(label) .long SG_KIP_HEADER_OFFSET + (label - __sg_kip_header)

    .section .sg_kip, "ax"
    .globl __sg_kip_header
    .type __sg_kip_header, @object
__sg_kip_header:
    HEADER_FIELD(MAGIC)
    .quad   SG_KIP_MAGIC
    .long   SG_KIP_VERSION
    .long   0                           /* mechanisms: kip.c */
    .long   0                           /* default mechanism: kip.c */
    HEADER_FIELD(STUB_OFFSET)           /* in SG_MECH order */
#define DOOR(NAME, name, nr, rank, what) OFFSET(__sg_stub_##name);
#include <sysgate/doors.def>
#undef DOOR
    HEADER_FIELD(DEFAULT_OFFSET)
    OFFSET(__kernel_vsyscall)
    OFFSET(sysenter_landing)
    .long   0                           /* image size: kip.c */
    .long   SG_KIP_VVAR_OFFSET
    HEADER_FIELD(SIZE)
    .size __sg_kip_header, . - __sg_kip_header
    .balign 16

/* __kernel_vsyscall: `jmp rel32` to the chosen stub, patched by kip.c. */
    .globl __kernel_vsyscall, __sg_default_entry, sg_default_entry_local
    .hidden sg_default_entry_local
    .type __kernel_vsyscall, @function
    .type __sg_default_entry, @function
__kernel_vsyscall:
__sg_default_entry:
sg_default_entry_local:                  /* for vclock.c: hidden, so calls need no relocation */
    .byte   0xe9
    .long   __sg_stub_int80 - (. + 4)
    .size __kernel_vsyscall, . - __kernel_vsyscall
    .size __sg_default_entry, . - __sg_default_entry
    .balign 16

    .globl __sg_stub_int80
    .type __sg_stub_int80, @function
__sg_stub_int80:
    int     $0x80
    ret
    .size __sg_stub_int80, . - __sg_stub_int80
    .balign 16

    .globl __sg_stub_callgate
    .type __sg_stub_callgate, @function
__sg_stub_callgate:
    lcall   $CALL_GATE_SEL, $0
    ret
    .size __sg_stub_callgate, . - __sg_stub_callgate
    .balign 16

    .globl __sg_stub_syscall
    .type __sg_stub_syscall, @function
__sg_stub_syscall:
    push    %ecx
    push    %edx
    push    %ebp
    mov     %ecx, %ebp
    syscall
    mov     $USER_DS, %ecx
    mov     %ecx, %ss
    pop     %ebp
    pop     %edx
    pop     %ecx
    ret
    .size __sg_stub_syscall, . - __sg_stub_syscall
    .balign 16

    .globl __sg_stub_sysenter
    .type __sg_stub_sysenter, @function
__sg_stub_sysenter:
    push    %ecx
    push    %edx
    push    %ebp
    mov     %esp, %ebp
    sysenter
sysenter_landing:
    pop     %ebp
    pop     %edx
    pop     %ecx
    ret
    .size __sg_stub_sysenter, . - __sg_stub_sysenter
    .balign 16

    .globl __sg_stub_trap
    .type __sg_stub_trap, @function
__sg_stub_trap:
    ud2
    .ascii  "SG"
    ret
    .size __sg_stub_trap, . - __sg_stub_trap
    .balign 16

/* A division by zero with no register to spare and no RIP-relative
 * address: the zero divisor is pushed (6A 00), then divl (%esp) (F7 34
 * 24) raises #DE, a fault - the saved EIP is the div, which changed
 * nothing.  The kernel takes the zero back off the stack (so that the
 * call sees the stack as the caller left it: the stack way's arguments
 * where every door has them) and resumes at the ret. */
    .globl __sg_stub_divide
    .type __sg_stub_divide, @function
__sg_stub_divide:
    push    $0
    divl    (%esp)
    ret
    .size __sg_stub_divide, . - __sg_stub_divide
    .balign 16

/* bound (62 /r, 32-bit code only) against the range [1, 0] pushed on the
 * stack, which no value is in: #BR, a fault - the saved EIP is the bound,
 * which changed nothing.  The kernel takes the range back off the stack
 * and resumes at the ret. */
    .globl __sg_stub_bound
    .type __sg_stub_bound, @function
__sg_stub_bound:
    push    $0                          /* upper bound */
    push    $1                          /* lower bound */
    bound   %eax, (%esp)
    ret
    .size __sg_stub_bound, . - __sg_stub_bound
    .balign 16

/* into (CE, 32-bit code only) raises #OF when OF is set - a trap: the
 * saved EIP is the ret after it.  OF is set in a copy of the caller's
 * EFLAGS; the kernel puts the caller's own EFLAGS (the first pushfl) back
 * into the frame, takes them off the stack and resumes at the ret. */
    .globl __sg_stub_into
    .type __sg_stub_into, @function
__sg_stub_into:
    pushfl                              /* the caller's EFLAGS */
    pushfl
    orl     $0x800, (%esp)              /* OF */
    popfl
    into
    ret
    .size __sg_stub_into, . - __sg_stub_into
    .balign 16

/* The arming code of the per-thread doors, as in kip_stubs.S: system call
 * `nr` (a1, a2: ebx, ecx) through int $0x80, ebx, ecx and the flags kept;
 * then eax and `pops` back and the stub again, or the error returned. */
.macro ARM_AND_RETRY stub, nr, a1, a2, pops:vararg
    pushfl
    push    %ebx
    push    %ecx
    mov     $\a1, %ebx
    mov     $\a2, %ecx
    mov     $\nr, %eax
    int     $0x80
    pop     %ecx
    pop     %ebx
    test    %eax, %eax
    jnz     .Lfailed\@
    popfl
    pop     %eax
    .irp reg, \pops
    pop     \reg
    .endr
    jmp     \stub
.Lfailed\@:
    popfl
    lea     4(%esp), %esp               /* the number (no flags changed) */
    .irp reg, \pops
    pop     \reg
    .endr
    ret
.endm

/* rdtsc with CR4.TSD set for this thread: #GP(0) at the rdtsc (+2); the
 * kernel drops the two words pushed before it and resumes at the ret
 * (+6).  Unarmed, the rdtsc runs: the stub arms the door (prctl(
 * PR_SET_TSC, PR_TSC_SIGSEGV)) and starts again. */
    .globl __sg_stub_rdtsc
    .type __sg_stub_rdtsc, @function
__sg_stub_rdtsc:
    push    %edx
    push    %eax
    rdtsc                               /* armed: the call */
    jmp     1f
    ret                                 /* where the call returns */
1:  ARM_AND_RETRY __sg_stub_rdtsc, SYS_prctl, SG_PR_SET_TSC, SG_PR_TSC_SIGSEGV, %edx
    .size __sg_stub_rdtsc, . - __sg_stub_rdtsc
    .balign 16

/* cpuid with CPUID faulting on for this thread: #GP(0) at the cpuid (+4);
 * the kernel drops the four words pushed before it and resumes at the ret
 * (+8).  Unarmed, the stub arms it (arch_prctl(ARCH_SET_CPUID, 0))
 * and starts again. */
    .globl __sg_stub_cpuid
    .type __sg_stub_cpuid, @function
__sg_stub_cpuid:
    push    %ebx
    push    %ecx
    push    %edx
    push    %eax
    cpuid                               /* armed: the call */
    jmp     1f
    ret                                 /* where the call returns */
1:  ARM_AND_RETRY __sg_stub_cpuid, SYS_arch_prctl, SG_ARCH_SET_CPUID, 0, %edx, %ecx, %ebx
    .size __sg_stub_cpuid, . - __sg_stub_cpuid
    .balign 16

/* uint64_t __sg_rdtsc(void): the TSC in edx:eax, for a program whose
 * rdtsc may fault (kip_stubs.S).  Changes only eax and edx. */
    .globl __sg_rdtsc
    .type __sg_rdtsc, @function
__sg_rdtsc:
    lfence
    rdtsc
    ret
    .size __sg_rdtsc, . - __sg_rdtsc
    .balign 16

/* A load from the reserved page-fault range (SG_PF_BASE32, include/
 * sysgate/abi.h), never mapped: #PF, a fault - the saved EIP is the load
 * and CR2 the address, whose offset in the range is the call number (a
 * number the range cannot hold reads its last byte: the kernel then takes
 * eax).  The caller's EFLAGS wait on the stack: the kernel puts them back,
 * drops them and resumes at the `ret` after the load. */
    .globl __sg_stub_pf
    .type __sg_stub_pf, @function
__sg_stub_pf:
    pushfl
    cmp     $SG_PF_RANGE - 1, %eax
    jae     1f
    testb   $0, SG_PF_BASE32(%eax)      /* #PF: CR2 = base + the number */
    ret
1:  testb   $0, SG_PF_BASE32 + SG_PF_RANGE - 1  /* #PF at the last byte: the number is in eax */
    ret
    .size __sg_stub_pf, . - __sg_stub_pf
    .balign 16

/* An unaligned load with AC set: #AC while the process's CR0.AM is set
 * (its ac door armed); until then the load from the pf range's last byte
 * faults at this stub and the kernel arms the door and makes the call
 * (kip_stubs.S says more).  The caller's EFLAGS wait on the stack. */
    .globl __sg_stub_ac
    .type __sg_stub_ac, @function
__sg_stub_ac:
    pushfl                              /* the caller's EFLAGS */
    pushfl
    orl     $0x40000, (%esp)            /* AC */
    popfl
    testl   $0, 1(%esp)                 /* #AC: 4 bytes, not 4-aligned */
    mov     SG_PF_BASE32 + SG_PF_RANGE - 1, %al     /* #PF: not armed yet */
    ret
    .size __sg_stub_ac, . - __sg_stub_ac
    .balign 16

/* fwait: #NM while the process's CR0.TS is set (its nm door armed); until
 * then the load from the pf range's last byte faults at this stub and the
 * kernel arms the door and makes the call (kip_stubs.S says more). */
    .globl __sg_stub_nm
    .type __sg_stub_nm, @function
__sg_stub_nm:
    fwait
    mov     SG_PF_BASE32 + SG_PF_RANGE - 1, %al
    ret
    .size __sg_stub_nm, . - __sg_stub_nm
    .balign 16

#include "exception_stubs.S"

/* The signal restorers a handler returns to when its C library gave none
 * (no SA_RESTORER), as Linux's i386 vDSO has them (Linux's
 * arch/x86/entry/vdso/vdso32/sigreturn.S): sigreturn pops the signal number
 * of struct sigframe first.  kernel/proc/signal.c puts their address in the
 * frame. */
    .globl __kernel_sigreturn, __kernel_rt_sigreturn
    .type __kernel_sigreturn, @function
    .type __kernel_rt_sigreturn, @function
__kernel_sigreturn:
    popl    %eax
    movl    $SYS_sigreturn, %eax
    int     $0x80
    .size __kernel_sigreturn, . - __kernel_sigreturn
    .balign 16
__kernel_rt_sigreturn:
    movl    $SYS_rt_sigreturn, %eax
    int     $0x80
    .size __kernel_rt_sigreturn, . - __kernel_rt_sigreturn
    .balign 16

    .section .note.GNU-stack, "", @progbits
