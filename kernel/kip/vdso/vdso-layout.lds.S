/*
 * vdso-layout.lds.S - the layout both interface pages share (included by
 * vdso64.lds.S and vdso32.lds.S, which add the exported symbols), modelled
 * on Linux's arch/x86/entry/vdso/vdso-layout.lds.S: one PT_LOAD holding the
 * ELF and program headers, sysgate's header at a fixed offset, the dynamic
 * symbol tables and the code; a PT_DYNAMIC inside it.  Linked at 0 as a
 * shared object with no relocations (the build checks), so it runs
 * wherever kip.c maps it.  The data page (struct sg_vvar) sits just below
 * the image: sg_vvar is addressed relative to the code, like everything
 * else.
 */
#include <sysgate/kip.h>

SECTIONS
{
    sg_vvar = . + SG_KIP_VVAR_OFFSET;

    . = SIZEOF_HEADERS;
    /* Fails the link ("cannot move location counter backwards") if the
     * ELF headers ever outgrow the room before sysgate's header. */
    . = SG_KIP_HEADER_OFFSET;
    .sg_kip         : { KEEP(*(.sg_kip)) }          :text

    .hash           : { *(.hash) }                  :text
    .gnu.hash       : { *(.gnu.hash) }
    .dynsym         : { *(.dynsym) }
    .dynstr         : { *(.dynstr) }
    .gnu.version    : { *(.gnu.version) }
    .gnu.version_d  : { *(.gnu.version_d) }
    .gnu.version_r  : { *(.gnu.version_r) }
    .dynamic        : { *(.dynamic) }               :text :dynamic
    /* Read-only data, and the GOT that 32-bit PIC code addresses its data
     * relative to (it holds no entries: nothing is imported). */
    .rodata         : { *(.rodata .rodata.*) *(.got) *(.got.plt) }  :text
    .text           : { *(.text .text.*) }          :text
    /* Writable data would be per process and private: the image has none
     * (the build fails on any relocation, and this catches the rest). */
    .data           : { *(.data .data.* .bss .bss.* COMMON) }
    /DISCARD/       : { *(.comment) *(.note*) *(.eh_frame*) *(.interp) }
}
ASSERT(SIZEOF(.data) == 0, "the interface page has no writable data")

PHDRS
{
    text    PT_LOAD     FLAGS(5) FILEHDR PHDRS;    /* R X */
    dynamic PT_DYNAMIC  FLAGS(4);                   /* R */
}
