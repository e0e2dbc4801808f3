/*
 * The one dispatcher.  Every door (the files in entry/) ends up here with
 * a struct frame; the dispatcher knows nothing of doors.  It reads the
 * number from rax and the six arguments from where the number's flag says
 * (registers as in the Linux x86-64 ABI - rdi rsi rdx r10 r8 r9 - the user
 * stack, or the argument page: abi.h), calls the handler through a table
 * generated from syscalls.def, and stores the result in frame->rax.
 */
#include "syscall.h"
#include "uaccess.h"
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

static struct frame *current_frame;

struct frame *syscall_frame(void)
{
    return current_frame;
}

/* The six arguments, from wherever this call's flag says they are. */
static long fetch_args(const struct frame *f, uint64_t way, uint64_t a[6])
{
    switch (way) {
    case 0:
        a[0] = f->rdi, a[1] = f->rsi, a[2] = f->rdx, a[3] = f->r10, a[4] = f->r8, a[5] = f->r9;
        return 0;
    case SG_ARGS_STACK:
        return copy_from_user(a, f->rsp + 8, 6 * sizeof a[0]);
    case SG_ARGS_PAGE:
        return copy_from_user(a, SG_ARGPAGE_ADDRESS + offsetof(struct sg_argpage, args), 6 * sizeof a[0]);
    }
    return -SG_ENOSYS;
}

void syscall_dispatch(struct frame *f)
{
    uint64_t way = f->rax & SG_ARGS_MASK;
    uint64_t nr = f->rax & ~(uint64_t)SG_ARGS_MASK;
    uint64_t a[6];
    syscall_call call = lookup(nr);
    long r = fetch_args(f, way, a);

    current_proc()->syscalls++;
    current_frame = f;
    if (r == 0)
        r = call ? call(a) : -SG_ENOSYS;
    if (way == SG_ARGS_PAGE &&
        copy_to_user(SG_ARGPAGE_ADDRESS + offsetof(struct sg_argpage, result), &r, sizeof r))
        r = -SG_EFAULT;
    f->rax = (uint64_t)r;
}
