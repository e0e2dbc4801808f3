/*
 * kernel/lib/cmdline.c: cmdline_get and cmdline_split_list.  Output buffers
 * are malloc'd at their exact size so AddressSanitizer catches an overrun.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/lib/cmdline.h"
#include "suites.h"

/* cmdline_get into a fresh exact-size buffer pre-filled with '#'; returns
 * the result and leaves the buffer in *buf (caller frees). */
static bool get(const char *cmdline, const char *key, size_t size, char **buf)
{
    *buf = malloc(size ? size : 1);
    ck_assert_ptr_nonnull(*buf);
    memset(*buf, '#', size ? size : 1);
    return cmdline_get(cmdline, key, *buf, size);
}

#define ck_assert_get(cmdline, key, want)                                            \
    do {                                                                             \
        char *b_;                                                                    \
        ck_assert_msg(get((cmdline), (key), 64, &b_), "%s not found in '%s'", (key), \
                      (cmdline));                                                    \
        ck_assert_str_eq(b_, (want));                                                \
        free(b_);                                                                    \
    } while (0)

#define ck_assert_absent(cmdline, key)                                                   \
    do {                                                                                 \
        char *b_;                                                                        \
        ck_assert_msg(!get((cmdline), (key), 64, &b_), "%s found in '%s'", (key),        \
                      (cmdline));                                                        \
        ck_assert_msg(b_[0] == '#', "output written for a missing key");                 \
        free(b_);                                                                        \
    } while (0)

/* ---- cmdline_get -------------------------------------------------------------- */

START_TEST(key_value)
{
    const char *c = "console=ttyS0 init=/bin/sh quiet";
    ck_assert_get(c, "init", "/bin/sh");
    ck_assert_get(c, "console", "ttyS0");
}
END_TEST

START_TEST(bare_key)
{
    ck_assert_get("quiet", "quiet", "");
    ck_assert_get("a=1 quiet b=2", "quiet", "");
    ck_assert_get("a=1 b=2 quiet", "quiet", "");
}
END_TEST

START_TEST(empty_value)
{
    ck_assert_get("init= quiet", "init", "");
    ck_assert_get("init=", "init", "");
}
END_TEST

START_TEST(missing_key)
{
    ck_assert_absent("console=ttyS0 quiet", "init");
    ck_assert_absent("", "init");
    ck_assert_absent("   ", "init");
    ck_assert_absent("=init", "init");
}
END_TEST

START_TEST(last_wins)
{
    ck_assert_get("init=/a init=/b", "init", "/b");
    ck_assert_get("init=/a quiet init=/b x=1", "init", "/b");
    /* A later bare key overrides an earlier value. */
    ck_assert_get("init=/a init", "init", "");
    /* A later longer value then a shorter one: no leftovers. */
    ck_assert_get("init=/bin/longname init=/x", "init", "/x");
}
END_TEST

START_TEST(prefix_does_not_match)
{
    ck_assert_absent("initrd=/boot/initrd", "init");
    ck_assert_absent("initrd", "init");
    ck_assert_absent("init2=/x", "init");
    ck_assert_get("init=/x initrd=/y", "init", "/x");
    ck_assert_get("initrd=/y init=/x", "init", "/x");
    ck_assert_get("init=/x initrd=/y", "initrd", "/y");
    /* A word shorter than the key. */
    ck_assert_absent("ini=3", "init");
    ck_assert_absent("in", "init");
    /* The key must start the word. */
    ck_assert_absent("xinit=/x", "init");
}
END_TEST

START_TEST(case_sensitive)
{
    ck_assert_absent("INIT=/x", "init");
}
END_TEST

START_TEST(value_with_equals)
{
    ck_assert_get("opt=a=b,c=d", "opt", "a=b,c=d");
}
END_TEST

START_TEST(quoted_values)
{
    const char *c = "console=ttyS0 init=\"/bin/sh -c 'echo hi'\" quiet";
    ck_assert_get(c, "init", "/bin/sh -c 'echo hi'");
    /* Words after a quoted value are still found. */
    ck_assert_get(c, "quiet", "");
    ck_assert_get(c, "console", "ttyS0");
    /* Quotes in the middle of a value. */
    ck_assert_get("msg=a\"b c\"d x=1", "msg", "ab cd");
    ck_assert_get("msg=\"\" x=1", "msg", "");
    /* An unterminated quote runs to the end of the line. */
    ck_assert_get("msg=\"a b c", "msg", "a b c");
}
END_TEST

START_TEST(no_match_inside_quotes)
{
    ck_assert_absent("cmd=\"x init=/evil\"", "init");
    ck_assert_get("cmd=\"x init=/evil\" init=/good", "init", "/good");
    ck_assert_get("init=/good cmd=\"x init=/evil\"", "init", "/good");
}
END_TEST

START_TEST(whitespace)
{
    const char *c = "  \t init=/bin/sh \t  quiet   ";
    ck_assert_get(c, "init", "/bin/sh");
    ck_assert_get(c, "quiet", "");
    ck_assert_get("a=1\tinit=/x\tb=2", "init", "/x");
}
END_TEST

START_TEST(truncation)
{
    char *b;
    ck_assert(get("init=/bin/sh", "init", 4, &b));
    ck_assert_str_eq(b, "/bi");
    free(b);
    ck_assert(get("init=/bin/sh", "init", 8, &b));      /* exactly fits */
    ck_assert_str_eq(b, "/bin/sh");
    free(b);
    ck_assert(get("init=/bin/sh", "init", 7, &b));      /* one short */
    ck_assert_str_eq(b, "/bin/s");
    free(b);
    ck_assert(get("init=/bin/sh", "init", 1, &b));
    ck_assert_str_eq(b, "");
    free(b);
    /* Quotes do not count against the size. */
    ck_assert(get("init=\"a b\"", "init", 4, &b));
    ck_assert_str_eq(b, "a b");
    free(b);
}
END_TEST

START_TEST(size_zero)
{
    /* Still reports presence; writes nothing at all. */
    char buf[4] = "###";
    ck_assert(cmdline_get("init=/bin/sh", "init", buf, 0));
    ck_assert_str_eq(buf, "###");
    ck_assert(!cmdline_get("quiet", "init", buf, 0));
}
END_TEST

START_TEST(long_cmdline)
{
    /* Many words; the key at the very end. */
    char c[4096];
    size_t n = 0;
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(c + n, sizeof c - n, "k%d=v%d ", i, i);
    snprintf(c + n, sizeof c - n, "init=/last");
    ck_assert_get(c, "init", "/last");
    ck_assert_get(c, "k299", "v299");
    ck_assert_get(c, "k0", "v0");
    ck_assert_absent(c, "k300");
}
END_TEST

/* ---- cmdline_split_list -------------------------------------------------------- */

START_TEST(split_basic)
{
    char list[] = "a,bb,ccc";
    char *items[8];
    ck_assert_int_eq(cmdline_split_list(list, items, 8), 3);
    ck_assert_str_eq(items[0], "a");
    ck_assert_str_eq(items[1], "bb");
    ck_assert_str_eq(items[2], "ccc");
    /* In place: the items point into the list. */
    ck_assert_ptr_eq(items[0], list);
    ck_assert_ptr_eq(items[1], list + 2);
    ck_assert_ptr_eq(items[2], list + 5);
}
END_TEST

START_TEST(split_single)
{
    char list[] = "hello";
    char *items[2];
    ck_assert_int_eq(cmdline_split_list(list, items, 2), 1);
    ck_assert_str_eq(items[0], "hello");
}
END_TEST

START_TEST(split_empty_items_skipped)
{
    char list[] = ",a,,b,,,c,";
    char *items[8];
    ck_assert_int_eq(cmdline_split_list(list, items, 8), 3);
    ck_assert_str_eq(items[0], "a");
    ck_assert_str_eq(items[1], "b");
    ck_assert_str_eq(items[2], "c");

    char empty[] = "";
    ck_assert_int_eq(cmdline_split_list(empty, items, 8), 0);
    char commas[] = ",,,";
    ck_assert_int_eq(cmdline_split_list(commas, items, 8), 0);
}
END_TEST

START_TEST(split_max)
{
    char list[] = "a,b,c,d";
    char *items[3] = { NULL, NULL, (char *)"sentinel" };
    ck_assert_int_eq(cmdline_split_list(list, items, 2), 2);
    ck_assert_str_eq(items[0], "a");
    ck_assert_str_eq(items[1], "b");        /* terminated, not "b,c,d" */
    ck_assert_str_eq(items[2], "sentinel");

    /* Empty items do not use up slots. */
    char list2[] = ",,x,,y,z";
    ck_assert_int_eq(cmdline_split_list(list2, items, 2), 2);
    ck_assert_str_eq(items[0], "x");
    ck_assert_str_eq(items[1], "y");
}
END_TEST

START_TEST(split_max_zero)
{
    char list[] = "a,b";
    char *items[1] = { (char *)"sentinel" };
    ck_assert_int_eq(cmdline_split_list(list, items, 0), 0);
    ck_assert_str_eq(items[0], "sentinel");
    ck_assert_str_eq(list, "a,b");
}
END_TEST

START_TEST(get_then_split)
{
    /* The way kernel/main.c uses them: test=a,b,c. */
    char *b;
    ck_assert(get("console=ttyS0 test=elf,,cpio,frames quiet", "test", 32, &b));
    char *items[4];
    ck_assert_int_eq(cmdline_split_list(b, items, 4), 3);
    ck_assert_str_eq(items[0], "elf");
    ck_assert_str_eq(items[1], "cpio");
    ck_assert_str_eq(items[2], "frames");
    free(b);
}
END_TEST

/* ---- `--`: the first program's arguments (Linux's convention) ---------------- */

START_TEST(dashdash_ends_kernel_keys)
{
    /* A word after `--` belongs to init: init=/x there must not pick init. */
    ck_assert_get("init=/bin/busybox -- echo init=/x", "init", "/bin/busybox");
    ck_assert_absent("quiet -- test=a", "test");
    /* `--x` and `x--` are ordinary words. */
    ck_assert_get("--x test=1", "test", "1");
}
END_TEST

START_TEST(init_args)
{
    char *buf = malloc(64);
    char *items[8];
    ck_assert_int_eq(cmdline_init_args("init=/bin/busybox --  echo \"a b\"  c-- ", buf, 64, items, 8), 3);
    ck_assert_str_eq(items[0], "echo");
    ck_assert_str_eq(items[1], "a b");
    ck_assert_str_eq(items[2], "c--");
    ck_assert_int_eq(cmdline_init_args("init=/x quiet", buf, 64, items, 8), 0);
    ck_assert_int_eq(cmdline_init_args("init=/x --", buf, 64, items, 8), 0);
    /* Only the first `--` separates: a second one is an argument. */
    ck_assert_int_eq(cmdline_init_args("-- -- x", buf, 64, items, 8), 2);
    ck_assert_str_eq(items[0], "--");
    ck_assert_str_eq(items[1], "x");
    free(buf);
}
END_TEST

START_TEST(init_args_limits)
{
    /* max items, then the buffer: "aaa\0" fits twice in 9 bytes, not three times. */
    char *buf = malloc(9);
    char *items[2];
    ck_assert_int_eq(cmdline_init_args("-- a b c", buf, 9, items, 2), 2);
    ck_assert_str_eq(items[1], "b");
    char *more[4];
    ck_assert_int_eq(cmdline_init_args("-- aaa bbb ccc", buf, 9, more, 4), 2);
    ck_assert_str_eq(more[0], "aaa");
    ck_assert_str_eq(more[1], "bbb");
    ck_assert_int_eq(cmdline_init_args("-- aaaaaaaaaaaaaa", buf, 9, more, 4), 0);
    free(buf);
}
END_TEST

Suite *cmdline_suite(void)
{
    Suite *s = suite_create("cmdline");
    TCase *tc = tcase_create("get");
    tcase_add_test(tc, key_value);
    tcase_add_test(tc, bare_key);
    tcase_add_test(tc, empty_value);
    tcase_add_test(tc, missing_key);
    tcase_add_test(tc, last_wins);
    tcase_add_test(tc, prefix_does_not_match);
    tcase_add_test(tc, case_sensitive);
    tcase_add_test(tc, value_with_equals);
    tcase_add_test(tc, quoted_values);
    tcase_add_test(tc, no_match_inside_quotes);
    tcase_add_test(tc, whitespace);
    tcase_add_test(tc, truncation);
    tcase_add_test(tc, dashdash_ends_kernel_keys);
    tcase_add_test(tc, init_args);
    tcase_add_test(tc, init_args_limits);
    tcase_add_test(tc, size_zero);
    tcase_add_test(tc, long_cmdline);
    suite_add_tcase(s, tc);

    tc = tcase_create("split_list");
    tcase_add_test(tc, split_basic);
    tcase_add_test(tc, split_single);
    tcase_add_test(tc, split_empty_items_skipped);
    tcase_add_test(tc, split_max);
    tcase_add_test(tc, split_max_zero);
    tcase_add_test(tc, get_then_split);
    suite_add_tcase(s, tc);
    return s;
}
