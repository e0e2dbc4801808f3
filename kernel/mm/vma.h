/*
 * A process's address-space description: a sorted array of regions
 * (start, end, protection, what backs them), kept beside the page tables.
 * mmap finds free ranges in it, munmap and mprotect split its regions, the
 * page-fault handler asks it whether an address may be touched, and a
 * later fork copies it by value.  Pure bookkeeping, no page tables, no
 * allocation: the host unit tests drive it directly (tests/host/test_vma.c);
 * kernel/mm/space.c keeps the page tables in step with it.
 */
#ifndef SYSGATE_VMA_H
#define SYSGATE_VMA_H

#include <stdbool.h>
#include <stdint.h>

#define VMA_PAGE 4096ull

/* Protections: Linux's PROT_* values (mmap(2)). */
#define VMA_READ  0x1u
#define VMA_WRITE 0x2u
#define VMA_EXEC  0x4u

/* What backs a region's pages. */
enum vma_backing {
    VMA_ANON,       /* zero-filled frames this space owns, allocated on first touch */
    VMA_FILE,       /* frames this space owns, filled on first touch with a private
                       copy of initrd bytes (file, file_len below) */
    VMA_SHARED,     /* frames mapped when the region was made, not owned by this
                       space (PTE_SHARED): the interface page */
};

/* Region flags. */
#define VMA_PINNED 0x1u     /* munmap, mprotect, madvise and mmap over it are refused:
                               the interface page, the argument page, the
                               page-fault door's range */
#define VMA_NO_WRITE 0x2u   /* mprotect may not add PROT_WRITE: a MAP_SHARED mapping of a
                               file that is not open for writing */

struct vma {
    uint64_t start, end;        /* page aligned, start < end */
    uint32_t prot;              /* VMA_READ | VMA_WRITE | VMA_EXEC, or 0 (PROT_NONE) */
    uint16_t backing;           /* enum vma_backing */
    uint16_t flags;             /* VMA_PINNED, VMA_NO_WRITE */
    /* VMA_FILE: the initrd's bytes that appear at `start` (a kernel
     * pointer; the initrd stays mapped for good) and how many of them
     * there are from there on; past them the last page reads zero and
     * pages wholly past them are beyond the end of the file (SIGBUS). */
    const uint8_t *file;
    uint64_t file_len;
};

/* Enough for every program sysgate runs; Linux's limit (vm.max_map_count)
 * is 65530, and more than this many is -ENOMEM as it is there. */
#define VMA_MAX 240

struct vma_list {
    int count;
    struct vma v[VMA_MAX];      /* sorted by start, never overlapping */
};

void vma_init(struct vma_list *l);
/* The region holding addr, or -1. */
int vma_find(const struct vma_list *l, uint64_t addr);
/* The first region that ends above addr (l->count when none). */
int vma_first_above(const struct vma_list *l, uint64_t addr);
/* Whether no region meets [start, end). */
bool vma_range_free(const struct vma_list *l, uint64_t start, uint64_t end);
/* Whether regions cover every page of [start, end). */
bool vma_range_covered(const struct vma_list *l, uint64_t start, uint64_t end);
/* Whether a region with any of `flags` meets [start, end). */
bool vma_range_flagged(const struct vma_list *l, uint64_t start, uint64_t end, uint32_t flags);
/* The highest start of a free, page-aligned range of len bytes inside
 * [lo, hi) (top-down, as Linux places mmaps), or 0 when none fits. */
uint64_t vma_find_free(const struct vma_list *l, uint64_t len, uint64_t lo, uint64_t hi);

/* Adds a region over a free range (the caller has checked), merging it
 * with its neighbours where they are alike.  0 or -ENOMEM (list full). */
int vma_insert(struct vma_list *l, const struct vma *r);
/* Takes [start, end) out of every region, splitting where it cuts one.
 * 0 or -ENOMEM (the one split it needs would overflow the list); nothing
 * changes on failure. */
int vma_remove(struct vma_list *l, uint64_t start, uint64_t end);
/* Sets the protection of [start, end), which regions must cover; splits
 * and merges.  0 or -ENOMEM; nothing changes on failure. */
int vma_protect(struct vma_list *l, uint64_t start, uint64_t end, uint32_t prot);

#endif
