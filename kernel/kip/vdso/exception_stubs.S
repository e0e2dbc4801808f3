/*
 * exception_stubs.S - the exception doors' stubs whose bytes are the same
 * in both widths, included by kip_stubs.S and kip32_stubs.S (the divide
 * door's, rdtsc's and cpuid's differ: each file has its own).  The exception is a call only
 * when the CPU reports it at the stub's instruction
 * (kernel/entry/exception_doors.c).
 */

/* int3 (CC): #BP, a trap - the saved RIP is the `ret` after it. */
    .globl __sg_stub_int3
    .type __sg_stub_int3, @function
__sg_stub_int3:
    int3
    ret
    .size __sg_stub_int3, . - __sg_stub_int3
    .balign 16

/* hlt (F4): privileged, so in ring 3 a #GP(0), a fault - the saved RIP is
 * the hlt itself; the kernel resumes after its byte. */
    .globl __sg_stub_hlt
    .type __sg_stub_hlt, @function
__sg_stub_hlt:
    hlt
    ret
    .size __sg_stub_hlt, . - __sg_stub_hlt
    .balign 16

/* smsw %eax (0F 01 E0) with CR4.UMIP on: #GP(0), a fault - the saved RIP
 * is the smsw, which changed nothing; the kernel resumes after its 3
 * bytes.  Offered only where the CPU has UMIP. */
    .globl __sg_stub_umip
    .type __sg_stub_umip, @function
__sg_stub_umip:
    smsw    %eax
    ret
    .size __sg_stub_umip, . - __sg_stub_umip
    .balign 16

/* icebp (int1, F1): #DB, a trap delivered without the gate's DPL check
 * (Intel SDM vol. 3A 6.15 "Interrupt 1"; AMD APM vol. 3 INT1) - the saved
 * RIP is the ret after it.  Offered only where the boot's probe saw the
 * #DB (QEMU 7.2's TCG raises #UD instead). */
    .globl __sg_stub_icebp
    .type __sg_stub_icebp, @function
__sg_stub_icebp:
    .byte   0xf1
    ret
    .size __sg_stub_icebp, . - __sg_stub_icebp
    .balign 16

/* int $3 (CD 03): #BP as int3's, but a two-byte instruction - the saved
 * RIP is the `ret` after it, 2 bytes from the stub's start, where no
 * int3 (CC) can end: the byte before it is the 03.  Written as bytes:
 * GNU as assembles `int $3` as the one-byte CC. */
    .globl __sg_stub_int3n
    .type __sg_stub_int3n, @function
__sg_stub_int3n:
    .byte   0xcd, 0x03
    ret
    .size __sg_stub_int3n, . - __sg_stub_int3n
    .balign 16
