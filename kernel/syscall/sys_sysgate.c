/* sysgate's private calls. */
#include "syscall.h"
#include "uaccess.h"
#include "../arch/cpu.h"
#include "../arch/debugreg.h"
#include "../arch/io.h"
#include "../arch/selectors_msrs.h"
#include "../arch/traps.h"
#include "../drivers/timer.h"
#include "../entry/entry.h"
#include "../kip/interface_page.h"
#include "../mm/mm.h"
#include "../entry/frame.h"
#include "../proc/proc.h"
#include <sysgate/abi.h>

#include "gitrev.h"

long sys_sg_null(void)
{
    return 0;
}

long sys_sg_echo6(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f)
{
    return (long)sg_echo6_expect(a, b, c, d, e, f);
}

long sys_sg_info(uint64_t buf, uint64_t size)
{
    struct sg_info info;
    memset(&info, 0, sizeof info);
    strlcpy(info.version, SG_VERSION_STRING " " SYSGATE_GIT_REV, sizeof info.version);
    strlcpy(info.vendor, cpu.vendor, sizeof info.vendor);
    strlcpy(info.model, cpu.brand, sizeof info.model);
    info.vendor_id = cpu.vendor_id;
    info.family = cpu.family;
    info.model_id = cpu.model;
    info.stepping = cpu.stepping;
    info.mechanisms64 = entry_mechanisms64;
    info.mechanisms32 = entry_mechanisms32;
    info.default64 = entry_default64;
    info.default32 = entry_default32;
    info.entry = (uint32_t)entry_mechanism_of(syscall_frame());
    info.bits = current_proc()->bits;
    info.hypervisor = cpu.hypervisor;
    strlcpy(info.hypervisor_vendor, cpu.hypervisor_vendor, sizeof info.hypervisor_vendor);
    info.features = cpu.enabled | (entry_default_forced ? SG_FEAT_DEFAULT_FORCED : 0);
    info.kip_address = kip_vdso_base(current_proc()->bits);
    info.ticks = timer_ticks;
    info.timer_hz = TIMER_HZ;
    info.pid = current_proc()->pid;
    info.fast_exit_declined[0] = percpu0.declined_sysret;
    info.fast_exit_declined[1] = percpu0.declined_sysexit;
    info.fast_exit_declined[2] = percpu0.declined_lret;
    info.syscalls = current_proc()->syscalls + percpu0.syscalls;
    info.free_frames = phys_free_frames();
    for (int i = 0; i < EXIT_INSNS; i++)
        info.exit_faults[i] = exit_fault_count[i];
    info.debug_rip = debug_last.rip;
    info.debug_dr6 = debug_last.dr6;
    info.debug_pid = debug_last.pid;
    info.debug_in_kernel = debug_last.in_kernel;
    info.full_path_calls = current_proc()->full_calls;
    info.children_full_path_calls = current_proc()->children_full_calls;
    info.cpu_state = read_cr0() & CR0_TS ? SG_CPU_TS : 0;
    if (size > sizeof info)
        size = sizeof info;
    if (copy_to_user(buf, &info, size))
        return -SG_EFAULT;
    return sizeof info;
}

/* The benchmark's floor: see entry/floor.S.  While a floor is on, the
 * door returns at once for the caller (and only for it), so this call
 * must be made through another door to switch it off again. */
long sys_sg_bench_floor(uint64_t mech, uint64_t on)
{
    return entry_set_floor((int)mech, on != 0);
}

long sys_sg_shutdown(uint64_t status)
{
    /* Only the first program may stop the machine. */
    if (current_proc()->pid != 1)
        return -SG_EPERM;
    printk("sysgate: shutdown requested by init, status %d\n", (int)status);
    machine_exit((int)status);
}
