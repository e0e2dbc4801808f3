/*
 * exception_doors.h - where each exception door's call arrives and where
 * it returns, measured from the start of its stub in the interface page
 * (kernel/kip/vdso/kip_stubs.S, kip32_stubs.S, exception_stubs.S), for C
 * (exception_doors.c: its table, checked against the stubs' bytes at boot)
 * and for the assembly that recognises the calls (exception_entry.S:
 * immediates, so that the fast path reads no table for them).
 *
 *   EXDOOR_<NAME>_<width>   reported, resume, pop
 *     reported  the saved RIP of the door's exception: the instruction
 *               itself for a fault, the byte after it for a trap (Intel
 *               SDM vol. 3A 6.5 "Exception Classifications")
 *     resume    where the call returns: the stub's `ret`
 *     pop       bytes the stub pushed before the instruction, dropped
 *               before the call (the stack way then finds its arguments
 *               where every door has them)
 *
 * The doors a width does not have (bound and into in 64-bit code) are 0,
 * 0, 0.  pf has two loads (EXDOOR_PF_LOADS_<width>: where each is, its
 * length) and the error code its #PF must carry.
 */
#ifndef SYSGATE_EXCEPTION_DOORS_H
#define SYSGATE_EXCEPTION_DOORS_H

#include "../arch/selectors_msrs.h"

#define EXDOOR_INT3_64      1, 1, 0     /* int3 (a trap) */
#define EXDOOR_INT3_32      1, 1, 0
#define EXDOOR_DIVIDE_64    0, 6, 0     /* divl rel32(%rip) */
#define EXDOOR_DIVIDE_32    2, 5, 4     /* push $0; divl (%esp) */
#define EXDOOR_HLT_64       0, 1, 0
#define EXDOOR_HLT_32       0, 1, 0
#define EXDOOR_BOUND_64     0, 0, 0     /* none: 62 is EVEX in 64-bit mode */
#define EXDOOR_BOUND_32     4, 7, 8     /* push $0; push $1; bound %eax, (%esp) */
#define EXDOOR_INTO_64      0, 0, 0     /* none: into is #UD in 64-bit mode */
#define EXDOOR_INTO_32      11, 11, 4   /* pushfl; pushfl; orl; popfl; into (a trap) */
#define EXDOOR_RDTSC_64     2, 6, 16    /* push rdx; push rax; rdtsc; jmp arm */
#define EXDOOR_RDTSC_32     2, 6, 8
#define EXDOOR_UMIP_64      0, 3, 0     /* smsw %eax */
#define EXDOOR_UMIP_32      0, 3, 0
#define EXDOOR_CPUID_64     4, 8, 32    /* push rbx, rcx, rdx, rax; cpuid; jmp arm */
#define EXDOOR_CPUID_32     4, 8, 16
#define EXDOOR_ICEBP_64     1, 1, 0     /* icebp (a trap) */
#define EXDOOR_ICEBP_32     1, 1, 0
#define EXDOOR_PF_64        0, 0, 0     /* RFLAGS and r11 in the red zone: EXDOOR_PF_LOADS_64 */
#define EXDOOR_PF_32        0, 0, 4     /* pushfl: EXDOOR_PF_LOADS_32 */
#define EXDOOR_AC_64        10, 27, 8   /* pushf; pushf; orl; popf; testl $0, 1(%rsp); the arming load */
#define EXDOOR_AC_32        10, 23, 4
#define EXDOOR_NM_64        0, 10, 0    /* fwait; the arming load (movabs moffs64) */
#define EXDOOR_NM_32        0, 6, 0     /* fwait; the arming load (mov moffs32) */
#define EXDOOR_INT3N_64     2, 2, 0     /* int $3 (CD 03, a trap) */
#define EXDOOR_INT3N_32     2, 2, 0

/* The pf stub's two loads: where the one that reads base + the number
 * is, its length, where the one that reads the range's last byte (the
 * number in rax) is, its length.  Each is followed by where the call
 * returns: 64-bit, the stub's own code that takes the caller's RFLAGS and
 * r11 back from the red zone, then `ret`; 32-bit, the `ret` (the kernel
 * has put the EFLAGS the stub pushed back, and dropped them). */
#define EXDOOR_PF_LOADS_64  29, 5, 46, 8    /* testb $0, (%r11,%rax); testb $0, SG_PF_RANGE - 1(%r11) */
#define EXDOOR_PF_LOADS_32  8, 7, 16, 7     /* testb $0, SG_PF_BASE32(%eax); testb $0, <the last byte> */
/* A pf door's #PF: not present, a read, from user mode (Intel SDM vol. 3A
 * 4.7 "Page-Fault Exceptions", the error code's P, W/R and U/S bits). */
#define EXDOOR_PF_ERROR     4

/* The flags a program may set itself (POPF at CPL 3 with IOPL 0: Intel
 * SDM vol. 2B POPF), which into, ac and 32-bit pf put back from the word
 * their stub pushed; IF and IOPL stay the frame's. */
#define RFLAGS_USER_SETTABLE (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_TF | RFLAGS_DF | \
                              RFLAGS_OF | RFLAGS_NT | RFLAGS_AC | RFLAGS_ID)

#ifndef __ASSEMBLER__
#include <stdint.h>
#include <sysgate/abi.h>

/* Read by exception_entry.S, written by exception_doors_switch() for the
 * running process's width (exception_doors.c): by door, the saved RIP its
 * call arrives with (pf: its first load's), ~0 - which no user RIP can be
 * - where the door is not offered to that width; pf's second load (the
 * number in rax) and the range's base; */
extern uint64_t exception_door_site[SG_MECH_COUNT], exception_pf_site[2];
/* the highest stack pointer under which the word a 64-bit ac stub pushed
 * lies below USER_END; */
extern const uint64_t exception_stack_top64;
/* and by door, the vector and the error code a call's complete frame
 * records (the full path writes them). */
extern uint8_t exception_door_vector[SG_MECH_COUNT], exception_door_error[SG_MECH_COUNT];
/* exception_entry.S: by vector, the entry of the vectors that carry an
 * exception door (0: none; the IDT then has the ordinary stub). */
extern const uint64_t exception_door_entry[32];
#endif

#endif
