/*
 * A real client making processes with its C library: fork with a pipe,
 * exec of itself, wait, exit statuses.  Built with glibc and musl, both
 * widths (tests/clients/cases: procs-*).
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc > 2 && !strcmp(argv[1], "child")) {
        printf("child says %s\n", argv[2]);
        return 7;
    }
    int p[2];
    if (pipe(p))
        return 1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        const char msg[] = "hello through a pipe";
        _exit(write(p[1], msg, sizeof msg - 1) == sizeof msg - 1 ? 3 : 4);
    }
    close(p[1]);
    char buf[64] = { 0 };
    ssize_t n, got = 0;
    while ((n = read(p[0], buf + got, sizeof buf - 1 - got)) > 0)
        got += n;
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return 2;
    printf("%s, child status %d, pid matches: %s\n", buf, WEXITSTATUS(status), pid > getpid() ? "yes" : "no");

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        execl(argv[0], argv[0], "child", "exec", (char *)0);
        _exit(99);
    }
    if (waitpid(pid, &status, 0) != pid)
        return 3;
    printf("exec'd child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);

    pid = fork();
    if (pid == 0)
        for (;;)
            sleep(1);
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    printf("killed child: %s %d\n", WIFSIGNALED(status) ? "signal" : "exit", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    printf("no more children: %s\n", wait(&status) < 0 ? "yes" : "no");
    return 0;
}
