/*
 * kip_stubs.S - the code of the kernel interface page.  This section is a
 * template: kip.c copies it into a frame at boot, fills in the header and
 * patches the default entry.  The code runs in ring 3 at whatever address
 * the page gets, so it is position independent.
 */
#include "../../include/sysgate/kip.h"

    .section .kip, "a"
    .globl kip_template_start
kip_template_start:
    .skip SG_KIP_DEFAULT_OFFSET         /* header, filled in by kip.c */

/* The default entry: `jmp rel32` to the chosen stub, patched by kip.c. */
    .globl kip_default_entry
kip_default_entry:
    jmp     kip_stub_int80
    .balign 16

/* int $0x80 (entry/int80.S): preserves everything but rax. */
    .globl kip_stub_int80
kip_stub_int80:
    int     $0x80
    ret
    .balign 16

    .globl kip_template_end
kip_template_end:

    .section .note.GNU-stack, "", @progbits
