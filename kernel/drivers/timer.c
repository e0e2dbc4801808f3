/*
 * The timer: the PIT (8254) channel 0 at TIMER_HZ on IRQ 0, through the
 * two 8259 PICs remapped to vectors 32-47 (their power-on vectors 8-15
 * collide with CPU exceptions).  Every PC and every emulator has both.
 * The PIT's channel 2 also measures the TSC's frequency at boot.
 */
#include "timer.h"
#include "../arch/io.h"
#include "../lib/kernel.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1
#define PIT_CH0 0x40
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_HZ 1193182
#define PORT_B 0x61     /* bit 0: channel 2's gate; bit 1: speaker; bit 5: channel 2's output */

volatile uint64_t timer_ticks;

static void pic_remap(void)
{
    outb(PIC1_CMD, 0x11);   /* ICW1: init, expect ICW4 */
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, IRQ_BASE);      /* ICW2: vector base */
    outb(PIC2_DATA, IRQ_BASE + 8);
    outb(PIC1_DATA, 4);     /* ICW3: slave on IRQ2 */
    outb(PIC2_DATA, 2);
    outb(PIC1_DATA, 0x01);  /* ICW4: 8086 mode */
    outb(PIC2_DATA, 0x01);
    outb(PIC1_DATA, 0xfe);  /* mask everything but IRQ 0 */
    outb(PIC2_DATA, 0xff);
}

void timer_init(void)
{
    pic_remap();
    uint16_t divisor = PIT_HZ / TIMER_HZ;
    outb(PIT_CMD, 0x34);    /* channel 0, lo/hi byte, mode 2 (rate generator) */
    outb(PIT_CH0, divisor & 0xff);
    outb(PIT_CH0, divisor >> 8);
}

/*
 * The TSC's frequency, measured against the PIT as Linux's
 * pit_calibrate_tsc does: channel 2, gated on with the speaker off, counts
 * down once from CALIBRATE_COUNT (mode 0: its output goes high at zero);
 * the TSC ticks seen meanwhile, over the count's length in time, are the
 * frequency.  50 ms of PIT clock: the edges' few-microsecond uncertainty is
 * under 10^-4 of it.
 */
#define CALIBRATE_COUNT (PIT_HZ / 20)

uint64_t timer_calibrate_tsc(void)
{
    outb(PORT_B, (inb(PORT_B) & ~0x02) | 0x01);
    outb(PIT_CMD, 0xb0);    /* channel 2, lo/hi byte, mode 0 (interrupt on terminal count), binary */
    outb(PIT_CH2, CALIBRATE_COUNT & 0xff);
    outb(PIT_CH2, CALIBRATE_COUNT >> 8);
    uint64_t start = rdtsc();
    for (uint64_t polls = 0; !(inb(PORT_B) & 0x20); polls++)
        if (polls > 100000000)
            panic("timer: the PIT's channel 2 never counted down: cannot measure the TSC");
    uint64_t end = rdtsc();
    uint64_t hz = (end - start) * PIT_HZ / CALIBRATE_COUNT;
    if (hz < 1000000)
        panic("timer: the TSC runs at %lu Hz, too slow to keep time with", hz);
    return hz;
}

void irq_unmask(int irq)
{
    uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
    outb(port, inb(port) & ~(1u << (irq & 7)));
}

/* Returns false for a spurious interrupt (IRQ 7 or 15 with its in-service
 * bit clear), which must not be acknowledged. */
bool irq_acknowledge(int irq)
{
    if (irq == 7 || irq == 15) {
        uint16_t cmd = irq == 7 ? PIC1_CMD : PIC2_CMD;
        outb(cmd, 0x0b);    /* OCW3: read ISR */
        if (!(inb(cmd) & 0x80)) {
            if (irq == 15)
                outb(PIC1_CMD, 0x20);   /* the master did see IRQ 2 */
            return false;
        }
    }
    if (irq >= 8)
        outb(PIC2_CMD, 0x20);
    outb(PIC1_CMD, 0x20);
    return true;
}
