/*
 * SYS_<name> for assembly: one `.equ` per call of include/sysgate/syscalls.def,
 * the number of the width being assembled (-m64: x86-64's, -m32: i386's;
 * -1 where that width has no such call) - the numbers the C side gets as
 * user/lib/sysgate.h's and the vDSO's enum, from the same one list.
 */
#ifndef SYSGATE_SYSCALL_NUMBERS_ASM_H
#define SYSGATE_SYSCALL_NUMBERS_ASM_H

#ifdef __x86_64__
#define SYSCALL(name, nr64, nr32, nargs, path, sig) .equ SYS_##name, nr64;
#else
#define SYSCALL(name, nr64, nr32, nargs, path, sig) .equ SYS_##name, nr32;
#endif
#include <sysgate/syscalls.def>
#undef SYSCALL

#endif
