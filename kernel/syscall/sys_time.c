/*
 * Time calls, with Linux's numbers and semantics (clock_gettime(2),
 * clock_getres(2), gettimeofday(2), time(2), nanosleep(2),
 * clock_nanosleep(2)), for both widths: a 64-bit process's timespec has two
 * 64-bit fields; an i386 process's the old two 32-bit fields, and the
 * *_time64 calls (i386 only) take 64-bit fields, of which the kernel
 * ignores the upper half of tv_nsec as Linux does for 32-bit callers.
 * Every clock is read from the data page the interface pages' time
 * functions read (kernel/time/clock.c): one time source.
 *
 * The clocks: REALTIME, MONOTONIC, MONOTONIC_RAW, BOOTTIME (sysgate never
 * suspends, so it is MONOTONIC), REALTIME_COARSE, MONOTONIC_COARSE, and
 * PROCESS_CPUTIME_ID / THREAD_CPUTIME_ID (one thread a process), counted in
 * timer ticks the process was running at.  Any other is -EINVAL.
 */
#include "syscall.h"
#include "uaccess.h"
#include "../drivers/timer.h"
#include "../proc/proc.h"
#include "../time/clock.h"
#include <sysgate/abi.h>
#include <sysgate/vvar.h>

#define TIMER_ABSTIME 1

struct timespec_wide {
    int64_t tv_sec;
    int64_t tv_nsec;
};

struct timespec_old32 {
    int32_t tv_sec;
    int32_t tv_nsec;
};

/* The layout of the caller's struct timespec for this call. */
enum ts_layout { TS_NATIVE, TS_TIME64 };

static bool wide(enum ts_layout layout)
{
    return layout == TS_TIME64 || current_proc()->bits == 64;
}

static int read_timespec(uint64_t ptr, enum ts_layout layout, struct timespec_wide *ts)
{
    if (wide(layout)) {
        if (copy_from_user(ts, ptr, sizeof *ts))
            return -SG_EFAULT;
        if (current_proc()->bits == 32)
            ts->tv_nsec = (int64_t)(uint32_t)ts->tv_nsec;
        return 0;
    }
    struct timespec_old32 t;
    if (copy_from_user(&t, ptr, sizeof t))
        return -SG_EFAULT;
    ts->tv_sec = t.tv_sec;
    ts->tv_nsec = t.tv_nsec;
    return 0;
}

static int write_timespec(uint64_t ptr, enum ts_layout layout, uint64_t sec, uint64_t nsec)
{
    if (wide(layout)) {
        struct timespec_wide ts = { (int64_t)sec, (int64_t)nsec };
        return copy_to_user(ptr, &ts, sizeof ts) ? -SG_EFAULT : 0;
    }
    struct timespec_old32 t = { (int32_t)sec, (int32_t)nsec };
    return copy_to_user(ptr, &t, sizeof t) ? -SG_EFAULT : 0;
}

/* A clock's value; -EINVAL for a clock sysgate does not keep. */
static int read_clock(int32_t clock, uint64_t *sec, uint64_t *nsec)
{
    if (clock == SG_CLOCK_PROCESS_CPUTIME_ID || clock == SG_CLOCK_THREAD_CPUTIME_ID) {
        uint64_t ns = current_proc()->cpu_ticks * (SG_NSEC_PER_SEC / TIMER_HZ);
        *sec = ns / SG_NSEC_PER_SEC;
        *nsec = ns % SG_NSEC_PER_SEC;
        return 0;
    }
    if (clock < 0 || clock_read((uint32_t)clock, sec, nsec))
        return -SG_EINVAL;
    return 0;
}

static long clock_gettime_layout(uint64_t clock, uint64_t ts_ptr, enum ts_layout layout)
{
    uint64_t sec, nsec;
    int r = read_clock((int32_t)clock, &sec, &nsec);
    return r ? r : write_timespec(ts_ptr, layout, sec, nsec);
}

long sys_clock_gettime(uint64_t clock, uint64_t ts_ptr)
{
    return clock_gettime_layout(clock, ts_ptr, TS_NATIVE);
}

long sys_clock_gettime64(uint64_t clock, uint64_t ts_ptr)
{
    return clock_gettime_layout(clock, ts_ptr, TS_TIME64);
}

/* res may be NULL (clock_getres(2)). */
static long clock_getres_layout(uint64_t clock, uint64_t res_ptr, enum ts_layout layout)
{
    int32_t id = (int32_t)clock;
    uint64_t nsec;
    if (id == SG_CLOCK_PROCESS_CPUTIME_ID || id == SG_CLOCK_THREAD_CPUTIME_ID)
        nsec = SG_NSEC_PER_SEC / TIMER_HZ;
    else if (id < 0 || clock_resolution((uint32_t)id, &nsec))
        return -SG_EINVAL;
    return res_ptr ? write_timespec(res_ptr, layout, 0, nsec) : 0;
}

long sys_clock_getres(uint64_t clock, uint64_t res_ptr)
{
    return clock_getres_layout(clock, res_ptr, TS_NATIVE);
}

long sys_clock_getres_time64(uint64_t clock, uint64_t res_ptr)
{
    return clock_getres_layout(clock, res_ptr, TS_TIME64);
}

/* tv and tz may each be NULL; the time zone is always UTC. */
long sys_gettimeofday(uint64_t tv_ptr, uint64_t tz_ptr)
{
    uint64_t sec, nsec;
    clock_read(SG_CLOCK_REALTIME, &sec, &nsec);
    if (tv_ptr) {
        int r;
        if (current_proc()->bits == 64) {
            int64_t tv[2] = { (int64_t)sec, (int64_t)(nsec / 1000) };
            r = copy_to_user(tv_ptr, tv, sizeof tv);
        } else {
            int32_t tv[2] = { (int32_t)sec, (int32_t)(nsec / 1000) };
            r = copy_to_user(tv_ptr, tv, sizeof tv);
        }
        if (r)
            return -SG_EFAULT;
    }
    int32_t tz[2] = { 0, 0 };     /* tz_minuteswest, tz_dsttime */
    if (tz_ptr && copy_to_user(tz_ptr, tz, sizeof tz))
        return -SG_EFAULT;
    return 0;
}

/* The coarse real-time seconds, as Linux's time() and __vdso_time answer. */
long sys_time(uint64_t tloc)
{
    uint64_t sec, nsec;
    clock_read(SG_CLOCK_REALTIME_COARSE, &sec, &nsec);
    if (tloc) {
        int r;
        if (current_proc()->bits == 64) {
            int64_t t = (int64_t)sec;
            r = copy_to_user(tloc, &t, sizeof t);
        } else {
            int32_t t = (int32_t)sec;
            r = copy_to_user(tloc, &t, sizeof t);
        }
        if (r)
            return -SG_EFAULT;
    }
    return (long)sec;
}

/* Sleeps until CLOCK_MONOTONIC reaches `deadline` (ns).  The scheduler
 * wakes sleepers on the timer tick at or after it, so a sleep lasts at
 * least what was asked, as nanosleep(2) promises.  A signal ends it early
 * with -EINTR and, where rem_ptr is given (a relative sleep), the time
 * left: only a handled signal wakes a sleeper, and after a handler these
 * calls are never restarted, SA_RESTART or not (signal(7)). */
static long sleep_until(uint64_t deadline, uint64_t rem_ptr, enum ts_layout layout)
{
    struct proc *p = current_proc();
    /* A stop signal stops the sleeper here, and the sleep goes on after
     * SIGCONT (signal_stop_in_call). */
    while (clock_monotonic_ns() < deadline && (!signal_pending(p) || signal_stop_in_call(p)))
        sched_sleep_until(deadline);
    uint64_t now = clock_monotonic_ns();
    if (now >= deadline || !signal_pending(p))
        return 0;
    if (rem_ptr) {
        uint64_t left = deadline - now;
        if (write_timespec(rem_ptr, layout, left / SG_NSEC_PER_SEC, left % SG_NSEC_PER_SEC))
            return -SG_EFAULT;
    }
    return -SG_EINTR;
}

/* A relative or absolute request on `clock` as a CLOCK_MONOTONIC deadline
 * in ns.  Past 10^10 seconds (the year 2286; 64-bit nanoseconds end in
 * 2554) is as good as forever. */
static uint64_t deadline_of(const struct timespec_wide *req, int32_t clock, bool absolute)
{
    const uint64_t forever = UINT64_MAX;
    if (req->tv_sec > 10000000000ll)
        return forever;
    uint64_t ns = (uint64_t)req->tv_sec * SG_NSEC_PER_SEC + (uint64_t)req->tv_nsec;
    if (!absolute) {
        uint64_t now = clock_monotonic_ns();
        return ns > forever - now ? forever : now + ns;
    }
    if (clock == SG_CLOCK_REALTIME) {
        uint64_t offset = clock_realtime_offset_ns();
        return ns > offset ? ns - offset : 0;
    }
    return ns;
}

static bool valid_request(const struct timespec_wide *req)
{
    return req->tv_sec >= 0 && req->tv_nsec >= 0 && req->tv_nsec < SG_NSEC_PER_SEC;
}

long timeout_deadline(uint64_t ptr, bool time64, int32_t clock, bool absolute, uint64_t *deadline)
{
    struct timespec_wide req;
    if (read_timespec(ptr, time64 ? TS_TIME64 : TS_NATIVE, &req))
        return -SG_EFAULT;
    if (!valid_request(&req))
        return -SG_EINVAL;
    *deadline = deadline_of(&req, clock, absolute);
    return 0;
}

/* rem is written only when a signal interrupts the sleep (nanosleep(2)). */
long sys_nanosleep(uint64_t req_ptr, uint64_t rem_ptr)
{
    struct timespec_wide req;
    if (read_timespec(req_ptr, TS_NATIVE, &req))
        return -SG_EFAULT;
    if (!valid_request(&req))
        return -SG_EINVAL;
    return sleep_until(deadline_of(&req, SG_CLOCK_MONOTONIC, false), rem_ptr, TS_NATIVE);
}

static long clock_nanosleep_layout(uint64_t clock, uint64_t flags, uint64_t req_ptr, uint64_t rem_ptr,
                                   enum ts_layout layout)
{
    /* Linux sleeps on the clocks with a timer behind them; the raw and
     * coarse ones have none (-EOPNOTSUPP); sysgate has no CPU-time timer. */
    int32_t id = (int32_t)clock;
    if (id == SG_CLOCK_MONOTONIC_RAW || id == SG_CLOCK_REALTIME_COARSE || id == SG_CLOCK_MONOTONIC_COARSE)
        return -SG_EOPNOTSUPP;
    if (id != SG_CLOCK_REALTIME && id != SG_CLOCK_MONOTONIC && id != SG_CLOCK_BOOTTIME)
        return -SG_EINVAL;
    if ((uint32_t)flags & ~(uint32_t)TIMER_ABSTIME)
        return -SG_EINVAL;
    struct timespec_wide req;
    if (read_timespec(req_ptr, layout, &req))
        return -SG_EFAULT;
    if (!valid_request(&req))
        return -SG_EINVAL;
    /* An absolute sleep leaves rem alone (clock_nanosleep(2)). */
    return sleep_until(deadline_of(&req, id, flags & TIMER_ABSTIME), flags & TIMER_ABSTIME ? 0 : rem_ptr, layout);
}

long sys_clock_nanosleep(uint64_t clock, uint64_t flags, uint64_t req_ptr, uint64_t rem_ptr)
{
    return clock_nanosleep_layout(clock, flags, req_ptr, rem_ptr, TS_NATIVE);
}

long sys_clock_nanosleep_time64(uint64_t clock, uint64_t flags, uint64_t req_ptr, uint64_t rem_ptr)
{
    return clock_nanosleep_layout(clock, flags, req_ptr, rem_ptr, TS_TIME64);
}
