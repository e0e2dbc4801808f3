/*
 * kernel/mm/vma.c: the region list behind mmap, munmap, mprotect and the
 * page-fault handler.  Every test ends by checking the list's invariants
 * (sorted, page aligned, non-empty, no overlap, no two alike neighbours
 * left unmerged where the kernel relies on merging).
 */
#include <check.h>
#include <stdint.h>
#include <string.h>
#include "kernel/mm/vma.h"
#include <sysgate/abi.h>
#include "suites.h"

#define P(n) ((uint64_t)(n) * VMA_PAGE)
#define RW (VMA_READ | VMA_WRITE)
#define RX (VMA_READ | VMA_EXEC)

static struct vma_list list;
static uint8_t file_bytes[P(8)];

static void setup(void)
{
    memset(&list, 0xa5, sizeof list);       /* vma_init must not rely on zeroed memory */
    vma_init(&list);
}

static struct vma anon(uint64_t start, uint64_t end, uint32_t prot)
{
    struct vma r = { .start = start, .end = end, .prot = prot, .backing = VMA_ANON };
    return r;
}

static struct vma file(uint64_t start, uint64_t end, uint64_t offset, uint64_t len)
{
    struct vma r = { .start = start, .end = end, .prot = VMA_READ, .backing = VMA_FILE,
                     .file = file_bytes + offset, .file_len = len };
    return r;
}

static void check_invariants(void)
{
    ck_assert_int_ge(list.count, 0);
    ck_assert_int_le(list.count, VMA_MAX);
    for (int i = 0; i < list.count; i++) {
        const struct vma *r = &list.v[i];
        ck_assert_uint_eq(r->start % VMA_PAGE, 0);
        ck_assert_uint_eq(r->end % VMA_PAGE, 0);
        ck_assert_uint_lt(r->start, r->end);
        if (i > 0)
            ck_assert_uint_le(list.v[i - 1].end, r->start);
    }
}

static void expect(int i, uint64_t start, uint64_t end, uint32_t prot)
{
    ck_assert_int_lt(i, list.count);
    ck_assert_uint_eq(list.v[i].start, start);
    ck_assert_uint_eq(list.v[i].end, end);
    ck_assert_uint_eq(list.v[i].prot, prot);
}

static void add(struct vma r)
{
    ck_assert(vma_range_free(&list, r.start, r.end));
    ck_assert_int_eq(vma_insert(&list, &r), 0);
    check_invariants();
}

/* ---- lookup ------------------------------------------------------------------ */

START_TEST(find_in_empty)
{
    ck_assert_int_eq(vma_find(&list, 0), -1);
    ck_assert_int_eq(vma_find(&list, P(5)), -1);
    ck_assert(vma_range_free(&list, 0, UINT64_MAX));
    ck_assert(!vma_range_covered(&list, P(1), P(2)));
    ck_assert(vma_range_covered(&list, P(1), P(1)));        /* empty range */
}
END_TEST

START_TEST(find_edges)
{
    add(anon(P(10), P(20), RW));
    add(anon(P(30), P(31), RX));
    ck_assert_int_eq(vma_find(&list, P(10)), 0);
    ck_assert_int_eq(vma_find(&list, P(20) - 1), 0);
    ck_assert_int_eq(vma_find(&list, P(20)), -1);           /* end is exclusive */
    ck_assert_int_eq(vma_find(&list, P(10) - 1), -1);
    ck_assert_int_eq(vma_find(&list, P(30) + 5), 1);
    ck_assert_int_eq(vma_find(&list, UINT64_MAX), -1);
    ck_assert(!vma_range_free(&list, P(19), P(30)));
    ck_assert(vma_range_free(&list, P(20), P(30)));
    ck_assert(!vma_range_free(&list, 0, P(11)));
    ck_assert(vma_range_covered(&list, P(12), P(20)));
    ck_assert(!vma_range_covered(&list, P(12), P(21)));
    ck_assert(!vma_range_covered(&list, P(9), P(12)));
}
END_TEST

START_TEST(covered_across_adjacent_regions)
{
    add(anon(P(1), P(2), RW));
    add(anon(P(2), P(3), RX));              /* different: stays separate */
    add(anon(P(3), P(4), VMA_READ));
    ck_assert_int_eq(list.count, 3);
    ck_assert(vma_range_covered(&list, P(1), P(4)));
    ck_assert(!vma_range_covered(&list, P(1), P(5)));
}
END_TEST

START_TEST(flagged)
{
    struct vma pin = anon(P(50), P(51), RW);
    pin.flags = VMA_PINNED;
    add(anon(P(40), P(50), RW));
    add(pin);
    ck_assert_int_eq(list.count, 2);        /* a pinned region never merges */
    ck_assert(!vma_range_flagged(&list, P(40), P(50), VMA_PINNED));
    ck_assert(vma_range_flagged(&list, P(49), P(51), VMA_PINNED));
    ck_assert(vma_range_flagged(&list, P(50) + 1, P(50) + 2, VMA_PINNED));
    ck_assert(!vma_range_flagged(&list, P(51), P(60), VMA_PINNED));
}
END_TEST

/* ---- free ranges ------------------------------------------------------------- */

START_TEST(free_range_top_down)
{
    ck_assert_uint_eq(vma_find_free(&list, P(4), P(16), P(100)), P(96));
    add(anon(P(96), P(100), RW));
    ck_assert_uint_eq(vma_find_free(&list, P(4), P(16), P(100)), P(92));
    add(anon(P(80), P(92), RW));
    /* 92..96 is still free and fits exactly; 5 pages only fit below 80. */
    ck_assert_uint_eq(vma_find_free(&list, P(4), P(16), P(100)), P(92));
    ck_assert_uint_eq(vma_find_free(&list, P(5), P(16), P(100)), P(75));
}
END_TEST

START_TEST(free_range_fits_exactly)
{
    add(anon(P(10), P(20), RW));
    add(anon(P(23), P(30), RW));
    ck_assert_uint_eq(vma_find_free(&list, P(3), P(10), P(30)), P(20));
    ck_assert_uint_eq(vma_find_free(&list, P(4), P(10), P(30)), 0);
    /* The bounds clip the gaps. */
    ck_assert_uint_eq(vma_find_free(&list, P(3), P(1), P(9)), P(6));
    ck_assert_uint_eq(vma_find_free(&list, P(9), P(1), P(10)), P(1));
    ck_assert_uint_eq(vma_find_free(&list, P(10), P(1), P(10)), 0);
}
END_TEST

START_TEST(free_range_bad_arguments)
{
    ck_assert_uint_eq(vma_find_free(&list, 0, P(1), P(10)), 0);
    ck_assert_uint_eq(vma_find_free(&list, 100, P(1), P(10)), 0);        /* not whole pages */
    ck_assert_uint_eq(vma_find_free(&list, P(1), P(10), P(10)), 0);
    ck_assert_uint_eq(vma_find_free(&list, P(1), P(10), P(5)), 0);
    ck_assert_uint_eq(vma_find_free(&list, UINT64_MAX & ~(VMA_PAGE - 1), P(1), P(10)), 0);
    /* Unaligned bounds are rounded inwards. */
    ck_assert_uint_eq(vma_find_free(&list, P(1), P(1) + 1, P(3) - 1), 0);
    ck_assert_uint_eq(vma_find_free(&list, P(1), P(1) - 1, P(3) - 1), P(1));
}
END_TEST

START_TEST(free_range_whole_space_taken)
{
    add(anon(P(1), P(1000), RW));
    ck_assert_uint_eq(vma_find_free(&list, P(1), P(1), P(1000)), 0);
    ck_assert_uint_eq(vma_find_free(&list, P(1), 0, P(1000)), 0);
}
END_TEST

/* ---- insert and merge -------------------------------------------------------- */

START_TEST(insert_sorted_and_merged)
{
    add(anon(P(30), P(40), RW));
    add(anon(P(10), P(20), RW));
    ck_assert_int_eq(list.count, 2);
    add(anon(P(20), P(30), RW));            /* bridges both */
    ck_assert_int_eq(list.count, 1);
    expect(0, P(10), P(40), RW);
    add(anon(P(40), P(41), RX));            /* different protection */
    add(anon(P(9), P(10), RW));             /* joins the front */
    ck_assert_int_eq(list.count, 2);
    expect(0, P(9), P(40), RW);
    expect(1, P(40), P(41), RX);
}
END_TEST

START_TEST(insert_does_not_merge_different_backing)
{
    add(anon(P(0), P(1), VMA_READ));
    add(file(P(1), P(2), 0, P(2)));
    struct vma shared = anon(P(2), P(3), VMA_READ);
    shared.backing = VMA_SHARED;
    add(shared);
    struct vma shared2 = anon(P(3), P(4), VMA_READ);
    shared2.backing = VMA_SHARED;
    add(shared2);
    ck_assert_int_eq(list.count, 4);
}
END_TEST

START_TEST(insert_full)
{
    for (int i = 0; i < VMA_MAX; i++)
        add(anon(P(2 * i), P(2 * i + 1), RW));
    ck_assert_int_eq(list.count, VMA_MAX);
    struct vma r = anon(P(2 * VMA_MAX), P(2 * VMA_MAX + 1), RW);
    ck_assert_int_eq(vma_insert(&list, &r), -SG_ENOMEM);
    ck_assert_int_eq(list.count, VMA_MAX);
    /* One that merges needs no slot, and may even fold two into one. */
    r = anon(P(1), P(2), RW);
    ck_assert_int_eq(vma_insert(&list, &r), 0);
    ck_assert_int_eq(list.count, VMA_MAX - 1);
    expect(0, 0, P(3), RW);
    check_invariants();
}
END_TEST

START_TEST(file_regions_merge_only_when_contiguous)
{
    add(file(P(10), P(12), 0, P(8)));
    add(file(P(12), P(13), P(2), P(6)));    /* continues the bytes */
    ck_assert_int_eq(list.count, 1);
    expect(0, P(10), P(13), VMA_READ);
    add(file(P(13), P(14), P(5), P(3)));    /* skips a page of the file */
    ck_assert_int_eq(list.count, 2);
    add(file(P(20), P(21), 0, 100));        /* the file ends inside it */
    add(file(P(21), P(22), P(1), 0));
    ck_assert_int_eq(list.count, 4);
}
END_TEST

/* ---- remove ------------------------------------------------------------------ */

START_TEST(remove_middle_splits)
{
    add(anon(P(10), P(20), RW));
    ck_assert_int_eq(vma_remove(&list, P(12), P(15)), 0);
    check_invariants();
    ck_assert_int_eq(list.count, 2);
    expect(0, P(10), P(12), RW);
    expect(1, P(15), P(20), RW);
    ck_assert_int_eq(vma_find(&list, P(13)), -1);
}
END_TEST

START_TEST(remove_edges_and_spans)
{
    add(anon(P(10), P(20), RW));
    add(anon(P(20), P(30), RX));
    add(anon(P(40), P(50), RW));
    ck_assert_int_eq(vma_remove(&list, P(5), P(11)), 0);           /* the front */
    expect(0, P(11), P(20), RW);
    ck_assert_int_eq(vma_remove(&list, P(29), P(35)), 0);          /* the back */
    expect(1, P(20), P(29), RX);
    ck_assert_int_eq(vma_remove(&list, P(15), P(45)), 0);          /* across three */
    check_invariants();
    ck_assert_int_eq(list.count, 2);
    expect(0, P(11), P(15), RW);
    expect(1, P(45), P(50), RW);
    ck_assert_int_eq(vma_remove(&list, P(60), P(70)), 0);          /* a hole: nothing */
    ck_assert_int_eq(vma_remove(&list, 0, UINT64_MAX & ~(VMA_PAGE - 1)), 0);
    ck_assert_int_eq(list.count, 0);
}
END_TEST

START_TEST(remove_exact)
{
    add(anon(P(10), P(20), RW));
    add(anon(P(30), P(40), RW));
    ck_assert_int_eq(vma_remove(&list, P(10), P(20)), 0);
    ck_assert_int_eq(list.count, 1);
    expect(0, P(30), P(40), RW);
}
END_TEST

START_TEST(remove_split_when_full)
{
    for (int i = 0; i < VMA_MAX; i++)
        add(anon(P(4 * i), P(4 * i + 3), RW));
    ck_assert_int_eq(vma_remove(&list, P(1), P(2)), -SG_ENOMEM);
    ck_assert_int_eq(list.count, VMA_MAX);
    expect(0, 0, P(3), RW);
    /* Trimming or removing needs no slot. */
    ck_assert_int_eq(vma_remove(&list, P(2), P(5)), 0);
    expect(0, 0, P(2), RW);
    expect(1, P(5), P(7), RW);
    ck_assert_int_eq(vma_remove(&list, P(8), P(11)), 0);
    ck_assert_int_eq(list.count, VMA_MAX - 1);
    check_invariants();
}
END_TEST

START_TEST(remove_file_keeps_offsets)
{
    add(file(P(10), P(14), P(1), P(2) + 100));      /* 2 pages and 100 bytes of file */
    ck_assert_int_eq(vma_remove(&list, P(10), P(11)), 0);
    ck_assert_ptr_eq(list.v[0].file, file_bytes + P(2));
    ck_assert_uint_eq(list.v[0].file_len, P(1) + 100);
    ck_assert_int_eq(vma_remove(&list, P(11), P(12)), 0);
    ck_assert_ptr_eq(list.v[0].file, file_bytes + P(3));
    ck_assert_uint_eq(list.v[0].file_len, 100);
    ck_assert_int_eq(vma_remove(&list, P(12), P(13)), 0);
    ck_assert_uint_eq(list.v[0].file_len, 0);       /* wholly past the end of the file */
    expect(0, P(13), P(14), VMA_READ);
}
END_TEST

/* ---- protect ----------------------------------------------------------------- */

START_TEST(protect_middle_and_back)
{
    add(anon(P(10), P(20), RW));
    ck_assert_int_eq(vma_protect(&list, P(12), P(14), VMA_READ), 0);
    check_invariants();
    ck_assert_int_eq(list.count, 3);
    expect(0, P(10), P(12), RW);
    expect(1, P(12), P(14), VMA_READ);
    expect(2, P(14), P(20), RW);
    ck_assert_int_eq(vma_protect(&list, P(12), P(14), RW), 0);   /* back up: one region again */
    ck_assert_int_eq(list.count, 1);
    expect(0, P(10), P(20), RW);
}
END_TEST

START_TEST(protect_across_regions)
{
    add(anon(P(10), P(20), RW));
    add(anon(P(20), P(30), RX));
    ck_assert_int_eq(vma_protect(&list, P(15), P(25), 0), 0);
    check_invariants();
    ck_assert_int_eq(list.count, 3);
    expect(0, P(10), P(15), RW);
    expect(1, P(15), P(25), 0);
    expect(2, P(25), P(30), RX);
    ck_assert_int_eq(vma_protect(&list, P(10), P(30), VMA_READ), 0);
    ck_assert_int_eq(list.count, 1);
    expect(0, P(10), P(30), VMA_READ);
}
END_TEST

START_TEST(protect_hole)
{
    add(anon(P(10), P(20), RW));
    add(anon(P(21), P(30), RW));
    ck_assert_int_eq(vma_protect(&list, P(15), P(25), VMA_READ), -SG_ENOMEM);
    ck_assert_int_eq(vma_protect(&list, P(5), P(12), VMA_READ), -SG_ENOMEM);
    /* Nothing changed. */
    ck_assert_int_eq(list.count, 2);
    expect(0, P(10), P(20), RW);
    expect(1, P(21), P(30), RW);
    ck_assert_int_eq(vma_protect(&list, P(15), P(15), VMA_READ), 0);     /* empty: nothing */
    ck_assert_int_eq(list.count, 2);
}
END_TEST

START_TEST(protect_when_full)
{
    for (int i = 0; i < VMA_MAX - 1; i++)
        add(anon(P(4 * i), P(4 * i + 3), RW));
    /* One slot left: a cut at one end fits, a cut at both ends does not. */
    ck_assert_int_eq(vma_protect(&list, P(1), P(2), VMA_READ), -SG_ENOMEM);
    ck_assert_int_eq(list.count, VMA_MAX - 1);
    expect(0, 0, P(3), RW);
    ck_assert_int_eq(vma_protect(&list, P(0), P(2), VMA_READ), 0);
    ck_assert_int_eq(list.count, VMA_MAX);
    expect(0, 0, P(2), VMA_READ);
    expect(1, P(2), P(3), RW);
    check_invariants();
}
END_TEST

START_TEST(protect_file_split_offsets)
{
    add(file(P(10), P(13), 0, P(3)));
    ck_assert_int_eq(vma_protect(&list, P(11), P(12), VMA_READ | VMA_WRITE), 0);
    ck_assert_int_eq(list.count, 3);
    ck_assert_ptr_eq(list.v[1].file, file_bytes + P(1));
    ck_assert_ptr_eq(list.v[2].file, file_bytes + P(2));
    ck_assert_uint_eq(list.v[2].file_len, P(1));
    ck_assert_int_eq(vma_protect(&list, P(11), P(12), VMA_READ), 0);
    ck_assert_int_eq(list.count, 1);                 /* the bytes still continue: merged */
    ck_assert_ptr_eq(list.v[0].file, file_bytes);
    ck_assert_uint_eq(list.v[0].file_len, P(3));
}
END_TEST

Suite *vma_suite(void)
{
    Suite *s = suite_create("vma");
    TCase *tc = tcase_create("lookup");
    tcase_add_checked_fixture(tc, setup, 0);
    tcase_add_test(tc, find_in_empty);
    tcase_add_test(tc, find_edges);
    tcase_add_test(tc, covered_across_adjacent_regions);
    tcase_add_test(tc, flagged);
    tcase_add_test(tc, free_range_top_down);
    tcase_add_test(tc, free_range_fits_exactly);
    tcase_add_test(tc, free_range_bad_arguments);
    tcase_add_test(tc, free_range_whole_space_taken);
    suite_add_tcase(s, tc);

    tc = tcase_create("change");
    tcase_add_checked_fixture(tc, setup, 0);
    tcase_add_test(tc, insert_sorted_and_merged);
    tcase_add_test(tc, insert_does_not_merge_different_backing);
    tcase_add_test(tc, insert_full);
    tcase_add_test(tc, file_regions_merge_only_when_contiguous);
    tcase_add_test(tc, remove_middle_splits);
    tcase_add_test(tc, remove_edges_and_spans);
    tcase_add_test(tc, remove_exact);
    tcase_add_test(tc, remove_split_when_full);
    tcase_add_test(tc, remove_file_keeps_offsets);
    tcase_add_test(tc, protect_middle_and_back);
    tcase_add_test(tc, protect_across_regions);
    tcase_add_test(tc, protect_hole);
    tcase_add_test(tc, protect_when_full);
    tcase_add_test(tc, protect_file_split_offsets);
    suite_add_tcase(s, tc);
    return s;
}
