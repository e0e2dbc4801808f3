/*
 * Which door a C library's system calls take, and which never enter the
 * kernel: between two marker writes, ten getppid calls (always a system
 * call) and a hundred clock_gettime(CLOCK_MONOTONIC) (answered by the vDSO
 * where the C library finds one).  tests/run-clients boots with `strace`
 * and counts the trace's lines between the markers: the i386 glibc build
 * must come through __kernel_vsyscall on the vendor's fast door, the
 * x86-64 builds must show no clock_gettime at all.
 */
#include <time.h>
#include <unistd.h>

int main(void)
{
    static const char begin[] = "doors: begin\n", end[] = "doors: end\n";
    struct timespec last = { 0, 0 }, now;
    int backwards = 0;

    write(1, begin, sizeof begin - 1);
    for (int i = 0; i < 10; i++)
        getppid();
    for (int i = 0; i < 100; i++) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec < last.tv_sec || (now.tv_sec == last.tv_sec && now.tv_nsec < last.tv_nsec))
            backwards++;
        last = now;
    }
    write(1, end, sizeof end - 1);
    return backwards != 0;
}
