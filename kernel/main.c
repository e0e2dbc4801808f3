/*
 * kmain: from the boot loader's hand-off to the first user program.
 *
 *   boot/boot.S   32-bit entry, long mode, higher half    -> kmain()
 *   kmain         serial, boot information, CPU, GDT/TSS, IDT, the doors,
 *                 memory, paging, timer, console input, random source,
 *                 system-call tables, trace, interface pages, clocks,
 *                 initrd, init process, then the idle loop; the scheduler
 *                 takes it from there.
 */
#include "arch/boot_info.h"
#include "arch/cpu.h"
#include "arch/fpu.h"
#include "arch/gdt.h"
#include "arch/idt.h"
#include "arch/io.h"
#include "arch/layout.h"
#include "drivers/serial.h"
#include "drivers/timer.h"
#include "drivers/tty.h"
#include "entry/entry.h"
#include "kip/interface_page.h"
#include "time/clock.h"
#include "lib/cmdline.h"
#include "lib/kernel.h"
#include "lib/random.h"
#include "mm/mm.h"
#include "proc/initrd.h"
#include "proc/proc.h"
#include "syscall/syscall.h"
#include "syscall/trace.h"
#include <sysgate/abi.h>

#include "gitrev.h"

static struct boot_info boot_info;

static void start_init(void)
{
    char init[MAX_ARG_LEN] = "/bin/init";
    char test[MAX_ARG_LEN];
    static char argbuf[MAX_ARGS][MAX_ARG_LEN];
    static char init_args[512];
    char *argv[MAX_ARGS];
    int argc = 0;

    cmdline_get(boot_info.cmdline, "init", init, sizeof init);
    argv[argc++] = init;
    /* test=a,b,c becomes init's arguments: the test driver runs those. */
    if (cmdline_get(boot_info.cmdline, "test", test, sizeof test)) {
        char *items[MAX_ARGS - 1];
        int n = cmdline_split_list(test, items, MAX_ARGS - 1);
        for (int i = 0; i < n; i++) {
            strlcpy(argbuf[i], items[i], sizeof argbuf[i]);
            argv[argc++] = argbuf[i];
        }
    }
    /* The words after `--` follow, as Linux passes them to init. */
    argc += cmdline_init_args(boot_info.cmdline, init_args, sizeof init_args, argv + argc, MAX_ARGS - argc);
    long pid = proc_spawn(init, argc, argv, 0);
    if (pid < 0) {
        printk("sysgate: cannot start %s (error %ld)\n", init, -pid);
        machine_exit(MACHINE_EXIT_NO_INIT);
    }
    printk("sysgate: started %s as pid %ld\n", init, pid);
}

void kmain(uint32_t magic, uint32_t info_phys)
{
    serial_init();
    printk_set_console(serial_putc);
    printk("\n%s (%s) booting\n", SG_VERSION_STRING, SYSGATE_GIT_REV);
    if (boot_info_parse(magic, info_phys, PHYS_MAP_BASE, &boot_info))
        panic("unknown boot loader magic %#x", magic);
    printk("boot: %s, command line \"%s\"\n", boot_info.loader, boot_info.cmdline);

    cpu_identify();
    printk("cpu: %s, %s, family %u model %u stepping %u%s%s\n", cpu.vendor, cpu.brand, cpu.family,
           cpu.model, cpu.stepping, cpu.hypervisor ? ", under the hypervisor " : "",
           cpu.hypervisor ? (cpu.hypervisor_vendor[0] ? cpu.hypervisor_vendor : "(unnamed)") : "");
    cpu_enable_features();
    printk("cpu: nx %s, smep %s, smap %s, umip %s\n", cpu.nx ? "on" : "absent",
           cpu.smep ? "on" : "absent", cpu.smap ? "on" : "absent", cpu.umip ? "on" : "absent");
    printk("fpu: %s, xcr0 %#lx, %u-byte state%s\n", fpu_cfg.xsave ? "xsave" : "fxsave", fpu_cfg.xcr0,
           fpu_cfg.size, fpu_cfg.xsaveopt ? ", xsaveopt" : "");

    gdt_init();
    idt_init();
    entry_init(boot_info.cmdline);

    phys_init(&boot_info);
    paging_init();
    smap_patch_sites();
    timer_init();
    tty_init();
    random_init();
    printk("random: %s\n", random_source());
    syscall_init();
    trace_init(boot_info.cmdline);
    kip_init(entry_mechanisms64, entry_default64, entry_mechanisms32, entry_default32,
             !cmdline_get(boot_info.cmdline, "norandmaps", 0, 0));
    trap_query_init();
    exception_doors_check();
    clock_init();
    initrd_init(&boot_info);
    initrd_list();
    sched_init();
    start_init();
    sched_run_idle();
}
