/*
 * sched: the timer preempts user code.  Children that spin forever
 * without a system call must not starve their parent; FPU/SSE registers
 * survive preemption (each process has its own FXSAVE area); children
 * that sleep run concurrently and are all collected.
 */
#include "../lib/tap.h"

static const char *self;

static void spin_forever(void)
{
    for (;;)
        __asm__ volatile("" ::: "memory");
}

/* Holds a distinct pattern in xmm0 while being preempted over and over;
 * exits 0 if it never changed.  Each round sets xmm0, spins in assembly
 * (no calls: the ABI lets any function clobber xmm0) and compares; between
 * rounds sg_info tells the time. */
static int sse_keeper(uint64_t pattern)
{
    struct sg_info info;
    sg_info(&info);
    uint64_t until = info.ticks + 15;
    do {
        uint64_t now;
        __asm__ volatile("movq %1, %%xmm0\n"
                         "mov $200000, %%ecx\n"
                         "1: dec %%ecx\n jnz 1b\n"
                         "movq %%xmm0, %0"
                         : "=m"(now) : "m"(pattern) : "xmm0", "ecx", "memory");
        if (now != pattern)
            return 1;
        sg_info(&info);
    } while (info.ticks < until);
    return 0;
}

static long spawn_role(const char *role)
{
    char *argv[] = { (char *)self, (char *)role, 0 };
    return sg_spawn(self, argv);
}

int main(int argc, char **argv)
{
    self = argv[0];
    if (argc > 1) {
        if (!strcmp(argv[1], "spin"))
            spin_forever();
        if (!strcmp(argv[1], "sse1"))
            return sse_keeper(0x1111222233334444ull);
        if (!strcmp(argv[1], "sse2"))
            return sse_keeper(0x5555666677778888ull);
        if (!strcmp(argv[1], "nap")) {
            for (int i = 0; i < 5; i++)
                sys_nanosleep_ms(10);
            return 3;
        }
        return 100;
    }

    tap_begin("sched");
    long spinners[3];
    for (int i = 0; i < 3; i++)
        spinners[i] = spawn_role("spin");
    tap_check(spinners[0] > 0 && spinners[1] > 0 && spinners[2] > 0, "three spinning children started");
    int woke = 0;
    for (int i = 0; i < 3; i++)
        woke += sys_nanosleep_ms(20) == 0;
    tap_eq(woke, 3, "the parent keeps running while three children spin without system calls");
    for (int i = 0; i < 3; i++) {
        int status = 0;
        sys_kill((int)spinners[i], 9);
        tap_eq(sys_wait4((int)spinners[i], &status, 0), spinners[i], "spinner %d is killed and collected", i);
    }

    long a = spawn_role("sse1"), b = spawn_role("sse2");
    int sa = -1, sb = -1;
    sys_wait4((int)a, &sa, 0);
    sys_wait4((int)b, &sb, 0);
    tap_check(SG_WIFEXITED(sa) && SG_WEXITSTATUS(sa) == 0, "xmm0 survives preemption in the first process (%#x)", sa);
    tap_check(SG_WIFEXITED(sb) && SG_WEXITSTATUS(sb) == 0, "xmm0 survives preemption in the second process (%#x)", sb);

    long nappers[4];
    for (int i = 0; i < 4; i++)
        nappers[i] = spawn_role("nap");
    int collected = 0;
    for (int i = 0; i < 4; i++) {
        int status = 0;
        long r = sys_wait4(-1, &status, 0);
        collected += r > 0 && SG_WIFEXITED(status) && SG_WEXITSTATUS(status) == 3;
    }
    tap_eq(collected, 4, "four sleeping children all finish and are collected by wait4(-1)");
    tap_check(nappers[3] > 0, "the process table had room for them");
    int status;
    tap_eq(sys_wait4(-1, &status, 0), -SG_ECHILD, "no children are left");
    return tap_end();
}
