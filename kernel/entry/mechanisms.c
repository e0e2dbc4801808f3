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
 *   trap      always: the #UD handler (trap.c)
 */
#include "entry.h"
#include "../arch/cpu.h"
#include "../arch/gdt.h"
#include "../arch/idt.h"
#include "../arch/selectors_msrs.h"
#include "../lib/cmdline.h"
#include "../lib/kernel.h"
#include "../../include/sysgate/abi.h"

void int80_entry(void);
void callgate_entry(void);
void syscall_entry(void);
void sysenter_entry(void);
extern const char callgate_tf_window_end[], sysenter_tf_window_end[];

uint32_t entry_mechanisms64;
int entry_default64;

/* SYSENTER loads RSP from this MSR before the door can switch to the
 * process's kernel stack, which it does at once; the stack is only there
 * for the NMI/#MC/#DB that use IST stacks anyway. */
static uint8_t sysenter_stack[256] __attribute__((aligned(16)));

/* Fastest first: what the interface page's default entry should be. */
static const int preference64[] = { SG_MECH_SYSCALL, SG_MECH_SYSENTER, SG_MECH_INT80, SG_MECH_CALLGATE,
                                    SG_MECH_TRAP };

static const char *const names[SG_MECH_COUNT] = { "int80", "callgate", "syscall", "sysenter", "trap" };

static int mechanism_by_name(const char *name)
{
    for (int m = 0; m < SG_MECH_COUNT; m++)
        if (!strcmp(name, names[m]))
            return m;
    return -1;
}

void floor_int80(void), floor_callgate(void), floor_syscall(void), floor_sysenter(void), floor_trap(void);
extern const uint64_t interrupt_stub_table[48];

static int floor_owner[SG_MECH_COUNT];      /* pid, 0 = the real door */

/* Point a door at its floor stub or at the real thing. */
static void aim_door(int mech, bool floor)
{
    switch (mech) {
    case SG_MECH_INT80:
        idt_set(0x80, floor ? floor_int80 : int80_entry, 3, 0);
        break;
    case SG_MECH_CALLGATE:
        gdt_set_call_gate((uint64_t)(floor ? floor_callgate : callgate_entry));
        break;
    case SG_MECH_SYSCALL:
        wrmsr(MSR_LSTAR, (uint64_t)(floor ? floor_syscall : syscall_entry));
        break;
    case SG_MECH_SYSENTER:
        wrmsr(MSR_SYSENTER_EIP, (uint64_t)(floor ? floor_sysenter : sysenter_entry));
        break;
    case SG_MECH_TRAP:
        idt_set(6, floor ? floor_trap : (void (*)(void))interrupt_stub_table[6], 0, 0);
        break;
    }
}

long entry_set_floor(int mech, bool on, int owner_pid)
{
    if (mech < 0 || mech >= SG_MECH_COUNT || !(entry_mechanisms64 & (1u << mech)))
        return -SG_EINVAL;
    floor_owner[mech] = on ? owner_pid : 0;
    aim_door(mech, on);
    return 0;
}

void entry_floor_release(int pid)
{
    for (int m = 0; m < SG_MECH_COUNT; m++)
        if (floor_owner[m] == pid)
            entry_set_floor(m, false, 0);
}

bool entry_in_tf_window(uint64_t rip)
{
    return (rip >= (uint64_t)callgate_entry && rip <= (uint64_t)callgate_tf_window_end) ||
           (rip >= (uint64_t)sysenter_entry && rip <= (uint64_t)sysenter_tf_window_end);
}

void entry_init(const char *cmdline)
{
    idt_set(0x80, int80_entry, 3, 0);
    gdt_set_call_gate((uint64_t)callgate_entry);
    entry_mechanisms64 = 1u << SG_MECH_INT80 | 1u << SG_MECH_CALLGATE | 1u << SG_MECH_TRAP;

    if (cpu.syscall) {
        /* STAR: selector bases (arithmetic in selectors_msrs.h). */
        wrmsr(MSR_STAR, (uint64_t)STAR_SYSRET_BASE << 48 | (uint64_t)STAR_SYSCALL_CS << 32);
        wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
        /* FMASK: flags SYSCALL clears.  IF: no interrupt before the stack
         * switch; TF: no #DB on the first kernel instruction; DF: the C
         * ABI; AC: SMAP stays armed; NT: a later IRETQ must not #GP;
         * IOPL: belt and braces (Intel SDM vol. 3A 5.8.8). */
        wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC | RFLAGS_NT | RFLAGS_IOPL);
        wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
        entry_mechanisms64 |= 1u << SG_MECH_SYSCALL;
    }

    if (cpu.vendor_id == SG_VENDOR_INTEL && cpu.sep) {
        wrmsr(MSR_SYSENTER_CS, SYSENTER_CS_VALUE);
        wrmsr(MSR_SYSENTER_ESP, (uint64_t)&sysenter_stack[sizeof sysenter_stack]);
        wrmsr(MSR_SYSENTER_EIP, (uint64_t)sysenter_entry);
        entry_mechanisms64 |= 1u << SG_MECH_SYSENTER;
    } else {
        wrmsr(MSR_SYSENTER_CS, 0);
    }

    for (unsigned i = 0; i < ARRAY_SIZE(preference64); i++) {
        if (entry_mechanisms64 & (1u << preference64[i])) {
            entry_default64 = preference64[i];
            break;
        }
    }
    char wanted[16];
    if (cmdline_get(cmdline, "syscall", wanted, sizeof wanted)) {
        int m = mechanism_by_name(wanted);
        if (m < 0)
            printk("entry: syscall=%s is not a mechanism (int80, callgate, syscall, sysenter, trap); "
                   "using %s\n", wanted, names[entry_default64]);
        else if (!(entry_mechanisms64 & (1u << m)))
            printk("entry: syscall=%s refused: this CPU (%s) does not have it in 64-bit mode; using %s\n",
                   wanted, cpu.vendor, names[entry_default64]);
        else
            entry_default64 = m;
    }

    printk("entry: 64-bit mechanisms:");
    for (int m = 0; m < SG_MECH_COUNT; m++)
        if (entry_mechanisms64 & (1u << m))
            printk(" %s", names[m]);
    printk("; default %s\n", names[entry_default64]);
}

const char *entry_mechanism_name(int m)
{
    return m >= 0 && m < SG_MECH_COUNT ? names[m] : "?";
}
