/*
 * xorshift.h - the tests' pseudo-random numbers: Marsaglia's 64-bit
 * xorshift (13, 7, 17).  Deterministic from the caller's seed, so a failing
 * random case repeats on every boot.
 */
#ifndef SYSGATE_USER_XORSHIFT_H
#define SYSGATE_USER_XORSHIFT_H

#include <stdint.h>

static inline uint64_t xorshift64(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

#endif
