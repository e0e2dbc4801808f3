/*
 * The kernel heap: power-of-two size classes from 32 bytes to 2 KiB carved
 * out of single frames, and whole runs of frames for anything larger.  A
 * 16-byte header before each block records its size so kfree needs no
 * size argument.
 */
#include "mm.h"
#include "../lib/kernel.h"

#define MIN_SHIFT 5
#define MAX_SHIFT 11
#define HEADER 16

struct free_block {
    struct free_block *next;
};

static struct free_block *free_lists[MAX_SHIFT + 1];

static int class_of(size_t total)
{
    int shift = MIN_SHIFT;
    while ((1ul << shift) < total)
        shift++;
    return shift;
}

void *kmalloc(size_t size)
{
    size_t total = size + HEADER;
    uint64_t *block;

    if (total > (1ul << MAX_SHIFT)) {
        uint64_t frames = ALIGN_UP(total, PAGE_SIZE) / PAGE_SIZE;
        uint64_t pa = phys_alloc(frames);
        if (!pa)
            return 0;
        block = phys_to_virt(pa);
        block[0] = frames * PAGE_SIZE;
    } else {
        int c = class_of(total);
        if (!free_lists[c]) {
            uint64_t pa = phys_alloc(1);
            if (!pa)
                return 0;
            char *page = phys_to_virt(pa);
            for (size_t off = 0; off < PAGE_SIZE; off += 1ul << c) {
                struct free_block *b = (void *)(page + off);
                b->next = free_lists[c];
                free_lists[c] = b;
            }
        }
        block = (uint64_t *)free_lists[c];
        free_lists[c] = free_lists[c]->next;
        block[0] = 1ul << c;
    }
    return (char *)block + HEADER;
}

void *kzalloc(size_t size)
{
    void *p = kmalloc(size);
    if (p)
        memset(p, 0, size);
    return p;
}

void kfree(void *p)
{
    if (!p)
        return;
    uint64_t *block = (uint64_t *)((char *)p - HEADER);
    uint64_t size = block[0];
    if (size > (1ul << MAX_SHIFT)) {
        phys_free(virt_to_phys(block), size / PAGE_SIZE);
    } else {
        struct free_block *b = (void *)block;
        int c = class_of(size);
        b->next = free_lists[c];
        free_lists[c] = b;
    }
}
