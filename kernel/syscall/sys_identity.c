/*
 * Who a process is and what it may use, as Linux answers (man pages
 * getuid(2), getppid(2), gettid(2), uname(2), getrandom(2), getrlimit(2),
 * set_tid_address(2), set_robust_list(2), sched_getaffinity(2), getcpu(2), prctl(2)).  Every
 * process runs as root (uid and gid 0) on one CPU; limits are kept and
 * reported per process but not enforced beyond what sysgate's own fixed
 * sizes enforce.
 */
#include "syscall.h"
#include "uaccess.h"
#include "../entry/entry.h"
#include "../lib/random.h"
#include "../proc/proc.h"
#include <sysgate/abi.h>

/* Both the 16-bit i386 calls and the *32 ones: root is 0 in either. */
long sys_getuid(void) { return 0; }
long sys_geteuid(void) { return 0; }
long sys_getgid(void) { return 0; }
long sys_getegid(void) { return 0; }
long sys_getuid32(void) { return 0; }
long sys_geteuid32(void) { return 0; }
long sys_getgid32(void) { return 0; }
long sys_getegid32(void) { return 0; }

/* The first program's parent is the kernel: 0, as for Linux's init. */
long sys_getppid(void)
{
    const struct proc *parent = current_proc()->parent;
    return parent ? parent->pid : 0;
}

/* One thread per process: its id is the process's. */
long sys_gettid(void)
{
    return current_proc()->pid;
}

/* A live process by pid; 0 is the caller. */
static struct proc *find_live(int pid)
{
    if (pid == 0)
        return current_proc();
    for (int i = 0; i < MAX_PROCS; i++)
        if (procs[i].pid == pid && procs[i].state != PROC_FREE && procs[i].state != PROC_ZOMBIE)
            return &procs[i];
    return 0;
}

/* Remembered for the thread library; with no threads nothing clears it. */
long sys_set_tid_address(uint64_t tidptr)
{
    current_proc()->clear_child_tid = tidptr;
    return current_proc()->pid;
}

/* The head's size: struct robust_list_head, three words of the caller's
 * width (include/uapi/linux/futex.h); any other length is -EINVAL. */
long sys_set_robust_list(uint64_t head, uint64_t len)
{
    struct proc *p = current_proc();
    if (len != (uint64_t)(p->bits == 64 ? 24 : 12))
        return -SG_EINVAL;
    p->robust_list = head;
    p->robust_list_len = len;
    return 0;
}

/* One CPU: bit 0 of a mask of at least the kernel's size (Linux's
 * nr_cpu_ids rounded up to a long, here one long); returns the bytes
 * written, as the raw system call does. */
long sys_sched_getaffinity(uint64_t pid, uint64_t len, uint64_t mask)
{
    unsigned word = current_proc()->bits == 64 ? 8 : 4;
    if ((int)pid < 0 || !find_live((int)pid))
        return -SG_ESRCH;
    if (len < word || len % word)
        return -SG_EINVAL;
    uint64_t one = 1;
    return copy_to_user(mask, &one, word) ? -SG_EFAULT : (long)word;
}

/* getcpu(2): CPU 0 of node 0, the one there is (the vDSOs answer the
 * same in user space: musl's i386 sched_getcpu has no vDSO to ask); the
 * third argument, a cache, has been unused since Linux 2.6.24. */
long sys_getcpu(uint64_t cpu, uint64_t node, uint64_t cache)
{
    (void)cache;
    uint32_t zero = 0;
    if ((cpu && copy_to_user(cpu, &zero, sizeof zero)) || (node && copy_to_user(node, &zero, sizeof zero)))
        return -SG_EFAULT;
    return 0;
}

struct linux_utsname {
    char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

/* sysname "sysgate": what busybox `uname -a` shows, honestly.  The release
 * names the Linux ABI level sysgate follows in a form C libraries parse
 * (glibc reads a "major.minor.patch" prefix where it checks the kernel's
 * version).  The machine is x86_64 for both widths, as Linux answers an
 * i386 program that has not asked for PER_LINUX32.  The version is fixed
 * (sg_info has the git revision), so that `uname -a` prints the same on
 * every build. */
long sys_uname(uint64_t buf)
{
    struct linux_utsname u;
    memset(&u, 0, sizeof u);
    strlcpy(u.sysname, "sysgate", sizeof u.sysname);
    strlcpy(u.nodename, "sysgate", sizeof u.nodename);
    strlcpy(u.release, "6.1.0-sysgate", sizeof u.release);
    strlcpy(u.version, "#1 " SG_VERSION_STRING, sizeof u.version);
    strlcpy(u.machine, "x86_64", sizeof u.machine);
    strlcpy(u.domainname, "(none)", sizeof u.domainname);
    return copy_to_user(buf, &u, sizeof u) ? -SG_EFAULT : 0;
}

#define GRND_NONBLOCK 1
#define GRND_RANDOM   2

/* Never blocks: the source is ready from boot.  Linux caps one call at
 * INT_MAX bytes. */
long sys_getrandom(uint64_t buf, uint64_t len, uint64_t flags)
{
    if (flags & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM))
        return -SG_EINVAL;
    if (current_proc()->bits == 32)
        len = (uint32_t)len;
    if (len > 0x7fffffff)
        len = 0x7fffffff;
    if (!user_range_ok(buf, len))
        return -SG_EFAULT;
    uint8_t chunk[256];
    for (uint64_t done = 0; done < len;) {
        size_t n = len - done < sizeof chunk ? len - done : sizeof chunk;
        random_fill(chunk, n, flags & GRND_RANDOM);
        if (copy_to_user(buf + done, chunk, n))
            return done ? (long)done : -SG_EFAULT;
        done += n;
    }
    return (long)len;
}

/* ---- resource limits ---- */

#define RLIM_INFINITY          (~0ull)
#define COMPAT_RLIM_INFINITY   0xffffffffull   /* i386's struct rlimit */
#define COMPAT_RLIM_OLD_INFINITY 0x7fffffffull /* i386's old getrlimit (76) */
#define RLIMIT_CORE    4
#define RLIMIT_NPROC   6
#define RLIMIT_NOFILE  7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_MSGQUEUE 12
#define RLIMIT_NICE    13
#define RLIMIT_RTPRIO  14
#define NR_OPEN        1048576     /* fs/file.c sysctl_nr_open's default */

/* What Linux gives init (include/asm-generic/resource.h INIT_RLIMITS),
 * with the process count at sysgate's table size. */
void proc_identity_init(struct proc *p, const struct proc *parent)
{
    if (parent) {
        memcpy(p->rlimits, parent->rlimits, sizeof p->rlimits);
        return;
    }
    for (int i = 0; i < RLIM_NLIMITS; i++)
        p->rlimits[i] = (struct rlimit64){ RLIM_INFINITY, RLIM_INFINITY };
    p->rlimits[RLIMIT_STACK].cur = 8 << 20;         /* _STK_LIM */
    p->rlimits[RLIMIT_CORE].cur = 0;
    p->rlimits[RLIMIT_NPROC] = (struct rlimit64){ MAX_PROCS, MAX_PROCS };
    p->rlimits[RLIMIT_NOFILE] = (struct rlimit64){ 1024, 4096 };   /* INR_OPEN_CUR, _MAX */
    p->rlimits[RLIMIT_MEMLOCK] = (struct rlimit64){ 8 << 20, 8 << 20 };
    p->rlimits[RLIMIT_SIGPENDING] = (struct rlimit64){ MAX_PROCS, MAX_PROCS };
    p->rlimits[RLIMIT_MSGQUEUE] = (struct rlimit64){ 819200, 819200 };
    p->rlimits[RLIMIT_NICE] = (struct rlimit64){ 0, 0 };
    p->rlimits[RLIMIT_RTPRIO] = (struct rlimit64){ 0, 0 };
}

/* Linux's do_prlimit: cur <= max, and NOFILE no higher than nr_open. */
static long set_limit(struct proc *p, unsigned resource, struct rlimit64 new)
{
    if (new.cur > new.max)
        return -SG_EINVAL;
    if (resource == RLIMIT_NOFILE && new.max > NR_OPEN)
        return -SG_EPERM;
    p->rlimits[resource] = new;
    return 0;
}

long sys_prlimit64(uint64_t pid, uint64_t resource, uint64_t new_ptr, uint64_t old_ptr)
{
    struct proc *p = find_live((int)pid);
    if (!p)
        return -SG_ESRCH;
    if (resource >= RLIM_NLIMITS)
        return -SG_EINVAL;
    struct rlimit64 new, old = p->rlimits[resource];
    if (new_ptr && copy_from_user(&new, new_ptr, sizeof new))
        return -SG_EFAULT;
    if (old_ptr && !user_range_ok(old_ptr, sizeof old))
        return -SG_EFAULT;
    if (new_ptr) {
        long r = set_limit(p, (unsigned)resource, new);
        if (r)
            return r;
    }
    if (old_ptr && copy_to_user(old_ptr, &old, sizeof old))
        return -SG_EFAULT;
    return 0;
}

/* struct rlimit of the caller's width; a 32-bit caller sees values that do
 * not fit as `infinity` (compat_sys_getrlimit), the old i386 call as
 * 0x7fffffff (sys_old_getrlimit). */
static long get_limit(uint64_t resource, uint64_t ptr, uint64_t infinity32)
{
    if (resource >= RLIM_NLIMITS)
        return -SG_EINVAL;
    struct rlimit64 r = current_proc()->rlimits[resource];
    if (current_proc()->bits == 64)
        return copy_to_user(ptr, &r, sizeof r) ? -SG_EFAULT : 0;
    uint32_t r32[2] = { r.cur > infinity32 ? (uint32_t)infinity32 : (uint32_t)r.cur,
                        r.max > infinity32 ? (uint32_t)infinity32 : (uint32_t)r.max };
    return copy_to_user(ptr, r32, sizeof r32) ? -SG_EFAULT : 0;
}

long sys_getrlimit(uint64_t resource, uint64_t ptr)
{
    return get_limit(resource, ptr, COMPAT_RLIM_OLD_INFINITY);
}

long sys_ugetrlimit(uint64_t resource, uint64_t ptr)
{
    return get_limit(resource, ptr, COMPAT_RLIM_INFINITY);
}

long sys_setrlimit(uint64_t resource, uint64_t ptr)
{
    if (resource >= RLIM_NLIMITS)
        return -SG_EINVAL;
    struct rlimit64 new;
    if (current_proc()->bits == 64) {
        if (copy_from_user(&new, ptr, sizeof new))
            return -SG_EFAULT;
    } else {
        uint32_t r32[2];
        if (copy_from_user(r32, ptr, sizeof r32))
            return -SG_EFAULT;
        new.cur = r32[0] == COMPAT_RLIM_INFINITY ? RLIM_INFINITY : r32[0];
        new.max = r32[1] == COMPAT_RLIM_INFINITY ? RLIM_INFINITY : r32[1];
    }
    return set_limit(current_proc(), (unsigned)resource, new);
}

/* ---- prctl: the process's name ---- */

#define PR_SET_NAME   15
#define PR_GET_NAME   16
#define TASK_COMM_LEN 16    /* with its NUL (include/linux/sched.h) */

/* PR_SET_NAME and PR_GET_NAME (prctl(2)): the name is the one the kernel's
 * log lines show.  Linux cuts a longer name to 15 bytes.  PR_GET_TSC and
 * PR_SET_TSC: whether rdtsc works or faults (SIGSEGV) in this thread - the
 * rdtsc door's switch (entry/exception_doors.c).  Every other option is
 * -EINVAL here. */
long sys_prctl(uint64_t option, uint64_t arg2, uint64_t arg3, uint64_t arg4, uint64_t arg5)
{
    (void)arg3, (void)arg4, (void)arg5;
    struct proc *p = current_proc();
    char comm[TASK_COMM_LEN];
    switch (option) {
    case PR_SET_NAME:
        for (size_t i = 0; i < TASK_COMM_LEN - 1; i++) {
            if (copy_from_user(&comm[i], arg2 + i, 1))
                return -SG_EFAULT;
            if (!comm[i])
                break;
        }
        comm[TASK_COMM_LEN - 1] = 0;
        strlcpy(p->name, comm, sizeof p->name);
        return 0;
    case PR_GET_NAME:
        memset(comm, 0, sizeof comm);
        strlcpy(comm, p->name, sizeof comm);
        return copy_to_user(arg2, comm, sizeof comm) ? -SG_EFAULT : 0;
    case SG_PR_GET_TSC: {
        int mode = (int)exception_doors_tsc_mode();
        return copy_to_user(arg2, &mode, sizeof mode) ? -SG_EFAULT : 0;
    }
    case SG_PR_SET_TSC:
        return exception_doors_set_tsc_mode(arg2);
    }
    return -SG_EINVAL;
}
