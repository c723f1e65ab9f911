/* run: create and start in one process (no exec socket: the init waits on
 * the sync socket); in the foreground, forward signals, wait, delete. */
#include "config.h"
#include "foreground.h"
#include "hooks.h"
#include "notify.h"
#include "record.h"
#include "spawn.h"
#include "sync.h"
#include "trace.h"
#include "util.h"

#include <stdlib.h>

int container_run(const struct container_opts *o, bool detach, int *exit_code, struct oci_err *err)
{
    _cleanup_close_ int nfd = -1;
    struct container c;
    *exit_code = 0;
    int rc = spawn_prepare(&c, o, err);
    c.run_mode = true;
    if (rc == 0)
        rc = spawn_init(&c, err);
    if (rc == 0 && o->notify_socket && (nfd = notify_listen(&c.sd, err)) == -1)
        rc = -1;
    if (rc == 0) {
        TRACE_BEGIN(span, "release init and execve");
        if (!detach)
            foreground_forward(c.pid, true);
        rc = sync_start_init(c.sync_parent, c.pid, err);
        c.hook_failed = rc == SYNC_FAILED_HOOK;
        c.exec_failed = rc == SYNC_FAILED_EXEC;
        TRACE_END_RC(span, rc);
    }
    /* a failed poststart hook stops the container (runtime-spec lifecycle
     * step 9): destroyed, then its poststop hooks */
    if (rc == 0 && c.cfg->hooks.n[SPEC_HOOK_POSTSTART]) {
        char *state = record_hook_state(&c, "running", c.pid);
        rc = hooks_run(&c.cfg->hooks, SPEC_HOOK_POSTSTART, state, err);
        c.hook_failed = rc < 0;
        free(state);
    }
    if (rc < 0) {
        /* a program that could not be exec'd: the shell's 127 or 126 */
        if (c.exec_failed)
            *exit_code = sync_exec_status(err->errnum);
        foreground_forward(0, false);
        spawn_abort(&c);
        spawn_free(&c);
        return -1;
    }
    if (nfd >= 0 && foreground_notify_relay(&c, nfd, err) < 0) {
        spawn_abort(&c);
        spawn_free(&c);
        return -1;
    }
    if (detach) {
        spawn_free(&c);
        return 0;
    }
    rc = foreground_wait_delete(&c, exit_code, err);
    c.pid = 0;
    spawn_free(&c);
    return rc;
}
