/*
 * kernel/mm/frame_alloc.c: the physical frame bitmap.  Bitmaps are malloc'd
 * at exactly (nframes + 63) / 64 words, so AddressSanitizer catches a write
 * past the last frame; every test also checks fa.free against a recount of
 * the bitmap.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include "kernel/mm/frame_alloc.h"
#include "suites.h"

#define F(n) ((uint64_t)(n) * FRAME_SIZE)

static struct frame_alloc fa;
static uint64_t *bitmap;

static void setup_n(uint64_t nframes)
{
    bitmap = malloc((nframes + 63) / 64 * sizeof *bitmap);
    ck_assert_ptr_nonnull(bitmap);
    frame_alloc_init(&fa, bitmap, nframes);
}

static void teardown(void)
{
    free(bitmap);
    bitmap = NULL;
}

static void setup200(void) { setup_n(200); }   /* not a multiple of 64 */
static void setup192(void) { setup_n(192); }   /* exactly three words */

static bool is_used(uint64_t f)
{
    return bitmap[f / 64] >> (f % 64) & 1;
}

static uint64_t recount(void)
{
    uint64_t n = 0;
    for (uint64_t f = 0; f < fa.nframes; f++)
        n += !is_used(f);
    return n;
}

#define ck_assert_free(n)                                        \
    do {                                                         \
        ck_assert_uint_eq(fa.free, (uint64_t)(n));               \
        ck_assert_uint_eq(recount(), (uint64_t)(n));             \
    } while (0)

/* ---- init, release, reserve ------------------------------------------------- */

START_TEST(init_all_used)
{
    ck_assert_uint_eq(fa.nframes, 200);
    ck_assert_free(0);
    for (uint64_t f = 0; f < 200; f++)
        ck_assert(is_used(f));
    ck_assert_uint_eq(frame_alloc_take(&fa, 1, 1), 0);
    ck_assert_free(0);
}
END_TEST

START_TEST(init_resets_old_state)
{
    frame_alloc_release_range(&fa, 0, F(200));
    ck_assert_free(200);
    frame_alloc_init(&fa, bitmap, 200);
    ck_assert_free(0);
}
END_TEST

START_TEST(release_whole)
{
    frame_alloc_release_range(&fa, 0, F(200));
    ck_assert_free(200);
    /* Twice: no double counting. */
    frame_alloc_release_range(&fa, 0, F(200));
    ck_assert_free(200);
}
END_TEST

START_TEST(release_partial_edges)
{
    /* [0x1800, 0x4800): frames 2 and 3 are whole; 1 and 4 only partly. */
    frame_alloc_release_range(&fa, 0x1800, 0x3000);
    ck_assert_free(2);
    ck_assert(is_used(1));
    ck_assert(!is_used(2));
    ck_assert(!is_used(3));
    ck_assert(is_used(4));
}
END_TEST

START_TEST(release_less_than_a_frame)
{
    frame_alloc_release_range(&fa, F(5), FRAME_SIZE - 1);
    ck_assert_free(0);
    frame_alloc_release_range(&fa, F(5) + 1, FRAME_SIZE);
    ck_assert_free(0);
    frame_alloc_release_range(&fa, F(5) + 1, 2 * FRAME_SIZE - 1);     /* frame 6 exactly */
    ck_assert_free(1);
    ck_assert(!is_used(6));
    frame_alloc_release_range(&fa, F(9), FRAME_SIZE);                 /* frame 9 exactly */
    ck_assert_free(2);
    ck_assert(!is_used(9));
    ck_assert(is_used(8));
    ck_assert(is_used(10));
}
END_TEST

START_TEST(release_zero_len)
{
    frame_alloc_release_range(&fa, F(3), 0);
    ck_assert_free(0);
}
END_TEST

START_TEST(release_clipped)
{
    /* Runs past the last frame (200): only 190..199 change.  With 192 frames
     * (setup192) ASan also catches a write past the bitmap. */
    uint64_t n = fa.nframes;
    frame_alloc_release_range(&fa, F(n - 10), F(100));
    ck_assert_free(10);
    frame_alloc_release_range(&fa, F(n), F(100));           /* wholly past the end */
    frame_alloc_release_range(&fa, F(n + 1000), F(1));
    ck_assert_free(10);
}
END_TEST

START_TEST(release_wrapping)
{
    /* base + len wraps: ignored. */
    frame_alloc_release_range(&fa, 0xfffffffffffff000ull, 0x2000);
    ck_assert_free(0);
    frame_alloc_release_range(&fa, F(1), ~0ull);
    ck_assert_free(0);
}
END_TEST

START_TEST(release_near_top_of_address_space)
{
    /* A range far above the last frame, ending just below 2^64, must free
     * nothing (rounding its base up must not wrap to frame 0). */
    frame_alloc_release_range(&fa, 0xfffffffffffff001ull, 0xffe);
    ck_assert_free(0);
    frame_alloc_release_range(&fa, 0xffffffffffff0001ull, 0xfffe);
    ck_assert_free(0);
}
END_TEST

START_TEST(reserve_partial_edges)
{
    frame_alloc_release_range(&fa, 0, F(200));
    /* [0x1800, 0x2800): touches frames 1 and 2, both taken whole. */
    frame_alloc_reserve_range(&fa, 0x1800, 0x1000);
    ck_assert_free(198);
    ck_assert(is_used(1));
    ck_assert(is_used(2));
    ck_assert(!is_used(3));
    /* One byte reserves its frame. */
    frame_alloc_reserve_range(&fa, F(3) + 0xfff, 1);
    ck_assert_free(197);
    ck_assert(is_used(3));
    ck_assert(!is_used(4));
    /* Exactly one frame. */
    frame_alloc_reserve_range(&fa, F(10), FRAME_SIZE);
    ck_assert_free(196);
    ck_assert(!is_used(9));
    ck_assert(is_used(10));
    ck_assert(!is_used(11));
    /* Again: no double counting. */
    frame_alloc_reserve_range(&fa, F(10), FRAME_SIZE);
    ck_assert_free(196);
}
END_TEST

START_TEST(reserve_zero_len)
{
    frame_alloc_release_range(&fa, 0, F(200));
    frame_alloc_reserve_range(&fa, F(7), 0);
    ck_assert_free(200);
}
END_TEST

START_TEST(reserve_clipped)
{
    uint64_t n = fa.nframes;
    frame_alloc_release_range(&fa, 0, F(n));
    frame_alloc_reserve_range(&fa, F(n - 1), F(10));
    ck_assert_free(n - 1);
    ck_assert(is_used(n - 1));
    frame_alloc_reserve_range(&fa, F(n + 5), F(10));        /* wholly past the end */
    ck_assert_free(n - 1);
}
END_TEST

START_TEST(reserve_wrapping)
{
    /* base + len wraps: everything from base up is reserved. */
    frame_alloc_release_range(&fa, 0, F(200));
    frame_alloc_reserve_range(&fa, F(150), ~0ull);
    ck_assert_free(150);
    ck_assert(!is_used(149));
    ck_assert(is_used(150));
    ck_assert(is_used(199));
}
END_TEST

START_TEST(reserve_to_top_of_address_space)
{
    /* A range that ends at (or just below) 2^64 without wrapping must still
     * reserve every frame from its base (rounding its end up must not wrap
     * to frame 0). */
    frame_alloc_release_range(&fa, 0, F(200));
    frame_alloc_reserve_range(&fa, 0, ~0ull);
    ck_assert_free(0);

    frame_alloc_release_range(&fa, 0, F(200));
    frame_alloc_reserve_range(&fa, F(100), ~0ull - F(100));
    ck_assert_free(100);
    ck_assert(!is_used(99));
    ck_assert(is_used(100));

    frame_alloc_release_range(&fa, 0, F(200));
    frame_alloc_reserve_range(&fa, F(100), -F(100));        /* ends exactly at 2^64 */
    ck_assert_free(100);
}
END_TEST

START_TEST(release_then_reserve_memory_map)
{
    /* The way phys_init uses it: usable RAM with a hole, then the low MiB
     * stand-in and a module. */
    frame_alloc_release_range(&fa, 0, 0x9fc00);             /* frames 0..158 */
    frame_alloc_release_range(&fa, 0xa0000, F(200));        /* clipped at 200 */
    ck_assert_free(159 + 40);
    frame_alloc_reserve_range(&fa, 0, 0x10000);             /* frames 0..15 */
    frame_alloc_reserve_range(&fa, 0x20123, 0x3000);        /* frames 32..35 */
    ck_assert_free(199 - 16 - 4);
    ck_assert(is_used(159));                                /* the partial page */
}
END_TEST

/* ---- take ------------------------------------------------------------------ */

START_TEST(take_single)
{
    frame_alloc_release_range(&fa, F(1), F(10));            /* frames 1..10 */
    ck_assert_uint_eq(frame_alloc_take(&fa, 1, 1), F(1));
    ck_assert_uint_eq(frame_alloc_take(&fa, 1, 1), F(2));
    ck_assert_free(8);
    ck_assert(is_used(1));
    ck_assert(is_used(2));
    /* align 0 is taken as 1. */
    ck_assert_uint_eq(frame_alloc_take(&fa, 1, 0), F(3));
    ck_assert_free(7);
}
END_TEST

START_TEST(take_zero)
{
    frame_alloc_release_range(&fa, F(1), F(10));
    ck_assert_uint_eq(frame_alloc_take(&fa, 0, 1), 0);
    ck_assert_free(10);
}
END_TEST

START_TEST(frame_zero_never_returned)
{
    frame_alloc_release_range(&fa, 0, F(2));                /* frames 0 and 1 */
    ck_assert_free(2);
    ck_assert_uint_eq(frame_alloc_take(&fa, 1, 1), F(1));
    ck_assert_uint_eq(frame_alloc_take(&fa, 1, 1), 0);
    ck_assert_uint_eq(frame_alloc_take(&fa, 1, 1), 0);
    ck_assert(!is_used(0));
    ck_assert_free(1);
    /* Aligned runs never start at 0 either. */
    frame_alloc_init(&fa, bitmap, 200);
    frame_alloc_release_range(&fa, 0, F(8));
    ck_assert_uint_eq(frame_alloc_take(&fa, 4, 4), F(4));
    ck_assert_uint_eq(frame_alloc_take(&fa, 4, 4), 0);
    ck_assert_uint_eq(frame_alloc_take(&fa, 2, 1), F(1));
}
END_TEST

START_TEST(take_exhaustion)
{
    frame_alloc_release_range(&fa, 0, F(200));
    uint64_t seen[200] = { 0 };
    for (int i = 1; i < 200; i++) {
        uint64_t pa = frame_alloc_take(&fa, 1, 1);
        ck_assert_uint_ne(pa, 0);
        ck_assert_uint_eq(pa % FRAME_SIZE, 0);
        ck_assert_uint_lt(pa / FRAME_SIZE, 200);
        ck_assert_msg(!seen[pa / FRAME_SIZE], "frame %llu handed out twice",
                      (unsigned long long)(pa / FRAME_SIZE));
        seen[pa / FRAME_SIZE] = 1;
    }
    ck_assert_free(1);                                      /* frame 0 only */
    ck_assert_uint_eq(frame_alloc_take(&fa, 1, 1), 0);
    ck_assert_free(1);
}
END_TEST

START_TEST(take_more_than_free)
{
    frame_alloc_release_range(&fa, F(1), F(5));
    ck_assert_uint_eq(frame_alloc_take(&fa, 6, 1), 0);
    ck_assert_free(5);
    ck_assert_uint_eq(frame_alloc_take(&fa, 5, 1), F(1));
    ck_assert_free(0);
}
END_TEST

START_TEST(take_contiguous_skips_holes)
{
    frame_alloc_release_range(&fa, F(1), F(20));            /* 1..20 */
    frame_alloc_reserve_range(&fa, F(3), 1);                /* hole at 3 */
    frame_alloc_reserve_range(&fa, F(7), 1);                /* hole at 7 */
    uint64_t pa = frame_alloc_take(&fa, 4, 1);
    ck_assert_uint_eq(pa, F(8));                            /* 1,2 | 4..6 too short */
    for (int f = 8; f < 12; f++)
        ck_assert(is_used(f));
    ck_assert_free(20 - 2 - 4);
}
END_TEST

START_TEST(take_no_run_long_enough)
{
    /* Every other frame free: plenty free, no two adjacent. */
    for (uint64_t f = 1; f < 200; f += 2)
        frame_alloc_release_range(&fa, F(f), FRAME_SIZE);
    ck_assert_free(100);
    ck_assert_uint_eq(frame_alloc_take(&fa, 2, 1), 0);
    ck_assert_free(100);
    ck_assert_uint_ne(frame_alloc_take(&fa, 1, 1), 0);
}
END_TEST

START_TEST(take_aligned)
{
    frame_alloc_release_range(&fa, 0, F(200));
    ck_assert_uint_eq(frame_alloc_take(&fa, 1, 1), F(1));
    uint64_t pa = frame_alloc_take(&fa, 8, 8);
    ck_assert_uint_eq(pa, F(8));
    pa = frame_alloc_take(&fa, 3, 16);
    ck_assert_uint_eq(pa % F(16), 0);
    ck_assert_uint_eq(pa, F(16));
    pa = frame_alloc_take(&fa, 16, 64);
    ck_assert_uint_eq(pa, F(64));
    for (int f = 64; f < 80; f++)
        ck_assert(is_used(f));
    ck_assert_free(200 - 1 - 8 - 3 - 16);
    /* Not enough room for an aligned run of 64 after 128: 128..191 is
     * free, 192.. is only 8 frames. */
    ck_assert_uint_eq(frame_alloc_take(&fa, 64, 64), F(128));
    ck_assert_uint_eq(frame_alloc_take(&fa, 64, 64), 0);
}
END_TEST

START_TEST(take_aligned_in_unaligned_ram)
{
    frame_alloc_release_range(&fa, F(5), F(20));            /* 5..24 */
    ck_assert_uint_eq(frame_alloc_take(&fa, 4, 4), F(8));
    ck_assert_uint_eq(frame_alloc_take(&fa, 8, 8), F(16));
    ck_assert_uint_eq(frame_alloc_take(&fa, 4, 4), F(12));  /* wraps around to 12 */
    ck_assert_uint_eq(frame_alloc_take(&fa, 4, 4), 0);      /* 5..7 and 24 remain */
    ck_assert_uint_eq(frame_alloc_take(&fa, 3, 1), F(5));
    ck_assert_free(1);
}
END_TEST

START_TEST(take_wraps_to_freed_frames)
{
    frame_alloc_release_range(&fa, F(1), F(199));
    for (int i = 1; i < 200; i++)
        ck_assert_uint_eq(frame_alloc_take(&fa, 1, 1), F(i));
    ck_assert(frame_alloc_give(&fa, F(5), 1));
    ck_assert_uint_eq(frame_alloc_take(&fa, 1, 1), F(5));
    ck_assert_free(0);
}
END_TEST

START_TEST(take_run_at_the_end)
{
    uint64_t n = fa.nframes;
    frame_alloc_release_range(&fa, F(n - 4), F(4));
    ck_assert_uint_eq(frame_alloc_take(&fa, 4, 1), F(n - 4));
    ck_assert_free(0);
    /* A run that would need a frame past the end (enough frames are free
     * in total, counting frame 10). */
    frame_alloc_init(&fa, bitmap, n);
    frame_alloc_release_range(&fa, F(n - 3), F(3));
    frame_alloc_release_range(&fa, F(10), FRAME_SIZE);
    ck_assert_uint_eq(frame_alloc_take(&fa, 4, 1), 0);
    ck_assert_free(4);
}
END_TEST

/* ---- give -------------------------------------------------------------------- */

START_TEST(give_back)
{
    frame_alloc_release_range(&fa, F(1), F(10));
    uint64_t pa = frame_alloc_take(&fa, 3, 1);
    ck_assert_free(7);
    ck_assert(frame_alloc_give(&fa, pa, 3));
    ck_assert_free(10);
    ck_assert_uint_eq(frame_alloc_take(&fa, 10, 1), F(1));
    ck_assert_free(0);
}
END_TEST

START_TEST(give_double_free)
{
    frame_alloc_release_range(&fa, F(1), F(10));
    uint64_t pa = frame_alloc_take(&fa, 1, 1);
    ck_assert(frame_alloc_give(&fa, pa, 1));
    ck_assert_free(10);
    ck_assert(!frame_alloc_give(&fa, pa, 1));
    ck_assert_free(10);
}
END_TEST

START_TEST(give_partly_free_changes_nothing)
{
    frame_alloc_release_range(&fa, F(1), F(10));
    uint64_t pa = frame_alloc_take(&fa, 4, 1);              /* frames 1..4 */
    ck_assert(frame_alloc_give(&fa, pa + F(2), 1));         /* frame 3 back */
    ck_assert_free(7);
    ck_assert(!frame_alloc_give(&fa, pa, 4));               /* 3 is already free */
    ck_assert_free(7);
    ck_assert(is_used(1));
    ck_assert(is_used(2));
    ck_assert(is_used(4));
}
END_TEST

START_TEST(give_unaligned)
{
    frame_alloc_release_range(&fa, F(1), F(10));
    uint64_t pa = frame_alloc_take(&fa, 1, 1);
    ck_assert(!frame_alloc_give(&fa, pa + 1, 1));
    ck_assert(!frame_alloc_give(&fa, pa + FRAME_SIZE - 1, 1));
    ck_assert_free(9);
    ck_assert(is_used(pa / FRAME_SIZE));
}
END_TEST

START_TEST(give_frame_zero)
{
    ck_assert(!frame_alloc_give(&fa, 0, 1));
    ck_assert_free(0);
    ck_assert(is_used(0));
}
END_TEST

START_TEST(give_out_of_range)
{
    uint64_t n = fa.nframes;
    ck_assert(!frame_alloc_give(&fa, F(n), 1));
    ck_assert(!frame_alloc_give(&fa, F(n + 100), 1));
    ck_assert(!frame_alloc_give(&fa, F(n - 1), 2));         /* runs past the end */
    ck_assert(!frame_alloc_give(&fa, F(1), ~0ull));         /* f + n wraps */
    ck_assert(!frame_alloc_give(&fa, 0xfffffffffffff000ull, 0x10));
    ck_assert_free(0);
    /* The last frame itself is fine. */
    ck_assert(frame_alloc_give(&fa, F(n - 1), 1));
    ck_assert_free(1);
}
END_TEST

Suite *frame_alloc_suite(void)
{
    Suite *s = suite_create("frame_alloc");
    TCase *tc = tcase_create("ranges");
    tcase_add_checked_fixture(tc, setup200, teardown);
    tcase_add_test(tc, init_all_used);
    tcase_add_test(tc, init_resets_old_state);
    tcase_add_test(tc, release_whole);
    tcase_add_test(tc, release_partial_edges);
    tcase_add_test(tc, release_less_than_a_frame);
    tcase_add_test(tc, release_zero_len);
    tcase_add_test(tc, release_clipped);
    tcase_add_test(tc, release_wrapping);
    tcase_add_test(tc, release_near_top_of_address_space);
    tcase_add_test(tc, reserve_partial_edges);
    tcase_add_test(tc, reserve_zero_len);
    tcase_add_test(tc, reserve_clipped);
    tcase_add_test(tc, reserve_wrapping);
    tcase_add_test(tc, reserve_to_top_of_address_space);
    tcase_add_test(tc, release_then_reserve_memory_map);
    suite_add_tcase(s, tc);

    tc = tcase_create("ranges_word_aligned");
    tcase_add_checked_fixture(tc, setup192, teardown);
    tcase_add_test(tc, release_clipped);
    tcase_add_test(tc, reserve_clipped);
    tcase_add_test(tc, take_run_at_the_end);
    tcase_add_test(tc, give_out_of_range);
    suite_add_tcase(s, tc);

    tc = tcase_create("take");
    tcase_add_checked_fixture(tc, setup200, teardown);
    tcase_add_test(tc, take_single);
    tcase_add_test(tc, take_zero);
    tcase_add_test(tc, frame_zero_never_returned);
    tcase_add_test(tc, take_exhaustion);
    tcase_add_test(tc, take_more_than_free);
    tcase_add_test(tc, take_contiguous_skips_holes);
    tcase_add_test(tc, take_no_run_long_enough);
    tcase_add_test(tc, take_aligned);
    tcase_add_test(tc, take_aligned_in_unaligned_ram);
    tcase_add_test(tc, take_wraps_to_freed_frames);
    tcase_add_test(tc, take_run_at_the_end);
    suite_add_tcase(s, tc);

    tc = tcase_create("give");
    tcase_add_checked_fixture(tc, setup200, teardown);
    tcase_add_test(tc, give_back);
    tcase_add_test(tc, give_double_free);
    tcase_add_test(tc, give_partly_free_changes_nothing);
    tcase_add_test(tc, give_unaligned);
    tcase_add_test(tc, give_frame_zero);
    tcase_add_test(tc, give_out_of_range);
    suite_add_tcase(s, tc);
    return s;
}
