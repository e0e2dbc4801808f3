/* Host unit tests: one Check suite per kernel module (see host.mk). */
#ifndef SYSGATE_HOST_SUITES_H
#define SYSGATE_HOST_SUITES_H

#include <check.h>

Suite *descriptor_suite(void);
Suite *elf_suite(void);
Suite *cmdline_suite(void);
Suite *frame_alloc_suite(void);
Suite *uaccess_suite(void);
Suite *cpio_suite(void);
Suite *vdso_elf_suite(void);
Suite *timeconv_suite(void);
Suite *debugcheck_suite(void);
Suite *vma_suite(void);
Suite *fstree_suite(void);
Suite *ldisc_suite(void);
Suite *string_suite(void);

#endif
