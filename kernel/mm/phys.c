/*
 * Physical frames: the boot memory map fed into the frame allocator, and
 * the reference counts of user frames that several address spaces map
 * copy-on-write after a fork (space.c).
 */
#include "mm.h"
#include "frame_alloc.h"
#include "../arch/boot_info.h"
#include "../lib/kernel.h"

/* Up to 4 GiB of RAM is used; frames above are left alone (logged). */
#define MAX_FRAMES (4ull << 30 >> 12)

static uint64_t bitmap[MAX_FRAMES / 64];
/* How many address spaces map a frame besides the first (fork shares a
 * page, a copy-on-write fault or an unmap lets go of it): PHYS_SHARE_MAX
 * at most (mm.h). */
static uint8_t extra_refs[MAX_FRAMES];
_Static_assert(PHYS_SHARE_MAX <= UINT8_MAX, "phys.c: extra_refs holds PHYS_SHARE_MAX");
static struct frame_alloc frames;
uint64_t max_ram_end;     /* paging.c maps this much at PHYS_MAP_BASE */
extern char __kernel_end[];

void phys_init(const struct boot_info *bi)
{
    uint64_t top = 0;
    for (int i = 0; i < bi->nram; i++)
        if (bi->ram[i].base + bi->ram[i].len > top)
            top = bi->ram[i].base + bi->ram[i].len;
    uint64_t n = top / FRAME_SIZE;
    if (n > MAX_FRAMES) {
        printk("mm: using the first 4 GiB of %llu MiB\n", (unsigned long long)(top >> 20));
        n = MAX_FRAMES;
    }
    max_ram_end = n * FRAME_SIZE;
    frame_alloc_init(&frames, bitmap, n);
    for (int i = 0; i < bi->nram; i++)
        frame_alloc_release_range(&frames, bi->ram[i].base, bi->ram[i].len);
    /* The first MiB (BIOS data, EBDA, ROMs) and the kernel image. */
    frame_alloc_reserve_range(&frames, 0, KERNEL_LOAD_PHYS);
    frame_alloc_reserve_range(&frames, KERNEL_LOAD_PHYS, virt_to_phys(__kernel_end) - KERNEL_LOAD_PHYS);
    for (int i = 0; i < bi->nmodules; i++)
        frame_alloc_reserve_range(&frames, bi->modules[i].start, bi->modules[i].end - bi->modules[i].start);
    printk("mm: %llu MiB RAM, %llu frames free\n", (unsigned long long)(top >> 20),
           (unsigned long long)frames.free);
}

/* One string store for whole frames (SDM vol. 2B, REP STOS; the kernel
 * runs with DF clear): fast-string microcode on hardware, and 512 steps a
 * frame under TCG instead of memset's 4096 byte stores - every page a
 * process touches for the first time is zeroed here. */
static void zero_frames(void *p, uint64_t n)
{
    uint64_t quads = n * FRAME_SIZE / 8;
    __asm__ volatile("rep stosq" : "+D"(p), "+c"(quads) : "a"(0ull) : "memory");
}

uint64_t phys_alloc(uint64_t n)
{
    uint64_t pa = frame_alloc_take(&frames, n, 1);
    if (pa)
        zero_frames(phys_to_virt(pa), n);
    return pa;
}

uint64_t phys_alloc_copy(uint64_t src)
{
    uint64_t pa = frame_alloc_take(&frames, 1, 1);
    if (pa)
        memcpy(phys_to_virt(pa), phys_to_virt(src), FRAME_SIZE);
    return pa;
}

void phys_free(uint64_t pa, uint64_t n)
{
    for (uint64_t i = 0; i < n && pa / FRAME_SIZE + i < MAX_FRAMES; i++)
        if (extra_refs[pa / FRAME_SIZE + i])
            panic("phys_free: %#llx is still mapped by %u more spaces", (unsigned long long)pa + i * FRAME_SIZE,
                  (unsigned)extra_refs[pa / FRAME_SIZE + i]);
    if (!frame_alloc_give(&frames, pa, n))
        panic("phys_free: %#llx (%llu frames) was not allocated", (unsigned long long)pa,
              (unsigned long long)n);
}

void phys_share(uint64_t pa)
{
    if (extra_refs[pa / FRAME_SIZE]++ == PHYS_SHARE_MAX)
        panic("phys_share: %#llx shared by too many spaces", (unsigned long long)pa);
}

bool phys_shared(uint64_t pa)
{
    return extra_refs[pa / FRAME_SIZE] != 0;
}

void phys_put(uint64_t pa)
{
    if (extra_refs[pa / FRAME_SIZE])
        extra_refs[pa / FRAME_SIZE]--;
    else
        phys_free(pa, 1);
}

uint64_t phys_free_frames(void)
{
    return frames.free;
}
