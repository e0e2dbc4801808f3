/*
 * compat.c - the system call of the two 32-bit fast doors, in one function
 * for both instructions: SYSENTER (sysenter.S) and SYSCALL (syscall_compat.S)
 * from compatibility mode, as Linux's do_fast_syscall_32.  The assembly
 * builds the frame and calls compat_fast_syscall(); this does the rest, and
 * the exit (exit.S) chooses SYSEXIT or SYSRET from the frame.
 *
 * Both come through __kernel_vsyscall's dance (kip32_stubs.S), which pushed
 * the caller's ecx, edx and ebp and, because 32-bit code has no register to
 * spare, moved things around:
 *
 *                 arrives in the frame as        the i386 ABI wants
 *   sysenter      rbp = user ESP (also the        ebp = [ESP] (the caller's
 *                 frame's rsp); rip = nothing      ebp); return to the stub's
 *                 (the CPU saved none)             landing point
 *   syscall       rbp = the 2nd argument (the      ecx = that; ebp = [ESP];
 *                 caller's ecx); rcx = return EIP  return to rcx
 *
 * i386_convention() reads [ESP] with fault recovery and rewrites the frame
 * into the registers the caller had (so the one dispatcher, and iretq if
 * it comes to that, see ordinary i386 registers).  After the call, the
 * frame gets the values the fast exit will leave in the registers it
 * clobbers - SYSEXIT: rdx = RIP, rcx = RSP (Intel SDM vol. 2B SYSEXIT);
 * SYSRETL: ecx = EIP, r11 = EFLAGS - unless the call replaced the whole
 * context (sg_setcontext), whose registers must arrive as they are: the
 * exit then sees the mismatch and takes iretq.  The 32-bit landing point
 * pops ebp, edx and ecx, so the caller gets every register back but eax.
 */
#include "entry.h"
#include <sysgate/abi.h>
#include "../kip/interface_page.h"
#include "../proc/proc.h"
#include "../syscall/syscall.h"
#include "../syscall/front.h"
#include "../syscall/uaccess.h"

/* The i386 registers of a 32-bit caller, back where the ABI has them;
 * false when the call is already answered (-EFAULT in rax). */
static bool i386_convention(struct frame *f, bool sysenter)
{
    /* QEMU's TCG runs a 32-bit SYSCALL on Intel models, which real Intel
     * CPUs refuse with #UD (Intel SDM vol. 2B SYSCALL): do what the
     * hardware would. */
    if (!sysenter && !(entry_mechanisms32 & (1u << SG_MECH_SYSCALL)))
        proc_kill_current(SG_SIGILL, "#UD invalid opcode (32-bit syscall: not on this CPU's vendor)", f->rip,
                          f->rip);
    if (sysenter)
        f->rip = kip32_sysenter_return();

    uint32_t caller_ebp;
    if (get_user_u32(&caller_ebp, f->rsp)) {
        f->rax = (uint64_t)-SG_EFAULT;
        return false;
    }
    if (!sysenter)
        f->rcx = (uint32_t)f->rbp;   /* the 2nd argument */
    f->rbp = caller_ebp;
    return true;
}

static inline void exit_regs(struct frame *f, bool sysenter)
{
    if (sysenter) {
        f->rdx = f->rip;
        f->rcx = f->rsp;
    } else {
        f->rcx = f->rip;
        f->r11 = f->rflags;
    }
}

void compat_fast_exit_regs(struct frame *f)
{
    exit_regs(f, f->entry == SG_MECH_SYSENTER);
}

void compat_fast_syscall(struct frame *f)
{
    bool sysenter = f->entry == SG_MECH_SYSENTER;

    percpu0.replaced_frame = 0;
    if (i386_convention(f, sysenter))
        syscall_front(f, FRONT_DANCE_BYTES);
    if (percpu0.replaced_frame == f)
        return;
    exit_regs(f, sysenter);
}
