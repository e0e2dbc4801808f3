/*
 * A vDSO image's dynamic symbols, found as a C library finds them (see
 * vdso_elf.h).  Structure layouts from the System V gABI (ELF header,
 * program header, dynamic section, symbol table, hash table) and the GNU
 * extensions (DT_GNU_HASH, symbol versioning: "LSB Core, Symbol
 * Versioning"), read field by field at their offsets for either class.
 */
#include <common/vdso_elf.h>
#include <common/string.h>

#define EM_386      3
#define EM_X86_64   62
#define ET_DYN      3
#define PT_LOAD     1
#define PT_DYNAMIC  2
#define DT_NULL     0
#define DT_HASH     4
#define DT_STRTAB   5
#define DT_SYMTAB   6
#define DT_STRSZ    10
#define DT_SYMENT   11
#define DT_GNU_HASH 0x6ffffef5
#define DT_VERSYM   0x6ffffff0
#define DT_VERDEF   0x6ffffffc
#define VER_FLG_BASE 1
#define STT_NOTYPE  0
#define STT_OBJECT  1
#define STT_FUNC    2
#define STB_GLOBAL  1
#define STB_WEAK    2
#define MAX_VERDEFS 256

/* Bounds-checked little-endian reads; false when [off, off + n) is not in
 * the image. */
static bool in_image(const struct vdso_elf *e, uint64_t off, uint64_t n)
{
    return off <= e->size && n <= e->size - off;
}

static bool rd(const struct vdso_elf *e, uint64_t off, void *out, uint64_t n)
{
    if (!in_image(e, off, n))
        return false;
    memcpy(out, e->image + off, n);
    return true;
}

static bool rd16(const struct vdso_elf *e, uint64_t off, uint16_t *v) { return rd(e, off, v, 2); }
static bool rd32(const struct vdso_elf *e, uint64_t off, uint32_t *v) { return rd(e, off, v, 4); }

/* A word of the image's class: 8 bytes for ELFCLASS64, 4 for ELFCLASS32. */
static bool rdword(const struct vdso_elf *e, uint64_t off, uint64_t *v)
{
    if (e->class64)
        return rd(e, off, v, 8);
    uint32_t w;
    if (!rd32(e, off, &w))
        return false;
    *v = w;
    return true;
}

uint32_t vdso_elf_sysv_hash(const char *name)
{
    uint32_t h = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h = (h << 4) + *p;
        uint32_t g = h & 0xf0000000u;
        if (g)
            h ^= g >> 24;
        h &= ~g;
    }
    return h;
}

uint32_t vdso_elf_gnu_hash(const char *name)
{
    uint32_t h = 5381;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = h * 33 + *p;
    return h;
}

/* The number of dynamic symbols from the GNU hash table alone: one past
 * the last chain entry of the highest bucket. */
static bool gnu_hash_count(const struct vdso_elf *e, uint32_t *count)
{
    uint32_t nbuckets, symoffset, bloom_size;
    if (!rd32(e, e->gnu_hash, &nbuckets) || !rd32(e, e->gnu_hash + 4, &symoffset) ||
        !rd32(e, e->gnu_hash + 8, &bloom_size))
        return false;
    uint64_t buckets = e->gnu_hash + 16 + (uint64_t)bloom_size * (e->class64 ? 8 : 4);
    uint32_t last = 0;
    for (uint32_t b = 0; b < nbuckets; b++) {
        uint32_t v;
        if (!rd32(e, buckets + 4ull * b, &v))
            return false;
        if (v > last)
            last = v;
    }
    if (last < symoffset) {
        *count = symoffset;
        return true;
    }
    uint64_t chains = buckets + 4ull * nbuckets;
    for (uint64_t i = last;; i++) {
        uint32_t ch;
        if (i - symoffset > e->size / 4 || !rd32(e, chains + 4 * (i - symoffset), &ch))
            return false;
        if (ch & 1) {
            *count = (uint32_t)i + 1;
            return true;
        }
    }
}

enum vdso_elf_error vdso_elf_open(struct vdso_elf *e, const void *image, uint64_t size)
{
    memset(e, 0, sizeof *e);
    e->image = image;
    e->size = size ? size : 64;     /* trusted: room for the ELF header first */

    uint8_t ident[16];
    uint16_t type, machine, phentsize, phnum;
    if (!rd(e, 0, ident, 16) || memcmp(ident, "\177ELF", 4) || (ident[4] != 1 && ident[4] != 2) || ident[5] != 1)
        return VDSO_ELF_BAD_HEADER;
    e->class64 = ident[4] == 2;
    uint64_t phoff;
    if (!rd16(e, 16, &type) || !rd16(e, 18, &machine) || type != ET_DYN ||
        machine != (e->class64 ? EM_X86_64 : EM_386) || !rdword(e, e->class64 ? 32 : 28, &phoff) ||
        !rd16(e, e->class64 ? 54 : 42, &phentsize) || !rd16(e, e->class64 ? 56 : 44, &phnum) ||
        phentsize != (e->class64 ? 56 : 32))
        return VDSO_ELF_BAD_HEADER;

    /* The program headers: the (first) PT_LOAD and PT_DYNAMIC. */
    uint64_t load_off = 0, load_vaddr = 0, load_filesz = 0, dyn_vaddr = 0, dyn_size = 0;
    bool have_load = false, have_dyn = false;
    if (!size)
        e->size = phoff + (uint64_t)phnum * phentsize;
    for (uint16_t i = 0; i < phnum; i++) {
        uint64_t ph = phoff + (uint64_t)i * phentsize, off, vaddr, filesz;
        uint32_t ptype;
        if (!rd32(e, ph, &ptype) || !rdword(e, ph + (e->class64 ? 8 : 4), &off) ||
            !rdword(e, ph + (e->class64 ? 16 : 8), &vaddr) || !rdword(e, ph + (e->class64 ? 32 : 16), &filesz))
            return VDSO_ELF_BAD_PHDRS;
        if (ptype == PT_LOAD && !have_load) {
            have_load = true;
            load_off = off, load_vaddr = vaddr, load_filesz = filesz;
        } else if (ptype == PT_DYNAMIC) {
            have_dyn = true;
            dyn_vaddr = vaddr, dyn_size = filesz;
        }
    }
    if (!have_load || !have_dyn || load_off != 0 || load_filesz < 64)
        return VDSO_ELF_BAD_PHDRS;
    if (!size)
        e->size = load_filesz;
    else if (load_filesz > size)
        return VDSO_ELF_BAD_PHDRS;

    /* Image offsets of virtual addresses: the PT_LOAD maps offset 0 at
     * load_vaddr.  An address outside the image becomes an offset that
     * every later read refuses. */
#define OFFSET_OF(vaddr) ((vaddr) >= load_vaddr ? (vaddr) - load_vaddr : UINT64_MAX)
    uint64_t dyn = OFFSET_OF(dyn_vaddr);
    if (!in_image(e, dyn, dyn_size))
        return VDSO_ELF_BAD_PHDRS;

    uint64_t syment = 0;
    unsigned entsize = e->class64 ? 16 : 8;
    for (uint64_t d = dyn; d + entsize <= dyn + dyn_size; d += entsize) {
        uint64_t tag, val;
        if (!rdword(e, d, &tag) || !rdword(e, d + entsize / 2, &val))
            return VDSO_ELF_BAD_DYNAMIC;
        if (!e->class64)
            tag = (uint64_t)(int64_t)(int32_t)tag;
        if (tag == DT_NULL)
            break;
        switch (tag) {
        case DT_HASH: e->hash = OFFSET_OF(val); break;
        case DT_GNU_HASH: e->gnu_hash = OFFSET_OF(val); break;
        case DT_SYMTAB: e->symtab = OFFSET_OF(val); break;
        case DT_STRTAB: e->strtab = OFFSET_OF(val); break;
        case DT_STRSZ: e->strsz = val; break;
        case DT_SYMENT: syment = val; break;
        case DT_VERSYM: e->versym = OFFSET_OF(val); break;
        case DT_VERDEF: e->verdef = OFFSET_OF(val); break;
        }
    }
#undef OFFSET_OF
    if (!e->symtab || !e->strtab || (!e->hash && !e->gnu_hash) || syment != (e->class64 ? 24u : 16u) ||
        !in_image(e, e->strtab, e->strsz))
        return VDSO_ELF_BAD_DYNAMIC;
    if (e->hash) {
        if (!rd32(e, e->hash + 4, &e->nsyms))   /* nchain */
            return VDSO_ELF_BAD_DYNAMIC;
    } else if (!gnu_hash_count(e, &e->nsyms)) {
        return VDSO_ELF_BAD_DYNAMIC;
    }
    if (!in_image(e, e->symtab, (uint64_t)e->nsyms * syment) ||
        (e->versym && !in_image(e, e->versym, 2ull * e->nsyms)))
        return VDSO_ELF_BAD_DYNAMIC;
    return VDSO_ELF_OK;
}

struct sym {
    uint32_t name;
    uint8_t info;
    uint16_t shndx;
    uint64_t value, size;
};

static bool read_sym(const struct vdso_elf *e, uint32_t index, struct sym *s)
{
    if (index >= e->nsyms)
        return false;
    uint64_t off = e->symtab + (uint64_t)index * (e->class64 ? 24 : 16);
    if (e->class64)
        return rd32(e, off, &s->name) && rd(e, off + 4, &s->info, 1) && rd16(e, off + 6, &s->shndx) &&
               rdword(e, off + 8, &s->value) && rdword(e, off + 16, &s->size);
    return rd32(e, off, &s->name) && rdword(e, off + 4, &s->value) && rdword(e, off + 8, &s->size) &&
           rd(e, off + 12, &s->info, 1) && rd16(e, off + 14, &s->shndx);
}

/* The NUL-terminated string at strtab + off equals s. */
static bool str_is(const struct vdso_elf *e, uint64_t off, const char *s)
{
    size_t n = strlen(s) + 1;
    return off < e->strsz && n <= e->strsz - off && !memcmp(e->image + e->strtab + off, s, n);
}

/* Symbol `index` carries `version`: its DT_VERSYM index names a DT_VERDEF
 * entry whose hash and first name are the version's. */
static bool has_version(const struct vdso_elf *e, uint32_t index, const char *version)
{
    if (!version)
        return true;
    uint16_t ver;
    if (!e->versym || !e->verdef || !rd16(e, e->versym + 2ull * index, &ver))
        return false;
    ver &= 0x7fff;      /* the hidden bit: not the default version, still this one */
    uint64_t def = e->verdef;
    for (int n = 0; n < MAX_VERDEFS; n++) {
        uint16_t flags, ndx;
        uint32_t hash, aux, next, name;
        if (!rd16(e, def + 2, &flags) || !rd16(e, def + 4, &ndx) || !rd32(e, def + 8, &hash) ||
            !rd32(e, def + 12, &aux) || !rd32(e, def + 16, &next))
            return false;
        if (!(flags & VER_FLG_BASE) && ndx == ver)
            return hash == vdso_elf_sysv_hash(version) && rd32(e, def + aux, &name) && str_is(e, name, version);
        if (!next)
            return false;
        def += next;
    }
    return false;
}

static bool matches(const struct vdso_elf *e, uint32_t index, const char *name, const char *version,
                    struct vdso_elf_sym *out)
{
    struct sym s;
    if (!read_sym(e, index, &s) || s.shndx == 0 || !str_is(e, s.name, name))
        return false;
    unsigned type = s.info & 0xf, bind = s.info >> 4;
    if ((type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE) || (bind != STB_GLOBAL && bind != STB_WEAK))
        return false;
    if (!has_version(e, index, version))
        return false;
    out->offset = s.value;
    out->size = s.size;
    out->index = index;
    return true;
}

static bool lookup_sysv(const struct vdso_elf *e, const char *name, const char *version, struct vdso_elf_sym *out)
{
    uint32_t nbucket, h = vdso_elf_sysv_hash(name), i;
    if (!rd32(e, e->hash, &nbucket) || !nbucket || !rd32(e, e->hash + 8 + 4ull * (h % nbucket), &i))
        return false;
    uint64_t chain = e->hash + 8 + 4ull * nbucket;
    /* At most nsyms steps: a looping chain ends too. */
    for (uint32_t steps = 0; i != 0 && steps < e->nsyms; steps++) {
        if (matches(e, i, name, version, out))
            return true;
        if (i >= e->nsyms || !rd32(e, chain + 4ull * i, &i))
            return false;
    }
    return false;
}

static bool lookup_gnu(const struct vdso_elf *e, const char *name, const char *version, struct vdso_elf_sym *out)
{
    uint32_t nbuckets, symoffset, bloom_size, h = vdso_elf_gnu_hash(name), i;
    if (!rd32(e, e->gnu_hash, &nbuckets) || !nbuckets || !rd32(e, e->gnu_hash + 4, &symoffset) ||
        !rd32(e, e->gnu_hash + 8, &bloom_size))
        return false;
    uint64_t buckets = e->gnu_hash + 16 + (uint64_t)bloom_size * (e->class64 ? 8 : 4);
    if (!rd32(e, buckets + 4ull * (h % nbuckets), &i) || i < symoffset)
        return false;
    uint64_t chains = buckets + 4ull * nbuckets;
    for (; i < e->nsyms; i++) {
        uint32_t ch;
        if (!rd32(e, chains + 4ull * (i - symoffset), &ch))
            return false;
        if ((ch | 1) == (h | 1) && matches(e, i, name, version, out))
            return true;
        if (ch & 1)
            break;
    }
    return false;
}

bool vdso_elf_lookup(const struct vdso_elf *e, const char *name, const char *version, enum vdso_elf_hash how,
                     struct vdso_elf_sym *out)
{
    if (how == VDSO_HASH_GNU || (how == VDSO_HASH_ANY && e->gnu_hash))
        return e->gnu_hash && lookup_gnu(e, name, version, out);
    return e->hash && lookup_sysv(e, name, version, out);
}

void vdso_elf_withdraw(const struct vdso_elf *e, void *image, uint32_t index)
{
    uint8_t *sym = (uint8_t *)image + e->symtab + (uint64_t)index * (e->class64 ? 24 : 16);
    if (index >= e->nsyms)
        return;
    memset(sym + (e->class64 ? 8 : 4), 0, e->class64 ? 8 : 4);     /* st_value */
    memset(sym + (e->class64 ? 6 : 14), 0, 2);                       /* st_shndx */
}

const char *vdso_elf_error_name(enum vdso_elf_error err)
{
    switch (err) {
    case VDSO_ELF_OK: return "ok";
    case VDSO_ELF_BAD_HEADER: return "not an x86 ELF shared object";
    case VDSO_ELF_BAD_PHDRS: return "bad program headers";
    case VDSO_ELF_BAD_DYNAMIC: return "bad dynamic section";
    }
    return "?";
}
