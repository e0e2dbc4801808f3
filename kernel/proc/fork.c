/*
 * fork, vfork and clone (clone(2)): new processes and threads.
 *
 * A new process gets a copy of the caller: its address space (copied
 * eagerly, page by page: kernel/mm/space.c mm_fork), its descriptors (the
 * same open files, each descriptor's close-on-exec flag kept), working
 * directory, limits, segment, TLS and LDT state, FPU/SSE registers and the
 * caller's saved frame - so the child leaves the kernel through the full
 * exit path with the parent's registers and 0 in rax.
 *
 * What clone's flags share is shared instead: CLONE_VM the address space
 * (a thread, or vfork and posix_spawn's CLONE_VM|CLONE_VFORK), CLONE_FILES
 * the descriptor table; CLONE_THREAD puts the child in the caller's thread
 * group (getpid the same, gettid its own, not a child anyone waits for),
 * with CLONE_SETTLS its TLS.  CLONE_FS is accepted, but the working
 * directory is copied, not shared.  CLONE_VFORK blocks the parent until the
 * child execs or ends (vfork(2)).
 */
#include "proc.h"
#include "../arch/fpu.h"
#include "../arch/io.h"
#include "../entry/entry.h"
#include "../fs/file.h"
#include "../mm/mm.h"
#include "../mm/space.h"
#include "../syscall/syscall.h"
#include "../syscall/uaccess.h"
#include <sysgate/abi.h>

/* clone flags (include/uapi/linux/sched.h) */
#define CLONE_CSIGNAL        0x000000ffu    /* the exit signal */
#define CLONE_VM             0x00000100u
#define CLONE_FS             0x00000200u
#define CLONE_FILES          0x00000400u
#define CLONE_SIGHAND        0x00000800u
#define CLONE_PIDFD          0x00001000u
#define CLONE_PTRACE         0x00002000u
#define CLONE_VFORK          0x00004000u
#define CLONE_PARENT         0x00008000u
#define CLONE_THREAD         0x00010000u
#define CLONE_NEWNS          0x00020000u
#define CLONE_SYSVSEM        0x00040000u
#define CLONE_SETTLS         0x00080000u
#define CLONE_PARENT_SETTID  0x00100000u
#define CLONE_CHILD_CLEARTID 0x00200000u
#define CLONE_DETACHED       0x00400000u
#define CLONE_UNTRACED       0x00800000u
#define CLONE_CHILD_SETTID   0x01000000u

/* What clone takes: the rest (namespaces, pidfd, ptrace, io contexts,
 * CLONE_NEWNS...) is -EINVAL here. */
#define CLONE_KNOWN_FLAGS                                                                              \
    (CLONE_CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_VFORK | CLONE_PARENT |   \
     CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID |        \
     CLONE_DETACHED | CLONE_UNTRACED | CLONE_CHILD_SETTID)

void proc_vfork_release(struct proc *child)
{
    struct proc *parent = child->vfork_parent;
    if (!parent)
        return;
    child->vfork_parent = 0;
    sched_wake(child);
}

/* A segment register's hidden base, as loading sel from the TLS slots in s
 * would set it: a code/data descriptor's base is bits 16-39 and 56-63
 * (Intel SDM vol. 3A 3.4.5).  Other selectors keep the base saved. */
static void tls_rebase(const struct seg_state *s, uint16_t sel, uint64_t *base)
{
    unsigned e = sel >> 3;
    if ((sel & 4) || e < GDT_TLS_MIN || e >= GDT_TLS_MIN + GDT_TLS_ENTRIES)
        return;
    uint64_t d = s->tls[e - GDT_TLS_MIN];
    *base = ((d >> 16) & 0xffffff) | ((d >> 56) & 0xff) << 24;
}

/* A tid is a pid_t: 32 bits for either width. */
static int put_tid(uint64_t addr, int tid)
{
    return copy_to_user(addr, &tid, sizeof tid);
}

static long do_clone(uint64_t flags, uint64_t newsp, uint64_t parent_tid, uint64_t child_tid, uint64_t tls)
{
    struct proc *parent = current_proc();
    if (flags & ~(uint64_t)CLONE_KNOWN_FLAGS)
        return -SG_EINVAL;
    if ((flags & CLONE_CSIGNAL) > SG_NSIG)
        return -SG_EINVAL;
    /* Linux's copy_process: a thread shares the signal handlers, which
     * need the address space. */
    if (((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)) || ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM)))
        return -SG_EINVAL;
    if ((flags & CLONE_SETTLS) && parent->bits == 64 && tls >= USER_END)
        return -SG_EPERM;       /* as arch_prctl(ARCH_SET_FS) */

    struct proc *child = proc_alloc();
    if (!child)
        return -SG_EAGAIN;
    child->bits = parent->bits;
    long err = -SG_ENOMEM;
    if (flags & CLONE_VM)
        mm_share(child, parent);
    else if (mm_fork(child, parent))
        goto fail;
    if (flags & CLONE_FILES)
        files_share(child, parent);
    else if (files_fork(child, parent))
        goto fail;
    memcpy(child->name, parent->name, sizeof child->name);
    child->parent = (flags & CLONE_PARENT) && parent->parent ? parent->parent : parent;
    child->exit_signal = (int)(flags & CLONE_CSIGNAL);
    if (flags & CLONE_THREAD) {
        child->tgid = parent->tgid;
        child->parent = parent->parent;
        child->exit_signal = 0;
    }
    child->pgid = parent->pgid;
    child->sid = parent->sid;
    proc_identity_init(child, parent);
    /* Handlers (the same table under CLONE_SIGHAND), mask and alternate
     * stack are inherited, nothing pending (fork(2)); a thread shares its
     * group's process-directed signals. */
    signal_fork(child, parent, flags & CLONE_SIGHAND, flags & CLONE_THREAD);
    /* rdtsc and cpuid fault in the child as in the parent (Linux copies
     * TIF_NOTSC and TIF_NOCPUID with the thread flags). */
    child->tsc_faults = parent->tsc_faults;
    child->cpuid_faults = parent->cpuid_faults;

    /* The caller's live registers: FPU/SSE and segments (the kernel uses
     * neither), then its frame with 0 as the child's result. */
    if (parent->fpu_trap)
        clts();     /* XSAVE with TS set is #NM; the child starts with its nm door unarmed */
    fpu_save(child->fpu, false);
    if (parent->fpu_trap)
        stts();
    seg_save(&child->seg);
    memcpy(child->seg.tls, parent->seg.tls, sizeof child->seg.tls);
    /* The LDT is copied (Linux: ldt_dup_context); debug registers are
     * not inherited (a new process starts without breakpoints). */
    if (parent->seg.ldt) {
        child->seg.ldt = kmalloc((size_t)parent->seg.ldt_entries * 8);
        if (!child->seg.ldt)
            goto fail;
        memcpy(child->seg.ldt, parent->seg.ldt, (size_t)parent->seg.ldt_entries * 8);
        child->seg.ldt_entries = parent->seg.ldt_entries;
    }
    struct frame *f = proc_frame(child);
    *f = *syscall_frame();
    f->rax = 0;
    if (newsp)
        f->rsp = parent->bits == 32 ? (uint32_t)newsp : newsp;
    /* The 32-bit fast doors write their exit's clobbers after the call;
     * the child's copy was taken before: write them now. */
    if (f->cs == USER32_CS && (f->entry == SG_MECH_SYSENTER || f->entry == SG_MECH_SYSCALL))
        fast_door_exit_regs(f);
    if (flags & CLONE_SETTLS) {
        err = parent->bits == 64 ? 0 : tls_set_thread_area(child, tls, false);
        if (err)
            goto fail;
        if (parent->bits == 64) {
            child->seg.fs = 0;
            child->seg.fs_base = tls;
        } else {
            /* The new descriptor is what the thread's GS (or FS) names. */
            tls_rebase(&child->seg, child->seg.gs, &child->seg.gs_base);
            tls_rebase(&child->seg, child->seg.fs, &child->seg.fs_base);
        }
    }
    proc_start_at_frame(child);

    if (flags & CLONE_CHILD_CLEARTID)
        child->clear_child_tid = child_tid;
    /* CLONE_CHILD_SETTID writes into the child's memory, CLONE_PARENT_SETTID
     * into the parent's (the same memory with CLONE_VM). */
    if (flags & CLONE_CHILD_SETTID) {
        mm_prepare_write(child, child_tid, 4);      /* the page is the child's, copy-on-write */
        vm_activate(child->pml4);
        int bad = put_tid(child_tid, child->pid);
        vm_activate(parent->pml4);
        err = -SG_EFAULT;
        if (bad)
            goto fail;
    }
    err = -SG_EFAULT;
    if ((flags & CLONE_PARENT_SETTID) && put_tid(parent_tid, child->pid))
        goto fail;

    int pid = child->pid;
    child->state = PROC_RUNNABLE;
    if (flags & CLONE_VFORK) {
        child->vfork_parent = parent;
        while (child->vfork_parent == parent && child->pid == pid)
            sched_block(child, 0);
    }
    return pid;

fail:
    signal_release(child);
    seg_release(&child->seg, false);
    files_release(child);
    mm_destroy(child);
    kstack_free(child->kstack);
    memset(child, 0, sizeof *child);
    return err;
}

long sys_fork(void)
{
    return do_clone(SG_SIGCHLD, 0, 0, 0, 0);
}

long sys_vfork(void)
{
    return do_clone(CLONE_VM | CLONE_VFORK | SG_SIGCHLD, 0, 0, 0, 0);
}

/* x86-64: clone(flags, newsp, parent_tid, child_tid, tls);
 * i386:   clone(flags, newsp, parent_tid, tls, child_tid)
 * (Linux's CONFIG_CLONE_BACKWARDS for i386). */
long sys_clone(uint64_t flags, uint64_t newsp, uint64_t parent_tid, uint64_t a3, uint64_t a4)
{
    if (current_proc()->bits == 32)
        return do_clone(flags, newsp, parent_tid, a4, a3);
    return do_clone(flags, newsp, parent_tid, a3, a4);
}

/* clone3's struct clone_args (include/uapi/linux/sched.h): 64-bit fields
 * for either width; CLONE_ARGS_SIZE_VER0 is its first 64 bytes. */
struct clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
    uint64_t set_tid, set_tid_size, cgroup;
};
#define CLONE_ARGS_SIZE_VER0 64
#define CLONE_ARGS_MAX 4096         /* Linux: a page */

/* clone3(2), as Linux's copy_clone_args_from_user and clone3_args_valid:
 * the exit signal as its own field (not in flags), the stack as its lowest
 * address and size; a structure larger than the one known here must be
 * zero beyond it (-E2BIG).  set_tid (choosing the pid) and CLONE_INTO_CGROUP
 * are not supported: -EINVAL. */
long sys_clone3(uint64_t uargs, uint64_t size)
{
    struct clone_args a;
    if (size < CLONE_ARGS_SIZE_VER0)
        return -SG_EINVAL;
    if (size > CLONE_ARGS_MAX)
        return -SG_E2BIG;
    memset(&a, 0, sizeof a);
    if (copy_from_user(&a, uargs, size < sizeof a ? size : sizeof a))
        return -SG_EFAULT;
    for (uint64_t at = sizeof a; at < size; at++) {
        uint8_t b;
        if (copy_from_user(&b, uargs + at, 1))
            return -SG_EFAULT;
        if (b)
            return -SG_E2BIG;
    }
    if ((a.flags & CLONE_CSIGNAL) || (a.flags >> 32) || a.exit_signal > SG_NSIG)
        return -SG_EINVAL;
    if (((a.flags & CLONE_THREAD) || (a.flags & CLONE_PARENT)) && a.exit_signal)
        return -SG_EINVAL;
    if (a.set_tid || a.set_tid_size || a.cgroup)
        return -SG_EINVAL;
    if ((a.stack == 0) != (a.stack_size == 0) || (a.stack && !user_range_ok(a.stack, a.stack_size)))
        return -SG_EINVAL;
    uint64_t sp = a.stack ? a.stack + a.stack_size : 0;
    return do_clone(a.flags | a.exit_signal, sp, a.parent_tid, a.child_tid, a.tls);
}
