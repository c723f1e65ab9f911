/* The systemd cgroup driver (--systemd-cgroup, --cgroup-manager systemd), a
 * layer over the cgroupfs backends: systemd makes and removes the
 * container's cgroup, a transient scope unit, and the backends then work
 * in it as in any cgroup (resources systemd has no property for, freezer,
 * statistics, OOM events, kill).
 *
 * cgroupsPath "slice:prefix:name" is the scope prefix-name.scope in slice
 * (runc's format); systemd creates the slice and its parents (a-b-c.slice
 * lives in a.slice/a-b.slice/). The scope has Delegate=yes, the resources
 * systemd knows as properties, and is started with the container's first
 * process in it (PIDs): systemd refuses an empty scope, so the scope is made
 * once the process exists, by cgroup_enter (cgroups.c).
 *
 * crun's annotations: run.oci.systemd.subgroup puts the container in a
 * sub-cgroup of the scope; run.oci.delegate-cgroup puts its processes one
 * level further down, in a cgroup left to the container. */
#include "config.h"
#include "cgroup_sdbus.h"
#include "cgroup_systemd.h"
#include "cgroup_systemd_props.h"
#include "log.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define SD_PRIVATE_BUS "/run/systemd/private"
#define SD_SYSTEM_BUS "/run/dbus/system_bus_socket"
#define SD_JOB_TIMEOUT_US (60ULL * 1000000)
#define SD_DEFAULT_SLICE "system.slice"
#define SD_DEFAULT_PREFIX "oci-rt"
#define ANN_SUBGROUP "run.oci.systemd.subgroup"
#define ANN_DELEGATE "run.oci.delegate-cgroup"

/* ---- names and paths ---- */

/* Unit name characters (systemd's unit_name_is_valid) */
static bool unit_chars_ok(const char *s)
{
    return *s &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_.\\") ==
               strlen(s);
}

/* "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice" as systemd nests
 * slices; "-.slice" is the root. NULL when the name is not a slice's. */
static char *expand_slice(const char *slice)
{
    size_t n = strlen(slice);
    if (n < 7 || strcmp(slice + n - 6, ".slice") != 0 || !unit_chars_ok(slice) ||
        strchr(slice, '/'))
        return NULL;
    if (!strcmp(slice, "-.slice"))
        return xstrdup("");
    size_t base = n - 6;
    if (slice[0] == '-' || slice[base - 1] == '-' || strstr(slice, "--"))
        return NULL;
    char *out = xmalloc(n * (n / 2 + 2) + 16), *o = out;
    for (size_t i = 0; i <= base; i++) {
        if (i == base || slice[i] == '-')
            o += sprintf(o, "/%.*s.slice", (int)i, slice);
    }
    return out;
}

/* cgroupsPath -> slice and unit, as runc reads it. */
static int parse_path(const char *cgroups_path, const char *id, char **slice, char **unit,
                      struct oci_err *err)
{
    const char *p = cgroups_path ? cgroups_path : "";
    _cleanup_free_ char *s = NULL, *prefix = NULL, *name = NULL;
    if (!*p) {
        s = xstrdup(SD_DEFAULT_SLICE);
        prefix = xstrdup(SD_DEFAULT_PREFIX);
        name = xstrdup(id);
    } else {
        const char *c1 = strchr(p, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2 || strchr(c2 + 1, ':'))
            return err_set(err, 0,
                           "linux.cgroupsPath \"%s\": expected \"slice:prefix:name\" for the "
                           "systemd cgroup driver",
                           p);
        s = c1 == p ? xstrdup(SD_DEFAULT_SLICE) : xstrndup(p, (size_t)(c1 - p));
        prefix = xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
        name = xstrdup(*(c2 + 1) ? c2 + 1 : id);
    }
    _cleanup_free_ char *expanded = expand_slice(s);
    if (!expanded)
        return err_set(err, 0, "linux.cgroupsPath \"%s\": \"%s\" is not a valid slice name", p, s);
    if (!unit_chars_ok(name) || (*prefix && !unit_chars_ok(prefix)))
        return err_set(err, 0,
                       "linux.cgroupsPath \"%s\": \"%s%s%s\" is not a valid unit name "
                       "(letters, digits, \":-_.\\\")",
                       p, prefix, *prefix ? "-" : "", name);
    size_t nl = strlen(name);
    if (nl > 6 && !strcmp(name + nl - 6, ".slice"))
        return err_set(err, 0,
                       "linux.cgroupsPath \"%s\": a slice as the container's unit is not "
                       "supported (the container runs in a scope)",
                       p);
    if (*prefix)
        xasprintf(unit, "%s-%s.scope", prefix, name);
    else
        xasprintf(unit, "%s.scope", name);
    *slice = TAKE_PTR(s);
    return 0;
}

/* A sub-cgroup name from an annotation: relative, no "." or ".." parts. */
static int check_subdir(const char *ann, const char *v, struct oci_err *err)
{
    if (v[0] == '/' || !strcmp(v, ".") || !strcmp(v, "..") || strstr(v, "/../") ||
        !strncmp(v, "../", 3) || strstr(v, "//") || v[strlen(v) - 1] == '/' ||
        (strlen(v) > 3 && !strcmp(v + strlen(v) - 3, "/..")))
        return err_set(err, 0, "annotation %s=\"%s\": expected a relative cgroup name", ann, v);
    return 0;
}

/* Is a system bus there to talk to systemd over? */
static const char *bus_missing(void)
{
    if (access(SD_PRIVATE_BUS, F_OK) == 0 || access(SD_SYSTEM_BUS, F_OK) == 0)
        return NULL;
    return SD_SYSTEM_BUS;
}

int cgroup_systemd_check(const char *cgroups_path, const char *id,
                         const struct spec_map *annotations, bool unified, struct oci_err *err)
{
    _cleanup_free_ char *slice = NULL, *unit = NULL;
    if (parse_path(cgroups_path, id, &slice, &unit, err) < 0)
        return -1;
    const char *sub = spec_map_get(annotations, ANN_SUBGROUP);
    const char *del = spec_map_get(annotations, ANN_DELEGATE);
    if ((sub && *sub && check_subdir(ANN_SUBGROUP, sub, err) < 0) ||
        (del && *del && check_subdir(ANN_DELEGATE, del, err) < 0))
        return -1;
    if (del && *del && !unified)
        return err_set(err, 0, "annotation %s: cgroup delegation needs cgroup v2 only",
                       ANN_DELEGATE);
    if (geteuid() != 0)
        return err_set(err, 0,
                       "--systemd-cgroup: the systemd driver of a rootless container (the "
                       "user's bus) is not supported; use --cgroup-manager cgroupfs");
    const char *missing = bus_missing();
    if (missing)
        return err_set(err, 0,
                       "--systemd-cgroup: no systemd on this host: no system bus at %s (nor "
                       "%s); use --cgroup-manager cgroupfs",
                       missing, SD_PRIVATE_BUS);
    return 0;
}

int cg_sd_names(const char *cgroups_path, const char *id, const struct spec_map *annotations,
                struct cg_sd_names *out, struct oci_err *err)
{
    memset(out, 0, sizeof(*out));
    if (parse_path(cgroups_path, id, &out->slice, &out->unit, err) < 0)
        return -1;
    _cleanup_free_ char *slice_path = expand_slice(out->slice);
    xasprintf(&out->top, "%s/%s", slice_path, out->unit);
    const char *sub = spec_map_get(annotations, ANN_SUBGROUP);
    const char *del = spec_map_get(annotations, ANN_DELEGATE);
    if (del && *del && !sub)
        sub = "container"; /* crun's default sub-cgroup on cgroup v2 */
    if (sub && *sub)
        xasprintf(&out->path, "%s/%s", out->top, sub);
    else
        out->path = xstrdup(out->top);
    out->delegate = del && *del ? xstrdup(del) : NULL;
    return 0;
}

void cg_sd_names_free(struct cg_sd_names *n)
{
    free(n->slice);
    free(n->unit);
    free(n->top);
    free(n->path);
    free(n->delegate);
    memset(n, 0, sizeof(*n));
}

void cgroup_reopen_systemd(struct cgroup *cg, const char *delegate)
{
    const char *slash = cg->top ? strrchr(cg->top, '/') : NULL;
    if (!slash)
        return;
    cg->unit = xstrdup(slash + 1);
    cg->delegate = delegate && *delegate ? xstrdup(delegate) : NULL;
}

/* ---- the bus ---- */

static void bus_closep(sd_bus **b)
{
    if (*b)
        cg_sd.flush_close_unref(*b);
}
static void msg_unrefp(sd_bus_message **m)
{
    if (*m)
        cg_sd.message_unref(*m);
}
static void slot_unrefp(sd_bus_slot **s)
{
    if (*s)
        cg_sd.slot_unref(*s);
}
#define _cleanup_bus_ _cleanup_(bus_closep)
#define _cleanup_msg_ _cleanup_(msg_unrefp)

/* systemd's own socket when root may use it (no bus daemon in between,
 * and signals come unasked), else the system bus. */
static int bus_open(sd_bus **bus, struct oci_err *err)
{
    if (cg_sd_load(err) < 0)
        return -1;
    *bus = NULL;
    int r = -ENOENT;
    if (geteuid() == 0 && access(SD_PRIVATE_BUS, F_OK) == 0) {
        sd_bus *b = NULL;
        r = cg_sd.bus_new(&b);
        if (r >= 0)
            r = cg_sd.set_address(b, "unix:path=" SD_PRIVATE_BUS);
        if (r >= 0)
            r = cg_sd.start(b);
        if (r >= 0) {
            *bus = b;
            return 0;
        }
        if (b)
            cg_sd.flush_close_unref(b);
    }
    r = cg_sd.open_system(bus);
    if (r < 0)
        return err_set(err, -r,
                       "systemd cgroup driver: cannot connect to systemd over the system bus "
                       "%s",
                       SD_SYSTEM_BUS);
    return 0;
}

static int bus_fail(struct oci_err *err, int r, sd_bus_error *e, const char *what, const char *unit)
{
    int rc;
    if (e && e->message)
        rc = err_set(err, 0, "systemd: %s %s: %s", what, unit, e->message);
    else
        rc = err_set(err, r < 0 ? -r : 0, "systemd: %s %s", what, unit);
    if (e)
        cg_sd.error_free(e);
    return rc;
}

struct job_wait {
    char *job; /* the job's object path, once known */
    char result[32];
    bool done;
};

static int on_job_removed(sd_bus_message *m, void *data, sd_bus_error *e)
{
    (void)e;
    struct job_wait *w = data;
    uint32_t id;
    const char *job = NULL, *unit = NULL, *result = NULL;
    if (cg_sd.read(m, "uoss", &id, &job, &unit, &result) < 0 || !w->job || strcmp(job, w->job))
        return 0;
    snprintf(w->result, sizeof(w->result), "%s", result);
    w->done = true;
    return 0;
}

/* Call a Manager method that queues a job ("o" reply) and wait until the
 * job is done: 0 with w->result ("done", "failed", ...), or -1. The method
 * call is m, built by the caller. */
static int run_job(sd_bus *bus, sd_bus_message *m, struct job_wait *w, sd_bus_error *e)
{
    sd_bus_slot *slot _cleanup_(slot_unrefp) = NULL;
    int r = cg_sd.match_signal(bus, &slot, SD_DEST, SD_PATH, SD_MANAGER, "JobRemoved",
                               on_job_removed, w);
    if (r < 0)
        return r;
    /* the system bus sends the job signals to subscribers only */
    cg_sd.call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "Subscribe", NULL, NULL, "");
    _cleanup_msg_ sd_bus_message *reply = NULL;
    r = cg_sd.call(bus, m, SD_JOB_TIMEOUT_US, e, &reply);
    if (r < 0)
        return r;
    const char *job;
    if ((r = cg_sd.read(reply, "o", &job)) < 0)
        return r;
    w->job = xstrdup(job);
    uint64_t deadline = now_ms() + SD_JOB_TIMEOUT_US / 1000;
    while (!w->done) {
        r = cg_sd.process(bus, NULL);
        if (r < 0)
            break;
        if (r > 0)
            continue;
        uint64_t now = now_ms();
        if (now >= deadline) {
            r = -ETIMEDOUT;
            break;
        }
        if ((r = cg_sd.wait(bus, (deadline - now) * 1000)) < 0)
            break;
    }
    free(w->job);
    w->job = NULL;
    return w->done ? 0 : r;
}

static void reset_failed(sd_bus *bus, const char *unit)
{
    cg_sd.call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "ResetFailedUnit", NULL, NULL, "s", unit);
}

/* The properties of a new scope: where it goes, delegation, the first
 * process, and the resources. */
static int start_message(sd_bus *bus, struct cgroup *cg, pid_t pid,
                         const struct spec_resources *res, sd_bus_message **out,
                         struct oci_err *err)
{
    _cleanup_msg_ sd_bus_message *m = NULL;
    _cleanup_free_ char *desc = NULL;
    xasprintf(&desc, "oci-rt container %s", cg->unit);
    int r = cg_sd.new_method_call(bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "StartTransientUnit");
    if (r >= 0)
        r = cg_sd.append(m, "ss", cg->unit, "replace");
    if (r >= 0)
        r = cg_sd.open_container(m, 'a', "(sv)");
    if (r >= 0)
        r = cg_sd.append(m, "(sv)(sv)(sv)(sv)(sv)(sv)", "Description", "s", desc, "Slice", "s",
                         cg->slice, "Delegate", "b", 1, "DefaultDependencies", "b", 0,
                         "CollectMode", "s", "inactive-or-failed", "PIDs", "au", 1, (uint32_t)pid);
    if (r < 0)
        return err_set(err, -r, "systemd: build the properties of %s", cg->unit);
    if (cg_sd_append_resources(m, res, cg->mode == CG_UNIFIED, true, err) < 0)
        return -1;
    r = cg_sd.close_container(m);
    if (r >= 0)
        r = cg_sd.append(m, "a(sa(sv))", 0);
    if (r < 0)
        return err_set(err, -r, "systemd: build the properties of %s", cg->unit);
    *out = TAKE_PTR(m);
    return 0;
}

/* The scope's cgroup as the kernel has it for pid (systemd placed it). */
static char *pid_cgroup(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
    _cleanup_free_ char *data = NULL;
    if (read_file_at(AT_FDCWD, path, &data, NULL, 1 << 16) < 0)
        return NULL;
    for (char *line = data, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (!strncmp(line, "0::", 3))
            return xstrdup(line + 3);
        char *ns = strstr(line, ":name=systemd:");
        if (ns)
            return xstrdup(ns + 14);
    }
    return NULL;
}

int cg_sd_start(struct cgroup *cg, pid_t pid, const struct spec_resources *res, struct oci_err *err)
{
    _cleanup_bus_ sd_bus *bus = NULL;
    if (bus_open(&bus, err) < 0)
        return -1;
    for (int attempt = 0;; attempt++) {
        _cleanup_msg_ sd_bus_message *m = NULL;
        if (start_message(bus, cg, pid, res, &m, err) < 0)
            return -1;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        struct job_wait w = {0};
        int r = run_job(bus, m, &w, &e);
        if (r < 0 && attempt == 0 &&
            cg_sd.error_has_name(&e, "org.freedesktop.systemd1.UnitExists")) {
            cg_sd.error_free(&e);
            reset_failed(bus, cg->unit); /* a failed scope of an earlier container */
            continue;
        }
        if (r < 0)
            return bus_fail(err, r, &e, "start unit", cg->unit);
        if (strcmp(w.result, "done") != 0) {
            reset_failed(bus, cg->unit);
            return err_set(err, 0, "systemd: start unit %s in %s: job %s", cg->unit, cg->slice,
                           w.result);
        }
        break;
    }
    cg->unit_pending = false;
    /* where systemd put it is the truth (a slice may map elsewhere) */
    _cleanup_free_ char *real = pid_cgroup(pid);
    if (real && strcmp(real, cg->top) != 0 && real[0] == '/') {
        log_debug("systemd: %s is in %s, not %s", cg->unit, real, cg->top);
        char *sub = strlen(cg->path) > strlen(cg->top) ? cg->path + strlen(cg->top) : "";
        char *path;
        xasprintf(&path, "%s%s", real, sub);
        free(cg->path);
        cg->path = path;
        free(cg->top);
        cg->top = TAKE_PTR(real);
    }
    return 0;
}

int cg_sd_set(struct cgroup *cg, const struct spec_resources *res, struct oci_err *err)
{
    _cleanup_bus_ sd_bus *bus = NULL;
    if (bus_open(&bus, err) < 0)
        return -1;
    _cleanup_msg_ sd_bus_message *m = NULL, *reply = NULL;
    int r = cg_sd.new_method_call(bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "SetUnitProperties");
    if (r >= 0)
        r = cg_sd.append(m, "sb", cg->unit, 1);
    if (r >= 0)
        r = cg_sd.open_container(m, 'a', "(sv)");
    if (r < 0)
        return err_set(err, -r, "systemd: build the properties of %s", cg->unit);
    if (cg_sd_append_resources(m, res, cg->mode == CG_UNIFIED, false, err) < 0)
        return -1;
    if ((r = cg_sd.close_container(m)) < 0)
        return err_set(err, -r, "systemd: build the properties of %s", cg->unit);
    sd_bus_error e = SD_BUS_ERROR_NULL;
    r = cg_sd.call(bus, m, SD_JOB_TIMEOUT_US, &e, &reply);
    return r < 0 ? bus_fail(err, r, &e, "set the properties of", cg->unit) : 0;
}

int cg_sd_stop(struct cgroup *cg, struct oci_err *err)
{
    if (cg->unit_pending)
        return 0; /* never started */
    _cleanup_bus_ sd_bus *bus = NULL;
    if (bus_open(&bus, err) < 0)
        return -1;
    _cleanup_msg_ sd_bus_message *m = NULL;
    int r = cg_sd.new_method_call(bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "StopUnit");
    if (r >= 0)
        r = cg_sd.append(m, "ss", cg->unit, "replace");
    if (r < 0)
        return err_set(err, -r, "systemd: stop unit %s", cg->unit);
    sd_bus_error e = SD_BUS_ERROR_NULL;
    struct job_wait w = {0};
    r = run_job(bus, m, &w, &e);
    if (r < 0 && cg_sd.error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit")) {
        cg_sd.error_free(&e); /* gone already: a scope goes when its last process does */
        return 0;
    }
    if (r < 0)
        return bus_fail(err, r, &e, "stop unit", cg->unit);
    reset_failed(bus, cg->unit);
    if (strcmp(w.result, "done") != 0)
        return err_set(err, 0, "systemd: stop unit %s: job %s", cg->unit, w.result);
    return 0;
}
