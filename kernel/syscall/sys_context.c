/*
 * sg_setcontext: a process replaces its own saved registers, as a signal
 * return does on Linux.  This is how a process can hand the exit path a
 * return address no door would produce (a non-canonical RIP, RCX != RIP
 * after syscall, TF set), so that every exit's safety checks are tested,
 * not assumed.  CS and SS stay the process's own; IF stays set and IOPL 0.
 */
#include "syscall.h"
#include "uaccess.h"
#include "../arch/selectors_msrs.h"
#include <sysgate/abi.h>

#define USER_SETTABLE_FLAGS                                                                         \
    (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_TF | RFLAGS_DF | RFLAGS_OF | \
     RFLAGS_NT | RFLAGS_AC | RFLAGS_ID)

long sys_sg_setcontext(uint64_t ctx_ptr)
{
    struct sg_context c;
    struct frame *f = syscall_frame();

    if (copy_from_user(&c, ctx_ptr, sizeof c))
        return -SG_EFAULT;
    f->rax = c.rax, f->rbx = c.rbx, f->rcx = c.rcx, f->rdx = c.rdx;
    f->rsi = c.rsi, f->rdi = c.rdi, f->rbp = c.rbp;
    f->r8 = c.r8, f->r9 = c.r9, f->r10 = c.r10, f->r11 = c.r11;
    f->r12 = c.r12, f->r13 = c.r13, f->r14 = c.r14, f->r15 = c.r15;
    f->rip = c.rip;
    f->rsp = c.rsp;
    f->rflags = (c.rflags & USER_SETTABLE_FLAGS) | RFLAGS_IF | RFLAGS_FIXED;
    /* Tells the sysenter doors not to write their clobbers over these. */
    percpu0.replaced_frame = f;
    /* The dispatcher stores our return value in rax: give it the new rax. */
    return (long)c.rax;
}
