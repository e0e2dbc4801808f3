/*
 * A C library reading the terminal: stdio on the console as a real
 * program does it (glibc reads with read, musl with readv; both ask
 * isatty, tcgetattr, tcsetattr).  Built like every real client (glibc and
 * musl, both widths), run as init by tests/run-console, which types each
 * step's input once the program prints "ready: <step>"; TAP lines report.
 */
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static int count, failed;

static void check(int ok, const char *what)
{
    printf("%sok %d - ttyread: %s\n", ok ? "" : "not ", ++count, what);
    failed += !ok;
}

static void ready(const char *step)
{
    printf("ready: %s\n", step);
    fflush(stdout);
}

int main(void)
{
    struct termios cooked, raw;
    check(isatty(0) && isatty(1), "stdin and stdout are a terminal");
    check(tcgetattr(0, &cooked) == 0 && (cooked.c_lflag & ICANON) && (cooked.c_lflag & ECHO),
          "tcgetattr: canonical mode with echo");

    char line[64];
    ready("lines");     /* "first line" CR "second" CR */
    check(fgets(line, sizeof line, stdin) && !strcmp(line, "first line\n"), "fgets: the first line");
    check(fgets(line, sizeof line, stdin) && !strcmp(line, "second\n"), "fgets: the second");

    ready("eof");       /* "abc" CR ^D */
    int chars = 0, c;
    while ((c = getchar()) != EOF)
        chars++;
    check(chars == 4 && feof(stdin), "getchar until ^D: four characters, then end of file");
    clearerr(stdin);

    raw = cooked;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    check(tcsetattr(0, TCSANOW, &raw) == 0, "tcsetattr: raw mode, VMIN 1");
    ready("raw");       /* "k" DEL ^D */
    char got[3];
    for (int i = 0; i < 3; i++)
        got[i] = (char)getchar();
    check(!memcmp(got, "k\x7f\x04", 3), "raw mode: DEL and ^D come as bytes");
    check(tcsetattr(0, TCSAFLUSH, &cooked) == 0, "tcsetattr TCSAFLUSH: canonical again");
    printf("1..%d\n", count);
    return failed != 0;
}
