/*
 * A tour of what C programs ask of a kernel through their C library, with
 * output that is the same on every correct kernel (tests/clients/expected/
 * libctour): the environment and arguments start-up handed over, small and
 * large malloc (brk and mmap behind it), stdio on a file of the initrd,
 * a directory listing, time that advances, random bytes, the CPU number
 * (glibc reads it from the rseq area it registered at start-up).  Built with glibc
 * and musl, 64-bit and 32-bit; each section prints "ok" or what went wrong.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static int failures;

static void check(int ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAILED");
    failures += !ok;
}

static void environment(int argc, char **argv)
{
    printf("argc %d:", argc);
    for (int i = 1; i < argc; i++)
        printf(" [%s]", argv[i]);
    printf("\n");
    const char *names[] = { "PATH", "HOME", "TERM" };
    for (int i = 0; i < 3; i++) {
        const char *v = getenv(names[i]);
        printf("%s=%s\n", names[i], v ? v : "(unset)");
    }
}

static void memory(void)
{
    /* Small blocks: the heap (brk). */
    enum { SMALL = 1000 };
    unsigned char *small[SMALL];
    int ok = 1;
    for (int i = 0; i < SMALL; i++) {
        small[i] = malloc(24 + i % 100);
        if (!small[i]) {
            ok = 0;
            break;
        }
        memset(small[i], i & 0xff, 24 + i % 100);
    }
    for (int i = 0; ok && i < SMALL; i++)
        for (int j = 0; j < 24 + i % 100; j++)
            if (small[i][j] != (i & 0xff))
                ok = 0;
    for (int i = 0; ok && i < SMALL; i++)
        free(small[i]);
    check(ok, "malloc 1000 small blocks");

    /* A large one: above every C library's mmap threshold. */
    size_t big = 8 << 20;
    uint32_t *p = malloc(big);
    ok = p != NULL;
    for (size_t i = 0; ok && i < big / 4; i += 1024)
        p[i] = (uint32_t)i * 2654435761u;
    for (size_t i = 0; ok && i < big / 4; i += 1024)
        ok = p[i] == (uint32_t)i * 2654435761u;
    free(p);
    check(ok, "malloc 8 MiB");
    char *r = realloc(strdup("grow"), 1 << 20);
    check(r && !strcmp(r, "grow"), "realloc to 1 MiB keeps the contents");
    free(r);
}

static void files(void)
{
    FILE *f = fopen("/clients/poem.txt", "r");
    check(f != NULL, "fopen /clients/poem.txt");
    if (!f)
        return;
    char line[256];
    int lines = 0;
    size_t bytes = 0;
    char first[256] = "";
    while (fgets(line, sizeof line, f)) {
        if (!lines)
            strcpy(first, line);
        lines++;
        bytes += strlen(line);
    }
    printf("poem.txt: %d lines, %zu bytes, first: %s", lines, bytes, first);
    check(fseek(f, 5, SEEK_SET) == 0 && ftell(f) == 5, "fseek and ftell");
    int c = fgetc(f);
    printf("byte 5: '%c'\n", c);
    fclose(f);
    check(fopen("/clients/absent", "r") == NULL, "fopen of a missing file fails");
    check(fopen("/clients/poem.txt", "w") == NULL, "fopen for writing on the read-only initrd fails");
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void directory(void)
{
    DIR *d = opendir("/clients");
    check(d != NULL, "opendir /clients");
    if (!d)
        return;
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], by_name);
    printf("/clients:");
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

static void time_passes(void)
{
    struct timespec a, b, pause = { 0, 20 * 1000 * 1000 };
    clock_gettime(CLOCK_MONOTONIC, &a);
    nanosleep(&pause, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long long ns = (b.tv_sec - a.tv_sec) * 1000000000ll + (b.tv_nsec - a.tv_nsec);
    check(ns >= 20 * 1000 * 1000, "CLOCK_MONOTONIC advances by at least a 20 ms sleep");
    check(time(NULL) > 0, "time() is after 1970");
}

static void randomness(void)
{
    unsigned char x[16], y[16], zero[16] = { 0 };
    int ok = getrandom(x, sizeof x, 0) == sizeof x && getrandom(y, sizeof y, 0) == sizeof y;
    check(ok && memcmp(x, y, sizeof x) && memcmp(x, zero, sizeof x), "getrandom: two draws of 16 bytes differ");
}

#ifdef __GLIBC__
#include <sys/rseq.h>

/* glibc's registration: __rseq_size is 0 unless rseq(2) took its area
 * (2.36 says 20, the fields it knows), which lies __rseq_offset from the
 * thread pointer (the TCB, whose first word points at itself). */
static int rseq_registered(void)
{
    char *tp;
#ifdef __x86_64__
    __asm__("mov %%fs:0, %0" : "=r"(tp));
#else
    __asm__("mov %%gs:0, %0" : "=r"(tp));
#endif
    const struct rseq *rs = (const struct rseq *)(tp + __rseq_offset);
    return __rseq_size > 0 && rs->cpu_id == 0;
}
#else
static int rseq_registered(void)
{
    return 1;       /* musl does not use rseq */
}
#endif

static void cpu(void)
{
    check(sched_getcpu() == 0 && rseq_registered(), "sched_getcpu is 0 (glibc: from its rseq area)");
}

int main(int argc, char **argv)
{
    environment(argc, argv);
    memory();
    files();
    directory();
    time_passes();
    randomness();
    cpu();
    printf("libctour: %s\n", failures ? "FAILED" : "all ok");
    return failures != 0;
}
