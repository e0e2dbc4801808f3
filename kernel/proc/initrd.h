#ifndef SYSGATE_INITRD_H
#define SYSGATE_INITRD_H
#include <stdbool.h>
#include "cpio.h"
struct boot_info;
/* Takes the first boot module as the initrd (a newc cpio archive). */
void initrd_init(const struct boot_info *bi);
bool initrd_find(const char *path, struct cpio_entry *e);
/* Logs the archive's files. */
void initrd_list(void);
#endif
