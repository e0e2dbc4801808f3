/*
 * Finding a symbol in a vDSO image the way a C library does (glibc's
 * setup_vdso and dl_vdso_vsym, Linux's tools/testing/selftests/vDSO/
 * parse_vdso.c): from the ELF header to the program headers, PT_LOAD and
 * PT_DYNAMIC; from the dynamic section to the symbol and string tables, the
 * hash table (DT_GNU_HASH or DT_HASH) and the version tables (DT_VERSYM,
 * DT_VERDEF); then a hash lookup whose hit must carry the version asked
 * for.  Both ELF classes, whatever width the code itself is: the kernel
 * reads both interface pages with it, the user library its own, and the
 * host tests both images as the build links them.  Every read is bounds
 * checked against the image's size, so a damaged image is refused, never
 * read past.
 */
#ifndef SYSGATE_VDSO_ELF_H
#define SYSGATE_VDSO_ELF_H

#include <stdbool.h>
#include <stdint.h>

enum vdso_elf_error {
    VDSO_ELF_OK = 0,
    VDSO_ELF_BAD_HEADER,    /* not ELF, not x86 ET_DYN, or a header out of bounds */
    VDSO_ELF_BAD_PHDRS,     /* no PT_LOAD or PT_DYNAMIC, or one out of bounds */
    VDSO_ELF_BAD_DYNAMIC,   /* a table missing or out of bounds */
};

enum vdso_elf_hash { VDSO_HASH_ANY, VDSO_HASH_SYSV, VDSO_HASH_GNU };

/* Offsets from the image's start (the ELF header). */
struct vdso_elf {
    const uint8_t *image;
    uint64_t size;
    bool class64;
    uint64_t symtab, strtab, strsz, hash, gnu_hash, versym, verdef;
    uint32_t nsyms;
};

struct vdso_elf_sym {
    uint64_t offset;        /* the symbol's value: its offset in the image */
    uint64_t size;
    uint32_t index;         /* in the dynamic symbol table */
};

/* Reads the image's tables.  size 0 trusts the headers for the size (the
 * PT_LOAD's extent), as a C library trusts the kernel's AT_SYSINFO_EHDR. */
enum vdso_elf_error vdso_elf_open(struct vdso_elf *e, const void *image, uint64_t size);

/* Looks name up with the given hash table (VDSO_HASH_ANY: GNU's where the
 * image has one); version NULL accepts any.  Only defined global or weak
 * functions, objects and untyped symbols are found. */
bool vdso_elf_lookup(const struct vdso_elf *e, const char *name, const char *version, enum vdso_elf_hash how,
                     struct vdso_elf_sym *out);

/* Withdraws dynamic symbol `index` (< e->nsyms) from `image`, a writable
 * copy of e's image: value 0 and SHN_UNDEF, so no lookup finds it. */
void vdso_elf_withdraw(const struct vdso_elf *e, void *image, uint32_t index);

/* The System V ABI's ELF hash and the GNU hash of a name. */
uint32_t vdso_elf_sysv_hash(const char *name);
uint32_t vdso_elf_gnu_hash(const char *name);

const char *vdso_elf_error_name(enum vdso_elf_error err);

#endif
