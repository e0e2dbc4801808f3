/*
 * vclock.c - the time functions of the interface pages, compiled once for
 * each width (-fPIC, linked into vdso64.so and vdso32.so): Linux's vDSO
 * calls (vclock_gettime.c there), answered in user space from the data
 * page the kernel keeps current (include/sysgate/vvar.h), without entering
 * the kernel.  A clock the data page does not keep goes to the kernel
 * through the page's own default entry, as a system call, and its result
 * (0 or -errno) is returned as the kernel gave it, as Linux's vDSO does.
 * Like Linux's, these functions write through the caller's pointers
 * directly: a bad pointer faults in the caller (clock_gettime(2), NOTES).
 */
#include <stdint.h>
#include <sysgate/vvar.h>

/* SYS_<name>: this width's numbers, from the one list. */
enum {
#ifdef __x86_64__
#define SYSCALL(name, nr64, nr32, nargs, path, sig) SYS_##name = nr64,
#else
#define SYSCALL(name, nr64, nr32, nargs, path, sig) SYS_##name = nr32,
#endif
#include <sysgate/syscalls.def>
#undef SYSCALL
};

/* The data page, SG_KIP_VVAR_OFFSET below the image (vdso-layout.lds.S). */
extern const volatile struct sg_vvar sg_vvar __attribute__((visibility("hidden")));

/* A system call through the default entry (kip_stubs.S, kip32_stubs.S),
 * reached through a hidden alias so the call needs no relocation.  The
 * 64-bit stubs preserve all but rax, rcx and r11; __kernel_vsyscall all
 * but eax. */
static long kernel_call2(long nr, long a, long b)
{
    long r;
#ifdef __x86_64__
    __asm__ volatile("call sg_default_entry_local" : "=a"(r) : "0"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
#else
    __asm__ volatile("call sg_default_entry_local" : "=a"(r) : "0"(nr), "b"(a), "c"(b) : "memory");
#endif
    return r;
}

/* Linux's user structures and prototypes (clockid_t is an int, time_t a
 * long): long is the width's word; i386's clock_gettime64 takes 64-bit
 * fields. */
struct vdso_timespec {
    long tv_sec, tv_nsec;
};
struct vdso_timespec64 {
    int64_t tv_sec, tv_nsec;
};
struct vdso_timeval {
    long tv_sec, tv_usec;
};
struct vdso_timezone {
    int tz_minuteswest, tz_dsttime;
};

int __vdso_clock_gettime(int clock, struct vdso_timespec *ts)
{
    uint64_t sec, nsec;
    if (sg_vvar_clock(&sg_vvar, (uint32_t)clock, &sec, &nsec))
        return (int)kernel_call2(SYS_clock_gettime, clock, (long)ts);
    ts->tv_sec = (long)sec;
    ts->tv_nsec = (long)nsec;
    return 0;
}

int __vdso_clock_getres(int clock, struct vdso_timespec *res)
{
    uint64_t nsec;
    if (sg_vvar_resolution(&sg_vvar, (uint32_t)clock, &nsec))
        return (int)kernel_call2(SYS_clock_getres, clock, (long)res);
    if (res) {
        res->tv_sec = 0;
        res->tv_nsec = (long)nsec;
    }
    return 0;
}

int __vdso_gettimeofday(struct vdso_timeval *tv, struct vdso_timezone *tz)
{
    if (tv) {
        uint64_t sec, nsec;
        sg_vvar_clock(&sg_vvar, SG_CLOCK_REALTIME, &sec, &nsec);
        tv->tv_sec = (long)sec;
        tv->tv_usec = (long)((uint32_t)nsec / 1000);    /* nsec < 10^9: a 32-bit division */
    }
    if (tz) {
        tz->tz_minuteswest = 0;     /* sysgate's clock is UTC */
        tz->tz_dsttime = 0;
    }
    return 0;
}

/* time(2): the seconds of the coarse real-time clock, as Linux's vDSO
 * answers (the same source as the kernel's time()). */
long __vdso_time(long *t)
{
    uint64_t sec, nsec;
    sg_vvar_clock(&sg_vvar, SG_CLOCK_REALTIME_COARSE, &sec, &nsec);
    if (t)
        *t = (long)sec;
    return (long)sec;
}

long __vdso_getcpu(unsigned *cpu, unsigned *node, void *unused)
{
    (void)unused;
    if (cpu)
        *cpu = sg_vvar.cpu;
    if (node)
        *node = 0;
    return 0;
}

#ifdef __x86_64__
/* The plain names Linux's x86-64 vDSO exports as aliases. */
int clock_gettime(int, struct vdso_timespec *) __attribute__((weak, alias("__vdso_clock_gettime")));
int clock_getres(int, struct vdso_timespec *) __attribute__((weak, alias("__vdso_clock_getres")));
int gettimeofday(struct vdso_timeval *, struct vdso_timezone *) __attribute__((weak, alias("__vdso_gettimeofday")));
long time(long *) __attribute__((weak, alias("__vdso_time")));
long getcpu(unsigned *, unsigned *, void *) __attribute__((weak, alias("__vdso_getcpu")));
#else
/* i386 with a 64-bit time_t (glibc 2.34 and later look this one up). */
int __vdso_clock_gettime64(int clock, struct vdso_timespec64 *ts)
{
    uint64_t sec, nsec;
    if (sg_vvar_clock(&sg_vvar, (uint32_t)clock, &sec, &nsec))
        return (int)kernel_call2(SYS_clock_gettime64, clock, (long)ts);
    ts->tv_sec = (int64_t)sec;
    ts->tv_nsec = (int64_t)nsec;
    return 0;
}
#endif
