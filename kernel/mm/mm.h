/* Physical memory, page tables and the kernel heap. */
#ifndef SYSGATE_MM_H
#define SYSGATE_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../arch/layout.h"

struct boot_info;

/* Page-table entry bits (Intel SDM vol. 3A 4.5, tables 4-15 to 4-20). */
#define PTE_P    (1ull << 0)
#define PTE_W    (1ull << 1)
#define PTE_U    (1ull << 2)
#define PTE_PS   (1ull << 7)
#define PTE_G    (1ull << 8)
#define PTE_SHARED (1ull << 9)  /* software bit: frame not owned by this space */
/* Software bit of a not-present entry that still holds its frame: a page
 * of a PROT_NONE range (the CPU ignores every other bit when P is clear,
 * SDM vol. 3A 4.5.4).  mprotect makes it present again. */
#define PTE_PROTNONE (1ull << 10)
/* Software bit of a page fork shares read-only between address spaces
 * (phys_share counts them): a write to it copies the frame, or takes it
 * over when no other space maps it any more (space.c mm_fault).  Such an
 * entry never has PTE_W. */
#define PTE_COW  (1ull << 11)
#define PTE_NX   (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

static inline void *phys_to_virt(uint64_t pa) { return (void *)(PHYS_MAP_BASE + pa); }
static inline uint64_t virt_to_phys(const void *va)
{
    uint64_t v = (uint64_t)va;
    return v >= KERNEL_BASE ? v - KERNEL_BASE : v - PHYS_MAP_BASE;
}

/* Physical frames (phys.c). */
void phys_init(const struct boot_info *bi);
uint64_t phys_alloc(uint64_t frames);          /* zeroed; 0 if none left */
uint64_t phys_alloc_copy(uint64_t src);        /* one frame holding src's bytes (not cleared first) */
void phys_free(uint64_t pa, uint64_t frames);
uint64_t phys_free_frames(void);
/* User frames mapped by more than one space (fork's copy-on-write): one
 * reference more; whether others map it; one reference less, freeing the
 * frame with the last.  phys_free of a frame with references panics. */
void phys_share(uint64_t pa);
#define PHYS_SHARE_MAX 255      /* spaces besides the first */
bool phys_shared(uint64_t pa);
void phys_put(uint64_t pa);

/* Page tables (paging.c). */
void paging_init(void);
uint64_t *vm_create(void);                      /* a PML4 with the kernel half */
void vm_destroy(uint64_t *pml4);                /* frees the user half; phys_put on its frames */
int vm_map(uint64_t *pml4, uint64_t va, uint64_t pa, uint64_t flags);
uint64_t vm_lookup(uint64_t *pml4, uint64_t va);   /* leaf PTE or 0 */
/* The leaf entry's slot for va, creating the tables above it; 0 when out
 * of memory (or, without create, when a table is missing). */
uint64_t *vm_pte(uint64_t *pml4, uint64_t va, bool create);
void vm_unmap(uint64_t *pml4, uint64_t va);
void vm_activate(uint64_t *pml4);
/* Calls visit() on every non-empty leaf entry (present, or PTE_PROTNONE)
 * of the user range [start, end), skipping absent tables, so that a range
 * of terabytes with a few pages costs a few steps.  With prune, page
 * tables left empty afterwards are freed. */
typedef void (*pte_visit)(uint64_t *pte, uint64_t va, void *ctx);
void vm_walk_range(uint64_t *pml4, uint64_t start, uint64_t end, pte_visit visit, void *ctx, bool prune);
extern uint64_t *kernel_pml4;

/* Process kernel stacks (kstack.c): KSTACK_SIZE bytes in slot `slot` of
 * KSTACK_AREA, above an unmapped guard page, so that an overflow faults
 * (and, having no stack left, ends on the #DF's own IST stack with a full
 * report) instead of running into the neighbour's memory. */
void *kstack_alloc(int slot);
void kstack_free(void *stack);

/* Kernel heap (heap.c). */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);

#endif
