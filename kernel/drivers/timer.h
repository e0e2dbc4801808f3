/* The PIT and the 8259 PICs (timer.c): the tick, the IRQ masks, the TSC's calibration. */
#ifndef SYSGATE_TIMER_H
#define SYSGATE_TIMER_H
#include <stdbool.h>
#include <stdint.h>
#define TIMER_HZ 100
#define IRQ_BASE 32
extern volatile uint64_t timer_ticks;
void timer_init(void);
/* The TSC's frequency in Hz, measured against the PIT (takes 50 ms). */
uint64_t timer_calibrate_tsc(void);
bool irq_acknowledge(int irq);
/* Lets the PIC pass irq (timer_init masks all but IRQ 0). */
void irq_unmask(int irq);
#endif
