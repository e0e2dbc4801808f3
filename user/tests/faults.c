/*
 * faults: a program that faults is killed - only it - with the signal
 * Linux would report, and the kernel carries on.  Every case runs in a
 * child process of its own (this program again, with the case name in
 * argv[1]); the parent checks how each child ended and that the kernel
 * still answers afterwards.  Built for both widths; a 32-bit program runs
 * the 32-bit form of each instruction.
 */
#include "../lib/tap.h"
#include <sysgate/kip.h>

struct fault_case {
    const char *name;
    const char *hazard;
    int signal;
    void (*run)(void);
    int door;           /* the exception door whose stub the case copies (0: none) */
};

static void do_ud2(void) { __asm__ volatile("ud2"); }
static void do_hlt(void) { __asm__ volatile("hlt"); }
static void do_cli(void) { __asm__ volatile("cli"); }
static void do_out(void) { __asm__ volatile("outb %%al, $0x80" ::"a"(0)); }
static void do_rdmsr(void) { __asm__ volatile("rdmsr" ::"c"(0xc0000101) : "rax", "rdx"); }
static void do_mov_cr3(void) { __asm__ volatile("mov %0, %%cr3" ::"r"((uintptr_t)0)); }
static void do_null_read(void) { (void)*(volatile long *)0; }
#ifdef __x86_64__
static void do_kernel_read(void) { (void)*(volatile long *)0xffffffff80100000ul; }
static void do_kernel_write(void) { *(volatile long *)0xffff800000100000ul = 1; }
static void do_noncanonical(void) { (void)*(volatile long *)0x0000800000000000ul; }
#else
/* A 32-bit program cannot name the kernel: the nearest it gets is a far
 * jump to the kernel's 64-bit code selector, tried below. */
static void do_kernel_read(void) { (void)*(volatile long *)0xfffff000ul; }
static void do_kernel_write(void) { *(volatile long *)0xfffff000ul = 1; }
static void do_noncanonical(void) { __asm__ volatile("mov 0x8, %%eax" ::: "eax"); }
#endif
static void do_text_write(void) { *(volatile unsigned char *)do_ud2 = 0xc3; }
static void do_kip_write(void) { *(volatile long *)sg_kip = 0; }
static void do_int3(void) { __asm__ volatile("int3"); }
static void do_int_3(void) { __asm__ volatile(".byte 0xcd, 0x03"); }   /* int $3: CD 03, also #BP */

/* The exception doors' instruction outside their stub is no call
 * (kernel/entry/exception_doors.c): `n` bytes of code at the end of an
 * executable page, the next page unmapped, then called with a system
 * call's number in the registers (getpid: it would return, not fault). */
static void run_at_page_end(const void *code, unsigned n, int at_page_end)
{
    const long page = 4096;
    char *p = (char *)sys_mmap(0, 2 * page, SG_PROT_READ | SG_PROT_WRITE | SG_PROT_EXEC,
                               SG_MAP_PRIVATE | SG_MAP_ANONYMOUS, -1, 0);
    if ((long)p < 0 && (long)p > -4096)
        return;
    char *at = at_page_end ? p + page - n : p + 64;
    memcpy(at, code, n);
    sys_munmap(p + page, page);
    __asm__ volatile("call *%1" ::"a"(SYS_getpid), "r"(at) : "memory", "cc"
#ifdef __x86_64__
                     , "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11"
#else
                     , "ecx", "edx"
#endif
    );
}
/* A copy of an exception door's stub (its first 16 bytes: the
 * instruction, the return, divide's zero divisor) elsewhere - the same
 * bytes, the wrong place - in a page, or at its end. */
static void run_stub_copy(int mech, int at_page_end)
{
    const void *stub = (const void *)sg_kip_stub(mech);
    if (stub)
        run_at_page_end(stub, 16, at_page_end);
}
static void do_int3_stub_copy(void) { run_stub_copy(SG_MECH_INT3, 0); }
static void do_int3n_stub_copy(void) { run_stub_copy(SG_MECH_INT3N, 0); }
static void do_divide_stub_copy(void) { run_stub_copy(SG_MECH_DIVIDE, 0); }
static void do_divide_stub_page_end(void) { run_stub_copy(SG_MECH_DIVIDE, 1); }
static void do_hlt_stub_copy(void) { run_stub_copy(SG_MECH_HLT, 0); }
/* The instruction alone as a page's last byte, the next page unmapped:
 * int3's saved RIP (a trap) is then the unmapped page's first byte. */
static void do_int3_page_end(void)
{
    static const unsigned char int3 = 0xcc;
    run_at_page_end(&int3, 1, 1);
}
/* int $3 (CD 03) as a page's last two bytes: its saved RIP is the
 * unmapped page's first byte too. */
static void do_int_3_page_end(void)
{
    static const unsigned char int_3[2] = { 0xcd, 0x03 };
    run_at_page_end(int_3, 2, 1);
}
static void do_hlt_page_end(void)
{
    static const unsigned char hlt = 0xf4;
    run_at_page_end(&hlt, 1, 1);
}
/* rdtsc with this thread's TSD armed (prctl, as the rdtsc door's stub
 * does): a copy of the stub, or rdtsc as a page's last two bytes, is the
 * process's #GP - SIGSEGV, as Linux's PR_TSC_SIGSEGV. */
static void arm_tsc(void)
{
    sg_syscall(SYS_prctl, SG_PR_SET_TSC, SG_PR_TSC_SIGSEGV, 0, 0, 0, 0);
}
static void do_rdtsc_stub_copy(void)
{
    arm_tsc();
    run_stub_copy(SG_MECH_RDTSC, 0);
}
static void do_rdtsc_page_end(void)
{
    static const unsigned char rdtsc[2] = { 0x0f, 0x31 };
    arm_tsc();
    run_at_page_end(rdtsc, 2, 1);
}
/* The umip door's stub copied: where the door exists (UMIP), #GP. */
static void do_umip_stub_copy(void) { run_stub_copy(SG_MECH_UMIP, 0); }
/* The cpuid and icebp doors' stubs copied, where they exist: cpuid armed
 * first (the copy's cpuid faults), icebp a #DB - SIGTRAP. */
static void do_cpuid_stub_copy(void)
{
    sg_syscall(SYS_arch_prctl, SG_ARCH_SET_CPUID, 0, 0, 0, 0, 0);
    run_stub_copy(SG_MECH_CPUID, 0);
}
static void do_icebp_stub_copy(void) { run_stub_copy(SG_MECH_ICEBP, 0); }
#ifndef __x86_64__
/* bound against [1, 0], in the program: #BR, SIGSEGV as on Linux. */
static void do_bound(void)
{
    static const int32_t range[2] = { 1, 0 };
    __asm__ volatile("bound %0, %1" ::"r"(0), "m"(range));
}
static void do_bound_stub_copy(void) { run_stub_copy(SG_MECH_BOUND, 0); }
/* into with OF set (0x7f + 1 overflows), in the program: #OF, SIGSEGV as
 * on Linux. */
static void do_into(void)
{
    __asm__ volatile("mov $0x7f, %%al\n add $1, %%al\n into" ::: "eax", "cc");
}
static void do_into_stub_copy(void) { run_stub_copy(SG_MECH_INTO, 0); }
#endif
/* The page-fault door (SG_PF_*, include/sysgate/abi.h): the range is no
 * access for anything but the stub's two loads.  A load of getpid's byte
 * from the program, a write to it, the bytes just outside the range, and a
 * copy of the stub elsewhere are all the process's SIGSEGV; so is the
 * stub's own load jumped into with an address its recognition does not
 * expect there (the first load naming the last byte; the second load -
 * 64-bit: its base in r11 - naming another). */
static uintptr_t pf_base(void) { return SG_BITS == 64 ? (uintptr_t)SG_PF_BASE64 : (uintptr_t)SG_PF_BASE32; }
static void do_pf_load(void) { (void)*(volatile char *)(pf_base() + SYS_getpid); }
static void do_pf_write(void) { *(volatile char *)(pf_base() + SYS_getpid) = 0; }
static void do_pf_below(void) { (void)*(volatile char *)(pf_base() - 1); }
static void do_pf_past(void) { (void)*(volatile char *)(pf_base() + SG_PF_RANGE); }
static void do_pf_stub_copy(void)
{
    const void *stub = (const void *)sg_kip_stub(SG_MECH_PF);
    if (stub)
        run_at_page_end(stub, 80, 0);   /* the whole stub, both loads and their rets */
}
/* Jump to the stub's instruction at `offset` (kernel/kip/vdso/kip_stubs.S,
 * kip32_stubs.S) with rax and (64-bit) r11 given; the stub's saves were
 * skipped, so a call would return with whatever the stack (32-bit) or the
 * red zone (64-bit) holds. */
static void jump_into_pf_stub(unsigned offset, uintptr_t rax, uintptr_t r11)
{
    uintptr_t at = sg_kip_stub(SG_MECH_PF) + offset;
#ifdef __x86_64__
    __asm__ volatile("mov %2, %%r11\n call *%1" ::"a"(rax), "r"(at), "r"(r11) : "r11", "memory");
#else
    (void)r11;
    __asm__ volatile("call *%1" ::"a"(rax), "r"(at) : "memory");
#endif
}
static void do_pf_first_load_last_byte(void)
{
    jump_into_pf_stub(SG_BITS == 64 ? 29 : 8, SG_PF_RANGE - 1, (uintptr_t)SG_PF_BASE64);
}
#ifdef __x86_64__
static void do_pf_second_load_other_byte(void) { jump_into_pf_stub(46, 0, (uintptr_t)SG_PF_BASE64 - 1); }
#endif
/* The nm door's stub elsewhere: its fwait runs (this process's TS is
 * clear), then its load from the pf range's last byte faults outside the
 * stub - no call, no arming. */
static void do_nm_stub_copy(void) { run_stub_copy(SG_MECH_NM, 0); }
/* EFLAGS.AC set, then a 4-byte load 1 byte into an aligned word: #AC
 * only while CR0.AM is set for this process (its ac door armed). */
static void unaligned_with_ac(void)
{
    static const uint32_t words[2] __attribute__((aligned(8))) = { 1, 2 };
    uint32_t v;
#ifdef __x86_64__
    __asm__ volatile("pushfq\n orl $0x40000, (%%rsp)\n popfq\n movl 1(%1), %0\n"
                     "pushfq\n andl $~0x40000, (%%rsp)\n popfq" : "=r"(v) : "r"(words) : "memory", "cc");
#else
    __asm__ volatile("pushfl\n orl $0x40000, (%%esp)\n popfl\n movl 1(%1), %0\n"
                     "pushfl\n andl $~0x40000, (%%esp)\n popfl" : "=r"(v) : "r"(words) : "memory", "cc");
#endif
    (void)v;
}
static void do_ac_unaligned(void) { unaligned_with_ac(); }
static void do_ac_armed_unaligned(void)
{
    if (sg_syscall_via(SG_MECH_AC, SYS_getpid, 0, 0, 0, 0, 0, 0) == sys_getpid())
        unaligned_with_ac();
}
static void do_ac_stub_copy(void) { run_stub_copy(SG_MECH_AC, 0); }
static void do_int_0d(void) { __asm__ volatile("int $0x0d"); }
static void do_int_81(void) { __asm__ volatile("int $0x81"); }
static void do_far_jump_kernel(void)
{
    /* A far jump to the kernel's code selector: #GP (SDM vol. 3A 5.8.1).
     * The m16:32 form, which both widths and both vendors decode alike. */
    static const struct { uint32_t offset; uint16_t sel; } __attribute__((packed)) target = { 0x1000, 0x08 };
    __asm__ volatile("ljmp *%0" ::"m"(target));
}
static void do_divide(void)
{
    /* In assembly: the compiler may rewrite 1 / x without a divide. */
    __asm__ volatile("xor %%ecx, %%ecx; mov $1, %%eax; cltd; idivl %%ecx" ::: "rax", "rcx", "rdx");
}
static void do_exec_stack(void)
{
    unsigned char code[16] = { 0xc3 };  /* ret, on the NX stack */
    ((void (*)(void))code)();
}
static void (*volatile recurse)(void);
static void grow_stack(void)
{
    volatile char pad[1024];
    pad[0] = 1;
    recurse();
    pad[1] = pad[0];
}
static void do_stack_overflow(void)
{
    recurse = grow_stack;
    grow_stack();
}
#ifdef __x86_64__
static void do_bad_rsp(void)
{
    /* Push with a non-canonical stack pointer: #SS (SDM vol. 3A 6.15). */
    __asm__ volatile("mov %0, %%rsp; push %%rax" ::"r"(0x0000900000000000ul));
}
static void do_iret_to_ring0(void)
{
    /* iretq to a ring-0 code selector from ring 3: #GP. */
    __asm__ volatile("push $0x10; push %%rsp; pushf; push $0x08; push $0; iretq" ::: "memory");
}
#else
static void do_bad_rsp(void)
{
    /* Push with the stack pointer in an unmapped page. */
    __asm__ volatile("mov %0, %%esp; push %%eax" ::"r"(0x10000000u));
}
static void do_iret_to_ring0(void)
{
    __asm__ volatile("push $0x10; push %%esp; pushf; push $0x08; push $0; iretl" ::: "memory");
}
#endif

/* The descriptor-table instructions UMIP keeps from ring 3 (Intel SDM
 * vol. 3A 2.5, CR4.UMIP): without it they would tell user code where the
 * kernel's GDT and IDT are. */
static void do_sgdt(void)
{
    struct { uint16_t limit; uintptr_t base; } __attribute__((packed)) gdtr;
    __asm__ volatile("sgdt %0" : "=m"(gdtr));
}
static void do_sidt(void)
{
    struct { uint16_t limit; uintptr_t base; } __attribute__((packed)) idtr;
    __asm__ volatile("sidt %0" : "=m"(idtr));
}

/* Alignment checks: outcomes that depend on the ac door (main). */
static const struct fault_case ac_cases[] = {
    { "ac_unaligned", "EFLAGS.AC and an unaligned load in a process that never called the ac door", 0,
      do_ac_unaligned, 0 },
    { "ac_armed_unaligned", "EFLAGS.AC and an unaligned load after a call through the ac door", SG_SIGBUS,
      do_ac_armed_unaligned, SG_MECH_AC },
};

static void do_smsw(void)
{
    unsigned long msw;
    __asm__ volatile("smsw %0" : "=r"(msw));
}

/* Linux emulates sgdt, sidt and smsw for user programs where UMIP is on
 * (its arch/x86/kernel/umip.c: dummy values); sysgate does not - they are
 * the process's #GP, SIGSEGV, except inside the umip door's stub. */
static const struct fault_case umip_cases[] = {
    { "sgdt", "sgdt (where is the GDT?)", SG_SIGSEGV, do_sgdt, 0 },
    { "sidt", "sidt (where is the IDT?)", SG_SIGSEGV, do_sidt, 0 },
    { "smsw", "smsw (the machine status word)", SG_SIGSEGV, do_smsw, 0 },
};
#define NUMIP (sizeof umip_cases / sizeof umip_cases[0])

static const struct fault_case cases[] = {
    { "ud2", "invalid opcode", SG_SIGILL, do_ud2, 0 },
    { "hlt", "privileged instruction hlt", SG_SIGSEGV, do_hlt, 0 },
    { "cli", "cli with IOPL 0", SG_SIGSEGV, do_cli, 0 },
    { "hlt_stub_copy", "a copy of the hlt door's stub outside the interface page", SG_SIGSEGV, do_hlt_stub_copy,
      SG_MECH_HLT },
    { "hlt_page_end", "hlt as the last byte before an unmapped page", SG_SIGSEGV, do_hlt_page_end, 0 },
    { "out", "port I/O with IOPL 0 and no I/O bitmap", SG_SIGSEGV, do_out, 0 },
    { "rdmsr", "rdmsr (the kernel GS base) from ring 3", SG_SIGSEGV, do_rdmsr, 0 },
    { "mov_cr3", "writing CR3 from ring 3", SG_SIGSEGV, do_mov_cr3, 0 },
    { "null_read", "reading address 0", SG_SIGSEGV, do_null_read, 0 },
    { "kernel_read", "reading the kernel image", SG_SIGSEGV, do_kernel_read, 0 },
    { "kernel_write", "writing the physical map", SG_SIGSEGV, do_kernel_write, 0 },
    { "noncanonical", SG_BITS == 64 ? "reading a non-canonical address" : "reading page 0", SG_SIGSEGV,
      do_noncanonical, 0 },
    { "text_write", "writing the program's own text", SG_SIGSEGV, do_text_write, 0 },
    { "kip_write", "writing the interface page", SG_SIGSEGV, do_kip_write, 0 },
    { "exec_stack", "executing the NX stack", SG_SIGSEGV, do_exec_stack, 0 },
    { "stack_overflow", "running into the stack guard page", SG_SIGSEGV, do_stack_overflow, 0 },
    { "bad_rsp", "a push with a stack pointer into nothing", SG_SIGSEGV, do_bad_rsp, 0 },
    { "divide", "division by zero", SG_SIGFPE, do_divide, 0 },
    { "divide_stub_copy", "a copy of the divide door's stub outside the interface page", SG_SIGFPE,
      do_divide_stub_copy, SG_MECH_DIVIDE },
    { "divide_stub_page_end", "the same copy at the end of a page, the next one unmapped", SG_SIGFPE,
      do_divide_stub_page_end, SG_MECH_DIVIDE },
    { "int3", "int3 breakpoint", SG_SIGTRAP, do_int3, 0 },
    { "int_3", "int $3 breakpoint", SG_SIGTRAP, do_int_3, 0 },
    { "int3_stub_copy", "a copy of the int3 door's stub outside the interface page", SG_SIGTRAP, do_int3_stub_copy,
      SG_MECH_INT3 },
    { "int3_page_end", "int3 as the last byte before an unmapped page", SG_SIGTRAP, do_int3_page_end, 0 },
    { "int3n_stub_copy", "a copy of the int3n door's stub (int $3) outside the interface page", SG_SIGTRAP,
      do_int3n_stub_copy, SG_MECH_INT3N },
    { "int_3_page_end", "int $3 as the last two bytes before an unmapped page", SG_SIGTRAP, do_int_3_page_end, 0 },
    { "rdtsc_stub_copy", "a copy of the rdtsc door's stub outside the interface page, TSD armed", SG_SIGSEGV,
      do_rdtsc_stub_copy, SG_MECH_RDTSC },
    { "rdtsc_page_end", "rdtsc, TSD armed, as the last bytes before an unmapped page", SG_SIGSEGV,
      do_rdtsc_page_end, 0 },
    { "umip_stub_copy", "a copy of the umip door's stub outside the interface page", SG_SIGSEGV, do_umip_stub_copy,
      SG_MECH_UMIP },
    { "cpuid_stub_copy", "a copy of the cpuid door's stub outside the interface page, cpuid faulting on",
      SG_SIGSEGV, do_cpuid_stub_copy, SG_MECH_CPUID },
    { "icebp_stub_copy", "a copy of the icebp door's stub outside the interface page", SG_SIGTRAP,
      do_icebp_stub_copy, SG_MECH_ICEBP },
#ifndef __x86_64__
    { "bound", "bound with an index outside its range", SG_SIGSEGV, do_bound, 0 },
    { "bound_stub_copy", "a copy of the bound door's stub outside the interface page", SG_SIGSEGV,
      do_bound_stub_copy, SG_MECH_BOUND },
    { "into", "into with OF set", SG_SIGSEGV, do_into, 0 },
    { "into_stub_copy", "a copy of the into door's stub outside the interface page", SG_SIGSEGV, do_into_stub_copy,
      SG_MECH_INTO },
#endif
    { "pf_load", "a load from the page-fault door's range in the program", SG_SIGSEGV, do_pf_load, 0 },
    { "pf_write", "a write into the page-fault door's range", SG_SIGSEGV, do_pf_write, 0 },
    { "pf_below", "a load from the byte below the page-fault door's range", SG_SIGSEGV, do_pf_below, 0 },
    { "pf_past", "a load from the byte past the page-fault door's range", SG_SIGSEGV, do_pf_past, 0 },
    { "pf_stub_copy", "a copy of the pf door's stub outside the interface page", SG_SIGSEGV, do_pf_stub_copy,
      SG_MECH_PF },
    { "pf_first_load_last_byte", "the pf stub's first load reading the range's last byte", SG_SIGSEGV,
      do_pf_first_load_last_byte, SG_MECH_PF },
#ifdef __x86_64__
    { "pf_second_load_other_byte", "the pf stub's second load reading another byte than the last", SG_SIGSEGV,
      do_pf_second_load_other_byte, SG_MECH_PF },
#endif
    { "ac_stub_copy", "a copy of the ac door's stub outside the interface page", SG_SIGSEGV, do_ac_stub_copy,
      SG_MECH_AC },
    { "nm_stub_copy", "a copy of the nm door's stub outside the interface page", SG_SIGSEGV, do_nm_stub_copy,
      SG_MECH_NM },
    { "int_0d", "int $0x0d through a DPL-0 gate", SG_SIGSEGV, do_int_0d, 0 },
    { "int_81", "int $0x81 through an empty IDT slot", SG_SIGSEGV, do_int_81, 0 },
    { "far_jump", "far jump to the kernel code selector", SG_SIGSEGV, do_far_jump_kernel, 0 },
    { "iret_ring0", "iretq to a ring-0 selector", SG_SIGSEGV, do_iret_to_ring0, 0 },
};
#define NCASES (sizeof cases / sizeof cases[0])

int main(int argc, char **argv)
{
    if (argc > 1) {
        for (unsigned i = 0; i < NCASES; i++)
            if (!strcmp(argv[1], cases[i].name))
                cases[i].run();
        for (unsigned i = 0; i < NUMIP; i++)
            if (!strcmp(argv[1], umip_cases[i].name))
                umip_cases[i].run();
        for (unsigned i = 0; i < 2; i++)
            if (!strcmp(argv[1], ac_cases[i].name))
                ac_cases[i].run();
        return 0;   /* the fault did not happen */
    }

    tap_begin("faults");
    for (unsigned i = 0; i < NCASES; i++) {
        if (cases[i].door && !sg_kip_stub(cases[i].door)) {
            tap_skip("the door is not offered (nodoor=, or this CPU or emulator lacks it)", "%s", cases[i].hazard);
            continue;
        }
        char *child_argv[] = { argv[0], (char *)cases[i].name, 0 };
        long status = sg_run(argv[0], child_argv);
        tap_check(status >= 0 && SG_WIFSIGNALED(status) && SG_WTERMSIG(status) == cases[i].signal,
                  "%s: the process is killed with signal %d (status %#lx)", cases[i].hazard, cases[i].signal,
                  status);
    }
    struct sg_info info;
    tap_eq(sg_info(&info), sizeof info, "the kernel still answers after %u faulting processes", (unsigned)NCASES);
    /* With UMIP on (the kernel switches it on wherever CPUID has it) these
     * fault; without it they work, and the test says which it saw. */
    int umip = (info.features & SG_FEAT_UMIP) != 0;
    for (unsigned i = 0; i < NUMIP; i++) {
        char *child_argv[] = { argv[0], (char *)umip_cases[i].name, 0 };
        long status = sg_run(argv[0], child_argv);
        if (umip)
            tap_check(SG_WIFSIGNALED(status) && SG_WTERMSIG(status) == SG_SIGSEGV,
                      "UMIP on: %s kills the process with SIGSEGV (status %#lx)", umip_cases[i].hazard, status);
        else
            tap_check(SG_WIFEXITED(status) && SG_WEXITSTATUS(status) == 0,
                      "this CPU has no UMIP: %s still works in ring 3 (status %#lx)", umip_cases[i].hazard, status);
    }
    /* #AC needs CR0.AM, which is the ac door's and only its callers'
     * (kernel/entry/exception_doors.c): a process that never called it
     * gets no #AC on any CPU.  QEMU's TCG implements no alignment check at
     * all, so under it the door is not offered; on hardware a call arms AM
     * and the caller's own unaligned access with AC set is then #AC:
     * SIGBUS, as on Linux (which runs with AM always on). */
    int tcg = !strcmp(info.hypervisor_vendor, "TCGTCGTCGTCG");
    int ac = ((SG_BITS == 64 ? info.mechanisms64 : info.mechanisms32) >> SG_MECH_AC) & 1;
    if (tcg)
        tap_check(!ac && !sg_kip_stub(SG_MECH_AC), "QEMU's TCG never raises #AC: the ac door is not offered");
    for (unsigned i = 0; i < 2; i++) {
        if (ac_cases[i].door && !ac) {
            tap_skip(tcg ? "QEMU's TCG raises no #AC: no ac door" : "the door is switched off (nodoor=)", "%s",
                     ac_cases[i].hazard);
            continue;
        }
        char *child_argv[] = { argv[0], (char *)ac_cases[i].name, 0 };
        long status = sg_run(argv[0], child_argv);
        if (ac_cases[i].signal)
            tap_check(SG_WIFSIGNALED(status) && SG_WTERMSIG(status) == ac_cases[i].signal,
                      "%s: killed with signal %d (status %#lx)", ac_cases[i].hazard, ac_cases[i].signal, status);
        else
            tap_check(SG_WIFEXITED(status) && SG_WEXITSTATUS(status) == 0, "%s: no #AC, it runs on (status %#lx)",
                      ac_cases[i].hazard, status);
    }
    if (ac) {
        /* AM is the caller's alone: armed here, a child that sets AC and
         * loads unaligned runs on. */
        long pid = sg_syscall_via(SG_MECH_AC, SYS_getpid, 0, 0, 0, 0, 0, 0);
        char *child_argv[] = { argv[0], "ac_unaligned", 0 };
        long status = sg_run(argv[0], child_argv);
        tap_check(pid == sys_getpid() && SG_WIFEXITED(status) && SG_WEXITSTATUS(status) == 0,
                  "CR0.AM is the ac door's caller's alone: its child's unaligned load with AC runs on (status %#lx)",
                  status);
    }
    return tap_end();
}
