/*
 * sigrestore.S - the restorers a signal handler returns to (the C
 * libraries' __restore_rt and __restore): the kernel's signal frame puts
 * their address, given with SA_RESTORER, where the handler's `ret` finds
 * it (kernel/proc/signal.c).  The stack pointer must stay where the
 * handler's return left it: the kernel finds the frame from it.
 */
    .text
#ifdef __x86_64__
    .globl sg_restore_rt, sg_restore
sg_restore_rt:
sg_restore:
    mov     $15, %eax           /* rt_sigreturn */
    syscall
    ud2
#else
    .globl sg_restore_rt, sg_restore
sg_restore_rt:
    movl    $173, %eax          /* rt_sigreturn */
    int     $0x80
    ud2
sg_restore:
    popl    %eax                /* the signal number (struct sigframe's sig) */
    movl    $119, %eax          /* sigreturn */
    int     $0x80
    ud2
#endif
    .section .note.GNU-stack, "", @progbits
