/*
 * rseq: restartable sequences (rseq(2), Linux's kernel/rseq.c), both
 * widths.  Registration and unregistration with Linux's refusals (-EINVAL
 * for a length, alignment, flag or area that does not match, -EPERM for
 * another signature, -EBUSY for a second registration, -EFAULT); the
 * kernel writes cpu_id_start, cpu_id, node_id and mm_cid (0: one CPU) when
 * a thread registers and whenever it runs again after a switch, and -1 in
 * cpu_id when it unregisters.  A critical section - an assembly loop that
 * counts down for far longer than a timer tick - is aborted to its
 * abort_ip when it is preempted (a spinning sibling makes the timer switch)
 * or interrupted by a signal (SIGALRM from an interval timer: the handler's
 * frame already holds abort_ip), and the kernel clears rseq_cs then; out
 * of a section a stale rseq_cs is only cleared.  A section whose abort_ip
 * is not preceded by the registered signature, a section or thread with
 * flags set, or an rseq area gone from memory: SIGSEGV.  fork keeps the
 * registration, execve drops it, a thread (clone CLONE_VM) starts without.
 * Each case runs in a process of its own (this program again, the case's
 * name in argv[1]).
 */
#include "../lib/cases.h"
#include "../lib/signals.h"
#include <linux/rseq.h>

#define SIG 0x53053053u             /* glibc's x86 RSEQ_SIG */
#define SPIN (1l << 28)             /* iterations of the section: seconds under TCG, many ticks */
#define PAGE 4096ul
/* A thread as pthread_create makes one: VM, FS, FILES, SIGHAND, THREAD. */
#define CLONE_THREAD_FLAGS 0x10f00l

/* The kernel's view of both structures, checked against the host's
 * header (Linux 6.1's: node_id and mm_cid lie in its padding). */
struct area {
    uint32_t cpu_id_start, cpu_id;
    uint64_t rseq_cs;
    uint32_t flags, node_id, mm_cid, pad;
} __attribute__((aligned(32)));
struct cs_desc {
    uint32_t version, flags;
    uint64_t start_ip, post_commit_offset, abort_ip;
} __attribute__((aligned(32)));
_Static_assert(sizeof(struct area) == sizeof(struct rseq) && __alignof__(struct rseq) == 32, "struct rseq");
_Static_assert(__builtin_offsetof(struct area, rseq_cs) == __builtin_offsetof(struct rseq, rseq_cs) &&
               __builtin_offsetof(struct area, flags) == __builtin_offsetof(struct rseq, flags), "rseq fields");
_Static_assert(sizeof(struct cs_desc) == sizeof(struct rseq_cs) &&
               __builtin_offsetof(struct cs_desc, abort_ip) == __builtin_offsetof(struct rseq_cs, abort_ip), "rseq_cs");


/* long cs_spin(struct area *a, long n, struct cs_desc *d): points a's
 * rseq_cs at d, then counts n down inside the section [cs_start, cs_post);
 * 0 when it got to the end, 1 when it came back through cs_abort (the count
 * left in cs_left).  cs_abort is preceded by the signature SIG,
 * cs_abort_badsig (the same code) by another value. */
extern char cs_start[], cs_post[], cs_abort[], cs_abort_badsig[];
long cs_spin(struct area *a, long n, struct cs_desc *d);
volatile long cs_left;
#ifdef __x86_64__
__asm__(".text\n.globl cs_spin, cs_start, cs_post, cs_abort, cs_abort_badsig\n"
        "cs_spin:\n"
        "  mov %rdx, 8(%rdi)\n"             /* rseq_cs = d: the section is armed */
        "cs_start:\n"
        "1: dec %rsi\n"
        "  jnz 1b\n"
        "cs_post:\n"
        "  xor %eax, %eax\n"
        "  ret\n"
        "  .long 0x53053053\n"
        "cs_abort:\n"
        "  mov %rsi, cs_left(%rip)\n"
        "  mov $1, %eax\n"
        "  ret\n"
        "  .long 0x0badc0de\n"
        "cs_abort_badsig:\n"
        "  mov $2, %eax\n"
        "  ret\n");
#else
__asm__(".text\n.globl cs_spin, cs_start, cs_post, cs_abort, cs_abort_badsig\n"
        "cs_spin:\n"
        "  mov 4(%esp), %edx\n"
        "  mov 8(%esp), %ecx\n"
        "  mov 12(%esp), %eax\n"
        "  movl $0, 12(%edx)\n"             /* the pointer's upper half */
        "  mov %eax, 8(%edx)\n"             /* rseq_cs = d: the section is armed */
        "cs_start:\n"
        "1: dec %ecx\n"
        "  jnz 1b\n"
        "cs_post:\n"
        "  xor %eax, %eax\n"
        "  ret\n"
        "  .long 0x53053053\n"
        "cs_abort:\n"
        "  mov %ecx, cs_left\n"
        "  mov $1, %eax\n"
        "  ret\n"
        "  .long 0x0badc0de\n"
        "cs_abort_badsig:\n"
        "  mov $2, %eax\n"
        "  ret\n");
#endif

static struct area area;
static struct cs_desc desc;

static struct cs_desc *section(const char *abort_at)
{
    desc = (struct cs_desc){ 0, 0, (uintptr_t)cs_start, (uintptr_t)(cs_post - cs_start), (uintptr_t)abort_at };
    return &desc;
}

static long rseq(void *a, unsigned long len, long flags, unsigned long sig)
{
    return sg_syscall(SYS_rseq, (long)a, (long)len, flags, (long)sig, 0, 0);
}

static long sys_fork(void) { return sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0); }

static long reap(long pid)
{
    int status = -1;
    return sys_wait4((int)pid, &status, 0) == pid ? status : -1;
}

static int killed_by_sigsegv(long status)
{
    return status >= 0 && SG_WIFSIGNALED(status) && SG_WTERMSIG(status) == SG_SIGSEGV;
}

/* A sibling that spins: the timer then switches between it and us.  It
 * ends by itself once its parent is gone (getppid changes: it went to
 * init), since a parent killed in its section (the SIGSEGV cases) never
 * gets to kill it - a spinner left behind took half the CPU from every
 * later test of the boot. */
static long spinner(void)
{
    long parent = sg_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
    long pid = sys_fork();
    if (pid == 0) {
        while (sg_syscall(SYS_getppid, 0, 0, 0, 0, 0, 0) == parent)
            for (int i = 0; i < 100000; i++)
                __asm__ volatile("" ::: "memory");
        sys_exit(0);
    }
    return pid;
}

static void stop(long pid)
{
    sys_kill((int)pid, SG_SIGKILL);
    reap(pid);
}

/* Fresh values in the kernel-written fields, to see them written. */
static void scribble(struct area *a)
{
    a->cpu_id_start = 77;
    a->cpu_id = RSEQ_CPU_ID_UNINITIALIZED;
    a->node_id = 55;
    a->mm_cid = 66;
}

static int ids_zero(const struct area *a)
{
    return a->cpu_id_start == 0 && a->cpu_id == 0 && a->node_id == 0 && a->mm_cid == 0;
}

static int register_unregister(void)
{
    scribble(&area);
    EXPECT(rseq(&area, 32, 0, SIG) == 0);
    EXPECT(ids_zero(&area));
    EXPECT(rseq(&area, 32, 0, SIG) == -SG_EBUSY);
    EXPECT(rseq(&area, 32, 0, SIG + 1) == -SG_EPERM);
    static struct area other;
    EXPECT(rseq(&other, 32, 0, SIG) == -SG_EINVAL);
    EXPECT(rseq(&area, 64, 0, SIG) == -SG_EINVAL);
    EXPECT(rseq(&area, 32, RSEQ_FLAG_UNREGISTER, SIG + 1) == -SG_EPERM);
    EXPECT(rseq(&area, 64, RSEQ_FLAG_UNREGISTER, SIG) == -SG_EINVAL);
    EXPECT(rseq(&other, 32, RSEQ_FLAG_UNREGISTER, SIG) == -SG_EINVAL);
    EXPECT(rseq(&area, 32, RSEQ_FLAG_UNREGISTER | 2, SIG) == -SG_EINVAL);
    EXPECT(area.cpu_id == 0);
    EXPECT(rseq(&area, 32, RSEQ_FLAG_UNREGISTER, SIG) == 0);
    EXPECT(area.cpu_id == (uint32_t)RSEQ_CPU_ID_UNINITIALIZED && area.cpu_id_start == 0);
    EXPECT(rseq(&area, 32, RSEQ_FLAG_UNREGISTER, SIG) == -SG_EINVAL);
    /* Unregistered: nothing writes the fields any more. */
    area.cpu_id = 1234;
    sys_nanosleep_ms(1);
    EXPECT(area.cpu_id == 1234);
    /* Registered again, with another signature. */
    EXPECT(rseq(&area, 32, 0, 0x12345678) == 0 && area.cpu_id == 0);
    return 0;
}

static int register_refusals(void)
{
    static struct area big[2];
    EXPECT(rseq(&area, 31, 0, SIG) == -SG_EINVAL);
    EXPECT(rseq(&area, 0, 0, SIG) == -SG_EINVAL);
    EXPECT(rseq((char *)&big[0] + 16, 32, 0, SIG) == -SG_EINVAL);       /* 16-byte aligned only */
    EXPECT(rseq((char *)&big[0] + 4, 64, 0, SIG) == -SG_EINVAL);
    EXPECT(rseq(&area, 32, 2, SIG) == -SG_EINVAL);
    EXPECT(rseq(&area, 32, -1, SIG) == -SG_EINVAL);
    long m = sys_mmap(0, PAGE, SG_PROT_READ | SG_PROT_WRITE, SG_MAP_PRIVATE | SG_MAP_ANONYMOUS, -1, 0);
    EXPECT((unsigned long)m < -PAGE && sys_munmap((void *)m, PAGE) == 0);
    EXPECT(rseq((void *)m, 32, 0, SIG) == -SG_EFAULT);
#if SG_BITS == 64
    EXPECT(rseq((void *)0xffff800000000000ul, 32, 0, SIG) == -SG_EFAULT);
#endif
    /* A longer area (the newer struct rseq's room) is taken. */
    scribble(&big[0]);
    EXPECT(rseq(&big[0], 64, 0, SIG) == 0 && ids_zero(&big[0]));
    EXPECT(rseq(&big[0], 64, RSEQ_FLAG_UNREGISTER, SIG) == 0);
    /* A stale rseq_cs is cleared by the registration. */
    area.rseq_cs = (uintptr_t)section(cs_abort);
    EXPECT(rseq(&area, 32, 0, SIG) == 0 && area.rseq_cs == 0);
    return 0;
}

/* The fields are written again whenever the thread comes back from a
 * switch: a sleep, and a preemption by the timer. */
static int ids_after_switch(void)
{
    EXPECT(rseq(&area, 32, 0, SIG) == 0 && ids_zero(&area));
    scribble(&area);
    sys_nanosleep_ms(1);
    EXPECT(ids_zero(&area));
    long pid = spinner();
    EXPECT(pid > 0);
    scribble(&area);
    struct sg_info info;
    sg_info(&info);
    uint64_t until = info.ticks + 200;
    /* Spin without a system call until the kernel writes (only a
     * preemption can), for at most 200 ticks. */
    while (*(volatile uint32_t *)&area.cpu_id != 0) {
        for (int i = 0; i < 1000000; i++)
            __asm__ volatile("" ::: "memory");
        sg_info(&info);
        if (info.ticks > until)
            break;
    }
    stop(pid);
    EXPECT(ids_zero(&area));
    return 0;
}

static int abort_on_preempt(void)
{
    EXPECT(rseq(&area, 32, 0, SIG) == 0);
    long pid = spinner();
    EXPECT(pid > 0);
    long r = cs_spin(&area, SPIN, section(cs_abort));
    stop(pid);
    EXPECT(r == 1);
    EXPECT(cs_left > 0 && cs_left < SPIN);
    EXPECT(area.rseq_cs == 0);
    return 0;
}

static volatile uintptr_t handler_ip;
static void on_alarm(int sig, sg_siginfo_t *info, void *ucontext)
{
    (void)sig, (void)info;
    handler_ip = SG_UC_IP((sg_ucontext_t *)ucontext);
}

/* SIGALRM while in the section: the handler's frame already holds
 * abort_ip, and the section does not resume after the handler. */
static int abort_on_signal(void)
{
    EXPECT(rseq(&area, 32, 0, SIG) == 0);
    EXPECT(sg_sigaction(SG_SIGALRM, (void *)on_alarm, SG_SA_SIGINFO, 0, 0) == 0);
    EXPECT(sg_setitimer_us(20000, 0, 0) == 0);
    long r = cs_spin(&area, SPIN, section(cs_abort));
    EXPECT(handler_ip == (uintptr_t)cs_abort);
    EXPECT(r == 1 && cs_left > 0);
    EXPECT(area.rseq_cs == 0);
    return 0;
}

/* Out of any section, a stale rseq_cs is only cleared: no jump. */
static int outside_section(void)
{
    EXPECT(rseq(&area, 32, 0, SIG) == 0);
    area.rseq_cs = (uintptr_t)section(cs_abort);
    sys_nanosleep_ms(1);
    EXPECT(area.rseq_cs == 0);
    /* A section completed with nothing in between is not aborted. */
    EXPECT(cs_spin(&area, 1000, section(cs_abort)) == 0);
    return 0;
}

/* A child that is preempted in a section described by d (after setup):
 * its wait status. */
static long preempted_child(struct cs_desc *d, void (*setup)(void))
{
    long pid = sys_fork();
    if (pid == 0) {
        if (rseq(&area, 32, 0, SIG) != 0)
            sys_exit(3);
        if (setup)
            setup();
        long s = spinner();
        long r = cs_spin(&area, SPIN, d);
        sys_kill((int)s, SG_SIGKILL);
        sys_exit((int)r + 10);
    }
    long status = reap(pid);
    return status;
}

static int signature_mismatch(void)
{
    long status = preempted_child(section(cs_abort_badsig), 0);
    EXPECT(killed_by_sigsegv(status));
    return 0;
}

static void set_thread_flags(void)
{
    area.flags = RSEQ_CS_FLAG_NO_RESTART_ON_PREEMPT;
}

/* Flags (deprecated or unknown), the section's or the thread's: SIGSEGV. */
static int flags_refused(void)
{
    struct cs_desc *d = section(cs_abort);
    d->flags = RSEQ_CS_FLAG_NO_RESTART_ON_PREEMPT;
    EXPECT(killed_by_sigsegv(preempted_child(d, 0)));
    EXPECT(killed_by_sigsegv(preempted_child(section(cs_abort), set_thread_flags)));
    /* A section that does not make sense: abort_ip inside it. */
    d = section(cs_abort);
    d->abort_ip = d->start_ip;
    EXPECT(killed_by_sigsegv(preempted_child(d, 0)));
    return 0;
}

/* The area gone from memory when the kernel must write it: SIGSEGV. */
static int area_unmapped(void)
{
    long m = sys_mmap(0, PAGE, SG_PROT_READ | SG_PROT_WRITE, SG_MAP_PRIVATE | SG_MAP_ANONYMOUS, -1, 0);
    EXPECT((unsigned long)m < -PAGE);
    long pid = sys_fork();
    if (pid == 0) {
        if (rseq((void *)m, 32, 0, SIG) != 0)
            sys_exit(3);
        sys_munmap((void *)m, PAGE);
        sys_nanosleep_ms(1);
        sys_exit(4);
    }
    EXPECT(killed_by_sigsegv(reap(pid)));
    /* Read-only will not do either. */
    pid = sys_fork();
    if (pid == 0) {
        if (rseq((void *)m, 32, 0, SIG) != 0)
            sys_exit(3);
        sys_mprotect((void *)m, PAGE, SG_PROT_READ);
        sys_nanosleep_ms(1);
        sys_exit(4);
    }
    EXPECT(killed_by_sigsegv(reap(pid)));
    return 0;
}

static char thread_stack[16384] __attribute__((aligned(16)));
static volatile long thread_result;
static struct area thread_area;

static void thread_main(void)
{
    /* Its own registration: the parent's is not its. */
    thread_result = rseq(&thread_area, 32, 0, SIG) == 0 && thread_area.cpu_id == 0 ? 1 : 2;
}

/* fork keeps the registration (the child's fields are written in its own
 * copy); a thread starts without one; execve drops it. */
static int inheritance(const char *self)
{
    EXPECT(rseq(&area, 32, 0, SIG) == 0);
    long pid = sys_fork();
    if (pid == 0) {
        scribble(&area);
        sys_nanosleep_ms(1);
        sys_exit(rseq(&area, 32, 0, SIG) == -SG_EBUSY && ids_zero(&area) ? 0 : 5);
    }
    EXPECT(reap(pid) == 0);
    volatile int tid = 0;
    long t = sg_clone_call(CLONE_THREAD_FLAGS, thread_main,
                           thread_stack + sizeof thread_stack, &tid);
    EXPECT(t > 0);
    while (!thread_result)
        sys_sched_yield();
    EXPECT(thread_result == 1);
    EXPECT(rseq(&area, 32, 0, SIG) == -SG_EBUSY);
    pid = sys_fork();
    if (pid == 0) {
        char *argv[] = { (char *)self, "exec_check", 0 };
        char *envp[] = { 0 };
        sg_syscall(SYS_execve, (long)self, (long)argv, (long)envp, 0, 0, 0);
        sys_exit(6);
    }
    EXPECT(reap(pid) == 0);
    return 0;
}

/* After execve: the same area address is free to register. */
static int exec_check(void)
{
    return rseq(&area, 32, 0, SIG) == 0 ? 0 : 7;
}

static const char *self;
static int inheritance_case(void) { return inheritance(self); }

static const struct test_case cases[] = {
    { "register_unregister", "register writes the ids; -EBUSY, -EPERM, -EINVAL on mismatch; unregister writes -1",
      register_unregister },
    { "register_refusals", "short length, misalignment, unknown flags -EINVAL; unmapped area -EFAULT; stale rseq_cs cleared",
      register_refusals },
    { "ids_after_switch", "the ids are written again after a sleep and after a preemption", ids_after_switch },
    { "abort_on_preempt", "a section preempted by the timer resumes at abort_ip, rseq_cs cleared", abort_on_preempt },
    { "abort_on_signal", "a section interrupted by SIGALRM: the handler's frame holds abort_ip", abort_on_signal },
    { "outside_section", "out of a section a stale rseq_cs is only cleared; a section not interrupted commits",
      outside_section },
    { "signature_mismatch", "abort_ip not preceded by the registered signature: SIGSEGV", signature_mismatch },
    { "flags_refused", "section or thread flags, abort_ip inside the section: SIGSEGV", flags_refused },
    { "area_unmapped", "the area unmapped or read-only when the kernel writes it: SIGSEGV", area_unmapped },
    { "inheritance", "fork keeps the registration, a thread starts without, execve drops it", inheritance_case },
    { "exec_check", 0, exec_check },
};
#define NCASES (sizeof cases / sizeof cases[0])

int main(int argc, char **argv)
{
    self = argv[0];
    int child = case_child(argc, argv, cases, NCASES);
    if (child >= 0)
        return child;
    tap_begin("rseq");
    case_report_all(argv[0], cases, NCASES);
    return tap_end();
}
