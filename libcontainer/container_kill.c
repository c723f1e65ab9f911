/* kill: a signal to the container's process (pidfd, so a reused PID is
 * never hit), or to every process of its cgroup with --all. */
#include "config.h"
#include "container_internal.h"
#include "process.h"
#include "trace.h"
#include "util.h"

#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

int container_state_cgroup(const struct spec_state *s, struct cgroup *cg, struct oci_err *err)
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

int container_kill_and_wait(const struct spec_state *s, struct cgroup *cg, struct oci_err *err)
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

int container_kill(const char *root, const char *id, int sig, bool all, struct oci_err *err)
{
    TRACE_BEGIN(lock, "lock and read state");
    struct state_dir sd = {.dirfd = -1};
    struct spec_state *s = NULL;
    struct cgroup cg = {.v2_fd = -1};
    int rc = state_open_read(root, id, STATE_LOCK_NONE, &sd, &s, err);
    TRACE_END_RC(lock, rc);
    if (rc < 0)
        goto out;
    TRACE_BEGINF(span, "signal %d", sig);
    if (all) {
        /* also once the init is gone: what is left in its cgroup (engines
         * do this before every delete) */
        rc = container_state_cgroup(s, &cg, err);
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
            container_state_cgroup(s, &cg, &ignored);
        if (cgroup_frozen(&cg) == 1)
            cgroup_freeze(&cg, false, &ignored);
    }
    TRACE_END_RC(span, rc);
out:
    cgroup_release(&cg);
    spec_state_free(s);
    state_dir_close(&sd);
    return rc;
}
