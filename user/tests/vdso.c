/*
 * vdso: the interface page is a vDSO that a C library can use, and its time
 * functions answer without entering the kernel.
 *
 * The image is found as a C library finds it - AT_SYSINFO_EHDR, the ELF
 * and program headers, the dynamic section, a hash lookup (GNU's and the
 * System V table, which must agree) with a version check - and every
 * function Linux exports for this width is called and compared with the
 * system call: the same clocks (the vDSO's value before and after the
 * kernel's must bracket it: one time source), CLOCK_MONOTONIC never going
 * back, time advancing across sleeps, and the process's count of system
 * calls (sg_info.syscalls) unchanged by any number of vDSO calls, but one
 * higher for a clock the data page does not keep, which the vDSO passes to
 * the kernel through the default door.  The data page below the image is
 * read-only and not executable (each attempt in its own child), and no
 * memory call may change, unmap or map over the data page or any page of
 * the image: a child tries every one, and the parent, which shares the
 * frames, finds its own image and clocks unchanged afterwards.
 */
#include "../lib/tap.h"
#include <sysgate/vvar.h>
#include <common/vdso_elf.h>

struct vts {
    long tv_sec, tv_nsec;
};
struct vts64 {
    int64_t tv_sec, tv_nsec;
};
struct vtv {
    long tv_sec, tv_usec;
};
struct vtz {
    int minuteswest, dsttime;
};

typedef int (*gettime_fn)(int clock, struct vts *ts);
typedef int (*gettime64_fn)(int clock, struct vts64 *ts);
typedef int (*gtod_fn)(struct vtv *tv, struct vtz *tz);
typedef long (*time_fn)(long *t);
typedef long (*getcpu_fn)(unsigned *cpu, unsigned *node, void *cache);

static struct vdso_elf elf;
static uintptr_t base;

static uint64_t syscalls_so_far(void)
{
    struct sg_info info;
    sg_info(&info);
    return info.syscalls;
}

/* The address of name@version, or 0; both hash tables must agree. */
static uintptr_t find(const char *name, const char *version)
{
    struct vdso_elf_sym gnu, sysv;
    bool g = vdso_elf_lookup(&elf, name, version, VDSO_HASH_GNU, &gnu);
    bool s = vdso_elf_lookup(&elf, name, version, VDSO_HASH_SYSV, &sysv);
    if (g != s || (g && gnu.offset != sysv.offset)) {
        tap_check(0, "%s@%s: the GNU and System V hash tables disagree", name, version);
        return 0;
    }
    return g ? base + (uintptr_t)gnu.offset : 0;
}

static const uint32_t clocks[] = { SG_CLOCK_REALTIME, SG_CLOCK_MONOTONIC, SG_CLOCK_MONOTONIC_RAW,
                                   SG_CLOCK_BOOTTIME, SG_CLOCK_REALTIME_COARSE, SG_CLOCK_MONOTONIC_COARSE };
static const char *const clock_names[] = { "REALTIME", "MONOTONIC", "MONOTONIC_RAW",
                                           "BOOTTIME", "REALTIME_COARSE", "MONOTONIC_COARSE" };
#define NCLOCKS (sizeof clocks / sizeof clocks[0])

static uint64_t ns_of(const struct vts *t)
{
    return (uint64_t)t->tv_sec * SG_NSEC_PER_SEC + (uint64_t)t->tv_nsec;
}

static uint64_t sys_clock_ns(long clock)
{
    struct vts t = { -1, -1 };
    long r = sg_syscall(SYS_clock_gettime, clock, (long)&t, 0, 0, 0, 0);
    return r ? 0 : ns_of(&t);
}

static void symbols(void)
{
    static const char *const linux_names[] = {
        "__vdso_clock_gettime", "__vdso_gettimeofday", "__vdso_time", "__vdso_getcpu", "__vdso_clock_getres",
#ifdef __x86_64__
        "clock_gettime", "gettimeofday", "time", "getcpu", "clock_getres",
#else
        "__vdso_clock_gettime64",
#endif
    };
    for (unsigned i = 0; i < sizeof linux_names / sizeof linux_names[0]; i++) {
        tap_check(find(linux_names[i], "LINUX_2.6") != 0, "%s@LINUX_2.6 is exported", linux_names[i]);
        tap_check(find(linux_names[i], "LINUX_2.4") == 0, "%s is not found under another version (LINUX_2.4)",
                  linux_names[i]);
    }
    tap_check(find("__vdso_sgx_enter_enclave", 0) == 0 && find("__vdso_clock_gettime_", 0) == 0,
              "names the page does not export are not found");
#ifdef __x86_64__
    tap_eq(find("clock_gettime", "LINUX_2.6"), find("__vdso_clock_gettime", "LINUX_2.6"),
           "clock_gettime is an alias of __vdso_clock_gettime, as in Linux");
#else
    uintptr_t vsyscall = find("__kernel_vsyscall", "LINUX_2.5");
    tap_eq(vsyscall, sg_auxv_get(SG_AT_SYSINFO), "__kernel_vsyscall@LINUX_2.5 is AT_SYSINFO");
    tap_eq(vsyscall, sg_kip_default(), "__kernel_vsyscall is the default entry the kernel patched");
    tap_check(find("__kernel_vsyscall", "LINUX_2.6") == 0, "__kernel_vsyscall is not LINUX_2.6");
#endif
    const struct sg_kip_header *h = sg_kip_header();
    tap_eq(find("__sg_kip_header", "SYSGATE_1"), base + SG_KIP_HEADER_OFFSET,
           "__sg_kip_header@SYSGATE_1 is sysgate's header at +%#x", SG_KIP_HEADER_OFFSET);
    tap_eq(find("__sg_default_entry", "SYSGATE_1"), sg_kip_default(), "__sg_default_entry is the default entry");
    uint64_t (*tsc)(void) = (uint64_t (*)(void))find("__sg_rdtsc", "SYSGATE_1");
    uint64_t t0 = tsc ? tsc() : 0, t1 = tsc ? tsc() : 0;
    tap_check(tsc && t1 > t0, "__sg_rdtsc@SYSGATE_1 reads the TSC (%llu, then %llu)", (unsigned long long)t0,
              (unsigned long long)t1);
    static const char *const stubs[SG_MECH_COUNT] = {
#define DOOR(NAME, name, nr, rank, what) [SG_MECH_##NAME] = "__sg_stub_" #name,
#include <sysgate/doors.def>
#undef DOOR
    };
    for (int m = 0; m < SG_MECH_COUNT; m++) {
        uintptr_t at = find(stubs[m], "SYSGATE_1");
        if (h->mechanisms & (1u << m))
            tap_eq(at, sg_kip_stub(m), "%s is the %s stub", stubs[m], sg_mechanism_name(m));
        else
            tap_eq(at, 0, "%s is withdrawn: %s is not offered to %d-bit code here", stubs[m],
                   sg_mechanism_name(m), SG_BITS);
    }
}

/* Every vDSO function, `rounds` times. */
static long call_everything(int rounds)
{
    gettime_fn gettime = (gettime_fn)find("__vdso_clock_gettime", "LINUX_2.6");
    gettime_fn getres = (gettime_fn)find("__vdso_clock_getres", "LINUX_2.6");
    gtod_fn gtod = (gtod_fn)find("__vdso_gettimeofday", "LINUX_2.6");
    time_fn vtime = (time_fn)find("__vdso_time", "LINUX_2.6");
    getcpu_fn getcpu = (getcpu_fn)find("__vdso_getcpu", "LINUX_2.6");
    long bad = 0;
    for (int r = 0; r < rounds; r++) {
        struct vts t;
        struct vtv tv;
        struct vtz tz;
        unsigned cpu, node;
        for (unsigned c = 0; c < NCLOCKS; c++)
            bad += gettime(clocks[c], &t) != 0 || getres(clocks[c], &t) != 0;
        bad += gtod(&tv, &tz) != 0 || vtime(0) <= 0 || getcpu(&cpu, &node, 0) != 0;
#ifndef __x86_64__
        struct vts64 t64;
        bad += ((gettime64_fn)find("__vdso_clock_gettime64", "LINUX_2.6"))(SG_CLOCK_MONOTONIC, &t64) != 0;
#endif
    }
    return bad;
}

static void clocks_agree(void)
{
    gettime_fn gettime = (gettime_fn)find("__vdso_clock_gettime", "LINUX_2.6");
    for (unsigned c = 0; c < NCLOCKS; c++) {
        struct vts a = { -1, -1 }, b = { -1, -1 };
        int ra = gettime((int)clocks[c], &a);
        uint64_t s = sys_clock_ns(clocks[c]);
        int rb = gettime((int)clocks[c], &b);
        tap_check(ra == 0 && rb == 0 && a.tv_nsec >= 0 && a.tv_nsec < (long)SG_NSEC_PER_SEC && b.tv_nsec >= 0 &&
                      b.tv_nsec < (long)SG_NSEC_PER_SEC,
                  "CLOCK_%s: the vDSO answers 0 with 0 <= tv_nsec < 10^9", clock_names[c]);
        tap_check(ns_of(&a) <= s && s <= ns_of(&b),
                  "CLOCK_%s: the kernel's value lies between two vDSO readings (%lu.%09lu <= %lu.%09lu <= "
                  "%lu.%09lu)",
                  clock_names[c], (unsigned long)a.tv_sec, (unsigned long)a.tv_nsec,
                  (unsigned long)(s / SG_NSEC_PER_SEC), (unsigned long)(s % SG_NSEC_PER_SEC),
                  (unsigned long)b.tv_sec, (unsigned long)b.tv_nsec);
    }
    struct vts rt;
    gettime(SG_CLOCK_REALTIME, &rt);
    tap_check(rt.tv_sec > 1600000000, "CLOCK_REALTIME is a date after 2020 (%ld): the CMOS clock was read",
              (long)rt.tv_sec);

#ifndef __x86_64__
    gettime64_fn gettime64 = (gettime64_fn)find("__vdso_clock_gettime64", "LINUX_2.6");
    struct vts64 a64, b64, s64 = { -1, -1 };
    gettime64(SG_CLOCK_MONOTONIC, &a64);
    long rs = sg_syscall(SYS_clock_gettime64, SG_CLOCK_MONOTONIC, (long)&s64, 0, 0, 0, 0);
    gettime64(SG_CLOCK_MONOTONIC, &b64);
#define NS64(t) ((uint64_t)(t).tv_sec * SG_NSEC_PER_SEC + (uint64_t)(t).tv_nsec)
    tap_check(rs == 0 && NS64(a64) <= NS64(s64) && NS64(s64) <= NS64(b64),
              "__vdso_clock_gettime64 brackets the kernel's clock_gettime64 (64-bit fields)");
#undef NS64
#endif

    gtod_fn gtod = (gtod_fn)find("__vdso_gettimeofday", "LINUX_2.6");
    struct vts before, after;
    struct vtv tv = { -1, -1 };
    struct vtz tz = { 99, 99 };
    gettime(SG_CLOCK_REALTIME, &before);
    int r = gtod(&tv, &tz);
    gettime(SG_CLOCK_REALTIME, &after);
    uint64_t us = (uint64_t)tv.tv_sec * 1000000 + (uint64_t)tv.tv_usec;
    tap_check(r == 0 && ns_of(&before) / 1000 <= us && us <= ns_of(&after) / 1000 && tv.tv_usec < 1000000,
              "gettimeofday lies between two CLOCK_REALTIME readings, in microseconds");
    tap_check(tz.minuteswest == 0 && tz.dsttime == 0, "gettimeofday's time zone is UTC");
    tap_eq(gtod(0, 0), 0, "gettimeofday(NULL, NULL) is 0");

    time_fn vtime = (time_fn)find("__vdso_time", "LINUX_2.6");
    long t1 = 0, t0 = vtime(&t1);
    long ts = sg_syscall(SYS_time, 0, 0, 0, 0, 0, 0);
    long t2 = vtime(0);
    tap_check(t0 == t1 && t0 <= ts && ts <= t2, "time() returns and stores the seconds, bracketing the kernel's");

    getcpu_fn getcpu = (getcpu_fn)find("__vdso_getcpu", "LINUX_2.6");
    unsigned cpu = 7, node = 7;
    tap_check(getcpu(&cpu, &node, 0) == 0 && cpu == 0 && node == 0, "getcpu: CPU 0, node 0 (sysgate runs on one)");
    tap_eq(getcpu(0, 0, 0), 0, "getcpu(NULL, NULL) is 0");

    gettime_fn getres = (gettime_fn)find("__vdso_clock_getres", "LINUX_2.6");
    for (unsigned c = 0; c < NCLOCKS; c++) {
        struct vts v = { -1, -1 }, k = { -2, -2 };
        int rv = getres((int)clocks[c], &v);
        long rk = sg_syscall(SYS_clock_getres, clocks[c], (long)&k, 0, 0, 0, 0);
        tap_check(rv == 0 && rk == 0 && v.tv_sec == k.tv_sec && v.tv_nsec == k.tv_nsec && v.tv_sec == 0 &&
                      v.tv_nsec > 0,
                  "clock_getres(CLOCK_%s): the vDSO and the kernel agree (%ld ns)", clock_names[c], v.tv_nsec);
    }
}

static void monotonic(void)
{
    gettime_fn gettime = (gettime_fn)find("__vdso_clock_gettime", "LINUX_2.6");
    struct vts t;
    gettime(SG_CLOCK_MONOTONIC, &t);
    uint64_t first = ns_of(&t), prev = first;
    int backwards = 0;
    for (int i = 0; i < 5000; i++) {
        gettime(SG_CLOCK_MONOTONIC, &t);
        backwards += ns_of(&t) < prev;
        prev = ns_of(&t);
    }
    tap_eq(backwards, 0, "CLOCK_MONOTONIC never goes back over 5000 vDSO readings");

    /* Each 1 ms sleep ends on a timer tick, where the kernel moves the
     * data page's base: 20 of them cross 20 updates. */
    backwards = 0;
    for (int i = 0; i < 20; i++) {
        sys_nanosleep_ms(1);
        gettime(SG_CLOCK_MONOTONIC, &t);
        backwards += ns_of(&t) < prev;
        prev = ns_of(&t);
    }
    tap_eq(backwards, 0, "CLOCK_MONOTONIC never goes back across 20 sleeps and the page's updates");
    tap_check(prev - first >= 20000000ull, "twenty 1 ms sleeps advanced CLOCK_MONOTONIC by at least 20 ms (%lu ns)",
              (unsigned long)(prev - first));
}

static void no_kernel_entry(void)
{
    uint64_t before = syscalls_so_far();
    long bad = call_everything(200);
    uint64_t after = syscalls_so_far();
    tap_eq(bad, 0, "every vDSO function answered 200 rounds of calls");
    tap_eq(after - before, 1, "none of those calls entered the kernel (the count grew only by the sg_info that "
                              "read it)");

    /* A clock the data page does not keep: the vDSO asks the kernel, once. */
    gettime_fn gettime = (gettime_fn)find("__vdso_clock_gettime", "LINUX_2.6");
    gettime_fn getres = (gettime_fn)find("__vdso_clock_getres", "LINUX_2.6");
    struct vts t = { -1, -1 };
    before = syscalls_so_far();
    int r = gettime(SG_CLOCK_PROCESS_CPUTIME_ID, &t);
    after = syscalls_so_far();
    tap_check(r == 0 && t.tv_sec >= 0 && t.tv_nsec >= 0 && t.tv_nsec < (long)SG_NSEC_PER_SEC,
              "CLOCK_PROCESS_CPUTIME_ID through the vDSO: answered by the kernel");
    tap_eq(after - before, 2, "... which it entered exactly once, through the default door");
    tap_eq(gettime(1000, &t), -SG_EINVAL, "an unknown clock through the vDSO is the kernel's -EINVAL");
    tap_eq(gettime(-1, &t), -SG_EINVAL, "a negative clock through the vDSO is the kernel's -EINVAL");
    tap_eq(getres(1000, &t), -SG_EINVAL, "clock_getres of an unknown clock through the vDSO is -EINVAL");
}

#define PAGE 4096
#define RW (SG_PROT_READ | SG_PROT_WRITE)
#define ANON (SG_MAP_PRIVATE | SG_MAP_ANONYMOUS)

static long map_fixed(uintptr_t at, size_t len, int flags)
{
    return sys_mmap((void *)at, len, RW, ANON | flags, -1, 0);
}

/* Every memory call over the data page and the image is refused: run in a
 * child (its own TAP lines; exit status 0 when all held). */
static int guard_child(void)
{
    tap_begin("vdso-guard");
    uintptr_t vvar = base + SG_KIP_VVAR_OFFSET, last = base + ((sg_kip_header()->image_size - 1) & ~(PAGE - 1));
    uintptr_t places[] = { vvar, base, last };
    static const char *const names[] = { "the data page", "the image's first page", "the image's last page" };
    for (unsigned i = 0; i < 3; i++) {
        uintptr_t at = places[i];
        tap_eq(sys_mprotect((void *)at, PAGE, RW), -SG_EACCES, "mprotect(PROT_WRITE) of %s is -EACCES", names[i]);
        tap_eq(sys_mprotect((void *)at, PAGE, SG_PROT_NONE), -SG_EACCES, "mprotect(PROT_NONE) of %s is -EACCES",
               names[i]);
        tap_eq(sys_munmap((void *)at, PAGE), -SG_EINVAL, "munmap of %s is -EINVAL", names[i]);
        tap_eq(map_fixed(at, PAGE, SG_MAP_FIXED), -SG_EPERM, "MAP_FIXED over %s is -EPERM", names[i]);
        tap_eq(map_fixed(at, PAGE, SG_MAP_FIXED_NOREPLACE), -SG_EEXIST, "MAP_FIXED_NOREPLACE over %s is -EEXIST",
               names[i]);
        long hint = sys_mmap((void *)at, PAGE, RW, ANON, -1, 0);
        tap_check((unsigned long)hint < (unsigned long)-4095 && (uintptr_t)hint != at,
                  "an mmap hint at %s is placed elsewhere", names[i]);
    }
    tap_eq(map_fixed(vvar - PAGE, 2 * PAGE, SG_MAP_FIXED), -SG_EPERM,
           "MAP_FIXED over the page below the data page and the data page is -EPERM");
    tap_eq(sys_munmap((void *)(vvar - PAGE), 2 * PAGE), -SG_EINVAL, "munmap from below the data page into it is -EINVAL");
    return tap_end();
}

/* Children: each touches the data page in a way that must kill it. */
static void child(const char *what)
{
    if (!strcmp(what, "guard"))
        sys_exit(guard_child());
    volatile uint32_t *vvar = (volatile uint32_t *)(base + SG_KIP_VVAR_OFFSET);
    if (!strcmp(what, "write-vvar"))
        *vvar = 1;
    if (!strcmp(what, "run-vvar"))
        ((void (*)(void))(uintptr_t)vvar)();
    if (!strcmp(what, "write-image"))
        *(volatile uint32_t *)(base + 0x10) = 1;
}

static void data_page(const char *self)
{
    const volatile struct sg_vvar *vv = (const volatile struct sg_vvar *)(base + SG_KIP_VVAR_OFFSET);
    tap_eq(sg_kip_header()->vvar_offset, (uint64_t)(int64_t)SG_KIP_VVAR_OFFSET,
           "the header records the data page's place (%d)", SG_KIP_VVAR_OFFSET);
    tap_check(vv->tsc_hz > 1000000 && vv->mult > 0 && vv->shift <= 32 && (vv->seq & 1) == 0,
              "the data page is readable: TSC %lu kHz, mult %u, shift %u", (unsigned long)(vv->tsc_hz / 1000),
              vv->mult, vv->shift);
    uint8_t image_before[PAGE];
    memcpy(image_before, (const void *)base, PAGE);
    struct vts t0, t1;
    gettime_fn gettime = (gettime_fn)find("__vdso_clock_gettime", "LINUX_2.6");
    gettime(SG_CLOCK_MONOTONIC, &t0);
    char *guard_argv[] = { (char *)self, "guard", 0 };
    long status = sg_run(self, guard_argv);
    tap_check(status >= 0 && SG_WIFEXITED(status) && SG_WEXITSTATUS(status) == 0,
              "a child's mprotect, munmap and mmap over the data page and the image are all refused (status %#lx)",
              status);
    gettime(SG_CLOCK_MONOTONIC, &t1);
    tap_check(!memcmp(image_before, (const void *)base, PAGE) && ns_of(&t1) >= ns_of(&t0) &&
                  sys_clock_ns(SG_CLOCK_MONOTONIC) >= ns_of(&t1),
              "afterwards this process's image is unchanged and its clock still runs");

    static const char *const attempts[] = { "write-vvar", "run-vvar", "write-image" };
    static const char *const what[] = { "writing the data page", "executing the data page",
                                        "writing the interface page" };
    for (unsigned i = 0; i < 3; i++) {
        char *argv[] = { (char *)self, (char *)attempts[i], 0 };
        long status = sg_run(self, argv);
        tap_check(status >= 0 && SG_WIFSIGNALED(status) && SG_WTERMSIG(status) == SG_SIGSEGV,
                  "%s kills the process with SIGSEGV (status %#lx)", what[i], status);
    }
}

int main(int argc, char **argv)
{
    base = sg_auxv_get(SG_AT_SYSINFO_EHDR);
    if (argc > 1) {
        child(argv[1]);
        return 0;
    }
    tap_begin("vdso");
    tap_check(base != 0 && base == sg_kip, "AT_SYSINFO_EHDR is given and is the interface page (SG_AT_KIP)");
    enum vdso_elf_error err = vdso_elf_open(&elf, (const void *)base, 0);
    if (!tap_check(err == VDSO_ELF_OK, "the page parses as an ELF shared object with a dynamic section (%s)",
                   vdso_elf_error_name(err)) ||
        !sg_kip_header())
        return tap_end();
    symbols();
    clocks_agree();
    monotonic();
    no_kernel_entry();
    data_page(argv[0]);
    return tap_end();
}
