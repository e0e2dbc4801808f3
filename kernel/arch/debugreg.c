/*
 * Debug registers as process state (debugreg.h).
 */
#include "debugreg.h"
#include "../lib/kernel.h"
#include "../proc/proc.h"
#include <sysgate/abi.h>

struct debug_record debug_last;

/* Whether DR7 holds a process's breakpoints now (0 otherwise). */
static bool debug_loaded;

static void load(const struct debug_state *d)
{
    __asm__ volatile("mov %0, %%dr0\n\t"
                     "mov %1, %%dr1\n\t"
                     "mov %2, %%dr2\n\t"
                     "mov %3, %%dr3\n\t"
                     "mov %4, %%dr7"
                     ::"r"(d->dr[0]), "r"(d->dr[1]), "r"(d->dr[2]), "r"(d->dr[3]), "r"(d->dr7 | DR7_FIXED));
    debug_loaded = d->dr7 & 0xff;
}

void debug_switch(const struct debug_state *next)
{
    if (next && (next->dr7 & 0xff))
        load(next);
    else if (debug_loaded) {
        __asm__ volatile("mov %0, %%dr7" ::"r"(DR7_FIXED));
        debug_loaded = false;
    }
}

long debug_set(struct debug_state *d, int reg, uint64_t value)
{
    uint64_t dr[4] = { d->dr[0], d->dr[1], d->dr[2], d->dr[3] };
    uint64_t dr7 = d->dr7;
    if (reg >= 0 && reg < 4) {
        /* Never a kernel or non-canonical address, enabled or not. */
        if (value >= USER_END)
            return -SG_EINVAL;
        dr[reg] = value;
    } else if (reg == 7)
        dr7 = value & ~DR7_FIXED;
    else if (reg == 6) {
        d->dr6 = value & (DR6_B_MASK | DR6_BS);
        return 0;
    } else
        return -SG_EINVAL;
    /* An address is checked against its breakpoint's length whenever it
     * is enabled, so the order the two are set in does not matter. */
    if (debug_check(dr, dr7, USER_END))
        return -SG_EINVAL;
    for (int i = 0; i < 4; i++)
        d->dr[i] = dr[i];
    d->dr7 = dr7;
    load(d);
    return 0;
}

long debug_get(const struct debug_state *d, int reg, uint64_t *value)
{
    if (reg >= 0 && reg < 4)
        *value = d->dr[reg];
    else if (reg == 6)
        *value = d->dr6 | DR6_FIXED;
    else if (reg == 7)
        *value = d->dr7 | DR7_FIXED;
    else
        return -SG_EINVAL;
    return 0;
}

static void record(struct proc *p, struct frame *f, uint64_t dr6, bool in_kernel)
{
    p->debug.dr6 |= dr6 & (DR6_B_MASK | DR6_BS);
    debug_last.rip = f->rip;
    debug_last.dr6 = dr6;
    debug_last.pid = (uint32_t)p->pid;
    debug_last.in_kernel = in_kernel;
}

bool debug_kernel_trap(struct frame *f, uint64_t dr6)
{
    struct proc *p = current_proc();
    /* Only the running process's own enabled breakpoints: anything else
     * in ring 0 is a kernel bug, reported as one. */
    uint64_t mine = 0;
    for (int i = 0; i < 4; i++)
        if (p->debug.dr7 >> (2 * i) & 3)
            mine |= 1ull << i;
    if (!(dr6 & DR6_B_MASK & mine))
        return false;
    record(p, f, dr6, true);
    p->debug.trap_pending = true;
    p->debug.trap_rip = f->rip;
    write_dr6(DR6_FIXED);
    return true;
}

void debug_user_trap(struct frame *f, uint64_t dr6)
{
    record(current_proc(), f, dr6, false);
    write_dr6(DR6_FIXED);
}
