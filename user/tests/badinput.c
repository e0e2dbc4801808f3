/*
 * badinput: hostile arguments never take the kernel down.  Unknown call
 * numbers get -ENOSYS; every pointer that is NULL, in the kernel half,
 * non-canonical, unmapped, read-only where the kernel must write, or whose
 * buffer runs off the end of a mapping gets -EFAULT.  Reaching the end of
 * this program is itself the check that the kernel survived.  Built for
 * both widths: a 32-bit program cannot even name a kernel address, so it
 * tries the top of its 4 GiB instead.
 */
#include "../lib/files.h"
#include "../lib/tap.h"
#include "../../kernel/arch/layout.h"

#define UNMAPPED 0x10000000ul        /* nothing is mapped at 256 MiB */

#ifdef __x86_64__
#define KERNEL_TEXT 0xffffffff80100000ul
static const uintptr_t bad_pointers[] = {
    0, 8, UNMAPPED, KERNEL_TEXT, 0xffff800000000000ul, 0x0000800000000000ul, 0x8000000000000000ul,
    USER_END, ~0ul - 7,
};
static const char *const bad_names[] = {
    "NULL", "page 0", "an unmapped page", "the kernel image", "the physical map",
    "the first non-canonical address", "0x8000000000000000", "USER_END", "the last 8 bytes of memory",
};
#define STACK_TOP USER_STACK_TOP
#define TOP_OF_USER USER_END
#else
#define KERNEL_TEXT 0xfffff000ul     /* as high as 32 bits reach */
static const uintptr_t bad_pointers[] = { 0, 8, UNMAPPED, 0xf7ff0000ul, USER32_END, ~0ul - 7 };
static const char *const bad_names[] = {
    "NULL", "page 0", "an unmapped page", "a page between the interface page and the stack",
    "the last page of the 4 GiB", "the last 8 bytes of the 4 GiB",
};
#define STACK_TOP USER32_STACK_TOP
#define TOP_OF_USER 0xfffffffful
#endif

static void read_only_target(void) {}

/* Open descriptors for the file calls' cases: a file, a directory. */
static long file_fd, dir_fd;
static char scratch[256];

/* The file calls' outputs into memory the kernel cannot write (or reach):
 * each is -EFAULT. */
static void file_outputs_into(const uintptr_t *bad, const char *const *names, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        long p = (long)bad[i];
        const char *what = names[i];
        sys_lseek((int)file_fd, 0, SG_SEEK_SET);
        tap_eq(sys_read((int)file_fd, (void *)p, 8), -SG_EFAULT, "read of a file into %s is -EFAULT", what);
        tap_eq(sys_pread64((int)file_fd, (void *)p, 8, 0), -SG_EFAULT, "pread64 into %s is -EFAULT", what);
        tap_eq(sg_syscall(SYS_stat, (long)"/fixture/hello.txt", p, 0, 0, 0, 0), -SG_EFAULT,
               "stat into %s is -EFAULT", what);
        tap_eq(sg_syscall(SYS_fstat, file_fd, p, 0, 0, 0, 0), -SG_EFAULT, "fstat into %s is -EFAULT", what);
        tap_eq(sg_syscall(SYS_statx, AT_FDCWD, (long)"/fixture", 0, STATX_BASIC_STATS, p, 0), -SG_EFAULT,
               "statx into %s is -EFAULT", what);
        sys_lseek((int)dir_fd, 0, SG_SEEK_SET);
        tap_eq(sys_getdents64((int)dir_fd, (void *)p, 4096), -SG_EFAULT, "getdents64 into %s is -EFAULT", what);
        tap_eq(sg_syscall(SYS_getdents, dir_fd, p, 4096, 0, 0, 0), -SG_EFAULT, "getdents into %s is -EFAULT",
               what);
        tap_eq(sys_readlink("/fixture/link", (char *)p, 8), -SG_EFAULT, "readlink into %s is -EFAULT", what);
        tap_eq(sys_getcwd((char *)p, 64), -SG_EFAULT, "getcwd into %s is -EFAULT", what);
        tap_eq(sys_ioctl(1, TCGETS, (void *)p), -SG_EFAULT, "TCGETS into %s is -EFAULT", what);
        tap_eq(sys_ioctl(1, TIOCGWINSZ, (void *)p), -SG_EFAULT, "TIOCGWINSZ into %s is -EFAULT", what);
#ifndef __x86_64__
        tap_eq(sg_syscall(SYS_stat64, (long)"/fixture/hello.txt", p, 0, 0, 0, 0), -SG_EFAULT,
               "stat64 into %s is -EFAULT", what);
        tap_eq(sg_syscall(SYS__llseek, file_fd, 0, 0, p, SG_SEEK_SET, 0), -SG_EFAULT,
               "_llseek's result into %s is -EFAULT", what);
#endif
    }
}

/* Every file call with a hostile pointer for each of its pointer arguments. */
static void file_calls_with(const uintptr_t *bad, const char *const *names, unsigned n)
{
    file_fd = sys_open("/fixture/hello.txt", O_RDONLY);
    dir_fd = sys_open("/fixture", O_RDONLY | O_DIRECTORY);
    tap_check(file_fd >= 0 && dir_fd >= 0, "the fixture opens");
    for (unsigned i = 0; i < n; i++) {
        long p = (long)bad[i];
        const char *what = names[i];
        int paths_ok = sys_open((const char *)p, O_RDONLY) == -SG_EFAULT &&
                       sys_openat(AT_FDCWD, (const char *)p, O_RDONLY) == -SG_EFAULT &&
                       sg_syscall(SYS_stat, p, (long)scratch, 0, 0, 0, 0) == -SG_EFAULT &&
                       sg_syscall(SYS_lstat, p, (long)scratch, 0, 0, 0, 0) == -SG_EFAULT &&
                       sg_syscall(SYS_statx, dir_fd, p, 0, STATX_BASIC_STATS, (long)scratch, 0) == -SG_EFAULT &&
                       sys_access((const char *)p, SG_R_OK) == -SG_EFAULT &&
                       sg_syscall(SYS_faccessat, dir_fd, p, SG_R_OK, 0, 0, 0) == -SG_EFAULT &&
                       sg_syscall(SYS_faccessat2, dir_fd, p, SG_R_OK, 0, 0, 0) == -SG_EFAULT &&
                       sys_readlink((const char *)p, scratch, 8) == -SG_EFAULT &&
                       sg_syscall(SYS_readlinkat, dir_fd, p, (long)scratch, 8, 0, 0) == -SG_EFAULT &&
                       sys_chdir((const char *)p) == -SG_EFAULT;
#ifdef __x86_64__
        paths_ok = paths_ok && sg_syscall(SYS_newfstatat, dir_fd, p, (long)scratch, 0, 0, 0) == -SG_EFAULT;
#else
        paths_ok = paths_ok && sg_syscall(SYS_fstatat64, dir_fd, p, (long)scratch, 0, 0, 0) == -SG_EFAULT &&
                   sg_syscall(SYS_stat64, p, (long)scratch, 0, 0, 0, 0) == -SG_EFAULT &&
                   sg_syscall(SYS_lstat64, p, (long)scratch, 0, 0, 0, 0) == -SG_EFAULT;
#endif
        tap_check(paths_ok, "a path in %s is -EFAULT for open, openat, stat, lstat, fstatat, statx, access, "
                            "faccessat(2), readlink(at), chdir", what);
        tap_eq(sg_syscall(SYS_readv, file_fd, p, 1, 0, 0, 0), -SG_EFAULT, "readv with its iovecs in %s is -EFAULT",
               what);
        tap_eq(sg_syscall(SYS_writev, 1, p, 1, 0, 0, 0), -SG_EFAULT, "writev with its iovecs in %s is -EFAULT",
               what);
        if (p) {
            struct {
                void *base;
                size_t len;
            } iov = { (void *)p, 8 };
            sys_lseek((int)file_fd, 0, SG_SEEK_SET);
            tap_eq(sg_syscall(SYS_readv, file_fd, (long)&iov, 1, 0, 0, 0), -SG_EFAULT,
                   "readv into a buffer in %s is -EFAULT", what);
            tap_eq(sg_syscall(SYS_writev, 1, (long)&iov, 1, 0, 0, 0), -SG_EFAULT,
                   "writev to the console from %s is -EFAULT", what);
        }
    }
    file_outputs_into(bad, names, n);
}

int main(int argc, char **argv)
{
    if (argc > 1)       /* the child for the wait4 case */
        return 0;
    /* The strings at the top of the stack are overwritten below. */
    static char self[128];
    strlcpy(self, argv[0], sizeof self);
    tap_begin("badinput");

    /* 390: no Linux call for either width (x86-64 has none from 335 to
     * 423, i386 none from 387 to 392). */
    const unsigned long bad_numbers[] = { 500, 390, 511, 512, SG_PRIVATE_BASE - 1,
                                          SG_PRIVATE_BASE + SG_PRIVATE_COUNT - 1, SG_PRIVATE_BASE + SG_PRIVATE_COUNT,
                                          (unsigned long)-1, (unsigned long)SG_ARGS_MASK | SYS_getpid,
#ifdef __x86_64__
                                          0x100000000ul + SYS_getpid, 0x8000000000000000ul,
#endif
    };
    for (unsigned i = 0; i < sizeof bad_numbers / sizeof bad_numbers[0]; i++)
        tap_eq(sg_syscall((long)bad_numbers[i], 1, 2, 3, 4, 5, 6), -SG_ENOSYS,
               "system call number %#lx is -ENOSYS", bad_numbers[i]);

    for (unsigned i = 0; i < sizeof bad_pointers / sizeof bad_pointers[0]; i++) {
        uintptr_t p = bad_pointers[i];
        tap_eq(sys_write(1, (void *)p, 8), -SG_EFAULT, "write from %s (%#lx) is -EFAULT",
               bad_names[i], (unsigned long)p);
        tap_eq(sg_info((struct sg_info *)p), -SG_EFAULT, "sg_info into %s is -EFAULT", bad_names[i]);
        tap_eq(sg_syscall(SYS_nanosleep, (long)p, 0, 0, 0, 0, 0), -SG_EFAULT,
               "nanosleep reading %s is -EFAULT", bad_names[i]);
        if (p)  /* spawn(NULL) is checked below with its own expectation */
            tap_eq(sg_spawn((const char *)p, 0), -SG_EFAULT, "spawn with a path in %s is -EFAULT",
                   bad_names[i]);
    }

    file_calls_with(bad_pointers, bad_names, sizeof bad_pointers / sizeof bad_pointers[0]);

    /* Buffers that start in a mapping and run off its end. */
    char *stack_top = (char *)(uintptr_t)STACK_TOP;
    tap_eq(sys_write(1, stack_top - 4, 8), -SG_EFAULT,
           "a buffer running off the top of the stack is -EFAULT");
    tap_eq(sg_info((struct sg_info *)(stack_top - 16)), -SG_EFAULT,
           "an sg_info buffer running off the top of the stack is -EFAULT");
    /* A huge length: refused at once where it runs past user space (64-bit);
     * a 32-bit process's whole 4 GiB is user space, so there /dev/null,
     * which never reads its buffer, takes one call's most: MAX_RW_COUNT. */
    long null = sys_open("/dev/null", O_WRONLY);
    long huge = sys_write((int)null, "x", ~0ul >> 1);
    if (SG_BITS == 64)
        tap_eq(huge, -SG_EFAULT, "a length of LONG_MAX is -EFAULT");
    else
        tap_eq(huge, 0x7ffff000, "a length of LONG_MAX to /dev/null writes MAX_RW_COUNT bytes");
    sys_close((int)null);
    tap_eq(sys_write(1, (void *)(TOP_OF_USER - 3), 8), -SG_EFAULT,
           "a buffer crossing the top of user space is -EFAULT");

    /* Read-only memory the kernel must not write: CR0.WP makes ring 0
     * honour the page's protection. */
    void *text = (void *)read_only_target;
    tap_eq(sg_info(text), -SG_EFAULT, "sg_info into the program's own text is -EFAULT");
    tap_eq(sg_syscall(SYS_uname, (long)text, 0, 0, 0, 0, 0), -SG_EFAULT, "uname into text is -EFAULT");
    tap_eq(sg_syscall(SYS_uname, (long)sg_kip, 0, 0, 0, 0, 0), -SG_EFAULT,
           "uname into the interface page is -EFAULT");
    struct {
        long sec, nsec;
    } ts = { 0, 1000 };
    /* Linux writes the remainder only when a signal cuts the sleep short
     * (nanosleep(2)), which never happens here: the pointer is not used. */
    tap_eq(sg_syscall(SYS_nanosleep, (long)&ts, (long)text, 0, 0, 0, 0), 0,
           "nanosleep with its remainder pointing into text sleeps and leaves the remainder alone (0)");
    const uintptr_t read_only[] = { (uintptr_t)text, sg_kip };
    const char *const read_only_names[] = { "the program's text", "the interface page" };
    file_outputs_into(read_only, read_only_names, 2);
    char *child_argv[] = { self, "exit", 0 };
    long child = sg_spawn(self, child_argv);
    tap_eq(sys_wait4((int)child, (int *)KERNEL_TEXT, 0), -SG_EFAULT,
           "wait4 with a status pointer out of reach is -EFAULT");

    /* Strings. */
    tap_eq(sg_spawn(0, 0), -SG_EFAULT, "spawn(NULL) is -EFAULT");
    char *unterminated = stack_top - 3;
    unterminated[0] = unterminated[1] = unterminated[2] = 'a';
    tap_eq(sg_spawn(unterminated, 0), -SG_EFAULT,
           "a path that runs off the stack without a NUL is -EFAULT");
    char long_path[400];
    memset(long_path, 'p', sizeof long_path - 1);
    long_path[sizeof long_path - 1] = 0;
    tap_eq(sg_spawn(long_path, 0), -SG_ENAMETOOLONG, "a 399-character path is -ENAMETOOLONG");
    tap_eq(sg_spawn(self, (char **)KERNEL_TEXT), -SG_EFAULT, "an argv array out of reach is -EFAULT");
    char *bad_argv[] = { "badinput", (char *)UNMAPPED, 0 };
    tap_eq(sg_spawn(self, bad_argv), -SG_EFAULT, "an argv entry that points nowhere is -EFAULT");

    tap_eq(sys_getpid() > 0, 1, "the kernel still answers after all of the above");
    return tap_end();
}
