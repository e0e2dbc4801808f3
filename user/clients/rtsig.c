/*
 * Real-time signals through the C library (tests/clients/expected/rtsig):
 * sigqueue(3) of one real-time signal three times while it is blocked, then
 * sigwaitinfo(2) takes the three instances in the order sent, each with its
 * own si_value, si_code SI_QUEUE and si_pid; a handler sees two real-time
 * signals lowest number first; a standard signal sent twice while blocked
 * is taken once; sigtimedwait(2) with a zero timeout finds nothing left
 * (EAGAIN).  The C libraries keep the first real-time signals for
 * themselves: SIGRTMIN is the library's, not the kernel's 32.  Built with
 * glibc and musl, 64-bit and 32-bit; each section prints "ok" or what went
 * wrong.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAILED");
    failures += !ok;
}

static sigset_t only(int sig)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    return set;
}

static void queued(void)
{
    int sig = SIGRTMIN + 1;
    sigset_t set = only(sig);
    sigprocmask(SIG_BLOCK, &set, 0);
    int sent = 0;
    for (int i = 0; i < 3; i++)
        sent += sigqueue(getpid(), sig, (union sigval){ .sival_int = 100 + i }) == 0;
    check(sent == 3, "sigqueue three times");
    int in_order = 1;
    for (int i = 0; i < 3; i++) {
        siginfo_t info;
        memset(&info, 0, sizeof info);
        int got = sigwaitinfo(&set, &info);
        in_order &= got == sig && info.si_value.sival_int == 100 + i && info.si_code == SI_QUEUE &&
                    info.si_pid == getpid();
    }
    check(in_order, "sigwaitinfo takes the three instances in order, each with its si_value, SI_QUEUE, si_pid");
    struct timespec zero = { 0, 0 };
    errno = 0;
    int none = sigtimedwait(&set, 0, &zero);
    check(none == -1 && errno == EAGAIN, "then nothing is left: sigtimedwait with no time is EAGAIN");
    sigprocmask(SIG_UNBLOCK, &set, 0);
}

static volatile sig_atomic_t order[4], count;

static void record(int sig, siginfo_t *info, void *uc)
{
    (void)uc;
    if (count < 4)
        order[count] = sig * 1000 + info->si_value.sival_int;
    count++;
}

static void lowest_first(void)
{
    int low = SIGRTMIN + 2, high = SIGRTMIN + 4;
    sigset_t both = only(low);
    sigaddset(&both, high);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = record;
    sa.sa_flags = SA_SIGINFO;
    sa.sa_mask = both;      /* one handler at a time: the order is the kernel's */
    sigaction(low, &sa, 0);
    sigaction(high, &sa, 0);
    sigprocmask(SIG_BLOCK, &both, 0);
    sigqueue(getpid(), high, (union sigval){ .sival_int = 1 });
    sigqueue(getpid(), low, (union sigval){ .sival_int = 2 });
    sigqueue(getpid(), high, (union sigval){ .sival_int = 3 });
    count = 0;
    sigprocmask(SIG_UNBLOCK, &both, 0);
    check(count == 3 && order[0] == low * 1000 + 2 && order[1] == high * 1000 + 1 && order[2] == high * 1000 + 3,
          "handlers run lowest number first, one number's instances oldest first");
}

static void merged(void)
{
    sigset_t set = only(SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, 0);
    kill(getpid(), SIGUSR1);
    sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 5 });
    siginfo_t info;
    int first = sigwaitinfo(&set, &info);
    struct timespec zero = { 0, 0 };
    int second = sigtimedwait(&set, 0, &zero);
    check(first == SIGUSR1 && info.si_code == SI_USER && second == -1,
          "a standard signal sent twice while blocked is taken once, with the first one's siginfo");
    sigprocmask(SIG_UNBLOCK, &set, 0);
}

int main(void)
{
    setvbuf(stdout, 0, _IONBF, 0);
    alarm(60);      /* a lost instance would leave sigwaitinfo waiting: SIGALRM ends the case instead */
    queued();
    lowest_first();
    merged();
    printf("%s\n", failures ? "FAILED" : "all ok");
    return failures != 0;
}
