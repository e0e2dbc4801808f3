/*
 * measure.h - how the benchmark measures a round trip, shared word for word
 * by sysgate's /bin/bench (user/bench/bench.c) and the Linux peer's /init
 * (tools/linux-bench/linux-bench.c), so that both systems are measured the
 * same way.  It needs only <stdint.h> and a printf.
 *
 * One sample is one batch: a fenced TSC read (lfence; rdtsc), BENCH_CALLS
 * round trips in a tight loop, another fenced TSC read.  Every loop
 * below is the same function around a different body; the empty loop (no
 * body: just the loop's own `dec; jnz`) is measured first, and its median
 * batch is subtracted from every batch, so a sample is
 *
 *     (batch - median empty batch) / BENCH_CALLS
 *
 * - the instructions (or TSC cycles) of the loop body alone: for sysgate
 * `mov nr, %rax; call stub` and everything the stub and the kernel run
 * until the stub's `ret`; for Linux `mov nr, %rax; syscall` (or int $0x80)
 * and everything the kernel runs.  One warm-up batch comes first and is
 * discarded; then BENCH_BATCHES samples give the median, the minimum and
 * the 90th percentile.  A timer interrupt that lands in a batch inflates
 * that batch only; the median does not see it.
 *
 * Under QEMU TCG with -icount shift=0 the TSC advances by exactly one per
 * executed instruction, so every undisturbed batch gives the same number
 * and the median is exact and reproducible.  Values are kept in hundredths
 * so that a path that is not the same every time shows as a fraction.
 */
#ifndef SYSGATE_BENCH_MEASURE_H
#define SYSGATE_BENCH_MEASURE_H

#include <stdint.h>

#define BENCH_CALLS    256      /* round trips per batch (sample) */
#define BENCH_BATCHES  64       /* samples per figure, after one warm-up */

/* What one loop calls: the stub (sysgate) to call, the number for rax and
 * the six arguments, loaded into rdi rsi rdx r10 r8 r9 before the loop
 * and, when `stack` is set, also laid out at the loop's stack pointer -
 * where SG_ARGS_STACK finds them ([rsp + 8] at the entry instruction,
 * inside the stub, is [rsp] at the call).  Nothing here changes during the
 * loop: every stub and door preserves all registers but rax, rcx and r11. */
struct bench_call {
    uint64_t stub;      /*  0 */
    uint64_t nr;        /*  8 */
    uint64_t a[6];      /* 16 .. 56 */
    uint64_t stack;     /* 64 */
};

typedef uint64_t (*bench_loop_fn)(const struct bench_call *c, uint64_t n);

/*
 * BENCH_LOOP(name, body): uint64_t name(const struct bench_call *c,
 * uint64_t n) runs `body` n times between two fenced TSC reads and
 * returns the difference.  Everything between the reads except the body
 * is the same in every loop, so the empty loop's count removes it exactly.
 * Registers during the loop: rbx = count, r12 = stub, r13 = number,
 * r14 = first TSC value, rbp = the caller's stack pointer.
 */
#define BENCH_LOOP(name, body)                                                  \
    uint64_t name(const struct bench_call *c, uint64_t n);                     \
    __asm__(".text\n"                                                           \
            ".globl " #name "\n"                                                \
            ".type " #name ", @function\n"                                      \
            ".balign 64\n"                                                      \
            #name ":\n"                                                         \
            "    push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n" \
            "    mov  %rsp, %rbp\n"                                             \
            "    mov  %rsi, %rbx\n"                                             \
            "    mov  0(%rdi), %r12\n"                                          \
            "    mov  8(%rdi), %r13\n"                                          \
            "    mov  32(%rdi), %r15\n"                                         \
            "    cmpq $0, 64(%rdi)\n"                                           \
            "    je   1f\n"                                                     \
            "    sub  $64, %rsp\n"                                              \
            "    mov  16(%rdi), %rax; mov %rax, 0(%rsp)\n"                      \
            "    mov  24(%rdi), %rax; mov %rax, 8(%rsp)\n"                      \
            "    mov  32(%rdi), %rax; mov %rax, 16(%rsp)\n"                     \
            "    mov  40(%rdi), %rax; mov %rax, 24(%rsp)\n"                     \
            "    mov  48(%rdi), %rax; mov %rax, 32(%rsp)\n"                     \
            "    mov  56(%rdi), %rax; mov %rax, 40(%rsp)\n"                     \
            "1:  mov  40(%rdi), %r10\n"                                         \
            "    mov  48(%rdi), %r8\n"                                          \
            "    mov  56(%rdi), %r9\n"                                          \
            "    mov  24(%rdi), %rsi\n"                                         \
            "    mov  16(%rdi), %rdi\n"                                         \
            "    lfence; rdtsc\n"                                               \
            "    shl  $32, %rdx; or %rax, %rdx; mov %rdx, %r14\n"               \
            "    mov  %r15, %rdx\n"                                             \
            "    .balign 16\n"                                                  \
            "2:\n"                                                              \
            body "\n"                                                           \
            "    dec  %rbx\n"                                                   \
            "    jnz  2b\n"                                                     \
            "    lfence; rdtsc\n"                                               \
            "    shl  $32, %rdx; or %rdx, %rax; sub %r14, %rax\n"               \
            "    mov  %rbp, %rsp\n"                                             \
            "    pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"  \
            "    ret\n"                                                         \
            ".size " #name ", . - " #name "\n")

/* The empty loop: the baseline subtracted from every batch. */
BENCH_LOOP(bench_loop_empty, "");

struct bench_stats {
    uint64_t median, min, p90;  /* per round trip, in hundredths */
    unsigned samples;
};

static void bench_sort(uint64_t *v, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        uint64_t x = v[i];
        unsigned j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* The median of n raw batch values (n even: the mean of the middle two,
 * rounded down). */
static uint64_t bench_median(uint64_t *v, unsigned n)
{
    bench_sort(v, n);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The empty loop's median batch, in raw TSC units. */
static uint64_t bench_baseline(unsigned batches)
{
    static uint64_t raw[BENCH_BATCHES];
    struct bench_call none = { 0 };
    if (batches > BENCH_BATCHES)
        batches = BENCH_BATCHES;
    bench_loop_empty(&none, BENCH_CALLS);
    for (unsigned i = 0; i < batches; i++)
        raw[i] = bench_loop_empty(&none, BENCH_CALLS);
    return bench_median(raw, batches);
}

/* Runs one figure: a warm-up batch, then `batches` samples. */
static void bench_measure(bench_loop_fn loop, const struct bench_call *c, uint64_t baseline,
                          unsigned batches, struct bench_stats *st)
{
    static uint64_t per[BENCH_BATCHES];
    if (batches > BENCH_BATCHES)
        batches = BENCH_BATCHES;
    loop(c, BENCH_CALLS);
    for (unsigned i = 0; i < batches; i++) {
        uint64_t d = loop(c, BENCH_CALLS);
        per[i] = d > baseline ? (d - baseline) * 100 / BENCH_CALLS : 0;
    }
    bench_sort(per, batches);
    st->samples = batches;
    st->min = per[0];
    st->median = batches % 2 ? per[batches / 2] : (per[batches / 2 - 1] + per[batches / 2]) / 2;
    /* The nearest-rank 90th percentile. */
    st->p90 = per[(batches * 9 + 9) / 10 - 1];
}

/* One machine-readable line: BENCH {...}.  The host (tools/bench) adds
 * the CPU model, accelerator and unit it booted with. */
static void bench_report(const char *system, const char *mechanism, const char *args, const char *call,
                         const struct bench_stats *st, int ok)
{
    printf("BENCH {\"system\":\"%s\",\"bits\":64,\"mechanism\":\"%s\",\"args\":\"%s\",\"call\":\"%s\","
           "\"median\":%lu.%02lu,\"min\":%lu.%02lu,\"p90\":%lu.%02lu,\"samples\":%u,"
           "\"calls_per_sample\":%u,\"ok\":%s}\n",
           system, mechanism, args, call, (unsigned long)(st->median / 100), (unsigned long)(st->median % 100),
           (unsigned long)(st->min / 100), (unsigned long)(st->min % 100), (unsigned long)(st->p90 / 100),
           (unsigned long)(st->p90 % 100), st->samples, (unsigned)BENCH_CALLS, ok ? "true" : "false");
}

#endif
