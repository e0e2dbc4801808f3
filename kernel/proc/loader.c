/*
 * Starting a program: an ELF executable from the initrd becomes a new
 * address space, a user stack laid out as Linux lays it out (argc, argv,
 * envp, auxiliary vector; System V AMD64 ABI section 3.4.1), and an
 * initial frame that the exit path "returns" through into user mode.
 * One image loader (load_image) serves both ways in: proc_spawn (a new
 * process: the first one, sg_spawn) and proc_exec (execve: the calling
 * process gets the new image, keeping its pid, parent and descriptors).
 */
#include "proc.h"
#include "elf.h"
#include "../arch/cpu.h"
#include "../arch/fpu.h"
#include "../arch/io.h"
#include "../entry/entry.h"
#include "../fs/file.h"
#include "../fs/fs.h"
#include "../arch/selectors_msrs.h"
#include "../lib/random.h"
#include "../kip/interface_page.h"
#include "../mm/mm.h"
#include "../mm/space.h"
#include <sysgate/abi.h>
#include <sysgate/kip.h>
#include "../entry/entry.h"
#include "../syscall/tables.h"
#include "../syscall/uaccess.h"

void process_first_return(void);

_Static_assert(USER_ARGPAGE == SG_ARGPAGE_ADDRESS, "abi.h and layout.h agree on the argument page");
_Static_assert(USER32_ARGPAGE == SG_ARGPAGE_ADDRESS32, "abi.h and layout.h agree on the argument page");

static uint64_t page_flags(uint32_t elf_flags)
{
    uint64_t f = PTE_U;
    if (elf_flags & ELF_PF_W)
        f |= PTE_W;
    if (!(elf_flags & ELF_PF_X))
        f |= PTE_NX;
    return f;
}

/* Maps and fills one segment.  A page that an earlier segment already
 * mapped (two segments may share a page) is reused, with the union of
 * their permissions. */
static int load_segment(uint64_t *pml4, const uint8_t *file, const struct elf_segment *s)
{
    uint64_t start = ALIGN_DOWN(s->vaddr, PAGE_SIZE);
    uint64_t end = ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE);
    for (uint64_t va = start; va < end; va += PAGE_SIZE) {
        uint64_t flags = page_flags(s->flags);
        uint64_t old = vm_lookup(pml4, va);
        uint64_t pa = old & PTE_ADDR;
        if (old & PTE_P) {
            if (old & PTE_W)
                flags |= PTE_W;
            if (!(old & PTE_NX))
                flags &= ~PTE_NX;
        } else {
            pa = phys_alloc(1);
            if (!pa)
                return -SG_ENOMEM;
        }
        if (vm_map(pml4, va, pa, flags)) {
            if (!(old & PTE_P))
                phys_free(pa, 1);
            return -SG_ENOMEM;
        }
        /* The part of this page that comes from the file. */
        uint64_t lo = va > s->vaddr ? va : s->vaddr;
        uint64_t hi = va + PAGE_SIZE;
        if (hi > s->vaddr + s->filesz)
            hi = s->vaddr + s->filesz;
        if (lo < hi)
            memcpy((uint8_t *)phys_to_virt(pa) + (lo - va), file + s->offset + (lo - s->vaddr), hi - lo);
    }
    return 0;
}

/* Records a segment's pages as regions, with the protection their entries
 * ended up with (a page two segments share has the union); alike pages
 * merge into one region. */
static int record_segment(struct proc *p, const struct elf_segment *s)
{
    uint64_t start = ALIGN_DOWN(s->vaddr, PAGE_SIZE);
    uint64_t end = ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE);
    for (uint64_t va = start; va < end; va += PAGE_SIZE) {
        if (vma_find(&p->vm->regions, va) >= 0)
            continue;
        uint64_t pte = vm_lookup(p->pml4, va);
        struct vma r = {
            .start = va, .end = va + PAGE_SIZE, .backing = VMA_ANON,
            .prot = VMA_READ | (pte & PTE_W ? VMA_WRITE : 0) | (pte & PTE_NX ? 0 : VMA_EXEC),
        };
        if (mm_add_region(p, &r))
            return -SG_ENOMEM;
    }
    return 0;
}


/*
 * The initial stack, as Linux's create_elf_tables (fs/binfmt_elf.c) and
 * execve's copy_strings build it, for either width (8-byte or 4-byte
 * slots).  From the top of the stack down:
 *
 *   one empty word
 *   the strings: argv[0..], then envp[0..], then the program's path
 *     (AT_EXECFN), each NUL terminated, argv[0] lowest
 *   (16-byte alignment)  the platform string (AT_PLATFORM)
 *   16 random bytes (AT_RANDOM)
 *   (padding so that the stack pointer is 16-byte aligned at argc)
 *   auxv pairs ending in AT_NULL; envp[], NULL; argv[], NULL; argc  <- sp
 *
 * (System V ABI: AMD64 3.4.1, i386 2.3.1.)  The kernel writes through the
 * new address space's page tables, mapping the stack region's pages as
 * the strings need them.  As Linux's copy_strings, the strings are copied
 * last one first, each measured and then copied with its length fixed (a
 * string another thread changes meanwhile cannot overrun), and the
 * pointer table is made by walking the copies in the new stack.
 */

/* What every program sysgate starts itself gets: sysgate has no shell to
 * set it up.  sg_spawn's children get the same (sg_spawn has no envp
 * argument); execve passes the caller's. */
static const char *const boot_env[] = { "PATH=/bin:/usr/bin", "HOME=/", "TERM=linux", 0 };

/* execve(2), "Limits on size of arguments and environment": one string at
 * most MAX_ARG_STRLEN bytes; strings and pointers together at most a
 * quarter of the stack limit, at most 3/4 of _STK_LIM, at least ARG_MAX
 * (Linux's bprm_stack_limits). */
#define MAX_ARG_STRLEN (32 * PAGE_SIZE)
#define ARG_MAX_MIN    (32 * PAGE_SIZE)
#define ARG_MAX_MAX    ((8ull << 20) / 4 * 3)

struct exec_strings {
    /* argv (0) and envp (1): kernel arrays, or arrays in the caller's
     * memory of the caller's pointer width (user_word 4 or 8; 0: kernel) */
    unsigned user_word;
    uint64_t user[2];
    const char *const *kernel[2];
    int count[2];
    const char *empty_argv0;    /* execve with an empty argv: "" as argv[0] */
};

struct stack_builder {
    uint64_t *pml4;
    uint64_t sp;            /* user address of the lowest byte written, going down */
    uint64_t floor;         /* the stack region's lowest address */
    unsigned word;          /* 8 or 4 */
    uint64_t budget;        /* argument room left (bytes) */
    long err;               /* the first error; everything after it is skipped */
};

/* The kernel address of user address va in the new stack, its page mapped
 * now if the loader did not map it yet. */
static uint8_t *stack_byte(struct stack_builder *b, uint64_t va)
{
    uint64_t pte = vm_lookup(b->pml4, va);
    if (!(pte & PTE_P)) {
        uint64_t pa = phys_alloc(1);
        if (!pa || vm_map(b->pml4, ALIGN_DOWN(va, PAGE_SIZE), pa, PTE_U | PTE_W | PTE_NX)) {
            if (pa)
                phys_free(pa, 1);
            b->err = -SG_ENOMEM;
            return 0;
        }
        pte = pa;
    }
    return (uint8_t *)phys_to_virt(pte & PTE_ADDR) + va % PAGE_SIZE;
}

static void put_user(struct stack_builder *b, uint64_t va, const void *data, size_t n)
{
    const uint8_t *src = data;
    while (n && !b->err) {
        size_t chunk = PAGE_SIZE - va % PAGE_SIZE < n ? PAGE_SIZE - va % PAGE_SIZE : n;
        uint8_t *dst = stack_byte(b, va);
        if (dst)
            memcpy(dst, src, chunk);
        va += chunk, src += chunk, n -= chunk;
    }
}

/* Makes room for n bytes below sp; false (and err set) if there is none. */
static bool stack_room(struct stack_builder *b, uint64_t n)
{
    if (b->err)
        return false;
    if (b->sp - b->floor < n + PAGE_SIZE) {
        b->err = -SG_E2BIG;
        return false;
    }
    b->sp -= n;
    return true;
}

static uint64_t push_bytes(struct stack_builder *b, const void *data, size_t n)
{
    if (stack_room(b, n))
        put_user(b, b->sp, data, n);
    return b->sp;
}

/* Takes n bytes of argument room. */
static bool charge(struct stack_builder *b, uint64_t n)
{
    if (b->err)
        return false;
    if (n > b->budget) {
        b->err = -SG_E2BIG;
        return false;
    }
    b->budget -= n;
    return true;
}

/* The pointer arrays' length (user arrays: up to their NULL, -EFAULT if
 * unreadable; each pointer takes argument room, which bounds the walk). */
static void count_strings(struct stack_builder *b, struct exec_strings *s, int k)
{
    if (!s->user_word) {
        int n = 0;
        while (s->kernel[k] && s->kernel[k][n])
            n++;
        s->count[k] = n;
        return;
    }
    s->count[k] = 0;
    for (uint64_t at = s->user[k]; at && !b->err; at += s->user_word) {
        uint64_t ptr = 0;
        if (copy_from_user(&ptr, at, s->user_word)) {
            b->err = -SG_EFAULT;
            return;
        }
        if (!ptr)
            return;
        if (charge(b, sizeof(uint64_t)))
            s->count[k]++;
    }
}

/* Copies one user string onto the new stack: measured first, then copied
 * with that length and NUL-terminated. */
static void push_user_string(struct stack_builder *b, uint64_t ptr)
{
    char chunk[256];
    uint64_t len = 0;
    for (;;) {
        long r = strncpy_from_user(chunk, ptr + len, sizeof chunk);
        if (r >= 0) {
            len += (uint64_t)r;
            break;
        }
        if (r != -SG_ENAMETOOLONG) {
            b->err = r;
            return;
        }
        len += sizeof chunk - 1;
        if (len >= MAX_ARG_STRLEN)
            break;
    }
    if (len + 1 > MAX_ARG_STRLEN) {
        b->err = -SG_E2BIG;
        return;
    }
    if (!charge(b, len + 1) || !stack_room(b, len + 1))
        return;
    for (uint64_t off = 0; off < len && !b->err; off += sizeof chunk) {
        uint64_t n = len - off < sizeof chunk ? len - off : sizeof chunk;
        if (copy_from_user(chunk, ptr + off, n))
            b->err = -SG_EFAULT;
        else
            put_user(b, b->sp + off, chunk, n);
    }
    put_user(b, b->sp + len, "", 1);
}

/* Pushes string i of array k (argv 0, envp 1). */
static void push_string(struct stack_builder *b, const struct exec_strings *s, int k, int i)
{
    if (b->err)
        return;
    if (k == 0 && s->empty_argv0) {
        if (charge(b, 1))
            push_bytes(b, "", 1);
        return;
    }
    if (!s->user_word) {
        const char *str = s->kernel[k][i];
        size_t n = strlen(str) + 1;
        if (n > MAX_ARG_STRLEN)
            b->err = -SG_E2BIG;
        else if (charge(b, n))
            push_bytes(b, str, n);
        return;
    }
    uint64_t ptr = 0;
    if (copy_from_user(&ptr, s->user[k] + (uint64_t)i * s->user_word, s->user_word)) {
        b->err = -SG_EFAULT;
        return;
    }
    push_user_string(b, ptr);
}

/* The length of the string the builder wrote at va, read back. */
static uint64_t stack_strlen(struct stack_builder *b, uint64_t va)
{
    uint64_t n = 0;
    for (;;) {
        const uint8_t *p = stack_byte(b, va + n);
        if (!p || !*p)
            return n;
        n++;
    }
}

static uint64_t build_stack(struct stack_builder *b, const struct elf_image *img, const char *path,
                            struct exec_strings *s, uint64_t kip)
{
    count_strings(b, s, 0);
    count_strings(b, s, 1);
    if (!s->count[0]) {
        s->empty_argv0 = "";
        s->count[0] = 1;
        charge(b, sizeof(uint64_t));
    }
    const int argc = s->count[0], envc = s->count[1];

    b->sp -= b->word;
    if (charge(b, strlen(path) + 1))
        push_bytes(b, path, strlen(path) + 1);
    uint64_t execfn = b->sp;
    for (int i = envc - 1; i >= 0; i--)
        push_string(b, s, 1, i);
    for (int i = argc - 1; i >= 0; i--)
        push_string(b, s, 0, i);
    uint64_t strings = b->sp;
    if (b->err)
        return 0;

    b->sp = ALIGN_DOWN(b->sp, 16);
    const char *platform_name = img->bits == 32 ? "i686" : "x86_64";
    uint64_t platform = push_bytes(b, platform_name, strlen(platform_name) + 1);
    uint8_t random[16];
    random_fill(random, sizeof random, false);
    uint64_t random_user = push_bytes(b, random, sizeof random);

    uint32_t id[4];
    cpuid(1, 0, id);
    /* In Linux's order: ARCH_DLINFO (arch/x86/include/asm/elf.h), then
     * create_elf_tables'. */
    uint64_t auxv[32][2];
    int n = 0;
#define AUX(tag, value) (auxv[n][0] = (tag), auxv[n][1] = (value), n++)
    /* i386 (ARCH_DLINFO_IA32): __kernel_vsyscall, the interface page's
     * default entry. */
    if (img->bits == 32)
        AUX(SG_AT_SYSINFO, kip_default_entry(32));
    AUX(SG_AT_SYSINFO_EHDR, kip_vdso_base(img->bits));
    AUX(SG_AT_MINSIGSTKSZ, signal_frame_max());     /* Linux's get_sigframe_size() */
    AUX(SG_AT_HWCAP, id[3]);            /* ELF_HWCAP: CPUID.1:EDX */
    AUX(SG_AT_PAGESZ, PAGE_SIZE);
    AUX(SG_AT_CLKTCK, 100);             /* USER_HZ */
    AUX(SG_AT_PHDR, img->phdr_vaddr);
    AUX(SG_AT_PHENT, img->phentsize);
    AUX(SG_AT_PHNUM, img->phnum);
    AUX(SG_AT_BASE, 0);                 /* no interpreter */
    AUX(SG_AT_FLAGS, 0);
    AUX(SG_AT_ENTRY, img->entry);
    AUX(SG_AT_UID, 0);
    AUX(SG_AT_EUID, 0);
    AUX(SG_AT_GID, 0);
    AUX(SG_AT_EGID, 0);
    AUX(SG_AT_SECURE, 0);
    AUX(SG_AT_RANDOM, random_user);
    AUX(SG_AT_HWCAP2, 0);               /* ELF_HWCAP2: no ring-3 MWAIT, no FSGSBASE */
    AUX(SG_AT_EXECFN, execfn);
    AUX(SG_AT_PLATFORM, platform);
    AUX(SG_AT_KIP, kip);
    AUX(SG_AT_NULL, 0);
#undef AUX

    /* The table, written upwards from the 16-byte aligned stack pointer. */
    uint64_t words = 1 + (uint64_t)argc + 1 + (uint64_t)envc + 1 + 2 * (uint64_t)n;
    if (!stack_room(b, words * b->word + 16))
        return 0;
    b->sp = ALIGN_DOWN(b->sp + 16, 16);
    uint64_t at = b->sp;
#define PUT(v) (put_user(b, at, &(uint64_t){ (v) }, b->word), at += b->word)
    PUT((uint64_t)argc);
    /* argv[], NULL, envp[], NULL: the copies lie in this order from
     * `strings` up. */
    for (int i = 0; i <= argc + envc; i++) {
        if (i == argc) {
            PUT(0);
            continue;
        }
        PUT(strings);
        strings += stack_strlen(b, strings) + 1;
    }
    PUT(0);
    for (int i = 0; i < n; i++) {
        PUT(auxv[i][0]);
        PUT(auxv[i][1]);
    }
#undef PUT
    return b->err ? 0 : b->sp;
}

/* A freshly reset FPU for a new program (fpu.c's initial image). */
static void fpu_reset_image(uint8_t *area)
{
    memcpy(area, fpu_init_state, fpu_cfg.size);
}

/* A program's first user-mode state: its entry, its stack, nothing else. */
static void set_entry_frame(struct frame *f, int bits, uint64_t entry, uint64_t rsp)
{
    memset(f, 0, sizeof *f);
    f->entry = ENTRY_NEW;
    f->rip = entry;
    f->cs = bits == 32 ? USER32_CS : USER64_CS;
    f->rflags = RFLAGS_IF | RFLAGS_FIXED;
    f->rsp = rsp;
    f->ss = USER_DS;
}

void proc_start_at_frame(struct proc *p)
{
    /* What switch_context() pops: r15 r14 r13 r12 rbx rbp, then its return
     * address, which starts the process through the exit path. */
    uint64_t *sp = (uint64_t *)proc_frame(p);
    *--sp = (uint64_t)process_first_return;
    for (int i = 0; i < 6; i++)
        *--sp = 0;
    p->ksp = (uint64_t)sp;
}

/* Finds and checks a program: 0 with its bytes and parsed headers, or
 * -ENOENT, -EACCES, ... (fs_exec_lookup), -ENOEXEC; with `log` the reason
 * an image is refused goes to the console (sg_spawn; execve's callers -
 * shells trying a script - expect -ENOEXEC as an answer, not an event). */
static long find_image(struct proc *caller, int dirfd, const char *path, int at_flags, const void **file,
                       struct elf_image *img, bool log)
{
    size_t size;
    int found = fs_exec_lookup(caller, dirfd, path, at_flags & L_AT_SYMLINK_NOFOLLOW, at_flags & L_AT_EMPTY_PATH,
                               file, &size);
    if (found)
        return found;
    enum elf_error err = elf_parse(*file, size, img);
    if (err != ELF_OK) {
        if (log)
            printk("sysgate: %s: %s\n", path, elf_error_name(err));
        return -SG_ENOEXEC;
    }
    return 0;
}

/*
 * The image loader: a new address space for p (p->bits set, p->pml4 and
 * p->vm empty) holding the program's segments, its stack with the strings
 * and tables, the argument page and the interface page.  0 with *entry
 * and *rsp, or -ENOMEM, -E2BIG, -EFAULT (a user string), with p's new
 * space freed again.  The caller's own address space is untouched: user
 * strings are read from it while the new one is written through its page
 * tables.
 */
static long load_image(struct proc *p, const void *file, const struct elf_image *img, const char *path,
                       struct exec_strings *strs, uint64_t arg_room, uint64_t *entry, uint64_t *rsp)
{
    long err = -SG_ENOMEM;
    p->pml4 = vm_create();
    if (!p->pml4 || mm_create(p))
        goto fail;
    /* The segments, and the program break just above the highest. */
    uint64_t image_end = 0;
    for (int i = 0; i < img->nsegments; i++) {
        const struct elf_segment *s = &img->segments[i];
        if (load_segment(p->pml4, file, s) || record_segment(p, s))
            goto fail;
        if (s->vaddr + s->memsz > image_end)
            image_end = s->vaddr + s->memsz;
    }
    p->vm->brk_start = p->vm->brk = ALIGN_UP(image_end, PAGE_SIZE);

    /* The stack: an 8 MiB region, its top pages mapped now and the rest
     * when touched, with an unmapped guard page below it. */
    uint64_t stack_top = img->bits == 32 ? USER32_STACK_TOP : USER_STACK_TOP;
    for (int i = 1; i <= USER_STACK_PAGES; i++) {
        uint64_t pa = phys_alloc(1);
        if (!pa)
            goto fail;
        if (vm_map(p->pml4, stack_top - i * PAGE_SIZE, pa, PTE_U | PTE_W | PTE_NX)) {
            phys_free(pa, 1);
            goto fail;
        }
    }
    struct vma stack = { .start = stack_top - USER_STACK_SIZE, .end = stack_top,
                         .prot = VMA_READ | VMA_WRITE, .backing = VMA_ANON };
    /* The per-process argument page (docs/abi.md): same address in every
     * process of a width, a different frame behind it. */
    uint64_t arg_pa = phys_alloc(1);
    uint64_t argpage = img->bits == 32 ? USER32_ARGPAGE : USER_ARGPAGE;
    if (!arg_pa)
        goto fail;
    if (vm_map(p->pml4, argpage, arg_pa, PTE_U | PTE_W | PTE_NX)) {
        phys_free(arg_pa, 1);
        goto fail;
    }
    struct vma args = { .start = argpage, .end = argpage + PAGE_SIZE, .prot = VMA_READ | VMA_WRITE,
                        .backing = VMA_ANON, .flags = VMA_PINNED };
    /* The interface page: shared by every process of the width. */
    uint64_t kip = kip_map(p->pml4, img->bits);
    if (!kip)
        goto fail;
    /* The whole vDSO is one pinned region - the data page below the image
     * too - so that no mapping lands on a page of it (an mmap over the
     * data page and its munmap would take clock_gettime's data away). */
    uint64_t kip_start, kip_end;
    kip_span(img->bits, &kip_start, &kip_end);
    struct vma kip_region = { .start = kip_start, .end = kip_end, .prot = VMA_READ | VMA_EXEC,
                              .backing = VMA_SHARED, .flags = VMA_PINNED };
    /* The page-fault door's range (include/sysgate/abi.h SG_PF_*): no
     * access, pinned, so that nothing is ever mapped there - a load from it
     * always faults, which the door's stub relies on. */
    uint64_t pf_base = img->bits == 32 ? SG_PF_BASE32 : SG_PF_BASE64;
    struct vma pf_region = { .start = pf_base, .end = pf_base + SG_PF_RANGE, .prot = 0, .backing = VMA_ANON,
                             .flags = VMA_PINNED };
    if (mm_add_region(p, &stack) || mm_add_region(p, &args) || mm_add_region(p, &kip_region) ||
        mm_add_region(p, &pf_region))
        goto fail;
    /* mmap places mappings below both, top-down (as Linux does below the
     * stack). */
    p->vm->mmap_hi = kip_start < stack.start ? kip_start : stack.start - PAGE_SIZE;

    struct stack_builder b = { .pml4 = p->pml4, .sp = stack_top, .floor = stack.start,
                               .word = img->bits == 32 ? 4 : 8, .budget = arg_room };
    *rsp = build_stack(&b, img, path, strs, kip);
    if (b.err) {
        err = b.err;
        goto fail;
    }
    *entry = img->entry;
    return 0;

fail:
    mm_destroy(p);
    return err;
}

/* The argument room for a process with this stack limit. */
static uint64_t arg_room(uint64_t stack_limit)
{
    uint64_t room = stack_limit / 4;
    if (room > ARG_MAX_MAX)
        room = ARG_MAX_MAX;
    return room < ARG_MAX_MIN ? ARG_MAX_MIN : room;
}

static void set_name(struct proc *p, const char *path)
{
    const char *base = path;
    for (const char *c = path; *c; c++)
        if (*c == '/')
            base = c + 1;
    strlcpy(p->name, base, sizeof p->name);
}

long proc_spawn(const char *path, int argc, char *const argv[], struct proc *parent)
{
    const void *file;
    struct elf_image img;
    long r = find_image(parent, FS_AT_FDCWD, path, 0, &file, &img, true);
    if (r)
        return r;

    struct proc *p = proc_alloc();
    if (!p)
        return -SG_EAGAIN;
    p->bits = img.bits;
    proc_identity_init(p, parent);
    /* sg_spawn's argv is counted; the loader wants it NULL-terminated. */
    const char *list[MAX_ARGS + 1];
    for (int i = 0; i < argc && i < MAX_ARGS; i++)
        list[i] = argv[i];
    list[argc < MAX_ARGS ? argc : MAX_ARGS] = 0;
    struct exec_strings strs = { .kernel = { list, boot_env } };
    uint64_t entry, rsp;
    r = load_image(p, file, &img, path, &strs, arg_room(p->rlimits[RLIMIT_STACK].cur), &entry, &rsp);
    if (!r && files_spawn(p, parent)) {
        mm_destroy(p);
        r = -SG_ENOMEM;
    }
    if (r) {
        files_release(p);
        kstack_free(p->kstack);
        memset(p, 0, sizeof *p);
        return r;
    }
    set_name(p, path);
    p->parent = parent;
    if (parent) {
        p->pgid = parent->pgid;
        p->sid = parent->sid;
    }
    set_entry_frame(proc_frame(p), p->bits, entry, rsp);
    seg_init(&p->seg, p->bits);
    fpu_reset_image(p->fpu);
    signal_reset(p);
    p->exit_signal = SG_SIGCHLD;
    proc_start_at_frame(p);
    p->state = PROC_RUNNABLE;
    return p->pid;
}

/* execve's new image is built here first, beside the caller's (the kernel
 * is never preempted and execve does not block while building). */
static struct proc exec_scratch;

long proc_exec(int dirfd, const char *path, int at_flags, uint64_t argv, uint64_t envp)
{
    struct proc *p = current_proc();
    const void *file;
    struct elf_image img;
    long r = find_image(p, dirfd, path, at_flags, &file, &img, false);
    if (r)
        return r;

    struct proc *n = &exec_scratch;
    memset(n, 0, sizeof *n);
    n->bits = img.bits;
    unsigned word = p->bits == 32 ? 4 : 8;
    struct exec_strings strs = { .user_word = word, .user = { argv, envp } };
    uint64_t entry, rsp;
    r = load_image(n, file, &img, path, &strs, arg_room(p->rlimits[RLIMIT_STACK].cur), &entry, &rsp);
    if (r)
        return r;

    if (files_close_on_exec(p)) {
        mm_destroy(n);
        return -SG_ENOMEM;
    }
    /* No way back from here: the old image goes (execve(2)), and with it
     * every other thread of the group (Linux's de_thread; the caller keeps
     * its own tid). */
    proc_end_other_threads(p);
    vm_activate(n->pml4);
    mm_destroy(p);
    p->pml4 = n->pml4;
    p->vm = n->vm;
    p->bits = img.bits;
    set_name(p, path);
    p->execed = true;
    p->clear_child_tid = 0;
    p->robust_list = p->robust_list_len = 0;
    memset(p->unimplemented_logged, 0, sizeof p->unimplemented_logged);
    p->unimplemented_count = 0;
    fast_tables_show(p->unimplemented_logged, 0);  /* the running process's */
    signal_exec(p);
    /* A new program runs cpuid again; rdtsc keeps faulting (Linux's
     * arch_setup_new_exec re-enables only cpuid). */
    p->cpuid_faults = false;
    exception_doors_switch(p);

    /* The running process's registers: segments, TLS and LDT empty, the
     * FPU reset, the frame the program's entry, whichever width it has. */
    seg_release(&p->seg, true);
    seg_init(&p->seg, p->bits);
    seg_load(&p->seg);
    fpu_reset_image(p->fpu);
    if (p->fpu_trap)
        clts();     /* the new program starts with its nm and ac doors unarmed (TS, AM clear) */
    if (p->align_trap)
        write_cr0(read_cr0() & ~(uint64_t)CR0_AM);
    p->fpu_trap = p->align_trap = false;
    fpu_load(p->fpu, false);
    percpu0.compat = p->bits == 32;
    entry_floor_switch(p->floors);          /* the call gate, aimed for the new width */
    struct frame *f = proc_frame(p);
    set_entry_frame(f, p->bits, entry, rsp);
    /* The 32-bit fast doors must not write their exit clobbers over it. */
    percpu0.replaced_frame = f;
    proc_vfork_release(p);
    return 0;
}
