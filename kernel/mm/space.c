/*
 * User address spaces (space.h): the region list and the page tables kept
 * in step, and demand paging.  A region's pages get frames when first
 * touched; a page's entry follows its region's protection exactly:
 *   PROT_NONE      not present, PTE_PROTNONE (the frame, if any, is kept)
 *   PROT_READ      present, user, read-only, NX
 *   PROT_WRITE     + W                 PROT_EXEC   without NX
 * (x86 pages cannot be write-only or execute-only: both also read.)
 * Frames a space does not own (the interface page) carry PTE_SHARED and are
 * never freed by it.
 */
#include "space.h"
#include "mm.h"
#include "../lib/kernel.h"
#include "../proc/proc.h"
#include "../arch/io.h"
#include "../../include/sysgate/abi.h"

int mm_create(struct proc *p)
{
    struct vm_space *vm = kmalloc(sizeof *vm);
    if (!vm)
        return -SG_ENOMEM;
    vma_init(&vm->regions);
    vm->limit = p->bits == 32 ? USER32_END : USER_END;
    vm->mmap_lo = MMAP_MIN_ADDR;
    vm->mmap_hi = vm->limit;
    vm->brk_start = vm->brk = 0;
    p->vm = vm;
    return 0;
}

void mm_destroy(struct proc *p)
{
    if (p->pml4)
        vm_destroy(p->pml4);
    kfree(p->vm);
    p->pml4 = 0;
    p->vm = 0;
}

int mm_add_region(struct proc *p, const struct vma *r)
{
    return vma_insert(&p->vm->regions, r);
}

static uint64_t pte_flags(uint32_t prot)
{
    if (!prot)
        return PTE_PROTNONE;
    return PTE_P | PTE_U | (prot & VMA_WRITE ? PTE_W : 0) | (prot & VMA_EXEC ? 0 : PTE_NX);
}

int mm_map(struct proc *p, const struct vma *r)
{
    /* Nothing to map yet: the pages come on first touch. */
    return vma_insert(&p->vm->regions, r);
}

/* Unmaps one page and frees its frame unless the space does not own it. */
static void drop_page(uint64_t *pte, uint64_t va, void *ctx)
{
    (void)ctx;
    uint64_t e = *pte;
    *pte = 0;
    invlpg(va);
    if (!(e & PTE_SHARED))
        phys_free(e & PTE_ADDR, 1);
}

int mm_unmap(struct proc *p, uint64_t start, uint64_t end)
{
    int r = vma_remove(&p->vm->regions, start, end);
    if (r)
        return r;
    vm_walk_range(p->pml4, start, end, drop_page, 0, true);
    return 0;
}

static void reprotect_page(uint64_t *pte, uint64_t va, void *ctx)
{
    *pte = (*pte & (PTE_ADDR | PTE_SHARED)) | *(uint64_t *)ctx;
    invlpg(va);
}

int mm_protect(struct proc *p, uint64_t start, uint64_t end, uint32_t prot)
{
    int r = vma_protect(&p->vm->regions, start, end, prot);
    if (r)
        return r;
    uint64_t flags = pte_flags(prot);
    vm_walk_range(p->pml4, start, end, reprotect_page, &flags, false);
    return 0;
}

void mm_discard(struct proc *p, uint64_t start, uint64_t end)
{
    vm_walk_range(p->pml4, start, end, drop_page, 0, true);
}

enum mm_fault_result mm_fault(struct proc *p, uint64_t addr, uint64_t error)
{
    /* Error code bits (SDM vol. 3A 4.7): P, W/R, U/S, RSVD, I/D. */
    const uint64_t present = 1, write = 2, reserved = 8, fetch = 16;
    if (!p || !p->vm)
        return MM_FAULT_SEGV;
    int i = vma_find(&p->vm->regions, addr);
    if (i < 0)
        return MM_FAULT_SEGV;
    const struct vma *r = &p->vm->regions.v[i];
    if (!r->prot || (error & write && !(r->prot & VMA_WRITE)) || (error & fetch && !(r->prot & VMA_EXEC)))
        return MM_FAULT_SEGV;
    /* The page is there and its entry refused: nothing to fill in (a
     * present entry always carries its region's protection). */
    if (error & (present | reserved))
        return MM_FAULT_SEGV;
    uint64_t page = ALIGN_DOWN(addr, PAGE_SIZE);
    /* Only anonymous and file regions fill pages on demand; an entry that
     * is there already is not ours to replace. */
    if (r->backing == VMA_SHARED || vm_lookup(p->pml4, page))
        return MM_FAULT_SEGV;
    uint64_t offset = page - r->start;
    if (r->backing == VMA_FILE && offset >= ALIGN_UP(r->file_len, PAGE_SIZE))
        return MM_FAULT_BUS;

    uint64_t pa = phys_alloc(1);       /* zeroed */
    if (!pa)
        return MM_FAULT_OOM;
    if (r->backing == VMA_FILE) {
        uint64_t n = r->file_len - offset < PAGE_SIZE ? r->file_len - offset : PAGE_SIZE;
        memcpy(phys_to_virt(pa), r->file + offset, n);
    }
    if (vm_map(p->pml4, page, pa, pte_flags(r->prot))) {
        phys_free(pa, 1);
        return MM_FAULT_OOM;
    }
    return MM_FAULT_DONE;
}
