/*
 * Where things are in the address space.  Used by C and assembly alike.
 *
 *   0x0000000000000000 .. USER_END        user space (lower canonical half,
 *                                         less the top page: see USER_END)
 *   0xffff800000000000 (PHYS_MAP_BASE)    every physical frame, mapped RW NX
 *   0xffffc00000000000 (KSTACK_AREA)      process kernel stacks, each with an
 *                                         unmapped guard page below it
 *   0xffffffff80000000 (KERNEL_BASE)      the kernel image, loaded at 1 MiB
 */
#ifndef SYSGATE_LAYOUT_H
#define SYSGATE_LAYOUT_H

#define KERNEL_BASE        0xffffffff80000000
#define KERNEL_LOAD_PHYS   0x100000
#define PHYS_MAP_BASE      0xffff800000000000
#define KSTACK_AREA        0xffffc00000000000

/*
 * The highest user address plus one.  The last page below the canonical
 * boundary (0x00007ffffffff000) is never mapped: an instruction that ends
 * exactly there would leave a non-canonical return address in RCX, the
 * case where Intel's SYSRET faults in ring 0 (Intel SDM vol. 2B, SYSRET;
 * Linux keeps TASK_SIZE below it for the same reason).
 */
#define USER_END           0x00007ffffffff000

/* User program layout: 64-bit processes. */
#define USER_STACK_TOP     0x00007ffffffef000   /* a free page, then the argument page */
#define USER_STACK_PAGES   16                   /* mapped at start; the rest on touch */
#define USER_STACK_SIZE    0x800000             /* the stack region: 8 MiB (Linux's
                                                   default RLIMIT_STACK), a guard page below */
#define USER_ARGPAGE       0x00007fffffff0000   /* per-process argument page */

/* 32-bit processes: everything below 4 GiB. */
#define USER32_END         0xfffff000
#define USER32_ARGPAGE     0xfffef000
#define USER32_STACK_TOP   0xfffee000

#define PAGE_SIZE          4096
#define KSTACK_SIZE        16384

#endif
