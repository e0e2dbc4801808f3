/*
 * boot.S - from the boot loader to kmain() in long mode.
 *
 * Both Multiboot (QEMU's -kernel loader) and Multiboot2 (GRUB, for the ISO)
 * leave us in 32-bit protected mode with paging off, flat segments, EAX =
 * the loader's magic and EBX = the physical address of its information
 * block (Multiboot spec 0.6.96 section 3.2; Multiboot2 spec section 3.3).
 *
 * We build just enough page tables to enter long mode (Intel SDM vol. 3A
 * section 10.8.5, "Initializing IA-32e Mode"): the first 1 GiB identity
 * mapped (so the next instruction after enabling paging still exists), the
 * same 1 GiB at KERNEL_BASE (the linked address of the kernel) and at
 * PHYS_MAP_BASE.  kmain() replaces all of this with the real tables.
 */
#include "../kernel/arch/layout.h"

#define PHYS(x) ((x) - KERNEL_BASE)

/* ---- Multiboot 1 header (QEMU -kernel) ---- */
#define MB1_MAGIC 0x1BADB002
#define MB1_FLAGS 0x00000003          /* page-align modules, give memory map */

/* ---- Multiboot 2 header (GRUB) ---- */
#define MB2_MAGIC 0xE85250D6

    .section .boot.header, "a"
    .align 4
mb1_header:
    .long MB1_MAGIC
    .long MB1_FLAGS
    .long -(MB1_MAGIC + MB1_FLAGS)

    .align 8
mb2_header:
    .long MB2_MAGIC
    .long 0                           /* architecture: i386 protected mode */
    .long mb2_header_end - mb2_header
    .long -(MB2_MAGIC + 0 + (mb2_header_end - mb2_header))
    /* module-alignment tag: modules page aligned */
    .short 6, 0
    .long 8
    /* end tag */
    .short 0, 0
    .long 8
mb2_header_end:

    .section .boot.text, "ax"
    .code32
    .globl _start
_start:
    cli
    cld
    mov     $PHYS(boot_stack_top), %esp
    mov     %eax, %edi                /* magic: kept for kmain (1st arg) */
    mov     %ebx, %esi                /* info:  kept for kmain (2nd arg) */

    /* Long mode needs CPUID.80000001H:EDX.LM[29]. */
    mov     $0x80000000, %eax
    cpuid
    cmp     $0x80000001, %eax
    jb      no_long_mode
    mov     $0x80000001, %eax
    cpuid
    bt      $29, %edx
    jnc     no_long_mode
    mov     %edx, %ebp                /* remember NX support (bit 20) */

    /* PML4[0] and PML4[256] -> identity PDPT; PML4[511] -> high PDPT. */
    mov     $PHYS(boot_pdpt_low), %eax
    or      $0x3, %eax
    mov     %eax, PHYS(boot_pml4)
    mov     %eax, PHYS(boot_pml4) + 256 * 8
    mov     $PHYS(boot_pdpt_high), %eax
    or      $0x3, %eax
    mov     %eax, PHYS(boot_pml4) + 511 * 8
    /* Both PDPTs point at one page directory of 2 MiB pages. */
    mov     $PHYS(boot_pd), %eax
    or      $0x3, %eax
    mov     %eax, PHYS(boot_pdpt_low)
    mov     %eax, PHYS(boot_pdpt_high) + 510 * 8
    /* 512 x 2 MiB = the first 1 GiB, present | writable | PS. */
    mov     $PHYS(boot_pd), %ebx
    mov     $0x83, %eax
    mov     $512, %ecx
1:  mov     %eax, (%ebx)
    movl    $0, 4(%ebx)
    add     $0x200000, %eax
    add     $8, %ebx
    loop    1b

    /* CR4.PAE (SDM vol. 3A 4.1.1): required before setting EFER.LME. */
    mov     %cr4, %eax
    or      $(1 << 5), %eax
    mov     %eax, %cr4
    mov     $PHYS(boot_pml4), %eax
    mov     %eax, %cr3

    /* EFER.LME (bit 8), and EFER.NXE (bit 11) when the CPU has NX. */
    mov     $0xC0000080, %ecx
    rdmsr
    or      $(1 << 8), %eax
    bt      $20, %ebp
    jnc     1f
    or      $(1 << 11), %eax
1:  wrmsr

    /* CR0.PG activates long mode (compatibility mode until a 64-bit CS is
     * loaded); CR0.WP makes the kernel honour read-only user pages. */
    mov     %cr0, %eax
    or      $((1 << 31) | (1 << 16)), %eax
    mov     %eax, %cr0

    lgdt    boot_gdt_ptr
    ljmp    $0x08, $long_mode_low

no_long_mode:
    /* Nothing can be printed reliably this early but the serial port. */
    mov     $msg_no_lm, %ebx
2:  movb    (%ebx), %al
    test    %al, %al
    jz      3f
    mov     $0x3f8, %dx
    outb    %al, %dx
    inc     %ebx
    jmp     2b
3:  hlt
    jmp     3b

    .code64
long_mode_low:
    /* Still running at the physical address: jump to the linked one. */
    movabs  $long_mode_high, %rax
    jmp     *%rax

    .section .text
long_mode_high:
    xor     %eax, %eax
    mov     %eax, %ds
    mov     %eax, %es
    mov     %eax, %ss
    mov     %eax, %fs
    mov     %eax, %gs
    movabs  $boot_stack_top, %rsp
    /* edi = magic, esi = info (physical): zero-extended by the movs above */
    mov     %edi, %edi
    mov     %esi, %esi
    call    kmain
4:  cli
    hlt
    jmp     4b

    .section .boot.rodata, "a"
    .align 16
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff          /* 0x08: 64-bit code, DPL 0 */
    .quad 0x00cf92000000ffff          /* 0x10: data, DPL 0 */
boot_gdt_end:
boot_gdt_ptr:
    .short boot_gdt_end - boot_gdt - 1
    .long  boot_gdt
msg_no_lm:
    .asciz "sysgate: this CPU has no long mode (CPUID.80000001H:EDX.LM)\r\n"

    .section .bss
    .align 4096
    .globl boot_pml4
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
boot_pd:        .skip 4096
    .globl boot_stack_top
boot_stack:     .skip 16384
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
