/* The file calls' wrappers (files.h). */
#include "files.h"

long sys_open(const char *path, int flags)
{
    return sg_syscall(SYS_open, (long)path, flags, 0, 0, 0, 0);
}

long sys_openat(int dirfd, const char *path, int flags)
{
    return sg_syscall(SYS_openat, dirfd, (long)path, flags, 0, 0, 0);
}

long sys_close(int fd)
{
    return sg_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
}

long sys_dup(int fd)
{
    return sg_syscall(SYS_dup, fd, 0, 0, 0, 0, 0);
}

long sys_dup2(int oldfd, int newfd)
{
    return sg_syscall(SYS_dup2, oldfd, newfd, 0, 0, 0, 0);
}

long sys_dup3(int oldfd, int newfd, int flags)
{
    return sg_syscall(SYS_dup3, oldfd, newfd, flags, 0, 0, 0);
}

long sys_fcntl(int fd, int cmd, long arg)
{
    return sg_syscall(SYS_fcntl, fd, cmd, arg, 0, 0, 0);
}

long sys_lseek(int fd, long off, int whence)
{
    return sg_syscall(SYS_lseek, fd, off, whence, 0, 0, 0);
}

long sys_ioctl(int fd, unsigned long cmd, void *arg)
{
    return sg_syscall(SYS_ioctl, fd, (long)cmd, (long)arg, 0, 0, 0);
}

long sys_getdents64(int fd, void *buf, unsigned count)
{
    return sg_syscall(SYS_getdents64, fd, (long)buf, count, 0, 0, 0);
}

long sys_chdir(const char *path)
{
    return sg_syscall(SYS_chdir, (long)path, 0, 0, 0, 0, 0);
}

long sys_getcwd(char *buf, size_t size)
{
    return sg_syscall(SYS_getcwd, (long)buf, (long)size, 0, 0, 0, 0);
}

long sys_readlink(const char *path, char *buf, size_t size)
{
    return sg_syscall(SYS_readlink, (long)path, (long)buf, (long)size, 0, 0, 0);
}

long sys_access(const char *path, int mode)
{
    return sg_syscall(SYS_access, (long)path, mode, 0, 0, 0, 0);
}

long sys_pread64(int fd, void *buf, size_t len, int64_t pos)
{
#ifdef __x86_64__
    return sg_syscall(SYS_pread64, fd, (long)buf, (long)len, pos, 0, 0);
#else
    return sg_syscall(SYS_pread64, fd, (long)buf, (long)len, (long)(uint32_t)pos, (long)(uint32_t)(pos >> 32), 0);
#endif
}
