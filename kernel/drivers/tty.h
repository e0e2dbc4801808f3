/* The console terminal (tty.c): the UART's input through the line discipline. */
#ifndef SYSGATE_TTY_H
#define SYSGATE_TTY_H

struct file_ops;

/* Turns on the receive interrupt; the console keeps Linux's boot settings. */
void tty_init(void);
/* IRQ 4: the UART has bytes. */
void tty_irq(void);
/* The console's open-file operations (fs/file.c opens /dev/console and
 * /dev/tty with them). */
extern const struct file_ops console_ops;

#endif
