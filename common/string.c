/* Freestanding string routines (string.h), shared by the kernel and the user library. */
#include <common/string.h>

/*
 * memcpy, memmove and memset move whole words with one string instruction
 * (SDM vol. 2B, MOVS/STOS with the REP prefix; vol. 1 7.3.9.1): the user
 * copies, fork's page copies and the signal frame's FXSAVE area go through
 * here.  Why strings and not a C loop:
 *  - under TCG with icount (make bench) every REP iteration counts as one
 *    instruction: a 4 KiB page is 512 MOVSQ steps (1024 MOVSL in a 32-bit
 *    process) where the byte loop was ~21,300 instructions;
 *  - on hardware, fast-string microcode (ERMS, FSRM: SDM vol. 1 7.3.9.3)
 *    moves a cache line per step for MOVSB and MOVSQ alike, so the word form
 *    loses nothing there;
 *  - the kernel is built without SSE (-mno-sse) and may not touch the user's
 *    vector registers anyway, and the string forms need none.
 * The words go first, then the 0..7 bytes left (MOVSB).  DF is clear on
 * entry (the psABI; every kernel entry clears it: IA32_FMASK, CLD, or the
 * fixed RFLAGS the call gate and SYSENTER load).  Being asm, these loops
 * cannot be turned back into calls to memcpy itself (which the build's
 * -fno-tree-loop-distribute-patterns also forbids for C loops).
 */
#ifdef __x86_64__
#define REP_MOVS_WORDS "rep movsq"
#define REP_STOS_WORDS "rep stosq"
#else
#define REP_MOVS_WORDS "rep movsl"
#define REP_STOS_WORDS "rep stosl"
#endif

void *memcpy(void *dst, const void *src, size_t n)
{
    void *d = dst;
    size_t words = n / sizeof(long), bytes = n % sizeof(long);
    __asm__ volatile(REP_MOVS_WORDS "\n\t"
                     "mov %3, %2\n\t"
                     "rep movsb"
                     : "+D"(d), "+S"(src), "+c"(words)
                     : "r"(bytes)
                     : "memory");
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    /* dst below src, or no overlap: the forward copy reads each byte
     * before it can be overwritten (unsigned: dst < src wraps high). */
    if ((size_t)((const char *)dst - (const char *)src) >= n)
        return memcpy(dst, src, n);
    /* dst overlaps the top of src: copy downwards with DF set (SDM vol. 1
     * 3.4.3.1), the odd bytes at the top first, then the words, each
     * instruction starting from the last unit it moves; DF is cleared
     * before anything else can run C code (an interrupt saves and restores
     * it; the kernel's entries clear it, signal handlers start with it
     * clear). */
    size_t words = n / sizeof(long), bytes = n % sizeof(long);
    unsigned char *d = (unsigned char *)dst + n - 1;
    const unsigned char *s = (const unsigned char *)src + n - 1;
    __asm__ volatile("std\n\t"
                     "rep movsb\n\t"
                     "sub %4, %0\n\t"
                     "sub %4, %1\n\t"
                     "mov %3, %2\n\t"
                     REP_MOVS_WORDS "\n\t"
                     "cld"
                     : "+D"(d), "+S"(s), "+c"(bytes)
                     : "r"(words), "i"(sizeof(long) - 1)
                     : "memory");
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    void *d = dst;
    size_t words = n / sizeof(long), bytes = n % sizeof(long);
    unsigned long pattern = (unsigned char)c * (~0ul / 0xff);   /* the byte in every byte */
    __asm__ volatile(REP_STOS_WORDS "\n\t"
                     "mov %3, %1\n\t"
                     "rep stosb"
                     : "+D"(d), "+c"(words)
                     : "a"(pattern), "r"(bytes)
                     : "memory");
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            return 0;
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (!*s)
            return 0;
    }
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);
    if (size) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}
