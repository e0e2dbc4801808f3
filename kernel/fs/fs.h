/*
 * The kernel's file system: the initrd's tree (fstree.h), built at boot,
 * with the device nodes sysgate provides in /dev, and the lookups the
 * system calls and the program loader make in it.
 */
#ifndef SYSGATE_FS_H
#define SYSGATE_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fstree.h"

struct proc;

extern struct fs_tree fs_tree;

static inline const struct fs_node *fs_node(uint32_t n)
{
    return &fs_tree.nodes[n];
}

/* Builds the tree from the initrd (proc/initrd.c calls it). */
void fs_init(const void *archive, size_t size);
/* Logs what the tree holds. */
void fs_log_summary(void);

/* openat's special directory file descriptor (fcntl.h). */
#define FS_AT_FDCWD (-100)

/*
 * Resolves path for process p as the *at calls do: absolute paths from
 * the root; relative ones from p's working directory (dirfd FS_AT_FDCWD)
 * or from the directory open as dirfd (-EBADF, -ENOTDIR).  An empty path
 * is -ENOENT unless empty_ok, when it names dirfd itself (AT_EMPTY_PATH).
 * walk_flags and *parent as for fs_walk.
 */
int fs_resolve(struct proc *p, int dirfd, const char *path, unsigned walk_flags, bool empty_ok, uint32_t *out,
               uint32_t *parent);

/* Copies a path from user memory into buf[FS_PATH_MAX]: its length, or
 * -EFAULT, or -ENAMETOOLONG (no NUL within PATH_MAX bytes). */
long fs_copy_path(char *buf, uint64_t user_path);

/* The program the loader runs: path resolved as fs_resolve does from dirfd
 * (FS_AT_FDCWD: the caller's working directory; no caller: the root),
 * following a symlink unless nofollow (then -ELOOP, as execveat(2)), an
 * empty path the file dirfd itself with empty_ok (AT_EMPTY_PATH): a
 * regular file with an execute bit.  0 with its bytes, or -ENOENT,
 * -ENOTDIR, -ELOOP, -EACCES, -EBADF, ... */
int fs_exec_lookup(struct proc *caller, int dirfd, const char *path, bool nofollow, bool empty_ok,
                   const void **data, size_t *size);

#endif
