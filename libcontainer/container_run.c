/* run: create and start in one process (no exec socket: the init waits on
 * the sync socket); in the foreground, forward signals, wait, delete. */
#include "config.h"
#include "container_internal.h"
#include "hooks.h"
#include "notify.h"
#include "process.h"
#include "sync.h"
#include "terminal.h"
#include "trace.h"
#include "util.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

static volatile pid_t forward_pid;

static void forward_signal(int sig)
{
    if (forward_pid > 0)
        kill(forward_pid, sig);
}

/* Every signal a user can send (Ctrl-C, TERM from a supervisor, ...) goes
 * on to the container's process; SIGCHLD is ours. */
static void install_forwarding(pid_t pid, bool on)
{
    forward_pid = pid;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on ? forward_signal : SIG_DFL;
    sa.sa_flags = SA_RESTART;
    sigfillset(&sa.sa_mask);
    for (int sig = 1; sig < SIGRTMIN; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD)
            continue;
        sigaction(sig, &sa, NULL);
    }
}

static int wait_exit(struct container *c, int *exit_code)
{
    TRACE_BEGIN(span, "container process runs (wait)");
    int status = 0;
    int r;
    if (c->tty_master >= 0)
        r = terminal_relay(c->tty_master, c->pid, &status);
    else
        r = (int)TEMP_FAILURE_RETRY_INT(waitpid(c->pid, &status, 0));
    TRACE_END(span);
    if (r < 0)
        return -1;
    *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return 0;
}

/* NOTIFY_SOCKET: relay until READY=1 (or the exit). A foreground run with
 * a terminal relays the terminal meanwhile: a child does the relay then. */
static int run_relay(struct container *c, int nfd, struct oci_err *err)
{
    if (c->tty_master < 0)
        return notify_relay(nfd, c->o->notify_socket, c->pidfd, c->pid, err);
    pid_t r = fork();
    if (r == 0) {
        struct oci_err ignored = {0};
        _exit(notify_relay(nfd, c->o->notify_socket, c->pidfd, c->pid, &ignored) < 0);
    }
    return r < 0 ? err_set(err, errno, "NOTIFY_SOCKET: fork the relay") : 0;
}

int container_wait_delete(struct container *c, int *exit_code, struct oci_err *err)
{
    install_forwarding(c->pid, true);
    state_dir_lock(&c->sd, STATE_LOCK_NONE); /* others may look while it runs */
    int rc = wait_exit(c, exit_code);
    TRACE_BEGIN(del, "delete");
    install_forwarding(0, false);
    if (rc < 0)
        err_set(err, errno, "wait for the container process");
    state_dir_lock(&c->sd, STATE_LOCK_EXCLUSIVE);
    struct oci_err derr = {0};
    struct cgroup *cg = &c->cg;
    if (c->cg_made && !c->pidns && cgroup_kill_all(cg, &derr) < 0 && rc == 0)
        rc = err_copy(err, &derr);
    err_clear(&derr);
    if (c->cg_made && cgroup_destroy(cg, &derr) < 0 && rc == 0)
        rc = err_copy(err, &derr);
    c->cg_made = false;
    err_clear(&derr);
    if (!c->mntns && mount_unstack(c->rootfs, c->rootfs_mnt_before) < 0 && rc == 0)
        rc = err_set(err, errno, "unmount the container's mounts on %s", c->rootfs);
    c->rootfs_mnt_before = 0;
    if (state_dir_remove(&c->sd, &derr) < 0 && rc == 0)
        rc = err_copy(err, &derr);
    c->sd_made = false;
    TRACE_END_RC(del, rc);
    if (c->cfg->hooks.n[SPEC_HOOK_POSTSTOP]) {
        char *state = container_hook_state(c, "stopped", c->pid);
        hooks_run_warn(&c->cfg->hooks, SPEC_HOOK_POSTSTOP, state);
        free(state);
    }
    return rc;
}

int container_run(const struct container_opts *o, bool detach, int *exit_code, struct oci_err *err)
{
    _cleanup_close_ int nfd = -1;
    struct container c;
    *exit_code = 0;
    int rc = container_prepare(&c, o, err);
    c.run_mode = true;
    if (rc == 0)
        rc = container_spawn(&c, err);
    if (rc == 0 && o->notify_socket && (nfd = notify_listen(&c.sd, err)) == -1)
        rc = -1;
    if (rc == 0) {
        TRACE_BEGIN(span, "release init and execve");
        if (!detach)
            install_forwarding(c.pid, true);
        rc = container_release_init(c.sync_parent, c.pid, err);
        c.hook_failed = rc == -2;
        c.exec_failed = rc == -3;
        TRACE_END_RC(span, rc);
    }
    /* a failed poststart hook stops the container (runtime-spec lifecycle
     * step 9): destroyed, then its poststop hooks */
    if (rc == 0 && c.cfg->hooks.n[SPEC_HOOK_POSTSTART]) {
        char *state = container_hook_state(&c, "running", c.pid);
        rc = hooks_run(&c.cfg->hooks, SPEC_HOOK_POSTSTART, state, err);
        c.hook_failed = rc < 0;
        free(state);
    }
    if (rc < 0) {
        /* a program that could not be exec'd: the shell's 127 or 126 */
        if (c.exec_failed)
            *exit_code = container_exec_status(err->errnum);
        install_forwarding(0, false);
        container_abort(&c);
        container_release(&c);
        return -1;
    }
    if (nfd >= 0 && run_relay(&c, nfd, err) < 0) {
        container_abort(&c);
        container_release(&c);
        return -1;
    }
    if (detach) {
        container_release(&c);
        return 0;
    }
    rc = container_wait_delete(&c, exit_code, err);
    c.pid = 0;
    container_release(&c);
    return rc;
}
