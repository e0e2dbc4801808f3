/*
 * floor.S - each door's hardware minimum, for the benchmark only.
 *
 * sg_bench_floor(mech, 1) (mechanisms.c) points one door at its stub here:
 * the entry is immediately followed by the matching return instruction,
 * with only the register moves the return needs.  The difference between
 * a null call and this floor is what sysgate's own path costs.  Nothing
 * here saves, checks or dispatches anything: while a floor is on, every
 * call through that door returns at once with rax unchanged.  The floor is
 * switched off again by sg_bench_floor(mech, 0) through another door, or
 * when the process that switched it on ends.
 */
    .text
    .globl floor_int80, floor_callgate, floor_syscall, floor_sysenter, floor_trap

floor_int80:                    /* the CPU pushed an iretq frame */
    iretq

floor_callgate:                 /* the CPU pushed rip, cs, rsp, ss */
    lretq

floor_syscall:                  /* rcx = user RIP, r11 = user RFLAGS */
    sysretq

floor_sysenter:                 /* rcx = return RIP, r11 = user RSP (convention) */
    mov     %rcx, %rdx
    mov     %r11, %rcx
    sti                         /* sysenter cleared IF; the shadow covers sysexit */
    sysexitq

floor_trap:                     /* #UD: a fault, no error code; skip ud2 "SG" */
    addq    $4, (%rsp)
    iretq

    .section .note.GNU-stack, "", @progbits
