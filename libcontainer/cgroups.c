/* The cgroup front end the rest of libcontainer calls: the host's layout
 * (unified, hybrid, legacy), a container's cgroup made, joined, limited,
 * frozen, killed and removed through the backends of its hierarchies
 * (cgroup_v1.c, cgroup_v2.c) and, with --systemd-cgroup, the systemd
 * driver in front of them (cgroup_systemd.c). */
#include "config.h"
#include "cgroup_fs.h"
#include "cgroup_need.h"
#include "cgroup_systemd.h"
#include "log.h"
#include "mountinfo.h"
#include "trace.h"
#include "util.h"

#include "cgroup_v1.h"
#include "cgroup_v2.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

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

int cgroup_init_systemd(struct cgroup *cg, enum cg_mode mode, const char *cgroups_path,
                        const char *id, const struct spec_map *annotations, struct oci_err *err)
{
    struct cg_sd_names n;
    int rc = cg_sd_names(cgroups_path, id, annotations, &n, err);
    if (rc == 0)
        rc = cgroup_init(cg, mode, n.path, n.top, err);
    if (rc == 0 && cg->mode == CG_DISABLED)
        rc = err_set(err, 0, "--systemd-cgroup: this host has no cgroup filesystem");
    if (rc == 0) {
        cg->unit = TAKE_PTR(n.unit);
        cg->slice = TAKE_PTR(n.slice);
        cg->delegate = TAKE_PTR(n.delegate);
        cg->unit_pending = true;
    }
    cg_sd_names_free(&n);
    return rc;
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

void cgroup_preload_devices(struct cgroup *cg, const struct spec_resources *res)
{
    if (!cg->defer_devices || cg->mode == CG_DISABLED)
        return;
    const struct cgroup_backend *const *b = backends[cg->mode];
    for (int i = 0; i < 2 && b[i]; i++)
        if (b[i]->preload_devices)
            b[i]->preload_devices(cg, res);
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

int cgroup_pids(struct cgroup *cg, pid_t **pids, size_t *n, struct oci_err *err)
{
    return cg_pids(cg, pids, n, err);
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
