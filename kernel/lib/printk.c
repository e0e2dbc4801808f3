/* The kernel log and panic (kernel.h), written through the registered console. */
#include "kernel.h"
#include "../../lib/format.h"
#include "../arch/io.h"

static void (*console_putc)(char c);

void printk_set_console(void (*putc)(char c))
{
    console_putc = putc;
}

static void console_sink(void *ctx, char c)
{
    (void)ctx;
    if (console_putc)
        console_putc(c);
}

void vprintk(const char *fmt, va_list ap)
{
    format(console_sink, 0, fmt, ap);
}

void printk(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}

noreturn void panic(const char *fmt, ...)
{
    va_list ap;
    irq_disable();
    printk("\nsysgate: KERNEL PANIC: ");
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
    printk("\n");
    machine_exit(MACHINE_EXIT_PANIC);
}
