/*
 * Thread-local storage, Linux's way: arch_prctl (the FS and GS bases of a
 * 64-bit process) and set_thread_area / get_thread_area (three TLS
 * descriptors per process in the GDT, which 32-bit C libraries load into
 * GS).  The running process's values live in the CPU (arch/segments.h),
 * so these calls change the CPU and the switch saves them.
 * CR4.FSGSBASE stays off: user code cannot write the bases itself.
 */
#include "syscall.h"
#include "uaccess.h"
#include "../arch/descriptor.h"
#include "../arch/gdt.h"
#include "../arch/segments.h"
#include "../arch/layout.h"
#include "../proc/proc.h"
#include "../../include/sysgate/abi.h"

/* arch_prctl(2).  Linux takes `code` as an int and refuses bases at or
 * above TASK_SIZE_MAX (the end of the user half, which for sysgate is
 * USER_END) with -EPERM: a kernel or non-canonical base would be loaded
 * into FS or GS by the switch, and a kernel GS base would be taken for
 * the per-CPU block by the exception entry's GS test. */
long sys_arch_prctl(uint64_t code, uint64_t addr)
{
    struct proc *p = current_proc();
    uint64_t base;

    /* 32-bit callers reach only Linux's common codes, none of which
     * sysgate has (compat arch_prctl: do_arch_prctl_common). */
    if (p->bits == 32)
        return -SG_EINVAL;
    switch ((int)code) {
    case SG_ARCH_SET_FS:
        if (addr >= USER_END)
            return -SG_EPERM;
        seg_load_fs(0);
        wrmsr(MSR_FS_BASE, addr);
        return 0;
    case SG_ARCH_SET_GS:
        if (addr >= USER_END)
            return -SG_EPERM;
        seg_load_gs(0);
        wrmsr(MSR_KERNEL_GS_BASE, addr);
        return 0;
    case SG_ARCH_GET_FS:
        base = rdmsr(MSR_FS_BASE);
        return copy_to_user(addr, &base, sizeof base) ? -SG_EFAULT : 0;
    case SG_ARCH_GET_GS:
        base = rdmsr(MSR_KERNEL_GS_BASE);
        return copy_to_user(addr, &base, sizeof base) ? -SG_EFAULT : 0;
    }
    return -SG_EINVAL;
}

static int free_tls_entry(const struct proc *p)
{
    for (int i = 0; i < GDT_TLS_ENTRIES; i++)
        if (!p->seg.tls[i])
            return GDT_TLS_MIN + i;
    return -SG_ESRCH;
}

/* set_thread_area(2), as Linux's do_set_thread_area(). */
long sys_set_thread_area(uint64_t uptr)
{
    struct proc *p = current_proc();
    struct sg_user_desc u;

    if (copy_from_user(&u, uptr, sizeof u))
        return -SG_EFAULT;
    if (!user_desc_tls_ok(&u))
        return -SG_EINVAL;
    int entry = (int)u.entry_number;
    if (entry == -1) {
        entry = free_tls_entry(p);
        if (entry < 0)
            return entry;
        uint32_t e = (uint32_t)entry;
        if (copy_to_user(uptr + offsetof(struct sg_user_desc, entry_number), &e, sizeof e))
            return -SG_EFAULT;
    }
    if (entry < GDT_TLS_MIN || entry >= GDT_TLS_MIN + GDT_TLS_ENTRIES)
        return -SG_EINVAL;

    p->seg.tls[entry - GDT_TLS_MIN] = user_desc_is_empty(&u) ? 0 : desc_from_user_desc(&u);
    gdt_set_tls(p->seg.tls);
    seg_refresh((uint16_t)(entry << 3));
    return 0;
}

/* get_thread_area(2): the slot named by the caller's entry_number. */
long sys_get_thread_area(uint64_t uptr)
{
    struct proc *p = current_proc();
    struct sg_user_desc u;
    uint32_t entry;

    if (copy_from_user(&entry, uptr + offsetof(struct sg_user_desc, entry_number), sizeof entry))
        return -SG_EFAULT;
    if (entry < GDT_TLS_MIN || entry >= GDT_TLS_MIN + GDT_TLS_ENTRIES)
        return -SG_EINVAL;
    desc_to_user_desc(p->seg.tls[entry - GDT_TLS_MIN], entry, &u);
    return copy_to_user(uptr, &u, sizeof u) ? -SG_EFAULT : 0;
}
