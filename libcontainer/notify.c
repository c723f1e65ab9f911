/* NOTIFY_SOCKET: see notify.h. */
#include "config.h"
#include "notify.h"
#include "util.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#define NOTIFY_SOCK "notify.sock"

void notify_env(struct spec_config *cfg)
{
    strv_add(&cfg->process->env, "NOTIFY_SOCKET=" NOTIFY_IN_CONTAINER "/" NOTIFY_SOCK);
}

int notify_make_dir(struct state_dir *sd, struct spec_config *cfg, struct oci_err *err)
{
    /* the container's user must reach the socket: the mount's root is
     * this directory, the state directory above it stays 0700 */
    if (mkdirat(sd->dirfd, NOTIFY_DIR, 0755) < 0 || fchmodat(sd->dirfd, NOTIFY_DIR, 0755, 0) < 0)
        return err_set(err, errno, "NOTIFY_SOCKET: %s/%s", sd->path, NOTIFY_DIR);
    cfg->mounts = xrealloc(cfg->mounts, (cfg->n_mounts + 1) * sizeof(*cfg->mounts));
    struct spec_mount *m = &cfg->mounts[cfg->n_mounts++];
    memset(m, 0, sizeof(*m));
    m->destination = xstrdup(NOTIFY_IN_CONTAINER);
    xasprintf(&m->source, "%s/%s", sd->path, NOTIFY_DIR);
    m->type = xstrdup("bind");
    static const char *const opts[] = {"bind", "nosuid", "noexec", "nodev", "ro"};
    for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
        strv_add(&m->options, opts[i]);
    return 0;
}

static socklen_t sock_addr(struct sockaddr_un *sa, const char *path)
{
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    size_t n = strlen(path);
    if (n >= sizeof(sa->sun_path))
        return 0;
    memcpy(sa->sun_path, path, n);
    if (sa->sun_path[0] == '@')
        sa->sun_path[0] = '\0'; /* systemd's notation of an abstract socket */
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '@' ? 0 : 1));
}

int notify_listen(struct state_dir *sd, struct oci_err *err)
{
    struct stat st;
    if (fstatat(sd->dirfd, NOTIFY_DIR, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
        return -2;
    char path[PATH_MAX_LEN];
    snprintf(path, sizeof(path), "/proc/self/fd/%d/%s/%s", sd->dirfd, NOTIFY_DIR, NOTIFY_SOCK);
    char rel[64];
    snprintf(rel, sizeof(rel), "%s/%s", NOTIFY_DIR, NOTIFY_SOCK);
    unlinkat(sd->dirfd, rel, 0); /* a socket of an earlier start */
    struct sockaddr_un sa;
    socklen_t len = sock_addr(&sa, path);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || !len || bind(fd, (struct sockaddr *)&sa, len) < 0 ||
        fchmodat(sd->dirfd, rel, 0777, 0) < 0) {
        err_set(err, errno, "NOTIFY_SOCKET: listen on %s/%s", sd->path, rel);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* One datagram to the host's socket (a new connection-less send). */
static int forward(int out, const struct sockaddr_un *sa, socklen_t len, const char *msg, size_t n)
{
    return TEMP_FAILURE_RETRY_INT(
               sendto(out, msg, n, MSG_NOSIGNAL, (const struct sockaddr *)sa, len)) < 0
               ? -1
               : 0;
}

static bool has_ready(const char *msg)
{
    for (const char *p = msg; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (!strncmp(p, "READY=1", 7) && (p[7] == '\n' || p[7] == '\0'))
            return true;
    return false;
}

int notify_relay(int listen_fd, const char *host_socket, int pidfd, pid_t pid, struct oci_err *err)
{
    struct sockaddr_un sa;
    socklen_t len = sock_addr(&sa, host_socket);
    if (!len)
        return err_set(err, ENAMETOOLONG, "NOTIFY_SOCKET %s", host_socket);
    _cleanup_close_ int out = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (out < 0)
        return err_set(err, errno, "NOTIFY_SOCKET %s", host_socket);
    char buf[4096 + 64];
    for (;;) {
        struct pollfd p[2] = {{listen_fd, POLLIN, 0}, {pidfd, POLLIN, 0}};
        if (TEMP_FAILURE_RETRY_INT(poll(p, pidfd >= 0 ? 2 : 1, -1)) < 0)
            return err_set(err, errno, "NOTIFY_SOCKET: poll");
        if (!(p[0].revents & POLLIN))
            return 0; /* the container process is gone without READY=1 */
        ssize_t n = recv(listen_fd, buf, 4096, MSG_DONTWAIT);
        if (n <= 0)
            continue;
        buf[n] = '\0';
        bool ready = has_ready(buf);
        if (ready)
            n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%sMAINPID=%d\n",
                          n && buf[n - 1] != '\n' ? "\n" : "", (int)pid);
        if (forward(out, &sa, len, buf, (size_t)n) < 0)
            return err_set(err, errno, "NOTIFY_SOCKET %s: relay", host_socket);
        if (ready)
            return 0;
    }
}
