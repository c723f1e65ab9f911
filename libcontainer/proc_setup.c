/* The container process's own set-up, shared by the init (create) and by
 * the processes exec joins to a running container: terminal, rlimits and
 * attributes, cwd, user and capabilities, and the last steps before
 * execve. */
#include "config.h"
#include "caps.h"
#include "container_internal.h"
#include "sync.h"
#include "terminal.h"
#include "trace.h"
#include "user.h"
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* The pty: its master to the console socket, or to the parent (a
 * foreground run relays it). */
int proc_setup_terminal(struct container *c, struct oci_err *err)
{
    int master = terminal_setup(c->cfg->process, c->proc.uid, err);
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

/* The filter, and its notify listener up to the parent. Every syscall
 * after this goes through the filter. */
static int load_seccomp(struct container *c, struct oci_err *err)
{
    if (!c->seccomp.filter)
        return 0;
    int lfd = -1;
    if (seccomp_plan_load(&c->seccomp, &lfd, err) < 0)
        return -1;
    if (lfd < 0)
        return 0;
    int r = sync_send_fd(c->sync_child, SYNC_FD_SECCOMP, lfd);
    close(lfd);
    return r < 0 ? err_set(err, errno, "linux.seccomp: pass the listener") : 0;
}

static int set_identity(struct container *c, struct oci_err *err)
{
    struct proc_plan *p = &c->proc;
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
    proc_default_home(p);
    /* without no_new_privs loading needs CAP_SYS_ADMIN: before the
     * capabilities go (as runc does); with it, as late as possible */
    if (!p->no_new_privs && load_seccomp(c, err) < 0)
        return -1;
    if (caps_drop_bounding(&p->caps, err) < 0)
        return -1;
    /* in a user namespace whose setgroups is "deny" an empty list may fail */
    if (user_switch(p->uid, p->gid, p->groups, p->n_groups, c->userns, err) < 0)
        return -1;
    return caps_apply(&p->caps, err);
}

int proc_setup_process(struct container *c, struct oci_err *err)
{
    TRACE_BEGIN(attrs, "process attributes");
    int rc = proc_apply_rlimits(&c->proc, err);
    if (rc == 0)
        rc = procattr_apply(&c->attrs, err);
    int cwd_later = rc == 0 ? enter_cwd(c, false, err) : -1;
    TRACE_END_RC(attrs, cwd_later < 0 ? -1 : 0);
    if (cwd_later < 0 || set_identity(c, err) < 0)
        return -1;
    if (cwd_later == 1 && enter_cwd(c, true, err) < 0)
        return -1;
    return 0;
}

int proc_setup_final(struct container *c, char *path, size_t len, struct oci_err *err)
{
    if (proc_find_exec(&c->proc, path, len, err) < 0)
        return -1;
    umask(c->proc.has_umask ? c->proc.umask : 022);
    if (c->proc.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return err_set(err, errno, "process.noNewPrivileges");
    if (c->proc.no_new_privs && load_seccomp(c, err) < 0)
        return -1;
    /* nothing of the runtime's goes through exec but stdio and the
     * preserved fds */
    unsigned first = 3 + (unsigned)(c->o->preserve_fds > 0 ? c->o->preserve_fds : 0) +
                     (unsigned)(c->o->listen_fds > 0 ? c->o->listen_fds : 0);
    if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
        return err_set(err, errno, "close_range");
    return 0;
}
