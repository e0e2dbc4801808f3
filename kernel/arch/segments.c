/*
 * The user's segment registers as process state (segments.h).
 */
#include "segments.h"
#include "gdt.h"
#include "../lib/kernel.h"
#include "../mm/mm.h"

/* Whether LDTR holds a process's LDT now (null otherwise). */
static bool ldt_loaded;

void seg_load_ldt(const struct seg_state *s)
{
    if (s->ldt) {
        gdt_set_ldt((uint64_t)s->ldt, s->ldt_entries * 8 - 1);
        __asm__ volatile("lldt %w0" ::"r"((uint16_t)LDT_SEL) : "memory");
        ldt_loaded = true;
    } else if (ldt_loaded) {
        __asm__ volatile("lldt %w0" ::"r"((uint16_t)0) : "memory");
        ldt_loaded = false;
    }
}

void seg_release(struct seg_state *s, bool running)
{
    if (running && ldt_loaded) {
        __asm__ volatile("lldt %w0" ::"r"((uint16_t)0) : "memory");
        ldt_loaded = false;
    }
    kfree(s->ldt);
    s->ldt = 0;
    s->ldt_entries = 0;
}

void seg_init(struct seg_state *s, int bits)
{
    memset(s, 0, sizeof *s);
    if (bits == 32)
        s->ds = s->es = USER_DS;
}

void seg_save(struct seg_state *s)
{
    s->ds = seg_read_ds();
    s->es = seg_read_es();
    s->fs = seg_read_fs();
    s->gs = seg_read_gs();
    /* The hidden bases, which a selector load set from its descriptor or
     * arch_prctl wrote (FS_BASE, and KERNEL_GS_BASE: the user's while in
     * the kernel).  Restored as they were, the process cannot tell it was
     * switched out. */
    s->fs_base = rdmsr(MSR_FS_BASE);
    s->gs_base = rdmsr(MSR_KERNEL_GS_BASE);
}

void seg_load(const struct seg_state *s)
{
    /* The descriptors first: the selectors below may name them. */
    gdt_set_tls(s->tls);
    seg_load_ldt(s);
    seg_load_ds(s->ds);
    seg_load_es(s->es);
    /* A selector load sets the base from the descriptor (a null one, on
     * Intel, clears it; on AMD leaves it - Linux's X86_BUG_NULL_SEG):
     * the saved base goes in afterwards either way. */
    seg_load_fs(s->fs);
    wrmsr(MSR_FS_BASE, s->fs_base);
    seg_load_gs(s->gs);
    wrmsr(MSR_KERNEL_GS_BASE, s->gs_base);
}

void seg_refresh(uint16_t sel)
{
    uint16_t v;
    sel &= ~3;
    if (((v = seg_read_ds()) & ~3) == sel)
        seg_load_ds(v);
    if (((v = seg_read_es()) & ~3) == sel)
        seg_load_es(v);
    if (((v = seg_read_fs()) & ~3) == sel)
        seg_load_fs(v);
    if (((v = seg_read_gs()) & ~3) == sel)
        seg_load_gs(v);
}
