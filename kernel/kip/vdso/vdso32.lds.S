/*
 * vdso32.lds.S - the 32-bit interface page: the shared layout and the
 * symbols it exports, named and versioned as Linux's i386 vDSO exports them
 * (arch/x86/entry/vdso/vdso32/vdso32.lds.S: the time functions under
 * LINUX_2.6, __kernel_vsyscall under LINUX_2.5; the ELF entry point is
 * __kernel_vsyscall), plus sysgate's own doors and __sg_rdtsc under SYSGATE_1.  Linux's
 * __kernel_sigreturn and __kernel_rt_sigreturn are there too, under
 * LINUX_2.5: the return address of a handler given without SA_RESTORER.
 */
#include "vdso-layout.lds.S"

ENTRY(__kernel_vsyscall)

VERSION
{
    LINUX_2.6 {
    global:
        __vdso_clock_gettime;
        __vdso_gettimeofday;
        __vdso_time;
        __vdso_clock_getres;
        __vdso_clock_gettime64;
        __vdso_getcpu;
    };
    LINUX_2.5 {
    global:
        __kernel_vsyscall;
        __kernel_sigreturn;
        __kernel_rt_sigreturn;
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
