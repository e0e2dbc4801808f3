/*
 * The user library's file calls: thin wrappers over sg_syscall (Linux
 * semantics, -errno on failure), with the constants and structures from
 * the host's Linux headers (linux-libc-dev) - an independent statement of
 * the ABI the kernel's own copy (kernel/fs/linux.h) is tested against.
 */
#ifndef SYSGATE_USER_FILES_H
#define SYSGATE_USER_FILES_H

#include <linux/fcntl.h>
#include <asm/stat.h>
#include <linux/stat.h>
#include <asm/termios.h>
#include <asm/ioctls.h>
#include "sysgate.h"

/* access's modes (unistd.h). */
#define SG_F_OK 0
#define SG_X_OK 1
#define SG_W_OK 2
#define SG_R_OK 4

#define SG_SEEK_SET 0
#define SG_SEEK_CUR 1
#define SG_SEEK_END 2
#define SG_SEEK_DATA 3
#define SG_SEEK_HOLE 4

long sys_open(const char *path, int flags);
long sys_openat(int dirfd, const char *path, int flags);
long sys_close(int fd);
long sys_dup(int fd);
long sys_dup2(int oldfd, int newfd);
long sys_dup3(int oldfd, int newfd, int flags);
long sys_fcntl(int fd, int cmd, long arg);
long sys_lseek(int fd, long off, int whence);
long sys_ioctl(int fd, unsigned long cmd, void *arg);
long sys_getdents64(int fd, void *buf, unsigned count);
long sys_chdir(const char *path);
long sys_getcwd(char *buf, size_t size);
long sys_readlink(const char *path, char *buf, size_t size);
long sys_access(const char *path, int mode);
/* pread64 with a 64-bit position: one register, or two for i386. */
long sys_pread64(int fd, void *buf, size_t len, int64_t pos);

#endif
