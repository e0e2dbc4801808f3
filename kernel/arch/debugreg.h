/*
 * Debug registers as process state (Intel SDM vol. 3B 18.2; AMD APM vol. 2
 * 13.1): each process may set up to four data or instruction breakpoints
 * on its own addresses through sg_set_debugreg, validated here; the values
 * are loaded on every switch, and a #DB they cause reaches the process as
 * SIGTRAP - also when the CPU delivers it in ring 0, as it does for a data
 * breakpoint on the operand of MOV SS / POP SS followed by a door
 * (CVE-2018-8897).
 */
#ifndef SYSGATE_DEBUGREG_H
#define SYSGATE_DEBUGREG_H

#include <stdbool.h>
#include <stdint.h>
#include "debugcheck.h"
#include "../entry/frame.h"

#define DR6_FIXED   0xffff0ff0ul   /* DR6's value with no condition recorded */
#define DR6_B_MASK  0xful          /* B0-B3: which breakpoint matched */
#define DR6_BS      (1ul << 14)    /* single step */

struct debug_state {
    uint64_t dr[4];         /* DR0-DR3: linear addresses */
    uint64_t dr7;           /* 0 when the process never set one */
    uint64_t dr6;           /* what the last #DB reported to the process */
    bool trap_pending;      /* a #DB taken in ring 0, to deliver as SIGTRAP */
    uint64_t trap_rip;      /* where (for the log line) */
};

/* sg_set_debugreg / sg_get_debugreg for the running process (reg 0-3, 6,
 * 7); 0 or -EINVAL. */
long debug_set(struct debug_state *d, int reg, uint64_t value);
long debug_get(const struct debug_state *d, int reg, uint64_t *value);

/* On a switch: the next process's breakpoints (none for the idle loop). */
void debug_switch(const struct debug_state *next);

/* The #DB handler's part, with DR6 as read: a user breakpoint that fired
 * in ring 0 (at a door's first instruction after MOV SS, or on a user
 * copy) is recorded for the process and true returned - the kernel goes
 * on and the process gets SIGTRAP at its next interrupt from user mode. */
bool debug_kernel_trap(struct frame *f, uint64_t dr6);
/* A user-mode #DB: recorded the same way before the process is killed. */
void debug_user_trap(struct frame *f, uint64_t dr6);

/* The last #DB from a process's breakpoint, for sg_info. */
struct debug_record {
    uint64_t rip, dr6;
    uint32_t pid, in_kernel;
};
extern struct debug_record debug_last;

static inline uint64_t read_dr6(void)
{
    uint64_t v;
    __asm__ volatile("mov %%dr6, %0" : "=r"(v));
    return v;
}

static inline void write_dr6(uint64_t v)
{
    __asm__ volatile("mov %0, %%dr6" ::"r"(v));
}

#endif
