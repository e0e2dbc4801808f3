/*
 * Starting a program: an ELF executable from the initrd becomes a new
 * address space, a user stack laid out as Linux lays it out (argc, argv,
 * envp, auxiliary vector; System V AMD64 ABI section 3.4.1), and an
 * initial frame that the exit path "returns" through into user mode.
 */
#include "proc.h"
#include "elf.h"
#include "../arch/cpu.h"
#include "../fs/file.h"
#include "../fs/fs.h"
#include "../arch/selectors_msrs.h"
#include "../lib/random.h"
#include "../kip/kip.h"
#include "../mm/mm.h"
#include "../mm/space.h"
#include "../../include/sysgate/abi.h"
#include "../../include/sysgate/kip.h"

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
 * new address space's page tables: the stack's pages need not be
 * contiguous in physical memory.
 */

/* What every program starts with: sysgate has no shell to set it up.
 * sg_spawn's children get the same (sg_spawn has no envp argument, and no
 * process can change its initial environment). */
static const char *const boot_env[] = { "PATH=/bin:/usr/bin", "HOME=/", "TERM=linux" };

struct stack_builder {
    uint64_t *pml4;
    uint64_t sp;            /* user address of the lowest byte written, going down */
    unsigned word;          /* 8 or 4 */
};

/* Copies into the new address space at user address va (mapped). */
static void put_user(struct stack_builder *b, uint64_t va, const void *data, size_t n)
{
    const uint8_t *src = data;
    while (n) {
        uint64_t off = va % PAGE_SIZE;
        size_t chunk = PAGE_SIZE - off < n ? PAGE_SIZE - off : n;
        uint64_t pa = vm_lookup(b->pml4, va) & PTE_ADDR;
        memcpy((uint8_t *)phys_to_virt(pa) + off, src, chunk);
        va += chunk, src += chunk, n -= chunk;
    }
}

static uint64_t push_bytes(struct stack_builder *b, const void *data, size_t n)
{
    b->sp -= n;
    put_user(b, b->sp, data, n);
    return b->sp;
}

/* The strings' room: as Linux's bprm_stack_limits, a quarter of the stack
 * for argv[] and envp[] - pointers and strings together - else -E2BIG
 * (execve(2), "Limits on size of arguments and environment"). */
#define ARG_SPACE (USER_STACK_PAGES * PAGE_SIZE / 4)

static long check_arg_limits(int argc, char *const argv[], unsigned word)
{
    uint64_t pointers = (uint64_t)((argc > 1 ? argc : 1) + ARRAY_SIZE(boot_env)) * word;
    uint64_t strings = 0;
    for (int i = 0; i < argc; i++)
        strings += strlen(argv[i]) + 1;
    for (size_t i = 0; i < ARRAY_SIZE(boot_env); i++)
        strings += strlen(boot_env[i]) + 1;
    return pointers + strings > ARG_SPACE ? -SG_E2BIG : 0;
}

static uint64_t build_stack(struct stack_builder *b, const struct elf_image *img, const char *path,
                            int argc, char *const argv[], uint64_t kip)
{
    const int envc = ARRAY_SIZE(boot_env);
    b->sp -= b->word;
    uint64_t execfn = push_bytes(b, path, strlen(path) + 1);
    for (int i = envc - 1; i >= 0; i--)
        push_bytes(b, boot_env[i], strlen(boot_env[i]) + 1);
    for (int i = argc - 1; i >= 0; i--)
        push_bytes(b, argv[i], strlen(argv[i]) + 1);
    uint64_t strings = b->sp;

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
    AUX(SG_AT_MINSIGSTKSZ, 2048);       /* MINSIGSTKSZ, asm/signal.h */
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
    b->sp = ALIGN_DOWN(b->sp - words * b->word, 16);
    uint64_t at = b->sp;
#define PUT(v) (put_user(b, at, &(uint64_t){ (v) }, b->word), at += b->word)
    PUT((uint64_t)argc);
    for (int i = 0; i < argc; i++) {
        PUT(strings);
        strings += strlen(argv[i]) + 1;
    }
    PUT(0);
    for (int i = 0; i < envc; i++) {
        PUT(strings);
        strings += strlen(boot_env[i]) + 1;
    }
    PUT(0);
    for (int i = 0; i < n; i++) {
        PUT(auxv[i][0]);
        PUT(auxv[i][1]);
    }
#undef PUT
    return b->sp;
}

static void init_frame(struct proc *p, uint64_t entry, uint64_t rsp)
{
    struct frame *f = proc_frame(p);
    memset(f, 0, sizeof *f);
    f->entry = ENTRY_NEW;
    f->rip = entry;
    f->cs = p->bits == 32 ? USER32_CS : USER64_CS;
    f->rflags = RFLAGS_IF | RFLAGS_FIXED;
    f->rsp = rsp;
    f->ss = USER_DS;
    seg_init(&p->seg, p->bits);

    /* What switch_context() pops: r15 r14 r13 r12 rbx rbp, then its return
     * address, which starts the process through the exit path. */
    uint64_t *sp = (uint64_t *)f;
    *--sp = (uint64_t)process_first_return;
    for (int i = 0; i < 6; i++)
        *--sp = 0;
    p->ksp = (uint64_t)sp;

    /* FXSAVE image of a freshly reset FPU: x87 control word 0x37f (all
     * exceptions masked), MXCSR 0x1f80 (SDM vol. 1 10.2.3.1). */
    memset(p->fxsave, 0, sizeof p->fxsave);
    p->fxsave[0] = 0x7f;
    p->fxsave[1] = 0x03;
    uint32_t mxcsr = 0x1f80;
    memcpy(p->fxsave + 24, &mxcsr, 4);
}

long proc_spawn(const char *path, int argc, char *const argv[], struct proc *parent)
{
    const void *file;
    size_t file_size;
    struct elf_image img;

    int found = fs_exec_lookup(parent, path, &file, &file_size);
    if (found)
        return found;
    enum elf_error err = elf_parse(file, file_size, &img);
    if (err != ELF_OK) {
        printk("sysgate: %s: %s\n", path, elf_error_name(err));
        return -SG_ENOEXEC;
    }
    long limits = check_arg_limits(argc, argv, img.bits == 32 ? 4 : 8);
    if (limits)
        return limits;

    struct proc *p = proc_alloc();
    if (!p)
        return -SG_EAGAIN;
    p->bits = img.bits;
    p->pml4 = vm_create();
    if (!p->pml4 || mm_create(p) || files_spawn(p, parent))
        goto nomem;
    /* The segments, and the program break just above the highest. */
    uint64_t image_end = 0;
    for (int i = 0; i < img.nsegments; i++) {
        const struct elf_segment *s = &img.segments[i];
        if (load_segment(p->pml4, file, s) || record_segment(p, s))
            goto nomem;
        if (s->vaddr + s->memsz > image_end)
            image_end = s->vaddr + s->memsz;
    }
    p->vm->brk_start = p->vm->brk = ALIGN_UP(image_end, PAGE_SIZE);

    /* The stack: an 8 MiB region, its top pages mapped now and the rest
     * when touched, with an unmapped guard page below it. */
    uint64_t stack_top = img.bits == 32 ? USER32_STACK_TOP : USER_STACK_TOP;
    for (int i = 1; i <= USER_STACK_PAGES; i++) {
        uint64_t pa = phys_alloc(1);
        if (!pa)
            goto nomem;
        if (vm_map(p->pml4, stack_top - i * PAGE_SIZE, pa, PTE_U | PTE_W | PTE_NX)) {
            phys_free(pa, 1);
            goto nomem;
        }
    }
    struct vma stack = { .start = stack_top - USER_STACK_SIZE, .end = stack_top,
                         .prot = VMA_READ | VMA_WRITE, .backing = VMA_ANON };
    /* The per-process argument page (docs/abi.md): same address in every
     * process of a width, a different frame behind it. */
    uint64_t arg_pa = phys_alloc(1);
    uint64_t argpage = img.bits == 32 ? USER32_ARGPAGE : USER_ARGPAGE;
    if (!arg_pa)
        goto nomem;
    if (vm_map(p->pml4, argpage, arg_pa, PTE_U | PTE_W | PTE_NX)) {
        phys_free(arg_pa, 1);
        goto nomem;
    }
    struct vma args = { .start = argpage, .end = argpage + PAGE_SIZE, .prot = VMA_READ | VMA_WRITE,
                        .backing = VMA_ANON, .flags = VMA_PINNED };
    /* The interface page: shared by every process of the width. */
    uint64_t kip = kip_map(p->pml4, img.bits);
    if (!kip)
        goto nomem;
    /* The whole vDSO is one pinned region - the data page below the image
     * too - so that no mapping lands on a page of it (an mmap over the
     * data page and its munmap would take clock_gettime's data away). */
    uint64_t kip_start, kip_end;
    kip_span(img.bits, &kip_start, &kip_end);
    struct vma kip_region = { .start = kip_start, .end = kip_end, .prot = VMA_READ | VMA_EXEC,
                              .backing = VMA_SHARED, .flags = VMA_PINNED };
    if (mm_add_region(p, &stack) || mm_add_region(p, &args) || mm_add_region(p, &kip_region))
        goto nomem;
    /* mmap places mappings below both, top-down (as Linux does below the
     * stack). */
    p->vm->mmap_hi = kip_start < stack.start ? kip_start : stack.start - PAGE_SIZE;

    struct stack_builder b = { p->pml4, stack_top, img.bits == 32 ? 4 : 8 };
    uint64_t rsp = build_stack(&b, &img, path, argc, argv, kip);

    const char *base = path;
    for (const char *c = path; *c; c++)
        if (*c == '/')
            base = c + 1;
    strlcpy(p->name, base, sizeof p->name);
    p->parent = parent;
    proc_identity_init(p, parent);
    signal_reset(p);
    init_frame(p, img.entry, rsp);
    p->state = PROC_RUNNABLE;
    return p->pid;

nomem:
    files_release(p);
    mm_destroy(p);
    kstack_free(p->kstack);
    memset(p, 0, sizeof *p);
    return -SG_ENOMEM;
}
