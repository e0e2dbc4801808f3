/*
 * exception_doors.c - the doors that are CPU exceptions a program raises
 * on purpose (issue 13): int3 (#BP), a division by zero (#DE), hlt (#GP)
 * and, in 32-bit code, bound (#BR) and into (#OF) so far.  Each has a stub in both
 * interface pages (kernel/kip/vdso/kip_stubs.S, kip32_stubs.S) whose
 * first instruction raises the exception; the exception is a system call
 * only when the CPU reports it exactly there - the saved RIP is the
 * stub's instruction (a fault) or the byte after it (a trap) in this
 * process's width's page - and only when the door is offered to that
 * width.  Any other exception of the same kind, anywhere else, is the
 * process's own fault and goes on to kernel/arch/traps.c as before.
 *
 * The exceptions arrive through the ordinary exception path
 * (kernel/entry/interrupts.S, interrupt_dispatch in kernel/arch/traps.c),
 * which asks exception_door_call() first, before it makes the fault the
 * process's.  A call is dispatched from here through the dispatcher's
 * front in C (kernel/syscall/front.h), as the 32-bit fast doors are, and
 * leaves through ret_user's iretq (its tag is not a fast door's).
 */
#include "entry.h"
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
    uint8_t reported;       /* the saved RIP, from the stub's start */
    uint8_t resume;         /* where the call returns to, from the stub's start */
    uint8_t pop;            /* bytes the stub pushed before it, dropped before the call */
    bool eflags_pushed;     /* the word on the stack is the caller's EFLAGS: put them back */
};

/* By door (SG_MECH_FIRST_EXCEPTION on, doors.def's order), then width:
 * [0] 64-bit, [1] 32-bit. */
static const struct exception_door exception_doors[][2] = {
    /* int3 - #BP: int3 (CC), a trap (Intel SDM vol. 3A 6.15 "Interrupt 3 -
     * Breakpoint Exception"; AMD APM vol. 2 8.2.4): the saved RIP points
     * past the instruction.  The IDT gate has DPL 3 (arch/idt.c), so ring
     * 3 may raise it. */
    { { { 0xcc }, 1, 1, 1, 0, false }, { { 0xcc }, 1, 1, 1, 0, false } },
    /* divide - #DE: a division by zero, a fault (Intel SDM vol. 3A 6.15
     * "Interrupt 0 - Divide Error Exception"; AMD APM vol. 2 8.2.1): the
     * saved RIP is the div, which has changed nothing.  64-bit: divl
     * rel32(%rip), 6 bytes; 32-bit: push $0 (2 bytes), then divl (%esp),
     * 3 bytes, whose zero is popped here. */
    { { { 0xf7, 0x35 }, 2, 0, 6, 0, false }, { { 0x6a, 0x00, 0xf7, 0x34, 0x24 }, 5, 2, 5, 4, false } },
    /* hlt - #GP: hlt (F4) is privileged (CPL 0 only: Intel SDM vol. 2A
     * HLT, vol. 3A 6.15 "Interrupt 13 - General Protection Exception"; AMD
     * APM vol. 3 HLT), so ring 3 gets #GP(0), a fault: the saved RIP is
     * the hlt.  Only error code 0 is this door's. */
    { { { 0xf4 }, 1, 0, 1, 0, false }, { { 0xf4 }, 1, 0, 1, 0, false } },
    /* bound - #BR: bound (62 /r) with an index outside the bounds, a fault
     * (Intel SDM vol. 2A BOUND, vol. 3A 6.15 "Interrupt 5 - BOUND Range
     * Exceeded Exception"; AMD APM vol. 2 8.2.6): the saved RIP is the
     * bound.  32-bit code only (never offered to 64-bit code: no 64-bit
     * entry); push $0, push $1 (4 bytes), then bound %eax, (%esp), 3
     * bytes, against [1, 0], whose 8 bytes are popped here. */
    { { { 0 }, 0, 0, 0, 0, false }, { { 0x6a, 0x00, 0x6a, 0x01, 0x62, 0x04 }, 6, 4, 7, 8, false } },
    /* into - #OF: into (CE) with OF set, a trap (Intel SDM vol. 2A INTO,
     * vol. 3A 6.15 "Interrupt 4 - Overflow Exception"; AMD APM vol. 2
     * 8.2.5): the saved RIP is past it.  32-bit code only; the gate has
     * DPL 3 (arch/idt.c), which INTO needs.  pushfl, pushfl, orl $0x800,
     * (%esp) (7 bytes), popfl, then into at +10: the caller's EFLAGS are
     * the word left on the stack. */
    { { { 0 }, 0, 0, 0, 0, false }, { { 0x9c, 0x9c, 0x81, 0x0c, 0x24, 0x00 }, 6, 11, 11, 4, true } },
};
_Static_assert(ARRAY_SIZE(exception_doors) == SG_MECH_COUNT - SG_MECH_FIRST_EXCEPTION,
               "one entry per exception door of doors.def");

/* The door an exception vector may be (-1: none). */
static int door_of_vector(uint64_t vector)
{
    switch (vector) {
    case BP_VECTOR: return SG_MECH_INT3;
    case DE_VECTOR: return SG_MECH_DIVIDE;
    case GP_VECTOR: return SG_MECH_HLT;
    case BR_VECTOR: return SG_MECH_BOUND;
    case OF_VECTOR: return SG_MECH_INTO;
    }
    return -1;
}

void exception_doors_check(void)
{
    for (int m = SG_MECH_FIRST_EXCEPTION; m < SG_MECH_COUNT; m++)
        for (int w = 0; w < 2; w++) {
            const struct exception_door *d = &exception_doors[m - SG_MECH_FIRST_EXCEPTION][w];
            const uint8_t *code = kip_stub_bytes(w ? 32 : 64, m);
            if (code && memcmp(code, d->code, d->code_len))
                panic("entry: the %d-bit %s stub does not start as its recognition expects", w ? 32 : 64,
                      entry_mechanism_name(m));
        }
}

bool exception_door_call(struct frame *f)
{
    int m = door_of_vector(f->vector);
    if (m < 0 || f->error)
        return false;
    int bits = current_proc()->bits;
    const struct exception_door *d = &exception_doors[m - SG_MECH_FIRST_EXCEPTION][bits == 32];
    uint64_t stub = kip_stub(bits, m);
    if (!stub || f->rip != stub + d->reported)
        return false;
    if (d->eflags_pushed) {
        /* The flags a program may set itself (POPF at CPL 3 with IOPL 0:
         * Intel SDM vol. 2B POPF); IF and IOPL stay the frame's. */
        const uint64_t user_flags = RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_TF |
                                    RFLAGS_DF | RFLAGS_OF | RFLAGS_NT | RFLAGS_AC | RFLAGS_ID;
        uint32_t eflags;
        if (get_user_u32(&eflags, f->rsp))
            return false;   /* the stack went away under the stub: the process's own #OF */
        f->rflags = (f->rflags & ~user_flags) | (eflags & user_flags);
    }
    f->rip = stub + d->resume;          /* the call returns after the instruction */
    f->rsp += d->pop;
    f->entry = (uint64_t)m;
    syscall_front(f);
    return true;
}
