/*
 * 4-level paging (Intel SDM vol. 3A 4.5).  The kernel half (PML4 slots
 * 256-511) is built once at boot and shared by every address space: each
 * process's PML4 copies those 256 entries, which point at the same PDPTs,
 * so kernel mappings never need to be propagated.
 *
 *   PML4[256]  the physical map: all RAM at PHYS_MAP_BASE, 2 MiB pages,
 *              read-write, NX, supervisor
 *   PML4[511]  the kernel image at KERNEL_BASE, 4 KiB pages: text RX,
 *              rodata R NX, data and bss RW NX
 * Nothing is identity mapped once paging_init() has run.
 */
#include "mm.h"
#include "../arch/io.h"
#include "../lib/kernel.h"

uint64_t *kernel_pml4;
extern uint64_t max_ram_end;
extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[], __data_start[], __kernel_end[];

static uint64_t *table_of(uint64_t entry)
{
    return phys_to_virt(entry & PTE_ADDR);
}

/* The entry for va at `level` (3 = PML4 ... 0 = PT), allocating the
 * tables above it.  Intermediate entries for user addresses carry U and W:
 * the leaf decides (SDM vol. 3A 4.6: access rights combine by AND). */
static uint64_t *walk(uint64_t *pml4, uint64_t va, int level, bool create)
{
    uint64_t *table = pml4;
    for (int l = 3; l > level; l--) {
        uint64_t *e = &table[(va >> (12 + 9 * l)) & 511];
        if (!(*e & PTE_P)) {
            if (!create)
                return 0;
            uint64_t pa = phys_alloc(1);
            if (!pa)
                return 0;
            *e = pa | PTE_P | PTE_W | (va < USER_END ? PTE_U : 0);
        }
        if (*e & PTE_PS)
            return 0;
        table = table_of(*e);
    }
    return &table[(va >> (12 + 9 * level)) & 511];
}

int vm_map(uint64_t *pml4, uint64_t va, uint64_t pa, uint64_t flags)
{
    uint64_t *pte = walk(pml4, va, 0, true);
    if (!pte)
        return -1;
    *pte = (pa & PTE_ADDR) | flags | PTE_P;
    invlpg(va);
    return 0;
}

uint64_t vm_lookup(uint64_t *pml4, uint64_t va)
{
    uint64_t *pte = walk(pml4, va, 0, false);
    return pte ? *pte : 0;
}

uint64_t *vm_pte(uint64_t *pml4, uint64_t va, bool create)
{
    return walk(pml4, va, 0, create);
}

void vm_unmap(uint64_t *pml4, uint64_t va)
{
    uint64_t *pte = walk(pml4, va, 0, false);
    if (pte) {
        *pte = 0;
        invlpg(va);
    }
}

static void map_kernel_range(char *start, char *end, uint64_t flags)
{
    for (uint64_t va = (uint64_t)start; va < (uint64_t)end; va += PAGE_SIZE)
        if (vm_map(kernel_pml4, va, virt_to_phys((void *)va), flags | PTE_G))
            panic("paging: out of memory mapping the kernel");
}

void paging_init(void)
{
    kernel_pml4 = phys_to_virt(phys_alloc(1));
    /* Pre-create every kernel-half PDPT so that the 256 PML4 entries that
     * processes copy never change afterwards. */
    for (int i = 256; i < 512; i++)
        kernel_pml4[i] = phys_alloc(1) | PTE_P | PTE_W;

    uint64_t top = ALIGN_UP(max_ram_end, 2ull << 20);
    for (uint64_t pa = 0; pa < top; pa += 2ull << 20) {
        uint64_t *pde = walk(kernel_pml4, PHYS_MAP_BASE + pa, 1, true);
        if (!pde)
            panic("paging: out of memory for the physical map");
        *pde = pa | PTE_P | PTE_W | PTE_PS | PTE_G | PTE_NX;
    }

    map_kernel_range(__text_start, __text_end, 0);
    map_kernel_range(__rodata_start, __rodata_end, PTE_NX);
    map_kernel_range(__data_start, __kernel_end, PTE_W | PTE_NX);

    vm_activate(kernel_pml4);
}

uint64_t *vm_create(void)
{
    uint64_t pa = phys_alloc(1);
    if (!pa)
        return 0;
    uint64_t *pml4 = phys_to_virt(pa);
    memcpy(pml4 + 256, kernel_pml4 + 256, 256 * sizeof *pml4);
    return pml4;
}

static void free_level(uint64_t *table, int level)
{
    for (int i = 0; i < 512; i++) {
        if (!(table[i] & (level > 0 ? PTE_P : PTE_P | PTE_PROTNONE)))
            continue;
        if (level > 0)
            free_level(table_of(table[i]), level - 1);
        if (level > 0)
            phys_free(table[i] & PTE_ADDR, 1);
        else if (!(table[i] & PTE_SHARED))
            phys_put(table[i] & PTE_ADDR);
    }
}

void vm_destroy(uint64_t *pml4)
{
    /* Leaves in the user half are frames the process owned (or shares
     * copy-on-write: the last space to let go frees them). */
    for (int i = 0; i < 256; i++) {
        if (!(pml4[i] & PTE_P))
            continue;
        free_level(table_of(pml4[i]), 2);
        phys_free(pml4[i] & PTE_ADDR, 1);
    }
    phys_free(virt_to_phys(pml4), 1);
}

static bool table_empty(const uint64_t *table)
{
    for (int i = 0; i < 512; i++)
        if (table[i])
            return false;
    return true;
}

/* [start, end) lies inside the part of the address space `table` (at
 * `level`) maps; returns whether it freed a table. */
static bool walk_range(uint64_t *table, int level, uint64_t start, uint64_t end, pte_visit visit, void *ctx,
                       bool prune)
{
    int shift = 12 + 9 * level;
    uint64_t span = 1ull << shift;
    bool freed = false;
    for (uint64_t va = start; va < end; va = (va & ~(span - 1)) + span) {
        uint64_t *e = &table[(va >> shift) & 511];
        if (level == 0) {
            if (*e & (PTE_P | PTE_PROTNONE))
                visit(e, va, ctx);
            continue;
        }
        if (!(*e & PTE_P))
            continue;
        uint64_t next = (va & ~(span - 1)) + span;
        uint64_t *child = table_of(*e);
        freed |= walk_range(child, level - 1, va, next < end ? next : end, visit, ctx, prune);
        if (prune && table_empty(child)) {
            phys_free(*e & PTE_ADDR, 1);
            *e = 0;
            freed = true;
        }
    }
    return freed;
}

void vm_walk_range(uint64_t *pml4, uint64_t start, uint64_t end, pte_visit visit, void *ctx, bool prune)
{
    if (end > USER_END)
        end = USER_END;
    if (start >= end)
        return;
    /* A freed table may still sit in the paging-structure caches: reload
     * CR3 (SDM vol. 3A 4.10.4.1); the kernel half is global and stays. */
    if (walk_range(pml4, 3, start, end, visit, ctx, prune) && read_cr3() == virt_to_phys(pml4))
        write_cr3(read_cr3());
}

void vm_activate(uint64_t *pml4)
{
    write_cr3(virt_to_phys(pml4));
}
