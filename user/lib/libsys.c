/* Typed wrappers over sg_syscall. */
#include "sysgate.h"
#include <sysgate/kip.h>

long sys_write(int fd, const void *buf, size_t len)
{
    return sg_syscall(SYS_write, fd, (long)buf, (long)len, 0, 0, 0);
}

long sys_read(int fd, void *buf, size_t len)
{
    return sg_syscall(SYS_read, fd, (long)buf, (long)len, 0, 0, 0);
}

long sys_getpid(void)
{
    return sg_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
}

long sys_sched_yield(void)
{
    return sg_syscall(SYS_sched_yield, 0, 0, 0, 0, 0, 0);
}

long sys_nanosleep_ms(long ms)
{
    struct {
        long sec, nsec;     /* struct timespec of this width */
    } ts = { ms / 1000, (ms % 1000) * 1000000 };
    return sg_syscall(SYS_nanosleep, (long)&ts, 0, 0, 0, 0, 0);
}

long sys_wait4(int pid, int *status, int options)
{
    return sg_syscall(SYS_wait4, pid, (long)status, options, 0, 0, 0);
}

long sys_kill(int pid, int sig)
{
    return sg_syscall(SYS_kill, pid, sig, 0, 0, 0, 0);
}

void sys_exit(int code)
{
    for (;;)
        sg_syscall(SYS_exit_group, code, 0, 0, 0, 0, 0);
}

long sg_spawn(const char *path, char *const argv[])
{
    return sg_syscall(SYS_sg_spawn, (long)path, (long)argv, 0, 0, 0, 0);
}

long sg_info(struct sg_info *info)
{
    return sg_syscall(SYS_sg_info, (long)info, sizeof *info, 0, 0, 0, 0);
}

long sg_null(void)
{
    return sg_syscall(SYS_sg_null, 0, 0, 0, 0, 0, 0);
}

void sg_shutdown(int status)
{
    for (;;)
        sg_syscall(SYS_sg_shutdown, status, 0, 0, 0, 0, 0);
}

long sg_run(const char *path, char *const argv[])
{
    long pid = sg_spawn(path, argv);
    if (pid < 0)
        return pid;
    int status = 0;
    long r = sys_wait4((int)pid, &status, 0);
    return r < 0 ? r : status;
}

long sg_run_init(const char *path, char *const argv[])
{
    long pid = sg_spawn(path, argv);
    if (pid < 0)
        return pid;
    for (;;) {
        int status = 0;
        long r = sys_wait4(-1, &status, 0);
        if (r == pid || r < 0)
            return r < 0 ? r : status;
    }
}

const struct sg_kip_header *sg_kip_header(void)
{
    const struct sg_kip_header *h = (const struct sg_kip_header *)(sg_kip + SG_KIP_HEADER_OFFSET);
    if (!sg_kip || h->magic != SG_KIP_MAGIC || h->version != SG_KIP_VERSION)
        return 0;
    return h;
}

uintptr_t sg_kip_default(void)
{
    const struct sg_kip_header *h = sg_kip_header();
    return h ? sg_kip + h->default_offset : 0;
}

uintptr_t sg_kip_stub(int mech)
{
    const struct sg_kip_header *h = sg_kip_header();
    if (!h || mech < 0 || mech >= SG_MECH_COUNT || !(h->mechanisms & (1u << mech)) || !h->stub_offset[mech])
        return 0;
    return sg_kip + h->stub_offset[mech];
}

long sg_syscall_via(int mech, long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
    uint64_t stub = sg_kip_stub(mech);
    return stub ? sg_call_stub(stub, nr, a1, a2, a3, a4, a5, a6) : -SG_ENOSYS;
}

const char *sg_mechanism_name(int mech)
{
    static const char *const names[SG_MECH_COUNT] = {
#define DOOR(NAME, name, nr, rank, what) [SG_MECH_##NAME] = #name,
#include <sysgate/doors.def>
#undef DOOR
    };
    return mech >= 0 && mech < SG_MECH_COUNT ? names[mech] : "?";
}

const char *sg_errno_name(long err)
{
    switch (-err) {
    case 0: return "0";
    case SG_EPERM: return "-EPERM";
    case SG_ENOENT: return "-ENOENT";
    case SG_ESRCH: return "-ESRCH";
    case SG_E2BIG: return "-E2BIG";
    case SG_ENOEXEC: return "-ENOEXEC";
    case SG_EBADF: return "-EBADF";
    case SG_ECHILD: return "-ECHILD";
    case SG_EAGAIN: return "-EAGAIN";
    case SG_ENOMEM: return "-ENOMEM";
    case SG_EACCES: return "-EACCES";
    case SG_EFAULT: return "-EFAULT";
    case SG_EBUSY: return "-EBUSY";
    case SG_EEXIST: return "-EEXIST";
    case SG_ENODEV: return "-ENODEV";
    case SG_EINVAL: return "-EINVAL";
    case SG_ENAMETOOLONG: return "-ENAMETOOLONG";
    case SG_ENOSYS: return "-ENOSYS";
    case SG_EOVERFLOW: return "-EOVERFLOW";
    case SG_EOPNOTSUPP: return "-EOPNOTSUPP";
    }
    return "-E?";
}

long sg_clone_call(long flags, void (*fn)(void), void *stack_top, volatile int *tid)
{
    uintptr_t *sp = (uintptr_t *)stack_top - 4;
    sp[0] = (uintptr_t)fn;
    long r;
#ifdef __x86_64__
    register long r10 __asm__("r10") = (long)tid;
    register long r8 __asm__("r8") = 0;
    __asm__ volatile("syscall\n test %%rax, %%rax\n jnz 1f\n"
                     "call *(%%rsp)\n mov $60, %%eax\n xor %%edi, %%edi\n syscall\n"
                     "1:"
                     : "=a"(r)
                     : "a"((long)SYS_clone), "D"(flags), "S"(sp), "d"(tid), "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
#else
    __asm__ volatile("push %%ebx\n mov %2, %%ebx\n int $0x80\n test %%eax, %%eax\n jnz 1f\n"
                     "call *(%%esp)\n mov $1, %%eax\n xor %%ebx, %%ebx\n int $0x80\n"
                     "1: pop %%ebx"
                     : "=a"(r)
                     : "a"((long)SYS_clone), "r"(flags), "c"(sp), "d"(tid), "S"(0), "D"(tid)
                     : "memory");
#endif
    return r;
}

void sg_thread_join(volatile int *tid)
{
    int v;
    while ((v = *tid) != 0)
        sg_syscall(SYS_futex, (long)tid, 0 /* FUTEX_WAIT */, v, 0, 0, 0);
}
