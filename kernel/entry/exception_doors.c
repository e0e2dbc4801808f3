/*
 * exception_doors.c - the doors that are CPU exceptions a program raises
 * on purpose (issue 13): int3 and int $3 (#BP), a division by zero (#DE), hlt (#GP),
 * in 32-bit code bound (#BR) and into (#OF); rdtsc with CR4.TSD, smsw
 * with UMIP, cpuid with CPUID faulting (#GP) and icebp (#DB) where the
 * CPU has them; a load from the reserved page-fault range (#PF), an
 * unaligned load with the process's CR0.AM set (#AC) and fwait with its
 * CR0.TS set (#NM).  Each has a stub in both
 * interface pages (kernel/kip/vdso/kip_stubs.S, kip32_stubs.S) whose
 * instruction raises the exception; the exception is a system call
 * only when the CPU reports it exactly there - the saved RIP is the
 * stub's instruction (a fault) or the byte after it (a trap) in this
 * process's width's page - and only when the door is offered to that
 * width.  Any other exception of the same kind, anywhere else, is the
 * process's own fault and goes on to kernel/arch/traps.c as before - but
 * for a #NM, which only the nm door's TS causes: the kernel takes TS back
 * and the instruction runs (nm_lazy).
 *
 * The exceptions arrive through the ordinary exception path
 * (kernel/entry/interrupts.S, interrupt_dispatch in kernel/arch/traps.c),
 * which asks exception_door_call() first, before it makes the fault the
 * process's.  A call is dispatched from here through the dispatcher's
 * front in C (kernel/syscall/front.h), as the 32-bit fast doors are, and
 * leaves through ret_user's iretq (its tag is not a fast door's).
 */
#include "entry.h"
#include "exception_doors.h"
#include "../arch/cpu.h"
#include "../arch/debugreg.h"
#include "../arch/io.h"
#include "../arch/layout.h"
#include "../arch/selectors_msrs.h"
#include "../kip/interface_page.h"
#include "../lib/kernel.h"
#include "../proc/proc.h"
#include "../syscall/front.h"
#include "../syscall/uaccess.h"
#include <sysgate/abi.h>

/* One door's stub in one width. */
struct exception_door {
    uint8_t code[6];        /* the stub's first bytes (checked at boot) */
    uint8_t code_len;
    /* exception_doors.h's three, from the stub's start: */
    uint8_t reported;       /* the saved RIP */
    uint8_t resume;         /* where the call returns: a ret (64-bit pf: see pf_loads) */
    uint8_t pop;            /* bytes the stub pushed before it, dropped before the call */
    bool eflags_pushed;     /* the word on the stack is the caller's EFLAGS: put them back */
};

/* One door: the exception it raises, and its stub in each width
 * ([0] 64-bit, [1] 32-bit). */
struct exception_door_kind {
    uint8_t vector;
    struct exception_door width[2];
};

/* By door, SG_MECH_FIRST_EXCEPTION on, in doors.def's order. */
static const struct exception_door_kind exception_doors[] = {
    /* int3 - #BP: int3 (CC), a trap (Intel SDM vol. 3A 6.15 "Interrupt 3 -
     * Breakpoint Exception"; AMD APM vol. 2 8.2.4): the saved RIP points
     * past the instruction.  The IDT gate has DPL 3 (arch/idt.c), so ring
     * 3 may raise it. */
    { BP_VECTOR, { { { 0xcc }, 1, EXDOOR_INT3_64, false }, { { 0xcc }, 1, EXDOOR_INT3_32, false } } },
    /* divide - #DE: a division by zero, a fault (Intel SDM vol. 3A 6.15
     * "Interrupt 0 - Divide Error Exception"; AMD APM vol. 2 8.2.1): the
     * saved RIP is the div, which has changed nothing.  64-bit: divl
     * rel32(%rip), 6 bytes; 32-bit: push $0 (2 bytes), then divl (%esp),
     * 3 bytes, whose zero is popped here. */
    { DE_VECTOR,
      { { { 0xf7, 0x35 }, 2, EXDOOR_DIVIDE_64, false }, { { 0x6a, 0x00, 0xf7, 0x34, 0x24 }, 5, EXDOOR_DIVIDE_32, false } } },
    /* hlt - #GP: hlt (F4) is privileged (CPL 0 only: Intel SDM vol. 2A
     * HLT, vol. 3A 6.15 "Interrupt 13 - General Protection Exception"; AMD
     * APM vol. 3 HLT), so ring 3 gets #GP(0), a fault: the saved RIP is
     * the hlt.  Only error code 0 is this door's. */
    { GP_VECTOR, { { { 0xf4 }, 1, EXDOOR_HLT_64, false }, { { 0xf4 }, 1, EXDOOR_HLT_32, false } } },
    /* bound - #BR: bound (62 /r) with an index outside the bounds, a fault
     * (Intel SDM vol. 2A BOUND, vol. 3A 6.15 "Interrupt 5 - BOUND Range
     * Exceeded Exception"; AMD APM vol. 2 8.2.6): the saved RIP is the
     * bound.  32-bit code only (never offered to 64-bit code: no 64-bit
     * entry); push $0, push $1 (4 bytes), then bound %eax, (%esp), 3
     * bytes, against [1, 0], whose 8 bytes are popped here. */
    { BR_VECTOR, { { { 0 }, 0, EXDOOR_BOUND_64, false }, { { 0x6a, 0x00, 0x6a, 0x01, 0x62, 0x04 }, 6, EXDOOR_BOUND_32, false } } },
    /* into - #OF: into (CE) with OF set, a trap (Intel SDM vol. 2A INTO,
     * vol. 3A 6.15 "Interrupt 4 - Overflow Exception"; AMD APM vol. 2
     * 8.2.5): the saved RIP is past it.  32-bit code only; the gate has
     * DPL 3 (arch/idt.c), which INTO needs.  pushfl, pushfl, orl $0x800,
     * (%esp) (7 bytes), popfl, then into at +10: the caller's EFLAGS are
     * the word left on the stack. */
    { OF_VECTOR, { { { 0 }, 0, EXDOOR_INTO_64, false }, { { 0x9c, 0x9c, 0x81, 0x0c, 0x24, 0x00 }, 6, EXDOOR_INTO_32, true } } },
    /* rdtsc - #GP(0): rdtsc (0F 31) at CPL 3 with CR4.TSD set (Intel SDM
     * vol. 2B RDTSC, vol. 3A 2.5; AMD APM vol. 3 RDTSC), a fault: the
     * saved RIP is the rdtsc, after push rdx, push rax (1 byte each in
     * both widths; 16 or 8 bytes dropped here); the call returns to the
     * ret after the stub's 2-byte jmp to its arming code. */
    { GP_VECTOR,
      { { { 0x52, 0x50, 0x0f, 0x31 }, 4, EXDOOR_RDTSC_64, false }, { { 0x52, 0x50, 0x0f, 0x31 }, 4, EXDOOR_RDTSC_32, false } } },
    /* umip - #GP(0): smsw %eax (0F 01 E0) at CPL 3 with CR4.UMIP set
     * (Intel SDM vol. 2B SMSW, vol. 3A 2.5; AMD APM vol. 2 3.1.3 and
     * vol. 3 SMSW), a fault: the saved RIP is the smsw. */
    { GP_VECTOR, { { { 0x0f, 0x01, 0xe0 }, 3, EXDOOR_UMIP_64, false }, { { 0x0f, 0x01, 0xe0 }, 3, EXDOOR_UMIP_32, false } } },
    /* cpuid - #GP(0): cpuid (0F A2) at CPL 3 with CPUID faulting on
     * (Intel SDM vol. 4 table 2-2 MSR_MISC_FEATURES_ENABLES; "Intel
     * Virtualization Technology FlexMigration Application Note"), a
     * fault: the saved RIP is the cpuid, after push rbx, rcx, rdx, rax
     * (32 or 16 bytes dropped here); the call returns to the ret after the
     * stub's 2-byte jmp. */
    { GP_VECTOR,
      { { { 0x53, 0x51, 0x52, 0x50, 0x0f, 0xa2 }, 6, EXDOOR_CPUID_64, false },
        { { 0x53, 0x51, 0x52, 0x50, 0x0f, 0xa2 }, 6, EXDOOR_CPUID_32, false } } },
    /* icebp - #DB: icebp/int1 (F1), a trap delivered without the gate's
     * DPL check (Intel SDM vol. 3A 6.15 "Interrupt 1 - Debug Exception",
     * vol. 2A INT1; AMD APM vol. 3 INT1): the saved RIP is past it.  Told
     * apart from the #DBs of breakpoints and single steps by DR6 below. */
    { DB_VECTOR, { { { 0xf1 }, 1, EXDOOR_ICEBP_64, false }, { { 0xf1 }, 1, EXDOOR_ICEBP_32, false } } },
    /* pf - #PF: a read of a never-mapped byte, a fault (Intel SDM vol. 3A
     * 6.15 "Interrupt 14 - Page-Fault Exception", 4.7; AMD APM vol. 2
     * 8.2.15): the saved RIP is the load, CR2 the address, the error code
     * 4 (a user-mode read of a page not present).  The stub has two loads
     * (pf_loads below), each resuming right after itself: 64-bit, where
     * the stub takes the caller's RFLAGS and r11 back from the red zone,
     * RSP never moved; 32-bit, at the `ret`, the EFLAGS the stub pushed
     * put back and dropped by the kernel.  Only the first bytes are checked
     * here. */
    { PF_VECTOR,
      { { { 0x9c, 0x4c, 0x89, 0x5c, 0x24, 0xf8 }, 6, EXDOOR_PF_64, false }, { { 0x9c, 0x3d, 0xff, 0xff, 0x00, 0x00 }, 6, EXDOOR_PF_32, true } } },
    /* ac - #AC: an unaligned access with EFLAGS.AC set while CR0.AM is set,
     * at CPL 3 only, a fault with error code 0 (Intel SDM vol. 3A 6.15
     * "Interrupt 17 - Alignment Check Exception", 2.5 CR0.AM; AMD APM vol.
     * 2 8.2.18): the saved RIP is the access.  pushf; pushf; orl $0x40000,
     * (%esp) (7 bytes); popf; testl $0, 1(%esp) at +10 (8 bytes); then the
     * arming load at +18 (64-bit 9 bytes, 32-bit 5) and the ret.  The
     * caller's flags are the word left on the stack.  AM is the calling
     * process's alone (door_arm below; sched.c switches it). */
    { AC_VECTOR,
      { { { 0x9c, 0x9c, 0x81, 0x0c, 0x24, 0x00 }, 6, EXDOOR_AC_64, true },
        { { 0x9c, 0x9c, 0x81, 0x0c, 0x24, 0x00 }, 6, EXDOOR_AC_32, true } } },
    /* nm - #NM: fwait (9B) with CR0.TS and MP set, a fault (Intel SDM vol.
     * 2A WAIT/FWAIT, vol. 3A 6.15 "Interrupt 7 - Device Not Available
     * Exception", 2.5 CR0.TS; AMD APM vol. 2 8.2.8): the saved RIP is the
     * fwait.  Then the arming load from the pf range's last byte (64-bit:
     * movabs moffs64, %al, 9 bytes; 32-bit: mov moffs32, %al, 5 bytes)
     * and the ret the call resumes at.  TS is the calling process's alone
     * (door_arm, nm_lazy below; sched.c switches it). */
    { NM_VECTOR, { { { 0x9b, 0xa0 }, 2, EXDOOR_NM_64, false }, { { 0x9b, 0xa0 }, 2, EXDOOR_NM_32, false } } },
    /* int3n - #BP again: int $3 (CD 03), a trap through the same DPL-3
     * gate as int3 (Intel SDM vol. 2A "INT n/INTO/INT3/INT1"): the saved
     * RIP is past its 2 bytes.  Nothing in the #BP says which instruction
     * raised it; the RIP does - stub + 2 here, stub + 1 for int3's CC,
     * and in the read-only page no CC ends at stub + 2 (the byte before
     * it is the 03), no CD 03 at stub + 1. */
    { BP_VECTOR, { { { 0xcd, 0x03 }, 2, EXDOOR_INT3N_64, false }, { { 0xcd, 0x03 }, 2, EXDOOR_INT3N_32, false } } },
};
_Static_assert(ARRAY_SIZE(exception_doors) == SG_MECH_COUNT - SG_MECH_FIRST_EXCEPTION,
               "one entry per exception door of doors.def");

/* The DR6 bits that name another cause of a #DB: a breakpoint matched
 * (B0-B3), a debug-register access (BD), a single step (BS), a task switch
 * (BT) (Intel SDM vol. 3B 18.2.3).  icebp sets none of them: a #DB at the
 * icebp stub's ret with one of them set is an instruction breakpoint on
 * that ret, or a single step, and stays the process's. */
#define DR6_OTHER_CAUSES (DR6_B_MASK | 1ul << 13 | 1ul << 14 | 1ul << 15)

/* What the C recognition needs (the doors whose vector has no entry of
 * its own in exception_entry.S: icebp), worked out once at boot: the
 * doors of each vector (a mask), and per width and door where its call
 * arrives (the saved RIP; 0: not offered), where it returns, what it drops
 * from the stack. */
struct call_site {
    uint64_t rip, resume, pop;
};
static uint32_t doors_of_vector[32];
static struct call_site call_sites[2][SG_MECH_COUNT];
/* The rdtsc door's call sites again, for its floor (entry/floor.S): [0]
 * 64-bit, [1] 32-bit. */
uint64_t floor_rdtsc_call[2];

/* The assembly's view of the same (exception_doors.h, exception_entry.S):
 * per width ([0] 64-bit, [1] 32-bit) and door the saved RIP of a call
 * (pf: its first load's; ~0 where the door is not offered to the width),
 * pf's second load and its range's base - and the row of the running
 * process's width, which exception_doors_switch copies where the entries
 * read it. */
static uint64_t door_rip[2][SG_MECH_COUNT], pf_in_rax_rip[2];
static const uint64_t pf_base[2] = { SG_PF_BASE64, SG_PF_BASE32 };
uint64_t exception_door_site[SG_MECH_COUNT] = { [0 ... SG_MECH_COUNT - 1] = ~0ull };
uint64_t exception_pf_site[2] = { ~0ull, ~0ull };
const uint64_t exception_stack_top64 = USER_END - 16;
uint8_t exception_door_vector[SG_MECH_COUNT], exception_door_error[SG_MECH_COUNT];

/* The pf stub's two loads, by width ([0] 64-bit, [1] 32-bit): where each
 * is in the stub and how long it is.  `number` reads base + the number,
 * `in_rax` the range's last byte (the number is in rax). */
static const struct pf_load {
    uint8_t number, number_len, in_rax, in_rax_len;
} pf_loads[2] = { { EXDOOR_PF_LOADS_64 }, { EXDOOR_PF_LOADS_32 } };
static const uint8_t pf_load_bytes[2][2][3] = {
    { { 0x41, 0xf6, 0x04 }, { 0x41, 0xf6, 0x83 } },
    { { 0xf6, 0x80 }, { 0xf6, 0x05 } },
};
/* What follows each load: 64-bit, mov -16(%rsp), %r11; lea -8(%rsp),
 * %rsp; popfq; ret (the caller's r11 and RFLAGS back from the red zone);
 * 32-bit, ret. */
static const uint8_t pf_resume_bytes[2][12] = {
    { 0x4c, 0x8b, 0x5c, 0x24, 0xf0, 0x48, 0x8d, 0x64, 0x24, 0xf8, 0x9d, 0xc3 },
    { 0xc3 },
};
static const size_t pf_resume_len[2] = { 12, 1 };

/* The doors whose CPU state is the process's own, CR0.TS (nm) and CR0.AM
 * (ac), are armed by a load from the pf range's last byte inside their
 * stub, reached only when the instruction before it did not fault because
 * the bit was still clear for this process: where each stub has it. */
static const uint8_t arming_load[2] = { 18, 1 };    /* ac, nm */

/* The door whose arming load this #PF is, or -1: any other page fault. */
static int arming_door(const struct frame *f, uint64_t cr2)
{
    int bits = current_proc()->bits;
    uint64_t last = (bits == 32 ? SG_PF_BASE32 : SG_PF_BASE64) + SG_PF_RANGE - 1;
    if (f->error != EXDOOR_PF_ERROR || cr2 != last)
        return -1;
    for (int m = SG_MECH_AC; m <= SG_MECH_NM; m++) {
        uint64_t stub = kip_stub(bits, m);
        if (stub && f->rip == stub + arming_load[m - SG_MECH_AC])
            return m;
    }
    return -1;
}

/* The flags a program may set itself, taken from a word the stub pushed
 * (exception_doors.h); IF and IOPL stay the frame's. */
static void put_back_flags(struct frame *f, uint64_t pushed)
{
    f->rflags = (f->rflags & ~(uint64_t)RFLAGS_USER_SETTABLE) | (pushed & RFLAGS_USER_SETTABLE);
}

/* Arms door m for the running process (TS or AM set from now on, until
 * its own code or an exec takes it back) and turns the fault into a call
 * like the door's own: the caller's flags back, RIP at the stub's ret.
 * false: the stack went away under the stub - the process's own fault. */
static bool door_arm(struct frame *f, int m)
{
    struct proc *p = current_proc();
    const struct exception_door *d = &exception_doors[m - SG_MECH_FIRST_EXCEPTION].width[p->bits == 32];
    if (d->eflags_pushed) {
        uint32_t eflags;
        if (get_user_u32(&eflags, f->rsp))
            return false;
        put_back_flags(f, eflags);
    }
    if (m == SG_MECH_NM) {
        p->fpu_trap = true;
        stts();
    } else {
        p->align_trap = true;
        write_cr0(read_cr0() | CR0_AM);
    }
    f->rip = kip_stub(p->bits, m) + d->resume;
    f->rsp += d->pop;
    return true;
}

/* A #NM anywhere but at the nm stub's fwait: the process's x87/SSE code
 * met the TS its nm door set - the kernel's doing, not the program's
 * fault.  TS is taken back (the process's FPU registers are loaded
 * already: sched.c restores them eagerly) and the instruction runs again,
 * as under a lazy-FPU kernel; the next nm call re-arms through the load.
 * false: a #NM the kernel did not cause (none: CR0.EM is clear). */
static __attribute__((noinline)) bool nm_lazy(void)
{
    struct proc *p = current_proc();
    if (!p->fpu_trap)
        return false;
    p->fpu_trap = false;
    clts();
    return true;
}

void exception_doors_check(void)
{
    for (int m = SG_MECH_FIRST_EXCEPTION; m < SG_MECH_COUNT; m++) {
        /* The C recognition below: only the doors whose vector has no
         * entry of its own (exception_entry.S) */
        uint8_t vector = exception_doors[m - SG_MECH_FIRST_EXCEPTION].vector;
        if (!exception_door_entry[vector])
            doors_of_vector[vector] |= 1u << m;
        exception_door_vector[m] = exception_doors[m - SG_MECH_FIRST_EXCEPTION].vector;
        exception_door_error[m] = m == SG_MECH_PF ? EXDOOR_PF_ERROR : 0;
        for (int w = 0; w < 2; w++) {
            const struct exception_door *d = &exception_doors[m - SG_MECH_FIRST_EXCEPTION].width[w];
            const uint8_t *code = kip_stub_bytes(w ? 32 : 64, m);
            /* pf's stub returns after either of its loads (checked below) */
            if (code && (memcmp(code, d->code, d->code_len) || (m != SG_MECH_PF && code[d->resume] != 0xc3)))
                panic("entry: the %d-bit %s stub does not look as its recognition expects", w ? 32 : 64,
                      entry_mechanism_name(m));
            uint64_t stub = kip_stub(w ? 32 : 64, m);
            /* pf is no vector-and-RIP match: exception_entry.S recognises
             * it by its loads and CR2 */
            call_sites[w][m] = (struct call_site){ code && m != SG_MECH_PF ? stub + d->reported : 0,
                                                   stub + d->resume, d->pop };
            if (m == SG_MECH_RDTSC)
                floor_rdtsc_call[w] = call_sites[w][m].rip;
            door_rip[w][m] = !code             ? ~0ull
                             : m == SG_MECH_PF ? stub + pf_loads[w].number
                                               : stub + d->reported;
            if (m == SG_MECH_PF)
                pf_in_rax_rip[w] = code ? stub + pf_loads[w].in_rax : ~0ull;
        }
    }
    for (int w = 0; w < 2; w++) {
        const uint8_t *code = kip_stub_bytes(w ? 32 : 64, SG_MECH_PF);
        size_t n = w ? 2 : 3;
        if (code && (memcmp(code + pf_loads[w].number, pf_load_bytes[w][0], n) ||
                     memcmp(code + pf_loads[w].in_rax, pf_load_bytes[w][1], n) ||
                     memcmp(code + pf_loads[w].number + pf_loads[w].number_len, pf_resume_bytes[w], pf_resume_len[w]) ||
                     memcmp(code + pf_loads[w].in_rax + pf_loads[w].in_rax_len, pf_resume_bytes[w], pf_resume_len[w])))
            panic("entry: the %d-bit pf stub's loads are not where its recognition expects", w ? 32 : 64);
    }
}

/* Whether this thread's rdtsc and cpuid fault now (what CR4.TSD and
 * MSR_MISC_FEATURES_ENABLES hold), so that a switch writes them only
 * when they change. */
static bool tsd_loaded, cpuid_faulting_loaded;
static bool cpuid_faulting;     /* the CPU has it (exception_doors_offered) */

/* The width whose call sites exception_door_site holds (0: none yet). */
static int sites_bits;

/* A call is one only at the stub of the process's own width's page: the
 * entries compare with that row (a 64-bit process that runs 32-bit code
 * where a 32-bit process has its stub is making no call).  Out of line:
 * most switches are between processes of one width. */
static __attribute__((noinline)) void load_sites(int bits)
{
    int w = bits == 32;
    sites_bits = bits;
    memcpy(exception_door_site, door_rip[w], sizeof exception_door_site);
    exception_pf_site[0] = pf_in_rax_rip[w];
    exception_pf_site[1] = pf_base[w];
}

void exception_doors_switch(const struct proc *next)
{
    if (next->tsc_faults != tsd_loaded) {
        tsd_loaded = next->tsc_faults;
        write_cr4(tsd_loaded ? read_cr4() | CR4_TSD : read_cr4() & ~(uint64_t)CR4_TSD);
    }
    if (cpuid_faulting && next->cpuid_faults != cpuid_faulting_loaded) {
        cpuid_faulting_loaded = next->cpuid_faults;
        uint64_t v = rdmsr(MSR_MISC_FEATURES_ENABLES);
        wrmsr(MSR_MISC_FEATURES_ENABLES,
              cpuid_faulting_loaded ? v | MISC_FEATURES_CPUID_FAULTING : v & ~MISC_FEATURES_CPUID_FAULTING);
    }
    if (next->bits != sites_bits)      /* last: a tail call, no register to keep */
        load_sites(next->bits);
}

long exception_doors_tsc_mode(void)
{
    return current_proc()->tsc_faults ? SG_PR_TSC_SIGSEGV : SG_PR_TSC_ENABLE;
}

long exception_doors_set_tsc_mode(uint64_t mode)
{
    if (mode != SG_PR_TSC_ENABLE && mode != SG_PR_TSC_SIGSEGV)
        return -SG_EINVAL;
    current_proc()->tsc_faults = mode == SG_PR_TSC_SIGSEGV;
    exception_doors_switch(current_proc());
    return 0;
}

long exception_doors_cpuid_mode(void)
{
    return !current_proc()->cpuid_faults;
}

long exception_doors_set_cpuid_mode(uint64_t runs)
{
    /* Linux: -ENODEV where the CPU cannot fault cpuid (set_cpuid_mode). */
    if (!cpuid_faulting)
        return -SG_ENODEV;
    current_proc()->cpuid_faults = !runs;
    exception_doors_switch(current_proc());
    return 0;
}

/* RDMSR of an MSR the CPU may not have: false where it raised #GP (the
 * kernel's #GP path resumes at the label after it: arch/traps.c). */
static bool rdmsr_safe(uint32_t msr, uint64_t *value)
{
    uint32_t lo = 0, hi = 0;
    bool faulted = true;
    __asm__ volatile("1: rdmsr\n"
                     "   movb $0, %2\n"
                     "2:\n"
                     "   .pushsection __ex_table, \"a\"\n"
                     "   .balign 8\n"
                     "   .quad 1b, 2b\n"
                     "   .popsection"
                     : "+a"(lo), "+d"(hi), "+m"(faulted)
                     : "c"(msr));
    *value = (uint64_t)hi << 32 | lo;
    return !faulted;
}

/* The boot's icebp probe (below): the instruction, and which vector it
 * raised (-1: none yet). */
extern const char icebp_probe[], icebp_probe_end[];
static int icebp_probe_vector = -1;

bool exception_doors_probe_trap(struct frame *f)
{
    if (f->rip != (uint64_t)icebp_probe && f->rip != (uint64_t)icebp_probe_end)
        return false;
    icebp_probe_vector = (int)f->vector;
    f->rip = (uint64_t)icebp_probe_end;
    return true;
}

uint32_t exception_doors_offered(void)
{
    uint32_t offered = 0;
    /* rdtsc: CR4.TSD exists on every x86-64 CPU (Intel SDM vol. 3A 2.5). */
    offered |= 1u << SG_MECH_RDTSC;
    /* umip: where CPUID.7.0:ECX.UMIP[2] is set, and arch/cpu.c has set
     * CR4.UMIP. */
    if (cpu.enabled & SG_FEAT_UMIP)
        offered |= 1u << SG_MECH_UMIP;
    else
        printk("entry: the umip door is absent: this CPU has no UMIP (CPUID.7.0:ECX[2])\n");
    /* cpuid: Intel reports CPUID faulting in MSR_PLATFORM_INFO bit 32 (as
     * Linux's intel.c reads it, guarded); sysgate does not look for it
     * elsewhere. */
    uint64_t platform_info;
    cpuid_faulting = cpu.vendor_id == SG_VENDOR_INTEL && rdmsr_safe(MSR_PLATFORM_INFO, &platform_info) &&
                     (platform_info & PLATFORM_INFO_CPUID_FAULTING);
    if (cpuid_faulting)
        offered |= 1u << SG_MECH_CPUID;
    else
        printk("entry: the cpuid door is absent: this CPU has no CPUID faulting (%s)\n",
               cpu.vendor_id == SG_VENDOR_INTEL ? "MSR_PLATFORM_INFO bit 32 clear" : "not an Intel CPU");
    /* icebp: no CPUID bit says what F1 does; the CPU is asked once, in
     * ring 0, where a #DB is harmless and a #UD (QEMU 7.2's TCG decodes F1
     * so) is caught by exception_doors_probe_trap. */
    __asm__ volatile(".globl icebp_probe, icebp_probe_end\n"
                     "icebp_probe: .byte 0xf1\n"
                     "icebp_probe_end:" ::: "memory");
    if (icebp_probe_vector == DB_VECTOR)
        offered |= 1u << SG_MECH_ICEBP;
    else
        printk("entry: the icebp door is absent: icebp raised %s here, not #DB\n",
               icebp_probe_vector == UD_VECTOR ? "#UD" : "nothing");
    /* ac: every x86-64 CPU checks alignment (CR0.AM, EFLAGS.AC: Intel SDM
     * vol. 3A 6.15 "Interrupt 17") but QEMU's TCG, whose target/i386 never
     * raises #AC (CPUID 0x40000000 "TCGTCGTCGTCG"): there the door would
     * only ever take its arming path. */
    if (strcmp(cpu.hypervisor_vendor, "TCGTCGTCGTCG"))
        offered |= 1u << SG_MECH_AC;
    else
        printk("entry: the ac door is not offered: QEMU's TCG never raises #AC (no alignment check)\n");
    return offered;
}

/* Whether a #GP at `rip` is one of the interface page's own rdtsc
 * instructions (the vDSO's clock reads: include/sysgate/vvar.h), made by
 * a thread whose rdtsc faults: then the kernel does what rdtsc would have
 * done - the read is slower, not wrong.  Only the page's bytes, as the
 * kernel keeps them, count. */
static __attribute__((noinline)) bool vdso_rdtsc(struct frame *f, int bits)
{
    const uint8_t *code = kip_code_at(bits, f->rip, 2);
    if (!current_proc()->tsc_faults || !code || code[0] != 0x0f || code[1] != 0x31)
        return false;
    uint64_t tsc = rdtsc();
    f->rax = (uint32_t)tsc;
    f->rdx = tsc >> 32;
    f->rip += 2;
    return true;
}

/* A #PF from user mode that exception_entry.S did not take for a pf
 * call: the arming load of the nm or ac door, or none (false).  Kept out
 * of line: the other doors' recognition pays nothing for it. */
static __attribute__((noinline)) bool arming_call(struct frame *f, uint64_t cr2)
{
    int m = arming_door(f, cr2);
    if (m < 0 || !door_arm(f, m))
        return false;
    /* With the door at its floor (floor.S), the arming call returns at
     * once too: armed, nothing dispatched */
    if (current_proc()->floors & (1u << m))
        return true;
    f->entry = (uint64_t)m;
    syscall_front(f);
    return true;
}

uint64_t exception_door_restart(const struct frame *f, int bits)
{
    int m = (int)f->entry;
    uint64_t stub = kip_stub(bits, m);
    if (m < SG_MECH_FIRST_EXCEPTION || m >= SG_MECH_COUNT || !stub)
        return 0;
    /* The 64-bit pf stub's words wait in the red zone, its r11 holds the
     * range's base: the load again, not the stub's start, which would
     * save that r11 over the caller's. */
    if (m == SG_MECH_PF && bits == 64) {
        const struct pf_load *l = &pf_loads[0];
        return f->rip == stub + l->number + l->number_len ? stub + l->number
             : f->rip == stub + l->in_rax + l->in_rax_len ? stub + l->in_rax
                                                          : 0;
    }
    return stub;
}

bool exception_door_call(struct frame *f, uint64_t cr2, uint64_t dr6)
{
    /* The nm and ac doors' arming loads are #PFs (error code 4); no #GP
     * with an error code is a door's. */
    if (f->error)
        return f->vector == PF_VECTOR && arming_call(f, cr2);
    if (f->vector >= ARRAY_SIZE(doors_of_vector))
        return false;
    int bits = current_proc()->bits, m = -1;
    const struct call_site *sites = call_sites[bits == 32], *site = 0;
    for (uint32_t doors = doors_of_vector[f->vector]; doors; doors &= doors - 1) {
        const struct call_site *candidate = &sites[__builtin_ctz(doors)];
        if (candidate->rip && f->rip == candidate->rip) {
            site = candidate;
            m = __builtin_ctz(doors);
            break;
        }
    }
    if (!site)
        return (f->vector == GP_VECTOR && vdso_rdtsc(f, bits)) ||
               (f->vector == NM_VECTOR && nm_lazy());  /* no call, but no fault either */
    if (m == SG_MECH_ICEBP && (dr6 & DR6_OTHER_CAUSES))
        return false;
    f->rip = site->resume;              /* the call returns at the stub's ret */
    f->rsp += site->pop;
    f->entry = (uint64_t)m;
    syscall_front(f);
    return true;
}
