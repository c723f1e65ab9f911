#include "config.h"
#include "cgroup_backend.h"
#include "log.h"
#include "mountinfo.h"
#include "trace.h"
#include "util.h"

#include "cgroup_v1.h"
#include "cgroup_v2.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>

const char *const cg_mode_names[] = {"disabled", "unified", "hybrid", "legacy"};

static const struct cgroup_backend *const backends[][2] = {
    [CG_DISABLED] = {NULL, NULL},
    [CG_UNIFIED] = {&cgroup_v2_backend, NULL},
    [CG_HYBRID] = {&cgroup_v1_backend, &cgroup_v2_backend},
    [CG_LEGACY] = {&cgroup_v1_backend, NULL},
};

static enum cg_mode detect_mode(void)
{
    struct statfs st;
    if (statfs("/sys/fs/cgroup", &st) < 0)
        return CG_DISABLED;
    if (st.f_type == CGROUP2_SUPER_MAGIC)
        return CG_UNIFIED;
    if (st.f_type != TMPFS_MAGIC)
        return CG_DISABLED;
    if (statfs("/sys/fs/cgroup/unified", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
        return CG_HYBRID;
    return CG_LEGACY;
}

/* A v1 hierarchy of the mount table: a "cgroup" mount below
 * /sys/fs/cgroup/, with the controllers taken from its superblock options. */
static int add_v1_hierarchy(const struct mountinfo_mount *m, void *arg)
{
    struct cgroup *cg = arg;
    if (strcmp(m->fstype, "cgroup") || strncmp(m->target, "/sys/fs/cgroup/", 15))
        return 0;
    static const char *const not_controllers[] = {"rw",       "ro",    "clone_children",
                                                  "noprefix", "xattr", "cpuset_v2_mode"};
    char ctrl[256] = "";
    _cleanup_free_ char *opts = xstrdup(m->fs_options);
    char *save = NULL;
    for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
        bool skip = !strncmp(o, "release_agent", 13);
        for (size_t i = 0; !skip && i < ARRAY_SIZE(not_controllers); i++)
            skip = !strcmp(o, not_controllers[i]);
        if (skip)
            continue;
        if (ctrl[0])
            strncat(ctrl, ",", sizeof(ctrl) - strlen(ctrl) - 1);
        strncat(ctrl, o, sizeof(ctrl) - strlen(ctrl) - 1);
    }
    if (!ctrl[0])
        return 0;
    cg->hier = xrealloc(cg->hier, (cg->n_hier + 1) * sizeof(*cg->hier));
    cg->hier[cg->n_hier].mnt = xstrdup(m->target);
    cg->hier[cg->n_hier].controllers = xstrdup(ctrl);
    cg->n_hier++;
    return 0;
}

int cgroup_init(struct cgroup *cg, enum cg_mode mode, const char *path, const char *top,
                struct oci_err *err)
{
    memset(cg, 0, sizeof(*cg));
    cg->v2_fd = -1;
    cg->mode = mode == (enum cg_mode) - 1 ? detect_mode() : mode;
    if (cg->mode == CG_DISABLED)
        return 0;
    cg->path = xstrdup(path);
    cg->top = xstrdup(top ? top : path);
    if (cg->mode == CG_UNIFIED)
        cg->v2_mnt = xstrdup("/sys/fs/cgroup");
    else if (cg->mode == CG_HYBRID)
        cg->v2_mnt = xstrdup("/sys/fs/cgroup/unified");
    if (cg->mode == CG_HYBRID || cg->mode == CG_LEGACY)
        return mountinfo_each(NULL, add_v1_hierarchy, cg, err);
    return 0;
}

void cgroup_release(struct cgroup *cg)
{
    for (size_t i = 0; i < cg->n_hier; i++) {
        free(cg->hier[i].mnt);
        free(cg->hier[i].controllers);
    }
    free(cg->hier);
    free(cg->path);
    free(cg->top);
    free(cg->v2_mnt);
    free(cg->unit);
    free(cg->slice);
    free(cg->delegate);
    if (cg->v2_fd >= 0)
        close(cg->v2_fd);
    memset(cg, 0, sizeof(*cg));
    cg->v2_fd = -1;
}

char *cgroup_resolve_path(const char *config_path, const char *id)
{
    char *out;
    if (!config_path || !*config_path)
        xasprintf(&out, "%s/%s", CG_DEFAULT_PARENT, id);
    else if (config_path[0] == '/')
        out = xstrdup(config_path);
    else
        xasprintf(&out, "%s/%s", CG_DEFAULT_PARENT, config_path);
    /* no trailing slash, no "//" */
    size_t n = strlen(out);
    while (n > 1 && out[n - 1] == '/')
        out[--n] = '\0';
    return out;
}

/* The shallowest component of path that does not exist yet in mnt: every
 * directory from there down is this container's. For the default parent the
 * parent itself is oci-rt's, so it is the top even when it already exists. */
static char *created_top(const char *mnt, const char *path)
{
    size_t dl = strlen(CG_DEFAULT_PARENT);
    if (!strncmp(path, CG_DEFAULT_PARENT, dl) && path[dl] == '/')
        return xstrndup(path, dl);
    char buf[4096];
    for (const char *p = path + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            snprintf(buf, sizeof(buf), "%s%.*s", mnt, (int)(p - path), path);
            if (access(buf, F_OK) < 0)
                return xstrndup(path, (size_t)(p - path));
            if (*p == '\0')
                break;
        }
    }
    return xstrdup(path); /* exists already: only the leaf is ours */
}

void cgroup_plan_top(struct cgroup *cg)
{
    if (cg->mode == CG_DISABLED || cg->top_planned || cg->unit)
        return;
    const char *probe = cg->v2_mnt ? cg->v2_mnt : cg->hier[0].mnt;
    free(cg->top);
    cg->top = created_top(probe, cg->path);
    cg->top_planned = true;
}

int cgroup_create(struct cgroup *cg, const struct spec_resources *res, struct oci_err *err)
{
    if (cg->mode == CG_DISABLED)
        return 0;
    if (cg->unit) {
        cg->res = res; /* systemd makes the cgroup once a process exists: cgroup_enter */
        return 0;
    }
    cgroup_plan_top(cg);
    const struct cgroup_backend *const *b = backends[cg->mode];
    for (int i = 0; i < 2 && b[i]; i++) {
        TRACE_BEGINF(span, "cgroup mkdir %s", b[i]->name);
        int rc = b[i]->create(cg, res, err);
        TRACE_END_RC(span, rc);
        if (rc < 0) {
            struct oci_err ignored = {0};
            for (int j = i - 1; j >= 0; j--)
                b[j]->destroy(cg, &ignored);
            return -1;
        }
    }
    if (res && cgroup_apply(cg, res, false, err) < 0) {
        struct oci_err ignored = {0};
        cgroup_destroy(cg, &ignored);
        return -1;
    }
    return 0;
}

/* ---- resources and operations ---- */

bool cgroup_has_controller(struct cgroup *cg, const char *name)
{
    if (cg->mode == CG_DISABLED)
        return false;
    const struct cgroup_backend *const *b = backends[cg->mode];
    for (int i = 0; i < 2 && b[i]; i++)
        if (b[i]->has_controller && b[i]->has_controller(cg, name))
            return true;
    return false;
}

/* A requested resource whose controller no hierarchy has is an error. */
static int check_available(struct cgroup *cg, const struct spec_resources *r, struct oci_err *err)
{
    struct cg_need need[16];
    size_t n = cg_needs(r, need, ARRAY_SIZE(need));
    for (size_t i = 0; i < n; i++) {
        if (cgroup_has_controller(cg, need[i].v1) ||
            (need[i].v2 && strcmp(need[i].v2, need[i].v1) != 0 &&
             cgroup_has_controller(cg, need[i].v2)))
            continue;
        return err_set(err, 0,
                       "linux.resources.%s: the %s controller is not available on this host",
                       need[i].field, need[i].v1);
    }
    if (r->unified.n && !cg->v2_mnt)
        return err_set(err, 0, "linux.resources.unified: this host has no cgroup v2 hierarchy");
    return 0;
}

/* The devices every container may use whatever its rules say, appended
 * after them as runc does: mknod of any node, and the default nodes. */
static const struct spec_device_cgroup default_devices[] = {
    {true, "c", false, false, 0, 0, "m"},    {true, "b", false, false, 0, 0, "m"},
    {true, "c", true, true, 1, 3, "rwm"},    {true, "c", true, true, 1, 8, "rwm"},
    {true, "c", true, true, 1, 7, "rwm"},    {true, "c", true, true, 5, 0, "rwm"},
    {true, "c", true, true, 1, 5, "rwm"},    {true, "c", true, true, 1, 9, "rwm"},
    {true, "c", true, false, 136, 0, "rwm"}, {true, "c", true, true, 5, 2, "rwm"},
    {true, "c", true, true, 10, 200, "rwm"},
};

struct spec_device_cgroup *cg_devices_with_defaults(const struct spec_resources *res, size_t *n)
{
    size_t own = res ? res->n_devices : 0;
    *n = own + ARRAY_SIZE(default_devices);
    struct spec_device_cgroup *devs = xmalloc(*n * sizeof(*devs));
    if (own)
        memcpy(devs, res->devices, own * sizeof(*devs));
    memcpy(devs + own, default_devices, sizeof(default_devices));
    return devs;
}

int cgroup_apply_devices(struct cgroup *cg, const struct spec_resources *res, struct oci_err *err)
{
    if (!cg->defer_devices)
        return 0;
    cg->defer_devices = false;
    if (cg->mode == CG_DISABLED)
        return 0;
    struct spec_resources only;
    memset(&only, 0, sizeof(only));
    only.devices = cg_devices_with_defaults(res, &only.n_devices);
    int rc = 0;
    const struct cgroup_backend *const *b = backends[cg->mode];
    for (int i = 0; rc == 0 && i < 2 && b[i]; i++)
        if (b[i]->apply && b[i]->apply(cg, &only, false, err) < 0)
            rc = -1;
    free(only.devices);
    return rc;
}

int cgroup_apply(struct cgroup *cg, const struct spec_resources *res, bool update,
                 struct oci_err *err)
{
    if (!res || cg->mode == CG_DISABLED)
        return 0;
    if (check_available(cg, res, err) < 0)
        return -1;
    if (cg->unit && update && cg_sd_set(cg, res, err) < 0)
        return -1;
    struct spec_resources eff = *res;
    struct spec_device_cgroup *devs = NULL;
    if (cg->defer_devices) {
        eff.devices = NULL; /* cgroup_apply_devices does them */
        eff.n_devices = 0;
    } else if (res->n_devices || !update) {
        devs = cg_devices_with_defaults(res, &eff.n_devices);
        eff.devices = devs;
    }
    int rc = 0;
    const struct cgroup_backend *const *b = backends[cg->mode];
    for (int i = 0; rc == 0 && i < 2 && b[i]; i++)
        if (b[i]->apply && b[i]->apply(cg, &eff, update, err) < 0)
            rc = -1;
    free(devs);
    return rc;
}

/* The backend that freezes: the v1 freezer where there is one, else v2. */
static const struct cgroup_backend *freezer(struct cgroup *cg)
{
    if (cg->mode == CG_DISABLED)
        return NULL;
    const struct cgroup_backend *const *b = backends[cg->mode];
    for (int i = 0; i < 2 && b[i]; i++)
        if (b[i]->freeze && b[i]->has_controller && b[i]->has_controller(cg, "freezer"))
            return b[i];
    return NULL;
}

int cgroup_freeze(struct cgroup *cg, bool frozen, struct oci_err *err)
{
    const struct cgroup_backend *b = freezer(cg);
    if (!b)
        return err_set(err, 0, "cgroup: no freezer for %s", cg->path ? cg->path : "(none)");
    return b->freeze(cg, frozen, err);
}

int cgroup_frozen(struct cgroup *cg)
{
    const struct cgroup_backend *b = freezer(cg);
    return b ? b->frozen(cg) : -1;
}

int cgroup_reclaim(struct cgroup *cg, pid_t pid)
{
    if (cg->mode == CG_DISABLED)
        return 0;
    const struct cgroup_backend *const *b = backends[cg->mode];
    for (int i = 0; i < 2 && b[i]; i++)
        if (b[i]->reclaim) {
            int r = b[i]->reclaim(cg, pid);
            if (r != 0)
                return r;
        }
    return 0;
}

int cgroup_signal_all(struct cgroup *cg, int sig, struct oci_err *err)
{
    if (cg->mode == CG_DISABLED)
        return err_set(err, 0, "cgroup: the container has no cgroup (--cgroup-manager disabled)");
    if (sig == SIGKILL)
        return cgroup_kill_all(cg, err);
    bool freeze = freezer(cg) != NULL && cgroup_frozen(cg) == 0;
    if (freeze && cgroup_freeze(cg, true, err) < 0)
        return -1;
    pid_t *pids;
    size_t n;
    int rc = cgroup_pids(cg, &pids, &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (kill(pids[i], sig) < 0 && errno != ESRCH)
            rc = err_set(err, errno, "cgroup: signal %d to %d", sig, pids[i]);
    free(pids);
    struct oci_err terr = {0};
    if (freeze && cgroup_freeze(cg, false, rc == 0 ? err : &terr) < 0)
        rc = -1;
    return rc;
}

int cgroup_stats(struct cgroup *cg, struct cgroup_stats *st, struct oci_err *err)
{
    memset(st, 0, sizeof(*st));
    if (cg->mode == CG_DISABLED)
        return 0;
    const struct cgroup_backend *const *b = backends[cg->mode];
    for (int i = 0; i < 2 && b[i]; i++)
        if (b[i]->stats && b[i]->stats(cg, st, err) < 0)
            return -1;
    return 0;
}

void cgroup_stats_free(struct cgroup_stats *st)
{
    free(st->cpu.percpu);
    for (size_t i = 0; i < st->memory.raw.n; i++) {
        free(st->memory.raw.items[i].key);
        free(st->memory.raw.items[i].value);
    }
    free(st->memory.raw.items);
    free(st->io_bytes);
    free(st->io_ops);
    free(st->hugetlb);
    memset(st, 0, sizeof(*st));
}

/* The backend holding the memory controller. */
static const struct cgroup_backend *memory_backend(struct cgroup *cg)
{
    if (cg->mode == CG_DISABLED)
        return NULL;
    const struct cgroup_backend *const *b = backends[cg->mode];
    for (int i = 0; i < 2 && b[i]; i++)
        if (b[i]->has_controller && b[i]->has_controller(cg, "memory"))
            return b[i];
    return NULL;
}

int64_t cgroup_oom_kills(struct cgroup *cg)
{
    const struct cgroup_backend *b = memory_backend(cg);
    return b && b->oom_kills ? b->oom_kills(cg) : -1;
}

int cgroup_oom_watch(struct cgroup *cg, bool *per_event, struct oci_err *err)
{
    const struct cgroup_backend *b = memory_backend(cg);
    if (!b || !b->oom_watch)
        return err_set(err, 0, "cgroup: no memory controller to watch for OOM events");
    return b->oom_watch(cg, per_event, err);
}

/* systemd: the scope is started with pid in it, then the backends make
 * what is below it and apply the resources in its cgroup. */
static int systemd_enter(struct cgroup *cg, pid_t pid, struct oci_err *err)
{
    TRACE_BEGINF(span, "systemd start %s", cg->unit);
    int rc = cg_sd_start(cg, pid, cg->res, err);
    TRACE_END_RC(span, rc);
    if (rc < 0)
        return -1;
    const struct cgroup_backend *const *b = backends[cg->mode];
    for (int i = 0; i < 2 && b[i]; i++) {
        /* v2: into the sub-cgroup (when there is one) first, so that the
         * scope is empty when controllers are enabled for its children */
        bool v2 = b[i] == &cgroup_v2_backend;
        if (v2 &&
            (cg_mkdir_path(cg->v2_mnt, cg->path, false, err) < 0 || b[i]->enter(cg, pid, err) < 0))
            return -1;
        if (b[i]->create(cg, cg->res, err) < 0 || (!v2 && b[i]->enter(cg, pid, err) < 0))
            return -1;
    }
    if (cg->delegate && !cg->delegate_late && cgroup_enter_delegated(cg, pid, err) < 0)
        return -1;
    return cg->res ? cgroup_apply(cg, cg->res, false, err) : 0;
}

char *cgroup_procs_path(const struct cgroup *cg)
{
    char *out;
    if (cg->delegate)
        xasprintf(&out, "%s/%s", cg->path, cg->delegate);
    else
        out = xstrdup(cg->path);
    return out;
}

bool cgroup_host_unified(void)
{
    return detect_mode() == CG_UNIFIED;
}

/* The delegated cgroup gets every controller its parent has: the
 * container manages it (crun applies no limit there either). */
int cgroup_enter_delegated(struct cgroup *cg, pid_t pid, struct oci_err *err)
{
    if (!cg->delegate || !cg->v2_mnt)
        return 0;
    _cleanup_free_ char *rel = cgroup_procs_path(cg);
    char dir[PATH_MAX_LEN], file[PATH_MAX_LEN + 32];
    snprintf(dir, sizeof(dir), "%s%s", cg->v2_mnt, rel);
    if (cg_mkdir_path(cg->v2_mnt, rel, false, err) < 0 || cg_write_pid(dir, pid, err) < 0)
        return -1;
    snprintf(file, sizeof(file), "%s%s/cgroup.controllers", cg->v2_mnt, cg->path);
    _cleanup_free_ char *have = NULL;
    if (read_file_at(AT_FDCWD, file, &have, NULL, 4096) < 0)
        return 0;
    snprintf(file, sizeof(file), "%s%s/cgroup.subtree_control", cg->v2_mnt, cg->path);
    char *save = NULL;
    for (char *c = strtok_r(have, " \n", &save); c; c = strtok_r(NULL, " \n", &save)) {
        char buf[64];
        int n = snprintf(buf, sizeof(buf), "+%s", c);
        if (write_file_at(AT_FDCWD, file, buf, (size_t)n) < 0)
            log_debug("cgroup: enable %s in %s: %s", c, file, strerror(errno));
    }
    return 0;
}

int cgroup_enter(struct cgroup *cg, pid_t pid, bool v2_done, struct oci_err *err)
{
    if (cg->unit && cg->unit_pending)
        return systemd_enter(cg, pid, err);
    if (!cg->v2_mnt || v2_done)
        return 0;
    return cgroup_v2_backend.enter(cg, pid, err);
}

int cgroup_enter_self(struct cgroup *cg, struct oci_err *err)
{
    if (cg->unit_pending)
        return 0; /* the parent moves it once systemd made the scope */
    if (cg->mode != CG_HYBRID && cg->mode != CG_LEGACY)
        return 0;
    return cgroup_v1_backend.enter(cg, 0, err);
}

int cgroup_enter_self_all(struct cgroup *cg, struct oci_err *err)
{
    if (cgroup_enter_self(cg, err) < 0)
        return -1;
    if (!cg->v2_mnt)
        return 0;
    char dir[4096];
    _cleanup_free_ char *rel = cgroup_procs_path(cg);
    snprintf(dir, sizeof(dir), "%s%s", cg->v2_mnt, rel);
    return cg_write_pid(dir, 0, err); /* 0: the writer itself */
}

int cgroup_destroy(struct cgroup *cg, struct oci_err *err)
{
    if (cg->mode == CG_DISABLED)
        return 0;
    const struct cgroup_backend *const *b = backends[cg->mode];
    int rc = 0;
    if (cg->unit) {
        /* systemd removes the scope's cgroup; what is left (it was never
         * started, or it failed) is removed below */
        TRACE_BEGINF(span, "systemd stop %s", cg->unit);
        struct oci_err serr = {0};
        int src = cg_sd_stop(cg, &serr);
        TRACE_END_RC(span, src);
        /* systemd gone or not answering: an empty scope's cgroup can still
         * be removed (and systemd, when back, drops the unit) */
        if (src < 0)
            log_warn("%s", serr.msg);
        err_clear(&serr);
    }
    for (int i = 0; i < 2 && b[i]; i++) {
        if (b[i]->destroy(cg, err) < 0) {
            rc = -1;
            break;
        }
    }
    return rc;
}

static void add_pid(pid_t **pids, size_t *n, size_t *cap, pid_t p)
{
    for (size_t i = 0; i < *n; i++)
        if ((*pids)[i] == p)
            return;
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *pids = xrealloc(*pids, *cap * sizeof(pid_t));
    }
    (*pids)[(*n)++] = p;
}

/* The pids of dir and of the cgroups below it (a container may make its
 * own: a cgroup namespace, exec --cgroup). A directory's link count tells
 * whether it has any: the common case reads one file. */
static int tree_pids(const char *dir, int depth, pid_t **pids, size_t *n, size_t *cap,
                     struct oci_err *err)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
    _cleanup_free_ char *data = NULL;
    if (read_file_at(AT_FDCWD, path, &data, NULL, 1 << 24) < 0)
        return errno == ENOENT ? 0 : err_set(err, errno, "read %s", path);
    for (char *p = data, *end; *p; p = end) {
        long v = strtol(p, &end, 10);
        if (end == p)
            break;
        while (*end == '\n')
            end++;
        add_pid(pids, n, cap, (pid_t)v);
    }
    struct stat st;
    if (depth > 32 || stat(dir, &st) < 0 || st.st_nlink <= 2)
        return 0;
    DIR *d = opendir(dir);
    int rc = 0;
    for (struct dirent *e; rc == 0 && d && (e = readdir(d));)
        if (e->d_type == DT_DIR && e->d_name[0] != '.') {
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            rc = tree_pids(path, depth + 1, pids, n, cap, err);
        }
    if (d)
        closedir(d);
    return rc;
}

int cgroup_pids(struct cgroup *cg, pid_t **pids, size_t *n, struct oci_err *err)
{
    *pids = NULL;
    *n = 0;
    if (cg->mode == CG_DISABLED)
        return 0;
    /* the cgroup2 hierarchy, or the first v1 one, and the v1 freezer's (a
     * process someone moved there is still the container's) */
    char dir[4096];
    size_t cap = 0;
    snprintf(dir, sizeof(dir), "%s%s", cg->v2_mnt ? cg->v2_mnt : cg->hier[0].mnt, cg->path);
    int rc = tree_pids(dir, 0, pids, n, &cap, err);
    if (rc == 0 && cg->mode != CG_UNIFIED && cg_v1_dir(cg, "freezer", dir, sizeof(dir)))
        rc = tree_pids(dir, 0, pids, n, &cap, err);
    return rc;
}

int cgroup_kill_all(struct cgroup *cg, struct oci_err *err)
{
    if (cg->mode == CG_DISABLED)
        return 0;
    struct timespec ms = {0, 1000000};
    for (int round = 0; round < 2000; round++) {
        pid_t *pids;
        size_t n;
        if (cgroup_pids(cg, &pids, &n, err) < 0)
            return -1;
        if (!n)
            return 0;
        /* cgroup.kill takes the whole tree at once (also the cgroup2 half
         * of a hybrid host, where every process has a cgroup too) */
        bool all = round == 0 && cg->v2_mnt && cg2_kill_write(cg) == 0;
        /* a fork that keeps outrunning the signals: frozen meanwhile */
        bool freeze = round >= 10 && freezer(cg) && cgroup_frozen(cg) == 0 &&
                      cgroup_freeze(cg, true, err) == 0;
        err_clear(err);
        for (size_t i = 0; !all && i < n; i++) {
            kill(pids[i], SIGKILL);
            if (round >= 20) /* still there: frozen elsewhere? */
                cgroup_reclaim(cg, pids[i]);
        }
        free(pids);
        if (freeze)
            cgroup_freeze(cg, false, err); /* frozen tasks do not die */
        err_clear(err);
        nanosleep(&ms, NULL);
    }
    return err_set(err, EBUSY, "cgroup %s: processes keep appearing", cg->path);
}

int cg_write_pid(const char *dir, pid_t pid, struct oci_err *err)
{
    char path[4096], buf[24];
    snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
    int len = snprintf(buf, sizeof(buf), "%d", pid);
    if (write_file_at(AT_FDCWD, path, buf, (size_t)len) < 0)
        return err_set(err, errno, "cgroup: add pid %d to %s", pid, dir);
    return 0;
}

/* cpuset directories start empty and refuse tasks: give a new one its
 * parent's cpus and mems. */
static int cpuset_inherit(const char *dir, struct oci_err *err)
{
    static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
    char parent[4096];
    snprintf(parent, sizeof(parent), "%s", dir);
    *strrchr(parent, '/') = '\0';
    for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
        char p[4200], c[4200];
        snprintf(p, sizeof(p), "%s/%s", parent, files[i]);
        snprintf(c, sizeof(c), "%s/%s", dir, files[i]);
        _cleanup_free_ char *val = NULL;
        size_t len;
        if (read_file_at(AT_FDCWD, p, &val, &len, 65536) < 0)
            return err_set(err, errno, "cgroup: read %s", p);
        if (len && write_file_at(AT_FDCWD, c, val, len) < 0)
            return err_set(err, errno, "cgroup: write %s", c);
    }
    return 0;
}

int cg_mkdir_path(const char *mnt, const char *path, bool cpuset, struct oci_err *err)
{
    char buf[4096];
    for (int attempt = 0;; attempt++) {
        bool retry = false;
        for (const char *p = path + 1;; p++) {
            if (*p != '/' && *p != '\0')
                continue;
            snprintf(buf, sizeof(buf), "%s%.*s", mnt, (int)(p - path), path);
            if (mkdir(buf, 0755) == 0) {
                if (cpuset && cpuset_inherit(buf, err) < 0)
                    return -1;
            } else if (errno == ENOENT && attempt < 5) {
                retry = true; /* a parent was removed under us by a delete */
                break;
            } else if (errno != EEXIST) {
                return err_set(err, errno, "cgroup: mkdir %s", buf);
            }
            if (*p == '\0')
                break;
        }
        if (!retry)
            return 0;
    }
}

/* rmdir, waiting briefly while the kernel still holds a dying cgroup or
 * its exiting tasks. */
static int rmdir_wait(const char *dir)
{
    for (int tries = 0; rmdir(dir) < 0; tries++) {
        if (errno == ENOENT)
            return 0;
        if (errno != EBUSY || tries >= 200)
            return -1;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* The cgroups a container made below its own, deepest first. */
static int rmdir_children(const char *dir, int depth, struct oci_err *err)
{
    struct stat st;
    if (depth > 32 || stat(dir, &st) < 0 || st.st_nlink <= 2)
        return 0;
    DIR *d = opendir(dir);
    int rc = 0;
    char sub[4096];
    for (struct dirent *e; rc == 0 && d && (e = readdir(d));) {
        if (e->d_type != DT_DIR || e->d_name[0] == '.')
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
        rc = rmdir_children(sub, depth + 1, err);
        if (rc == 0 && rmdir_wait(sub) < 0)
            rc = err_set(err, errno, "cgroup: remove %s", sub);
    }
    if (d)
        closedir(d);
    return rc;
}

int cg_rmdir_path(const char *mnt, const char *path, const char *top, struct oci_err *err)
{
    char buf[4096];
    size_t top_len = strlen(top);
    snprintf(buf, sizeof(buf), "%s%s", mnt, path);
    size_t mnt_len = strlen(mnt);
    if (rmdir_children(buf, 0, err) < 0)
        return -1;
    for (bool leaf = true;; leaf = false) {
        if (leaf && rmdir_wait(buf) < 0)
            return err_set(err, errno, "cgroup: remove %s", buf);
        if (!leaf && rmdir(buf) < 0 && errno != ENOENT)
            return 0; /* an ancestor still in use by another container */
        char *slash = strrchr(buf + mnt_len, '/');
        if (!slash || strlen(buf + mnt_len) <= top_len)
            return 0;
        *slash = '\0';
        if (strlen(buf + mnt_len) < top_len)
            return 0;
    }
}
