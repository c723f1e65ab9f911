/* restore: a container from CRIU images (criu restore), from the bundle's
 * config as create reads it. The container's state directory and cgroup
 * are made as by create; criu runs in the container's cgroup (with the
 * systemd driver, the scope is started with criu in it), so the restored
 * tree is born there and CRIU puts its sub-cgroups below (--cgroup-root).
 * The restored init is a sibling of criu (our child): a foreground restore
 * waits for it as run does; --detach leaves it to our caller's subreaper.
 * The caller's stdio replaces the pipes the init had (descriptors.json),
 * a new terminal its tty (CRIU's orphan pty master, sent to
 * --console-socket), and the namespaces the config joins those left out at
 * the dump. */
#include "config.h"
#include "criu.h"
#include "criu_rpc.h"
#include "foreground.h"
#include "record.h"
#include "spawn.h"
#include "terminal.h"
#include "trace.h"
#include "util.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* CRIU wants the root to be a mount point: the rootfs bound on a directory
 * of the state dir, in a mount namespace of our own (the restored
 * container's mounts are made from the images inside it). */
static int prepare_root(struct container *c, char *root, size_t len, struct oci_err *err)
{
    snprintf(root, len, "%s/criu-root", c->sd.path);
    if (mkdir(root, 0700) < 0 && errno != EEXIST)
        return err_set(err, errno, "mkdir %s", root);
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
        return err_set(err, errno, "restore: a mount namespace of its own");
    if (mount(c->rootfs, root, NULL, MS_BIND | MS_REC, NULL) < 0)
        return err_set(err, errno, "restore: bind %s on %s", c->rootfs, root);
    return 0;
}

/* The caller's stdio in place of the pipes the init had at the dump. */
static int inherit_stdio(struct criu_req *r, const char *image_path, struct oci_err *err)
{
    char *desc[3];
    if (criu_load_descriptors(image_path, desc, err) < 0)
        return -1;
    for (int i = 0; i < 3; i++) {
        if (desc[i] && !strncmp(desc[i], "pipe:", 5))
            criu_req_inherit(r, desc[i], i);
        free(desc[i]);
    }
    return 0;
}

/* The namespaces the config joins by path stand for the external ones. */
static int inherit_namespaces(struct container *c, struct criu_req *r, struct oci_err *err)
{
    static const struct {
        enum spec_ns_type type;
        const char *key;
    } ext[] = {{SPEC_NS_NETWORK, "extRootNetNS"}, {SPEC_NS_PID, "extRootPidNS"}};
    for (size_t i = 0; i < ARRAY_SIZE(ext); i++) {
        const struct spec_namespace *ns = spec_config_namespace(c->cfg, ext[i].type);
        if (!ns || !ns->path || !*ns->path)
            continue;
        int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return err_set(err, errno, "restore: namespace %s", ns->path);
        criu_req_keep(r, fd);
        criu_req_inherit(r, ext[i].key, fd);
    }
    return 0;
}

static int build_req(struct container *c, struct criu_req *r, const struct criu_opts *co,
                     const char *root, struct oci_err *err)
{
    if (criu_req_common(r, co, CRIU_RESTORE, err) < 0)
        return -1;
    criu_msg_bool(&r->opts, CRIU_OPT_RST_SIBLING, true);
    criu_msg_str(&r->opts, CRIU_OPT_ROOT, root);
    if (c->cg.mode != CG_DISABLED && co->cgroup_mode != CRIU_CG_IGNORE)
        criu_req_cgroup_root(r, c->cg.path);
    criu_req_mounts(r, c->cfg, c->bundle, NULL);
    if (inherit_stdio(r, co->image_path, err) < 0)
        return -1;
    return inherit_namespaces(c, r, err);
}

struct restore_child {
    struct container *c;
    int go; /* read end: the parent put criu in the cgroup */
};

/* In the child before it execs criu: wait until the parent moved it into
 * the container's cgroup (v2, systemd) and join the v1 hierarchies. */
static int join_cgroup(void *arg)
{
    struct restore_child *rc = arg;
    char b;
    struct oci_err err = {0};
    if (read(rc->go, &b, 1) != 1 || cgroup_enter_self(&rc->c->cg, &err) < 0)
        return -1;
    return 0;
}

/* The notifications of a restore: the new terminal's master (CRIU's
 * orphan pty master) goes to --console-socket. */
static int on_notify(const char *script, int pid, int fd, void *arg, struct oci_err *err)
{
    struct container *c = arg;
    (void)pid;
    if (strcmp(script, "orphan-pts-master") != 0) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    int rc = 0;
    if (!c->o->console_socket) {
        rc = err_set(err, 0,
                     "restore: the container has a terminal: --console-socket is needed to "
                     "hand it to");
    } else {
        int sock = terminal_connect(c->o->console_socket, err);
        rc = sock < 0 ? -1 : terminal_send(sock, fd, err);
        if (sock >= 0)
            close(sock);
    }
    close(fd);
    return rc;
}

/* criu, started in the container's cgroup, restores the tree there. */
static int run_criu(struct container *c, struct criu_req *r, const struct criu_opts *co,
                    struct oci_err *err)
{
    int go[2];
    if (pipe2(go, O_CLOEXEC) < 0)
        return err_set(err, errno, "pipe");
    struct restore_child child = {c, go[0]};
    struct criu_swrk w;
    int rc = criu_swrk_start(&w, co, r, join_cgroup, &child, err);
    close(go[0]);
    if (rc == 0) {
        TRACE_BEGIN(span, "criu restore");
        rc = cgroup_enter(&c->cg, w.pid, false, err);
        if (rc == 0 && write(go[1], "g", 1) != 1)
            rc = err_set(err, errno, "criu: let it go on");
        close(go[1]);
        go[1] = -1;
        pid_t pid = 0;
        if (rc == 0)
            rc = criu_swrk_run(&w, co, CRIU_RESTORE, r, on_notify, c, &pid, err);
        else
            criu_swrk_run(&w, co, CRIU_RESTORE, r, NULL, NULL, NULL, &(struct oci_err){0});
        TRACE_END_RC(span, rc);
        c->pid = pid;
    }
    if (go[1] >= 0)
        close(go[1]);
    /* the device filter once criu made the nodes of the container's /dev */
    if (rc == 0)
        rc = cgroup_apply_devices(&c->cg, c->cfg->linux_ ? c->cfg->linux_->resources : NULL, err);
    return rc;
}

static int restore_spawn(struct container *c, const struct criu_opts *co, struct oci_err *err)
{
    int rc = state_dir_create(c->o->root, c->o->id, &c->sd, err);
    if (rc < 0)
        return -1;
    c->sd_made = true;
    char root[PATH_MAX_LEN];
    struct criu_req r = {0};
    rc = spawn_cgroup(c, err);
    if (rc == 0)
        rc = prepare_root(c, root, sizeof(root), err);
    if (rc == 0)
        rc = build_req(c, &r, co, root, err);
    if (rc == 0)
        rc = run_criu(c, &r, co, err);
    criu_req_free(&r);
    if (umount2(root, MNT_DETACH) == 0 || errno == EINVAL)
        rmdir(root);
    if (rc < 0)
        return -1;
    c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
    if (c->pid <= 0 || c->pidfd < 0)
        return err_set(err, errno, "criu restore: the restored init (pid %d)", c->pid);
    if (record_write_created(c, err) < 0)
        return -1;
    return spawn_send_pidfd(c->o->pidfd_socket, c->pidfd, err);
}

int container_restore(const struct container_opts *o, const struct criu_opts *co, int *exit_code,
                      struct oci_err *err)
{
    struct container c;
    *exit_code = 0;
    char inv[PATH_MAX_LEN];
    snprintf(inv, sizeof(inv), "%s/inventory.img", co->image_path);
    if (access(inv, F_OK) < 0)
        return err_set(err, errno, "restore: --image-path %s: no checkpoint there (%s)",
                       co->image_path, inv);
    int rc = spawn_prepare(&c, o, err);
    if (rc == 0)
        rc = restore_spawn(&c, co, err);
    if (rc < 0) {
        spawn_abort(&c);
        spawn_free(&c);
        return -1;
    }
    if (!o->detach)
        rc = foreground_wait_delete(&c, exit_code, err);
    c.pid = 0;
    spawn_free(&c);
    return rc;
}
