/* exec: a new process in a running container, with the process spec of
 * the container's config changed by the options (or a whole process.json),
 * in every namespace and the cgroup of the container. */
#include "config.h"
#include "exec_child.h"
#include "exec_stub.h"
#include "namespaces.h"
#include "procfs.h"
#include "record.h"
#include "spawn.h"
#include "sync.h"
#include "terminal.h"
#include "trace.h"
#include "util.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void strv_set(struct spec_strv *v, char **items, size_t n)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->items[i]);
    free(v->items);
    v->items = xzalloc((n + 1) * sizeof(char *));
    for (size_t i = 0; i < n; i++)
        v->items[i] = xstrdup(items[i]);
    v->n = n;
}

/* KEY=VALUE replaces KEY, or is added. */
static void env_set(struct spec_strv *env, const char *kv)
{
    size_t klen = strcspn(kv, "=");
    for (size_t i = 0; i < env->n; i++)
        if (!strncmp(env->items[i], kv, klen) && env->items[i][klen] == '=') {
            free(env->items[i]);
            env->items[i] = xstrdup(kv);
            return;
        }
    strv_add(env, kv);
}

static int parse_user(const char *s, struct spec_user *u, struct oci_err *err)
{
    char *end;
    unsigned long uid = strtoul(s, &end, 10);
    if (end == s || (*end && *end != ':'))
        return err_set(err, 0, "exec --user \"%s\": expected UID[:GID]", s);
    u->uid = (uint32_t)uid;
    if (*end == ':') {
        const char *g = end + 1;
        unsigned long gid = strtoul(g, &end, 10);
        if (end == g || *end)
            return err_set(err, 0, "exec --user \"%s\": expected UID[:GID]", s);
        u->gid = (uint32_t)gid;
    }
    return 0;
}

/* The options applied to the container's process spec. */
static int edit_process(struct spec_process *p, const struct exec_opts *o, struct oci_err *err)
{
    if (o->nargs > 0)
        strv_set(&p->args, o->args, (size_t)o->nargs);
    if (!p->args.n)
        return err_set(err, 0, "exec: a command is required");
    for (int i = 0; i < o->nenv; i++)
        env_set(&p->env, o->env[i]);
    if (o->cwd) {
        free(p->cwd);
        p->cwd = xstrdup(o->cwd);
    }
    if (o->user && parse_user(o->user, &p->user, err) < 0)
        return -1;
    for (int i = 0; i < o->n_add_gids; i++) {
        char *end;
        unsigned long g = strtoul(o->add_gids[i], &end, 10);
        if (end == o->add_gids[i] || *end)
            return err_set(err, 0, "exec --additional-gids \"%s\": expected a gid", o->add_gids[i]);
        p->user.additional_gids =
            xrealloc(p->user.additional_gids, (p->user.n_additional_gids + 1) * sizeof(uint32_t));
        p->user.additional_gids[p->user.n_additional_gids++] = (uint32_t)g;
    }
    /* --cap: bounding, effective and permitted, never inheritable (runc's
     * CVE-2022-29162: an inheritable capability would reach programs with
     * file capabilities), so ambient cannot hold it either: a non-root user
     * gains nothing from --cap, as with runc */
    for (int i = 0; i < o->ncaps; i++) {
        struct spec_strv *sets[] = {&p->capabilities.bounding, &p->capabilities.effective,
                                    &p->capabilities.permitted};
        p->has_capabilities = true;
        for (size_t k = 0; k < ARRAY_SIZE(sets); k++)
            strv_add(sets[k], o->caps[i]);
    }
    if (o->no_new_privs)
        p->no_new_privileges = true;
    if (o->tty)
        p->terminal = true;
    if (o->apparmor) {
        free(p->apparmor_profile);
        p->apparmor_profile = xstrdup(o->apparmor);
    }
    if (o->process_label) {
        free(p->selinux_label);
        p->selinux_label = xstrdup(o->process_label);
    }
    return 0;
}

static int load_process(struct spec_config *cfg, const struct exec_opts *o, struct oci_err *err)
{
    if (!o->process_file)
        return edit_process(cfg->process, o, err);
    _cleanup_free_ char *data = NULL, *msg = NULL;
    size_t len;
    if (read_file_at(AT_FDCWD, o->process_file, &data, &len, 16 << 20) < 0)
        return err_set(err, errno, "exec --process %s", o->process_file);
    struct spec_process *p = spec_process_parse(data, len, o->process_file, &msg);
    if (!p)
        return err_set(err, 0, "%s", msg ? msg : "process.json: cannot parse");
    spec_process_free(cfg->process);
    cfg->process = p;
    return 0;
}

/* The namespaces of the container's init, by /proc/PID/ns: every type
 * the config lists, unless it is already ours. */
static int open_namespaces(struct container *c, pid_t pid, struct oci_err *err)
{
    for (int t = 0; t < SPEC_NS_TYPES; t++) {
        c->ns_fds[t] = -1;
        if (!spec_config_namespace(c->cfg, (enum spec_ns_type)t))
            continue;
        char path[64], self[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, ns_table[t].proc_name);
        snprintf(self, sizeof(self), "/proc/self/ns/%s", ns_table[t].proc_name);
        struct stat a, b;
        if (stat(path, &a) < 0)
            return err_set(err, errno, "exec: %s", path);
        if (stat(self, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
            continue;
        c->ns_fds[t] = open(path, O_RDONLY | O_CLOEXEC);
        if (c->ns_fds[t] < 0)
            return err_set(err, errno, "exec: open %s", path);
    }
    /* no mount namespace to join: the init's root is its chroot */
    if (!spec_config_namespace(c->cfg, SPEC_NS_MOUNT)) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/root", pid);
        c->root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (c->root_fd < 0)
            return err_set(err, errno, "exec: open %s", path);
    }
    return 0;
}

/* The pid and time namespaces apply to the children of the caller: the
 * runtime enters them "for children", so the clone is born inside. */
static int enter_for_children(struct container *c, struct oci_err *err)
{
    static const enum spec_ns_type t[] = {SPEC_NS_PID, SPEC_NS_TIME};
    for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
        int fd = c->ns_fds[t[i]];
        if (fd < 0)
            continue;
        if (setns(fd, (int)ns_table[t[i]].flag) < 0)
            return err_set(err, errno, "exec: enter the container's %s namespace",
                           spec_ns_type_names[t[i]]);
        close(fd);
        c->ns_fds[t[i]] = -1;
    }
    return 0;
}

static int set_initial_affinity(const struct spec_process *p, struct oci_err *err)
{
    if (!p->exec_cpu_affinity || !p->exec_cpu_affinity->initial || !*p->exec_cpu_affinity->initial)
        return 0;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (process_attrs_parse_list(p->exec_cpu_affinity->initial, (unsigned long *)&set,
                                 CPU_SETSIZE) < 0 ||
        sched_setaffinity(0, sizeof(set), &set) < 0)
        return err_set(err, errno ? errno : EINVAL, "process.execCPUAffinity.initial \"%s\"",
                       p->exec_cpu_affinity->initial);
    return 0;
}

static int exec_cgroup(struct container *c, const struct spec_state *s, const char *sub,
                       struct oci_err *err)
{
    if (record_cgroup(s, &c->cg, err) < 0)
        return -1;
    if (c->cg.mode == CG_DISABLED)
        return 0;
    _cleanup_free_ char *delegated = NULL;
    if ((!sub || !*sub) && c->cg.delegate)
        sub = delegated = TAKE_PTR(c->cg.delegate); /* where its processes live */
    if (sub && *sub) {
        /* --cgroup: a sub-cgroup of the container's ("[controller:]path") */
        const char *colon = strchr(sub, ':');
        const char *rel = colon ? colon + 1 : sub;
        char *path;
        xasprintf(&path, "%s/%s", c->cg.path, rel[0] == '/' ? rel + 1 : rel);
        free(c->cg.path);
        c->cg.path = path;
    }
    if (c->cg.v2_mnt) {
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s%s", c->cg.v2_mnt, c->cg.path);
        c->cg.v2_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (c->cg.v2_fd < 0)
            return err_set(err, errno, "exec: cgroup %s", dir);
    }
    return 0;
}

/* Everything the child needs, decided here. */
static int exec_prepare(struct container *c, struct container_opts *co, const struct exec_opts *o,
                        const struct spec_state *s, struct spec_config *cfg, struct oci_err *err)
{
    memset(co, 0, sizeof(*co));
    co->root = o->root;
    co->id = o->id;
    co->console_socket = o->console_socket;
    co->preserve_fds = o->preserve_fds;
    co->detach = o->detach;
    co->no_new_keyring = true;
    c->o = co;
    c->cfg = cfg;
    if (load_process(cfg, o, err) < 0)
        return -1;
    const struct spec_process *p = cfg->process;
    if (p->terminal && o->detach && !o->console_socket)
        return err_set(err, 0,
                       "exec --tty --detach needs --console-socket to hand the terminal to");
    c->userns = spec_config_namespace(cfg, SPEC_NS_USER) != NULL;
    c->run_mode = true;
    c->bundle = xstrdup(s->bundle ? s->bundle : "");
    exec_stub_prepare();
    if (process_plan_build(p, false, &c->proc, err) < 0 ||
        process_attrs_plan(cfg, p, &c->attrs, err) < 0 || spawn_seccomp_plan(c, o->root, err) < 0 ||
        open_namespaces(c, s->pid, err) < 0 || exec_cgroup(c, s, o->cgroup, err) < 0)
        return -1;
    return set_initial_affinity(p, err);
}

static int wait_process(struct container *c, pid_t pid, int *exit_code)
{
    int status = 0, r;
    if (c->tty_master >= 0)
        r = terminal_relay(c->tty_master, pid, &status);
    else
        r = (int)TEMP_FAILURE_RETRY_INT(waitpid(pid, &status, 0));
    if (r < 0)
        return -1;
    *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return 0;
}

/* Fork the child, hand it the terminal socket, wait until it exec'd. */
static int exec_spawn(struct container *c, pid_t *pid, struct oci_err *err)
{
    if (spawn_channels(c, err) < 0 || procfs_handle(err) < 0 || enter_for_children(c, err) < 0)
        return -1;
    TRACE_BEGIN(span, "clone exec process");
    bool in_cgroup = c->cg.v2_fd >= 0 && !c->join_cgroup_last;
    *pid = ns_clone3(0, in_cgroup ? c->cg.v2_fd : -1, NULL);
    if (*pid < 0 && in_cgroup) {
        in_cgroup = false; /* a kernel without CLONE_INTO_CGROUP */
        *pid = ns_clone3(0, -1, NULL);
    }
    if (*pid == 0)
        exec_main(c);
    TRACE_END_RC(span, *pid);
    if (*pid < 0)
        return err_set(err, errno, "exec: clone");
    close(c->sync_child);
    c->sync_child = -1;
    if (!in_cgroup && !c->join_cgroup_last && cgroup_enter(&c->cg, *pid, false, err) < 0)
        return -1;
    static char buf[SYNC_MAX + 1];
    for (;;) {
        struct sync_hdr h;
        int fd = -1;
        ssize_t n = sync_recv(c->sync_parent, &h, buf, &fd);
        if (n < 0)
            return err_set(err, errno, "exec: sync socket");
        if (h.type == 0) {
            trace_close_open(*pid);
            return 0; /* exec'd */
        }
        if (h.type == SYNC_READY && c->o->detach)
            return 0; /* joining a frozen cgroup: it execs once resumed */
        int r = sync_child_msg(&h, buf, n, *pid, err);
        c->exec_failed = r == SYNC_FAILED_EXEC;
        if (r < 0)
            return -1;
        if (r > 0)
            continue;
        if (h.type == SYNC_FD && h.value == SYNC_FD_SECCOMP) {
            c->pid = *pid;
            if (spawn_seccomp_notify(c, fd, err) < 0)
                return -1;
        } else if (h.type == SYNC_FD)
            c->tty_master = fd;
        else if (fd >= 0)
            close(fd);
    }
}

int container_exec(const struct exec_opts *o, int *exit_code, struct oci_err *err)
{
    *exit_code = 0;
    _cleanup_state_dir_ struct state_dir sd = {.dirfd = -1};
    _cleanup_spec_state_ struct spec_state *s = NULL;
    _cleanup_spec_config_ struct spec_config *cfg = NULL;
    struct container c;
    struct container_opts co;
    memset(&c, 0, sizeof(c));
    c.sync_parent = c.sync_child = c.exec_listen = c.pidfd = c.console_fd = c.tty_master = -1;
    c.root_fd = -1;
    c.cg.v2_fd = -1;
    c.attrs.attr_fd = -1;
    for (int t = 0; t < SPEC_NS_TYPES; t++)
        c.ns_fds[t] = -1;
    TRACE_BEGIN(span, "read state and config");
    int rc = state_open_read(o->root, o->id, STATE_LOCK_NONE, &sd, &s, err);
    if (rc == 0) {
        enum container_status st = record_status(&sd, s);
        if (st == STATUS_STOPPED || (st == STATUS_PAUSED && !o->ignore_paused))
            rc = err_set(err, 0, "container \"%s\" is %s: cannot exec in it%s", o->id,
                         container_status_names[st],
                         st == STATUS_PAUSED ? " (resume it, or --ignore-paused)" : "");
        c.join_cgroup_last = st == STATUS_PAUSED;
    }
    if (rc == 0)
        rc = state_read_config(&sd, o->id, &cfg, err);
    TRACE_END_RC(span, rc);
    pid_t pid = -1;
    if (rc == 0)
        rc = exec_prepare(&c, &co, o, s, cfg, err);
    if (rc == 0)
        rc = exec_spawn(&c, &pid, err);
    if (rc == 0 && o->pidfd_socket) {
        int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        rc = pidfd < 0 ? err_set(err, errno, "exec: pidfd of %d", pid)
                       : spawn_send_pidfd(o->pidfd_socket, pidfd, err);
        if (pidfd >= 0)
            close(pidfd);
    }
    if (rc == 0 && o->pid_file) {
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%d", pid);
        if (write_file_atomic(AT_FDCWD, o->pid_file, buf, (size_t)n, 0644) < 0)
            rc = err_set(err, errno, "--pid-file %s", o->pid_file);
    }
    if (rc < 0 && c.exec_failed)
        *exit_code = sync_exec_status(err->errnum);
    if (rc < 0 && pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    } else if (rc == 0 && !o->detach) {
        TRACE_BEGIN(wait, "process runs (wait)");
        if (wait_process(&c, pid, exit_code) < 0)
            rc = err_set(err, errno, "exec: wait");
        TRACE_END_RC(wait, rc);
    }
    for (int t = 0; t < SPEC_NS_TYPES; t++)
        if (c.ns_fds[t] >= 0)
            close(c.ns_fds[t]);
    if (c.root_fd >= 0)
        close(c.root_fd);
    c.cfg = NULL; /* cfg's */
    spawn_free(&c);
    return rc;
}
