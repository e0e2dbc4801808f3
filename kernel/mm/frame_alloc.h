/*
 * The physical frame allocator: one bit per 4 KiB frame, set = in use.
 * Pure bookkeeping on a bitmap the caller provides, so the host unit tests
 * drive it directly; kernel/mm/phys.c feeds it the boot memory map.
 */
#ifndef SYSGATE_FRAME_ALLOC_H
#define SYSGATE_FRAME_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_SIZE 4096ull

struct frame_alloc {
    uint64_t *bitmap;       /* nframes bits */
    uint64_t nframes;
    uint64_t free;          /* frames currently free */
    uint64_t hint;          /* where the next search starts */
};

/* Every frame starts out in use; free the usable ranges afterwards. */
void frame_alloc_init(struct frame_alloc *fa, uint64_t *bitmap, uint64_t nframes);
/* Marks [base, base+len) free or used; partial frames at the edges are
 * left in use (free) / taken whole (used).  Ranges past the end are
 * clipped. */
void frame_alloc_release_range(struct frame_alloc *fa, uint64_t base, uint64_t len);
void frame_alloc_reserve_range(struct frame_alloc *fa, uint64_t base, uint64_t len);
/* n contiguous frames, the first aligned to `align` frames; returns the
 * physical address or 0 when nothing fits (frame 0 is never handed out). */
uint64_t frame_alloc_take(struct frame_alloc *fa, uint64_t n, uint64_t align);
/* Returns false (and changes nothing) for a frame that is not in use or
 * out of range: a double free is caught, not absorbed. */
bool frame_alloc_give(struct frame_alloc *fa, uint64_t phys, uint64_t n);

#endif
