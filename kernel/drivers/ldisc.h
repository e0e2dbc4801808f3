/*
 * The line discipline: what a terminal does between the bytes a keyboard
 * sends and what read() returns, as Linux's n_tty (drivers/tty/n_tty.c) and
 * termios(3) describe it.  Pure - no hardware, no processes - so that the
 * host unit tests drive it byte by byte (tests/host/test_ldisc.c); the
 * console (drivers/tty.c) feeds it from the UART's receive interrupt and
 * reads from it on behalf of read().
 *
 * Input: ISTRIP, IGNCR, ICRNL, INLCR; ISIG (VINTR, VQUIT, VSUSP raise a
 * signal for the caller to deliver and flush the input unless NOFLSH);
 * canonical mode (ICANON): lines ended by NL, VEOL, VEOL2 or VEOF, edited
 * with VERASE, VKILL, VWERASE, VLNEXT and VREPRINT (the last three with IEXTEN), at
 * most LDISC_MAX_LINE bytes of a line kept (the rest dropped, the line end
 * still accepted, as Linux keeps 4095; with IUTF8 erase takes a whole UTF-8
 * character back); non-canonical mode: every byte as it
 * comes.  Echo: ECHO, ECHOE, ECHOK, ECHOKE, ECHONL, ECHOCTL (control
 * characters as ^X).  Output (and echo): OPOST with ONLCR, OCRNL, ONOCR,
 * ONLRET.  A c_cc entry of 0 is disabled (_POSIX_VDISABLE), so that NUL is
 * always data.
 */
#ifndef SYSGATE_LDISC_H
#define SYSGATE_LDISC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../fs/linux.h"

#define LDISC_BUF 4096                  /* Linux's N_TTY_BUF_SIZE */
#define LDISC_MAX_LINE (LDISC_BUF - 1)  /* bytes of one canonical line, its end apart */

/* termios bits (asm-generic/termbits.h), the ones the discipline acts on. */
#define L_ISTRIP  0000040
#define L_INLCR   0000100
#define L_IGNCR   0000200
#define L_ICRNL   0000400
#define L_IUTF8   0040000
#define L_OPOST   0000001
#define L_ONLCR   0000004
#define L_OCRNL   0000010
#define L_ONOCR   0000020
#define L_ONLRET  0000040
#define L_ISIG    0000001
#define L_ICANON  0000002
#define L_ECHO    0000010
#define L_ECHOE   0000020
#define L_ECHOK   0000040
#define L_ECHONL  0000100
#define L_NOFLSH  0000200
#define L_TOSTOP  0000400
#define L_ECHOCTL 0001000
#define L_ECHOKE  0004000
#define L_IEXTEN  0100000
enum {
    L_VINTR = 0, L_VQUIT = 1, L_VERASE = 2, L_VKILL = 3, L_VEOF = 4, L_VTIME = 5, L_VMIN = 6,
    L_VSUSP = 10, L_VEOL = 11, L_VREPRINT = 12, L_VLNEXT = 15, L_VWERASE = 14, L_VEOL2 = 16,
};

/* Linux's signal numbers for the three ISIG characters. */
#define LDISC_SIGINT  2
#define LDISC_SIGQUIT 3
#define LDISC_SIGTSTP 20

struct ldisc {
    struct l_termios t;
    /* The input: buf[0 .. len) in arrival order; a read takes from the
     * front.  buf[0 .. ready) may be read (canonical mode: up to the end
     * of the last complete line); the rest is the line being edited. */
    uint8_t buf[LDISC_BUF];
    uint8_t flags[LDISC_BUF];   /* LDISC_LINE_END, LDISC_EOF per byte */
    uint32_t len, ready;
    bool literal_next;          /* VLNEXT seen: the next byte is data */
    uint32_t column;            /* of the output, for ONOCR and erasing */
    uint32_t canon_column;      /* the column where the line being edited began */
    uint32_t signals;           /* 1 << signal for each raised, until taken */
    uint64_t dropped;           /* bytes that found the buffer full */
    /* Where echo and output go, byte for byte, after OPOST. */
    void (*out)(void *ctx, const uint8_t *s, size_t n);
    void *ctx;
};
#define LDISC_LINE_END 1
#define LDISC_EOF 2     /* a VEOF marker: ends its line, is no data */

/* Linux's tty_std_termios, the settings of a terminal at boot. */
void ldisc_init(struct ldisc *l, void (*out)(void *ctx, const uint8_t *s, size_t n), void *ctx);
/* One byte from the keyboard. */
void ldisc_receive(struct ldisc *l, uint8_t c);
/* New settings (TCSETS): switching ICANON off makes the line being edited
 * readable, switching it on ends what is there as a line (as n_tty does). */
void ldisc_set_termios(struct ldisc *l, const struct l_termios *t);
/* Throws the unread input away (TCFLSH, TCSETSF). */
void ldisc_flush_input(struct ldisc *l);

/* What a read of at most max bytes would return now: -1 when nothing is
 * readable (the reader must wait); otherwise n, the bytes at buf[0 .. n)
 * (canonical mode: at most one line, its end included; 0 for an end of
 * file marker at the front).  Takes nothing. */
long ldisc_peek(const struct ldisc *l, size_t max);
/* Takes n bytes a read returned (n <= what ldisc_peek gave), and the end
 * of file marker of the line they finished; with n == 0, the end of file
 * marker at the front. */
void ldisc_take(struct ldisc *l, size_t n);
/* Bytes readable without waiting, markers not counted (FIONREAD). */
size_t ldisc_readable(const struct ldisc *l);
/* Output through OPOST processing to l->out. */
void ldisc_output(struct ldisc *l, const uint8_t *s, size_t n);

#endif
