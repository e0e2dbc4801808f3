/* What the boot loader told us, in one loader-independent form. */
#ifndef SYSGATE_BOOT_INFO_H
#define SYSGATE_BOOT_INFO_H

#include <stdint.h>

#define BOOT_MAX_REGIONS 32
#define BOOT_MAX_MODULES 8

struct boot_region {
    uint64_t base, len;
};

struct boot_module {
    uint64_t start, end;    /* physical */
    char cmdline[64];
};

struct boot_info {
    const char *loader;
    char cmdline[512];
    struct boot_region ram[BOOT_MAX_REGIONS];
    int nram;
    struct boot_module modules[BOOT_MAX_MODULES];
    int nmodules;
};

#define MULTIBOOT1_MAGIC 0x2BADB002
#define MULTIBOOT2_MAGIC 0x36d76289

/* Parses a Multiboot (spec 0.6.96 section 3.3) or Multiboot2 (section 3.6)
 * information block.  `phys_base` is where physical address 0 is mapped.
 * Returns 0, or -1 for an unknown magic. */
int boot_info_parse(uint32_t magic, uint64_t info_phys, uint64_t phys_base, struct boot_info *out);

#endif
