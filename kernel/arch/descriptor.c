#include "descriptor.h"

#define DESC_S         (1ull << 44)    /* code/data (not system) */
#define DESC_PRESENT   (1ull << 47)
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

struct desc16 desc_tss(uint64_t base, uint32_t limit)
{
    struct desc16 d;
    d.lo = (limit & 0xffffull) | ((base & 0xffffffull) << 16) | DESC_TYPE(DESC_TSS_AVAILABLE) |
           DESC_PRESENT | ((uint64_t)(limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xffull) << 56);
    d.hi = base >> 32;
    return d;
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
