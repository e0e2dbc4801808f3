/*
 * Pure time arithmetic, kept apart from the hardware so the host tests can
 * check it (tests/host/test_timeconv.c): the CMOS clock's fields to Unix
 * time, and the TSC frequency to the mult/shift pair of struct sg_vvar.
 */
#ifndef SYSGATE_TIMECONV_H
#define SYSGATE_TIMECONV_H

#include <stdbool.h>
#include <stdint.h>

/* The CMOS clock's registers as read (MC146818 datasheet; the century is
 * not in every CMOS: sysgate assumes 20xx). */
struct rtc_regs {
    uint8_t second, minute, hour, day, month, year;
    uint8_t status_b;       /* bit 2: binary (else BCD); bit 1: 24-hour (else 12-hour, bit 7 of hour = PM) */
};

/* Days from 1970-01-01 to the given date of the proleptic Gregorian
 * calendar (negative before it). */
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);

/* Seconds since the epoch (UTC) for the registers, or false when they do
 * not hold a valid date and time. */
bool rtc_to_unix(const struct rtc_regs *r, int64_t *seconds);

/* mult and shift with ns = ticks * mult >> shift for a clock of hz ticks a
 * second: the largest shift (at most 32) that keeps mult below 2^24, so
 * that a 64-bit product holds 2^39 ticks (minutes of TSC) without
 * overflow.  hz must be at least 60 (mult then fits 2^24 at shift 0). */
void clock_mult_shift(uint64_t hz, uint32_t *mult, uint32_t *shift);

#endif
