/*
 * The region list of an address space (vma.h): a sorted array, binary
 * searched, with splitting on munmap/mprotect and merging of alike
 * neighbours so that repeated calls do not fragment it.  Pure: no page
 * tables, no allocation (host-tested in tests/host/test_vma.c).
 */
#include "vma.h"
#include <sysgate/abi.h>

void vma_init(struct vma_list *l)
{
    l->count = 0;
}

int vma_first_above(const struct vma_list *l, uint64_t addr)
{
    int lo = 0, hi = l->count;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (l->v[mid].end > addr)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

int vma_find(const struct vma_list *l, uint64_t addr)
{
    int i = vma_first_above(l, addr);
    return i < l->count && l->v[i].start <= addr ? i : -1;
}

bool vma_range_free(const struct vma_list *l, uint64_t start, uint64_t end)
{
    int i = vma_first_above(l, start);
    return i == l->count || l->v[i].start >= end;
}

bool vma_range_covered(const struct vma_list *l, uint64_t start, uint64_t end)
{
    uint64_t pos = start;
    for (int i = vma_first_above(l, start); pos < end; i++) {
        if (i == l->count || l->v[i].start > pos)
            return false;
        pos = l->v[i].end;
    }
    return true;
}

bool vma_range_flagged(const struct vma_list *l, uint64_t start, uint64_t end, uint32_t flags)
{
    for (int i = vma_first_above(l, start); i < l->count && l->v[i].start < end; i++)
        if (l->v[i].flags & flags)
            return true;
    return false;
}

uint64_t vma_find_free(const struct vma_list *l, uint64_t len, uint64_t lo, uint64_t hi)
{
    lo = (lo + VMA_PAGE - 1) & ~(VMA_PAGE - 1);
    hi &= ~(VMA_PAGE - 1);
    if (len == 0 || len % VMA_PAGE || hi <= lo || len > hi - lo)
        return 0;
    /* The gaps between regions, from the top down: gap i lies between
     * region i - 1 and region i. */
    for (int i = l->count; i >= 0; i--) {
        uint64_t gap_lo = i > 0 ? l->v[i - 1].end : 0;
        uint64_t gap_hi = i < l->count ? l->v[i].start : UINT64_MAX;
        if (gap_lo < lo)
            gap_lo = lo;
        if (gap_hi > hi)
            gap_hi = hi;
        if (gap_hi > gap_lo && gap_hi - gap_lo >= len)
            return gap_hi - len;
    }
    return 0;
}

/* Drops the first d bytes of a region (d page aligned, less than its size). */
static void advance(struct vma *r, uint64_t d)
{
    r->start += d;
    if (r->backing == VMA_FILE) {
        r->file += d;
        r->file_len = r->file_len > d ? r->file_len - d : 0;
    }
}

/* Whether b may be folded into a, which ends where b starts. */
static bool alike(const struct vma *a, const struct vma *b)
{
    if (a->end != b->start || a->prot != b->prot || a->backing != b->backing || a->flags != b->flags)
        return false;
    if (a->flags & VMA_PINNED || a->backing == VMA_SHARED)
        return false;
    if (a->backing == VMA_FILE) {
        uint64_t size = a->end - a->start;
        /* b must continue a's bytes, and a must not have reached the end
         * of the file before b starts. */
        return b->file == a->file + size && a->file_len >= size && b->file_len == a->file_len - size;
    }
    return true;
}

static void remove_at(struct vma_list *l, int i)
{
    for (int j = i; j + 1 < l->count; j++)
        l->v[j] = l->v[j + 1];
    l->count--;
}

/* Room for one more at index i (the caller checked count < VMA_MAX). */
static void open_at(struct vma_list *l, int i)
{
    for (int j = l->count; j > i; j--)
        l->v[j] = l->v[j - 1];
    l->count++;
}

/* Cuts region i in two at `at`, strictly inside it. */
static void split(struct vma_list *l, int i, uint64_t at)
{
    open_at(l, i + 1);
    l->v[i + 1] = l->v[i];
    l->v[i].end = at;
    advance(&l->v[i + 1], at - l->v[i + 1].start);
}

/* Folds alike neighbours together, around [first, last]. */
static void coalesce(struct vma_list *l, int first, int last)
{
    int i = first > 0 ? first - 1 : 0;
    while (i + 1 < l->count && i <= last) {
        if (alike(&l->v[i], &l->v[i + 1])) {
            l->v[i].end = l->v[i + 1].end;
            remove_at(l, i + 1);
            last--;
        } else {
            i++;
        }
    }
}

int vma_insert(struct vma_list *l, const struct vma *r)
{
    int i = vma_first_above(l, r->start);
    bool joins = (i > 0 && alike(&l->v[i - 1], r)) || (i < l->count && alike(r, &l->v[i]));
    if (!joins && l->count == VMA_MAX)
        return -SG_ENOMEM;
    if (i > 0 && alike(&l->v[i - 1], r)) {
        l->v[i - 1].end = r->end;
        coalesce(l, i - 1, i - 1);
        return 0;
    }
    if (i < l->count && alike(r, &l->v[i])) {
        /* r goes in front of region i: r's own start (and file bytes). */
        uint64_t end = l->v[i].end;
        l->v[i] = *r;
        l->v[i].end = end;
        return 0;
    }
    open_at(l, i);
    l->v[i] = *r;
    return 0;
}

/* Whether a region strictly contains addr (so a cut there splits it). */
static bool cuts(const struct vma_list *l, uint64_t addr)
{
    int i = vma_find(l, addr);
    return i >= 0 && l->v[i].start < addr;
}

int vma_remove(struct vma_list *l, uint64_t start, uint64_t end)
{
    int i = vma_first_above(l, start);
    if (i == l->count || l->v[i].start >= end)
        return 0;
    /* Only a hole punched into the middle of one region needs a slot. */
    if (l->v[i].start < start && l->v[i].end > end) {
        if (l->count == VMA_MAX)
            return -SG_ENOMEM;
        split(l, i, end);
        l->v[i].end = start;
        return 0;
    }
    if (l->v[i].start < start) {
        l->v[i].end = start;
        i++;
    }
    while (i < l->count && l->v[i].end <= end)
        remove_at(l, i);
    if (i < l->count && l->v[i].start < end)
        advance(&l->v[i], end - l->v[i].start);
    return 0;
}

int vma_protect(struct vma_list *l, uint64_t start, uint64_t end, uint32_t prot)
{
    if (start >= end)
        return 0;
    if (!vma_range_covered(l, start, end))
        return -SG_ENOMEM;
    int need = cuts(l, start) + cuts(l, end);
    if (l->count + need > VMA_MAX)
        return -SG_ENOMEM;
    if (cuts(l, start))
        split(l, vma_find(l, start), start);
    if (cuts(l, end))
        split(l, vma_find(l, end), end);
    int first = vma_find(l, start), last = first;
    for (int i = first; i < l->count && l->v[i].start < end; i++) {
        l->v[i].prot = prot;
        last = i;
    }
    coalesce(l, first, last + 1);
    return 0;
}
