/*
 * trap.c - trap-based entry: the doors that are invalid instructions.
 *
 * What the hardware did: an instruction that does not exist raised #UD
 * (vector 6, a fault: the saved RIP is the instruction's own address),
 * through its own door (trap.S), which built the usual struct frame with
 * ENTRY_EXCEPTION and vector 6 and answered the trap system call itself
 * when the four bytes at RIP were its own.  Everything else comes here,
 * to trap_classify(): nothing about a system call was done by the CPU; we
 * recognise the two byte sequences below at the faulting RIP, read with
 * fault recovery (the RIP may sit at the end of a mapping), and only from
 * user mode.  Every other #UD still kills the process.
 *
 * 1. The L4 query, `lock nop` (F0 90).  LOCK is allowed only on 17
 *    read-modify-write instructions with a memory destination; on
 *    anything else it raises #UD (Intel SDM vol. 2A LOCK; AMD APM vol. 3
 *    1.2.5), so F0 90 (LOCK XCHG eax, eax) can never execute.  The kernel
 *    answers in registers and resumes after the two bytes (trap.S itself,
 *    from trap_query_answer; here when trap.S's 4-byte read failed or
 *    work is pending):
 *        rax = the interface page's address in this process (the 32-bit
 *              page for a 32-bit process)
 *        rdx = SG_KIP_VERSION
 *        rcx = mask of mechanisms this process's width may use
 *    every other register is preserved.
 *
 * 2. The trap system call, `ud2; .ascii "SG"` (0F 0B 53 47).  UD2 is
 *    the instruction Intel and AMD reserve to raise #UD forever (Intel SDM
 *    vol. 2B UD; AMD APM vol. 3 UD2); the two signature bytes after it
 *    tell a deliberate call from a compiler's __builtin_trap().  Registers
 *    as for int $0x80 (docs/abi.md); the process resumes after the four
 *    bytes with the result in rax, every other register preserved.
 */
#include "frame.h"
#include "entry.h"
#include "../kip/interface_page.h"
#include "../proc/proc.h"
#include "../syscall/syscall.h"
#include "../arch/traps.h"
#include "../lib/kernel.h"
#include "../syscall/uaccess.h"
#include <sysgate/kip.h>

struct trap_query_answer trap_query_answer[2];
_Static_assert(sizeof(struct trap_query_answer) == 16 &&
               __builtin_offsetof(struct trap_query_answer, kip) == TRAP_QUERY_KIP &&
               __builtin_offsetof(struct trap_query_answer, mechanisms) == TRAP_QUERY_MECHANISMS,
               "entry.h: trap.S's view of trap_query_answer");

uint64_t trap_stub32;

void trap_query_init(void)
{
    trap_query_answer[0] = (struct trap_query_answer){ kip_vdso_base(64), entry_mechanisms64 };
    trap_query_answer[1] = (struct trap_query_answer){ kip_vdso_base(32), entry_mechanisms32 };

    /* compat_doors.S takes a #UD at this address for the call without
     * reading the bytes: they must be the door's, 0F 0B "SG". */
    static const uint8_t door[4] = { 0x0f, 0x0b, SG_TRAP_SIGNATURE_0, SG_TRAP_SIGNATURE_1 };
    const uint8_t *bytes = kip_stub_bytes(32, SG_MECH_TRAP);
    if (bytes && memcmp(bytes, door, sizeof door))
        panic("trap: the 32-bit interface page's trap stub does not start with ud2 \"SG\"");
    trap_stub32 = bytes ? kip_stub(32, SG_MECH_TRAP) : 0;
}

int trap_classify(struct frame *f)
{
    uint32_t insn = 0;

    /* One guarded 4-byte read; two bytes where the mapping ends sooner. */
    if (get_user_u32(&insn, f->rip) && copy_from_user(&insn, f->rip, 2)) {
        user_fault(f, 0);
        return TRAP_FAULT;
    }
    if ((insn & 0xffff) == 0x90f0) {                    /* F0 90: lock nop */
        const struct trap_query_answer *q = &trap_query_answer[current_proc()->bits == 32];
        f->rax = q->kip;
        f->rdx = SG_KIP_VERSION;
        f->rcx = q->mechanisms;
        f->rip += 2;
        f->entry = SG_MECH_TRAP;
        return TRAP_QUERY;
    }
    if (insn == (0x0b0f | SG_TRAP_SIGNATURE_0 << 16 | (uint32_t)SG_TRAP_SIGNATURE_1 << 24)) {
        f->rip += 4;                                    /* 0F 0B "SG" */
        f->entry = SG_MECH_TRAP;
        return TRAP_SYSCALL;
    }
    user_fault(f, 0);
    return TRAP_FAULT;
}
