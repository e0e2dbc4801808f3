/*
 * kernel/proc/elf.c: elf_parse on ELF64 and ELF32 images built here byte by
 * byte (independently of the module's own structures), one broken field at
 * a time, plus images from the real toolchain (host.mk links them).
 *
 * Images live in malloc'd buffers of exactly their size, so AddressSanitizer
 * reports any read past the end.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/arch/layout.h"
#include "kernel/proc/elf.h"
#include "suites.h"

#define PT_NULL 0
#define PT_LOAD 1
#define PT_NOTE 4
#define PT_PHDR 6
#define PT_GNU_STACK 0x6474e551u
#define EM_386 3
#define EM_X86_64 62
#define EM_AARCH64 183

#define USER_END32 ELF_LOAD_END32

struct ph {
    uint32_t type, flags;
    uint64_t offset, vaddr, filesz, memsz;
};

struct spec {
    int bits;                   /* 64 or 32: the layout written */
    uint8_t ident[16];
    uint16_t type, machine, phentsize;
    uint64_t entry, phoff;
    int phnum;                  /* e_phnum as written */
    int nph;                    /* program headers actually written */
    struct ph ph[16];
    size_t size;
};

/* ---- builder ------------------------------------------------------------ */

/* Little-endian store that drops bytes past the end (truncated images). */
static void put(uint8_t *img, size_t size, uint64_t off, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        if (off + i < size && off + i >= off)
            img[off + i] = (uint8_t)(v >> (8 * i));
}

static void spec_init(struct spec *s, int bits)
{
    memset(s, 0, sizeof *s);
    s->bits = bits;
    memcpy(s->ident, "\177ELF", 4);
    s->ident[4] = bits == 64 ? 2 : 1;       /* EI_CLASS */
    s->ident[5] = 1;                        /* EI_DATA: little endian */
    s->ident[6] = 1;                        /* EI_VERSION */
    s->type = 2;                            /* ET_EXEC */
    s->machine = bits == 64 ? EM_X86_64 : EM_386;
    s->phentsize = bits == 64 ? 56 : 32;
    s->phoff = bits == 64 ? 64 : 52;
    uint64_t base = bits == 64 ? 0x400000 : 0x08048000;
    s->entry = base + 0x80;
    /* Text: the first 0x200 bytes, headers included (so phdr_vaddr comes out
     * as base + phoff); data + bss: file 0x200..0x300, two pages of memory. */
    s->ph[0] = (struct ph){ PT_LOAD, ELF_PF_R | ELF_PF_X, 0, base, 0x200, 0x200 };
    s->ph[1] = (struct ph){ PT_LOAD, ELF_PF_R | ELF_PF_W, 0x200, base + 0x1000, 0x100, 0x2000 };
    s->nph = s->phnum = 2;
    s->size = 0x300;
}

static uint8_t *build(const struct spec *s)
{
    size_t size = s->size;
    uint8_t *img = malloc(size ? size : 1);
    ck_assert_ptr_nonnull(img);
    for (size_t i = 0; i < size; i++)
        img[i] = (uint8_t)(0xc3 ^ i);       /* recognisable filler */
    for (int i = 0; i < 16; i++)
        put(img, size, i, s->ident[i], 1);
    put(img, size, 16, s->type, 2);
    put(img, size, 18, s->machine, 2);
    put(img, size, 20, 1, 4);               /* e_version */
    if (s->bits == 64) {
        put(img, size, 24, s->entry, 8);
        put(img, size, 32, s->phoff, 8);
        put(img, size, 40, 0, 8);           /* e_shoff */
        put(img, size, 48, 0, 4);           /* e_flags */
        put(img, size, 52, 64, 2);          /* e_ehsize */
        put(img, size, 54, s->phentsize, 2);
        put(img, size, 56, (uint64_t)s->phnum, 2);
        put(img, size, 58, 64, 2);
        put(img, size, 60, 0, 2);
        put(img, size, 62, 0, 2);
        for (int i = 0; i < s->nph; i++) {
            uint64_t p = s->phoff + (uint64_t)i * 56;
            const struct ph *h = &s->ph[i];
            if (p < s->phoff || p > size || size - p < 56)
                continue;                   /* only entries that fit */
            put(img, size, p + 0, h->type, 4);
            put(img, size, p + 4, h->flags, 4);
            put(img, size, p + 8, h->offset, 8);
            put(img, size, p + 16, h->vaddr, 8);
            put(img, size, p + 24, h->vaddr, 8);        /* p_paddr */
            put(img, size, p + 32, h->filesz, 8);
            put(img, size, p + 40, h->memsz, 8);
            put(img, size, p + 48, 0x1000, 8);          /* p_align */
        }
    } else {
        put(img, size, 24, s->entry, 4);
        put(img, size, 28, s->phoff, 4);
        put(img, size, 32, 0, 4);           /* e_shoff */
        put(img, size, 36, 0, 4);           /* e_flags */
        put(img, size, 40, 52, 2);          /* e_ehsize */
        put(img, size, 42, s->phentsize, 2);
        put(img, size, 44, (uint64_t)s->phnum, 2);
        put(img, size, 46, 40, 2);
        put(img, size, 48, 0, 2);
        put(img, size, 50, 0, 2);
        for (int i = 0; i < s->nph; i++) {
            uint64_t p = s->phoff + (uint64_t)i * 32;
            const struct ph *h = &s->ph[i];
            if (p < s->phoff || p > size || size - p < 32)
                continue;                   /* only entries that fit */
            put(img, size, p + 0, h->type, 4);
            put(img, size, p + 4, h->offset, 4);
            put(img, size, p + 8, h->vaddr, 4);
            put(img, size, p + 12, h->vaddr, 4);        /* p_paddr */
            put(img, size, p + 16, h->filesz, 4);
            put(img, size, p + 20, h->memsz, 4);
            put(img, size, p + 24, h->flags, 4);
            put(img, size, p + 28, 0x1000, 4);          /* p_align */
        }
    }
    return img;
}

static enum elf_error parse_spec(const struct spec *s, struct elf_image *out)
{
    uint8_t *img = build(s);
    enum elf_error e = elf_parse(img, s->size, out);
    free(img);
    return e;
}

static enum elf_error parse_only(const struct spec *s)
{
    struct elf_image out;
    return parse_spec(s, &out);
}

/* Loop tests run each case for _i = 0 (ELF64) and _i = 1 (ELF32). */
#define BITS (_i == 0 ? 64 : 32)
#define UEND (_i == 0 ? ELF_LOAD_END64 : USER_END32)
#define BASE (_i == 0 ? 0x400000ull : 0x08048000ull)
#define ck_assert_elf(expr, want)                                                         \
    do {                                                                                  \
        enum elf_error got_ = (expr);                                                     \
        ck_assert_msg(got_ == (want), "ELF%d: got %d (%s), want %d (%s)", BITS, got_,     \
                      elf_error_name(got_), (want), elf_error_name(want));                \
    } while (0)

/* ---- good images --------------------------------------------------------- */

START_TEST(good_image)
{
    struct spec s;
    struct elf_image out;
    spec_init(&s, BITS);
    ck_assert_elf(parse_spec(&s, &out), ELF_OK);
    ck_assert_int_eq(out.bits, BITS);
    ck_assert_uint_eq(out.entry, BASE + 0x80);
    ck_assert_uint_eq(out.phnum, 2);
    ck_assert_uint_eq(out.phentsize, BITS == 64 ? 56 : 32);
    ck_assert_uint_eq(out.phdr_vaddr, BASE + s.phoff);
    ck_assert_int_eq(out.nsegments, 2);
    ck_assert_uint_eq(out.segments[0].vaddr, BASE);
    ck_assert_uint_eq(out.segments[0].memsz, 0x200);
    ck_assert_uint_eq(out.segments[0].offset, 0);
    ck_assert_uint_eq(out.segments[0].filesz, 0x200);
    ck_assert_uint_eq(out.segments[0].flags, ELF_PF_R | ELF_PF_X);
    ck_assert_uint_eq(out.segments[1].vaddr, BASE + 0x1000);
    ck_assert_uint_eq(out.segments[1].memsz, 0x2000);
    ck_assert_uint_eq(out.segments[1].offset, 0x200);
    ck_assert_uint_eq(out.segments[1].filesz, 0x100);
    ck_assert_uint_eq(out.segments[1].flags, ELF_PF_R | ELF_PF_W);
}
END_TEST

START_TEST(pt_phdr_gives_phdr_vaddr)
{
    struct spec s;
    struct elf_image out;
    spec_init(&s, BITS);
    s.ph[2] = s.ph[1];
    s.ph[1] = s.ph[0];
    s.ph[0] = (struct ph){ PT_PHDR, ELF_PF_R, s.phoff, BASE + 0x123 * 8, 3 * s.phentsize, 3 * s.phentsize };
    s.nph = s.phnum = 3;
    ck_assert_elf(parse_spec(&s, &out), ELF_OK);
    ck_assert_uint_eq(out.phdr_vaddr, BASE + 0x123 * 8);
    ck_assert_int_eq(out.nsegments, 2);
    ck_assert_uint_eq(out.phnum, 3);
}
END_TEST

START_TEST(phdrs_not_loaded)
{
    /* The headers are in no segment and there is no PT_PHDR: 0. */
    struct spec s;
    struct elf_image out;
    spec_init(&s, BITS);
    s.ph[0].offset = 0x200;
    s.ph[0].filesz = 0x100;
    ck_assert_elf(parse_spec(&s, &out), ELF_OK);
    ck_assert_uint_eq(out.phdr_vaddr, 0);
}
END_TEST

START_TEST(other_headers_ignored)
{
    /* Non-PT_LOAD entries with absurd fields are skipped; so is an empty
     * PT_LOAD (memsz 0). */
    struct spec s;
    struct elf_image out;
    spec_init(&s, BITS);
    s.ph[2] = (struct ph){ PT_NOTE, 0, 0xfffffff0, 0xfffff000, 0xffffff, 0x1 };
    s.ph[3] = (struct ph){ PT_GNU_STACK, ELF_PF_R | ELF_PF_W, 0, 0, 0, 0 };
    s.ph[4] = (struct ph){ PT_NULL, 0, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff };
    s.ph[5] = (struct ph){ PT_LOAD, ELF_PF_R, 0, BASE, 0, 0 };
    s.nph = s.phnum = 6;
    s.size = 0x400;
    ck_assert_elf(parse_spec(&s, &out), ELF_OK);
    ck_assert_int_eq(out.nsegments, 2);
}
END_TEST

START_TEST(bss_only_segment)
{
    struct spec s;
    struct elf_image out;
    spec_init(&s, BITS);
    s.ph[1].filesz = 0;
    s.ph[1].offset = 0;
    ck_assert_elf(parse_spec(&s, &out), ELF_OK);
    ck_assert_uint_eq(out.segments[1].filesz, 0);
    ck_assert_uint_eq(out.segments[1].memsz, 0x2000);
}
END_TEST

START_TEST(segment_ends_at_user_end)
{
    struct spec s;
    spec_init(&s, BITS);
    s.ph[1].vaddr = UEND - 0x2000;      /* memsz 0x2000: ends exactly there */
    ck_assert_elf(parse_only(&s), ELF_OK);
    s.entry = UEND - 1;
    ck_assert_elf(parse_only(&s), ELF_OK);
}
END_TEST

START_TEST(data_ends_at_end_of_file)
{
    struct spec s;
    spec_init(&s, BITS);
    s.ph[1].filesz = 0x100;             /* 0x200 + 0x100 == size */
    ck_assert_elf(parse_only(&s), ELF_OK);
    s.size = 0x2ff;
    ck_assert_elf(parse_only(&s), ELF_BAD_SEGMENT);
}
END_TEST

START_TEST(phdrs_end_at_end_of_file)
{
    /* Header table right at the end of the file: accepted; one byte less
     * of file: rejected. */
    struct spec s;
    spec_init(&s, BITS);
    s.phoff = 0x300;
    s.size = 0x300 + 2 * s.phentsize;
    ck_assert_elf(parse_only(&s), ELF_OK);
    s.size--;
    ck_assert_elf(parse_only(&s), ELF_BAD_PHDRS);
}
END_TEST

START_TEST(adjacent_pages_do_not_overlap)
{
    struct spec s;
    struct elf_image out;
    spec_init(&s, BITS);
    /* Text ends in the middle of its page; the next segment starts at the
     * following page: fine. */
    s.ph[0].memsz = 0x1000;
    s.ph[1].vaddr = BASE + 0x1000;
    ck_assert_elf(parse_spec(&s, &out), ELF_OK);
    /* Order in the table does not matter. */
    struct ph t = s.ph[0];
    s.ph[0] = s.ph[1];
    s.ph[1] = t;
    ck_assert_elf(parse_spec(&s, &out), ELF_OK);
}
END_TEST

START_TEST(max_segments)
{
    struct spec s;
    struct elf_image out;
    spec_init(&s, BITS);
    for (int i = 0; i < ELF_MAX_SEGMENTS; i++)
        s.ph[i] = (struct ph){ PT_LOAD, ELF_PF_R, 0, BASE + 0x1000ull * i, 0x10, 0x10 };
    s.nph = s.phnum = ELF_MAX_SEGMENTS;
    s.size = 0x400;
    ck_assert_elf(parse_spec(&s, &out), ELF_OK);
    ck_assert_int_eq(out.nsegments, ELF_MAX_SEGMENTS);
    ck_assert_uint_eq(out.segments[ELF_MAX_SEGMENTS - 1].vaddr, BASE + 0x1000ull * (ELF_MAX_SEGMENTS - 1));
}
END_TEST

/* ---- broken images ---------------------------------------------------------- */

START_TEST(too_small)
{
    struct spec s;
    spec_init(&s, BITS);
    static const size_t sizes[] = { 0, 1, 4, 15 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        s.size = sizes[i];
        ck_assert_elf(parse_only(&s), ELF_TOO_SMALL);
    }
    /* Valid identification, truncated ELF header. */
    s.size = 16;
    ck_assert_elf(parse_only(&s), ELF_TOO_SMALL);
    s.size = BITS == 64 ? 63 : 51;
    ck_assert_elf(parse_only(&s), ELF_TOO_SMALL);
}
END_TEST

START_TEST(bad_magic)
{
    for (int i = 0; i < 4; i++) {
        struct spec s;
        spec_init(&s, BITS);
        s.ident[i] ^= 0x20;
        ck_assert_elf(parse_only(&s), ELF_BAD_MAGIC);
    }
    struct spec s;
    spec_init(&s, BITS);
    memcpy(s.ident, "#!/bin/sh\n", 10);
    ck_assert_elf(parse_only(&s), ELF_BAD_MAGIC);
}
END_TEST

START_TEST(bad_class)
{
    struct spec s;
    static const uint8_t classes[] = { 0, 3, 0xff };
    for (size_t i = 0; i < sizeof classes; i++) {
        spec_init(&s, BITS);
        s.ident[4] = classes[i];
        ck_assert_elf(parse_only(&s), ELF_BAD_CLASS);
    }
    /* Big endian (ELFDATA2MSB) and ELFDATANONE. */
    spec_init(&s, BITS);
    s.ident[5] = 2;
    ck_assert_elf(parse_only(&s), ELF_BAD_CLASS);
    s.ident[5] = 0;
    ck_assert_elf(parse_only(&s), ELF_BAD_CLASS);
}
END_TEST

START_TEST(wrong_machine)
{
    struct spec s;
    spec_init(&s, BITS);
    /* ELF64 must be x86-64 and ELF32 must be i386: the other pairing is
     * rejected (x32 and 64-bit i386 do not exist here). */
    s.machine = BITS == 64 ? EM_386 : EM_X86_64;
    ck_assert_elf(parse_only(&s), ELF_BAD_CLASS);
    s.machine = EM_AARCH64;
    ck_assert_elf(parse_only(&s), ELF_BAD_CLASS);
    s.machine = 0;
    ck_assert_elf(parse_only(&s), ELF_BAD_CLASS);
}
END_TEST

START_TEST(not_exec)
{
    struct spec s;
    spec_init(&s, BITS);
    static const uint16_t types[] = { 0 /* ET_NONE */, 1 /* ET_REL */, 3 /* ET_DYN */, 4 /* ET_CORE */ };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        s.type = types[i];
        ck_assert_elf(parse_only(&s), ELF_NOT_EXEC);
    }
}
END_TEST

START_TEST(phdrs_outside_file)
{
    struct spec s;
    spec_init(&s, BITS);
    s.phoff = s.size;                   /* table starts at end of file */
    ck_assert_elf(parse_only(&s), ELF_BAD_PHDRS);
    s.phoff = s.size - 1;
    ck_assert_elf(parse_only(&s), ELF_BAD_PHDRS);
    s.phoff = s.size + 0x1000;
    ck_assert_elf(parse_only(&s), ELF_BAD_PHDRS);
    /* An offset that would wrap when the table size is added. */
    s.phoff = BITS == 64 ? ~0ull - 8 : 0xfffffff8u;
    ck_assert_elf(parse_only(&s), ELF_BAD_PHDRS);

    spec_init(&s, BITS);
    s.phnum = 0xffff;                   /* table far larger than the file */
    ck_assert_elf(parse_only(&s), ELF_BAD_PHDRS);
}
END_TEST

START_TEST(bad_phentsize)
{
    struct spec s;
    spec_init(&s, BITS);
    s.phentsize = BITS == 64 ? 32 : 56;     /* the other class's size */
    ck_assert_elf(parse_only(&s), ELF_BAD_PHDRS);
    s.phentsize = 0;
    ck_assert_elf(parse_only(&s), ELF_BAD_PHDRS);
}
END_TEST

START_TEST(filesz_gt_memsz)
{
    struct spec s;
    spec_init(&s, BITS);
    s.ph[1].memsz = 0xff;               /* filesz 0x100 */
    ck_assert_elf(parse_only(&s), ELF_BAD_SEGMENT);
    s.ph[1].memsz = 0x100;              /* equal is fine */
    ck_assert_elf(parse_only(&s), ELF_OK);
}
END_TEST

START_TEST(data_beyond_file)
{
    struct spec s;
    spec_init(&s, BITS);
    s.ph[1].filesz = 0x101;             /* one byte past the end */
    ck_assert_elf(parse_only(&s), ELF_BAD_SEGMENT);
    spec_init(&s, BITS);
    s.ph[1].offset = 0x10000;
    ck_assert_elf(parse_only(&s), ELF_BAD_SEGMENT);
    spec_init(&s, BITS);
    s.ph[1].offset = s.size + 1;        /* bss-only, but offset past the end */
    s.ph[1].filesz = 0;
    ck_assert_elf(parse_only(&s), ELF_BAD_SEGMENT);
}
END_TEST

START_TEST(offset_overflow)
{
    struct spec s;
    spec_init(&s, BITS);
    if (BITS == 64) {
        /* offset + filesz wraps to a small number inside the file. */
        s.ph[1].offset = ~0ull - 0xf;
        s.ph[1].filesz = 0x20;
        s.ph[1].memsz = 0x2000;
    } else {
        s.ph[1].offset = 0xfffffff0u;
        s.ph[1].filesz = 0x20;
    }
    ck_assert_elf(parse_only(&s), ELF_BAD_SEGMENT);
}
END_TEST

START_TEST(segment_in_kernel_half)
{
    struct spec s;
    spec_init(&s, BITS);
    if (BITS == 64) {
        s.ph[1].vaddr = KERNEL_BASE;
        ck_assert_elf(parse_only(&s), ELF_OUTSIDE_USER);
        s.ph[1].vaddr = PHYS_MAP_BASE;
        ck_assert_elf(parse_only(&s), ELF_OUTSIDE_USER);
        s.ph[1].vaddr = 0x0000800000000000ull;      /* non-canonical */
        ck_assert_elf(parse_only(&s), ELF_OUTSIDE_USER);
    } else {
        s.ph[1].vaddr = 0xffffe000u;                /* above the 32-bit limit */
        ck_assert_elf(parse_only(&s), ELF_OUTSIDE_USER);
        s.ph[1].vaddr = 0xfffff000u;
        ck_assert_elf(parse_only(&s), ELF_OUTSIDE_USER);
    }
}
END_TEST

START_TEST(segment_above_user_end)
{
    struct spec s;
    spec_init(&s, BITS);
    s.ph[1].vaddr = UEND;
    ck_assert_elf(parse_only(&s), ELF_OUTSIDE_USER);
    s.ph[1].vaddr = UEND - 0x2000;
    s.ph[1].memsz = 0x2001;             /* ends one byte past USER_END */
    ck_assert_elf(parse_only(&s), ELF_OUTSIDE_USER);
}
END_TEST

START_TEST(segment_in_null_page)
{
    struct spec s;
    spec_init(&s, BITS);
    s.ph[0].vaddr = 0;
    ck_assert_elf(parse_only(&s), ELF_OUTSIDE_USER);
    s.ph[0].vaddr = PAGE_SIZE - 0x10;
    ck_assert_elf(parse_only(&s), ELF_OUTSIDE_USER);
}
END_TEST

START_TEST(vaddr_memsz_overflow)
{
    struct spec s;
    spec_init(&s, BITS);
    if (BITS == 64) {
        s.ph[1].vaddr = 0xfffffffffffff000ull;
        s.ph[1].memsz = 0x2000;             /* wraps to 0x1000 */
        ck_assert_elf(parse_only(&s), ELF_OUTSIDE_USER);
        s.ph[1].vaddr = BASE + 0x1000;
        s.ph[1].memsz = ~0ull;              /* wraps to just below vaddr */
        ck_assert_elf(parse_only(&s), ELF_OUTSIDE_USER);
    } else {
        s.ph[1].vaddr = 0xfffff000u;
        s.ph[1].memsz = 0x2000;             /* past 4 GiB */
        ck_assert_elf(parse_only(&s), ELF_OUTSIDE_USER);
        s.ph[1].vaddr = BASE + 0x1000;
        s.ph[1].memsz = 0xffffffffu;
        ck_assert_elf(parse_only(&s), ELF_OUTSIDE_USER);
    }
}
END_TEST

START_TEST(overlap)
{
    struct spec s;
    spec_init(&s, BITS);
    /* Text covers BASE..BASE+0x200; data starts inside it, in the same page. */
    s.ph[1].vaddr = BASE + 0x100;
    ck_assert_elf(parse_only(&s), ELF_OVERLAP);
    /* By a single byte. */
    s.ph[1].vaddr = BASE + 0x1ff;
    ck_assert_elf(parse_only(&s), ELF_OVERLAP);
    /* Data (listed second) ends one byte into the text. */
    spec_init(&s, BITS);
    s.ph[0].vaddr = BASE + 0x3000;
    s.ph[1].vaddr = BASE + 0x1000;
    s.ph[1].memsz = 0x2001;
    ck_assert_elf(parse_only(&s), ELF_OVERLAP);
    /* Identical ranges, and one inside the other. */
    spec_init(&s, BITS);
    s.ph[1].vaddr = BASE;
    ck_assert_elf(parse_only(&s), ELF_OVERLAP);
    spec_init(&s, BITS);
    s.ph[0].vaddr = BASE + 0x1100;
    ck_assert_elf(parse_only(&s), ELF_OVERLAP);
}
END_TEST

START_TEST(shared_page_no_shared_bytes)
{
    /* Segments may share a page as long as no byte is in both (elf.h). */
    struct spec s;
    struct elf_image out;
    spec_init(&s, BITS);
    s.ph[1].vaddr = BASE + 0x200;       /* starts right where the text ends */
    ck_assert_elf(parse_spec(&s, &out), ELF_OK);
    ck_assert_int_eq(out.nsegments, 2);
    s.ph[1].vaddr = BASE + 0x800;       /* same page, with a gap */
    ck_assert_elf(parse_spec(&s, &out), ELF_OK);
    /* The other order: data ends exactly where the text starts. */
    spec_init(&s, BITS);
    s.ph[0].vaddr = BASE + 0x2800;
    s.ph[1].vaddr = BASE + 0x800;       /* memsz 0x2000: ends at BASE + 0x2800 */
    ck_assert_elf(parse_spec(&s, &out), ELF_OK);
}
END_TEST

START_TEST(no_load_segments)
{
    struct spec s;
    spec_init(&s, BITS);
    s.nph = s.phnum = 0;
    ck_assert_elf(parse_only(&s), ELF_NO_SEGMENTS);
    spec_init(&s, BITS);
    s.ph[0].type = PT_NOTE;
    s.ph[1].type = PT_GNU_STACK;
    ck_assert_elf(parse_only(&s), ELF_NO_SEGMENTS);
    spec_init(&s, BITS);
    s.ph[0].memsz = s.ph[0].filesz = 0;
    s.ph[1].memsz = s.ph[1].filesz = 0;
    ck_assert_elf(parse_only(&s), ELF_NO_SEGMENTS);
}
END_TEST

START_TEST(too_many_segments)
{
    struct spec s;
    spec_init(&s, BITS);
    for (int i = 0; i < ELF_MAX_SEGMENTS + 1; i++)
        s.ph[i] = (struct ph){ PT_LOAD, ELF_PF_R, 0, BASE + 0x1000ull * i, 0x10, 0x10 };
    s.nph = s.phnum = ELF_MAX_SEGMENTS + 1;
    s.size = 0x400;
    ck_assert_elf(parse_only(&s), ELF_TOO_MANY);
}
END_TEST

START_TEST(entry_outside_user)
{
    struct spec s;
    spec_init(&s, BITS);
    s.entry = 0;
    ck_assert_elf(parse_only(&s), ELF_OUTSIDE_USER);
    s.entry = PAGE_SIZE - 1;
    ck_assert_elf(parse_only(&s), ELF_OUTSIDE_USER);
    s.entry = UEND;
    ck_assert_elf(parse_only(&s), ELF_OUTSIDE_USER);
    if (BITS == 64) {
        s.entry = KERNEL_BASE;
        ck_assert_elf(parse_only(&s), ELF_OUTSIDE_USER);
        s.entry = 0x0000800000000000ull;
        ck_assert_elf(parse_only(&s), ELF_OUTSIDE_USER);
    } else {
        s.entry = 0xffffffffu;
        ck_assert_elf(parse_only(&s), ELF_OUTSIDE_USER);
    }
}
END_TEST

/* ---- error names ------------------------------------------------------------- */

START_TEST(error_names)
{
    for (int e = ELF_TOO_MANY; e <= ELF_OK; e++) {
        const char *n = elf_error_name((enum elf_error)e);
        ck_assert_ptr_nonnull(n);
        ck_assert_str_ne(n, "unknown error");
        for (int f = ELF_TOO_MANY; f < e; f++)
            ck_assert_str_ne(n, elf_error_name((enum elf_error)f));
    }
    ck_assert_str_eq(elf_error_name((enum elf_error)-99), "unknown error");
}
END_TEST

/* ---- real linker output -------------------------------------------------- */

#ifndef HOST_FIXTURE_DIR
#define HOST_FIXTURE_DIR "build/host"
#endif

static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s (built by tests/host/host.mk)", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    ck_assert_int_gt(n, 0);
    rewind(f);
    uint8_t *buf = malloc((size_t)n);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return buf;
}

START_TEST(real_executable)
{
    /* tests/host/fixture_prog.c linked static, non-PIE, -nostdlib, as
     * ELF64 (_i = 0) and ELF32 (_i = 1). */
    const char *path = _i == 0 ? HOST_FIXTURE_DIR "/fixture64.elf" : HOST_FIXTURE_DIR "/fixture32.elf";
    size_t size;
    uint8_t *img = slurp(path, &size);
    struct elf_image out;
    ck_assert_elf(elf_parse(img, size, &out), ELF_OK);
    ck_assert_int_eq(out.bits, BITS);
    ck_assert_int_ge(out.nsegments, 1);
    ck_assert_uint_ge(out.entry, PAGE_SIZE);
    ck_assert_uint_lt(out.entry, UEND);
    bool entry_in_exec = false;
    for (int i = 0; i < out.nsegments; i++) {
        const struct elf_segment *sg = &out.segments[i];
        ck_assert_uint_le(sg->filesz, sg->memsz);
        ck_assert_uint_le(sg->offset + sg->filesz, size);
        if ((sg->flags & ELF_PF_X) && out.entry >= sg->vaddr && out.entry < sg->vaddr + sg->memsz)
            entry_in_exec = true;
    }
    ck_assert_msg(entry_in_exec, "entry %#llx not in an executable segment",
                  (unsigned long long)out.entry);
    /* ld maps the headers with the first segment. */
    ck_assert_uint_ne(out.phdr_vaddr, 0);
    free(img);
}
END_TEST

START_TEST(real_executable_truncated)
{
    /* Every prefix of a real executable parses to some error or OK without
     * reading past its end (ASan); the full header table needs the file to
     * reach past it. */
    size_t size;
    uint8_t *full = slurp(_i == 0 ? HOST_FIXTURE_DIR "/fixture64.elf" : HOST_FIXTURE_DIR "/fixture32.elf", &size);
    for (size_t n = 0; n < size; n += n < 512 ? 1 : 97) {
        uint8_t *img = malloc(n ? n : 1);
        memcpy(img, full, n);
        struct elf_image out;
        enum elf_error e = elf_parse(img, n, &out);
        ck_assert_int_le(e, ELF_OK);
        ck_assert_int_ge(e, ELF_TOO_MANY);
        if (n < 16)
            ck_assert_elf(e, ELF_TOO_SMALL);
        free(img);
    }
    free(full);
}
END_TEST

Suite *elf_suite(void)
{
    Suite *s = suite_create("elf");
    TCase *tc = tcase_create("good");
    tcase_add_loop_test(tc, good_image, 0, 2);
    tcase_add_loop_test(tc, pt_phdr_gives_phdr_vaddr, 0, 2);
    tcase_add_loop_test(tc, phdrs_not_loaded, 0, 2);
    tcase_add_loop_test(tc, other_headers_ignored, 0, 2);
    tcase_add_loop_test(tc, bss_only_segment, 0, 2);
    tcase_add_loop_test(tc, segment_ends_at_user_end, 0, 2);
    tcase_add_loop_test(tc, data_ends_at_end_of_file, 0, 2);
    tcase_add_loop_test(tc, phdrs_end_at_end_of_file, 0, 2);
    tcase_add_loop_test(tc, adjacent_pages_do_not_overlap, 0, 2);
    tcase_add_loop_test(tc, shared_page_no_shared_bytes, 0, 2);
    tcase_add_loop_test(tc, max_segments, 0, 2);
    tcase_add_test(tc, error_names);
    suite_add_tcase(s, tc);

    tc = tcase_create("broken");
    tcase_add_loop_test(tc, too_small, 0, 2);
    tcase_add_loop_test(tc, bad_magic, 0, 2);
    tcase_add_loop_test(tc, bad_class, 0, 2);
    tcase_add_loop_test(tc, wrong_machine, 0, 2);
    tcase_add_loop_test(tc, not_exec, 0, 2);
    tcase_add_loop_test(tc, phdrs_outside_file, 0, 2);
    tcase_add_loop_test(tc, bad_phentsize, 0, 2);
    tcase_add_loop_test(tc, filesz_gt_memsz, 0, 2);
    tcase_add_loop_test(tc, data_beyond_file, 0, 2);
    tcase_add_loop_test(tc, offset_overflow, 0, 2);
    tcase_add_loop_test(tc, segment_in_kernel_half, 0, 2);
    tcase_add_loop_test(tc, segment_above_user_end, 0, 2);
    tcase_add_loop_test(tc, segment_in_null_page, 0, 2);
    tcase_add_loop_test(tc, vaddr_memsz_overflow, 0, 2);
    tcase_add_loop_test(tc, overlap, 0, 2);
    tcase_add_loop_test(tc, no_load_segments, 0, 2);
    tcase_add_loop_test(tc, too_many_segments, 0, 2);
    tcase_add_loop_test(tc, entry_outside_user, 0, 2);
    suite_add_tcase(s, tc);

    tc = tcase_create("toolchain");
    tcase_add_loop_test(tc, real_executable, 0, 2);
    tcase_add_loop_test(tc, real_executable_truncated, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}
