/* The GDT, the TSS and their set-up (gdt.c); the layout is selectors_msrs.h's. */
#ifndef SYSGATE_GDT_H
#define SYSGATE_GDT_H
#include <stdint.h>

/* IST slots (1-based in the IDT gate, 0-based in the TSS array). */
#define IST_NMI 1
#define IST_DF  2
#define IST_MC  3
#define IST_DB  4
#define IST_COUNT 4

void gdt_init(void);
/* The stack the CPU switches to on entry from ring 3 (TSS.RSP0) and the
 * one the syscall/sysenter doors load: the running process's. */
void tss_set_kernel_stack(uint64_t rsp0);
void gdt_set_call_gate(uint64_t target);
/* The LDT descriptor (LDT_SEL): the running process's LDT. */
void gdt_set_ldt(uint64_t base, uint32_t limit);
/* The running process's three TLS descriptors (GDT_TLS_MIN..). */
void gdt_set_tls(const uint64_t tls[3]);
#endif
