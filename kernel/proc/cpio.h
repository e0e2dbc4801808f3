/*
 * The initrd: a cpio archive in the "newc" format (magic 070701, ASCII hex
 * header fields, name and data each padded to 4 bytes), as written by
 * `cpio -o -H newc`.  Pure: host unit tests drive it.
 */
#ifndef SYSGATE_CPIO_H
#define SYSGATE_CPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cpio_entry {
    const char *name;           /* without a leading "./" or "/" */
    size_t namelen;
    const void *data;
    size_t size;
    uint32_t mode;              /* type and permission bits, as stat's st_mode */
    uint32_t ino, uid, gid, nlink, mtime;
    uint32_t dev_major, dev_minor;      /* the file system it came from */
    uint32_t rdev_major, rdev_minor;    /* a device node's device */
};

/* Iterates: *offset starts at 0.  Returns 1 with *e filled, 0 at the
 * trailer or the end, -1 for a malformed archive. */
int cpio_next(const void *archive, size_t size, size_t *offset, struct cpio_entry *e);

/* Finds a regular file by path ("/bin/init", "bin/init" and "./bin/init"
 * are the same). */
bool cpio_find(const void *archive, size_t size, const char *path, struct cpio_entry *e);

#endif
