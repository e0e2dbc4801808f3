/*
 * The user's segment registers as process state: the DS, ES, FS and GS
 * selectors, the FS and GS bases, the three TLS descriptors and the LDT.
 *
 * The kernel never loads a data segment register of its own (64-bit mode
 * ignores DS, ES and SS bases and limits; GS is swapped by swapgs, not
 * loaded), so while a process runs - in user mode or in the kernel on its
 * behalf - the CPU holds its values, and only a switch has to move them:
 * seg_save() takes them from the CPU, seg_load() puts the next process's
 * back (Linux: __switch_to, save_fsgs / x86_fsgsbase_load).  While in the
 * kernel the user's GS base sits in MSR_KERNEL_GS_BASE (swapgs exchanged
 * it with the per-CPU block's).
 */
#ifndef SYSGATE_SEGMENTS_H
#define SYSGATE_SEGMENTS_H

#include <stdbool.h>
#include <stdint.h>
#include "selectors_msrs.h"

struct seg_state {
    uint16_t ds, es, fs, gs;
    uint64_t fs_base, gs_base;          /* the hidden bases as the process left them */
    uint64_t tls[GDT_TLS_ENTRIES];      /* GDT entries GDT_TLS_MIN.. while it runs */
    uint64_t *ldt;                      /* modify_ldt's table (kernel heap), or 0 */
    uint32_t ldt_entries;
};

/* A new process: everything null, except that a 32-bit process gets the
 * user data selector in DS and ES (compatibility mode faults on a null
 * DS; Linux's start_thread for ia32 does the same). */
void seg_init(struct seg_state *s, int bits);
void seg_save(struct seg_state *s);
void seg_load(const struct seg_state *s);
/* Points the GDT's LDT descriptor and LDTR at s's LDT (null without one):
 * on a switch, and after the running process changed its LDT. */
void seg_load_ldt(const struct seg_state *s);
/* A process that ends lets go of its LDT (an exit hook: sched.c). */
void seg_release(struct seg_state *s, bool running);

/* After the running process changed the descriptor `sel` names (its TLS
 * slot or LDT entry; RPL ignored): every segment register holding it is
 * reloaded, so that none keeps a stale copy; one the descriptor no longer
 * allows becomes null.  As Linux's do_set_thread_area does. */
void seg_refresh(uint16_t sel);

/* Loads with a fixup: a selector the CPU refuses (#GP, #NP) loads null
 * instead (segload.S).  seg_load_gs changes the user's GS (swapgs around
 * the load), never the kernel's per-CPU base. */
void seg_load_ds(uint16_t sel);
void seg_load_es(uint16_t sel);
void seg_load_fs(uint16_t sel);
void seg_load_gs(uint16_t sel);

static inline uint16_t seg_read_ds(void) { uint16_t v; __asm__ volatile("mov %%ds, %0" : "=r"(v)); return v; }
static inline uint16_t seg_read_es(void) { uint16_t v; __asm__ volatile("mov %%es, %0" : "=r"(v)); return v; }
static inline uint16_t seg_read_fs(void) { uint16_t v; __asm__ volatile("mov %%fs, %0" : "=r"(v)); return v; }
static inline uint16_t seg_read_gs(void) { uint16_t v; __asm__ volatile("mov %%gs, %0" : "=r"(v)); return v; }

#endif
