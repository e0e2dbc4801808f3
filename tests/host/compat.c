/*
 * What the kernel's common/string.c provides and the host C library may not.
 * The module sources are compiled against common/string.h but linked against
 * libc; glibc before 2.38 (Debian 12 has 2.36) has no strlcpy.  Weak, so a
 * libc or a module that does define it wins.
 */
#include <stddef.h>
#include <string.h>

size_t strlcpy(char *dst, const char *src, size_t size) __attribute__((weak));

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
