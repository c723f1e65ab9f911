/* seccomp notify, parent side: send the listener fd and the container
 * process state to the agent at linux.seccomp.listenerPath. */
#include "config.h"
#include "seccomp.h"
#include "util.h"

#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <yajl/yajl_gen.h>

#define GS(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

static void gen_kv(yajl_gen g, const char *k, const char *v)
{
    if (!v)
        return;
    GS(g, k);
    GS(g, v);
}

/* runtime.md "State": the fields the spec defines, nothing of oci-rt's. */
static void gen_state(yajl_gen g, const struct spec_state *st)
{
    yajl_gen_map_open(g);
    gen_kv(g, "ociVersion", st->oci_version ? st->oci_version : SPEC_OCI_VERSION);
    gen_kv(g, "id", st->id);
    gen_kv(g, "status", st->status);
    GS(g, "pid");
    yajl_gen_integer(g, st->pid);
    gen_kv(g, "bundle", st->bundle);
    if (st->annotations.n) {
        GS(g, "annotations");
        yajl_gen_map_open(g);
        for (size_t i = 0; i < st->annotations.n; i++)
            gen_kv(g, st->annotations.items[i].key, st->annotations.items[i].value);
        yajl_gen_map_close(g);
    }
    yajl_gen_map_close(g);
}

char *seccomp_process_state_json(const struct spec_state *st, int pid, const char *metadata)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return NULL;
    yajl_gen_map_open(g);
    gen_kv(g, "ociVersion", SPEC_OCI_VERSION);
    GS(g, "fds");
    yajl_gen_array_open(g);
    GS(g, "seccompFd"); /* index 0 of the SCM_RIGHTS array */
    yajl_gen_array_close(g);
    GS(g, "pid");
    yajl_gen_integer(g, pid);
    gen_kv(g, "metadata", metadata);
    GS(g, "state");
    gen_state(g, st);
    yajl_gen_map_close(g);
    const unsigned char *buf;
    size_t len;
    char *out = NULL;
    if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
        out = strndup((const char *)buf, len);
    yajl_gen_free(g);
    return out;
}

/* Connect sk to path; a path longer than sun_path goes through its
 * directory's /proc/self/fd entry. */
static int connect_path(int sk, const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    _cleanup_close_ int dirfd = -1;
    if (strlen(path) < sizeof(sa.sun_path)) {
        memcpy(sa.sun_path, path, strlen(path) + 1);
    } else {
        _cleanup_free_ char *d = xstrdup(path), *b = xstrdup(path);
        dirfd = open(dirname(d), O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
            return -1;
        size_t n = (size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd,
                                    basename(b));
        if (n >= sizeof(sa.sun_path)) {
            errno = ENAMETOOLONG;
            return -1;
        }
    }
    return (int)TEMP_FAILURE_RETRY_INT(connect(sk, (struct sockaddr *)&sa, sizeof(sa)));
}

/* The whole state with the fd in the first sendmsg; the rest, if the
 * socket took only part of it, without. */
static int send_state(int sk, int fd, const char *data, size_t len)
{
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof(u));
    struct iovec iov = {(void *)data, len};
    struct msghdr m = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    ssize_t n = TEMP_FAILURE_RETRY_INT(sendmsg(sk, &m, MSG_NOSIGNAL));
    if (n < 0)
        return -1;
    for (size_t done = (size_t)n; done < len; done += (size_t)n) {
        n = TEMP_FAILURE_RETRY_INT(send(sk, data + done, len - done, MSG_NOSIGNAL));
        if (n < 0)
            return -1;
    }
    return 0;
}

int seccomp_notify_send(const char *listener_path, int listener_fd, const char *state_json,
                        struct oci_err *err)
{
    if (!listener_path || !*listener_path)
        return err_set(err, 0, "linux.seccomp.listenerPath: required by SCMP_ACT_NOTIFY");
    _cleanup_close_ int sk = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sk < 0)
        return err_set(err, errno, "linux.seccomp.listenerPath %s: socket", listener_path);
    if (connect_path(sk, listener_path) < 0)
        return err_set(err, errno, "linux.seccomp.listenerPath %s: connect", listener_path);
    if (send_state(sk, listener_fd, state_json, strlen(state_json)) < 0)
        return err_set(err, errno,
                       "linux.seccomp.listenerPath %s: send the container process state",
                       listener_path);
    return 0; /* one state per connection: closed here */
}
