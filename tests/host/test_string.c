/*
 * common/string.c's memcpy, memmove and memset (REP MOVS/STOS, words then
 * bytes) against byte-by-byte references: every length 0..80 and a page
 * and a bit, every source/destination alignment 0..7, overlap in both
 * directions for memmove, the bytes around the destination untouched, and
 * DF clear again after memmove's downward copy.  The file is compiled here
 * under other names (sg_*) so that it cannot replace the host C library's.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#define memcpy sg_memcpy
#define memmove sg_memmove
#define memset sg_memset
#define memcmp sg_memcmp
#define strlen sg_strlen
#define strnlen sg_strnlen
#define strcmp sg_strcmp
#define strncmp sg_strncmp
#define strchr sg_strchr
#define strlcpy sg_strlcpy
#include "common/string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strlcpy
#include "suites.h"

#define ROOM 4200
static unsigned char buf[ROOM], want[ROOM];

static void fill(unsigned char *b, unsigned seed)
{
    for (size_t i = 0; i < ROOM; i++)
        b[i] = (unsigned char)(i * 131 + seed * 7 + 1);
}

static size_t len_of(int i)
{
    return i <= 80 ? (size_t)i : (size_t)(4096 + (i - 81) * 3);    /* 0..80, then 4096, 4099, ... */
}

static bool df_clear(void)
{
    unsigned long flags;
    __asm__ volatile("pushf; pop %0" : "=r"(flags));
    return !(flags & (1ul << 10));
}

START_TEST(memcpy_lengths_and_alignments)
{
    static unsigned char src[ROOM];
    for (int li = 0; li <= 84; li++)
        for (size_t so = 0; so < 8; so++)
            for (size_t dof = 0; dof < 8; dof++) {
                size_t n = len_of(li);
                fill(src, 3);
                fill(buf, 5);
                fill(want, 5);
                for (size_t i = 0; i < n; i++)
                    want[16 + dof + i] = src[so + i];
                ck_assert_ptr_eq(sg_memcpy(buf + 16 + dof, src + so, n), buf + 16 + dof);
                ck_assert_msg(sg_memcmp(buf, want, ROOM) == 0, "n %zu src+%zu dst+%zu", n, so, dof);
            }
}
END_TEST

START_TEST(memmove_overlaps_both_ways)
{
    static unsigned char ref[ROOM];
    for (int li = 0; li <= 84; li++)
        for (int shift = -17; shift <= 17; shift++)
            for (size_t so = 0; so < 8; so++) {
                size_t n = len_of(li);
                size_t s = 40 + so, d = (size_t)((long)s + shift);
                fill(buf, 9);
                fill(ref, 9);
                fill(want, 9);
                for (size_t i = 0; i < n; i++)      /* through a copy: memmove's meaning */
                    want[d + i] = ref[s + i];
                ck_assert_ptr_eq(sg_memmove(buf + d, buf + s, n), buf + d);
                ck_assert_msg(sg_memcmp(buf, want, ROOM) == 0, "n %zu src+%zu shift %d", n, s, shift);
                ck_assert(df_clear());
            }
}
END_TEST

START_TEST(memset_values_lengths_alignments)
{
    static const int values[] = { 0, 1, 0x5a, 0xff, -1, 0x1234 };    /* only the low byte counts */
    for (size_t v = 0; v < sizeof values / sizeof values[0]; v++)
        for (int li = 0; li <= 84; li++)
            for (size_t dof = 0; dof < 8; dof++) {
                size_t n = len_of(li);
                fill(buf, 11);
                fill(want, 11);
                for (size_t i = 0; i < n; i++)
                    want[16 + dof + i] = (unsigned char)values[v];
                ck_assert_ptr_eq(sg_memset(buf + 16 + dof, values[v], n), buf + 16 + dof);
                ck_assert_msg(sg_memcmp(buf, want, ROOM) == 0, "value %#x n %zu dst+%zu", values[v], n, dof);
            }
}
END_TEST

Suite *string_suite(void)
{
    Suite *s = suite_create("string");
    TCase *tc = tcase_create("rep");
    tcase_add_test(tc, memcpy_lengths_and_alignments);
    tcase_add_test(tc, memmove_overlaps_both_ways);
    tcase_add_test(tc, memset_values_lengths_alignments);
    suite_add_tcase(s, tc);
    return s;
}
