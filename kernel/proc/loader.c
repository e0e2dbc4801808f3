/*
 * Starting a program: an ELF executable from the initrd becomes a new
 * address space, a user stack laid out as Linux lays it out (argc, argv,
 * envp, auxiliary vector; System V AMD64 ABI section 3.4.1), and an
 * initial frame that the exit path "returns" through into user mode.
 */
#include "proc.h"
#include "elf.h"
#include "../fs/file.h"
#include "../fs/fs.h"
#include "../arch/selectors_msrs.h"
#include "../kip/kip.h"
#include "../mm/mm.h"
#include "../mm/space.h"
#include "../arch/io.h"
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

/* Records the pages kip_map() put around `kip` - frames every process of
 * the width shares (PTE_SHARED): the interface page and what lies beside
 * it - as pinned regions with the protection of their entries.  Returns
 * the lowest such page, 0 when out of memory. */
static uint64_t record_shared_pages(struct proc *p, uint64_t kip)
{
    uint64_t lo = kip, hi = kip;
    while (vm_lookup(p->pml4, lo - PAGE_SIZE) & PTE_SHARED)
        lo -= PAGE_SIZE;
    while (vm_lookup(p->pml4, hi) & PTE_SHARED)
        hi += PAGE_SIZE;
    for (uint64_t va = lo; va < hi; va += PAGE_SIZE) {
        uint64_t pte = vm_lookup(p->pml4, va);
        struct vma r = { .start = va, .end = va + PAGE_SIZE, .backing = VMA_SHARED, .flags = VMA_PINNED,
                         .prot = VMA_READ | (pte & PTE_NX ? 0 : VMA_EXEC) };
        if (mm_add_region(p, &r))
            return 0;
    }
    return lo;
}

/* Builds the initial stack in the top stack page (the kernel reaches it
 * through the physical map); returns the user stack pointer.  64-bit and
 * 32-bit processes get the same layout with 8-byte or 4-byte slots. */
struct stack_builder {
    uint8_t *page;          /* kernel view of the top stack page */
    uint64_t top;           /* its user address + PAGE_SIZE */
    uint64_t sp;            /* user address of the next free byte, going down */
    unsigned word;          /* 8 or 4 */
};

static uint64_t push_bytes(struct stack_builder *b, const void *data, size_t n)
{
    b->sp -= n;
    memcpy(b->page + (b->sp - (b->top - PAGE_SIZE)), data, n);
    return b->sp;
}

static void push_word(struct stack_builder *b, uint64_t v)
{
    push_bytes(b, &v, b->word);     /* little endian: the low bytes first */
}

static uint64_t build_stack(struct stack_builder *b, const struct elf_image *img, int argc,
                            char *const argv[], uint64_t kip)
{
    uint64_t argv_user[MAX_ARGS];
    for (int i = argc - 1; i >= 0; i--)
        argv_user[i] = push_bytes(b, argv[i], strlen(argv[i]) + 1);
    uint8_t random[16];
    for (int i = 0; i < 16; i++)
        random[i] = (uint8_t)(rdtsc() >> (8 * (i % 4)) ^ i);
    uint64_t random_user = push_bytes(b, random, sizeof random);

    uint64_t auxv[][2] = {
        { SG_AT_PHDR, img->phdr_vaddr },
        { SG_AT_PHENT, img->phentsize },
        { SG_AT_PHNUM, img->phnum },
        { SG_AT_PAGESZ, PAGE_SIZE },
        { SG_AT_ENTRY, img->entry },
        { SG_AT_UID, 0 }, { SG_AT_EUID, 0 }, { SG_AT_GID, 0 }, { SG_AT_EGID, 0 },
        { SG_AT_RANDOM, random_user },
        { SG_AT_KIP, kip },
        { SG_AT_SYSINFO_EHDR, kip_vdso_base(img->bits) },
        /* 32-bit: __kernel_vsyscall, the page's default entry (i386 ABI). */
        { img->bits == 32 ? SG_AT_SYSINFO : SG_AT_NULL, kip_default_entry(32) },
        { SG_AT_NULL, 0 },
    };
    /* argc, argv[], NULL, envp NULL, auxv: keep the stack pointer 16-byte
     * aligned at argc. */
    uint64_t words = 1 + argc + 1 + 1 + 2 * ARRAY_SIZE(auxv);
    b->sp = ALIGN_DOWN(b->sp - words * b->word, 16) + words * b->word;
    for (int i = ARRAY_SIZE(auxv) - 1; i >= 0; i--) {
        push_word(b, auxv[i][1]);
        push_word(b, auxv[i][0]);
    }
    push_word(b, 0);                    /* envp terminator */
    push_word(b, 0);                    /* argv terminator */
    for (int i = argc - 1; i >= 0; i--)
        push_word(b, argv_user[i]);
    push_word(b, argc);
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
    size_t strings = 0;
    for (int i = 0; i < argc; i++)
        strings += strlen(argv[i]) + 1;
    if (argc > MAX_ARGS || strings > PAGE_SIZE / 2)
        return -SG_E2BIG;

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
    uint64_t top_page = 0;
    for (int i = 1; i <= USER_STACK_PAGES; i++) {
        uint64_t pa = phys_alloc(1);
        if (!pa)
            goto nomem;
        if (vm_map(p->pml4, stack_top - i * PAGE_SIZE, pa, PTE_U | PTE_W | PTE_NX)) {
            phys_free(pa, 1);
            goto nomem;
        }
        if (i == 1)
            top_page = pa;
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
    uint64_t kip_low = record_shared_pages(p, kip);
    if (!kip_low || mm_add_region(p, &stack) || mm_add_region(p, &args))
        goto nomem;
    /* mmap places mappings below both, top-down (as Linux does below the
     * stack). */
    p->vm->mmap_hi = kip_low < stack.start ? kip_low : stack.start - PAGE_SIZE;

    struct stack_builder b = { phys_to_virt(top_page), stack_top, stack_top, img.bits == 32 ? 4 : 8 };
    uint64_t rsp = build_stack(&b, &img, argc, argv, kip);

    const char *base = path;
    for (const char *c = path; *c; c++)
        if (*c == '/')
            base = c + 1;
    strlcpy(p->name, base, sizeof p->name);
    p->parent = parent;
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
