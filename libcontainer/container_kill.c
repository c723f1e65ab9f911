/* kill: a signal to the container's process (pidfd, so a reused PID is
 * never hit), or to every process of its cgroup with --all. */
#include "config.h"
#include "record.h"
#include "trace.h"
#include "util.h"

#include <signal.h>

int container_kill(const char *root, const char *id, int sig, bool all, struct oci_err *err)
{
    TRACE_BEGIN(lock, "lock and read state");
    _cleanup_state_dir_ struct state_dir sd = {.dirfd = -1};
    _cleanup_spec_state_ struct spec_state *s = NULL;
    _cleanup_cgroup_ struct cgroup cg = {.v2_fd = -1};
    int rc = state_open_read(root, id, STATE_LOCK_NONE, &sd, &s, err);
    TRACE_END_RC(lock, rc);
    if (rc < 0)
        return -1;
    TRACE_BEGINF(span, "signal %d", sig);
    if (all) {
        /* also once the init is gone: what is left in its cgroup (engines
         * do this before every delete) */
        rc = record_cgroup(s, &cg, err);
        if (rc == 0 && cg.mode != CG_DISABLED)
            rc = cgroup_signal_all(&cg, sig, err);
        else if (rc == 0 && state_signal(s, sig) < 0 && errno != ESRCH)
            rc = err_set(err, errno, "container \"%s\": signal %d", id, sig);
    } else if (state_signal(s, sig) < 0) {
        /* runc's words: containerd looks for them */
        if (errno == ESRCH)
            rc = err_set(err, 0, "cannot signal container \"%s\": container not running", id);
        else
            rc = err_set(err, errno, "container \"%s\": signal %d", id, sig);
    }
    if (rc == 0 && sig == SIGKILL) {
        /* a frozen process dies only once thawed (v1), as runc does */
        struct oci_err ignored = {0};
        if (cg.mode == CG_DISABLED && !cg.path)
            record_cgroup(s, &cg, &ignored);
        if (cgroup_frozen(&cg) == 1)
            cgroup_freeze(&cg, false, &ignored);
    }
    TRACE_END_RC(span, rc);
    return rc;
}
