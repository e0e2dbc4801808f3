/*
 * exception_entry.S - the exception doors' own entries: one per vector
 * that carries a door (#DE divide, #BP int3/int3n, #OF into, #BR bound, #NM nm,
 * #GP hlt/rdtsc/umip/cpuid, #PF pf, #AC ac), in the style of trap.S's
 * #UD door.  docs/mechanisms.md, "Exception doors".
 *
 * What the hardware did (Intel SDM vol. 3A 6.12.1, 6.14.2; AMD APM vol. 2
 * 8.9.3): through the vector's interrupt gate, RSP0 from the TSS when the
 * exception came from ring 3, SS RSP RFLAGS CS RIP pushed - and an error
 * code for #GP, #PF and #AC (SDM vol. 3A 6.13, table 6-1) - IF TF NT RF
 * cleared; AC, DF and GS untouched.  The saved RIP is the instruction for
 * a fault (#DE, #BR, #NM, #GP, #PF, #AC) and the next one for a trap (#BP,
 * #OF) (SDM vol. 3A 6.5, 6.15).
 *
 * Every entry first writes the frame's first part, the same for both
 * widths (DOOR_PARTIAL_FRAME's, tables.h): the door words skipped (below
 * the CPU's error code where there is one), the argument registers, rcx
 * and r11.  Then, without reading user memory, it tests the saved CS (64-
 * or 32-bit user code: the ABI of the call) and the saved RIP against each
 * door's call site in the running process's interface page
 * (exception_door_site, its width's row: ~0 while the door is not offered
 * to it - a door switched off at boot, or one the CPU lacks), and for #GP
 * the error code 0, for #PF the error code 4 and CR2 in the door's range.  A match is a call: RIP moved to where the stub
 * resumes and RSP past what the stub pushed for the kernel to drop
 * (exception_doors.h: immediates), the door's tag in the frame, and the
 * shared fast path of the caller's width: exdoor64 here, exdoor_32 in
 * compat_doors.S - one count, one test of percpu.work, the call through
 * exception_table64 or compat_table32 (FAST calls, arguments in
 * registers, the argument ways), and IRETQ to the words the CPU pushed.
 * into, ac and 32-bit pf first read back the caller's flags from the
 * word their stub pushed (one guarded load; the 64-bit pf stub keeps its
 * words in the red zone and takes them back itself).  Anything else - a
 * call's FULL number, work, a process's first unknown number, a fault on
 * the argument ways - takes exdoor_full: the frame completed with the
 * door's vector and error code, the C dispatcher, ret_user.
 *
 * Everything that is not a call - ring 0, any other RIP, another error
 * code, another CS, a door switched off, a stub's word that cannot be
 * read back - completes the frame as the ordinary exception stub would
 * have (interrupts.S) and joins interrupt_common after its SAVE_GPRS, with
 * GS as it came: from there on nothing changed (traps.c; exception_doors.c's
 * C recognition for icebp, the nm and ac arming loads, nm_lazy and the
 * vDSO's rdtsc).  So an ordinary fault stays the process's fault.
 *
 * The fast exit's IRETQ cannot fault (it is not in exit.S's
 * exit_fault_table): RIP is where the stub resumes, in the interface
 * page; CS and SS are the selectors the CPU had loaded at the exception,
 * whose descriptors nothing changed since (trap.S says why); RFLAGS are
 * the CPU's words with at most the flags POPF may set at CPL 3 put back;
 * and IRETQ checks the new RIP for canonicality, not the new
 * RSP (Intel SDM vol. 2A IRET, "Operation": the return to 64-bit mode
 * checks tempRIP only) - RSP is the caller's plus what its stub pushed
 * (divide, bound, rdtsc, cpuid), which a process that jumped straight to
 * the instruction may have chosen freely.
 */
#include "frame.h"
#include "entry.h"
#include "exception_doors.h"
#include "../syscall/tables.h"
#include "../syscall/uaccess_asm.h"

#define FULL(field) (FRAME_##field - FRAME_R11)(%rsp)     /* the frame, from its last saved word */

/* Is r11 (the saved RIP) \mech's call site in the running process's
 * interface page?  (exception_door_site: its width's row; the caller's
 * code segment only chooses the ABI the call is made with.) */
.macro CMP_CALL_SITE mech
    cmp     exception_door_site + 8 * \mech(%rip), %r11
.endm

/* The frame's first part (the CPU pushed an error code if \error), r11 =
 * the saved RIP. */
.macro EXDOOR_FRAME error
    .if \error
    sub     $(FRAME_DOOR_WORDS - 8), %rsp       /* vector, tag: skipped */
    .else
    sub     $FRAME_DOOR_WORDS, %rsp             /* error, vector, tag: skipped */
    .endif
    SAVE_ARG_REGS
    SAVE_RCX_R11
    mov     FULL(RIP), %r11
.endm

/* Not a call: the words and registers the ordinary stub and
 * interrupt_common's SAVE_GPRS would have written, and on from there. */
.macro EXDOOR_OTHER vector, error
exdoor_other_\vector:
    .if !\error
    movq    $0, FULL(ERROR)
    .endif
    movq    $\vector, FULL(VECTOR)
    movq    $ENTRY_EXCEPTION, FULL(ENTRY)
    SAVE_REST_REGS
    jmp     interrupt_common_saved
.endm

/* To \next unless the saved RIP (r11) is \mech's call site; else the
 * call from \width code: RIP to the stub's ret, RSP past what it pushed,
 * the tag, the width's fast path. */
.macro EXDOOR_CALL width, mech, next, reported, resume, pop
    CMP_CALL_SITE \mech
    jne     \next
    EXDOOR_GO \width, \mech, \reported, \resume, \pop, call
.endm

/* A recognised call of \mech from \width: RIP to the stub's ret, RSP
 * past what the stub pushed, the tag, and on to the width's fast path at
 * \at (call: its start; fast_test: after its swapgs and cld). */
.macro EXDOOR_GO width, mech, reported, resume, pop, at
    .if \resume - \reported
    addq    $(\resume - \reported), FULL(RIP)
    .endif
    .if \pop
    addq    $\pop, FULL(RSP)
    .endif
    movq    $\mech, FULL(ENTRY)
    .if \width == 64
    jmp     exdoor64_\at
    .else
    jmp     exdoor_32_\at
    .endif
.endm

/* The flags the caller had, from the word its stub pushed (in \reg),
 * back into the frame's RFLAGS: only those POPF may set at CPL 3. */
.macro PUT_BACK_FLAGS reg
    xor     FULL(RFLAGS), \reg
    and     $RFLAGS_USER_SETTABLE, \reg
    xor     \reg, FULL(RFLAGS)
.endm

/* The kernel's GS and flags for a call whose stub's words must be read
 * before it is made (into, ac, pf): the read comes after swapgs, as every
 * guarded user access does. */
.macro EXDOOR_KERNEL_MODE
    swapgs
    cld
.endm

/* A door that put the caller's flags on the stack before its instruction
 * (into, ac), for \width, once RIP matched: the word read back - at ESP
 * (zero-extended: a 32-bit caller's stack is below 4 GiB, all user
 * space), or at a 64-bit RSP whose word lies below USER_END - with one
 * guarded load; the flags put back, RIP and RSP moved, the fast path.  A
 * stack the load cannot read is the process's own fault (\unreadable). */
.macro EXDOOR_FLAGS_CALL width, mech, next, unreadable, reported, resume, pop
    CMP_CALL_SITE \mech
    jne     \next
    .if \width == 64
    mov     FULL(RSP), %r11
    cmp     exception_stack_top64(%rip), %r11
    ja      \next
    .else
    mov     FULL(RSP), %r11d
    .endif
    EXDOOR_KERNEL_MODE
    SMAP_OPEN
    GUARDED \unreadable, movl (%r11), %r11d     /* the low half: every flag POPF sets */
    SMAP_CLOSE
    PUT_BACK_FLAGS %r11
    EXDOOR_GO \width, \mech, \reported, \resume, \pop, fast_test
.endm

/* A guarded load that faulted, after EXDOOR_KERNEL_MODE: the user's GS
 * back, and the ordinary path of \vector. */
.macro EXDOOR_UNREADABLE label, vector
\label:
    SMAP_CLOSE
    swapgs
    jmp     exdoor_other_\vector
.endm

    .text
    .globl exdoor_full, exdoor64_full_call

/* The entry of a vector that carries one door, \mech, for both widths
 * (its offsets for each: exception_doors.h). */
.macro EXDOOR_ENTRY vector, mech, reported64, resume64, pop64, reported32, resume32, pop32
exdoor_entry_\vector:
    EXDOOR_FRAME 0
    cmpq    $USER64_CS, FULL(CS)
    jne     1f
    EXDOOR_CALL 64, \mech, exdoor_other_\vector, \reported64, \resume64, \pop64
1:  cmpq    $USER32_CS, FULL(CS)
    jne     exdoor_other_\vector
    EXDOOR_CALL 32, \mech, exdoor_other_\vector, \reported32, \resume32, \pop32
    EXDOOR_OTHER \vector, 0
.endm

/* #DE: the divide door. */
    EXDOOR_ENTRY 0, SG_MECH_DIVIDE, EXDOOR_DIVIDE_64, EXDOOR_DIVIDE_32

/* #BP: the int3 and int3n doors (traps: RIP is past the instruction
 * already - int3's CC at stub + 1, int $3's CD 03 at its stub + 2). */
exdoor_entry_3:
    EXDOOR_FRAME 0
    cmpq    $USER64_CS, FULL(CS)
    jne     3f
    EXDOOR_CALL 64, SG_MECH_INT3, 2f, EXDOOR_INT3_64
2:  EXDOOR_CALL 64, SG_MECH_INT3N, exdoor_other_3, EXDOOR_INT3N_64
3:  cmpq    $USER32_CS, FULL(CS)
    jne     exdoor_other_3
    EXDOOR_CALL 32, SG_MECH_INT3, 4f, EXDOOR_INT3_32
4:  EXDOOR_CALL 32, SG_MECH_INT3N, exdoor_other_3, EXDOOR_INT3N_32
    EXDOOR_OTHER 3, 0

/* #OF: the into door, 32-bit code only (a trap). */
exdoor_entry_4:
    EXDOOR_FRAME 0
    cmpq    $USER32_CS, FULL(CS)
    jne     exdoor_other_4
    EXDOOR_FLAGS_CALL 32, SG_MECH_INTO, exdoor_other_4, exdoor_unreadable_4, EXDOOR_INTO_32
    EXDOOR_UNREADABLE exdoor_unreadable_4, 4
    EXDOOR_OTHER 4, 0

/* #BR: the bound door, 32-bit code only. */
exdoor_entry_5:
    EXDOOR_FRAME 0
    cmpq    $USER32_CS, FULL(CS)
    jne     exdoor_other_5
    EXDOOR_CALL 32, SG_MECH_BOUND, exdoor_other_5, EXDOOR_BOUND_32
    EXDOOR_OTHER 5, 0

/* #NM: the nm door, at the stub's fwait.  Every other #NM - the kernel's
 * own fxsave/fxrstor, the process's x87/SSE code meeting its TS - takes
 * the ordinary path (exception_doors.c nm_lazy). */
    EXDOOR_ENTRY 7, SG_MECH_NM, EXDOOR_NM_64, EXDOOR_NM_32

/* #GP(0): the hlt, rdtsc, umip and cpuid doors (a #GP with any other
 * error code names a selector: no door's). */
exdoor_entry_13:
    EXDOOR_FRAME 1
    cmpq    $0, FULL(ERROR)
    jne     exdoor_other_13
    cmpq    $USER64_CS, FULL(CS)
    jne     5f
    EXDOOR_CALL 64, SG_MECH_HLT, 2f, EXDOOR_HLT_64
2:  EXDOOR_CALL 64, SG_MECH_RDTSC, 3f, EXDOOR_RDTSC_64
3:  EXDOOR_CALL 64, SG_MECH_UMIP, 4f, EXDOOR_UMIP_64
4:  EXDOOR_CALL 64, SG_MECH_CPUID, exdoor_other_13, EXDOOR_CPUID_64
5:  cmpq    $USER32_CS, FULL(CS)
    jne     exdoor_other_13
    EXDOOR_CALL 32, SG_MECH_HLT, 6f, EXDOOR_HLT_32
6:  EXDOOR_CALL 32, SG_MECH_RDTSC, 7f, EXDOOR_RDTSC_32
7:  EXDOOR_CALL 32, SG_MECH_UMIP, 8f, EXDOOR_UMIP_32
8:  EXDOOR_CALL 32, SG_MECH_CPUID, exdoor_other_13, EXDOOR_CPUID_32
    EXDOOR_OTHER 13, 1

/* #AC: the ac door (error code 0 always: SDM vol. 3A 6.15 "Interrupt 17"). */
exdoor_entry_17:
    EXDOOR_FRAME 1
    cmpq    $USER64_CS, FULL(CS)
    jne     1f
    EXDOOR_FLAGS_CALL 64, SG_MECH_AC, exdoor_other_17, exdoor_unreadable_17, EXDOOR_AC_64
1:  cmpq    $USER32_CS, FULL(CS)
    jne     exdoor_other_17
    EXDOOR_FLAGS_CALL 32, SG_MECH_AC, exdoor_other_17, exdoor_unreadable_17, EXDOOR_AC_32
    EXDOOR_UNREADABLE exdoor_unreadable_17, 17
    EXDOOR_OTHER 17, 1

/*
 * #PF: the pf door.  Error code 4 (a user read of a page not present),
 * CR2 in the width's range, and the saved RIP at the stub's load that
 * reads it: below the range's last byte the first load (the number is
 * CR2's offset, into rax), at the last byte the second (the number is
 * rax's: an argument way's flagged number, or one past the range).  The
 * two tests cost the same - the first load's way on is the `mov` to rax,
 * the second's the `jne` after the `jae` - so an argument way pays no step
 * the registers way does not.  CR2 is read before anything can fault and
 * replace it (SDM vol. 3A 4.7).  RIP then moves past the load: the 64-bit
 * stub takes its words back from the red zone itself (RSP never moved);
 * the EFLAGS the 32-bit stub pushed are read back with a guarded load, put
 * back and dropped.  Every other page fault - demand paging,
 * copy-on-write, a kernel copy's - goes on as before, after at most the
 * error code, CS and CR2 tests.
 */
.macro EXDOOR_PF_LOAD width, which, number, number_len, in_rax, in_rax_len
    .ifc \which, rax_from_cr2
    CMP_CALL_SITE SG_MECH_PF           /* the first load's */
    jne     exdoor_other_14
    .if \width == 32
    PF_EFLAGS
    .endif
    addq    $\number_len, FULL(RIP)
    mov     %rcx, %rax                          /* the number: CR2's offset */
    .else
    cmp     exception_pf_site(%rip), %r11   /* the second load's */
    jne     exdoor_other_14
    .if \width == 32
    PF_EFLAGS
    .endif
    addq    $\in_rax_len, FULL(RIP)
    .endif
    movq    $SG_MECH_PF, FULL(ENTRY)
    .if \width == 64
    jmp     exdoor64_call
    .else
    addq    $4, FULL(RSP)                       /* the EFLAGS */
    mov     FULL(RCX), %rcx                     /* the caller's ecx: an i386 argument */
    jmp     exdoor_32_fast_test
    .endif
.endm

/* The EFLAGS the 32-bit stub pushed, at ESP (zero-extended: below 4 GiB,
 * all user space), read back with a guarded load and put back; r11 only
 * (rcx holds the number). */
.macro PF_EFLAGS
    mov     FULL(RSP), %r11d
    EXDOOR_KERNEL_MODE
    SMAP_OPEN
    GUARDED pf_unreadable, movl (%r11), %r11d
    SMAP_CLOSE
    PUT_BACK_FLAGS %r11
.endm

exdoor_entry_14:
    EXDOOR_FRAME 1
    cmpq    $EXDOOR_PF_ERROR, FULL(ERROR)
    jne     exdoor_other_14
    mov     %cr2, %rcx
    cmpq    $USER64_CS, FULL(CS)
    jne     1f
    sub     exception_pf_site + 8(%rip), %rcx   /* the range's base */
    cmp     $SG_PF_RANGE - 1, %rcx
    jae     2f
    EXDOOR_PF_LOAD 64, rax_from_cr2, EXDOOR_PF_LOADS_64
2:  jne     exdoor_other_14                     /* past the range */
    EXDOOR_PF_LOAD 64, rax_kept, EXDOOR_PF_LOADS_64

1:  cmpq    $USER32_CS, FULL(CS)
    jne     exdoor_other_14
    sub     exception_pf_site + 8(%rip), %rcx
    cmp     $SG_PF_RANGE - 1, %rcx
    jae     3f
    EXDOOR_PF_LOAD 32, rax_from_cr2, EXDOOR_PF_LOADS_32
3:  jne     exdoor_other_14
    EXDOOR_PF_LOAD 32, rax_kept, EXDOOR_PF_LOADS_32
    EXDOOR_UNREADABLE pf_unreadable, 14
    EXDOOR_OTHER 14, 1

/*
 * The 64-bit exception doors' fast path, once a call is recognised and
 * the frame's RIP, RSP and flags are what the call returns with: the
 * same as the trap door's (trap.S, tables.h's DOOR_* macros), through
 * exception_table64 (dispatch.c: one table for every exception door, its
 * FULL slot exdoor64_full_call), and IRETQ to the CPU's words.
 */
exdoor64_call:
    SMAP_CLOSE
    swapgs
    cld
    DOOR_WORK_TEST exdoor64
    DOOR_FAST_PATH exdoor64, exception_table64, FULL(RSP), DOOR_IRETQ_EXIT

/*
 * The full path of every exception door, both widths (compat_doors.S's
 * exdoor_32_full comes here): the frame's first part is written, its tag
 * says which door; rax is the number as the caller passed it, every other
 * register but rcx and r11 (in the frame) the caller's.  The words the
 * fast path skipped, as the ordinary exception path writes them (the
 * door's vector and error code), the other registers, the C dispatcher
 * and ret_user.  The call was counted on the fast path.
 */
exdoor64_full:
exdoor_full:
    mov     FULL(ENTRY), %r11
    movzbl  exception_door_vector(%r11), %ecx
    mov     %rcx, FULL(VECTOR)
    movzbl  exception_door_error(%r11), %ecx
    mov     %rcx, FULL(ERROR)
    SAVE_REST_REGS
    mov     %rsp, %rdi
    call    syscall_dispatch
    jmp     ret_user

/* By vector: the entry of each vector that carries an exception door
 * (idt.c installs them, mechanisms.c aims a door back at it after its
 * floor); 0: the ordinary stub (interrupts.S). */
    .section .rodata
    .balign 8
    .globl exception_door_entry
exception_door_entry:
    .quad   exdoor_entry_0, 0, 0, exdoor_entry_3, exdoor_entry_4, exdoor_entry_5, 0, exdoor_entry_7
    .quad   0, 0, 0, 0, 0, exdoor_entry_13, exdoor_entry_14, 0
    .quad   0, exdoor_entry_17, 0, 0, 0, 0, 0, 0
    .quad   0, 0, 0, 0, 0, 0, 0, 0

    .section .note.GNU-stack, "", @progbits
