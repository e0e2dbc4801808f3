/*
 * Linux's file ABI as the file system calls see it: open's flags
 * (include/uapi/asm-generic/fcntl.h, x86 values), the *at flags, fcntl's
 * commands, the stat structures of both widths (Linux: arch/x86/include/uapi/
 * asm/stat.h; for i386 as the x86-64 kernel's compat layer writes them),
 * statx (include/uapi/linux/stat.h), directory entries, and the terminal
 * ioctls (include/uapi/asm-generic/termbits.h, ioctls.h).  The in-guest
 * tests check these against the host's own Linux headers.
 */
#ifndef SYSGATE_FS_LINUX_H
#define SYSGATE_FS_LINUX_H

#include <stddef.h>
#include <stdint.h>

#define L_O_ACCMODE   00000003
#define L_O_RDONLY    00000000
#define L_O_WRONLY    00000001
#define L_O_RDWR      00000002
#define L_O_CREAT     00000100
#define L_O_EXCL      00000200
#define L_O_NOCTTY    00000400
#define L_O_TRUNC     00001000
#define L_O_APPEND    00002000
#define L_O_NONBLOCK  00004000
#define L_O_DIRECT    00040000
#define L_O_LARGEFILE 00100000
#define L_O_DIRECTORY 00200000
#define L_O_NOFOLLOW  00400000
#define L_O_NOATIME   01000000
#define L_O_CLOEXEC   02000000
#define L_O_PATH      010000000
#define L_O_TMPFILE   (020000000 | L_O_DIRECTORY)

#define L_AT_FDCWD            (-100)
#define L_AT_SYMLINK_NOFOLLOW 0x100
#define L_AT_EACCESS          0x200
#define L_AT_NO_AUTOMOUNT     0x800
#define L_AT_EMPTY_PATH       0x1000
#define L_AT_STATX_SYNC_TYPE  0x6000

#define L_F_DUPFD         0
#define L_F_GETFD         1
#define L_F_SETFD         2
#define L_F_GETFL         3
#define L_F_SETFL         4
#define L_F_DUPFD_CLOEXEC 1030
#define L_FD_CLOEXEC      1

#define L_SEEK_SET  0
#define L_SEEK_CUR  1
#define L_SEEK_END  2
#define L_SEEK_DATA 3
#define L_SEEK_HOLE 4

#define L_F_OK 0
#define L_X_OK 1
#define L_W_OK 2
#define L_R_OK 4

/* x86-64's struct stat. */
struct l_stat64 {
    uint64_t st_dev, st_ino, st_nlink;
    uint32_t st_mode, st_uid, st_gid, pad0;
    uint64_t st_rdev;
    int64_t st_size, st_blksize, st_blocks;
    uint64_t st_atime, st_atime_nsec, st_mtime, st_mtime_nsec, st_ctime, st_ctime_nsec;
    int64_t unused[3];
};
_Static_assert(sizeof(struct l_stat64) == 144 && offsetof(struct l_stat64, st_rdev) == 40 &&
               offsetof(struct l_stat64, st_mtime) == 88, "x86-64 struct stat");

/* i386's struct stat (stat, lstat, fstat: 16-bit mode, nlink, uid, gid). */
struct l_stat32 {
    uint32_t st_dev, st_ino;
    uint16_t st_mode, st_nlink, st_uid, st_gid;
    uint32_t st_rdev, st_size, st_blksize, st_blocks;
    uint32_t st_atime, st_atime_nsec, st_mtime, st_mtime_nsec, st_ctime, st_ctime_nsec;
    uint32_t unused4, unused5;
};
_Static_assert(sizeof(struct l_stat32) == 64 && offsetof(struct l_stat32, st_rdev) == 16 &&
               offsetof(struct l_stat32, st_mtime) == 40, "i386 struct stat");

/* i386's struct stat64 (stat64, lstat64, fstat64, fstatat64): packed, its
 * 64-bit fields 4-byte aligned, the inode number twice. */
struct l_stat64_i386 {
    uint64_t st_dev;
    uint8_t pad0[4];
    uint32_t st_ino32;
    uint32_t st_mode, st_nlink, st_uid, st_gid;
    uint64_t st_rdev;
    uint8_t pad3[4];
    int64_t st_size;
    uint32_t st_blksize;
    int64_t st_blocks;
    uint32_t st_atime, st_atime_nsec, st_mtime, st_mtime_nsec, st_ctime, st_ctime_nsec;
    uint64_t st_ino;
} __attribute__((packed));
_Static_assert(sizeof(struct l_stat64_i386) == 96 && offsetof(struct l_stat64_i386, st_size) == 44 &&
               offsetof(struct l_stat64_i386, st_blocks) == 56 && offsetof(struct l_stat64_i386, st_ino) == 88,
               "i386 struct stat64");

struct l_statx_timestamp {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t reserved;
};

struct l_statx {
    uint32_t stx_mask, stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink, stx_uid, stx_gid;
    uint16_t stx_mode, spare0;
    uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
    struct l_statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
    uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
    uint64_t stx_mnt_id;
    uint32_t stx_dio_mem_align, stx_dio_offset_align;
    uint64_t spare3[12];
};
_Static_assert(sizeof(struct l_statx) == 256 && offsetof(struct l_statx, stx_mtime) == 112 &&
               offsetof(struct l_statx, stx_rdev_major) == 128, "struct statx");

#define L_STATX_BASIC_STATS 0x7ffu
#define L_STATX_MNT_ID      0x1000u
#define L_STATX_RESERVED    0x80000000u

/* getdents64's struct linux_dirent64: d_name at 19, records 8-aligned. */
#define L_DIRENT64_NAME 19
/* getdents's struct linux_dirent: d_ino, d_off (a long each), d_reclen,
 * d_name; d_type in the record's last byte. */

/* Terminal ioctls (x86: asm-generic/ioctls.h). */
#define L_TCGETS     0x5401
#define L_TCSETS     0x5402
#define L_TCSETSW    0x5403
#define L_TCSETSF    0x5404
#define L_TIOCGWINSZ 0x5413
#define L_TIOCSWINSZ 0x5414

/* poll(2)'s events (asm-generic/poll.h). */
#define L_POLLIN     0x001
#define L_POLLPRI    0x002
#define L_POLLOUT    0x004
#define L_POLLERR    0x008
#define L_POLLHUP    0x010
#define L_POLLNVAL   0x020
#define L_POLLRDNORM 0x040
#define L_POLLWRNORM 0x100

/* The kernel's struct termios (asm-generic/termbits.h): 36 bytes. */
struct l_termios {
    uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
    uint8_t c_line;
    uint8_t c_cc[19];
};
_Static_assert(sizeof(struct l_termios) == 36, "struct termios");

struct l_winsize {
    uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

#endif
