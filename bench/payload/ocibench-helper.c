/* ocibench-helper: the small static programs oci-bench runs inside its
 * containers (it is linked statically and put into the rootfs as
 * /usr/bin/ocibench-helper):
 *
 *   exit              exit at once, status 0 (the lifecycle's whole "run")
 *   pause             wait until SIGTERM or SIGINT ends it (status 0), or SIGKILL
 *   busy [SECONDS]    spin on the CPU (until killed without SECONDS)
 *   syscall SECONDS   the system call mix of UnixBench's "syscall" test in a
 *                     loop (close(dup(0)), getpid, getuid, umask) for SECONDS,
 *                     then one line: "lps L loops N seconds S" (loops per second)
 *
 * As the first process of a PID namespace it gets no default signal
 * actions, so pause and busy install handlers for TERM and INT. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_term(int sig)
{
    (void)sig;
    _exit(0);
}

static void handle_term(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
}

static int do_pause(void)
{
    handle_term();
    for (;;)
        pause();
    return 0;
}

static int do_busy(double seconds)
{
    handle_term();
    volatile unsigned long spin = 0;
    double end = seconds > 0 ? now() + seconds : 0;
    for (;;) {
        for (int i = 0; i < 1000000; i++)
            spin++;
        if (end > 0 && now() >= end)
            return 0;
    }
}

static int do_syscall(double seconds)
{
    if (fcntl(0, F_GETFD) < 0 && open("/dev/null", O_RDONLY) != 0) {
        fprintf(stderr, "ocibench-helper: no fd 0 to dup\n");
        return 1;
    }
    unsigned long long loops = 0;
    double t0 = now(), t1 = t0, end = t0 + seconds;
    for (;;) {
        for (int i = 0; i < 1024; i++) {
            close(dup(0));
            syscall(SYS_getpid);
            syscall(SYS_getuid);
            umask(022);
        }
        loops += 1024;
        t1 = now();
        if (t1 >= end)
            break;
    }
    double s = t1 - t0;
    printf("lps %.1f loops %llu seconds %.6f\n", (double)loops / s, loops, s);
    return fflush(stdout) == 0 ? 0 : 1;
}

static double seconds_arg(const char *s, double dflt)
{
    if (!s)
        return dflt;
    char *end;
    double v = strtod(s, &end);
    if (*end || v <= 0) {
        fprintf(stderr, "ocibench-helper: bad seconds \"%s\"\n", s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "exit"))
        return 0;
    if (!strcmp(mode, "pause"))
        return do_pause();
    if (!strcmp(mode, "busy"))
        return do_busy(seconds_arg(argc > 2 ? argv[2] : NULL, 0));
    if (!strcmp(mode, "syscall"))
        return do_syscall(seconds_arg(argc > 2 ? argv[2] : NULL, 10));
    fprintf(stderr, "usage: ocibench-helper exit | pause | busy [SECONDS] | syscall SECONDS\n");
    return 2;
}
