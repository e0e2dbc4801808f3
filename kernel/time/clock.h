/*
 * The kernel's clocks: the TSC calibrated at boot, the CMOS clock's time
 * at boot for CLOCK_REALTIME, both kept in the interface pages' data page
 * (include/sysgate/vvar.h), which the kernel reads exactly as the vDSO
 * does: one time source for both.
 */
#ifndef SYSGATE_CLOCK_H
#define SYSGATE_CLOCK_H

#include <stdint.h>

/* After kip_init (the data page) and timer_init. */
void clock_init(void);
/* From the timer interrupt: moves the data page's base to now. */
void clock_tick(void);
/* A clock's value; -1 for a clock the data page does not keep. */
int clock_read(uint32_t clock, uint64_t *sec, uint64_t *nsec);
int clock_resolution(uint32_t clock, uint64_t *nsec);
/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t clock_monotonic_ns(void);
/* CLOCK_REALTIME - CLOCK_MONOTONIC, in nanoseconds. */
uint64_t clock_realtime_offset_ns(void);

#endif
