/* Things every kernel file wants: fixed-width types, the log, panic. */
#ifndef SYSGATE_KERNEL_H
#define SYSGATE_KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../../lib/string.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))
#define noreturn _Noreturn

/* The kernel log: everything goes to the console a driver registered with
 * printk_set_console() - COM1 (drivers/serial.c), registered first thing in
 * kmain; nothing is kept from before. */
void printk_set_console(void (*putc)(char c));
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintk(const char *fmt, va_list ap);
noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Stops the machine; under QEMU the exit status reaches the host
 * (drivers/poweroff.c).  Statuses: 0..63 a program's exit code,
 * 64 + n killed by signal n, MACHINE_EXIT_PANIC, MACHINE_EXIT_NO_INIT. */
#define MACHINE_EXIT_MAX 95
#define MACHINE_EXIT_PANIC 95
#define MACHINE_EXIT_NO_INIT 94
noreturn void machine_exit(int status);

#endif
