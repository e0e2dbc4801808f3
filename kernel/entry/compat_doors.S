/*
 * compat_doors.S - the five system-call doors for 32-bit (compatibility
 * mode) callers, in one place: each door's fast path, its exit and its way
 * onto the full path.  int80.S, callgate.S, trap.S and sysenter.S send a
 * 32-bit caller here with their first width test; the 32-bit SYSCALL door
 * (MSR_CSTAR) is here whole.  docs/mechanisms.md, "32-bit processes: the
 * doors from compatibility mode" and "The fast path".
 *
 * The i386 ABI (docs/abi.md): eax = number; ebx ecx edx esi edi ebp =
 * arguments; eax = result and every other register preserved, r8-r15
 * included (a 32-bit process can reach them by a far jump to 64-bit code).
 * The upper halves of the registers are not the caller's to set
 * (compatibility mode leaves them undefined): every value the kernel takes
 * is zero-extended first.
 *
 * The fast path of every door saves what a C handler may clobber and the
 * caller gets back - r11, rcx and the six registers SAVE_ARG_REGS pushes
 * (rdi rsi rdx r10 r8 r9), COMPAT_SAVE, 64 bytes right under the door's own
 * words - and nothing else: rbx, rbp and r12-r15 the handler preserves
 * itself.  Then, as every fast path (syscall.S):
 *   - one count of the call (percpu.syscalls: sg_info's count);
 *   - one test of percpu.work (work before the return to user mode, the
 *     trace) and of what the door's fast exit cannot restore (TF);
 *   - `cmp $SYSCALL_TABLE_SIZE, %rax` on the whole of rax: a number with a
 *     slot goes straight to its handler through compat_table32 (tables.h),
 *     with ebx ecx edx esi edi ebp zero-extended into the C ABI's rdi rsi
 *     rdx rcx r8 r9; anything else - a number past the table, or rax's
 *     upper half not 0 - takes <door>_past, which zero-extends eax and
 *     looks again, then takes the argument ways (tables.h DOOR_WAYS) or
 *     answers -ENOSYS;
 *   - the exit pops the eight registers (COMPAT_RESTORE) and returns with
 *     the door's own instruction from the words the entry wrote.
 * A FULL call's slot (compat_full_call), an empty slot the process has not
 * yet called (compat_unknown, once: the C dispatcher logs it), the work, TF,
 * a fault on the argument ways: the door's full path, <door>_full, which
 * pops the eight registers back - every register is the caller's again,
 * rax the number - and builds the complete frame (frame.h) the way the door
 * always did, then calls the C dispatcher (sysenter and syscall: their C
 * function, compat.c) and leaves through ret_user (exit.S).  Nothing of the
 * fast path's stack survives onto the full path, and the full path never
 * comes back: no exit ever guesses which kind of frame it has.
 *
 * A fast exit reads only words the same call's entry wrote, nothing can
 * change them in between (interrupts are off from the door's first test to
 * its return instruction, and a FAST handler cannot reach the frame:
 * tools/check-fast-calls), and each return instruction meets only what it
 * cannot fault on - shown at each door below.
 */
#include "frame.h"
#include "entry.h"
#include "../syscall/tables.h"
#include "../arch/layout.h"
#include <sysgate/kip.h>

/* The eight registers, and the door's words above them. */
.macro COMPAT_SAVE
    push    %r11
    push    %rcx
    SAVE_ARG_REGS
.endm

.macro COMPAT_RESTORE
    RESTORE_ARG_REGS
    pop     %rcx
    pop     %r11
.endm

#define SAVED       64                  /* bytes COMPAT_SAVE pushes */
#define ABOVE(n)    (SAVED + (n))(%rsp) /* the door's word at n, above them */

/* The i386 arguments into the C ABI's registers, zero-extended (32-bit
 * moves; xchg of two 32-bit registers zero-extends both): ebx ecx edx esi
 * edi -> rdi rsi rdx rcx r8; the 6th goes to r9 from ebp, or (sysenter,
 * syscall) from where __kernel_vsyscall's dance put it. */
.macro I386_ARGS arg6=%ebp, arg2=%ecx
    mov     %edi, %r8d                  /* 5th */
    .ifnc \arg6, none
    mov     \arg6, %r9d                 /* 6th */
    .endif
    .ifc \arg2, %ecx
    xchg    %ecx, %esi                  /* 2nd <-> 4th */
    .else
    mov     %esi, %ecx                  /* 4th */
    mov     \arg2, %esi                 /* 2nd */
    .endif
    mov     %ebx, %edi                  /* 1st */
    mov     %edx, %edx                  /* 3rd */
.endm

/* The registers way of \door: the handler of a number with a slot,
 * through compat_table32, and the door's exit (the macro \door\()_EXIT)
 * after it; anything else to \door\()_past (COMPAT_PAST).  \load6, if
 * given, is a macro that puts the 6th argument into r9d first (sysenter,
 * syscall: it is on the caller's stack); \arg6 and \arg2 as I386_ARGS. */
.macro COMPAT_DISPATCH door, load6=none, arg6=%ebp, arg2=%ecx
    cmp     $SYSCALL_TABLE_SIZE, %rax
    jae     \door\()_past
\door\()_dispatch:
    .ifnc \load6, none
    \load6
    .endif
    I386_ARGS \arg6, \arg2
    call    *compat_table32(,%rax,8)
\door\()_exit:                      /* the return address compat_full_call tells the doors by */
    \door\()_EXIT
.endm

/* The dispatch and its way to the argument ways, for \door: its handler
 * for a number with a slot, \door\()_past for anything else (its upper
 * half not 0 included), the argument ways' labels from DOOR_WAYS. */
.macro COMPAT_PAST door, sp, first
\door\()_past:
    mov     %eax, %eax                  /* the number is eax */
    cmp     $SYSCALL_TABLE_SIZE, %rax
    jb      \door\()_dispatch
    PAST_TABLES_OR \door\()_way, \door\()_full
    mov     $-SG_ENOSYS, %rax
    jmp     \door\()_exit

    DOOR_WAYS \door, compat_table32, \sp, \door\()_EXIT, \door\()_exit, 32, \first
.endm

/* The full path's end, once the CPU's words are in the frame's order and
 * every register is the caller's again: the frame's words below them
 * (frame.h), the registers, \function (the C dispatcher, or sysenter's and
 * syscall's fast_door_syscall) with the frame, and ret_user (exit.S). */
.macro FULL_CALL vector, tag, function=syscall_dispatch
    push    $0                          /* error code */
    push    $\vector
    push    $\tag
    SAVE_GPRS
    mov     %rsp, %rdi
    call    \function
    jmp     ret_user
.endm

    .text
    .globl int80_entry32, callgate_entry32, callgate_entry32_tf_window_end
    .globl trap_ud_entry32, sysenter_entry32, sysenter_entry32_tf_window_end
    .globl syscall_compat_entry, syscall_compat_ud, compat_full_call, compat_unknown
    .globl exdoor_32_call, exdoor_32_fast_test

/*
 * int $0x80.  The CPU pushed SS, RSP, RFLAGS, CS, RIP (int80.S) and
 * cleared IF, TF, NT and RF, not AC or DF.  The exit is IRETQ from the
 * words the CPU pushed: it cannot fault (RIP is past an `int $0x80` that
 * ran), and gives back TF, AC, DF, NT and the arithmetic flags as they were.
 */
.macro int80_32_EXIT
    COMPAT_RESTORE
    swapgs
    iretq
.endm

/* The rest of the two doors the CPU enters through an interrupt gate
 * (int80, the trap), once COMPAT_SAVE is done: AC and DF cleared (the
 * gate clears neither), the count, the work test, the call, and the full
 * path, whose frame records \vector and \tag. */
.macro INTERRUPT_GATE_DOOR door, vector, tag
    SMAP_CLOSE
    swapgs
    cld
\door\()_fast_test:
    incq    %gs:PERCPU_SYSCALLS                 /* the process's count (sg_info) */
    cmpq    $0, %gs:PERCPU_WORK
    jne     \door\()_full
    COMPAT_DISPATCH \door

    COMPAT_PAST \door, ABOVE(FRAME_RSP - FRAME_RIP), 4

\door\()_full:
    COMPAT_RESTORE
    FULL_CALL \vector, \tag
.endm

int80_entry32:                          /* int80.S: CS is not USER64_CS */
    cmpq    $USER32_CS, 8(%rsp)
    jne     .Lint80_ldt32
    COMPAT_SAVE
    INTERRUPT_GATE_DOOR int80_32, SYSCALL_VECTOR, SG_MECH_INT80

/* 32-bit code in an LDT code segment (modify_ldt): the C dispatcher,
 * which reads the ABI from the frame's CS. */
.Lint80_ldt32:
    SMAP_CLOSE
    swapgs
    cld
    incq    %gs:PERCPU_SYSCALLS
    FULL_CALL SYSCALL_VECTOR, SG_MECH_INT80

/*
 * The call gate.  The CPU pushed SS, RSP, CS, RIP - no RFLAGS - and
 * changed no flag: IF is 1 until the popfq below, TF, DF, AC and NT are
 * the caller's (callgate.S).  An interrupt before the popfq finds the user's
 * GS, which interrupt_common tests for itself; a #DB from a user-set TF is
 * ignored up to callgate_entry32_tf_window_end (entry_in_tf_window).  The
 * caller's flags are pushed under the CPU's four words, IF 1 in them as
 * it always is in ring 3.
 *
 * The exit is POPFQ and LRETQ, under the conditions of exit.S's
 * ret_user_lret: CS is USER32_CS (callgate.S's test), TF not set (tested:
 * a TF loaded before LRETQ would trap after it, unlike IRETQ's), RF never
 * in a pushfq image, RIP a 32-bit EIP, SS the selector the CPU loaded at
 * the call, RSP cut to ESP - all compatibility mode knows of it - so that
 * LRETQ never meets a non-canonical one.  From the POPFQ on IF is 1, as in
 * exit.S.
 */
.macro callgate_32_EXIT
    COMPAT_RESTORE
    swapgs
    popfq
    lretq
.endm

callgate_entry32:                       /* callgate.S: CS is USER32_CS, RFLAGS pushed */
    push    $RFLAGS_FIXED
    popfq                               /* IF TF DF AC NT 0: ring 0's flags */
callgate_entry32_tf_window_end:
    swapgs
    movl    $0, 24 + 4(%rsp)            /* RSP: ESP, zero-extended */
    COMPAT_SAVE
callgate_32_fast_test:
    incq    %gs:PERCPU_SYSCALLS
    testb   $(RFLAGS_TF >> 8), ABOVE(1)  /* the caller's TF, in the pushed flags */
    jnz     callgate_32_full
    cmpq    $0, %gs:PERCPU_WORK
    jne     callgate_32_full
    COMPAT_DISPATCH callgate_32

    COMPAT_PAST callgate_32, ABOVE(24), 4

/* The frame's order from the flags and the CPU's four words: rip cs
 * rflags rsp ss (frame.h). */
callgate_32_full:
    COMPAT_RESTORE
    CALLGATE_FRAME_ORDER
    FULL_CALL SYSCALL_VECTOR, SG_MECH_CALLGATE

/*
 * The trap door, `ud2; "SG"` (trap.S, trap.c).  The CPU pushed SS, RSP,
 * RFLAGS, CS, RIP (the ud2's address) through an interrupt gate: IF, TF, NT
 * and RF cleared, AC and DF not.  A #UD at the 32-bit interface page's
 * trap stub (trap_stub32: its bytes are ud2 "SG", checked at boot by
 * trap_query_init, and no process can change them) is the call without a
 * look at the bytes; at any other RIP one guarded 4-byte load says: the
 * call, the `lock nop` query (answered here, straight back), or anything
 * else - trap.S's path for every other #UD (trap_ud_full).  The exits are
 * IRETQ from the words the CPU pushed, RIP moved past the 4 or 2 bytes
 * just matched: they cannot fault.
 */
#define TRAP_SYSCALL_WORD (0x0b0f | SG_TRAP_SIGNATURE_0 << 16 | SG_TRAP_SIGNATURE_1 << 24)
#define TRAP_LOCK_NOP_WORD 0x90f0
#define QUERY32(field) (trap_query_answer + 16 + TRAP_QUERY_##field)(%rip)   /* row 1: 32-bit */

.macro trap_32_EXIT
    int80_32_EXIT
.endm

trap_ud_entry32:                        /* trap.S: CS is USER32_CS */
    push    %r11
    mov     8(%rsp), %r11               /* RIP */
    cmp     trap_stub32(%rip), %r11
    jne     trap_32_read
trap_32_call:
    push    %rcx
    SAVE_ARG_REGS                       /* with the r11 above: COMPAT_SAVE */
    addq    $4, ABOVE(0)                /* RIP past ud2 "SG" */
    INTERRUPT_GATE_DOOR trap_32, UD_VECTOR, SG_MECH_TRAP

/* Not the stub: the bytes at RIP (a user address: the #UD came from ring
 * 3), one guarded load; unreadable bytes go to trap_ud_full, whose C
 * (trap_classify) reads what it can and sends the fault. */
trap_32_read:
    SMAP_OPEN
    GUARDED trap_32_read_fault, movl (%r11), %r11d
    SMAP_CLOSE
    cmp     $TRAP_SYSCALL_WORD, %r11d
    je      trap_32_call
    cmp     $TRAP_LOCK_NOP_WORD, %r11w
    jne     trap_32_other
    /* The query: rax, rcx, rdx from the 32-bit row of trap_query_answer,
     * RIP past F0 90, the caller's r11 back - unless there is work to do
     * before the return to user mode, which trap_ud_full's ret_user does.
     * Nothing here needs the kernel's GS: percpu0 is read directly. */
    cmpq    $0, percpu0 + PERCPU_WORK(%rip)
    jne     trap_32_other
    mov     QUERY32(KIP), %rax
    mov     QUERY32(MECHANISMS), %rcx
    mov     $SG_KIP_VERSION, %edx
    addq    $2, 8(%rsp)
    pop     %r11
    iretq

trap_32_read_fault:
    SMAP_CLOSE
trap_32_other:
    pop     %r11
    jmp     trap_ud_full

/*
 * The exception doors (exception_entry.S), once a 32-bit caller's call is
 * recognised: the frame's first part is DOOR_PARTIAL_FRAME's (tables.h:
 * the door words skipped, the argument registers, rcx and r11 - the eight
 * registers COMPAT_SAVE saves, in the frame's order, since the full path
 * keeps them), its RIP, RSP and flags what the call returns with, its tag
 * the door's.  The exit is IRETQ to the words the CPU pushed, as the trap
 * door's (exception_entry.S says why it cannot fault); the full path is
 * every exception door's, exdoor_full.
 */
#define EXDOOR_32(field) (FRAME_##field - FRAME_R11)(%rsp)

.macro exdoor_32_EXIT
    DOOR_IRETQ_EXIT
.endm

exdoor_32_call:
    SMAP_CLOSE
    swapgs
    cld
exdoor_32_fast_test:                    /* into, ac, pf: swapgs, cld and their flags done */
    incq    %gs:PERCPU_SYSCALLS
    cmpq    $0, %gs:PERCPU_WORK
    jne     exdoor_32_full
    COMPAT_DISPATCH exdoor_32

    COMPAT_PAST exdoor_32, EXDOOR_32(RSP), 4

exdoor_32_full:
    jmp     exdoor_full

/*
 * SYSENTER, from a 32-bit process (sysenter.S has swapped GS, loaded the
 * kernel stack, left the SS and RSP words and pushed the caller's RFLAGS,
 * IF 0 in them as SYSENTER left it; TF is still live, the #DB it raises
 * ignored up to sysenter_entry32_tf_window_end).  __kernel_vsyscall's dance
 * (kip32_stubs.S): ebp = the user ESP, the caller's ecx, edx and ebp pushed
 * on the user stack, the 6th argument - the caller's ebp - at [ESP]; the
 * return is always to the 32-bit interface page's landing point, which
 * pops the three, so rcx and rdx are the exit's to use.
 *
 *   +16 rflags  (pushfq)     +8 cs, +0 rip: skipped (the full path writes
 *   USER32_CS and the landing point); SS and RSP above: skipped too
 *
 * The exit: the caller's RFLAGS with IF 0, then SYSEXITL to EDX = the
 * landing point, ESP = ECX = EBP, after STI, whose one-instruction shadow
 * keeps interrupts off until SYSEXIT has completed (exit.S SYSEXIT_TAIL).
 * It cannot fault: both are 32-bit, CS and SS come from SYSENTER_CS, and
 * TF is not set (tested: one loaded before SYSEXIT would trap in ring 0).
 */
/* The 6th argument, the caller's ebp, at [ESP] (ebp = ESP). */
.macro sysenter_32_ARG6
    SMAP_OPEN
    GUARDED sysenter_32_arg6_fault, mov (%rbp), %r9d
    SMAP_CLOSE
.endm

.macro sysenter_32_EXIT
    COMPAT_RESTORE
    add     $16, %rsp                   /* rip, cs */
    popfq
    mov     kip32_sysenter_landing_address(%rip), %edx
    mov     %ebp, %ecx
    swapgs
    sti
    sysexitl
.endm

sysenter_entry32:                       /* sysenter.S: percpu.compat is 1 */
    push    $RFLAGS_FIXED
    popfq
sysenter_entry32_tf_window_end:
    mov     %ebp, %ebp                  /* the user ESP, zero-extended */
    sub     $16, %rsp                   /* cs, rip */
    COMPAT_SAVE
sysenter_32_fast_test:
    incq    %gs:PERCPU_SYSCALLS
    testb   $(RFLAGS_TF >> 8), ABOVE(16 + 1)
    jnz     sysenter_32_full
    cmpq    $0, %gs:PERCPU_WORK
    jne     sysenter_32_full
    COMPAT_DISPATCH sysenter_32, sysenter_32_ARG6, none

    /* The dance pushed three words above the stub's return address. */
    COMPAT_PAST sysenter_32, %rbp, 4 + 12

/* The C function reads [ESP] again and answers -EFAULT. */
sysenter_32_arg6_fault:
    SMAP_CLOSE
sysenter_32_full:
    COMPAT_RESTORE
    movq    $0, 0(%rsp)                 /* rip: fast_door_syscall sets the landing point */
    movq    $USER32_CS, 8(%rsp)
    orq     $RFLAGS_IF, 16(%rsp)        /* ring 3's IF, which SYSENTER cleared */
    mov     %rbp, 24(%rsp)
    movq    $USER_DS, 32(%rsp)
    FULL_CALL SYSCALL_VECTOR, SG_MECH_SYSENTER, fast_door_syscall

/*
 * SYSCALL from compatibility mode (AMD only; MSR_CSTAR).  What the CPU did
 * (AMD APM vol. 2 6.1.1; vol. 3 SYSCALL): RCX = the return EIP
 * (zero-extended), R11 = RFLAGS, RFLAGS &= ~FMASK (IF, TF, DF, AC, NT,
 * IOPL: mechanisms.c), CS and SS from STAR; no stack switch (ESP is the
 * user's, its upper half undefined), nothing saved, GS untouched.  So the
 * GS swap and the stack switch come first, as in syscall.S, whose frame
 * this is:
 *
 *     +176 ss      skipped: the full path writes USER_DS
 *     +168 rsp     user ESP, zero-extended
 *     +160 rflags  R11
 *     +152 cs      skipped: the full path writes USER32_CS
 *     +144 rip     RCX
 *     +136 error, +128 vector, +120 entry: skipped
 *     +112 rdi ... +72 r9    SAVE_ARG_REGS
 *
 * rcx and r11 are the ABI's (SYSRETL takes EIP from ECX and EFLAGS from
 * R11: docs/abi.md), so they are not saved.  __kernel_vsyscall's dance
 * (kip32_stubs.S): the 2nd argument in ebp (SYSCALL overwrites ecx), the
 * 6th - the caller's ebp - at [ESP]; the stub pops ebp, edx and ecx after.
 *
 * The exit is SYSRETL to ECX = the saved EIP with R11 = the saved EFLAGS,
 * on the user's stack: it cannot fault (EIP is 32-bit, CS and SS from
 * STAR), and TF and RF are not set in R11 (tested: SYSRET restores neither
 * faithfully - exit.S).  On AMD the hidden SS attributes may be stale
 * after SYSRET: the stub reloads SS (docs/mechanisms.md).
 */
#define FAST(field) (FRAME_##field - FRAME_ENTRY)(%rsp)     /* from the skipped words */
#define FULL(field) (FRAME_##field - FRAME_R9)(%rsp)        /* from the last argument */

/* The 6th argument, the caller's ebp, at [ESP]. */
.macro syscall_32_ARG6
    mov     FULL(RSP), %r9
    SMAP_OPEN
    GUARDED syscall_32_arg6_fault, mov (%r9), %r9d
    SMAP_CLOSE
.endm

.macro syscall_32_EXIT
    RESTORE_ARG_REGS
    mov     FAST(RIP), %ecx
    mov     FAST(RFLAGS), %r11
    mov     FAST(RSP), %rsp
    swapgs
    sysretl
.endm

    .align 16
syscall_compat_entry:
    swapgs
    mov     %esp, %esp                  /* zero-extend ESP into RSP */
    mov     %rsp, %gs:PERCPU_USER_RSP
    mov     %gs:PERCPU_SYSCALL_RSP, %rsp        /* the ss word, skipped */
    push    %gs:PERCPU_USER_RSP
    push    %r11
    mov     %rcx, -16(%rsp)                     /* rip, under the skipped cs word */
    sub     $16 + FRAME_DOOR_WORDS, %rsp        /* cs, rip, error, vector, entry */
    SAVE_ARG_REGS
syscall_32_fast_test:
    incq    %gs:PERCPU_SYSCALLS
    and     $FAST_EXIT_UNSAFE_FLAGS, %r11       /* r11 is in the frame now */
    or      %gs:PERCPU_WORK, %r11
    jnz     syscall_32_full
    COMPAT_DISPATCH syscall_32, syscall_32_ARG6, none, %ebp

    COMPAT_PAST syscall_32, FULL(RSP), 4 + 12

syscall_32_arg6_fault:
    SMAP_CLOSE
/* The words the fast path skipped, with the values SYSCALL_DOOR_FRAME
 * gives them, then the rest of the registers, rcx and r11 as the CPU left
 * them; fast_door_syscall puts the arguments where the i386 ABI has them. */
syscall_32_full:
    SYSCALL_DOOR_COMPLETE USER32_CS
    mov     %rsp, %rdi
    call    fast_door_syscall
    jmp     ret_user

/* CSTAR on a CPU whose 32-bit code has no SYSCALL (Intel raises #UD for
 * it; QEMU's TCG jumps here instead): the process gets the #UD's SIGILL
 * (compat.c). */
    .align 16
syscall_compat_ud:
    swapgs
    mov     %esp, %esp
    SYSCALL_DOOR_FRAME USER32_CS
    mov     %rsp, %rdi
    call    compat_syscall_ud
    jmp     ret_user

/*
 * compat_table32's slots without a fast handler.  Both are reached only
 * by a door's registers way (the argument ways call FAST handlers only:
 * WAY_FAST), with the number in rax and the caller's registers in the
 * eight saved words.  A FULL call goes back to the full path of the door
 * whose fast path called it: its return address says which.
 */
compat_full_call:
    pop     %r11
    cmp     $sysenter_32_exit, %r11         /* the defaults first */
    je      sysenter_32_full
    cmp     $syscall_32_exit, %r11
    je      syscall_32_full
    cmp     $int80_32_exit, %r11
    je      int80_32_full
    cmp     $trap_32_exit, %r11
    je      trap_32_full
    cmp     $callgate_32_exit, %r11
    je      callgate_32_full
    cmp     $exdoor_32_exit, %r11
    je      exdoor_32_full
    ud2                                 /* no other caller: a kernel bug */

/* An empty slot: -ENOSYS, once the process's first call of the number has
 * been logged through the full path (tables.h). */
compat_unknown:
    UNKNOWN_SLOT compat_full_call

    .section .note.GNU-stack, "", @progbits
