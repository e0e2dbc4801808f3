/* After an exception or interrupt door: what the kernel does with it (traps.c). */
#ifndef SYSGATE_TRAPS_H
#define SYSGATE_TRAPS_H
#include <stdint.h>
#include "../entry/frame.h"
#include "../lib/kernel.h"

/* The exception or interrupt behind a frame from the doors in
 * entry/interrupts.S (and a #UD in ring 0, which entry/trap.S passes on). */
void interrupt_dispatch(struct frame *f);
/* The user-mode fault the frame describes (cr2: the faulting address of a
 * #PF) becomes its signal: queued when the process has a handler for it
 * that it does not block (and this returns), else the process is killed
 * with one log line. */
void user_fault(struct frame *f, uint64_t cr2);

/* How often each return instruction of exit.S faulted in ring 0 (since
 * boot), in exit_fault_table's order: sysretq, sysretl, sysexitq,
 * sysexitl, lretq, iretq (sg_info's exit_faults). */
#define EXIT_INSNS 6
extern uint64_t exit_fault_count[EXIT_INSNS];

#endif
