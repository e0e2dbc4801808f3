/*
 * The Linux peer of /bin/bench (docs/bench.md): the whole initramfs of a
 * Debian kernel booted by tools/bench, run as /init.  It measures Linux's
 * own round trips exactly as sysgate's are measured (user/bench/measure.h,
 * the same file):
 *
 *   syscall  getpid    mov $39, %eax; syscall
 *   syscall  invalid   mov $1000, %eax; syscall       (-ENOSYS)
 *   int80    getpid    mov $20, %eax; int $0x80        (the i386 ABI)
 *   vdso     clock_gettime   __vdso_clock_gettime(CLOCK_MONOTONIC, &ts),
 *                      found through AT_SYSINFO_EHDR with sysgate's
 *                      common/vdso_elf.c (a C call: BENCH_BODY_CALL_C2)
 *
 * and the lmbench-style rows of user/bench/lmbench.h (the same file as
 * sysgate's /bin/bench), through Linux's default way in: sg_syscall of
 * user/lib/syscall.S calling a `syscall; ret` stub.  Then it runs /init32,
 * this file built for 32-bit code, which measures the lmbench-style rows of
 * a 32-bit process through the vDSO's __kernel_vsyscall (AT_SYSINFO, as
 * i386 C libraries call the kernel).  It prints BENCH lines on the console
 * (the serial port) and ends QEMU through isa-debug-exit (port 0xf4: QEMU
 * exits with (v << 1) | 1, and tools/qemu-boot subtracts its bias 0x20, so
 * 0x20 + status is written).
 *
 * Built by tools/bench.mk: gcc -static, sysgate's code-generation flags,
 * with common/vdso_elf.c, user/lib/syscall.S and user/lib/sigrestore.S.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <common/vdso_elf.h>

/* user/lib/syscall.S and user/lib/sigrestore.S, linked in (sysgate's
 * programs have these from user/lib/sysgate.h and user/lib/signals.h):
 * sg_syscall calls *sg_kip_entry with the number in eax/rax. */
long sg_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
void sg_restore_rt(void);
extern uintptr_t sg_kip_entry;

#include "../../user/bench/measure.h"
#include "../../user/bench/lmbench.h"

#ifdef __x86_64__
BENCH_LOOP(bench_loop_syscall, "    mov %r13, %rax\n    syscall");
BENCH_LOOP(bench_loop_int80, "    mov %r13, %rax\n    int $0x80");

/* Linux's 64-bit way in, as sg_syscall's target: what sysgate's syscall
 * stub is, without the interface page's jmp in front of it. */
long linux_syscall_stub(void);
__asm__(".text\n"
        "linux_syscall_stub:\n"
        "    syscall\n"
        "    ret\n");

#define NR_GETPID_64    39
#define NR_GETPID_32    20
#define NR_INVALID      1000    /* above every x86-64 number: -ENOSYS */

/* The kernel hands /init the console as 0, 1 and 2 when the initramfs (or
 * the kernel's built-in one) has /dev/console; if not, make one. */
static void console_setup(void)
{
    if (fcntl(1, F_GETFD) >= 0)
        return;
    mkdir("/dev", 0755);
    mount("devtmpfs", "/dev", "devtmpfs", 0, 0);
    int fd = open("/dev/console", O_RDWR);
    if (fd < 0)
        fd = open("/dev/ttyS0", O_RDWR);
    if (fd >= 0) {
        dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
        if (fd > 2)
            close(fd);
    }
}

static void read_line(const char *path, char *buf, size_t size)
{
    buf[0] = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0)
        n = 0;
    buf[n] = 0;
    char *nl = strchr(buf, '\n');
    if (nl)
        *nl = 0;
}

/* JSON-safe: quotes and backslashes become spaces. */
static void tidy(char *s)
{
    for (; *s; s++)
        if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20)
            *s = ' ';
}

static void cpu_brand(char *out)
{
    uint32_t r[12];
    for (uint32_t i = 0; i < 3; i++)
        __asm__ volatile("cpuid" : "=a"(r[i * 4]), "=b"(r[i * 4 + 1]), "=c"(r[i * 4 + 2]), "=d"(r[i * 4 + 3])
                         : "a"(0x80000002 + i), "c"(0));
    memcpy(out, r, 48);
    out[48] = 0;
    char *s = out;
    while (*s == ' ')
        s++;
    memmove(out, s, strlen(s) + 1);
}

static void measure(bench_loop_fn loop, const char *mech, const char *call, uint64_t nr, long expect,
                    uint64_t baseline)
{
    struct bench_call c = { .nr = nr };
    struct bench_stats st;
    long got;
    if (loop == bench_loop_syscall)
        __asm__ volatile("syscall" : "=a"(got) : "a"(nr) : "rcx", "r11", "memory");
    else
        __asm__ volatile("int $0x80" : "=a"(got) : "a"(nr) : "memory");
    bench_measure(loop, &c, baseline, BENCH_BATCHES, &st);
    if (got != expect)
        printf("# linux-bench: %s %s returned %ld, expected %ld\n", mech, call, got, expect);
    bench_report("linux", mech, mech, "registers", call, &st, got == expect);
    fflush(stdout);
}

/* Linux's own vDSO clock_gettime(CLOCK_MONOTONIC).  Under a clocksource
 * the vDSO cannot read (not the TSC), it makes the system call itself. */
static void measure_vdso(uint64_t baseline)
{
    static struct timespec ts;
    struct vdso_elf elf;
    struct vdso_elf_sym sym;
    uintptr_t base = (uintptr_t)getauxval(AT_SYSINFO_EHDR);
    if (!base || vdso_elf_open(&elf, (const void *)base, 0) != VDSO_ELF_OK ||
        !vdso_elf_lookup(&elf, "__vdso_clock_gettime", "LINUX_2.6", VDSO_HASH_ANY, &sym)) {
        printf("# linux-bench: no vDSO clock_gettime\n");
        return;
    }
    struct bench_call c = { .stub = base + sym.offset, .a = { CLOCK_MONOTONIC, (uintptr_t)&ts } };
    struct bench_stats st;
    int got = ((int (*)(clockid_t, struct timespec *))(uintptr_t)c.stub)(CLOCK_MONOTONIC, &ts);
    bench_measure(bench_loop_call_c2, &c, baseline, BENCH_BATCHES, &st);
    bench_report("linux", "vdso", "none", "none", "clock_gettime", &st, got == 0);
    fflush(stdout);
}

static __attribute__((noreturn)) void machine_exit(int status)
{
    fflush(stdout);
    if (ioperm(0xf4, 4, 1) == 0)
        outb(0x20 + status, 0xf4);
    reboot(RB_POWER_OFF);
    for (;;)
        pause();
}

/* /init32: the lmbench-style rows of a 32-bit process, then back to /init. */
static void run_init32(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl("/init32", "/init32", (char *)0);
        printf("# linux-bench: no /init32: 32-bit processes not measured\n");
        _exit(127);
    }
    int status = -1;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        printf("# linux-bench: /init32 failed (status %#x)\n", status);
}

int main(void)
{
    console_setup();
    setvbuf(stdout, 0, _IOLBF, 0);
    mkdir("/proc", 0555);
    mount("proc", "/proc", "proc", 0, 0);
    mkdir("/sys", 0555);
    mount("sysfs", "/sys", "sysfs", 0, 0);

    struct utsname u;
    uname(&u);
    char brand[49], cmdline[512], meltdown[256], spectre_v2[256], clocksource[64];
    cpu_brand(brand);
    read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource", clocksource, sizeof clocksource);
    read_line("/proc/cmdline", cmdline, sizeof cmdline);
    read_line("/sys/devices/system/cpu/vulnerabilities/meltdown", meltdown, sizeof meltdown);
    read_line("/sys/devices/system/cpu/vulnerabilities/spectre_v2", spectre_v2, sizeof spectre_v2);
    tidy(brand), tidy(cmdline), tidy(meltdown), tidy(spectre_v2), tidy(clocksource);
    printf("BENCH-INFO {\"system\":\"linux\",\"kernel\":\"Linux %s %s\",\"brand\":\"%s\",\"cmdline\":\"%s\","
           "\"meltdown\":\"%s\",\"spectre_v2\":\"%s\",\"clocksource\":\"%s\",\"calls_per_sample\":%u,"
           "\"samples\":%u}\n",
           u.release, u.version, brand, cmdline, meltdown, spectre_v2, clocksource, (unsigned)BENCH_CALLS,
           (unsigned)BENCH_BATCHES);

    uint64_t baseline = bench_baseline(BENCH_BATCHES);
    printf("# linux-bench: empty loop: %llu per batch of %u\n", (unsigned long long)baseline, (unsigned)BENCH_CALLS);
    long pid = getpid();
    measure(bench_loop_syscall, "syscall", "getpid", NR_GETPID_64, pid, baseline);
    measure(bench_loop_syscall, "syscall", "invalid", NR_INVALID, -38, baseline);
    measure(bench_loop_int80, "int80", "getpid", NR_GETPID_32, pid, baseline);
    measure_vdso(baseline);
    printf("# linux-bench: 64-bit: lmbench-style rows through syscall\n");
    sg_kip_entry = (uintptr_t)linux_syscall_stub;
    lmbench_run("linux", "syscall");
    fflush(stdout);
    run_init32();
    printf("# linux-bench: done\n");
    machine_exit(0);
}
#else
/* /init32, run by /init: the lmbench-style rows through __kernel_vsyscall
 * (sysenter on Intel, syscall on AMD: Linux's arch/x86/entry/vdso/vdso32/system_call.S). */
int main(void)
{
    setvbuf(stdout, 0, _IOLBF, 0);
    sg_kip_entry = (uintptr_t)getauxval(AT_SYSINFO);
    if (!sg_kip_entry) {
        printf("# linux-bench: 32-bit: no AT_SYSINFO\n");
        return 1;
    }
    printf("# linux-bench: 32-bit: lmbench-style rows through __kernel_vsyscall\n");
    lmbench_run("linux", "vsyscall");
    return 0;
}
#endif
