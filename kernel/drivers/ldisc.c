/* The line discipline (ldisc.h): Linux's n_tty, reduced to one terminal's needs. */
#include "ldisc.h"
#include <common/string.h>

static bool is_control(uint8_t c)
{
    return c < 0x20 || c == 0x7f;
}

/* A UTF-8 continuation byte, which takes no column, when IUTF8 says the
 * input is UTF-8. */
static bool is_continuation(const struct ldisc *l, uint8_t c)
{
    return (l->t.c_iflag & L_IUTF8) && (c & 0xc0) == 0x80;
}

/* c is the character in c_cc[v], which is enabled (not _POSIX_VDISABLE, 0). */
static bool is_special(const struct ldisc *l, uint8_t c, int v)
{
    return l->t.c_cc[v] != 0 && c == l->t.c_cc[v];
}

static void emit(struct ldisc *l, const char *s, size_t n)
{
    l->out(l->ctx, (const uint8_t *)s, n);
}

/* One byte of output through OPOST (Linux's n_tty.c do_output_char). */
static void output_byte(struct ldisc *l, uint8_t c)
{
    if (!(l->t.c_oflag & L_OPOST)) {
        l->out(l->ctx, &c, 1);
        return;
    }
    switch (c) {
    case '\n':
        if (l->t.c_oflag & L_ONLRET)
            l->column = 0;
        if (l->t.c_oflag & L_ONLCR) {
            l->column = 0;
            emit(l, "\r\n", 2);
            return;
        }
        break;
    case '\r':
        if ((l->t.c_oflag & L_ONOCR) && l->column == 0)
            return;
        if (l->t.c_oflag & L_OCRNL) {
            c = '\n';
            if (l->t.c_oflag & L_ONLRET)
                l->column = 0;
            break;
        }
        l->column = 0;
        break;
    case '\t':
        l->column = (l->column | 7) + 1;
        break;
    case '\b':
        if (l->column > 0)
            l->column--;
        break;
    default:
        if (!is_control(c) && !is_continuation(l, c))
            l->column++;
    }
    l->out(l->ctx, &c, 1);
}

void ldisc_output(struct ldisc *l, const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        output_byte(l, s[i]);
}

static void echo_string(struct ldisc *l, const char *s)
{
    ldisc_output(l, (const uint8_t *)s, strlen(s));
}

/* Echo of an input byte: control characters as ^X with ECHOCTL (tab and
 * newline as themselves; DEL as ^?). */
static void echo_char(struct ldisc *l, uint8_t c)
{
    if (!(l->t.c_lflag & L_ECHO))
        return;
    if ((l->t.c_lflag & L_ECHOCTL) && is_control(c) && c != '\t' && c != '\n') {
        uint8_t caret[2] = { '^', (uint8_t)(c ^ 0100) };
        ldisc_output(l, caret, 2);
        return;
    }
    output_byte(l, c);
}

/* The columns echo_char gave c. */
static uint32_t echo_width(const struct ldisc *l, uint8_t c)
{
    if (is_continuation(l, c))
        return 0;
    return (l->t.c_lflag & L_ECHOCTL) && is_control(c) && c != '\t' && c != '\n' ? 2 : 1;
}

/* Takes the echo of the byte just erased, e, back (ECHOE).  A tab's width
 * depends on where it started: recount the line from its first column, as
 * Linux's n_tty.c eraser does, and move back to there. */
static void unecho(struct ldisc *l, uint8_t e)
{
    if (e != '\t') {
        for (uint32_t i = echo_width(l, e); i > 0; i--)
            echo_string(l, "\b \b");
        return;
    }
    uint32_t col = l->canon_column;
    for (uint32_t i = l->ready; i < l->len; i++)
        col = l->buf[i] == '\t' ? (col | 7) + 1 : col + echo_width(l, l->buf[i]);
    while (l->column > col)
        output_byte(l, '\b');
}

static void append(struct ldisc *l, uint8_t c, uint8_t flags)
{
    l->buf[l->len] = c;
    l->flags[l->len] = flags;
    l->len++;
}

/* A line end: NL, VEOL, VEOL2, or a VEOF marker (no data).  The line
 * becomes readable.  Always room for it unless complete lines fill the
 * buffer. */
static void end_line(struct ldisc *l, uint8_t c, uint8_t flags)
{
    if (l->len >= LDISC_BUF) {
        l->dropped++;
        return;
    }
    append(l, c, (uint8_t)(LDISC_LINE_END | flags));
    l->ready = l->len;
}

/* VERASE, VWERASE, VKILL on the line being edited (Linux's n_tty.c eraser). */
static void erase(struct ldisc *l, uint8_t c)
{
    uint32_t lflag = l->t.c_lflag;
    bool kill = is_special(l, c, L_VKILL);
    bool word = !kill && !is_special(l, c, L_VERASE);
    if (l->len == l->ready)
        return;
    if (kill && (!(lflag & L_ECHO) || !(lflag & L_ECHOK) || !(lflag & L_ECHOKE) || !(lflag & L_ECHOE))) {
        l->len = l->ready;
        echo_char(l, c);
        if ((lflag & L_ECHO) && (lflag & L_ECHOK))
            output_byte(l, '\n');
        return;
    }
    int seen_word = 0;
    while (l->len > l->ready) {
        uint8_t e = l->buf[l->len - 1];
        if (word) {
            bool in_word = (e >= '0' && e <= '9') || (e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || e == '_';
            if (in_word)
                seen_word++;
            else if (seen_word)
                break;
        }
        l->len--;
        /* IUTF8: a character's continuation bytes go with it. */
        while (is_continuation(l, e) && l->len > l->ready) {
            e = l->buf[l->len - 1];
            l->len--;
        }
        if (lflag & L_ECHO) {
            if (lflag & L_ECHOE)
                unecho(l, e);
            else
                echo_char(l, c);
        }
        if (!kill && !word)
            break;
    }
}

void ldisc_receive(struct ldisc *l, uint8_t c)
{
    uint32_t iflag = l->t.c_iflag, lflag = l->t.c_lflag;
    if (iflag & L_ISTRIP)
        c &= 0x7f;
    if (l->literal_next) {
        /* Echo took back the "^" shown for VLNEXT. */
        l->literal_next = false;
        if ((lflag & L_ECHO) && (lflag & L_ECHOCTL))
            output_byte(l, '\b');
    } else {
        if (c == '\r') {
            if (iflag & L_IGNCR)
                return;
            if (iflag & L_ICRNL)
                c = '\n';
        } else if (c == '\n' && (iflag & L_INLCR)) {
            c = '\r';
        }
        if (lflag & L_ISIG) {
            int sig = is_special(l, c, L_VINTR)   ? LDISC_SIGINT
                      : is_special(l, c, L_VQUIT) ? LDISC_SIGQUIT
                      : is_special(l, c, L_VSUSP) ? LDISC_SIGTSTP
                                                  : 0;
            if (sig) {
                l->signals |= 1u << sig;
                if (!(lflag & L_NOFLSH))
                    ldisc_flush_input(l);
                echo_char(l, c);
                return;
            }
        }
        if (lflag & L_ICANON) {
            if (is_special(l, c, L_VERASE) || is_special(l, c, L_VKILL) ||
                ((lflag & L_IEXTEN) && is_special(l, c, L_VWERASE))) {
                erase(l, c);
                return;
            }
            if ((lflag & L_IEXTEN) && (lflag & L_ECHO) && is_special(l, c, L_VREPRINT)) {
                /* ^R: the line typed so far again, on a line of its own. */
                echo_char(l, c);
                output_byte(l, '\n');
                l->canon_column = l->column;
                for (uint32_t i = l->ready; i < l->len; i++)
                    echo_char(l, l->buf[i]);
                return;
            }
            if ((lflag & L_IEXTEN) && is_special(l, c, L_VLNEXT)) {
                l->literal_next = true;
                if ((lflag & L_ECHO) && (lflag & L_ECHOCTL))
                    echo_string(l, "^\b");
                return;
            }
            if (c == '\n') {
                if (lflag & (L_ECHO | L_ECHONL))
                    output_byte(l, '\n');
                end_line(l, c, 0);
                return;
            }
            if (is_special(l, c, L_VEOF)) {
                end_line(l, 0, LDISC_EOF);
                return;
            }
            if (is_special(l, c, L_VEOL) || ((lflag & L_IEXTEN) && is_special(l, c, L_VEOL2))) {
                echo_char(l, c);
                end_line(l, c, 0);
                return;
            }
        }
    }
    /* Data.  In canonical mode one byte stays free for the line's end. */
    if (l->len >= ((lflag & L_ICANON) ? LDISC_MAX_LINE : LDISC_BUF)) {
        l->dropped++;
        return;
    }
    if (l->len == l->ready)
        l->canon_column = l->column;    /* where this line's echo starts */
    echo_char(l, c);
    append(l, c, 0);
    if (!(lflag & L_ICANON))
        l->ready = l->len;
}

void ldisc_flush_input(struct ldisc *l)
{
    l->len = l->ready = 0;
    l->literal_next = false;
}

void ldisc_set_termios(struct ldisc *l, const struct l_termios *t)
{
    bool was = l->t.c_lflag & L_ICANON;
    l->t = *t;
    bool now = l->t.c_lflag & L_ICANON;
    if (was && !now) {
        /* Every byte is data now: end of file markers go. */
        uint32_t kept = 0;
        for (uint32_t i = 0; i < l->len; i++)
            if (!(l->flags[i] & LDISC_EOF)) {
                l->buf[kept] = l->buf[i];
                l->flags[kept] = l->flags[i];
                kept++;
            }
        l->len = l->ready = kept;
        l->literal_next = false;
    } else if (!was && now && l->len) {
        l->flags[l->len - 1] |= LDISC_LINE_END;
        l->ready = l->len;
    }
}

long ldisc_peek(const struct ldisc *l, size_t max)
{
    if (l->ready == 0)
        return -1;
    size_t n = l->ready;
    if (l->t.c_lflag & L_ICANON) {
        size_t end = 0;
        while (end < l->ready && !(l->flags[end] & LDISC_LINE_END))
            end++;
        if (end < l->ready)
            n = (l->flags[end] & LDISC_EOF) ? end : end + 1;
    }
    return (long)(n < max ? n : max);
}

void ldisc_take(struct ldisc *l, size_t n)
{
    if (n > l->ready)
        n = l->ready;
    bool line_done = n > 0 && (l->flags[n - 1] & LDISC_LINE_END);
    size_t drop = n;
    if (drop < l->ready && (l->flags[drop] & LDISC_EOF) && !line_done)
        drop++;
    memmove(l->buf, l->buf + drop, l->len - drop);
    memmove(l->flags, l->flags + drop, l->len - drop);
    l->len -= (uint32_t)drop;
    l->ready -= (uint32_t)drop;
}

size_t ldisc_readable(const struct ldisc *l)
{
    size_t n = 0;
    for (uint32_t i = 0; i < l->ready; i++)
        n += !(l->flags[i] & LDISC_EOF);
    return n;
}

void ldisc_init(struct ldisc *l, void (*out)(void *ctx, const uint8_t *s, size_t n), void *ctx)
{
    /* Linux's drivers/tty/tty_io.c tty_std_termios: ICRNL IXON; OPOST ONLCR;
     * B38400 CS8 CREAD HUPCL; ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE
     * IEXTEN; the control characters of INIT_C_CC. */
    static const struct l_termios std = {
        .c_iflag = L_ICRNL | 0002000,
        .c_oflag = L_OPOST | L_ONLCR,
        .c_cflag = 0000017 | 0000060 | 0000200 | 0002000,
        .c_lflag = L_ISIG | L_ICANON | L_ECHO | L_ECHOE | L_ECHOK | L_ECHOCTL | L_ECHOKE | L_IEXTEN,
        .c_cc = { 003, 034, 0177, 025, 004, 0, 1, 0, 021, 023, 032, 0, 022, 017, 027, 026, 0 },
    };
    memset(l, 0, sizeof *l);
    l->t = std;
    l->out = out;
    l->ctx = ctx;
}
