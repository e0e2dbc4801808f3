/*
 * The one dispatcher, the full path.  Every door (the files in entry/)
 * ends up here with a complete struct frame for every call the fast paths
 * (entry/syscall.S, dispatch_fast.S) do not answer: a FULL call, an
 * argument way other than registers, a number past the tables, and every
 * call while percpu.work is set.  The frame's CS says which ABI the caller
 * speaks:
 *   64-bit code: number in rax, arguments rdi rsi rdx r10 r8 r9 (Linux
 *                x86-64), Linux x86-64 numbers;
 *   32-bit code: number in eax, arguments ebx ecx edx esi edi ebp (Linux
 *                i386), Linux i386 numbers; every value 32 bits wide.
 * The number's flag may move the arguments to the user stack or the
 * argument page (abi.h); the door tag says where a 32-bit fast door's
 * stack arguments lie.  The handler is found through a table generated
 * from syscalls.def, and the result goes to frame->rax.
 *
 * syscall_init() also fills the fast paths' tables (tables.h) from the
 * `path` column of syscalls.def: a FULL call's slot holds the full-path
 * stub, never its handler, so no fast path can run it.
 */
#include "syscall.h"
#include "trace.h"
#include "uaccess.h"
#include "tables.h"
#include "../arch/selectors_msrs.h"
#include "../proc/proc.h"
#include <sysgate/abi.h>

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
#define SYSCALL(name, nr64, nr32, nargs, path, sig)                                  \
    _Static_assert(sizeof(sig) - 1 == (nargs), "syscalls.def: " #name "'s sig has one " \
                                               "letter per argument");                \
    static long call_##name(const uint64_t *a)                                        \
    {                                                                                 \
        (void)a;                                                                      \
        return sys_##name(SYSCALL_ARGS##nargs);                                       \
    }
#include <sysgate/syscalls.def>
#undef SYSCALL

/* The full-path stubs of the 64-bit doors' own fast paths (kernel/entry/),
 * and of the 32-bit doors' (entry/compat_doors.S) with their empty slot. */
void syscall_full_call(void), int80_full_call(void), callgate_full_call(void), sysenter_full_call(void),
    trap_full_call(void), exdoor64_full_call(void);
void compat_full_call(void), compat_unknown(void);

#define PATH_FAST true
#define PATH_FULL false
static const struct {
    const char *name;
    const char *sig;        /* how the trace shows the arguments */
    int64_t nr64;
    int64_t nr32;
    syscall_call call;
    void *handler;      /* sys_<name> itself, for the fast paths */
    bool fast;          /* syscalls.def's path column */
} syscall_list[] = {
#define SYSCALL(name, nr64, nr32, nargs, path, sig)                                   \
    { #name, sig, nr64, nr32, call_##name, (void *)sys_##name, PATH_##path },
#include <sysgate/syscalls.def>
#undef SYSCALL
};

/* Filled from syscall_list at boot: Linux-numbered calls by number, and
 * sysgate's private calls by number - SG_PRIVATE_BASE. */
static syscall_call table64[LINUX_NR_MAX];
static syscall_call table32[LINUX_NR_MAX];
static syscall_call private_table[SG_PRIVATE_COUNT];

void *syscall_door_table64[DOOR_TABLE_SLOTS], *int80_table64[DOOR_TABLE_SLOTS], *callgate_table64[DOOR_TABLE_SLOTS],
    *sysenter_table64[DOOR_TABLE_SLOTS], *trap_table64[DOOR_TABLE_SLOTS], *exception_table64[DOOR_TABLE_SLOTS];
void *compat_table32[SYSCALL_TABLE_SIZE];
void *front_table64[SYSCALL_TABLE_SIZE];
void *front_table32[SYSCALL_TABLE_SIZE];
uint64_t fast_calls64[UNIMPLEMENTED_WORDS], fast_calls32[UNIMPLEMENTED_WORDS];
const uint64_t stack_args_top64 = STACK_ARGS_TOP64, stack_args_top32 = STACK_ARGS_TOP32;

static void install(syscall_call *table, uint64_t nr, size_t i)
{
    syscall_call *slot = nr < LINUX_NR_MAX ? &table[nr]
                         : nr - SG_PRIVATE_BASE < SG_PRIVATE_COUNT ? &private_table[nr - SG_PRIVATE_BASE]
                                                                   : 0;
    if (!slot || (*slot && *slot != syscall_list[i].call))
        panic("syscalls.def: %s has a bad or duplicate number %#lx", syscall_list[i].name, nr);
    *slot = syscall_list[i].call;
}

/* What a slot of the front's tables without a call holds. */
static long sys_enosys(void)
{
    trace_unimplemented(syscall_frame());
    return -SG_ENOSYS;
}

/* The 64-bit doors with a fast path of their own, each with its table and
 * the stub that takes its full path. */
static const struct {
    void **table;
    void (*full_call)(void);
} doors64[] = {
    { syscall_door_table64, syscall_full_call }, { int80_table64, int80_full_call },
    { callgate_table64, callgate_full_call }, { sysenter_table64, sysenter_full_call },
    { trap_table64, trap_full_call }, { exception_table64, exdoor64_full_call },
};

/* What an empty slot of those tables holds once the running process has
 * had its number logged: -ENOSYS at once, in two instructions. */
long enosys_logged(void)
{
    return -SG_ENOSYS;
}

/* The numbers with a 64-bit call (their slots are never an empty one),
 * and the unimplemented_logged bits the doors' tables show now (how many
 * of them are set). */
static uint64_t calls64[UNIMPLEMENTED_WORDS];
static uint64_t shown[UNIMPLEMENTED_WORDS];
static uint32_t shown_count;

/* An empty slot of a door's table, and the slot past its end, say whether
 * the running process has had that number (a number past the tables) logged:
 * enosys_logged if it has, the door's full path - which logs it (trace.c)
 * - if not.  So the fast paths answer a logged unknown number as cheaply as
 * a null call, and never read the log themselves.  Only the bits that
 * changed are rewritten (the log holds a handful of numbers), and nothing
 * is looked at when neither log has any: most switches. */
void fast_tables_show(const uint64_t *logged, uint32_t count)
{
    if (count == 0 && shown_count == 0)
        return;
    shown_count = count;
    for (size_t w = 0; w < UNIMPLEMENTED_WORDS; w++) {
        uint64_t change = (shown[w] ^ logged[w]) & ~calls64[w];
        shown[w] ^= change;
        for (; change; change &= change - 1) {
            size_t nr = w * 64 + (size_t)__builtin_ctzll(change);
            bool is_logged = logged[w] >> (nr % 64) & 1;
            for (size_t d = 0; d < ARRAY_SIZE(doors64); d++)
                doors64[d].table[nr] = is_logged ? (void *)enosys_logged : (void *)doors64[d].full_call;
        }
    }
}
_Static_assert(UNIMPLEMENTED_PAST < DOOR_TABLE_SLOTS && UNIMPLEMENTED_WORDS * 64 <= DOOR_TABLE_SLOTS + 63,
               "tables.h: every bit of the log has a slot in the doors' tables");

/* Call i's slot in a fast table: its handler only when syscalls.def says
 * FAST; a FULL call's slot sends it to the full path.  fast_calls, when
 * given, gets the slot's bit for a FAST call (tables.h). */
static void install_fast(void **table, uint64_t nr, size_t i, void *full_stub, uint64_t *fast_calls)
{
    table[nr] = syscall_list[i].fast ? syscall_list[i].handler : full_stub;
    if (fast_calls && syscall_list[i].fast)
        fast_calls[nr / 64] |= 1ull << (nr % 64);
}

void syscall_init(void)
{
    for (int i = 0; i < DOOR_TABLE_SLOTS; i++)
        for (size_t d = 0; d < ARRAY_SIZE(doors64); d++)
            doors64[d].table[i] = (void *)doors64[d].full_call;
    for (int i = 0; i < SYSCALL_TABLE_SIZE; i++) {
        compat_table32[i] = (void *)compat_unknown;
        front_table64[i] = front_table32[i] = (void *)sys_enosys;
    }
    for (size_t i = 0; i < sizeof syscall_list / sizeof syscall_list[0]; i++) {
        int64_t nr64 = syscall_list[i].nr64;
        if (nr64 >= 0) {
            install(table64, (uint64_t)nr64, i);
            for (size_t d = 0; d < ARRAY_SIZE(doors64); d++)
                install_fast(doors64[d].table, (uint64_t)nr64, i, (void *)doors64[d].full_call, 0);
            calls64[nr64 / 64] |= 1ull << (nr64 % 64);
            install_fast(front_table64, (uint64_t)nr64, i, (void *)front_full_call, fast_calls64);
        }
        int64_t nr32 = syscall_list[i].nr32;
        if (nr32 >= 0) {
            install(table32, (uint64_t)nr32, i);
            install_fast(compat_table32, (uint64_t)nr32, i, (void *)compat_full_call, 0);
            install_fast(front_table32, (uint64_t)nr32, i, (void *)front_full_call, fast_calls32);
        }
    }
}

static syscall_call lookup(uint64_t nr, bool compat)
{
    if (nr < LINUX_NR_MAX)
        return compat ? table32[nr] : table64[nr];
    if (nr - SG_PRIVATE_BASE < SG_PRIVATE_COUNT)
        return private_table[nr - SG_PRIVATE_BASE];
    return 0;
}

/* Every door builds its frame at the top of the process's kernel stack
 * (TSS.RSP0 for the gates, percpu.kernel_rsp for syscall and sysenter). */
struct frame *syscall_frame(void)
{
    return proc_frame(current_proc());
}

/* The trace (trace.c) wants the call's name and sig; exit and exit_group
 * never come back, so their line is written before, ending in "= ?". */
static int list_index(syscall_call call)
{
    for (size_t i = 0; call && i < ARRAY_SIZE(syscall_list); i++)
        if (syscall_list[i].call == call)
            return (int)i;
    return -1;
}

static void trace_before(const struct frame *f, syscall_call call, const uint64_t a[6])
{
    int i = list_index(call);
    if (i >= 0 && (syscall_list[i].handler == (void *)sys_exit || syscall_list[i].handler == (void *)sys_exit_group))
        trace_call(f, syscall_list[i].name, syscall_list[i].sig, a, 0, false);
}

static void trace_after(const struct frame *f, syscall_call call, const uint64_t a[6], long r)
{
    int i = list_index(call);
    trace_call(f, i >= 0 ? syscall_list[i].name : 0, i >= 0 ? syscall_list[i].sig : 0, a, r, true);
}

/* The six arguments of a 64-bit caller, from wherever the flag says. */
static long fetch_args64(const struct frame *f, uint64_t way, uint64_t a[6])
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

/* The same for a 32-bit caller: 32-bit values.  On the stack they are
 * 4-byte slots above the stub's return address; the compat SYSENTER and
 * SYSCALL doors are entered through __kernel_vsyscall's dance, which
 * pushed three registers more (kip32_stubs.S). */
static long fetch_args32(const struct frame *f, uint64_t way, uint64_t a[6])
{
    uint32_t s[6];
    uint64_t sp;
    switch (way) {
    case 0:
        a[0] = (uint32_t)f->rbx, a[1] = (uint32_t)f->rcx, a[2] = (uint32_t)f->rdx;
        a[3] = (uint32_t)f->rsi, a[4] = (uint32_t)f->rdi, a[5] = (uint32_t)f->rbp;
        return 0;
    case SG_ARGS_STACK:
        sp = f->rsp + 4 + (f->entry == SG_MECH_SYSENTER || f->entry == SG_MECH_SYSCALL ? 12 : 0);
        if (copy_from_user(s, sp, sizeof s))
            return -SG_EFAULT;
        for (int i = 0; i < 6; i++)
            a[i] = s[i];
        return 0;
    case SG_ARGS_PAGE:
        if (copy_from_user(a, SG_ARGPAGE_ADDRESS32 + offsetof(struct sg_argpage, args), 6 * sizeof a[0]))
            return -SG_EFAULT;
        for (int i = 0; i < 6; i++)
            a[i] = (uint32_t)a[i];
        return 0;
    }
    return -SG_ENOSYS;
}

/* The argument page's way: the result goes to the page as well (abi.h);
 * -EFAULT when it cannot. */
static long page_result(bool compat, uint64_t way, long r)
{
    uint64_t page = compat ? SG_ARGPAGE_ADDRESS32 : SG_ARGPAGE_ADDRESS;
    if (way == SG_ARGS_PAGE && copy_to_user(page + offsetof(struct sg_argpage, result), &r, sizeof r))
        return -SG_EFAULT;
    return r;
}

void syscall_dispatch(struct frame *f)
{
    current_proc()->full_calls++;
    /* USER64_CS is the only 64-bit code segment a process can have: LDT
     * code segments never have L set (modify_ldt), so any other CS runs
     * 32-bit code, which speaks the i386 ABI. */
    bool compat = f->cs != USER64_CS;
    uint64_t number = compat ? (uint32_t)f->rax : f->rax;
    uint64_t way = number & SG_ARGS_MASK;
    uint64_t nr = number & ~(uint64_t)SG_ARGS_MASK;
    uint64_t a[6] = { 0 };
    syscall_call call = lookup(nr, compat);
    long r = compat ? fetch_args32(f, way, a) : fetch_args64(f, way, a);

    if (syscall_tracing)
        trace_before(f, call, a);
    if (r == 0 && call) {
        r = call(a);
    } else if (r == 0) {
        trace_unimplemented(f);
        r = -SG_ENOSYS;
    }
    r = page_result(compat, way, r);
    if (syscall_tracing)
        trace_after(f, call, a, r);
    f->rax = (uint64_t)r;
}
