/*
 * What happens after an exception or interrupt door (entry/interrupts.S):
 *  - a hardware interrupt: acknowledge it, run the timer;
 *  - a page fault on a user address that a region allows (mm/space.c):
 *    the page is filled in and the access retried, whether it came from
 *    the program or from a kernel user copy;
 *  - an exception in user mode: the process is killed, with one log line
 *    naming the fault, its RIP and address (a Linux-style signal number is
 *    what its parent's wait4 sees);
 *  - an exception in kernel mode at an instruction listed in __ex_table
 *    (the user-access routines): resume at its fixup;
 *  - any other kernel exception: a full report and a halt.
 */
#include "traps.h"
#include "cpu.h"
#include "debugreg.h"
#include "io.h"
#include "../drivers/timer.h"
#include "../drivers/tty.h"
#include "../entry/entry.h"
#include "../entry/frame.h"
#include "../lib/kernel.h"
#include <common/format.h>
#include "../mm/space.h"
#include "../proc/proc.h"
#include "../proc/signal.h"
#include <sysgate/abi.h>

struct extable_entry {
    uint64_t insn, fixup;
};
extern const struct extable_entry __extable_start[], __extable_end[];
extern const uint64_t exit_fault_table[], exit_fault_table_end[];

static const char *const exception_names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow", "#BR bound range",
    "#UD invalid opcode", "#NM device not available", "#DF double fault", "coprocessor overrun",
    "#TS invalid TSS", "#NP segment not present", "#SS stack fault", "#GP general protection",
    "#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check", "#MC machine check",
    "#XM SIMD error", "#VE virtualization", "#CP control protection", "reserved 22", "reserved 23",
    "reserved 24", "reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
    "#VC VMM communication", "#SX security", "reserved 31",
};

/* Which signal a user fault is reported as (Linux's choices). */
static int fault_signal(int vector)
{
    switch (vector) {
    case 0: case 16: case 19: return SG_SIGFPE;
    case 1: case 3: return SG_SIGTRAP;
    case 6: return SG_SIGILL;
    case 17: return SG_SIGBUS;
    default: return SG_SIGSEGV;
    }
}

static bool has_selector_error(int v)
{
    return v == 10 || v == 11 || v == 12 || v == 13 || v == 17 || v == 21;
}

/* The error code in words (Intel SDM vol. 3A 6.13 and 4.7). */
static void describe_error(int vector, uint64_t err, char *buf, size_t size)
{
    if (vector == 14) {
        snformat(buf, size, "%s %s %s%s%s%s", err & 1 ? "protection-violation" : "not-present",
                 err & 16 ? "fetch" : err & 2 ? "write" : "read", err & 4 ? "user" : "supervisor",
                 err & 8 ? " reserved-bit" : "", err & 32 ? " protection-key" : "",
                 err & 64 ? " shadow-stack" : "");
    } else if (has_selector_error(vector) && err) {
        static const char *const tables[4] = { "GDT", "IDT", "LDT", "IDT" };
        snformat(buf, size, "selector %#lx: %s index %lu%s", err, tables[(err >> 1) & 3], err >> 3,
                 err & 1 ? " (external)" : "");
    } else {
        snformat(buf, size, "%#lx", err);
    }
}

static void dump_frame(const struct frame *f)
{
    printk("  rip %016lx  cs %04lx  rflags %016lx\n", f->rip, f->cs, f->rflags);
    printk("  rsp %016lx  ss %04lx  entry %lu\n", f->rsp, f->ss, f->entry);
    printk("  rax %016lx  rbx %016lx  rcx %016lx\n", f->rax, f->rbx, f->rcx);
    printk("  rdx %016lx  rsi %016lx  rdi %016lx\n", f->rdx, f->rsi, f->rdi);
    printk("  rbp %016lx  r8  %016lx  r9  %016lx\n", f->rbp, f->r8, f->r9);
    printk("  r10 %016lx  r11 %016lx  r12 %016lx\n", f->r10, f->r11, f->r12);
    printk("  r13 %016lx  r14 %016lx  r15 %016lx\n", f->r13, f->r14, f->r15);
    printk("  cr0 %016lx  cr3 %016lx  cr4 %016lx\n", read_cr0(), read_cr3(), read_cr4());
}

static noreturn void kernel_exception(struct frame *f, uint64_t cr2)
{
    char err[96];
    int v = (int)f->vector;
    struct proc *p = current_proc();
    describe_error(v, f->error, err, sizeof err);
    printk("\nsysgate: exception %lu (%s) in kernel mode, error %s\n", f->vector, exception_names[v], err);
    if (v == 14)
        printk("  cr2 %016lx (the faulting address)\n", cr2);
    dump_frame(f);
    printk("  running: pid %d (%s)\n", p ? p->pid : -1, p ? p->name : "none");
    panic("unrecoverable kernel exception");
}

/* The fixup of a user-access instruction (uaccess.S), or 0. */
static uint64_t extable_fixup(uint64_t rip)
{
    for (const struct extable_entry *e = __extable_start; e < __extable_end; e++)
        if (e->insn == rip)
            return e->fixup;
    return 0;
}

/* A fault on one of the return instructions (exit.S) is the process's:
 * its frame asked for something the CPU refused (a non-canonical RIP, a
 * bad selector).  On Intel such a #GP is raised in ring 0, on AMD at the
 * first user instruction; either way the process gets the fault. */
uint64_t exit_fault_count[EXIT_INSNS];

static bool is_exit_instruction(uint64_t rip)
{
    for (const uint64_t *p = exit_fault_table; p < exit_fault_table_end; p++)
        if (*p == rip) {
            exit_fault_count[p - exit_fault_table]++;
            return true;
        }
    return false;
}

/* The six floating-point exception flags, in the same bit order in the
 * x87 status word and in MXCSR (SDM vol. 1 8.1.3, 10.2.3). */
static void describe_fp_flags(unsigned flags, unsigned masks, char *buf, size_t size)
{
    static const char *const names[6] = { "invalid", "denormal", "zero-divide", "overflow", "underflow",
                                          "precision" };
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; i < 6 && n < size; i++)
        if (flags & (1u << i))
            n += snformat(buf + n, size - n, "%s%s%s", n ? " " : "", names[i],
                          masks & (1u << i) ? "(masked)" : "");
    if (!n)
        snformat(buf, size, "none");
}

/* #MF and #XM: what the process's FPU says went wrong.  The registers
 * still hold its state (the kernel itself never uses the FPU; FNSTSW,
 * FNSTCW and STMXCSR do not wait, so a pending exception stays pending). */
static void describe_fp_fault(int vector, char *buf, size_t size)
{
    char flags[128];
    if (vector == 16) {
        uint16_t sw, cw;
        __asm__ volatile("fnstsw %0; fnstcw %1" : "=m"(sw), "=m"(cw));
        describe_fp_flags(sw, cw, flags, sizeof flags);
        snformat(buf, size, "x87 status %#x control %#x: %s%s", sw, cw, flags, sw & 0x40 ? " stack-fault" : "");
    } else {
        uint32_t mxcsr;
        __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
        describe_fp_flags(mxcsr, mxcsr >> 7, flags, sizeof flags);
        snformat(buf, size, "mxcsr %#x: %s", mxcsr, flags);
    }
}

/* A demand-paging fault that could not be served: the process goes, with
 * a log line that says why. */
static noreturn void mm_fault_kill(enum mm_fault_result r, const struct frame *f, uint64_t cr2)
{
    if (r == MM_FAULT_OOM)
        proc_kill_current(SG_SIGKILL, "out of memory for a page of user memory", f->rip, cr2);
    proc_kill_current(SG_SIGBUS, "#PF page fault past the end of the mapped file", f->rip, cr2);
}

/* si_code for a fault's signal (Linux's choices: arch/x86/kernel/traps.c,
 * fault.c, fpu/core.c's fpu__exception_code). */
static int fault_code(const struct frame *f, int sig)
{
    switch (f->vector) {
    case 0: return SG_FPE_INTDIV;
    case 1: return current_proc()->debug.dr6 & DR6_BS ? SG_TRAP_TRACE : SG_TRAP_HWBKPT;
    case 6: return SG_ILL_ILLOPN;
    case 14: return f->error & 1 ? SG_SEGV_ACCERR : SG_SEGV_MAPERR;
    case 16: case 19: {
        uint32_t status;
        if (f->vector == 16) {
            uint16_t sw, cw;
            __asm__ volatile("fnstsw %0; fnstcw %1" : "=m"(sw), "=m"(cw));
            status = sw & ~cw & 0x3f;
        } else {
            uint32_t mxcsr;
            __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
            status = mxcsr & ~(mxcsr >> 7) & 0x3f;
        }
        return status & 1 ? SG_FPE_FLTINV : status & 4 ? SG_FPE_FLTDIV : status & 8 ? 4 /* FPE_FLTOVF */
             : status & 0x12 ? 5 /* FPE_FLTUND */ : status & 0x20 ? 6 /* FPE_FLTRES */ : 0;
    }
    case 17: return SG_BUS_ADRALN;
    }
    return sig == SG_SIGSEGV || sig == SG_SIGTRAP ? SG_SI_KERNEL : 0;
}

void user_fault(struct frame *f, uint64_t cr2)
{
    char err[192];
    int v = (int)f->vector;
    uint64_t addr = v == 14 ? cr2 : f->rip;
    int sig = fault_signal(v);
    /* Linux's si_addr: CR2 for #PF, the instruction for the others, 0
     * for #GP and the segment faults. */
    uint64_t si_addr = v == 14 ? cr2 : (v == 13 || v == 11 || v == 12) ? 0 : f->rip;
    if (signal_fault(f, sig, fault_code(f, sig), si_addr))
        return;
    if (v == 16 || v == 19)
        describe_fp_fault(v, err, sizeof err);
    else if (v == 1)
        snformat(err, sizeof err, "dr6 %#lx", current_proc()->debug.dr6 | DR6_FIXED);
    else
        describe_error(v, f->error, err, sizeof err);
    char what[256];
    snformat(what, sizeof what, v == 16 || v == 19 || v == 1 ? "%s (%s)" : "%s (error %s)", exception_names[v],
             err);
    proc_kill_current(sig, what, f->rip, addr);
}

void interrupt_dispatch(struct frame *f)
{
    uint64_t v = f->vector;

    if (v >= IRQ_BASE && v < IRQ_BASE + 16) {
        int irq = (int)(v - IRQ_BASE);
        if (!irq_acknowledge(irq))
            return;
        if (irq == 0)
            sched_timer_tick(f);
        else if (irq == 4)
            tty_irq();
        /* A breakpoint whose #DB the CPU delivered in ring 0 reaches the
         * process here, at its first interrupt from user mode. */
        struct proc *p = current_proc();
        if (frame_from_user(f) && p->debug.trap_pending) {
            char what[128];
            snformat(what, sizeof what, "#DB debug (dr6 %#lx), raised in ring 0 at %#lx", p->debug.dr6 | DR6_FIXED,
                     p->debug.trap_rip);
            proc_kill_current(SG_SIGTRAP, what, f->rip, p->debug.trap_rip);
        }
        return;
    }

    uint64_t cr2 = v == 14 ? read_cr2() : 0;
    if (v == 2) {
        printk("sysgate: NMI at rip %#lx (ignored)\n", f->rip);
        return;
    }
    /* DR6 is sticky: read it and start it afresh for the next #DB (SDM
     * vol. 3B 18.2.3). */
    uint64_t dr6 = 0;
    if (v == 1) {
        dr6 = read_dr6();
        write_dr6(DR6_FIXED);
    }
    if (frame_from_user(f)) {
        /* Every entry from user mode - the IST vectors' too, moved there by
         * interrupts.S - left its frame at the top of the process's kernel
         * stack, where syscall_frame() and the way out look for it. */
        if (f != proc_frame(current_proc()))
            panic("vector %lu from user mode left its frame at %p, not on the process's kernel stack (%p)", v,
                  (void *)f, (void *)proc_frame(current_proc()));
        /* A call through an exception door (entry/exception_doors.c) is
         * no fault: decided here, before anything makes it the process's. */
        if (exception_door_call(f, cr2, dr6))
            return;
        if (v == 1)
            debug_user_trap(f, dr6);
        if (v == 14) {
            enum mm_fault_result r = mm_fault(current_proc(), cr2, f->error);
            if (r == MM_FAULT_DONE)
                return;
            if (r != MM_FAULT_SEGV)
                mm_fault_kill(r, f, cr2);
        }
        user_fault(f, cr2);
        return;
    }
    /* The boot's look at what icebp does (entry/exception_doors.c). */
    if ((v == 1 || v == 6) && exception_doors_probe_trap(f))
        return;
    /* A process's breakpoint fired in ring 0: at a door's first
     * instruction (a data breakpoint on the operand of MOV SS or POP SS
     * holds the #DB back until after the next instruction - the door -
     * has run: SDM vol. 3A 6.8.3, CVE-2018-8897) or on a user copy.  The
     * GS base was already decided by interrupt_common from MSR_GS_BASE,
     * not from where the #DB landed; the IST stack made RSP safe.  The
     * kernel carries on; the process gets SIGTRAP on its way out. */
    /* A user-set TF single-steps the sysenter and call-gate doors until
     * they clear it themselves: the call must leave through ret_user, whose
     * IRETQ restores TF (WORK_STEPPED keeps it off the fast paths), and
     * otherwise there is nothing to do but carry on.  The single-step trap
     * after the door's far call or SYSENTER arrives at its first
     * instruction, inside the window, before anything else can run there. */
    if (v == 1 && entry_in_tf_window(f->rip))
        percpu0.work |= WORK_STEPPED;
    if (v == 1 && debug_kernel_trap(f, dr6))
        return;
    if (v == 1 && entry_in_tf_window(f->rip))
        return;
    if (is_exit_instruction(f->rip)) {
        struct frame *user = proc_frame(current_proc());    /* what the exit was returning */
        char what[128];
        snformat(what, sizeof what, "%s on return to user mode (rip %#lx, cs %#lx, rsp %#lx, ss %#lx)",
                 exception_names[v], user->rip, user->cs, user->rsp, user->ss);
        proc_kill_current(SG_SIGSEGV, what, user->rip, user->rip);
    }
    /* #PF: a user access; #GP, #NP: a user selector loaded (segload.S). */
    uint64_t fixup = v == 14 || v == 13 || v == 11 ? extable_fixup(f->rip) : 0;
    if (fixup) {
        /* A kernel user copy touched a page not yet there: fill it in and
         * retry; otherwise the copy fails (-EFAULT).  Only these listed
         * instructions may fault user pages in. */
        if (v == 14 && cr2 < USER_END) {
            enum mm_fault_result r = mm_fault(current_proc(), cr2, f->error);
            if (r == MM_FAULT_DONE)
                return;
            /* No frame for the page (a copy-on-write copy, or a fresh
             * one): the copy fails with -EFAULT and the process lives on,
             * as on Linux (arch/x86/mm/fault.c, mm_fault_error: a
             * VM_FAULT_OOM in kernel mode takes the exception fixup).  A
             * program's own access with no frame left is killed instead
             * (mm_fault's caller for user mode). */
            if (r == MM_FAULT_OOM)
                printk("sysgate: pid %d (%s): out of memory for user address %#lx in a kernel copy: -EFAULT\n",
                       current_proc()->pid, current_proc()->name, cr2);
        }
        f->rip = fixup;
        return;
    }
    kernel_exception(f, cr2);
}
