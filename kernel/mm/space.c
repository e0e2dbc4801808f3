/*
 * User address spaces (space.h): the region list and the page tables kept
 * in step, and demand paging.  A region's pages get frames when first
 * touched; a page's entry follows its region's protection exactly:
 *   PROT_NONE      not present, PTE_PROTNONE (the frame, if any, is kept)
 *   PROT_READ      present, user, read-only, NX
 *   PROT_WRITE     + W                 PROT_EXEC   without NX
 * (x86 pages cannot be write-only or execute-only: both also read.)
 * Frames a space does not own (the interface page) carry PTE_SHARED and are
 * never freed by it.  fork shares the pages a space owns with the child,
 * copy-on-write (PTE_COW, never PTE_W; phys_share counts the spaces): the
 * first write, by the program or by a kernel user copy, copies the page or
 * takes it over when no other space maps it any more.
 */
#include "space.h"
#include "mm.h"
#include "../lib/kernel.h"
#include "../proc/proc.h"
#include "../arch/io.h"
#include <sysgate/abi.h>

int mm_create(struct proc *p)
{
    struct vm_space *vm = kmalloc(sizeof *vm);
    if (!vm)
        return -SG_ENOMEM;
    vma_init(&vm->regions);
    vm->users = 1;
    vm->limit = p->bits == 32 ? USER32_END : USER_END;
    vm->mmap_lo = MMAP_MIN_ADDR;
    vm->mmap_hi = vm->limit;
    vm->brk_start = vm->brk = 0;
    p->vm = vm;
    return 0;
}

struct fork_share {
    uint64_t *pml4;         /* the child's */
    int err;
};

/* One page of the parent's into the child's tables: a frame the space
 * owns (anonymous, file, stack, argument page) is shared copy-on-write -
 * both entries lose W and gain PTE_COW, the frame one reference - whatever
 * its protection, so that a later mprotect(PROT_WRITE) still copies; a
 * PTE_PROTNONE page is shared alike.  A PTE_SHARED frame (the interface
 * page and its data page) is mapped as it is. */
static void share_page(uint64_t *pte, uint64_t va, void *ctx)
{
    struct fork_share *c = ctx;
    if (c->err)
        return;
    /* The child's tables are not loaded: no TLB entry to flush. */
    uint64_t *slot = vm_pte(c->pml4, va, true);
    if (!slot) {
        c->err = -SG_ENOMEM;
        return;
    }
    uint64_t e = *pte;
    if (!(e & PTE_SHARED)) {
        phys_share(e & PTE_ADDR);
        e = (e & ~PTE_W) | PTE_COW;
        *pte = e;
    }
    *slot = e;
}

/* A space maps a frame once at most, so the processes bound its sharers. */
_Static_assert(MAX_PROCS - 1 <= PHYS_SHARE_MAX, "space.c: phys_share counts every process's mapping");

int mm_fork(struct proc *child, struct proc *parent)
{
    child->pml4 = vm_create();
    struct vm_space *vm = kmalloc(sizeof *vm);
    if (!child->pml4 || !vm) {
        kfree(vm);
        return -SG_ENOMEM;
    }
    *vm = *parent->vm;
    vm->users = 1;
    child->vm = vm;
    struct fork_share c = { child->pml4, 0 };
    for (int i = 0; i < vm->regions.count && !c.err; i++)
        vm_walk_range(parent->pml4, vm->regions.v[i].start, vm->regions.v[i].end, share_page, &c, false);
    /* The parent's entries lost W: its TLB may still hold them writable
     * (SDM vol. 3A 4.10.4.1: a CR3 load flushes the non-global ones). */
    if (read_cr3() == virt_to_phys(parent->pml4))
        write_cr3(read_cr3());
    return c.err;
}

void mm_share(struct proc *child, struct proc *parent)
{
    child->pml4 = parent->pml4;
    child->vm = parent->vm;
    child->vm->users++;
}

void mm_destroy(struct proc *p)
{
    if (p->vm && --p->vm->users > 0) {
        p->pml4 = 0;
        p->vm = 0;
        return;
    }
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

/* Unmaps one page and lets go of its frame unless the space does not own
 * it (a copy-on-write frame stays while another space maps it). */
static void drop_page(uint64_t *pte, uint64_t va, void *ctx)
{
    (void)ctx;
    uint64_t e = *pte;
    *pte = 0;
    invlpg(va);
    if (!(e & PTE_SHARED))
        phys_put(e & PTE_ADDR);
}

int mm_unmap(struct proc *p, uint64_t start, uint64_t end)
{
    int r = vma_remove(&p->vm->regions, start, end);
    if (r)
        return r;
    vm_walk_range(p->pml4, start, end, drop_page, 0, true);
    return 0;
}

/* The region's new entry bits; a copy-on-write page stays read-only (its
 * first write copies it). */
static void reprotect_page(uint64_t *pte, uint64_t va, void *ctx)
{
    uint64_t e = (*pte & (PTE_ADDR | PTE_SHARED | PTE_COW)) | *(uint64_t *)ctx;
    *pte = e & PTE_COW ? e & ~PTE_W : e;
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

struct move {
    uint64_t *pml4;
    uint64_t delta;         /* new address - old address (mod 2^64) */
    bool ok;
};

static void make_table(uint64_t *pte, uint64_t va, void *ctx)
{
    (void)pte;
    struct move *m = ctx;
    if (!vm_pte(m->pml4, va + m->delta, true))
        m->ok = false;
}

static void move_page(uint64_t *pte, uint64_t va, void *ctx)
{
    struct move *m = ctx;
    *vm_pte(m->pml4, va + m->delta, false) = *pte;
    *pte = 0;
    invlpg(va);
}

int mm_move(struct proc *p, uint64_t start, uint64_t end, uint64_t to)
{
    struct vma_list *l = &p->vm->regions;
    int i = vma_find(l, start);
    if (i < 0 || end > l->v[i].end)
        return -SG_EFAULT;
    /* The moved part, and room for it and for the cut it leaves. */
    struct vma piece = l->v[i];
    uint64_t skip = start - piece.start;
    if (piece.backing == VMA_FILE) {
        piece.file += skip;
        piece.file_len = piece.file_len > skip ? piece.file_len - skip : 0;
    }
    piece.start = to;
    piece.end = to + (end - start);
    if (l->count + 2 > VMA_MAX)
        return -SG_ENOMEM;
    /* Every table the new place needs first, so that nothing can fail
     * once entries start moving (SDM vol. 3A 4.10.4: each moved entry's
     * old address is invalidated). */
    struct move m = { p->pml4, to - start, true };
    vm_walk_range(p->pml4, start, end, make_table, &m, false);
    if (!m.ok)
        return -SG_ENOMEM;
    vma_insert(l, &piece);
    vm_walk_range(p->pml4, start, end, move_page, &m, true);
    vma_remove(l, start, end);
    return 0;
}

void mm_discard(struct proc *p, uint64_t start, uint64_t end)
{
    vm_walk_range(p->pml4, start, end, drop_page, 0, true);
}

/* A write to a copy-on-write page (its region allows writing): the
 * space gets a page of its own - a copy, or the frame itself when no
 * other space maps it any more (the last one need not copy) - mapped with
 * the region's entry bits. */
static enum mm_fault_result unshare_page(struct proc *p, uint64_t page, uint64_t flags)
{
    uint64_t *pte = vm_pte(p->pml4, page, false);
    if (!pte || (*pte & (PTE_P | PTE_COW)) != (PTE_P | PTE_COW))
        return MM_FAULT_SEGV;
    uint64_t pa = *pte & PTE_ADDR;
    if (phys_shared(pa)) {
        uint64_t copy = phys_alloc_copy(pa);
        if (!copy)
            return MM_FAULT_OOM;
        phys_put(pa);
        pa = copy;
    }
    *pte = pa | flags;
    invlpg(page);
    return MM_FAULT_DONE;
}

enum mm_fault_result mm_fault(struct proc *p, uint64_t addr, uint64_t error)
{
    if (!p || !p->vm)
        return MM_FAULT_SEGV;
    int i = vma_find(&p->vm->regions, addr);
    if (i < 0)
        return MM_FAULT_SEGV;
    const struct vma *r = &p->vm->regions.v[i];
    if (!r->prot || (error & PF_WRITE && !(r->prot & VMA_WRITE)) ||
        (error & PF_FETCH && !(r->prot & VMA_EXEC)))
        return MM_FAULT_SEGV;
    uint64_t page = ALIGN_DOWN(addr, PAGE_SIZE);
    if (error & PF_RESERVED)
        return MM_FAULT_SEGV;
    /* The page is there and its entry refused: a write to a copy-on-write
     * page of a writable region is served; anything else is the region's
     * protection at work (a present entry always carries it). */
    if (error & PF_PRESENT)
        return error & PF_WRITE ? unshare_page(p, page, pte_flags(r->prot)) : MM_FAULT_SEGV;
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

void mm_prepare_write(struct proc *p, uint64_t addr, uint64_t len)
{
    if (!len || addr + len < addr)
        return;
    for (uint64_t page = ALIGN_DOWN(addr, PAGE_SIZE); page < addr + len; page += PAGE_SIZE) {
        uint64_t e = vm_lookup(p->pml4, page);
        if (!(e & PTE_P))
            mm_fault(p, page, PF_WRITE);
        else if (e & PTE_COW)
            mm_fault(p, page, PF_PRESENT | PF_WRITE);
        if (page + PAGE_SIZE < page)
            break;
    }
}
