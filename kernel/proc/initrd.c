/* The initrd: the first boot module, a newc cpio archive that becomes the
 * file system (fs/fs.c). */
#include "initrd.h"
#include "../arch/boot_info.h"
#include "../mm/mm.h"
#include "../lib/kernel.h"
#include "../fs/fs.h"

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
    fs_init(archive, archive_size);
}

void initrd_list(void)
{
    fs_log_summary();
}
