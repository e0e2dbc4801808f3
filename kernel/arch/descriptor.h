/*
 * Encoding of segment, system and gate descriptors (Intel SDM vol. 3A
 * sections 3.4.5, 6.14.1 and 7.2.3; AMD APM vol. 2 section 4.8).  Pure
 * functions: the host unit tests check them bit by bit.
 */
#ifndef SYSGATE_DESCRIPTOR_H
#define SYSGATE_DESCRIPTOR_H

#include <stdbool.h>
#include <stdint.h>
#include <sysgate/abi.h>

/* Descriptor types (the 4-bit type field with S = 1 or S = 0). */
#define DESC_CODE_READ      0xA     /* S = 1: execute/read, non-conforming */
#define DESC_DATA_WRITE     0x2     /* S = 1: read/write */
#define DESC_LDT            0x2     /* S = 0: LDT */
#define DESC_TSS_AVAILABLE  0x9     /* S = 0: 64-bit TSS, available */
#define DESC_CALL_GATE      0xC     /* S = 0: 64-bit call gate */
#define DESC_INTERRUPT_GATE 0xE     /* S = 0: 64-bit interrupt gate (clears IF) */
#define DESC_TRAP_GATE      0xF     /* S = 0: 64-bit trap gate */

enum code_width { CODE_16 = 0, CODE_32 = 1, CODE_64 = 2 };

/* An 8-byte code or data descriptor covering all of memory (flat). */
uint64_t desc_code(int dpl, enum code_width width);
uint64_t desc_data(int dpl);

/* 16-byte descriptors are returned as two quadwords, low first. */
struct desc16 {
    uint64_t lo, hi;
};

/* A 64-bit TSS descriptor (SDM vol. 3A 8.2.3). */
struct desc16 desc_tss(uint64_t base, uint32_t limit);
/* A 64-bit LDT descriptor (SDM vol. 3A 3.5.2: 16 bytes in IA-32e mode). */
struct desc16 desc_ldt(uint64_t base, uint32_t limit);

/* A long-mode call gate: far calls through it land at selector:offset in
 * 64-bit code; dpl is the lowest privilege that may call it (SDM vol. 3A
 * 5.8.3.1).  Long-mode gates carry no parameter count. */
struct desc16 desc_call_gate(uint16_t selector, uint64_t offset, int dpl);

/* An IDT gate (SDM vol. 3A 6.14.1); ist = 0 for the current stack. */
struct desc16 desc_idt_gate(uint16_t selector, uint64_t offset, int type, int dpl, int ist);

/* Linux's struct user_desc (set_thread_area, modify_ldt; abi.h) as a
 * descriptor and back, as Linux's fill_ldt() and fill_user_desc() do:
 * S = 1 (never a system segment), DPL 3 and the accessed bit forced, L
 * never set. */
uint64_t desc_from_user_desc(const struct sg_user_desc *u);
void desc_to_user_desc(uint64_t d, uint32_t entry_number, struct sg_user_desc *u);
/* "No segment at all": Linux's LDT_empty() or the all-zero LDT_zero(). */
bool user_desc_is_empty(const struct sg_user_desc *u);
/* Linux's tls_desc_okay(): empty (either form), or a present 32-bit data
 * segment. */
bool user_desc_tls_ok(const struct sg_user_desc *u);
/* modify_ldt's checks (Linux arch/x86/kernel/ldt.c write_ldt(); old_mode
 * for function 1): empty, or a 32-bit segment, conforming code only when
 * not present (and never in the old mode).  Returns 0 or -errno. */
int user_desc_ldt_check(const struct sg_user_desc *u, bool old_mode);

/* Decoding, for the tests and the boot log. */
uint64_t desc_gate_offset(struct desc16 d);
uint64_t desc_system_base(struct desc16 d);

#endif
