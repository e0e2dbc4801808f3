/* COM1, the 16550 UART (serial.c): the kernel log's output and the console's bytes. */
#ifndef SYSGATE_SERIAL_H
#define SYSGATE_SERIAL_H
#include <stddef.h>
#include <stdint.h>
void serial_init(void);
/* The kernel log's output: '\n' becomes "\r\n". */
void serial_putc(char c);
/* One byte as it is (the console's output, after its own OPOST). */
void serial_putb(uint8_t b);
/* Turns the receive interrupt on (IRQ 4). */
void serial_rx_enable(void);
/* The next received byte, or -1 when the FIFO is empty; counts overruns. */
int serial_getc(void);
extern uint64_t serial_overruns;
void serial_write(const char *s, size_t n);
#endif
