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
 *    128    vector (0x80 for system calls)          stub
 *    120    entry: ENTRY_* below                    stub
 *    112    rax                                     SAVE_GPRS
 *    ...    rbx rcx rdx rsi rdi rbp r8 ... r14
 *      0    r15                            <- rsp = struct frame *
 */
#ifndef SYSGATE_FRAME_H
#define SYSGATE_FRAME_H

#define FRAME_R15     0
#define FRAME_R14     8
#define FRAME_R13    16
#define FRAME_R12    24
#define FRAME_R11    32
#define FRAME_R10    40
#define FRAME_R9     48
#define FRAME_R8     56
#define FRAME_RBP    64
#define FRAME_RDI    72
#define FRAME_RSI    80
#define FRAME_RDX    88
#define FRAME_RCX    96
#define FRAME_RBX   104
#define FRAME_RAX   112
#define FRAME_ENTRY 120
#define FRAME_VECTOR 128
#define FRAME_ERROR 136
#define FRAME_RIP   144
#define FRAME_CS    152
#define FRAME_RFLAGS 160
#define FRAME_RSP   168
#define FRAME_SS    176
#define FRAME_SIZE  184

/* How the process entered: the door tag. */
#define ENTRY_EXCEPTION  0   /* CPU exception (vectors 0-31)       -> iretq */
#define ENTRY_IRQ        1   /* hardware interrupt                  -> iretq */
#define ENTRY_INT80      2   /* int 0x80                            -> iretq */
#define ENTRY_CALLGATE   3   /* far call through the call gate      -> lretq */
#define ENTRY_SYSCALL    4   /* syscall                             -> sysretq */
#define ENTRY_SYSENTER   5   /* sysenter                            -> sysexitq */
#define ENTRY_TRAP       6   /* the trap-syscall instruction (#UD)  -> iretq */
#define ENTRY_NEW        7   /* a new process's first return       -> iretq */

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
#define PERCPU_WORK             72  /* WORK_* below: work before the return to user mode */

/* percpu.work: while it is not 0, ret_user (kernel/entry/exit.S) calls
 * exit_to_user_work() (exit_work.c) before it returns to user mode.
 * WORK_SIGNAL: the running process has a signal to act on or an
 * interrupted call to settle (proc/signal.c). */
#define WORK_SIGNAL   (1 << 2)

/* struct proc's count of system calls entered (proc.h), which the
 * dispatcher's front (dispatch_fast.S) increments. */
#define PROC_SYSCALLS 512

#ifdef __ASSEMBLER__
#include "../arch/selectors_msrs.h"

/* Push the general-purpose registers in frame order (rax first, r15 last). */
.macro SAVE_GPRS
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
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
    push    $0x80
    push    $ENTRY_SYSCALL
    SAVE_GPRS
.endm

/* Reloads the registers either system-call ABI passes values in (64-bit:
 * rax rdi rsi rdx r10 r8 r9; 32-bit: eax ebx ecx edx esi edi ebp) from the
 * frame, for a door that called into C before the dispatcher's front. */
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

/* The two 32-bit fast doors (sysenter.S, syscall_compat.S): compat.c puts
 * the i386 registers back where the ABI has them, the dispatcher's front
 * runs with them reloaded, compat.c writes the exit's clobbers. */
.macro COMPAT_FAST_DISPATCH
    mov     %rsp, %rdi
    call    compat_fast_prepare
    test    %al, %al
    jz      97f
    RELOAD_CALL_REGS
    call    syscall_enter
97: mov     %rsp, %rdi
    call    compat_fast_finish
.endm

/* An interrupt or trap gate does not clear AC (Intel SDM vol. 3A 6.12.1.3):
 * a user-set AC would switch SMAP off in the kernel.  CLAC is #UD without
 * SMAP, hence the test. */
.macro SMAP_CLAC
    testb   $1, smap_enabled(%rip)
    jz      98f
    clac
98:
.endm

.macro RESTORE_GPRS
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
.endm

#else

#include <stdint.h>
#include <stddef.h>

struct frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t entry, vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(offsetof(struct frame, r15) == FRAME_R15, "frame layout");
_Static_assert(offsetof(struct frame, r11) == FRAME_R11, "frame layout");
_Static_assert(offsetof(struct frame, rbp) == FRAME_RBP, "frame layout");
_Static_assert(offsetof(struct frame, rcx) == FRAME_RCX, "frame layout");
_Static_assert(offsetof(struct frame, rax) == FRAME_RAX, "frame layout");
_Static_assert(offsetof(struct frame, entry) == FRAME_ENTRY, "frame layout");
_Static_assert(offsetof(struct frame, vector) == FRAME_VECTOR, "frame layout");
_Static_assert(offsetof(struct frame, error) == FRAME_ERROR, "frame layout");
_Static_assert(offsetof(struct frame, rip) == FRAME_RIP, "frame layout");
_Static_assert(offsetof(struct frame, rflags) == FRAME_RFLAGS, "frame layout");
_Static_assert(offsetof(struct frame, rsp) == FRAME_RSP, "frame layout");
_Static_assert(offsetof(struct frame, ss) == FRAME_SS, "frame layout");
_Static_assert(sizeof(struct frame) == FRAME_SIZE, "frame layout");

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
    uint64_t work;
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
_Static_assert(offsetof(struct percpu, work) == PERCPU_WORK, "percpu layout");

extern struct percpu percpu0;

static inline int frame_from_user(const struct frame *f)
{
    return (f->cs & 3) == 3;
}

#endif
#endif
