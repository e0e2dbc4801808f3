/*
 * The host unit test runner: every suite in one srunner, Check's standard
 * CK_NORMAL summary ("100%: Checks: N, Failures: 0, Errors: 0"), exit
 * status non-zero when anything failed.  CK_FORK=no in the environment runs
 * the tests in-process (handy under gdb).
 */
#include <stdlib.h>
#include "suites.h"

int main(void)
{
    SRunner *sr = srunner_create(descriptor_suite());
    srunner_add_suite(sr, elf_suite());
    srunner_add_suite(sr, cmdline_suite());
    srunner_add_suite(sr, frame_alloc_suite());
    srunner_add_suite(sr, uaccess_suite());
    srunner_add_suite(sr, cpio_suite());
    srunner_add_suite(sr, vdso_elf_suite());
    srunner_add_suite(sr, timeconv_suite());
    srunner_add_suite(sr, vma_suite());
    srunner_add_suite(sr, fstree_suite());
    srunner_add_suite(sr, debugcheck_suite());
    srunner_add_suite(sr, ldisc_suite());
    srunner_add_suite(sr, string_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
