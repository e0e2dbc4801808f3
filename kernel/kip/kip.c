#include "kip.h"
#include "../../include/sysgate/kip.h"
#include "../arch/io.h"
#include "../lib/kernel.h"
#include "../mm/mm.h"

extern const uint8_t kip_template_start[], kip_template_end[], kip_default_entry[], kip_stub_int80[];

static uint64_t kip_frame;
static uint64_t kip_address;

#define STUB_OFFSET(sym) ((uint32_t)((sym) - kip_template_start))

/* Points the default entry's `jmp rel32` (E9 xx xx xx xx) at a stub. */
static void patch_default(uint8_t *page, uint32_t target)
{
    int32_t rel = (int32_t)target - (int32_t)(SG_KIP_DEFAULT_OFFSET + 5);
    page[SG_KIP_DEFAULT_OFFSET] = 0xe9;
    memcpy(page + SG_KIP_DEFAULT_OFFSET + 1, &rel, 4);
}

void kip_init(void)
{
    size_t size = kip_template_end - kip_template_start;
    if (size > PAGE_SIZE)
        panic("kip: template is %zu bytes, more than a page", size);
    kip_frame = phys_alloc(1);
    if (!kip_frame)
        panic("kip: out of memory");
    uint8_t *page = phys_to_virt(kip_frame);
    memcpy(page, kip_template_start, size);

    struct sg_kip_header *h = (struct sg_kip_header *)page;
    h->magic = SG_KIP_MAGIC;
    h->version = SG_KIP_VERSION;
    h->mechanisms = 1u << SG_MECH_INT80;
    h->stub_offset[SG_MECH_INT80] = STUB_OFFSET(kip_stub_int80);
    h->default_mechanism = SG_MECH_INT80;
    patch_default(page, h->stub_offset[SG_MECH_INT80]);

    /* Not at a constant address (seed 001): a page in the top 64 GiB of
     * user space below the stack region, different on every boot. */
    uint64_t slot = (rdtsc() >> 4) % (1u << 24);
    kip_address = 0x00007f0000000000ull + slot * PAGE_SIZE;
    printk("kip: interface page at %#lx, default mechanism int80\n", kip_address);
}

uint64_t kip_map(uint64_t *pml4)
{
    if (vm_map(pml4, kip_address, kip_frame, PTE_U | PTE_SHARED))
        return 0;
    return kip_address;
}

uint64_t kip_user_address(void)
{
    return kip_address;
}
