/* pause and resume: the cgroup freezer. */
#include "config.h"
#include "container_internal.h"
#include "trace.h"
#include "util.h"

int container_pause(const char *root, const char *id, bool pause, struct oci_err *err)
{
    TRACE_BEGIN(lock, "lock and read state");
    struct state_dir sd = {.dirfd = -1};
    struct spec_state *s = NULL;
    struct cgroup cg = {.v2_fd = -1};
    int rc = state_open_read(root, id, STATE_LOCK_EXCLUSIVE, &sd, &s, err);
    TRACE_END_RC(lock, rc);
    if (rc < 0)
        goto out;
    enum container_status st = container_status(&sd, s);
    enum container_status want = pause ? STATUS_RUNNING : STATUS_PAUSED;
    if (st != want && !(pause && st == STATUS_CREATED)) {
        rc = err_set(err, 0, "container \"%s\" is %s: only a %s container can be %s", id,
                     container_status_names[st], pause ? "running" : "paused",
                     pause ? "paused" : "resumed");
        goto out;
    }
    TRACE_BEGIN(span, pause ? "freeze" : "thaw");
    rc = container_state_cgroup(s, &cg, err);
    if (rc == 0)
        rc = cgroup_freeze(&cg, pause, err);
    if (rc < 0)
        err_wrap(err, "container \"%s\": %s", id, pause ? "pause" : "resume");
    TRACE_END_RC(span, rc);
out:
    cgroup_release(&cg);
    spec_state_free(s);
    state_dir_close(&sd);
    return rc;
}
