/*
 * kernel/arch/debugcheck.c: which debug-register settings a process may
 * have (Intel SDM vol. 3B 18.2.4 DR7, 18.2.5 breakpoint lengths and
 * alignment).
 */
#include <check.h>
#include <stdint.h>
#include "kernel/arch/debugcheck.h"
#include <sysgate/abi.h>
#include "suites.h"

#define USER_END 0x00007ffffffff000ull

static uint64_t bp(int n, unsigned rw, unsigned len)
{
    return SG_DR7_ENABLE(n) | SG_DR7_RW(n, rw) | SG_DR7_LEN(n, len);
}

START_TEST(nothing_enabled)
{
    uint64_t dr[4] = { 0xffff800000000000ull, 1, 3, 0x800000000000ull };
    /* Disabled breakpoints are not looked at (sg_set_debugreg refuses such
     * addresses itself). */
    ck_assert_int_eq(debug_check(dr, 0, USER_END), 0);
    ck_assert_int_eq(debug_check(dr, DR7_FIXED, USER_END), 0);
}
END_TEST

START_TEST(lengths_and_alignment)
{
    uint64_t dr[4] = { 0x1000, 0x1002, 0x1004, 0x1008 };
    ck_assert_int_eq(debug_check(dr, bp(0, SG_DR_RW_RW, SG_DR_LEN_8), USER_END), 0);
    ck_assert_int_eq(debug_check(dr, bp(1, SG_DR_RW_RW, SG_DR_LEN_2), USER_END), 0);
    ck_assert_int_eq(debug_check(dr, bp(1, SG_DR_RW_RW, SG_DR_LEN_4), USER_END), -SG_EINVAL);
    ck_assert_int_eq(debug_check(dr, bp(2, SG_DR_RW_WRITE, SG_DR_LEN_4), USER_END), 0);
    ck_assert_int_eq(debug_check(dr, bp(2, SG_DR_RW_WRITE, SG_DR_LEN_8), USER_END), -SG_EINVAL);
    ck_assert_int_eq(debug_check(dr, bp(3, SG_DR_RW_RW, SG_DR_LEN_8), USER_END), 0);
    dr[3] = 0x1009;
    ck_assert_int_eq(debug_check(dr, bp(3, SG_DR_RW_RW, SG_DR_LEN_1), USER_END), 0);
    ck_assert_int_eq(debug_check(dr, bp(3, SG_DR_RW_RW, SG_DR_LEN_2), USER_END), -SG_EINVAL);
}
END_TEST

START_TEST(types)
{
    uint64_t dr[4] = { 0x401000, 0, 0, 0 };
    ck_assert_int_eq(debug_check(dr, bp(0, SG_DR_RW_EXEC, SG_DR_LEN_1), USER_END), 0);
    ck_assert_int_eq(debug_check(dr, bp(0, SG_DR_RW_EXEC, SG_DR_LEN_4), USER_END), -SG_EINVAL);
    ck_assert_int_eq(debug_check(dr, bp(0, SG_DR_RW_IO, SG_DR_LEN_1), USER_END), -SG_EINVAL);
    /* G (global) enables are allowed like L: one process, one CPU. */
    ck_assert_int_eq(debug_check(dr, (SG_DR7_ENABLE(0) << 1) | SG_DR7_RW(0, SG_DR_RW_WRITE), USER_END), 0);
}
END_TEST

START_TEST(user_half_only)
{
    uint64_t dr[4] = { USER_END - 8, USER_END - 4, USER_END, 0xffffffff80000000ull };
    ck_assert_int_eq(debug_check(dr, bp(0, SG_DR_RW_RW, SG_DR_LEN_8), USER_END), 0);
    ck_assert_int_eq(debug_check(dr, bp(1, SG_DR_RW_RW, SG_DR_LEN_4), USER_END), 0);
    ck_assert_int_eq(debug_check(dr, bp(2, SG_DR_RW_RW, SG_DR_LEN_1), USER_END), -SG_EINVAL);
    ck_assert_int_eq(debug_check(dr, bp(3, SG_DR_RW_RW, SG_DR_LEN_1), USER_END), -SG_EINVAL);
    dr[1] = USER_END - 2;
    ck_assert_int_eq(debug_check(dr, bp(1, SG_DR_RW_RW, SG_DR_LEN_4), USER_END), -SG_EINVAL);
}
END_TEST

START_TEST(dr7_bits)
{
    uint64_t dr[4] = { 0 };
    ck_assert_int_eq(debug_check(dr, DR7_GD, USER_END), -SG_EINVAL);
    ck_assert_int_eq(debug_check(dr, 1ull << 11, USER_END), -SG_EINVAL);      /* RTM */
    ck_assert_int_eq(debug_check(dr, 1ull << 12, USER_END), -SG_EINVAL);
    ck_assert_int_eq(debug_check(dr, 1ull << 14, USER_END), -SG_EINVAL);
    ck_assert_int_eq(debug_check(dr, 1ull << 15, USER_END), -SG_EINVAL);
    ck_assert_int_eq(debug_check(dr, 1ull << 32, USER_END), -SG_EINVAL);
    ck_assert_int_eq(debug_check(dr, 3ull << 8, USER_END), 0);                /* LE, GE */
}
END_TEST

Suite *debugcheck_suite(void)
{
    Suite *s = suite_create("debugcheck");
    TCase *tc = tcase_create("dr7");
    tcase_add_test(tc, nothing_enabled);
    tcase_add_test(tc, lengths_and_alignment);
    tcase_add_test(tc, types);
    tcase_add_test(tc, user_half_only);
    tcase_add_test(tc, dr7_bits);
    suite_add_tcase(s, tc);
    return s;
}
