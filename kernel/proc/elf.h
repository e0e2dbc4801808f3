/*
 * ELF executables: validation and the list of segments to load.  Pure (no
 * memory is mapped here): the loader (loader.c) maps what this returns, and
 * the host unit tests feed it good and broken images.
 *
 * Accepted: ELF64 x86-64 (EM_X86_64) and ELF32 i386 (EM_386), ET_EXEC,
 * little endian, with 1 to ELF_MAX_SEGMENTS PT_LOAD segments that lie in
 * user space, share no byte (they may share a page), have filesz <= memsz and file data inside the
 * image.
 */
#ifndef SYSGATE_ELF_H
#define SYSGATE_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 8

#define ELF_PF_X 1
#define ELF_PF_W 2
#define ELF_PF_R 4

struct elf_segment {
    uint64_t vaddr, memsz;
    uint64_t offset, filesz;
    uint32_t flags;             /* ELF_PF_* */
};

struct elf_image {
    int bits;                   /* 64 or 32 */
    uint64_t entry;
    uint64_t phdr_vaddr;        /* where the program headers are mapped, or 0 */
    uint32_t phnum, phentsize;
    int nsegments;
    struct elf_segment segments[ELF_MAX_SEGMENTS];
};

enum elf_error {
    ELF_OK = 0,
    ELF_TOO_SMALL = -1,
    ELF_BAD_MAGIC = -2,
    ELF_BAD_CLASS = -3,         /* not ELF64/x86-64 or ELF32/i386 */
    ELF_NOT_EXEC = -4,
    ELF_BAD_PHDRS = -5,         /* program header table outside the file */
    ELF_BAD_SEGMENT = -6,       /* filesz > memsz, data outside the file, overflow */
    ELF_OUTSIDE_USER = -7,      /* a segment or the entry outside user space */
    ELF_OVERLAP = -8,
    ELF_NO_SEGMENTS = -9,
    ELF_TOO_MANY = -10,
};

/* Where program segments may lie: below the regions the loader keeps for
 * itself (the interface pages, stacks and argument pages: layout.h). */
#define ELF_LOAD_END64 0x00007f0000000000ull
#define ELF_LOAD_END32 0xf0000000ull
enum elf_error elf_parse(const void *image, size_t size, struct elf_image *out);
const char *elf_error_name(enum elf_error e);

#endif
