/* The child side of exec: join the running container (its cgroup, then
 * its user namespace, then the others, mount last), set the process up as
 * the init would, exec. The parent already entered the container's pid and
 * time namespaces for its children, so this process was born in them. */
#include "config.h"
#include "exec_child.h"
#include "exec_stub.h"
#include "namespaces.h"
#include "process_setup.h"
#include "procfs.h"
#include "sync.h"
#include "trace.h"
#include "util.h"

#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

static const enum spec_ns_type join_order[] = {SPEC_NS_USER,    SPEC_NS_IPC,    SPEC_NS_UTS,
                                               SPEC_NS_NETWORK, SPEC_NS_CGROUP, SPEC_NS_MOUNT};

static int join(struct container *c, struct oci_err *err)
{
    TRACE_BEGIN(span, "join namespaces");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < ARRAY_SIZE(join_order); i++) {
        enum spec_ns_type t = join_order[i];
        if (c->ns_fds[t] < 0)
            continue;
        if (setns(c->ns_fds[t], (int)ns_table[t].flag) < 0)
            rc = err_set(err, errno, "exec: join the container's %s namespace",
                         spec_ns_type_names[t]);
        close(c->ns_fds[t]);
        c->ns_fds[t] = -1;
    }
    if (rc == 0 && c->root_fd >= 0 && (fchdir(c->root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0))
        rc = err_set(err, errno, "exec: enter the container's root");
    TRACE_END_RC(span, rc);
    return rc;
}

static int exec_setup(struct container *c, struct oci_err *err)
{
    umask(0);
    if ((!c->join_cgroup_last && cgroup_enter_self(&c->cg, err) < 0) || join(c, err) < 0 ||
        process_attrs_open_label(&c->attrs, err) < 0)
        return -1;
    /* the exec's pty is its own stdio only: /dev/console stays the init's
     * (as with runc; a bind per exec -t would stack on it) */
    if (c->proc.terminal && process_setup_terminal(c, false, err) < 0)
        return -1;
    if (process_setup_apply(c, err) < 0)
        return -1;
    if (c->cfg->process->exec_cpu_affinity && c->cfg->process->exec_cpu_affinity->final &&
        *c->cfg->process->exec_cpu_affinity->final) {
        cpu_set_t set;
        CPU_ZERO(&set);
        if (process_attrs_parse_list(c->cfg->process->exec_cpu_affinity->final,
                                     (unsigned long *)&set, CPU_SETSIZE) < 0 ||
            sched_setaffinity(0, sizeof(set), &set) < 0)
            return err_set(err, errno, "process.execCPUAffinity.final");
    }
    procfs_close(); /* the rest needs no /proc */
    return 0;
}

/* A paused container's cgroup freezes whatever joins it: join last, tell
 * the parent (a detached exec is done then), and exec once thawed. */
static int join_frozen(struct container *c, struct oci_err *err)
{
    if (!c->join_cgroup_last)
        return 0;
    if (sync_send(c->sync_child, SYNC_READY, 0, NULL, 0) < 0)
        return err_set(err, errno, "sync socket");
    return cgroup_enter_self_all(&c->cg, err);
}

_Noreturn void exec_main(struct container *c)
{
    struct oci_err err = {0};
    char path[PATH_MAX];
    trace_child(TRACE_PROC_INIT);
    close(c->sync_parent);
    /* nothing of the caller's but stdio and the preserved fds */
    int keep[6 + SPEC_NS_TYPES] = {c->sync_child,  c->console_fd, c->cg.v2_fd,
                                   exec_stub_fd(), c->root_fd,    procfs_handle_fd()};
    for (int t = 0; t < SPEC_NS_TYPES; t++)
        keep[6 + t] = c->ns_fds[t];
    close_fds_except(3 + (c->o->preserve_fds > 0 ? c->o->preserve_fds : 0), keep, ARRAY_SIZE(keep));
    /* the runtime's binary stays closed to the container's processes */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (exec_setup(c, &err) == 0 && process_setup_final(c, path, sizeof(path), &err) == 0 &&
        process_attrs_set_exec_label(&c->attrs, &err) == 0 && join_frozen(c, &err) == 0) {
        if (c->o->detach)
            prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
        process_setup_exec(c, c->sync_child, path, true, &err);
    }
    sync_send_trace(c->sync_child);
    sync_send_err(c->sync_child, &err, c->exec_failed ? SYNC_EXEC_ERROR : SYNC_ERROR,
                  c->proc.argv ? c->proc.argv[0] : NULL);
    _exit(127);
}
