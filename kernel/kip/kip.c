/*
 * The interface pages: one ELF image for 64-bit processes, one (below
 * 4 GiB) for 32-bit ones, each with the shared data page just below it.
 * The images are linked by the build (kernel/kip/vdso/) and embedded in the
 * kernel (kip_image.S); at boot each is copied into frames and finished:
 * the header says which doors this CPU offers to that width, the stubs of
 * doors it lacks become UD2s and their symbols are withdrawn from the
 * dynamic symbol table, and the default entry is patched to jump to the
 * chosen door.  The frames are then mapped, read-only, into every process
 * of the width at the same address.
 */
#include "interface_page.h"
#include <sysgate/kip.h>
#include <sysgate/vvar.h>
#include <common/vdso_elf.h>
#include "../arch/io.h"
#include "../entry/entry.h"
#include "../lib/kernel.h"
#include "../mm/mm.h"

extern const uint8_t kip_image64_start[], kip_image64_end[], kip_image32_start[], kip_image32_end[];

/* Where a 32-bit sysenter returns to; read by compat.c and by the sysenter
 * floor (entry/floor.S), which runs without a stack. */
uint64_t kip32_sysenter_landing_address;
static uint64_t kip32_sigreturn_address, kip32_rt_sigreturn_address;

struct kip_page {
    const char *name;
    const uint8_t *start, *end;     /* the linked image in the kernel */
    uint64_t frame, pages;          /* its copy: `pages` contiguous frames */
    uint64_t address;               /* the ELF header in every process of the width */
    uint32_t default_offset;
    uint32_t stub_offset[SG_MECH_COUNT];    /* the header's: 0 where not offered */
};

static struct kip_page kip64 = { .name = "64-bit", .start = kip_image64_start, .end = kip_image64_end };
static struct kip_page kip32 = { .name = "32-bit", .start = kip_image32_start, .end = kip_image32_end };

/* The data page, one frame for both widths; kernel/time/clock.c writes it. */
static uint64_t vvar_frame;

/* Each door's stub symbol in the image: __sg_stub_<name> (doors.def). */
static const char *const stub_symbols[SG_MECH_COUNT] = {
#define DOOR(NAME, name, nr, rank, what) [SG_MECH_##NAME] = "__sg_stub_" #name,
#include <sysgate/doors.def>
#undef DOOR
};

/* Points the default entry's `jmp rel32` (E9 xx xx xx xx) at a stub. */
static void patch_default(uint8_t *image, uint32_t entry, uint32_t target)
{
    int32_t rel = (int32_t)target - (int32_t)(entry + 5);
    image[entry] = 0xe9;
    memcpy(image + entry + 1, &rel, 4);
}

#define KIP_BLOCK (2ull << 20)     /* what one page table maps */

static void build(struct kip_page *k, uint32_t mechanisms, int default_mech, uint64_t address)
{
    size_t size = k->end - k->start;
    k->pages = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
    k->frame = phys_alloc(k->pages);
    if (!k->frame)
        panic("kip: out of memory");
    uint8_t *image = phys_to_virt(k->frame);
    memcpy(image, k->start, size);

    struct vdso_elf elf;
    enum vdso_elf_error err = vdso_elf_open(&elf, image, size);
    struct sg_kip_header *h = (struct sg_kip_header *)(image + SG_KIP_HEADER_OFFSET);
    if (err != VDSO_ELF_OK || h->magic != SG_KIP_MAGIC || h->version != SG_KIP_VERSION)
        panic("kip: the %s image is damaged: %s", k->name, err ? vdso_elf_error_name(err) : "bad header");

    h->mechanisms = mechanisms;
    for (int m = 0; m < SG_MECH_COUNT; m++) {
        if (mechanisms & (1u << m))
            continue;
        /* Never offered: the stub's bytes become UD2s, its header offset
         * 0, and its symbol undefined (a lookup no longer finds it). */
        struct vdso_elf_sym sym;
        if (!vdso_elf_lookup(&elf, stub_symbols[m], "SYSGATE_1", VDSO_HASH_ANY, &sym) ||
            sym.offset != h->stub_offset[m] || sym.offset + sym.size > size)
            panic("kip: the %s image's %s and its header disagree", k->name, stub_symbols[m]);
        for (uint64_t i = sym.offset; i + 1 < sym.offset + sym.size; i += 2)
            image[i] = 0x0f, image[i + 1] = 0x0b;
        h->stub_offset[m] = 0;
        vdso_elf_withdraw(&elf, image, sym.index);
    }
    memcpy(k->stub_offset, h->stub_offset, sizeof k->stub_offset);
    h->default_mechanism = default_mech;
    h->image_size = size;
    k->default_offset = h->default_offset;
    patch_default(image, h->default_offset, h->stub_offset[default_mech]);
    /* The data page and the image inside one 2 MiB block, under one page
     * table (SDM vol. 3A 4.5): what a process's page tables cost - and with
     * it make bench's fork and exec figures, exact in tests/bench-baseline -
     * then does not depend on the draw.  A span that would cross a block
     * boundary starts at the boundary instead. */
    uint64_t first = address + SG_KIP_VVAR_OFFSET, last = address + k->pages * PAGE_SIZE - 1;
    if (first / KIP_BLOCK != last / KIP_BLOCK)
        address = ALIGN_UP(first, KIP_BLOCK) - SG_KIP_VVAR_OFFSET;
    k->address = address;
    printk("kip: %s interface page (vDSO, %zu bytes) at %#lx, data page at %#lx, default entry %s\n", k->name,
           size, address, address + SG_KIP_VVAR_OFFSET, entry_mechanism_name(default_mech));
}

void kip_init(uint32_t doors64, int default64, uint32_t doors32, int default32, bool randomize)
{
    vvar_frame = phys_alloc(1);
    if (!vvar_frame)
        panic("kip: out of memory");
    /* Not at a constant address (seed 001): chosen per boot, from the TSC
     * mixed (Fibonacci hashing) so that every bit of it counts; the data
     * page goes in the page below.  With `norandmaps` the draw is 0, as
     * make bench asks: where the pages lie moves a fork by an instruction
     * or two (the order of the process's mappings), and its figures are
     * exact only for one layout. */
    uint64_t r = randomize ? rdtsc() * 0x9e3779b97f4a7c15ull : 0;
    r ^= r >> 29;
    build(&kip64, doors64, default64,
          0x00007f0000000000ull + (1 + r % (1u << 24)) * PAGE_SIZE);
    build(&kip32, doors32, default32, 0xf0000000ull + (1 + (r >> 24) % 0x7000) * PAGE_SIZE);
    const struct sg_kip_header *h32 = phys_to_virt(kip32.frame + SG_KIP_HEADER_OFFSET);
    kip32_sysenter_landing_address = kip32.address + h32->landing_offset;
    struct vdso_elf elf;
    struct vdso_elf_sym sym, rt_sym;
    if (vdso_elf_open(&elf, phys_to_virt(kip32.frame), kip32.end - kip32.start) != VDSO_ELF_OK ||
        !vdso_elf_lookup(&elf, "__kernel_sigreturn", "LINUX_2.5", VDSO_HASH_ANY, &sym) ||
        !vdso_elf_lookup(&elf, "__kernel_rt_sigreturn", "LINUX_2.5", VDSO_HASH_ANY, &rt_sym))
        panic("kip: the 32-bit image lacks __kernel_sigreturn or __kernel_rt_sigreturn");
    kip32_sigreturn_address = kip32.address + sym.offset;
    kip32_rt_sigreturn_address = kip32.address + rt_sym.offset;
}

uint64_t kip32_sigreturn(bool rt)
{
    return rt ? kip32_rt_sigreturn_address : kip32_sigreturn_address;
}

struct sg_vvar *kip_vvar(void)
{
    return phys_to_virt(vvar_frame);
}

static struct kip_page *for_bits(int bits)
{
    return bits == 32 ? &kip32 : &kip64;
}

uint64_t kip_map(uint64_t *pml4, int bits)
{
    struct kip_page *k = for_bits(bits);
    /* Shared frames, read-only: the data page not executable either. */
    if (vm_map(pml4, k->address + SG_KIP_VVAR_OFFSET, vvar_frame, PTE_U | PTE_NX | PTE_SHARED))
        return 0;
    for (uint64_t i = 0; i < k->pages; i++)
        if (vm_map(pml4, k->address + i * PAGE_SIZE, k->frame + i * PAGE_SIZE, PTE_U | PTE_SHARED))
            return 0;
    return k->address;
}

uint64_t kip_vdso_base(int bits)
{
    return for_bits(bits)->address;
}

uint64_t kip_default_entry(int bits)
{
    struct kip_page *k = for_bits(bits);
    return k->address + k->default_offset;
}

void kip_span(int bits, uint64_t *start, uint64_t *end)
{
    struct kip_page *k = for_bits(bits);
    *start = k->address + SG_KIP_VVAR_OFFSET;
    *end = k->address + k->pages * PAGE_SIZE;
}

uint64_t kip_stub(int bits, int mech)
{
    struct kip_page *k = for_bits(bits);
    return k->stub_offset[mech] ? k->address + k->stub_offset[mech] : 0;
}

const uint8_t *kip_stub_bytes(int bits, int mech)
{
    struct kip_page *k = for_bits(bits);
    return k->stub_offset[mech] ? (const uint8_t *)phys_to_virt(k->frame) + k->stub_offset[mech] : 0;
}

const uint8_t *kip_code_at(int bits, uint64_t addr, uint64_t n)
{
    struct kip_page *k = for_bits(bits);
    uint64_t size = (uint64_t)(k->end - k->start);
    if (addr < k->address || addr - k->address > size || n > size - (addr - k->address))
        return 0;
    return (const uint8_t *)phys_to_virt(k->frame) + (addr - k->address);
}

uint64_t kip32_sysenter_return(void)
{
    return kip32_sysenter_landing_address;
}
