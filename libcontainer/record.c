/* The container's record: state.json as create writes it (first
 * "creating" before any resource exists, then "created"), and read back:
 * the status from facts (a frozen cgroup is "paused"), the cgroup it
 * names, the state its hooks get. */
#include "config.h"
#include "dynload.h"
#include "cgroup_systemd.h"
#include "hooks.h"
#include "record.h"
#include "trace.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int record_check_id(const char *id, struct oci_err *err)
{
    if (!id || !*id)
        return err_set(err, 0, "a container ID is required");
    size_t len = strlen(id);
    /* a file name (the state directory, the cgroup) */
    if (len > CONTAINER_ID_MAX)
        return err_set(err, 0, "invalid container ID \"%.32s...\" (%zu characters): at most %d", id,
                       len, CONTAINER_ID_MAX);
    if (!strcmp(id, ".") || !strcmp(id, ".."))
        return err_set(err, 0, "invalid container ID \"%s\"", id);
    for (const char *p = id; *p; p++) {
        char ch = *p;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.' || ch == '+';
        if (!ok)
            return err_set(err, 0,
                           "invalid container ID \"%s\": only letters, digits and _ + - . are "
                           "allowed",
                           id);
    }
    return 0;
}

enum container_status record_status(struct state_dir *sd, const struct spec_state *s)
{
    enum container_status st = state_status(sd, s);
    if (st != STATUS_RUNNING && st != STATUS_CREATED)
        return st;
    _cleanup_cgroup_ struct cgroup cg = {.v2_fd = -1};
    struct oci_err ignored = {0};
    if (record_cgroup(s, &cg, &ignored) == 0 && cgroup_frozen(&cg) == 1)
        st = STATUS_PAUSED;
    return st;
}

int record_bus_ahead(const struct spec_state *s, struct oci_err *err)
{
    return s->systemd_cgroup ? oci_dl_need("a container of the systemd cgroup driver", err) : 0;
}

int record_cgroup(const struct spec_state *s, struct cgroup *cg, struct oci_err *err)
{
    enum cg_mode mode = CG_DISABLED;
    for (int m = 0; m <= CG_LEGACY; m++)
        if (s->cgroup_mode && !strcmp(s->cgroup_mode, cg_mode_names[m]))
            mode = (enum cg_mode)m;
    if (mode == CG_DISABLED || !s->cgroup_path) {
        memset(cg, 0, sizeof(*cg));
        cg->v2_fd = -1;
        return 0;
    }
    if (cgroup_init(cg, mode, s->cgroup_path, s->cgroup_top, err) < 0)
        return -1;
    if (s->systemd_cgroup)
        cgroup_reopen_systemd(cg, s->cgroup_delegate);
    return 0;
}

static void rfc3339_now(char *buf, size_t len)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    rfc3339_utc(buf, len, &ts);
}

/* state.json: the container as far as it is made. It is written first with
 * the status "creating" before any resource exists (the cgroup paths, the
 * rootfs's mount, the config as created), so that a create killed at any
 * instant leaves what state, list and delete --force need; the init's pid
 * joins it as soon as the init exists (state_note_pid), and the status
 * "created" completes it. Each write replaces the file whole (rename). */
static int write_record(struct container *c, const char *status, struct oci_err *err)
{
    struct spec_state s = {
        .oci_version = c->cfg->oci_version,
        .id = (char *)c->o->id,
        .status = (char *)status,
        .pid = c->pid,
        .bundle = c->bundle,
        .annotations = c->cfg->annotations,
        .rootfs = c->rootfs,
        .created = c->created,
        .owner = geteuid(),
        .pid_start = c->pid_start,
        .cgroup_mode = (char *)cg_mode_names[c->cg.mode],
        .cgroup_path = c->cg.path,
        .cgroup_top = c->cg.top,
        .pidns = c->pidns,
        .systemd_cgroup = c->cg.unit != NULL,
        .cgroup_delegate = c->cg.delegate,
        .hook_kinds = hooks_kinds(&c->cfg->hooks),
        .host_mounts = !c->mntns,
        .rootfs_mnt_before = c->rootfs_mnt_before,
    };
    return state_write(&c->sd, &s, err);
}

int record_write_intent(struct container *c, struct oci_err *err)
{
    TRACE_BEGIN(span, "state record (creating)");
    rfc3339_now(c->created, sizeof(c->created));
    /* the config as created: later commands (start, exec, delete) must not
     * see later edits of the bundle */
    int rc = write_file_atomic(c->sd.dirfd, STATE_CONFIG, c->config_data, c->config_len, 0600);
    if (rc < 0)
        err_set(err, errno, "write %s/%s", c->sd.path, STATE_CONFIG);
    else
        rc = write_record(c, "creating", err);
    TRACE_END_RC(span, rc);
    return rc;
}

int record_write_created(struct container *c, struct oci_err *err)
{
    TRACE_BEGIN(span, "state write");
    if (!c->pid_start && c->pid > 0 && proc_stat_start(c->pid, &c->pid_start, NULL) < 0) {
        TRACE_END_RC(span, -1);
        return err_set(err, errno, "container init %d", c->pid);
    }
    int rc = write_record(c, "created", err);
    if (rc == 0 && c->o->pid_file) {
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%d", c->pid);
        if (write_file_atomic(AT_FDCWD, c->o->pid_file, buf, (size_t)n, 0644) < 0)
            rc = err_set(err, errno, "--pid-file %s", c->o->pid_file);
    }
    TRACE_END_RC(span, rc);
    return rc;
}

char *record_hook_state(const struct container *c, const char *status, int pid)
{
    struct spec_state s = {
        .oci_version = c->cfg->oci_version,
        .id = (char *)c->o->id,
        .status = (char *)status,
        .pid = pid,
        .bundle = c->bundle,
        .annotations = c->cfg->annotations,
    };
    return hooks_state_json(&s);
}

int record_hooks_run(struct state_dir *sd, const struct spec_state *s, enum spec_hook_kind kind,
                     const char *status, struct oci_err *err)
{
    if (!(s->hook_kinds & (1u << kind)))
        return 0;
    _cleanup_spec_config_ struct spec_config *cfg = NULL;
    if (state_read_config(sd, s->id, &cfg, err) < 0)
        return err_wrap(err, "%s hooks", spec_hook_kind_names[kind]);
    struct spec_state hs = *s;
    hs.status = (char *)status;
    _cleanup_free_ char *json = hooks_state_json(&hs);
    return hooks_run(&cfg->hooks, kind, json, err);
}
