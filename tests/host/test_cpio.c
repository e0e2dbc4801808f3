/*
 * kernel/proc/cpio.c: newc archives built here (header "070701" and
 * thirteen 8-digit hex fields, name padded so header + name is a multiple
 * of 4, data padded to 4), malformed ones, and one written by the real
 * `cpio -o -H newc` when that tool is installed.
 *
 * Archives are copied into malloc'd buffers of exactly their size, so
 * AddressSanitizer reports any read past the end.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kernel/proc/cpio.h"
#include "arc.h"
#include "suites.h"

static bool entry_is(const struct cpio_entry *e, const char *name)
{
    return e->namelen == strlen(name) && !memcmp(e->name, name, e->namelen) &&
           e->name[e->namelen] == '\0';
}

#define ck_assert_entry_name(e, want) \
    ck_assert_msg(entry_is((e), (want)), "entry '%.*s', want '%s'", (int)(e)->namelen, (e)->name, (want))

/* ---- iteration ------------------------------------------------------------- */

START_TEST(iterate_sample)
{
    struct arc a = { 0 };
    arc_sample(&a);
    uint8_t *ar = arc_take(&a, a.len);
    size_t off = 0;
    struct cpio_entry e;

    ck_assert_int_eq(cpio_next(ar, a.len, &off, &e), 1);
    ck_assert_entry_name(&e, ".");
    ck_assert_uint_eq(e.mode, M_DIR);
    ck_assert_uint_eq(e.size, 0);
    ck_assert_uint_eq(off % 4, 0);

    ck_assert_int_eq(cpio_next(ar, a.len, &off, &e), 1);
    ck_assert_entry_name(&e, "bin");
    ck_assert_uint_eq(e.mode, M_DIR);

    ck_assert_int_eq(cpio_next(ar, a.len, &off, &e), 1);
    ck_assert_entry_name(&e, "bin/init");
    ck_assert_uint_eq(e.mode, M_EXE);
    ck_assert_uint_eq(e.size, 9);
    ck_assert_int_eq(memcmp(e.data, "\177ELF-init", 9), 0);
    ck_assert_uint_eq(((const uint8_t *)e.data - ar) % 4, 0);

    ck_assert_int_eq(cpio_next(ar, a.len, &off, &e), 1);
    ck_assert_entry_name(&e, "etc");

    ck_assert_int_eq(cpio_next(ar, a.len, &off, &e), 1);
    ck_assert_entry_name(&e, "etc/motd");
    ck_assert_uint_eq(e.size, 19);
    ck_assert_int_eq(memcmp(e.data, "welcome to sysgate\n", 19), 0);

    ck_assert_int_eq(cpio_next(ar, a.len, &off, &e), 1);
    ck_assert_entry_name(&e, "etc/empty");
    ck_assert_uint_eq(e.size, 0);
    ck_assert_uint_eq(e.mode, M_REG);

    ck_assert_int_eq(cpio_next(ar, a.len, &off, &e), 1);
    ck_assert_entry_name(&e, "bin/sh");
    ck_assert_uint_eq(e.mode, M_LNK);
    ck_assert_int_eq(memcmp(e.data, "init", 4), 0);

    /* The trailer ends the walk, and keeps ending it. */
    ck_assert_int_eq(cpio_next(ar, a.len, &off, &e), 0);
    ck_assert_int_eq(cpio_next(ar, a.len, &off, &e), 0);
    free(ar);
    arc_free(&a);
}
END_TEST

START_TEST(padding_all_lengths)
{
    /* Every name length mod 4 against every data length mod 4 (and a few
     * more), so all padding cases are walked. */
    struct arc a = { 0 };
    char names[9][9][16];
    uint8_t data[9][9][8];
    for (int nl = 1; nl <= 8; nl++)
        for (int dl = 0; dl <= 8; dl++) {
            char *nm = names[nl][dl];
            for (int k = 0; k < nl; k++)
                nm[k] = (char)('a' + (nl * 9 + dl + k) % 26);
            nm[nl] = '\0';
            nm[0] = (char)('0' + dl);           /* unique per (nl, dl) */
            for (int k = 0; k < dl; k++)
                data[nl][dl][k] = (uint8_t)(nl * 16 + dl + k);
            arc_entry(&a, nm, M_REG, data[nl][dl], (size_t)dl);
        }
    arc_trailer(&a);
    uint8_t *ar = arc_take(&a, a.len);
    size_t off = 0;
    struct cpio_entry e;
    for (int nl = 1; nl <= 8; nl++)
        for (int dl = 0; dl <= 8; dl++) {
            ck_assert_int_eq(cpio_next(ar, a.len, &off, &e), 1);
            ck_assert_entry_name(&e, names[nl][dl]);
            ck_assert_uint_eq(e.size, (size_t)dl);
            ck_assert_int_eq(memcmp(e.data, data[nl][dl], (size_t)dl), 0);
            ck_assert_uint_eq(off % 4, 0);
        }
    ck_assert_int_eq(cpio_next(ar, a.len, &off, &e), 0);
    /* cpio_find reaches every one of them too. */
    ck_assert(cpio_find(ar, a.len, names[8][8], &e));
    ck_assert_uint_eq(e.size, 8);
    ck_assert(cpio_find(ar, a.len, names[3][5], &e));
    ck_assert_int_eq(memcmp(e.data, data[3][5], 5), 0);
    free(ar);
    arc_free(&a);
}
END_TEST

START_TEST(no_trailer)
{
    /* An archive that just stops after a whole entry: end, not an error. */
    struct arc a = { 0 };
    arc_file(&a, "a", "xyz");
    arc_file(&a, "b", "12345");
    uint8_t *ar = arc_take(&a, a.len);
    size_t off = 0;
    struct cpio_entry e;
    ck_assert_int_eq(cpio_next(ar, a.len, &off, &e), 1);
    ck_assert_int_eq(cpio_next(ar, a.len, &off, &e), 1);
    ck_assert_entry_name(&e, "b");
    ck_assert_int_eq(cpio_next(ar, a.len, &off, &e), 0);
    ck_assert(cpio_find(ar, a.len, "b", &e));
    free(ar);
    arc_free(&a);
}
END_TEST

START_TEST(last_data_unpadded)
{
    /* The final file's data ends at the end of the buffer, without its
     * padding to 4 (e.g. an initrd module cut to its exact size). */
    struct arc a = { 0 };
    arc_file(&a, "f", "12345");
    size_t n = a.len - 3;                   /* drop the 3 padding bytes */
    uint8_t *ar = arc_take(&a, n);
    size_t off = 0;
    struct cpio_entry e;
    ck_assert_int_eq(cpio_next(ar, n, &off, &e), 1);
    ck_assert_uint_eq(e.size, 5);
    ck_assert_int_eq(memcmp(e.data, "12345", 5), 0);
    ck_assert_int_eq(cpio_next(ar, n, &off, &e), 0);
    free(ar);
    arc_free(&a);
}
END_TEST

START_TEST(empty_archive)
{
    uint8_t *ar = malloc(1);
    size_t off = 0;
    struct cpio_entry e;
    ck_assert_int_eq(cpio_next(ar, 0, &off, &e), 0);
    ck_assert(!cpio_find(ar, 0, "bin/init", &e));
    free(ar);

    struct arc a = { 0 };
    arc_trailer(&a);
    ar = arc_take(&a, a.len);
    off = 0;
    ck_assert_int_eq(cpio_next(ar, a.len, &off, &e), 0);
    ck_assert(!cpio_find(ar, a.len, "TRAILER!!!", &e));
    free(ar);
    arc_free(&a);
}
END_TEST

START_TEST(uppercase_and_lowercase_hex)
{
    struct arc a = { 0 };
    /* Size 0x2A and mode 0x81A4: letters in both fields. */
    static const char text[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEF";
    arc_entry_raw(&a, "070701", M_REG, 42, 6, "upper", 6, text, 42, 0);
    arc_entry_raw(&a, "070701", M_REG, 42, 6, "lower", 6, text, 42, 1);
    arc_trailer(&a);
    uint8_t *ar = arc_take(&a, a.len);
    struct cpio_entry e;
    ck_assert(cpio_find(ar, a.len, "upper", &e));
    ck_assert_uint_eq(e.size, 42);
    ck_assert_uint_eq(e.mode, M_REG);
    ck_assert(cpio_find(ar, a.len, "lower", &e));
    ck_assert_uint_eq(e.size, 42);
    ck_assert_uint_eq(e.mode, M_REG);
    ck_assert_int_eq(memcmp(e.data, text, 42), 0);
    free(ar);
    arc_free(&a);
}
END_TEST

/* ---- cpio_find ------------------------------------------------------------------ */

START_TEST(find_path_forms)
{
    struct arc a = { 0 };
    arc_sample(&a);
    uint8_t *ar = arc_take(&a, a.len);
    struct cpio_entry e1, e2, e3;
    ck_assert(cpio_find(ar, a.len, "/bin/init", &e1));
    ck_assert(cpio_find(ar, a.len, "bin/init", &e2));
    ck_assert(cpio_find(ar, a.len, "./bin/init", &e3));
    ck_assert_ptr_eq(e1.data, e2.data);
    ck_assert_ptr_eq(e1.data, e3.data);
    ck_assert_uint_eq(e1.size, 9);
    ck_assert_entry_name(&e1, "bin/init");
    ck_assert(cpio_find(ar, a.len, "/etc/motd", &e1));
    ck_assert_int_eq(memcmp(e1.data, "welcome", 7), 0);
    ck_assert(cpio_find(ar, a.len, "etc/empty", &e1));
    ck_assert_uint_eq(e1.size, 0);
    free(ar);
    arc_free(&a);
}
END_TEST

START_TEST(find_archive_name_forms)
{
    /* Names stored as "/abs", "./dot" and "plain" are all found by any
     * spelling. */
    struct arc a = { 0 };
    arc_file(&a, "/abs/file", "A");
    arc_file(&a, "./dot/file", "D");
    arc_file(&a, "plain/file", "P");
    arc_trailer(&a);
    uint8_t *ar = arc_take(&a, a.len);
    static const char *const prefixes[] = { "", "/", "./" };
    static const char *const names[] = { "abs/file", "dot/file", "plain/file" };
    for (int p = 0; p < 3; p++)
        for (int n = 0; n < 3; n++) {
            char path[64];
            snprintf(path, sizeof path, "%s%s", prefixes[p], names[n]);
            struct cpio_entry e;
            ck_assert_msg(cpio_find(ar, a.len, path, &e), "%s not found", path);
            ck_assert_entry_name(&e, names[n]);
            ck_assert_int_eq(*(const char *)e.data, "ADP"[n]);
        }
    free(ar);
    arc_free(&a);
}
END_TEST

START_TEST(find_exact_names_only)
{
    struct arc a = { 0 };
    arc_sample(&a);
    uint8_t *ar = arc_take(&a, a.len);
    struct cpio_entry e;
    ck_assert(!cpio_find(ar, a.len, "bin/ini", &e));
    ck_assert(!cpio_find(ar, a.len, "bin/init2", &e));
    ck_assert(!cpio_find(ar, a.len, "in/init", &e));
    ck_assert(!cpio_find(ar, a.len, "init", &e));
    ck_assert(!cpio_find(ar, a.len, "BIN/INIT", &e));
    ck_assert(!cpio_find(ar, a.len, "", &e));
    ck_assert(!cpio_find(ar, a.len, "/", &e));
    ck_assert(!cpio_find(ar, a.len, "nonexistent", &e));
    free(ar);
    arc_free(&a);
}
END_TEST

START_TEST(find_skips_non_files)
{
    struct arc a = { 0 };
    arc_sample(&a);
    uint8_t *ar = arc_take(&a, a.len);
    struct cpio_entry e;
    ck_assert(!cpio_find(ar, a.len, "bin", &e));        /* directory */
    ck_assert(!cpio_find(ar, a.len, "/etc", &e));
    ck_assert(!cpio_find(ar, a.len, ".", &e));
    ck_assert(!cpio_find(ar, a.len, "bin/sh", &e));     /* symlink */
    free(ar);
    arc_free(&a);

    /* A directory and a file of the same name: the file is found. */
    arc_dir(&a, "x");
    arc_file(&a, "x", "file");
    arc_trailer(&a);
    ar = arc_take(&a, a.len);
    ck_assert(cpio_find(ar, a.len, "x", &e));
    ck_assert_uint_eq(e.mode, M_REG);
    ck_assert_uint_eq(e.size, 4);
    free(ar);
    arc_free(&a);
}
END_TEST

START_TEST(find_stops_at_trailer)
{
    struct arc a = { 0 };
    arc_file(&a, "before", "1");
    arc_trailer(&a);
    arc_file(&a, "after", "2");
    uint8_t *ar = arc_take(&a, a.len);
    struct cpio_entry e;
    ck_assert(cpio_find(ar, a.len, "before", &e));
    ck_assert(!cpio_find(ar, a.len, "after", &e));
    free(ar);
    arc_free(&a);
}
END_TEST

/* ---- malformed archives ---------------------------------------------------------- */

/* Walks the archive: the number of entries before the walk ended, with the
 * final result in *last. */
static int walk(const uint8_t *ar, size_t size, int *last)
{
    size_t off = 0;
    struct cpio_entry e;
    int n = 0, r;
    while ((r = cpio_next(ar, size, &off, &e)) == 1) {
        ck_assert_uint_le((const uint8_t *)e.data - ar + e.size, size);
        n++;
        ck_assert_int_lt(n, 10000);
    }
    *last = r;
    return n;
}

/* The first n bytes of the archive are malformed: cpio_next must say so
 * (-1) before it hands out a single entry.  Frees the archive. */
static void assert_rejected(struct arc *a, size_t n)
{
    uint8_t *ar = arc_take(a, n);
    int last;
    ck_assert_int_eq(walk(ar, n, &last), 0);
    ck_assert_int_eq(last, -1);
    free(ar);
    arc_free(a);
}

START_TEST(bad_magic)
{
    static const char *const magics[] = { "070702" /* newc+crc */, "070707" /* odc */,
                                          "070700", "170701", "      " };
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++) {
        struct arc a = { 0 };
        arc_entry_raw(&a, magics[i], M_REG, 1, 2, "f", 2, "x", 1, 0);
        arc_trailer(&a);
        uint8_t *ar = arc_take(&a, a.len);
        int last;
        ck_assert_int_eq(walk(ar, a.len, &last), 0);
        ck_assert_int_eq(last, -1);
        struct cpio_entry e;
        ck_assert(!cpio_find(ar, a.len, "f", &e));
        free(ar);
        arc_free(&a);
    }
}
END_TEST

START_TEST(bad_magic_second_entry)
{
    struct arc a = { 0 };
    arc_file(&a, "good", "1");
    arc_entry_raw(&a, "070707", M_REG, 1, 2, "f", 2, "x", 1, 0);
    arc_trailer(&a);
    uint8_t *ar = arc_take(&a, a.len);
    int last;
    ck_assert_int_eq(walk(ar, a.len, &last), 1);
    ck_assert_int_eq(last, -1);
    free(ar);
    arc_free(&a);
}
END_TEST

START_TEST(garbage)
{
    uint8_t *ar = malloc(512);
    for (int i = 0; i < 512; i++)
        ar[i] = (uint8_t)(i * 37 + 11);
    int last;
    ck_assert_int_eq(walk(ar, 512, &last), 0);
    ck_assert_int_eq(last, -1);
    free(ar);
}
END_TEST

START_TEST(truncated_header)
{
    struct arc a = { 0 };
    arc_file(&a, "first", "data");
    size_t first = a.len;
    arc_file(&a, "second", "more");
    arc_trailer(&a);
    /* Cut inside the first header: -1 straight away (5 bytes to 109). */
    for (size_t n = 6; n < NEWC_HEADER; n += 13) {
        uint8_t *ar = arc_take(&a, n);
        int last;
        ck_assert_int_eq(walk(ar, n, &last), 0);
        ck_assert_int_eq(last, -1);
        free(ar);
    }
    /* Cut inside the second header: one entry, then -1. */
    for (size_t n = first + 1; n < first + NEWC_HEADER; n++) {
        uint8_t *ar = arc_take(&a, n);
        int last;
        ck_assert_int_eq(walk(ar, n, &last), 1);
        ck_assert_int_eq(last, -1);
        free(ar);
    }
    arc_free(&a);
}
END_TEST

START_TEST(truncated_anywhere)
{
    /* Every prefix of a good archive: no read past the end (ASan), every
     * entry returned lies inside, and the walk ends with 0 or -1. */
    struct arc a = { 0 };
    arc_sample(&a);
    for (size_t n = 0; n <= a.len; n++) {
        uint8_t *ar = arc_take(&a, n);
        int last;
        walk(ar, n, &last);
        ck_assert(last == 0 || last == -1);
        if (n == a.len)
            ck_assert_int_eq(last, 0);
        free(ar);
    }
    arc_free(&a);
}
END_TEST

START_TEST(bad_hex_fields)
{
    /* A non-hex character in any of the thirteen fields (ino, mode, uid,
     * gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor,
     * rdevminor, namesize, check): the file system uses them all. */
    static const char chars[] = { 'g', 'G', ' ', '-', 'x', '\0' };
    for (size_t f = 0; f < 13; f++)
        for (size_t c = 0; c < sizeof chars; c++) {
            struct arc a = { 0 };
            arc_file(&a, "file", "text");
            arc_trailer(&a);
            a.p[6 + 8 * f + 7] = (uint8_t)chars[c];
            assert_rejected(&a, a.len);
        }
}
END_TEST

START_TEST(metadata_fields)
{
    /* Every header field reaches the entry. */
    struct arc a = { 0 };
    arc_next = (struct arc_meta){ .ino = 0x1234, .uid = 1000, .gid = 0xfffe, .nlink = 3, .mtime = 1700000000,
                                  .rdev_major = 4, .rdev_minor = 64 };
    arc_entry(&a, "dev/ttyS0", M_CHR, NULL, 0);
    arc_next = (struct arc_meta){ .ino = 100, .nlink = 1, .mtime = 0x5f000000u };
    arc_trailer(&a);
    uint8_t *ar = arc_take(&a, a.len);
    size_t off = 0;
    struct cpio_entry e;
    ck_assert_int_eq(cpio_next(ar, a.len, &off, &e), 1);
    ck_assert_uint_eq(e.ino, 0x1234);
    ck_assert_uint_eq(e.mode, M_CHR);
    ck_assert_uint_eq(e.uid, 1000);
    ck_assert_uint_eq(e.gid, 0xfffe);
    ck_assert_uint_eq(e.nlink, 3);
    ck_assert_uint_eq(e.mtime, 1700000000);
    ck_assert_uint_eq(e.dev_major, 8);
    ck_assert_uint_eq(e.dev_minor, 1);
    ck_assert_uint_eq(e.rdev_major, 4);
    ck_assert_uint_eq(e.rdev_minor, 64);
    free(ar);
    arc_free(&a);
}
END_TEST

START_TEST(namesize_zero)
{
    struct arc a = { 0 };
    arc_entry_raw(&a, "070701", M_REG, 0, 0, "", 0, NULL, 0, 0);
    arc_trailer(&a);
    assert_rejected(&a, a.len);
}
END_TEST

START_TEST(namesize_beyond_end)
{
    struct arc a = { 0 };
    /* The name claims one byte more than the archive holds after the
     * header (name "abc" + NUL, no trailer, no padding needed). */
    arc_entry_raw(&a, "070701", M_REG, 0, 7, "abc", 4, NULL, 0, 0);
    size_t n = NEWC_HEADER + 6;             /* 6 bytes follow the header */
    assert_rejected(&a, n);

    /* A huge namesize: no wrap-around. */
    arc_entry_raw(&a, "070701", M_REG, 0, 0xffffffffu, "abc", 4, NULL, 0, 0);
    arc_trailer(&a);
    assert_rejected(&a, a.len);
}
END_TEST

START_TEST(filesize_beyond_end)
{
    struct arc a = { 0 };
    arc_entry_raw(&a, "070701", M_REG, 9, 2, "f", 2, "12345678", 8, 0);    /* claims 9, has 8 */
    uint8_t *ar = arc_take(&a, a.len);
    int last;
    ck_assert_int_eq(walk(ar, a.len, &last), 0);
    ck_assert_int_eq(last, -1);
    struct cpio_entry e;
    ck_assert(!cpio_find(ar, a.len, "f", &e));
    free(ar);
    arc_free(&a);

    /* Huge sizes must not wrap the offset arithmetic. */
    static const uint32_t sizes[] = { 0xffffffffu, 0xfffffffcu, 0x80000000u };
    for (size_t i = 0; i < 3; i++) {
        arc_entry_raw(&a, "070701", M_REG, sizes[i], 2, "f", 2, "1234", 4, 0);
        arc_trailer(&a);
        ar = arc_take(&a, a.len);
        ck_assert_int_eq(walk(ar, a.len, &last), 0);
        ck_assert_int_eq(last, -1);
        free(ar);
        arc_free(&a);
    }
}
END_TEST

START_TEST(name_padding_beyond_end)
{
    /* Header + "ab\0" is 113 bytes; its data would start at 116, past an
     * archive that ends at 113. */
    struct arc a = { 0 };
    arc_entry_raw(&a, "070701", M_REG, 1, 3, "ab", 3, "z", 1, 0);
    size_t n = NEWC_HEADER + 3;
    assert_rejected(&a, n);
}
END_TEST

START_TEST(missing_nul)
{
    struct arc a = { 0 };
    /* namesize 4 covers "abcd": the last byte it covers is 'd', not NUL. */
    arc_entry_raw(&a, "070701", M_REG, 0, 4, "abcd", 4, NULL, 0, 0);
    arc_trailer(&a);
    uint8_t *ar = arc_take(&a, a.len);
    int last;
    ck_assert_int_eq(walk(ar, a.len, &last), 0);
    ck_assert_int_eq(last, -1);
    struct cpio_entry e;
    ck_assert(!cpio_find(ar, a.len, "abcd", &e));
    ck_assert(!cpio_find(ar, a.len, "abc", &e));
    free(ar);
    arc_free(&a);

    /* A name running to the very end of the archive without a NUL. */
    arc_entry_raw(&a, "070701", M_REG, 0, 2, "xy", 2, NULL, 0, 0);
    ar = arc_take(&a, NEWC_HEADER + 2);
    ck_assert_int_eq(walk(ar, NEWC_HEADER + 2, &last), 0);
    ck_assert_int_eq(last, -1);
    free(ar);
    arc_free(&a);
}
END_TEST

START_TEST(malformed_after_good_entries)
{
    /* find still fails cleanly when the target lies past a broken entry. */
    struct arc a = { 0 };
    arc_file(&a, "one", "1");
    arc_entry_raw(&a, "070701", M_REG, 0, 4, "abcd", 4, NULL, 0, 0);   /* no NUL */
    arc_file(&a, "two", "2");
    arc_trailer(&a);
    uint8_t *ar = arc_take(&a, a.len);
    struct cpio_entry e;
    ck_assert(cpio_find(ar, a.len, "one", &e));
    ck_assert(!cpio_find(ar, a.len, "two", &e));
    free(ar);
    arc_free(&a);
}
END_TEST

/* ---- the real cpio tool ----------------------------------------------------------- */

static int write_file(const char *dir, const char *name, const void *data, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(data, 1, n, f);
    return fclose(f) == 0 && w == n ? 0 : -1;
}

START_TEST(real_cpio_tool)
{
    char dir[] = "/tmp/sysgate-cpio-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[512], cmd[1024];
    snprintf(path, sizeof path, "%s/root", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/root/bin", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/root/etc", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/root/etc/deep", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);

    snprintf(path, sizeof path, "%s/root", dir);
    static const char init_text[] = "#!/bin/init\nhello\n";
    static uint8_t big[4099];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7 + 3);
    ck_assert_int_eq(write_file(path, "bin/init", init_text, sizeof init_text - 1), 0);
    ck_assert_int_eq(write_file(path, "etc/empty", "", 0), 0);
    ck_assert_int_eq(write_file(path, "etc/deep/big.bin", big, sizeof big), 0);
    ck_assert_int_eq(write_file(path, "a", "1", 1), 0);
    ck_assert_int_eq(write_file(path, "abcdefgh", "12", 2), 0);

    snprintf(cmd, sizeof cmd,
             "cd '%s/root' && find . | LC_ALL=C sort | cpio -o -H newc --quiet > '%s/initrd.cpio'",
             dir, dir);
    ck_assert_int_eq(system(cmd), 0);

    snprintf(path, sizeof path, "%s/initrd.cpio", dir);
    size_t size;
    uint8_t *ar = arc_read_file(path, &size);

    struct cpio_entry e;
    ck_assert(cpio_find(ar, (size_t)size, "/bin/init", &e));
    ck_assert_uint_eq(e.size, sizeof init_text - 1);
    ck_assert_int_eq(memcmp(e.data, init_text, e.size), 0);
    ck_assert_uint_eq(e.mode & 0170000, 0100000);
    ck_assert(cpio_find(ar, (size_t)size, "etc/deep/big.bin", &e));
    ck_assert_uint_eq(e.size, sizeof big);
    ck_assert_int_eq(memcmp(e.data, big, sizeof big), 0);
    ck_assert(cpio_find(ar, (size_t)size, "./etc/empty", &e));
    ck_assert_uint_eq(e.size, 0);
    ck_assert(cpio_find(ar, (size_t)size, "a", &e));
    ck_assert_int_eq(*(const char *)e.data, '1');
    ck_assert(cpio_find(ar, (size_t)size, "abcdefgh", &e));
    ck_assert_int_eq(memcmp(e.data, "12", 2), 0);
    ck_assert(!cpio_find(ar, (size_t)size, "bin", &e));
    ck_assert(!cpio_find(ar, (size_t)size, "etc/deep", &e));

    /* ".", bin, bin/init, etc, etc/deep, etc/deep/big.bin, etc/empty, a,
     * abcdefgh: 9 entries, then the trailer (and cpio's zero padding to
     * 512 bytes after it). */
    int last;
    ck_assert_int_eq(walk(ar, (size_t)size, &last), 9);
    ck_assert_int_eq(last, 0);
    ck_assert_int_eq(size % 512, 0);

    free(ar);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *cpio_suite(void)
{
    Suite *s = suite_create("cpio");
    TCase *tc = tcase_create("next");
    tcase_add_test(tc, iterate_sample);
    tcase_add_test(tc, padding_all_lengths);
    tcase_add_test(tc, no_trailer);
    tcase_add_test(tc, last_data_unpadded);
    tcase_add_test(tc, empty_archive);
    tcase_add_test(tc, uppercase_and_lowercase_hex);
    tcase_add_test(tc, metadata_fields);
    suite_add_tcase(s, tc);

    tc = tcase_create("find");
    tcase_add_test(tc, find_path_forms);
    tcase_add_test(tc, find_archive_name_forms);
    tcase_add_test(tc, find_exact_names_only);
    tcase_add_test(tc, find_skips_non_files);
    tcase_add_test(tc, find_stops_at_trailer);
    suite_add_tcase(s, tc);

    tc = tcase_create("malformed");
    tcase_add_test(tc, bad_magic);
    tcase_add_test(tc, bad_magic_second_entry);
    tcase_add_test(tc, garbage);
    tcase_add_test(tc, truncated_header);
    tcase_add_test(tc, truncated_anywhere);
    tcase_add_test(tc, bad_hex_fields);
    tcase_add_test(tc, namesize_zero);
    tcase_add_test(tc, namesize_beyond_end);
    tcase_add_test(tc, filesize_beyond_end);
    tcase_add_test(tc, name_padding_beyond_end);
    tcase_add_test(tc, missing_nul);
    tcase_add_test(tc, malformed_after_good_entries);
    suite_add_tcase(s, tc);

    if (arc_have_cpio()) {
        tc = tcase_create("cpio_tool");
        tcase_add_test(tc, real_cpio_tool);
        suite_add_tcase(s, tc);
    } else {
        fprintf(stderr, "cpio: the cpio tool is not installed; skipping the cpio_tool case\n");
    }
    return s;
}
