/*
 * kernel/arch/descriptor.c: segment, TSS and gate descriptors, bit by bit
 * against the layouts of Intel SDM vol. 3A (figure 3-8 segment descriptor,
 * figure 8-4 64-bit TSS descriptor, figure 5-9 call gate in IA-32e mode,
 * figure 6-8 64-bit IDT gate descriptor), and Linux's struct user_desc
 * encoded as arch/x86/include/asm/desc.h fill_ldt() does.
 */
#include <check.h>
#include <stdint.h>
#include "kernel/arch/descriptor.h"
#include "suites.h"

/* bits [hi:lo] of v */
static uint64_t bits(uint64_t v, int hi, int lo)
{
    return (v >> lo) & ((hi - lo == 63) ? ~0ull : ((1ull << (hi - lo + 1)) - 1));
}

/* ---- code and data segments ------------------------------------------- */

START_TEST(code64_kernel)
{
    ck_assert_uint_eq(desc_code(0, CODE_64), 0x00af9a000000ffffull);
}
END_TEST

START_TEST(code64_user)
{
    ck_assert_uint_eq(desc_code(3, CODE_64), 0x00affa000000ffffull);
}
END_TEST

START_TEST(code32)
{
    ck_assert_uint_eq(desc_code(3, CODE_32), 0x00cffa000000ffffull);
    ck_assert_uint_eq(desc_code(0, CODE_32), 0x00cf9a000000ffffull);
}
END_TEST

START_TEST(code16)
{
    /* Neither L nor D/B; still G and the flat limit. */
    ck_assert_uint_eq(desc_code(0, CODE_16), 0x008f9a000000ffffull);
}
END_TEST

START_TEST(data_segments)
{
    ck_assert_uint_eq(desc_data(0), 0x00cf92000000ffffull);
    ck_assert_uint_eq(desc_data(3), 0x00cff2000000ffffull);
}
END_TEST

START_TEST(code_fields)
{
    static const enum code_width widths[] = { CODE_16, CODE_32, CODE_64 };
    for (int dpl = 0; dpl < 4; dpl++) {
        for (int w = 0; w < 3; w++) {
            uint64_t d = desc_code(dpl, widths[w]);
            ck_assert_uint_eq(bits(d, 15, 0), 0xffff);          /* limit 15:0 */
            ck_assert_uint_eq(bits(d, 39, 16), 0);              /* base 23:0 */
            ck_assert_uint_eq(bits(d, 43, 40), 0xa);            /* execute/read */
            ck_assert_uint_eq(bits(d, 44, 44), 1);              /* S */
            ck_assert_uint_eq(bits(d, 46, 45), (uint64_t)dpl);  /* DPL */
            ck_assert_uint_eq(bits(d, 47, 47), 1);              /* P */
            ck_assert_uint_eq(bits(d, 51, 48), 0xf);            /* limit 19:16 */
            ck_assert_uint_eq(bits(d, 52, 52), 0);              /* AVL */
            ck_assert_uint_eq(bits(d, 53, 53), widths[w] == CODE_64);  /* L */
            ck_assert_uint_eq(bits(d, 54, 54), widths[w] == CODE_32);  /* D/B */
            /* L = 1 with D = 1 is reserved (SDM 3.4.5). */
            ck_assert(!(bits(d, 53, 53) && bits(d, 54, 54)));
            ck_assert_uint_eq(bits(d, 55, 55), 1);              /* G */
            ck_assert_uint_eq(bits(d, 63, 56), 0);              /* base 31:24 */
        }
    }
}
END_TEST

START_TEST(dpl_is_masked)
{
    /* A DPL outside 0..3 must not spill into P or the type/S bits. */
    ck_assert_uint_eq(desc_data(7), desc_data(3));
    ck_assert_uint_eq(desc_data(4), desc_data(0));
    ck_assert_uint_eq(desc_code(5, CODE_64), desc_code(1, CODE_64));
}
END_TEST

/* ---- call gates ----------------------------------------------------------- */

START_TEST(call_gate_exact)
{
    struct desc16 g = desc_call_gate(0x0008, 0xffffffff80123456ull, 3);
    ck_assert_uint_eq(g.lo, 0x8012ec0000083456ull);
    ck_assert_uint_eq(g.hi, 0x00000000ffffffffull);
}
END_TEST

START_TEST(call_gate_fields)
{
    for (int dpl = 0; dpl < 4; dpl++) {
        struct desc16 g = desc_call_gate(0xbeef, 0x0123456789abcdefull, dpl);
        ck_assert_uint_eq(bits(g.lo, 15, 0), 0xcdef);           /* offset 15:0 */
        ck_assert_uint_eq(bits(g.lo, 31, 16), 0xbeef);          /* selector */
        ck_assert_uint_eq(bits(g.lo, 39, 32), 0);               /* reserved */
        ck_assert_uint_eq(bits(g.lo, 43, 40), 0xc);             /* type: call gate */
        ck_assert_uint_eq(bits(g.lo, 44, 44), 0);               /* S = 0: system */
        ck_assert_uint_eq(bits(g.lo, 46, 45), (uint64_t)dpl);
        ck_assert_uint_eq(bits(g.lo, 47, 47), 1);               /* P */
        ck_assert_uint_eq(bits(g.lo, 63, 48), 0x89ab);          /* offset 31:16 */
        ck_assert_uint_eq(bits(g.hi, 31, 0), 0x01234567);       /* offset 63:32 */
        /* The upper quadword's type field (its bits 44:40) must be 0 (SDM
         * 5.8.3.1), and the rest of its upper half is reserved. */
        ck_assert_uint_eq(bits(g.hi, 44, 40), 0);
        ck_assert_uint_eq(bits(g.hi, 63, 32), 0);
    }
}
END_TEST

START_TEST(call_gate_type_byte)
{
    ck_assert_uint_eq(bits(desc_call_gate(8, 0, 0).lo, 47, 40), 0x8c);
    ck_assert_uint_eq(bits(desc_call_gate(8, 0, 3).lo, 47, 40), 0xec);
}
END_TEST

static const uint64_t offsets[] = {
    0, 1, 0xffff, 0x10000, 0xffffffff, 0x100000000ull, 0x00007fffdeadbeefull,
    0xffffffff80000000ull, 0xffff800000001000ull, 0x123456789abcdef0ull, ~0ull,
};

START_TEST(gate_offset_roundtrip)
{
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        uint64_t off = offsets[i];
        struct desc16 c = desc_call_gate(0x10, off, 3);
        struct desc16 t = desc_idt_gate(0x08, off, DESC_TRAP_GATE, 0, 2);
        ck_assert_uint_eq(desc_gate_offset(c), off);
        ck_assert_uint_eq(desc_gate_offset(t), off);
    }
}
END_TEST

START_TEST(gate_offset_does_not_touch_other_fields)
{
    /* All-ones offset: selector, type, DPL, IST and reserved bits unchanged. */
    struct desc16 a = desc_idt_gate(0x0008, 0, DESC_INTERRUPT_GATE, 0, 0);
    struct desc16 b = desc_idt_gate(0x0008, ~0ull, DESC_INTERRUPT_GATE, 0, 0);
    ck_assert_uint_eq(a.lo & 0x0000ffffffff0000ull, b.lo & 0x0000ffffffff0000ull);
    ck_assert_uint_eq(bits(b.lo, 15, 0), 0xffff);
    ck_assert_uint_eq(bits(b.lo, 63, 48), 0xffff);
    ck_assert_uint_eq(b.hi, 0xffffffffull);
}
END_TEST

START_TEST(selector_field_full_width)
{
    struct desc16 g = desc_call_gate(0xffff, 0, 0);
    ck_assert_uint_eq(g.lo, 0x00008c00ffff0000ull);
    ck_assert_uint_eq(g.hi, 0);
}
END_TEST

/* ---- IDT gates -------------------------------------------------------------- */

START_TEST(idt_interrupt_gate_exact)
{
    struct desc16 g = desc_idt_gate(0x0008, 0xffffffff80001234ull, DESC_INTERRUPT_GATE, 0, 0);
    ck_assert_uint_eq(g.lo, 0x80008e0000081234ull);
    ck_assert_uint_eq(g.hi, 0x00000000ffffffffull);
}
END_TEST

START_TEST(idt_trap_gate_user)
{
    struct desc16 g = desc_idt_gate(0x0008, 0x401000, DESC_TRAP_GATE, 3, 0);
    ck_assert_uint_eq(bits(g.lo, 47, 40), 0xef);
    ck_assert_uint_eq(g.lo, 0x0040ef0000081000ull);
    ck_assert_uint_eq(g.hi, 0);
}
END_TEST

START_TEST(idt_ist_field)
{
    for (int ist = 0; ist < 8; ist++) {
        struct desc16 g = desc_idt_gate(0x0008, 0xffffffff80000000ull, DESC_INTERRUPT_GATE, 0, ist);
        ck_assert_uint_eq(bits(g.lo, 34, 32), (uint64_t)ist);  /* IST */
        ck_assert_uint_eq(bits(g.lo, 39, 35), 0);              /* reserved, must be 0 */
        ck_assert_uint_eq(bits(g.lo, 47, 40), 0x8e);
        ck_assert_uint_eq(desc_gate_offset(g), 0xffffffff80000000ull);
    }
    /* An out-of-range IST must not spill into the reserved bits or the type. */
    struct desc16 g = desc_idt_gate(0x0008, 0, DESC_INTERRUPT_GATE, 0, 0xff);
    ck_assert_uint_eq(bits(g.lo, 39, 35), 0);
    ck_assert_uint_eq(bits(g.lo, 47, 40), 0x8e);
}
END_TEST

/* ---- TSS -------------------------------------------------------------------- */

START_TEST(tss_exact)
{
    struct desc16 d = desc_tss(0xffff800012345678ull, 0x67);
    ck_assert_uint_eq(d.lo, 0x1200893456780067ull);
    ck_assert_uint_eq(d.hi, 0x00000000ffff8000ull);
}
END_TEST

START_TEST(tss_fields)
{
    struct desc16 d = desc_tss(0xfedcba9876543210ull, 0x12345);
    ck_assert_uint_eq(bits(d.lo, 15, 0), 0x2345);           /* limit 15:0 */
    ck_assert_uint_eq(bits(d.lo, 39, 16), 0x543210);        /* base 23:0 */
    ck_assert_uint_eq(bits(d.lo, 43, 40), 0x9);             /* available 64-bit TSS */
    ck_assert_uint_eq(bits(d.lo, 44, 44), 0);               /* S = 0 */
    ck_assert_uint_eq(bits(d.lo, 46, 45), 0);               /* DPL 0 */
    ck_assert_uint_eq(bits(d.lo, 47, 47), 1);               /* P */
    ck_assert_uint_eq(bits(d.lo, 51, 48), 0x1);             /* limit 19:16 */
    ck_assert_uint_eq(bits(d.lo, 55, 52), 0);               /* AVL, L, D/B, G */
    ck_assert_uint_eq(bits(d.lo, 63, 56), 0x76);            /* base 31:24 */
    ck_assert_uint_eq(bits(d.hi, 31, 0), 0xfedcba98);       /* base 63:32 */
    ck_assert_uint_eq(bits(d.hi, 63, 32), 0);               /* reserved */
}
END_TEST

START_TEST(tss_limit_bits)
{
    struct desc16 d = desc_tss(0, 0xfffff);
    ck_assert_uint_eq(bits(d.lo, 15, 0), 0xffff);
    ck_assert_uint_eq(bits(d.lo, 51, 48), 0xf);
    /* Limits are 20 bits: anything above must not reach the flags. */
    d = desc_tss(0, 0xfff00000u | 0x67);
    ck_assert_uint_eq(bits(d.lo, 15, 0), 0x67);
    ck_assert_uint_eq(bits(d.lo, 51, 48), 0);
    ck_assert_uint_eq(bits(d.lo, 55, 52), 0);
    ck_assert_uint_eq(bits(d.lo, 47, 40), 0x89);
}
END_TEST

START_TEST(tss_base_roundtrip)
{
    static const uint64_t bases[] = {
        0, 0xffffff, 0x1000000, 0xffffffff, 0x100000000ull, 0xffff800000105000ull,
        0xffffffff80234560ull, 0x0123456789abcdefull, ~0ull,
    };
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        struct desc16 d = desc_tss(bases[i], 0x67);
        ck_assert_uint_eq(desc_system_base(d), bases[i]);
        ck_assert_uint_eq(bits(d.lo, 15, 0), 0x67);
        ck_assert_uint_eq(bits(d.lo, 47, 40), 0x89);
    }
}
END_TEST

/* ---- Linux's struct user_desc (set_thread_area, modify_ldt) ------------ */

static struct sg_user_desc glibc_tls(uint32_t base)
{
    struct sg_user_desc u = { 0 };
    u.entry_number = 0xffffffff;
    u.base_addr = base;
    u.limit = 0xfffff;
    u.seg_32bit = 1;
    u.limit_in_pages = 1;
    u.useable = 1;
    return u;
}

START_TEST(user_desc_glibc_tls)
{
    /* What glibc i386 asks for: a flat 32-bit writable data segment,
     * DPL 3, present, accessed, G, AVL - Linux's fill_ldt() result. */
    struct sg_user_desc u = glibc_tls(0x12345678);
    uint64_t d = desc_from_user_desc(&u);
    ck_assert_uint_eq(d, 0x12dff3345678ffffull);
    ck_assert(user_desc_tls_ok(&u));
}
END_TEST

START_TEST(user_desc_forced_bits)
{
    /* Whatever the caller says: S = 1, DPL 3, accessed, never L. */
    struct sg_user_desc u = glibc_tls(0);
    u.lm = 1;
    u.contents = 2;
    u.read_exec_only = 1;
    uint64_t d = desc_from_user_desc(&u);
    ck_assert_uint_eq(bits(d, 44, 44), 1);          /* S */
    ck_assert_uint_eq(bits(d, 46, 45), 3);          /* DPL */
    ck_assert_uint_eq(bits(d, 40, 40), 1);          /* accessed */
    ck_assert_uint_eq(bits(d, 53, 53), 0);          /* L */
    ck_assert_uint_eq(bits(d, 43, 40), 0x9);        /* code, execute-only, accessed */
}
END_TEST

START_TEST(user_desc_roundtrip)
{
    struct sg_user_desc u = glibc_tls(0xfedcba98), back;
    u.limit = 0xabcde;
    u.limit_in_pages = 0;
    u.contents = 1;
    desc_to_user_desc(desc_from_user_desc(&u), 13, &back);
    ck_assert_uint_eq(back.entry_number, 13);
    ck_assert_uint_eq(back.base_addr, 0xfedcba98);
    ck_assert_uint_eq(back.limit, 0xabcde);
    ck_assert_uint_eq(back.seg_32bit, 1);
    ck_assert_uint_eq(back.contents, 1);
    ck_assert_uint_eq(back.read_exec_only, 0);
    ck_assert_uint_eq(back.limit_in_pages, 0);
    ck_assert_uint_eq(back.seg_not_present, 0);
    ck_assert_uint_eq(back.useable, 1);
    ck_assert_uint_eq(back.lm, 0);
}
END_TEST

START_TEST(user_desc_empty_forms)
{
    struct sg_user_desc zero = { 0 }, ldt_empty = { 0 }, almost = { 0 };
    zero.entry_number = 12;
    ldt_empty.read_exec_only = 1;
    ldt_empty.seg_not_present = 1;
    almost.seg_not_present = 1;
    ck_assert(user_desc_is_empty(&zero));
    ck_assert(user_desc_is_empty(&ldt_empty));
    ck_assert(!user_desc_is_empty(&almost));
    ck_assert(user_desc_tls_ok(&zero));
    ck_assert(user_desc_tls_ok(&ldt_empty));
    ck_assert(!user_desc_tls_ok(&almost));
}
END_TEST

START_TEST(user_desc_tls_refusals)
{
    struct sg_user_desc u = glibc_tls(0x1000);
    u.contents = 2;
    ck_assert(!user_desc_tls_ok(&u));               /* code */
    u.contents = 3;
    ck_assert(!user_desc_tls_ok(&u));               /* conforming code */
    u = glibc_tls(0x1000);
    u.seg_32bit = 0;
    ck_assert(!user_desc_tls_ok(&u));               /* 16-bit */
    u = glibc_tls(0x1000);
    u.seg_not_present = 1;
    ck_assert(!user_desc_tls_ok(&u));               /* not present */
    u = glibc_tls(0x1000);
    u.contents = 1;
    ck_assert(user_desc_tls_ok(&u));                /* expand-down data */
}
END_TEST

START_TEST(user_desc_ldt_checks)
{
    struct sg_user_desc u = glibc_tls(0x1000);
    u.entry_number = 0;
    ck_assert_int_eq(user_desc_ldt_check(&u, false), 0);
    u.entry_number = SG_LDT_ENTRIES;
    ck_assert_int_eq(user_desc_ldt_check(&u, false), -SG_EINVAL);
    u.entry_number = 5;
    u.contents = 3;
    ck_assert_int_eq(user_desc_ldt_check(&u, false), -SG_EINVAL);   /* present conforming code */
    u.seg_not_present = 1;
    ck_assert_int_eq(user_desc_ldt_check(&u, false), 0);            /* not present: allowed */
    ck_assert_int_eq(user_desc_ldt_check(&u, true), -SG_EINVAL);    /* never in the old mode */
    u = glibc_tls(0x1000);
    u.entry_number = 1;
    u.seg_32bit = 0;
    ck_assert_int_eq(user_desc_ldt_check(&u, false), -SG_EINVAL);   /* 16-bit */
    u.base_addr = 0;
    u.limit = 0;
    ck_assert_int_eq(user_desc_ldt_check(&u, true), 0);             /* old mode: base 0 limit 0 empties */
    u.contents = 2;
    u.seg_32bit = 1;
    ck_assert_int_eq(user_desc_ldt_check(&u, false), 0);            /* 32-bit code */
}
END_TEST

Suite *descriptor_suite(void)
{
    Suite *s = suite_create("descriptor");
    TCase *tc = tcase_create("segments");
    tcase_add_test(tc, code64_kernel);
    tcase_add_test(tc, code64_user);
    tcase_add_test(tc, code32);
    tcase_add_test(tc, code16);
    tcase_add_test(tc, data_segments);
    tcase_add_test(tc, code_fields);
    tcase_add_test(tc, dpl_is_masked);
    suite_add_tcase(s, tc);

    tc = tcase_create("gates");
    tcase_add_test(tc, call_gate_exact);
    tcase_add_test(tc, call_gate_fields);
    tcase_add_test(tc, call_gate_type_byte);
    tcase_add_test(tc, gate_offset_roundtrip);
    tcase_add_test(tc, gate_offset_does_not_touch_other_fields);
    tcase_add_test(tc, selector_field_full_width);
    tcase_add_test(tc, idt_interrupt_gate_exact);
    tcase_add_test(tc, idt_trap_gate_user);
    tcase_add_test(tc, idt_ist_field);
    suite_add_tcase(s, tc);

    tc = tcase_create("tss");
    tcase_add_test(tc, tss_exact);
    tcase_add_test(tc, tss_fields);
    tcase_add_test(tc, tss_limit_bits);
    tcase_add_test(tc, tss_base_roundtrip);
    suite_add_tcase(s, tc);

    tc = tcase_create("user_desc");
    tcase_add_test(tc, user_desc_glibc_tls);
    tcase_add_test(tc, user_desc_forced_bits);
    tcase_add_test(tc, user_desc_roundtrip);
    tcase_add_test(tc, user_desc_empty_forms);
    tcase_add_test(tc, user_desc_tls_refusals);
    tcase_add_test(tc, user_desc_ldt_checks);
    suite_add_tcase(s, tc);
    return s;
}
