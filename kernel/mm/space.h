/*
 * User address spaces: a process's page tables (proc->pml4) and its
 * region list (vma.h) kept in step.  The region list says what may be
 * there; the page tables hold what has been touched.  Anonymous and file
 * pages are allocated when first touched (mm_fault), by the program or by
 * the kernel's own user copies.  The Linux calls (brk, mmap, munmap,
 * mprotect, madvise) are in kernel/syscall/sys_mm.c on top of this.
 */
#ifndef SYSGATE_SPACE_H
#define SYSGATE_SPACE_H

#include <stdint.h>
#include "vma.h"

struct proc;

struct vm_space {
    int users;                  /* processes sharing it (clone CLONE_VM: threads, vfork) */
    struct vma_list regions;
    uint64_t limit;             /* end of user space for the process's width */
    uint64_t mmap_lo, mmap_hi;  /* where mmap places what has no fixed address */
    uint64_t brk_start, brk;    /* the program break; its pages end at the break rounded up */
};

/* Lowest address mmap hands out or accepts (Linux's vm.mmap_min_addr). */
#define MMAP_MIN_ADDR 0x10000ull

/* An empty space for p (p->bits and p->pml4 set); 0 or -ENOMEM. */
int mm_create(struct proc *p);
/* child's address space as a copy of parent's (fork): the same regions,
 * and every page parent has shared copy-on-write (the frames parent owns;
 * the first write on either side copies); shared frames (the interface
 * page) are mapped as they are.  0 or -ENOMEM (what was made stays in
 * child for mm_destroy). */
int mm_fork(struct proc *child, struct proc *parent);
/* clone(CLONE_VM): child uses parent's address space, one user more. */
void mm_share(struct proc *child, struct proc *parent);
/* Lets go of p's address space; the last user's going frees the page
 * tables, every frame the space owns, and the region list. */
void mm_destroy(struct proc *p);

/* Records a region whose pages the caller has mapped already (the
 * loader's segments, stack, argument page and interface page). */
int mm_add_region(struct proc *p, const struct vma *r);

/* The region operations, on page-aligned ranges the caller validated.
 * Each returns 0 or -errno, and leaves everything as it was on failure. */
int mm_map(struct proc *p, const struct vma *r);    /* over a free range */
int mm_unmap(struct proc *p, uint64_t start, uint64_t end);
int mm_protect(struct proc *p, uint64_t start, uint64_t end, uint32_t prot);
/* Moves [start, end), which lies inside one region, to the free range at
 * `to` with its pages (mremap). */
int mm_move(struct proc *p, uint64_t start, uint64_t end, uint64_t to);
/* Drops the pages of [start, end): anonymous memory reads zero again, file
 * pages the file's bytes (MADV_DONTNEED). */
void mm_discard(struct proc *p, uint64_t start, uint64_t end);

/* A page fault at addr with the CPU's error code (SDM vol. 3A 4.7), from
 * user mode or from a kernel user copy (or asked for by MAP_POPULATE and
 * the kernel's own writes, as PF_PRESENT | PF_WRITE for a copy-on-write
 * page).  Ring 0 writes fault on a read-only page too: CR0.WP is set
 * (SDM vol. 3A 4.6.1, arch/cpu.c). */
#define PF_PRESENT  0x01    /* the page was there: its entry refused the access */
#define PF_WRITE    0x02
#define PF_RESERVED 0x08
#define PF_FETCH    0x10
enum mm_fault_result {
    MM_FAULT_DONE,      /* a page was mapped: retry the access */
    MM_FAULT_SEGV,      /* no region, or the region forbids this access */
    MM_FAULT_BUS,       /* a file page wholly past the end of the file */
    MM_FAULT_OOM,       /* no frame for it */
};
enum mm_fault_result mm_fault(struct proc *p, uint64_t addr, uint64_t error);
/* Before the kernel writes [addr, addr + len) of p's memory while p is not
 * the current process (its tables loaded for the copy, or written through
 * them): the pages p may write are made present and its own, as its own
 * write would (a kernel copy's fault is served for the current process
 * only).  What cannot be had stays as it is: the write then fails. */
void mm_prepare_write(struct proc *p, uint64_t addr, uint64_t len);

#endif
