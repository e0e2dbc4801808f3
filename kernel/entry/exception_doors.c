/*
 * exception_doors.c - the doors that are CPU exceptions a program raises
 * on purpose (issue 13): int3 (#BP), a division by zero (#DE) and hlt
 * (#GP) so far.  Each has a stub in both
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
    int bits;               /* the width whose stub this is */
    uint64_t vector;        /* the exception */
    uint8_t code[6];        /* the stub's first bytes (checked at boot) */
    uint8_t code_len;
    uint8_t reported;       /* the saved RIP, from the stub's start */
    uint8_t resume;         /* where the call returns to, from the stub's start */
    uint8_t pop;            /* bytes the stub pushed before it, dropped before the call */
} exception_doors[] = {
    /* #BP: int3 (CC), a trap (Intel SDM vol. 3A 6.15 "Interrupt 3 -
     * Breakpoint Exception"; AMD APM vol. 2 8.2.4): the saved RIP points
     * past the instruction.  The IDT gate has DPL 3 (arch/idt.c), so ring
     * 3 may raise it. */
    { SG_MECH_INT3, 64, BP_VECTOR, { 0xcc }, 1, 1, 1, 0 },
    { SG_MECH_INT3, 32, BP_VECTOR, { 0xcc }, 1, 1, 1, 0 },
    /* #DE: a division by zero, a fault (Intel SDM vol. 3A 6.15 "Interrupt
     * 0 - Divide Error Exception"; AMD APM vol. 2 8.2.1): the saved RIP is
     * the div, which has changed nothing.  64-bit: divl rel32(%rip), 6
     * bytes; 32-bit: push $0 (2 bytes), then divl (%esp), 3 bytes, whose
     * zero is popped here. */
    { SG_MECH_DIVIDE, 64, DE_VECTOR, { 0xf7, 0x35 }, 2, 0, 6, 0 },
    { SG_MECH_DIVIDE, 32, DE_VECTOR, { 0x6a, 0x00, 0xf7, 0x34, 0x24 }, 5, 2, 5, 4 },
    /* #GP: hlt (F4) is privileged (CPL 0 only: Intel SDM vol. 2A HLT,
     * vol. 3A 6.15 "Interrupt 13 - General Protection Exception"; AMD APM
     * vol. 3 HLT), so ring 3 gets #GP(0), a fault: the saved RIP is the
     * hlt.  Only error code 0 is this door's. */
    { SG_MECH_HLT, 64, GP_VECTOR, { 0xf4 }, 1, 0, 1, 0 },
    { SG_MECH_HLT, 32, GP_VECTOR, { 0xf4 }, 1, 0, 1, 0 },
};

void exception_doors_check(void)
{
    for (unsigned i = 0; i < ARRAY_SIZE(exception_doors); i++) {
        const struct exception_door *d = &exception_doors[i];
        const uint8_t *code = kip_stub_bytes(d->bits, d->mech);
        if (code && memcmp(code, d->code, d->code_len))
            panic("entry: the %d-bit %s stub does not start as its recognition expects", d->bits,
                  entry_mechanism_name(d->mech));
    }
}

bool exception_door_call(struct frame *f)
{
    int bits = current_proc()->bits;
    for (unsigned i = 0; i < ARRAY_SIZE(exception_doors); i++) {
        const struct exception_door *d = &exception_doors[i];
        if (d->vector != f->vector || d->bits != bits || f->error)
            continue;
        uint64_t stub = kip_stub(bits, d->mech);
        if (!stub || f->rip != stub + d->reported)
            continue;
        f->rip = stub + d->resume;      /* the call returns after the instruction */
        f->rsp += d->pop;
        f->entry = (uint64_t)d->mech;
        syscall_front(f);
        return true;
    }
    return false;
}
