/*
 * floor.S - each door's hardware minimum, for the benchmark only.
 *
 * sg_bench_floor(mech, 1) (sys_sg_bench_floor in kernel/syscall/
 * sys_sysgate.c, which calls entry_set_floor in mechanisms.c) points one
 * door at its stub here:
 * the entry is immediately followed by the matching return instruction,
 * with only the register moves the return needs - and the checks without
 * which a process could turn the floor against the kernel.  The difference
 * between a null call and this floor is what sysgate's own path costs.
 * Nothing is saved or dispatched: while a floor is on, every call through
 * that door returns at once with rax unchanged.  A floor is the calling
 * process's alone: the doors are re-aimed on every switch (mechanisms.c),
 * so every other process keeps the real door.  It is switched off again by
 * sg_bench_floor(mech, 0) through another door, or when the process ends
 * (an exit hook, proc_add_exit_hook).
 *
 * The hazards the real doors handle still apply here:
 *   - a user-set TF survives sysenter and a call gate: the #DB taken on
 *     each instruction below is ignored like the real doors' (the windows
 *     in entry_in_tf_window()), and the trap arrives in user mode after the
 *     return;
 *   - SYSEXIT with a non-canonical RIP (RCX here) or RSP (R11) would #GP in
 *     ring 0 (Intel SDM vol. 2B SYSEXIT): such a call goes to the real door,
 *     which declines the fast exit.
 *   - #UD is raised by every invalid instruction, in ring 0 as in ring 3:
 *     a #UD from kernel code goes to the real door (trap.S), which reports
 *     the kernel bug.  From user mode the floor does NOT look at the bytes:
 *     any #UD of the process - the `lock nop` query (2 bytes), a
 *     __builtin_trap(), any other invalid instruction - resumes 4 bytes
 *     further on instead of being answered or killing the process.  That
 *     harms only the process that asked for the floor (its own, and iretq
 *     to RIP + 4 is still a canonical user address: user space ends a page
 *     below the boundary); the benchmark makes no other #UD meanwhile.
 * The others are safe as they stand: int $0x80 and #UD come through
 * interrupt gates (TF cleared, an iretq frame built by the CPU), SYSCALL
 * masks TF and its RCX is always canonical (user space ends a page below
 * the boundary), the call gate's lretq returns to the frame the CPU pushed.
 *
 * 32-bit processes have floors too: SYSCALL from compatibility mode (AMD)
 * comes through CSTAR to floor_syscall32's sysretl, and sysenter's floor,
 * reached from either width through the one SYSENTER_EIP, tells them apart
 * by the per-CPU `compat` flag - read without GS, which is still the
 * user's - and sends a 32-bit caller back with sysexitl to the 32-bit
 * interface page's landing point, as the real door does (compat.c).  A
 * floor clobbers the arithmetic flags; nothing measures them.
 */
#include "frame.h"
#include <sysgate/abi.h>
    .text
    .globl floor_int80, floor_callgate, floor_callgate_end, floor_syscall
    .globl floor_sysenter, floor_sysenter_end, floor_trap, floor_syscall32, floor_int3, floor_divide, floor_hlt, floor_bound, floor_into
    .globl floor_pf, floor_nm, floor_ac
    .globl floor_rdtsc, floor_umip, floor_cpuid, floor_icebp
    .globl floor_int3n

floor_int80:                    /* the CPU pushed an iretq frame */
    iretq

floor_callgate:                 /* the CPU pushed rip, cs, rsp, ss */
    lretq
floor_callgate_end:

floor_syscall:                  /* rcx = user RIP, r11 = user RFLAGS */
    sysretq

floor_syscall32:                /* from CSTAR: rcx = user EIP, r11 = EFLAGS */
    sysretl

floor_sysenter:                 /* rcx = return RIP, r11 = user RSP (convention) */
    testb   $1, percpu0 + PERCPU_COMPAT(%rip)
    jnz     1f
    mov     %rcx, %rdx
    shr     $47, %rdx
    jnz     sysenter_entry
    mov     %r11, %rdx
    shr     $47, %rdx
    jnz     sysenter_entry
    mov     %rcx, %rdx
    mov     %r11, %rcx
    sti                         /* sysenter cleared IF; the shadow covers sysexit */
    sysexitq
1:  mov     kip32_sysenter_landing_address(%rip), %rdx   /* the dance: esp in ebp */
    mov     %ebp, %ecx
    sti
    sysexitl
floor_sysenter_end:

floor_trap:                     /* #UD: a fault, no error code */
    testb   $3, 8(%rsp)                 /* the CS the CPU pushed: from ring 0? */
    jz      trap_ud_entry
    addq    $4, (%rsp)                  /* skip ud2 "SG" - or whatever raised it */
    iretq

floor_int3:                     /* #BP: a trap, no error code; RIP is past int3 */
floor_int3n:                    /* or past int $3: the same vector, the same return */
    iretq

floor_divide:                   /* #DE: a fault, no error code; skip the div */
    testb   $3, 8(%rsp)                 /* the CS the CPU pushed: from ring 0? */
    jz      1f
    cmpq    $USER32_CS, 8(%rsp)
    je      2f
    addq    $6, (%rsp)                  /* divl rel32(%rip) */
    iretq
2:  addq    $3, (%rsp)                  /* divl (%esp) */
    addq    $4, 24(%rsp)                /* and the zero it divided by: the saved RSP */
    iretq
1:  jmp     *interrupt_stub_table(%rip) /* vector 0's ordinary stub: a kernel bug, reported */

floor_hlt:                      /* #GP: a fault with an error code; skip the hlt */
    testb   $3, 16(%rsp)                /* the CS the CPU pushed: from ring 0? */
    jz      1f
    addq    $1, 8(%rsp)
    add     $8, %rsp                    /* the error code */
    iretq
1:  jmp     *interrupt_stub_table + 8 * GP_VECTOR(%rip)   /* the kernel's own #GP: the real path */

floor_bound:                    /* #BR: a fault, no error code; 32-bit code only */
    testb   $3, 8(%rsp)                 /* the CS the CPU pushed: from ring 0? */
    jz      1f
    addq    $3, (%rsp)                  /* bound %eax, (%esp) */
    addq    $8, 24(%rsp)                /* and the range it was checked against: the saved RSP */
    iretq
1:  jmp     *interrupt_stub_table + 8 * BR_VECTOR(%rip)

floor_into:                     /* #OF: a trap, no error code; 32-bit code only.
                                   Drops the caller's EFLAGS the stub pushed
                                   without restoring them (OF stays set): the
                                   floor measures the exception, not a call */
    addq    $4, 24(%rsp)
    iretq

floor_pf:                       /* #PF: a fault with an error code.  A load
                                   into the door's range is skipped: the
                                   first load's length below the range's
                                   last byte, the second's at it - 64-bit to
                                   where the stub takes its words back from
                                   the red zone, 32-bit to the ret, with the
                                   EFLAGS it pushed dropped, not restored.
                                   Every other page fault - demand paging
                                   included - takes the real path */
    testb   $3, 16(%rsp)                /* the CS the CPU pushed: from ring 0? */
    jz      9f
    push    %rax
    push    %rdx                        /* now: rdx rax error rip cs rflags rsp ss */
    mov     %cr2, %rax
    movabs  $SG_PF_BASE64, %rdx
    cmpq    $USER32_CS, 32(%rsp)
    jne     1f
    mov     $SG_PF_BASE32, %edx
1:  sub     %rdx, %rax
    cmp     $SG_PF_RANGE - 1, %rax
    ja      8f                          /* not the range */
    cmpq    $USER32_CS, 32(%rsp)
    je      2f
    movq    $5, %rdx                    /* testb $0, (%r11,%rax) */
    cmp     $SG_PF_RANGE - 1, %rax
    jne     4f
    movq    $8, %rdx                    /* testb $0, SG_PF_RANGE - 1(%r11) */
4:  add     %rdx, 24(%rsp)
    jmp     3f
2:  addq    $7, 24(%rsp)                /* either testb $0, <32-bit address> */
    addq    $4, 48(%rsp)                /* and EFLAGS: the saved RSP */
3:  pop     %rdx
    pop     %rax
    add     $8, %rsp                    /* the error code */
    iretq
8:  pop     %rdx
    pop     %rax
9:  jmp     *interrupt_stub_table + 8 * PF_VECTOR(%rip)

floor_nm:                       /* #NM: a fault, no error code.  At the nm
                                   stub's fwait (its address per width in
                                   floor_nm_stub, set by mechanisms.c): skip
                                   it and the arming load after it, TS stays
                                   set.  Any other #NM - the process's own
                                   x87/SSE code meeting its TS - takes the
                                   real path (the kernel takes TS back) */
    testb   $3, 8(%rsp)                 /* the CS the CPU pushed: from ring 0? */
    jz      1f
    push    %rax                        /* now: rax rip cs ... */
    mov     floor_nm_stub(%rip), %rax
    cmpq    $USER32_CS, 16(%rsp)
    jne     3f
    mov     floor_nm_stub + 8(%rip), %rax
3:  cmp     %rax, 8(%rsp)
    pop     %rax
    jne     1f
    cmpq    $USER32_CS, 8(%rsp)
    je      2f
    addq    $10, (%rsp)                 /* fwait; movabs moffs64, %al */
    iretq
2:  addq    $6, (%rsp)                  /* fwait; mov moffs32, %al */
    iretq
1:  jmp     *interrupt_stub_table + 8 * NM_VECTOR(%rip)

floor_ac:                       /* #AC: a fault, error code 0, CPL 3 only.
                                   At the ac stub's unaligned load (its
                                   address per width in floor_ac_stub):
                                   skip it, the arming load after it and
                                   the caller's flags the stub pushed,
                                   without putting them back (AC stays set:
                                   the floor measures the exception, not a
                                   call).  Any other #AC: the real path (the
                                   process's SIGBUS) */
    push    %rax                        /* now: rax error rip cs rflags rsp */
    mov     floor_ac_stub(%rip), %rax
    cmpq    $USER32_CS, 24(%rsp)
    jne     3f
    mov     floor_ac_stub + 8(%rip), %rax
3:  add     $10, %rax                   /* the stub's testl $0, 1(%rsp) */
    cmp     %rax, 16(%rsp)
    pop     %rax
    jne     1f
    cmpq    $USER32_CS, 16(%rsp)
    je      2f
    addq    $17, 8(%rsp)                /* testl; movabs moffs64, %al */
    addq    $8, 32(%rsp)                /* the pushed RFLAGS: the saved RSP */
    add     $8, %rsp                    /* the error code */
    iretq
2:  addq    $13, 8(%rsp)                /* testl; mov moffs32, %al */
    addq    $4, 32(%rsp)
    add     $8, %rsp
    iretq
1:  jmp     *interrupt_stub_table + 8 * AC_VECTOR(%rip)

/* rdtsc and cpuid: #GP, a fault with an error code.  Resume at the stub's
 * ret, past the instruction and the 2-byte jmp, and drop what the stub
 * pushed (the saved RSP): 2 words (rdtsc) or 4 (cpuid), of the caller's
 * width.  On the stack: error, rip, cs, rflags, rsp, ss.  The rdtsc floor
 * takes only the stub's own #GP (its address in floor_rdtsc_call[],
 * exception_doors.c): a thread with TSD armed also faults in the vDSO's
 * clock reads and in __sg_rdtsc - the benchmark's own TSC reads while it
 * measures this floor - and those go on to the real path: the #GP's own
 * entry (exception_entry.S), where a call through the hlt, umip or cpuid
 * door is still a call. */
floor_rdtsc:
    push    %rax
    mov     16(%rsp), %rax              /* the saved RIP */
    cmp     floor_rdtsc_call(%rip), %rax
    je      1f
    cmp     floor_rdtsc_call + 8(%rip), %rax
    jne     3f
    cmpq    $USER32_CS, 24(%rsp)
    jne     3f
    pop     %rax
    addq    $4, 8(%rsp)                 /* rdtsc, jmp */
    addq    $8, 32(%rsp)
    add     $8, %rsp                    /* the error code */
    iretq
1:  pop     %rax
    addq    $4, 8(%rsp)
    addq    $16, 32(%rsp)
    add     $8, %rsp
    iretq
3:  pop     %rax
    jmp     *exception_door_entry + 8 * GP_VECTOR(%rip)

floor_cpuid:
    testb   $3, 16(%rsp)
    jz      1f
    addq    $4, 8(%rsp)                 /* cpuid, jmp */
    cmpq    $USER32_CS, 16(%rsp)
    je      2f
    addq    $32, 32(%rsp)
    add     $8, %rsp
    iretq
2:  addq    $16, 32(%rsp)
    add     $8, %rsp
    iretq
1:  jmp     *interrupt_stub_table + 8 * GP_VECTOR(%rip)

floor_umip:                     /* #GP: skip smsw %eax (3 bytes) */
    testb   $3, 16(%rsp)
    jz      1f
    addq    $3, 8(%rsp)
    add     $8, %rsp
    iretq
1:  jmp     *interrupt_stub_table + 8 * GP_VECTOR(%rip)

floor_icebp:                    /* #DB: a trap, no error code; RIP is past icebp.
                                   Every #DB from ring 3 comes here while it is
                                   on; the kernel's own (ring 0) take the real path */
    testb   $3, 8(%rsp)
    jz      1f
    iretq
1:  jmp     *interrupt_stub_table + 8 * DB_VECTOR(%rip)

    .section .note.GNU-stack, "", @progbits
