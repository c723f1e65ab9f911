/* pause and resume: the cgroup freezer. */
#include "config.h"
#include "record.h"
#include "trace.h"
#include "util.h"

int container_pause(const char *root, const char *id, bool pause, struct oci_err *err)
{
    TRACE_BEGIN(lock, "lock and read state");
    _cleanup_state_dir_ struct state_dir sd = {.dirfd = -1};
    _cleanup_spec_state_ struct spec_state *s = NULL;
    _cleanup_cgroup_ struct cgroup cg = {.v2_fd = -1};
    int rc = state_open_read(root, id, STATE_LOCK_EXCLUSIVE, &sd, &s, err);
    TRACE_END_RC(lock, rc);
    if (rc < 0)
        return -1;
    enum container_status st = record_status(&sd, s);
    enum container_status want = pause ? STATUS_RUNNING : STATUS_PAUSED;
    if (st != want && !(pause && st == STATUS_CREATED))
        return err_set(err, 0, "container \"%s\" is %s: only a %s container can be %s", id,
                       container_status_names[st], pause ? "running" : "paused",
                       pause ? "paused" : "resumed");
    TRACE_BEGIN(span, pause ? "freeze" : "thaw");
    rc = record_cgroup(s, &cg, err);
    if (rc == 0)
        rc = cgroup_freeze(&cg, pause, err);
    if (rc < 0)
        err_wrap(err, "container \"%s\": %s", id, pause ? "pause" : "resume");
    TRACE_END_RC(span, rc);
    return rc;
}
