/* The cgroup2 hierarchy (unified hosts, and the v2 half of hybrid hosts):
 * directories, enabling controllers, freezer, kill and OOM events. The
 * resources and statistics are in cgroup_v2_res.c.
 *
 * Only directories oci-rt created (cg->top and below) are written, with
 * one exception: a controller the config's limits need is enabled in the
 * subtree_control of the ancestors above them, from the hierarchy's root
 * down, as runc and crun do; it stays enabled there. */
#include "config.h"
#include "cgroup_backend.h"
#include "cgroup_v2.h"
#include "log.h"
#include "util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>

#define FREEZE_TIMEOUT_MS 5000
#define KILL_TIMEOUT_MS 10000

/* The v2 controllers, in the order they are enabled. */
static const char *const v2_controllers[] = {"cpuset",  "cpu",  "io",   "memory",
                                             "hugetlb", "pids", "rdma", "misc"};

void cg2_dir(const struct cgroup *cg, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s", cg->v2_mnt, cg->path);
}

int cg2_read(int dfd, const char *file, char *buf, size_t len)
{
    int fd = openat(dfd, file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t got = 0;
    for (;;) {
        ssize_t n = read(fd, buf + got, len - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int saved = errno;
            close(fd);
            errno = saved;
            return -1;
        }
        if (n == 0 || (got += (size_t)n) == len - 1)
            break;
    }
    close(fd);
    buf[got] = '\0';
    return 0;
}

bool cg2_keyed(const char *text, const char *key, uint64_t *out)
{
    size_t kl = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, key, kl) == 0 && p[kl] == ' ') {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(p + kl + 1, &end, 10);
            if (errno || end == p + kl + 1)
                return false;
            *out = v;
            return true;
        }
    }
    return false;
}

bool cg2_word_in(const char *list, const char *word)
{
    size_t wl = strlen(word);
    for (const char *p = list; *p;) {
        p += strspn(p, " \n");
        size_t n = strcspn(p, " \n");
        if (n == wl && !strncmp(p, word, wl))
            return true;
        p += n;
    }
    return false;
}

static unsigned controller_mask(const char *list)
{
    unsigned m = 0;
    for (size_t i = 0; i < ARRAY_SIZE(v2_controllers); i++)
        if (cg2_word_in(list, v2_controllers[i]))
            m |= 1u << i;
    return m;
}

static int read_mask(const char *dir, const char *file, unsigned *out, struct oci_err *err)
{
    char path[PATH_MAX_LEN + 32], buf[512];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    if (cg2_read(AT_FDCWD, path, buf, sizeof(buf)) < 0)
        return err_set(err, errno, "cgroup: read %s", path);
    *out = controller_mask(buf);
    return 0;
}

/* The cgroup2 controllers the limits of res ask for. */
static unsigned needed_mask(const struct spec_resources *res)
{
    struct cg_need need[16];
    size_t n = cg_needs(res, need, ARRAY_SIZE(need));
    unsigned m = 0;
    for (size_t i = 0; i < ARRAY_SIZE(v2_controllers); i++) {
        for (size_t j = 0; j < n; j++)
            if (need[j].v2 && !strcmp(need[j].v2, v2_controllers[i]))
                m |= 1u << i;
        if (cg_unified_needs(res, v2_controllers[i]))
            m |= 1u << i;
    }
    return m;
}

/* "+c" for each controller of add into dir's subtree_control: in one write,
 * else one by one. Returns those the kernel refused (*e: the first errno). */
static unsigned enable_in(const char *dir, unsigned add, int *e)
{
    char path[PATH_MAX_LEN + 32], buf[256] = "";
    snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
    for (size_t i = 0; i < ARRAY_SIZE(v2_controllers); i++)
        if (add & (1u << i))
            snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s+%s", buf[0] ? " " : "",
                     v2_controllers[i]);
    if (!add || write_file_at(AT_FDCWD, path, buf, strlen(buf)) == 0)
        return 0;
    unsigned refused = 0;
    for (size_t i = 0; i < ARRAY_SIZE(v2_controllers); i++) {
        if (!(add & (1u << i)))
            continue;
        snprintf(buf, sizeof(buf), "+%s", v2_controllers[i]);
        if (write_file_at(AT_FDCWD, path, buf, strlen(buf)) < 0) {
            if (!*e)
                *e = errno;
            refused |= 1u << i;
            log_debug("cgroup: enable %s in %s: %s", v2_controllers[i], path, strerror(errno));
        }
    }
    return refused;
}

/* One level above the container: in a cgroup this container made, every
 * controller offered (stats need them even without limits, as runc and
 * crun do); in one it did not make, only what the limits need, left
 * enabled afterwards (others may rely on it by then). */
static int enable_level(const char *dir, bool ours, unsigned need, struct oci_err *err)
{
    unsigned avail, on;
    if (read_mask(dir, "cgroup.controllers", &avail, err) < 0 ||
        read_mask(dir, "cgroup.subtree_control", &on, err) < 0)
        return -1;
    int e = 0;
    unsigned refused = enable_in(dir, (ours ? avail : need & avail) & ~on, &e) & need;
    for (size_t i = 0; refused && i < ARRAY_SIZE(v2_controllers); i++)
        if (refused & (1u << i))
            return err_set(err, e, "cgroup %s: cannot enable the %s controller", dir,
                           v2_controllers[i]);
    return 0;
}

int cg2_enable_controllers(struct cgroup *cg, const struct spec_resources *res, struct oci_err *err)
{
    unsigned need = needed_mask(res);
    size_t top_len = strlen(cg->top), path_len = strlen(cg->path);
    /* the levels from cg->top down are this container's */
    size_t ours_from = path_len;
    if (top_len && top_len <= path_len && !strncmp(cg->top, cg->path, top_len) &&
        (cg->path[top_len] == '/' || cg->path[top_len] == '\0'))
        ours_from = top_len;
    /* from the hierarchy's root (the top of our reach) to the parent */
    char dir[PATH_MAX_LEN];
    for (size_t end = 0; end < path_len;) {
        bool ours = end >= ours_from;
        if (ours || need) {
            snprintf(dir, sizeof(dir), "%s%.*s", cg->v2_mnt, (int)end, cg->path);
            if (enable_level(dir, ours, need, err) < 0)
                return -1;
        }
        const char *next = strchr(cg->path + end + 1, '/');
        end = next ? (size_t)(next - cg->path) : path_len;
    }
    return 0;
}

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
        if (cgroup_pids(cg, &pids, &n, err) < 0)
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
    .has_controller = v2_has_controller,
    .freeze = v2_freeze,
    .frozen = v2_frozen,
    .kill = v2_kill,
    .stats = cg2_stats,
    .oom_kills = v2_oom_kills,
    .oom_watch = v2_oom_watch,
};
