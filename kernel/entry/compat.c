/*
 * compat.c - the full path of the two doors whose return clobbers
 * registers, SYSENTER and SYSCALL, in one function for both widths and
 * both instructions, as Linux's do_fast_syscall_32: fast_door_syscall().
 * The assembly (compat_doors.S for 32-bit callers) builds the complete
 * frame, calls it, and leaves through ret_user (exit.S), which chooses
 * SYSEXIT or SYSRET from the frame.  The fast paths themselves are
 * assembly and never come here: a FAST call cannot replace the frame, so
 * they need none of this.
 *
 * A 32-bit caller comes through __kernel_vsyscall's dance (kip32_stubs.S),
 * which pushed the caller's ecx, edx and ebp and, because 32-bit code has
 * no register to spare, moved things around:
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
 * SYSRET: rcx = RIP, r11 = RFLAGS (AMD APM vol. 3 SYSRET) - unless the call
 * replaced the whole context (sg_setcontext), whose registers must arrive
 * as they are: the exit then sees the mismatch and takes iretq.  The
 * 32-bit landing point pops ebp, edx and ecx, so the caller gets every
 * register back but eax.
 */
#include "entry.h"
#include <sysgate/abi.h>
#include "../kip/interface_page.h"
#include "../proc/proc.h"
#include "../syscall/syscall.h"
#include "../syscall/uaccess.h"

/* The i386 registers of a 32-bit caller, back where the ABI has them;
 * false when the call is already answered (-EFAULT in rax). */
static bool i386_convention(struct frame *f, bool sysenter)
{
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

void fast_door_exit_regs(struct frame *f)
{
    if (f->entry == SG_MECH_SYSENTER) {
        f->rdx = f->rip;
        f->rcx = f->rsp;
    } else {
        f->rcx = f->rip;
        f->r11 = f->rflags;
    }
}

void fast_door_syscall(struct frame *f)
{
    percpu0.replaced_frame = 0;
    if (f->cs != USER32_CS || i386_convention(f, f->entry == SG_MECH_SYSENTER))
        syscall_dispatch(f);
    if (percpu0.replaced_frame != f)
        fast_door_exit_regs(f);
}

/* QEMU's TCG runs a 32-bit SYSCALL on Intel models, which real Intel CPUs
 * refuse with #UD (Intel SDM vol. 2B SYSCALL): CSTAR points here there
 * (mechanisms.c), and the process gets what the hardware would give it. */
void compat_syscall_ud(struct frame *f)
{
    proc_kill_current(SG_SIGILL, "#UD invalid opcode (32-bit syscall: not on this CPU's vendor)", f->rip, f->rip);
}
