/* Small shared helpers: cleanup attributes, ownership transfer, file I/O. */
#ifndef OCI_UTIL_H
#define OCI_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "error.h"

#define PATH_MAX_LEN 4096

static inline void cleanup_freep(void *p)
{
    free(*(void **)p);
}
static inline void cleanup_closep(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;
        close(*fd);
        errno = saved;
    }
}
#define _cleanup_free_ __attribute__((cleanup(cleanup_freep)))
#define _cleanup_close_ __attribute__((cleanup(cleanup_closep)))
#define _cleanup_(f) __attribute__((cleanup(f)))

#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                                                    \
    static inline void func##p(type *p)                                                            \
    {                                                                                              \
        if (*p)                                                                                    \
            func(*p);                                                                              \
    }

#define TAKE_PTR(p)                                                                                \
    ({                                                                                             \
        __typeof__(p) _tp = (p);                                                                   \
        (p) = NULL;                                                                                \
        _tp;                                                                                       \
    })
#define TAKE_FD(fd)                                                                                \
    ({                                                                                             \
        int _tf = (fd);                                                                            \
        (fd) = -1;                                                                                 \
        _tf;                                                                                       \
    })

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* Retry a syscall expression on EINTR. */
#define TEMP_FAILURE_RETRY_INT(expr)                                                               \
    ({                                                                                             \
        long _r;                                                                                   \
        do                                                                                         \
            _r = (long)(expr);                                                                     \
        while (_r == -1 && errno == EINTR);                                                        \
        _r;                                                                                        \
    })

/* Allocation that aborts when memory is out (error.h: the policy). */
void *xmalloc(size_t n);
void *xzalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
int xasprintf(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write all of buf to fd (retrying short writes). 0 or -1 with errno. */
int write_all(int fd, const void *buf, size_t len);
/* Write a small string to a file relative to dirfd (AT_FDCWD ok), O_CLOEXEC,
 * no O_CREAT: for /proc and cgroup files. 0 or -1 with errno. */
int write_file_at(int dirfd, const char *path, const char *data, size_t len);
/* Read a whole file (at most max bytes) into a malloc'd NUL-terminated buffer. */
int read_file_at(int dirfd, const char *path, char **out, size_t *len, size_t max);
/* Rename from over to (both relative to dirfd), atomically: a reader sees
 * the old file or the new one. An existing target is swapped out
 * (RENAME_EXCHANGE) and then unlinked instead of renamed over: ext4 flushes
 * a file that is renamed over another (auto_da_alloc), which made every
 * state write and the state file's unlink cost a block allocation. Plain
 * renameat where the filesystem cannot exchange. 0 or -1 with errno. */
int rename_replace(int dirfd, const char *from, const char *to);
/* Create or replace path (relative to dirfd) atomically: tmp file + rename. */
int write_file_atomic(int dirfd, const char *path, const void *data, size_t len, mode_t mode);

/* mkdir -p of an absolute host path, mode for new directories. */
int mkdir_p(const char *path, mode_t mode);

/* A connected AF_UNIX stream socket (CLOEXEC); paths longer than sun_path
 * work too. */
int unix_connect(const char *path, struct oci_err *err);
/* Send fd with SCM_RIGHTS along with the first bytes of data. */
int unix_send_fd(int sock, int fd, const void *data, size_t len, struct oci_err *err);
/* One sendmsg of data with fd attached (SCM_RIGHTS); sendmsg's result. */
ssize_t unix_sendmsg_fd(int sock, int fd, const void *data, size_t len);

/* Close every fd from first up, but those in keep (sorted in place); keep
 * entries < 0 or < first are ignored. */
int close_fds_except(int first, int *keep, size_t n);
/* Append a copy of s to v unless v has it already (NULL-terminated). */
struct spec_strv;
void strv_add(struct spec_strv *v, const char *s);
/* Mark every fd from first up close-on-exec (close_range, or one by one
 * where the kernel or a seccomp filter refuses it). */
int fds_set_cloexec_from(int first);

/* Milliseconds on CLOCK_MONOTONIC: for deadlines and intervals (it does
 * not jump with the wall clock, and does not count a suspended machine's
 * sleep). Not a date: state.json's times are CLOCK_REALTIME. */
uint64_t now_ms(void);
/* ts as RFC 3339 in UTC with nanoseconds ("2026-12-04T14:49:05.123456789Z",
 * 31 characters), as gmtime_r and strftime would spell it, but without
 * glibc's time zone set-up, which reads /etc/localtime even for UTC. */
void rfc3339_utc(char *buf, size_t len, const struct timespec *ts);

/* Parse an unsigned decimal, whole string. */
int parse_u64(const char *s, uint64_t *out);

/* The start time of a process in clock ticks since boot (/proc/PID/stat
 * field 22), and its state letter. -1 with errno ESRCH when gone. */
int proc_stat_start(pid_t pid, uint64_t *start, char *state);

#endif
