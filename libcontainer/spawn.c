/* Bringing a container up to "created", shared by create, run and restore
 * (and in parts by exec): prepare (parse, validate, plan: no side effect),
 * then the state directory, cgroup, clone and the init's set-up driven
 * from the parent, and the record; undone whole on failure. */
#include "config.h"
#include "exec_stub.h"
#include "hooks.h"
#include "log.h"
#include "namespaces.h"
#include "notify.h"
#include "clone.h"
#include "procfs.h"
#include "record.h"
#include "seccomp_cache.h"
#include "seccomp_notify.h"
#include "spawn.h"
#include "sync.h"
#include "terminal.h"
#include "trace.h"
#include "userns.h"
#include "util.h"
#include "validate.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int load_config(struct container *c, struct oci_err *err)
{
    TRACE_BEGIN(span, "config parse");
    _cleanup_free_ char *path = NULL;
    if (c->o->config_file && c->o->config_file[0] == '/')
        path = xstrdup(c->o->config_file);
    else
        xasprintf(&path, "%s/%s", c->bundle, c->o->config_file ? c->o->config_file : "config.json");
    char *msg = NULL;
    int rc = 0;
    if (read_file_at(AT_FDCWD, path, &c->config_data, &c->config_len, 64 << 20) < 0) {
        rc = err_set(err, errno, "%s: cannot read", path);
    } else if (!(c->cfg = spec_config_parse_nul(c->config_data, c->config_len, path, &msg))) {
        rc = err_set(err, 0, "%s", msg ? msg : "config.json: cannot parse");
        free(msg);
    }
    TRACE_END_RC(span, rc);
    return rc;
}

static int resolve_paths(struct container *c, struct oci_err *err)
{
    char buf[PATH_MAX];
    const char *bundle = c->o->bundle && *c->o->bundle ? c->o->bundle : ".";
    if (!realpath(bundle, buf))
        return err_set(err, errno, "bundle %s", bundle);
    c->bundle = xstrdup(buf);
    return 0;
}

static int resolve_rootfs(struct container *c, struct oci_err *err)
{
    char buf[PATH_MAX];
    _cleanup_free_ char *raw = NULL;
    if (c->cfg->root_path[0] == '/')
        raw = xstrdup(c->cfg->root_path);
    else
        xasprintf(&raw, "%s/%s", c->bundle, c->cfg->root_path);
    if (!realpath(raw, buf))
        return err_set(err, errno, "root.path %s", raw);
    struct stat st;
    if (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode))
        return err_set(err, ENOTDIR, "root.path %s", raw);
    c->rootfs = xstrdup(buf);
    return 0;
}

int spawn_prepare(struct container *c, const struct container_opts *o, struct oci_err *err)
{
    memset(c, 0, sizeof(*c));
    c->o = o;
    c->sync_parent = c->sync_child = c->exec_listen = c->pidfd = -1;
    c->console_fd = c->tty_master = c->root_fd = -1;
    c->attrs.attr_fd = -1;
    c->sd.dirfd = -1;
    c->cg.v2_fd = -1;
    TRACE_BEGIN(rspan, "id and bundle path");
    int rrc = record_check_id(o->id, err) < 0 || resolve_paths(c, err) < 0 ? -1 : 0;
    TRACE_END_RC(rspan, rrc);
    if (rrc < 0 || load_config(c, err) < 0)
        return -1;
    exec_stub_prepare();
    TRACE_BEGIN(span, "validate and plan");
    int rc = -1;
    if (!c->cfg->process) {
        err_set(err, 0, "config.json: process: required to create a container");
        goto out;
    }
    if (resolve_rootfs(c, err) < 0)
        goto out;
    if (o->notify_socket)
        notify_env(c->cfg);
    userns_default_maps(c->cfg);
    const struct spec_config *cfg = c->cfg;
    c->ns_new = ns_new_flags(cfg);
    c->userns = spec_config_namespace(cfg, SPEC_NS_USER) != NULL;
    c->pidns = spec_config_namespace(cfg, SPEC_NS_PID) != NULL;
    c->cgroupns = spec_config_namespace(cfg, SPEC_NS_CGROUP) != NULL;
    c->utsns = spec_config_namespace(cfg, SPEC_NS_UTS) != NULL;
    c->netns = spec_config_namespace(cfg, SPEC_NS_NETWORK) != NULL;
    c->mntns = spec_config_namespace(cfg, SPEC_NS_MOUNT) != NULL;
    const struct spec_linux *l = cfg->linux_;
    bool offsets = l && (l->time_boottime.present || l->time_monotonic.present);
    c->staged = ns_has_path(cfg, SPEC_NS_PID) || ns_has_path(cfg, SPEC_NS_USER) ||
                ns_has_path(cfg, SPEC_NS_TIME) || offsets ||
                ((c->ns_new & CLONE_NEWUSER) && ns_any_path(cfg));
    if (validate_container(c, err) < 0 ||
        mounts_plan(cfg, c->bundle, &c->mounts, &c->n_mounts, err) < 0 ||
        process_plan_build(cfg->process, (c->ns_new & CLONE_NEWUSER) != 0, &c->proc, err) < 0 ||
        process_plan_listen_fds(&c->proc, o->listen_fds) < 0 ||
        spawn_seccomp_plan(c, o->root, err) < 0 ||
        process_attrs_plan(cfg, cfg->process, &c->attrs, err) < 0)
        goto out;
    rc = 0;
out:
    TRACE_END_RC(span, rc);
    return rc;
}

int spawn_channels(struct container *c, struct oci_err *err)
{
    if (c->o->console_socket && (c->console_fd = terminal_connect(c->o->console_socket, err)) < 0)
        return -1;
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
        return err_set(err, errno, "socketpair");
    c->sync_parent = sp[0];
    c->sync_child = sp[1];
    return 0;
}

int spawn_seccomp_plan(struct container *c, const char *root, struct oci_err *err)
{
    const struct spec_seccomp *s = c->cfg->linux_ ? c->cfg->linux_->seccomp : NULL;
    if (!s)
        return 0;
    /* compiled programs are kept under the state root: a profile costs
     * libseccomp 15-40 ms, a cached one a read */
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/.cache", root);
    if (mkdir(root, 0711) < 0 && errno == ENOENT)
        mkdir_p(root, 0711);
    mkdir(dir, 0700);
    strncat(dir, "/seccomp", sizeof(dir) - strlen(dir) - 1);
    mkdir(dir, 0700);
    _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return seccomp_plan_build_cached(s, fd, &c->seccomp, err);
}

int spawn_seccomp_notify(struct container *c, int fd, struct oci_err *err)
{
    const struct spec_seccomp *s = c->cfg->linux_ ? c->cfg->linux_->seccomp : NULL;
    int rc = 0;
    if (!s || !s->listener_path) {
        close(fd);
        return 0;
    }
    struct spec_state st = {
        .oci_version = c->cfg->oci_version,
        .id = (char *)c->o->id,
        .status = "creating",
        .pid = c->pid,
        .bundle = c->bundle,
        .annotations = c->cfg->annotations,
    };
    char *json = seccomp_process_state_json(&st, c->pid, s->listener_metadata);
    if (!json)
        rc = err_set(err, ENOMEM, "linux.seccomp.listenerPath");
    else if (seccomp_notify_send(s->listener_path, fd, json, err) < 0)
        rc = -1;
    free(json);
    close(fd);
    return rc;
}

int spawn_send_pidfd(const char *socket_path, int pidfd, struct oci_err *err)
{
    if (!socket_path)
        return 0;
    int sock = unix_connect(socket_path, err);
    if (sock < 0)
        return err_wrap(err, "--pidfd-socket");
    int rc = unix_send_fd(sock, pidfd, "pidfd", 5, err);
    close(sock);
    return rc < 0 ? err_wrap(err, "--pidfd-socket %s", socket_path) : 0;
}

/* The exec socket the init waits on until `start` connects. */
static int make_exec_socket(struct container *c, struct oci_err *err)
{
    TRACE_BEGIN(span, "exec socket");
    int rc = -1;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", c->sd.dirfd,
                     STATE_EXEC_SOCK);
    if (strlen(c->sd.path) + sizeof(STATE_EXEC_SOCK) + 1 < sizeof(sa.sun_path))
        n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", c->sd.path, STATE_EXEC_SOCK);
    c->exec_listen = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (c->exec_listen < 0 ||
        bind(c->exec_listen, (struct sockaddr *)&sa,
             (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)n + 1)) < 0 ||
        listen(c->exec_listen, 64) < 0)
        err_set(err, errno, "exec socket in %s", c->sd.path);
    else
        rc = 0;
    TRACE_END_RC(span, rc);
    return rc;
}

static bool resources_requested(const struct spec_resources *r)
{
    return r && (r->memory || r->cpu || r->has_pids_limit || r->block_io || r->n_hugepage_limits ||
                 r->network || r->n_rdma || r->unified.n);
}

int spawn_cgroup(struct container *c, struct oci_err *err)
{
    TRACE_BEGIN(span, "cgroup create");
    const char *cgpath = c->cfg->linux_ ? c->cfg->linux_->cgroups_path : NULL;
    _cleanup_free_ char *path = cgroup_resolve_path(cgpath, c->o->id);
    int rc;
    if (c->o->systemd_cgroup && c->o->cgroup_mode != CG_DISABLED) {
        rc = cgroup_init_systemd(&c->cg, c->o->cgroup_mode, cgpath, c->o->id, &c->cfg->annotations,
                                 err);
        c->cg.delegate_late = c->cgroupns; /* rooted above the delegated cgroup */
    } else {
        rc = cgroup_init(&c->cg, c->o->cgroup_mode, path, NULL, err);
    }
    c->cg.defer_devices = true; /* once the init made its device nodes */
    const struct spec_resources *res = c->cfg->linux_ ? c->cfg->linux_->resources : NULL;
    if (rc == 0) {
        cgroup_plan_top(&c->cg);
        rc = record_write_intent(c, err); /* before the first mkdir */
    }
    if (rc == 0)
        rc = cgroup_create(&c->cg, res, err);
    if (rc < 0 && geteuid() != 0 &&
        (err->errnum == EACCES || err->errnum == EPERM || err->errnum == EROFS)) {
        /* rootless without a delegated cgroup: fine unless limits are asked */
        if (resources_requested(res)) {
            err_wrap(err,
                     "rootless: the limits in linux.resources need a cgroup delegated "
                     "to uid %u",
                     geteuid());
        } else {
            log_debug("rootless: no cgroup (%s)", err->msg);
            err_clear(err);
            cgroup_release(&c->cg);
            rc = cgroup_init(&c->cg, CG_DISABLED, path, NULL, err);
        }
    }
    if (rc == 0)
        c->cg_made = true;
    TRACE_END_RC(span, rc);
    return rc;
}

/* prestart and createRuntime, in the runtime's namespaces, asked for by
 * the init once the mounts are made and before it pivots. */
static int parent_hooks(struct container *c, struct oci_err *err)
{
    _cleanup_free_ char *state = record_hook_state(c, "creating", c->pid);
    if (hooks_run(&c->cfg->hooks, SPEC_HOOK_PRESTART, state, err) < 0 ||
        hooks_run(&c->cfg->hooks, SPEC_HOOK_CREATE_RUNTIME, state, err) < 0) {
        c->hook_failed = true;
        return -1;
    }
    if (sync_send(c->sync_parent, SYNC_HOOKS_DONE, c->pid, NULL, 0) < 0 && errno != EPIPE)
        return err_set(err, errno, "sync socket");
    return 0;
}

/* Whether a message of the init waits to be answered. */
static bool init_waiting(const struct container *c)
{
    struct pollfd p = {.fd = c->sync_parent, .events = POLLIN};
    return poll(&p, 1, 0) != 0;
}

/* While the init mounts, before it asks for the device rules: their filter
 * loaded now (the verifier's ~0.5 ms off the init's path), at the first
 * moment that nothing from the init waits to be answered. True once done. */
static bool preload_devices(struct container *c)
{
    if (init_waiting(c))
        return false;
    TRACE_BEGIN(span, "cgroup devices (load ahead)");
    cgroup_preload_devices(&c->cg, c->cfg->linux_ ? c->cfg->linux_->resources : NULL);
    TRACE_END(span);
    return true;
}

/* run without hooks before the start: the "created" record may be written
 * while the init still sets up (after its device rules, while it pivots
 * and masks; it was the last step before START). Nobody can start a run's
 * container, and a run killed meanwhile takes its init along (parent-death
 * signal until START), so the record says nothing a later state or delete
 * --force could not check against the init's pid. */
static bool created_ahead(const struct container *c)
{
    const struct spec_hooks *hk = &c->cfg->hooks;
    return container_start_is_go(c) && !hk->n[SPEC_HOOK_PRESTART] &&
           !hk->n[SPEC_HOOK_CREATE_RUNTIME] && !hk->n[SPEC_HOOK_CREATE_CONTAINER];
}

/* Messages from the child until it is ready (or fails). */
static int parent_loop(struct container *c, struct oci_err *err)
{
    TRACE_BEGIN(span, "wait for init set-up");
    static char buf[SYNC_MAX + 1];
    int rc = -1;
    bool preloaded = false, devices_answered = false, ahead = created_ahead(c);
    for (;;) {
        struct sync_hdr h;
        int rfd = -1;
        if (!preloaded)
            preloaded = preload_devices(c);
        if (ahead && devices_answered && !c->created_written && !init_waiting(c)) {
            if (record_write_created(c, err) < 0)
                break;
            c->created_written = true;
        }
        ssize_t n = sync_recv(c->sync_parent, &h, buf, &rfd);
        if (rfd >= 0 && h.type != SYNC_FD)
            close(rfd);
        if (n < 0) {
            err_set(err, errno, "sync socket");
            break;
        }
        int r = sync_child_msg(&h, buf, n, c->pid, err);
        if (r < 0) {
            c->hook_failed = r == SYNC_FAILED_HOOK;
            c->exec_failed = r == SYNC_FAILED_EXEC;
            break;
        }
        if (r > 0)
            continue;
        if (h.type == SYNC_READY) {
            rc = 0;
            break;
        } else if (h.type == SYNC_PID) {
            if (clone_adopt_init(c, (pid_t)h.value, err) < 0)
                break;
        } else if (h.type == SYNC_FD && h.value == SYNC_FD_SECCOMP) {
            int fd = rfd;
            rfd = -1;
            if (spawn_seccomp_notify(c, fd, err) < 0)
                break;
        } else if (h.type == SYNC_FD) {
            if (c->tty_master >= 0)
                close(c->tty_master);
            c->tty_master = rfd; /* the terminal of a foreground run */
            rfd = -1;
        } else if (h.type == SYNC_DEVICES_MADE) {
            /* the rules, while the init goes on with its set-up */
            TRACE_BEGIN(dspan, "cgroup devices");
            int drc = cgroup_apply_devices(&c->cg,
                                           c->cfg->linux_ ? c->cfg->linux_->resources : NULL, err);
            TRACE_END_RC(dspan, drc);
            /* an init that failed meanwhile (EPIPE, ECONNRESET: it exited
             * with its error queued) is read on: its error comes next */
            if (drc < 0 || (sync_send(c->sync_parent, SYNC_DEVICES_DONE, 0, NULL, 0) < 0 &&
                            errno != EPIPE && errno != ECONNRESET))
                break;
            devices_answered = true;
        } else if (h.type == SYNC_CGROUPNS_MADE) {
            if (cgroup_enter_delegated(&c->cg, c->pid, err) < 0)
                break;
        } else if (h.type == SYNC_HOOKS) {
            if (parent_hooks(c, err) < 0)
                break;
        } else if (h.type == SYNC_MAPS) {
            TRACE_BEGIN(mspan, "user namespace maps");
            int mrc = userns_write_maps(c->cfg, (pid_t)h.value, err);
            TRACE_END_RC(mspan, mrc);
            if (mrc < 0 || (sync_send(c->sync_parent, SYNC_GO, 0, NULL, 0) < 0 && errno != EPIPE &&
                            errno != ECONNRESET))
                break;
        } else if (h.type == 0) {
            err_set(err, 0, "container init exited during set-up%s", clone_exit_reason(c));
            break;
        }
    }
    TRACE_END_RC(span, rc);
    return rc;
}

int spawn_init(struct container *c, struct oci_err *err)
{
    TRACE_BEGIN(lock, "state directory and lock");
    int rc = state_dir_create(c->o->root, c->o->id, &c->sd, err);
    TRACE_END_RC(lock, rc);
    if (rc < 0)
        return -1;
    c->sd_made = true;
    if (c->o->notify_socket &&
        (notify_make_dir(&c->sd, c->cfg, err) < 0 ||
         mounts_plan_more(c->cfg, c->bundle, &c->mounts, &c->n_mounts, err) < 0))
        return -1;
    /* the mounts of a container without a mount namespace are the host's:
     * what to unmount is what lies above the rootfs's mount of now */
    if (!c->mntns && mount_id_of(c->rootfs, &c->rootfs_mnt_before) < 0)
        return err_set(err, errno, "root.path %s", c->rootfs);
    if ((!c->run_mode && make_exec_socket(c, err) < 0) || spawn_cgroup(c, err) < 0)
        return -1;
    TRACE_BEGIN(cspan, "sync channels and procfs handle");
    /* the children write /proc only through the runtime's own procfs */
    rc = spawn_channels(c, err) < 0 || procfs_handle(err) < 0 ? -1 : 0;
    TRACE_END_RC(cspan, rc);
    if (rc < 0 || clone_start(c, err) < 0)
        return -1;
    if (!c->staged && state_note_pid(&c->sd, c->pid, &c->pid_start, err) < 0)
        return -1;
    if (clone_after(c, err) < 0 || parent_loop(c, err) < 0)
        return -1;
    if (!c->created_written && record_write_created(c, err) < 0)
        return -1;
    /* on disk: the init may outlive this process from now on (until this
     * message it dies with it, so no create killed early leaves an init
     * that nothing records); run's START says the same (init_exec) */
    if (container_start_is_go(c))
        return spawn_send_pidfd(c->o->pidfd_socket, c->pidfd, err);
    TRACE_BEGIN(span, "let the init outlive create");
    rc = sync_send(c->sync_parent, SYNC_GO, 0, NULL, 0) < 0
             ? err_set(err, errno, "sync socket")
             : sync_expect(c->sync_parent, SYNC_READY, err);
    TRACE_END_RC(span, rc);
    if (rc < 0)
        return -1;
    return spawn_send_pidfd(c->o->pidfd_socket, c->pidfd, err);
}

/* The first error of a step kept in err, the later ones dropped. */
static int keep_first(int rc, struct oci_err *err, const struct oci_err *step)
{
    if (rc == 0 && step->set)
        err_set(err, step->errnum, "%s", step->msg);
    return rc < 0 || step->set ? -1 : 0;
}

int spawn_undo(struct container *c, bool poststop, struct oci_err *err)
{
    int rc = 0;
    struct oci_err e = {0};
    if (!c->reaped && (c->pidfd >= 0 || c->pid > 0))
        clone_kill_wait(c);
    if (c->cg_made) {
        /* without a pid namespace the init's death does not take the others */
        if (!c->pidns)
            cgroup_kill_all(&c->cg, &e);
        rc = keep_first(rc, err, &e);
        err_clear(&e);
        cgroup_destroy(&c->cg, &e);
        rc = keep_first(rc, err, &e);
        c->cg_made = false;
    }
    if (!c->mntns && c->rootfs_mnt_before && mount_unstack(c->rootfs, c->rootfs_mnt_before) < 0 &&
        rc == 0)
        rc = err_set(err, errno, "unmount the container's mounts on %s", c->rootfs);
    c->rootfs_mnt_before = 0;
    if (c->sd_made) {
        err_clear(&e);
        state_dir_remove(&c->sd, &e);
        rc = keep_first(rc, err, &e);
        c->sd_made = false;
    }
    if (poststop && c->cfg->hooks.n[SPEC_HOOK_POSTSTOP]) {
        char *state = record_hook_state(c, "stopped", c->pid);
        hooks_run_warn(&c->cfg->hooks, SPEC_HOOK_POSTSTOP, state);
        free(state);
    }
    return rc;
}

void spawn_abort(struct container *c)
{
    /* a failed hook: the lifecycle goes on at the destruction and the
     * poststop hooks */
    struct oci_err ignored = {0};
    spawn_undo(c, c->hook_failed, &ignored);
    c->hook_failed = false;
}

void spawn_free(struct container *c)
{
    TRACE_BEGIN(span, "close fds and free");
    if (c->sync_parent >= 0)
        close(c->sync_parent);
    if (c->sync_child >= 0)
        close(c->sync_child);
    if (c->exec_listen >= 0)
        close(c->exec_listen);
    if (c->pidfd >= 0)
        close(c->pidfd);
    if (c->console_fd >= 0)
        close(c->console_fd);
    if (c->tty_master >= 0)
        close(c->tty_master);
    state_dir_close(&c->sd);
    cgroup_release(&c->cg);
    mounts_plan_free(c->mounts, c->n_mounts);
    process_plan_free(&c->proc);
    seccomp_plan_free(&c->seccomp);
    spec_config_free(c->cfg);
    free(c->config_data);
    free(c->bundle);
    free(c->rootfs);
    memset(c, 0, sizeof(*c));
    TRACE_END(span);
}
