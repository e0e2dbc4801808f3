/* /bin/demo: a tour of what a process can ask the kernel. */
#include "../lib/sysgate.h"

int main(int argc, char **argv)
{
    (void)argc;
    struct sg_info info;
    long r = sg_info(&info);

    printf("\n== sysgate demo (%s) ==\n", argv[0]);
    printf("sg_info          -> %ld\n", r);
    printf("  kernel         %s\n", info.version);
    printf("  cpu            %s / %s (family %u model %u)%s\n", info.vendor, info.model, info.family,
           info.model_id, info.hypervisor ? ", virtual" : "");
    printf("  interface page %#lx (auxv AT_SYSINFO_EHDR %#lx)\n", info.kip_address, sg_kip);
    printf("  mechanisms     64-bit:");
    for (int m = 0; m < SG_MECH_COUNT; m++)
        if (info.mechanisms64 & (1u << m))
            printf(" %s", sg_mechanism_name(m));
    printf("; default %s\n", sg_mechanism_name((int)info.default64));
    printf("getpid           -> %ld\n", sys_getpid());
    printf("sg_null          -> %ld\n", sg_null());
    long w = sys_write(1, "write(1, \"hello\\n\", 6) prints: hello\n", 37);
    printf("write            -> %ld\n", w);
    printf("unknown call 999 -> %s\n", sg_errno_name(sg_syscall(999, 0, 0, 0, 0, 0, 0)));
    printf("write(bad ptr)   -> %s\n", sg_errno_name(sys_write(1, (void *)0xffffffff80000000ul, 8)));
    printf("nanosleep 20 ms  -> %ld\n", sys_nanosleep_ms(20));
    printf("== demo done ==\n");
    return 0;
}
