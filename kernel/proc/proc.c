/*
 * Process life cycle: slots, exit, kill, wait.  A process that ends
 * leaves its children to init (pid 1), as Linux's reparenting does
 * (without subreapers), and init collects them.
 *
 * Threads (clone CLONE_THREAD) are processes of one thread group (tgid):
 * a thread other than the leader that ends is collected by nobody - its
 * slot goes to the next proc_alloc - and the group's leader is reported to
 * its parent once every thread of the group has ended.
 */
#include "proc.h"
#include "../mm/mm.h"
#include "../mm/space.h"
#include "../fs/file.h"
#include "../arch/fpu.h"
#include "../arch/io.h"
#include <sysgate/abi.h>

struct proc procs[MAX_PROCS];
/* Each slot's FPU save area, allocated at its first use (its size comes
 * from CPUID at boot) and handed to every process of the slot. */
static uint8_t *fpu_areas[MAX_PROCS];
static int next_pid = 1;
static void (*exit_hooks[PROC_EXIT_HOOKS])(struct proc *p);

void proc_add_exit_hook(void (*hook)(struct proc *p))
{
    for (int i = 0; i < PROC_EXIT_HOOKS; i++)
        if (!exit_hooks[i]) {
            exit_hooks[i] = hook;
            return;
        }
    panic("more than %d process exit hooks", PROC_EXIT_HOOKS);
}

/* Frees what a dead process still holds (its address space went at exit). */
static void proc_release(struct proc *p)
{
    signal_release(p);
    kstack_free(p->kstack);
    memset(p, 0, sizeof *p);
}

struct proc *proc_alloc(void)
{
    for (int i = 0; i < MAX_PROCS; i++) {
        struct proc *p = &procs[i];
        /* An orphan zombie nobody will wait for is collected here. */
        if (p->state == PROC_ZOMBIE && !p->parent && p != current_proc())
            proc_release(p);
        if (p->state != PROC_FREE)
            continue;
        p->kstack = kstack_alloc(i);
        if (!p->kstack)
            return 0;
        if (!fpu_areas[i] && !(fpu_areas[i] = fpu_area_alloc())) {
            kstack_free(p->kstack);
            p->kstack = 0;
            return 0;
        }
        p->fpu = fpu_areas[i];
        p->pid = next_pid++;
        p->tgid = p->pgid = p->sid = p->pid;
        return p;
    }
    return 0;
}

struct proc *proc_find(int pid)
{
    for (int i = 0; i < MAX_PROCS; i++)
        if (procs[i].state != PROC_FREE && procs[i].pid == pid && pid > 0)
            return &procs[i];
    return 0;
}

/* CLONE_CHILD_CLEARTID (set_tid_address(2)): when a thread ends while its
 * address space lives on in another, the kernel writes 0 at the address
 * and wakes one futex waiter there (how pthread_join learns of it).  The
 * word is written through p's page tables: p need not be running. */
static void clear_child_tid(struct proc *p)
{
    uint64_t addr = p->clear_child_tid;
    if (!addr || !p->vm || p->vm->users < 2 || addr % 4 || addr >= p->vm->limit)
        return;
    /* A page still shared copy-on-write with a forked child gets its own
     * copy first, as a write by the thread itself would. */
    mm_prepare_write(p, addr, 4);
    uint64_t pte = vm_lookup(p->pml4, addr);
    if ((pte & (PTE_P | PTE_U | PTE_W)) == (PTE_P | PTE_U | PTE_W)) {
        *(uint32_t *)((uint8_t *)phys_to_virt(pte & PTE_ADDR) + addr % PAGE_SIZE) = 0;
        futex_wake(p->vm, addr, 1, ~0u);
    }
}

struct proc *proc_leader(struct proc *p)
{
    struct proc *leader = p->pid == p->tgid ? p : proc_find(p->tgid);
    return leader ? leader : p;
}

/* A child of parent's group changed: every thread of the group waiting in
 * wait4 looks again (any of them may wait for it). */
void proc_wake_waiters(const struct proc *parent)
{
    for (int i = 0; parent && i < MAX_PROCS; i++)
        if (procs[i].tgid == parent->tgid && procs[i].state == PROC_WAITING)
            procs[i].state = PROC_RUNNABLE;
}

/* Whether c (a group leader) has ended: its group has no live thread. */
static bool group_ended(const struct proc *c)
{
    return c->state == PROC_ZOMBIE && !proc_group_alive(c);
}

bool proc_last_thread(const struct proc *p)
{
    return !proc_group_alive(p);
}

bool proc_pgrp_orphaned(int pgid, const struct proc *ignored)
{
    for (int i = 0; i < MAX_PROCS; i++) {
        const struct proc *q = &procs[i];
        if (q->state == PROC_FREE || q->pid != q->tgid || q == ignored || group_ended(q) || q->pgid != pgid)
            continue;
        /* init's children are no link (Linux: is_global_init). */
        struct proc *parent = q->parent ? proc_leader(q->parent) : 0;
        if (!parent || parent->pid == 1)
            continue;
        if (parent->pgid != pgid && parent->sid == q->sid)
            return false;
    }
    return true;
}

void proc_signal_pgrp(int pgid, int sig)
{
    struct sig_info info = { .code = SG_SI_KERNEL };
    for (int i = 0; i < MAX_PROCS; i++) {
        struct proc *q = &procs[i];
        if (proc_first_of_group(q) && proc_leader(q)->pgid == pgid)
            signal_send_info(q, sig, &info);
    }
}

/* Whether a process of group pgid is stopped, or stopping (job control). */
static bool pgrp_has_stopped(int pgid)
{
    for (int i = 0; i < MAX_PROCS; i++) {
        const struct proc *q = &procs[i];
        if (q->state != PROC_FREE && q->pid == q->tgid && !group_ended(q) && q->pgid == pgid &&
            q->sig.group_stop_sig)
            return true;
    }
    return false;
}

/* POSIX _exit(2): a process group that the end of a process orphans, and
 * that has a stopped member, gets SIGHUP and then SIGCONT - nobody would
 * ever continue it otherwise.  `member` is in the group, `outside` the
 * process whose end may orphan it: its parent, or a child's parent
 * (Linux's kill_orphaned_pgrp; `ignored` ends, or is NULL). */
static void hangup_if_orphaned(const struct proc *member, const struct proc *outside, const struct proc *ignored)
{
    int pgid = proc_leader((struct proc *)member)->pgid;
    const struct proc *out = outside ? proc_leader((struct proc *)outside) : 0;
    if (!out || out->pgid == pgid || out->sid != member->sid)
        return;
    if (!proc_pgrp_orphaned(pgid, ignored) || !pgrp_has_stopped(pgid))
        return;
    proc_signal_pgrp(pgid, SG_SIGHUP);
    proc_signal_pgrp(pgid, SG_SIGCONT);
}

/* Turns p into a zombie: its address space and children let go, its
 * parent woken.  p need not be the running process. */
static void proc_make_zombie(struct proc *p, int wait_status)
{
    for (int i = 0; i < PROC_EXIT_HOOKS && exit_hooks[i]; i++)
        exit_hooks[i](p);
    signal_thread_exit(p);
    p->wait_status = wait_status;
    p->state = PROC_ZOMBIE;
    proc_vfork_release(p);
    clear_child_tid(p);

    /* The address space goes now; the kernel stack goes when the parent
     * collects the exit status (it may be the stack we stand on). */
    if (p == current_proc())
        vm_activate(kernel_pml4);
    mm_destroy(p);
    files_release(p);

    if (p->pid == 1) {
        int code = SG_WIFEXITED(wait_status) ? SG_WEXITSTATUS(wait_status) : 64 + SG_WTERMSIG(wait_status);
        if (SG_WIFEXITED(wait_status) && code > 63)
            code = 63;
        printk("sysgate: init exited with status %d\n", code);
        machine_exit(code);
    }

    /* Orphans go to another live thread of the group, else to init
     * (credentials(7), "reparenting"); a zombie among them wakes it if it
     * waits. */
    struct proc *heir = 0;
    for (int i = 0; i < MAX_PROCS && !heir; i++)
        if (procs[i].tgid == p->tgid && &procs[i] != p && procs[i].state != PROC_FREE &&
            procs[i].state != PROC_ZOMBIE)
            heir = &procs[i];
    if (!heir)
        heir = proc_find(1);
    for (int i = 0; i < MAX_PROCS; i++)
        if (procs[i].parent == p) {
            procs[i].parent = heir;
            if (procs[i].state == PROC_ZOMBIE)
                proc_wake_waiters(heir);
            /* A child's group that p was the last link of (only when the
             * child leaves p's thread group for init, as Linux's
             * reparent_leader). */
            if (heir && heir->tgid != p->tgid)
                hangup_if_orphaned(&procs[i], p, 0);
        }

    /* The group's end (this thread's, or the last of its threads') is
     * told to the leader's parent: its exit signal, and a waiting parent
     * looks again.  A parent that takes no status has the leader
     * collected by proc_alloc. */
    struct proc *leader = proc_leader(p);
    if (leader != p)
        p->parent = 0;      /* nobody collects a thread: proc_alloc does */
    if (!group_ended(leader))
        signal_thread_gone(leader);     /* the others may all be stopped now */
    if (group_ended(leader)) {
        /* Its own group, if the process was its last link outside. */
        hangup_if_orphaned(leader, leader->parent, leader);
        int st = leader->wait_status;
        bool exited = SG_WIFEXITED(st);
        if (signal_notify_parent(leader, exited ? SG_CLD_EXITED : SG_CLD_KILLED,
                                 exited ? SG_WEXITSTATUS(st) : SG_WTERMSIG(st)))
            leader->parent = 0;
    }
}

noreturn void proc_exit(struct proc *p, int wait_status)
{
    proc_make_zombie(p, wait_status);
    schedule();
    panic("a zombie was scheduled");
}

static void end_others(struct proc *p, int wait_status)
{
    for (int i = 0; i < MAX_PROCS; i++) {
        struct proc *q = &procs[i];
        if (q != p && q->tgid == p->tgid && q->state != PROC_FREE && q->state != PROC_ZOMBIE)
            proc_make_zombie(q, wait_status);
    }
}

void proc_end_other_threads(struct proc *p)
{
    end_others(p, SG_WSTATUS_KILLED(SG_SIGKILL));
}

noreturn void proc_exit_group(struct proc *p, int wait_status)
{
    end_others(p, wait_status);
    /* The group's status is the leader's, whichever thread ended it. */
    struct proc *leader = proc_find(p->tgid);
    if (leader && leader != p)
        leader->wait_status = wait_status;
    proc_exit(p, wait_status);
}

bool proc_in_group(const struct proc *p)
{
    if (p->state == PROC_FREE)
        return false;
    return p->state != PROC_ZOMBIE || (p->pid == p->tgid && p->parent);
}

bool proc_first_of_group(const struct proc *p)
{
    for (int i = 0; i < MAX_PROCS; i++) {
        const struct proc *q = &procs[i];
        if (q->tgid == p->tgid && q->state != PROC_FREE && q->state != PROC_ZOMBIE)
            return q == p;
    }
    return false;
}

long proc_kill_info(int pid, int sig, const struct sig_info *info)
{
    struct proc *p = proc_find(pid);
    /* A leader that has ended while other threads run still names its
     * process (signal_send finds a live thread). */
    if (!p || (p->state == PROC_ZOMBIE && !proc_group_alive(p)))
        return -SG_ESRCH;
    if (sig < 0 || sig > SG_NSIG)
        return -SG_EINVAL;
    if (sig == 0)
        return 0;
    if (!info) {
        signal_send(p, sig);
        return 0;
    }
    return signal_send_info(p, sig, info);
}

static const char *signal_name(int sig)
{
    switch (sig) {
    case SG_SIGILL: return "SIGILL";
    case SG_SIGTRAP: return "SIGTRAP";
    case SG_SIGBUS: return "SIGBUS";
    case SG_SIGFPE: return "SIGFPE";
    case SG_SIGKILL: return "SIGKILL";
    case SG_SIGSEGV: return "SIGSEGV";
    }
    return "signal";
}

noreturn void proc_kill_current(int sig, const char *what, uint64_t rip, uint64_t addr)
{
    struct proc *p = current_proc();
    printk("sysgate: pid %d (%s) killed by %s: %s at rip %#lx, address %#lx\n", p->pid, p->name,
           signal_name(sig), what, rip, addr);
    proc_exit_group(p, SG_WSTATUS_KILLED(sig));
}

/* Whether child c is one that wait's pid argument selects. */
static bool wait_selects(const struct proc *parent, const struct proc *c, int pid)
{
    if (pid > 0)
        return c->pid == pid;
    if (pid == -1)
        return true;
    if (pid == 0)
        return c->pgid == parent->pgid;
    return c->pgid == -pid;
}

static struct proc *find_child(struct proc *parent, int pid, unsigned how, bool *have_child)
{
    *have_child = false;
    for (int i = 0; i < MAX_PROCS; i++) {
        struct proc *c = &procs[i];
        /* The children of every thread of the group (wait(2): unless
         * __WNOTHREAD, which is accepted and ignored). */
        if (c->state == PROC_FREE || !c->parent || c->parent->tgid != parent->tgid || c->pid != c->tgid ||
            !wait_selects(parent, c, pid))
            continue;
        *have_child = true;
        if (group_ended(c)) {
            if (how & WAIT_EXITED)
                return c;
            continue;
        }
        int report = c->sig.wait_report;
        if (report && (how & (report == 0xffff ? WAIT_CONTINUED : WAIT_STOPPED)))
            return c;
    }
    return 0;
}

long proc_wait(struct proc *parent, int pid, int *status, unsigned how)
{
    for (;;) {
        bool have_child;
        struct proc *c = find_child(parent, pid, how, &have_child);
        if (c) {
            int cpid = c->pid;
            bool reap = !(how & WAIT_NOREAP);
            if (!group_ended(c)) {
                /* A stop or continue, reported once. */
                *status = c->sig.wait_report;
                if (reap)
                    c->sig.wait_report = 0;
                return cpid;
            }
            *status = c->wait_status;
            if (reap) {
                parent->children_full_calls += c->full_calls + c->children_full_calls;
                proc_release(c);
            }
            return cpid;
        }
        if (!have_child)
            return -SG_ECHILD;
        if (how & WAIT_NOHANG)
            return 0;
        /* A signal interrupts the wait: restarted under SA_RESTART, else
         * -EINTR (signal(7)). */
        if (signal_pending(parent))
            return signal_restart(-SG_ERESTARTSYS);
        parent->state = PROC_WAITING;
        schedule();
    }
}
