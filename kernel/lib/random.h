/*
 * Random bytes for AT_RANDOM and getrandom(2): the CPU's random-number
 * instructions where CPUID reports them (RDSEED, RDRAND), else a generator
 * seeded at boot.
 */
#ifndef SYSGATE_RANDOM_H
#define SYSGATE_RANDOM_H

#include <stdbool.h>
#include <stddef.h>

/* Reads CPUID and seeds the fallback generator; before any other call. */
void random_init(void);
/* Fills buf.  seed: prefer RDSEED (getrandom's GRND_RANDOM); the source is
 * always the best the CPU has, the flag only picks between the two
 * instructions. */
void random_fill(void *buf, size_t n, bool seed);
/* What random_init found, for the boot log and the documentation. */
const char *random_source(void);

#endif
