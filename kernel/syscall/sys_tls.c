/*
 * Thread-local storage and the LDT, Linux's way: arch_prctl (the FS and GS
 * bases of a 64-bit process), set_thread_area / get_thread_area (three TLS
 * descriptors per process in the GDT, which 32-bit C libraries load into
 * GS) and modify_ldt (a per-process LDT of up to 8192 descriptors).  The running process's values live in the CPU (arch/segments.h),
 * so these calls change the CPU and the switch saves them.
 * CR4.FSGSBASE stays off: user code cannot write the bases itself.
 */
#include "syscall.h"
#include "uaccess.h"
#include "../arch/descriptor.h"
#include "../arch/gdt.h"
#include "../arch/segments.h"
#include "../arch/layout.h"
#include "../entry/entry.h"
#include "../mm/mm.h"
#include "../proc/proc.h"
#include <sysgate/abi.h>

/* arch_prctl(2).  Linux takes `code` as an int and refuses bases at or
 * above TASK_SIZE_MAX (the end of the user half, which for sysgate is
 * USER_END) with -EPERM: a kernel or non-canonical base would be loaded
 * into FS or GS by the switch, and a kernel GS base would be taken for
 * the per-CPU block by the exception entry's GS test. */
long sys_arch_prctl(uint64_t code, uint64_t addr)
{
    struct proc *p = current_proc();
    uint64_t base;

    /* Linux's common codes, for both widths (do_arch_prctl_common): CPUID
     * faulting for this thread, the cpuid door's switch. */
    switch ((int)code) {
    case SG_ARCH_GET_CPUID:
        return exception_doors_cpuid_mode();
    case SG_ARCH_SET_CPUID:
        return exception_doors_set_cpuid_mode(addr);
    }
    /* 32-bit callers reach only those (compat arch_prctl). */
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

/* set_thread_area(2), as Linux's do_set_thread_area(), for p - the
 * running process, or (clone's CLONE_SETTLS, can_allocate false) a new
 * thread not yet running. */
long tls_set_thread_area(struct proc *p, uint64_t uptr, bool can_allocate)
{
    struct sg_user_desc u;

    if (copy_from_user(&u, uptr, sizeof u))
        return -SG_EFAULT;
    if (!user_desc_tls_ok(&u))
        return -SG_EINVAL;
    int entry = (int)u.entry_number;
    if (entry == -1 && can_allocate) {
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
    if (p == current_proc()) {
        gdt_set_tls(p->seg.tls);
        seg_refresh((uint16_t)(entry << 3));
    }
    return 0;
}

long sys_set_thread_area(uint64_t uptr)
{
    return tls_set_thread_area(current_proc(), uptr, true);
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

/* ---- modify_ldt(2): Linux's arch/x86/kernel/ldt.c ----------------------- */

#define LDT_GROW 512    /* entries per page: the table grows a page at a time */

/* Writes n zero bytes to user memory; 0 or -EFAULT. */
static long clear_user(uint64_t dst, uint64_t n)
{
    static const uint8_t zeros[256];
    while (n) {
        uint64_t chunk = n < sizeof zeros ? n : sizeof zeros;
        if (copy_to_user(dst, zeros, chunk))
            return -SG_EFAULT;
        dst += chunk;
        n -= chunk;
    }
    return 0;
}

static long read_ldt(const struct proc *p, uint64_t ptr, uint64_t bytecount)
{
    if (!p->seg.ldt)
        return 0;
    if (bytecount > SG_LDT_ENTRIES * 8)
        bytecount = SG_LDT_ENTRIES * 8;
    uint64_t size = (uint64_t)p->seg.ldt_entries * 8;
    if (size > bytecount)
        size = bytecount;
    if (copy_to_user(ptr, p->seg.ldt, size) || clear_user(ptr + size, bytecount - size))
        return -SG_EFAULT;
    return (long)bytecount;
}

static long write_ldt(struct proc *p, uint64_t ptr, uint64_t bytecount, bool old_mode)
{
    struct sg_user_desc u;
    if (bytecount != sizeof u)
        return -SG_EINVAL;
    if (copy_from_user(&u, ptr, sizeof u))
        return -SG_EFAULT;
    int r = user_desc_ldt_check(&u, old_mode);
    if (r)
        return r;
    uint64_t desc = 0;
    if (!((old_mode && !u.base_addr && !u.limit) || user_desc_is_empty(&u))) {
        if (old_mode)
            u.useable = 0;
        desc = desc_from_user_desc(&u);
    }

    if (u.entry_number >= p->seg.ldt_entries) {
        uint32_t n = (u.entry_number / LDT_GROW + 1) * LDT_GROW;
        uint64_t *ldt = kzalloc((size_t)n * 8);
        if (!ldt)
            return -SG_ENOMEM;
        if (p->seg.ldt)
            memcpy(ldt, p->seg.ldt, (size_t)p->seg.ldt_entries * 8);
        kfree(p->seg.ldt);
        p->seg.ldt = ldt;
        p->seg.ldt_entries = n;
    }
    p->seg.ldt[u.entry_number] = desc;
    seg_load_ldt(&p->seg);
    /* DS, ES, FS or GS holding the entry take the new descriptor (or
     * null); CS and SS come from the frame when the exit loads them, which
     * may then fault in ring 0: exit.S's exit_fault_table. */
    seg_refresh((uint16_t)(u.entry_number << 3 | SELECTOR_TI));
    return 0;
}

long sys_modify_ldt(uint64_t func, uint64_t ptr, uint64_t bytecount)
{
    struct proc *p = current_proc();
    long r;
    switch ((int)func) {
    case 0:
        r = read_ldt(p, ptr, bytecount);
        break;
    case 1:
        r = write_ldt(p, ptr, bytecount, true);
        break;
    case 2:     /* the "default LDT": zeros, as on Linux x86-64 (128 bytes) */
        if (bytecount > 128)
            bytecount = 128;
        r = clear_user(ptr, bytecount) ? -SG_EFAULT : (long)bytecount;
        break;
    case 0x11:
        r = write_ldt(p, ptr, bytecount, false);
        break;
    default:
        r = -SG_ENOSYS;
    }
    /* Linux's modify_ldt returns an int: a 64-bit caller finds it
     * zero-extended in rax ("(unsigned int)ret" in ldt.c). */
    return p->bits == 64 ? (long)(uint32_t)r : r;
}
