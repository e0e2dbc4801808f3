/*
 * kernel/drivers/ldisc.c: the line discipline, byte by byte - canonical
 * lines and their editing, echo, end of file, signals, raw mode, output
 * processing, and hostile input (every byte value, lines past the buffer,
 * garbage settings).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/drivers/ldisc.h"
#include "suites.h"

static struct ldisc l;
static char echoed[16384];
static size_t echoed_len;

static void capture(void *ctx, const uint8_t *s, size_t n)
{
    (void)ctx;
    ck_assert_uint_le(echoed_len + n, sizeof echoed);
    memcpy(echoed + echoed_len, s, n);
    echoed_len += n;
}

static void setup(void)
{
    ldisc_init(&l, capture, 0);
    echoed_len = 0;
}

static void type(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ldisc_receive(&l, (uint8_t)s[i]);
}
#define TYPE(s) type((s), sizeof(s) - 1)

/* What one read of max bytes returns (taken), as a string; "(block)" when
 * nothing is readable. */
static const char *read_max(size_t max)
{
    static char got[LDISC_BUF + 1];
    long n = ldisc_peek(&l, max);
    if (n < 0)
        return "(block)";
    memcpy(got, l.buf, (size_t)n);
    got[n] = 0;
    ldisc_take(&l, (size_t)n);
    return got;
}

static void expect_echo(const char *want, size_t n)
{
    ck_assert_uint_eq(echoed_len, n);
    ck_assert_msg(!memcmp(echoed, want, n), "echo differs: got '%.*s'", (int)echoed_len, echoed);
    echoed_len = 0;
}
#define EXPECT_ECHO(s) expect_echo((s), sizeof(s) - 1)

static void set_lflag(uint32_t clear, uint32_t set)
{
    struct l_termios t = l.t;
    t.c_lflag = (t.c_lflag & ~clear) | set;
    ldisc_set_termios(&l, &t);
}

START_TEST(test_canonical_line)
{
    TYPE("abc");
    ck_assert_str_eq(read_max(100), "(block)");
    TYPE("\r");     /* ICRNL */
    EXPECT_ECHO("abc\r\n");
    ck_assert_str_eq(read_max(100), "abc\n");
    ck_assert_str_eq(read_max(100), "(block)");
}
END_TEST

START_TEST(test_partial_reads_keep_the_line)
{
    TYPE("abcdef\nxy\n");
    ck_assert_uint_eq(ldisc_readable(&l), 10);
    ck_assert_str_eq(read_max(4), "abcd");
    ck_assert_str_eq(read_max(100), "ef\n");     /* one line a read */
    ck_assert_str_eq(read_max(100), "xy\n");
}
END_TEST

START_TEST(test_erase)
{
    TYPE("abcd\x7f\x7fXY\n");
    ck_assert_str_eq(read_max(100), "abXY\n");
    EXPECT_ECHO("abcd\b \b\b \bXY\r\n");
    /* A control character echoed as ^A takes two columns back. */
    TYPE("a\x01\x7f\n");
    EXPECT_ECHO("a^A\b \b\b \b\r\n");
    ck_assert_str_eq(read_max(100), "a\n");
    /* Erase at the start of a line does nothing, and never reaches into a
     * finished line. */
    TYPE("ok\n\x7f\x7f\x7fz\n");
    ck_assert_str_eq(read_max(100), "ok\n");
    ck_assert_str_eq(read_max(100), "z\n");
}
END_TEST

/* Erasing a tab moves back to where it began, recounting the line from
 * the column where its echo started (a prompt before it included). */
START_TEST(test_erase_tab_and_utf8)
{
    ldisc_output(&l, (const uint8_t *)"$ ", 2);
    TYPE("a\tb\x7f\x7f");
    EXPECT_ECHO("$ a\tb\b \b\b\b\b\b\b");       /* from column 8 back to 3 */
    ck_assert_uint_eq(l.column, 3);
    TYPE("\x01\t\x7f");                           /* after ^A (two columns): 5 -> 8 -> 5 */
    EXPECT_ECHO("^A\t\b\b\b");
    TYPE("\n");
    ck_assert_str_eq(read_max(100), "a\x01\n");
    struct l_termios t = l.t;
    t.c_iflag |= L_IUTF8;
    ldisc_set_termios(&l, &t);
    echoed_len = 0;
    TYPE("x\xc3\xa9\xe2\x82\xac\x7f\x7f\n");      /* x, e acute, euro sign: two erases */
    EXPECT_ECHO("x\xc3\xa9\xe2\x82\xac\b \b\b \b\r\n");
    ck_assert_str_eq(read_max(100), "x\n");
}
END_TEST

START_TEST(test_kill_and_word_erase)
{
    TYPE("abc\x15" "def\n");
    EXPECT_ECHO("abc\b \b\b \b\b \bdef\r\n");   /* ECHOKE: erased visually */
    ck_assert_str_eq(read_max(100), "def\n");
    TYPE("foo bar\x17" "baz\n");                  /* ^W */
    ck_assert_str_eq(read_max(100), "foo baz\n");
    TYPE("foo bar  \x17\n");                      /* the word and the blanks after it */
    ck_assert_str_eq(read_max(100), "foo \n");
    set_lflag(L_ECHOKE, 0);                      /* without ECHOKE: ^U and a newline */
    echoed_len = 0;
    TYPE("abc\x15");
    EXPECT_ECHO("abc^U\r\n");
}
END_TEST

START_TEST(test_end_of_file)
{
    TYPE("\x04");
    EXPECT_ECHO("");
    ck_assert_str_eq(read_max(100), "");         /* read returns 0 */
    ck_assert_str_eq(read_max(100), "(block)");  /* once */
    TYPE("ab\x04");                               /* ^D ends a line without a newline */
    ck_assert_str_eq(read_max(100), "ab");
    ck_assert_str_eq(read_max(100), "(block)");
    TYPE("ab\n\x04");                             /* after a newline it is end of file */
    ck_assert_str_eq(read_max(100), "ab\n");
    ck_assert_str_eq(read_max(100), "");
    TYPE("abcd\x04");                             /* a partial read leaves the marker */
    ck_assert_str_eq(read_max(2), "ab");
    ck_assert_str_eq(read_max(100), "cd");
    ck_assert_str_eq(read_max(100), "(block)");
    ck_assert_uint_eq(ldisc_readable(&l), 0);
}
END_TEST

START_TEST(test_signals)
{
    TYPE("half a line\x03");
    ck_assert_uint_eq(l.signals, 1u << LDISC_SIGINT);
    EXPECT_ECHO("half a line^C");
    ck_assert_uint_eq(l.len, 0);                 /* flushed */
    TYPE("\x1c\x1a");
    ck_assert_uint_eq(l.signals, (1u << LDISC_SIGINT) | (1u << LDISC_SIGQUIT) | (1u << LDISC_SIGTSTP));
    l.signals = 0;
    set_lflag(0, L_NOFLSH);
    TYPE("keep\x03\n");
    ck_assert_str_eq(read_max(100), "keep\n");
    set_lflag(L_ISIG, 0);                        /* without ISIG ^C is data */
    l.signals = 0;
    TYPE("\x03\n");
    ck_assert_uint_eq(l.signals, 0);
    ck_assert_str_eq(read_max(100), "\x03\n");
}
END_TEST

START_TEST(test_literal_next)
{
    TYPE("\x16\x03\x16\x7f\n");
    ck_assert_uint_eq(l.signals, 0);
    ck_assert_str_eq(read_max(100), "\x03\x7f\n");
}
END_TEST

START_TEST(test_reprint)
{
    TYPE("ab\x01\x12");
    EXPECT_ECHO("ab^A^R\r\nab^A");
    TYPE("c\n");
    ck_assert_str_eq(read_max(100), "ab\x01" "c\n");
}
END_TEST

START_TEST(test_raw_mode)
{
    set_lflag(L_ICANON | L_ECHO, 0);
    TYPE("a");
    ck_assert_str_eq(read_max(100), "a");
    TYPE("\x7f\x04\x15\r");                        /* no editing; ICRNL still */
    ck_assert_str_eq(read_max(100), "\x7f\x04\x15\n");
    EXPECT_ECHO("");
    TYPE("xyz");
    ck_assert_str_eq(read_max(2), "xy");
    ck_assert_str_eq(read_max(2), "z");
}
END_TEST

START_TEST(test_mode_switches)
{
    TYPE("partial\x04" "more");
    set_lflag(L_ICANON, 0);                       /* to raw: all readable, markers gone */
    ck_assert_str_eq(read_max(100), "partialmore");
    TYPE("raw");
    set_lflag(0, L_ICANON);                       /* to canonical: what is there is a line */
    ck_assert_str_eq(read_max(100), "raw");
    ck_assert_str_eq(read_max(100), "(block)");
}
END_TEST

/* Every byte value, NUL included, is data in raw mode and, but for the
 * settings' special characters, in canonical mode. */
START_TEST(test_every_byte)
{
    struct l_termios t = l.t;
    t.c_lflag &= ~(uint32_t)(L_ICANON | L_ECHO | L_ISIG);
    t.c_iflag = 0;
    ldisc_set_termios(&l, &t);
    for (int c = 0; c < 256; c++)
        ldisc_receive(&l, (uint8_t)c);
    ck_assert_int_eq(ldisc_peek(&l, 1000), 256);
    for (int c = 0; c < 256; c++)
        ck_assert_uint_eq(l.buf[c], (unsigned)c);
    ldisc_take(&l, 256);

    setup();
    int n = 0;
    for (int c = 0; c < 256; c++) {
        bool special = c == '\n' || c == '\r';
        for (int v = 0; v < 19; v++)
            special |= l.t.c_cc[v] && c == l.t.c_cc[v];
        if (!special) {
            ldisc_receive(&l, (uint8_t)c);
            n++;
        }
    }
    ldisc_receive(&l, '\n');
    ck_assert_int_eq(ldisc_peek(&l, 1000), n + 1);
    ck_assert_uint_eq(l.buf[0], 0);              /* NUL first, and kept */
    ck_assert_uint_eq(l.signals, 0);
}
END_TEST

START_TEST(test_long_lines)
{
    for (int i = 0; i < 5000; i++)
        ldisc_receive(&l, 'x');
    ck_assert_str_eq(read_max(LDISC_BUF), "(block)");
    ck_assert_uint_eq(l.dropped, 5000 - LDISC_MAX_LINE);
    ldisc_receive(&l, '\n');                     /* the end of the line still fits */
    ck_assert_int_eq(ldisc_peek(&l, LDISC_BUF), LDISC_MAX_LINE + 1);
    ck_assert_uint_eq(l.buf[LDISC_MAX_LINE], '\n');
    ldisc_receive(&l, 'y');                      /* the buffer is full of a line: dropped */
    ldisc_receive(&l, '\n');
    ck_assert_uint_eq(l.dropped, 5000 - LDISC_MAX_LINE + 2);
    ck_assert_uint_eq(strlen(read_max(LDISC_BUF)), LDISC_MAX_LINE + 1);
    ck_assert_str_eq(read_max(100), "(block)");
    setup();
    set_lflag(L_ICANON | L_ECHO | L_ISIG, 0);
    for (int i = 0; i < 5000; i++)
        ldisc_receive(&l, (uint8_t)i);
    ck_assert_int_eq(ldisc_peek(&l, 100000), LDISC_BUF);
}
END_TEST

START_TEST(test_output)
{
    ldisc_output(&l, (const uint8_t *)"a\nb\n", 4);
    EXPECT_ECHO("a\r\nb\r\n");                     /* ONLCR */
    struct l_termios t = l.t;
    t.c_oflag = L_OPOST | L_OCRNL | L_ONOCR;
    ldisc_set_termios(&l, &t);
    ldisc_output(&l, (const uint8_t *)"\rx\r", 3);
    EXPECT_ECHO("x\n");                           /* ONOCR drops the CR at column 0; OCRNL */
    t.c_oflag = 0;
    ldisc_set_termios(&l, &t);
    ldisc_output(&l, (const uint8_t *)"\n\r", 2);
    EXPECT_ECHO("\n\r");                          /* no OPOST: as it is */
}
END_TEST

/* Garbage settings and random input: the buffer's invariants hold and
 * every read stays inside it. */
START_TEST(test_garbage_termios)
{
    srand(7);
    for (int round = 0; round < 300; round++) {
        struct l_termios t;
        uint8_t *raw = (uint8_t *)&t;
        for (size_t i = 0; i < sizeof t; i++)
            raw[i] = (uint8_t)rand();
        ldisc_set_termios(&l, &t);
        for (int i = 0; i < 200; i++) {
            ldisc_receive(&l, (uint8_t)rand());
            ck_assert_uint_le(l.len, LDISC_BUF);
            ck_assert_uint_le(l.ready, l.len);
            if (rand() % 8 == 0) {
                long n = ldisc_peek(&l, (size_t)(rand() % 64));
                ck_assert_int_le(n, (long)l.ready);
                if (n >= 0)
                    ldisc_take(&l, (size_t)n);
            }
        }
        echoed_len = 0;
    }
}
END_TEST

Suite *ldisc_suite(void)
{
    Suite *s = suite_create("ldisc");
    TCase *tc = tcase_create("ldisc");
    tcase_add_checked_fixture(tc, setup, 0);
    tcase_add_test(tc, test_canonical_line);
    tcase_add_test(tc, test_partial_reads_keep_the_line);
    tcase_add_test(tc, test_erase);
    tcase_add_test(tc, test_erase_tab_and_utf8);
    tcase_add_test(tc, test_kill_and_word_erase);
    tcase_add_test(tc, test_end_of_file);
    tcase_add_test(tc, test_signals);
    tcase_add_test(tc, test_literal_next);
    tcase_add_test(tc, test_reprint);
    tcase_add_test(tc, test_raw_mode);
    tcase_add_test(tc, test_mode_switches);
    tcase_add_test(tc, test_every_byte);
    tcase_add_test(tc, test_long_lines);
    tcase_add_test(tc, test_output);
    tcase_add_test(tc, test_garbage_termios);
    suite_add_tcase(s, tc);
    return s;
}
