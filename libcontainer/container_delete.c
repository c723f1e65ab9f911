/* delete: refuse a running container unless forced; kill what is left,
 * remove the cgroup and the state directory. */
#include "config.h"
#include "record.h"
#include "teardown.h"
#include "trace.h"
#include "util.h"

int container_delete(const char *root, const char *id, bool force, struct oci_err *err)
{
    TRACE_BEGIN(lock, "lock and read state");
    _cleanup_state_dir_ struct state_dir sd = {.dirfd = -1};
    _cleanup_spec_state_ struct spec_state *s = NULL;
    int rc = state_dir_open(root, id, STATE_LOCK_EXCLUSIVE, &sd, err);
    if (rc < 0 && force && err->errnum == ENOENT) {
        /* like runc: delete --force of a container that is not there is
         * done (engines call it to be sure) */
        err_clear(err);
        TRACE_END_RC(lock, 0);
        return 0;
    }
    if (rc == 0 && state_read(&sd, id, &s, err) < 0) {
        /* a create that died before writing its state left the directory:
         * it is nobody's (a live create holds the lock), remove it */
        struct oci_err ignored = {0};
        state_dir_remove(&sd, &ignored);
        if (force)
            err_clear(err);
        rc = force ? 0 : -1;
        TRACE_END_RC(lock, rc);
        return rc;
    }
    TRACE_END_RC(lock, rc);
    if (rc < 0 || record_bus_ahead(s, err) < 0)
        return -1;
    enum container_status st = record_status(&sd, s);
    if (!force && (st == STATUS_RUNNING || st == STATUS_PAUSED || st == STATUS_CREATING))
        return err_set(err, 0, "container \"%s\" is %s: stop it first or use delete --force", id,
                       container_status_names[st]);
    return teardown_finish(&sd, s, err);
}
