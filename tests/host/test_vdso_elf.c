/*
 * common/vdso_elf.c on the two interface page images exactly as the build
 * links them (build/vdso64/vdso64.so, build/vdso32/vdso32.so): every
 * symbol Linux exports for the width is found under its version through
 * both hash tables, nothing else is, sysgate's header agrees with the
 * dynamic symbols, a withdrawn symbol is gone, tools/vdso-check accepts
 * them and refuses a shared object with a dynamic relocation; and every
 * truncation and
 * thousands of corruptions of the images are refused or looked up without
 * a read outside the image (the images sit in malloc'd buffers of exactly
 * their size: AddressSanitizer reports any stray read).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysgate/kip.h>
#include <common/vdso_elf.h>
#include "suites.h"

#ifndef HOST_VDSO_DIR
#define HOST_VDSO_DIR "build"
#endif
#ifndef HOST_ROOT_DIR
#define HOST_ROOT_DIR "."
#endif
#ifndef HOST_FIXTURE_DIR
#define HOST_FIXTURE_DIR "build/host"
#endif

static const char *const image_paths[2] = { HOST_VDSO_DIR "/vdso64/vdso64.so", HOST_VDSO_DIR "/vdso32/vdso32.so" };

static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s (built by `make all`)", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    ck_assert_int_gt(n, 0);
    uint8_t *buf = malloc((size_t)n);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return buf;
}

struct expected {
    const char *name, *version;
};

static const struct expected linux64[] = {
    { "__vdso_clock_gettime", "LINUX_2.6" }, { "__vdso_gettimeofday", "LINUX_2.6" },
    { "__vdso_time", "LINUX_2.6" },          { "__vdso_getcpu", "LINUX_2.6" },
    { "__vdso_clock_getres", "LINUX_2.6" },  { "clock_gettime", "LINUX_2.6" },
    { "gettimeofday", "LINUX_2.6" },         { "time", "LINUX_2.6" },
    { "getcpu", "LINUX_2.6" },               { "clock_getres", "LINUX_2.6" },
};
static const struct expected linux32[] = {
    { "__vdso_clock_gettime", "LINUX_2.6" }, { "__vdso_gettimeofday", "LINUX_2.6" },
    { "__vdso_time", "LINUX_2.6" },          { "__vdso_getcpu", "LINUX_2.6" },
    { "__vdso_clock_getres", "LINUX_2.6" },  { "__vdso_clock_gettime64", "LINUX_2.6" },
    { "__kernel_vsyscall", "LINUX_2.5" },     { "__kernel_sigreturn", "LINUX_2.5" },
    { "__kernel_rt_sigreturn", "LINUX_2.5" },
};
static const char *const stubs[SG_MECH_COUNT] = {
#define DOOR(NAME, name, nr, rank, what) [SG_MECH_##NAME] = "__sg_stub_" #name,
#include <sysgate/doors.def>
#undef DOOR
};

static void open_ok(struct vdso_elf *e, const uint8_t *img, size_t size)
{
    enum vdso_elf_error err = vdso_elf_open(e, img, size);
    ck_assert_msg(err == VDSO_ELF_OK, "vdso_elf_open: %s", vdso_elf_error_name(err));
}

static bool find(const struct vdso_elf *e, const char *name, const char *version, uint64_t *offset)
{
    struct vdso_elf_sym g, s;
    bool fg = vdso_elf_lookup(e, name, version, VDSO_HASH_GNU, &g);
    bool fs = vdso_elf_lookup(e, name, version, VDSO_HASH_SYSV, &s);
    ck_assert_msg(fg == fs, "%s@%s: GNU hash says %d, System V hash says %d", name, version ? version : "*", fg, fs);
    if (fg)
        ck_assert_msg(g.offset == s.offset && g.index == s.index, "%s: the two tables find different symbols", name);
    if (fg && offset)
        *offset = g.offset;
    return fg;
}

START_TEST(exports_as_linux)
{
    size_t size;
    uint8_t *img = slurp(image_paths[_i], &size);
    struct vdso_elf e;
    open_ok(&e, img, size);
    ck_assert_int_eq(e.class64, _i == 0);
    const struct expected *want = _i == 0 ? linux64 : linux32;
    size_t n = _i == 0 ? sizeof linux64 / sizeof linux64[0] : sizeof linux32 / sizeof linux32[0];
    for (size_t k = 0; k < n; k++) {
        uint64_t off = 0;
        ck_assert_msg(find(&e, want[k].name, want[k].version, &off), "%s@%s missing", want[k].name, want[k].version);
        ck_assert_msg(off > SG_KIP_HEADER_OFFSET && off < size, "%s at %#lx", want[k].name, (unsigned long)off);
        ck_assert_msg(!find(&e, want[k].name, "LINUX_2.4", NULL), "%s found under a wrong version", want[k].name);
        ck_assert_msg(find(&e, want[k].name, NULL, NULL), "%s not found without a version", want[k].name);
    }
    ck_assert(!find(&e, "__vdso_sgx_enter_enclave", NULL, NULL));
    ck_assert(!find(&e, "sg_vvar", NULL, NULL));                   /* hidden, not exported */
    ck_assert(!find(&e, "sg_default_entry_local", NULL, NULL));
    ck_assert(!find(&e, "", NULL, NULL));
    if (_i == 0) {
        ck_assert(!find(&e, "__kernel_vsyscall", NULL, NULL));
        ck_assert(!find(&e, "__vdso_clock_gettime64", NULL, NULL));
    } else {
        ck_assert(!find(&e, "clock_gettime", NULL, NULL));          /* i386 exports no plain names */
    }
    free(img);
}
END_TEST

/* The header, laid out by the assembly at link time, names the same places
 * as the dynamic symbols. */
START_TEST(header_agrees_with_symbols)
{
    size_t size;
    uint8_t *img = slurp(image_paths[_i], &size);
    struct vdso_elf e;
    open_ok(&e, img, size);
    struct sg_kip_header h;
    memcpy(&h, img + SG_KIP_HEADER_OFFSET, sizeof h);
    ck_assert(h.magic == SG_KIP_MAGIC && h.version == SG_KIP_VERSION && h.vvar_offset == SG_KIP_VVAR_OFFSET);
    uint64_t off;
    ck_assert(find(&e, "__sg_kip_header", "SYSGATE_1", &off) && off == SG_KIP_HEADER_OFFSET);
    ck_assert(find(&e, "__sg_default_entry", "SYSGATE_1", &off) && off == h.default_offset);
    ck_assert_int_eq(img[h.default_offset], 0xe9);                   /* jmp rel32, patched at boot */
    /* __sg_rdtsc: lfence (0F AE E8), then rdtsc (0F 31), the read the
     * kernel does for a thread whose rdtsc faults. */
    ck_assert(find(&e, "__sg_rdtsc", "SYSGATE_1", &off) && off + 5 <= size && img[off + 3] == 0x0f &&
              img[off + 4] == 0x31);
    for (int m = 0; m < SG_MECH_COUNT; m++)
        ck_assert_msg(find(&e, stubs[m], "SYSGATE_1", &off) && off == h.stub_offset[m], "%s", stubs[m]);
    if (_i == 1) {
        ck_assert(find(&e, "__kernel_vsyscall", "LINUX_2.5", &off) && off == h.default_offset);
        uint64_t sysenter;
        find(&e, "__sg_stub_sysenter", "SYSGATE_1", &sysenter);
        ck_assert(h.landing_offset > sysenter && h.landing_offset < sysenter + 16);
    } else {
        ck_assert_int_eq(h.landing_offset, 0);
    }
    free(img);
}
END_TEST

START_TEST(withdrawn_symbol_is_gone)
{
    size_t size;
    uint8_t *img = slurp(image_paths[_i], &size);
    struct vdso_elf e;
    open_ok(&e, img, size);
    struct vdso_elf_sym sym;
    ck_assert(vdso_elf_lookup(&e, "__sg_stub_sysenter", "SYSGATE_1", VDSO_HASH_ANY, &sym));
    vdso_elf_withdraw(&e, img, sym.index);
    ck_assert(!find(&e, "__sg_stub_sysenter", NULL, NULL));
    ck_assert(find(&e, "__sg_stub_syscall", "SYSGATE_1", NULL));
    ck_assert(find(&e, "__vdso_clock_gettime", "LINUX_2.6", NULL));
    free(img);
}
END_TEST

/* A C library passes no size: the PT_LOAD's extent is trusted. */
START_TEST(trusted_size_reads_the_same)
{
    size_t size;
    uint8_t *img = slurp(image_paths[_i], &size);
    struct vdso_elf a, b;
    open_ok(&a, img, size);
    open_ok(&b, img, 0);
    ck_assert(b.size <= size && b.symtab == a.symtab && b.nsyms == a.nsyms && b.versym == a.versym);
    struct vdso_elf_sym sa, sb;
    ck_assert(vdso_elf_lookup(&a, "__vdso_time", "LINUX_2.6", VDSO_HASH_ANY, &sa));
    ck_assert(vdso_elf_lookup(&b, "__vdso_time", "LINUX_2.6", VDSO_HASH_ANY, &sb));
    ck_assert(sa.offset == sb.offset);
    free(img);
}
END_TEST

/* Every prefix of the image: refused, or answered from inside it. */
START_TEST(truncations_stay_inside)
{
    size_t size;
    uint8_t *img = slurp(image_paths[_i], &size);
    for (size_t n = 1; n < size; n++) {
        uint8_t *cut = malloc(n);
        memcpy(cut, img, n);
        struct vdso_elf e;
        if (vdso_elf_open(&e, cut, n) == VDSO_ELF_OK) {
            struct vdso_elf_sym s;
            vdso_elf_lookup(&e, "__vdso_clock_gettime", "LINUX_2.6", VDSO_HASH_GNU, &s);
            vdso_elf_lookup(&e, "__vdso_clock_gettime", "LINUX_2.6", VDSO_HASH_SYSV, &s);
        }
        free(cut);
    }
    free(img);
}
END_TEST

/* Random byte corruptions (a fixed xorshift: the same every run). */
START_TEST(corruptions_stay_inside)
{
    size_t size;
    uint8_t *img = slurp(image_paths[_i], &size);
    uint8_t *bad = malloc(size);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    int opened = 0;
    for (int round = 0; round < 4000; round++) {
        memcpy(bad, img, size);
        for (int k = 0; k < 1 + round % 4; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            /* Mostly the headers and tables, where a bad value steers reads. */
            size_t at = (size_t)(x >> 32) % (round % 2 ? size : (size < 2048 ? size : 2048));
            bad[at] = (uint8_t)x;
        }
        struct vdso_elf e;
        if (vdso_elf_open(&e, bad, size) != VDSO_ELF_OK)
            continue;
        opened++;
        struct vdso_elf_sym s;
        const char *names[] = { "__vdso_clock_gettime", "__vdso_time", "__sg_stub_trap", "nothing" };
        for (int k = 0; k < 4; k++) {
            vdso_elf_lookup(&e, names[k], "LINUX_2.6", VDSO_HASH_GNU, &s);
            vdso_elf_lookup(&e, names[k], "LINUX_2.6", VDSO_HASH_SYSV, &s);
            vdso_elf_lookup(&e, names[k], NULL, VDSO_HASH_ANY, &s);
        }
    }
    ck_assert_int_gt(opened, 100);      /* the lookups did run on damaged tables */
    free(bad);
    free(img);
}
END_TEST

START_TEST(hash_functions)
{
    /* glibc's VDSO_HASH for "LINUX_2.6" (sysdeps/unix/sysv/linux/x86_64/sysdep.h). */
    ck_assert_uint_eq(vdso_elf_sysv_hash("LINUX_2.6"), 61765110u);
    ck_assert_uint_eq(vdso_elf_sysv_hash(""), 0);
    ck_assert_uint_eq(vdso_elf_sysv_hash("printf"), 0x077905a6u);
    ck_assert_uint_eq(vdso_elf_gnu_hash(""), 5381u);
    ck_assert_uint_eq(vdso_elf_gnu_hash("printf"), 0x156b2bb8u);
}
END_TEST

START_TEST(not_an_image)
{
    uint8_t zeros[256] = { 0 };
    struct vdso_elf e;
    ck_assert_int_eq(vdso_elf_open(&e, zeros, sizeof zeros), VDSO_ELF_BAD_HEADER);
    size_t size;
    uint8_t *img = slurp(image_paths[0], &size);
    img[18] = 3;        /* e_machine EM_386 in an ELFCLASS64 image */
    ck_assert_int_eq(vdso_elf_open(&e, img, size), VDSO_ELF_BAD_HEADER);
    free(img);
}
END_TEST

/* tools/vdso-check's verdict on path: its exit status, its message in out. */
static int vdso_check(const char *path, char *out, size_t size)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s/tools/vdso-check '%s' 2>&1", HOST_ROOT_DIR, path);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = 0;
    return pclose(p);
}

START_TEST(build_check_refuses_relocations)
{
    char msg[4096];
    ck_assert_msg(vdso_check(image_paths[0], msg, sizeof msg) == 0, "the 64-bit image refused: %s", msg);
    ck_assert_msg(vdso_check(image_paths[1], msg, sizeof msg) == 0, "the 32-bit image refused: %s", msg);
    ck_assert_int_ne(vdso_check(HOST_FIXTURE_DIR "/vdso-bad.so", msg, sizeof msg), 0);
    ck_assert_msg(strstr(msg, "has relocations") && strstr(msg, "self_pointer"), "message: %s", msg);
}
END_TEST

Suite *vdso_elf_suite(void)
{
    Suite *s = suite_create("vdso_elf");
    TCase *tc = tcase_create("images");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, exports_as_linux, 0, 2);
    tcase_add_loop_test(tc, header_agrees_with_symbols, 0, 2);
    tcase_add_loop_test(tc, withdrawn_symbol_is_gone, 0, 2);
    tcase_add_loop_test(tc, trusted_size_reads_the_same, 0, 2);
    tcase_add_loop_test(tc, truncations_stay_inside, 0, 2);
    tcase_add_loop_test(tc, corruptions_stay_inside, 0, 2);
    tcase_add_test(tc, hash_functions);
    tcase_add_test(tc, not_an_image);
    tcase_add_test(tc, build_check_refuses_relocations);
    suite_add_tcase(s, tc);
    return s;
}
