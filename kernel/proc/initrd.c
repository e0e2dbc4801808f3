#include "initrd.h"
#include "../arch/boot_info.h"
#include "../mm/mm.h"
#include "../lib/kernel.h"

static const void *archive;
static size_t archive_size;

void initrd_init(const struct boot_info *bi)
{
    if (bi->nmodules == 0) {
        printk("initrd: no boot module: nothing to run\n");
        return;
    }
    archive = phys_to_virt(bi->modules[0].start);
    archive_size = bi->modules[0].end - bi->modules[0].start;
    printk("initrd: %zu bytes at %#llx\n", archive_size, (unsigned long long)bi->modules[0].start);
}

bool initrd_find(const char *path, struct cpio_entry *e)
{
    return archive && cpio_find(archive, archive_size, path, e);
}

void initrd_list(void)
{
    size_t off = 0;
    struct cpio_entry e;
    int n = 0;
    while (archive && cpio_next(archive, archive_size, &off, &e) == 1)
        if ((e.mode & 0170000) == 0100000)
            n++;
    printk("initrd: %d files\n", n);
}
