/*
 * mechanisms.c - switching the doors on at boot.  Every door is compiled
 * into every kernel; which ones are on is decided here, from CPUID and
 * the vendor - never from what an emulator happens to let through.
 *
 *   int80     always: an IDT gate with DPL 3
 *   callgate  always: a long-mode call gate in the GDT, DPL 3
 *   syscall   when CPUID.80000001H:EDX.SYSCALL is set (every x86-64 CPU)
 *   sysenter  64-bit: Intel only.  AMD CPUs raise #UD for SYSENTER in long
 *             mode (AMD APM vol. 3 SYSENTER); on them SYSENTER_CS stays 0,
 *             so an emulator that runs SYSENTER anyway raises #GP
 *             (Intel SDM vol. 2B SYSENTER: CS[15:2] = 0 -> #GP).
 *   trap      always: the #UD door (trap.S, trap.c)
 *   int3      always: int3 in the interface page's stub (#BP;
 *             exception_doors.c)
 *   divide    always: a division by zero in the page's stub (#DE; the
 *             same file)
 *   hlt       always: hlt in the page's stub (#GP; the same file)
 *   bound     never: bound does not exist in 64-bit mode
 *   into      never: nor does into
 *   rdtsc     always: rdtsc in the page's stub with CR4.TSD set for the
 *             thread (#GP; exception_doors.c)
 *   umip      where CPUID has UMIP (EPYC-Rome, not Skylake-Client): smsw
 *             in the stub (#GP)
 *   cpuid     where the CPU has CPUID faulting (Intel's MSR_PLATFORM_INFO
 *             bit 32; neither TCG model): cpuid in the stub (#GP)
 *   icebp     where icebp raises #DB - the one door decided by a probe,
 *             as no CPUID bit tells (QEMU 7.2's TCG raises #UD): icebp in
 *             the stub
 *   pf        always: a load from the reserved page-fault range
 *             (SG_PF_BASE64; #PF; exception_doors.c)
 *   ac        wherever the CPU checks alignment - every x86-64 CPU does
 *             (CR0.AM, EFLAGS.AC: Intel SDM vol. 3A 6.15 "Interrupt 17")
 *             but QEMU's TCG, which never raises #AC: its target/i386
 *             has no alignment check, so under it (CPUID 0x40000000
 *             "TCGTCGTCGTCG") the door would only ever take its arming
 *             path, and is not offered (exception_doors.c)
 *   nm        always: fwait with the process's CR0.TS set (#NM; the
 *             same file; every x86-64 CPU has TS and MP)
 *   int3n     always: int $3 (CD 03) in the page's stub (#BP, int3's
 *             vector: told apart by the saved RIP, the instruction's end)
 *
 * For 32-bit processes (compatibility mode; AMD APM vol. 2 6.1, Intel SDM
 * vol. 2B SYSENTER/SYSCALL):
 *   int80, callgate, trap, int3, divide, hlt, bound, into, pf, nm, int3n   always
 *   rdtsc, umip, cpuid, icebp, ac   as for 64-bit code
 *   sysenter  Intel only: AMD raises #UD for SYSENTER in compatibility mode
 *             (QEMU 7.2's TCG lets it run; SYSENTER_CS = 0 then makes it
 *             #GP)
 *   syscall   AMD only: Intel raises #UD for SYSCALL in compatibility mode
 *             (QEMU 7.2's TCG lets it run and jumps to CSTAR, so CSTAR is
 *             set on Intel too, to a door that treats it as the #UD the
 *             hardware would raise: syscall_compat_ud, compat_doors.S)
 */
#include "entry.h"
#include "exception_doors.h"
#include "../arch/cpu.h"
#include "../arch/gdt.h"
#include "../arch/idt.h"
#include "../arch/selectors_msrs.h"
#include "../kip/interface_page.h"
#include "../lib/cmdline.h"
#include "../lib/kernel.h"
#include "../proc/proc.h"
#include <sysgate/abi.h>

void int80_entry(void);
void callgate_entry(void);
void syscall_entry(void);
void syscall_compat_entry(void), syscall_compat_ud(void);
void sysenter_entry(void);
void callgate_entry32(void), sysenter_entry32(void), callgate_entry_not64(void), callgate_entry_compat(void);
extern const char callgate_tf_window_end[], sysenter_tf_window_end[], callgate_ldt_tf_window_end[];
extern const char callgate_entry_compat_end[];
extern const char callgate_entry32_tf_window_end[], sysenter_entry32_tf_window_end[];

uint32_t entry_mechanisms64;
int entry_default64;
uint32_t entry_mechanisms32;
int entry_default32;
bool entry_default_forced;

/* SYSENTER loads RSP from this MSR before the door can switch to the
 * process's kernel stack, which it does at once; the stack is only there
 * for the NMI/#MC/#DB that use IST stacks anyway. */
static uint8_t sysenter_stack[256] __attribute__((aligned(16)));

static const char *const names[SG_MECH_COUNT] = {
#define DOOR(NAME, name, nr, rank, what) [SG_MECH_##NAME] = #name,
#include <sysgate/doors.def>
#undef DOOR
};

/* Each door's place in the default entry's preference, fastest first
 * (doors.def's rank): for 64-bit code syscall; for 32-bit code the
 * vendor's own fast door (sysenter on Intel, syscall on AMD), then
 * int 0x80 (seed 003). */
static const int rank[SG_MECH_COUNT] = {
#define DOOR(NAME, name, nr, rank, what) [SG_MECH_##NAME] = rank,
#include <sysgate/doors.def>
#undef DOOR
};

static int mechanism_by_name(const char *name)
{
    for (int m = 0; m < SG_MECH_COUNT; m++)
        if (!strcmp(name, names[m]))
            return m;
    return -1;
}

void floor_int80(void), floor_callgate(void), floor_syscall(void), floor_syscall32(void), floor_sysenter(void),
    floor_trap(void), floor_int3(void), floor_divide(void), floor_hlt(void), floor_bound(void), floor_into(void),
    floor_rdtsc(void), floor_umip(void), floor_cpuid(void), floor_icebp(void), floor_pf(void), floor_nm(void),
    floor_ac(void), floor_int3n(void);
extern const uint64_t interrupt_stub_table[];
extern const char floor_callgate_end[], floor_sysenter_end[];
void trap_ud_entry(void);

/* The nm and ac doors' stubs, 64-bit then 32-bit, for their floors. */
uint64_t floor_nm_stub[2], floor_ac_stub[2];

/* The doors now aimed at their floor: the running process's `floors`;
 * and the width the call gate is aimed for (percpu.compat). */
static uint32_t floors_aimed;
static uint64_t gate_aimed_compat;

/* Point a door at its floor stub or at the real thing. */
static void aim_door(int mech, bool floor)
{
    switch (mech) {
    case SG_MECH_INT80:
        idt_set(SYSCALL_VECTOR, floor ? floor_int80 : int80_entry, 3, 0);
        break;
    case SG_MECH_CALLGATE:
        /* The gate's target per width (callgate.S): each tests the CS its
         * width's code has first, so neither width pays for the other's
         * test; either handles every CS. */
        gdt_set_call_gate((uint64_t)(floor ? floor_callgate : percpu0.compat ? callgate_entry_compat : callgate_entry));
        gate_aimed_compat = percpu0.compat;
        break;
    case SG_MECH_SYSCALL:
        wrmsr(MSR_LSTAR, (uint64_t)(floor ? floor_syscall : syscall_entry));
        /* 32-bit SYSCALL only where it is offered (AMD): on Intel CSTAR's
         * door stays, doing what the hardware's #UD would. */
        if (entry_mechanisms32 & (1u << SG_MECH_SYSCALL))
            wrmsr(MSR_CSTAR, (uint64_t)(floor ? floor_syscall32 : syscall_compat_entry));
        break;
    case SG_MECH_SYSENTER:
        wrmsr(MSR_SYSENTER_EIP, (uint64_t)(floor ? floor_sysenter : sysenter_entry));
        break;
    case SG_MECH_TRAP:
        idt_set(UD_VECTOR, floor ? floor_trap : trap_ud_entry, 0, 0);
        break;
    case SG_MECH_INT3:      /* DPL 3 as idt_init sets it */
        idt_set(BP_VECTOR, floor ? floor_int3 : (void (*)(void))exception_door_entry[BP_VECTOR], 3, 0);
        break;
    case SG_MECH_INT3N:     /* #BP too: entry_set_floor lets one of int3, int3n have it */
        idt_set(BP_VECTOR, floor ? floor_int3n : (void (*)(void))exception_door_entry[BP_VECTOR], 3, 0);
        break;
    case SG_MECH_DIVIDE:    /* DPL 0: int $0 from ring 3 stays a #GP */
        idt_set(DE_VECTOR, floor ? floor_divide : (void (*)(void))exception_door_entry[DE_VECTOR], 0, 0);
        break;
    case SG_MECH_HLT:
        idt_set(GP_VECTOR, floor ? floor_hlt : (void (*)(void))exception_door_entry[GP_VECTOR], 0, 0);
        break;
    case SG_MECH_BOUND:
        idt_set(BR_VECTOR, floor ? floor_bound : (void (*)(void))exception_door_entry[BR_VECTOR], 0, 0);
        break;
    case SG_MECH_INTO:      /* DPL 3 as idt_init sets it: INTO checks it */
        idt_set(OF_VECTOR, floor ? floor_into : (void (*)(void))exception_door_entry[OF_VECTOR], 3, 0);
        break;
    /* #GP is also hlt's: entry_set_floor lets one of them have it. */
    case SG_MECH_RDTSC:
        idt_set(GP_VECTOR, floor ? floor_rdtsc : (void (*)(void))exception_door_entry[GP_VECTOR], 0, 0);
        break;
    case SG_MECH_UMIP:
        idt_set(GP_VECTOR, floor ? floor_umip : (void (*)(void))exception_door_entry[GP_VECTOR], 0, 0);
        break;
    case SG_MECH_CPUID:
        idt_set(GP_VECTOR, floor ? floor_cpuid : (void (*)(void))exception_door_entry[GP_VECTOR], 0, 0);
        break;
    case SG_MECH_ICEBP:     /* DPL 0, the #DB stack, as idt_init sets them */
        idt_set(DB_VECTOR, floor ? floor_icebp : (void (*)(void))interrupt_stub_table[DB_VECTOR], 0, IST_DB);
        break;
    case SG_MECH_PF:
        idt_set(PF_VECTOR, floor ? floor_pf : (void (*)(void))exception_door_entry[PF_VECTOR], 0, 0);
        break;
    case SG_MECH_AC:
        floor_ac_stub[0] = kip_stub(64, SG_MECH_AC);
        floor_ac_stub[1] = kip_stub(32, SG_MECH_AC);
        idt_set(AC_VECTOR, floor ? floor_ac : (void (*)(void))exception_door_entry[AC_VECTOR], 0, 0);
        break;
    case SG_MECH_NM:
        floor_nm_stub[0] = kip_stub(64, SG_MECH_NM);
        floor_nm_stub[1] = kip_stub(32, SG_MECH_NM);
        idt_set(NM_VECTOR, floor ? floor_nm : (void (*)(void))exception_door_entry[NM_VECTOR], 0, 0);
        break;
    }
}

/* A floor is process state, like the registers: the doors are re-aimed
 * on every switch, where the two processes' masks differ (almost always
 * both 0: nothing to do - and no loop over the doors, so that a switch
 * costs the same however many doors there are). */
void entry_floor_switch(uint32_t floors)
{
    uint32_t change = floors ^ floors_aimed;
    if (gate_aimed_compat != percpu0.compat)
        change |= 1u << SG_MECH_CALLGATE;
    for (; change; change &= change - 1) {
        int m = __builtin_ctz(change);
        aim_door(m, floors & (1u << m));
    }
    floors_aimed = floors;
}

/* The doors whose floors share a vector: #GP's, #BP's. */
#define GP_FLOORS (1u << SG_MECH_HLT | 1u << SG_MECH_RDTSC | 1u << SG_MECH_UMIP | 1u << SG_MECH_CPUID)
#define BP_FLOORS (1u << SG_MECH_INT3 | 1u << SG_MECH_INT3N)

long entry_set_floor(int mech, bool on)
{
    struct proc *p = current_proc();
    if (mech < 0 || mech >= SG_MECH_COUNT || !((entry_mechanisms64 | entry_mechanisms32) & (1u << mech)))
        return -SG_EINVAL;
    /* One vector, one floor at a time. */
    if (on && (((GP_FLOORS & (1u << mech)) && (p->floors & GP_FLOORS & ~(1u << mech))) ||
               ((BP_FLOORS & (1u << mech)) && (p->floors & BP_FLOORS & ~(1u << mech)))))
        return -SG_EBUSY;
    if (on)
        p->floors |= 1u << mech;
    else
        p->floors &= ~(1u << mech);
    entry_floor_switch(p->floors);
    return 0;
}

/* A process that ends takes its floors with it (a zombie never runs
 * again, but the doors are aimed for it until the next switch). */
static void floor_exit_hook(struct proc *p)
{
    p->floors = 0;
    if (p == current_proc())
        entry_floor_switch(0);
}

int entry_mechanism_of(const struct frame *f)
{
    return f->entry < SG_MECH_COUNT ? (int)f->entry : -1;
}

static int best_of(uint32_t mask)
{
    int best = -1;
    for (int m = 0; m < SG_MECH_COUNT; m++)
        if ((mask & (1u << m)) && (best < 0 || rank[m] < rank[best]))
            best = m;
    return best < 0 ? SG_MECH_INT80 : best;
}

/* syscall=NAME: obeyed for each width only within what the CPU has. */
static int choose(const char *wanted, uint32_t mask, int best, const char *width)
{
    int m = mechanism_by_name(wanted);
    if (m < 0) {
        printk("entry: syscall=%s is not a mechanism (", wanted);
        for (int d = 0; d < SG_MECH_COUNT; d++)
            printk(d ? ", %s" : "%s", names[d]);
        printk("); %s code gets %s\n", width, names[best]);
        return best;
    }
    if (!(mask & (1u << m))) {
        printk("entry: syscall=%s refused for %s code: this CPU (%s) does not have it there; using %s\n", wanted,
               width, cpu.vendor, names[best]);
        return best;
    }
    return m;
}

/* nodoor=NAME[,NAME...]: the exception doors named are not offered (to
 * either width) - their stubs are withdrawn from the interface pages, and
 * their exceptions are never calls.  The instruction doors follow the CPU
 * alone. */
static void switch_off(char *list)
{
    for (char *name = list; *name;) {
        char *end = name;
        while (*end && *end != ',')
            end++;
        char sep = *end;
        *end = 0;
        int m = mechanism_by_name(name);
        if (m >= SG_MECH_FIRST_EXCEPTION) {
            entry_mechanisms64 &= ~(1u << m);
            entry_mechanisms32 &= ~(1u << m);
            printk("entry: nodoor=%s: the %s door is off\n", name, name);
        } else {
            printk("entry: nodoor=%s refused: only exception doors (int3 and after) can be switched off\n", name);
        }
        name = sep ? end + 1 : end;
    }
}

static bool within(uint64_t rip, const void *start, const void *end)
{
    return rip >= (uint64_t)start && rip <= (uint64_t)end;
}

bool entry_in_tf_window(uint64_t rip)
{
    return within(rip, callgate_entry, callgate_tf_window_end) ||
           within(rip, callgate_entry_not64, callgate_ldt_tf_window_end) ||
           within(rip, callgate_entry_compat, callgate_entry_compat_end) ||
           within(rip, sysenter_entry, sysenter_tf_window_end) ||
           within(rip, callgate_entry32, callgate_entry32_tf_window_end) ||
           within(rip, sysenter_entry32, sysenter_entry32_tf_window_end) ||
           within(rip, floor_callgate, floor_callgate_end) || within(rip, floor_sysenter, floor_sysenter_end);
}

void entry_init(const char *cmdline)
{
    proc_add_exit_hook(floor_exit_hook);
    idt_set(SYSCALL_VECTOR, int80_entry, 3, 0);
    gdt_set_call_gate((uint64_t)callgate_entry);
    entry_mechanisms64 = 1u << SG_MECH_INT80 | 1u << SG_MECH_CALLGATE | 1u << SG_MECH_TRAP | 1u << SG_MECH_INT3 |
                         1u << SG_MECH_DIVIDE | 1u << SG_MECH_HLT | 1u << SG_MECH_PF | 1u << SG_MECH_NM |
                         1u << SG_MECH_INT3N;

    if (cpu.syscall) {
        /* STAR: selector bases (arithmetic in selectors_msrs.h). */
        wrmsr(MSR_STAR, (uint64_t)STAR_SYSRET_BASE << 48 | (uint64_t)STAR_SYSCALL_CS << 32);
        wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
        /* 32-bit SYSCALL: AMD only (below); elsewhere its #UD. */
        wrmsr(MSR_CSTAR, (uint64_t)(cpu.vendor_id == SG_VENDOR_AMD ? syscall_compat_entry : syscall_compat_ud));
        /* FMASK: flags SYSCALL clears.  IF: no interrupt before the stack
         * switch; TF: no #DB on the first kernel instruction; DF: the C
         * ABI; AC: SMAP stays armed; NT: a later IRETQ must not #GP;
         * IOPL: belt and braces (Intel SDM vol. 3A 5.8.8). */
        wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC | RFLAGS_NT | RFLAGS_IOPL);
        wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
        entry_mechanisms64 |= 1u << SG_MECH_SYSCALL;
    }

    entry_mechanisms32 = 1u << SG_MECH_INT80 | 1u << SG_MECH_CALLGATE | 1u << SG_MECH_TRAP | 1u << SG_MECH_INT3 |
                         1u << SG_MECH_DIVIDE | 1u << SG_MECH_HLT | 1u << SG_MECH_BOUND |
                         1u << SG_MECH_INTO | 1u << SG_MECH_PF | 1u << SG_MECH_NM | 1u << SG_MECH_INT3N;
    if (cpu.syscall && cpu.vendor_id == SG_VENDOR_AMD)
        entry_mechanisms32 |= 1u << SG_MECH_SYSCALL;

    if (cpu.vendor_id == SG_VENDOR_INTEL && cpu.sep) {
        wrmsr(MSR_SYSENTER_CS, SYSENTER_CS_VALUE);
        wrmsr(MSR_SYSENTER_ESP, (uint64_t)&sysenter_stack[sizeof sysenter_stack]);
        wrmsr(MSR_SYSENTER_EIP, (uint64_t)sysenter_entry);
        entry_mechanisms64 |= 1u << SG_MECH_SYSENTER;
        entry_mechanisms32 |= 1u << SG_MECH_SYSENTER;
    } else {
        wrmsr(MSR_SYSENTER_CS, 0);
    }

    uint32_t by_cpu = exception_doors_offered();
    entry_mechanisms64 |= by_cpu;
    entry_mechanisms32 |= by_cpu;

    char off[96];
    if (cmdline_get(cmdline, "nodoor", off, sizeof off))
        switch_off(off);

    entry_default64 = best_of(entry_mechanisms64);
    entry_default32 = best_of(entry_mechanisms32);
    char wanted[16];
    if (cmdline_get(cmdline, "syscall", wanted, sizeof wanted)) {
        entry_default_forced = true;
        entry_default64 = choose(wanted, entry_mechanisms64, entry_default64, "64-bit");
        entry_default32 = choose(wanted, entry_mechanisms32, entry_default32, "32-bit");
    }

    printk("entry: 64-bit mechanisms:");
    for (int m = 0; m < SG_MECH_COUNT; m++)
        if (entry_mechanisms64 & (1u << m))
            printk(" %s", names[m]);
    printk("; default %s\n", names[entry_default64]);
    printk("entry: 32-bit mechanisms:");
    for (int m = 0; m < SG_MECH_COUNT; m++)
        if (entry_mechanisms32 & (1u << m))
            printk(" %s", names[m]);
    printk("; default %s\n", names[entry_default32]);
}

const char *entry_mechanism_name(int m)
{
    return m >= 0 && m < SG_MECH_COUNT ? names[m] : "?";
}
