/*
 * kip_image.S - the two linked interface page images (kernel/kip/vdso/,
 * built by the Makefile as $(VDSO64) and $(VDSO32)), embedded as read-only
 * data: kip.c copies them into frames at boot.
 */
    .section .rodata, "a"
    .balign 64
    .globl kip_image64_start, kip_image64_end
kip_image64_start:
    .incbin VDSO64_IMAGE
kip_image64_end:

    .balign 64
    .globl kip_image32_start, kip_image32_end
kip_image32_start:
    .incbin VDSO32_IMAGE
kip_image32_end:

    .section .note.GNU-stack, "", @progbits
