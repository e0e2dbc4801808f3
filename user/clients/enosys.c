/*
 * A call the kernel does not implement, three times: each must fail with
 * ENOSYS, and the kernel's log must name it once for this process
 * ("pid N (enosys-...): unimplemented system call 163 acct -> -ENOSYS"),
 * whichever C library and width (tests/run-clients checks the log).
 * acct (process accounting) is one no C library calls by itself.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    int enosys = 0;
    for (int i = 0; i < 3; i++)
        enosys += syscall(SYS_acct, 0) == -1 && errno == ENOSYS;
    printf("acct: %d of 3 calls failed with ENOSYS\n", enosys);
    return enosys != 3;
}
