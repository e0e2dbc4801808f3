/* The physical frame allocator's bitmap (frame_alloc.h). */
#include "frame_alloc.h"

static bool used(const struct frame_alloc *fa, uint64_t f)
{
    return fa->bitmap[f / 64] >> (f % 64) & 1;
}

static void set_used(struct frame_alloc *fa, uint64_t f, bool in_use)
{
    if (used(fa, f) == in_use)
        return;
    if (in_use) {
        fa->bitmap[f / 64] |= 1ull << (f % 64);
        fa->free--;
    } else {
        fa->bitmap[f / 64] &= ~(1ull << (f % 64));
        fa->free++;
    }
}

void frame_alloc_init(struct frame_alloc *fa, uint64_t *bitmap, uint64_t nframes)
{
    fa->bitmap = bitmap;
    fa->nframes = nframes;
    fa->free = 0;
    fa->hint = 1;
    for (uint64_t i = 0; i < (nframes + 63) / 64; i++)
        bitmap[i] = ~0ull;
}

void frame_alloc_release_range(struct frame_alloc *fa, uint64_t base, uint64_t len)
{
    if (len == 0 || base + len < base)
        return;
    uint64_t first = base / FRAME_SIZE + (base % FRAME_SIZE != 0);   /* no wrap near 2^64 */
    uint64_t end = (base + len) / FRAME_SIZE;
    if (end > fa->nframes)
        end = fa->nframes;
    for (uint64_t f = first; f < end; f++)
        set_used(fa, f, false);
}

void frame_alloc_reserve_range(struct frame_alloc *fa, uint64_t base, uint64_t len)
{
    if (len == 0)
        return;
    uint64_t first = base / FRAME_SIZE;
    uint64_t end = base + len < base ? fa->nframes : (base + len - 1) / FRAME_SIZE + 1;
    if (end > fa->nframes)
        end = fa->nframes;
    for (uint64_t f = first; f < end; f++)
        set_used(fa, f, true);
}

static uint64_t search(struct frame_alloc *fa, uint64_t from, uint64_t to, uint64_t n, uint64_t align)
{
    uint64_t f = (from + align - 1) / align * align;
    while (f + n <= to) {
        uint64_t i = 0;
        while (i < n && !used(fa, f + i))
            i++;
        if (i == n)
            return f;
        f = (f + i + 1 + align - 1) / align * align;
    }
    return 0;
}

uint64_t frame_alloc_take(struct frame_alloc *fa, uint64_t n, uint64_t align)
{
    if (n == 0 || n > fa->free)
        return 0;
    if (align == 0)
        align = 1;
    uint64_t f = search(fa, fa->hint, fa->nframes, n, align);
    if (!f)
        f = search(fa, 1, fa->nframes, n, align);
    if (!f)
        return 0;
    for (uint64_t i = 0; i < n; i++)
        set_used(fa, f + i, true);
    fa->hint = f + n;
    return f * FRAME_SIZE;
}

bool frame_alloc_give(struct frame_alloc *fa, uint64_t phys, uint64_t n)
{
    uint64_t f = phys / FRAME_SIZE;
    if (phys % FRAME_SIZE || f == 0 || f + n > fa->nframes || f + n < f)
        return false;
    for (uint64_t i = 0; i < n; i++)
        if (!used(fa, f + i))
            return false;
    for (uint64_t i = 0; i < n; i++)
        set_used(fa, f + i, false);
    return true;
}
