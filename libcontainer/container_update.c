/* update: new resources on a live container; ps: its processes. */
#include "config.h"
#include "record.h"
#include "trace.h"
#include "util.h"

/* State and cgroup of a container that must still be alive. */
static int open_live(const char *root, const char *id, struct state_dir *sd, struct spec_state **s,
                     struct cgroup *cg, struct oci_err *err)
{
    if (state_open_read(root, id, STATE_LOCK_EXCLUSIVE, sd, s, err) < 0 ||
        record_bus_ahead(*s, err) < 0)
        return -1;
    if (record_status(sd, *s) == STATUS_STOPPED)
        return err_set(err, 0, "container \"%s\" is stopped", id);
    return record_cgroup(*s, cg, err);
}

int container_update(const char *root, const char *id, const struct spec_resources *res,
                     struct oci_err *err)
{
    _cleanup_state_dir_ struct state_dir sd = {.dirfd = -1};
    _cleanup_spec_state_ struct spec_state *s = NULL;
    _cleanup_cgroup_ struct cgroup cg = {.v2_fd = -1};
    int rc = open_live(root, id, &sd, &s, &cg, err);
    if (rc == 0) {
        TRACE_BEGIN(span, "cgroup update");
        rc = cgroup_apply(&cg, res, true, err);
        TRACE_END_RC(span, rc);
    }
    return rc;
}

int container_pids(const char *root, const char *id, pid_t **pids, size_t *n, struct oci_err *err)
{
    *pids = NULL;
    *n = 0;
    _cleanup_state_dir_ struct state_dir sd = {.dirfd = -1};
    _cleanup_spec_state_ struct spec_state *s = NULL;
    _cleanup_cgroup_ struct cgroup cg = {.v2_fd = -1};
    int rc = state_open_read(root, id, STATE_LOCK_NONE, &sd, &s, err);
    if (rc == 0)
        rc = record_cgroup(s, &cg, err);
    if (rc == 0 && cg.mode == CG_DISABLED) {
        /* no cgroup: the init alone is known */
        if (state_process_alive(s)) {
            *pids = xmalloc(sizeof(pid_t));
            (*pids)[0] = s->pid;
            *n = 1;
        }
    } else if (rc == 0) {
        rc = cgroup_pids(&cg, pids, n, err);
    }
    return rc;
}
