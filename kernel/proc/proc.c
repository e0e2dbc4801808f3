/* Process life cycle: slots, exit, kill, wait. */
#include "proc.h"
#include "../mm/mm.h"
#include "../mm/space.h"
#include "../fs/file.h"
#include "../arch/io.h"
#include "../../include/sysgate/abi.h"

struct proc procs[MAX_PROCS];
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
        p->pid = next_pid++;
        p->wait_pid = -1;
        return p;
    }
    return 0;
}

/* Turns p into a zombie: its address space and children let go, its
 * parent woken.  p need not be the running process. */
static void proc_make_zombie(struct proc *p, int wait_status)
{
    for (int i = 0; i < PROC_EXIT_HOOKS && exit_hooks[i]; i++)
        exit_hooks[i](p);
    p->wait_status = wait_status;
    p->state = PROC_ZOMBIE;

    /* The address space goes now; the kernel stack goes when the parent
     * collects the exit status (it may be the stack we stand on). */
    if (p == current_proc())
        vm_activate(kernel_pml4);
    mm_destroy(p);
    files_release(p);

    for (int i = 0; i < MAX_PROCS; i++)
        if (procs[i].parent == p)
            procs[i].parent = 0;

    if (p->pid == 1) {
        int code = SG_WIFEXITED(wait_status) ? SG_WEXITSTATUS(wait_status) : 64 + SG_WTERMSIG(wait_status);
        if (SG_WIFEXITED(wait_status) && code > 63)
            code = 63;
        printk("sysgate: init exited with status %d\n", code);
        machine_exit(code);
    }

    struct proc *parent = p->parent;
    if (parent && parent->state == PROC_WAITING && (parent->wait_pid == -1 || parent->wait_pid == p->pid))
        parent->state = PROC_RUNNABLE;
}

noreturn void proc_exit(struct proc *p, int wait_status)
{
    proc_make_zombie(p, wait_status);
    schedule();
    panic("a zombie was scheduled");
}

long proc_kill(int pid, int sig)
{
    for (int i = 0; i < MAX_PROCS; i++) {
        struct proc *p = &procs[i];
        if (p->state == PROC_FREE || p->state == PROC_ZOMBIE || p->pid != pid)
            continue;
        if (sig == 0)
            return 0;
        if (p->pid == 1)
            return -SG_EPERM;
        signal_send(p, sig);
        return 0;
    }
    return -SG_ESRCH;
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
    proc_exit(p, SG_WSTATUS_KILLED(sig));
}

static struct proc *find_child(struct proc *parent, int pid, bool *have_child)
{
    *have_child = false;
    for (int i = 0; i < MAX_PROCS; i++) {
        struct proc *c = &procs[i];
        if (c->state == PROC_FREE || c->parent != parent || (pid != -1 && c->pid != pid))
            continue;
        *have_child = true;
        if (c->state == PROC_ZOMBIE)
            return c;
    }
    return 0;
}

long proc_wait(struct proc *parent, int pid, int *status, bool nohang)
{
    for (;;) {
        bool have_child;
        struct proc *c = find_child(parent, pid, &have_child);
        if (c) {
            int cpid = c->pid;
            *status = c->wait_status;
            parent->children_full_calls += c->full_calls + c->children_full_calls;
            proc_release(c);
            return cpid;
        }
        if (!have_child)
            return -SG_ECHILD;
        if (nohang)
            return 0;
        /* A signal interrupts the wait: restarted under SA_RESTART, else
         * -EINTR (signal(7)). */
        if (signal_pending(parent))
            return signal_restart(-SG_ERESTARTSYS);
        parent->wait_pid = pid;
        parent->state = PROC_WAITING;
        schedule();
        parent->wait_pid = -1;
    }
}
