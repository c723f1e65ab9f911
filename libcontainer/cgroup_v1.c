/* cgroup v1 hierarchies (legacy hosts, and the v1 half of hybrid hosts):
 * directories, joining, the freezer and OOM events. Resources and
 * statistics are in cgroup_v1_res.c. */
#include "config.h"
#include "cgroup_fs.h"
#include "cgroup_v1.h"
#include "cgroup_v1_res.h"
#include "cgroup_v1_stats.h"
#include "util.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>

static int v1_destroy(struct cgroup *cg, struct oci_err *err)
{
    int rc = 0;
    for (size_t i = 0; i < cg->n_hier; i++) {
        struct oci_err e = {0};
        if (cg_rmdir_path(cg->hier[i].mnt, cg->path, cg->top, &e) < 0 && rc == 0)
            rc = err_copy(err, &e);
    }
    return rc;
}

static int v1_create(struct cgroup *cg, const struct spec_resources *res, struct oci_err *err)
{
    (void)res;
    for (size_t i = 0; i < cg->n_hier; i++) {
        const struct cg_hier *h = &cg->hier[i];
        if (cg_mkdir_path(h->mnt, cg->path, cg_v1_hier_has(h, "cpuset"), err) < 0) {
            struct oci_err ignored = {0};
            v1_destroy(cg, &ignored);
            return -1;
        }
    }
    return 0;
}

/* pid 0: the caller moves itself through "tasks" (see cgroup_enter_self) */
static int v1_enter(struct cgroup *cg, pid_t pid, struct oci_err *err)
{
    char path[PATH_MAX_LEN];
    for (size_t i = 0; i < cg->n_hier; i++) {
        if (pid) {
            snprintf(path, sizeof(path), "%s%s", cg->hier[i].mnt, cg->path);
            if (cg_write_pid(path, pid, err) < 0)
                return -1;
            continue;
        }
        snprintf(path, sizeof(path), "%s%s/tasks", cg->hier[i].mnt, cg->path);
        if (write_file_at(AT_FDCWD, path, "0", 1) < 0)
            return err_set(err, errno, "cgroup: join %s%s", cg->hier[i].mnt, cg->path);
    }
    return 0;
}

/* ---- freezer ---- */

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/* freezer.state is written in place (not appended): THAWED and FROZEN
 * have the same length, so a plain file mirrors the kernel's. */
static int set_state(const char *dir, const char *state)
{
    char path[PATH_MAX_LEN];
    snprintf(path, sizeof(path), "%s/freezer.state", dir);
    return write_file_at(AT_FDCWD, path, state, strlen(state));
}

/* A v1 cgroup can stay FREEZING while tasks fork or join it: write FROZEN
 * again until it sticks, with an occasional thaw and sleep to let new
 * tasks settle (as runc does); give up after about a second. */
static int freeze_dir(const char *dir, struct oci_err *err)
{
    char state[32];
    for (int i = 0; i < 1000; i++) {
        if (i % 50 == 49) {
            set_state(dir, "THAWED");
            sleep_us(10000);
        }
        if (set_state(dir, "FROZEN") < 0)
            return err_set(err, errno, "cgroup: write %s/freezer.state", dir);
        if (i > 0)
            sleep_us(i < 10 ? 100 : 1000);
        if (cg_v1_read(dir, "freezer.state", state, sizeof(state)) < 0)
            return err_set(err, errno, "cgroup: read %s/freezer.state", dir);
        if (!strcmp(state, "FROZEN"))
            return 0;
        if (strcmp(state, "FREEZING") != 0)
            return err_set(err, 0, "cgroup: %s/freezer.state: unexpected state \"%s\"", dir, state);
    }
    return err_set(err, EBUSY, "cgroup: freeze %s: still FREEZING after 1000 attempts", dir);
}

static int v1_freeze(struct cgroup *cg, bool frozen, struct oci_err *err)
{
    char dir[PATH_MAX_LEN];
    if (!cg_v1_dir(cg, "freezer", dir, sizeof(dir)))
        return err_set(err, 0, "cgroup: no v1 freezer for %s", cg->path);
    if (!frozen) {
        if (set_state(dir, "THAWED") < 0)
            return err_set(err, errno, "cgroup: write %s/freezer.state", dir);
        return 0; /* synchronous in the kernel */
    }
    if (freeze_dir(dir, err) == 0)
        return 0;
    set_state(dir, "THAWED"); /* never leave it half frozen */
    return -1;
}

static int v1_frozen(struct cgroup *cg)
{
    char dir[PATH_MAX_LEN], state[32];
    if (!cg_v1_dir(cg, "freezer", dir, sizeof(dir)))
        return -1;
    for (int i = 0; i < 1000; i++) {
        if (cg_v1_read(dir, "freezer.state", state, sizeof(state)) < 0)
            return -1;
        if (!strcmp(state, "THAWED"))
            return 0;
        if (!strcmp(state, "FROZEN")) {
            /* frozen only through an ancestor: not paused itself */
            char self[8];
            if (cg_v1_read(dir, "freezer.self_freezing", self, sizeof(self)) == 0)
                return strcmp(self, "0") != 0;
            return 1;
        }
        sleep_us(1000); /* FREEZING: wait for a stable state */
    }
    return 1; /* stuck in FREEZING: partly stopped */
}

/* ---- OOM ---- */

/* The freezer cgroup of pid, relative to the hierarchy, from
 * /proc/PID/cgroup; false when it has none. */
static bool freezer_of(pid_t pid, char *out, size_t size)
{
    char path[64], buf[4096];
    snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
    if (cg_v1_read("", path, buf, sizeof(buf)) < 0)
        return false;
    for (char *line = buf, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *ctrls = strchr(line, ':'), *rel = ctrls ? strchr(ctrls + 1, ':') : NULL;
        if (!rel)
            continue;
        *rel++ = '\0';
        struct cg_hier h = {.controllers = ctrls + 1};
        if (cg_v1_hier_has(&h, "freezer"))
            return (size_t)snprintf(out, size, "%s", rel) < size;
    }
    return false;
}

/* A process of the container that someone moved into a frozen freezer
 * cgroup that is not the container's: moved back into the container's,
 * which is not frozen, and so thawed (a task that joins a thawed v1 freezer
 * cgroup runs), so that its pending SIGKILL takes it. The other cgroup is
 * only read. 1: moved, 0: nothing to do, -1 with errno. */
static int v1_reclaim(struct cgroup *cg, pid_t pid)
{
    char own[PATH_MAX_LEN], rel[PATH_MAX_LEN], dir[PATH_MAX_LEN * 2], state[32];
    const struct cg_hier *h = NULL;
    for (size_t i = 0; i < cg->n_hier && !h; i++)
        if (cg_v1_hier_has(&cg->hier[i], "freezer"))
            h = &cg->hier[i];
    if (!h || !cg_v1_dir(cg, "freezer", own, sizeof(own)) || !freezer_of(pid, rel, sizeof(rel)) ||
        !strcmp(rel, cg->path))
        return 0;
    snprintf(dir, sizeof(dir), "%s%s", h->mnt, rel);
    if (cg_v1_read(dir, "freezer.state", state, sizeof(state)) < 0 ||
        (strncmp(state, "FROZEN", 6) != 0 && strncmp(state, "FREEZING", 8) != 0))
        return 0;
    char p[16];
    snprintf(p, sizeof(p), "%d", pid);
    int r = cg_v1_write(own, "cgroup.procs", p);
    if (r < 0) {
        errno = -r;
        return -1;
    }
    return 1;
}

static int64_t v1_oom_kills(struct cgroup *cg)
{
    char dir[PATH_MAX_LEN], buf[256];
    if (!cg_v1_dir(cg, "memory", dir, sizeof(dir)) ||
        cg_v1_read(dir, "memory.oom_control", buf, sizeof(buf)) < 0)
        return -1;
    for (char *line = buf; line; line = strchr(line, '\n')) {
        line += *line == '\n';
        uint64_t v;
        if (!strncmp(line, "oom_kill ", 9) && sscanf(line + 9, "%" SCNu64, &v) == 1)
            return (int64_t)v;
    }
    return -1;
}

/* An eventfd registered through cgroup.event_control for memory.oom_control:
 * the kernel signals it on each OOM in the cgroup, and when the cgroup is
 * removed. */
static int v1_oom_watch(struct cgroup *cg, bool *per_event, struct oci_err *err)
{
    *per_event = true;
    char dir[PATH_MAX_LEN], path[PATH_MAX_LEN + 32], line[64];
    if (!cg_v1_dir(cg, "memory", dir, sizeof(dir)))
        return err_set(err, 0, "cgroup: no v1 memory controller for %s", cg->path);
    snprintf(path, sizeof(path), "%s/memory.oom_control", dir);
    _cleanup_close_ int ocfd = open(path, O_RDONLY | O_CLOEXEC);
    if (ocfd < 0)
        return err_set(err, errno, "cgroup: open %s", path);
    _cleanup_close_ int efd = eventfd(0, EFD_CLOEXEC);
    if (efd < 0)
        return err_set(err, errno, "cgroup: eventfd");
    snprintf(line, sizeof(line), "%d %d", efd, ocfd);
    int r = cg_v1_write(dir, "cgroup.event_control", line);
    if (r < 0)
        return err_set(err, -r, "cgroup: register an OOM event in %s/cgroup.event_control", dir);
    return TAKE_FD(efd);
}

const struct cgroup_backend cgroup_v1_backend = {
    .name = "v1",
    .create = v1_create,
    .enter = v1_enter,
    .destroy = v1_destroy,
    .apply = cg_v1_apply,
    .has_controller = cg_v1_has_controller,
    .freeze = v1_freeze,
    .frozen = v1_frozen,
    .kill = NULL, /* v1 has no cgroup.kill */
    .reclaim = v1_reclaim,
    .stats = cg_v1_stats,
    .oom_kills = v1_oom_kills,
    .oom_watch = v1_oom_watch,
};
