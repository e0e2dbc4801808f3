/*
 * vdso64.lds.S - the 64-bit interface page: the shared layout and the
 * symbols it exports, named and versioned as Linux's x86-64 vDSO exports
 * them (arch/x86/entry/vdso/vdso.lds.S: LINUX_2.6, with the plain names as
 * aliases), plus sysgate's own doors and __sg_rdtsc under SYSGATE_1.
 */
#include "vdso-layout.lds.S"

ENTRY(__sg_default_entry)

VERSION
{
    LINUX_2.6 {
    global:
        clock_gettime;
        __vdso_clock_gettime;
        gettimeofday;
        __vdso_gettimeofday;
        getcpu;
        __vdso_getcpu;
        time;
        __vdso_time;
        clock_getres;
        __vdso_clock_getres;
    local: *;
    };
    SYSGATE_1 {
    global:
        __sg_kip_header;
        __sg_default_entry;
        __sg_rdtsc;
#define DOOR(NAME, name, nr, rank, what) __sg_stub_##name;
#include <sysgate/doors.def>
#undef DOOR
    };
}
