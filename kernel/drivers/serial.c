/*
 * COM1 (16550 UART at 0x3f8): the kernel log and the console.  Output is
 * polled; input comes by the receive interrupt (IRQ 4), which drivers/tty.c
 * handles by reading every byte the FIFO holds.
 */
#include "serial.h"
#include "../arch/io.h"

#define COM1 0x3f8
/* Registers (offsets from COM1) and bits, as the 16550 data sheet names them. */
#define UART_IER 1              /* interrupt enable */
#define UART_IER_RDA 0x01       /* received data available (and the FIFO timeout) */
#define UART_IER_RLS 0x04       /* receiver line status: overrun, parity, framing, break */
#define UART_IIR 2              /* interrupt identification (read) */
#define UART_MCR 4
#define UART_MCR_OUT2 0x08      /* on a PC, gates the UART's interrupt line to the PIC */
#define UART_LSR 5
#define UART_LSR_DR 0x01        /* a byte is waiting */
#define UART_LSR_OE 0x02        /* overrun: a byte arrived with the FIFO full and was lost */
#define UART_LSR_THRE 0x20      /* the transmitter takes a byte */

uint64_t serial_overruns;

void serial_init(void)
{
    outb(COM1 + 1, 0x00);   /* no interrupts */
    outb(COM1 + 3, 0x80);   /* DLAB on */
    outb(COM1 + 0, 0x01);   /* divisor 1: 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);   /* 8N1, DLAB off */
    outb(COM1 + 2, 0xC7);   /* FIFO on, cleared */
    outb(COM1 + 4, 0x03);   /* DTR, RTS */
}

void serial_rx_enable(void)
{
    outb(COM1 + UART_MCR, 0x03 | UART_MCR_OUT2);
    outb(COM1 + UART_IER, UART_IER_RDA | UART_IER_RLS);
    (void)inb(COM1 + UART_IIR);
}

int serial_getc(void)
{
    uint8_t lsr = inb(COM1 + UART_LSR);
    if (lsr & UART_LSR_OE)
        serial_overruns++;
    return lsr & UART_LSR_DR ? inb(COM1) : -1;
}

void serial_putb(uint8_t b)
{
    for (int spin = 0; spin < 100000 && !(inb(COM1 + UART_LSR) & UART_LSR_THRE); spin++)
        ;
    outb(COM1, b);
}

void serial_putc(char c)
{
    if (c == '\n')
        serial_putb('\r');
    serial_putb((uint8_t)c);
}

void serial_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        serial_putc(s[i]);
}
