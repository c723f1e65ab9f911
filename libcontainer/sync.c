#include "config.h"
#include "sync.h"
#include "trace.h"
#include "util.h"

#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int sync_send(int fd, uint32_t type, int32_t value, const void *data, size_t len)
{
    struct sync_hdr h = {.type = type, .value = value};
    struct iovec iov[2] = {{&h, sizeof(h)}, {(void *)data, len}};
    struct msghdr m = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};
    return TEMP_FAILURE_RETRY_INT(sendmsg(fd, &m, MSG_NOSIGNAL)) < 0 ? -1 : 0;
}

void sync_send_err(int fd, const struct oci_err *err, uint32_t type, const char *path)
{
    if (type == SYNC_EXEC_ERROR && path)
        sync_send(fd, type, err->errnum, path, strlen(path) + 1);
    else
        sync_send(fd, type == SYNC_EXEC_ERROR ? SYNC_ERROR : type, err->errnum, err->msg,
                  strlen(err->msg) + 1);
}

void sync_send_trace(int fd)
{
    if (!trace_enabled)
        return;
    size_t n;
    const struct trace_span *s = trace_exported(&n);
    const size_t chunk = SYNC_MAX / sizeof(*s);
    for (size_t i = 0; i < n; i += chunk) {
        size_t k = n - i < chunk ? n - i : chunk;
        sync_send(fd, SYNC_TRACE, (int32_t)k, s + i, k * sizeof(*s));
    }
}

int sync_send_fd(int fd, int32_t which, int payload_fd)
{
    struct sync_hdr h = {.type = SYNC_FD, .value = which};
    return unix_sendmsg_fd(fd, payload_fd, &h, sizeof(h)) < 0 ? -1 : 0;
}

ssize_t sync_recv(int fd, struct sync_hdr *hdr, char *buf, int *rfd)
{
    struct iovec iov[2] = {{hdr, sizeof(*hdr)}, {buf, SYNC_MAX}};
    union {
        char b[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr m = {
        .msg_iov = iov, .msg_iovlen = 2, .msg_control = u.b, .msg_controllen = sizeof(u.b)};
    ssize_t n = TEMP_FAILURE_RETRY_INT(recvmsg(fd, &m, MSG_CMSG_CLOEXEC));
    if (n < 0 && errno == ECONNRESET) {
        /* the peer exited with our last message unread: the kernel reports
         * that once, before the messages it had queued for us */
        n = TEMP_FAILURE_RETRY_INT(recvmsg(fd, &m, MSG_CMSG_CLOEXEC));
        if (n < 0 && errno == ECONNRESET)
            n = 0;
    }
    if (n < 0)
        return -1;
    if (n == 0) {
        hdr->type = 0;
        return 0;
    }
    if ((size_t)n < sizeof(*hdr)) {
        errno = EPROTO;
        return -1;
    }
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    if (c && c->cmsg_type == SCM_RIGHTS) {
        int got;
        memcpy(&got, CMSG_DATA(c), sizeof(int));
        if (rfd)
            *rfd = got;
        else
            close(got);
    }
    n -= (ssize_t)sizeof(*hdr);
    if (n < SYNC_MAX)
        buf[n] = '\0';
    return n;
}

/* The exec failure's words are runc's: engines map them to 127 and 126. */
static int exec_error(struct oci_err *err, int errnum, const char *path)
{
    if (errnum == ENOENT && !strchr(path, '/'))
        err_set(err, 0, "exec: \"%s\": executable file not found in $PATH", path);
    else if (errnum == ENOENT)
        err_set(err, 0, "exec: \"%s\": stat %s: no such file or directory", path, path);
    else
        err_set(err, errnum, "exec: \"%s\"", path);
    err->errnum = errnum;
    return -1;
}

int sync_exec_status(int errnum)
{
    return errnum == ENOENT || errnum == ENOTDIR ? 127 : 126;
}

int sync_msg_error(const struct sync_hdr *h, const char *buf, struct oci_err *err)
{
    switch (h->type) {
    case SYNC_ERROR:
    case SYNC_HOOK_ERROR:
        err_set(err, 0, "%s", buf);
        err->errnum = h->value;
        return h->type == SYNC_HOOK_ERROR ? SYNC_FAILED_HOOK : SYNC_FAILED;
    case SYNC_EXEC_ERROR:
        exec_error(err, h->value, buf);
        return SYNC_FAILED_EXEC;
    default:
        return 0;
    }
}

int sync_child_msg(const struct sync_hdr *h, const char *buf, ssize_t n, pid_t pid,
                   struct oci_err *err)
{
    if (h->type == SYNC_TRACE) {
        trace_merge((const struct trace_span *)buf, (size_t)n / sizeof(struct trace_span), pid);
        return 1;
    }
    return sync_msg_error(h, buf, err);
}

int sync_expect(int fd, uint32_t type, struct oci_err *err)
{
    static char buf[SYNC_MAX + 1];
    struct sync_hdr h;
    ssize_t n = sync_recv(fd, &h, buf, NULL);
    if (n < 0)
        return err_set(err, errno, "sync socket");
    if (h.type == type)
        return 0;
    if (sync_msg_error(&h, buf, err) < 0)
        return -1;
    if (h.type == 0)
        return err_set(err, 0, "the other side of the sync socket exited");
    return err_set(err, 0, "sync socket: unexpected message %u", h.type);
}

int sync_start_init(int chan, pid_t pid, struct oci_err *err)
{
    static char buf[SYNC_MAX + 1];
    if (sync_send(chan, SYNC_START, 0, NULL, 0) < 0)
        return err_set(err, errno, "start the container process");
    for (;;) {
        struct sync_hdr h;
        ssize_t n = sync_recv(chan, &h, buf, NULL);
        if (n < 0)
            return err_set(err, errno, "container init");
        if (h.type == 0) {
            trace_close_open(pid); /* the execve ended */
            return 0;
        }
        int r = sync_child_msg(&h, buf, n, pid, err);
        if (r < 0)
            return r;
    }
}
