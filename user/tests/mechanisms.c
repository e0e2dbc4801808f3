/*
 * mechanisms: every door the CPU has reaches the same dispatcher.  For
 * every mechanism the interface page offers and every argument way
 * (registers, the argument page, the stack) every call works and all six
 * 64-bit arguments arrive intact; the page, the info call and the lock-nop
 * query agree on what is offered; a mechanism the CPU lacks is never
 * offered and kills only the process that tries it; processes looping on
 * each door are still preempted.
 */
#include "../lib/tap.h"
#include "../../include/sysgate/kip.h"

static const char *self = "/bin/tests/mechanisms";

static const uint64_t pattern[6] = {
    0x0102030405060708, 0x1112131415161718, 0x2122232425262728,
    0x8182838485868788, 0xf1f2f3f4f5f6f7f8, 0x7fffffffffffffff,
};

enum way { WAY_REGS, WAY_PAGE, WAY_STACK, WAY_COUNT };
static const char *const way_names[WAY_COUNT] = { "registers", "argument page", "stack" };

static long call_way(uint64_t stub, enum way way, long nr, const uint64_t a[6])
{
    struct sg_argpage *page = (struct sg_argpage *)SG_ARGPAGE_ADDRESS;
    switch (way) {
    case WAY_REGS:
        return sg_call_stub(stub, nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    case WAY_PAGE:
        for (int i = 0; i < 6; i++)
            page->args[i] = a[i];
        page->result = 0x5a5a5a5a;
        return sg_call_stub(stub, nr | SG_ARGS_PAGE, 0, 0, 0, 0, 0, 0);
    case WAY_STACK:
        return sg_call_stub_stack(stub, nr | SG_ARGS_STACK, a[0], a[1], a[2], a[3], a[4], a[5]);
    default:
        return -1;
    }
}

/* Raw doors for the lacking-mechanism cases (no interface page). */
static void raw_sysenter(void)
{
    __asm__ volatile("lea 1f(%%rip), %%rcx; mov %%rsp, %%r11; sysenter; 1:"
                     ::"a"(SYS_getpid) : "rcx", "rdx", "r11", "memory");
}
static void raw_ud2_no_signature(void)
{
    __asm__ volatile("ud2; .byte 0x90, 0x90");
}
/* The stack way with RSP pointing at nothing: each door's own instruction,
 * inline, since a `call` to a stub would fault on the push first. */
#define BAD_RSP "0x10000000"
static long bad_stack_call(int mech)
{
    static const struct { uint32_t offset; uint16_t sel; } __attribute__((packed)) gate = { 0, 0x4b };
    long r = SYS_getpid | SG_ARGS_STACK;
    switch (mech) {
    case SG_MECH_INT80:
        __asm__ volatile("mov %%rsp, %%rbx; mov $" BAD_RSP ", %%rsp; int $0x80; mov %%rbx, %%rsp"
                         : "+a"(r) :: "rbx", "memory");
        break;
    case SG_MECH_SYSCALL:
        __asm__ volatile("mov %%rsp, %%rbx; mov $" BAD_RSP ", %%rsp; syscall; mov %%rbx, %%rsp"
                         : "+a"(r) :: "rbx", "rcx", "r11", "memory");
        break;
    case SG_MECH_CALLGATE:
        __asm__ volatile("mov %%rsp, %%rbx; mov $" BAD_RSP ", %%rsp; lcall *%1; mov %%rbx, %%rsp"
                         : "+a"(r) : "m"(gate) : "rbx", "memory");
        break;
    case SG_MECH_SYSENTER:
        __asm__ volatile("mov $" BAD_RSP ", %%r11; lea 1f(%%rip), %%rcx; mov %%rsp, %%rbx; sysenter; 1: mov %%rbx, %%rsp"
                         : "+a"(r) :: "rbx", "rcx", "rdx", "r11", "memory");
        break;
    case SG_MECH_TRAP:
        __asm__ volatile("mov %%rsp, %%rbx; mov $" BAD_RSP ", %%rsp; ud2; .ascii \"SG\"; mov %%rbx, %%rsp"
                         : "+a"(r) :: "rbx", "memory");
        break;
    }
    return r;
}

static void loop_on(int mech)
{
    uint64_t stub = sg_kip_stub(mech);
    for (;;)
        sg_call_stub(stub, SYS_sg_null, 0, 0, 0, 0, 0, 0);
}

static int child_main(char **argv)
{
    if (!strcmp(argv[1], "sysenter"))
        raw_sysenter();
    else if (!strcmp(argv[1], "ud2"))
        raw_ud2_no_signature();
    else if (!strcmp(argv[1], "loop"))
        loop_on(argv[2][0] - '0');
    return 0;
}

static long run_child(const char *role, const char *arg)
{
    char *argv[] = { (char *)self, (char *)role, (char *)arg, 0 };
    return sg_run(self, argv);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return child_main(argv);
    tap_begin("mechanisms");

    struct sg_info info;
    sg_info(&info);
    const struct sg_kip_header *kip = (const struct sg_kip_header *)sg_kip;
    tap_check(kip && kip->magic == SG_KIP_MAGIC && kip->version == SG_KIP_VERSION,
              "the interface page from AT_SYSGATE_KIP has the sysgate header");
    tap_eq(kip->mechanisms, info.mechanisms64, "the page and sg_info offer the same mechanisms");
    tap_eq(kip->default_mechanism, info.default64, "the page and sg_info name the same default (%s)",
           sg_mechanism_name((int)info.default64));
    tap_check(info.mechanisms64 & (1u << SG_MECH_SYSCALL), "syscall is offered on an x86-64 CPU");

    /* The L4 query: lock nop. */
    uint64_t q_rax, q_rdx, q_rcx, q_rbx = 0x0b0b0b0b, q_rsi = 0x5151, q_rdi = 0xd1d1;
    __asm__ volatile(".byte 0xf0, 0x90  /* lock nop */" : "=a"(q_rax), "=d"(q_rdx), "=c"(q_rcx), "+b"(q_rbx), "+S"(q_rsi), "+D"(q_rdi)
                     : "a"(0), "d"(0), "c"(0) : "memory");
    tap_eq(q_rax, sg_kip, "lock nop answers the interface page address given at start");
    tap_eq(q_rdx, SG_KIP_VERSION, "lock nop answers the interface version");
    tap_eq(q_rcx, info.mechanisms64, "lock nop answers the mechanism mask");
    tap_check(q_rbx == 0x0b0b0b0b && q_rsi == 0x5151 && q_rdi == 0xd1d1, "lock nop preserves other registers");

    uint64_t want = sg_echo6_expect(pattern[0], pattern[1], pattern[2], pattern[3], pattern[4], pattern[5]);
    long pid = sys_getpid();
    for (int m = 0; m < SG_MECH_COUNT; m++) {
        uint64_t stub = sg_kip_stub(m);
        if (!(info.mechanisms64 & (1u << m))) {
            tap_check(stub == 0 && kip->stub_offset[m] == 0, "%s: not offered, and the page has no stub for it",
                      sg_mechanism_name(m));
            continue;
        }
        for (int w = 0; w < WAY_COUNT; w++) {
            const char *mn = sg_mechanism_name(m), *wn = way_names[w];
            tap_eq(call_way(stub, w, SYS_sg_echo6, pattern), want, "%s, %s: six 64-bit arguments arrive intact", mn, wn);
            uint64_t none[6] = { 0 };
            tap_eq(call_way(stub, w, SYS_getpid, none), pid, "%s, %s: getpid", mn, wn);
            tap_eq(call_way(stub, w, SYS_sg_null, none), 0, "%s, %s: sg_null", mn, wn);
            char msg[48];
            int len = snformat(msg, sizeof msg, "# write via %s, %s\n", mn, wn);
            uint64_t wargs[6] = { 1, (uint64_t)msg, (uint64_t)len, 0, 0, 0 };
            tap_eq(call_way(stub, w, SYS_write, wargs), len, "%s, %s: write returns its length", mn, wn);
            tap_eq(call_way(stub, w, 4242, none), -SG_ENOSYS, "%s, %s: an unknown number is -ENOSYS", mn, wn);
            if (w == WAY_PAGE)
                tap_eq(((struct sg_argpage *)SG_ARGPAGE_ADDRESS)->result, -SG_ENOSYS,
                       "%s, argument page: the result is written back to the page", mn);
        }
        tap_eq(bad_stack_call(m), -SG_EFAULT, "%s, stack: a stack pointer into unmapped memory is -EFAULT",
               sg_mechanism_name(m));
    }
    tap_eq(sg_syscall(SYS_sg_echo6, pattern[0], pattern[1], pattern[2], pattern[3], pattern[4], pattern[5]), want,
           "the default entry (%s): six arguments intact", sg_mechanism_name((int)info.default64));

    /* The benchmark's floor: a door switched to its bare stub returns rax
     * untouched, and comes back when switched off through another door. */
    for (int m = 0; m < SG_MECH_COUNT; m++) {
        uint64_t stub = sg_kip_stub(m);
        if (!stub)
            continue;
        int other = m == SG_MECH_INT80 ? SG_MECH_SYSCALL : SG_MECH_INT80;
        long on = sg_syscall_via(other, SYS_sg_bench_floor, m, 1, 0, 0, 0, 0);
        long floor = sg_call_stub(stub, SYS_sg_null, 0, 0, 0, 0, 0, 0);
        long off = sg_syscall_via(other, SYS_sg_bench_floor, m, 0, 0, 0, 0, 0);
        long real = sg_call_stub(stub, SYS_sg_null, 0, 0, 0, 0, 0, 0);
        tap_check(on == 0 && floor == SYS_sg_null && off == 0 && real == 0,
                  "%s: the floor stub returns at once (rax %ld) and the real door comes back (%ld)",
                  sg_mechanism_name(m), floor, real);
    }
    tap_eq(sg_syscall(SYS_sg_bench_floor, SG_MECH_COUNT, 1, 0, 0, 0, 0), -SG_EINVAL, "a floor for no mechanism is -EINVAL");

    /* A mechanism the CPU lacks kills only the caller.  64-bit sysenter is
     * #UD on AMD hardware, and QEMU 7.2 TCG models the same for non-Intel
     * models, so the expectation is the same under TCG and KVM. */
    if (info.vendor_id == SG_VENDOR_INTEL) {
        tap_check(info.mechanisms64 & (1u << SG_MECH_SYSENTER), "Intel: 64-bit sysenter is offered");
        long st = run_child("sysenter", "");
        tap_check(SG_WIFEXITED(st) && SG_WEXITSTATUS(st) == 0, "Intel: raw 64-bit sysenter works (status %#lx)", st);
    } else {
        tap_check(!(info.mechanisms64 & (1u << SG_MECH_SYSENTER)), "non-Intel: 64-bit sysenter is never offered");
        long st = run_child("sysenter", "");
        tap_check(SG_WIFSIGNALED(st) && SG_WTERMSIG(st) == SG_SIGILL,
                  "non-Intel: raw 64-bit sysenter kills only the caller, with SIGILL (#UD) (status %#lx)", st);
    }
    long st = run_child("ud2", "");
    tap_check(SG_WIFSIGNALED(st) && SG_WTERMSIG(st) == SG_SIGILL, "ud2 without the signature is still SIGILL (%#lx)", st);

    /* Preemption while every door is hammered. */
    long loopers[SG_MECH_COUNT];
    int started = 0;
    for (int m = 0; m < SG_MECH_COUNT; m++) {
        loopers[m] = 0;
        if (!(info.mechanisms64 & (1u << m)))
            continue;
        char arg[2] = { (char)('0' + m), 0 };
        char *cargv[] = { (char *)self, "loop", arg, 0 };
        loopers[m] = sg_spawn(self, cargv);
        started += loopers[m] > 0;
    }
    int woke = 0;
    for (int i = 0; i < 3; i++)
        woke += sys_nanosleep_ms(20) == 0;
    tap_eq(woke, 3, "the parent keeps running while %d children loop on every door", started);
    int collected = 0;
    for (int m = 0; m < SG_MECH_COUNT; m++) {
        int status;
        if (loopers[m] > 0 && sys_kill((int)loopers[m], 9) == 0 && sys_wait4((int)loopers[m], &status, 0) == loopers[m])
            collected++;
    }
    tap_eq(collected, started, "every looping child is killed and collected");
    return tap_end();
}
