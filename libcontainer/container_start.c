/* start: connect to the init's exec socket; the init execs the user's
 * program; the end of the connection (close-on-exec) says it did. */
#include "config.h"
#include "notify.h"
#include "record.h"
#include "sync.h"
#include "teardown.h"
#include "trace.h"
#include "util.h"

#include <unistd.h>

/* NOTIFY_SOCKET: relay the container's messages until READY=1, with the
 * state directory unlocked (others may look, kill or delete meanwhile). */
static int relay_notify(struct state_dir *sd, const struct spec_state *s, int nfd,
                        const char *notify_socket, struct oci_err *err)
{
    state_dir_lock(sd, STATE_LOCK_NONE);
    int pidfd = state_pidfd(s);
    int rc = notify_relay(nfd, notify_socket, pidfd, s->pid, err);
    if (pidfd >= 0)
        close(pidfd);
    return rc;
}

int container_start(const char *root, const char *id, const char *notify_socket,
                    struct oci_err *err)
{
    TRACE_BEGIN(lock, "lock and read state");
    _cleanup_state_dir_ struct state_dir sd = {.dirfd = -1};
    _cleanup_spec_state_ struct spec_state *s = NULL;
    int rc = state_open_read(root, id, STATE_LOCK_EXCLUSIVE, &sd, &s, err);
    TRACE_END_RC(lock, rc);
    /* the bus only if a hook fails (the container is destroyed then) */
    if (rc < 0 || (s->hook_kinds & (1u << SPEC_HOOK_POSTSTART | 1u << SPEC_HOOK_START_CONTAINER) &&
                   record_bus_ahead(s, err) < 0))
        return -1;
    enum container_status st = record_status(&sd, s);
    if (st != STATUS_CREATED)
        return err_set(err, 0, "container \"%s\" is %s: only a created container can be started",
                       id, container_status_names[st]);
    _cleanup_close_ int nfd = -1;
    if (notify_socket && (nfd = notify_listen(&sd, err)) == -1)
        return -1;
    TRACE_BEGIN(start, "release init and execve");
    int chan = state_exec_connect(&sd, false, err);
    rc = chan < 0 ? -1 : sync_start_init(chan, s->pid, err);
    if (chan >= 0)
        close(chan);
    /* started, or failed for good: either way it is not "created" any more */
    unlinkat(sd.dirfd, STATE_EXEC_SOCK, 0);
    TRACE_END_RC(start, rc);
    /* a failed startContainer or poststart hook: the container is stopped
     * and destroyed, then its poststop hooks run (runtime-spec lifecycle
     * steps 7 and 9 go on at 12) */
    if (rc == 0 && record_hooks_run(&sd, s, SPEC_HOOK_POSTSTART, "running", err) < 0)
        rc = SYNC_FAILED_HOOK;
    if (rc == SYNC_FAILED_HOOK) {
        struct oci_err ignored = {0};
        teardown_finish(&sd, s, &ignored);
        return -1;
    }
    if (rc == 0 && nfd >= 0)
        rc = relay_notify(&sd, s, nfd, notify_socket, err);
    return rc;
}
