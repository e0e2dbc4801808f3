/*
 * kernel/time/timeconv.c: calendar dates against the host C library's
 * timegm, the CMOS clock's register formats (BCD or binary, 12- or
 * 24-hour) and their invalid values, and the TSC's mult/shift (bounds and
 * precision), against the same 64-bit arithmetic sg_vvar_clock() uses.
 */
#define _DEFAULT_SOURCE
#include <check.h>
#include <stdint.h>
#include <time.h>
#include "kernel/time/timeconv.h"
#include "suites.h"

static int64_t host_timegm(int year, int month, int day)
{
    struct tm tm = { 0 };
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    return (int64_t)timegm(&tm);
}

START_TEST(days_match_timegm)
{
    ck_assert_int_eq(days_from_civil(1970, 1, 1), 0);
    ck_assert_int_eq(days_from_civil(1969, 12, 31), -1);
    ck_assert_int_eq(days_from_civil(2000, 3, 1), 11017);
    static const unsigned month_days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    for (int y = 1900; y <= 2400; y++)
        for (unsigned m = 1; m <= 12; m++) {
            bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            unsigned last = month_days[m - 1] + (m == 2 && leap);
            for (unsigned d = 1; d <= last; d += last - 1)
                ck_assert_msg(days_from_civil(y, m, d) * 86400 == host_timegm(y, (int)m, (int)d), "%d-%02u-%02u",
                              y, m, d);
        }
}
END_TEST

#define BIN 0x04
#define H24 0x02

START_TEST(rtc_formats)
{
    int64_t s;
    /* 2026-11-30 11:28:51 UTC, in BCD 24-hour (QEMU's default) and in binary. */
    struct rtc_regs bcd = { 0x51, 0x28, 0x11, 0x30, 0x11, 0x26, H24 };
    ck_assert(rtc_to_unix(&bcd, &s));
    ck_assert_int_eq(s, host_timegm(2026, 11, 30) + 11 * 3600 + 28 * 60 + 51);
    struct rtc_regs bin = { 51, 28, 11, 30, 11, 26, H24 | BIN };
    int64_t s2;
    ck_assert(rtc_to_unix(&bin, &s2) && s2 == s);
    /* 12-hour: 12 AM is 0:xx, 12 PM is 12:xx, 11 PM is 23:xx (bit 7: PM). */
    struct rtc_regs am12 = { 0, 0, 0x12, 0x01, 0x01, 0x00, 0 }, pm12 = { 0, 0, 0x92, 0x01, 0x01, 0x00, 0 },
                    pm11 = { 0, 0, 0x80 | 11, 1, 1, 0, BIN };
    ck_assert(rtc_to_unix(&am12, &s) && s == host_timegm(2000, 1, 1));
    ck_assert(rtc_to_unix(&pm12, &s) && s == host_timegm(2000, 1, 1) + 12 * 3600);
    ck_assert(rtc_to_unix(&pm11, &s) && s == host_timegm(2000, 1, 1) + 23 * 3600);
    struct rtc_regs leap = { 0, 0, 0, 0x29, 0x02, 0x24, H24 };
    ck_assert(rtc_to_unix(&leap, &s) && s == host_timegm(2024, 2, 29));
}
END_TEST

START_TEST(rtc_invalid)
{
    static const struct rtc_regs bad[] = {
        { 0x60, 0, 0, 1, 1, 0, H24 },       /* second 60 */
        { 0, 0x60, 0, 1, 1, 0, H24 },       /* minute 60 */
        { 0, 0, 0x24, 1, 1, 0, H24 },       /* hour 24 */
        { 0, 0, 0, 0x00, 1, 0, H24 },       /* day 0 */
        { 0, 0, 0, 0x32, 1, 0, H24 },       /* day 32 */
        { 0, 0, 0, 1, 0x13, 0, H24 },       /* month 13 */
        { 0, 0, 0, 1, 0x00, 0, H24 },       /* month 0 */
        { 0, 0, 0, 0x31, 0x04, 0, H24 },    /* 31 April */
        { 0, 0, 0, 0x29, 0x02, 0x23, H24 }, /* 29 February 2023 */
        { 0x0a, 0, 0, 1, 1, 0, H24 },       /* not BCD */
        { 0, 0, 0, 1, 1, 0xa0, H24 },       /* not BCD */
        { 0, 0, 0x00, 1, 1, 0, 0 },         /* 12-hour 0 */
        { 0, 0, 0x13, 1, 1, 0, 0 },         /* 12-hour 13 */
        { 0, 0, 0, 1, 1, 100, H24 | BIN },  /* binary year 100 */
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t s = 12345;
        ck_assert_msg(!rtc_to_unix(&bad[i], &s), "case %u accepted", i);
        ck_assert_int_eq(s, 12345);
    }
}
END_TEST

START_TEST(mult_shift)
{
    static const uint64_t rates[] = { 60, 1000, 1193182, 1000000, 999999999, 1000000000, 1000000116,
                                      2599222276ull, 3000000000ull, 5000000000ull, 10000000000ull };
    for (unsigned i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        uint32_t mult, shift;
        clock_mult_shift(rates[i], &mult, &shift);
        ck_assert_msg(mult < (1u << 24) && mult > 0 && shift <= 32, "hz %lu: mult %u shift %u",
                      (unsigned long)rates[i], mult, shift);
        /* The largest shift that fits: one more would break the bound. */
        if (shift < 32)
            ck_assert_msg((((uint64_t)1000000000 << (shift + 1)) / rates[i]) >= (1u << 24), "hz %lu: shift %u "
                          "is not the largest", (unsigned long)rates[i], shift);
        /* One second of ticks converts to one second, to 1 part in 2^22,
         * with the vvar's arithmetic (the ticks times mult in 64 bits). */
        uint64_t ns = (rates[i] * mult) >> shift;
        uint64_t err = ns > 1000000000 ? ns - 1000000000 : 1000000000 - ns;
        if (rates[i] >= 1000000)
            ck_assert_msg(err * (1u << 22) <= 1000000000ull, "hz %lu: one second reads %lu ns",
                          (unsigned long)rates[i], (unsigned long)ns);
        /* 2^39 ticks at mult < 2^24, plus a whole second's snsec, fit
         * 64 bits: minutes between updates at any of these rates. */
        ck_assert((unsigned __int128)(1ull << 39) * mult + ((unsigned __int128)1000000000 << shift) <
                  ((unsigned __int128)1 << 64));
    }
}
END_TEST

Suite *timeconv_suite(void)
{
    Suite *s = suite_create("timeconv");
    TCase *tc = tcase_create("timeconv");
    tcase_add_test(tc, days_match_timegm);
    tcase_add_test(tc, rtc_formats);
    tcase_add_test(tc, rtc_invalid);
    tcase_add_test(tc, mult_shift);
    suite_add_tcase(s, tc);
    return s;
}
