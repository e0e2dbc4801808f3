/* ELF executables checked and their PT_LOAD segments listed (elf.h). */
#include "elf.h"
#include "../arch/layout.h"
#include "../../lib/string.h"

#define EM_386 3
#define EM_X86_64 62
#define ET_EXEC 2
#define PT_LOAD 1
#define PT_PHDR 6

struct elf64_ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

struct elf32_ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version, entry, phoff, shoff, flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf32_phdr {
    uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

const char *elf_error_name(enum elf_error e)
{
    switch (e) {
    case ELF_OK: return "ok";
    case ELF_TOO_SMALL: return "file too small";
    case ELF_BAD_MAGIC: return "not an ELF file";
    case ELF_BAD_CLASS: return "not ELF64 x86-64 or ELF32 i386";
    case ELF_NOT_EXEC: return "not an executable (ET_EXEC)";
    case ELF_BAD_PHDRS: return "program headers outside the file";
    case ELF_BAD_SEGMENT: return "malformed segment";
    case ELF_OUTSIDE_USER: return "segment or entry outside user space";
    case ELF_OVERLAP: return "segments overlap";
    case ELF_NO_SEGMENTS: return "no loadable segment";
    case ELF_TOO_MANY: return "too many segments";
    }
    return "unknown error";
}

static enum elf_error add_segment(struct elf_image *out, uint64_t user_end, size_t size,
                                  uint64_t offset, uint64_t vaddr, uint64_t filesz, uint64_t memsz,
                                  uint32_t flags)
{
    if (memsz == 0)
        return ELF_OK;
    if (filesz > memsz || offset + filesz < offset || offset + filesz > size)
        return ELF_BAD_SEGMENT;
    if (vaddr + memsz < vaddr || vaddr < PAGE_SIZE || vaddr + memsz > user_end)
        return ELF_OUTSIDE_USER;
    if (out->nsegments == ELF_MAX_SEGMENTS)
        return ELF_TOO_MANY;
    /* Segments may share a page (the loader merges their permissions),
     * but no byte may belong to two of them. */
    for (int i = 0; i < out->nsegments; i++) {
        const struct elf_segment *s = &out->segments[i];
        if (vaddr < s->vaddr + s->memsz && s->vaddr < vaddr + memsz)
            return ELF_OVERLAP;
    }
    out->segments[out->nsegments++] = (struct elf_segment){ vaddr, memsz, offset, filesz, flags };
    return ELF_OK;
}

static enum elf_error finish(struct elf_image *out, uint64_t user_end)
{
    if (out->nsegments == 0)
        return ELF_NO_SEGMENTS;
    if (out->entry < PAGE_SIZE || out->entry >= user_end)
        return ELF_OUTSIDE_USER;
    return ELF_OK;
}

/* The fields of the two ELF classes that matter here, in one shape. */
struct ehdr_common {
    unsigned bits, machine, type;
    uint64_t entry, phoff;
    unsigned phnum, phentsize, phdr_size;
};

struct phdr_common {
    uint32_t type, flags;
    uint64_t offset, vaddr, filesz, memsz;
};

static enum elf_error read_ehdr(const uint8_t *img, size_t size, struct ehdr_common *h)
{
    if (img[4] == 2) {
        struct elf64_ehdr eh;
        if (size < sizeof eh)
            return ELF_TOO_SMALL;
        memcpy(&eh, img, sizeof eh);
        *h = (struct ehdr_common){ 64, eh.machine, eh.type, eh.entry, eh.phoff, eh.phnum, eh.phentsize,
                                   sizeof(struct elf64_phdr) };
        return eh.machine == EM_X86_64 ? ELF_OK : ELF_BAD_CLASS;
    }
    struct elf32_ehdr eh;
    if (size < sizeof eh)
        return ELF_TOO_SMALL;
    memcpy(&eh, img, sizeof eh);
    *h = (struct ehdr_common){ 32, eh.machine, eh.type, eh.entry, eh.phoff, eh.phnum, eh.phentsize,
                               sizeof(struct elf32_phdr) };
    return eh.machine == EM_386 ? ELF_OK : ELF_BAD_CLASS;
}

static void read_phdr(const uint8_t *img, const struct ehdr_common *h, unsigned i, struct phdr_common *p)
{
    const uint8_t *at = img + h->phoff + (uint64_t)i * h->phdr_size;
    if (h->bits == 64) {
        struct elf64_phdr ph;
        memcpy(&ph, at, sizeof ph);
        *p = (struct phdr_common){ ph.type, ph.flags, ph.offset, ph.vaddr, ph.filesz, ph.memsz };
    } else {
        struct elf32_phdr ph;
        memcpy(&ph, at, sizeof ph);
        *p = (struct phdr_common){ ph.type, ph.flags, ph.offset, ph.vaddr, ph.filesz, ph.memsz };
    }
}

static enum elf_error parse(const uint8_t *img, size_t size, struct elf_image *out)
{
    struct ehdr_common h;
    enum elf_error e = read_ehdr(img, size, &h);
    if (e)
        return e;
    if (h.type != ET_EXEC)
        return ELF_NOT_EXEC;
    if (h.phentsize != h.phdr_size || h.phoff > size || (uint64_t)h.phnum * h.phdr_size > size - h.phoff)
        return ELF_BAD_PHDRS;
    const uint64_t load_end = h.bits == 64 ? ELF_LOAD_END64 : ELF_LOAD_END32;
    out->bits = (int)h.bits;
    out->entry = h.entry;
    out->phnum = h.phnum;
    out->phentsize = h.phentsize;
    for (unsigned i = 0; i < h.phnum; i++) {
        struct phdr_common ph;
        read_phdr(img, &h, i, &ph);
        if (ph.type == PT_PHDR)
            out->phdr_vaddr = ph.vaddr;
        if (ph.type != PT_LOAD)
            continue;
        e = add_segment(out, load_end, size, ph.offset, ph.vaddr, ph.filesz, ph.memsz, ph.flags);
        if (e)
            return e;
        /* Without PT_PHDR, the headers are wherever a segment maps them. */
        if (!out->phdr_vaddr && ph.offset <= h.phoff && h.phoff - ph.offset < ph.filesz)
            out->phdr_vaddr = ph.vaddr + (h.phoff - ph.offset);
    }
    return finish(out, load_end);
}

enum elf_error elf_parse(const void *image, size_t size, struct elf_image *out)
{
    const uint8_t *img = image;
    memset(out, 0, sizeof *out);
    if (size < 16)
        return ELF_TOO_SMALL;
    if (img[0] != 0x7f || img[1] != 'E' || img[2] != 'L' || img[3] != 'F')
        return ELF_BAD_MAGIC;
    if (img[5] != 1)            /* ELFDATA2LSB */
        return ELF_BAD_CLASS;
    if (img[4] != 1 && img[4] != 2)     /* ELFCLASS32, ELFCLASS64 */
        return ELF_BAD_CLASS;
    return parse(img, size, out);
}
