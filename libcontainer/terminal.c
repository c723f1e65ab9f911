#include "config.h"
#include "mountfd.h"
#include "pathres.h"
#include "procfs.h"
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
#include <sys/stat.h>
#include <sys/sysmacros.h>
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

/* The container's /dev/ptmx (through symlinks inside its root: it is
 * pts/ptmx), opened only once it is known to be the ptmx device: nothing
 * else the container may have put there is ever opened. */
static int open_ptmx(int root, struct oci_err *err)
{
    _cleanup_close_ int path = path_openat2(root, "/dev/ptmx", O_PATH, false);
    struct stat st;
    if (path < 0)
        return err_set(err, errno, "process.terminal: open /dev/ptmx");
    if (fstat(path, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(5, 2))
        return err_set(err, 0,
                       "process.terminal: /dev/ptmx in the container is not the ptmx device");
    int fd = procfs_reopen(path, O_RDWR | O_NOCTTY, err);
    return fd < 0 ? err_wrap(err, "process.terminal: open /dev/ptmx") : fd;
}

/* /dev/console becomes the pty: the slave's fd is bound onto a target
 * reached without symlinks (one there is refused) and not on procfs or
 * sysfs. No /dev/console (a bind-mounted /dev) is fine. */
static int bind_console(int root, int slave, struct oci_err *err)
{
    _cleanup_close_ int fd = path_openat2(root, "/dev/console", O_PATH | O_NOFOLLOW, true);
    _cleanup_close_ int top = -1;
    struct stat st;
    if (fd < 0 && errno == ENOENT)
        return 0;
    if (fd < 0 && errno == ELOOP)
        return err_set(err, 0,
                       "process.terminal: /dev/console is reached through a symbolic "
                       "link: refused");
    if (fd < 0 || fstat(fd, &st) < 0)
        return err_set(err, errno, "process.terminal: /dev/console");
    if (S_ISLNK(st.st_mode))
        return err_set(err, 0, "process.terminal: /dev/console is a symbolic link: refused");
    if (mountfd_check_target("/dev/console", fd, false, "process.terminal:", err) < 0)
        return -1;
    if (mountfd_bind(slave, NULL, false, fd, &top) < 0)
        return err_set(err, errno, "process.terminal: bind the pty on /dev/console");
    return 0;
}

int terminal_setup(const struct spec_process *p, uid_t uid, bool console, struct oci_err *err)
{
    TRACE_BEGIN(span, "terminal");
    int rc = -1, slave = -1, master = -1;
    int unlock = 0;
    _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) {
        err_set(err, errno, "process.terminal: open the container's root");
        goto out;
    }
    master = open_ptmx(root, err);
    if (master < 0)
        goto out;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0) {
        err_set(err, errno, "process.terminal: unlock the pty");
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
    if (console && bind_console(root, slave, err) < 0)
        goto out;
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
