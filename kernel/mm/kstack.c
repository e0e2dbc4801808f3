/* Process kernel stacks, each above an unmapped guard page (mm.h). */
#include "mm.h"
#include "../lib/kernel.h"

#define KSTACK_STRIDE (KSTACK_SIZE + PAGE_SIZE)

/* Frees the frames behind [base, base + len) and unmaps them. */
static void release(uint64_t base, uint64_t len)
{
    for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
        phys_free(vm_lookup(kernel_pml4, base + off) & PTE_ADDR, 1);
        vm_unmap(kernel_pml4, base + off);
    }
}

void *kstack_alloc(int slot)
{
    uint64_t base = KSTACK_AREA + (uint64_t)slot * KSTACK_STRIDE + PAGE_SIZE;
    for (uint64_t off = 0; off < KSTACK_SIZE; off += PAGE_SIZE) {
        uint64_t pa = phys_alloc(1);
        if (!pa || vm_map(kernel_pml4, base + off, pa, PTE_W | PTE_NX | PTE_G)) {
            if (pa)
                phys_free(pa, 1);
            release(base, off);
            return 0;
        }
    }
    return (void *)base;
}

void kstack_free(void *stack)
{
    release((uint64_t)stack, KSTACK_SIZE);
}
