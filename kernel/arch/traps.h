#ifndef SYSGATE_TRAPS_H
#define SYSGATE_TRAPS_H
#include <stdint.h>
#include "../entry/frame.h"
#include "../lib/kernel.h"

/* The exception or interrupt behind a frame from the doors in
 * entry/interrupts.S. */
void interrupt_dispatch(struct frame *f);
/* Kills the current process for the user-mode fault the frame describes
 * (cr2: the faulting address of a #PF), with one log line. */
noreturn void user_fault(struct frame *f, uint64_t cr2);

#endif
