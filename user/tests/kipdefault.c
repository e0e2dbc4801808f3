/*
 * kipdefault NAME: booted with syscall=NAME on the kernel command line
 * (tests/run-guest does that for every mechanism, and for a name that is
 * none), the interface page's default entry must be NAME when this CPU
 * offers it in 64-bit mode, and the best mechanism (syscall) when it does
 * not; either way a call through the default entry works.
 */
#include "../lib/tap.h"
#include "../../include/sysgate/kip.h"

int main(int argc, char **argv)
{
    tap_begin("kipdefault");
    if (argc < 2) {
        tap_check(0, "needs the syscall= value as its argument");
        return tap_end();
    }
    struct sg_info info;
    sg_info(&info);
    int asked = -1;
    for (int m = 0; m < SG_MECH_COUNT; m++)
        if (!strcmp(argv[1], sg_mechanism_name(m)))
            asked = m;
    int offered = asked >= 0 && (info.mechanisms64 & (1u << asked));
    int want = offered ? asked : SG_MECH_SYSCALL;
    tap_eq(info.default64, want, "syscall=%s %s: the default is %s", argv[1],
           asked < 0 ? "(no such mechanism) is refused" : offered ? "is obeyed" : "(not on this CPU) is refused",
           sg_mechanism_name(want));

    const struct sg_kip_header *h = (const struct sg_kip_header *)sg_kip;
    const uint8_t *entry = (const uint8_t *)sg_kip + SG_KIP_DEFAULT_OFFSET;
    int32_t rel;
    memcpy(&rel, entry + 1, 4);
    uint64_t target = SG_KIP_DEFAULT_OFFSET + 5 + (int64_t)rel;
    tap_check(entry[0] == 0xe9 && target == h->stub_offset[want],
              "the page's default entry jumps to the %s stub", sg_mechanism_name(want));
    tap_eq(sg_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0), info.pid, "getpid through the default entry");
    return tap_end();
}
