/*
 * Encoding of segment, system and gate descriptors, and Linux's struct
 * user_desc (descriptor.h).  Pure: tested on the host.
 */
#include "descriptor.h"

#define DESC_S         (1ull << 44)    /* code/data (not system) */
#define DESC_PRESENT   (1ull << 47)
#define DESC_AVL       (1ull << 52)
#define DESC_L         (1ull << 53)    /* 64-bit code */
#define DESC_DB        (1ull << 54)    /* 32-bit default operand size */
#define DESC_G         (1ull << 55)    /* limit in 4 KiB units */
#define DESC_DPL(d)    ((uint64_t)((d) & 3) << 45)
#define DESC_TYPE(t)   ((uint64_t)((t) & 0xf) << 40)
#define DESC_FLAT_LIMIT (0xffffull | (0xfull << 48))

uint64_t desc_code(int dpl, enum code_width width)
{
    uint64_t d = DESC_FLAT_LIMIT | DESC_TYPE(DESC_CODE_READ) | DESC_S | DESC_DPL(dpl) |
                 DESC_PRESENT | DESC_G;
    /* L and D/B must not both be set (SDM vol. 3A 3.4.5: L = 1 needs D = 0). */
    if (width == CODE_64)
        d |= DESC_L;
    else if (width == CODE_32)
        d |= DESC_DB;
    return d;
}

uint64_t desc_data(int dpl)
{
    return DESC_FLAT_LIMIT | DESC_TYPE(DESC_DATA_WRITE) | DESC_S | DESC_DPL(dpl) |
           DESC_PRESENT | DESC_G | DESC_DB;
}

static struct desc16 system_desc(int type, uint64_t base, uint32_t limit)
{
    struct desc16 d;
    d.lo = (limit & 0xffffull) | ((base & 0xffffffull) << 16) | DESC_TYPE(type) | DESC_PRESENT |
           ((uint64_t)(limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xffull) << 56);
    d.hi = base >> 32;
    return d;
}

struct desc16 desc_tss(uint64_t base, uint32_t limit)
{
    return system_desc(DESC_TSS_AVAILABLE, base, limit);
}

struct desc16 desc_ldt(uint64_t base, uint32_t limit)
{
    return system_desc(DESC_LDT, base, limit);
}

static struct desc16 gate(uint16_t selector, uint64_t offset, int type, int dpl, int ist)
{
    struct desc16 d;
    d.lo = (offset & 0xffffull) | ((uint64_t)selector << 16) | ((uint64_t)(ist & 7) << 32) |
           DESC_TYPE(type) | DESC_DPL(dpl) | DESC_PRESENT | ((offset >> 16 & 0xffffull) << 48);
    /* The upper quadword's type field (bits 44:40 of hi) must be zero for a
     * call gate so that a legacy-mode view sees an invalid descriptor
     * (SDM vol. 3A 5.8.3.1). */
    d.hi = offset >> 32;
    return d;
}

struct desc16 desc_call_gate(uint16_t selector, uint64_t offset, int dpl)
{
    return gate(selector, offset, DESC_CALL_GATE, dpl, 0);
}

struct desc16 desc_idt_gate(uint16_t selector, uint64_t offset, int type, int dpl, int ist)
{
    return gate(selector, offset, type, dpl, ist);
}

uint64_t desc_gate_offset(struct desc16 d)
{
    return (d.lo & 0xffff) | ((d.lo >> 48 & 0xffff) << 16) | (d.hi << 32);
}

uint64_t desc_system_base(struct desc16 d)
{
    return (d.lo >> 16 & 0xffffff) | ((d.lo >> 56 & 0xff) << 24) | (d.hi << 32);
}

uint64_t desc_from_user_desc(const struct sg_user_desc *u)
{
    /* Type: writable unless read_exec_only, contents in bits 3:2, accessed
     * set so the CPU never writes the descriptor (Linux fill_ldt()). */
    unsigned type = (u->read_exec_only ^ 1u) << 1 | u->contents << 2 | 1u;
    uint64_t d = (u->limit & 0xffffull) | ((uint64_t)(u->base_addr & 0xffffff) << 16) |
                 DESC_TYPE(type) | DESC_S | DESC_DPL(3) | ((uint64_t)(u->limit >> 16 & 0xf) << 48) |
                 ((uint64_t)(u->base_addr >> 24) << 56);
    if (!u->seg_not_present)
        d |= DESC_PRESENT;
    if (u->useable)
        d |= DESC_AVL;
    if (u->seg_32bit)
        d |= DESC_DB;
    if (u->limit_in_pages)
        d |= DESC_G;
    return d;
}

void desc_to_user_desc(uint64_t d, uint32_t entry_number, struct sg_user_desc *u)
{
    unsigned type = d >> 40 & 0xf;
    *u = (struct sg_user_desc){ 0 };
    u->entry_number = entry_number;
    u->base_addr = (uint32_t)((d >> 16 & 0xffffff) | (d >> 56 & 0xff) << 24);
    u->limit = (uint32_t)((d & 0xffff) | (d >> 48 & 0xf) << 16);
    u->seg_32bit = !!(d & DESC_DB);
    u->contents = type >> 2;
    u->read_exec_only = !(type & 2);
    u->limit_in_pages = !!(d & DESC_G);
    u->seg_not_present = !(d & DESC_PRESENT);
    u->useable = !!(d & DESC_AVL);
    u->lm = !!(d & DESC_L);
}

static bool user_desc_is_zero(const struct sg_user_desc *u)
{
    return !u->base_addr && !u->limit && !u->contents && !u->read_exec_only && !u->seg_32bit &&
           !u->limit_in_pages && !u->seg_not_present && !u->useable;
}

bool user_desc_is_empty(const struct sg_user_desc *u)
{
    bool ldt_empty = !u->base_addr && !u->limit && !u->contents && u->read_exec_only &&
                     !u->seg_32bit && !u->limit_in_pages && u->seg_not_present && !u->useable;
    return ldt_empty || user_desc_is_zero(u);
}

bool user_desc_tls_ok(const struct sg_user_desc *u)
{
    if (user_desc_is_empty(u))
        return true;
    /* No 16-bit segments (they would need espfix), data only, and never a
     * present-bit trap for the kernel to trip over (Linux tls.c). */
    return u->seg_32bit && u->contents <= 1 && !u->seg_not_present;
}

int user_desc_ldt_check(const struct sg_user_desc *u, bool old_mode)
{
    if (u->entry_number >= SG_LDT_ENTRIES)
        return -SG_EINVAL;
    if (u->contents == 3 && (old_mode || !u->seg_not_present))
        return -SG_EINVAL;
    if ((old_mode && !u->base_addr && !u->limit) || user_desc_is_empty(u))
        return 0;
    /* 16-bit segments need espfix, which sysgate does not have (Linux
     * refuses them the same way without CONFIG_X86_16BIT). */
    return u->seg_32bit ? 0 : -SG_EINVAL;
}
