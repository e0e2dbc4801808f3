/* Memory wrappers: Linux's brk, mmap, munmap, mprotect, madvise, mremap.  A 32-bit
 * program's mmap goes through mmap2 (offset in pages), as C libraries do. */
#include "sysgate.h"

long sys_mmap(void *addr, size_t len, int prot, int flags, int fd, long offset)
{
#ifdef __x86_64__
    return sg_syscall(SYS_mmap, (long)addr, (long)len, prot, flags, fd, offset);
#else
    return sg_syscall(SYS_mmap2, (long)addr, (long)len, prot, flags, fd, offset / 4096);
#endif
}

long sys_munmap(void *addr, size_t len)
{
    return sg_syscall(SYS_munmap, (long)addr, (long)len, 0, 0, 0, 0);
}

long sys_mprotect(void *addr, size_t len, int prot)
{
    return sg_syscall(SYS_mprotect, (long)addr, (long)len, prot, 0, 0, 0);
}

long sys_madvise(void *addr, size_t len, int advice)
{
    return sg_syscall(SYS_madvise, (long)addr, (long)len, advice, 0, 0, 0);
}

long sys_mremap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr)
{
    return sg_syscall(SYS_mremap, (long)old, (long)old_len, (long)new_len, flags, (long)new_addr, 0);
}

long sys_brk(void *addr)
{
    return sg_syscall(SYS_brk, (long)addr, 0, 0, 0, 0, 0);
}
