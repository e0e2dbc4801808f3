/*
 * Host tests: newc cpio archives built in memory (header "070701" and
 * thirteen 8-digit hex fields, name padded so header + name is a multiple
 * of 4, data padded to 4), for the cpio reader's and the file tree's
 * tests.  arc_take copies an archive into a malloc'd buffer of exactly its
 * size, so AddressSanitizer reports any read past the end.
 */
#ifndef SYSGATE_HOST_ARC_H
#define SYSGATE_HOST_ARC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NEWC_HEADER 110
#define M_DIR 0040755
#define M_REG 0100644
#define M_EXE 0100755
#define M_LNK 0120777
#define M_CHR 0020666

struct arc {
    uint8_t *p;
    size_t len, cap;
};

/* The header fields arc_entry_raw does not take as arguments; each entry
 * gets the next inode number from ino (starting at 100). */
struct arc_meta {
    uint32_t ino, uid, gid, nlink, mtime, rdev_major, rdev_minor;
};
extern struct arc_meta arc_next;

/* One entry with explicit header values (so tests can lie in them).
 * namesize counts the NUL; name_bytes of name are written (the NUL included
 * when name_bytes == strlen(name) + 1). */
void arc_entry_raw(struct arc *a, const char *magic, uint32_t mode, uint32_t filesize, uint32_t namesize,
                   const char *name, size_t name_bytes, const void *data, size_t data_bytes, int lowercase);
void arc_entry(struct arc *a, const char *name, uint32_t mode, const void *data, size_t size);
void arc_file(struct arc *a, const char *name, const char *text);
void arc_dir(struct arc *a, const char *name);
void arc_trailer(struct arc *a);
/* The finished archive, at exactly its size (or the first n bytes). */
uint8_t *arc_take(struct arc *a, size_t n);
void arc_free(struct arc *a);
/* A whole file read into a malloc'd buffer of exactly its size. */
uint8_t *arc_read_file(const char *path, size_t *size);
/* Whether the cpio tool is installed (for the cases with real archives). */
bool arc_have_cpio(void);
/* A typical initrd: ".", "bin", "bin/init", "etc", "etc/motd", "etc/empty",
 * a symlink, then the trailer. */
void arc_sample(struct arc *a);

#endif
