/*
 * A real client with threads: pthread_create and pthread_join, a mutex
 * four threads contend for (each yields while holding it, so the others
 * must sleep on the futex), a condition variable, thread ids.  Built with
 * glibc and musl, both widths (tests/clients/cases: threads-*).
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_cond = PTHREAD_COND_INITIALIZER;
static long counter;
static int ready;
static pid_t tids[4];

static void *work(void *arg)
{
    long id = (long)arg;
    tids[id] = (pid_t)syscall(SYS_gettid);
    for (int i = 0; i < 2000; i++) {
        pthread_mutex_lock(&lock);
        long seen = counter;
        if (i % 250 == 0)
            sched_yield();
        counter = seen + 1;
        pthread_mutex_unlock(&lock);
    }
    return (void *)(id * id);
}

static void *announce(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    ready = 1;
    pthread_cond_signal(&ready_cond);
    pthread_mutex_unlock(&lock);
    return 0;
}

int main(void)
{
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        if (pthread_create(&t[i], 0, work, (void *)i)) {
            printf("pthread_create failed\n");
            return 1;
        }
    long sum = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum += (long)r;
    }
    printf("counter %ld (4 threads x 2000 under one mutex)\n", counter);
    printf("joined results sum %ld\n", sum);
    int distinct = 1;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < i; j++)
            distinct &= tids[i] != tids[j];
    printf("thread ids distinct and not the pid: %s\n",
           distinct && tids[0] != getpid() && tids[0] > 0 ? "yes" : "no");

    pthread_t a;
    pthread_mutex_lock(&lock);
    pthread_create(&a, 0, announce, 0);
    while (!ready)
        pthread_cond_wait(&ready_cond, &lock);
    pthread_mutex_unlock(&lock);
    pthread_join(a, 0);
    printf("condition variable: signalled\n");
    return 0;
}
