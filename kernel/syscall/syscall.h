/* The system call dispatcher and the handlers' prototypes, all generated
 * from include/sysgate/syscalls.def. */
#ifndef SYSGATE_SYSCALL_H
#define SYSGATE_SYSCALL_H

#include <stdbool.h>
#include <stdint.h>
#include "../entry/frame.h"

#define SYSCALL_PARAMS0 void
#define SYSCALL_PARAMS1 uint64_t
#define SYSCALL_PARAMS2 uint64_t, uint64_t
#define SYSCALL_PARAMS3 uint64_t, uint64_t, uint64_t
#define SYSCALL_PARAMS4 uint64_t, uint64_t, uint64_t, uint64_t
#define SYSCALL_PARAMS5 uint64_t, uint64_t, uint64_t, uint64_t, uint64_t
#define SYSCALL_PARAMS6 uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t

#define SYSCALL(name, nr64, nr32, nargs, path, sig) long sys_##name(SYSCALL_PARAMS##nargs);
#include <sysgate/syscalls.def>
#undef SYSCALL

/* sys_time.c: a timeout at user address ptr (the caller's struct timespec,
 * or i386's 64-bit one with time64), relative or absolute on clock, as a
 * CLOCK_MONOTONIC deadline in ns; -EFAULT, -EINVAL for a bad time. */
long timeout_deadline(uint64_t ptr, bool time64, int32_t clock, bool absolute, uint64_t *deadline);

/* Builds the dispatch tables from syscalls.def (panics on a clash). */
void syscall_init(void);

/* The frame of the call being handled, for the few calls that change
 * the caller's registers (sg_setcontext). */
struct frame *syscall_frame(void);

/* Leaves the result of the call the frame describes in frame->rax.  The
 * doors call syscall_enter (dispatch_fast.S: the common case in assembly,
 * with the caller's registers live), which hands everything else to
 * syscall_dispatch. */
void syscall_dispatch(struct frame *f);



#endif
