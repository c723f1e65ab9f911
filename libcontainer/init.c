/* The child side of create: the stage (when one is needed) and the init,
 * which sets the container up, waits for start and execs the user's
 * program. Errors travel to the parent over the sync socket. */
#include "config.h"
#include "init.h"
#include "devices.h"
#include "exec_stub.h"
#include "hooks.h"
#include "mountfd.h"
#include "namespaces.h"
#include "pathres.h"
#include "process_setup.h"
#include "procfs.h"
#include "record.h"
#include "rootfs.h"
#include "sync.h"
#include "trace.h"
#include "util.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

/* Wait for a message of the parent's (SYNC_GO, SYNC_DEVICES_DONE or
 * SYNC_HOOKS_DONE), taking GO, DEVICES_DONE and idmapped trees when they
 * come first. */
static int wait_parent(struct container *c, uint32_t want, struct oci_err *err)
{
    bool hooks_done = false;
    bool *done = want == SYNC_GO             ? &c->go_received
                 : want == SYNC_DEVICES_DONE ? &c->devices_done
                                             : &hooks_done;
    if (*done)
        return 0;
    TRACE_BEGIN(span, want == SYNC_GO             ? "wait for parent (cgroup, maps)"
                      : want == SYNC_DEVICES_DONE ? "wait for the device rules"
                                                  : "wait for the runtime's hooks");
    static char buf[SYNC_MAX + 1];
    int rc = -1;
    for (;;) {
        struct sync_hdr h;
        int fd = -1;
        ssize_t n = sync_recv(c->sync_child, &h, buf, &fd);
        if (n < 0) {
            err_set(err, errno, "sync socket");
            break;
        }
        if (h.type == SYNC_FD && h.value >= 0 && (size_t)h.value < c->n_mounts) {
            c->mounts[h.value].tree_fd = fd; /* an idmapped tree */
            continue;
        }
        if (fd >= 0)
            close(fd);
        if (h.type == SYNC_GO || h.type == SYNC_DEVICES_DONE || h.type == want) {
            if (h.type == SYNC_GO && !c->go_received) {
                c->go_received = true;
                prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
            }
            if (h.type == SYNC_DEVICES_DONE)
                c->devices_done = true;
            if (h.type == SYNC_HOOKS_DONE)
                hooks_done = true;
            if (*done) {
                rc = 0;
                break;
            }
            continue;
        }
        if (sync_msg_error(&h, buf, err) == 0)
            err_set(err, 0, "sync socket: unexpected message %u", h.type);
        break;
    }
    TRACE_END_RC(span, rc);
    return rc;
}

int init_wait_go(struct container *c, struct oci_err *err)
{
    return wait_parent(c, SYNC_GO, err);
}

/* In a new user namespace, once the parent wrote the maps: become its root
 * (files made from now on belong to the mapped ids). */
static int become_ns_root(struct oci_err *err)
{
    if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
        return err_set(err, errno, "user namespace: become root (is 0 mapped?)");
    return 0;
}

static int set_names(struct container *c, struct oci_err *err)
{
    const struct spec_config *cfg = c->cfg;
    if (cfg->hostname && *cfg->hostname && sethostname(cfg->hostname, strlen(cfg->hostname)) < 0)
        return err_set(err, errno, "hostname \"%s\"", cfg->hostname);
    if (cfg->domainname && *cfg->domainname &&
        setdomainname(cfg->domainname, strlen(cfg->domainname)) < 0)
        return err_set(err, errno, "domainname \"%s\"", cfg->domainname);
    return 0;
}

static int early_attrs(struct container *c, struct oci_err *err)
{
    if (!c->o->no_new_keyring) {
        char name[300];
        snprintf(name, sizeof(name), "_ses.%s", c->o->id);
        /* KEYCTL_JOIN_SESSION_KEYRING: a keyring of the container's own */
        if (syscall(SYS_keyctl, 1, name, 0, 0, 0) < 0 && errno != ENOSYS && errno != EPERM &&
            errno != EACCES && errno != EDQUOT)
            return err_set(err, errno, "join a session keyring");
    }
    if (c->proc.has_oom_score_adj) {
        char buf[16];
        int n = snprintf(buf, sizeof(buf), "%d", c->proc.oom_score_adj);
        if (procfs_write(PROCFS_SELF, 0, "oom_score_adj", buf, (size_t)n, err) < 0)
            return err_wrap(err, "process.oomScoreAdj %d", c->proc.oom_score_adj);
    }
    return 0;
}

/* With the mounts made and before the pivot: the parent runs prestart and
 * createRuntime (runtime namespace), then the init runs createContainer
 * (container namespace, paths still resolved in the runtime's tree). */
static int create_hooks(struct container *c, struct oci_err *err)
{
    const struct spec_hooks *h = &c->cfg->hooks;
    unsigned kinds =
        hooks_kinds(h) & ((1u << SPEC_HOOK_PRESTART) | (1u << SPEC_HOOK_CREATE_RUNTIME) |
                          (1u << SPEC_HOOK_CREATE_CONTAINER));
    if (!kinds)
        return 0;
    if (init_wait_go(c, err) < 0)
        return -1;
    if (kinds & ((1u << SPEC_HOOK_PRESTART) | (1u << SPEC_HOOK_CREATE_RUNTIME))) {
        sync_send_trace(c->sync_child);
        if (sync_send(c->sync_child, SYNC_HOOKS, 0, NULL, 0) < 0)
            return err_set(err, errno, "sync socket");
        if (wait_parent(c, SYNC_HOOKS_DONE, err) < 0)
            return -1;
    }
    if (!h->n[SPEC_HOOK_CREATE_CONTAINER])
        return 0;
    _cleanup_free_ char *state = record_hook_state(c, "creating", c->pidns ? 1 : getpid());
    c->hook_failed = hooks_run(h, SPEC_HOOK_CREATE_CONTAINER, state, err) < 0;
    return c->hook_failed ? -1 : 0;
}

/* process.cwd that the image lacks is made (0755, the container's root
 * its owner), as runc makes it: after the pivot, and before the root may
 * turn read-only. Resolved in the container's root without magic links:
 * the init still holds the runtime's procfs (of the host's pid namespace),
 * which /proc/self/fd/N/PID/root would lead a symlink of the image to. */
static int make_cwd(struct container *c, struct oci_err *err)
{
    _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return err_set(err, errno, "process.cwd %s: open the container's root", c->proc.cwd);
    _cleanup_close_ int fd = path_openat2(root, c->proc.cwd, O_PATH, false);
    if (fd >= 0 || errno != ENOENT)
        return 0; /* what is there, or why not, the chdir says */
    fd = path_open_in_root(root, c->proc.cwd, PATH_CREATE_DIR, "process.cwd", err);
    return fd < 0 ? -1 : 0;
}

static int setup_rootfs(struct container *c, struct oci_err *err)
{
    _cleanup_close_ int rootfd = rootfs_prepare(c->cfg, c->rootfs, !c->mntns, err);
    if (rootfd < 0)
        return -1;
    struct mount_env env = {.rootfd = rootfd,
                            .cg = &c->cg,
                            .cgroupns = c->cgroupns,
                            .userns = c->userns,
                            .netns = c->netns};
    if (mounts_apply(&env, c->mounts, c->n_mounts, err) < 0 ||
        devices_setup(rootfd, c->cfg, c->userns, env.dev_bound, c->proc.terminal, err) < 0)
        return -1;
    if (sync_send(c->sync_child, SYNC_DEVICES_MADE, 0, NULL, 0) < 0)
        return err_set(err, errno, "sync socket");
    if (env.dev_ro) {
        /* by fd, through the runtime's procfs (mountfd_remount_bind) */
        _cleanup_close_ int dev = openat(rootfd, "dev", O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (dev < 0 || mountfd_check_target("/dev", dev, false, "remount", err) < 0)
            return dev < 0 ? err_set(err, errno, "remount /dev read-only") : -1;
        if (mountfd_remount_bind(dev, NULL, MS_RDONLY) < 0)
            return err_set(err, errno, "remount /dev read-only");
    }
    if (create_hooks(c, err) < 0 || process_attrs_open_label(&c->attrs, err) < 0)
        return -1;
    /* the masks open /dev/null, a terminal /dev/ptmx: once the device
     * rules the parent applies meanwhile are complete */
    if (rootfs_pivot(c->rootfs, c->o->no_pivot, !c->mntns, err) < 0 || make_cwd(c, err) < 0 ||
        rootfs_sysctl(c->cfg, err) < 0 || wait_parent(c, SYNC_DEVICES_DONE, err) < 0 ||
        rootfs_finalize(c->cfg, err) < 0)
        return -1;
    return c->proc.terminal ? process_setup_terminal(c, true, err) : 0;
}

/* A /dev/null the caller gave as stdio is the host's: the container's own
 * takes its place, as runc's init does, so that the container holds no file
 * of a host mount (CRIU dumps only files it finds in the container). The
 * container's is opened once, O_PATH without following anything (a symlink
 * swapped in for it is refused, never followed into /proc), checked to be
 * the null device, and then reopened by fd: what was checked is what is
 * used. */
static int reopen_dev_null(struct oci_err *err)
{
    _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return err_set(err, errno, "open the container's root");
    _cleanup_close_ int null = path_openat2(root, "/dev/null", O_PATH | O_NOFOLLOW, false);
    struct stat nst;
    if (null < 0 || fstat(null, &nst) < 0 || !S_ISCHR(nst.st_mode) || nst.st_rdev != makedev(1, 3))
        return 0;
    for (int fd = 0; fd < 3; fd++) {
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != nst.st_rdev)
            continue;
        int flags = fcntl(fd, F_GETFL);
        int n = procfs_reopen(null, flags < 0 ? O_RDWR : flags & O_ACCMODE, err);
        if (n < 0)
            return err_wrap(err, "open the container's /dev/null");
        int r = dup3(n, fd, 0);
        close(n);
        if (r < 0)
            return err_set(err, errno, "stdio %d: the container's /dev/null", fd);
    }
    return 0;
}

static int init_setup(struct container *c, struct oci_err *err)
{
    umask(0);
    /* a session of its own, as runc's init has (with a terminal it is made
     * with the terminal): CRIU checkpoints a tree only with its session
     * leader inside */
    if (!c->proc.terminal && setsid() < 0)
        return err_set(err, errno, "setsid");
    if (!c->staged) {
        TRACE_BEGIN(span, "cgroup join (v1)");
        int rc = cgroup_enter_self(&c->cg, err);
        TRACE_END_RC(span, rc);
        if (rc < 0)
            return -1;
    }
    if (!c->staged && (c->ns_new & CLONE_NEWUSER) &&
        (init_wait_go(c, err) < 0 || become_ns_root(err) < 0))
        return -1;
    if (!c->staged && ns_any_path(c->cfg) && ns_join_all(c->cfg, false, err) < 0)
        return -1;
    if (c->ns_new & CLONE_NEWCGROUP) {
        /* rooted at the container's cgroups, which we are in now (on v2
         * by clone3, else once the parent moved us) */
        if (!c->cg_in_clone && (c->cg.v2_mnt || c->cg.unit_pending) && init_wait_go(c, err) < 0)
            return -1;
        if (unshare(CLONE_NEWCGROUP) < 0)
            return err_set(err, errno, "create the cgroup namespace");
        /* run.oci.delegate-cgroup: the parent moves us below the root */
        if (c->cg.delegate && sync_send(c->sync_child, SYNC_CGROUPNS_MADE, 0, NULL, 0) < 0)
            return err_set(err, errno, "sync socket");
    }
    if (mounts_need_idmap(c->mounts, c->n_mounts) && init_wait_go(c, err) < 0)
        return -1;
    TRACE_BEGIN(span, "process attributes (early)");
    int rc = set_names(c, err);
    if (rc == 0)
        rc = early_attrs(c, err);
    TRACE_END_RC(span, rc);
    if (rc < 0 || setup_rootfs(c, err) < 0 || (!c->proc.terminal && reopen_dev_null(err) < 0))
        return -1;
    return process_setup_apply(c, err);
}

/* The connection of `start` on the exec socket. One that closes without
 * START is a look at the status (state_status), or a start killed before
 * it asked: the next is waited for. Once START came the socket is closed,
 * so that a connection is refused from then on (the status is "running"). */
static int accept_start(struct container *c, int *chan, struct oci_err *err)
{
    for (;;) {
        int fd = (int)TEMP_FAILURE_RETRY_INT(accept4(c->exec_listen, NULL, NULL, SOCK_CLOEXEC));
        if (fd < 0)
            return err_set(err, errno, "exec socket");
        struct sync_hdr h;
        static char buf[SYNC_MAX + 1];
        ssize_t n = sync_recv(fd, &h, buf, NULL);
        if (n >= 0 && h.type == SYNC_START) {
            /* started for good: from now on the socket refuses (status
             * "running"), a second start included */
            close(c->exec_listen);
            c->exec_listen = -1;
            close(c->sync_child);
            c->sync_child = *chan = fd; /* errors from here on go to `start` */
            return 0;
        }
        close(fd);
    }
}

/* After the set-up: tell the parent, wait for start, exec. The seccomp
 * filter goes on right before the execve, so that the runtime's own work
 * never runs under the user's filter; but a notify listener must reach its
 * agent during create (as with runc), so then the filter goes on before
 * the wait for start, which runs under it. */
static int init_exec(struct container *c, struct oci_err *err)
{
    char path[PATH_MAX];
    /* no runtime's procfs stays open while the container waits, nor while
     * process.args[0] is looked for along PATH: /proc/self/fd/N of it would
     * lead a path of the image to the host's processes and their roots */
    procfs_close();
    if (process_setup_final(c, path, sizeof(path), err) < 0)
        return -1;
    if (init_wait_go(c, err) < 0)
        return -1;
    bool early = c->seccomp.listener;
    if (early && process_setup_seccomp(c, c->sync_child, true, err) < 0)
        return -1;
    sync_send_trace(c->sync_child);
    if (sync_send(c->sync_child, SYNC_READY, 0, NULL, 0) < 0)
        return err_set(err, errno, "sync socket");
    /* the parent records the container; until then a parent that dies
     * takes this process along (its death signal, or the end of the
     * socket), so that no create killed half-way leaves an init behind.
     * run: the parent sends START once the record is on disk, and stays
     * until the exec; one message is both. */
    int chan = c->sync_child;
    bool start_is_go = container_start_is_go(c);
    if (!start_is_go) {
        TRACE_BEGIN(commit, "wait for the record on disk");
        int grc = sync_expect(chan, SYNC_GO, err);
        TRACE_END_RC(commit, grc);
        if (grc < 0)
            return -1;
        if (!c->staged)
            prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
        /* create may return now (it waits for this: leaving earlier, its
         * death signal could still reach this process) */
        if (sync_send(chan, SYNC_READY, 0, NULL, 0) < 0)
            return err_set(err, errno, "sync socket");
    }
    TRACE_BEGIN(wait, "wait for start");
    int rc = c->run_mode ? sync_expect(chan, SYNC_START, err) : accept_start(c, &chan, err);
    TRACE_END_RC(wait, rc);
    if (rc < 0)
        return -1;
    if (start_is_go)
        prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
    if (c->cfg->hooks.n[SPEC_HOOK_START_CONTAINER]) {
        _cleanup_free_ char *state = record_hook_state(c, "created", getpid());
        c->hook_failed = hooks_run(&c->cfg->hooks, SPEC_HOOK_START_CONTAINER, state, err) < 0;
        if (c->hook_failed)
            return -1;
    }
    if (process_attrs_set_exec_label(&c->attrs, err) < 0)
        return -1;
    return process_setup_exec(c, chan, path, !early, err);
}

/* Until it execs, this process runs the host's oci-rt binary: made
 * non-dumpable, its /proc/PID/exe (and every /proc/PID file) is closed to
 * other processes, so no process of a container can open the runtime's
 * binary through it (the CVE-2019-5736 class). execve makes the user's
 * program dumpable again. A rootless parent still has to write the id maps
 * of a new user namespace through /proc/PID: then it is done after them. */
static void protect_exe(struct container *c)
{
    if (geteuid() != 0 && (c->ns_new & CLONE_NEWUSER))
        return; /* init_wait_go does it */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* The child keeps no fd but stdio, the preserved ones and its own few:
 * above all not the state directory (whose flock would live as long as the
 * container) nor anything the caller left open (a directory fd of the
 * host's would be a way out: /proc/self/fd/N/...). */
static void close_parent_fds(struct container *c)
{
    int *fds[] = {&c->sync_parent, &c->sd.dirfd, &c->cg.v2_fd, &c->pidfd};
    for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
        if (*fds[i] >= 0) {
            close(*fds[i]);
            *fds[i] = -1;
        }
    int keep[] = {c->sync_child, c->exec_listen, c->console_fd, exec_stub_fd(), procfs_handle_fd()};
    int first = 3 + (c->o->preserve_fds > 0 ? c->o->preserve_fds : 0) +
                (c->o->listen_fds > 0 ? c->o->listen_fds : 0);
    close_fds_except(first, keep, ARRAY_SIZE(keep));
}

_Noreturn void init_main(struct container *c)
{
    struct oci_err err = {0};
    trace_child(TRACE_PROC_INIT);
    close_parent_fds(c);
    if (!c->staged)
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    protect_exe(c);
    if (init_setup(c, &err) == 0)
        init_exec(c, &err);
    sync_send_trace(c->sync_child);
    sync_send_err(c->sync_child, &err,
                  c->exec_failed   ? SYNC_EXEC_ERROR
                  : c->hook_failed ? SYNC_HOOK_ERROR
                                   : SYNC_ERROR,
                  c->proc.argv ? c->proc.argv[0] : NULL);
    _exit(127);
}

static int write_time_offsets(const struct spec_linux *l, struct oci_err *err)
{
    char buf[128];
    int n = 0;
    if (l->time_monotonic.present)
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, "monotonic %lld %u\n",
                      (long long)l->time_monotonic.secs, l->time_monotonic.nanosecs);
    if (l->time_boottime.present)
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, "boottime %lld %u\n",
                      (long long)l->time_boottime.secs, l->time_boottime.nanosecs);
    if (n && procfs_write(PROCFS_SELF, 0, "timens_offsets", buf, (size_t)n, err) < 0)
        return err_wrap(err, "linux.timeOffsets");
    return 0;
}

/* The stage: joins the namespaces given by path (user first), unshares the
 * new ones, has the parent write the id maps, and forks the init, which is
 * then inside every namespace (pid and time included). */
static int stage_run(struct container *c, struct oci_err *err)
{
    if (cgroup_enter_self(&c->cg, err) < 0 || init_wait_go(c, err) < 0 ||
        ns_join_all(c->cfg, true, err) < 0)
        return -1;
    uint64_t flags = c->ns_new;
    if (flags & CLONE_NEWUSER) {
        if (unshare(CLONE_NEWUSER) < 0)
            return err_set(err, errno, "create the user namespace");
        /* the parent writes the maps through /proc/PID (see protect_exe) */
        prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
        if (sync_send(c->sync_child, SYNC_MAPS, getpid(), NULL, 0) < 0 ||
            sync_expect(c->sync_child, SYNC_GO, err) < 0 || become_ns_root(err) < 0)
            return -1;
        flags &= ~(uint64_t)CLONE_NEWUSER;
    }
    if (flags && unshare((int)flags) < 0)
        return err_set(err, errno, "create the namespaces");
    if (c->cfg->linux_ && write_time_offsets(c->cfg->linux_, err) < 0)
        return -1;
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); /* the init inherits it */
    pid_t pid = fork();
    if (pid < 0)
        return err_set(err, errno, "fork the container init");
    if (pid == 0) {
        c->go_received = false; /* the parent sends one more (after idmapped trees) */
        c->ns_new = 0;          /* made by the stage already */
        init_main(c);
    }
    sync_send_trace(c->sync_child);
    if (sync_send(c->sync_child, SYNC_PID, pid, NULL, 0) < 0)
        return err_set(err, errno, "sync socket");
    return 0;
}

_Noreturn void stage_main(struct container *c)
{
    struct oci_err err = {0};
    trace_child(TRACE_PROC_STAGE);
    close_parent_fds(c);
    protect_exe(c);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    int rc = stage_run(c, &err);
    if (rc < 0) {
        sync_send_trace(c->sync_child);
        sync_send_err(c->sync_child, &err, SYNC_ERROR, NULL);
    }
    _exit(rc < 0 ? 1 : 0);
}
