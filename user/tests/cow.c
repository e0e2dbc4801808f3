/*
 * cow: fork's copy-on-write (docs/memory.md "fork"), both widths.  After a
 * fork parent and child share their pages read-only until one of them
 * writes; each must then see only its own writes - writes by the program
 * and writes by the kernel on its behalf: read() into a shared page, a
 * signal frame pushed onto a shared alternate stack, CLONE_CHILD_CLEARTID's
 * zero and futex wake when a thread ends, CLONE_CHILD_SETTID into the
 * child.  Also mprotect and munmap of shared pages, PROT_NONE and
 * read-only pages through a fork, clone(CLONE_VM) still sharing, and a
 * copy-on-write fault with no memory left, by the program or by the
 * kernel's copy (that child is killed, the kernel carries on).  Each case runs in a process of its own (this
 * program again, the case's name in argv[1]); last, running every case a
 * second time must bring the free-frame count back exactly (no frame
 * leaked, none freed twice: a double free panics the kernel).
 */
#include "../lib/cases.h"
#include "../lib/signals.h"

#define PAGE 4096ul
#define RW (SG_PROT_READ | SG_PROT_WRITE)
#define ANON (SG_MAP_PRIVATE | SG_MAP_ANONYMOUS)
#define CLONE_VM 0x100
#define CLONE_CHILD_SETTID 0x1000000
#define SIGCHLD 17
#define FUTEX_WAIT 0

static long sys_fork(void) { return sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0); }
static long sys_pipe2(int fds[2]) { return sg_syscall(SYS_pipe2, (long)fds, 0, 0, 0, 0, 0); }

static int failed(long r)
{
    return (unsigned long)r > -4096ul;
}

/* Pages of their own (page-aligned, whole pages) for each case to share. */
static uint8_t pages[4][PAGE] __attribute__((aligned(4096)));

static void fill(uint8_t *p, uint8_t v, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++)
        p[i] = v;
}

static int all(const uint8_t *p, uint8_t v, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++)
        if (p[i] != v)
            return 0;
    return 1;
}

/* The child's exit status after wait4: its exit code, or 1000 + the
 * signal that killed it. */
static int reap(long pid)
{
    int status = 0;
    if (sys_wait4((int)pid, &status, 0) != pid)
        return -1;
    return SG_WIFEXITED(status) ? SG_WEXITSTATUS(status) : 1000 + SG_WTERMSIG(status);
}

/* One byte through a pipe: the two sides take turns. */
static void signal_to(int fd) { sys_write(fd, "!", 1); }
static void wait_for(int fd)
{
    char c;
    sys_read(fd, &c, 1);
}

/* ---- the cases ---- */

/* Both sides write the same shared page, the parent first. */
static int child_of_both_write(int go)
{
    wait_for(go);
    EXPECT(all(pages[0], 1, PAGE));         /* the parent's write is not ours */
    fill(pages[0], 3, PAGE);
    EXPECT(all(pages[0], 3, PAGE));
    return 0;
}

static int both_write(void)
{
    int go[2];
    EXPECT(sys_pipe2(go) == 0);
    fill(pages[0], 1, PAGE);
    long pid = sys_fork();
    if (pid == 0)
        sys_exit(child_of_both_write(go[0]));
    EXPECT(pid > 0);
    fill(pages[0], 2, PAGE);
    signal_to(go[1]);
    EXPECT(reap(pid) == 0);
    EXPECT(all(pages[0], 2, PAGE));         /* nor is the child's ours */
    return 0;
}

/* The child writes first and goes; the parent's page is then the last
 * reference (taken over, not copied) and keeps its contents. */
static int child_first(void)
{
    fill(pages[0], 4, PAGE);
    long pid = sys_fork();
    if (pid == 0) {
        fill(pages[0], 5, PAGE);
        sys_exit(all(pages[0], 5, PAGE) ? 0 : 9);
    }
    EXPECT(reap(pid) == 0);
    EXPECT(all(pages[0], 4, PAGE));
    fill(pages[0], 6, PAGE);
    EXPECT(all(pages[0], 6, PAGE));
    return 0;
}

/* read() into shared pages: the kernel's copy_to_user writes them. */
static int child_of_kernel_read(int from_parent, int to_parent)
{
    EXPECT(sys_read(from_parent, pages[1], 11) == 11);
    EXPECT(!memcmp(pages[1], "from-parent", 11) && all(pages[1] + 11, 'x', PAGE - 11));
    EXPECT(sys_write(to_parent, "from-child", 10) == 10);
    wait_for(from_parent);                  /* the parent has read into its page 0 */
    EXPECT(all(pages[0], 'x', PAGE));
    return 0;
}

static int kernel_read(void)
{
    int down[2], up[2];
    EXPECT(sys_pipe2(down) == 0 && sys_pipe2(up) == 0);
    fill(pages[0], 'x', PAGE);
    fill(pages[1], 'x', PAGE);
    long pid = sys_fork();
    if (pid == 0)
        sys_exit(child_of_kernel_read(down[0], up[1]));
    EXPECT(sys_write(down[1], "from-parent", 11) == 11);
    EXPECT(sys_read(up[0], pages[0], 10) == 10);
    EXPECT(!memcmp(pages[0], "from-child", 10) && all(pages[0] + 10, 'x', PAGE - 10));
    signal_to(down[1]);
    EXPECT(reap(pid) == 0);
    EXPECT(all(pages[1], 'x', PAGE));       /* the child's read went to its copy */
    return 0;
}

/* A signal frame pushed by the kernel onto a shared alternate stack. */
static uint8_t altstack[4 * PAGE] __attribute__((aligned(4096)));
static volatile uintptr_t handler_sp;

static void on_usr1(int sig)
{
    volatile int here = sig;
    handler_sp = (uintptr_t)&here;
}

static int on_altstack(void)
{
    uintptr_t sp = handler_sp;
    return sp >= (uintptr_t)altstack && sp < (uintptr_t)altstack + sizeof altstack;
}

static unsigned long checksum(const uint8_t *p, unsigned long n)
{
    unsigned long sum = 0;
    for (unsigned long i = 0; i < n; i++)
        sum = sum * 31 + p[i];
    return sum;
}

static int child_of_signal_frame(int go, int done)
{
    handler_sp = 0;
    EXPECT(sys_kill((int)sys_getpid(), SG_SIGUSR1) == 0);
    EXPECT(on_altstack());
    EXPECT(!all(altstack, 0x5a, sizeof altstack));     /* our frame is in our copy */
    unsigned long mine = checksum(altstack, sizeof altstack);
    signal_to(done);
    wait_for(go);                           /* the parent has taken its signal */
    EXPECT(checksum(altstack, sizeof altstack) == mine);
    return 0;
}

static int signal_frame(void)
{
    int down[2], up[2];
    EXPECT(sys_pipe2(down) == 0 && sys_pipe2(up) == 0);
    fill(altstack, 0x5a, sizeof altstack);
    sg_stack_t ss = { .sp = (uintptr_t)altstack, .size = sizeof altstack };
    EXPECT(sys_sigaltstack(&ss, 0) == 0);
    EXPECT(sg_sigaction(SG_SIGUSR1, (void *)on_usr1, SG_SA_ONSTACK, 0, 0) == 0);
    long pid = sys_fork();
    if (pid == 0)
        sys_exit(child_of_signal_frame(down[0], up[1]));
    wait_for(up[0]);
    EXPECT(all(altstack, 0x5a, sizeof altstack));      /* the child's frame is not in ours */
    handler_sp = 0;
    EXPECT(sys_kill((int)sys_getpid(), SG_SIGUSR1) == 0);
    EXPECT(on_altstack());
    signal_to(down[1]);
    EXPECT(reap(pid) == 0);
    return 0;
}

/* A thread of ours ends after a fork: the kernel writes 0 at its
 * CLONE_CHILD_CLEARTID word in our (shared) page and wakes us; the forked
 * child's copy keeps the tid.  clone(CLONE_VM) without CLONE_THREAD shares
 * the memory as before: its write is ours. */

static uint8_t thread_stack[16384] __attribute__((aligned(16)));
static int release[2];

static void waiting_thread(void)
{
    wait_for(release[0]);
}

static int child_of_cleartid(int go, int tid)
{
    wait_for(go);
    EXPECT(*(volatile int *)pages[2] == tid);
    return 0;
}

static int cleartid(void)
{
    int go[2];
    EXPECT(sys_pipe2(go) == 0 && sys_pipe2(release) == 0);
    volatile int *word = (volatile int *)pages[2];
    *word = 0;
    long tid = sg_clone_call(SG_THREAD_FLAGS, waiting_thread, thread_stack + sizeof thread_stack, word);
    EXPECT(tid > 0 && *word == tid);
    long pid = sys_fork();                  /* the thread's word is shared from here on */
    if (pid == 0)
        sys_exit(child_of_cleartid(go[0], (int)tid));
    signal_to(release[1]);
    int v;
    while ((v = *word) != 0)                /* pthread_join: the kernel's write and wake */
        sg_syscall(SYS_futex, (long)word, FUTEX_WAIT, v, 0, 0, 0);
    signal_to(go[1]);
    EXPECT(reap(pid) == 0);
    return 0;
}

static void vm_writer(void)
{
    pages[3][0] = 7;
}

static int clone_vm(void)
{
    int go[2];
    EXPECT(sys_pipe2(go) == 0);
    fill(pages[3], 1, PAGE);
    long pid = sys_fork();
    if (pid == 0) {
        wait_for(go[0]);
        sys_exit(all(pages[3], 1, PAGE) ? 0 : 9);
    }
    static volatile int vm_tid;
    long sharer = sg_clone_call(CLONE_VM | SIGCHLD, vm_writer, thread_stack + sizeof thread_stack, &vm_tid);
    EXPECT(sharer > 0 && reap(sharer) == 0);
    EXPECT(pages[3][0] == 7 && all(pages[3] + 1, 1, PAGE - 1));    /* its write is ours */
    signal_to(go[1]);
    EXPECT(reap(pid) == 0);                 /* and not the forked child's */
    return 0;
}

/* CLONE_CHILD_SETTID writes into the child's copy of a shared page. */
static int child_settid(void)
{
    volatile int *word = (volatile int *)pages[2];
    *word = -1;
#if SG_BITS == 64
    long pid = sg_syscall(SYS_clone, SIGCHLD | CLONE_CHILD_SETTID, 0, 0, (long)word, 0, 0);
#else
    /* i386's clone: flags, stack, parent_tid, tls, child_tid. */
    long pid = sg_syscall(SYS_clone, SIGCHLD | CLONE_CHILD_SETTID, 0, 0, 0, (long)word, 0);
#endif
    if (pid == 0)
        sys_exit(*word == (int)sys_getpid() ? 0 : 9);
    EXPECT(pid > 0 && reap(pid) == 0);
    EXPECT(*word == -1);                    /* the parent's copy is untouched */
    return 0;
}

/* mprotect and munmap of shared pages, on either side; a PROT_NONE page
 * keeps its contents through a fork. */
static int child_of_protect_unmap(uint8_t *m, int go, int done)
{
    EXPECT(sys_mprotect(m, PAGE, SG_PROT_READ) == 0 && all(m, 1, PAGE));
    EXPECT(sys_mprotect(m, PAGE, RW) == 0);
    fill(m, 2, PAGE);
    EXPECT(sys_mprotect(m + PAGE, PAGE, RW) == 0 && all(m + PAGE, 3, PAGE));   /* was PROT_NONE */
    fill(m + PAGE, 4, PAGE);
    EXPECT(sys_munmap(m + 2 * PAGE, PAGE) == 0);
    signal_to(done);
    wait_for(go);                           /* the parent unmapped its 4th page */
    EXPECT(all(m + 3 * PAGE, 6, PAGE));
    return 0;
}

static int protect_unmap(void)
{
    int down[2], up[2];
    EXPECT(sys_pipe2(down) == 0 && sys_pipe2(up) == 0);
    long r = sys_mmap(0, 4 * PAGE, RW, ANON, -1, 0);
    EXPECT(!failed(r));
    uint8_t *m = (uint8_t *)r;
    fill(m, 1, PAGE);
    fill(m + PAGE, 3, PAGE);
    fill(m + 2 * PAGE, 5, PAGE);
    fill(m + 3 * PAGE, 6, PAGE);
    EXPECT(sys_mprotect(m + PAGE, PAGE, SG_PROT_NONE) == 0);
    long pid = sys_fork();
    if (pid == 0)
        sys_exit(child_of_protect_unmap(m, down[0], up[1]));
    wait_for(up[0]);
    EXPECT(all(m, 1, PAGE) && all(m + 2 * PAGE, 5, PAGE));
    EXPECT(sys_munmap(m + 3 * PAGE, PAGE) == 0);
    signal_to(down[1]);
    EXPECT(reap(pid) == 0);
    EXPECT(sys_mprotect(m + PAGE, PAGE, RW) == 0 && all(m + PAGE, 3, PAGE));
    fill(m, 7, 3 * PAGE);                   /* the last references: taken over */
    EXPECT(all(m, 7, 3 * PAGE));
    return 0;
}

/* A read-only page stays read-only through a fork: copy-on-write gives no
 * write access the region does not allow. */
static int readonly_stays(void)
{
    long r = sys_mmap(0, PAGE, RW, ANON, -1, 0);
    EXPECT(!failed(r));
    uint8_t *m = (uint8_t *)r;
    fill(m, 1, PAGE);
    EXPECT(sys_mprotect(m, PAGE, SG_PROT_READ) == 0);
    long pid = sys_fork();
    if (pid == 0) {
        m[0] = 2;
        sys_exit(9);
    }
    EXPECT(reap(pid) == 1000 + SG_SIGSEGV);
    EXPECT(all(m, 1, PAGE));
    return 0;
}

/* No frame left for a copy: the writing child is killed (SIGKILL, "out of
 * memory for a page of user memory"); the parent and the kernel go on. */
/* Six tenths of the free frames, mapped and written (1 in each page):
 * more than a fork's child can copy.  0 if the mapping failed. */
static uint8_t *fill_most_memory(unsigned long *n)
{
    struct sg_info info;
    *n = sg_info(&info) == sizeof info ? info.free_frames * 6 / 10 : 0;
    long r = sys_mmap(0, *n * PAGE, RW, ANON, -1, 0);
    if (!*n || failed(r))
        return 0;
    uint8_t *m = (uint8_t *)r;
    for (unsigned long i = 0; i < *n; i++)
        m[i * PAGE] = 1;
    return m;
}

static int oom(void)
{
    unsigned long n;
    uint8_t *m = fill_most_memory(&n);
    EXPECT(m);
    long pid = sys_fork();
    if (pid == 0) {
        for (unsigned long i = 0; i < n; i++)
            m[i * PAGE] = 2;
        sys_exit(9);                        /* there was memory for all of it */
    }
    EXPECT(reap(pid) == 1000 + SG_SIGKILL);
    for (unsigned long i = 0; i < n; i++)
        EXPECT(m[i * PAGE] == 1);
    for (unsigned long i = 0; i < n; i++)   /* ours alone again: no copies needed */
        m[i * PAGE] = 3;
    return 0;
}

/* The same with the kernel's write: the child copies pages until no frame
 * is left, then read()s into a shared page; the kernel's copy finds no
 * frame and the read fails with -EFAULT, the child lives on (as on Linux:
 * a kernel-mode VM_FAULT_OOM takes the exception fixup). */
static int oom_kernel_copy(void)
{
    int data[2];
    EXPECT(sys_pipe2(data) == 0 && sys_write(data[1], "k", 1) == 1);
    unsigned long n;
    uint8_t *m = fill_most_memory(&n);
    EXPECT(m);
    long pid = sys_fork();
    if (pid == 0) {
        struct sg_info info;
        unsigned long i = 0;
        while (i < n && sg_info(&info) == sizeof info && info.free_frames > 0)
            m[i++ * PAGE] = 2;
        if (i == n)
            sys_exit(9);                    /* memory was left over */
        long got = sys_read(data[0], m + i * PAGE, 1);
        sys_exit(got == -SG_EFAULT ? 10 : 11);
    }
    EXPECT(reap(pid) == 10);
    for (unsigned long i = 0; i < n; i++)
        EXPECT(m[i * PAGE] == 1);
    return 0;
}

static const struct test_case cases[] = {
    { "both_write", "a page written by the parent, then by the child: each sees its own", both_write },
    { "child_first", "the child writes first and exits; the parent keeps its contents and its page", child_first },
    { "kernel_read", "read() into shared pages on both sides: the kernel's writes copy", kernel_read },
    { "signal_frame", "signal frames pushed onto a shared alternate stack on both sides", signal_frame },
    { "cleartid", "a thread ends after a fork: CLEARTID's zero and wake in our copy, the child's keeps the tid",
      cleartid },
    { "clone_vm", "clone(CLONE_VM) after a fork still shares: its write is ours, not the forked child's", clone_vm },
    { "child_settid", "CLONE_CHILD_SETTID writes the child's copy of a shared page", child_settid },
    { "protect_unmap", "mprotect (read-only, PROT_NONE) and munmap of shared pages on either side", protect_unmap },
    { "readonly_stays", "a read-only page stays read-only in the child (SIGSEGV on a write)", readonly_stays },
    { "oom", "no memory for a copy: the writing child is killed, the parent keeps its pages", oom },
    { "oom_kernel_copy", "no memory for the copy a read() needs: -EFAULT, the child lives on (Linux's answer)",
      oom_kernel_copy },
};
#define NCASES (sizeof cases / sizeof cases[0])

int main(int argc, char **argv)
{
    int child = case_child(argc, argv, cases, NCASES);
    if (child >= 0)
        return child;
    tap_begin("cow");
    case_report_all(argv[0], cases, NCASES);
    /* Every case has run once, so whatever the kernel keeps for good is
     * there: a second round must give back every frame it took. */
    struct sg_info info;
    sg_info(&info);
    uint64_t before = info.free_frames;
    for (unsigned i = 0; i < NCASES; i++)
        case_spawn(argv[0], cases[i].name);
    sg_info(&info);
    tap_eq(info.free_frames, before, "no frame leaks: the free count is back after every case ran again");
    return tap_end();
}
