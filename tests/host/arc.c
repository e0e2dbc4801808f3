/* Host tests: newc archives built in memory (arc.h). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arc.h"

struct arc_meta arc_next = { .ino = 100, .nlink = 1, .mtime = 0x5f000000u };

static void arc_bytes(struct arc *a, const void *data, size_t n)
{
    if (a->len + n > a->cap) {
        a->cap = (a->len + n) * 2 + 256;
        a->p = realloc(a->p, a->cap);
        ck_assert_ptr_nonnull(a->p);
    }
    memcpy(a->p + a->len, data, n);
    a->len += n;
}

static void arc_pad4(struct arc *a)
{
    static const uint8_t zero[4];
    arc_bytes(a, zero, (4 - a->len % 4) % 4);
}

void arc_entry_raw(struct arc *a, const char *magic, uint32_t mode, uint32_t filesize, uint32_t namesize,
                   const char *name, size_t name_bytes, const void *data, size_t data_bytes, int lowercase)
{
    char h[NEWC_HEADER + 1];
    const char *fmt = lowercase ? "%s%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x"
                                : "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X";
    const struct arc_meta *m = &arc_next;
    int n = snprintf(h, sizeof h, fmt, magic, arc_next.ino++, mode, m->uid, m->gid, m->nlink, m->mtime,
                     filesize, 8u /* devmajor */, 1u /* devminor */, m->rdev_major, m->rdev_minor, namesize,
                     0u /* check */);
    ck_assert_int_eq(n, NEWC_HEADER);
    arc_bytes(a, h, NEWC_HEADER);
    char nbuf[512] = { 0 };
    ck_assert_uint_le(name_bytes, sizeof nbuf);
    memcpy(nbuf, name, strnlen(name, name_bytes));
    arc_bytes(a, nbuf, name_bytes);
    arc_pad4(a);
    if (data_bytes)
        arc_bytes(a, data, data_bytes);
    arc_pad4(a);
}

void arc_entry(struct arc *a, const char *name, uint32_t mode, const void *data, size_t size)
{
    arc_entry_raw(a, "070701", mode, (uint32_t)size, (uint32_t)strlen(name) + 1, name,
                  strlen(name) + 1, data, size, 0);
}

void arc_file(struct arc *a, const char *name, const char *text)
{
    arc_entry(a, name, M_REG, text, strlen(text));
}

void arc_dir(struct arc *a, const char *name)
{
    arc_entry(a, name, M_DIR, NULL, 0);
}

void arc_trailer(struct arc *a)
{
    arc_entry(a, "TRAILER!!!", 0, NULL, 0);
}

uint8_t *arc_take(struct arc *a, size_t n)
{
    ck_assert_uint_le(n, a->len);
    uint8_t *p = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(p);
    memcpy(p, a->p, n);
    return p;
}

void arc_free(struct arc *a)
{
    free(a->p);
    a->p = NULL;
    a->len = a->cap = 0;
}

void arc_sample(struct arc *a)
{
    arc_dir(a, ".");
    arc_dir(a, "./bin");
    arc_entry(a, "./bin/init", M_EXE, "\177ELF-init", 9);
    arc_dir(a, "./etc");
    arc_file(a, "./etc/motd", "welcome to sysgate\n");
    arc_file(a, "./etc/empty", "");
    arc_entry(a, "./bin/sh", M_LNK, "init", 4);
    arc_trailer(a);
}
uint8_t *arc_read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    ck_assert_int_gt(n, 0);
    uint8_t *p = malloc((size_t)n);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return p;
}

bool arc_have_cpio(void)
{
    return system("command -v cpio >/dev/null 2>&1") == 0;
}
