/*
 * vsyscall: a 32-bit program that knows nothing of sysgate's library - its
 * own _start, Linux i386 numbers - and makes every system call the way an
 * unmodified static i386 program does: through the address the auxiliary
 * vector gives as AT_SYSINFO (__kernel_vsyscall), with eax = number and
 * ebx ecx edx esi edi ebp = arguments, every register but eax preserved.
 * It checks that the calls work, that the registers come back, and - with
 * sg_info, whose `entry` says which door the call itself came through -
 * that the page chose the vendor's door: sysenter on Intel, syscall on
 * AMD, int 0x80 otherwise (unless syscall= on the command line chose).
 */
#include <stdint.h>
#include <sysgate/abi.h>

#define NR_exit_group 252
#define NR_write 4
#define NR_getpid 20
#define NR_sg_info 0x1001

uint32_t sysinfo;
uint32_t vs_arg_a, vs_arg_f;    /* globals: absolute addresses, as esp moves in the asm */
static int count, failed;

/* All six argument registers loaded; ebp is the sixth.  The asm saves and
 * restores ebx and ebp itself, and checks that esi and edi survived. */
static int32_t vsyscall(int32_t nr, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e, uint32_t f,
                        int *preserved)
{
    int32_t r;
    uint32_t ok_c, ok_d, ok_s, ok_D;
    vs_arg_a = a;
    vs_arg_f = f;
    __asm__ volatile("push %%ebx\n push %%ebp\n"
                     "mov vs_arg_a, %%ebx\n mov vs_arg_f, %%ebp\n"
                     "call *sysinfo\n"
                     "pop %%ebp\n pop %%ebx\n"
                     : "=a"(r), "=c"(ok_c), "=d"(ok_d), "=S"(ok_s), "=D"(ok_D)
                     : "0"(nr), "1"(b), "2"(c), "3"(d), "4"(e)
                     : "memory", "cc");
    *preserved = ok_c == b && ok_d == c && ok_s == d && ok_D == e;
    return r;
}

static int32_t call0(int32_t nr, uint32_t a, uint32_t b, uint32_t c)
{
    int preserved;
    return vsyscall(nr, a, b, c, 0, 0, 0, &preserved);
}

static uint32_t length(const char *s)
{
    uint32_t n = 0;
    while (s[n])
        n++;
    return n;
}

static void say(const char *s)
{
    call0(NR_write, 1, (uint32_t)(uintptr_t)s, length(s));
}

static void check(int cond, const char *what)
{
    count++;
    if (!cond) {
        failed++;
        say("not ");
    }
    say("ok - vsyscall32: ");
    say(what);
    say("\n");
}

/* The TAP plan, "1..N" (tests/run-guest counts a program that ends
 * without one as stopped early). */
static void say_plan(void)
{
    char buf[16], *p = buf + sizeof buf;
    uint32_t n = count;
    *--p = 0;
    *--p = '\n';
    do
        *--p = (char)('0' + n % 10);
    while (n /= 10);
    *--p = '.';
    *--p = '.';
    *--p = '1';
    say(p);
}

static const char *door_name(uint32_t m)
{
    static const char *const names[SG_MECH_COUNT] = {
#define DOOR(NAME, name, nr, rank, what) [SG_MECH_##NAME] = #name,
#include <sysgate/doors.def>
#undef DOOR
    };
    return m < SG_MECH_COUNT ? names[m] : "?";
}

int vsyscall_main(uint32_t *sp)
{
    /* argc, argv..., 0, envp..., 0, auxv pairs */
    uint32_t *p = sp + 1 + sp[0] + 1;
    while (*p)
        p++;
    for (p++; p[0] != SG_AT_NULL; p += 2)
        if (p[0] == SG_AT_SYSINFO)
            sysinfo = p[1];
    if (!sysinfo) {
        /* Without AT_SYSINFO there is nothing to call: say so the old way. */
        static const char msg[] = "not ok - vsyscall32: no AT_SYSINFO in the auxiliary vector\n";
        __asm__ volatile("int $0x80" ::"a"(NR_write), "b"(1), "c"(msg), "d"(sizeof msg - 1));
        return 1;
    }
    say("# vsyscall32\n");

    int preserved;
    int32_t pid = vsyscall(NR_getpid, 0x11111111, 0x22222222, 0x33333333, 0x44444444, 0x55555555, 0x66666666,
                           &preserved);
    check(pid > 1, "getpid through AT_SYSINFO returns a pid");
    check(preserved, "ecx edx esi edi come back unchanged");

    static char msg[] = "# write through AT_SYSINFO\n";
    check(vsyscall(NR_write, 1, (uint32_t)(uintptr_t)msg, sizeof msg - 1, 0, 0, 0, &preserved) == sizeof msg - 1,
          "write through AT_SYSINFO returns its length");

    static struct sg_info info;
    check(call0(NR_sg_info, (uint32_t)(uintptr_t)&info, sizeof info, 0) == sizeof info, "sg_info through AT_SYSINFO");
    check(info.bits == 32, "the kernel sees a 32-bit process");
    check(info.entry == info.default32, "the call came through the 32-bit default door");
    say("# door: ");
    say(door_name(info.entry));
    say(info.features & SG_FEAT_DEFAULT_FORCED ? " (chosen by syscall=)\n" : " (chosen by vendor)\n");
    uint32_t vendor_door = info.vendor_id == SG_VENDOR_INTEL ? SG_MECH_SYSENTER
                           : info.vendor_id == SG_VENDOR_AMD ? SG_MECH_SYSCALL
                                                              : SG_MECH_INT80;
    check((info.features & SG_FEAT_DEFAULT_FORCED) || info.entry == vendor_door,
          "without syscall=, it is the vendor's door (sysenter on Intel, syscall on AMD)");

    say_plan();
    say(failed ? "# vsyscall32: some checks failed\n" : "# vsyscall32: all passed\n");
    return failed ? 1 : 0;
}

/* The process entry: the stack pointer is at argc. */
__asm__(".globl _start\n"
        "_start:\n"
        "   mov %esp, %eax\n"
        "   and $-16, %esp\n"
        "   sub $12, %esp\n"
        "   push %eax\n"
        "   call vsyscall_main\n"
        "   mov %eax, %ebx\n"
        "   mov $252, %eax\n"       /* exit_group */
        "   int $0x80\n"
        "   ud2\n");
