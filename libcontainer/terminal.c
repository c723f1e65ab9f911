#include "config.h"
#include "terminal.h"
#include "trace.h"
#include "util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int terminal_connect(const char *path, struct oci_err *err)
{
    int fd = unix_connect(path, err);
    if (fd < 0)
        err_wrap(err, "--console-socket");
    return fd;
}

int terminal_send(int sock, int fd, struct oci_err *err)
{
    return unix_send_fd(sock, fd, "/dev/ptmx", 9, err);
}

int terminal_setup(const struct spec_process *p, uid_t uid, struct oci_err *err)
{
    TRACE_BEGIN(span, "terminal");
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    int rc = -1, slave = -1;
    int unlock = 0;
    if (master < 0 || ioctl(master, TIOCSPTLCK, &unlock) < 0) {
        err_set(err, errno, "process.terminal: open /dev/ptmx");
        goto out;
    }
    /* the slave by fd, not by a path the container could have replaced */
    slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) {
        err_set(err, errno, "process.terminal: open the pty slave");
        goto out;
    }
    if (p->has_console_size) {
        struct winsize ws = {.ws_row = (unsigned short)p->console_height,
                             .ws_col = (unsigned short)p->console_width};
        ioctl(slave, TIOCSWINSZ, &ws);
    }
    if (fchown(slave, uid, (gid_t)-1) < 0 && errno != EPERM && errno != EINVAL) {
        err_set(err, errno, "process.terminal: chown the pty");
        goto out;
    }
    char fdp[32];
    snprintf(fdp, sizeof(fdp), "/proc/self/fd/%d", slave);
    /* /dev/console is the pty; no /dev/console target (a bind /dev) is fine */
    if (mount(fdp, "/dev/console", NULL, MS_BIND, NULL) < 0 && errno != ENOENT) {
        err_set(err, errno, "process.terminal: bind the pty on /dev/console");
        goto out;
    }
    if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0) {
        err_set(err, errno, "process.terminal: make it the controlling terminal");
        goto out;
    }
    for (int i = 0; i < 3; i++)
        if (dup2(slave, i) < 0) {
            err_set(err, errno, "process.terminal: stdio");
            goto out;
        }
    rc = master;
    master = -1;
out:
    if (slave >= 0)
        close(slave);
    if (master >= 0)
        close(master);
    TRACE_END_RC(span, rc);
    return rc;
}

static void copy_winsize(int from, int to)
{
    struct winsize ws;
    if (ioctl(from, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
        ioctl(to, TIOCSWINSZ, &ws);
}

/* Move what is readable from `from` to `to`; false at EOF or error. */
static bool pump(int from, int to)
{
    char buf[16384];
    ssize_t n = read(from, buf, sizeof(buf));
    if (n <= 0)
        return n < 0 && (errno == EINTR || errno == EAGAIN);
    return write_all(to, buf, (size_t)n) == 0;
}

int terminal_relay(int master, pid_t pid, int *status)
{
    struct termios saved;
    bool raw = isatty(0) && tcgetattr(0, &saved) == 0;
    if (raw) {
        struct termios t = saved;
        cfmakeraw(&t);
        tcsetattr(0, TCSANOW, &t);
        copy_winsize(0, master);
    }
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGWINCH);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, &old);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC);
    bool in_open = true, out_open = true, exited = false;
    int rc = 0;
    while (!exited || out_open) {
        /* SIGCHLD may have come before it was blocked: look every time */
        if (!exited && waitpid(pid, status, WNOHANG) == pid)
            exited = true;
        struct pollfd p[3] = {
            {sfd, POLLIN, 0}, {master, out_open ? POLLIN : 0, 0}, {0, in_open ? POLLIN : 0, 0}};
        if (poll(p, in_open ? 3 : 2, exited ? 100 : -1) <= 0) {
            if (exited)
                break; /* no more output after the exit */
            if (errno == EINTR)
                continue;
            rc = -1;
            break;
        }
        if (p[0].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGWINCH && raw)
                copy_winsize(0, master);
        }
        if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
            out_open = pump(master, 1);
        if (in_open && (p[2].revents & (POLLIN | POLLHUP | POLLERR)))
            in_open = pump(0, master);
    }
    if (!exited && TEMP_FAILURE_RETRY_INT(waitpid(pid, status, 0)) < 0)
        rc = -1;
    close(sfd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (raw)
        tcsetattr(0, TCSANOW, &saved);
    return rc;
}
