#ifndef SYSGATE_SERIAL_H
#define SYSGATE_SERIAL_H
#include <stddef.h>
void serial_init(void);
void serial_putc(char c);
void serial_write(const char *s, size_t n);
#endif
