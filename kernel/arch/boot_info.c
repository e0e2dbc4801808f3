/* The boot loader's information (boot_info.h): Multiboot and Multiboot2
 * tags read into one loader-independent struct boot_info. */
#include "boot_info.h"
#include "../../lib/string.h"

static void *phys(uint64_t addr, uint64_t phys_base)
{
    return (void *)(uintptr_t)(addr + phys_base);
}

static void add_ram(struct boot_info *bi, uint64_t base, uint64_t len)
{
    if (bi->nram < BOOT_MAX_REGIONS && len)
        bi->ram[bi->nram++] = (struct boot_region){ base, len };
}

static void add_module(struct boot_info *bi, uint64_t start, uint64_t end, const char *cmdline)
{
    if (bi->nmodules >= BOOT_MAX_MODULES)
        return;
    struct boot_module *m = &bi->modules[bi->nmodules++];
    m->start = start;
    m->end = end;
    strlcpy(m->cmdline, cmdline ? cmdline : "", sizeof m->cmdline);
}

struct mb1_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
};

struct mb1_module {
    uint32_t start, end, cmdline, reserved;
};

struct mb1_mmap {
    uint32_t size;
    uint64_t base, len;
    uint32_t type;
} __attribute__((packed));

static void parse_mb1(const struct mb1_info *mi, uint64_t pb, struct boot_info *bi)
{
    bi->loader = "Multiboot";
    if (mi->flags & (1u << 2))
        strlcpy(bi->cmdline, phys(mi->cmdline, pb), sizeof bi->cmdline);
    if (mi->flags & (1u << 3)) {
        const struct mb1_module *m = phys(mi->mods_addr, pb);
        for (uint32_t i = 0; i < mi->mods_count; i++)
            add_module(bi, m[i].start, m[i].end, m[i].cmdline ? phys(m[i].cmdline, pb) : 0);
    }
    if (mi->flags & (1u << 6)) {
        uint64_t p = mi->mmap_addr, end = (uint64_t)mi->mmap_addr + mi->mmap_length;
        while (p < end) {
            const struct mb1_mmap *e = phys(p, pb);
            if (e->type == 1)
                add_ram(bi, e->base, e->len);
            p += e->size + 4;
        }
    } else if (mi->flags & 1) {
        add_ram(bi, 0x100000, (uint64_t)mi->mem_upper * 1024);
    }
}

struct mb2_tag {
    uint32_t type, size;
};

static void parse_mb2(const uint8_t *info, uint64_t pb, struct boot_info *bi)
{
    (void)pb;
    bi->loader = "Multiboot2";
    uint32_t total = *(const uint32_t *)info;
    for (uint32_t off = 8; off + 8 <= total;) {
        const struct mb2_tag *t = (const void *)(info + off);
        if (t->type == 0)
            break;
        const uint8_t *body = (const uint8_t *)(t + 1);
        switch (t->type) {
        case 1:     /* boot command line */
            strlcpy(bi->cmdline, (const char *)body, sizeof bi->cmdline);
            break;
        case 3: {   /* module: start, end, string */
            const uint32_t *m = (const uint32_t *)body;
            add_module(bi, m[0], m[1], (const char *)(m + 2));
            break;
        }
        case 6: {   /* memory map: entry_size, entry_version, entries */
            uint32_t esize = ((const uint32_t *)body)[0];
            for (uint32_t e = 8; esize && e + esize <= t->size - 8; e += esize) {
                const uint8_t *ent = body + e;
                uint64_t base, len;
                uint32_t type;
                memcpy(&base, ent, 8);
                memcpy(&len, ent + 8, 8);
                memcpy(&type, ent + 16, 4);
                if (type == 1)
                    add_ram(bi, base, len);
            }
            break;
        }
        }
        off += (t->size + 7) & ~7u;
    }
}

int boot_info_parse(uint32_t magic, uint64_t info_phys, uint64_t phys_base, struct boot_info *out)
{
    memset(out, 0, sizeof *out);
    if (magic == MULTIBOOT1_MAGIC)
        parse_mb1(phys(info_phys, phys_base), phys_base, out);
    else if (magic == MULTIBOOT2_MAGIC)
        parse_mb2(phys(info_phys, phys_base), phys_base, out);
    else
        return -1;
    return 0;
}
