/* The container process's own set-up, shared by the init (create) and by
 * the processes exec joins to a running container: terminal, rlimits and
 * attributes, cwd, user and capabilities, and the last steps before
 * execve. */
#include "config.h"
#include "process_setup.h"
#include "exec_stub.h"
#include "seccomp_bpf.h"
#include "sync.h"
#include "terminal.h"
#include "trace.h"
#include "user.h"
#include "util.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The pty: its master to the console socket, or to the parent (a
 * foreground run relays it). */
int process_setup_terminal(struct container *c, bool console, struct oci_err *err)
{
    int master = terminal_setup(c->cfg->process, c->proc.uid, console, err);
    if (master < 0)
        return -1;
    int rc = 0;
    if (c->console_fd >= 0) {
        rc = terminal_send(c->console_fd, master, err);
        close(c->console_fd);
        c->console_fd = -1;
    } else if (sync_send_fd(c->sync_child, SYNC_FD_TERMINAL, master) < 0) {
        rc = err_set(err, errno, "process.terminal: send the terminal");
    }
    close(master);
    return rc;
}

/* The cwd must be reachable from the container's root: a cwd outside it
 * (a leaked directory fd) would hand the host's tree to the container. */
static int enter_cwd(struct container *c, bool after_user, struct oci_err *err)
{
    if (chdir(c->proc.cwd) < 0) {
        if (errno == EACCES && !after_user)
            return 1; /* try again as the container's user */
        return err_set(err, errno, "process.cwd %s", c->proc.cwd);
    }
    char buf[PATH_MAX];
    if (!getcwd(buf, sizeof(buf)) || buf[0] != '/')
        return err_set(err, errno ? errno : EACCES, "process.cwd %s is outside the container",
                       c->proc.cwd);
    return 0;
}

static int set_identity(struct container *c, struct oci_err *err)
{
    struct process_plan *p = &c->proc;
    if (p->username && *p->username) {
        struct user_entry u;
        int r = user_lookup("/etc/passwd", p->username, 0, &u);
        if (r <= 0)
            return err_set(err, r < 0 ? errno : 0,
                           "process.user.username \"%s\": no such user in the container's "
                           "/etc/passwd",
                           p->username);
        p->uid = u.uid;
        p->gid = u.gid;
    }
    process_plan_default_home(p);
    if (caps_drop_bounding(&p->caps, err) < 0)
        return -1;
    /* in a user namespace whose setgroups is "deny" an empty list may fail */
    if (user_switch(p->uid, p->gid, p->groups, p->n_groups, c->userns, err) < 0)
        return -1;
    /* without no_new_privs, loading the filter needs CAP_SYS_ADMIN: it is
     * held on (effective and permitted only) until the load right before
     * execve, and that execve drops it */
    uint64_t keep = c->seccomp.filter && !p->no_new_privs ? 1ull << CAP_SYS_ADMIN : 0;
    return caps_apply(&p->caps, keep, err);
}

int process_setup_apply(struct container *c, struct oci_err *err)
{
    TRACE_BEGIN(attrs, "process attributes");
    int rc = process_plan_apply_rlimits(&c->proc, err);
    if (rc == 0)
        rc = process_attrs_apply(&c->attrs, err);
    int cwd_later = rc == 0 ? enter_cwd(c, false, err) : -1;
    TRACE_END_RC(attrs, cwd_later < 0 ? -1 : 0);
    if (cwd_later < 0 || set_identity(c, err) < 0)
        return -1;
    if (cwd_later == 1 && enter_cwd(c, true, err) < 0)
        return -1;
    return 0;
}

int process_setup_final(struct container *c, char *path, size_t len, struct oci_err *err)
{
    if (process_plan_find_exec(&c->proc, path, len, err) < 0) {
        c->exec_failed = true;
        return -1;
    }
    umask(c->proc.has_umask ? c->proc.umask : 022);
    if (c->proc.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return err_set(err, errno, "process.noNewPrivileges");
    /* nothing of the runtime's goes through exec but stdio and the
     * preserved fds */
    int first = 3 + (c->o->preserve_fds > 0 ? c->o->preserve_fds : 0) +
                (c->o->listen_fds > 0 ? c->o->listen_fds : 0);
    if (fds_set_cloexec_from(first) < 0)
        return err_set(err, errno, "mark the runtime's fds close-on-exec");
    return 0;
}

struct after_load {
    long nr;
    const char *name;
};

/* The system calls the init makes once the filter is on, each checked
 * against the filter beforehand. */
static int check_after_load(const struct seccomp_plan *sp, const struct after_load *calls, size_t n,
                            const char *why, struct oci_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (!seccomp_plan_allows(sp, calls[i].nr, NULL))
            return err_set(err, 0,
                           "linux.seccomp: the profile does not allow %s, which oci-rt makes "
                           "after loading it %s",
                           calls[i].name, why);
    return 0;
}

int process_setup_seccomp(struct container *c, int chan, bool before_start, struct oci_err *err)
{
    if (!c->seccomp.filter)
        return 0;
    /* a notify listener goes to the parent; loaded before the wait for
     * start, the wait runs under the filter too */
    static const struct after_load wait[] = {{SYS_sendmsg, "sendmsg"},
                                             {SYS_recvmsg, "recvmsg"},
                                             {SYS_accept4, "accept4"},
                                             {SYS_close, "close"},
                                             {SYS_prctl, "prctl"}};
    size_t n = before_start ? ARRAY_SIZE(wait) : c->seccomp.listener ? 1 : 0;
    if (check_after_load(&c->seccomp, wait, n,
                         before_start ? "to pass the notify listener and wait for start"
                                      : "to pass the notify listener",
                         err) < 0)
        return -1;
    int lfd = -1;
    if (seccomp_plan_load(&c->seccomp, &lfd, err) < 0)
        return -1;
    /* the listener is close-on-exec: the exec closes it, no close(2) */
    if (lfd >= 0 && sync_send_fd(chan, SYNC_FD_SECCOMP, lfd) < 0)
        return err_set(err, errno, "linux.seccomp: pass the listener");
    return 0;
}

int process_setup_exec(struct container *c, int chan, const char *path, bool load_seccomp,
                       struct oci_err *err)
{
    const struct seccomp_plan *sp = &c->seccomp;
    struct exec_stub_call x;
    if (exec_stub_call_prepare(&x, chan, path, c->proc.argv, c->proc.envp) < 0)
        return err_set(err, errno, "exec \"%s\"", path);
    /* a filter that denies a call of the stub's own: the way it allows */
    if (sp->filter && x.sargv) {
        uint64_t fa[6] = {(uint64_t)x.errfd, F_SETFD, FD_CLOEXEC, 0, 0, 0};
        uint64_t wa[6] = {(uint64_t)x.errfd, 0, 0, 0, 0, 0};
        if (!seccomp_plan_allows(sp, SYS_fcntl, fa) || !seccomp_plan_allows(sp, SYS_write, wa))
            exec_stub_call_no_report(&x);
        uint64_t ea[6] = {(uint64_t)exec_stub_fd(),
                          (uint64_t)(uintptr_t) "",
                          (uint64_t)(uintptr_t)x.sargv,
                          (uint64_t)(uintptr_t)x.envp,
                          AT_EMPTY_PATH,
                          0};
        x.via_execveat = seccomp_plan_allows(sp, SYS_execveat, ea);
    }
    /* the spans so far go before the load; those of the load and the exec
     * only when the filter allows their sendmsg */
    bool send_trace = trace_enabled && (!sp->filter || seccomp_plan_allows(sp, SYS_sendmsg, NULL));
    if (load_seccomp)
        sync_send_trace(chan);
    if (load_seccomp && process_setup_seccomp(c, chan, false, err) < 0) {
        exec_stub_call_free(&x);
        return -1;
    }
    TRACE_BEGIN(span, "execve");
    (void)span;
    if (send_trace)
        sync_send_trace(chan);
    exec_stub_call(&x);
    exec_stub_call_free(&x);
    c->exec_failed = true;
    return err_set(err, errno, "exec \"%s\"", path);
}
