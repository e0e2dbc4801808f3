/*
 * The user library: system call numbers (from include/sysgate/syscalls.def),
 * typed wrappers, printing, and the start-up data crt0 collects.
 *
 * Every wrapper goes through sg_syscall(), which calls the kernel interface
 * page's default entry (the best mechanism for this CPU, chosen at boot).
 */
#ifndef SYSGATE_USER_H
#define SYSGATE_USER_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sysgate/abi.h>
#include <sysgate/kip.h>
#include <common/format.h>
#include <common/string.h>

/* SYS_<name>: the number for this program's width. */
enum sg_syscall_number {
#ifdef __x86_64__
#define SYSCALL(name, nr64, nr32, nargs, path, sig) SYS_##name = nr64,
#else
#define SYSCALL(name, nr64, nr32, nargs, path, sig) SYS_##name = nr32,
#endif
#include <sysgate/syscalls.def>
#undef SYSCALL
};

/* Through the interface page's default entry (syscall.S). */
long sg_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
/* Straight through int $0x80, whatever the default is. */
long sg_syscall_int80(long nr, long a1, long a2, long a3, long a4, long a5, long a6);

/* One mechanism for one call: through the interface page's stub for it.
 * sg_kip_stub() is 0 when the page does not offer the mechanism, and
 * sg_syscall_via() then returns -ENOSYS without entering the kernel. */
uintptr_t sg_kip_stub(int mech);
/* The interface page's header (include/sysgate/kip.h), or NULL when the
 * process has no page or it is not one this library knows; the default
 * entry's address (0 likewise). */
const struct sg_kip_header *sg_kip_header(void);
uintptr_t sg_kip_default(void);
long sg_syscall_via(int mech, long nr, long a1, long a2, long a3, long a4, long a5, long a6);
long sg_call_stub(uintptr_t stub, long nr, long a1, long a2, long a3, long a4, long a5, long a6);
long sg_call_stub_stack(uintptr_t stub, long nr, long a1, long a2, long a3, long a4, long a5, long a6);

/* What crt0 found on the initial stack. */
extern int sg_argc;
extern char **sg_argv;
extern char **sg_envp;
extern uintptr_t *sg_initial_sp;  /* where argc was: the kernel's stack pointer */
extern uintptr_t sg_auxv_get(uintptr_t type);
extern uintptr_t sg_kip;          /* SG_AT_KIP: this width's interface page */

/* This program's width, and the parts of the ABI that depend on it. */
#ifdef __x86_64__
#define SG_BITS 64
#define SG_ARGPAGE ((struct sg_argpage *)(uintptr_t)SG_ARGPAGE_ADDRESS)
#else
#define SG_BITS 32
#define SG_ARGPAGE ((struct sg_argpage *)(uintptr_t)SG_ARGPAGE_ADDRESS32)
#endif

/* Wrappers (Linux semantics: -errno on failure). */
long sys_write(int fd, const void *buf, size_t len);
long sys_read(int fd, void *buf, size_t len);
long sys_getpid(void);
long sys_sched_yield(void);
long sys_nanosleep_ms(long ms);
long sys_wait4(int pid, int *status, int options);
long sys_kill(int pid, int sig);
__attribute__((noreturn)) void sys_exit(int code);
long sg_spawn(const char *path, char *const argv[]);
long sg_info(struct sg_info *info);
long sg_null(void);
__attribute__((noreturn)) void sg_shutdown(int status);

/* Memory (mm.c): the result is the address or -errno, as the kernel's. */
long sys_mmap(void *addr, size_t len, int prot, int flags, int fd, long offset);
long sys_munmap(void *addr, size_t len);
long sys_mprotect(void *addr, size_t len, int prot);
long sys_madvise(void *addr, size_t len, int advice);
long sys_brk(void *addr);
long sys_mremap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr);

/* clone(flags) with a new stack: the child calls fn on stack_top (found
 * there, in assembly: it has no frame of its own to return to) and then
 * exit(0)s - a thread, or a CLONE_VM process; the parent gets the child's
 * tid or -errno.  tid goes as both parent_tid and child_tid (for
 * CLONE_PARENT_SETTID, CLONE_CHILD_CLEARTID); no TLS. */
long sg_clone_call(long flags, void (*fn)(void), void *stack_top, volatile int *tid);
/* pthread_create's clone flags: CLONE_VM, FS, FILES, SIGHAND, THREAD,
 * SYSVSEM, PARENT_SETTID, CHILD_CLEARTID. */
#define SG_THREAD_FLAGS (0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000 | 0x100000 | 0x200000)
/* pthread_join's wait: until the kernel clears the tid (CLEARTID). */
void sg_thread_join(volatile int *tid);

/* Spawns path with argv and waits; returns the wait status or -errno. */
long sg_run(const char *path, char *const argv[]);
/* The same for init: every child is collected while it waits, the
 * orphans the kernel gave it included (Linux's init reaps them). */
long sg_run_init(const char *path, char *const argv[]);

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int puts(const char *s);

const char *sg_mechanism_name(int mech);
const char *sg_errno_name(long err);

int main(int argc, char **argv);

#endif
