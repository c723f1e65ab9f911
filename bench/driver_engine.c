/* Engine mode through Docker or Podman: `docker run --runtime NAME` on an
 * image imported from the suite's rootfs, `podman --runtime PATH` on that
 * rootfs itself (--rootfs DIR:O, an overlay podman makes over it).
 * oci-bench starts no daemon: a missing engine or daemon is named in the
 * error. Both CLIs share the container commands (create, start, kill, rm,
 * run, wait, inspect), so one driver serves both; Docker cannot join a
 * network namespace by path (the network workload moves its veth into the
 * container's namespace instead). */
#include "config.h"
#include "bench/bench.h"
#include "libcontainer/util.h"

#include <stdio.h>
#include <string.h>
#include <yajl/yajl_tree.h>

struct engine {
    char **cli; /* the client command */
    size_t ncli;
    bool podman;
    yajl_val runtimes; /* docker: the daemon's runtimes (name: {path}) */
};

static struct engine *E(const struct bench *b)
{
    return b->drv_data;
}

static void cli(const struct bench *b, struct bench_argv *a)
{
    bench_argv_addv(a, E(b)->cli);
}

static int engine_exec(struct bench *b, struct bench_argv *a, char **out, struct oci_err *err)
{
    int rc = bench_exec(a->v, b->o.timeout, NULL, out, err);
    bench_argv_free(a);
    return rc;
}

/* docker: which runtimes the daemon knows; drops unknown default ones */
static int docker_runtimes(struct bench *b, struct oci_err *err)
{
    struct bench_argv a = {0};
    _cleanup_free_ char *out = NULL;
    cli(b, &a);
    bench_argv_add(&a, "info");
    bench_argv_add(&a, "--format");
    bench_argv_add(&a, "{{json .Runtimes}}");
    if (engine_exec(b, &a, &out, err) < 0)
        return -1;
    char ebuf[128];
    yajl_val v = yajl_tree_parse(out, ebuf, sizeof(ebuf));
    E(b)->runtimes = v;
    if (!v || !YAJL_IS_OBJECT(v))
        return err_set(err, 0, "docker info: no runtimes in its answer");
    char known[512] = "";
    for (size_t k = 0; k < v->u.object.len; k++)
        snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s", k ? ", " : "",
                 v->u.object.keys[k]);
    for (size_t i = 0; i < b->nrts;) {
        const char *path[] = {b->rts[i].argv[0], NULL};
        if (yajl_tree_get(v, path, yajl_t_object)) {
            i++;
            continue;
        }
        if (b->o.nrt_specs)
            return err_set(
                err, 0, "runtime \"%s\": the Docker daemon knows no runtime \"%s\" (it knows %s)",
                b->rts[i].name, b->rts[i].argv[0], known);
        /* of the default set, only what the daemon knows */
        bench_note(b, "%s: the Docker daemon has no runtime of that name: not measured",
                   b->rts[i].name);
        bench_runtimes_drop(b, i);
    }
    if (b->nrts == 0)
        return err_set(err, 0,
                       "the Docker daemon knows none of oci-rt, runc, crun, runsc (it "
                       "knows %s)",
                       known);
    return 0;
}

static int import_image(struct bench *b, struct oci_err *err)
{
    _cleanup_free_ char *tar = NULL;
    xasprintf(&tar, "%s/rootfs.tar", b->workdir);
    char *const t[] = {"tar", "-C", b->rootfs, "-cf", tar, ".", NULL};
    if (bench_exec(t, 300, NULL, NULL, err) < 0)
        return -1;
    xasprintf(&b->image, "localhost/ocibench-%s:latest", b->tag);
    struct bench_argv a = {0};
    cli(b, &a);
    bench_argv_add(&a, "import");
    bench_argv_add(&a, tar);
    bench_argv_add(&a, b->image);
    _cleanup_free_ char *out = NULL;
    if (engine_exec(b, &a, &out, err) < 0) {
        free(b->image);
        b->image = NULL;
        return err_wrap(err, "importing the rootfs as an image");
    }
    unlink(tar);
    return 0;
}

static int engine_init(struct bench *b, struct oci_err *err)
{
    struct engine *e = xzalloc(sizeof(*e));
    b->drv_data = e;
    e->podman = b->o.engine == BENCH_PODMAN;
    const char *dflt = e->podman ? "podman" : "docker";
    if (bench_split_command(b->o.engine_cmd ? b->o.engine_cmd : dflt, &e->cli, &e->ncli, err) < 0)
        return err_wrap(err, "--engine-cmd");
    if (!bench_in_path(e->cli[0]))
        return err_set(err, 0, "--engine %s: %s is not installed (Debian: apt-get install %s)",
                       dflt, e->cli[0], e->podman ? "podman" : "docker.io");
    struct bench_argv a = {0};
    _cleanup_free_ char *out = NULL;
    cli(b, &a);
    bench_argv_add(&a, "version");
    bench_argv_add(&a, "--format");
    bench_argv_add(&a, e->podman ? "{{.Client.Version}}" : "{{.Server.Version}}");
    if (engine_exec(b, &a, &out, err) < 0) {
        if (e->podman)
            return err_wrap(err, "--engine podman: podman does not work");
        char msg[sizeof(err->msg)];
        snprintf(msg, sizeof(msg), "%s", err->msg);
        err_clear(err);
        return err_set(err, 0,
                       "--engine docker: no Docker daemon answers (oci-bench starts none: start "
                       "dockerd, or point DOCKER_HOST or --engine-cmd at one): %s",
                       msg);
    }
    if (!e->podman && docker_runtimes(b, err) < 0)
        return -1;
    return e->podman ? 0 : import_image(b, err);
}

static void engine_fini(struct bench *b)
{
    struct engine *e = E(b);
    if (!e)
        return;
    if (b->image) {
        struct bench_argv a = {0};
        cli(b, &a);
        bench_argv_add(&a, "rmi");
        bench_argv_add(&a, b->image);
        bench_exec_quiet(a.v, 120);
        bench_argv_free(&a);
    }
    for (size_t i = 0; i < e->ncli; i++)
        free(e->cli[i]);
    free(e->cli);
    yajl_tree_free(e->runtimes);
    free(e);
    b->drv_data = NULL;
}

/* docker: the path of a runtime the daemon knows by name */
static const char *docker_path(const struct bench *b, const char *name)
{
    const char *p[] = {name, "path", NULL};
    yajl_val v = E(b)->runtimes ? yajl_tree_get(E(b)->runtimes, p, yajl_t_string) : NULL;
    return v ? YAJL_GET_STRING(v) : name;
}

static char *engine_version(struct bench *b, struct bench_runtime *rt)
{
    const char *bin = E(b)->podman ? rt->argv[0] : docker_path(b, rt->argv[0]);
    if (!bench_in_path(bin)) {
        char *s;
        xasprintf(&s, "docker runtime \"%s\" (%s)", rt->argv[0], bin);
        return s;
    }
    char *out = NULL;
    struct oci_err err = {0};
    char *const a[] = {(char *)bin, "--version", NULL};
    if (bench_exec(a, 30, NULL, &out, &err) < 0 || !out || !*out) {
        free(out);
        return xstrdup("?");
    }
    out[strcspn(out, "\n")] = '\0';
    return out;
}

/* the options of create and run */
static void run_opts(const struct bench *b, const struct bench_runtime *rt, const char *id,
                     const struct bench_spec *spec, struct bench_argv *a)
{
    bench_argv_add(a, "--name");
    bench_argv_add(a, id);
    bench_argv_add(a, "--runtime");
    bench_argv_add(a, rt->argv[0]);
    bench_argv_add(a, "--network");
    if (spec->netns && E(b)->podman)
        bench_argv_addf(a, "ns:%s", spec->netns);
    else
        bench_argv_add(a, "none");
    /* as the direct bundle's RLIMIT_NOFILE; a host without CAP_SYS_RESOURCE
     * cannot give a container more than its own hard limits */
    bench_argv_add(a, "--ulimit");
    bench_argv_add(a, "nofile=1024:1024");
    bench_argv_add(a, "--ulimit");
    bench_argv_add(a, "nproc=1024:1024");
    bench_argv_add(a, "--read-only");
    bench_argv_add(a, "--tmpfs");
    bench_argv_add(a, "/tmp");
    if (spec->data) {
        bench_argv_add(a, "-v");
        bench_argv_addf(a, "%s:/data", spec->data);
    }
    if (spec->cwd) {
        bench_argv_add(a, "-w");
        bench_argv_add(a, spec->cwd);
    }
    if (E(b)->podman) {
        /* the suite's rootfs under an overlay of podman's: no image to import */
        bench_argv_add(a, "--rootfs");
        bench_argv_addf(a, "%s:O", b->rootfs);
    } else {
        bench_argv_add(a, b->image);
    }
    bench_argv_addv(a, (char *const *)spec->args);
}

static int engine_op(struct bench *b, struct bench_runtime *rt, enum bench_op op, const char *id,
                     const struct bench_spec *spec, struct bench_call *call, struct oci_err *err)
{
    static const char *const names[] = {"create", "start", "kill", "rm", "run"};
    struct bench_argv a = {0};
    cli(b, &a);
    bench_argv_add(&a, names[op]);
    if (op == BENCH_OP_RUN)
        bench_argv_add(&a, "--rm");
    if (op == BENCH_OP_CREATE || op == BENCH_OP_RUN)
        run_opts(b, rt, id, spec, &a);
    else
        bench_argv_add(&a, id);
    _cleanup_free_ char *out = NULL;
    int rc;
    if (op == BENCH_OP_RUN && call->async)
        rc = bench_spawn(a.v, call->capture, &call->proc, err);
    else
        rc = bench_exec(a.v, call->timeout, &call->ms,
                        call->capture || op == BENCH_OP_CREATE ? &out : NULL, err);
    if (rc == 0 && call->capture && !call->async)
        call->out = TAKE_PTR(out);
    bench_argv_free(&a);
    return rc;
}

static int engine_wait_stopped(struct bench *b, struct bench_runtime *rt, const char *id,
                               struct oci_err *err)
{
    (void)rt;
    struct bench_argv a = {0};
    _cleanup_free_ char *out = NULL;
    cli(b, &a);
    bench_argv_add(&a, "wait");
    bench_argv_add(&a, id);
    return engine_exec(b, &a, &out, err);
}

static int engine_pid(struct bench *b, struct bench_runtime *rt, const char *id, pid_t *pid,
                      struct oci_err *err)
{
    (void)rt;
    struct bench_argv a = {0};
    _cleanup_free_ char *out = NULL;
    cli(b, &a);
    bench_argv_add(&a, "inspect");
    bench_argv_add(&a, "--format");
    bench_argv_add(&a, "{{.State.Pid}}");
    bench_argv_add(&a, id);
    if (engine_exec(b, &a, &out, err) < 0)
        return -1;
    *pid = (pid_t)strtol(out, NULL, 10);
    return 0;
}

static void engine_remove(struct bench *b, struct bench_runtime *rt, const char *id)
{
    (void)rt;
    struct bench_argv a = {0};
    cli(b, &a);
    bench_argv_add(&a, "rm");
    bench_argv_add(&a, "-f");
    bench_argv_add(&a, id);
    bench_exec_quiet(a.v, 120);
    bench_argv_free(&a);
}

static void engine_finish_run(struct bench *b, struct bench_runtime *rt, const char *id)
{
    (void)b, (void)rt, (void)id; /* run --rm removed it */
}

const struct bench_driver bench_driver_docker = {
    .name = "docker",
    .netns_by_path = false,
    .init = engine_init,
    .fini = engine_fini,
    .version = engine_version,
    .op = engine_op,
    .finish_run = engine_finish_run,
    .wait_stopped = engine_wait_stopped,
    .pid = engine_pid,
    .remove = engine_remove,
};

const struct bench_driver bench_driver_podman = {
    .name = "podman",
    .netns_by_path = true,
    .init = engine_init,
    .fini = engine_fini,
    .version = engine_version,
    .op = engine_op,
    .finish_run = engine_finish_run,
    .wait_stopped = engine_wait_stopped,
    .pid = engine_pid,
    .remove = engine_remove,
};
