/* Which doors exist on this CPU, and their boot-time set-up. */
#ifndef SYSGATE_ENTRY_H
#define SYSGATE_ENTRY_H

/* The two signature bytes after UD2 that make it a system call ("SG"). */
#define SG_TRAP_SIGNATURE_0 0x53
#define SG_TRAP_SIGNATURE_1 0x47

/* trap.c: what a #UD from user mode was: the lock-nop query (answered in
 * the frame), or a trap system call (RIP advanced past it, to be
 * dispatched by trap.S); any other invalid instruction kills the process
 * and does not return, or queues its signal (TRAP_FAULT). */
#define TRAP_QUERY   1
#define TRAP_SYSCALL 2
#define TRAP_FAULT   3    /* the fault's signal is queued for a handler */

/* trap_query_answer[width]: the lock-nop query's answers, width 0 for
 * 64-bit processes and 1 for 32-bit ones (percpu.compat): the interface
 * page's address (rax) and the mask of mechanisms (rcx), 16 bytes a row
 * (trap.S indexes it).  Filled by trap_query_init() once the interface
 * pages are placed (kip_init) and the mechanisms known (entry_init). */
#define TRAP_QUERY_KIP         0
#define TRAP_QUERY_MECHANISMS  8

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>
#include "frame.h"

int trap_classify(struct frame *f);

struct trap_query_answer {
    uint64_t kip;
    uint64_t mechanisms;
};
extern struct trap_query_answer trap_query_answer[2];
void trap_query_init(void);
/* trap.c: the address of each width's interface-page trap stub (its
 * ud2 "SG", checked at boot), which trap.S (64-bit) and compat_doors.S
 * (32-bit) compare a #UD's RIP with to take the call without reading the
 * bytes; ~0, which no user RIP can be, while the page offers no trap door.
 * Set by trap_query_init(). */
extern uint64_t trap_stub64, trap_stub32;

/* Masks of (1 << SG_MECH_x) that 64-bit code may use, and the default
 * behind the interface page; set by entry_init(). */
extern uint32_t entry_mechanisms64;
extern int entry_default64;
/* The same for 32-bit (compatibility-mode) code. */
extern uint32_t entry_mechanisms32;
extern int entry_default32;
/* Whether syscall= on the command line named the default door. */
extern bool entry_default_forced;

/* The door a frame came through, as SG_MECH_* (-1 for none). */
int entry_mechanism_of(const struct frame *f);

/* compat.c: the full path of a SYSENTER or SYSCALL door's call (both
 * widths), whose complete frame the assembly has built. */
void fast_door_syscall(struct frame *f);
/* The registers a SYSEXIT or SYSRET exit clobbers, written into frame f as
 * the exit will leave them (also for a forked child's copy of the frame). */
void fast_door_exit_regs(struct frame *f);
/* CSTAR's door where 32-bit code has no SYSCALL: the process's #UD. */
void compat_syscall_ud(struct frame *f);

/* Programs the MSRs, the call gate and the IDT door for every mechanism
 * this CPU has, and picks the default (`syscall=` on the command line
 * overrides it within what the CPU has). */
void entry_init(const char *cmdline);

const char *entry_mechanism_name(int m);

/* The benchmark's floor (floor.S), per process: sets door `mech` to its
 * bare stub (on) or back to the real door (off) for the running process
 * only.  Returns 0 or -errno. */
long entry_set_floor(int mech, bool on);
/* Aims every door as the process about to run wants it (its `floors`
 * mask; 0 for everyone who never asked), and the call gate for its width
 * (percpu.compat).  Called on every switch and at exec. */
void entry_floor_switch(uint32_t floors);


/* exception_doors.c: whether an exception from user mode is a call
 * through an exception door (its stub's instruction, a door offered to
 * the process's width); if so the call has been made and the frame holds
 * its result and return point.  false: the exception is the process's own
 * (kernel/arch/traps.c goes on as for any fault).  Also true, with no
 * call, for a #NM the nm door's CR0.TS caused outside its stub (TS taken
 * back, the instruction runs again).  cr2: the #PF's address (the pf
 * door); dr6: the #DB's causes (the icebp door).  Called for every
 * exception from user mode, before it becomes the process's fault. */
bool exception_door_call(struct frame *f, uint64_t cr2, uint64_t dr6);
/* Where a call through an exception door that a signal interrupted
 * starts again (signal.c restart_call), from the frame the call left (its
 * entry tag, RIP where the stub resumed): the stub's start - the kernel
 * dropped what the stub had pushed - or, for the 64-bit pf stub, whose
 * words wait in the red zone, the load that raised the #PF.  0: not a
 * door's return point (the call is not restarted: -EINTR). */
uint64_t exception_door_restart(const struct frame *f, int bits);
/* At boot, after kip_init: every exception door's stub starts with the
 * instruction the recognition expects and returns with a ret (panics
 * otherwise). */
void exception_doors_check(void);
/* At boot, from entry_init: the exception doors that depend on the CPU
 * and that this one has (rdtsc, umip, cpuid, icebp, ac; the others are
 * always there), each absent one said on the console. */
uint32_t exception_doors_offered(void);
/* traps.c, for an exception in ring 0: the boot's icebp probe trapped
 * (then the frame resumes after it). */
bool exception_doors_probe_trap(struct frame *f);
/* The per-thread CPU state of the rdtsc and cpuid doors (CR4.TSD, CPUID
 * faulting) as `next` wants it: on every switch, and when the running
 * thread changes it. */
struct proc;
void exception_doors_switch(const struct proc *next);
/* prctl PR_GET_TSC / PR_SET_TSC and arch_prctl ARCH_GET_CPUID /
 * ARCH_SET_CPUID for the running thread (Linux's values and errors). */
long exception_doors_tsc_mode(void);
long exception_doors_set_tsc_mode(uint64_t mode);
long exception_doors_cpuid_mode(void);
long exception_doors_set_cpuid_mode(uint64_t runs);

/* traps.c: a #DB taken in ring 0 inside a door that single-steps until
 * it clears TF (sysenter, call gate). */
bool entry_in_tf_window(uint64_t rip);

#endif /* __ASSEMBLER__ */

#endif
