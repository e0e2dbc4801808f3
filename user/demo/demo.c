/* /bin/demo: a tour of what a process can ask the kernel, and how. */
#include "../lib/sysgate.h"
#include <sysgate/kip.h>
#include <sysgate/vvar.h>
#include <common/vdso_elf.h>

static const unsigned long args[6] = { 0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666 };

/* The vDSO's clock_gettime, found as a C library finds it, and called a
 * thousand times between two counts of this process's system calls. */
static void vdso_clock(void)
{
    struct vdso_elf elf;
    struct vdso_elf_sym sym;
    uintptr_t base = sg_auxv_get(SG_AT_SYSINFO_EHDR);
    if (!base || vdso_elf_open(&elf, (const void *)base, 0) != VDSO_ELF_OK ||
        !vdso_elf_lookup(&elf, "__vdso_clock_gettime", "LINUX_2.6", VDSO_HASH_ANY, &sym)) {
        printf("vDSO             -> not found\n");
        return;
    }
    int (*gettime)(int, long *) = (int (*)(int, long *))(base + (uintptr_t)sym.offset);
    long ts[2] = { 0, 0 };
    struct sg_info before, after;
    sg_info(&before);
    for (int i = 0; i < 1000; i++)
        gettime(SG_CLOCK_REALTIME, ts);
    sg_info(&after);
    printf("vDSO clock_gettime x1000 -> CLOCK_REALTIME %ld.%09ld s, system calls entered: %llu\n", ts[0], ts[1],
           (unsigned long long)(after.syscalls - before.syscalls - 1));
}

static long via_way(uintptr_t stub, int way, long nr)
{
    struct sg_argpage *page = SG_ARGPAGE;
    if (way == 0)
        return sg_call_stub(stub, nr, args[0], args[1], args[2], args[3], args[4], args[5]);
    if (way == 1) {
        for (int i = 0; i < 6; i++)
            page->args[i] = args[i];
        return sg_call_stub(stub, nr | SG_ARGS_PAGE, 0, 0, 0, 0, 0, 0);
    }
    return sg_call_stub_stack(stub, nr | SG_ARGS_STACK, args[0], args[1], args[2], args[3], args[4], args[5]);
}

int main(int argc, char **argv)
{
    (void)argc;
    struct sg_info info;
    long r = sg_info(&info);

    printf("\n== sysgate demo (%s, a %d-bit process) ==\n", argv[0], SG_BITS);
    printf("sg_info          -> %ld bytes\n", r);
    printf("  kernel         %s\n", info.version);
    printf("  cpu            %s / %s (family %u model %u)%s\n", info.vendor, info.model, info.family,
           info.model_id, info.hypervisor ? ", virtual" : "");
    printf("  interface page %#llx (auxiliary vector: %#lx)\n", (unsigned long long)info.kip_address,
           (unsigned long)sg_kip);
    if (SG_BITS == 32)
        printf("  AT_SYSINFO     %#lx (__kernel_vsyscall)\n", (unsigned long)sg_auxv_get(SG_AT_SYSINFO));

    unsigned long q_ax, q_dx, q_cx;
    __asm__ volatile(".byte 0xf0, 0x90" : "=a"(q_ax), "=d"(q_dx), "=c"(q_cx) : "0"(0) : "memory");
    printf("  lock nop       -> page %#lx, version %lu, mechanisms %#lx\n", q_ax, q_dx, q_cx);
    uint32_t offered = SG_BITS == 64 ? info.mechanisms64 : info.mechanisms32;
    uint32_t default_mech = SG_BITS == 64 ? info.default64 : info.default32;
    printf("  %d-bit doors   ", SG_BITS);
    for (int m = 0; m < SG_MECH_COUNT; m++)
        printf(" %s%s", sg_mechanism_name(m), offered & (1u << m) ? "" : "(absent)");
    printf("\n  default entry   %s\n\n", sg_mechanism_name((int)default_mech));

    /* Every door this width's page offers, each argument way: getpid must
     * be this process's pid and sg_echo6 must see the six arguments. */
    unsigned long want = (unsigned long)sg_echo6_expect(args[0], args[1], args[2], args[3], args[4], args[5]);
    long self = sg_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
    static const char *const ways[3] = { "registers", "arg page", "stack" };
    int wrong = 0;
    printf("  %-9s %-10s %8s %s\n", "door", "arguments", "getpid", "six arguments");
    for (int m = 0; m < SG_MECH_COUNT; m++) {
        uintptr_t stub = sg_kip_stub(m);
        if (!stub)
            continue;
        for (int w = 0; w < 3; w++) {
            long pid = via_way(stub, w, SYS_getpid);
            int intact = (unsigned long)via_way(stub, w, SYS_sg_echo6) == want;
            wrong += pid != self || !intact;
            printf("  %-9s %-10s %8ld%s %s\n", sg_mechanism_name(m), ways[w], pid, pid == self ? "" : " WRONG",
                   intact ? "intact" : "WRONG");
        }
    }
    printf("  %s\n", wrong ? "SOME DOORS FAILED" : "every door offered here works, in every argument way");

    long pid = sg_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
    sg_info(&info);
    printf("\n%-16s -> getpid %ld, through %s\n", SG_BITS == 64 ? "default entry" : "__kernel_vsyscall", pid,
           sg_mechanism_name((int)info.entry));
    printf("write            -> %ld\n", sys_write(1, "write(1, ...) prints this line\n", 31));
    printf("unknown call 999 -> %s\n", sg_errno_name(sg_syscall(999, 0, 0, 0, 0, 0, 0)));
    printf("write(bad ptr)   -> %s\n", sg_errno_name(sys_write(1, (void *)(uintptr_t)0xfffff000ul, 8)));
    printf("nanosleep 20 ms  -> %ld\n", sys_nanosleep_ms(20));
    vdso_clock();

    const char *faults = SG_BITS == 64 ? "/bin/tests/faults" : "/bin/tests32/faults";
    char *child_argv[] = { (char *)faults, "ud2", 0 };
    long st = sg_run(faults, child_argv);
    printf("a child runs ud2 -> killed by signal %d; the kernel carries on\n", (int)SG_WTERMSIG(st));
    printf("== demo done ==\n");
    return wrong ? 1 : 0;
}
