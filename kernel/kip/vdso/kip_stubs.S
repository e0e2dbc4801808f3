/*
 * kip_stubs.S - the header and the doors of the 64-bit interface page
 * (vdso64.lds.S places this section at SG_KIP_HEADER_OFFSET).  The linked
 * image is a template: kip.c copies it into frames at boot, fills in the
 * header's boot-time fields, overwrites the stubs of mechanisms this CPU
 * lacks with UD2 and patches the default entry.  The code runs in ring 3 at
 * whatever address the page gets, so it is position independent.
 *
 * Every stub is called (`call`) with rax = number and rdi rsi rdx r10 r8
 * r9 = arguments (or the SG_ARGS_* flag and the arguments above the
 * return address / in the argument page) and returns the result in rax.
 * Each preserves every register but rax, rcx and r11 (docs/abi.md).
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
    OFFSET(__sg_default_entry)
    .long   0                           /* no landing point in the 64-bit page */
    .long   0                           /* image size: kip.c */
    .long   SG_KIP_VVAR_OFFSET
    HEADER_FIELD(SIZE)
    .size __sg_kip_header, . - __sg_kip_header
    .balign 16

/* The default entry: `jmp rel32` to the chosen stub, patched by kip.c. */
    .globl __sg_default_entry, sg_default_entry_local
    .hidden sg_default_entry_local
    .type __sg_default_entry, @function
__sg_default_entry:
sg_default_entry_local:                  /* for vclock.c: hidden, so calls need no relocation */
    .byte   0xe9
    .long   __sg_stub_int80 - (. + 4)
    .size __sg_default_entry, . - __sg_default_entry
    .balign 16

    .globl __sg_stub_int80
    .type __sg_stub_int80, @function
__sg_stub_int80:
    int     $0x80
    ret
    .size __sg_stub_int80, . - __sg_stub_int80
    .balign 16

/* A far call through the call gate.  The gate supplies the target; only
 * the selector of the pointer matters.  No REX.W: the m16:32 form, which
 * Intel and AMD decode alike. */
    .globl __sg_stub_callgate
    .type __sg_stub_callgate, @function
__sg_stub_callgate:
    lcall   *callgate_pointer(%rip)
    ret
    .balign 8
callgate_pointer:
    .long   0
    .word   CALL_GATE_SEL
    .size __sg_stub_callgate, . - __sg_stub_callgate
    .balign 16

    .globl __sg_stub_syscall
    .type __sg_stub_syscall, @function
__sg_stub_syscall:
    syscall
    ret
    .size __sg_stub_syscall, . - __sg_stub_syscall
    .balign 16

/* SYSENTER saves nothing: pass the return RIP in rcx and the stack
 * pointer in r11.  SYSEXIT comes back with RDX = RIP, so the caller's rdx
 * waits in the red zone (nothing in sysgate writes below a user RSP). */
    .globl __sg_stub_sysenter
    .type __sg_stub_sysenter, @function
__sg_stub_sysenter:
    mov     %rdx, -8(%rsp)
    mov     %rsp, %r11
    lea     1f(%rip), %rcx
    sysenter
1:  mov     -8(%rsp), %rdx
    ret
    .size __sg_stub_sysenter, . - __sg_stub_sysenter
    .balign 16

/* UD2 and the signature "SG" (entry/trap.c). */
    .globl __sg_stub_trap
    .type __sg_stub_trap, @function
__sg_stub_trap:
    ud2
    .ascii  "SG"
    ret
    .size __sg_stub_trap, . - __sg_stub_trap
    .balign 16

/* divl by the zero below (F7 35 rel32): #DE, a fault - the saved RIP is
 * the div itself, which changed nothing; the kernel resumes after its 6
 * bytes. */
    .globl __sg_stub_divide
    .type __sg_stub_divide, @function
__sg_stub_divide:
    divl    divide_zero(%rip)
    ret
    .balign 4
divide_zero:
    .long   0
    .size __sg_stub_divide, . - __sg_stub_divide
    .balign 16

/* bound does not exist in 64-bit mode (62 is the EVEX prefix there): the
 * door is never offered to 64-bit code, and kip.c withdraws this stub at
 * boot like any door's that is not offered. */
    .globl __sg_stub_bound
    .type __sg_stub_bound, @function
__sg_stub_bound:
    ud2
    .size __sg_stub_bound, . - __sg_stub_bound
    .balign 16

/* into is invalid in 64-bit mode (#UD): never offered, withdrawn at boot. */
    .globl __sg_stub_into
    .type __sg_stub_into, @function
__sg_stub_into:
    ud2
    .size __sg_stub_into, . - __sg_stub_into
    .balign 16

/* The arming code of the per-thread doors (rdtsc, cpuid), after their
 * stub's ret: the stub's instruction ran instead of faulting, so the
 * thread has not switched the door on yet.  System call `nr` (a1, a2)
 * through int $0x80, which changes nothing but rax; rdi, rsi and the
 * flags kept.  Then the registers the stub pushed are popped back (rax,
 * then `pops`) and the stub starts again - or, if the call failed, its
 * error is the result and the stub returns. */
.macro ARM_AND_RETRY stub, nr, a1, a2, pops:vararg
    pushfq
    push    %rdi
    push    %rsi
    mov     $\a1, %edi
    mov     $\a2, %esi
    mov     $\nr, %eax
    int     $0x80
    pop     %rsi
    pop     %rdi
    test    %rax, %rax
    jnz     .Lfailed\@
    popfq
    pop     %rax
    .irp reg, \pops
    pop     \reg
    .endr
    jmp     \stub
.Lfailed\@:
    popfq
    lea     8(%rsp), %rsp               /* the number (no flags changed) */
    .irp reg, \pops
    pop     \reg
    .endr
    ret
.endm

/* rdtsc with CR4.TSD set for this thread: #GP(0), a fault - the saved RIP
 * is the rdtsc (+2), which changed nothing; the kernel drops the two
 * words pushed before it and resumes at the ret (+6).  TSD is per thread
 * and off until the thread asks (prctl(PR_SET_TSC, PR_TSC_SIGSEGV), SYS_prctl from
 * syscalls.def): if the rdtsc ran, rax and rdx are lost (their values
 * wait on the stack), and the stub arms the door and starts again. */
    .globl __sg_stub_rdtsc
    .type __sg_stub_rdtsc, @function
__sg_stub_rdtsc:
    push    %rdx
    push    %rax
    rdtsc                               /* armed: the call */
    jmp     1f
    ret                                 /* where the call returns */
1:  ARM_AND_RETRY __sg_stub_rdtsc, SYS_prctl, SG_PR_SET_TSC, SG_PR_TSC_SIGSEGV, %rdx
    .size __sg_stub_rdtsc, . - __sg_stub_rdtsc
    .balign 16

/* cpuid with CPUID faulting on for this thread (MSR_MISC_FEATURES_ENABLES
 * bit 0, switched with the thread): #GP(0), a fault - the saved RIP is
 * the cpuid (+4); the kernel drops the four words pushed before it and
 * resumes at the ret (+8).  Off until the thread asks (arch_prctl(
 * ARCH_SET_CPUID, 0)): a cpuid that ran destroyed rax, rbx, rcx,
 * rdx, whose values wait on the stack.  Offered only where the CPU has
 * CPUID faulting. */
    .globl __sg_stub_cpuid
    .type __sg_stub_cpuid, @function
__sg_stub_cpuid:
    push    %rbx
    push    %rcx
    push    %rdx
    push    %rax
    cpuid                               /* armed: the call */
    jmp     1f
    ret                                 /* where the call returns */
1:  ARM_AND_RETRY __sg_stub_cpuid, SYS_arch_prctl, SG_ARCH_SET_CPUID, 0, %rdx, %rcx, %rbx
    .size __sg_stub_cpuid, . - __sg_stub_cpuid
    .balign 16

/* uint64_t __sg_rdtsc(void): the TSC, for a program whose rdtsc may fault
 * (the rdtsc door, prctl PR_TSC_SIGSEGV): the kernel does the rdtsc of
 * the interface page itself (kernel/entry/exception_doors.c).  Changes
 * only rax and rdx. */
    .globl __sg_rdtsc
    .type __sg_rdtsc, @function
__sg_rdtsc:
    lfence
    rdtsc
    shl     $32, %rdx
    or      %rdx, %rax
    ret
    .size __sg_rdtsc, . - __sg_rdtsc
    .balign 16

/* A load from the reserved page-fault range (SG_PF_BASE64, include/
 * sysgate/abi.h), which is never mapped: #PF, a fault - the saved RIP is
 * the load and CR2 the address, whose offset in the range is the call
 * number.  A number the range cannot hold reads the range's last byte
 * (the kernel then takes rax).  The compare needs the caller's RFLAGS and
 * the base needs a register: both wait in the red zone below RSP (System
 * V AMD64 ABI 3.2.2: this stub is a leaf; the kernel writes nothing there,
 * and a signal frame goes below it), so RSP is the caller's at the load -
 * the stack way's arguments are where every door has them - and the
 * kernel resumes after the load, where the stub takes both back itself
 * (kernel/entry/exception_entry.S). */
    .globl __sg_stub_pf
    .type __sg_stub_pf, @function
__sg_stub_pf:
    pushfq
    mov     %r11, -8(%rsp)              /* RFLAGS at -8, r11 at -16 */
    lea     8(%rsp), %rsp
    movabs  $SG_PF_BASE64, %r11
    cmp     $SG_PF_RANGE - 1, %rax
    jae     1f
    testb   $0, (%r11,%rax)             /* #PF: CR2 = base + the number */
    mov     -16(%rsp), %r11
    lea     -8(%rsp), %rsp
    popfq
    ret
1:  testb   $0, SG_PF_RANGE - 1(%r11)   /* #PF at the last byte: the number is in rax */
    mov     -16(%rsp), %r11
    lea     -8(%rsp), %rsp
    popfq
    ret
    .size __sg_stub_pf, . - __sg_stub_pf
    .balign 16

/* An unaligned load with EFLAGS.AC set raises #AC while CR0.AM is set
 * and CPL is 3 (Intel SDM vol. 3A 6.15 "Interrupt 17"), a fault: the
 * saved RIP is the load.  AC is set in a copy of the caller's flags (the
 * first pushfq keeps theirs); the load reads 4 bytes at 1(%rsp).  AM is
 * set only for a process whose ac door is armed: until then the load
 * runs, and the one after it, from the pf range's last byte (never
 * mapped), faults at this stub instead - the kernel arms the door and
 * makes the call.  Either way the kernel puts the caller's flags back,
 * drops them and resumes at the `ret`. */
    .globl __sg_stub_ac
    .type __sg_stub_ac, @function
__sg_stub_ac:
    pushfq                              /* the caller's RFLAGS */
    pushfq
    orl     $0x40000, (%rsp)            /* AC */
    popfq
    testl   $0, 1(%rsp)                 /* #AC: 4 bytes, not 4-aligned */
    movabs  SG_PF_BASE64 + SG_PF_RANGE - 1, %al     /* #PF: not armed yet */
    ret
    .size __sg_stub_ac, . - __sg_stub_ac
    .balign 16

/* fwait (9B) raises #NM while CR0.TS and CR0.MP are set (Intel SDM vol. 2A
 * WAIT/FWAIT), a fault: the saved RIP is the fwait.  TS is set only for a
 * process whose nm door is armed; until then - and again after the
 * process's own x87/SSE code made the kernel take TS back - fwait runs,
 * and the load below from the pf range's last byte (never mapped) faults
 * at this stub instead: the kernel arms the door and makes the call.
 * Either way the call returns to the `ret`; the load only ever writes al,
 * which the result overwrites. */
    .globl __sg_stub_nm
    .type __sg_stub_nm, @function
__sg_stub_nm:
    fwait
    movabs  SG_PF_BASE64 + SG_PF_RANGE - 1, %al
    ret
    .size __sg_stub_nm, . - __sg_stub_nm
    .balign 16

#include "exception_stubs.S"

    .section .note.GNU-stack, "", @progbits
