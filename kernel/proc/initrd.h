/* The initrd: the boot module that becomes the file system (initrd.c). */
#ifndef SYSGATE_INITRD_H
#define SYSGATE_INITRD_H
struct boot_info;
/* Takes the first boot module as the initrd (a newc cpio archive). */
void initrd_init(const struct boot_info *bi);
/* Logs what the file system holds. */
void initrd_list(void);
#endif
