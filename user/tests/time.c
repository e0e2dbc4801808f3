/*
 * time: the kernel's time calls with Linux's semantics, for this width
 * (clock_gettime(2), clock_getres(2), gettimeofday(2), time(2),
 * nanosleep(2), clock_nanosleep(2); for i386 also the *_time64 forms, whose
 * timespec has 64-bit fields).  Each call through the default door: valid
 * clocks answer, unknown ones are -EINVAL, bad pointers -EFAULT (never a
 * crash), a sleep lasts at least what was asked, relative or until an
 * absolute CLOCK_MONOTONIC or CLOCK_REALTIME deadline.
 */
#include "../lib/tap.h"
#include <sysgate/vvar.h>

#define TIMER_ABSTIME 1
#define KERNEL_TEXT ((long)0xffffffff80100000ull)

/* This width's struct timespec; i386's *_time64 calls take struct ts64. */
struct ts {
    long tv_sec, tv_nsec;
};
struct ts64 {
    int64_t tv_sec, tv_nsec;
};

static void read_only_target(void) {}

static long call(long nr, long a, long b, long c, long d)
{
    return sg_syscall(nr, a, b, c, d, 0, 0);
}

static uint64_t mono_ns(void)
{
    struct ts t = { 0, 0 };
    call(SYS_clock_gettime, SG_CLOCK_MONOTONIC, (long)&t, 0, 0);
    return (uint64_t)t.tv_sec * SG_NSEC_PER_SEC + (uint64_t)t.tv_nsec;
}

static void reading(void)
{
    static const long clocks[] = { SG_CLOCK_REALTIME, SG_CLOCK_MONOTONIC, SG_CLOCK_PROCESS_CPUTIME_ID,
                                   SG_CLOCK_THREAD_CPUTIME_ID, SG_CLOCK_MONOTONIC_RAW, SG_CLOCK_REALTIME_COARSE,
                                   SG_CLOCK_MONOTONIC_COARSE, SG_CLOCK_BOOTTIME };
    for (unsigned i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
        struct ts t = { -1, -1 }, res = { -1, -1 };
        long r = call(SYS_clock_gettime, clocks[i], (long)&t, 0, 0);
        tap_check(r == 0 && t.tv_sec >= 0 && t.tv_nsec >= 0 && t.tv_nsec < (long)SG_NSEC_PER_SEC,
                  "clock_gettime(clock %ld) is 0 with a normalised time", clocks[i]);
        r = call(SYS_clock_getres, clocks[i], (long)&res, 0, 0);
        tap_check(r == 0 && res.tv_sec == 0 && res.tv_nsec > 0, "clock_getres(clock %ld) is 0 with %ld ns",
                  clocks[i], res.tv_nsec);
    }
    struct ts t;
    tap_eq(call(SYS_clock_getres, SG_CLOCK_MONOTONIC, 0, 0, 0), 0, "clock_getres with a NULL result is 0");
    tap_eq(call(SYS_clock_gettime, 8, (long)&t, 0, 0), -SG_EINVAL, "clock_gettime of clock 8 (no such) is -EINVAL");
    tap_eq(call(SYS_clock_gettime, -1, (long)&t, 0, 0), -SG_EINVAL, "clock_gettime of clock -1 is -EINVAL");
    tap_eq(call(SYS_clock_getres, 1000, (long)&t, 0, 0), -SG_EINVAL, "clock_getres of clock 1000 is -EINVAL");
    tap_eq(call(SYS_clock_gettime, SG_CLOCK_MONOTONIC, 0, 0, 0), -SG_EFAULT, "clock_gettime into NULL is -EFAULT");
    tap_eq(call(SYS_clock_gettime, SG_CLOCK_MONOTONIC, KERNEL_TEXT, 0, 0), -SG_EFAULT,
           "clock_gettime into the kernel is -EFAULT");
    tap_eq(call(SYS_clock_gettime, SG_CLOCK_REALTIME, (long)read_only_target, 0, 0), -SG_EFAULT,
           "clock_gettime into the program's text is -EFAULT");
    tap_eq(call(SYS_clock_gettime, SG_CLOCK_REALTIME, (long)sg_kip, 0, 0), -SG_EFAULT,
           "clock_gettime into the interface page is -EFAULT");
    tap_eq(call(SYS_clock_getres, SG_CLOCK_REALTIME, KERNEL_TEXT, 0, 0), -SG_EFAULT,
           "clock_getres into the kernel is -EFAULT");

    long tv[2] = { -1, -1 };
    int tz[2] = { 9, 9 };
    struct ts before, after;
    call(SYS_clock_gettime, SG_CLOCK_REALTIME, (long)&before, 0, 0);
    long r = call(SYS_gettimeofday, (long)tv, (long)tz, 0, 0);
    call(SYS_clock_gettime, SG_CLOCK_REALTIME, (long)&after, 0, 0);
    tap_check(r == 0 && tv[0] >= before.tv_sec && tv[0] <= after.tv_sec && tv[1] >= 0 && tv[1] < 1000000,
              "gettimeofday lies between two CLOCK_REALTIME readings (%ld.%06ld)", tv[0], tv[1]);
    tap_check(tz[0] == 0 && tz[1] == 0, "gettimeofday's time zone is UTC");
    tap_eq(call(SYS_gettimeofday, 0, 0, 0, 0), 0, "gettimeofday(NULL, NULL) is 0");
    tap_eq(call(SYS_gettimeofday, KERNEL_TEXT, 0, 0, 0), -SG_EFAULT, "gettimeofday into the kernel is -EFAULT");
    tap_eq(call(SYS_gettimeofday, 0, KERNEL_TEXT, 0, 0), -SG_EFAULT,
           "gettimeofday's time zone into the kernel is -EFAULT");

    long stored = 0, t1 = call(SYS_time, (long)&stored, 0, 0, 0), t2 = call(SYS_time, 0, 0, 0, 0);
    tap_check(t1 > 1600000000 && stored == t1 && t2 >= t1, "time() returns and stores the seconds since 1970");
    tap_eq(call(SYS_time, KERNEL_TEXT, 0, 0, 0), -SG_EFAULT, "time into the kernel is -EFAULT");

#ifndef __x86_64__
    struct ts64 w = { -1, -1 }, wres = { -1, -1 };
    uint64_t a = mono_ns();
    long rw = call(SYS_clock_gettime64, SG_CLOCK_MONOTONIC, (long)&w, 0, 0);
    uint64_t b = mono_ns();
    uint64_t wns = (uint64_t)w.tv_sec * SG_NSEC_PER_SEC + (uint64_t)w.tv_nsec;
    tap_check(rw == 0 && a <= wns && wns <= b, "clock_gettime64 fills 64-bit fields, between two clock_gettime");
    tap_check(call(SYS_clock_getres_time64, SG_CLOCK_REALTIME, (long)&wres, 0, 0) == 0 && wres.tv_sec == 0 &&
                  wres.tv_nsec == 1,
              "clock_getres_time64 fills 64-bit fields (1 ns)");
    tap_eq(call(SYS_clock_gettime64, 99, (long)&w, 0, 0), -SG_EINVAL, "clock_gettime64 of clock 99 is -EINVAL");
    tap_eq(call(SYS_clock_gettime64, SG_CLOCK_REALTIME, KERNEL_TEXT, 0, 0), -SG_EFAULT,
           "clock_gettime64 into the kernel is -EFAULT");
#endif
}

static void sleeping(void)
{
    struct ts ten_ms = { 0, 10000000 };
    uint64_t t0 = mono_ns();
    tap_eq(call(SYS_clock_nanosleep, SG_CLOCK_MONOTONIC, 0, (long)&ten_ms, 0), 0,
           "clock_nanosleep(MONOTONIC, relative 10 ms) is 0");
    uint64_t t1 = mono_ns();
    tap_check(t1 - t0 >= 10000000, "... and lasted at least 10 ms (%lu ns)", (unsigned long)(t1 - t0));

    uint64_t deadline = mono_ns() + 15000000;
    struct ts abs = { (long)(deadline / SG_NSEC_PER_SEC), (long)(deadline % SG_NSEC_PER_SEC) };
    tap_eq(call(SYS_clock_nanosleep, SG_CLOCK_MONOTONIC, TIMER_ABSTIME, (long)&abs, 0), 0,
           "clock_nanosleep(MONOTONIC, TIMER_ABSTIME now + 15 ms) is 0");
    tap_check(mono_ns() >= deadline, "... and returned at or after the deadline");

    struct ts now;
    call(SYS_clock_gettime, SG_CLOCK_REALTIME, (long)&now, 0, 0);
    struct ts rt = { now.tv_sec, now.tv_nsec + 20000000 };
    if (rt.tv_nsec >= (long)SG_NSEC_PER_SEC)
        rt.tv_sec++, rt.tv_nsec -= SG_NSEC_PER_SEC;
    tap_eq(call(SYS_clock_nanosleep, SG_CLOCK_REALTIME, TIMER_ABSTIME, (long)&rt, 0), 0,
           "clock_nanosleep(REALTIME, TIMER_ABSTIME now + 20 ms) is 0");
    call(SYS_clock_gettime, SG_CLOCK_REALTIME, (long)&now, 0, 0);
    tap_check(now.tv_sec > rt.tv_sec || (now.tv_sec == rt.tv_sec && now.tv_nsec >= rt.tv_nsec),
              "... and returned at or after the real-time deadline");

    struct ts past = { 0, 1000 };
    tap_eq(call(SYS_clock_nanosleep, SG_CLOCK_BOOTTIME, TIMER_ABSTIME, (long)&past, 0), 0,
           "clock_nanosleep(BOOTTIME, TIMER_ABSTIME 1 us after boot, long past) is 0");

    struct ts bad_nsec = { 0, SG_NSEC_PER_SEC }, negative = { -1, 0 };
    tap_eq(call(SYS_clock_nanosleep, SG_CLOCK_MONOTONIC, 0, (long)&bad_nsec, 0), -SG_EINVAL,
           "clock_nanosleep with tv_nsec = 10^9 is -EINVAL");
    tap_eq(call(SYS_clock_nanosleep, SG_CLOCK_MONOTONIC, 0, (long)&negative, 0), -SG_EINVAL,
           "clock_nanosleep with a negative time is -EINVAL");
    tap_eq(call(SYS_clock_nanosleep, SG_CLOCK_MONOTONIC, 2, (long)&ten_ms, 0), -SG_EINVAL,
           "clock_nanosleep with an unknown flag is -EINVAL");
    tap_eq(call(SYS_clock_nanosleep, 42, 0, (long)&ten_ms, 0), -SG_EINVAL, "clock_nanosleep on clock 42 is -EINVAL");
    tap_eq(call(SYS_clock_nanosleep, SG_CLOCK_THREAD_CPUTIME_ID, 0, (long)&ten_ms, 0), -SG_EINVAL,
           "clock_nanosleep on CLOCK_THREAD_CPUTIME_ID is -EINVAL");
    tap_eq(call(SYS_clock_nanosleep, SG_CLOCK_MONOTONIC_COARSE, 0, (long)&ten_ms, 0), -SG_EOPNOTSUPP,
           "clock_nanosleep on CLOCK_MONOTONIC_COARSE (no timer behind it) is -EOPNOTSUPP");
    tap_eq(call(SYS_clock_nanosleep, SG_CLOCK_MONOTONIC, 0, 0, 0), -SG_EFAULT,
           "clock_nanosleep with a NULL request is -EFAULT");
    tap_eq(call(SYS_clock_nanosleep, SG_CLOCK_MONOTONIC, 0, KERNEL_TEXT, 0), -SG_EFAULT,
           "clock_nanosleep with a request in the kernel is -EFAULT");
    tap_eq(call(SYS_nanosleep, KERNEL_TEXT, 0, 0, 0), -SG_EFAULT, "nanosleep with a request in the kernel is -EFAULT");

    t0 = mono_ns();
    tap_eq(sys_nanosleep_ms(10), 0, "nanosleep(10 ms) is 0");
    tap_check(mono_ns() - t0 >= 10000000, "... and lasted at least 10 ms on CLOCK_MONOTONIC");

#ifndef __x86_64__
    struct ts64 w = { 0, 10000000 }, wbad = { 0, SG_NSEC_PER_SEC };
    t0 = mono_ns();
    tap_eq(call(SYS_clock_nanosleep_time64, SG_CLOCK_MONOTONIC, 0, (long)&w, 0), 0,
           "clock_nanosleep_time64(relative 10 ms, 64-bit fields) is 0");
    tap_check(mono_ns() - t0 >= 10000000, "... and lasted at least 10 ms");
    /* Linux ignores the upper half of a 32-bit caller's tv_nsec. */
    struct ts64 padded = { 0, (int64_t)0x7fffffff00000000ull | 1000 };
    tap_eq(call(SYS_clock_nanosleep_time64, SG_CLOCK_MONOTONIC, 0, (long)&padded, 0), 0,
           "clock_nanosleep_time64 ignores the padding above a 32-bit tv_nsec, as Linux does");
    tap_eq(call(SYS_clock_nanosleep_time64, SG_CLOCK_MONOTONIC, 0, (long)&wbad, 0), -SG_EINVAL,
           "clock_nanosleep_time64 with tv_nsec = 10^9 is -EINVAL");
#endif
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    tap_begin("time");
    reading();
    sleeping();
    return tap_end();
}
