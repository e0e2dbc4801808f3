/* The IDT (idt.c): built at boot; idt_set() (re)aims one vector. */
#ifndef SYSGATE_IDT_H
#define SYSGATE_IDT_H
void idt_init(void);
void idt_set(int vector, void (*handler)(void), int dpl, int ist);
#endif
