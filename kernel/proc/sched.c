/*
 * The scheduler: round robin over the process table, one CPU.  The kernel
 * runs with interrupts off (every door clears IF, or the door does `cli`
 * first), so a process is only switched out when it blocks in a system
 * call or when the timer interrupts it in user mode.  When nothing is
 * runnable the idle loop, on the boot stack, halts with interrupts on.
 */
#include "proc.h"
#include "../arch/fpu.h"
#include "../arch/gdt.h"
#include "../arch/io.h"
#include "../arch/selectors_msrs.h"
#include "../drivers/timer.h"
#include "../entry/entry.h"
#include "../mm/mm.h"
#include "../syscall/tables.h"
#include "../time/clock.h"

static struct proc idle_proc;   /* the boot stack's context; never in procs[] */

/* Implemented in entry/exit.S. */
void switch_context(uint64_t *save_rsp, uint64_t new_rsp);

static void switch_to(struct proc *prev, struct proc *next)
{
    if (prev != &idle_proc) {
        if (prev->fpu_trap)
            clts();     /* XSAVE and FXSAVE with TS set are #NM (SDM vol. 2A FXSAVE, vol. 2C XSAVE) */
        fpu_switch_save(prev->fpu);
        seg_save(&prev->seg);
    }
    prev->syscalls += percpu0.syscalls;     /* counted per CPU by the doors' fast paths */
    percpu0.syscalls = 0;
    percpu0.current = next;
    percpu0.unimplemented_logged = next->unimplemented_logged;
    fast_tables_show(next->unimplemented_logged, next->unimplemented_count);
    percpu0.compat = next->bits == 32;
    percpu0.work &= ~(uint64_t)WORK_RESCHED;   /* this switch is the one asked for */
    signal_update_work(next);
    entry_floor_switch(next->floors);
    exception_doors_switch(next);
    if (next != &idle_proc) {
        tss_set_kernel_stack((uint64_t)next->kstack + KSTACK_SIZE);
        vm_activate(next->pml4);
        fpu_load(next->fpu, false);
        if (next->fpu_trap)
            stts();     /* CR0.TS is the process's (its nm door): never another's */
        seg_load(&next->seg);
    }
    if (next->align_trap != prev->align_trap) {
        /* So is CR0.AM (its ac door): another process that sets AC never
         * gets #AC for it.  AM acts at CPL 3 only (SDM vol. 3A 2.5), so
         * the kernel's own AC - SMAP's stac/clac - never meets it. */
        uint64_t cr0 = read_cr0();
        write_cr0(next->align_trap ? cr0 | CR0_AM : cr0 & ~(uint64_t)CR0_AM);
    }
    debug_switch(next == &idle_proc ? 0 : &next->debug);
    /* An interrupt from ring 3 leaves SS = NULL in the kernel; on AMD a later
     * SYSRET then returns with that SS's stale attributes, which 32-bit
     * code cannot use (Linux: X86_BUG_SYSRET_SS_ATTRS).  A switch may lead
     * to such a SYSRET: give SS a proper kernel descriptor first. */
    __asm__ volatile("mov %0, %%ss" ::"r"((uint64_t)KERNEL_DS));
    switch_context(&prev->ksp, next->ksp);
}

/* The next runnable process after `from` in table order, or NULL. */
static struct proc *pick_next(struct proc *from)
{
    int start = (from && from != &idle_proc) ? (int)(from - procs) + 1 : 0;
    for (int i = 0; i < MAX_PROCS; i++) {
        struct proc *p = &procs[(start + i) % MAX_PROCS];
        if (p->state == PROC_RUNNABLE)
            return p;
    }
    return 0;
}

void schedule(void)
{
    struct proc *prev = current_proc();
    struct proc *next = pick_next(prev);
    if (!next)
        next = &idle_proc;
    if (next != prev)
        switch_to(prev, next);
}

noreturn void sched_run_idle(void)
{
    percpu0.current = &idle_proc;
    percpu0.unimplemented_logged = idle_proc.unimplemented_logged;
    fast_tables_show(idle_proc.unimplemented_logged, idle_proc.unimplemented_count);
    for (;;) {
        struct proc *next = pick_next(0);
        if (next) {
            switch_to(&idle_proc, next);
            continue;
        }
        /* sti takes effect after the next instruction, so no interrupt
         * can slip in between it and hlt (SDM vol. 2B STI). */
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    }
}

void sched_sleep_until(uint64_t mono_ns)
{
    struct proc *p = current_proc();
    p->wake_ns = mono_ns;
    p->state = PROC_SLEEPING;
    schedule();
}

void sched_block(const void *chan, uint64_t deadline_ns)
{
    struct proc *p = current_proc();
    p->wait_chan = chan;
    p->wake_ns = deadline_ns;
    p->state = PROC_BLOCKED;
    schedule();
    p->wait_chan = 0;
}

void sched_wake(const void *chan)
{
    for (int i = 0; i < MAX_PROCS; i++)
        if (procs[i].state == PROC_BLOCKED && procs[i].wait_chan == chan)
            procs[i].state = PROC_RUNNABLE;
}

void sched_timer_tick(struct frame *f)
{
    timer_ticks++;
    clock_tick();
    if (current_proc() != &idle_proc)
        current_proc()->cpu_ticks++;
    uint64_t now = clock_monotonic_ns();
    for (int i = 0; i < MAX_PROCS; i++)
        if ((procs[i].state == PROC_SLEEPING || (procs[i].state == PROC_BLOCKED && procs[i].wake_ns)) &&
            procs[i].wake_ns <= now)
            procs[i].state = PROC_RUNNABLE;
    signal_timer_tick(now);
    /* Preempt only user code: the kernel itself is never preempted, so a
     * tick that finds it running asks for the switch on its way back to
     * user mode (ret_user, entry/exit_work.c). */
    if (frame_from_user(f))
        schedule();
    else
        percpu0.work |= WORK_RESCHED;
}

/* A process that ends lets go of its LDT (and LDTR of it, if it runs). */
static void seg_exit_hook(struct proc *p)
{
    seg_release(&p->seg, p == current_proc());
}

void sched_init(void)
{
    proc_add_exit_hook(seg_exit_hook);
    idle_proc.pid = 0;
    strlcpy(idle_proc.name, "idle", sizeof idle_proc.name);
    idle_proc.state = PROC_RUNNABLE;
    percpu0.current = &idle_proc;
}
