/* CRIU's RPC (`criu swrk FD`): protocol-buffer messages over a SOCK_SEQPACKET
 * pair, one message per packet. Only what oci-rt sends is encoded (criu_req
 * with its criu_opts) and only what it reads is decoded (criu_resp: type,
 * success, the restored pid, notifications, errno and message); the field
 * numbers are rpc.proto's. A notification may carry an fd (the orphan pty
 * master) and is answered with a criu_req of type NOTIFY. */
#include "config.h"
#include "criu.h"
#include "criu_rpc.h"
#include "log.h"
#include "util.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define RPC_MAX (256 * 1024)

/* ---- encoding ---- */

static void put(struct criu_msg *m, const void *p, size_t n)
{
    if (m->len + n > m->cap) {
        m->cap = (m->len + n) * 2 + 64;
        m->buf = xrealloc(m->buf, m->cap);
    }
    memcpy(m->buf + m->len, p, n);
    m->len += n;
}

static void put_varint(struct criu_msg *m, uint64_t v)
{
    uint8_t b[10];
    size_t n = 0;
    do {
        b[n] = v & 0x7f;
        v >>= 7;
        if (v)
            b[n] |= 0x80;
        n++;
    } while (v);
    put(m, b, n);
}

void criu_msg_free(struct criu_msg *m)
{
    free(m->buf);
    memset(m, 0, sizeof(*m));
}

void criu_msg_int(struct criu_msg *m, unsigned field, int64_t v)
{
    put_varint(m, (uint64_t)field << 3); /* wire type 0: varint */
    put_varint(m, (uint64_t)v);
}

void criu_msg_bool(struct criu_msg *m, unsigned field, bool v)
{
    criu_msg_int(m, field, v ? 1 : 0);
}

static void put_bytes(struct criu_msg *m, unsigned field, const void *p, size_t n)
{
    put_varint(m, (uint64_t)field << 3 | 2); /* wire type 2: length-delimited */
    put_varint(m, n);
    put(m, p, n);
}

void criu_msg_str(struct criu_msg *m, unsigned field, const char *s)
{
    put_bytes(m, field, s, strlen(s));
}

void criu_msg_strf(struct criu_msg *m, unsigned field, const char *fmt, ...)
{
    va_list ap;
    char *s;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    va_end(ap);
    criu_msg_str(m, field, s);
    free(s);
}

void criu_msg_sub(struct criu_msg *m, unsigned field, const struct criu_msg *sub)
{
    put_bytes(m, field, sub->buf, sub->len);
}

/* ---- decoding criu_resp ---- */

struct resp {
    int type;
    bool success;
    int restored_pid;
    int cr_errno;
    char script[64];
    int notify_pid;
    char errmsg[512];
};

static bool get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; *p < end && shift < 64; shift += 7) {
        uint8_t b = *(*p)++;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

/* Walk the fields of a message: fn(field, varint value, bytes, len, arg). */
static bool walk(const uint8_t *p, size_t n,
                 void (*fn)(unsigned, uint64_t, const uint8_t *, size_t, void *), void *arg)
{
    const uint8_t *end = p + n;
    while (p < end) {
        uint64_t key, v = 0;
        if (!get_varint(&p, end, &key))
            return false;
        const uint8_t *data = NULL;
        switch (key & 7) {
        case 0:
            if (!get_varint(&p, end, &v))
                return false;
            break;
        case 1:
            p += 8;
            break;
        case 2:
            if (!get_varint(&p, end, &v) || v > (uint64_t)(end - p))
                return false;
            data = p;
            p += v;
            break;
        case 5:
            p += 4;
            break;
        default:
            return false;
        }
        if (p > end)
            return false;
        fn((unsigned)(key >> 3), v, data, data ? (size_t)v : 0, arg);
    }
    return true;
}

static void copy_str(char *dst, size_t cap, const uint8_t *s, size_t n)
{
    n = n < cap - 1 ? n : cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static void on_notify(unsigned f, uint64_t v, const uint8_t *d, size_t n, void *arg)
{
    struct resp *r = arg;
    if (f == 1 && d)
        copy_str(r->script, sizeof(r->script), d, n);
    else if (f == 2)
        r->notify_pid = (int)v;
}

static void on_restore(unsigned f, uint64_t v, const uint8_t *d, size_t n, void *arg)
{
    (void)d, (void)n;
    if (f == 1)
        ((struct resp *)arg)->restored_pid = (int)v;
}

static void on_resp(unsigned f, uint64_t v, const uint8_t *d, size_t n, void *arg)
{
    struct resp *r = arg;
    if (f == 1)
        r->type = (int)v;
    else if (f == 2)
        r->success = v != 0;
    else if (f == 4 && d)
        walk(d, n, on_restore, r);
    else if (f == 5 && d)
        walk(d, n, on_notify, r);
    else if (f == 7)
        r->cr_errno = (int)v;
    else if (f == 9 && d)
        copy_str(r->errmsg, sizeof(r->errmsg), d, n);
}

/* ---- the swrk process ---- */

int criu_swrk_start(struct criu_swrk *w, const struct criu_opts *o, struct criu_req *r,
                    int (*before_exec)(void *), void *arg, struct oci_err *err)
{
    int sp[2];
    w->pid = -1;
    w->sock = -1;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
        return err_set(err, errno, "criu: socketpair");
    pid_t pid = fork();
    if (pid < 0) {
        close(sp[0]);
        close(sp[1]);
        return err_set(err, errno, "fork for criu");
    }
    if (pid == 0) {
        close(sp[0]);
        if (before_exec && before_exec(arg) < 0)
            _exit(126);
        fcntl(sp[1], F_SETFD, 0);
        for (size_t i = 0; i < r->n_fds; i++)
            fcntl(r->fds[i], F_SETFD, 0);
        char fd[16];
        snprintf(fd, sizeof(fd), "%d", sp[1]);
        const char *bin = o->criu ? o->criu : CRIU_DEFAULT_BIN;
        execlp(bin, bin, "swrk", fd, (char *)NULL);
        fprintf(stderr, "oci-rt: exec %s: %s (Debian: apt-get install criu)\n", bin,
                strerror(errno));
        _exit(127);
    }
    close(sp[1]);
    w->pid = pid;
    w->sock = sp[0];
    return 0;
}

static int send_req(int sock, enum criu_req_type type, const struct criu_msg *opts, bool ok)
{
    struct criu_msg m = {0};
    criu_msg_int(&m, 1, type);
    if (opts)
        criu_msg_sub(&m, 2, opts);
    if (type == CRIU_NOTIFY)
        criu_msg_bool(&m, 3, ok);
    ssize_t n = send(sock, m.buf, m.len, MSG_NOSIGNAL);
    int saved = errno;
    bool ok_sent = n == (ssize_t)m.len;
    criu_msg_free(&m);
    errno = saved;
    return ok_sent ? 0 : -1;
}

/* One answer, with the fd it carries (or -1). */
static ssize_t recv_resp(int sock, uint8_t *buf, size_t cap, int *fd)
{
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {buf, cap};
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
    *fd = -1;
    ssize_t n = TEMP_FAILURE_RETRY_INT(recvmsg(sock, &mh, MSG_CMSG_CLOEXEC));
    for (struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; c; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
            memcpy(fd, CMSG_DATA(c), sizeof(int));
    return n;
}

/* The cause of a failure in criu's own words: the last "Error" line of its
 * log before its closing "... FAILED." (earlier ones may be probes). */
static char *log_error(const struct criu_opts *o, const char *name)
{
    char path[PATH_MAX_LEN];
    snprintf(path, sizeof(path), "%s/%s", o->work_path ? o->work_path : o->image_path, name);
    _cleanup_free_ char *data = NULL;
    if (read_file_at(AT_FDCWD, path, &data, NULL, 64 << 20) < 0)
        return NULL;
    char *cause = NULL;
    for (char *line = data, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *e = strstr(line, "Error (");
        if (e && (!strstr(e, "FAILED") || !cause))
            cause = e;
    }
    return cause ? xstrdup(cause) : NULL;
}

static int fail(const struct criu_opts *o, enum criu_req_type type, const struct resp *r,
                struct oci_err *err)
{
    const char *what = type == CRIU_RESTORE    ? "restore"
                       : type == CRIU_PRE_DUMP ? "pre-dump"
                                               : "dump";
    char log[32];
    snprintf(log, sizeof(log), "%s.log", type == CRIU_RESTORE ? "restore" : "dump");
    _cleanup_free_ char *why = log_error(o, log);
    return err_set(err, r->cr_errno, "criu %s failed: %s (log: %s/%s)", what,
                   why            ? why
                   : r->errmsg[0] ? r->errmsg
                                  : "no error in its log",
                   o->work_path ? o->work_path : o->image_path, log);
}

/* The answers until the last one (not a notification); -2 without err
 * when criu closed the socket without one. */
static int converse(struct criu_swrk *w, const struct criu_opts *o, enum criu_req_type type,
                    criu_notify_fn notify, void *arg, pid_t *restored_pid, struct oci_err *err)
{
    _cleanup_free_ uint8_t *buf = xmalloc(RPC_MAX);
    int rc = 0;
    for (;;) {
        int fd;
        ssize_t n = recv_resp(w->sock, buf, RPC_MAX, &fd);
        if (n <= 0)
            return rc < 0 ? rc : -2;
        struct resp r = {0};
        if (!walk(buf, (size_t)n, on_resp, &r)) {
            if (fd >= 0)
                close(fd);
            return rc < 0 ? rc : err_set(err, 0, "criu: an answer that does not decode");
        }
        if (r.type != CRIU_NOTIFY) {
            if (fd >= 0)
                close(fd);
            if (rc < 0)
                return rc;
            if (!r.success)
                return fail(o, type, &r, err);
            if (restored_pid)
                *restored_pid = r.restored_pid;
            return 0;
        }
        int nrc = notify && rc == 0 ? notify(r.script, r.notify_pid, fd, arg, err)
                                    : (fd >= 0 ? close(fd), 0 : 0);
        if (nrc < 0)
            rc = -1;
        if (send_req(w->sock, CRIU_NOTIFY, NULL, nrc == 0) < 0 && rc == 0)
            rc = err_set(err, errno, "criu: answer the notification %s", r.script);
    }
}

int criu_swrk_run(struct criu_swrk *w, const struct criu_opts *o, enum criu_req_type type,
                  struct criu_req *r, criu_notify_fn notify, void *arg, pid_t *restored_pid,
                  struct oci_err *err)
{
    int rc = 0;
    if (send_req(w->sock, type, &r->opts, true) < 0)
        rc = err_set(err, errno, "criu: send the request");
    if (rc == 0)
        rc = converse(w, o, type, notify, arg, restored_pid, err);
    close(w->sock);
    w->sock = -1;
    int status = 0;
    TEMP_FAILURE_RETRY_INT(waitpid(w->pid, &status, 0));
    w->pid = -1;
    if (rc != -2)
        return rc;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        return err_set(err, ENOENT, "cannot run %s (Debian: apt-get install criu; or --criu PATH)",
                       o->criu ? o->criu : CRIU_DEFAULT_BIN);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 126)
        return err_set(err, 0, "criu: could not join the container's cgroup");
    struct resp none = {0};
    return fail(o, type, &none, err);
}
