/*
 * kernel/syscall/uaccess.h: user_range_ok, the bounds check every user
 * pointer passes before the kernel touches it.
 */
#include <check.h>
#include <stdint.h>
#include "kernel/syscall/uaccess.h"
#include "suites.h"

#define ok(a, l) ck_assert_msg(user_range_ok((a), (l)), "[%#llx, +%#llx) rejected", \
                               (unsigned long long)(a), (unsigned long long)(l))
#define bad(a, l) ck_assert_msg(!user_range_ok((a), (l)), "[%#llx, +%#llx) accepted", \
                                (unsigned long long)(a), (unsigned long long)(l))

START_TEST(layout_constants)
{
    /* The tests below assume this layout. */
    ck_assert_uint_eq(USER_END, 0x00007ffffffff000ull);
    ck_assert_uint_eq(USER_END % PAGE_SIZE, 0);
}
END_TEST

START_TEST(ordinary_ranges)
{
    ok(0x400000, 0x1000);
    ok(0x1000, 1);
    ok(USER_STACK_TOP - 0x100, 0x100);
    ok(USER_ARGPAGE, PAGE_SIZE);
}
END_TEST

START_TEST(zero_length)
{
    ok(0x400000, 0);
    ok(USER_END, 0);            /* empty range at the very end */
    bad(USER_END + 1, 0);
    bad(KERNEL_BASE, 0);
    bad(~0ull, 0);
}
END_TEST

START_TEST(end_boundary)
{
    ok(USER_END - 1, 1);        /* last user byte */
    ok(USER_END - PAGE_SIZE, PAGE_SIZE);
    ok(0, USER_END);            /* all of user space */
    bad(USER_END - 1, 2);       /* one byte past */
    bad(USER_END, 1);
    bad(USER_END - PAGE_SIZE, PAGE_SIZE + 1);
    bad(0, USER_END + 1);
    bad(1, USER_END);
}
END_TEST

START_TEST(unmapped_top_page)
{
    /* 0x00007ffffffff000..0x00007fffffffffff is below the canonical hole
     * but deliberately not user space (SYSRET, see layout.h). */
    bad(0x00007ffffffff000ull, 1);
    bad(0x00007fffffffffffull, 1);
    bad(0x00007ffffffff800ull, 0x10);
    bad(USER_END - 8, 16);
}
END_TEST

START_TEST(non_canonical)
{
    bad(0x0000800000000000ull, 0);
    bad(0x0000800000000000ull, 1);
    bad(0x0000800000000000ull - 8, 16);     /* straddles the hole */
    bad(0x00007fffffffffffull, 2);
    bad(0x1234567800000000ull, 0x10);
}
END_TEST

START_TEST(kernel_addresses)
{
    bad(KERNEL_BASE, 1);
    bad(KERNEL_BASE, 0x1000);
    bad(PHYS_MAP_BASE, 8);
    bad(0xffff800000100000ull, 1);
    bad(0xfffffffffffff000ull, 0x1000);
    /* From user space into the kernel half. */
    bad(0x400000, KERNEL_BASE - 0x400000);
}
END_TEST

START_TEST(wraparound)
{
    bad(0xfffffffffffffff0ull, 0x20);       /* wraps to 0x10 */
    bad(0xffffffffffffffffull, 1);          /* wraps to 0 */
    bad(0x1000, ~0ull);                     /* wraps to 0xfff */
    bad(0x1000, 0ull - 0x1000);             /* wraps to exactly 0 */
    bad(USER_END - 0x10, ~0ull - 0x8);
    bad(0x400000, 0xffffffffffc00000ull);   /* end wraps to 0 */
}
END_TEST

START_TEST(huge_length)
{
    bad(0, 1ull << 63);
    bad(0x400000, 1ull << 63);
    bad(0, ~0ull);
    bad(0, USER_END + 0x1000);
}
END_TEST

START_TEST(matches_reference)
{
    /* Against a 128-bit reference: ok iff addr + len <= USER_END exactly. */
    static const uint64_t points[] = {
        0, 1, 0xfff, 0x1000, 0x400000, USER_ARGPAGE, USER_END - 0x1000, USER_END - 1,
        USER_END, USER_END + 1, 0x00007fffffffffffull, 0x0000800000000000ull,
        PHYS_MAP_BASE, KERNEL_BASE, 0x7fffffffffffffffull, 0x8000000000000000ull,
        0xfffffffffffff000ull, ~0ull - 1, ~0ull,
    };
    const size_t n = sizeof points / sizeof points[0];
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            uint64_t a = points[i], l = points[j];
            bool want = (unsigned __int128)a + l <= USER_END;
            ck_assert_msg(user_range_ok(a, l) == want, "[%#llx, +%#llx): got %d, want %d",
                          (unsigned long long)a, (unsigned long long)l, !want, want);
        }
    }
}
END_TEST

Suite *uaccess_suite(void)
{
    Suite *s = suite_create("uaccess");
    TCase *tc = tcase_create("user_range_ok");
    tcase_add_test(tc, layout_constants);
    tcase_add_test(tc, ordinary_ranges);
    tcase_add_test(tc, zero_length);
    tcase_add_test(tc, end_boundary);
    tcase_add_test(tc, unmapped_top_page);
    tcase_add_test(tc, non_canonical);
    tcase_add_test(tc, kernel_addresses);
    tcase_add_test(tc, wraparound);
    tcase_add_test(tc, huge_length);
    tcase_add_test(tc, matches_reference);
    suite_add_tcase(s, tc);
    return s;
}
