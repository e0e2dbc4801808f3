/*
 * fastdoors: what the 64-bit doors' own fast paths (docs/mechanisms.md,
 * "The fast path") must get right beyond what fastpath and regs check.
 * 64-bit code only: 32-bit callers never reach those paths (the build for
 * 32-bit code skips every check).
 *
 * Hazards:
 *   - the tables answer unknown numbers from the running process's log
 *     (kernel/syscall/dispatch.c, fast_tables_show): a stale table would
 *     answer a process's first unknown number on the fast path because
 *     another process logged it (the number never logged for it), or
 *     send a process's logged number to the full path again.  Through
 *     every 64-bit door: a child's first unknown number and first number
 *     past the tables take the full path (sg_info's full_path_calls) and
 *     the next ones do not, though its parent logged both; the parent's
 *     stay fast after the child ran.
 *   - a user-set TF through the call gate or sysenter: the fast paths'
 *     returns (popfq; lretq, sysexitq) do not restore TF as IRETQ does; the
 *     call must leave through ret_user, where the door's fast exit declines
 *     for TF (sg_info's fast_exit_declined) and IRETQ returns.  The call
 *     gate's fast path learns of TF only through the #DB handler
 *     (WORK_STEPPED).  The child is killed by the single-step trap in user
 *     mode.
 *
 *   /bin/tests/fastdoors               the checks
 *   /bin/tests/fastdoors unknown MECH  (a child) its first unknown numbers through MECH
 *   /bin/tests/fastdoors tf MECH       (a child) getpid through MECH with TF set
 */
#include "../lib/tap.h"
#include "../../kernel/arch/selectors_msrs.h"

#ifdef __x86_64__

#define TF 0x100

static const long zero[6];

static void info(struct sg_info *i)
{
    sg_info(i);
}

/* How many full-path calls one call through `mech` added (sg_info is a
 * FULL call itself: one of the difference). */
static uint64_t full_calls_of(int mech, long nr)
{
    struct sg_info a, b;
    info(&a);
    sg_syscall_via(mech, nr, zero[0], zero[1], zero[2], zero[3], zero[4], zero[5]);
    info(&b);
    return b.full_path_calls - a.full_path_calls - 1;
}

/* The same when the call should stay on the fast path: a timer tick that
 * found the kernel running sends one call to the full path (percpu.work),
 * so the fewest of three tries. */
static uint64_t full_calls_of_fast(int mech, long nr)
{
    uint64_t fewest = full_calls_of(mech, nr);
    for (int i = 0; i < 2 && fewest; i++) {
        uint64_t n = full_calls_of(mech, nr);
        if (n < fewest)
            fewest = n;
    }
    return fewest;
}

static int child_unknown(int mech)
{
    int held = 0;
    held |= full_calls_of(mech, 500) == 1 ? 1 : 0;
    held |= full_calls_of_fast(mech, 500) == 0 ? 2 : 0;
    held |= full_calls_of(mech, 0xffffff) == 1 ? 4 : 0;
    held |= full_calls_of_fast(mech, 0xffffff) == 0 ? 8 : 0;
    return held;
}

static long spawn(const char *role, int mech, int *status)
{
    char m[4] = { (char)('0' + mech), 0 };
    char *argv[] = { "fastdoors", (char *)role, m, 0 };
    long pid = sg_spawn("/bin/tests/fastdoors", argv);
    if (pid < 0 || sys_wait4((int)pid, status, 0) != pid)
        return -1;
    return pid;
}

static void check_log_per_process(int mech, const char *door)
{
    /* The parent's own log first: the first calls may be the full path's,
     * the next ones must not. */
    full_calls_of(mech, 500);
    full_calls_of(mech, 0xffffff);
    int status = 0;
    if (spawn("unknown", mech, &status) < 0 || !SG_WIFEXITED(status)) {
        tap_check(0, "via %s: the unknown-number child ran and exited (status %#x)", door, status);
        return;
    }
    tap_eq(SG_WEXITSTATUS(status), 15, "via %s, a child's first unknown number and first number past the tables "
           "are logged (full path) though its parent logged them, and the next ones are fast", door);
    tap_eq(full_calls_of_fast(mech, 500) + full_calls_of_fast(mech, 0xffffff), 0,
           "via %s, the parent's logged numbers are still answered on the fast path after the child ran", door);
}

/* The door's own instruction with TF set by the popfq right before it
 * (a call into the interface page would trap on the call itself). */
static const struct { uint32_t offset; uint16_t sel; } __attribute__((packed)) gate = { 0, CALL_GATE_SEL };

static int child_tf(int mech)
{
    if (mech == SG_MECH_CALLGATE)
        __asm__ volatile("pushfq; orq %1, (%%rsp); popfq; lcall *%2"
                         :: "a"((long)SYS_getpid), "i"(TF), "m"(gate) : "memory");
    else
        __asm__ volatile("mov %%rsp, %%r11; lea 1f(%%rip), %%rcx; pushfq; orq %1, (%%rsp); popfq; sysenter; 1:"
                         :: "a"((long)SYS_getpid), "i"(TF) : "rcx", "rdx", "r11", "memory");
    return 0;   /* not reached: the single-step trap after the door ends the process */
}

static void check_tf(int mech, const char *door, int exit_index, const char *exit_name)
{
    struct sg_info a, b;
    int status = 0;
    info(&a);
    long pid = spawn("tf", mech, &status);
    info(&b);
    tap_check(pid > 0 && SG_WIFSIGNALED(status) && SG_WTERMSIG(status) == SG_SIGTRAP,
              "%s with TF set: the call returns and the single-step trap lands in user mode (status %#x)", door,
              status);
    tap_check(b.fast_exit_declined[exit_index] > a.fast_exit_declined[exit_index],
              "%s with TF set leaves through ret_user, whose %s declines for TF (iretq restores it)", door,
              exit_name);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "unknown"))
        return child_unknown(argv[2][0] - '0');
    if (argc == 3 && !strcmp(argv[1], "tf"))
        return child_tf(argv[2][0] - '0');

    tap_begin("fastdoors");
    struct sg_info i;
    info(&i);
    static const int own_tables[] = { SG_MECH_INT80, SG_MECH_CALLGATE, SG_MECH_SYSCALL, SG_MECH_SYSENTER,
                                      SG_MECH_TRAP };
    for (size_t k = 0; k < sizeof own_tables / sizeof own_tables[0]; k++) {
        int m = own_tables[k];
        if (i.mechanisms64 & (1u << m))
            check_log_per_process(m, sg_mechanism_name(m));
        else
            tap_skip("the CPU model does not offer it to 64-bit code", "the unknown-number log via %s",
                     sg_mechanism_name(m));
    }
    check_tf(SG_MECH_CALLGATE, "callgate", 2, "lretq");
    if (i.mechanisms64 & (1u << SG_MECH_SYSENTER))
        check_tf(SG_MECH_SYSENTER, "sysenter", 1, "sysexitq");
    else
        tap_skip("the CPU model does not offer it to 64-bit code", "sysenter with TF set");
    return tap_end();
}

#else

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    tap_begin("fastdoors");
    tap_skip("32-bit code never reaches the 64-bit doors' fast paths", "the 64-bit doors' fast paths");
    return tap_end();
}

#endif
