/*
 * procs: processes the Linux way - fork, vfork and clone, execve (both
 * widths, either way), wait4/waitpid/waitid, orphans, process groups and
 * sessions, kill of a group, pipes.  Children report through exit codes
 * and pipes, never through TAP lines (the numbering is the parent's).
 * Run as `procs <role> ...` the program is one of the children below.
 */
#include "../lib/tap.h"
#include "../lib/files.h"
#include "../lib/signals.h"

static const char *self;

/* The other width's copy of this program (execve across widths). */
#if SG_BITS == 64
#define OTHER_WIDTH "/bin/tests32/procs"
#else
#define OTHER_WIDTH "/bin/tests/procs"
#endif

#define WNOHANG 1
#define WEXITED 4
#define WNOWAIT 0x01000000
#define P_PID 1
#define SIGTERM 15
#define SIGPIPE 13
#define CLONE_VM 0x100
#define CLONE_VFORK 0x4000
#define CLONE_THREAD 0x10000
#define CLONE_PARENT_SETTID 0x100000
#define CLONE_CHILD_SETTID 0x1000000
#define SIGCHLD 17
#define SIGKILL 9
#define SIGSTOP 19
#define MAX_ARG_STRLEN (32 * 4096)

static long sys_fork(void) { return sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0); }
static long sys_pipe2(int fds[2], int flags) { return sg_syscall(SYS_pipe2, (long)fds, flags, 0, 0, 0, 0); }
/* Addresses as numbers: the hostile ones are not C pointers. */
#define sys_execve(path, argv, envp) sg_syscall(SYS_execve, (long)(path), (long)(argv), (long)(envp), 0, 0, 0)
static long sys_getppid(void) { return sg_syscall(SYS_getppid, 0, 0, 0, 0, 0, 0); }
static long sys_getpgid(int pid) { return sg_syscall(SYS_getpgid, pid, 0, 0, 0, 0, 0); }
static long sys_setpgid(int pid, int pgid) { return sg_syscall(SYS_setpgid, pid, pgid, 0, 0, 0, 0); }
static long sys_getsid(int pid) { return sg_syscall(SYS_getsid, pid, 0, 0, 0, 0, 0); }
static long sys_setsid(void) { return sg_syscall(SYS_setsid, 0, 0, 0, 0, 0, 0); }
static long wait4r(int pid, int *status, int options, void *rusage)
{
    return sg_syscall(SYS_wait4, pid, (long)status, options, (long)rusage, 0, 0);
}

static int exited_with(int status, int code)
{
    return SG_WIFEXITED(status) && SG_WEXITSTATUS(status) == code;
}

/* Waits for pid; its exit status or -1. */
static int reap(long pid)
{
    int status = -1;
    return sys_wait4((int)pid, &status, 0) == pid ? status : -1;
}

static long read_full(int fd, void *buf, long len)
{
    long done = 0;
    while (done < len) {
        long r = sys_read(fd, (char *)buf + done, len - done);
        if (r <= 0)
            return done ? done : r;
        done += r;
    }
    return done;
}

/* ---- children started by execve ---- */

/* `procs exec-check <argv1> <cloexec fd> <kept fd>`: exits 42 when
 * argv, envp and the descriptors are what the parent passed. */
static int exec_check(int argc, char **argv)
{
    if (argc != 5 || strcmp(argv[2], "two words") || !sg_envp[0] || strcmp(sg_envp[0], "A=1") ||
        strcmp(sg_envp[1], "B=") || sg_envp[2])
        return 3;
    int gone = (int)(argv[3][0] - '0') * 10 + (argv[3][1] - '0');
    int kept = (int)(argv[4][0] - '0') * 10 + (argv[4][1] - '0');
    if (sys_fcntl(gone, F_GETFD, 0) != -SG_EBADF)
        return 4;
    if (sys_fcntl(kept, F_GETFD, 0) != 0)
        return 5;
    if (sys_write(kept, "via kept fd", 11) != 11)
        return 6;
    return 42;
}

/* `procs width`: exits with this program's width / 8 (8 or 4) and, given
 * `again`, first execs the other width's copy with `width` (64 -> 32 -> 64). */
static int width_role(int argc, char **argv)
{
    if (argc > 2 && !strcmp(argv[2], "again")) {
        char *args[] = { (char *)OTHER_WIDTH, "width", 0 };
        sys_execve(OTHER_WIDTH, args, 0);
        return 99;
    }
    return SG_BITS / 8;
}

/* ---- the checks ---- */

static void check_fork(void)
{
    static volatile int shared_value = 5;
    long parent = sys_getpid();
    unsigned mxcsr = 0x1f80 | (3u << 13);   /* round toward zero: FPU state to inherit */
    unsigned saved;
    __asm__ volatile("stmxcsr %0" : "=m"(saved));
    __asm__ volatile("ldmxcsr %0" ::"m"(mxcsr));
    long pid = sys_fork();
    if (pid == 0) {
        unsigned m;
        __asm__ volatile("stmxcsr %0" : "=m"(m));
        int bad = (sys_getppid() != parent) | (m != mxcsr) << 1 | (shared_value != 5) << 2;
        shared_value = 77;
        sys_exit(bad ? 10 + bad : 3);
    }
    __asm__ volatile("ldmxcsr %0" ::"m"(saved));
    tap_check(pid > parent, "fork returns the child's pid to the parent (%ld)", pid);
    int status = reap(pid);
    tap_check(exited_with(status, 3), "the child got 0 from fork, its parent's pid from getppid, the parent's MXCSR and "
                                      "memory (status %#x)", status);
    tap_eq(shared_value, 5, "the child's write to its copy of memory is not the parent's");

    /* Exit codes are 8 bits; wait's encoding is Linux's. */
    pid = sys_fork();
    if (pid == 0)
        sys_exit(300);
    status = reap(pid);
    tap_eq(status, 300 << 8 & 0xff00, "exit(300) arrives as status %#x (WEXITSTATUS 44)", 300 << 8 & 0xff00);

    /* vfork: the child shares the memory and runs while the parent waits;
     * it writes a word and exits at once, in assembly (a vfork child may
     * not return through its parent's stack frames). */
    static volatile int vfork_mark;
    vfork_mark = 0;
#if SG_BITS == 64
    __asm__ volatile("syscall\n test %%rax, %%rax\n jnz 1f\n"
                     "movl $1, %1\n mov $60, %%eax\n mov $9, %%edi\n syscall\n"
                     "1:"
                     : "=a"(pid), "=m"(vfork_mark)
                     : "a"((long)SYS_vfork)
                     : "rcx", "r11", "rdi", "memory");
#else
    __asm__ volatile("int $0x80\n test %%eax, %%eax\n jnz 1f\n"
                     "movl $1, %1\n mov $1, %%eax\n mov $9, %%ebx\n int $0x80\n"
                     "1:"
                     : "=a"(pid), "=m"(vfork_mark)
                     : "a"((long)SYS_vfork)
                     : "ebx", "memory");
#endif
    tap_check(pid > 0, "vfork returns the child's pid (%ld)", pid);
    tap_eq(vfork_mark, 1, "the vfork child shares the parent's memory and ran before the parent went on");
    status = reap(pid);
    tap_check(exited_with(status, 9), "the vfork child's exit code arrives (status %#x)", status);

    /* clone as fork does it, with the tid writes. */
    int ptid = 0;
    static int ctid;
    ctid = 0;
    pid = sg_syscall(SYS_clone, SIGCHLD | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID, 0, (long)&ptid,
                     SG_BITS == 64 ? (long)&ctid : 0, SG_BITS == 64 ? 0 : (long)&ctid, 0);
    if (pid == 0)
        sys_exit(ctid == sys_getpid() ? 0 : 1);
    tap_eq(ptid, pid, "CLONE_PARENT_SETTID writes the child's pid into the parent");
    tap_eq(ctid, 0, "CLONE_CHILD_SETTID writes into the child's copy, not the parent's memory");
    tap_check(exited_with(reap(pid), 0), "the child finds its pid at CLONE_CHILD_SETTID's address");
    tap_eq(sg_syscall(SYS_clone, SIGCHLD | CLONE_THREAD, 0, 0, 0, 0, 0), -SG_EINVAL,
           "clone with CLONE_THREAD but not CLONE_SIGHAND is -EINVAL");
    tap_eq(sg_syscall(SYS_clone, SIGCHLD | 0x800, 0, 0, 0, 0, 0), -SG_EINVAL,
           "clone with CLONE_SIGHAND but not CLONE_VM is -EINVAL");
    tap_eq(sg_syscall(SYS_clone, SIGCHLD | 0x20000, 0, 0, 0, 0, 0), -SG_EINVAL, "clone with CLONE_NEWNS is -EINVAL");
    tap_eq(sg_syscall(SYS_clone, SIGCHLD | CLONE_PARENT_SETTID, 0, 16, 0, 0, 0), -SG_EFAULT,
           "clone with CLONE_PARENT_SETTID at an unwritable address is -EFAULT");
    tap_eq(wait4r(-1, 0, WNOHANG, 0), -SG_ECHILD, "... and leaves no child behind");
    tap_eq(sg_syscall(SYS_clone, 65, 0, 0, 0, 0, 0), -SG_EINVAL, "clone with an exit signal past 64 is -EINVAL");

    /* posix_spawn's CLONE_VM|CLONE_VFORK with a stack of its own: the
     * child cannot return on it, so it exits at once in assembly. */
    static uint8_t stack[4096] __attribute__((aligned(16)));
    long flags = CLONE_VM | CLONE_VFORK | SIGCHLD;
    long r;
#if SG_BITS == 64
    register long r10 __asm__("r10") = 0;
    __asm__ volatile("syscall\n"
                     "test %%rax, %%rax\n jnz 1f\n"
                     "mov $60, %%eax\n mov $21, %%edi\n syscall\n"
                     "1:"
                     : "=a"(r)
                     : "a"((long)SYS_clone), "D"(flags), "S"(stack + sizeof stack), "d"(0), "r"(r10)
                     : "rcx", "r11", "memory");
#else
    __asm__ volatile("push %%ebx\n mov %2, %%ebx\n int $0x80\n"
                     "test %%eax, %%eax\n jnz 1f\n"
                     "mov $1, %%eax\n mov $21, %%ebx\n int $0x80\n"
                     "1: pop %%ebx"
                     : "=a"(r)
                     : "a"((long)SYS_clone), "r"(flags), "c"(stack + sizeof stack), "d"(0), "S"(0), "D"(0)
                     : "memory");
#endif
    tap_check(r > 0, "clone(CLONE_VM|CLONE_VFORK) with a new stack returns the child's pid (posix_spawn's way, %ld)",
              r);
    tap_check(r > 0 && exited_with(reap(r), 21), "the child ran on its own stack and exited 21");
}

static void check_exec(void)
{
    int p[2], q[2];
    tap_eq(sys_pipe2(p, O_CLOEXEC), 0, "pipe2(O_CLOEXEC)");
    tap_eq(sys_pipe2(q, 0), 0, "pipe2(0)");
    long pid = sys_fork();
    if (pid == 0) {
        char gone[3] = { (char)('0' + p[1] / 10), (char)('0' + p[1] % 10), 0 };
        char kept[3] = { (char)('0' + q[1] / 10), (char)('0' + q[1] % 10), 0 };
        char *args[] = { (char *)self, "exec-check", "two words", gone, kept, 0 };
        char *env[] = { "A=1", "B=", 0 };
        sys_execve(self, args, env);
        sys_exit(99);
    }
    sys_close(p[1]);
    sys_close(q[1]);
    int status = reap(pid);
    tap_check(exited_with(status, 42), "execve: argv and envp arrive, an O_CLOEXEC fd is closed, another kept "
                                       "(status %#x)", status);
    char buf[16] = { 0 };
    tap_eq(read_full(q[0], buf, 11), 11, "the exec'd program writes through the inherited pipe");
    tap_check(!memcmp(buf, "via kept fd", 11), "... what it wrote");
    tap_eq(sys_read(p[0], buf, 1), 0, "the close-on-exec write end is closed: end of file");
    sys_close(p[0]);
    sys_close(q[0]);

    /* Either width to either width, keeping the pid. */
    pid = sys_fork();
    if (pid == 0) {
        char *args[] = { (char *)OTHER_WIDTH, "width", "again", 0 };
        sys_execve(OTHER_WIDTH, args, 0);
        sys_exit(99);
    }
    status = reap(pid);
    tap_check(exited_with(status, SG_BITS / 8), "a %d-bit process execs a %d-bit program that execs a %d-bit one "
                                                "(status %#x)", SG_BITS, 96 - SG_BITS, SG_BITS, status);

    /* Errors, each with the caller intact. */
    char *noargs[] = { "x", 0 };
    tap_eq(sys_execve("/no/such/program", noargs, 0), -SG_ENOENT, "execve of a missing file is -ENOENT");
    tap_eq(sys_execve("/clients", noargs, 0), -SG_EACCES, "execve of a directory is -EACCES");
    tap_eq(sys_execve("/fixture/dir/exec.sh", noargs, 0), -SG_ENOEXEC,
           "execve of an executable script (no #! support) is -ENOEXEC");
    tap_eq(sys_execve((const char *)16, noargs, 0), -SG_EFAULT, "execve with an unreadable path is -EFAULT");
    tap_eq(sys_execve(self, (char *const *)16, 0), -SG_EFAULT, "an unreadable argv is -EFAULT");
    char *badarg[] = { "x", (char *)16, 0 };
    tap_eq(sys_execve(self, badarg, 0), -SG_EFAULT, "an unreadable argv string is -EFAULT");
    tap_eq(sys_execve(self, noargs, (char *const *)(long)-4096), -SG_EFAULT, "a kernel-half envp is -EFAULT");

    /* -E2BIG: one string of MAX_ARG_STRLEN bytes (the NUL makes it one
     * too many), and 20 strings of 120 KiB (2.4 MiB > a quarter of the
     * 8 MiB stack limit). */
    long big = sys_mmap(0, MAX_ARG_STRLEN + 4096, 3, 0x22, -1, 0);
    tap_check((unsigned long)big < -4096ul, "mmap for the long strings");
    if ((unsigned long)big < -4096ul) {
        memset((void *)big, 'a', MAX_ARG_STRLEN);
        char *one[] = { (char *)big, 0 };
        tap_eq(sys_execve(self, one, 0), -SG_E2BIG, "an argument of MAX_ARG_STRLEN bytes plus the NUL is -E2BIG");
        ((char *)big)[MAX_ARG_STRLEN - 1] = 0;
        ((char *)big)[120 * 1024] = 0;
        char *many[22];
        for (int i = 0; i < 21; i++)
            many[i] = (char *)big;
        many[21] = 0;
        tap_eq(sys_execve(self, many, 0), -SG_E2BIG, "2.4 MiB of arguments is -E2BIG");
        char *env[] = { (char *)big, 0 };
        char *role[] = { (char *)self, "exit7", 0 };
        pid = sys_fork();
        if (pid == 0) {
            sys_execve(self, role, env);
            sys_exit(99);
        }
        status = reap(pid);
        tap_check(exited_with(status, 7), "a 120 KiB environment string is fine (status %#x)", status);
        sys_munmap((void *)big, MAX_ARG_STRLEN + 4096);
    }
    tap_eq(sys_getpid() > 0, 1, "the caller is intact after every refused execve");

    /* An empty argv: the program gets argc 1 and argv[0] "" (Linux). */
    pid = sys_fork();
    if (pid == 0) {
        char *volatile no_argv = 0;
        sys_execve(self, no_argv, 0);
        sys_exit(99);
    }
    status = reap(pid);
    tap_check(exited_with(status, 8), "execve with a NULL argv runs the program with argv[0] \"\" (status %#x)", status);
}

static void check_wait(void)
{
    int status = -1;
    tap_eq(wait4r(-1, &status, 0, 0), -SG_ECHILD, "wait4 without children is -ECHILD");
    tap_eq(wait4r(-1, &status, 0x100, 0), -SG_EINVAL, "wait4 with an unknown option is -EINVAL");
    tap_eq(wait4r(-2147483647 - 1, &status, 0, 0), -SG_ESRCH, "wait4(INT_MIN) is -ESRCH");

    int p[2];
    sys_pipe2(p, 0);
    long pid = sys_fork();
    if (pid == 0) {
        char c;
        sys_read(p[0], &c, 1);      /* until the parent says */
        sys_exit(c);
    }
    tap_eq(wait4r((int)pid, &status, WNOHANG, 0), 0, "wait4 WNOHANG on a live child returns 0");
#if SG_BITS == 64
    tap_eq(wait4r((int)pid, (int *)(long)-4096, 0, 0), -SG_EFAULT, "wait4 with a kernel-half status pointer is -EFAULT, "
                                                                  "before waiting");
#endif
    sys_write(p[1], "\x05", 1);
    uint8_t usage[144];
    memset(usage, 0xff, sizeof usage);
    tap_eq(wait4r(-1, &status, 0, usage), pid, "wait4(-1) collects the child");
    tap_check(exited_with(status, 5), "with its status (%#x)", status);
    int zero = 1;
    for (int i = 0; i < (SG_BITS == 64 ? 144 : 72); i++)
        zero &= usage[i] == 0;
    tap_check(zero, "rusage is filled in (zeros: per-child times are not counted)");
#if SG_BITS == 32
    tap_eq(usage[72], 0xff, "i386's struct rusage is 72 bytes");
    pid = sys_fork();
    if (pid == 0)
        sys_exit(6);
    tap_eq(sg_syscall(SYS_waitpid, pid, (long)&status, 0, 0, 0, 0), pid, "i386 waitpid (7) collects a child");
    tap_check(exited_with(status, 6), "... with its status");
#endif

    /* waitid: siginfo as Linux fills it; WNOWAIT leaves the zombie. */
    pid = sys_fork();
    if (pid == 0)
        sys_exit(11);
    int32_t info[32];
    memset(info, 0xff, sizeof info);
    tap_eq(sg_syscall(SYS_waitid, P_PID, pid, (long)info, WEXITED | WNOWAIT, 0, 0), 0, "waitid(P_PID, WNOWAIT)");
    int u = SG_BITS == 64 ? 4 : 3;
    tap_check(info[0] == SIGCHLD && info[1] == 0 && info[2] == 1 && info[u] == pid && info[u + 1] == 0 &&
              info[u + 2] == 11, "siginfo: SIGCHLD, CLD_EXITED, the pid, uid 0, status 11");
    tap_eq(sg_syscall(SYS_waitid, P_PID, pid, (long)info, WEXITED, 0, 0), 0, "waitid again reaps it");
    tap_eq(wait4r((int)pid, &status, 0, 0), -SG_ECHILD, "... and it is gone");
    tap_eq(sg_syscall(SYS_waitid, P_PID, pid, (long)info, 0, 0, 0), -SG_EINVAL, "waitid without WEXITED/WSTOPPED/"
                                                                                "WCONTINUED is -EINVAL");
    tap_eq(sg_syscall(SYS_waitid, 7, 0, (long)info, WEXITED, 0, 0), -SG_EINVAL, "waitid with an unknown idtype is -EINVAL");

    /* Killed by a signal: WTERMSIG. */
    pid = sys_fork();
    if (pid == 0)
        for (;;)
            sys_nanosleep_ms(1000);
    tap_eq(sys_kill((int)pid, SIGTERM), 0, "kill(child, SIGTERM)");
    status = reap(pid);
    tap_check(SG_WIFSIGNALED(status) && SG_WTERMSIG(status) == SIGTERM, "the status says SIGTERM (%#x)", status);

    /* An orphan goes to init: the grandchild reports its new parent. */
    pid = sys_fork();
    if (pid == 0) {
        long g = sys_fork();
        if (g == 0) {
            while (sys_getppid() != 1)
                sys_nanosleep_ms(5);
            sys_write(p[1], "1", 1);
            sys_exit(0);
        }
        sys_exit(0);
    }
    reap(pid);
    char c = 0;
    tap_eq(sys_read(p[0], &c, 1), 1, "the orphan reports");
    tap_eq(c, '1', "an orphan's parent is init (getppid 1)");
    sys_close(p[0]);
    sys_close(p[1]);
}

static void check_groups(void)
{
    long me = sys_getpid();
    long pgid = sys_getpgid(0);
    tap_check(pgid > 0 && sys_getpgid((int)me) == pgid, "getpgid(0) = getpgid(self) = %ld", pgid);
    tap_eq(sg_syscall(SYS_getpgrp, 0, 0, 0, 0, 0, 0), pgid, "getpgrp = getpgid(0)");
    tap_eq(sys_getpgid(100000), -SG_ESRCH, "getpgid of no process is -ESRCH");
    tap_eq(sys_getsid(100000), -SG_ESRCH, "getsid of no process is -ESRCH");
    tap_eq(sys_setpgid(0, -1), -SG_EINVAL, "setpgid to a negative group is -EINVAL");
    tap_eq(sys_setpgid(1, 1), -SG_ESRCH, "setpgid of a process that is not self or a child is -ESRCH");

    /* A child in a new session: leader of its group and session. */
    int p[2];
    sys_pipe2(p, 0);
    long pid = sys_fork();
    if (pid == 0) {
        long s = sys_setsid();
        int bad = (s != sys_getpid()) | (sys_getsid(0) != s) << 1 | (sys_getpgid(0) != s) << 2 |
                  (sys_setsid() != -SG_EPERM) << 3 | (sys_setpgid(0, 0) != -SG_EPERM) << 4;
        sys_exit(bad);
    }
    int status = reap(pid);
    tap_check(exited_with(status, 0), "setsid makes a child leader of a new session and group; again -EPERM; "
                                      "setpgid of a session leader -EPERM (status %#x)", status);

    /* Two children in a group of their own, killed together. */
    long a = sys_fork();
    if (a == 0) {
        char c;
        sys_read(p[0], &c, 1);
        sys_exit(1);
    }
    long b = sys_fork();
    if (b == 0) {
        char c;
        sys_read(p[0], &c, 1);
        sys_exit(1);
    }
    tap_eq(sys_setpgid((int)a, (int)a), 0, "setpgid(a, a): a leads a new group");
    tap_eq(sys_setpgid((int)b, (int)a), 0, "setpgid(b, a): b joins it");
    tap_eq(sys_getpgid((int)b), a, "getpgid(b) = a");
    tap_eq(sys_setpgid((int)b, 100000), -SG_EPERM, "joining a group that does not exist is -EPERM");
    tap_eq(sys_kill(-(int)a, SIGTERM), 0, "kill(-a, SIGTERM) signals the group");
    int sa = reap(a), sb = reap(b);
    tap_check(SG_WTERMSIG(sa) == SIGTERM && SG_WTERMSIG(sb) == SIGTERM, "both members die of SIGTERM (%#x %#x)", sa,
              sb);
    tap_eq(sys_kill(-(int)a, SIGTERM), -SG_ESRCH, "kill of an empty group is -ESRCH");
    tap_eq(sys_kill((int)me, 65), -SG_EINVAL, "kill with signal 65 is -EINVAL");

    /* wait4(0) and wait4(-pgid) choose by group. */
    a = sys_fork();
    if (a == 0)
        sys_exit(4);
    sys_setpgid((int)a, (int)a);
    tap_eq(wait4r(0, &status, 0, 0), -SG_ECHILD, "wait4(0) does not see a child in another group");
    tap_eq(wait4r(-(int)a, &status, 0, 0), a, "wait4(-pgid) collects it");

    /* setpgid of a child that has exec'd: -EACCES. */
    pid = sys_fork();
    if (pid == 0) {
        char *args[] = { (char *)self, "wait-pipe", 0 };
        sys_dup2(p[0], 0);
        sys_execve(self, args, 0);
        sys_exit(99);
    }
    long r = -1;
    for (int i = 0; i < 200 && (r = sys_setpgid((int)pid, (int)pid)) == 0; i++) {
        sys_setpgid((int)pid, (int)pgid);
        sys_nanosleep_ms(5);
    }
    tap_eq(r, -SG_EACCES, "setpgid of a child after its execve is -EACCES");
    sys_write(p[1], "x", 1);
    tap_check(exited_with(reap(pid), 0), "the exec'd child ends");
    sys_close(p[0]);
    sys_close(p[1]);
}

static void check_pipes(void)
{
    int p[2];
    tap_eq(sys_pipe2(p, 0x8), -SG_EINVAL, "pipe2 with an unknown flag is -EINVAL");
    long next = sys_dup(0);
    sys_close((int)next);
    tap_eq(sg_syscall(SYS_pipe, 16, 0, 0, 0, 0, 0), -SG_EFAULT, "pipe into an unwritable array is -EFAULT");
    long after = sys_dup(0);
    sys_close((int)after);
    tap_eq(after, next, "... and leaves no descriptor behind");

    tap_eq(sg_syscall(SYS_pipe, (long)p, 0, 0, 0, 0, 0), 0, "pipe");
    tap_eq(sys_fcntl(p[0], F_GETFL, 0), O_RDONLY, "the read end is O_RDONLY");
    tap_eq(sys_fcntl(p[1], F_GETFL, 0), O_WRONLY, "the write end is O_WRONLY");
    struct stat st;
    tap_eq(sg_syscall(SYS_fstat, p[0], (long)&st, 0, 0, 0, 0), 0, "fstat of a pipe");
    tap_eq(st.st_mode & S_IFMT, S_IFIFO, "... is a FIFO");
    tap_eq(sys_write(p[0], "x", 1), -SG_EBADF, "writing the read end is -EBADF");
    tap_eq(sys_lseek(p[0], 0, 0), -SG_ESPIPE, "lseek on a pipe is -ESPIPE");
    tap_eq(sys_write(p[1], "hello", 5), 5, "write 5 bytes");
    char buf[8];
    tap_eq(sys_read(p[0], buf, 8), 5, "read returns what is there (5)");

    /* 200 KiB across processes, more than the buffer holds. */
    uint8_t *data = (uint8_t *)sys_mmap(0, 400 * 1024, 3, 0x22, -1, 0), *back = data + 200 * 1024;
    for (unsigned i = 0; i < 200 * 1024; i++)
        data[i] = (uint8_t)(i * 7 + i / 251);
    long pid = sys_fork();
    if (pid == 0) {
        sys_close(p[0]);
        long w = sys_write(p[1], data, 200 * 1024);
        sys_exit(w == 200 * 1024 ? 0 : 1);
    }
    sys_close(p[1]);
    tap_eq(read_full(p[0], back, 200 * 1024), 200 * 1024, "a reader blocks and gets all 200 KiB from a writer");
    tap_check(!memcmp(data, back, 200 * 1024), "... byte for byte");
    tap_eq(sys_read(p[0], buf, 1), 0, "when the last writer is gone: end of file");
    tap_check(exited_with(reap(pid), 0), "the writer wrote it in one call");
    sys_close(p[0]);

    /* No reader: SIGPIPE ends the writer (its default action). */
    sys_pipe2(p, 0);
    sys_close(p[0]);
    pid = sys_fork();
    if (pid == 0) {
        sys_write(p[1], "x", 1);
        sys_exit(0);
    }
    int status = reap(pid);
    tap_check(SG_WIFSIGNALED(status) && SG_WTERMSIG(status) == SIGPIPE, "a write with no reader: SIGPIPE (%#x)",
              status);
    sys_close(p[1]);

    /* O_NONBLOCK: -EAGAIN instead of blocking, both ways. */
    tap_eq(sys_pipe2(p, O_NONBLOCK | O_CLOEXEC), 0, "pipe2(O_NONBLOCK|O_CLOEXEC)");
    tap_eq(sys_fcntl(p[0], F_GETFD, 0), FD_CLOEXEC, "O_CLOEXEC sets FD_CLOEXEC");
    tap_eq(sys_read(p[0], buf, 1), -SG_EAGAIN, "an empty non-blocking pipe: read -EAGAIN");
    long total = 0, w;
    while ((w = sys_write(p[1], data, 4096)) > 0)
        total += w;
    tap_eq(total, 65536, "a non-blocking writer fills 64 KiB");
    tap_eq(w, -SG_EAGAIN, "then write is -EAGAIN");
    tap_eq(sys_read(p[0], back, 100), 100, "read 100 bytes");
    tap_eq(sys_write(p[1], data, 4096), -SG_EAGAIN, "a 4096-byte write (PIPE_BUF) does not split into 100 bytes of room");
    tap_eq(sys_write(p[1], data, 5000), 100, "a 5000-byte write fills the 100 bytes");
    sys_close(p[0]);
    sys_close(p[1]);
    sys_munmap(data, 400 * 1024);
}

/* Fills the process table with forked children (each blocked on a pipe),
 * until fork says -EAGAIN; then they all go. */
static void check_table_full(void)
{
    int p[2];
    sys_pipe2(p, 0);
    long kids[64];
    int n = 0;
    long r = 0;
    while (n < 64) {
        r = sys_fork();
        if (r == 0) {
            char c;
            sys_close(p[1]);    /* else its own copy keeps the pipe open */
            sys_exit((int)sys_read(p[0], &c, 1));
        }
        if (r < 0)
            break;
        kids[n++] = r;
    }
    tap_eq(r, -SG_EAGAIN, "fork with the process table full is -EAGAIN (after %d children)", n);
    sys_close(p[1]);
    int collected = 0;
    for (int i = 0; i < n; i++)
        collected += exited_with(reap(kids[i]), 0);
    tap_eq(collected, n, "every child saw end of file and was collected");
    sys_close(p[0]);
}

/* ---- threads: clone(CLONE_THREAD), futex, CLEARTID, exit_group ---- */

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_WAIT_BITSET 9
#define FUTEX_PRIVATE 128

static long sys_futex(volatile int *addr, int op, int val, const void *ts, int val3)
{
    return sg_syscall(SYS_futex, (long)addr, op, val, (long)ts, 0, val3);
}

/* A thread running fn on stack (its top), its tid at *tid until it ends
 * (CLONE_PARENT_SETTID, CLONE_CHILD_CLEARTID: pthread's way), or a
 * process sharing what flags say. */
static long spawn_clone(long flags, void (*fn)(void), uint8_t *stack_top, volatile int *tid)
{
    return sg_clone_call(flags, fn, stack_top, tid);
}

static long spawn_thread(void (*fn)(void), uint8_t *stack_top, volatile int *tid)
{
    return spawn_clone(SG_THREAD_FLAGS, fn, stack_top, tid);
}

static uint8_t thread_stacks[4][16384] __attribute__((aligned(16)));
static volatile int thread_tids[4];
static volatile long thread_seen[4][2];     /* getpid, gettid */
static volatile int thread_next;
static volatile int stop_flag;

static void thread_body(void)
{
    int me = __atomic_fetch_add(&thread_next, 1, __ATOMIC_SEQ_CST);
    thread_seen[me][0] = sys_getpid();
    thread_seen[me][1] = sg_syscall(SYS_gettid, 0, 0, 0, 0, 0, 0);
}

/* Flips argument 0 in the argument page until told to stop. */
static void flipper_body(void)
{
    while (!stop_flag) {
        SG_ARGPAGE->args[0] = 0x1111;
        SG_ARGPAGE->args[0] = 0x2222;
        sys_sched_yield();
    }
}

/* Forks a child that exits 12; the main thread collects it. */
static volatile long forked_by_thread;
static void forker_body(void)
{
    long c = sys_fork();
    if (c == 0)
        sys_exit(12);
    forked_by_thread = c;
}

/* Blocks for ever on a futex nobody wakes. */
static volatile int never;
static void sleeper_body(void)
{
    sys_futex(&never, FUTEX_WAIT, 0, 0, 0);
}

/* In a child of its own: a thread that sleeps, and the main thread's
 * exit_group ends both. */
static int exit_group_role(void)
{
    static volatile int t;
    spawn_thread(sleeper_body, thread_stacks[0] + sizeof thread_stacks[0], &t);
    sg_syscall(SYS_exit_group, 5, 0, 0, 0, 0, 0);
    return 99;
}

static void group_ender_body(void)
{
    sg_syscall(SYS_exit_group, 6, 0, 0, 0, 0, 0);
}

static void check_threads(void)
{
    long pid = sys_getpid();
    thread_next = 0;
    for (int i = 0; i < 4; i++) {
        long t = spawn_thread(thread_body, thread_stacks[i] + sizeof thread_stacks[i], &thread_tids[i]);
        tap_check(t > pid, "clone(CLONE_VM|CLONE_THREAD|...) makes thread %d (tid %ld)", i, t);
    }
    for (int i = 0; i < 4; i++)
        sg_thread_join(&thread_tids[i]);
    tap_eq(thread_next, 4, "all four threads ran in the shared memory");
    int ok = 1;
    for (int i = 0; i < 4; i++)
        ok &= thread_seen[i][0] == pid && thread_seen[i][1] != pid && thread_seen[i][1] > 0;
    tap_check(ok, "each thread's getpid is the process's, its gettid its own");
    tap_check(thread_tids[0] == 0 && thread_tids[3] == 0, "CLONE_CHILD_CLEARTID cleared each tid and woke the joiner");
    tap_eq(wait4r(-1, 0, WNOHANG, 0), -SG_ECHILD, "threads are not children to wait for");

    static volatile int forker_tid;
    spawn_thread(forker_body, thread_stacks[0] + sizeof thread_stacks[0], &forker_tid);
    sg_thread_join(&forker_tid);
    int fstatus = -1;
    tap_eq(wait4r((int)forked_by_thread, &fstatus, 0, 0), forked_by_thread,
           "the main thread collects a child another thread forked");
    tap_check(exited_with(fstatus, 12), "... with its status (%#x)", fstatus);

    /* futex errors and timeouts. */
    volatile int word = 7;
    struct { long sec, nsec; } ts = { 0, 20 * 1000 * 1000 };
    tap_eq(sys_futex(&word, FUTEX_WAIT, 8, 0, 0), -SG_EAGAIN, "FUTEX_WAIT on a changed value is -EAGAIN");
    tap_eq(sys_futex(&word, FUTEX_WAIT | FUTEX_PRIVATE, 7, &ts, 0), -SG_ETIMEDOUT,
           "FUTEX_WAIT_PRIVATE with a 20 ms timeout is -ETIMEDOUT");
    tap_eq(sys_futex((volatile int *)((char *)&word + 1), FUTEX_WAKE, 1, 0, 0), -SG_EINVAL,
           "an unaligned futex is -EINVAL");
    tap_eq(sys_futex(&word, FUTEX_WAIT_BITSET, 7, 0, 0), -SG_EINVAL, "FUTEX_WAIT_BITSET with an empty bitset is -EINVAL");
    tap_eq(sys_futex(&word, 99, 7, 0, 0), -SG_ENOSYS, "an unknown futex operation is -ENOSYS");
    tap_eq(sys_futex((volatile int *)16, FUTEX_WAIT, 0, 0, 0), -SG_EFAULT, "FUTEX_WAIT on an unmapped word is -EFAULT");
    tap_eq(sys_futex(&word, FUTEX_WAKE, 1, 0, 0), 0, "FUTEX_WAKE with no waiter wakes 0");

    /* No double fetch: another thread flips argument 0 in the argument
     * page while this one makes calls that read it there; every result is
     * that of one whole set of arguments. */
    static volatile int flipper_tid;
    stop_flag = 0;
    SG_ARGPAGE->args[0] = 0x1111;
    spawn_thread(flipper_body, thread_stacks[0] + sizeof thread_stacks[0], &flipper_tid);
    uintptr_t stub = sg_kip_default();
    int consistent = 1;
    for (int i = 0; i < 2000; i++) {
        for (int j = 1; j < 6; j++)
            SG_ARGPAGE->args[j] = (unsigned long)(j * 0x10101);
        long r = sg_call_stub(stub, SYS_sg_echo6 | SG_ARGS_PAGE, 0, 0, 0, 0, 0, 0);
        long a = (long)sg_echo6_expect(0x1111, 0x10101, 0x20202, 0x30303, 0x40404, 0x50505);
        long b = (long)sg_echo6_expect(0x2222, 0x10101, 0x20202, 0x30303, 0x40404, 0x50505);
        if (consistent && r != a && r != b)
            tap_diag("call %d: %#lx, not %#lx or %#lx", i, (unsigned long)r, (unsigned long)a, (unsigned long)b);
        consistent &= r == a || r == b;
        if (i % 100 == 0)
            sys_sched_yield();
    }
    stop_flag = 1;
    sg_thread_join(&flipper_tid);
    tap_check(consistent, "2000 calls through the argument page while another thread flips it: each result is one "
                          "consistent set of arguments (fetched once)");

    /* exit_group from the main thread and from another thread. */
    long child = sys_fork();
    if (child == 0)
        sys_exit(exit_group_role());
    int status = reap(child);
    tap_check(exited_with(status, 5), "exit_group ends a process whose other thread sleeps (status %#x)", status);
    child = sys_fork();
    if (child == 0) {
        static volatile int t;
        spawn_thread(group_ender_body, thread_stacks[1] + sizeof thread_stacks[1], &t);
        for (;;)
            sys_futex(&never, FUTEX_WAIT, 0, 0, 0);
    }
    status = reap(child);
    tap_check(exited_with(status, 6), "a thread's exit_group ends the process, the main thread too (status %#x)", status);
    /* A fatal signal ends every thread. */
    child = sys_fork();
    if (child == 0) {
        static volatile int t;
        spawn_thread(sleeper_body, thread_stacks[1] + sizeof thread_stacks[1], &t);
        for (;;)
            sys_futex(&never, FUTEX_WAIT, 0, 0, 0);
    }
    sys_nanosleep_ms(20);
    sys_kill((int)child, SIGTERM);
    status = reap(child);
    tap_check(SG_WIFSIGNALED(status) && SG_WTERMSIG(status) == SIGTERM, "SIGTERM ends a process of two threads "
                                                                        "(status %#x)", status);
}

/* ---- bounded fuzzing of the process calls ---- */

static uint64_t fuzz_state = 0x2545f4914f6cdd1dull;

static uint64_t fuzz_next(void)
{
    fuzz_state ^= fuzz_state << 13;
    fuzz_state ^= fuzz_state >> 7;
    fuzz_state ^= fuzz_state << 17;
    return fuzz_state;
}

static uint8_t fuzz_scratch[8192] __attribute__((aligned(16)));

static long fuzz_hostile(void)
{
    switch (fuzz_next() % 7) {
    case 0: return 0;
    case 1: return -1;
    case 2: return (long)(fuzz_next() % 4096);
    case 3: return (long)(unsigned long)0xffffffff80100000ull;
    case 4: return 0x10000000l;
    case 5: return (long)(uintptr_t)(fuzz_scratch + 4096 + fuzz_next() % 4096);
    default: return (long)fuzz_next();
    }
}

/* In a child: 300 clones with drawn process flags (no CLONE_PARENT: every
 * child must be this one's to collect) and hostile stacks and tid
 * pointers, each clone child exiting at once (or dying of its stack), 300
 * execves with hostile path, argv and envp, which must all fail, and 300
 * futex calls with hostile words and operations. */
static int fuzz_role(void)
{
    /* Not CLONE_VM (nor CLONE_SIGHAND and CLONE_THREAD, which need it): a
     * child sharing the memory on a hostile stack would scribble on ours. */
    static const long flag_pool[] = { 0x4000, 0x40000, 0x100000, 0x200000, 0x400000, 0x800000, 0x1000000,
                                      0x80000, 0x400, 0x200, 0x20000, 0x2000 };
    /* The drawn exit signals come to this process as its children end
     * (Linux's too): ignored, but for SIGCHLD (ignoring it would reap the
     * children before wait4 can) and for SIGKILL and SIGSTOP, which are
     * not drawn. */
    for (int sig = 1; sig <= 64; sig++)
        if (sig != SIGCHLD && sig != SIGKILL && sig != SIGSTOP)
            sg_sigaction(sig, (void *)SG_SIG_IGN, 0, 0, 0);
    for (int i = 0; i < 300; i++) {
        long flags = (long)(fuzz_next() % 70);
        if (flags == SIGKILL || flags == SIGSTOP)
            flags = SIGCHLD;
        for (int j = 0; j < 3; j++)
            if (fuzz_next() % 2)
                flags |= flag_pool[fuzz_next() % (sizeof flag_pool / sizeof flag_pool[0])];
        for (unsigned k = 0; k < sizeof fuzz_scratch; k++)
            fuzz_scratch[k] = (uint8_t)fuzz_next();
        long sp = fuzz_next() % 2 ? 0 : fuzz_hostile();
        long r = sg_syscall(SYS_clone, flags, sp, fuzz_hostile(), fuzz_hostile(), fuzz_hostile(), 0);
        if (r == 0)
            sys_exit(0);
        if (r > 0 && reap(r) < 0)
            return 2;
        r = sys_execve(fuzz_hostile(), fuzz_hostile(), fuzz_hostile());
        if (r >= 0)
            return 3;
        /* futex: any operation and flags, hostile words, but always a
         * 1 ms timeout, so that no wait lasts. */
        static const struct { long sec, nsec; } ms = { 0, 1000000 };
        static const int ops[] = { 0, 1, 3, 4, 5, 6, 9, 10, 13, 99 };
        int op = ops[fuzz_next() % 10] | (fuzz_next() % 2 ? 128 : 0) | (fuzz_next() % 4 ? 0 : 256);
        long timeout = op % 128 == 3 || op % 128 == 4 ? fuzz_hostile() : (long)(uintptr_t)&ms;
        sg_syscall(SYS_futex, fuzz_hostile(), op, fuzz_hostile(), timeout, fuzz_hostile(), fuzz_hostile());
    }
    int status;
    while (wait4r(-1, &status, 0, 0) > 0)
        ;
    return 0;
}

static void check_fuzz(void)
{
    long pid = sys_fork();
    if (pid == 0)
        sys_exit(fuzz_role());
    int status = reap(pid);
    tap_check(exited_with(status, 0), "300 hostile clones, execves and futex calls: every clone child collected, "
                                      "every execve refused, the caller intact (status %#x)", status);
    tap_eq(sys_getpid() > 0, 1, "the kernel answers afterwards");
}

/* ---- signals and threads: one handler table (CLONE_SIGHAND), signals
 * to the process taken by a thread that does not block them ---- */

#define SIGUSR1 10
#define SIGUSR2 12
static volatile long handled_by;
static volatile int handled_count, thread_ready, thread_go;

static long gettid(void) { return sg_syscall(SYS_gettid, 0, 0, 0, 0, 0, 0); }
static void tid_handler(int sig) { (void)sig; handled_by = gettid(); handled_count++; }

static void block(int how, int sig)
{
    uint64_t set = 1ull << (sig - 1);
    sys_rt_sigprocmask(how, &set, 0);
}

/* Waits (futex) until *word is set. */
static void await(volatile int *word)
{
    while (!*word)
        sys_futex(word, FUTEX_WAIT, 0, 0, 0);
}

static void set_and_wake(volatile int *word)
{
    *word = 1;
    sys_futex(word, FUTEX_WAKE, 1, 0, 0);
}

static void installer_body(void)
{
    sg_sigaction(SIGUSR1, (void *)tid_handler, 0, 0, 0);
}

/* Runs handlers: does not block SIGUSR2 (whatever mask it inherited),
 * pauses until one ran. */
static volatile long taker_tid;
static void taker_body(void)
{
    taker_tid = gettid();
    block(SG_SIG_UNBLOCK, SIGUSR2);
    set_and_wake(&thread_ready);
    while (!handled_count)
        sys_pause();
}

/* Blocks SIGUSR2 (as the main thread does), unblocks it when told. */
static void late_taker_body(void)
{
    taker_tid = gettid();
    block(SG_SIG_BLOCK, SIGUSR2);
    set_and_wake(&thread_ready);
    await(&thread_go);
    block(SG_SIG_UNBLOCK, SIGUSR2);
}

static void check_thread_signals(void)
{
    static volatile int tid;
    uintptr_t old = 0;
    long me = gettid();

    spawn_thread(installer_body, thread_stacks[0] + sizeof thread_stacks[0], &tid);
    sg_thread_join(&tid);
    sg_sigaction(SIGUSR1, (void *)SG_SIG_DFL, 0, 0, &old);
    tap_eq(old, (uintptr_t)tid_handler, "CLONE_SIGHAND: a handler one thread installs is every thread's");

    /* kill(getpid()) while this thread blocks the signal: another takes it. */
    sg_sigaction(SIGUSR2, (void *)tid_handler, 0, 0, 0);
    block(SG_SIG_BLOCK, SIGUSR2);
    handled_count = 0, handled_by = 0, thread_ready = 0;
    spawn_thread(taker_body, thread_stacks[0] + sizeof thread_stacks[0], &tid);
    await(&thread_ready);
    sys_kill((int)sys_getpid(), SIGUSR2);
    sg_thread_join(&tid);
    tap_eq(handled_by, taker_tid, "a signal to the process is taken by the thread that does not block it");
    uint64_t pending = 1;
    sys_rt_sigpending(&pending);
    tap_eq(pending, 0, "... and no longer pending for the thread that blocks it");

    /* Every thread blocks it: pending for the process until one unblocks. */
    handled_count = 0, handled_by = 0, thread_ready = 0, thread_go = 0;
    spawn_thread(late_taker_body, thread_stacks[0] + sizeof thread_stacks[0], &tid);
    await(&thread_ready);
    sys_kill((int)sys_getpid(), SIGUSR2);
    pending = 0;
    sys_rt_sigpending(&pending);
    tap_eq(pending, 1ull << (SIGUSR2 - 1), "blocked by every thread: pending for the process (rt_sigpending)");
    set_and_wake(&thread_go);
    sg_thread_join(&tid);
    tap_check(handled_count == 1 && handled_by == taker_tid, "the first thread to unblock it takes it (%d, %ld, %ld)",
              handled_count, handled_by, taker_tid);

    /* tgkill: that thread, although this one does not block it. */
    block(SG_SIG_UNBLOCK, SIGUSR2);
    handled_count = 0, handled_by = 0, thread_ready = 0;
    spawn_thread(taker_body, thread_stacks[0] + sizeof thread_stacks[0], &tid);
    await(&thread_ready);
    sys_tgkill((int)sys_getpid(), (int)taker_tid, SIGUSR2);
    sg_thread_join(&tid);
    tap_check(handled_by == taker_tid && handled_by != me, "tgkill reaches the thread it names");
    sg_sigaction(SIGUSR2, (void *)SG_SIG_DFL, 0, 0, 0);

    /* CLONE_VM|CLONE_SIGHAND without CLONE_THREAD: another process with
     * the same handler table. */
    long pid = spawn_clone(0x100 | 0x800 | 0x100000 | 0x200000 | SIGCHLD, installer_body,
                           thread_stacks[0] + sizeof thread_stacks[0], &tid);
    sg_thread_join(&tid);
    tap_eq(reap(pid), 0, "a CLONE_VM|CLONE_SIGHAND process ...");
    sg_sigaction(SIGUSR1, (void *)SG_SIG_DFL, 0, 0, &old);
    tap_eq(old, (uintptr_t)tid_handler, "... shares its handlers with its parent");
}

/* ---- clone3, execveat, select/pselect6/ppoll ---- */

#define AT_FDCWD -100
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_EMPTY_PATH 0x1000

struct clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
    uint64_t set_tid, set_tid_size, cgroup;
};

static long clone3(struct clone_args *a, unsigned long size)
{
    return sg_syscall(SYS_clone3, (long)a, (long)size, 0, 0, 0, 0);
}

static void check_clone3(void)
{
    static uint8_t big[80];
    struct clone_args a;
    memset(&a, 0, sizeof a);
    tap_eq(clone3(&a, 0), -SG_EINVAL, "clone3 with a size below CLONE_ARGS_SIZE_VER0 (64) is -EINVAL");
    memset(big, 0, sizeof big);
    big[72] = 1;
    tap_eq(clone3((struct clone_args *)big, 80), -SG_EINVAL, "clone3 with set_tid is -EINVAL (not supported)");
    uint8_t *larger = fuzz_scratch;
    memset(larger, 0, 200);
    larger[150] = 1;
    tap_eq(clone3((struct clone_args *)larger, 200), -SG_E2BIG, "clone3: non-zero bytes beyond the known structure: -E2BIG");
    a.flags = SIGCHLD;
    tap_eq(clone3(&a, 64), -SG_EINVAL, "clone3 with the exit signal in flags is -EINVAL");
    a.flags = 0, a.stack = 0x10000;
    tap_eq(clone3(&a, 64), -SG_EINVAL, "clone3 with a stack but no stack size is -EINVAL");
    tap_eq(clone3((struct clone_args *)16, 64), -SG_EFAULT, "clone3 with an unreadable structure is -EFAULT");

    memset(&a, 0, sizeof a);
    volatile int tid_slot = 0;
    a.exit_signal = SIGCHLD;
    a.flags = CLONE_PARENT_SETTID;
    a.parent_tid = (uintptr_t)&tid_slot;
    memset(larger, 0, 200);
    memcpy(larger, &a, sizeof a);
    long pid = clone3((struct clone_args *)larger, 200);    /* zeros beyond: accepted */
    if (pid == 0)
        sys_exit(9);
    tap_check(pid > 0 && tid_slot == pid, "clone3 (exit signal SIGCHLD, CLONE_PARENT_SETTID) makes a child (%ld)", pid);
    int status = reap(pid);
    tap_check(exited_with(status, 9), "... which the parent collects (status %#x)", status);
}

static void check_execveat(void)
{
    char *args[] = { (char *)self, "exit7", 0 };
    long pid = sys_fork();
    if (pid == 0)
        sys_exit((int)sg_syscall(SYS_execveat, AT_FDCWD, (long)self, (long)args, 0, 0, 0) + 100);
    tap_check(exited_with(reap(pid), 7), "execveat(AT_FDCWD, path) runs the program");
    int fd = (int)sys_open(self, O_RDONLY | O_CLOEXEC);
    pid = sys_fork();
    if (pid == 0)
        sys_exit((int)sg_syscall(SYS_execveat, fd, (long)"", (long)args, 0, AT_EMPTY_PATH, 0) + 100);
    tap_check(exited_with(reap(pid), 7), "execveat(fd, \"\", AT_EMPTY_PATH) runs the file open as fd (fexecve)");
    sys_close(fd);
    int dir = (int)sys_open("/fixture", O_RDONLY | O_DIRECTORY);
    tap_eq(sg_syscall(SYS_execveat, dir, (long)"link", (long)args, 0, AT_SYMLINK_NOFOLLOW, 0), -SG_ELOOP,
           "execveat(dirfd, symlink, AT_SYMLINK_NOFOLLOW) is -ELOOP");
    tap_eq(sg_syscall(SYS_execveat, dir, (long)"link", (long)args, 0, 0, 0), -SG_EACCES,
           "... followed, the file (relative to dirfd) has no execute bit: -EACCES");
    tap_eq(sg_syscall(SYS_execveat, dir, (long)"", (long)args, 0, 0, 0), -SG_ENOENT,
           "an empty path without AT_EMPTY_PATH is -ENOENT");
    tap_eq(sg_syscall(SYS_execveat, dir, (long)"link", (long)args, 0, 0x4, 0), -SG_EINVAL,
           "execveat with an unknown flag is -EINVAL");
    sys_close(dir);
    tap_eq(sg_syscall(SYS_execveat, 999, (long)"x", (long)args, 0, 0, 0), -SG_EBADF, "execveat with a bad dirfd: -EBADF");
}

/* fd_set as the kernel sees it: bits in longs of the caller's width. */
typedef struct { unsigned long w[4]; } fdset;
#define FDBITS (8 * sizeof(unsigned long))
static void fd_put(fdset *s, int fd) { s->w[fd / FDBITS] |= 1ul << (fd % FDBITS); }
static int fd_has(const fdset *s, int fd) { return (s->w[fd / FDBITS] >> (fd % FDBITS)) & 1; }

static volatile int usr1_runs;
static void usr1_handler(int sig) { (void)sig; usr1_runs++; }

static void check_select(void)
{
    int p[2];
    sys_pipe2(p, 0);
    fdset r, w;
    memset(&r, 0, sizeof r), memset(&w, 0, sizeof w);
    fd_put(&r, p[0]), fd_put(&w, p[1]);
    long tv[2] = { 0, 0 };
#if SG_BITS == 64
    long nr = SYS_select;
#else
    long nr = SYS__newselect;
#endif
    long n = sg_syscall(nr, p[1] + 1, (long)&r, (long)&w, 0, (long)tv, 0);
    tap_check(n == 1 && !fd_has(&r, p[0]) && fd_has(&w, p[1]), "select: an empty pipe's write end is ready, its "
              "read end not (%ld)", n);
    sys_write(p[1], "x", 1);
    memset(&r, 0, sizeof r);
    fd_put(&r, p[0]);
    n = sg_syscall(nr, p[0] + 1, (long)&r, 0, 0, 0, 0);
    tap_check(n == 1 && fd_has(&r, p[0]), "select without a timeout returns once the read end has data (%ld)", n);
    char c;
    sys_read(p[0], &c, 1);
    memset(&r, 0, sizeof r);
    fd_put(&r, p[0]);
    tv[0] = 0, tv[1] = 20000;
    n = sg_syscall(nr, p[0] + 1, (long)&r, 0, 0, (long)tv, 0);
    tap_check(n == 0 && !fd_has(&r, p[0]) && tv[0] == 0 && tv[1] == 0, "a 20 ms select on nothing: 0, the set "
              "cleared, the timeval counted down to 0 (%ld, %ld)", n, tv[1]);
    memset(&r, 0, sizeof r);
    fd_put(&r, 77);
    tap_eq(sg_syscall(nr, 78, (long)&r, 0, 0, (long)tv, 0), -SG_EBADF, "select of a closed descriptor is -EBADF");
    tap_eq(sg_syscall(nr, -1, 0, 0, 0, 0, 0), -SG_EINVAL, "select with nfds < 0 is -EINVAL");
    tv[1] = 1000000;
    tap_eq(sg_syscall(nr, 1, 0, 0, 0, (long)tv, 0), -SG_EINVAL, "select with tv_usec 1000000 is -EINVAL");
#if SG_BITS == 32
    unsigned long old_args[5] = { (unsigned long)p[1] + 1, 0, (unsigned long)&w, 0, 0 };
    memset(&w, 0, sizeof w);
    fd_put(&w, p[1]);
    tap_eq(sg_syscall(SYS_old_select, (long)old_args, 0, 0, 0, 0, 0), 1, "i386's old select (82) takes its arguments "
                                                                          "from a structure");
#endif

    /* pselect6 and ppoll wait with their own mask: a blocked, pending
     * SIGUSR1 runs its handler inside them, and the mask is back after. */
    uint64_t set = 1ull << (SIGUSR1 - 1), none = 0;
    sg_sigaction(SIGUSR1, (void *)usr1_handler, 0, 0, 0);
    sys_rt_sigprocmask(SG_SIG_BLOCK, &set, 0);
    sys_kill((int)sys_getpid(), SIGUSR1);
    usr1_runs = 0;
    memset(&r, 0, sizeof r);
    fd_put(&r, p[0]);
    long sigarg[2] = { (long)&none, 8 };
    n = sg_syscall(SYS_pselect6, p[0] + 1, (long)&r, 0, 0, 0, (long)sigarg);
    tap_check(n == -SG_EINTR && usr1_runs == 1, "pselect6 with an empty mask: the pending SIGUSR1's handler runs, "
              "-EINTR (%ld, %d)", n, usr1_runs);
    tap_eq(sg_blocked() & set, set, "... and SIGUSR1 is blocked again afterwards");
    sys_kill((int)sys_getpid(), SIGUSR1);
    struct { int fd; short events, revents; } pfd = { p[0], 1, 0 };
    usr1_runs = 0;
    n = sg_syscall(SYS_ppoll, (long)&pfd, 1, 0, (long)&none, 8, 0);
    tap_check(n == -SG_EINTR && usr1_runs == 1, "ppoll with an empty mask: the same (%ld, %d)", n, usr1_runs);
    tap_eq(sg_blocked() & set, set, "... the mask back afterwards");
    long ts[2] = { 0, 0 };
    n = sg_syscall(SYS_ppoll, (long)&pfd, 1, (long)ts, (long)&set, 8, 0);
    tap_eq(n, 0, "ppoll with a zero timeout and nothing to read: 0");
    tap_eq(sg_syscall(SYS_ppoll, (long)&pfd, 1, 0, (long)&set, 4, 0), -SG_EINVAL, "ppoll with sigsetsize 4: -EINVAL");
    sys_rt_sigprocmask(SG_SIG_UNBLOCK, &set, 0);
    sg_sigaction(SIGUSR1, (void *)SG_SIG_DFL, 0, 0, 0);
    sys_close(p[0]);
    sys_close(p[1]);
}

int main(int argc, char **argv)
{
    self = argv[0];
    if (argc == 0 || !self[0])
        return 8;       /* exec'd with a NULL argv */
    if (argc > 1) {
        if (!strcmp(argv[1], "exec-check"))
            return exec_check(argc, argv);
        if (!strcmp(argv[1], "width"))
            return width_role(argc, argv);
        if (!strcmp(argv[1], "exit7"))
            return 7;
        if (!strcmp(argv[1], "wait-pipe")) {
            char c;
            sys_read(0, &c, 1);
            return 0;
        }
    }
    tap_begin("procs");
    check_fork();
    check_exec();
    check_wait();
    check_groups();
    check_pipes();
    check_table_full();
    check_threads();
    check_thread_signals();
    check_clone3();
    check_execveat();
    check_select();
    check_fuzz();
    return tap_end();
}
