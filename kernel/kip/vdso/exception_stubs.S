/*
 * exception_stubs.S - the exception doors' stubs whose bytes are the same
 * in both widths, included by kip_stubs.S and kip32_stubs.S (the divide
 * door's differs: each file has its own).  The exception is a call only
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
