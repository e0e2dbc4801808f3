/*
 * Ending the machine with a status.  Under QEMU the isa-debug-exit device
 * (-device isa-debug-exit,iobase=0xf4,iosize=4) turns a write of V into
 * QEMU's exit status (V << 1) | 1, so scripts never need to kill QEMU.
 * QEMU itself exits with 1 when it fails, which is what V = 0 would give,
 * so the kernel writes status + DEBUG_EXIT_BIAS (tools/qemu-boot takes it
 * off again); statuses run from 0 to MACHINE_EXIT_MAX.
 * Elsewhere the write does nothing; then ACPI's PM1a port of QEMU's PIIX4
 * and Q35 chipsets is tried, and finally the CPU is halted.
 */
#include "../lib/kernel.h"
#include "../arch/io.h"

#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_BIAS 0x20

noreturn void machine_exit(int status)
{
    irq_disable();
    if (status < 0 || status > MACHINE_EXIT_MAX)
        status = MACHINE_EXIT_MAX;
    printk("sysgate: machine exit, status %d\n", status);
    outl(DEBUG_EXIT_PORT, (uint32_t)(status + DEBUG_EXIT_BIAS));
    outw(0x604, 0x2000);    /* QEMU q35 ACPI S5 */
    outw(0xb004, 0x2000);   /* QEMU i440fx (older) */
    for (;;)
        __asm__ volatile("cli; hlt");
}
