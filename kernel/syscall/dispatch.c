/*
 * The one dispatcher.  Every door (the files in entry/) ends up here with a struct
 * frame; the dispatcher knows nothing of doors.  It reads the number and
 * the six arguments from the frame in the registers of the Linux x86-64
 * ABI (rax; rdi rsi rdx r10 r8 r9), calls the handler through a table
 * generated from syscalls.def, and stores the result in frame->rax.
 */
#include "syscall.h"
#include "../proc/proc.h"
#include "../../include/sysgate/abi.h"

typedef long (*syscall_call)(const uint64_t *a);

/* One adapter per call, generated, so that each handler keeps its own
 * typed parameter list and the compiler checks it against the table. */
#define SYSCALL_ARGS0
#define SYSCALL_ARGS1 a[0]
#define SYSCALL_ARGS2 a[0], a[1]
#define SYSCALL_ARGS3 a[0], a[1], a[2]
#define SYSCALL_ARGS4 a[0], a[1], a[2], a[3]
#define SYSCALL_ARGS5 a[0], a[1], a[2], a[3], a[4]
#define SYSCALL_ARGS6 a[0], a[1], a[2], a[3], a[4], a[5]
#define SYSCALL(name, nr64, nr32, nargs)                  \
    static long call_##name(const uint64_t *a)            \
    {                                                     \
        (void)a;                                          \
        return sys_##name(SYSCALL_ARGS##nargs);           \
    }
#include "../../include/sysgate/syscalls.def"
#undef SYSCALL

#define LINUX_NR_MAX 512

static const struct {
    const char *name;
    uint64_t nr64;
    syscall_call call;
} syscall_list[] = {
#define SYSCALL(name, nr64, nr32, nargs) { #name, nr64, call_##name },
#include "../../include/sysgate/syscalls.def"
#undef SYSCALL
};

/* Filled from syscall_list at boot: Linux-numbered calls by number, and
 * sysgate's private calls by number - SG_PRIVATE_BASE. */
static syscall_call table64[LINUX_NR_MAX];
static syscall_call private_table[SG_PRIVATE_COUNT];

void syscall_init(void)
{
    for (size_t i = 0; i < sizeof syscall_list / sizeof syscall_list[0]; i++) {
        uint64_t nr = syscall_list[i].nr64;
        syscall_call *slot = nr < LINUX_NR_MAX ? &table64[nr]
                             : nr - SG_PRIVATE_BASE < SG_PRIVATE_COUNT ? &private_table[nr - SG_PRIVATE_BASE]
                                                                       : 0;
        if (!slot || *slot)
            panic("syscalls.def: %s has a bad or duplicate number %#lx", syscall_list[i].name, nr);
        *slot = syscall_list[i].call;
    }
}

static syscall_call lookup(uint64_t nr)
{
    if (nr < LINUX_NR_MAX)
        return table64[nr];
    if (nr - SG_PRIVATE_BASE < SG_PRIVATE_COUNT)
        return private_table[nr - SG_PRIVATE_BASE];
    return 0;
}

void syscall_dispatch(struct frame *f)
{
    uint64_t a[6] = { f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9 };
    syscall_call call = lookup(f->rax);

    current_proc()->syscalls++;
    f->rax = call ? (uint64_t)call(a) : (uint64_t)-SG_ENOSYS;
}
