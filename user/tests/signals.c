/*
 * signals: Linux's signals, both widths - handlers entered with the right
 * registers, siginfo and ucontext, the stack aligned as the ABI wants;
 * masks, SA_NODEFER, SA_RESETHAND, SA_ONSTACK on an alternate stack;
 * pending and blocked sets, rt_sigtimedwait, sigsuspend, pause, alarm and
 * setitimer; calls interrupted through every door (-EINTR, or restarted
 * under SA_RESTART); faults caught and resumed (SIGSEGV, SIGFPE, SIGILL,
 * SIGTRAP from int3 and from TF); every register, and the SSE state, the
 * same after a handler as before; kill of a child; job control - stop
 * signals, SIGCONT, SIGCHLD with its siginfo, wait4's WUNTRACED and
 * WCONTINUED, waitid's WSTOPPED and WCONTINUED.  Cases that end a
 * process run in a child (this program again, with the case in argv[1]).
 * The structures are checked against the host's Linux headers.
 */
#include "../lib/tap.h"
#include "../lib/signals.h"
#include "../lib/files.h"
#include <asm/sigcontext.h>
#include <asm/signal.h>

/* include/sysgate/signal.h against Linux's own headers. */
#ifdef __x86_64__
_Static_assert(__builtin_offsetof(struct sigcontext, rip) == __builtin_offsetof(struct sg_sigcontext64, rip), "rip");
_Static_assert(__builtin_offsetof(struct sigcontext, eflags) == __builtin_offsetof(struct sg_sigcontext64, eflags), "eflags");
_Static_assert(__builtin_offsetof(struct sigcontext, cs) == __builtin_offsetof(struct sg_sigcontext64, cs), "cs");
_Static_assert(__builtin_offsetof(struct sigcontext, ss) == __builtin_offsetof(struct sg_sigcontext64, ss), "ss");
_Static_assert(__builtin_offsetof(struct sigcontext, fpstate) == __builtin_offsetof(struct sg_sigcontext64, fpstate), "fpstate");
_Static_assert(sizeof(struct sigcontext) == sizeof(struct sg_sigcontext64), "sigcontext");
#else
_Static_assert(__builtin_offsetof(struct sigcontext, eip) == __builtin_offsetof(struct sg_sigcontext32, eip), "eip");
_Static_assert(__builtin_offsetof(struct sigcontext, ss) == __builtin_offsetof(struct sg_sigcontext32, ss), "ss");
_Static_assert(__builtin_offsetof(struct sigcontext, fpstate) == __builtin_offsetof(struct sg_sigcontext32, fpstate), "fpstate");
_Static_assert(__builtin_offsetof(struct sigcontext, cr2) == __builtin_offsetof(struct sg_sigcontext32, cr2), "cr2");
_Static_assert(sizeof(struct sigcontext) == sizeof(struct sg_sigcontext32), "sigcontext");
_Static_assert(sizeof(struct _fpstate_32) == SG_FPSTATE32_SIZE, "_fpstate_32");
#endif
_Static_assert(SA_RESTORER == SG_SA_RESTORER && SA_ONSTACK == SG_SA_ONSTACK && SA_RESTART == SG_SA_RESTART &&
               SA_NODEFER == SG_SA_NODEFER && SA_RESETHAND == SG_SA_RESETHAND && SA_SIGINFO == SG_SA_SIGINFO,
               "sa_flags");
_Static_assert(SIGUSR1 == SG_SIGUSR1 && SIGALRM == SG_SIGALRM && SIGSEGV == SG_SIGSEGV, "numbers");

/* ---- A handler that records its entry registers ---- */

/* What the handler saw on entry: 64-bit rdi rsi rdx rsp; 32-bit the stack
 * words and eax edx ecx (regparm(3) handlers). */
volatile uintptr_t entry_regs[8];
volatile int entry_count;
void record_entry(void);
#ifdef __x86_64__
__asm__(".text\n.globl record_entry\nrecord_entry:\n"
        "  mov %rdi, entry_regs(%rip)\n  mov %rsi, entry_regs+8(%rip)\n  mov %rdx, entry_regs+16(%rip)\n"
        "  mov %rsp, entry_regs+24(%rip)\n  pushfq\n  pop %rax\n  mov %rax, entry_regs+32(%rip)\n"
        "  incl entry_count(%rip)\n  ret\n");
#else
__asm__(".text\n.globl record_entry\nrecord_entry:\n"
        "  mov %eax, entry_regs+16\n  mov %edx, entry_regs+20\n  mov %ecx, entry_regs+24\n"
        "  mov %esp, entry_regs+12\n  mov 4(%esp), %eax\n  mov %eax, entry_regs\n  mov 8(%esp), %eax\n"
        "  mov %eax, entry_regs+4\n  mov 12(%esp), %eax\n  mov %eax, entry_regs+8\n  pushf\n  pop %eax\n"
        "  mov %eax, entry_regs+28\n  incl entry_count\n  ret\n");
#endif

/* The handler runs on an alternate stack, so that its frame is still there
 * to read after it returned. */
static char entry_stack[16384] __attribute__((aligned(16)));

static void check_entry(void)
{
    entry_count = 0;
    sg_stack_t ss = { .sp = (uintptr_t)entry_stack, .size = sizeof entry_stack };
    sys_sigaltstack(&ss, 0);
    tap_eq(sg_sigaction(SG_SIGUSR1, (void *)record_entry, SG_SA_SIGINFO | SG_SA_ONSTACK, 0, 0), 0,
           "rt_sigaction(SIGUSR1, SA_SIGINFO | SA_ONSTACK)");
    __asm__ volatile("std" ::: "memory");       /* the handler must start with DF clear */
    sys_kill((int)sys_getpid(), SG_SIGUSR1);
    __asm__ volatile("cld" ::: "memory");
    tap_eq(entry_count, 1, "the handler ran once, before kill returned");
#ifdef __x86_64__
    const struct sg_rt_sigframe64 *fr = (const void *)(entry_regs[3]);
    tap_eq(entry_regs[0], SG_SIGUSR1, "rdi = the signal number");
    tap_eq(entry_regs[1], (uintptr_t)&fr->info, "rsi = &frame->info");
    tap_eq(entry_regs[2], (uintptr_t)&fr->uc, "rdx = &frame->uc");
    tap_eq((entry_regs[3] + 8) % 16, 0, "rsp + 8 is 16-byte aligned at the handler's entry (as after a call)");
    tap_eq(entry_regs[4] & 0x400, 0, "DF is clear in the handler although the program set it");
    tap_eq(fr->uc.uc_mcontext.eflags & 0x400, 0x400, "... and saved set in the ucontext");
    tap_eq(fr->pretcode, (uintptr_t)sg_restore_rt, "the return address is the restorer");
    tap_eq(fr->uc.uc_mcontext.cs, 0x2b, "uc_mcontext.cs is the 64-bit user code selector");
    tap_eq(fr->uc.uc_flags & (SG_UC_SIGCONTEXT_SS | SG_UC_STRICT_RESTORE_SS),
           SG_UC_SIGCONTEXT_SS | SG_UC_STRICT_RESTORE_SS, "uc_flags: UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS");
    tap_eq(fr->uc.uc_mcontext.fpstate % 64, 0, "fpstate is 64-byte aligned");
    tap_check(fr->uc.uc_mcontext.fpstate > (uintptr_t)fr, "fpstate lies above the frame");
#else
    const struct sg_rt_sigframe32 *fr = (const void *)(entry_regs[3]);
    tap_eq(entry_regs[0], SG_SIGUSR1, "[esp+4] = the signal number");
    tap_eq(entry_regs[1], (uintptr_t)&fr->info, "[esp+8] = &frame->info");
    tap_eq(entry_regs[2], (uintptr_t)&fr->uc, "[esp+12] = &frame->uc");
    tap_eq(entry_regs[4], SG_SIGUSR1, "eax = the signal number (regparm)");
    tap_eq(entry_regs[5], (uintptr_t)&fr->info, "edx = &frame->info");
    tap_eq(entry_regs[6], (uintptr_t)&fr->uc, "ecx = &frame->uc");
    tap_eq((entry_regs[3] + 4) % 16, 0, "esp + 4 is 16-byte aligned at the handler's entry");
    tap_eq(entry_regs[7] & 0x400, 0, "DF is clear in the handler although the program set it");
    tap_eq(fr->pretcode, (uintptr_t)sg_restore_rt, "the return address is the restorer");
    tap_eq(fr->uc.uc_mcontext.cs, 0x1b, "uc_mcontext.cs is the 32-bit user code selector");
    tap_eq((fr->uc.uc_mcontext.fpstate + SG_FPSTATE32_FXSAVE) % 64, 0, "the FXSAVE image is 64-byte aligned");
    tap_eq(((const uint16_t *)(uintptr_t)fr->uc.uc_mcontext.fpstate)[SG_FPSTATE32_MAGIC / 2], 0,
           "_fpstate_32.magic = X86_FXSR_MAGIC (an FXSAVE image follows)");
#endif
    tap_eq(fr->info.signo, SG_SIGUSR1, "si_signo");
    tap_eq(fr->info.code, SG_SI_USER, "si_code = SI_USER");
    tap_eq(fr->info.u.kill.pid, sys_getpid(), "si_pid = the sender");
    tap_eq(sg_blocked() & SG_SIGSET(SG_SIGUSR1), 0, "the mask is back after the handler");
    sg_sigaction(SG_SIGUSR1, (void *)SG_SIG_DFL, 0, 0, 0);
    ss.flags = SG_SS_DISABLE;
    sys_sigaltstack(&ss, 0);
}

/* i386: a handler without SA_SIGINFO gets struct sigframe and returns
 * through sigreturn (119). */
static void check_old_frame(void)
{
#ifndef __x86_64__
    entry_count = 0;
    sg_stack_t ss = { .sp = (uintptr_t)entry_stack, .size = sizeof entry_stack };
    sys_sigaltstack(&ss, 0);
    sg_sigaction(SG_SIGUSR2, (void *)record_entry, SG_SA_ONSTACK, 0, 0);
    sys_kill((int)sys_getpid(), SG_SIGUSR2);
    const struct sg_sigframe32 *fr = (const void *)(entry_regs[3]);
    tap_eq(entry_count, 1, "a handler without SA_SIGINFO ran and returned through sigreturn");
    tap_eq(entry_regs[0], SG_SIGUSR2, "[esp+4] = the signal number (struct sigframe)");
    tap_eq(entry_regs[5], 0, "edx = 0 without SA_SIGINFO");
    tap_eq(fr->pretcode, (uintptr_t)sg_restore, "the return address is the non-rt restorer");
    tap_eq(fr->sc.cs, 0x1b, "sigframe.sc.cs");
    sg_sigaction(SG_SIGUSR2, (void *)SG_SIG_DFL, 0, 0, 0);
    ss.flags = SG_SS_DISABLE;
    sys_sigaltstack(&ss, 0);
#endif
}

/* ---- Masks, SA_NODEFER, SA_RESETHAND ---- */

static volatile int depth, max_depth, runs;
static volatile uint64_t mask_inside;

static void nesting_handler(int sig)
{
    runs++;
    depth++;
    if (depth > max_depth)
        max_depth = depth;
    mask_inside = sg_blocked();
    if (runs == 1)
        sys_kill((int)sys_getpid(), sig);       /* nests only with SA_NODEFER */
    depth--;
}

static void check_masks(void)
{
    runs = max_depth = 0;
    sg_sigaction(SG_SIGUSR1, (void *)nesting_handler, 0, SG_SIGSET(SG_SIGUSR2) | SG_SIGSET(SG_SIGKILL), 0);
    sys_kill((int)sys_getpid(), SG_SIGUSR1);
    tap_eq(runs, 2, "without SA_NODEFER the re-raised signal waits and runs after the handler");
    tap_eq(max_depth, 1, "... not nested");
    tap_eq(mask_inside & (SG_SIGSET(SG_SIGUSR1) | SG_SIGSET(SG_SIGUSR2) | SG_SIGSET(SG_SIGKILL)),
           SG_SIGSET(SG_SIGUSR1) | SG_SIGSET(SG_SIGUSR2), "inside: the signal and sa_mask blocked, SIGKILL never");

    runs = max_depth = 0;
    sg_sigaction(SG_SIGUSR1, (void *)nesting_handler, SG_SA_NODEFER, 0, 0);
    sys_kill((int)sys_getpid(), SG_SIGUSR1);
    tap_eq(max_depth, 2, "SA_NODEFER: the re-raised signal nests in the handler");

    runs = 0;
    uintptr_t old = 99;
    sg_sigaction(SG_SIGUSR1, (void *)nesting_handler, SG_SA_RESETHAND | SG_SA_NODEFER, 0, 0);
    sg_sigaction(SG_SIGUSR2, (void *)SG_SIG_IGN, 0, 0, 0);
    sys_kill((int)sys_getpid(), SG_SIGUSR2);
    tap_eq(runs, 0, "an ignored signal does nothing");
    runs = 1;   /* no re-raise: the default action would end us */
    sys_kill((int)sys_getpid(), SG_SIGUSR1);
    sg_sigaction(SG_SIGUSR1, (void *)SG_SIG_DFL, 0, 0, &old);
    tap_eq(old, SG_SIG_DFL, "SA_RESETHAND: the action is SIG_DFL after one delivery");
    tap_eq(runs, 2, "... and the handler ran");
    sg_sigaction(SG_SIGUSR2, (void *)SG_SIG_DFL, 0, 0, 0);

    tap_eq(sg_sigaction(SG_SIGKILL, (void *)nesting_handler, 0, 0, 0), -SG_EINVAL, "SIGKILL cannot be caught");
    tap_eq(sg_sigaction(SG_SIGSTOP, (void *)SG_SIG_IGN, 0, 0, 0), -SG_EINVAL, "SIGSTOP cannot be ignored");
    tap_eq(sg_sigaction(0, (void *)SG_SIG_IGN, 0, 0, 0), -SG_EINVAL, "signal 0: -EINVAL");
    tap_eq(sg_sigaction(65, (void *)SG_SIG_IGN, 0, 0, 0), -SG_EINVAL, "signal 65: -EINVAL");
    tap_eq(sg_syscall(SYS_rt_sigaction, SG_SIGUSR1, 0, 0, 4, 0, 0), -SG_EINVAL, "sigsetsize 4: -EINVAL");
    tap_eq(sg_syscall(SYS_rt_sigaction, SG_SIGUSR1, 16, 0, 8, 0, 0), -SG_EFAULT, "a bad act pointer: -EFAULT");

    /* Blocked: pending until unblocked, then delivered at once. */
    runs = 1;
    sg_sigaction(SG_SIGUSR2, (void *)nesting_handler, 0, 0, 0);
    uint64_t set = SG_SIGSET(SG_SIGUSR2), pending = 0;
    sys_rt_sigprocmask(SG_SIG_BLOCK, &set, 0);
    sys_kill((int)sys_getpid(), SG_SIGUSR2);
    sys_rt_sigpending(&pending);
    tap_eq(runs, 1, "a blocked signal is not delivered");
    tap_eq(pending, SG_SIGSET(SG_SIGUSR2), "rt_sigpending shows it");
    sys_rt_sigprocmask(SG_SIG_UNBLOCK, &set, 0);
    tap_eq(runs, 2, "unblocking delivers it before rt_sigprocmask returns");
    uint64_t all = ~0ull;
    sys_rt_sigprocmask(SG_SIG_SETMASK, &all, 0);
    tap_eq(sg_blocked() & (SG_SIGSET(SG_SIGKILL) | SG_SIGSET(SG_SIGSTOP)), 0, "SIGKILL and SIGSTOP cannot be blocked");
    uint64_t none = 0;
    sys_rt_sigprocmask(SG_SIG_SETMASK, &none, 0);
    tap_eq(sg_syscall(SYS_rt_sigprocmask, 7, (long)&none, 0, 8, 0, 0), -SG_EINVAL, "rt_sigprocmask how 7: -EINVAL");

    /* rt_sigtimedwait takes a blocked pending signal without a handler. */
    sys_rt_sigprocmask(SG_SIG_BLOCK, &set, 0);
    sys_kill((int)sys_getpid(), SG_SIGUSR2);
    uint8_t info[128];
    long ts[2] = { 0, 0 };
    tap_eq(sys_rt_sigtimedwait(&set, info, ts), SG_SIGUSR2, "rt_sigtimedwait returns the pending signal");
    tap_eq(runs, 2, "... without running its handler");
    tap_eq(((int32_t *)info)[0], SG_SIGUSR2, "... and its siginfo");
    tap_eq(sys_rt_sigtimedwait(&set, info, ts), -SG_EAGAIN, "nothing pending, zero timeout: -EAGAIN");
    sys_rt_sigprocmask(SG_SIG_UNBLOCK, &set, 0);
    sg_sigaction(SG_SIGUSR2, (void *)SG_SIG_DFL, 0, 0, 0);
}

/* ---- The alternate stack ---- */

static char altstack[16384] __attribute__((aligned(16)));
static volatile uintptr_t handler_sp;
static volatile long altstack_change;
static volatile int32_t altstack_flags_inside;

static void altstack_handler(int sig, sg_siginfo_t *info, void *ucv)
{
    (void)sig, (void)info;
    sg_ucontext_t *uc = ucv;
    handler_sp = (uintptr_t)__builtin_frame_address(0);
    sg_stack_t now, other = { .sp = (uintptr_t)altstack, .size = sizeof altstack };
    sys_sigaltstack(0, &now);
    altstack_flags_inside = now.flags;
    altstack_change = sys_sigaltstack(&other, 0);
    (void)uc;
}

static void check_altstack(void)
{
    sg_stack_t ss = { .sp = (uintptr_t)altstack, .size = sizeof altstack }, old;
    tap_eq(sys_sigaltstack(&ss, &old), 0, "sigaltstack");
    tap_eq(old.flags, SG_SS_DISABLE, "the old alternate stack was disabled");
    sg_sigaction(SG_SIGUSR1, (void *)altstack_handler, SG_SA_SIGINFO | SG_SA_ONSTACK, 0, 0);
    sys_kill((int)sys_getpid(), SG_SIGUSR1);
    tap_check(handler_sp > (uintptr_t)altstack && handler_sp < (uintptr_t)altstack + sizeof altstack,
              "SA_ONSTACK: the handler runs on the alternate stack");
    tap_eq(altstack_flags_inside, SG_SS_ONSTACK, "sigaltstack inside says SS_ONSTACK");
    tap_eq(altstack_change, -SG_EPERM, "changing it while on it: -EPERM");
    sg_sigaction(SG_SIGUSR1, (void *)altstack_handler, SG_SA_SIGINFO, 0, 0);
    sys_kill((int)sys_getpid(), SG_SIGUSR1);
    tap_check(handler_sp < (uintptr_t)altstack || handler_sp > (uintptr_t)altstack + sizeof altstack,
              "without SA_ONSTACK: the ordinary stack");
    sg_stack_t small = { .sp = (uintptr_t)altstack, .size = 1024 }, off = { .flags = SG_SS_DISABLE }, bad = { .flags = 5 };
    tap_eq(sys_sigaltstack(&small, 0), -SG_ENOMEM, "a stack below MINSIGSTKSZ: -ENOMEM");
    tap_eq(sys_sigaltstack(&bad, 0), -SG_EINVAL, "bad ss_flags: -EINVAL");
    tap_eq(sys_sigaltstack(&off, 0), 0, "SS_DISABLE");
    sg_sigaction(SG_SIGUSR1, (void *)SG_SIG_DFL, 0, 0, 0);
}

/* ---- Interrupted calls, through every door ---- */

static volatile int alarms;
static volatile long kill_on_alarm;     /* a child the handler ends, when set */
static void alarm_handler(int sig)
{
    (void)sig;
    alarms++;
    if (kill_on_alarm)
        sys_kill((int)kill_on_alarm, SG_SIGKILL);
}

static void check_interrupted(void)
{
    for (int mech = 0; mech < SG_MECH_COUNT; mech++) {
        if (!sg_kip_stub(mech))
            continue;
        const char *door = sg_mechanism_name(mech);

        /* nanosleep: -EINTR after a handler, SA_RESTART or not, with the
         * time left in rem (signal(7): never restarted). */
        alarms = 0;
        sg_sigaction(SG_SIGALRM, (void *)alarm_handler, SG_SA_RESTART, 0, 0);
        sg_setitimer_us(30000, 0, 0);
        long req[2] = { 5, 0 }, rem[2] = { -1, -1 };
        long r = sg_syscall_via(mech, SYS_nanosleep, (long)req, (long)rem, 0, 0, 0, 0);
        tap_eq(r, -SG_EINTR, "%s: nanosleep interrupted by a handled SIGALRM: -EINTR even with SA_RESTART", door);
        tap_check(alarms == 1 && rem[0] >= 0 && rem[0] < 5, "%s: the handler ran, rem = %ld s left", door, rem[0]);

        /* wait4: restarted under SA_RESTART, -EINTR without.  The child
         * waits in pause() until the handler kills it, so that only the
         * signal can end the first wait4, however late the timer fires on
         * a loaded host (a child sleeping a fixed time raced the timer). */
        char *argv[] = { sg_argv[0], "pauser", 0 };
        long child = sg_spawn(sg_argv[0], argv);
        kill_on_alarm = child;
        alarms = 0;
        sg_setitimer_us(20000, 0, 0);
        int status = 0;
        r = sg_syscall_via(mech, SYS_wait4, child, (long)&status, 0, 0, 0, 0);
        /* The instruction doors are restarted by moving RIP back over
         * their instruction, the exception doors (int3, a division, hlt,
         * bound, into in the interface page) by running their stub again. */
        tap_eq(r, child, "%s: wait4 interrupted by an SA_RESTART handler is restarted and reaps the child", door);
        tap_eq(alarms, 1, "%s: ... after the handler ran", door);

        sg_sigaction(SG_SIGALRM, (void *)alarm_handler, 0, 0, 0);
        child = sg_spawn(sg_argv[0], argv);
        kill_on_alarm = child;
        alarms = 0;
        sg_setitimer_us(20000, 0, 0);
        r = sg_syscall_via(mech, SYS_wait4, child, (long)&status, 0, 0, 0, 0);
        tap_eq(r, -SG_EINTR, "%s: wait4 interrupted by a handler without SA_RESTART: -EINTR", door);
        tap_eq(sys_wait4((int)child, &status, 0), child, "%s: ... and the child the handler killed is reaped after", door);
        kill_on_alarm = 0;
    }
    sg_sigaction(SG_SIGALRM, (void *)SG_SIG_DFL, 0, 0, 0);
}

static void check_suspend_and_timers(void)
{
    sg_sigaction(SG_SIGALRM, (void *)alarm_handler, 0, 0, 0);
    uint64_t set = SG_SIGSET(SG_SIGALRM), none = 0;
    sys_rt_sigprocmask(SG_SIG_BLOCK, &set, 0);
    alarms = 0;
    sg_setitimer_us(20000, 0, 0);
    tap_eq(sys_rt_sigsuspend(&none), -SG_EINTR, "rt_sigsuspend returns -EINTR after the handler");
    tap_eq(alarms, 1, "... which ran inside it, with SIGALRM unblocked");
    tap_eq(sg_blocked(), SG_SIGSET(SG_SIGALRM), "the old mask is back afterwards");
    sys_rt_sigprocmask(SG_SIG_UNBLOCK, &set, 0);

    alarms = 0;
    sg_setitimer_us(20000, 0, 0);
    tap_eq(sys_pause(), -SG_EINTR, "pause returns -EINTR after a handler");
    tap_eq(alarms, 1, "... which ran");

    tap_eq(sys_alarm(5), 0, "alarm(5) with none set: 0");
    long left = sys_alarm(0);
    tap_check(left == 5 || left == 4, "alarm(0) after alarm(5): %ld seconds left", left);
    long old_us = -1;
    sg_setitimer_us(3000000, 0, 0);
    sg_setitimer_us(0, 0, &old_us);
    tap_check(old_us > 2000000 && old_us <= 3000000, "setitimer gives the old value (%ld us)", old_us);
    tap_eq(sg_syscall(SYS_setitimer, 1, 0, 0, 0, 0, 0), -SG_EINVAL, "ITIMER_VIRTUAL: -EINVAL");

    /* An interval timer fires repeatedly. */
    alarms = 0;
    sg_setitimer_us(10000, 10000, 0);
    while (alarms < 3)
        sys_pause();
    sg_setitimer_us(0, 0, 0);
    tap_eq(alarms, 3, "an interval timer fires again and again");
    sg_sigaction(SG_SIGALRM, (void *)SG_SIG_DFL, 0, 0, 0);
}

/* ---- Faults caught and resumed ---- */

static volatile int fault_sig, fault_code;
static volatile uintptr_t fault_addr, fault_ip;
static volatile uintptr_t resume_at;

static void fault_handler(int sig, sg_siginfo_t *info, void *ucv)
{
    sg_ucontext_t *uc = ucv;
    fault_sig = sig;
    fault_code = info->code;
    fault_addr = info->u.fault.addr;
    fault_ip = SG_UC_IP(uc);
    if (resume_at)
        SG_UC_IP(uc) = resume_at;               /* the siglongjmp of a C library, by hand */
    SG_UC_FLAGS(uc) &= ~0x100ul;                /* TF off */
}

extern char segv_insn[], segv_resume[], fpe_insn[], fpe_resume[], ill_insn[], ill_resume[], int3_after[];
extern char tf_after[];
__attribute__((noinline)) static void do_segv(void)
{
    __asm__ volatile("segv_insn: mov (%0), %%eax\nsegv_resume:" ::"r"((uintptr_t)16) : "eax", "memory");
}
__attribute__((noinline)) static void do_fpe(void)
{
    __asm__ volatile("xor %%ecx, %%ecx; mov $1, %%eax; cltd\nfpe_insn: idivl %%ecx\nfpe_resume:" ::: "eax", "ecx", "edx");
}
__attribute__((noinline)) static void do_ill(void) { __asm__ volatile("ill_insn: ud2\nill_resume:"); }
__attribute__((noinline)) static void do_int3(void) { __asm__ volatile("int3\nint3_after:"); }
__attribute__((noinline)) static void do_tf(void)
{
#ifdef __x86_64__
    __asm__ volatile("pushfq; orl $0x100, (%%rsp); popfq; nop\ntf_after: nop" ::: "memory");
#else
    __asm__ volatile("pushfl; orl $0x100, (%%esp); popfl; nop\ntf_after: nop" ::: "memory");
#endif
}

static void check_faults(void)
{
    struct { int sig; void (*run)(void); char *insn, *resume; int code; uintptr_t addr; const char *what; } cases[] = {
        { SG_SIGSEGV, do_segv, segv_insn, segv_resume, SG_SEGV_MAPERR, 16, "SIGSEGV from a read of address 16" },
        { SG_SIGFPE, do_fpe, fpe_insn, fpe_resume, SG_FPE_INTDIV, (uintptr_t)fpe_insn, "SIGFPE from #DE" },
        { SG_SIGILL, do_ill, ill_insn, ill_resume, SG_ILL_ILLOPN, (uintptr_t)ill_insn, "SIGILL from ud2" },
        { SG_SIGTRAP, do_int3, int3_after, 0, SG_SI_KERNEL, 0, "SIGTRAP from int3" },
        { SG_SIGTRAP, do_tf, tf_after, 0, SG_TRAP_TRACE, (uintptr_t)tf_after, "SIGTRAP from TF" },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fault_sig = 0;
        resume_at = (uintptr_t)cases[i].resume;
        sg_sigaction(cases[i].sig, (void *)fault_handler, SG_SA_SIGINFO, 0, 0);
        cases[i].run();
        tap_eq(fault_sig, cases[i].sig, "%s: caught", cases[i].what);
        tap_eq(fault_code, cases[i].code, "%s: si_code", cases[i].what);
        if (cases[i].code != SG_SI_KERNEL)
            tap_eq(fault_addr, cases[i].addr, "%s: si_addr", cases[i].what);
        tap_eq(fault_ip, (uintptr_t)cases[i].insn, "%s: the saved IP is the %s", cases[i].what,
               cases[i].resume ? "faulting instruction" : "instruction after the trap");
        sg_sigaction(cases[i].sig, (void *)SG_SIG_DFL, 0, 0, 0);
    }
    resume_at = 0;
}

/* ---- Every register the same after a handler ---- */

static void clobber_handler(int sig, sg_siginfo_t *info, void *ucv)
{
    (void)sig, (void)info;
    SG_UC_IP((sg_ucontext_t *)ucv) += 2;        /* past the ud2 */
    /* Dirty what the handler may: every register and the SSE state. */
    __asm__ volatile("pcmpeqd %%xmm0, %%xmm0; pcmpeqd %%xmm7, %%xmm7; xor %%eax, %%eax; xor %%ebx, %%ebx; "
                     "xor %%ecx, %%ecx; xor %%edx, %%edx; xor %%esi, %%esi; xor %%edi, %%edi; ldmxcsr %0"
                     ::"m"((uint32_t){ 0x1f80 | 0x6000 }) : "xmm0", "xmm7", "eax", "ebx", "ecx", "edx", "esi", "edi");
}

/* poison_test (assembly below): every general register and xmm7 loaded
 * from poison_before, a ud2 whose SIGILL handler clobbers them, then all
 * stored to poison_after; RSP too. */
uintptr_t poison_before[16], poison_after[16], poison_sp;
uint8_t xmm_before[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 }, xmm_after[16];
uint32_t mxcsr_after;
void poison_test(void);
#ifdef __x86_64__
#define NREGS 15
__asm__(".text\n.globl poison_test\npoison_test:\n"
        "  push %rbp; push %rbx; push %r12; push %r13; push %r14; push %r15\n"
        "  movdqu xmm_before(%rip), %xmm7\n  mov %rsp, poison_sp(%rip)\n"
        "  mov poison_before+0(%rip), %rax; mov poison_before+8(%rip), %rbx; mov poison_before+16(%rip), %rcx\n"
        "  mov poison_before+24(%rip), %rdx; mov poison_before+32(%rip), %rsi; mov poison_before+40(%rip), %rdi\n"
        "  mov poison_before+48(%rip), %rbp; mov poison_before+56(%rip), %r8; mov poison_before+64(%rip), %r9\n"
        "  mov poison_before+72(%rip), %r10; mov poison_before+80(%rip), %r11; mov poison_before+88(%rip), %r12\n"
        "  mov poison_before+96(%rip), %r13; mov poison_before+104(%rip), %r14; mov poison_before+112(%rip), %r15\n"
        "  ud2\n"
        "  mov %rax, poison_after+0(%rip); mov %rbx, poison_after+8(%rip); mov %rcx, poison_after+16(%rip)\n"
        "  mov %rdx, poison_after+24(%rip); mov %rsi, poison_after+32(%rip); mov %rdi, poison_after+40(%rip)\n"
        "  mov %rbp, poison_after+48(%rip); mov %r8, poison_after+56(%rip); mov %r9, poison_after+64(%rip)\n"
        "  mov %r10, poison_after+72(%rip); mov %r11, poison_after+80(%rip); mov %r12, poison_after+88(%rip)\n"
        "  mov %r13, poison_after+96(%rip); mov %r14, poison_after+104(%rip); mov %r15, poison_after+112(%rip)\n"
        "  mov %rsp, poison_after+120(%rip)\n"
        "  movdqu %xmm7, xmm_after(%rip)\n  stmxcsr mxcsr_after(%rip)\n"
        "  pop %r15; pop %r14; pop %r13; pop %r12; pop %rbx; pop %rbp\n  ret\n");
#else
#define NREGS 7
__asm__(".text\n.globl poison_test\npoison_test:\n"
        "  push %ebp; push %ebx; push %esi; push %edi\n"
        "  movdqu xmm_before, %xmm7\n  mov %esp, poison_sp\n"
        "  mov poison_before+0, %eax; mov poison_before+4, %ebx; mov poison_before+8, %ecx\n"
        "  mov poison_before+12, %edx; mov poison_before+16, %esi; mov poison_before+20, %edi\n"
        "  mov poison_before+24, %ebp\n"
        "  ud2\n"
        "  mov %eax, poison_after+0; mov %ebx, poison_after+4; mov %ecx, poison_after+8\n"
        "  mov %edx, poison_after+12; mov %esi, poison_after+16; mov %edi, poison_after+20\n"
        "  mov %ebp, poison_after+24; mov %esp, poison_after+60\n"
        "  movdqu %xmm7, xmm_after\n  stmxcsr mxcsr_after\n"
        "  pop %edi; pop %esi; pop %ebx; pop %ebp\n  ret\n");
#endif

static void check_registers(void)
{
    sg_sigaction(SG_SIGILL, (void *)clobber_handler, SG_SA_SIGINFO, 0, 0);
    for (int i = 0; i < NREGS; i++)
        poison_before[i] = (uintptr_t)(0x1111111111111111ull * (uint64_t)(i + 1) ^ 0x0123456789abcdefull);
    poison_test();
    int same = 1;
    for (int i = 0; i < NREGS; i++)
        if (poison_after[i] != poison_before[i]) {
            tap_diag("register %d: %#lx, was %#lx", i, (unsigned long)poison_after[i], (unsigned long)poison_before[i]);
            same = 0;
        }
    tap_check(same, "all %d general registers but the stack pointer the same after a handler that clobbered them",
              NREGS);
    tap_eq(poison_after[15], poison_sp, "the stack pointer the same");
    int xmm_same = 1;
    for (int i = 0; i < 16; i++)
        xmm_same &= xmm_after[i] == xmm_before[i];
    tap_check(xmm_same, "xmm7 the same after a handler that set it to all ones");
    tap_eq(mxcsr_after & 0x6000, 0, "MXCSR's rounding control back after a handler that changed it");
    sg_sigaction(SG_SIGILL, (void *)SG_SIG_DFL, 0, 0, 0);
}

/* ---- Default actions and other processes ---- */

static void term_handler(int sig) { (void)sig; sys_exit(7); }

static int run_child(const char *what, int sig_to_send)
{
    char *argv[] = { sg_argv[0], (char *)what, 0 };
    long child = sg_spawn(sg_argv[0], argv);
    if (sig_to_send) {
        long req[2] = { 0, 20000000 };
        sg_syscall(SYS_nanosleep, (long)req, 0, 0, 0, 0, 0);   /* let it install its handler */
        sys_kill((int)child, sig_to_send);
    }
    int status = -1;
    sys_wait4((int)child, &status, 0);
    return status;
}

static void check_processes(void)
{
    int st = run_child("pauser", SG_SIGTERM);
    tap_eq(st, SG_WSTATUS_KILLED(SG_SIGTERM), "kill(child, SIGTERM) without a handler ends it (status %#x)", st);
    st = run_child("catcher", SG_SIGTERM);
    tap_eq(st, SG_WSTATUS_EXITED(7), "kill(child, SIGTERM) runs its handler, which exits 7 (status %#x)", st);
    st = run_child("catcher", SG_SIGKILL);
    tap_eq(st, SG_WSTATUS_KILLED(SG_SIGKILL), "SIGKILL ends it although it handles SIGTERM (status %#x)", st);
    st = run_child("selfkill", 0);
    tap_eq(st, SG_WSTATUS_KILLED(SG_SIGUSR1), "raising SIGUSR1 with the default action ends the process (%#x)", st);
    st = run_child("ignored-segv", 0);
    tap_eq(st, SG_WSTATUS_KILLED(SG_SIGSEGV), "a fault whose signal is blocked still ends the process (%#x)", st);
    st = run_child("tgkill", 0);
    tap_eq(st, SG_WSTATUS_EXITED(0), "tgkill(pid, pid, sig) to itself runs the handler, with SI_TKILL (%#x)", st);
    tap_eq(sys_tgkill(1, 2, SG_SIGTERM), -SG_ESRCH, "tgkill with a thread outside the group: -ESRCH");
}

/* ---- Queued real-time signals, init, the process's timer ----
 * Each case runs in a process of its own (fork): what it queues, blocks,
 * limits or sets goes with it. */

#define RT(n) (SG_SIGRTMIN + (n))
#define RLIMIT_SIGPENDING 11

/* Runs case fn in a forked process: its checks print their own lines,
 * and whether one failed comes back in its exit status. */
static void in_process(const char *hazard, void (*fn)(void))
{
    long pid = sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
    if (pid == 0) {
        int before = tap_failures();
        fn();
        sys_exit(tap_failures() > before ? 1 : 0);
    }
    int status = -1;
    sys_wait4((int)pid, &status, 0);
    tap_eq(status, SG_WSTATUS_EXITED(0), "%s: its process passed every check", hazard);
}

/* What the handlers saw, in the order they ran. */
static volatile int seen_count;
static volatile int seen_sig[8], seen_code[8], seen_pid[8];
static volatile long seen_value[8];

static void seen_handler(int sig, sg_siginfo_t *info, void *uc)
{
    (void)uc;
    int i = seen_count;
    if (i < 8) {
        seen_sig[i] = sig;
        seen_code[i] = info->code;
        seen_pid[i] = info->u.rt.pid;
        seen_value[i] = (long)info->u.rt.value;
    }
    seen_count = i + 1;
}

static void block(uint64_t set) { sys_rt_sigprocmask(SG_SIG_BLOCK, &set, 0); }
static void unblock(uint64_t set) { sys_rt_sigprocmask(SG_SIG_UNBLOCK, &set, 0); }

static uint64_t pending_now(void)
{
    uint64_t set = 0;
    sys_rt_sigpending(&set);
    return set;
}

/* rt_sigtimedwait for the signals of set, at most ms milliseconds. */
static long wait_for(uint64_t set, sg_siginfo_t *info, long ms)
{
    long ts[2] = { ms / 1000, ms % 1000 * 1000000 };
    return sys_rt_sigtimedwait(&set, info, ts);
}

static void rt_queue_case(void)
{
    long self = sys_getpid();
    sg_sigaction(RT(1), (void *)seen_handler, SG_SA_SIGINFO, 0, 0);
    block(SG_SIGSET(RT(1)));
    for (int i = 0; i < 3; i++)
        tap_eq(sg_sigqueue((int)self, RT(1), SG_SI_QUEUE, 101 + i), 0, "sigqueue(self, SIGRTMIN+1, %d)", 101 + i);
    tap_eq(pending_now(), SG_SIGSET(RT(1)), "SIGRTMIN+1 is pending while blocked");
    seen_count = 0;
    unblock(SG_SIGSET(RT(1)));
    tap_eq(seen_count, 3, "all three instances are delivered once unblocked (a real-time signal queues, it does not merge)");
    tap_check(seen_value[0] == 101 && seen_value[1] == 102 && seen_value[2] == 103,
              "... in the order sent, each with its own si_value (%ld %ld %ld)", seen_value[0], seen_value[1],
              seen_value[2]);
    tap_check(seen_code[0] == SG_SI_QUEUE && seen_code[2] == SG_SI_QUEUE && seen_pid[0] == self && seen_pid[2] == self,
              "... with si_code SI_QUEUE and si_pid the sender (%d, %d)", seen_code[0], seen_pid[0]);
    tap_eq(pending_now(), 0, "nothing is left pending");
}

static void rt_order_case(void)
{
    long self = sys_getpid();
    uint64_t set = SG_SIGSET(RT(2)) | SG_SIGSET(RT(5)) | SG_SIGSET(SG_SIGUSR1);
    /* Each handler blocks the others: one runs at a time, in the order
     * the kernel picks them. */
    sg_sigaction(RT(2), (void *)seen_handler, SG_SA_SIGINFO, set, 0);
    sg_sigaction(RT(5), (void *)seen_handler, SG_SA_SIGINFO, set, 0);
    sg_sigaction(SG_SIGUSR1, (void *)seen_handler, SG_SA_SIGINFO, set, 0);
    block(set);
    sg_sigqueue((int)self, RT(5), SG_SI_QUEUE, 1);
    sg_sigqueue((int)self, RT(2), SG_SI_QUEUE, 2);
    sys_kill((int)self, SG_SIGUSR1);
    sg_sigqueue((int)self, RT(5), SG_SI_QUEUE, 3);
    seen_count = 0;
    unblock(set);
    tap_eq(seen_count, 4, "four signals pending, four deliveries");
    tap_check(seen_sig[0] == SG_SIGUSR1 && seen_sig[1] == RT(2) && seen_sig[2] == RT(5) && seen_sig[3] == RT(5),
              "lowest number first, whatever the order sent: SIGUSR1, SIGRTMIN+2, SIGRTMIN+5 twice (%d %d %d %d)",
              seen_sig[0], seen_sig[1], seen_sig[2], seen_sig[3]);
    tap_check(seen_value[1] == 2 && seen_value[2] == 1 && seen_value[3] == 3,
              "... and one number's instances oldest first (values %ld %ld %ld)", seen_value[1], seen_value[2],
              seen_value[3]);
}

static void std_coalesce_case(void)
{
    long self = sys_getpid();
    sg_sigaction(SG_SIGUSR2, (void *)seen_handler, SG_SA_SIGINFO, 0, 0);
    block(SG_SIGSET(SG_SIGUSR2));
    for (int i = 0; i < 3; i++)
        tap_eq(sg_sigqueue((int)self, SG_SIGUSR2, SG_SI_QUEUE, 7 + i), 0, "sigqueue(self, SIGUSR2, %d)", 7 + i);
    seen_count = 0;
    unblock(SG_SIGSET(SG_SIGUSR2));
    tap_eq(seen_count, 1, "a standard signal sent three times while blocked is delivered once (they merge)");
    tap_eq(seen_value[0], 7, "... with the first one's siginfo (Linux keeps the first)");
}

static void forge_case(void)
{
    long self = sys_getpid(), other = sg_syscall(SYS_getppid, 0, 0, 0, 0, 0, 0);
    /* Signal 0: the checks without a signal sent. */
    tap_eq(sg_sigqueue((int)other, 0, SG_SI_USER, 0), -SG_EPERM,
           "rt_sigqueueinfo to another process with si_code SI_USER (forging kill's): -EPERM");
    tap_eq(sg_sigqueue((int)other, 0, SG_SI_KERNEL, 0), -SG_EPERM,
           "... with si_code SI_KERNEL (forging the kernel's): -EPERM");
    tap_eq(sg_sigqueue((int)other, 0, SG_SEGV_MAPERR, 0), -SG_EPERM, "... with a positive si_code (a fault's): -EPERM");
    tap_eq(sg_sigqueue((int)other, 0, SG_SI_TKILL, 0), -SG_EPERM, "... with si_code SI_TKILL (forging tkill's): -EPERM");
    tap_eq(sg_sigqueue((int)other, 0, SG_SI_QUEUE, 0), 0, "... with SI_QUEUE: allowed (signal 0 sends nothing)");
    sg_siginfo_t si;
    memset(&si, 0, sizeof si);
    si.code = SG_SI_USER;
    tap_eq(sys_rt_tgsigqueueinfo((int)other, (int)other, 0, &si), -SG_EPERM,
           "rt_tgsigqueueinfo to another process's thread with SI_USER: -EPERM");
    si.code = SG_SI_QUEUE;
    tap_eq(sys_rt_tgsigqueueinfo((int)other, (int)other, 0, &si), 0, "... with SI_QUEUE: allowed");

    /* To itself a thread may send any si_code. */
    sg_sigaction(SG_SIGUSR1, (void *)seen_handler, SG_SA_SIGINFO, 0, 0);
    seen_count = 0;
    tap_eq(sg_sigqueue((int)self, SG_SIGUSR1, SG_SI_USER, 0), 0, "rt_sigqueueinfo to itself with SI_USER: allowed");
    tap_check(seen_count == 1 && seen_code[0] == SG_SI_USER, "... and delivered with that si_code (%d)", seen_code[0]);
    seen_count = 0;
    si.code = SG_SI_QUEUE;
    si.u.rt.value = 42;
    tap_eq(sys_rt_tgsigqueueinfo((int)self, (int)self, SG_SIGUSR1, &si), 0, "rt_tgsigqueueinfo to itself");
    tap_check(seen_count == 1 && seen_value[0] == 42, "... delivered with its si_value (%ld)", seen_value[0]);

    tap_eq(sg_sigqueue((int)self, 65, SG_SI_QUEUE, 0), -SG_EINVAL, "signal 65: -EINVAL");
    tap_eq(sg_sigqueue(0x7ffffff0, SG_SIGUSR1, SG_SI_QUEUE, 0), -SG_ESRCH, "no such process: -ESRCH");
    tap_eq(sys_rt_sigqueueinfo((int)self, SG_SIGUSR1, (const sg_siginfo_t *)16), -SG_EFAULT, "siginfo at 16: -EFAULT");
    tap_eq(sys_rt_tgsigqueueinfo(0, (int)self, SG_SIGUSR1, &si), -SG_EINVAL, "rt_tgsigqueueinfo with tgid 0: -EINVAL");
    tap_eq(sys_rt_tgsigqueueinfo((int)self, (int)other, SG_SIGUSR1, &si), -SG_ESRCH,
           "rt_tgsigqueueinfo with a tid outside the group: -ESRCH");
}

static void timedwait_case(void)
{
    long self = sys_getpid();
    block(SG_SIGSET(RT(3)));
    sg_sigqueue((int)self, RT(3), SG_SI_QUEUE, 7);
    sg_sigqueue((int)self, RT(3), SG_SI_QUEUE, 8);
    sg_siginfo_t info;
    memset(&info, 0, sizeof info);
    tap_eq(wait_for(SG_SIGSET(RT(3)), &info, 0), RT(3), "rt_sigtimedwait takes SIGRTMIN+3");
    tap_check(info.signo == RT(3) && info.code == SG_SI_QUEUE && info.u.rt.pid == self && info.u.rt.value == 7,
              "... the first instance's siginfo: si_code SI_QUEUE, si_pid, si_value 7 (%d %d %ld)", info.code,
              info.u.rt.pid, (long)info.u.rt.value);
    tap_eq(pending_now(), SG_SIGSET(RT(3)), "the second instance stays pending");
    tap_eq(wait_for(SG_SIGSET(RT(3)), &info, 0), RT(3), "a second rt_sigtimedwait takes it");
    tap_eq(info.u.rt.value, 8, "... with its own si_value");
    tap_eq(pending_now(), 0, "nothing is left pending");
    tap_eq(wait_for(SG_SIGSET(RT(3)), &info, 0), -SG_EAGAIN, "a third finds none: -EAGAIN");
}

static long set_sigpending_limit(uint64_t n)
{
    uint64_t lim[2] = { n, n };
    return sg_syscall(SYS_prlimit64, 0, RLIMIT_SIGPENDING, (long)lim, 0, 0, 0);
}

static void queue_three_and_exit(void)
{
    block(SG_SIGSET(RT(4)));
    for (int i = 0; i < 3; i++)
        sg_sigqueue((int)sys_getpid(), RT(4), SG_SI_QUEUE, i);
}

static void limit_case(void)
{
    long self = sys_getpid();
    /* The count is the system's (every process is root's, as Linux
     * counts per user): a process that ends gives its instances back. */
    in_process("a process ends with three instances queued", queue_three_and_exit);
    tap_eq(set_sigpending_limit(3), 0, "prlimit64(RLIMIT_SIGPENDING, 3)");
    block(SG_SIGSET(RT(4)) | SG_SIGSET(RT(6)));
    int queued = 0;
    for (int i = 0; i < 3; i++)
        queued += sg_sigqueue((int)self, RT(4), SG_SI_QUEUE, i) == 0;
    tap_eq(queued, 3, "three instances fit under the limit (those of the ended process are not counted)");
    tap_eq(sg_sigqueue((int)self, RT(4), SG_SI_QUEUE, 3), -SG_EAGAIN, "a fourth sigqueue is -EAGAIN");
    tap_eq(sys_kill((int)self, RT(6)), 0, "kill of a real-time signal with the queue full: 0");
    sg_siginfo_t info;
    tap_eq(wait_for(SG_SIGSET(RT(6)), &info, 0), RT(6), "... it is pending all the same");
    tap_check(info.code == SG_SI_USER && info.u.rt.pid == 0,
              "... without its siginfo (SI_USER from pid 0, as Linux) (%d %d)", info.code, info.u.rt.pid);
    tap_eq(wait_for(SG_SIGSET(RT(4)), &info, 0), RT(4), "rt_sigtimedwait takes one queued instance");
    tap_eq(sg_sigqueue((int)self, RT(4), SG_SI_QUEUE, 4), 0, "... which makes room for one more");
}

/* ITIMER_REAL is the process's: set in a thread, it outlives it. */
static uint8_t timer_thread_stack[16384] __attribute__((aligned(16)));
static volatile int timer_thread_tid;
static volatile long timer_thread_alarm;

static void itimer_thread(void) { sg_setitimer_us(20000, 0, 0); }
static void alarm_thread(void) { timer_thread_alarm = sys_alarm(7); }

static void thread_timer_case(void)
{
    block(SG_SIGSET(SG_SIGALRM));
    sg_clone_call(SG_THREAD_FLAGS, itimer_thread, timer_thread_stack + sizeof timer_thread_stack, &timer_thread_tid);
    sg_thread_join(&timer_thread_tid);
    sg_siginfo_t info;
    tap_eq(wait_for(SG_SIGSET(SG_SIGALRM), &info, 5000), SG_SIGALRM,
           "a timer set by a thread that has since ended fires: SIGALRM for the process");
    tap_eq(info.code, SG_SI_KERNEL, "... with si_code SI_KERNEL");

    sg_clone_call(SG_THREAD_FLAGS, alarm_thread, timer_thread_stack + sizeof timer_thread_stack, &timer_thread_tid);
    sg_thread_join(&timer_thread_tid);
    tap_eq(timer_thread_alarm, 0, "alarm(7) in a thread: no alarm was set");
    long left = sys_alarm(0);
    tap_check(left == 7 || left == 6, "alarm(0) in the main thread finds the thread's alarm: %ld s left (one timer)", left);
}

static void fork_timer_case(void)
{
    sys_alarm(100);
    long pid = sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
    if (pid == 0)
        sys_exit((int)sys_alarm(0));
    int status = -1;
    sys_wait4((int)pid, &status, 0);
    tap_eq(status, SG_WSTATUS_EXITED(0), "a forked child starts with no timer (its alarm(0) is 0)");
    long left = sys_alarm(0);
    tap_check(left > 90 && left <= 100, "the parent's stays (%ld s left)", left);

    /* execve keeps the process's timer (Linux; POSIX alarm(3)). */
    pid = sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
    if (pid == 0) {
        char *argv[] = { sg_argv[0], "alarm-after-exec", 0 };
        sys_alarm(100);
        sg_syscall(SYS_execve, (long)sg_argv[0], (long)argv, 0, 0, 0, 0);
        sys_exit(99);
    }
    sys_wait4((int)pid, &status, 0);
    tap_eq(status, SG_WSTATUS_EXITED(0), "the timer survives execve (the new program's alarm(0) finds it)");
}

/* testrun, init in the test boots, answers SIGUSR1 with SIGUSR2. */
static void init_case(void)
{
    tap_eq(sys_kill(1, SG_SIGTERM), 0, "kill(1, SIGTERM): 0 (Linux; init has no handler for it: dropped)");
    tap_eq(sys_kill(1, SG_SIGKILL), 0, "kill(1, SIGKILL): 0, dropped too");
    tap_eq(sys_kill(1, SG_SIGSTOP), 0, "kill(1, SIGSTOP): 0, dropped too");
    sys_nanosleep_ms(20);
    tap_eq(sys_kill(1, 0), 0, "init is still there (a SIGKILL that reached it would have ended the machine)");
    block(SG_SIGSET(SG_SIGUSR2));
    tap_eq(sys_kill(1, SG_SIGUSR1), 0, "kill(1, SIGUSR1), which init handles");
    sg_siginfo_t info;
    tap_eq(wait_for(SG_SIGSET(SG_SIGUSR2), &info, 5000), SG_SIGUSR2, "init's handler ran: it answered with SIGUSR2");
    tap_eq(info.u.rt.pid, 1, "... from pid 1");
}

static void check_queued_and_process_wide(void)
{
    in_process("sigqueue x3 of SIGRTMIN+1", rt_queue_case);
    in_process("real-time delivery order", rt_order_case);
    in_process("standard signals merge", std_coalesce_case);
    in_process("rt_(tg)sigqueueinfo's forging rule", forge_case);
    in_process("rt_sigtimedwait takes one instance", timedwait_case);
    in_process("RLIMIT_SIGPENDING", limit_case);
    in_process("ITIMER_REAL is the process's", thread_timer_case);
    in_process("ITIMER_REAL across fork and execve", fork_timer_case);
    if (sys_getpid() == 1)
        tap_skip("this test is init itself", "kill(1, ...)");
    else
        in_process("kill(1, ...)", init_case);
}

/* ---- Job control: stop, continue, SIGCHLD ---- */

#define WUNTRACED  2
#define WSTOPPED   2
#define WEXITED    4
#define WCONTINUED 8
#define WNOHANG    1
#define WNOWAIT    0x01000000
#define P_PID      1

static volatile int chld_count, chld_code, chld_pid, chld_status;
static void chld_handler(int sig, sg_siginfo_t *info, void *uc)
{
    (void)sig, (void)uc;
    chld_count++;
    chld_code = info->code;
    chld_pid = info->u.chld.pid;
    chld_status = info->u.chld.status;
}

static long sys_pipe(int fds[2]) { return sg_syscall(SYS_pipe2, (long)fds, 0, 0, 0, 0, 0); }

/* A forked child running role(), which says "ready" (child_ready) once it
 * has set itself up: fork_child returns after that. */
static int ready_fds[2];
static void child_ready(void) { sys_write(ready_fds[1], "r", 1); }

static long fork_child(int (*role)(void))
{
    sys_pipe(ready_fds);
    long pid = sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
    if (pid == 0)
        sys_exit(role());
    char c;
    sys_read(ready_fds[0], &c, 1);
    sys_close(ready_fds[0]);
    sys_close(ready_fds[1]);
    return pid;
}

static int pauser_role(void)
{
    child_ready();
    while (sys_pause() == -SG_EINTR)
        ;
    return 1;
}

static int exit5_role(void)
{
    child_ready();
    return 5;
}

static void tstp_handler(int sig) { (void)sig; sys_exit(20); }

static int tstp_catcher_role(void)
{
    sg_sigaction(SG_SIGTSTP, (void *)tstp_handler, 0, 0, 0);
    return pauser_role();
}

/* Ignores the terminal's stop signals, then sleeps through them. */
static int tstp_ignorer_role(void)
{
    sg_sigaction(SG_SIGTSTP, (void *)SG_SIG_IGN, 0, 0, 0);
    sg_sigaction(SG_SIGTTIN, (void *)SG_SIG_IGN, 0, 0, 0);
    sg_sigaction(SG_SIGTTOU, (void *)SG_SIG_IGN, 0, 0, 0);
    child_ready();
    long req[2] = { 0, 200000000 };
    return sg_syscall(SYS_nanosleep, (long)req, 0, 0, 0, 0, 0) ? 1 : 0;
}

static int long_sleeper_role(void)
{
    child_ready();
    long req[2] = { 0, 300000000 };
    return sg_syscall(SYS_nanosleep, (long)req, 0, 0, 0, 0, 0) ? 1 : 0;
}

static long wait_opts(long pid, int *status, int options)
{
    return sg_syscall(SYS_wait4, pid, (long)status, options, 0, 0, 0);
}

/* SIGCHLD's news: how many came since `before`, and the last one's fields. */
static int chld_said(int before, int code, long pid, int status)
{
    return chld_count == before + 1 && chld_code == code && chld_pid == pid && chld_status == status;
}

/* SIGSTOP, SIGCONT and the end of a child, seen through wait4 and SIGCHLD. */
static void check_stop_continue(void)
{
    sg_sigaction(SG_SIGCHLD, (void *)chld_handler, SG_SA_SIGINFO | SG_SA_RESTART, 0, 0);
    long child = fork_child(pauser_role);
    int status = 0, before = chld_count;
    tap_eq(sys_kill((int)child, SG_SIGSTOP), 0, "kill(child, SIGSTOP)");
    tap_eq(wait_opts(child, &status, WUNTRACED), child, "wait4(WUNTRACED) reports the stopped child");
    tap_eq(status, 0x137f, "... WIFSTOPPED, WSTOPSIG = SIGSTOP (status %#x)", status);
    tap_check(chld_said(before, SG_CLD_STOPPED, child, SG_SIGSTOP),
              "SIGCHLD came with CLD_STOPPED, si_pid, si_status = SIGSTOP (%d, %d, %d, %d)", chld_count - before,
              chld_code, chld_pid, chld_status);
    tap_eq(wait_opts(child, &status, WUNTRACED | WNOHANG), 0, "the stop is reported once");
    tap_eq(wait_opts(child, &status, WNOHANG), 0, "wait4 without WUNTRACED does not report a stop");
    before = chld_count;
    tap_eq(sys_kill((int)child, SG_SIGCONT), 0, "kill(child, SIGCONT)");
    tap_eq(wait_opts(child, &status, WCONTINUED), child, "wait4(WCONTINUED) reports the continued child");
    tap_eq(status, 0xffff, "... WIFCONTINUED (status %#x)", status);
    tap_check(chld_said(before, SG_CLD_CONTINUED, child, SG_SIGCONT), "SIGCHLD came with CLD_CONTINUED, si_status = "
              "SIGCONT (%d, %d, %d)", chld_count - before, chld_code, chld_status);
    before = chld_count;
    sys_kill((int)child, SG_SIGTERM);
    tap_eq(wait_opts(child, &status, 0), child, "the continued child still takes SIGTERM");
    tap_eq(status, SG_WSTATUS_KILLED(SG_SIGTERM), "... which ends it (status %#x)", status);
    tap_check(chld_said(before, SG_CLD_KILLED, child, SG_SIGTERM), "SIGCHLD came with CLD_KILLED, si_status = SIGTERM");

    before = chld_count;
    child = fork_child(exit5_role);
    tap_eq(wait_opts(child, &status, 0), child, "a child that exits 5 is collected");
    tap_check(chld_said(before, SG_CLD_EXITED, child, 5), "SIGCHLD came with CLD_EXITED, si_status = 5 (%d, %d, %d)",
              chld_count - before, chld_code, chld_status);

    /* A stopped child runs no code: it answers over a pipe only after
     * SIGCONT.  (A child that ran would answer at once.) */
    int to[2], from[2];
    sys_pipe(to);
    sys_pipe(from);
    long pid = sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
    if (pid == 0) {
        char c;
        sys_close(to[1]);
        sys_close(from[0]);
        while (sys_read(to[0], &c, 1) == 1)
            sys_write(from[1], &c, 1);
        sys_exit(0);
    }
    char c = 0;
    sys_kill((int)pid, SG_SIGSTOP);
    wait_opts(pid, &status, WUNTRACED);
    sys_write(to[1], "x", 1);
    sys_fcntl(from[0], F_SETFL, O_NONBLOCK);
    for (int i = 0; i < 20; i++)
        sys_nanosleep_ms(1);
    tap_eq(sys_read(from[0], &c, 1), -SG_EAGAIN, "a stopped child does not answer");
    sys_fcntl(from[0], F_SETFL, 0);
    sys_kill((int)pid, SG_SIGCONT);
    tap_eq(sys_read(from[0], &c, 1), 1, "after SIGCONT it does");
    tap_eq(c, 'x', "... with what it read while stopped");
    sys_close(to[1]);
    tap_eq(wait_opts(pid, &status, 0), pid, "it ends at end of file");
    sys_close(to[0]);
    sys_close(from[0]);
    sys_close(from[1]);

    /* SIGKILL ends a stopped process; SIGTERM waits for SIGCONT. */
    child = fork_child(pauser_role);
    sys_kill((int)child, SG_SIGSTOP);
    wait_opts(child, &status, WUNTRACED);
    sys_kill((int)child, SG_SIGTERM);
    tap_eq(wait_opts(child, &status, WNOHANG), 0, "SIGTERM to a stopped child waits for SIGCONT");
    sys_kill((int)child, SG_SIGKILL);
    tap_eq(wait_opts(child, &status, 0), child, "SIGKILL ends a stopped child");
    tap_eq(status, SG_WSTATUS_KILLED(SG_SIGKILL), "... killed by SIGKILL (status %#x)", status);
    sg_sigaction(SG_SIGCHLD, (void *)SG_SIG_DFL, 0, 0, 0);
}

/* A child in a process group of its own, as a shell puts a job: its
 * parent, in another group of the session, keeps the group from being
 * orphaned (where SIGTSTP, SIGTTIN and SIGTTOU would not stop it). */
static long fork_job(int (*role)(void))
{
    long child = fork_child(role);
    sg_syscall(SYS_setpgid, child, child, 0, 0, 0, 0);
    return child;
}

/* The terminal's stop signals: SIGTSTP stops by default, runs a handler
 * if there is one, nothing if ignored; a sleep goes on after SIGCONT. */
static void check_tstp(void)
{
    int status = 0;
    long child = fork_job(pauser_role);
    sys_kill((int)child, SG_SIGTSTP);
    tap_eq(wait_opts(child, &status, WUNTRACED), child, "SIGTSTP (default action) stops a child");
    tap_eq(status, 0x147f, "... WSTOPSIG = SIGTSTP (status %#x)", status);
    sys_kill((int)child, SG_SIGKILL);
    wait_opts(child, &status, 0);

    child = fork_child(tstp_catcher_role);
    sys_kill((int)child, SG_SIGTSTP);
    tap_eq(wait_opts(child, &status, WUNTRACED), child, "a child with a SIGTSTP handler ...");
    tap_eq(status, SG_WSTATUS_EXITED(20), "... runs it instead of stopping (status %#x)", status);

    child = fork_child(tstp_ignorer_role);
    sys_kill((int)child, SG_SIGTSTP);
    sys_kill((int)child, SG_SIGTTIN);
    sys_kill((int)child, SG_SIGTTOU);
    tap_eq(wait_opts(child, &status, WUNTRACED), child, "a child ignoring SIGTSTP, SIGTTIN, SIGTTOU ...");
    tap_eq(status, SG_WSTATUS_EXITED(0), "... is not stopped by them (status %#x)", status);

    child = fork_child(long_sleeper_role);
    sys_nanosleep_ms(20);       /* most likely asleep by now; if not, it stops before its sleep */
    sys_kill((int)child, SG_SIGSTOP);
    wait_opts(child, &status, WUNTRACED);
    sys_kill((int)child, SG_SIGCONT);
    tap_eq(wait_opts(child, &status, 0), child, "a nanosleep stopped and continued ...");
    tap_eq(status, SG_WSTATUS_EXITED(0), "... goes on and returns 0, not -EINTR (status %#x)", status);
}

/* waitid's WSTOPPED and WCONTINUED, with WNOWAIT; SA_NOCLDSTOP; SIGCHLD
 * ignored or SA_NOCLDWAIT: the children are not kept for wait. */
static void check_waitid_jobs(void)
{
    int32_t info[32];
    int u = SG_BITS == 64 ? 4 : 3;
    long child = fork_child(pauser_role);
    sys_kill((int)child, SG_SIGSTOP);
    memset(info, 0xff, sizeof info);
    tap_eq(sg_syscall(SYS_waitid, P_PID, child, (long)info, WSTOPPED | WNOWAIT, 0, 0), 0, "waitid(WSTOPPED | WNOWAIT)");
    tap_check(info[0] == SG_SIGCHLD && info[2] == SG_CLD_STOPPED && info[u] == child && info[u + 2] == SG_SIGSTOP,
              "siginfo: CLD_STOPPED, the pid, si_status SIGSTOP (%d %d %d)", info[2], info[u], info[u + 2]);
    tap_eq(sg_syscall(SYS_waitid, P_PID, child, (long)info, WSTOPPED, 0, 0), 0, "WNOWAIT left the stop to report again");
    info[0] = -1;
    tap_eq(sg_syscall(SYS_waitid, P_PID, child, (long)info, WSTOPPED | WNOHANG, 0, 0), 0, "then it is reported");
    tap_eq(info[0], 0, "... and the next waitid(WNOHANG) finds nothing (si_signo 0)");
    sys_kill((int)child, SG_SIGCONT);
    tap_eq(sg_syscall(SYS_waitid, P_PID, child, (long)info, WCONTINUED, 0, 0), 0, "waitid(WCONTINUED)");
    tap_check(info[2] == SG_CLD_CONTINUED && info[u + 2] == SG_SIGCONT, "siginfo: CLD_CONTINUED, si_status SIGCONT");
    sys_kill((int)child, SG_SIGKILL);
    tap_eq(sg_syscall(SYS_waitid, P_PID, child, (long)info, WEXITED, 0, 0), 0, "waitid(WEXITED) reaps it");
    tap_check(info[2] == SG_CLD_KILLED && info[u + 2] == SG_SIGKILL, "siginfo: CLD_KILLED, SIGKILL");

    int status, before = chld_count;
    sg_sigaction(SG_SIGCHLD, (void *)chld_handler, SG_SA_SIGINFO | SG_SA_RESTART | SG_SA_NOCLDSTOP, 0, 0);
    child = fork_child(pauser_role);
    sys_kill((int)child, SG_SIGSTOP);
    wait_opts(child, &status, WUNTRACED);
    sys_kill((int)child, SG_SIGCONT);
    wait_opts(child, &status, WCONTINUED);
    tap_eq(chld_count, before, "SA_NOCLDSTOP: no SIGCHLD for a stop or a continue");
    sys_kill((int)child, SG_SIGKILL);
    wait_opts(child, &status, 0);
    tap_eq(chld_count, before + 1, "... but one for the end");

    sg_sigaction(SG_SIGCHLD, (void *)SG_SIG_IGN, 0, 0, 0);
    child = fork_child(exit5_role);
    tap_eq(wait_opts(child, &status, 0), -SG_ECHILD, "SIGCHLD ignored: the child is not kept (wait4 -ECHILD "
                                                     "once it ended)");
    before = chld_count;
    sg_sigaction(SG_SIGCHLD, (void *)chld_handler, SG_SA_SIGINFO | SG_SA_RESTART | SG_SA_NOCLDWAIT, 0, 0);
    child = fork_child(exit5_role);
    tap_eq(wait_opts(child, &status, 0), -SG_ECHILD, "SA_NOCLDWAIT: the child is not kept either");
    tap_eq(chld_count, before + 1, "... but SIGCHLD is sent");
    sg_sigaction(SG_SIGCHLD, (void *)SG_SIG_DFL, 0, 0, 0);
}

/* ---- Job control: orphaned process groups, stops in blocking calls ---- */

#define THREAD_FLAGS (0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000 | 0x100000 | 0x200000)
#define POLLIN 1
#define HANG_BOUND_MS 20000     /* a bound for a hang, never a measurement */

/* A case in a process of its own: its exit status (role's result). */
static int run_role(int (*role)(void))
{
    long pid = sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
    if (pid == 0)
        sys_exit(role());
    int status = -1;
    wait_opts(pid, &status, 0);
    return status;
}

/* Reads n bytes from fd, waiting at most HANG_BOUND_MS for each; how many
 * came. */
static int read_bounded(int fd, char *buf, int n)
{
    int got = 0;
    while (got < n) {
        struct { int fd; short events, revents; } pfd = { fd, POLLIN, 0 };
        if (sg_syscall(SYS_poll, (long)&pfd, 1, HANG_BOUND_MS, 0, 0, 0) != 1 || sys_read(fd, buf + got, 1) != 1)
            break;
        got++;
    }
    return got;
}

/* The signals' handler for the orphan case: one byte per signal. */
static int note_fds[2];
static void note_signal(int sig)
{
    char c = sig == SG_SIGHUP ? 'H' : sig == SG_SIGCONT ? 'C' : '?';
    sys_write(note_fds[1], &c, 1);
}

/* Hazard: a stopped job whose group loses its last parent outside it
 * would stay stopped for ever - nobody in the session can continue it.
 * P, in a group of its own (its parent, this process, in another group:
 * not orphaned), has a child C that stops; P ends, C goes to init, and C's
 * group is orphaned with a stopped member: SIGHUP then SIGCONT to it
 * (POSIX _exit(2); Linux's kill_orphaned_pgrp).  0, or what went wrong. */
static int orphaned_stop_role(void)
{
    int pid_fds[2];
    sys_pipe(note_fds);
    sys_pipe(pid_fds);
    long p = sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
    if (p == 0) {
        sg_syscall(SYS_setpgid, 0, 0, 0, 0, 0, 0);
        long c = sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
        if (c == 0) {
            sg_sigaction(SG_SIGHUP, (void *)note_signal, 0, 0, 0);
            sg_sigaction(SG_SIGCONT, (void *)note_signal, 0, 0, 0);
            sys_kill((int)sys_getpid(), SG_SIGSTOP);
            sys_exit(0);
        }
        int st = 0;
        long r = wait_opts(c, &st, WUNTRACED);
        sys_write(pid_fds[1], &c, sizeof c);
        sys_exit(r == c && st == 0x137f ? 0 : 3);      /* the end that orphans C's group */
    }
    int st = -1;
    if (wait_opts(p, &st, 0) != p || st != 0)
        return 2;
    long c = 0;
    sys_read(pid_fds[0], &c, sizeof c);
    char got[2] = { 0, 0 };
    int n = read_bounded(note_fds[0], got, 2);
    if (n < 2) {
        sys_kill((int)c, SG_SIGKILL);
        return 10 + n;
    }
    return (got[0] == 'H' || got[1] == 'H') && (got[0] == 'C' || got[1] == 'C') ? 0 : 4;
}

/* Hazard: in an orphaned group a terminal stop signal's default action
 * would stop a process that nobody continues: SIGTSTP, SIGTTIN and SIGTTOU
 * are discarded there (POSIX; Linux's get_signal), SIGSTOP still stops.
 * After setsid this process's group is orphaned (its parent is in another
 * session); each child gets the stop signal and then SIGPROF (27, taken
 * after it): killed by SIGPROF means the stop signal did nothing. */
static int orphaned_tstp_role(void)
{
    static const int sigs[] = { SG_SIGTSTP, SG_SIGTTIN, SG_SIGTTOU };
    if (sg_syscall(SYS_setsid, 0, 0, 0, 0, 0, 0) != sys_getpid())
        return 2;
    for (int i = 0; i < 3; i++) {
        long c = fork_child(pauser_role);
        sys_kill((int)c, sigs[i]);
        sys_kill((int)c, SG_SIGPROF);
        int st = 0;
        if (wait_opts(c, &st, WUNTRACED) != c || st != SG_WSTATUS_KILLED(SG_SIGPROF)) {
            sys_kill((int)c, SG_SIGKILL);
            return 10 + i;
        }
    }
    long c = fork_child(pauser_role);
    sys_kill((int)c, SG_SIGSTOP);
    int st = 0;
    long r = wait_opts(c, &st, WUNTRACED);
    sys_kill((int)c, SG_SIGKILL);
    wait_opts(c, &st, 0);
    return r == c ? 0 : 3;
}

/* A child blocked in read() on an empty pipe (or in nanosleep, wait4,
 * poll): SIGSTOP wakes it, its call stops it (Linux: -ERESTARTSYS, then
 * the stop in signal handling), wait4(WUNTRACED) sees it stopped, and
 * after SIGCONT the call goes on: the read returns the data written
 * meanwhile, the sleep returns 0, wait4 its child, poll the data - never
 * -EINTR, no handler having run. */
static int data_fds[2], result_fds[2];

static int blocked_reader_role(void)
{
    char buf[8];
    child_ready();
    long n = sys_read(data_fds[0], buf, sizeof buf);
    sys_write(result_fds[1], &n, sizeof n);
    return n == 4 && !memcmp(buf, "data", 4) ? 0 : 1;
}

static int blocked_sleeper_role(void)
{
    long req[2] = { 0, 200000000 }, rem[2] = { -1, -1 };
    child_ready();
    long r = sg_syscall(SYS_nanosleep, (long)req, (long)rem, 0, 0, 0, 0);
    sys_write(result_fds[1], &r, sizeof r);
    return r == 0 ? 0 : 1;
}

/* wait4 for a grandchild that ends once "data" is written. */
static int blocked_waiter_role(void)
{
    long g = sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
    if (g == 0) {
        char buf[8];
        sys_exit(sys_read(data_fds[0], buf, sizeof buf) == 4 ? 0 : 1);
    }
    child_ready();
    int st = -1;
    long r = wait_opts(g, &st, 0);
    sys_write(result_fds[1], &r, sizeof r);
    return r == g && st == 0 ? 0 : 1;
}

/* poll with a timeout far beyond the test (it goes on with its deadline). */
static int blocked_poller_role(void)
{
    struct { int fd; short events, revents; } pfd = { data_fds[0], POLLIN, 0 };
    child_ready();
    long r = sg_syscall(SYS_poll, (long)&pfd, 1, 10 * HANG_BOUND_MS, 0, 0, 0);
    sys_write(result_fds[1], &r, sizeof r);
    return r == 1 && pfd.revents == POLLIN ? 0 : 1;
}

/* rt_sigtimedwait for SIGUSR2 with a long timeout: after a stop and
 * SIGCONT it fails with -EINTR, as Linux's does (signal(7), "Interruption
 * of system calls and library functions by stop signals") - neither
 * restarted for its whole timeout nor stopped for ever. */
static int blocked_sigwaiter_role(void)
{
    uint64_t set = SG_SIGSET(SG_SIGUSR2);
    long ts[2] = { 10 * HANG_BOUND_MS / 1000, 0 };
    sys_rt_sigprocmask(SG_SIG_BLOCK, &set, 0);
    child_ready();
    long r = sys_rt_sigtimedwait(&set, 0, ts);
    long report = r == -SG_EINTR ? 0 : -1;      /* stop_blocked: negative is a failure */
    sys_write(result_fds[1], &report, sizeof report);
    return r == -SG_EINTR ? 0 : 1;
}

/* Hazard: a thread blocked in a call must stop with its group - not run
 * on (and consume input) until it happens to return to user mode.  C's
 * second thread blocks in read() on pipe B while its main thread blocks in
 * read() on pipe A.  After SIGSTOP and wait4(WUNTRACED), a byte written to
 * B must stay there (the thread is stopped, not blocked); after SIGCONT
 * both reads complete with the data. */
static uint8_t reader_stack[16384] __attribute__((aligned(16)));
static volatile int reader_tid;
static int b_fds[2];
static void second_reader(void)
{
    char c = 0;
    long n = sys_read(b_fds[0], &c, 1);
    long report = n == 1 && c == 'b' ? 100 : -100 + n;
    sys_write(result_fds[1], &report, sizeof report);
}

/* The second thread in rt_sigtimedwait: a group stop taken by the main
 * thread must end its wait too (-EINTR once continued, as Linux's). */
static void second_sigwaiter(void)
{
    uint64_t set = SG_SIGSET(SG_SIGUSR2);
    long ts[2] = { 10 * HANG_BOUND_MS / 1000, 0 };
    sys_rt_sigprocmask(SG_SIG_BLOCK, &set, 0);
    long r = sys_rt_sigtimedwait(&set, 0, ts);
    long report = r == -SG_EINTR ? 100 : -1;
    sys_write(result_fds[1], &report, sizeof report);
}

static int with_second_thread(void (*body)(void))
{
    sg_clone_call(THREAD_FLAGS, body, reader_stack + sizeof reader_stack, &reader_tid);
    int r = blocked_reader_role();
    /* pthread_join's wait (CLEARTID), before the exit that ends both. */
    for (int t; (t = reader_tid) != 0;)
        sg_syscall(SYS_futex, (long)&reader_tid, 0 /* FUTEX_WAIT */, t, 0, 0, 0);
    return r;
}

static int two_readers_role(void) { return with_second_thread(second_reader); }
static int reader_and_sigwaiter_role(void) { return with_second_thread(second_sigwaiter); }

/* Forks role's child, waits until it is blocked in its call, stops it and
 * continues it: 0, or what went wrong. */
/* threads: 0 one thread; 1 a second thread reading pipe B (checked to
 * leave a byte there while stopped); 2 a second thread in rt_sigtimedwait. */
static int stop_blocked(int (*role)(void), int threads)
{
    sys_pipe(data_fds);
    sys_pipe(result_fds);
    sys_pipe(b_fds);
    long c = fork_child(role);
    sys_nanosleep_ms(20);       /* its call blocks at once; this is only slack */
    int st = 0, fails = 0;
    sys_kill((int)c, SG_SIGSTOP);
    /* wait4(WUNTRACED), bounded: a child that never stops fails. */
    long r0 = 0;
    for (int i = 0; i < HANG_BOUND_MS / 10 && (r0 = wait_opts(c, &st, WUNTRACED | WNOHANG)) == 0; i++)
        sys_nanosleep_ms(10);
    if (r0 != c || st != 0x137f)
        fails |= 1;
    if (threads == 1) {
        /* A stopped thread leaves the byte in pipe B. */
        char b = 'b';
        sys_write(b_fds[1], &b, 1);
        for (int i = 0; i < 20; i++)
            sys_nanosleep_ms(1);
        sys_fcntl(b_fds[0], F_SETFL, O_NONBLOCK);
        if (sys_read(b_fds[0], &b, 1) != 1)
            fails |= 2;
        sys_fcntl(b_fds[0], F_SETFL, 0);
        sys_write(b_fds[1], "b", 1);
    }
    sys_write(data_fds[1], "data", 4);
    sys_kill((int)c, SG_SIGCONT);
    long r[2] = { -1, -1 };
    for (int i = 0; i < (threads ? 2 : 1); i++)
        if (read_bounded(result_fds[0], (char *)&r[i], sizeof r[i]) != sizeof r[i])
            fails |= 4;
    sys_kill((int)c, SG_SIGKILL);
    wait_opts(c, &st, 0);
    if (r[0] < 0 || (threads && r[1] < 0))
        fails |= 8;
    for (int i = 0; i < 2; i++) {
        sys_close(data_fds[i]);
        sys_close(result_fds[i]);
        sys_close(b_fds[i]);
    }
    return fails;
}

static int blocked_read_case(void) { return stop_blocked(blocked_reader_role, 0); }
static int blocked_sleep_case(void) { return stop_blocked(blocked_sleeper_role, 0); }
static int blocked_threads_case(void) { return stop_blocked(two_readers_role, 1); }
static int blocked_wait_case(void) { return stop_blocked(blocked_waiter_role, 0); }
static int blocked_poll_case(void) { return stop_blocked(blocked_poller_role, 0); }
static int blocked_sigwait_case(void) { return stop_blocked(blocked_sigwaiter_role, 0); }
static int thread_sigwait_case(void) { return stop_blocked(reader_and_sigwaiter_role, 2); }

/* Hazard: a session's jobs would keep the terminal after the shell that
 * controls it has gone.  The controlling process's end hangs up the
 * terminal's foreground group - SIGHUP - and the terminal is no longer
 * the session's (POSIX _exit(2); Linux's disassociate_ctty).  T makes a
 * session, takes the console as its controlling terminal (TIOCSCTTY), puts
 * its child C's group in the foreground and ends; C's SIGHUP handler
 * notes 'H', then TIOCGPGRP must fail (-ENOTTY: no controlling terminal)
 * and C notes 'N'. */
static volatile int hup_seen;
static void hup_handler(int sig) { (void)sig; hup_seen = 1; }

static int session_end_role(void)
{
    sys_pipe(note_fds);
    long t = sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
    if (t == 0) {
        if (sg_syscall(SYS_setsid, 0, 0, 0, 0, 0, 0) < 0 || sys_ioctl(0, TIOCSCTTY, 0) != 0)
            sys_exit(3);
        long c = sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
        if (c == 0) {
            sg_sigaction(SG_SIGHUP, (void *)hup_handler, 0, 0, 0);
            sg_syscall(SYS_setpgid, 0, 0, 0, 0, 0, 0);
            sys_write(note_fds[1], "r", 1);
            while (!hup_seen)
                sys_pause();
            int pgrp = 0;
            sys_write(note_fds[1], "H", 1);
            if (sys_ioctl(0, TIOCGPGRP, &pgrp) == -SG_ENOTTY)
                sys_write(note_fds[1], "N", 1);
            sys_exit(0);
        }
        char r;
        sys_read(note_fds[0], &r, 1);
        int group = (int)c;
        sg_syscall(SYS_setpgid, c, c, 0, 0, 0, 0);
        sys_exit(sys_ioctl(0, TIOCSPGRP, &group) == 0 ? 0 : 4);     /* the controlling process ends */
    }
    int st = -1;
    if (wait_opts(t, &st, 0) != t || st != 0)
        return 2;
    char got[2] = { 0, 0 };
    int n = read_bounded(note_fds[0], got, 2);
    return n == 2 && got[0] == 'H' && got[1] == 'N' ? 0 : 10 + n;
}

/* Hazard: a process of an orphaned background group that uses the
 * terminal would get SIGTTIN or SIGTTOU, which nobody would ever follow
 * with SIGCONT: its read, its write under TOSTOP and its TCSETS fail with
 * -EIO instead (Linux's __tty_check_change, n_tty_read).  T makes a
 * session with the console as its terminal, its group in the foreground;
 * C, in a group of its own, has a child D and ends: D's group is orphaned
 * and in the background.  D reports the three results ('E' each -EIO). */
static int orphaned_tty_role(void)
{
    int go[2];
    sys_pipe(note_fds);
    sys_pipe(go);
    long t = sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
    if (t == 0) {
        struct termios saved, t2;
        if (sg_syscall(SYS_setsid, 0, 0, 0, 0, 0, 0) < 0 || sys_ioctl(0, TIOCSCTTY, 0) != 0 ||
            sys_ioctl(0, TCGETS, &saved) != 0)
            sys_exit(3);
        t2 = saved;
        t2.c_lflag |= TOSTOP;
        sys_ioctl(0, TCSETS, &t2);
        long c = sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
        if (c == 0) {
            sg_syscall(SYS_setpgid, 0, 0, 0, 0, 0, 0);
            if (sg_syscall(SYS_fork, 0, 0, 0, 0, 0, 0) == 0) {
                char b, res[3];
                sys_read(go[0], &b, 1);         /* once C has ended */
                res[0] = sys_read(0, &b, 1) == -SG_EIO ? 'E' : 'r';
                res[1] = sys_write(1, "", 0) == -SG_EIO ? 'E' : 'w';
                res[2] = sys_ioctl(0, TCSETS, &t2) == -SG_EIO ? 'E' : 's';
                sys_write(note_fds[1], res, 3);
                sys_exit(0);
            }
            sys_exit(0);
        }
        int st;
        wait_opts(c, &st, 0);
        sys_write(go[1], "g", 1);
        char res[3];
        int n = read_bounded(note_fds[0], res, 3);
        sys_ioctl(0, TCSETS, &saved);
        sys_write(note_fds[1], res, (size_t)n);
        sys_exit(n == 3 ? 0 : 4);
    }
    int st = -1;
    if (wait_opts(t, &st, 0) != t || st != 0)
        return 2;
    char got[3] = { 0, 0, 0 };
    int n = read_bounded(note_fds[0], got, 3);
    return n == 3 && !memcmp(got, "EEE", 3) ? 0 : 10 + (got[0] == 'E') + 2 * (got[1] == 'E') + 4 * (got[2] == 'E');
}

/* Each case in a process of its own; 0 is a pass, anything else says
 * what went wrong. */
static const struct {
    int (*role)(void);
    const char *what;
} job_cases[] = {
    { orphaned_stop_role, "a stopped child whose group its parent's end orphans gets SIGHUP and SIGCONT" },
    { orphaned_tstp_role, "in an orphaned group SIGTSTP, SIGTTIN, SIGTTOU do not stop (discarded), SIGSTOP does" },
    { session_end_role, "the controlling process's end sends SIGHUP to the terminal's foreground group and the "
                        "terminal leaves the session (TIOCGPGRP -ENOTTY)" },
    { orphaned_tty_role, "in an orphaned background group, a read of the terminal, a write under TOSTOP and TCSETS "
                         "are -EIO, not SIGTTIN/SIGTTOU" },
    { blocked_read_case, "a child blocked in read() of an empty pipe stops (wait4 WUNTRACED) and, continued, reads "
                         "the data, no -EINTR" },
    { blocked_sleep_case, "a child blocked in nanosleep stops and, continued, sleeps on and returns 0" },
    { blocked_wait_case, "a child blocked in wait4 stops and, continued, collects its child" },
    { blocked_poll_case, "a child blocked in poll with a timeout stops and, continued, sees the data written "
                         "meanwhile" },
    { blocked_sigwait_case, "a child in rt_sigtimedwait stops and, continued, fails with -EINTR as on Linux" },
    { thread_sigwait_case, "a group stop taken by one thread ends another's rt_sigtimedwait: both stop (wait4 "
                           "WUNTRACED), continued it fails with -EINTR" },
    { blocked_threads_case, "every thread of a stopped child stops in its blocked read (a byte for one stays in "
                            "its pipe), and both reads complete after SIGCONT" },
};

static void check_job_control(void)
{
    for (unsigned i = 0; i < sizeof job_cases / sizeof job_cases[0]; i++) {
        int st = run_role(job_cases[i].role);
        tap_eq(st, 0, "%s (status %#x)", job_cases[i].what, st);
    }
}

static int child_case(const char *name)
{
    if (!strcmp(name, "pauser")) {
        for (;;)
            sys_pause();
    }
    if (!strcmp(name, "catcher")) {
        sg_sigaction(SG_SIGTERM, (void *)term_handler, 0, 0, 0);
        for (;;)
            sys_pause();
    }
    if (!strcmp(name, "selfkill")) {
        sys_kill((int)sys_getpid(), SG_SIGUSR1);
        return 1;
    }
    if (!strcmp(name, "ignored-segv")) {
        uint64_t set = SG_SIGSET(SG_SIGSEGV);
        sg_sigaction(SG_SIGSEGV, (void *)fault_handler, SG_SA_SIGINFO, 0, 0);
        sys_rt_sigprocmask(SG_SIG_BLOCK, &set, 0);
        do_segv();
        return 1;
    }
    if (!strcmp(name, "alarm-after-exec")) {
        long left = sys_alarm(0);
        return left > 90 && left <= 100 ? 0 : 2;
    }
    if (!strcmp(name, "tgkill")) {
        fault_code = 0;
        sg_sigaction(SG_SIGUSR1, (void *)fault_handler, SG_SA_SIGINFO, 0, 0);
        sys_tgkill((int)sys_getpid(), (int)sys_getpid(), SG_SIGUSR1);
        return fault_code == SG_SI_TKILL ? 0 : 2;
    }
    return 3;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return child_case(argv[1]);
    tap_begin("signals");
    check_entry();
    check_old_frame();
    check_masks();
    check_altstack();
    check_faults();
    check_registers();
    check_suspend_and_timers();
    check_interrupted();
    check_processes();
    check_queued_and_process_wide();
    check_stop_continue();
    check_tstp();
    check_waitid_jobs();
    check_job_control();
    return tap_end();
}
