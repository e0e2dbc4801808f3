/*
 * Signals through the C library (tests/clients/expected/sigjmp): a SIGSEGV
 * caught by a sigaction handler that leaves with siglongjmp - three times, so
 * that the signal's mask must come back each time - si_addr and si_code of
 * the fault; raise() with an SA_SIGINFO handler; a blocked signal pending,
 * then delivered by sigprocmask; alarm() interrupting pause(); SIGFPE from an
 * integer division by zero.  Built with glibc and musl, 64-bit and 32-bit;
 * each section prints "ok" or what went wrong.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int failures;
static sigjmp_buf env;
static volatile sig_atomic_t got_sig, got_code;
static void *volatile got_addr;

static void check(int ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAILED");
    failures += !ok;
}

static void on_fault(int sig, siginfo_t *info, void *uc)
{
    (void)uc;
    got_sig = sig;
    got_code = info->si_code;
    got_addr = info->si_addr;
    siglongjmp(env, 1);
}

static void on_signal(int sig, siginfo_t *info, void *uc)
{
    (void)uc;
    got_sig = sig;
    got_code = info->si_code;
}

static void install(int sig, void (*handler)(int, siginfo_t *, void *))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(sig, &sa, 0);
}

static void segv(void)
{
    install(SIGSEGV, on_fault);
    volatile int caught = 0;
    for (volatile int i = 0; i < 3; i++) {
        got_sig = 0;
        if (sigsetjmp(env, 1) == 0) {
            volatile int *p = (volatile int *)(uintptr_t)(16 + i * 4096);
            (void)*p;
        }
        caught += got_sig == SIGSEGV && got_code == SEGV_MAPERR && got_addr == (void *)(uintptr_t)(16 + i * 4096);
    }
    check(caught == 3, "SIGSEGV caught three times, siglongjmp out, si_addr and si_code right");
    sigset_t now;
    sigprocmask(SIG_BLOCK, 0, &now);
    check(!sigismember(&now, SIGSEGV), "SIGSEGV unblocked again after siglongjmp");
}

static void fpe(void)
{
    install(SIGFPE, on_fault);
    got_sig = 0;
    /* Not 1 / x: compilers turn that into a comparison. */
    volatile int zero = 0, seven = 7, r = 0;
    if (sigsetjmp(env, 1) == 0)
        r = seven / zero;
    (void)r;
    check(got_sig == SIGFPE && got_code == FPE_INTDIV, "SIGFPE from a division by zero, FPE_INTDIV");
}

static void raising(void)
{
    install(SIGUSR1, on_signal);
    got_sig = 0;
    raise(SIGUSR1);
    check(got_sig == SIGUSR1 && (got_code == SI_TKILL || got_code == SI_USER), "raise(SIGUSR1) runs the handler");

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, 0);
    got_sig = 0;
    raise(SIGUSR1);
    sigset_t pending;
    sigpending(&pending);
    int was_pending = sigismember(&pending, SIGUSR1) && !got_sig;
    sigprocmask(SIG_UNBLOCK, &set, 0);
    check(was_pending && got_sig == SIGUSR1, "a blocked signal stays pending, then arrives when unblocked");
}

static void alarming(void)
{
    install(SIGALRM, on_signal);
    got_sig = 0;
    alarm(1);
    pause();
    check(got_sig == SIGALRM, "alarm(1) interrupts pause()");
}

int main(void)
{
    setvbuf(stdout, 0, _IONBF, 0);
    segv();
    fpe();
    raising();
    alarming();
    printf("%s\n", failures ? "FAILED" : "all ok");
    return failures != 0;
}
