/*
 * The smallest real client: a C library's hello.  Built by the host's
 * toolchains against glibc (gcc -static, -m32) and musl (musl-gcc -static,
 * and the i386 musl of Debian's musl-dev:i386), nothing of sysgate in it;
 * it must run on sysgate unmodified (tests/run-clients).
 */
#include <stdio.h>

int main(void)
{
    printf("hello, world\n");
    return 0;
}
