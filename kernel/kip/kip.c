#include "kip.h"
#include "../../include/sysgate/kip.h"
#include "../arch/io.h"
#include "../entry/entry.h"
#include "../lib/kernel.h"
#include "../mm/mm.h"

extern const uint8_t kip_template_start[], kip_template_end[], kip_stub_int80[], kip_stub_callgate[],
    kip_stub_syscall[], kip_stub_sysenter[], kip_stub_trap[], kip_stub_end[];

static uint64_t kip_frame;
static uint64_t kip_address;

/* Where each mechanism's stub starts and ends in the template. */
static const uint8_t *const stub_start[SG_MECH_COUNT] = {
    [SG_MECH_INT80] = kip_stub_int80,   [SG_MECH_CALLGATE] = kip_stub_callgate,
    [SG_MECH_SYSCALL] = kip_stub_syscall, [SG_MECH_SYSENTER] = kip_stub_sysenter,
    [SG_MECH_TRAP] = kip_stub_trap,
};
static const uint8_t *const stub_end[SG_MECH_COUNT] = {
    [SG_MECH_INT80] = kip_stub_callgate,  [SG_MECH_CALLGATE] = kip_stub_syscall,
    [SG_MECH_SYSCALL] = kip_stub_sysenter, [SG_MECH_SYSENTER] = kip_stub_trap,
    [SG_MECH_TRAP] = kip_stub_end,
};

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
    h->mechanisms = entry_mechanisms64;
    for (int m = 0; m < SG_MECH_COUNT; m++) {
        uint32_t offset = (uint32_t)(stub_start[m] - kip_template_start);
        if (entry_mechanisms64 & (1u << m)) {
            h->stub_offset[m] = offset;
        } else {
            /* Never offered: the stub's bytes become UD2s. */
            for (uint32_t i = offset; i + 1 < (uint32_t)(stub_end[m] - kip_template_start); i += 2)
                page[i] = 0x0f, page[i + 1] = 0x0b;
        }
    }
    h->default_mechanism = entry_default64;
    patch_default(page, h->stub_offset[entry_default64]);

    /* Not at a constant address (seed 001): a page in the top 64 GiB of
     * user space below the stack region, different on every boot. */
    uint64_t slot = (rdtsc() >> 4) % (1u << 24);
    kip_address = 0x00007f0000000000ull + slot * PAGE_SIZE;
    printk("kip: interface page at %#lx, default entry %s\n", kip_address,
           entry_mechanism_name(entry_default64));
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
