#include "config.h"
#include "init.h"
#include "namespaces.h"
#include "idmap.h"
#include "netdev.h"
#include "clone.h"
#include "sync.h"
#include "trace.h"
#include "userns.h"
#include "util.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int clone_start(struct container *c, struct oci_err *err)
{
    TRACE_BEGIN(span, c->staged ? "clone stage" : "clone init");
    uint64_t flags = c->staged ? 0 : c->ns_new;
    /* a cgroup namespace is rooted where the process is when it is made: on
     * v1 hierarchies that is only known after the parent moved the init */
    if (!c->staged && (c->cg.mode != CG_UNIFIED || c->cg.unit_pending) && c->cg.mode != CG_DISABLED)
        flags &= ~(uint64_t)CLONE_NEWCGROUP; /* (systemd: the scope is made after the clone) */
    if (c->staged && c->run_mode)
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); /* the init is the stage's child */
    int cgfd = c->cg.v2_fd;
    int pidfd = -1;
    pid_t pid = ns_clone3(flags, cgfd, &pidfd);
    if (pid < 0 && cgfd >= 0 && (errno == EINVAL || errno == E2BIG || errno == EOPNOTSUPP)) {
        cgfd = -1; /* a kernel without CLONE_INTO_CGROUP */
        pid = ns_clone3(flags, -1, &pidfd);
    }
    if (pid < 0) {
        int e = errno;
        TRACE_END_RC(span, -1);
        return err_set(err, e, "clone the container %s", c->staged ? "stage" : "init");
    }
    if (pid == 0) {
        c->cg_in_clone = cgfd >= 0;
        if (c->staged)
            stage_main(c);
        /* the new cgroup namespace was made by clone3 when it was safe */
        if (flags & CLONE_NEWCGROUP)
            c->ns_new &= ~(uint64_t)CLONE_NEWCGROUP;
        init_main(c);
    }
    c->cg_in_clone = cgfd >= 0;
    close(c->sync_child); /* the child's ends are the child's now */
    c->sync_child = -1;
    if (c->exec_listen >= 0) {
        close(c->exec_listen); /* the init holds it now */
        c->exec_listen = -1;
    }
    if (c->console_fd >= 0) {
        close(c->console_fd); /* the init sends the terminal on it */
        c->console_fd = -1;
    }
    if (c->staged) {
        c->pid = 0; /* the stage; the init comes by SYNC_PID */
        c->pidfd = pidfd;
        c->stage_pid = pid;
    } else {
        c->pid = pid;
        c->pidfd = pidfd;
    }
    TRACE_END(span);
    return 0;
}

/* The idmapped trees of the mounts that need one, sent to the init. */
static int send_idmap_trees(struct container *c, struct oci_err *err)
{
    if (!mounts_need_idmap(c->mounts, c->n_mounts))
        return 0;
    TRACE_BEGIN(span, "idmapped mounts");
    int rc = 0;
    _cleanup_close_ int userns = -1;
    if (c->userns) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/user", c->pid);
        userns = open(path, O_RDONLY | O_CLOEXEC);
    }
    for (size_t i = 0; rc == 0 && i < c->n_mounts; i++) {
        if (!c->mounts[i].idmap)
            continue;
        const struct spec_mount *m = c->mounts[i].m;
        if (userns < 0 && !m->uid_mappings.n) {
            rc = err_set(err, 0,
                         "mounts[%zu] (%s): idmap needs a user namespace or the mount's own "
                         "uidMappings/gidMappings",
                         i, m->destination);
            break;
        }
        int tree = idmap_make_tree(&c->mounts[i], userns, err);
        if (tree < 0) {
            rc = -1;
            break;
        }
        if (sync_send_fd(c->sync_parent, (int32_t)i, tree) < 0)
            rc = err_set(err, errno, "sync socket");
        close(tree);
    }
    TRACE_END_RC(span, rc);
    return rc;
}

int clone_after(struct container *c, struct oci_err *err)
{
    pid_t target = c->staged ? c->stage_pid : c->pid;
    if (!c->staged && (c->ns_new & CLONE_NEWUSER)) {
        TRACE_BEGIN(span, "user namespace maps");
        int rc = userns_write_maps(c->cfg, target, err);
        TRACE_END_RC(span, rc);
        if (rc < 0)
            return -1;
    }
    if (!c->staged &&
        (netdev_move_all(c->cfg->linux_, c->pid, err) < 0 || send_idmap_trees(c, err) < 0))
        return -1;
    TRACE_BEGIN(span, "cgroup enter");
    int rc = cgroup_enter(&c->cg, target, c->cg_in_clone, err);
    TRACE_END_RC(span, rc);
    if (rc < 0)
        return -1;
    /* a child that already failed is gone: its error is read next */
    TRACE_BEGIN(gspan, "let the child go on");
    int e = sync_send(c->sync_parent, SYNC_GO, 0, NULL, 0) < 0 && errno != EPIPE ? errno : 0;
    TRACE_END_RC(gspan, e ? -1 : 0);
    return e ? err_set(err, e, "sync socket") : 0;
}

int clone_adopt_init(struct container *c, pid_t pid, struct oci_err *err)
{
    int status;
    TEMP_FAILURE_RETRY_INT(waitpid(c->stage_pid, &status, 0));
    if (c->pidfd >= 0)
        close(c->pidfd);
    c->stage_pid = 0;
    c->pid = pid;
    c->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (c->pidfd < 0)
        return err_set(err, errno, "container init %d", pid);
    if (state_note_pid(&c->sd, pid, &c->pid_start, err) < 0)
        return -1;
    if (netdev_move_all(c->cfg->linux_, c->pid, err) < 0 || send_idmap_trees(c, err) < 0)
        return -1;
    if (sync_send(c->sync_parent, SYNC_GO, 0, NULL, 0) < 0 && errno != EPIPE)
        return err_set(err, errno, "sync socket");
    return 0;
}

const char *clone_exit_reason(struct container *c)
{
    static char buf[64];
    siginfo_t si;
    buf[0] = '\0';
    pid_t p = c->staged && c->stage_pid ? c->stage_pid : c->pid;
    memset(&si, 0, sizeof(si));
    if (p > 0 && waitid(P_PID, (id_t)p, &si, WEXITED | WNOWAIT) == 0 && si.si_pid == p) {
        if (si.si_code == CLD_EXITED)
            snprintf(buf, sizeof(buf), " (exit status %d)", si.si_status);
        else
            snprintf(buf, sizeof(buf), " (killed by signal %d)", si.si_status);
    }
    return buf;
}

int clone_wait_pidfd(int pidfd, int timeout_ms)
{
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    int r = (int)TEMP_FAILURE_RETRY_INT(poll(&p, 1, timeout_ms));
    return r > 0 ? 0 : -1;
}

void clone_kill_wait(struct container *c)
{
    if (c->stage_pid > 0) {
        kill(c->stage_pid, SIGKILL);
        TEMP_FAILURE_RETRY_INT(waitpid(c->stage_pid, NULL, 0));
        c->stage_pid = 0;
    }
    if (c->pidfd >= 0) {
        if (syscall(SYS_pidfd_send_signal, c->pidfd, SIGKILL, NULL, 0) < 0 && errno == ENOSYS &&
            c->pid > 0)
            kill(c->pid, SIGKILL); /* our child: its pid is not reused before the wait */
        clone_wait_pidfd(c->pidfd, 10000);
    } else if (c->pid > 0) {
        kill(c->pid, SIGKILL);
    }
    if (c->pid > 0)
        waitpid(c->pid, NULL, WNOHANG); /* reap it when it is our child */
}
