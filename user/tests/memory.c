/*
 * memory: brk, mmap (mmap2 and old mmap for 32-bit), munmap, mprotect,
 * madvise and mremap, Linux's semantics (the man pages), both widths.  Pages come on
 * first touch, protections are the hardware's (NX included), the pages the
 * kernel placed - the interface page, the argument page - cannot be
 * unmapped, reprotected or mapped over, and bad lengths, flags and
 * addresses are refused with Linux's errors.  Every case where the process
 * should be killed runs in a child of its own (this program again, with
 * the case's name in argv[1]); so does the fuzzer, which must come back
 * alive with the interface page unchanged.
 */
#include "../lib/files.h"
#include "../lib/tap.h"

#define PAGE 4096ul
#define RW (SG_PROT_READ | SG_PROT_WRITE)
#define ANON (SG_MAP_PRIVATE | SG_MAP_ANONYMOUS)

#ifdef __x86_64__
#define KERNEL_ADDR 0xffffffff80000000ul
#define NONCANONICAL 0x0000800000000000ul
#define TOP_OF_USER 0x00007ffffffff000ul
#else
#define TOP_OF_USER 0xfffff000ul
#endif

static int failed(long r)
{
    return (unsigned long)r > -4096ul;
}

static char *map(unsigned long len, int prot)
{
    long r = sys_mmap(0, len, prot, ANON, -1, 0);
    return failed(r) ? 0 : (char *)r;
}

static long map_fixed(void *addr, unsigned long len, int prot, int extra)
{
    return sys_mmap(addr, len, prot, ANON | extra, -1, 0);
}

/* Results compared as addresses: a 32-bit program's long is negative above
 * 2 GiB, and tap_eq compares 64-bit values. */
#define U(x) ((unsigned long)(x))

/* Code that returns 42 in eax: mov $42, %eax; ret (the same bytes for both
 * widths). */
static const unsigned char ret42[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };

static const char *self;        /* this program's path: a file to map */

static int call(void *code)
{
    return ((int (*)(void))code)();
}

/* ---- the cases that must be killed (each runs in a child) -------------------- */

static void kill_after_unmap(void)
{
    char *p = map(PAGE, RW);
    p[0] = 1;
    sys_munmap(p, PAGE);
    (void)*(volatile char *)p;
}

static void kill_exec_nx(void)
{
    char *p = map(PAGE, RW);
    memcpy(p, ret42, sizeof ret42);
    call(p);
}

static void kill_read_none(void)
{
    (void)*(volatile char *)map(PAGE, SG_PROT_NONE);
}

static void kill_write_none(void)
{
    *(volatile char *)map(PAGE, SG_PROT_NONE) = 1;
}

static void kill_write_ro(void)
{
    char *p = map(PAGE, SG_PROT_READ);
    (void)*(volatile char *)p;      /* reading is fine */
    *(volatile char *)p = 1;
}

static void kill_write_after_mprotect(void)
{
    char *p = map(PAGE, RW);
    p[0] = 1;
    sys_mprotect(p, PAGE, SG_PROT_READ);
    *(volatile char *)p = 2;
}

static void kill_read_after_mprotect_none(void)
{
    char *p = map(2 * PAGE, RW);
    p[PAGE] = 1;
    sys_mprotect(p + PAGE, PAGE, SG_PROT_NONE);
    (void)*(volatile char *)(p + PAGE);
}

static void kill_exec_after_mprotect(void)
{
    char *p = map(PAGE, RW | SG_PROT_EXEC);
    memcpy(p, ret42, sizeof ret42);
    if (call(p) != 42)
        sys_exit(3);
    sys_mprotect(p, PAGE, RW);
    call(p);
}

static void kill_split_hole(void)
{
    char *p = map(3 * PAGE, RW);
    p[0] = p[PAGE] = p[2 * PAGE] = 1;
    sys_munmap(p + PAGE, PAGE);
    if (p[0] != 1 || p[2 * PAGE] != 1)
        sys_exit(3);
    (void)*(volatile char *)(p + PAGE);
}

static void kill_above_brk(void)
{
    char *b = (char *)sys_brk(0);
    sys_brk(b + 2 * PAGE);
    b[PAGE] = 1;
    sys_brk(b);
    (void)*(volatile char *)(b + PAGE);
}

static void kill_file_past_eof(void)
{
    int fd = (int)sys_open(self, O_RDONLY);
    long size = sys_lseek(fd, 0, SG_SEEK_END);
    unsigned long end = (size + PAGE - 1) & ~(PAGE - 1);
    /* Two pages: the file's last one, and one wholly past its end. */
    char *p = (char *)sys_mmap(0, 2 * PAGE, SG_PROT_READ, SG_MAP_PRIVATE, fd, (long)(end - PAGE));
    if (failed((long)p) || p[size - (end - PAGE) - 1] == 0x55)
        sys_exit(3);
    (void)*(volatile char *)(p + PAGE);
}

/* Touches 1 GiB on a machine with less: the fault that finds no frame kills
 * the process (as Linux's OOM killer would, SIGKILL); nothing panics. */
static void kill_out_of_memory(void)
{
    unsigned long len = 1ul << 30;
    char *p = map(len, RW);
    if (!p)
        sys_exit(3);
    for (unsigned long off = 0; off < len; off += PAGE)
        p[off] = 1;
}

static void grow_stack(int depth)
{
    volatile char pad[4000];
    pad[0] = (char)depth;
    if (depth > 0)
        grow_stack(depth - 1);
    pad[1] = pad[0];
}

/* Not a kill: 2 MiB of stack, far below the pages mapped at start. */
static void stack_growth(void)
{
    grow_stack(512);
    sys_exit(0);
}

/* Not a kill: a bit of everything, much of it left mapped at exit (PROT_NONE
 * pages, a moved region, a file's private copies, a sparse gigabyte):
 * the leak check runs it and counts the free frames before and after. */
static void workout(void)
{
    char *a = map(64 * PAGE, RW);
    for (int i = 0; i < 64; i++)
        a[i * PAGE] = 1;
    sys_mprotect(a + 8 * PAGE, 8 * PAGE, SG_PROT_NONE);
    sys_munmap(a + 20 * PAGE, 4 * PAGE);
    char *moved = (char *)sys_mremap(a + 30 * PAGE, 4 * PAGE, 16 * PAGE, SG_MREMAP_MAYMOVE, 0);
    moved[15 * PAGE] = 1;
    sys_madvise(a + 40 * PAGE, 8 * PAGE, SG_MADV_DONTNEED);
    char *b = (char *)sys_brk(0);
    sys_brk(b + 32 * PAGE);
    memset(b, 1, 32 * PAGE);
    sys_brk(b + 5 * PAGE);
    int fd = (int)sys_open(self, O_RDONLY);
    char *f = (char *)sys_mmap(0, 4 * PAGE, RW, SG_MAP_PRIVATE, fd, 0);
    f[0] = f[3 * PAGE] = 2;
    sys_close(fd);
    char *sparse = map(1ul << 30, RW);
    for (unsigned long off = 0; off < (1ul << 30); off += 2ul << 20)
        sparse[off] = 3;
    sys_munmap(sparse, 1ul << 29);
    grow_stack(100);
    sys_exit(0);
}

/* ---- the fuzzer (a child too) ----------------------------------------------- */

static uint32_t state = 0x2545f491u;

static uint32_t next(void)
{
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}

static char *sandbox;

/* Addresses: hostile ones, the pages the kernel placed, and pages of a
 * sandbox mapped just below the interface page (so that any range from it
 * upwards runs into the interface page and is refused whole).  Never the
 * program's own text, data or stack. */
static unsigned long fuzz_addr(void)
{
    switch (next() % 10) {
    case 0: return 0;
    case 1: return next() % PAGE;
    case 2: return 0xf000;
#ifdef __x86_64__
    case 3: return next() % 2 ? KERNEL_ADDR : NONCANONICAL;
#else
    case 3: return TOP_OF_USER;
#endif
    case 4: return sg_kip + (next() % 2) * (next() % PAGE);
    case 5: return (uintptr_t)SG_ARGPAGE + (next() % 3) * PAGE;
    case 6: return TOP_OF_USER - PAGE;
    case 7: return (uintptr_t)sandbox + next() % (64 * PAGE);
    default: return (uintptr_t)sandbox + (next() % 64) * PAGE;
    }
}

static unsigned long fuzz_len(void)
{
    switch (next() % 8) {
    case 0: return 0;
    case 1: return next() % PAGE + 1;
    case 2: return (unsigned long)-1;
    case 3: return -PAGE;
    case 4: return (unsigned long)next() << 12;
    default: return (next() % 80) * PAGE;
    }
}

static void fuzz(int calls)
{
    static unsigned char kip_copy[256];
    sandbox = map(64 * PAGE, SG_PROT_NONE);
    memcpy(kip_copy, (void *)sg_kip, sizeof kip_copy);
    static const int flag_pool[] = { SG_MAP_FIXED, SG_MAP_FIXED_NOREPLACE, SG_MAP_32BIT, SG_MAP_SHARED,
                                     SG_MAP_GROWSDOWN, SG_MAP_NORESERVE, SG_MAP_STACK, SG_MAP_HUGETLB, 0x400 };
    for (int i = 0; i < calls; i++) {
        unsigned long addr = fuzz_addr(), len = fuzz_len();
        int prot = next() % 4 == 0 ? (int)next() : (int)(next() % 8);
        int flags;
        switch (next() % 8) {
        case 0: flags = (int)next(); break;
        case 1: flags = (int)(next() % 4) | SG_MAP_ANONYMOUS; break;
        default: flags = ANON | flag_pool[next() % (sizeof flag_pool / sizeof flag_pool[0])]; break;
        }
        if (flags & SG_MAP_POPULATE)       /* keep memory for the rest of the run */
            len %= 64 * PAGE;
        int op = (int)(next() % 6);
        /* Below the program (0, page 0, 0xf000): munmap and madvise must
         * not reach its text (mmap, mprotect and mremap refuse there). */
        if ((op == 1 || op == 3) && addr < 0x400000 && len < -PAGE)
            len %= 0x400000 - addr;
        switch (op) {
        case 0: sys_mmap((void *)addr, len, prot, flags, (int)(next() % 8) - 1, (long)(next() % 3) * PAGE); break;
        case 1: sys_munmap((void *)addr, len); break;
        case 2: sys_mprotect((void *)addr, len, prot); break;
        case 3: sys_madvise((void *)addr, len, next() % 2 ? SG_MADV_DONTNEED : (int)(next() % 30)); break;
        case 4: sys_brk((void *)(next() % 2 ? addr : (unsigned long)sys_brk(0) + len % (1u << 24))); break;
        default: sys_mremap((void *)addr, len, fuzz_len(), (int)(next() % 8), (void *)fuzz_addr()); break;
        }
    }
    /* Alive; the interface page unchanged and still the way in; the
     * argument page still ours. */
    if (memcmp(kip_copy, (void *)sg_kip, sizeof kip_copy))
        sys_exit(4);
    SG_ARGPAGE->args[0] = 0x1234;
    if (SG_ARGPAGE->args[0] != 0x1234 || sys_getpid() <= 0)
        sys_exit(5);
    sys_exit(0);
}

static void fuzz_child(void)
{
    fuzz(5000);
}

struct child_case {
    const char *name;
    const char *hazard;
    int signal;             /* 0: must exit 0 */
    void (*run)(void);
};

static const struct child_case cases[] = {
    { "after_unmap", "touching memory after munmap", SG_SIGSEGV, kill_after_unmap },
    { "exec_nx", "executing from a mapping without PROT_EXEC (NX)", SG_SIGSEGV, kill_exec_nx },
    { "read_none", "reading a PROT_NONE mapping", SG_SIGSEGV, kill_read_none },
    { "write_none", "writing a PROT_NONE mapping", SG_SIGSEGV, kill_write_none },
    { "write_ro", "writing a PROT_READ mapping", SG_SIGSEGV, kill_write_ro },
    { "write_after_mprotect", "writing after mprotect(PROT_READ)", SG_SIGSEGV, kill_write_after_mprotect },
    { "read_after_none", "reading after mprotect(PROT_NONE)", SG_SIGSEGV, kill_read_after_mprotect_none },
    { "exec_after_mprotect", "executing after mprotect took PROT_EXEC away", SG_SIGSEGV,
      kill_exec_after_mprotect },
    { "split_hole", "touching the page munmap cut out of a region's middle", SG_SIGSEGV, kill_split_hole },
    { "above_brk", "touching memory above a shrunk break", SG_SIGSEGV, kill_above_brk },
    { "file_past_eof", "touching a file mapping's page wholly past the end of the file", SG_SIGBUS,
      kill_file_past_eof },
    { "oom", "touching 1 GiB on a smaller machine (out of memory)", SG_SIGKILL, kill_out_of_memory },
    { "stack_growth", "2 MiB of stack, filled in on demand", 0, stack_growth },
    { "workout", "a bit of every call, much left mapped at exit", 0, workout },
    { "fuzz", "5000 hostile memory calls", 0, fuzz_child },
};
#define NCASES (sizeof cases / sizeof cases[0])

/* ---- the in-process checks ---------------------------------------------------- */

static int page_is(const char *p, char value)
{
    for (unsigned long i = 0; i < PAGE; i++)
        if (p[i] != value)
            return 0;
    return 1;
}

static void anonymous(void)
{
    char *p = map(16 * PAGE, RW);
    tap_check(p && (uintptr_t)p % PAGE == 0, "mmap of 16 anonymous pages: a page-aligned address (%p)", p);
    if (!p)
        return;
    tap_check((uintptr_t)p + 16 * PAGE <= sg_kip, "placed below the interface page");
    int zero = 1, kept = 1;
    for (int i = 0; i < 16; i++)
        zero &= page_is(p + i * PAGE, 0);
    tap_check(zero, "fresh pages read zero");
    for (int i = 0; i < 16; i++)
        memset(p + i * PAGE, i + 1, PAGE);
    for (int i = 0; i < 16; i++)
        kept &= page_is(p + i * PAGE, (char)(i + 1));
    tap_check(kept, "what was written stays");
    char *q = map(PAGE, RW);
    tap_check(q && (q + PAGE <= p || q >= p + 16 * PAGE), "a second mapping does not overlap the first");
    tap_eq(sys_munmap(p, 16 * PAGE), 0, "munmap of the 16 pages");
    tap_eq(sys_munmap(q, PAGE), 0, "munmap of the second");
    tap_eq(sys_munmap(q, PAGE), 0, "munmap of a range with nothing in it is 0");

    char *x = map(PAGE, RW | SG_PROT_EXEC);
    memcpy(x, ret42, sizeof ret42);
    tap_eq(call(x), 42, "code written into a PROT_EXEC mapping runs");
    sys_munmap(x, PAGE);
#ifdef __x86_64__
    long low = sys_mmap(0, PAGE, RW, ANON | SG_MAP_32BIT, -1, 0);
    tap_check(!failed(low) && (unsigned long)low + PAGE <= 0x80000000ul, "MAP_32BIT: below 2 GiB (%#lx)", low);
    sys_munmap((void *)low, PAGE);
#endif
}

static void protections(void)
{
    char *p = map(4 * PAGE, RW);
    sys_munmap(p + 3 * PAGE, PAGE);     /* a hole above */
    memset(p, 0x5a, 3 * PAGE);
    tap_eq(sys_mprotect(p + PAGE, PAGE, SG_PROT_READ), 0, "mprotect of a middle page to PROT_READ");
    tap_check(page_is(p + PAGE, 0x5a), "it still reads what was written");
    tap_eq(sys_mprotect(p + PAGE, PAGE, SG_PROT_NONE), 0, "mprotect to PROT_NONE");
    tap_eq(sys_mprotect(p, 3 * PAGE, RW), 0, "mprotect of the whole back to read-write");
    tap_check(page_is(p + PAGE, 0x5a), "PROT_NONE and back kept the page's contents");
    p[PAGE] = 1;
    tap_eq(p[PAGE], 1, "and it is writable again");
    tap_eq(sys_mprotect(p, 3 * PAGE + 1, RW), -SG_ENOMEM, "mprotect running into unmapped memory is -ENOMEM");
    tap_eq(sys_mprotect(p + 1, PAGE, RW), -SG_EINVAL, "mprotect of an unaligned address is -EINVAL");
    tap_eq(sys_mprotect(p, PAGE, 0x8), -SG_EINVAL, "mprotect with an unknown PROT bit is -EINVAL");
    tap_eq(sys_mprotect(p, PAGE, SG_PROT_READ | SG_PROT_GROWSDOWN), -SG_EINVAL,
           "mprotect with PROT_GROWSDOWN (no grows-down mapping) is -EINVAL");
    tap_eq(sys_mprotect(p, 0, SG_PROT_READ), 0, "mprotect of length 0 is 0");
    tap_eq(sys_mprotect(p, -PAGE, SG_PROT_READ), -SG_ENOMEM, "mprotect with a length that wraps is -ENOMEM");
    sys_munmap(p, 3 * PAGE);
}

static void fixed(void)
{
    char *p = map(4 * PAGE, RW);
    memset(p, 0x11, 4 * PAGE);
    tap_eq(U(map_fixed(p + PAGE, PAGE, RW, SG_MAP_FIXED)), (uintptr_t)(p + PAGE), "MAP_FIXED over a mapped page");
    tap_check(page_is(p + PAGE, 0) && page_is(p, 0x11) && page_is(p + 2 * PAGE, 0x11),
              "MAP_FIXED replaced that page only (fresh zero page, neighbours kept)");
    tap_eq(map_fixed(p + 2 * PAGE, PAGE, RW, SG_MAP_FIXED_NOREPLACE), -SG_EEXIST,
           "MAP_FIXED_NOREPLACE over a mapping is -EEXIST");
    tap_check(page_is(p + 2 * PAGE, 0x11), "and the mapping is untouched");
    tap_eq(map_fixed(p + 4 * PAGE - 1, PAGE, RW, SG_MAP_FIXED), -SG_EINVAL, "MAP_FIXED at an unaligned address "
           "is -EINVAL");
    sys_munmap(p + 3 * PAGE, PAGE);
    tap_eq(U(map_fixed(p + 3 * PAGE, PAGE, RW, SG_MAP_FIXED_NOREPLACE)), (uintptr_t)(p + 3 * PAGE),
           "MAP_FIXED_NOREPLACE on a free range maps there");

    /* munmap of a middle part splits the region; a hint gets the hole. */
    tap_eq(sys_munmap(p + PAGE, PAGE), 0, "munmap of a middle page");
    tap_check(page_is(p, 0x11) && page_is(p + 2 * PAGE, 0x11), "the pages either side are kept");
    tap_eq(U(sys_mmap(p + PAGE, PAGE, RW, ANON, -1, 0)), (uintptr_t)(p + PAGE), "a hint at the free hole is taken");
    long elsewhere = sys_mmap(p, PAGE, RW, ANON, -1, 0);
    tap_check(!failed(elsewhere) && (char *)elsewhere != p, "a hint at a mapped page goes elsewhere (%#lx)",
              elsewhere);
    tap_check(page_is(p, 0x11), "and leaves that page alone");
    sys_munmap((void *)elsewhere, PAGE);
    sys_munmap(p, 4 * PAGE);
}

static void breaks(void)
{
    long b0 = sys_brk(0);
    tap_check(b0 > 0 && b0 % PAGE == 0, "brk(0) is the initial break, page aligned (%#lx)", b0);
    char *b = (char *)b0;
    tap_eq(U(sys_brk(b + 3 * PAGE + 100)), (uintptr_t)(b + 3 * PAGE + 100), "brk grows: the new break exactly");
    memset(b, 0x33, 3 * PAGE + 100);
    tap_check(page_is(b + 2 * PAGE, 0x33), "the new heap is usable");
    tap_eq(U(sys_brk(b + PAGE)), (uintptr_t)(b + PAGE), "brk shrinks");
    tap_eq(U(sys_brk(b - PAGE)), (uintptr_t)(b + PAGE), "brk below the start returns the break unchanged");
    tap_eq(U(sys_brk((void *)(TOP_OF_USER + PAGE))), (uintptr_t)(b + PAGE),
           "brk past the end of user space returns the break unchanged");
    tap_eq(U(sys_brk((void *)(sg_kip + PAGE))), (uintptr_t)(b + PAGE),
           "brk that would run over the interface page returns the break unchanged");
    tap_eq(U(sys_brk(b + 3 * PAGE)), (uintptr_t)(b + 3 * PAGE), "brk grows again");
    tap_check(page_is(b + PAGE, 0) && page_is(b + 2 * PAGE, 0), "the pages given back read zero when regrown");
    tap_check(page_is(b, 0x33), "the page below the shrink point kept its contents");
    sys_brk(b);
}

static void large(void)
{
    /* 3 GiB of address space in six 512 MiB mappings on a 256 MiB machine:
     * only touched pages take memory. */
    char *m[6];
    int ok = 1;
    for (int i = 0; i < 6; i++) {
        m[i] = map(512ul << 20, RW);
        ok &= m[i] != 0;
        if (m[i])
            m[i][0] = m[i][(512ul << 20) - 1] = (char)i;
    }
    tap_check(ok, "six 512 MiB mappings, first and last bytes touched");
    for (int i = 0; i < 6; i++)
        if (m[i])
            sys_munmap(m[i], 512ul << 20);
#ifdef __x86_64__
    char *huge = map(1ul << 40, RW);
    tap_check(huge != 0, "a 1 TiB mapping (untouched)");
    if (huge) {
        huge[(1ul << 40) - 1] = 1;
        tap_eq(sys_munmap(huge, 1ul << 40), 0, "munmap of the 1 TiB mapping");
    }
    tap_eq(sys_mmap(0, 1ul << 47, RW, ANON, -1, 0), -SG_ENOMEM, "a mapping larger than user space is -ENOMEM");
#else
    /* Neither below the interface page (at most 0xf7000000) nor between it
     * and the stack is there room for this. */
    tap_eq(sys_mmap(0, 0xf8000000ul, RW, ANON, -1, 0), -SG_ENOMEM,
           "a mapping larger than the free 32-bit space is -ENOMEM");
#endif
    tap_eq(sys_mmap(0, -PAGE, RW, ANON, -1, 0), -SG_ENOMEM, "a length just below 2^N is -ENOMEM");
    tap_eq(sys_mmap(0, (unsigned long)-1, RW, ANON, -1, 0), -SG_ENOMEM,
           "a length that wraps when rounded up is -ENOMEM (Linux)");

    /* The region table is finite: alternating protections keep regions
     * from merging until mmap says -ENOMEM, and then all is well again. */
    static char *regions[400];
    int n = 0;
    long r = 0;
    char *base = map(400 * PAGE, SG_PROT_NONE);
    sys_munmap(base, 400 * PAGE);
    for (; n < 400; n++) {
        r = map_fixed(base + n * PAGE, PAGE, n % 2 ? RW : SG_PROT_READ, SG_MAP_FIXED_NOREPLACE);
        if (failed(r))
            break;
        regions[n] = (char *)r;
    }
    tap_check(n < 400 && r == -SG_ENOMEM, "too many regions is -ENOMEM (after %d), never a panic", n);
    sys_munmap(base, 400 * PAGE);
    char *again = map(PAGE, RW);
    tap_check(again != 0, "after unmapping them mmap works again");
    sys_munmap(again, PAGE);
    (void)regions;
}

static void kernel_copies(void)
{
    char *p = map(4 * PAGE, RW);
    struct sg_info *info = (struct sg_info *)(p + PAGE - 8);      /* across two untouched pages */
    tap_eq(sg_info(info), sizeof *info, "the kernel writes into untouched pages of a fresh mapping");
    tap_eq(info->pid, sys_getpid(), "and what it wrote is there");
    tap_eq(sg_spawn(p + 3 * PAGE, 0), -SG_ENOENT,
           "the kernel reads an untouched page as zeros (an empty path: -ENOENT, not -EFAULT)");
    sys_mprotect(p, PAGE, SG_PROT_READ);
    tap_eq(sg_info((struct sg_info *)p), -SG_EFAULT, "the kernel does not write a PROT_READ page (-EFAULT)");
    sys_mprotect(p, PAGE, SG_PROT_NONE);
    tap_eq(sg_info((struct sg_info *)p), -SG_EFAULT, "nor a PROT_NONE page");
    tap_eq(sg_spawn(p, 0), -SG_EFAULT, "nor read one");
    sys_munmap(p + 2 * PAGE, PAGE);
    tap_eq(sg_info((struct sg_info *)(p + 2 * PAGE)), -SG_EFAULT, "nor touch a page munmap took away");
    sys_munmap(p, 4 * PAGE);
}

static void advice(void)
{
    char *p = map(4 * PAGE, RW);
    sys_munmap(p + 3 * PAGE, PAGE);     /* a hole above */
    memset(p, 0x77, 3 * PAGE);
    tap_eq(sys_madvise(p, 2 * PAGE, SG_MADV_DONTNEED), 0, "madvise(MADV_DONTNEED)");
    tap_check(page_is(p, 0) && page_is(p + PAGE, 0) && page_is(p + 2 * PAGE, 0x77),
              "MADV_DONTNEED zeroes those private anonymous pages only");
    tap_eq(sys_madvise(p, 3 * PAGE, SG_MADV_NORMAL), 0, "MADV_NORMAL is accepted");
    tap_eq(sys_madvise(p, 3 * PAGE, SG_MADV_WILLNEED), 0, "MADV_WILLNEED is accepted");
    tap_eq(sys_madvise(p, 3 * PAGE, SG_MADV_POPULATE_WRITE), 0, "MADV_POPULATE_WRITE fills the pages in");
    tap_eq(sys_madvise(p, 3 * PAGE, 999), -SG_EINVAL, "unknown advice is -EINVAL");
    tap_eq(sys_madvise(p, 3 * PAGE, 5), -SG_EINVAL, "advice 5 (unused) is -EINVAL");
    tap_eq(sys_madvise(p + 1, PAGE, SG_MADV_NORMAL), -SG_EINVAL, "madvise of an unaligned address is -EINVAL");
    tap_eq(sys_madvise(p, 4 * PAGE, SG_MADV_NORMAL), -SG_ENOMEM, "madvise running into unmapped memory is -ENOMEM");
    tap_eq(sys_madvise(p, 0, SG_MADV_DONTNEED), 0, "madvise of length 0 is 0");
    /* (A 32-bit length of 2^32 - 1 rounds up to 4 GiB without wrapping:
     * beyond user space, -ENOMEM, as in Linux's compat path.) */
    tap_eq(sys_madvise(p, (unsigned long)-1, SG_MADV_NORMAL), SG_BITS == 64 ? -SG_EINVAL : -SG_ENOMEM,
           "madvise with a length that wraps (64-bit) or runs past 4 GiB (32-bit)");
    tap_eq(sys_madvise(p, PAGE, SG_MADV_HWPOISON), -SG_EPERM, "MADV_HWPOISON is -EPERM (an administrator's)");
    sys_munmap(p, 3 * PAGE);
}

static void remap(void)
{
    char *p = map(4 * PAGE, RW);
    sys_munmap(p + 2 * PAGE, 2 * PAGE);
    memset(p, 0x21, 2 * PAGE);
    tap_eq(U(sys_mremap(p, 2 * PAGE, 4 * PAGE, 0, 0)), (uintptr_t)p, "mremap grows in place into free pages");
    tap_check(page_is(p + PAGE, 0x21) && page_is(p + 2 * PAGE, 0) && page_is(p + 3 * PAGE, 0),
              "the old pages kept, the new ones zero");
    tap_eq(sys_mremap(p, PAGE, 2 * PAGE, 0, 0), -SG_ENOMEM,
           "mremap that cannot grow in place, without MREMAP_MAYMOVE, is -ENOMEM");
    long n = sys_mremap(p, PAGE, 8 * PAGE, SG_MREMAP_MAYMOVE, 0);
    char *q = (char *)n;
    tap_check(!failed(n) && q != p, "MREMAP_MAYMOVE moves it (%#lx)", n);
    tap_check(!failed(n) && page_is(q, 0x21) && page_is(q + 7 * PAGE, 0),
              "the moved page kept its contents; the grown part reads zero");
    tap_eq(sg_info((struct sg_info *)p), -SG_EFAULT, "the old address is unmapped");
    tap_check(page_is(p + PAGE, 0x21), "the rest of the old region stays");
    tap_eq(U(sys_mremap(q, 8 * PAGE, 2 * PAGE, 0, 0)), (uintptr_t)q, "mremap shrinks in place");
    tap_eq(sg_info((struct sg_info *)(q + 2 * PAGE)), -SG_EFAULT, "the cut-off pages are gone");
    char *target = map(2 * PAGE, RW);
    tap_eq(U(sys_mremap(q, 2 * PAGE, 2 * PAGE, SG_MREMAP_MAYMOVE | SG_MREMAP_FIXED, target)), (uintptr_t)target,
           "MREMAP_FIXED moves it over an existing mapping");
    tap_check(page_is(target, 0x21), "with its contents");

    tap_eq(sys_mremap(target, PAGE, PAGE, 8, 0), -SG_EINVAL, "mremap with an unknown flag is -EINVAL");
    tap_eq(sys_mremap(target, PAGE, PAGE, SG_MREMAP_FIXED, p), -SG_EINVAL,
           "MREMAP_FIXED without MREMAP_MAYMOVE is -EINVAL");
    tap_eq(sys_mremap(target + 1, PAGE, PAGE, 0, 0), -SG_EINVAL, "mremap of an unaligned address is -EINVAL");
    tap_eq(sys_mremap(target, PAGE, 0, 0, 0), -SG_EINVAL, "mremap to length 0 is -EINVAL");
    tap_eq(sys_mremap(q, PAGE, PAGE, 0, 0), -SG_EFAULT, "mremap of unmapped memory is -EFAULT");
    sys_mprotect(target + PAGE, PAGE, SG_PROT_READ);       /* two regions now */
    tap_eq(sys_mremap(target, 2 * PAGE, 4 * PAGE, SG_MREMAP_MAYMOVE, 0), -SG_EFAULT,
           "mremap of more than one region holds is -EFAULT");
    tap_eq(sys_mremap(target, 2 * PAGE, 2 * PAGE, SG_MREMAP_MAYMOVE | SG_MREMAP_FIXED, target + PAGE), -SG_EINVAL,
           "MREMAP_FIXED onto itself is -EINVAL");
    tap_eq(sys_mremap(target, PAGE, PAGE, SG_MREMAP_MAYMOVE | SG_MREMAP_FIXED, (void *)sg_kip), -SG_EPERM,
           "MREMAP_FIXED onto the interface page is -EPERM");
    tap_eq(sys_mremap((void *)sg_kip, PAGE, 2 * PAGE, SG_MREMAP_MAYMOVE, 0), -SG_EFAULT,
           "mremap of the interface page is -EFAULT");
    tap_eq(sys_mremap(SG_ARGPAGE, PAGE, PAGE, SG_MREMAP_MAYMOVE | SG_MREMAP_FIXED, target), -SG_EFAULT,
           "mremap of the argument page is -EFAULT");
    sys_munmap(target, 2 * PAGE);
    sys_munmap(p, 2 * PAGE);
}

/* Mappings of an initrd file: this program's own. */
static void file_mappings(void)
{
    static char buf[PAGE];
    int fd = (int)sys_open(self, O_RDONLY);
    long size = sys_lseek(fd, 0, SG_SEEK_END);
    tap_check(fd >= 0 && size > 2 * (long)PAGE, "open this program's file (%s, %ld bytes)", self, size);
    long r = sys_mmap(0, size, SG_PROT_READ, SG_MAP_PRIVATE, fd, 0);
    char *m = (char *)r;
    tap_check(!failed(r) && !memcmp(m, "\x7f" "ELF", 4), "a private read-only mapping of the file (%#lx)", r);
    if (failed(r))
        return;
    int same = 1;
    for (long off = 0; off < size; off += PAGE) {
        long n = sys_pread64(fd, buf, PAGE, off);
        same &= n > 0 && !memcmp(m + off, buf, n);
    }
    tap_check(same, "every byte of it equals what pread gives");
    int zero = 1;
    for (long off = size; off % PAGE; off++)
        zero &= m[off] == 0;
    tap_check(zero, "the bytes past the end of the file in its last page read zero");

    r = sys_mmap(0, PAGE, SG_PROT_READ | SG_PROT_EXEC, SG_MAP_PRIVATE, fd, PAGE);
    sys_pread64(fd, buf, PAGE, PAGE);
    tap_check(!failed(r) && !memcmp((char *)r, buf, PAGE), "a mapping at offset 4096 shows the file's second page");
    sys_munmap((void *)r, PAGE);

    /* A private writable mapping: writes stay in the process's copy. */
    r = sys_mmap(0, PAGE, RW, SG_MAP_PRIVATE, fd, 0);
    char *w = (char *)r;
    tap_check(!failed(r) && w[0] == 0x7f, "a private writable mapping of the file");
    w[0] = 'X';
    tap_eq(w[0], 'X', "writing to it works");
    tap_check(sys_pread64(fd, buf, 4, 0) == 4 && buf[0] == 0x7f, "the file itself is unchanged (pread)");
    long again = sys_mmap(0, PAGE, SG_PROT_READ, SG_MAP_PRIVATE, fd, 0);
    tap_check(!failed(again) && ((char *)again)[0] == 0x7f, "a new mapping of the file shows the original byte");
    sys_munmap((void *)again, PAGE);
    tap_eq(sys_madvise(w, PAGE, SG_MADV_DONTNEED), 0, "MADV_DONTNEED on the written private page");
    tap_eq(w[0], 0x7f, "drops the copy: the page shows the file again");
    sys_munmap(w, PAGE);

    r = sys_mmap(0, PAGE, SG_PROT_READ, SG_MAP_PRIVATE, fd, 0);
    long grown = sys_mremap((void *)r, PAGE, 3 * PAGE, SG_MREMAP_MAYMOVE, 0);
    sys_pread64(fd, buf, PAGE, 2 * PAGE);
    tap_check(!failed(grown) && !memcmp((char *)grown + 2 * PAGE, buf, PAGE),
              "a file mapping grown by mremap continues with the file's bytes");
    sys_munmap((void *)grown, 3 * PAGE);

    tap_eq(sys_mmap(0, PAGE, RW, SG_MAP_SHARED, fd, 0), -SG_EACCES,
           "MAP_SHARED with PROT_WRITE of a read-only file is -EACCES");
    r = sys_mmap(0, PAGE, SG_PROT_READ, SG_MAP_SHARED, fd, 0);
    tap_check(!failed(r) && ((char *)r)[1] == 'E', "MAP_SHARED read-only of the file (%#lx)", r);
    tap_eq(sys_mprotect((void *)r, PAGE, RW), -SG_EACCES, "and mprotect cannot make it writable (-EACCES)");
    tap_eq(sys_mprotect((void *)r, PAGE, SG_PROT_NONE), 0, "but may take access away");
    tap_eq(sys_madvise((void *)r, PAGE, SG_MADV_REMOVE), -SG_EACCES, "MADV_REMOVE on it is -EACCES");
    sys_munmap((void *)r, PAGE);
    r = sys_mmap(0, PAGE, SG_PROT_READ, SG_MAP_SHARED_VALIDATE, fd, 0);
    tap_check(!failed(r), "MAP_SHARED_VALIDATE of the file");
    sys_munmap((void *)r, PAGE);
    r = sys_mmap(0, 4 * PAGE, SG_PROT_READ, SG_MAP_PRIVATE, fd, ((size + PAGE - 1) & ~(PAGE - 1)) + PAGE);
    tap_check(!failed(r), "a mapping wholly past the end of the file is made (touching it is SIGBUS)");
    sys_munmap((void *)r, 4 * PAGE);
#ifdef __x86_64__
    tap_eq(sys_mmap(0, PAGE, SG_PROT_READ, SG_MAP_PRIVATE, fd, 100), -SG_EINVAL,
           "a file mapping at an unaligned offset is -EINVAL");
    tap_eq(sys_mmap(0, 2 * PAGE, SG_PROT_READ, SG_MAP_PRIVATE, fd, -PAGE), -SG_EOVERFLOW,
           "an offset whose range wraps is -EOVERFLOW");
#endif
    tap_eq(sys_mmap(0, 0, SG_PROT_READ, SG_MAP_PRIVATE, fd, 0), -SG_EINVAL, "a file mapping of length 0 is -EINVAL");
    tap_eq(sys_mmap(0, PAGE, SG_PROT_READ, 0, fd, 0), -SG_EINVAL,
           "a file mapping with neither MAP_PRIVATE nor MAP_SHARED is -EINVAL");
    tap_eq(sys_mmap(0, PAGE, SG_PROT_READ, SG_MAP_PRIVATE, 1, 0), -SG_ENODEV, "the console cannot be mapped (-ENODEV)");
    int dir = (int)sys_open("/bin", O_RDONLY | O_DIRECTORY);
    tap_eq(sys_mmap(0, PAGE, SG_PROT_READ, SG_MAP_PRIVATE, dir, 0), -SG_ENODEV, "a directory cannot be mapped (-ENODEV)");
    sys_close(dir);
    tap_eq(sys_mmap(0, PAGE, SG_PROT_READ, SG_MAP_PRIVATE, 200, 0), -SG_EBADF, "a file mapping of a closed fd is -EBADF");
    /* The mapping outlives the descriptor, as on Linux: a page first
     * touched after close() still shows the file. */
    char *late = (char *)sys_mmap(0, PAGE, SG_PROT_READ, SG_MAP_PRIVATE, fd, PAGE);
    sys_pread64(fd, buf, PAGE, PAGE);
    sys_close(fd);
    tap_check(!failed((long)late) && !memcmp(late, buf, PAGE), "a mapping outlives close() of its descriptor");
    sys_munmap(late, PAGE);
    sys_munmap(m, size);
}

/* The kernel's pages and addresses user space cannot have. */
static void hostile(void)
{
    void *kip = (void *)sg_kip, *args = (void *)SG_ARGPAGE;
    tap_eq(map_fixed(kip, PAGE, RW, SG_MAP_FIXED), -SG_EPERM, "MAP_FIXED over the interface page is -EPERM");
    tap_eq(map_fixed(kip, PAGE, RW, SG_MAP_FIXED_NOREPLACE), -SG_EEXIST,
           "MAP_FIXED_NOREPLACE over the interface page is -EEXIST");
    tap_eq(map_fixed((char *)kip - PAGE, 2 * PAGE, RW, SG_MAP_FIXED), -SG_EPERM,
           "MAP_FIXED over a range ending in the interface page is -EPERM");
    tap_eq(map_fixed(args, PAGE, RW, SG_MAP_FIXED), -SG_EPERM, "MAP_FIXED over the argument page is -EPERM");
    tap_eq(sys_munmap(kip, PAGE), -SG_EINVAL, "munmap of the interface page is -EINVAL");
    tap_eq(sys_munmap(args, PAGE), -SG_EINVAL, "munmap of the argument page is -EINVAL");
    tap_eq(sys_mprotect(kip, PAGE, RW | SG_PROT_EXEC), -SG_EACCES,
           "mprotect(PROT_WRITE) of the interface page is -EACCES");
    tap_eq(sys_mprotect(args, PAGE, SG_PROT_NONE), -SG_EACCES, "mprotect of the argument page is -EACCES");
    tap_eq(sys_madvise(kip, PAGE, SG_MADV_DONTNEED), -SG_EINVAL, "MADV_DONTNEED of the interface page is -EINVAL");
    tap_eq(sys_madvise(args, PAGE, SG_MADV_DONTNEED), -SG_EINVAL, "MADV_DONTNEED of the argument page is -EINVAL");
    long h = sys_mmap(kip, PAGE, RW, ANON, -1, 0);
    tap_check(!failed(h) && (void *)h != kip, "a hint at the interface page goes elsewhere (%#lx)", h);
    sys_munmap((void *)h, PAGE);
    tap_eq(sg_null(), 0, "the interface page still works");

    /* The page-fault door's range (SG_PF_*): reserved, never mapped -
     * a load from it must always fault, or the door's stub would read a
     * byte instead of making its call. */
    char *pf = (char *)(SG_BITS == 64 ? (uintptr_t)SG_PF_BASE64 : (uintptr_t)SG_PF_BASE32);
    tap_eq(map_fixed(pf, PAGE, RW, SG_MAP_FIXED), -SG_EPERM, "MAP_FIXED over the page-fault door's range is -EPERM");
    tap_eq(map_fixed(pf + SG_PF_RANGE - PAGE, 2 * PAGE, RW, SG_MAP_FIXED), -SG_EPERM,
           "MAP_FIXED over the range's last page and the next is -EPERM");
    tap_eq(map_fixed(pf, PAGE, RW, SG_MAP_FIXED_NOREPLACE), -SG_EEXIST,
           "MAP_FIXED_NOREPLACE over the page-fault door's range is -EEXIST");
    tap_eq(sys_munmap(pf, PAGE), -SG_EINVAL, "munmap of the page-fault door's range is -EINVAL");
    tap_eq(sys_mprotect(pf, PAGE, SG_PROT_READ), -SG_EACCES, "mprotect of the page-fault door's range is -EACCES");
    h = sys_mmap(pf, PAGE, RW, ANON, -1, 0);
    tap_check(!failed(h) && ((uintptr_t)h + PAGE <= (uintptr_t)pf || (uintptr_t)h >= (uintptr_t)pf + SG_PF_RANGE),
              "a hint in the page-fault door's range goes elsewhere (%#lx)", h);
    sys_munmap((void *)h, PAGE);
    tap_eq(sys_write(1, pf + SYS_getpid, 1), -SG_EFAULT, "a write from the range is -EFAULT, no call");
    if (sg_kip_stub(SG_MECH_PF))
        tap_eq(sg_syscall_via(SG_MECH_PF, SYS_getpid, 0, 0, 0, 0, 0, 0), sys_getpid(), "the pf door still works");
    else
        tap_skip("the door is switched off (nodoor=)", "the pf door still works");

    tap_eq(sys_mmap(0, 0, RW, ANON, -1, 0), -SG_EINVAL, "mmap of length 0 is -EINVAL");
    tap_eq(sys_mmap(0, PAGE, RW, SG_MAP_ANONYMOUS, -1, 0), -SG_EINVAL,
           "mmap with neither MAP_PRIVATE nor MAP_SHARED is -EINVAL");
    tap_eq(sys_mmap(0, PAGE, RW, ANON | 0x0c, -1, 0), -SG_EINVAL, "mmap with an unknown map type is -EINVAL");
    tap_eq(sys_mmap(0, PAGE, RW, SG_MAP_SHARED_VALIDATE | SG_MAP_ANONYMOUS | 0x400, -1, 0), -SG_EOPNOTSUPP,
           "MAP_SHARED_VALIDATE with an unknown flag is -EOPNOTSUPP");
    tap_eq(sys_mmap(0, PAGE, 0x10, ANON, -1, 0), -SG_EINVAL, "mmap with an unknown PROT bit is -EINVAL");
    tap_eq(sys_mmap(0, PAGE, RW, ANON | SG_MAP_HUGETLB, -1, 0), -SG_EINVAL, "MAP_HUGETLB (no huge pages) is -EINVAL");
    tap_eq(map_fixed(0, PAGE, RW, SG_MAP_FIXED), -SG_EPERM, "MAP_FIXED at address 0 is -EPERM (mmap_min_addr)");
    tap_eq(map_fixed((void *)(TOP_OF_USER - PAGE), 2 * PAGE, RW, SG_MAP_FIXED), -SG_ENOMEM,
           "MAP_FIXED running past the end of user space is -ENOMEM");
    tap_eq(sys_mmap(0, PAGE, RW, SG_MAP_PRIVATE, -1, 0), -SG_EBADF, "a file mapping of fd -1 is -EBADF");
    long shared = sys_mmap(0, PAGE, RW, SG_MAP_SHARED | SG_MAP_ANONYMOUS, -1, 0);
    tap_check(!failed(shared), "MAP_SHARED anonymous memory is accepted (%#lx)", shared);
    sys_munmap((void *)shared, PAGE);
#ifdef __x86_64__
    tap_eq(sys_mmap(0, PAGE, RW, ANON, -1, 100), -SG_EINVAL, "an unaligned offset is -EINVAL");
    tap_eq(map_fixed((void *)KERNEL_ADDR, PAGE, RW, SG_MAP_FIXED), -SG_ENOMEM, "MAP_FIXED in the kernel half is "
           "-ENOMEM");
    tap_eq(map_fixed((void *)NONCANONICAL, PAGE, RW, SG_MAP_FIXED), -SG_ENOMEM,
           "MAP_FIXED at a non-canonical address is -ENOMEM");
    h = sys_mmap((void *)KERNEL_ADDR, PAGE, RW, ANON, -1, 0);
    tap_check(!failed(h) && (unsigned long)h < TOP_OF_USER, "a hint in the kernel half goes to user space (%#lx)",
              h);
    sys_munmap((void *)h, PAGE);
    tap_eq(sys_munmap((void *)KERNEL_ADDR, PAGE), -SG_EINVAL, "munmap in the kernel half is -EINVAL");
    tap_eq(sys_munmap((void *)NONCANONICAL, PAGE), -SG_EINVAL, "munmap at a non-canonical address is -EINVAL");
    tap_eq(sys_mprotect((void *)KERNEL_ADDR, PAGE, SG_PROT_READ), -SG_ENOMEM, "mprotect in the kernel half is -ENOMEM");
    tap_eq(sys_madvise((void *)KERNEL_ADDR, PAGE, SG_MADV_DONTNEED), -SG_ENOMEM,
           "madvise in the kernel half is -ENOMEM");
#else
    /* i386's old mmap takes its six arguments from a structure. */
    uint32_t a[6] = { 0, PAGE, RW, ANON, (uint32_t)-1, 0 };
    long old = sg_syscall(SYS_old_mmap, (long)a, 0, 0, 0, 0, 0);
    tap_check(!failed(old) && old % PAGE == 0, "old mmap (90) with its arguments in memory (%#lx)", old);
    if (!failed(old)) {
        *(volatile char *)old = 1;
        sys_munmap((void *)old, PAGE);
    }
    a[5] = 100;
    tap_eq(sg_syscall(SYS_old_mmap, (long)a, 0, 0, 0, 0, 0), -SG_EINVAL, "old mmap with an unaligned offset is -EINVAL");
    tap_eq(sg_syscall(SYS_old_mmap, 0x10, 0, 0, 0, 0, 0), -SG_EFAULT, "old mmap with a bad pointer is -EFAULT");
    tap_eq(sg_syscall(SYS_old_mmap, (long)SG_ARGPAGE + PAGE - 8, 0, 0, 0, 0, 0), -SG_EFAULT,
           "old mmap with the structure running off the argument page is -EFAULT");
    long m2 = sg_syscall(SYS_mmap2, 0, PAGE, RW, ANON, -1, 1);
    tap_check(!failed(m2), "mmap2 with an offset in pages (anonymous: ignored) (%#lx)", m2);
    sys_munmap((void *)m2, PAGE);
#endif
    tap_eq(sys_munmap((char *)sg_kip - PAGE + 1, PAGE), -SG_EINVAL, "munmap of an unaligned address is -EINVAL");
    tap_eq(sys_munmap((void *)0x10000, 0), -SG_EINVAL, "munmap of length 0 is -EINVAL");
    tap_eq(sys_munmap((void *)0x10000, (unsigned long)-1), -SG_EINVAL, "munmap with a length that wraps is -EINVAL");
    tap_eq(sys_munmap((void *)(TOP_OF_USER - PAGE), 2 * PAGE), -SG_EINVAL,
           "munmap running past the end of user space is -EINVAL");
}

int main(int argc, char **argv)
{
    self = argv[0];
    if (argc > 1) {
        for (unsigned i = 0; i < NCASES; i++)
            if (!strcmp(argv[1], cases[i].name))
                cases[i].run();
        return 0;   /* the fault did not happen */
    }

    tap_begin("memory");
    anonymous();
    protections();
    fixed();
    breaks();
    large();
    kernel_copies();
    advice();
    remap();
    file_mappings();
    hostile();
    for (unsigned i = 0; i < NCASES; i++) {
        char *child_argv[] = { argv[0], (char *)cases[i].name, 0 };
        long status = sg_run(argv[0], child_argv);
        if (cases[i].signal)
            tap_check(status >= 0 && SG_WIFSIGNALED(status) && SG_WTERMSIG(status) == cases[i].signal,
                      "%s: the process is killed with signal %d (status %#lx)", cases[i].hazard, cases[i].signal,
                      status);
        else
            tap_check(status >= 0 && SG_WIFEXITED(status) && SG_WEXITSTATUS(status) == 0,
                      "%s: the process carries on (status %#lx)", cases[i].hazard, status);
    }
    char *p = map(PAGE, RW);
    tap_check(p && (p[0] = 9) == 9, "the kernel still maps memory afterwards");

    /* Nothing leaks: every case above has run once, so whatever the kernel
     * keeps for good (heap size classes, page tables of kernel stacks) is
     * there; running them again must give back every frame. */
    static const char *const again[] = { "workout", "oom", "exec_after_mprotect", "split_hole", "file_past_eof",
                                         "fuzz" };
    struct sg_info info;
    sg_info(&info);
    uint64_t before = info.free_frames;
    for (unsigned i = 0; i < sizeof again / sizeof again[0]; i++) {
        char *child_argv[] = { argv[0], (char *)again[i], 0 };
        sg_run(argv[0], child_argv);
    }
    sg_info(&info);
    tap_eq(info.free_frames, before, "no frame leaks: the free count is back after %u more children "
           "(exits, kills, out of memory)", (unsigned)(sizeof again / sizeof again[0]));
    return tap_end();
}
