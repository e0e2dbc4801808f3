/*
 * A call the kernel does not implement, three times: each must fail with
 * ENOSYS, and the kernel's log must name it once for this process
 * ("pid N (enosys-...): unimplemented system call 334 rseq -> -ENOSYS"),
 * whichever C library and width (tests/run-clients checks the log).
 * rseq is the one glibc itself tries at start-up and does without.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    int enosys = 0;
    for (int i = 0; i < 3; i++)
        enosys += syscall(SYS_rseq, 0, 0, 0, 0) == -1 && errno == ENOSYS;
    printf("rseq: %d of 3 calls failed with ENOSYS\n", enosys);
    return enosys != 3;
}
