/*
 * Memory calls, Linux numbers and semantics (brk(2), mmap(2), munmap(2),
 * mprotect(2), madvise(2), mremap(2)), both widths: x86-64 mmap with a
 * byte offset, i386 mmap2 with an offset in pages and i386's old mmap
 * (number 90), whose six arguments are a structure in user memory.  The checks follow
 * Linux's order and errors (mm/mmap.c, mm/mprotect.c, mm/madvise.c); what
 * sysgate adds is refusing the pages the kernel placed and relies on (the
 * interface page, the argument page: VMA_PINNED).  The work on regions
 * and page tables is kernel/mm/space.c's.  docs/memory.md has the story.
 */
#include "syscall.h"
#include "uaccess.h"
#include "../mm/mm.h"
#include "../mm/space.h"
#include "../fs/file.h"
#include "../proc/proc.h"
#include <sysgate/abi.h>

#define PROT_ALL (SG_PROT_READ | SG_PROT_WRITE | SG_PROT_EXEC)
/* Every flag Linux defines for mmap (MAP_SHARED_VALIDATE refuses others). */
#define MAP_KNOWN                                                                                         \
    (SG_MAP_TYPE | SG_MAP_FIXED | SG_MAP_ANONYMOUS | SG_MAP_32BIT | SG_MAP_GROWSDOWN | SG_MAP_DENYWRITE | \
     SG_MAP_EXECUTABLE | SG_MAP_LOCKED | SG_MAP_NORESERVE | SG_MAP_POPULATE | SG_MAP_NONBLOCK |           \
     SG_MAP_STACK | SG_MAP_HUGETLB | SG_MAP_SYNC | SG_MAP_FIXED_NOREPLACE | SG_MAP_UNINITIALIZED)

_Static_assert(SG_PROT_READ == VMA_READ && SG_PROT_WRITE == VMA_WRITE && SG_PROT_EXEC == VMA_EXEC,
               "regions keep Linux's PROT_* bits");

/* The size in whole pages, or 0 when rounding up wraps. */
static uint64_t page_round(uint64_t len)
{
    return len > UINT64_MAX - (PAGE_SIZE - 1) ? 0 : ALIGN_UP(len, PAGE_SIZE);
}

/* Touches every page of [start, end) as the program would (MAP_POPULATE,
 * MADV_POPULATE_*: a write also copies a copy-on-write page); stops at the
 * first page that cannot be had. */
static enum mm_fault_result populate(struct proc *p, uint64_t start, uint64_t end, bool write)
{
    for (uint64_t va = start; va < end; va += PAGE_SIZE) {
        uint64_t e = vm_lookup(p->pml4, va);
        if (e & PTE_P && !(write && e & PTE_COW))
            continue;
        enum mm_fault_result r = mm_fault(p, va, (write ? PF_WRITE : 0) | (e & PTE_P ? PF_PRESENT : 0));
        if (r != MM_FAULT_DONE)
            return r;
    }
    return MM_FAULT_DONE;
}

/* Where a mapping without MAP_FIXED goes: the hint when that range is
 * free, else the highest free range below the mmap area's top (below 2 GiB
 * for MAP_32BIT), else anywhere; 0 when nothing fits. */
static uint64_t place(struct vm_space *vm, uint64_t hint, uint64_t size, uint64_t flags, int bits)
{
    hint = page_round(hint);
    if (hint >= MMAP_MIN_ADDR && hint <= vm->limit - size && vma_range_free(&vm->regions, hint, hint + size))
        return hint;
    uint64_t hi = bits == 64 && flags & SG_MAP_32BIT ? 0x80000000ull : vm->mmap_hi;
    uint64_t a = vma_find_free(&vm->regions, size, vm->mmap_lo, hi);
    if (!a && !(bits == 64 && flags & SG_MAP_32BIT))
        a = vma_find_free(&vm->regions, size, vm->mmap_lo, vm->limit);
    return a;
}

/* mmap with the offset in bytes; the three entry points below unpack
 * their arguments into it. */
static long do_mmap(uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags, int fd, uint64_t offset)
{
    struct proc *p = current_proc();
    struct vm_space *vm = p->vm;
    struct vma r = { .prot = (uint32_t)prot, .backing = VMA_ANON };

    /* A file: an initrd file open for reading; its pages are private
     * copies of its bytes, so nothing written to them reaches the initrd. */
    const uint8_t *data = 0;
    uint64_t file_size = 0;
    if (!(flags & SG_MAP_ANONYMOUS)) {
        int oflags;
        long err = fd_file_bytes(p, fd, &data, &file_size, &oflags);
        if (err)
            return err;
        r.backing = VMA_FILE;
    }
    uint64_t type = flags & SG_MAP_TYPE;
    if (type != SG_MAP_SHARED && type != SG_MAP_PRIVATE && type != SG_MAP_SHARED_VALIDATE)
        return -SG_EINVAL;
    if (type == SG_MAP_SHARED_VALIDATE && flags & ~(uint64_t)MAP_KNOWN)
        return -SG_EOPNOTSUPP;
    if (len == 0 || prot & ~(uint64_t)PROT_ALL || flags & SG_MAP_HUGETLB)
        return -SG_EINVAL;
    uint64_t size = page_round(len);
    if (!size || size > vm->limit)
        return -SG_ENOMEM;
    if (r.backing == VMA_FILE) {
        if (offset + size < offset)
            return -SG_EOVERFLOW;
        /* Shared: what others would see is the initrd, which is never
         * open for writing (open gives -EROFS), so no PROT_WRITE now or
         * later (Linux's VM_MAYWRITE). */
        if (type != SG_MAP_PRIVATE) {
            if (prot & SG_PROT_WRITE)
                return -SG_EACCES;
            r.flags = VMA_NO_WRITE;
        }
        r.file = offset < file_size ? data + offset : data;
        r.file_len = offset < file_size ? file_size - offset : 0;
    }
    if (flags & SG_MAP_FIXED_NOREPLACE)
        flags |= SG_MAP_FIXED;

    if (flags & SG_MAP_FIXED) {
        if (addr % PAGE_SIZE)
            return -SG_EINVAL;
        if (addr > vm->limit - size)
            return -SG_ENOMEM;
        if (addr < MMAP_MIN_ADDR)
            return -SG_EPERM;
        if (flags & SG_MAP_FIXED_NOREPLACE && !vma_range_free(&vm->regions, addr, addr + size))
            return -SG_EEXIST;
        if (vma_range_flagged(&vm->regions, addr, addr + size, VMA_PINNED))
            return -SG_EPERM;
        /* Room for the cut and the new region before anything changes. */
        if (vm->regions.count + 2 > VMA_MAX)
            return -SG_ENOMEM;
        mm_unmap(p, addr, addr + size);
    } else {
        addr = place(vm, addr, size, flags, p->bits);
        if (!addr)
            return -SG_ENOMEM;
    }
    /* MAP_SHARED anonymous memory is private until there is fork: no other
     * process could see it (docs/memory.md). */
    r.start = addr;
    r.end = addr + size;
    long err = mm_map(p, &r);
    if (err)
        return err;
    if (flags & SG_MAP_POPULATE)
        populate(p, addr, addr + size, prot & SG_PROT_WRITE);
    return (long)addr;
}

long sys_mmap(uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags, uint64_t fd, uint64_t offset)
{
    if (offset % PAGE_SIZE)
        return -SG_EINVAL;
    return do_mmap(addr, len, prot, flags, (int)fd, offset);
}

long sys_mmap2(uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags, uint64_t fd, uint64_t pgoff)
{
    return do_mmap(addr, len, prot, flags, (int)fd, pgoff * PAGE_SIZE);
}

/* i386's first mmap: one pointer to the six arguments (struct
 * mmap_arg_struct in Linux's arch/x86/kernel/sys_ia32.c). */
long sys_old_mmap(uint64_t args_ptr)
{
    struct {
        uint32_t addr, len, prot, flags, fd, offset;
    } a;
    if (copy_from_user(&a, args_ptr, sizeof a))
        return -SG_EFAULT;
    if (a.offset % PAGE_SIZE)
        return -SG_EINVAL;
    return do_mmap(a.addr, a.len, a.prot, a.flags, (int)a.fd, a.offset);
}

long sys_munmap(uint64_t addr, uint64_t len)
{
    struct proc *p = current_proc();
    struct vm_space *vm = p->vm;
    if (addr % PAGE_SIZE || addr > vm->limit || len > vm->limit - addr)
        return -SG_EINVAL;
    uint64_t size = page_round(len);
    if (!size || size > vm->limit - addr)
        return -SG_EINVAL;
    if (vma_range_flagged(&vm->regions, addr, addr + size, VMA_PINNED))
        return -SG_EINVAL;
    return mm_unmap(p, addr, addr + size);
}

long sys_mprotect(uint64_t addr, uint64_t len, uint64_t prot)
{
    struct proc *p = current_proc();
    struct vm_space *vm = p->vm;
    /* PROT_GROWSDOWN/UP ask to extend to a grows-down mapping: sysgate has
     * none, which is Linux's -EINVAL. */
    if (addr % PAGE_SIZE || prot & ~(uint64_t)PROT_ALL)
        return -SG_EINVAL;
    if (len == 0)
        return 0;
    uint64_t size = page_round(len);
    if (!size || size > vm->limit || addr > vm->limit - size)
        return -SG_ENOMEM;
    if (!vma_range_covered(&vm->regions, addr, addr + size))
        return -SG_ENOMEM;
    if (vma_range_flagged(&vm->regions, addr, addr + size, VMA_PINNED) ||
        (prot & SG_PROT_WRITE && vma_range_flagged(&vm->regions, addr, addr + size, VMA_NO_WRITE)))
        return -SG_EACCES;
    return mm_protect(p, addr, addr + size, (uint32_t)prot);
}

static bool advice_valid(uint64_t advice)
{
    return advice <= SG_MADV_WILLNEED || (advice >= SG_MADV_DONTNEED && advice != 5 && advice != 6 &&
                                          advice != 7 && advice <= SG_MADV_COLLAPSE) ||
           advice == SG_MADV_HWPOISON || advice == SG_MADV_SOFT_OFFLINE;
}

long sys_madvise(uint64_t addr, uint64_t len, uint64_t advice)
{
    struct proc *p = current_proc();
    struct vm_space *vm = p->vm;
    if (!advice_valid(advice) || addr % PAGE_SIZE)
        return -SG_EINVAL;
    uint64_t size = page_round(len);
    if ((len && !size) || addr + size < addr)
        return -SG_EINVAL;
    if (size == 0)
        return 0;
    if (advice == SG_MADV_HWPOISON || advice == SG_MADV_SOFT_OFFLINE)
        return -SG_EPERM;       /* CAP_SYS_ADMIN's */
    uint64_t end = addr + size;
    if (end > vm->limit)
        return -SG_ENOMEM;
    bool pinned = vma_range_flagged(&vm->regions, addr, end, VMA_PINNED);
    switch (advice) {
    case SG_MADV_DONTNEED:
    case SG_MADV_DONTNEED_LOCKED:
        /* Private pages go: anonymous memory reads zero again. */
        if (pinned)
            return -SG_EINVAL;
        mm_discard(p, addr, end);
        break;
    case SG_MADV_REMOVE: {
        /* Punches a hole in a shared writable file mapping: sysgate has
         * none (Linux: -EINVAL for anonymous memory, -EACCES for a file
         * mapping that cannot write its file). */
        int i = vma_first_above(&vm->regions, addr);
        if (i < vm->regions.count && vm->regions.v[i].start < end)
            return vm->regions.v[i].backing == VMA_FILE ? -SG_EACCES : -SG_EINVAL;
        break;
    }
    case SG_MADV_POPULATE_READ:
    case SG_MADV_POPULATE_WRITE: {
        if (pinned)
            return -SG_EINVAL;
        if (!vma_range_covered(&vm->regions, addr, end))
            return -SG_ENOMEM;
        enum mm_fault_result r = populate(p, addr, end, advice == SG_MADV_POPULATE_WRITE);
        if (r == MM_FAULT_OOM)
            return -SG_ENOMEM;
        if (r != MM_FAULT_DONE)
            return -SG_EFAULT;
        break;
    }
    default:
        /* Hints about access patterns, huge pages, core dumps and fork:
         * nothing for sysgate to do (MADV_FREE may keep the contents). */
        break;
    }
    return vma_range_covered(&vm->regions, addr, end) ? 0 : -SG_ENOMEM;
}

long sys_brk(uint64_t addr)
{
    struct proc *p = current_proc();
    struct vm_space *vm = p->vm;
    /* brk(2): the new break, or the old one when it cannot move (0 asks). */
    if (addr < vm->brk_start || addr > vm->limit)
        return (long)vm->brk;
    uint64_t old_end = ALIGN_UP(vm->brk, PAGE_SIZE), new_end = ALIGN_UP(addr, PAGE_SIZE);
    if (new_end > old_end) {
        struct vma r = { .start = old_end, .end = new_end, .prot = VMA_READ | VMA_WRITE, .backing = VMA_ANON };
        if (!vma_range_free(&vm->regions, old_end, new_end) || mm_map(p, &r))
            return (long)vm->brk;
    } else if (new_end < old_end && mm_unmap(p, new_end, old_end)) {
        return (long)vm->brk;
    }
    vm->brk = addr;
    return (long)addr;
}

/* mremap(2): shrinks in place, grows in place when the pages above are
 * free, else moves (SG_MREMAP_MAYMOVE) - the pages travel with their
 * contents.  MREMAP_DONTUNMAP is not offered (-EINVAL). */
long sys_mremap(uint64_t old_addr, uint64_t old_len, uint64_t new_len, uint64_t flags, uint64_t new_addr)
{
    struct proc *p = current_proc();
    struct vm_space *vm = p->vm;
    if (flags & ~(uint64_t)(SG_MREMAP_MAYMOVE | SG_MREMAP_FIXED) || (flags & SG_MREMAP_FIXED && !(flags & SG_MREMAP_MAYMOVE)))
        return -SG_EINVAL;
    if (old_addr % PAGE_SIZE)
        return -SG_EINVAL;
    old_len = page_round(old_len);
    new_len = page_round(new_len);
    /* An old length of 0 duplicates a shared mapping; sysgate has none. */
    if (!old_len || !new_len)
        return -SG_EINVAL;
    if (flags & SG_MREMAP_FIXED) {
        if (new_addr % PAGE_SIZE || new_len > vm->limit || new_addr > vm->limit - new_len)
            return -SG_EINVAL;
        if (new_addr < old_addr + old_len && old_addr < new_addr + new_len)
            return -SG_EINVAL;
        if (new_addr < MMAP_MIN_ADDR)
            return -SG_EPERM;
        if (vma_range_flagged(&vm->regions, new_addr, new_addr + new_len, VMA_PINNED))
            return -SG_EPERM;
    }
    if (old_len > vm->limit || old_addr > vm->limit - old_len)
        return -SG_EFAULT;
    int i = vma_find(&vm->regions, old_addr);
    if (i < 0 || old_addr + old_len > vm->regions.v[i].end)
        return -SG_EFAULT;
    struct vma r = vm->regions.v[i];
    if (r.flags & VMA_PINNED || r.backing == VMA_SHARED)
        return -SG_EFAULT;
    if (flags & SG_MREMAP_FIXED) {
        if (vm->regions.count + 4 > VMA_MAX)
            return -SG_ENOMEM;
        mm_unmap(p, new_addr, new_addr + new_len);
    }
    /* Shrinking: the tail goes (and the rest moves if asked to). */
    if (new_len < old_len) {
        long err = mm_unmap(p, old_addr + new_len, old_addr + old_len);
        if (err)
            return err;
        old_len = new_len;
    }
    uint64_t old_end = old_addr + old_len;
    /* What a grown part is: the region's continuation (file bytes too). */
    struct vma tail = r;
    uint64_t skip = old_end - r.start;
    if (r.backing == VMA_FILE) {
        tail.file += skip;
        tail.file_len = r.file_len > skip ? r.file_len - skip : 0;
    }
    if (!(flags & SG_MREMAP_FIXED)) {
        if (new_len == old_len)
            return (long)old_addr;
        tail.start = old_end;
        tail.end = old_addr + new_len;
        if (old_end == r.end && new_len <= vm->limit - old_addr &&
            vma_range_free(&vm->regions, tail.start, tail.end))
            return mm_map(p, &tail) ? -SG_ENOMEM : (long)old_addr;
        if (!(flags & SG_MREMAP_MAYMOVE))
            return -SG_ENOMEM;
        new_addr = place(vm, 0, new_len, 0, p->bits);
        if (!new_addr)
            return -SG_ENOMEM;
    }
    long err = mm_move(p, old_addr, old_end, new_addr);
    if (err)
        return err;
    if (new_len > old_len) {
        tail.start = new_addr + old_len;
        tail.end = new_addr + new_len;
        if (mm_map(p, &tail))
            return -SG_ENOMEM;
    }
    return (long)new_addr;
}
