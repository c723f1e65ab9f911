#include "config.h"
#include "procfs.h"
#include "util.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#define PROC_ROOT_INO 1

static struct {
    int fd;
    enum procfs_kind kind;
    dev_t dev;       /* the handle's procfs instance */
    uint64_t mnt_id; /* its mount, for the checks by hand (0: not known yet) */
    pid_t self_pid;  /* that process as the handle's pid namespace numbers it */
} h = {.fd = -1};

static bool by_hand; /* no openat2 (ENOSYS), or a test asked for it */

static int open_private(void)
{
    int fs = (int)syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC);
    if (fs < 0)
        return -1;
    int m = -1;
    if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
        m = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC,
                         MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
    close(fs);
    return m;
}

static int open_kind(enum procfs_kind kind)
{
    switch (kind) {
    case PROCFS_PRIVATE:
        return open_private();
    case PROCFS_CLONE:
        /* without AT_RECURSIVE: nothing mounted below /proc comes along */
        return (int)syscall(SYS_open_tree, AT_FDCWD, "/proc", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    case PROCFS_PLAIN:
        return open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    return -1;
}

/* The root directory of a procfs instance, not a subdirectory of one. */
static bool is_proc_root(int fd, struct stat *st)
{
    struct statfs sf;
    return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC && fstat(fd, st) == 0 &&
           S_ISDIR(st->st_mode) && st->st_ino == PROC_ROOT_INO;
}

static int set_handle(enum procfs_kind kind)
{
    int fd = open_kind(kind);
    struct stat st;
    if (fd < 0)
        return -1;
    if (!is_proc_root(fd, &st)) {
        close(fd);
        errno = EXDEV;
        return -1;
    }
    h.fd = fd;
    h.kind = kind;
    h.dev = st.st_dev;
    h.mnt_id = 0;
    return 0;
}

/* Still the handle this process opened or inherited? (An fd number the
 * process closed and reused must never be taken for it.) */
static bool handle_valid(void)
{
    struct stat st;
    return h.fd >= 0 && fstat(h.fd, &st) == 0 && st.st_dev == h.dev && st.st_ino == PROC_ROOT_INO;
}

int procfs_handle(struct oci_err *err)
{
    if (handle_valid())
        return h.fd;
    h.fd = -1;
    int e = 0;
    for (enum procfs_kind k = PROCFS_PRIVATE; k <= PROCFS_PLAIN; k++) {
        if (set_handle(k) == 0)
            return h.fd;
        if (!e || errno != ENOSYS)
            e = errno;
    }
    return err_set(err, e, "open a procfs handle: /proc is not a procfs");
}

int procfs_handle_fd(void)
{
    return h.fd;
}

void procfs_close(void)
{
    if (h.fd >= 0)
        close(h.fd);
    h.fd = -1;
}

enum procfs_kind procfs_handle_kind(void)
{
    return h.kind;
}

int procfs_test_open(enum procfs_kind kind, struct oci_err *err)
{
    procfs_close();
    if (set_handle(kind) < 0)
        return err_set(err, errno, "open a procfs handle of kind %d", (int)kind);
    return h.fd;
}

void procfs_test_by_hand(bool on)
{
    by_hand = on;
}

/* ---- resolution ---- */

static int open_by_hand(const char *path, int flags, bool check_mnt);
static pid_t self_pid(void);

static int fdinfo_mnt_id(int fd, uint64_t *id)
{
    char rel[64], buf[512];
    snprintf(rel, sizeof(rel), "%d/fdinfo/%d", h.self_pid, fd);
    int f = open_by_hand(rel, O_RDONLY, false);
    if (f < 0)
        return -1;
    ssize_t n = read(f, buf, sizeof(buf) - 1);
    close(f);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    const char *p = strstr(buf, "\nmnt_id:");
    if (!p)
        return -1;
    *id = strtoull(p + 8, NULL, 10);
    return 0;
}

/* The mount fd is on: statx (5.8), else the fdinfo of this process. */
static int mnt_id_of(int fd, uint64_t *id)
{
    struct statx sx;
    if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) == 0 &&
        (sx.stx_mask & STATX_MNT_ID)) {
        *id = sx.stx_mnt_id;
        return 0;
    }
    return fdinfo_mnt_id(fd, id);
}

int procfs_fd_mount_id(int fd, uint64_t *id, struct oci_err *err)
{
    if (procfs_handle(err) < 0)
        return -1;
    if (self_pid() < 0 || mnt_id_of(fd, id) < 0)
        return err_set(err, errno, "the mount of fd %d", fd);
    return 0;
}

/* One step below dir: on the handle's procfs instance, not a symlink
 * (unless link_ok: the last step, asked for as O_PATH | O_NOFOLLOW, as
 * openat2 returns it), and (when asked) on the handle's own mount. */
static int check_step(int fd, bool link_ok, bool check_mnt)
{
    struct stat st;
    uint64_t id;
    if (fstat(fd, &st) < 0)
        return -1;
    if (S_ISLNK(st.st_mode) && !link_ok) {
        errno = ELOOP;
        return -1;
    }
    if (st.st_dev != h.dev) {
        errno = EXDEV;
        return -1;
    }
    if (check_mnt && h.kind != PROCFS_PRIVATE) {
        if (!h.mnt_id && mnt_id_of(h.fd, &h.mnt_id) < 0)
            return -1;
        if (mnt_id_of(fd, &id) < 0)
            return -1;
        if (id != h.mnt_id) {
            errno = EXDEV;
            return -1;
        }
    }
    return 0;
}

/* openat2's checks by hand: one component at a time, never following a
 * symlink, never going up, every step checked. */
static int open_by_hand(const char *path, int flags, bool check_mnt)
{
    char buf[PATH_MAX_LEN];
    if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int dir = h.fd;
    char *save = NULL;
    char *comp = strtok_r(buf, "/", &save);
    while (comp) {
        char *next = strtok_r(NULL, "/", &save);
        if (!strcmp(comp, "..") || !strcmp(comp, ".")) {
            if (dir != h.fd)
                close(dir);
            errno = EXDEV;
            return -1;
        }
        int f = openat(dir, comp, (next ? O_PATH | O_DIRECTORY : flags) | O_NOFOLLOW | O_CLOEXEC);
        int e = errno;
        if (dir != h.fd)
            close(dir);
        if (f < 0) {
            errno = e == ENOTDIR && next ? ELOOP : e;
            return -1;
        }
        bool link_ok = !next && (flags & (O_PATH | O_NOFOLLOW)) == (O_PATH | O_NOFOLLOW);
        if (check_step(f, link_ok, check_mnt) < 0) {
            e = errno;
            close(f);
            errno = e;
            return -1;
        }
        dir = f;
        comp = next;
    }
    if (dir == h.fd) {
        errno = EINVAL;
        return -1;
    }
    return dir;
}

static int resolve(const char *path, int flags)
{
    if (!by_hand) {
        struct open_how how = {
            .flags = (uint64_t)(flags | O_CLOEXEC),
            .resolve =
                RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        int fd, tries = 0;
        do /* EAGAIN: a mount or rename raced the walk; walk again */
            fd = (int)TEMP_FAILURE_RETRY_INT(syscall(SYS_openat2, h.fd, path, &how, sizeof(how)));
        while (fd < 0 && errno == EAGAIN && ++tries < 1000);
        if (fd >= 0 || errno != ENOSYS)
            return fd;
        by_hand = true;
    }
    return open_by_hand(path, flags, true);
}

/* The name of "self" or "thread-self" in the handle's pid namespace, read
 * from the link itself (never followed): "123", "123/task/124". */
static int self_link(const char *link, char *out, size_t len)
{
    int fd = resolve(link, O_PATH | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    struct stat st;
    ssize_t n = -1;
    if (fstat(fd, &st) == 0 && S_ISLNK(st.st_mode) && st.st_dev == h.dev)
        n = readlinkat(fd, "", out, len - 1);
    else
        errno = EXDEV;
    int e = errno;
    close(fd);
    if (n <= 0 || out[0] < '0' || out[0] > '9') {
        errno = n < 0 ? e : ENOENT;
        return -1;
    }
    out[n] = '\0';
    return 0;
}

/* Read from the link each time: a cached value could outlive a fork into
 * another pid namespace (where getpid() may even be the same number). */
static pid_t self_pid(void)
{
    char buf[32];
    if (self_link("self", buf, sizeof(buf)) < 0)
        return -1;
    h.self_pid = (pid_t)strtol(buf, NULL, 10);
    return h.self_pid;
}

/* What errors name: /proc/self/..., /proc/123/... */
static const char *shown(enum procfs_base base, pid_t pid, const char *rel, char *buf, size_t len)
{
    if (base == PROCFS_PID)
        snprintf(buf, len, "/proc/%d/%s", pid, rel);
    else
        snprintf(buf, len, "/proc/%s%s",
                 base == PROCFS_SELF          ? "self/"
                 : base == PROCFS_THREAD_SELF ? "thread-self/"
                                              : "",
                 rel);
    return buf;
}

/* base + rel as a path below the handle. */
static int build_path(enum procfs_base base, pid_t pid, const char *rel, char *path, size_t len)
{
    char prefix[64] = "";
    if (base == PROCFS_SELF) {
        pid_t p = self_pid();
        if (p < 0)
            return -1;
        snprintf(prefix, sizeof(prefix), "%d/", p);
    } else if (base == PROCFS_THREAD_SELF) {
        if (self_link("thread-self", prefix, sizeof(prefix) - 1) < 0)
            return -1;
        strcat(prefix, "/");
    } else if (base == PROCFS_PID) {
        snprintf(prefix, sizeof(prefix), "%d/", pid);
    }
    if (rel[0] == '/' || snprintf(path, len, "%s%s", prefix, rel) >= (int)len) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

int procfs_open(enum procfs_base base, pid_t pid, const char *rel, int flags, struct oci_err *err)
{
    char path[PATH_MAX_LEN], name[PATH_MAX_LEN];
    if (procfs_handle(err) < 0)
        return -1;
    shown(base, pid, rel, name, sizeof(name));
    if (build_path(base, pid, rel, path, sizeof(path)) < 0)
        return err_set(err, errno, "%s", name);
    int fd = resolve(path, flags);
    struct statfs sf;
    if (fd >= 0 && (fstatfs(fd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)) {
        close(fd);
        fd = -1;
        errno = EXDEV;
    }
    if (fd >= 0)
        return fd;
    if (errno == EXDEV)
        return err_set(err, EXDEV, "%s: another mount covers it: refused", name);
    if (errno == ELOOP)
        return err_set(err, ELOOP, "%s: reached through a symbolic link: refused", name);
    return err_set(err, errno, "%s", name);
}

int procfs_write(enum procfs_base base, pid_t pid, const char *rel, const void *buf, size_t len,
                 struct oci_err *err)
{
    _cleanup_close_ int fd = procfs_open(base, pid, rel, O_WRONLY, err);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, buf, len);
    if (n == (ssize_t)len)
        return 0;
    char name[PATH_MAX_LEN];
    return err_set(err, n < 0 ? errno : EIO, "write %s", shown(base, pid, rel, name, sizeof(name)));
}

int procfs_read(enum procfs_base base, pid_t pid, const char *rel, char **out, size_t max,
                struct oci_err *err)
{
    _cleanup_close_ int fd = procfs_open(base, pid, rel, O_RDONLY, err);
    if (fd < 0)
        return -1;
    size_t cap = 4096, n = 0;
    char *buf = xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap >= max) {
                free(buf);
                return err_set(err, EFBIG, "read /proc/%s", rel);
            }
            cap *= 2;
            buf = xrealloc(buf, cap + 1);
        }
        ssize_t r = TEMP_FAILURE_RETRY_INT(read(fd, buf + n, cap - n));
        if (r < 0) {
            free(buf);
            return err_set(err, errno, "read /proc/%s", rel);
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    *out = buf;
    return 0;
}

int procfs_reopen(int fd, int flags, struct oci_err *err)
{
    char rel[32];
    snprintf(rel, sizeof(rel), "fd/%d", fd);
    /* the link itself, checked like any file below the handle... */
    _cleanup_close_ int link = procfs_open(PROCFS_SELF, 0, rel, O_PATH | O_NOFOLLOW, err);
    if (link < 0)
        return -1;
    _cleanup_close_ int dir = procfs_open(PROCFS_SELF, 0, "fd", O_PATH | O_DIRECTORY, err);
    if (dir < 0)
        return -1;
    /* ...then followed from its own directory: to the object fd is open on */
    snprintf(rel, sizeof(rel), "%d", fd);
    int r = openat(dir, rel, flags | O_CLOEXEC);
    if (r < 0)
        return err_set(err, errno, "reopen fd %d", fd);
    return r;
}

/* ---- mount(2) by fd ---- */

int procfs_mount(int src_fd, const char *src, int dst_fd, const char *type, unsigned long flags,
                 const void *data)
{
    struct oci_err e = {0};
    char spath[64], dpath[64], self[32] = "self";
    if (procfs_handle(&e) < 0) {
        errno = e.errnum ? e.errnum : ENOENT;
        return -1;
    }
    if (h.kind == PROCFS_PLAIN) {
        /* /proc itself: its fd directory is checked like any file below
         * it (nothing mounted over it); a private instance or a clone has
         * nothing mounted in it */
        int fddir = procfs_open(PROCFS_SELF, 0, "fd", O_PATH | O_DIRECTORY, &e);
        if (fddir < 0) {
            errno = e.errnum ? e.errnum : EXDEV;
            return -1;
        }
        close(fddir);
        snprintf(self, sizeof(self), "%d", h.self_pid);
    }
    snprintf(spath, sizeof(spath), "%s/fd/%d", self, src_fd);
    snprintf(dpath, sizeof(dpath), "%s/fd/%d", self, dst_fd);
    /* relative to the handle: the walk starts in it, not at any /proc */
    _cleanup_close_ int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (cwd < 0 || fchdir(h.fd) < 0)
        return -1;
    int r =
        mount(src_fd >= 0 ? spath : src, dst_fd >= 0 ? dpath : NULL, type ? type : "", flags, data);
    int saved = errno;
    if (fchdir(cwd) < 0)
        return -1;
    errno = saved;
    return r;
}
