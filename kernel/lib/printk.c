#include "kernel.h"
#include "../../lib/format.h"
#include "../drivers/serial.h"
#include "../arch/io.h"

static void serial_sink(void *ctx, char c)
{
    (void)ctx;
    serial_putc(c);
}

void vprintk(const char *fmt, va_list ap)
{
    format(serial_sink, 0, fmt, ap);
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
