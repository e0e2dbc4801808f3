/*
 * kipdefault NAME: booted with syscall=NAME on the kernel command line
 * (tests/run-guest does that for every mechanism, and for a name that is
 * none), the interface page's default entry must be NAME when this CPU
 * offers it to this program's width, and the best mechanism when it does
 * not (64-bit: syscall; 32-bit: sysenter on Intel, syscall on AMD); either
 * way a call through the default entry works and comes through that door.
 */
#include "../lib/tap.h"
#include <sysgate/kip.h>

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
    uint32_t mask = SG_BITS == 64 ? info.mechanisms64 : info.mechanisms32;
    int best = SG_BITS == 64 || info.vendor_id != SG_VENDOR_INTEL ? SG_MECH_SYSCALL : SG_MECH_SYSENTER;
    if (SG_BITS == 32 && info.vendor_id != SG_VENDOR_INTEL && info.vendor_id != SG_VENDOR_AMD)
        best = SG_MECH_INT80;
    int offered = asked >= 0 && (mask & (1u << asked));
    int want = offered ? asked : best;
    tap_eq(SG_BITS == 64 ? info.default64 : info.default32, want, "syscall=%s %s: the default is %s", argv[1],
           asked < 0 ? "(no such mechanism) is refused" : offered ? "is obeyed" : "(not on this CPU) is refused",
           sg_mechanism_name(want));

    const struct sg_kip_header *h = sg_kip_header();
    const uint8_t *entry = (const uint8_t *)sg_kip_default();
    int32_t rel;
    memcpy(&rel, entry + 1, 4);
    uint64_t target = h->default_offset + 5 + (int64_t)rel;
    tap_check(entry[0] == 0xe9 && target == h->stub_offset[want],
              "the page's default entry jumps to the %s stub", sg_mechanism_name(want));
    tap_eq(sg_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0), info.pid, "getpid through the default entry");
    info.entry = 99;
    sg_info(&info);
    tap_eq(info.entry, want, "sg_info through the default entry came through %s", sg_mechanism_name(want));
    return tap_end();
}
