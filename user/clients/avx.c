/*
 * AVX2 through the C library (tests/clients/expected/avx), built with
 * -mavx2 (Makefile): the library's own check that the OS saves the ymm
 * state (OSXSAVE and XCR0, as __builtin_cpu_supports reads them), then
 * compiler-generated AVX2 arithmetic whose accumulators stay in ymm
 * registers across system calls made inline - two processes ping-ponging
 * through pipes (context switches), and kill() of itself with a handler
 * that does AVX2 work of its own - compared with the same sums in scalar
 * code.  Built with glibc and musl, 64-bit and 32-bit.
 */
#include <immintrin.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* A system call the compiler sees as no function call: the vector
 * accumulators stay in their ymm registers across it (the kernel must
 * keep them). */
static long raw3(long nr, long a, long b, long c)
{
    long r;
#ifdef __x86_64__
    __asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
#else
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
#endif
    return r;
}

static volatile int handled;
static volatile unsigned handler_sum;

/* AVX2 work of the handler's own: every ymm register it uses is the
 * interrupted code's, saved in the signal frame meanwhile. */
static void on_usr1(int sig)
{
    (void)sig;
    __m256i a = _mm256_set1_epi32(7), b = _mm256_set_epi32(1, 2, 3, 4, 5, 6, 7, 8);
    for (int i = 0; i < 16; i++)
        a = _mm256_add_epi32(_mm256_mullo_epi32(a, b), b);
    unsigned out[8];
    _mm256_storeu_si256((__m256i *)out, a);
    handler_sum = out[0] + out[7];
    handled++;
}

/* rounds of: add (i*seed + lane) to four accumulators, then a system call
 * (a pipe write and read, or a kill of itself); 0 when the sums are the
 * scalar ones. */
static int run(unsigned seed, int rounds, int rfd, int wfd, int first_write, int signals)
{
    __m256i acc0 = _mm256_setzero_si256(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    const __m256i lanes = _mm256_set_epi32(8, 7, 6, 5, 4, 3, 2, 1);
    char byte = 'x';
    for (int i = 0; i < rounds; i++) {
        __m256i step = _mm256_add_epi32(_mm256_set1_epi32((int)(seed * (unsigned)i)), lanes);
        acc0 = _mm256_add_epi32(acc0, step);
        acc1 = _mm256_xor_si256(acc1, _mm256_slli_epi32(step, 3));
        acc2 = _mm256_add_epi32(acc2, _mm256_mullo_epi32(step, step));
        acc3 = _mm256_sub_epi32(acc3, step);
        if (signals) {
            raw3(SYS_kill, raw3(SYS_getpid, 0, 0, 0), SIGUSR1, 0);
        } else if (first_write) {
            raw3(SYS_write, wfd, (long)&byte, 1);
            raw3(SYS_read, rfd, (long)&byte, 1);
        } else {
            raw3(SYS_read, rfd, (long)&byte, 1);
            raw3(SYS_write, wfd, (long)&byte, 1);
        }
    }
    unsigned got[4][8], want[4][8];
    _mm256_storeu_si256((__m256i *)got[0], acc0);
    _mm256_storeu_si256((__m256i *)got[1], acc1);
    _mm256_storeu_si256((__m256i *)got[2], acc2);
    _mm256_storeu_si256((__m256i *)got[3], acc3);
    memset(want, 0, sizeof want);
    for (int i = 0; i < rounds; i++)
        for (int l = 0; l < 8; l++) {
            volatile unsigned s = seed * (unsigned)i + (unsigned)l + 1;  /* volatile: scalar, not vectorised */
            want[0][l] += s;
            want[1][l] ^= s << 3;
            want[2][l] += s * s;
            want[3][l] -= s;
        }
    return memcmp(got, want, sizeof got) != 0;
}

int main(void)
{
    __builtin_cpu_init();
    int avx2 = __builtin_cpu_supports("avx2");
    printf("the C library finds AVX2 usable (OSXSAVE, XCR0): %s\n", avx2 ? "ok" : "FAILED");
    if (!avx2)
        return 1;
    int failures = 0;

    int p2c[2], c2p[2];
    if (pipe(p2c) || pipe(c2p))
        return 2;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(run(2, 200, p2c[0], c2p[1], 0, 0));
    int bad = run(3, 200, c2p[0], p2c[1], 1, 0);
    int status = -1;
    waitpid(pid, &status, 0);
    printf("ymm accumulators across 400 switches between two processes: %s\n",
           !bad && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "ok" : "FAILED");
    failures += bad || status != 0;

    signal(SIGUSR1, on_usr1);
    bad = run(5, 50, -1, -1, 0, 1);
    printf("ymm accumulators across 50 handlers doing AVX2 work: %s\n", !bad && handled == 50 ? "ok" : "FAILED");
    failures += bad || handled != 50;
    printf("%s\n", failures ? "FAILED" : "all ok");
    return failures != 0;
}
