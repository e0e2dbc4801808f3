/*
 * The kernel's clocks (clock.h).  The data page's fields are rewritten on
 * every timer tick under its sequence count (odd while writing, a compiler
 * barrier either side: one CPU, so program order is the order readers see);
 * between ticks, readers extrapolate with the TSC.  Moving the base every
 * tick keeps the TSC delta, and so the 64-bit product in sg_vvar_clock(),
 * small.
 */
#include "clock.h"
#include "timeconv.h"
#include "../drivers/rtc.h"
#include "../drivers/timer.h"
#include "../kip/interface_page.h"
#include "../lib/kernel.h"
#include <sysgate/vvar.h>

static struct sg_vvar *vv;

void clock_init(void)
{
    uint64_t hz = timer_calibrate_tsc();
    int64_t now = 0;
    bool rtc_ok = rtc_read_unix(&now);
    vv = kip_vvar();
    vv->seq = 0;
    clock_mult_shift(hz, &vv->mult, &vv->shift);
    vv->cpu = 0;
    vv->tsc_hz = hz;
    vv->coarse_res_nsec = SG_NSEC_PER_SEC / TIMER_HZ;
    vv->boot_realtime_sec = rtc_ok && now > 0 ? (uint64_t)now : 0;
    vv->boot_realtime_nsec = 0;
    vv->mono_sec = vv->mono_snsec = vv->coarse_sec = vv->coarse_nsec = 0;
    vv->tsc_base = sg_rdtsc_ordered();
    printk("clock: TSC %lu.%06lu MHz (measured against the PIT; mult %u, shift %u), wall clock %s %ld\n",
           hz / 1000000, hz % 1000000, vv->mult, vv->shift, rtc_ok ? "from the CMOS clock:" : "unreadable, from",
           (long)vv->boot_realtime_sec);
}

void clock_tick(void)
{
    uint64_t tsc = sg_rdtsc_ordered();
    uint64_t one_second = (uint64_t)SG_NSEC_PER_SEC << vv->shift;
    vv->seq++;
    __asm__ volatile("" ::: "memory");
    uint64_t snsec = vv->mono_snsec + (tsc - vv->tsc_base) * vv->mult, sec = vv->mono_sec;
    while (snsec >= one_second) {
        snsec -= one_second;
        sec++;
    }
    vv->mono_sec = sec;
    vv->mono_snsec = snsec;
    vv->tsc_base = tsc;
    vv->coarse_sec = sec;
    vv->coarse_nsec = snsec >> vv->shift;
    __asm__ volatile("" ::: "memory");
    vv->seq++;
}

int clock_read(uint32_t clock, uint64_t *sec, uint64_t *nsec)
{
    return sg_vvar_clock(vv, clock, sec, nsec);
}

int clock_resolution(uint32_t clock, uint64_t *nsec)
{
    return sg_vvar_resolution(vv, clock, nsec);
}

uint64_t clock_monotonic_ns(void)
{
    uint64_t sec, nsec;
    sg_vvar_clock(vv, SG_CLOCK_MONOTONIC, &sec, &nsec);
    return sec * SG_NSEC_PER_SEC + nsec;
}

uint64_t clock_realtime_offset_ns(void)
{
    return vv->boot_realtime_sec * SG_NSEC_PER_SEC + vv->boot_realtime_nsec;
}
