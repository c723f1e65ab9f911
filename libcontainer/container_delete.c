/* delete: refuse a running container unless forced; kill what is left,
 * remove the cgroup and the state directory. */
#include "config.h"
#include "container_internal.h"
#include "hooks.h"
#include "log.h"
#include "trace.h"
#include "util.h"

#include <string.h>

int container_destroy(struct state_dir *sd, const struct spec_state *s, struct oci_err *err)
{
    struct cgroup cg = {.v2_fd = -1};
    int rc = container_state_cgroup(s, &cg, err);
    if (rc == 0)
        rc = container_kill_and_wait(s, &cg, err);
    if (rc == 0) {
        TRACE_BEGIN(span, "cgroup remove");
        rc = cgroup_destroy(&cg, err);
        TRACE_END_RC(span, rc);
    }
    cgroup_release(&cg);
    if (rc == 0 && s->host_mounts && s->rootfs &&
        mount_unstack(s->rootfs, s->rootfs_mnt_before) < 0)
        rc = err_set(err, errno, "unmount the container's mounts on %s", s->rootfs);
    if (rc == 0) {
        TRACE_BEGIN(span, "state remove");
        rc = state_dir_remove(sd, err);
        TRACE_END_RC(span, rc);
    }
    return rc;
}

int container_teardown(struct state_dir *sd, struct spec_state *s, struct oci_err *err)
{
    /* poststop hooks run after the container is gone, from the config
     * saved with it: read it first */
    struct spec_config *cfg = NULL;
    if (s->hook_kinds & (1u << SPEC_HOOK_POSTSTOP)) {
        struct oci_err cerr = {0};
        if (state_read_config(sd, s->id, &cfg, &cerr) < 0)
            log_warn("poststop hooks: %s", cerr.msg);
    }
    int rc = container_destroy(sd, s, err);
    if (rc == 0 && cfg) {
        free(s->status);
        s->status = xstrdup("stopped");
        char *json = hooks_state_json(s);
        hooks_run_warn(&cfg->hooks, SPEC_HOOK_POSTSTOP, json);
        free(json);
    }
    spec_config_free(cfg);
    return rc;
}

int container_delete(const char *root, const char *id, bool force, struct oci_err *err)
{
    TRACE_BEGIN(lock, "lock and read state");
    struct state_dir sd = {.dirfd = -1};
    struct spec_state *s = NULL;
    int rc = state_dir_open(root, id, STATE_LOCK_EXCLUSIVE, &sd, err);
    if (rc < 0 && force && err->errnum == ENOENT) {
        /* like runc: delete --force of a container that is not there is
         * done (engines call it to be sure) */
        err_clear(err);
        rc = 0;
        TRACE_END_RC(lock, rc);
        goto out;
    }
    if (rc == 0 && state_read(&sd, id, &s, err) < 0) {
        /* a create that died before writing its state left the directory:
         * it is nobody's (a live create holds the lock), remove it */
        struct oci_err ignored = {0};
        state_dir_remove(&sd, &ignored);
        if (force) {
            err_clear(err);
            rc = 0;
        } else {
            rc = -1;
        }
        TRACE_END_RC(lock, rc);
        goto out;
    }
    TRACE_END_RC(lock, rc);
    if (rc < 0)
        goto out;
    enum container_status st = container_status(&sd, s);
    if (!force && (st == STATUS_RUNNING || st == STATUS_PAUSED || st == STATUS_CREATING)) {
        rc = err_set(err, 0, "container \"%s\" is %s: stop it first or use delete --force", id,
                     container_status_names[st]);
        goto out;
    }
    rc = container_teardown(&sd, s, err);
out:
    spec_state_free(s);
    state_dir_close(&sd);
    return rc;
}
