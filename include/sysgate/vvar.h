/*
 * The interface pages' data page ("vvar", as Linux calls it): read-only to
 * user space, one frame mapped just below both widths' interface pages
 * (SG_KIP_VVAR_OFFSET), rewritten by the kernel at boot and on every timer
 * tick (kernel/time/clock.c).  It is the one time source of the system:
 * the kernel's clock_gettime and the interface page's __vdso_clock_gettime
 * both read it with sg_vvar_clock() below.
 *
 * Time is the TSC, calibrated at boot against the PIT, converted as Linux's
 * clocksource does: ns = (tsc - tsc_base) * mult >> shift, added to the
 * monotonic clock's value at tsc_base, kept as seconds and nanoseconds
 * scaled up by `shift` so that no fraction is lost from tick to tick.
 * CLOCK_REALTIME is CLOCK_MONOTONIC plus the wall-clock time at boot (read
 * from the CMOS clock).  The kernel writes under a sequence count: odd
 * while it writes; a reader that saw it change, or odd, reads again.
 *
 * Every field has a fixed width and 8-byte fields are 8-byte aligned by
 * hand, so 64-bit and 32-bit code see one layout.
 */
#ifndef SYSGATE_VVAR_H
#define SYSGATE_VVAR_H

#include <stdint.h>

/* Linux's clock ids (linux/time.h). */
#define SG_CLOCK_REALTIME           0
#define SG_CLOCK_MONOTONIC          1
#define SG_CLOCK_PROCESS_CPUTIME_ID 2
#define SG_CLOCK_THREAD_CPUTIME_ID  3
#define SG_CLOCK_MONOTONIC_RAW      4
#define SG_CLOCK_REALTIME_COARSE    5
#define SG_CLOCK_MONOTONIC_COARSE   6
#define SG_CLOCK_BOOTTIME           7

#define SG_NSEC_PER_SEC 1000000000u

struct sg_vvar {
    uint32_t seq;               /* odd while the kernel writes */
    uint32_t shift;
    uint32_t mult;              /* TSC ticks to ns << shift */
    uint32_t cpu;               /* what getcpu answers: sysgate runs on one CPU */
    uint64_t tsc_base;          /* the TSC when the fields below were taken */
    uint64_t mono_sec;          /* CLOCK_MONOTONIC at tsc_base ... */
    uint64_t mono_snsec;        /* ... its nanoseconds << shift */
    uint64_t coarse_sec;        /* CLOCK_MONOTONIC_COARSE: the last tick */
    uint64_t coarse_nsec;
    uint64_t boot_realtime_sec; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
    uint64_t boot_realtime_nsec;
    uint64_t tsc_hz;            /* the calibrated TSC frequency */
    uint64_t coarse_res_nsec;   /* the tick: resolution of the _COARSE clocks */
};
_Static_assert(sizeof(struct sg_vvar) == 88 && __builtin_offsetof(struct sg_vvar, tsc_base) == 16,
               "struct sg_vvar has one layout for both widths");

/* Read in user space and in the kernel alike; LFENCE keeps the read from
 * moving before the sequence count's (Intel SDM vol. 2B RDTSC). */
static inline uint64_t sg_rdtsc_ordered(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return (uint64_t)hi << 32 | lo;
}

/*
 * One clock's value into *sec and *nsec (nsec < SG_NSEC_PER_SEC).  Returns
 * 0, or -1 for a clock the page does not keep (the caller then asks the
 * kernel).  Only additions, shifts and a 64x32-bit multiplication: no
 * division, so 32-bit code needs no helper library.
 */
static inline int sg_vvar_clock(const volatile struct sg_vvar *v, uint32_t clock, uint64_t *sec, uint64_t *nsec)
{
    uint32_t seq;
    uint64_t s, ns;
    do {
        seq = v->seq;
        __asm__ volatile("" ::: "memory");
        switch (clock) {
        case SG_CLOCK_REALTIME:
        case SG_CLOCK_MONOTONIC:
        case SG_CLOCK_MONOTONIC_RAW:
        case SG_CLOCK_BOOTTIME: {
            uint64_t delta = sg_rdtsc_ordered() - v->tsc_base;
            s = v->mono_sec;
            ns = (v->mono_snsec + delta * v->mult) >> v->shift;
            break;
        }
        case SG_CLOCK_REALTIME_COARSE:
        case SG_CLOCK_MONOTONIC_COARSE:
            s = v->coarse_sec;
            ns = v->coarse_nsec;
            break;
        default:
            return -1;
        }
        if (clock == SG_CLOCK_REALTIME || clock == SG_CLOCK_REALTIME_COARSE) {
            s += v->boot_realtime_sec;
            ns += v->boot_realtime_nsec;
        }
        __asm__ volatile("" ::: "memory");
    } while ((seq & 1) || v->seq != seq);
    while (ns >= SG_NSEC_PER_SEC) {
        ns -= SG_NSEC_PER_SEC;
        s++;
    }
    *sec = s;
    *nsec = ns;
    return 0;
}

/* The resolution clock_getres reports: 1 ns for the TSC clocks, the tick
 * for the _COARSE ones; -1 for a clock the page does not keep. */
static inline int sg_vvar_resolution(const volatile struct sg_vvar *v, uint32_t clock, uint64_t *nsec)
{
    switch (clock) {
    case SG_CLOCK_REALTIME:
    case SG_CLOCK_MONOTONIC:
    case SG_CLOCK_MONOTONIC_RAW:
    case SG_CLOCK_BOOTTIME:
        *nsec = 1;
        return 0;
    case SG_CLOCK_REALTIME_COARSE:
    case SG_CLOCK_MONOTONIC_COARSE:
        *nsec = v->coarse_res_nsec;
        return 0;
    }
    return -1;
}

#endif
