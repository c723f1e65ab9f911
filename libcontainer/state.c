#include "config.h"
#include "state.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

const char *const container_status_names[] = {"creating", "created", "running", "paused",
                                              "stopped"};

/* The error of a container that is not there (errnum ENOENT: delete
 * --force of it is done). */
static int not_found(struct oci_err *err, const char *id)
{
    err_set(err, 0, "container \"%s\" does not exist", id);
    err->errnum = ENOENT;
    return -1;
}

/* Spare state directories. Removing a directory frees its block and making
 * one allocates another: on a disk file system mounted with online discard
 * (this project's test machine has /run on such an ext4) the free waits
 * for the device's discard, 0.3 to 0.5 ms at the end of every run and
 * delete, and even on tmpfs the removal costs 65 us. So root's delete
 * keeps an emptied directory as one of a few spares in the root's .cache
 * (where the seccomp cache is: the root itself holds containers only), and
 * the next create renames one into place instead of a mkdir. Each rename
 * is atomic and refuses to replace anything: two creates never get the
 * same one, and a taken ID is still "already exists". */
#define STATE_SPARES 4

static void spare_path(char *buf, size_t len, const char *root, unsigned k)
{
    snprintf(buf, len, "%s/.cache/spare~%u", root, k);
}

/* root/id from a spare: 0, or -1 with errno EEXIST (the ID is taken) or
 * ENOENT (none to take: make one). */
static int take_spare(const char *root, const char *path)
{
    if (geteuid() != 0) {
        errno = ENOENT;
        return -1;
    }
    char spare[PATH_MAX];
    for (unsigned k = 0; k < STATE_SPARES; k++) {
        spare_path(spare, sizeof(spare), root, k);
        if (renameat2(AT_FDCWD, spare, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
            return 0;
        if (errno == EEXIST)
            return -1;
        if (errno != ENOENT)
            break; /* no renameat2 here, or the root is not there */
    }
    errno = ENOENT;
    return -1;
}

/* Every entry of the open directory removed: notify/ (notify.h) is the one
 * directory a state directory holds, with its socket. */
static int empty_dir(int dirfd, const char *path, struct oci_err *err)
{
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return err_set(err, errno, "remove %s", path);
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (e->d_type == DT_DIR) {
            char sock[300];
            snprintf(sock, sizeof(sock), "%s/notify.sock", e->d_name);
            unlinkat(dirfd, sock, 0);
        }
        if (unlinkat(dirfd, e->d_name, e->d_type == DT_DIR ? AT_REMOVEDIR : 0) < 0 &&
            errno != ENOENT) {
            err_set(err, errno, "remove %s/%s", path, e->d_name);
            closedir(d); /* e is in d's buffer: after the message */
            return -1;
        }
    }
    closedir(d);
    return 0;
}

/* A spare taken is what a mkdir would have made: root's, 0700 and empty
 * (whatever came into it meanwhile is removed). */
static int reset_spare(struct state_dir *sd, struct oci_err *err)
{
    struct stat st;
    if (fstat(sd->dirfd, &st) < 0)
        return err_set(err, errno, "state directory %s", sd->path);
    if (st.st_uid != 0 && fchown(sd->dirfd, 0, (gid_t)-1) < 0)
        return err_set(err, errno, "state directory %s: chown", sd->path);
    if ((st.st_mode & 07777) != 0700 && fchmod(sd->dirfd, 0700) < 0)
        return err_set(err, errno, "state directory %s: chmod", sd->path);
    if (st.st_nlink == 2) {
        /* no subdirectory; a file is seen by one getdents */
        char buf[256];
        long n = syscall(SYS_getdents64, sd->dirfd, buf, sizeof(buf));
        if (n >= 0) {
            int entries = 0;
            for (long off = 0; off < n;) {
                const unsigned short reclen = *(unsigned short *)(buf + off + 16);
                entries++;
                off += reclen;
            }
            if (entries <= 2)
                return 0;
        }
    }
    return empty_dir(sd->dirfd, sd->path, err);
}

int state_dir_create(const char *root, const char *id, struct state_dir *sd, struct oci_err *err)
{
    sd->dirfd = -1;
    xasprintf(&sd->path, "%s/%s", root, id);
    bool spare = take_spare(root, sd->path) == 0;
    int r = spare ? 0 : errno == EEXIST ? -1 : mkdir(sd->path, 0700);
    if (r < 0 && errno == ENOENT) {
        if (mkdir_p(root, 0711) < 0) {
            err_set(err, errno, "state root %s", root);
            goto fail;
        }
        r = mkdir(sd->path, 0700);
    }
    if (r < 0) {
        if (errno == EEXIST)
            err_set(err, 0, "container \"%s\" already exists", id);
        else
            err_set(err, errno, "create state directory %s", sd->path);
        goto fail;
    }
    sd->dirfd = open(sd->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (sd->dirfd < 0 || state_dir_lock(sd, STATE_LOCK_EXCLUSIVE) < 0) {
        err_set(err, errno, "open state directory %s", sd->path);
        if (sd->dirfd >= 0)
            close(sd->dirfd);
        sd->dirfd = -1;
        rmdir(sd->path);
        goto fail;
    }
    if (spare && reset_spare(sd, err) < 0) {
        struct oci_err ignored = {0};
        state_dir_remove(sd, &ignored);
        state_dir_close(sd);
        return -1;
    }
    return 0;
fail:
    free(sd->path);
    sd->path = NULL;
    return -1;
}

int state_dir_lock(struct state_dir *sd, enum state_lock lock)
{
    int op = lock == STATE_LOCK_NONE ? LOCK_UN : lock == STATE_LOCK_SHARED ? LOCK_SH : LOCK_EX;
    int r = (int)TEMP_FAILURE_RETRY_INT(flock(sd->dirfd, op));
    if (r == 0)
        sd->locked = lock != STATE_LOCK_NONE;
    return r;
}

int state_dir_open(const char *root, const char *id, enum state_lock lock, struct state_dir *sd,
                   struct oci_err *err)
{
    xasprintf(&sd->path, "%s/%s", root, id);
    sd->dirfd = open(sd->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (sd->dirfd < 0) {
        int e = errno;
        free(sd->path);
        sd->path = NULL;
        return e == ENOENT ? not_found(err, id)
                           : err_set(err, e, "container \"%s\": open state", id);
    }
    if (lock == STATE_LOCK_NONE)
        return 0;
    if (state_dir_lock(sd, lock) < 0) {
        err_set(err, errno, "container \"%s\": lock", id);
        state_dir_close(sd);
        return -1;
    }
    /* the lock was waited for: the directory may have been removed (or
     * kept as a spare, and even taken by another container) meanwhile */
    struct stat a, b;
    if (fstat(sd->dirfd, &a) < 0 || stat(sd->path, &b) < 0 || a.st_ino != b.st_ino ||
        a.st_dev != b.st_dev) {
        state_dir_close(sd);
        return not_found(err, id);
    }
    return 0;
}

void state_dir_close(struct state_dir *sd)
{
    if (sd->dirfd >= 0)
        close(sd->dirfd);
    sd->dirfd = -1;
    free(sd->path);
    sd->path = NULL;
}

int state_dir_remove(struct state_dir *sd, struct oci_err *err)
{
    if (empty_dir(sd->dirfd, sd->path, err) < 0)
        return -1;
    const char *slash = strrchr(sd->path, '/');
    if (geteuid() == 0 && slash) {
        char root[PATH_MAX], spare[PATH_MAX];
        snprintf(root, sizeof(root), "%.*s", (int)(slash - sd->path), sd->path);
        for (unsigned k = 0; k < STATE_SPARES; k++) {
            spare_path(spare, sizeof(spare), root, k);
            int r = renameat2(AT_FDCWD, sd->path, AT_FDCWD, spare, RENAME_NOREPLACE);
            if (r < 0 && errno == ENOENT && k == 0) {
                /* no .cache yet (spawn.c makes it for the seccomp cache) */
                char cache[PATH_MAX];
                snprintf(cache, sizeof(cache), "%s/.cache", root);
                if (mkdir(cache, 0700) == 0 || errno == EEXIST)
                    r = renameat2(AT_FDCWD, sd->path, AT_FDCWD, spare, RENAME_NOREPLACE);
            }
            if (r == 0) {
                /* nothing more is written into it, and the next create
                 * does not wait for this process's lock */
                close(sd->dirfd);
                sd->dirfd = -1;
                sd->locked = false;
                return 0;
            }
            if (errno != EEXIST)
                break;
        }
    }
    if (rmdir(sd->path) < 0 && errno != ENOENT)
        return err_set(err, errno, "remove %s", sd->path);
    return 0;
}

int state_write(struct state_dir *sd, const struct spec_state *s, struct oci_err *err)
{
    /* written beside it, then renamed over it: a reader (or a crash) sees
     * the old record or the new one, never half of one */
    static const char tmp[] = "." STATE_FILE ".tmp";
    int fd = openat(sd->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return err_set(err, e, "write %s/%s", sd->path, STATE_FILE);
    }
    int rc = spec_state_write(s, true, f);
    int e = errno;
    if (fclose(f) != 0 && rc == 0) {
        rc = -1;
        e = errno;
    }
    if (rc == 0 && rename_replace(sd->dirfd, tmp, STATE_FILE) < 0) {
        rc = -1;
        e = errno;
    }
    if (rc < 0) {
        unlinkat(sd->dirfd, tmp, 0);
        return err_set(err, e, "write %s/%s", sd->path, STATE_FILE);
    }
    return 0;
}

/* A record still "creating" has its init's pid in the link, if any. */
static void read_init_link(struct state_dir *sd, struct spec_state *s)
{
    char link[64];
    ssize_t n = readlinkat(sd->dirfd, STATE_INIT_LINK, link, sizeof(link) - 1);
    if (n <= 0)
        return;
    link[n] = '\0';
    int pid;
    unsigned long long start;
    if (sscanf(link, "%d:%llu", &pid, &start) == 2 && pid > 0) {
        s->pid = pid;
        s->pid_start = start;
    }
}

int state_read(struct state_dir *sd, const char *id, struct spec_state **out, struct oci_err *err)
{
    _cleanup_free_ char *data = NULL;
    size_t len;
    /* the record carries the config's annotations, and a config may take up
     * to 64 MiB (spawn.c): a smaller bound made a container with a big
     * config unreadable, so that delete --force left its init running */
    if (read_file_at(sd->dirfd, STATE_FILE, &data, &len, 128 << 20) < 0) {
        if (errno != ENOENT)
            return err_set(err, errno, "container \"%s\": read state", id);
        /* the directory without its first record: a create that has just
         * begun, or died before anything else was made */
        *out = xzalloc(sizeof(**out));
        (*out)->id = xstrdup(id);
        (*out)->status = xstrdup("creating");
        (*out)->oci_version = xstrdup(SPEC_OCI_VERSION);
        return 0;
    }
    _cleanup_free_ char *msg = NULL;
    *out = spec_state_parse(data, len, &msg);
    if (!*out)
        return err_set(err, 0, "container \"%s\": %s", id, msg ? msg : "bad state");
    if ((*out)->id && strcmp((*out)->id, id) != 0) {
        /* read through a directory that was removed and taken again as
         * another container's (a spare: state_dir_create) */
        spec_state_free(*out);
        *out = NULL;
        return not_found(err, id);
    }
    if ((*out)->pid <= 0)
        read_init_link(sd, *out);
    return 0;
}

int state_note_pid(struct state_dir *sd, pid_t pid, uint64_t *start, struct oci_err *err)
{
    if (proc_stat_start(pid, start, NULL) < 0)
        return err_set(err, errno, "container init %d", pid);
    char link[64];
    snprintf(link, sizeof(link), "%d:%llu", pid, (unsigned long long)*start);
    unlinkat(sd->dirfd, STATE_INIT_LINK, 0);
    if (symlinkat(link, sd->dirfd, STATE_INIT_LINK) < 0)
        return err_set(err, errno, "record the init in %s", sd->path);
    return 0;
}

int state_open_read(const char *root, const char *id, enum state_lock lock, struct state_dir *sd,
                    struct spec_state **out, struct oci_err *err)
{
    *out = NULL;
    if (state_dir_open(root, id, lock, sd, err) < 0)
        return -1;
    return state_read(sd, id, out, err);
}

int state_read_config(struct state_dir *sd, const char *id, struct spec_config **out,
                      struct oci_err *err)
{
    _cleanup_free_ char *data = NULL;
    size_t len;
    if (read_file_at(sd->dirfd, STATE_CONFIG, &data, &len, 64 << 20) < 0)
        return err_set(err, errno, "container \"%s\": read its config", id);
    _cleanup_free_ char *msg = NULL;
    *out = spec_config_parse(data, len, STATE_CONFIG, &msg);
    if (!*out)
        return err_set(err, 0, "container \"%s\": %s", id, msg ? msg : "bad config");
    return 0;
}

int state_process_check(const struct spec_state *s)
{
    uint64_t start;
    char st;
    if (s->pid <= 0)
        return 0;
    if (proc_stat_start(s->pid, &start, &st) < 0)
        return errno == ESRCH ? 0 : -1;
    return start == s->pid_start && st != 'Z' && st != 'X';
}

bool state_process_alive(const struct spec_state *s)
{
    return state_process_check(s) == 1;
}

int state_pidfd(const struct spec_state *s)
{
    if (s->pid <= 0) {
        errno = ESRCH;
        return -1;
    }
    int fd = (int)syscall(SYS_pidfd_open, s->pid, 0);
    if (fd < 0)
        return -1; /* ESRCH: gone; else (EMFILE, ENOSYS...) unknown */
    /* the pidfd is taken first: a PID reused after this check is caught */
    int alive = state_process_check(s);
    if (alive != 1) {
        int e = alive == 0 ? ESRCH : errno; /* unknown: the caller may ask again */
        close(fd);
        errno = e;
        return -1;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

int state_signal(const struct spec_state *s, int sig)
{
    int fd = state_pidfd(s);
    if (fd >= 0) {
        int r = (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
        int e = errno;
        close(fd);
        if (r == 0 || e != ENOSYS) {
            errno = e;
            return r;
        }
        /* pidfds but no pidfd_send_signal (an emulator): the pid below */
    }
    if (errno == ESRCH)
        return -1;
    /* no pidfd (EMFILE under a low ulimit -n, ENOSYS under an emulator):
     * the pid, checked against its start time right before */
    int alive = state_process_check(s);
    if (alive <= 0) {
        if (alive == 0)
            errno = ESRCH;
        return -1;
    }
    return kill(s->pid, sig);
}

int state_wait_gone(const struct spec_state *s, int timeout_ms)
{
    int fd = state_pidfd(s);
    if (fd >= 0) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = (int)TEMP_FAILURE_RETRY_INT(poll(&p, 1, timeout_ms));
        close(fd);
        if (r > 0)
            return 0;
        errno = ETIMEDOUT;
        return -1;
    }
    for (int waited = 0; state_process_check(s) != 0; waited += 5) {
        if (waited >= timeout_ms) {
            errno = ETIMEDOUT;
            return -1;
        }
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

int state_exec_connect(struct state_dir *sd, bool probe, struct oci_err *err)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int n;
    if (strlen(sd->path) + sizeof(STATE_EXEC_SOCK) + 1 < sizeof(sa.sun_path))
        n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", sd->path, STATE_EXEC_SOCK);
    else
        n = snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", sd->dirfd,
                     STATE_EXEC_SOCK);
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | (probe ? SOCK_NONBLOCK : 0), 0);
    if (fd < 0)
        return err_set(err, errno, "exec socket");
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)n + 1);
    if (TEMP_FAILURE_RETRY_INT(connect(fd, (struct sockaddr *)&sa, len)) < 0) {
        close(fd);
        return err_set(err, errno, "connect to the container init");
    }
    return fd;
}

/* The init listens on exec.sock until it execs the program (the exec closes
 * the socket): what a crashed start left behind cannot lie, a connection
 * can only be made to an init that has not exec'd. It takes an empty
 * connection for what it is (a look) and waits for the next. */
static bool init_waits(struct state_dir *sd)
{
    if (faccessat(sd->dirfd, STATE_EXEC_SOCK, F_OK, AT_SYMLINK_NOFOLLOW) != 0)
        return false;
    struct oci_err ignored = {0};
    int fd = state_exec_connect(sd, true, &ignored);
    if (fd >= 0) {
        close(fd);
        return true;
    }
    return ignored.errnum != ECONNREFUSED;
}

/* Someone holds the directory's lock (the create still at work). */
static bool lock_busy(struct state_dir *sd)
{
    int fd = openat(sd->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool busy = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
    close(fd);
    return busy;
}

enum container_status state_status(struct state_dir *sd, const struct spec_state *s)
{
    /* a create at work, or one killed before it was done: "creating"
     * while anything of it may live (delete --force removes it) */
    if (s->status && !strcmp(s->status, "creating"))
        return state_process_check(s) != 0 || (!sd->locked && lock_busy(sd)) ? STATUS_CREATING
                                                                             : STATUS_STOPPED;
    /* a process that cannot be looked at (EMFILE...) is taken as alive:
     * never "stopped" about a running container */
    if (state_process_check(s) == 0)
        return STATUS_STOPPED;
    return init_waits(sd) ? STATUS_CREATED : STATUS_RUNNING;
}
