#include "config.h"
#include "util.h"
#include "specs/spec_config.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        abort();
    return p;
}

void *xzalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p)
        abort();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        abort();
    return p;
}

char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        abort();
    return d;
}

int xasprintf(char **out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vasprintf(out, fmt, ap);
    va_end(ap);
    if (r < 0)
        abort();
    return r;
}

int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int write_file_at(int dirfd, const char *path, const char *data, size_t len)
{
    int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t w = write(fd, data, len);
    int saved = errno;
    close(fd);
    if (w < 0) {
        errno = saved;
        return -1;
    }
    if ((size_t)w != len) {
        errno = EIO;
        return -1;
    }
    return 0;
}

int read_file_at(int dirfd, const char *path, char **out, size_t *len, size_t max)
{
    _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    /* a regular file's size, when known, is the buffer: one read, no copy */
    struct stat st;
    size_t cap = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
                         (size_t)st.st_size <= max
                     ? (size_t)st.st_size + 1
                     : 4096,
           n = 0;
    char *buf = xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap >= max) {
                free(buf);
                errno = EFBIG;
                return -1;
            }
            cap *= 2;
            buf = xrealloc(buf, cap + 1);
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            free(buf);
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return 0;
}

int rename_replace(int dirfd, const char *from, const char *to)
{
    if (renameat2(dirfd, from, dirfd, to, RENAME_EXCHANGE) == 0) {
        /* from now names the old file; a crash before this unlink leaves
         * a stale temporary file, which the next write truncates and the
         * state directory's removal takes */
        unlinkat(dirfd, from, 0);
        return 0;
    }
    /* ENOENT: no target yet; EINVAL/ENOSYS: no exchange here */
    if (errno != ENOENT && errno != EINVAL && errno != ENOSYS)
        return -1;
    return renameat(dirfd, from, dirfd, to);
}

int write_file_atomic(int dirfd, const char *path, const void *data, size_t len, mode_t mode)
{
    /* the temporary file sits next to the target: ".NAME.tmp" in its dir */
    char tmp[PATH_MAX_LEN];
    const char *slash = strrchr(path, '/');
    int dlen = slash ? (int)(slash - path + 1) : 0;
    if ((size_t)snprintf(tmp, sizeof(tmp), "%.*s.%s.tmp", dlen, path, slash ? slash + 1 : path) >=
        sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return -1;
    if (write_all(fd, data, len) < 0) {
        int saved = errno;
        close(fd);
        unlinkat(dirfd, tmp, 0);
        errno = saved;
        return -1;
    }
    close(fd);
    if (rename_replace(dirfd, tmp, path) < 0) {
        int saved = errno;
        unlinkat(dirfd, tmp, 0);
        errno = saved;
        return -1;
    }
    return 0;
}

int mkdir_p(const char *path, mode_t mode)
{
    if (mkdir(path, mode) == 0 || errno == EEXIST)
        return 0;
    if (errno != ENOENT)
        return -1;
    _cleanup_free_ char *copy = xstrdup(path);
    char *slash = strrchr(copy, '/');
    if (!slash || slash == copy)
        return -1;
    *slash = '\0';
    if (mkdir_p(copy, mode) < 0)
        return -1;
    if (mkdir(path, mode) < 0 && errno != EEXIST)
        return -1;
    return 0;
}

uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void rfc3339_utc(char *buf, size_t len, const struct timespec *ts)
{
    int64_t days = ts->tv_sec / 86400, secs = ts->tv_sec % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    /* the proleptic Gregorian date of a day number: years counted from
     * March 1st of year 0, so that the leap day ends a year, in eras of
     * 400 years (146097 days) */
    days += 719468; /* 1970-01-01 from 0000-03-01 */
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;                                   /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* March is 0 */
    int64_t day = doy - (153 * mp + 2) / 5 + 1;
    int64_t month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = yoe + era * 400 + (month <= 2);
    snprintf(buf, len, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%09ldZ", (long long)year,
             (long long)month, (long long)day, (long long)(secs / 3600),
             (long long)(secs / 60 % 60), (long long)(secs % 60), ts->tv_nsec);
}

int parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int proc_stat_start(pid_t pid, uint64_t *start, char *state)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            errno = ESRCH; /* else (EMFILE...): not known */
        return -1;
    }
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0) {
        errno = n < 0 && errno != ESRCH ? errno : ESRCH;
        return -1;
    }
    buf[n] = '\0';
    /* comm may hold spaces and parentheses: parse after the last ')' */
    char *p = strrchr(buf, ')');
    if (!p || p[1] != ' ') {
        errno = EINVAL;
        return -1;
    }
    p += 2;
    if (state)
        *state = *p;
    /* field 3 is state; starttime is field 22 */
    for (int field = 3; field < 22; field++) {
        p = strchr(p, ' ');
        if (!p) {
            errno = EINVAL;
            return -1;
        }
        p++;
    }
    *start = strtoull(p, NULL, 10);
    return 0;
}

char *xstrndup(const char *s, size_t n)
{
    char *d = strndup(s, n);
    if (!d)
        abort();
    return d;
}

int unix_connect(const char *path, struct oci_err *err)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    _cleanup_close_ int dirfd = -1;
    if (strlen(path) < sizeof(sa.sun_path)) {
        strcpy(sa.sun_path, path);
    } else {
        /* longer than sun_path: through its directory's /proc/self/fd */
        const char *slash = strrchr(path, '/');
        _cleanup_free_ char *dir = xstrndup(path, slash ? (size_t)(slash - path) : 0);
        dirfd = open(*dir ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
            return err_set(err, errno, "%s", path);
        if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd,
                             slash ? slash + 1 : path) >= sizeof(sa.sun_path))
            return err_set(err, ENAMETOOLONG, "%s", path);
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return err_set(err, errno, "%s", path);
    if (TEMP_FAILURE_RETRY_INT(connect(fd, (struct sockaddr *)&sa, sizeof(sa))) < 0) {
        int e = errno;
        close(fd);
        return err_set(err, e, "%s: connect", path);
    }
    return fd;
}

ssize_t unix_sendmsg_fd(int sock, int fd, const void *data, size_t len)
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
    return TEMP_FAILURE_RETRY_INT(sendmsg(sock, &m, MSG_NOSIGNAL));
}

int unix_send_fd(int sock, int fd, const void *data, size_t len, struct oci_err *err)
{
    ssize_t n = unix_sendmsg_fd(sock, fd, data, len);
    /* the fd goes with the first part; a stream may take the rest later */
    for (size_t done = n < 0 ? len : (size_t)n; n >= 0 && done < len; done += (size_t)n)
        n = TEMP_FAILURE_RETRY_INT(send(sock, (const char *)data + done, len - done, MSG_NOSIGNAL));
    if (n < 0)
        return err_set(err, errno, "send an fd");
    return 0;
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* The open fds from first up, for kernels without close_range (before
 * 5.9, or 5.11 for its CLOEXEC flag) or a runtime that itself runs under a
 * seccomp filter denying it: listed from a procfs /proc/self/fd, else every
 * number up to the soft RLIMIT_NOFILE. fn gets each; 0, or -1 with errno. */
static int each_fd_from(int first, int (*fn)(int fd, void *arg), void *arg)
{
    int dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct statfs sf;
    if (dfd >= 0 && fstatfs(dfd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC) {
        DIR *d = fdopendir(dfd);
        if (d) {
            int rc = 0;
            for (struct dirent *e; rc == 0 && (e = readdir(d));) {
                int fd = atoi(e->d_name);
                if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && fd >= first && fd != dirfd(d))
                    rc = fn(fd, arg);
            }
            closedir(d);
            return rc;
        }
    }
    if (dfd >= 0)
        close(dfd);
    struct rlimit rl;
    long max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (1u << 20) ? (long)rl.rlim_cur
                                                                              : 1 << 20;
    for (long fd = first; fd < max; fd++)
        if (fcntl((int)fd, F_GETFD) >= 0 && fn((int)fd, arg) < 0)
            return -1;
    return 0;
}

static int cloexec_one(int fd, void *arg)
{
    (void)arg;
    int fl = fcntl(fd, F_GETFD);
    return fl < 0 || (fl & FD_CLOEXEC) || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) == 0 ? 0 : -1;
}

int fds_set_cloexec_from(int first)
{
    if (syscall(SYS_close_range, (unsigned)first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
        return 0;
    return each_fd_from(first, cloexec_one, NULL);
}

struct keep_list {
    const int *fds;
    size_t n;
};

static int close_unless_kept(int fd, void *arg)
{
    const struct keep_list *k = arg;
    for (size_t i = 0; i < k->n; i++)
        if (k->fds[i] == fd)
            return 0;
    close(fd);
    return 0;
}

int close_fds_except(int first, int *keep, size_t n)
{
    qsort(keep, n, sizeof(int), cmp_int);
    unsigned from = (unsigned)first;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && keep[i] < first)
            continue;
        unsigned to = i < n ? (unsigned)keep[i] : ~0U;
        if (to > from && syscall(SYS_close_range, from, to - 1, 0) < 0) {
            struct keep_list k = {keep, n};
            return each_fd_from(first, close_unless_kept, &k);
        }
        if (i < n)
            from = (unsigned)keep[i] + 1;
    }
    return 0;
}

void strv_add(struct spec_strv *v, const char *s)
{
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(v->items[i], s))
            return;
    v->items = xrealloc(v->items, (v->n + 2) * sizeof(char *));
    v->items[v->n++] = xstrdup(s);
    v->items[v->n] = NULL;
}
