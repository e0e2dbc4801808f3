/*
 * fork, vfork and clone for new processes (clone(2)).  The child gets a
 * copy of the caller: its address space (copied eagerly, page by page:
 * kernel/mm/space.c mm_fork), its descriptors (the same open files, each
 * descriptor's close-on-exec flag kept), working directory, limits,
 * segment and TLS state, FPU/SSE registers and the caller's saved frame -
 * so the child leaves the kernel through the full exit path with the
 * parent's registers and 0 in rax.
 *
 * CLONE_VFORK blocks the parent until the child execs or ends (vfork(2));
 * with CLONE_VM (posix_spawn's CLONE_VM|CLONE_VFORK) the child still gets
 * a copy: it runs on the stack it was given and its writes are its own,
 * which posix_spawn tolerates (glibc's error report through the shared
 * memory is then lost: the parent sees a child that exits 127).  Threads
 * (CLONE_THREAD, CLONE_SETTLS and the other sharing flags) are -EINVAL.
 */
#include "proc.h"
#include "../entry/entry.h"
#include "../fs/file.h"
#include "../mm/mm.h"
#include "../mm/space.h"
#include "../syscall/syscall.h"
#include "../syscall/uaccess.h"
#include "../../include/sysgate/abi.h"

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

/* What a new process may ask for: the rest (namespaces, pidfd, ptrace,
 * io contexts, sharing what only threads share) is -EINVAL here. */
#define CLONE_PROCESS_FLAGS                                                                          \
    (CLONE_CSIGNAL | CLONE_VM | CLONE_VFORK | CLONE_PARENT | CLONE_SYSVSEM |        \
     CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_UNTRACED | CLONE_CHILD_SETTID)

void proc_vfork_release(struct proc *child)
{
    struct proc *parent = child->vfork_parent;
    if (!parent)
        return;
    child->vfork_parent = 0;
    proc_wake_all(child);
}

/* A tid is a pid_t: 32 bits for either width. */
static int put_tid(uint64_t addr, int tid)
{
    return copy_to_user(addr, &tid, sizeof tid);
}

static long do_clone(uint64_t flags, uint64_t newsp, uint64_t parent_tid, uint64_t child_tid)
{
    struct proc *parent = current_proc();
    if (flags & ~(uint64_t)CLONE_PROCESS_FLAGS)
        return -SG_EINVAL;
    if ((flags & CLONE_CSIGNAL) > SG_NSIG)
        return -SG_EINVAL;

    struct proc *child = proc_alloc();
    if (!child)
        return -SG_EAGAIN;
    child->bits = parent->bits;
    if (mm_fork(child, parent) || files_fork(child, parent)) {
        files_release(child);
        mm_destroy(child);
        kstack_free(child->kstack);
        memset(child, 0, sizeof *child);
        return -SG_ENOMEM;
    }
    memcpy(child->name, parent->name, sizeof child->name);
    child->parent = (flags & CLONE_PARENT) && parent->parent ? parent->parent : parent;
    child->pgid = parent->pgid;
    child->sid = parent->sid;
    proc_identity_init(child, parent);

    /* The caller's live registers: FPU/SSE and segments (the kernel uses
     * neither), then its frame with 0 as the child's result. */
    __asm__ volatile("fxsave64 %0" : "=m"(child->fxsave));
    seg_save(&child->seg);
    memcpy(child->seg.tls, parent->seg.tls, sizeof child->seg.tls);
    struct frame *f = proc_frame(child);
    *f = *syscall_frame();
    f->rax = 0;
    if (newsp)
        f->rsp = parent->bits == 32 ? (uint32_t)newsp : newsp;
    /* The 32-bit fast doors write their exit's clobbers after the call;
     * the child's copy was taken before: write them now. */
    if (f->cs == USER32_CS && (f->entry == ENTRY_SYSENTER || f->entry == ENTRY_SYSCALL))
        compat_fast_finish(f);
    proc_start_at_frame(child);

    if (flags & CLONE_CHILD_CLEARTID)
        child->clear_child_tid = child_tid;
    /* CLONE_CHILD_SETTID writes into the child's memory, CLONE_PARENT_SETTID
     * into the parent's (a copy: both when both are asked). */
    if (flags & CLONE_CHILD_SETTID) {
        vm_activate(child->pml4);
        int bad = put_tid(child_tid, child->pid);
        vm_activate(parent->pml4);
        if (bad)
            goto bad_tid;
    }
    if ((flags & CLONE_PARENT_SETTID) && put_tid(parent_tid, child->pid))
        goto bad_tid;

    int pid = child->pid;
    child->state = PROC_RUNNABLE;
    if (flags & CLONE_VFORK) {
        child->vfork_parent = parent;
        while (child->vfork_parent == parent && child->pid == pid)
            proc_block(child);
    }
    return pid;

bad_tid:
    files_release(child);
    mm_destroy(child);
    kstack_free(child->kstack);
    memset(child, 0, sizeof *child);
    return -SG_EFAULT;
}

long sys_fork(void)
{
    return do_clone(SG_SIGCHLD, 0, 0, 0);
}

long sys_vfork(void)
{
    return do_clone(CLONE_VM | CLONE_VFORK | SG_SIGCHLD, 0, 0, 0);
}

/* x86-64: clone(flags, newsp, parent_tid, child_tid, tls);
 * i386:   clone(flags, newsp, parent_tid, tls, child_tid)
 * (Linux's CONFIG_CLONE_BACKWARDS for i386). */
long sys_clone(uint64_t flags, uint64_t newsp, uint64_t parent_tid, uint64_t a3, uint64_t a4)
{
    return do_clone(flags, newsp, parent_tid, current_proc()->bits == 32 ? a4 : a3);
}
