/* start: connect to the init's exec socket; the init execs the user's
 * program; the end of the connection (close-on-exec) says it did. */
#include "config.h"
#include "container_internal.h"
#include "hooks.h"
#include "notify.h"
#include "log.h"
#include "sync.h"
#include "trace.h"
#include "util.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

int container_exec_status(int errnum)
{
    return errnum == ENOENT || errnum == ENOTDIR ? 127 : 126;
}

int container_exec_error(struct oci_err *err, int errnum, const char *path)
{
    if (errnum == ENOENT && !strchr(path, '/'))
        err_set(err, 0, "exec: \"%s\": executable file not found in $PATH", path);
    else if (errnum == ENOENT)
        err_set(err, 0, "exec: \"%s\": stat %s: no such file or directory", path, path);
    else
        err_set(err, errnum, "exec: \"%s\"", path);
    err->errnum = errnum;
    return -1;
}

int container_child_msg(const struct sync_hdr *h, const char *buf, ssize_t n, pid_t pid,
                        struct oci_err *err)
{
    switch (h->type) {
    case SYNC_TRACE:
        trace_merge((const struct trace_span *)buf, (size_t)n / sizeof(struct trace_span), pid);
        return 1;
    case SYNC_ERROR:
    case SYNC_HOOK_ERROR:
        err_set(err, 0, "%s", buf);
        err->errnum = h->value;
        return h->type == SYNC_HOOK_ERROR ? -2 : -1;
    case SYNC_EXEC_ERROR:
        container_exec_error(err, h->value, buf);
        return -3;
    default:
        return 0;
    }
}

/* Send START on chan and read until it closes: trace spans, or an error
 * (a startContainer hook or the exec failed). */
int container_release_init(int chan, pid_t pid, struct oci_err *err)
{
    static char buf[SYNC_MAX + 1];
    if (sync_send(chan, SYNC_START, 0, NULL, 0) < 0)
        return err_set(err, errno, "start the container process");
    for (;;) {
        struct sync_hdr h;
        ssize_t n = sync_recv(chan, &h, buf, NULL);
        if (n < 0)
            return err_set(err, errno, "container init");
        if (h.type == 0) {
            trace_close_open(pid); /* the execve ended */
            return 0;
        }
        int r = container_child_msg(&h, buf, n, pid, err);
        if (r < 0)
            return r;
    }
}

int container_state_hooks_run(struct state_dir *sd, const struct spec_state *s,
                              enum spec_hook_kind kind, const char *status, struct oci_err *err)
{
    if (!(s->hook_kinds & (1u << kind)))
        return 0;
    struct spec_config *cfg = NULL;
    if (state_read_config(sd, s->id, &cfg, err) < 0)
        return err_wrap(err, "%s hooks", spec_hook_kind_names[kind]);
    struct spec_state hs = *s;
    hs.status = (char *)status;
    char *json = hooks_state_json(&hs);
    int rc = hooks_run(&cfg->hooks, kind, json, err);
    free(json);
    spec_config_free(cfg);
    return rc;
}

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
    int nfd = -2;
    TRACE_BEGIN(lock, "lock and read state");
    struct state_dir sd = {.dirfd = -1};
    struct spec_state *s = NULL;
    int rc = state_open_read(root, id, STATE_LOCK_EXCLUSIVE, &sd, &s, err);
    TRACE_END_RC(lock, rc);
    if (rc < 0)
        goto out;
    enum container_status st = container_status(&sd, s);
    if (st != STATUS_CREATED) {
        rc = err_set(err, 0, "container \"%s\" is %s: only a created container can be started", id,
                     container_status_names[st]);
        goto out;
    }
    if (notify_socket && (nfd = notify_listen(&sd, err)) == -1) {
        rc = -1;
        goto out;
    }
    TRACE_BEGIN(start, "release init and execve");
    int chan = state_exec_connect(&sd, false, err);
    rc = chan < 0 ? -1 : container_release_init(chan, s->pid, err);
    if (chan >= 0)
        close(chan);
    /* started, or failed for good: either way it is not "created" any more */
    unlinkat(sd.dirfd, STATE_EXEC_SOCK, 0);
    TRACE_END_RC(start, rc);
    /* a failed startContainer or poststart hook: the container is stopped
     * and destroyed, then its poststop hooks run (runtime-spec lifecycle
     * steps 7 and 9 go on at 12) */
    if (rc == 0)
        rc = container_state_hooks_run(&sd, s, SPEC_HOOK_POSTSTART, "running", err) < 0 ? -2 : 0;
    if (rc == -2) {
        struct oci_err ignored = {0};
        container_teardown(&sd, s, &ignored);
        rc = -1;
    }
    if (rc == 0 && nfd >= 0)
        rc = relay_notify(&sd, s, nfd, notify_socket, err);
out:
    if (nfd >= 0)
        close(nfd);
    spec_state_free(s);
    state_dir_close(&sd);
    return rc;
}
