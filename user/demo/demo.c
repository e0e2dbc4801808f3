/* /bin/demo: a tour of what a process can ask the kernel, and how. */
#include "../lib/sysgate.h"
#include "../../include/sysgate/kip.h"

static const uint64_t args[6] = { 0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666 };

static long via_way(uint64_t stub, int way, long nr)
{
    struct sg_argpage *page = (struct sg_argpage *)SG_ARGPAGE_ADDRESS;
    if (way == 0)
        return sg_call_stub(stub, nr, args[0], args[1], args[2], args[3], args[4], args[5]);
    if (way == 1) {
        memcpy(page->args, args, sizeof args);
        return sg_call_stub(stub, nr | SG_ARGS_PAGE, 0, 0, 0, 0, 0, 0);
    }
    return sg_call_stub_stack(stub, nr | SG_ARGS_STACK, args[0], args[1], args[2], args[3], args[4], args[5]);
}

int main(int argc, char **argv)
{
    (void)argc;
    struct sg_info info;
    long r = sg_info(&info);

    printf("\n== sysgate demo (%s) ==\n", argv[0]);
    printf("sg_info          -> %ld bytes\n", r);
    printf("  kernel         %s\n", info.version);
    printf("  cpu            %s / %s (family %u model %u)%s\n", info.vendor, info.model, info.family,
           info.model_id, info.hypervisor ? ", virtual" : "");
    printf("  interface page %#lx (auxv AT_SYSGATE_KIP %#lx)\n", info.kip_address, sg_kip);

    uint64_t q_rax, q_rdx, q_rcx;
    __asm__ volatile(".byte 0xf0, 0x90" : "=a"(q_rax), "=d"(q_rdx), "=c"(q_rcx) : "a"(0) : "memory");
    printf("  lock nop       -> page %#lx, version %lu, mechanisms %#lx\n", q_rax, q_rdx, q_rcx);
    printf("  64-bit doors   ");
    for (int m = 0; m < SG_MECH_COUNT; m++)
        printf(" %s%s", sg_mechanism_name(m), info.mechanisms64 & (1u << m) ? "" : "(absent)");
    printf("\n  default entry   %s\n\n", sg_mechanism_name((int)info.default64));

    uint64_t want = sg_echo6_expect(args[0], args[1], args[2], args[3], args[4], args[5]);
    static const char *const ways[3] = { "registers", "arg page", "stack" };
    printf("  %-9s %-10s %8s %s\n", "door", "arguments", "getpid", "six arguments");
    for (int m = 0; m < SG_MECH_COUNT; m++) {
        uint64_t stub = sg_kip_stub(m);
        if (!stub)
            continue;
        for (int w = 0; w < 3; w++)
            printf("  %-9s %-10s %8ld %s\n", sg_mechanism_name(m), ways[w], via_way(stub, w, SYS_getpid),
                   (uint64_t)via_way(stub, w, SYS_sg_echo6) == want ? "intact" : "WRONG");
    }

    printf("\nwrite            -> %ld\n", sys_write(1, "write(1, ...) prints this line\n", 31));
    printf("unknown call 999 -> %s\n", sg_errno_name(sg_syscall(999, 0, 0, 0, 0, 0, 0)));
    printf("write(bad ptr)   -> %s\n", sg_errno_name(sys_write(1, (void *)0xffffffff80000000ul, 8)));
    printf("nanosleep 20 ms  -> %ld\n", sys_nanosleep_ms(20));

    char *child_argv[] = { "/bin/tests/faults", "ud2", 0 };
    long st = sg_run("/bin/tests/faults", child_argv);
    printf("a child runs ud2 -> killed by signal %ld; the kernel carries on\n", SG_WTERMSIG(st));
    printf("== demo done ==\n");
    return 0;
}
