/* The cgroup2 hierarchy (unified hosts, and the v2 half of hybrid hosts):
 * directories, enabling controllers, freezer, kill and OOM events. The
 * resources and statistics are in cgroup_v2_res.c.
 *
 * Only directories oci-rt created (cg->top and below) are written, with
 * one exception: a controller the config's limits need is enabled in the
 * subtree_control of the ancestors above them, from the hierarchy's root
 * down, as runc and crun do; it stays enabled there. */
#include "config.h"
#include "cgroup_fs.h"
#include "cgroup_v2.h"
#include "cgroup_v2_res.h"
#include "cgroup_v2_enable.h"
#include "util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#define FREEZE_TIMEOUT_MS 5000
#define KILL_TIMEOUT_MS 10000

static int v2_destroy(struct cgroup *cg, struct oci_err *err)
{
    if (cg->v2_fd >= 0) {
        close(cg->v2_fd);
        cg->v2_fd = -1;
    }
    return cg_rmdir_path(cg->v2_mnt, cg->path, cg->top, err);
}

static int v2_create(struct cgroup *cg, const struct spec_resources *res, struct oci_err *err)
{
    if (cg_mkdir_path(cg->v2_mnt, cg->path, false, err) < 0)
        return -1;
    char dir[PATH_MAX_LEN];
    cg2_dir(cg, dir, sizeof(dir));
    /* for clone3(CLONE_INTO_CGROUP) */
    cg->v2_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (cg->v2_fd < 0)
        err_set(err, errno, "cgroup: open %s", dir);
    if (cg->v2_fd < 0 || cg2_enable_controllers(cg, res, err) < 0) {
        struct oci_err ignored = {0};
        v2_destroy(cg, &ignored);
        return -1;
    }
    return 0;
}

static int v2_enter(struct cgroup *cg, pid_t pid, struct oci_err *err)
{
    char dir[PATH_MAX_LEN];
    cg2_dir(cg, dir, sizeof(dir));
    return cg_write_pid(dir, pid, err);
}

/* freezer: always there below the root (cgroup.freeze is a core file);
 * devices: an eBPF program; the others: enabled for the container (its
 * cgroup.controllers), or before it exists, available in its parent. */
static bool v2_has_controller(struct cgroup *cg, const char *name)
{
    if (!strcmp(name, "freezer"))
        return cg->path && strcmp(cg->path, "/") != 0;
    if (!strcmp(name, "devices"))
        return true;
    char dir[PATH_MAX_LEN + 32], list[512];
    cg2_dir(cg, dir, sizeof(dir));
    size_t dl = strlen(dir);
    snprintf(dir + dl, sizeof(dir) - dl, "/cgroup.controllers");
    if (cg2_read(AT_FDCWD, dir, list, sizeof(list)) < 0) {
        dir[dl] = '\0';
        char *slash = strrchr(dir, '/');
        if (!slash || (size_t)(slash - dir) < strlen(cg->v2_mnt))
            return false;
        snprintf(slash, sizeof(dir) - (size_t)(slash - dir), "/cgroup.controllers");
        if (cg2_read(AT_FDCWD, dir, list, sizeof(list)) < 0)
            return false;
    }
    return cg2_word_in(list, name);
}

/* Wait until cgroup.events says "key want"; the kernel signals a change
 * with POLLPRI, and the file is read again at least every 20 ms. 0, or -1
 * with errno (ETIMEDOUT). */
static int wait_event(int dfd, const char *key, uint64_t want, int timeout_ms)
{
    /* a cgroup removed meanwhile (a systemd scope goes with its last task)
     * has no task left */
    bool gone_ok = want == 0 && !strcmp(key, "populated");
    _cleanup_close_ int fd = openat(dfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return gone_ok && (errno == ENOENT || errno == ENODEV) ? 0 : -1;
    uint64_t deadline = now_ms() + (uint64_t)timeout_ms;
    for (;;) {
        char buf[256];
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
        if (n < 0)
            return gone_ok && (errno == ENOENT || errno == ENODEV) ? 0 : -1;
        buf[n] = '\0';
        uint64_t v;
        if (cg2_keyed(buf, key, &v) && v == want)
            return 0;
        uint64_t now = now_ms();
        if (now >= deadline) {
            errno = ETIMEDOUT;
            return -1;
        }
        struct pollfd p = {.fd = fd, .events = POLLPRI};
        uint64_t left = deadline - now;
        poll(&p, 1, left < 20 ? (int)left : 20);
    }
}

static int open_dir(struct cgroup *cg, char *dir, size_t len, struct oci_err *err)
{
    cg2_dir(cg, dir, len);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, errno, "cgroup: open %s", dir);
    return fd;
}

static int v2_freeze(struct cgroup *cg, bool frozen, struct oci_err *err)
{
    char dir[PATH_MAX_LEN];
    _cleanup_close_ int dfd = open_dir(cg, dir, sizeof(dir), err);
    if (dfd < 0)
        return -1;
    if (write_file_at(dfd, "cgroup.freeze", frozen ? "1" : "0", 1) < 0)
        return err_set(err, errno, "cgroup: write %s/cgroup.freeze", dir);
    if (wait_event(dfd, "frozen", frozen, FREEZE_TIMEOUT_MS) == 0)
        return 0;
    int saved = errno;
    if (frozen)
        write_file_at(dfd, "cgroup.freeze", "0", 1); /* do not leave it half frozen */
    if (saved == ETIMEDOUT)
        return err_set(err, 0, "cgroup: %s did not %s within %d ms", dir,
                       frozen ? "freeze" : "thaw", FREEZE_TIMEOUT_MS);
    return err_set(err, saved, "cgroup: read %s/cgroup.events", dir);
}

/* 1 frozen, 0 not (the state asked for in cgroup.freeze), -1 unknown. */
static int v2_frozen(struct cgroup *cg)
{
    char dir[PATH_MAX_LEN + 32], buf[16];
    cg2_dir(cg, dir, sizeof(dir));
    strncat(dir, "/cgroup.freeze", sizeof(dir) - strlen(dir) - 1);
    if (cg2_read(AT_FDCWD, dir, buf, sizeof(buf)) < 0)
        return -1;
    return buf[0] == '1' ? 1 : buf[0] == '0' ? 0 : -1;
}

/* Kernels before 5.14 have no cgroup.kill: SIGKILL each pid until the
 * cgroup is empty (a task forked meanwhile is found the next round). */
static int kill_each(struct cgroup *cg, int dfd, const char *dir, struct oci_err *err)
{
    uint64_t deadline = now_ms() + KILL_TIMEOUT_MS;
    for (;;) {
        pid_t *pids;
        size_t n;
        if (cg_pids(cg, &pids, &n, err) < 0)
            return -1;
        for (size_t i = 0; i < n; i++)
            kill(pids[i], SIGKILL);
        free(pids);
        if (wait_event(dfd, "populated", 0, 50) == 0)
            return 0;
        if (errno != ETIMEDOUT)
            return err_set(err, errno, "cgroup: read %s/cgroup.events", dir);
        if (now_ms() >= deadline)
            return err_set(err, 0, "cgroup: %s still has tasks %d ms after SIGKILL", dir,
                           KILL_TIMEOUT_MS);
    }
}

int cg2_kill_write(struct cgroup *cg)
{
    char dir[PATH_MAX_LEN + 16];
    cg2_dir(cg, dir, sizeof(dir));
    strncat(dir, "/cgroup.kill", sizeof(dir) - strlen(dir) - 1);
    return write_file_at(AT_FDCWD, dir, "1", 1);
}

static int v2_kill(struct cgroup *cg, struct oci_err *err)
{
    char dir[PATH_MAX_LEN];
    cg2_dir(cg, dir, sizeof(dir));
    _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 && errno == ENOENT)
        return 0; /* no cgroup: no task left */
    if (dfd < 0)
        return err_set(err, errno, "cgroup: open %s", dir);
    if (write_file_at(dfd, "cgroup.kill", "1", 1) < 0) {
        if (errno == ENOENT)
            return kill_each(cg, dfd, dir, err);
        return err_set(err, errno, "cgroup: write %s/cgroup.kill", dir);
    }
    if (wait_event(dfd, "populated", 0, KILL_TIMEOUT_MS) == 0)
        return 0;
    if (errno == ETIMEDOUT)
        return err_set(err, 0, "cgroup: %s still has tasks %d ms after cgroup.kill", dir,
                       KILL_TIMEOUT_MS);
    return err_set(err, errno, "cgroup: read %s/cgroup.events", dir);
}

static int64_t v2_oom_kills(struct cgroup *cg)
{
    char dir[PATH_MAX_LEN + 32], buf[1024];
    cg2_dir(cg, dir, sizeof(dir));
    strncat(dir, "/memory.events", sizeof(dir) - strlen(dir) - 1);
    uint64_t v;
    if (cg2_read(AT_FDCWD, dir, buf, sizeof(buf)) < 0 || !cg2_keyed(buf, "oom_kill", &v))
        return -1;
    return (int64_t)v;
}

static int v2_oom_watch(struct cgroup *cg, bool *per_event, struct oci_err *err)
{
    *per_event = false;
    char dir[PATH_MAX_LEN + 32];
    cg2_dir(cg, dir, sizeof(dir));
    strncat(dir, "/memory.events", sizeof(dir) - strlen(dir) - 1);
    _cleanup_close_ int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (fd < 0)
        return err_set(err, errno, "cgroup: inotify_init1");
    if (inotify_add_watch(fd, dir, IN_MODIFY) < 0)
        return err_set(err, errno, "cgroup: watch %s", dir);
    return TAKE_FD(fd);
}

const struct cgroup_backend cgroup_v2_backend = {
    .name = "v2",
    .create = v2_create,
    .enter = v2_enter,
    .destroy = v2_destroy,
    .apply = cg2_apply,
    .preload_devices = cg2_preload_devices,
    .has_controller = v2_has_controller,
    .freeze = v2_freeze,
    .frozen = v2_frozen,
    .kill = v2_kill,
    .stats = cg2_stats,
    .oom_kills = v2_oom_kills,
    .oom_watch = v2_oom_watch,
};
