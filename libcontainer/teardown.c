/* The end of a container from its record (delete, a failed start or
 * poststart hook, checkpoint): what is left of it killed, its cgroup, the
 * mounts it left on the host and its state directory removed (runtime-spec
 * lifecycle step 12), then its poststop hooks (step 13). */
#include "config.h"
#include "hooks.h"
#include "log.h"
#include "record.h"
#include "teardown.h"
#include "trace.h"
#include "util.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

int teardown_kill_wait(const struct spec_state *s, struct cgroup *cg, struct oci_err *err)
{
    TRACE_BEGIN(span, "kill and wait");
    int rc = 0;
    if (state_signal(s, SIGKILL) == 0) {
        /* a paused container dies once thawed */
        if (cgroup_frozen(cg) == 1) {
            struct oci_err ignored = {0};
            cgroup_freeze(cg, false, &ignored);
        }
        /* not gone at once: frozen by someone else? */
        int moved = 0;
        if (state_wait_gone(s, 200) < 0)
            moved = cgroup_reclaim(cg, s->pid);
        if (moved < 0)
            rc = err_set(err, errno,
                         "container \"%s\": process %d is frozen in a freezer cgroup oci-rt did "
                         "not make and cannot be moved back to be killed",
                         s->id, s->pid);
        else if (state_wait_gone(s, 10000) < 0)
            rc =
                err_set(err, ETIMEDOUT, "container \"%s\": process %d did not exit", s->id, s->pid);
    } else if (errno != ESRCH) {
        rc = err_set(err, errno, "container \"%s\": kill process %d", s->id, s->pid);
    }
    /* without a pid namespace the init's death does not take the others */
    if (rc == 0 && !s->pidns)
        rc = cgroup_kill_all(cg, err);
    TRACE_END_RC(span, rc);
    return rc;
}

int teardown_destroy(struct state_dir *sd, const struct spec_state *s, struct oci_err *err)
{
    _cleanup_cgroup_ struct cgroup cg = {.v2_fd = -1};
    int rc = record_cgroup(s, &cg, err);
    if (rc == 0)
        rc = teardown_kill_wait(s, &cg, err);
    if (rc == 0) {
        TRACE_BEGIN(span, "cgroup remove");
        rc = cgroup_destroy(&cg, err);
        TRACE_END_RC(span, rc);
    }
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

int teardown_finish(struct state_dir *sd, struct spec_state *s, struct oci_err *err)
{
    /* poststop hooks run after the container is gone, from the config
     * saved with it: read it first */
    _cleanup_spec_config_ struct spec_config *cfg = NULL;
    if (s->hook_kinds & (1u << SPEC_HOOK_POSTSTOP)) {
        struct oci_err cerr = {0};
        if (state_read_config(sd, s->id, &cfg, &cerr) < 0)
            log_warn("poststop hooks: %s", cerr.msg);
    }
    int rc = teardown_destroy(sd, s, err);
    if (rc == 0 && cfg) {
        free(s->status);
        s->status = xstrdup("stopped");
        char *json = hooks_state_json(s);
        hooks_run_warn(&cfg->hooks, SPEC_HOOK_POSTSTOP, json);
        free(json);
    }
    return rc;
}
