/* The IDT: exceptions, the PIC's interrupts, and the doors that are
 * vectors: int 0x80 (int80.S), #UD (trap.S) and the exception doors'
 * (exception_entry.S). */
#include "idt.h"
#include "descriptor.h"
#include "gdt.h"
#include "selectors_msrs.h"
#include "../entry/exception_doors.h"
#include "../entry/frame.h"
#include "../lib/kernel.h"

static struct desc16 idt[256] __attribute__((aligned(16)));
extern const uint64_t interrupt_stub_table[48];
void trap_ud_entry(void);

void idt_set(int vector, void (*handler)(void), int dpl, int ist)
{
    idt[vector] = desc_idt_gate(KERNEL_CS, (uint64_t)handler, DESC_INTERRUPT_GATE, dpl, ist);
}

void idt_init(void)
{
    for (int v = 0; v < 48; v++) {
        int ist = v == 2 ? IST_NMI : v == 8 ? IST_DF : v == 18 ? IST_MC : v == 1 ? IST_DB : 0;
        /* #BP (int3) and #OF (into) may be raised on purpose by user code:
         * DPL 3, as on Linux; everything else DPL 0 so that `int $n`
         * from ring 3 is a #GP instead (SDM vol. 3A 6.12.1.1). */
        int dpl = (v == 3 || v == 4) ? 3 : 0;
        /* The vectors of the exception doors have entries of their own
         * (entry/exception_entry.S), which take every exception that is
         * no call on to the ordinary stub's path. */
        uint64_t entry = v < 32 && exception_door_entry[v] ? exception_door_entry[v] : interrupt_stub_table[v];
        idt[v] = desc_idt_gate(KERNEL_CS, entry, DESC_INTERRUPT_GATE, dpl, ist);
    }
    /* #UD has a door of its own: trap-based entry (entry/trap.S). */
    idt_set(UD_VECTOR, trap_ud_entry, 0, 0);

    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = { sizeof idt - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" ::"m"(idtr));
}
