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
 * `mov nr, %rax; call stub` (BENCH_BODY_CALL_STUB) and everything the stub
 * and the kernel run
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
 * the six arguments, loaded into the argument registers before the loop
 * (rdi rsi rdx r10 r8 r9; for 32-bit code ebx ecx edx esi edi ebp, the
 * low halves) and, when `stack` is set, also laid out at the loop's stack
 * pointer - where SG_ARGS_STACK finds them (above the return address the
 * call into the stub pushes).  Nothing here changes during the loop: every
 * stub and door preserves all registers but rax, rcx and r11 (32-bit: eax).
 * The layout is the same for both widths. */
struct bench_call {
    uint64_t stub;      /*  0 */
    uint64_t nr;        /*  8 */
    uint64_t a[6];      /* 16 .. 56 */
    uint64_t stack;     /* 64 */
};

typedef uint64_t (*bench_loop_fn)(const struct bench_call *c, unsigned n);

/*
 * BENCH_LOOP(name, body): uint64_t name(const struct bench_call *c,
 * unsigned n) runs `body` n times between two fenced TSC reads and
 * returns the difference (BENCH_LOOP_READ: with another read, below).
 * Everything between the reads except the body is the same in every loop
 * - the argument set-up, the stack layout, the loop's own `dec; jnz` - so
 * the empty loop's count removes it exactly.
 *
 * 64-bit, during the loop: rbx = count, r12 = stub, r13 = number, r14 =
 * first TSC value, rbp = the caller's stack pointer; the arguments are in
 * their registers and, always, at 0..40(%rsp).
 *
 * 32-bit: every general register but eax carries an argument, so the
 * loop keeps its state on the stack: the six arguments at 0..20(%esp),
 * the count at 24, the stub at 28, the number at 32, edx's argument at 36
 * (rdtsc overwrites edx) and the first TSC value at 40.
 */
/*
 * BENCH_BODY_CALL_C2 calls the stub as a C function of two arguments, a[0]
 * and a[1] (the vDSO's functions): the C ABI lets the callee clobber the
 * argument registers, so the body loads them again every time (64-bit:
 * two movs; 32-bit: two pushes and the pop after the call).
 */
#ifdef __x86_64__
#define BENCH_BITS 64
#define BENCH_BODY_CALL_STUB "    mov %r13, %rax\n    call *%r12"
#define BENCH_BODY_CALL_C2 "    mov 0(%rsp), %rdi\n    mov 8(%rsp), %rsi\n    call *%r12"
#define BENCH_LOOP_READ(name, body, read)                                      \
    uint64_t name(const struct bench_call *c, unsigned n);                     \
    __asm__(".text\n"                                                           \
            ".globl " #name "\n"                                                \
            ".type " #name ", @function\n"                                      \
            ".balign 64\n"                                                      \
            #name ":\n"                                                         \
            "    push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n" \
            "    mov  %rsp, %rbp\n"                                             \
            "    mov  %esi, %ebx\n"                                             \
            "    mov  0(%rdi), %r12\n"                                          \
            "    mov  8(%rdi), %r13\n"                                          \
            "    mov  32(%rdi), %r15\n"                                         \
            "    sub  $64, %rsp\n"                                              \
            "    mov  16(%rdi), %rax; mov %rax, 0(%rsp)\n"                      \
            "    mov  24(%rdi), %rax; mov %rax, 8(%rsp)\n"                      \
            "    mov  32(%rdi), %rax; mov %rax, 16(%rsp)\n"                     \
            "    mov  40(%rdi), %rax; mov %rax, 24(%rsp)\n"                     \
            "    mov  48(%rdi), %rax; mov %rax, 32(%rsp)\n"                     \
            "    mov  56(%rdi), %rax; mov %rax, 40(%rsp)\n"                     \
            "    mov  40(%rdi), %r10\n"                                         \
            "    mov  48(%rdi), %r8\n"                                          \
            "    mov  56(%rdi), %r9\n"                                          \
            "    mov  24(%rdi), %rsi\n"                                         \
            "    mov  16(%rdi), %rdi\n"                                         \
            read "\n"                                                          \
            "    shl  $32, %rdx; or %rax, %rdx; mov %rdx, %r14\n"               \
            "    mov  %r15, %rdx\n"                                             \
            "    .balign 16\n"                                                  \
            "2:\n"                                                              \
            body "\n"                                                           \
            "    dec  %rbx\n"                                                   \
            "    jnz  2b\n"                                                     \
            read "\n"                                                          \
            "    shl  $32, %rdx; or %rdx, %rax; sub %r14, %rax\n"               \
            "    mov  %rbp, %rsp\n"                                             \
            "    pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"  \
            "    ret\n"                                                         \
            ".size " #name ", . - " #name "\n")
#else
#define BENCH_BITS 32
#define BENCH_BODY_CALL_STUB "    mov 32(%esp), %eax\n    call *28(%esp)"
#define BENCH_BODY_CALL_C2 "    push 4(%esp)\n    push 4(%esp)\n    call *36(%esp)\n    add $8, %esp"
#define BENCH_LOOP_READ(name, body, read)                                      \
    uint64_t name(const struct bench_call *c, unsigned n);                     \
    __asm__(".text\n"                                                           \
            ".globl " #name "\n"                                                \
            ".type " #name ", @function\n"                                      \
            ".balign 64\n"                                                      \
            #name ":\n"                                                         \
            "    push %ebp; push %ebx; push %esi; push %edi\n"                  \
            "    mov  20(%esp), %eax\n"                                         \
            "    mov  24(%esp), %ecx\n"                                         \
            "    sub  $48, %esp\n"                                              \
            "    mov  %ecx, 24(%esp)\n"                                         \
            "    mov  0(%eax), %ecx; mov %ecx, 28(%esp)\n"                      \
            "    mov  8(%eax), %ecx; mov %ecx, 32(%esp)\n"                      \
            "    mov  32(%eax), %ecx; mov %ecx, 36(%esp)\n"                     \
            "    mov  16(%eax), %ecx; mov %ecx, 0(%esp)\n"                      \
            "    mov  24(%eax), %ecx; mov %ecx, 4(%esp)\n"                      \
            "    mov  32(%eax), %ecx; mov %ecx, 8(%esp)\n"                      \
            "    mov  40(%eax), %ecx; mov %ecx, 12(%esp)\n"                     \
            "    mov  48(%eax), %ecx; mov %ecx, 16(%esp)\n"                     \
            "    mov  56(%eax), %ecx; mov %ecx, 20(%esp)\n"                     \
            "    mov  16(%eax), %ebx\n"                                         \
            "    mov  24(%eax), %ecx\n"                                         \
            "    mov  40(%eax), %esi\n"                                         \
            "    mov  48(%eax), %edi\n"                                         \
            "    mov  56(%eax), %ebp\n"                                         \
            read "\n"                                                          \
            "    mov  %eax, 40(%esp); mov %edx, 44(%esp)\n"                     \
            "    mov  36(%esp), %edx\n"                                         \
            "    .balign 16\n"                                                  \
            "2:\n"                                                              \
            body "\n"                                                           \
            "    decl 24(%esp)\n"                                               \
            "    jnz  2b\n"                                                     \
            read "\n"                                                          \
            "    sub  40(%esp), %eax; sbb 44(%esp), %edx\n"                     \
            "    add  $48, %esp\n"                                              \
            "    pop %edi; pop %esi; pop %ebx; pop %ebp\n"                      \
            "    ret\n"                                                         \
            ".size " #name ", . - " #name "\n")
#endif

/* The loops' TSC read: edx:eax as rdtsc leaves them, nothing else
 * changed.  BENCH_LOOP_READ lets a program put another read in its place
 * (sysgate's bench, for a thread whose own rdtsc faults); the empty loop
 * to subtract must then use the same read. */
#define BENCH_READ_TSC "    lfence; rdtsc"
#define BENCH_LOOP(name, body) BENCH_LOOP_READ(name, body, BENCH_READ_TSC)

/* The empty loop: the baseline subtracted from every batch. */
BENCH_LOOP(bench_loop_empty, "");
/* A C function of two arguments per turn: the vDSO's functions and the
 * whole operations of lmbench.h. */
BENCH_LOOP(bench_loop_call_c2, BENCH_BODY_CALL_C2);

struct bench_stats {
    uint64_t median, min, p90;  /* per round trip, in hundredths */
    unsigned samples;
    unsigned calls;             /* round trips per sample */
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

/* An empty loop's median batch of `calls` turns, in raw TSC units. */
static uint64_t bench_baseline_of(bench_loop_fn empty, unsigned calls, unsigned batches)
{
    static uint64_t raw[BENCH_BATCHES];
    struct bench_call none = { 0 };
    if (batches > BENCH_BATCHES)
        batches = BENCH_BATCHES;
    empty(&none, calls);
    for (unsigned i = 0; i < batches; i++)
        raw[i] = empty(&none, calls);
    return bench_median(raw, batches);
}

/* ... bench_loop_empty's. */
static inline uint64_t bench_baseline_calls(unsigned calls, unsigned batches)
{
    return bench_baseline_of(bench_loop_empty, calls, batches);
}

/* ... of BENCH_CALLS turns, the batch of every figure but the whole
 * operations of lmbench.h. */
static inline uint64_t bench_baseline(unsigned batches)
{
    return bench_baseline_calls(BENCH_CALLS, batches);
}

/* Runs one figure of `calls` round trips per sample, `baseline` being the
 * empty loop's batch of as many: a warm-up batch, then `batches` samples. */
static void bench_measure_calls(bench_loop_fn loop, const struct bench_call *c, unsigned calls, uint64_t baseline,
                                unsigned batches, struct bench_stats *st)
{
    static uint64_t per[BENCH_BATCHES];
    if (batches > BENCH_BATCHES)
        batches = BENCH_BATCHES;
    loop(c, calls);
    for (unsigned i = 0; i < batches; i++) {
        uint64_t d = loop(c, calls);
        per[i] = d > baseline ? (d - baseline) * 100 / calls : 0;
    }
    bench_sort(per, batches);
    st->samples = batches;
    st->calls = calls;
    st->min = per[0];
    st->median = batches % 2 ? per[batches / 2] : (per[batches / 2 - 1] + per[batches / 2]) / 2;
    /* The nearest-rank 90th percentile. */
    st->p90 = per[(batches * 9 + 9) / 10 - 1];
}

/* One figure of BENCH_CALLS round trips per sample. */
static inline void bench_measure(bench_loop_fn loop, const struct bench_call *c, uint64_t baseline,
                                 unsigned batches, struct bench_stats *st)
{
    bench_measure_calls(loop, c, BENCH_CALLS, baseline, batches, st);
}

/* One machine-readable line: BENCH {...}.  The host (tools/bench) adds
 * the CPU model, accelerator and unit it booted with. */
static void bench_report(const char *system, const char *mechanism, const char *door, const char *args,
                         const char *call, const struct bench_stats *st, int ok)
{
    printf("BENCH {\"system\":\"%s\",\"bits\":%d,\"mechanism\":\"%s\",\"door\":\"%s\",\"args\":\"%s\","
           "\"call\":\"%s\",\"median\":%llu.%02llu,\"min\":%llu.%02llu,\"p90\":%llu.%02llu,\"samples\":%u,"
           "\"calls_per_sample\":%u,\"ok\":%s}\n",
           system, BENCH_BITS, mechanism, door, args, call, (unsigned long long)(st->median / 100),
           (unsigned long long)(st->median % 100), (unsigned long long)(st->min / 100),
           (unsigned long long)(st->min % 100), (unsigned long long)(st->p90 / 100),
           (unsigned long long)(st->p90 % 100), st->samples, st->calls, ok ? "true" : "false");
}

#endif
