/*
 * exception_doors.c - the doors that are CPU exceptions a program raises
 * on purpose (issue 13): int3 (#BP) so far.  Each has a stub in both
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
#include "../kip/kip.h"
#include "../lib/kernel.h"
#include "../proc/proc.h"
#include "../syscall/front.h"
#include "../../include/sysgate/abi.h"

static const struct exception_door {
    int mech;               /* SG_MECH_* */
    uint64_t vector;        /* the exception */
    uint8_t insn[4];        /* the stub's first instruction (checked at boot) */
    uint8_t len;            /* its length */
    uint8_t reported;       /* the saved RIP, from the stub: 0 for a fault, len for a trap */
} exception_doors[] = {
    /* #BP: int3 (CC), a trap (Intel SDM vol. 3A 6.15 "Interrupt 3 -
     * Breakpoint Exception"; AMD APM vol. 2 8.2.4): the saved RIP points
     * past the instruction.  The IDT gate has DPL 3 (arch/idt.c), so ring
     * 3 may raise it. */
    { SG_MECH_INT3, BP_VECTOR, { 0xcc }, 1, 1 },
};

void exception_doors_check(void)
{
    for (unsigned i = 0; i < ARRAY_SIZE(exception_doors); i++) {
        const struct exception_door *d = &exception_doors[i];
        for (int bits = 32; bits <= 64; bits += 32) {
            const uint8_t *code = kip_stub_bytes(bits, d->mech);
            if (code && memcmp(code, d->insn, d->len))
                panic("entry: the %d-bit %s stub does not start with its instruction", bits,
                      entry_mechanism_name(d->mech));
        }
    }
}

bool exception_door_call(struct frame *f)
{
    int bits = current_proc()->bits;
    for (unsigned i = 0; i < ARRAY_SIZE(exception_doors); i++) {
        const struct exception_door *d = &exception_doors[i];
        if (d->vector != f->vector)
            continue;
        uint64_t stub = kip_stub(bits, d->mech);
        if (!stub || f->rip != stub + d->reported)
            continue;
        f->rip = stub + d->len;         /* the call returns after the instruction */
        f->entry = (uint64_t)d->mech;
        syscall_front(f);
        return true;
    }
    return false;
}
