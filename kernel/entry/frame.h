/*
 * The one saved-register frame.  Every entry mechanism, every exception and
 * every interrupt builds exactly this on the kernel stack, records in
 * `entry` which door the process came through, and hands a pointer to it to
 * C.  The exit path reads `entry` (and the frame's contents) to choose how
 * to return (kernel/entry/exit.S).
 *
 *   offset  field                                   pushed by
 *   ------  -------------------------------------   ------------------------
 *    176    ss                                      hardware (or the door)
 *    168    rsp                                     hardware (or the door)
 *    160    rflags                                  hardware (or the door)
 *    152    cs                                      hardware (or the door)
 *    144    rip                                     hardware (or the door)
 *    136    error code (0 where the CPU pushes none) hardware or stub
 *    128    vector (SYSCALL_VECTOR for system calls) stub
 *    120    entry: SG_MECH_* or ENTRY_* below       stub
 *    112    rdi  rsi rdx r10 r8 r9 (down to +72)    SAVE_ARG_REGS
 *     64    rcx  r11                                SAVE_RCX_R11
 *     48    rax  rbx rbp r12 r13 r14                SAVE_REST_REGS
 *      0    r15                            <- rsp = struct frame *
 *
 * The order of the general registers is the fast paths' (docs/mechanisms.md,
 * "The fast path"): the six argument registers lie right under the door's
 * words, then rcx and r11 - together the registers the C calling convention
 * lets a handler clobber, rax (the result) aside.  So the 64-bit syscall
 * door's fast path saves exactly the arguments with six pushes (its ABI
 * gives rcx and r11 up), the other 64-bit doors' fast paths the arguments,
 * rcx and r11 with eight, and every full path completes the frame below
 * what its fast path saved.
 */
#ifndef SYSGATE_FRAME_H
#define SYSGATE_FRAME_H

#define FRAME_R15     0
#define FRAME_R14     8
#define FRAME_R13    16
#define FRAME_R12    24
#define FRAME_RBP    32
#define FRAME_RBX    40
#define FRAME_RAX    48
#define FRAME_R11    56
#define FRAME_RCX    64
#define FRAME_R9     72
#define FRAME_R8     80
#define FRAME_R10    88
#define FRAME_RDX    96
#define FRAME_RSI   104
#define FRAME_RDI   112
#define FRAME_ENTRY 120
#define FRAME_VECTOR 128
#define FRAME_ERROR 136
#define FRAME_RIP   144
#define FRAME_CS    152
#define FRAME_RFLAGS 160
#define FRAME_RSP   168
#define FRAME_SS    176
#define FRAME_SIZE  184

/* The three words between the registers and the hardware's part: what
 * the exits skip with one `add` (entry, vector, error code). */
#define FRAME_DOOR_WORDS (FRAME_RIP - FRAME_ENTRY)

/* The flags no fast return (SYSRET, SYSEXIT, LRET) restores faithfully:
 * none restores RF, and a TF restored before the return instruction would
 * trap in ring 0; those returns go through IRETQ (exit.S). */
#define FAST_EXIT_UNSAFE_FLAGS (RFLAGS_TF | RFLAGS_RF)

/* The vector every system call's frame records, whatever its door: Linux's
 * int $0x80 (the IDT slot of int80.S). */
#define SYSCALL_VECTOR 0x80
/* #UD, the trap door's vector (Intel SDM vol. 3A table 6-1). */
#define UD_VECTOR 6
/* #BP, the int3 door's vector, and #DE, the divide door's (same table). */
#define BP_VECTOR 3
#define DE_VECTOR 0
#define GP_VECTOR 13    /* #GP: the hlt, rdtsc, umip and cpuid doors' */
#define DB_VECTOR 1     /* #DB, the icebp door's */
#define BR_VECTOR 5     /* #BR, the bound door's */
#define OF_VECTOR 4     /* #OF, the into door's */
#define PF_VECTOR 14    /* #PF, the pf door's */
#define NM_VECTOR 7     /* #NM, the nm door's */
#define AC_VECTOR 17    /* #AC, the ac door's */

/* How the process entered: the entry tag.  A system call's tag is its
 * door's number, SG_MECH_<door> (include/sysgate/doors.def); the other
 * ways in have tags past every door number. */
#define ENTRY_EXCEPTION 64   /* CPU exception (vectors 0-31)       -> iretq */
#define ENTRY_IRQ       65   /* hardware interrupt                 -> iretq */
#define ENTRY_NEW       66   /* a new process's first return       -> iretq */
/* The exits the doors' tags choose (exit.S): SG_MECH_SYSCALL -> sysretq,
 * SG_MECH_SYSENTER -> sysexitq, SG_MECH_CALLGATE -> lretq, every other
 * tag -> iretq. */

/* The per-CPU block that GS points at in the kernel (after swapgs). */
#define PERCPU_SELF        0
#define PERCPU_KERNEL_RSP  8    /* top of the running process's kernel stack */
#define PERCPU_USER_RSP   16    /* scratch: user RSP during syscall entry */
#define PERCPU_CURRENT    24
#define PERCPU_DECLINED_SYSRET  32  /* fast exits that fell back to iretq */
#define PERCPU_DECLINED_SYSEXIT 40
#define PERCPU_DECLINED_LRET    48
#define PERCPU_COMPAT           56  /* 1 while a 32-bit process runs */
#define PERCPU_REPLACED_FRAME   64  /* the frame sg_setcontext last replaced */
#define PERCPU_SYSCALL_RSP      72  /* kernel_rsp - 8: where the syscall fast path starts */
#define PERCPU_WORK             80  /* WORK_* below: work before the return to user mode */
#define PERCPU_SYSCALLS         88  /* system calls entered since the running process was
                                       switched in (sched.c adds them to its proc) */
#define PERCPU_UNIMPLEMENTED    96  /* the running process's unimplemented_logged bits */

/* percpu.work: while it is not 0, every system call takes the full path
 * (kernel/entry/exit.S's ret_user does the work).  WORK_RESCHED: a timer
 * tick landed in kernel mode, where the kernel is never preempted, so the
 * next return to user mode switches processes instead.  WORK_TRACE: the
 * system-call trace is on, every call goes through the C dispatcher. */
#define WORK_RESCHED  (1 << 0)
#define WORK_TRACE    (1 << 1)
/* WORK_SIGNAL: the running process has a signal to act on or an
 * interrupted call to settle (kernel/proc/signal.c). */
#define WORK_SIGNAL   (1 << 2)
/* WORK_STEPPED: a #DB trapped in a door's TF window (traps.c): the process
 * entered the call gate or sysenter with TF set, and only ret_user's IRETQ
 * gives it back - the call gate's fast path reads this bit instead of the
 * flags.  Cleared by the next return to user mode. */
#define WORK_STEPPED  (1 << 3)
/* WORK_RSEQ: the running thread registered rseq and was switched in (a
 * preemption) or has just registered: its rseq area wants the CPU fields
 * and its critical section the abort check (kernel/proc/rseq.c). */
#define WORK_RSEQ     (1 << 4)

#ifdef __ASSEMBLER__
#include "../arch/selectors_msrs.h"
#include <sysgate/abi.h>

/* The general-purpose registers in frame order: the argument registers
 * (the syscall door's fast path saves only these), rcx and r11 (the other
 * doors' fast paths save these too), then the rest. */
.macro SAVE_ARG_REGS
    push %rdi
    push %rsi
    push %rdx
    push %r10
    push %r8
    push %r9
.endm

.macro SAVE_RCX_R11
    push %rcx
    push %r11
.endm

/* What a fast path's frame lacks: rax and the registers C preserves (a
 * full path completes the frame with these). */
.macro SAVE_REST_REGS
    push %rax
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
.endm

.macro SAVE_OTHER_REGS
    SAVE_RCX_R11
    SAVE_REST_REGS
.endm

.macro SAVE_GPRS
    SAVE_ARG_REGS
    SAVE_OTHER_REGS
.endm

/* The frame of the two SYSCALL doors (64-bit and compat).  The CPU
 * switched no stack and saved nothing in memory; RCX holds the return RIP
 * and R11 the user RFLAGS.  Park the user RSP in the per-CPU block, load
 * the kernel stack from it, and push the return frame SYSRET will need. */
.macro SYSCALL_DOOR_FRAME user_cs
    mov     %rsp, %gs:PERCPU_USER_RSP
    mov     %gs:PERCPU_KERNEL_RSP, %rsp
    push    $USER_DS
    push    %gs:PERCPU_USER_RSP
    push    %r11
    push    $\user_cs
    push    %rcx
    push    $0
    push    $SYSCALL_VECTOR
    push    $SG_MECH_SYSCALL
    SAVE_GPRS
.endm

/* The SYSCALL doors' fast paths (syscall.S, compat_doors.S) write the
 * user RSP, R11 and RCX into their slots and the six argument registers,
 * and skip the rest: their way onto the full path, with %rsp at the last
 * argument register (r9), writes every skipped word with the value
 * SYSCALL_DOOR_FRAME gives it and pushes the other registers, rcx and r11
 * as the CPU left them. */
.macro SYSCALL_DOOR_COMPLETE user_cs
    movq    $USER_DS, (FRAME_SS - FRAME_R9)(%rsp)
    movq    $\user_cs, (FRAME_CS - FRAME_R9)(%rsp)
    movq    $0, (FRAME_ERROR - FRAME_R9)(%rsp)
    movq    $SYSCALL_VECTOR, (FRAME_VECTOR - FRAME_R9)(%rsp)
    movq    $SG_MECH_SYSCALL, (FRAME_ENTRY - FRAME_R9)(%rsp)
    mov     (FRAME_RIP - FRAME_R9)(%rsp), %rcx
    mov     (FRAME_RFLAGS - FRAME_R9)(%rsp), %r11
    SAVE_OTHER_REGS
.endm

/* The call gate's words in the frame's order: the CPU pushed SS, RSP, CS
 * and RIP (no RFLAGS), the door the caller's RFLAGS under them; this makes
 * it rip cs rflags rsp ss (callgate.S, compat_doors.S). */
.macro CALLGATE_FRAME_ORDER
    push    %rax
    push    %rcx
    /* [0] rcx [8] rax [16] rflags [24] rip [32] cs: make it rip cs rflags */
    mov     16(%rsp), %rax
    mov     24(%rsp), %rcx
    mov     %rcx, 16(%rsp)
    mov     32(%rsp), %rcx
    mov     %rcx, 24(%rsp)
    mov     %rax, 32(%rsp)
    pop     %rcx
    pop     %rax
.endm

/* Reloads the registers either system-call ABI passes values in (64-bit:
 * rax rdi rsi rdx r10 r8 r9; 32-bit: eax ebx ecx edx esi edi ebp) from the
 * frame, for a door that called into C before the dispatcher's front
 * (trap.S, after trap_classify). */
.macro RELOAD_CALL_REGS
    mov     FRAME_RAX(%rsp), %rax
    mov     FRAME_RBX(%rsp), %rbx
    mov     FRAME_RCX(%rsp), %rcx
    mov     FRAME_RDX(%rsp), %rdx
    mov     FRAME_RSI(%rsp), %rsi
    mov     FRAME_RDI(%rsp), %rdi
    mov     FRAME_RBP(%rsp), %rbp
    mov     FRAME_R8(%rsp), %r8
    mov     FRAME_R9(%rsp), %r9
    mov     FRAME_R10(%rsp), %r10
.endm

.macro RESTORE_RCX_R11
    pop %r11
    pop %rcx
.endm

.macro RESTORE_OTHER_REGS
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    pop %rax
    RESTORE_RCX_R11
.endm

.macro RESTORE_ARG_REGS
    pop %r9
    pop %r8
    pop %r10
    pop %rdx
    pop %rsi
    pop %rdi
.endm

.macro RESTORE_GPRS
    RESTORE_OTHER_REGS
    RESTORE_ARG_REGS
.endm

#else

#include <stdint.h>
#include <stddef.h>

struct frame {
    uint64_t r15, r14, r13, r12, rbp, rbx, rax;             /* SAVE_REST_REGS */
    uint64_t r11, rcx;                                       /* SAVE_RCX_R11 */
    uint64_t r9, r8, r10, rdx, rsi, rdi;                     /* SAVE_ARG_REGS */
    uint64_t entry, vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};

/* Every offset assembly uses, checked against the structure. */
#define FRAME_FIELD(field, OFFSET) _Static_assert(offsetof(struct frame, field) == OFFSET, "frame.h: " #OFFSET);
FRAME_FIELD(r15, FRAME_R15) FRAME_FIELD(r14, FRAME_R14) FRAME_FIELD(r13, FRAME_R13) FRAME_FIELD(r12, FRAME_R12)
FRAME_FIELD(rbp, FRAME_RBP) FRAME_FIELD(rbx, FRAME_RBX) FRAME_FIELD(r11, FRAME_R11) FRAME_FIELD(rcx, FRAME_RCX)
FRAME_FIELD(rax, FRAME_RAX) FRAME_FIELD(r9, FRAME_R9) FRAME_FIELD(r8, FRAME_R8) FRAME_FIELD(r10, FRAME_R10)
FRAME_FIELD(rdx, FRAME_RDX) FRAME_FIELD(rsi, FRAME_RSI) FRAME_FIELD(rdi, FRAME_RDI) FRAME_FIELD(entry, FRAME_ENTRY)
FRAME_FIELD(vector, FRAME_VECTOR) FRAME_FIELD(error, FRAME_ERROR) FRAME_FIELD(rip, FRAME_RIP)
FRAME_FIELD(cs, FRAME_CS) FRAME_FIELD(rflags, FRAME_RFLAGS) FRAME_FIELD(rsp, FRAME_RSP) FRAME_FIELD(ss, FRAME_SS)
#undef FRAME_FIELD
_Static_assert(sizeof(struct frame) == FRAME_SIZE, "frame.h: FRAME_SIZE");
_Static_assert(FRAME_DOOR_WORDS == 3 * 8, "frame.h: entry, vector and error code lie between the registers and rip");

struct proc;
struct percpu {
    struct percpu *self;
    uint64_t kernel_rsp;
    uint64_t user_rsp;
    struct proc *current;
    uint64_t declined_sysret, declined_sysexit, declined_lret;
    uint64_t compat;
    /* A frame, not a flag: a process blocked in a call must not mistake
     * another process's sg_setcontext for its own (each process's frame
     * sits at the top of its own kernel stack). */
    struct frame *replaced_frame;
    uint64_t syscall_rsp;
    uint64_t work;
    uint64_t syscalls;
    uint64_t *unimplemented_logged;
};
_Static_assert(offsetof(struct percpu, self) == PERCPU_SELF, "percpu layout");
_Static_assert(offsetof(struct percpu, kernel_rsp) == PERCPU_KERNEL_RSP, "percpu layout");
_Static_assert(offsetof(struct percpu, user_rsp) == PERCPU_USER_RSP, "percpu layout");
_Static_assert(offsetof(struct percpu, current) == PERCPU_CURRENT, "percpu layout");
_Static_assert(offsetof(struct percpu, declined_sysret) == PERCPU_DECLINED_SYSRET, "percpu layout");
_Static_assert(offsetof(struct percpu, declined_sysexit) == PERCPU_DECLINED_SYSEXIT, "percpu layout");
_Static_assert(offsetof(struct percpu, declined_lret) == PERCPU_DECLINED_LRET, "percpu layout");
_Static_assert(offsetof(struct percpu, compat) == PERCPU_COMPAT, "percpu layout");
_Static_assert(offsetof(struct percpu, replaced_frame) == PERCPU_REPLACED_FRAME, "percpu layout");
_Static_assert(offsetof(struct percpu, syscall_rsp) == PERCPU_SYSCALL_RSP, "percpu layout");
_Static_assert(offsetof(struct percpu, work) == PERCPU_WORK, "percpu layout");
_Static_assert(offsetof(struct percpu, syscalls) == PERCPU_SYSCALLS, "percpu layout");
_Static_assert(offsetof(struct percpu, unimplemented_logged) == PERCPU_UNIMPLEMENTED, "percpu layout");

extern struct percpu percpu0;

static inline int frame_from_user(const struct frame *f)
{
    return (f->cs & 3) == 3;
}

#endif
#endif
