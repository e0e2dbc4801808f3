/*
 * The interface pages: one for 64-bit processes, one (below 4 GiB) for
 * 32-bit ones.  Each is built at boot from its template (kip_stubs.S,
 * kip32_stubs.S): the header says which doors this CPU offers to that
 * width, the stubs of doors it lacks become UD2s, and the default entry is
 * patched to jump to the chosen door.
 */
#include "kip.h"
#include "../../include/sysgate/kip.h"
#include "../arch/io.h"
#include "../entry/entry.h"
#include "../lib/kernel.h"
#include "../mm/mm.h"

extern const uint8_t kip_template_start[], kip_template_end[], kip_stub_int80[], kip_stub_callgate[],
    kip_stub_syscall[], kip_stub_sysenter[], kip_stub_trap[], kip_stub_end[];
extern const uint8_t kip32_template_start[], kip32_template_end[], kip32_stub_int80[], kip32_stub_callgate[],
    kip32_stub_syscall[], kip32_stub_sysenter[], kip32_stub_trap[], kip32_stub_end[], kip32_sysenter_landing[];

/* Where a 32-bit sysenter returns to; read by compat.c and by the sysenter
 * floor (entry/floor.S), which runs without a stack. */
uint64_t kip32_sysenter_landing_address;

struct kip_page {
    const char *name;
    const uint8_t *start, *end;
    /* each door's stub runs from stub[m] to the next one in the template */
    const uint8_t *stub[SG_MECH_COUNT], *stub_end[SG_MECH_COUNT];
    uint64_t frame;
    uint64_t address;
};

static struct kip_page kip64 = {
    "64-bit", kip_template_start, kip_template_end,
    { kip_stub_int80, kip_stub_callgate, kip_stub_syscall, kip_stub_sysenter, kip_stub_trap },
    { kip_stub_callgate, kip_stub_syscall, kip_stub_sysenter, kip_stub_trap, kip_stub_end },
    0, 0,
};
static struct kip_page kip32 = {
    "32-bit", kip32_template_start, kip32_template_end,
    { kip32_stub_int80, kip32_stub_callgate, kip32_stub_syscall, kip32_stub_sysenter, kip32_stub_trap },
    { kip32_stub_callgate, kip32_stub_syscall, kip32_stub_sysenter, kip32_stub_trap, kip32_stub_end },
    0, 0,
};
_Static_assert(SG_MECH_INT80 == 0 && SG_MECH_CALLGATE == 1 && SG_MECH_SYSCALL == 2 && SG_MECH_SYSENTER == 3 &&
                   SG_MECH_TRAP == 4,
               "the stub tables above are in SG_MECH order");

/* Points the default entry's `jmp rel32` (E9 xx xx xx xx) at a stub. */
static void patch_default(uint8_t *page, uint32_t target)
{
    int32_t rel = (int32_t)target - (int32_t)(SG_KIP_DEFAULT_OFFSET + 5);
    page[SG_KIP_DEFAULT_OFFSET] = 0xe9;
    memcpy(page + SG_KIP_DEFAULT_OFFSET + 1, &rel, 4);
}

static void build(struct kip_page *k, uint32_t mechanisms, int default_mech, uint64_t address)
{
    size_t size = k->end - k->start;
    if (size > PAGE_SIZE)
        panic("kip: the %s template is %zu bytes, more than a page", k->name, size);
    k->frame = phys_alloc(1);
    if (!k->frame)
        panic("kip: out of memory");
    uint8_t *page = phys_to_virt(k->frame);
    memcpy(page, k->start, size);

    struct sg_kip_header *h = (struct sg_kip_header *)page;
    h->magic = SG_KIP_MAGIC;
    h->version = SG_KIP_VERSION;
    h->mechanisms = mechanisms;
    for (int m = 0; m < SG_MECH_COUNT; m++) {
        uint32_t offset = (uint32_t)(k->stub[m] - k->start);
        if (mechanisms & (1u << m)) {
            h->stub_offset[m] = offset;
        } else {
            /* Never offered: the stub's bytes become UD2s. */
            for (uint32_t i = offset; i + 1 < (uint32_t)(k->stub_end[m] - k->start); i += 2)
                page[i] = 0x0f, page[i + 1] = 0x0b;
        }
    }
    h->default_mechanism = default_mech;
    patch_default(page, h->stub_offset[default_mech]);
    k->address = address;
    printk("kip: %s interface page at %#lx, default entry %s\n", k->name, address,
           entry_mechanism_name(default_mech));
}

void kip_init(void)
{
    /* Not at a constant address (seed 001): chosen per boot, from the TSC
     * mixed (Fibonacci hashing) so that every bit of it counts. */
    uint64_t r = rdtsc() * 0x9e3779b97f4a7c15ull;
    r ^= r >> 29;
    build(&kip64, entry_mechanisms64, entry_default64, 0x00007f0000000000ull + (r % (1u << 24)) * PAGE_SIZE);
    build(&kip32, entry_mechanisms32, entry_default32, 0xf0000000ull + ((r >> 24) % 0x7000) * PAGE_SIZE);
    kip32_sysenter_landing_address = kip32.address + (uint64_t)(kip32_sysenter_landing - kip32_template_start);
}

static struct kip_page *for_bits(int bits)
{
    return bits == 32 ? &kip32 : &kip64;
}

uint64_t kip_map(uint64_t *pml4, int bits)
{
    struct kip_page *k = for_bits(bits);
    if (vm_map(pml4, k->address, k->frame, PTE_U | PTE_SHARED))
        return 0;
    return k->address;
}

uint64_t kip_user_address(int bits)
{
    return for_bits(bits)->address;
}

uint64_t kip32_sysenter_return(void)
{
    return kip32_sysenter_landing_address;
}
