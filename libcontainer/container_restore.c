/* restore: a container from CRIU images (criu restore), from the bundle's
 * config as create reads it. The container's state directory and cgroup
 * are made as by create; criu runs in the container's cgroup (with the
 * systemd driver, the scope is started with criu in it), so the restored
 * tree is born there and CRIU puts its sub-cgroups below (--cgroup-root).
 * The restored init is a sibling of criu (our child): a foreground restore
 * waits for it as run does; --detach leaves it to our caller's subreaper.
 * The caller's stdio replaces the pipes the init had (descriptors.json),
 * and the namespaces the config joins replace those left out at the
 * dump. */
#include "config.h"
#include "container_internal.h"
#include "criu.h"
#include "process.h"
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

#define KEEP_MAX 8

struct restore {
    struct criu_argv a;
    int keep[KEEP_MAX];
    size_t n_keep;
};

static void keep_fd(struct restore *r, int fd)
{
    if (r->n_keep < KEEP_MAX)
        r->keep[r->n_keep++] = fd;
}

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
static int inherit_stdio(struct restore *r, const char *image_path, struct oci_err *err)
{
    char *desc[3];
    if (criu_load_descriptors(image_path, desc, err) < 0)
        return -1;
    for (int i = 0; i < 3; i++) {
        if (desc[i] && !strncmp(desc[i], "pipe:", 5))
            criu_argv_add(&r->a, "--inherit-fd=fd[%d]:%s", i, desc[i]);
        free(desc[i]);
    }
    return 0;
}

/* The namespaces the config joins by path stand for the external ones. */
static int inherit_namespaces(struct container *c, struct restore *r, struct oci_err *err)
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
        keep_fd(r, fd);
        criu_argv_add(&r->a, "--inherit-fd=fd[%d]:%s", fd, ext[i].key);
    }
    return 0;
}

static int build_argv(struct container *c, struct restore *r, const struct criu_opts *co,
                      const char *root, const char *pidfile, struct oci_err *err)
{
    if (criu_argv_common(&r->a, co, "restore", err) < 0)
        return -1;
    criu_argv_add(&r->a, "--restore-detached");
    criu_argv_add(&r->a, "--restore-sibling");
    criu_argv_add(&r->a, "--pidfile=%s", pidfile);
    criu_argv_add(&r->a, "--root=%s", root);
    if (c->cg.mode != CG_DISABLED && co->cgroup_mode != CRIU_CG_IGNORE)
        criu_argv_add(&r->a, "--cgroup-root=%s", c->cg.path);
    criu_argv_mounts(&r->a, c->cfg, c->bundle, NULL);
    if (inherit_stdio(r, co->image_path, err) < 0)
        return -1;
    return inherit_namespaces(c, r, err);
}

/* criu, started in the container's cgroup: it waits on go until the
 * parent put it there. */
static int run_criu(struct container *c, struct restore *r, const struct criu_opts *co,
                    struct oci_err *err)
{
    int go[2];
    if (pipe2(go, O_CLOEXEC) < 0)
        return err_set(err, errno, "pipe");
    pid_t pid = fork();
    if (pid < 0)
        return err_set(err, errno, "fork for criu");
    if (pid == 0) {
        close(go[1]);
        char b;
        struct oci_err cerr = {0};
        if (read(go[0], &b, 1) != 1 || cgroup_enter_self(&c->cg, &cerr) < 0)
            _exit(126);
        for (size_t i = 0; i < r->n_keep; i++)
            fcntl(r->keep[i], F_SETFD, 0);
        execvp(r->a.v[0], r->a.v);
        fprintf(stderr, "oci-rt: exec %s: %s\n", r->a.v[0], strerror(errno));
        _exit(127);
    }
    close(go[0]);
    TRACE_BEGIN(span, "criu restore");
    int rc = cgroup_enter(&c->cg, pid, false, err);
    if (rc == 0 && write(go[1], "g", 1) != 1)
        rc = err_set(err, errno, "criu: let it go on");
    close(go[1]);
    int status;
    TEMP_FAILURE_RETRY_INT(waitpid(pid, &status, 0));
    if (rc == 0)
        rc = criu_wait_status(status, &r->a, co, "restore.log", err);
    /* the device filter once criu made the nodes of the container's /dev */
    if (rc == 0)
        rc = cgroup_apply_devices(&c->cg, c->cfg->linux_ ? c->cfg->linux_->resources : NULL, err);
    TRACE_END_RC(span, rc);
    return rc;
}

static int restore_spawn(struct container *c, const struct criu_opts *co, struct oci_err *err)
{
    int rc = state_dir_create(c->o->root, c->o->id, &c->sd, err);
    if (rc < 0)
        return -1;
    c->sd_made = true;
    char root[PATH_MAX_LEN], pidfile[PATH_MAX_LEN];
    snprintf(pidfile, sizeof(pidfile), "%s/criu.pid", c->sd.path);
    struct restore r = {0};
    rc = container_make_cgroup(c, err);
    if (rc == 0)
        rc = prepare_root(c, root, sizeof(root), err);
    if (rc == 0)
        rc = build_argv(c, &r, co, root, pidfile, err);
    if (rc == 0)
        rc = run_criu(c, &r, co, err);
    for (size_t i = 0; i < r.n_keep; i++)
        close(r.keep[i]);
    criu_argv_free(&r.a);
    if (umount2(root, MNT_DETACH) == 0 || errno == EINVAL)
        rmdir(root);
    if (rc < 0)
        return -1;
    _cleanup_free_ char *pid = NULL;
    if (read_file_at(AT_FDCWD, pidfile, &pid, NULL, 64) < 0)
        return err_set(err, errno, "criu restore: read %s", pidfile);
    unlink(pidfile);
    c->pid = atoi(pid);
    c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
    if (c->pid <= 0 || c->pidfd < 0)
        return err_set(err, errno, "criu restore: the restored init (pid \"%s\")", pid);
    if (container_write_state(c, err) < 0)
        return -1;
    return send_pidfd(c->o->pidfd_socket, c->pidfd, err);
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
    int rc = container_prepare(&c, o, err);
    if (rc == 0)
        rc = restore_spawn(&c, co, err);
    if (rc < 0) {
        container_abort(&c);
        container_release(&c);
        return -1;
    }
    if (!o->detach)
        rc = container_wait_delete(&c, exit_code, err);
    c.pid = 0;
    container_release(&c);
    return rc;
}
