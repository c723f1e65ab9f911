/* Direct mode: each runtime's own OCI command line (create, start, kill,
 * delete, run, state) on a bundle per container, with its own --root, and
 * for oci-rt its --trace during the lifecycle workload; with --phases the
 * lifecycle commands of the profiled rounds run under `oci-rt profile`. */
#include "config.h"
#include "bench/bench.h"
#include "libcontainer/util.h"

#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <yajl/yajl_tree.h>

static void argv_base(const struct bench *b, const struct bench_runtime *rt, bool trace,
                      struct bench_argv *a)
{
    (void)b;
    bench_argv_addv(a, rt->argv);
    bench_argv_add(a, "--root");
    bench_argv_add(a, rt->root);
    if (trace && rt->trace) {
        bench_argv_add(a, "--trace");
        bench_argv_add(a, rt->trace);
    }
}

/* --phases: the command under `oci-rt profile`, its spans to file */
static void profile_prefix(const struct bench *b, const char *file, struct bench_argv *a)
{
    bench_argv_add(a, b->profiler);
    bench_argv_add(a, "profile");
    bench_argv_add(a, "--format");
    bench_argv_add(a, "json");
    bench_argv_add(a, "--out");
    bench_argv_add(a, file);
    bench_argv_add(a, "--");
}

static char *bundle_dir(const struct bench *b, const char *id)
{
    char *d;
    xasprintf(&d, "%s/bundles/%s", b->workdir, id);
    return d;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

static void bundle_remove(const struct bench *b, const char *id)
{
    _cleanup_free_ char *d = bundle_dir(b, id);
    nftw(d, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static int direct_init(struct bench *b, struct oci_err *err)
{
    _cleanup_free_ char *d = NULL;
    xasprintf(&d, "%s/bundles", b->workdir);
    if (mkdir(d, 0700) < 0)
        return err_set(err, errno, "mkdir %s", d);
    return 0;
}

static int direct_prepare(struct bench *b, struct bench_runtime *rt, struct oci_err *err)
{
    xasprintf(&rt->root, "%s/state-%s", b->workdir, rt->name);
    if (mkdir(rt->root, 0700) < 0)
        return err_set(err, errno, "mkdir %s", rt->root);
    if (rt->ocirt && !b->o.no_trace)
        xasprintf(&rt->trace, "%s/trace-%s.jsonl", b->workdir, rt->name);
    return 0;
}

static char *direct_version(struct bench *b, struct bench_runtime *rt)
{
    (void)b;
    struct bench_argv a = {0};
    struct oci_err err = {0};
    char *out = NULL;
    bench_argv_addv(&a, rt->argv);
    bench_argv_add(&a, "--version");
    int rc = bench_exec(a.v, 30, NULL, &out, &err);
    bench_argv_free(&a);
    if (rc < 0 || !out || !*out) {
        free(out);
        return xstrdup("?");
    }
    out[strcspn(out, "\n")] = '\0';
    return out;
}

/* status and pid out of `state ID` */
static int direct_state(struct bench *b, struct bench_runtime *rt, const char *id, char *status,
                        size_t size, pid_t *pid, struct oci_err *err)
{
    struct bench_argv a = {0};
    _cleanup_free_ char *out = NULL;
    argv_base(b, rt, false, &a);
    bench_argv_add(&a, "state");
    bench_argv_add(&a, id);
    int rc = bench_exec(a.v, b->o.timeout, NULL, &out, err);
    bench_argv_free(&a);
    if (rc < 0)
        return -1;
    char ebuf[128];
    yajl_val v = yajl_tree_parse(out, ebuf, sizeof(ebuf));
    const char *ps[] = {"status", NULL}, *pp[] = {"pid", NULL};
    yajl_val s = v ? yajl_tree_get(v, ps, yajl_t_string) : NULL;
    yajl_val p = v ? yajl_tree_get(v, pp, yajl_t_number) : NULL;
    if (!s) {
        yajl_tree_free(v);
        return err_set(err, 0, "%s: `state %s` gave no status", rt->name, id);
    }
    snprintf(status, size, "%s", YAJL_GET_STRING(s));
    if (pid)
        *pid = p ? (pid_t)YAJL_GET_INTEGER(p) : 0;
    yajl_tree_free(v);
    return 0;
}

static int direct_wait_stopped(struct bench *b, struct bench_runtime *rt, const char *id,
                               struct oci_err *err)
{
    double end = bench_now() + b->o.timeout;
    char status[32];
    while (bench_now() < end) {
        if (direct_state(b, rt, id, status, sizeof(status), NULL, err) < 0)
            return -1;
        if (!strcmp(status, "stopped"))
            return 0;
        if (!bench_sleep(0.002))
            return err_set(err, EINTR, "interrupted");
    }
    return err_set(err, 0, "%s: container %s still %s after %.0f s", rt->name, id, status,
                   b->o.timeout);
}

static int direct_pid(struct bench *b, struct bench_runtime *rt, const char *id, pid_t *pid,
                      struct oci_err *err)
{
    char status[32];
    return direct_state(b, rt, id, status, sizeof(status), pid, err);
}

static void direct_remove(struct bench *b, struct bench_runtime *rt, const char *id)
{
    struct bench_argv a = {0};
    argv_base(b, rt, false, &a);
    bench_argv_add(&a, "delete");
    bench_argv_add(&a, "--force");
    bench_argv_add(&a, id);
    bench_exec_quiet(a.v, b->o.timeout);
    bench_argv_free(&a);
    bundle_remove(b, id);
}

/* A foreground run must leave nothing: a runtime that keeps the container's
 * state gets it deleted here (untimed). */
static void after_run(struct bench *b, struct bench_runtime *rt, const char *id)
{
    _cleanup_free_ char *st = NULL;
    xasprintf(&st, "%s/%s", rt->root, id);
    if (access(st, F_OK) == 0)
        direct_remove(b, rt, id);
    bundle_remove(b, id);
}

static int direct_op(struct bench *b, struct bench_runtime *rt, enum bench_op op, const char *id,
                     const struct bench_spec *spec, struct bench_call *call, struct oci_err *err)
{
    static const char *const names[] = {"create", "start", "kill", "delete", "run"};
    _cleanup_free_ char *dir = bundle_dir(b, id);
    if ((op == BENCH_OP_CREATE || op == BENCH_OP_RUN) &&
        bench_bundle_write(b, dir, id, spec, err) < 0)
        return -1;
    struct bench_argv a = {0};
    if (call->profile)
        profile_prefix(b, call->profile, &a);
    argv_base(b, rt, call->trace, &a);
    bench_argv_add(&a, names[op]);
    if (op == BENCH_OP_CREATE || op == BENCH_OP_RUN) {
        bench_argv_add(&a, "--bundle");
        bench_argv_add(&a, dir);
    }
    bench_argv_add(&a, id);
    if (op == BENCH_OP_KILL)
        bench_argv_add(&a, "KILL");
    int rc;
    if (op == BENCH_OP_RUN && call->async) {
        rc = bench_spawn(a.v, call->capture, &call->proc, err);
    } else {
        rc = bench_exec(a.v, call->timeout, &call->ms, call->capture ? &call->out : NULL, err);
        if (op == BENCH_OP_RUN || op == BENCH_OP_DELETE)
            after_run(b, rt, id);
        else if (op == BENCH_OP_CREATE && rc < 0)
            direct_remove(b, rt, id);
    }
    bench_argv_free(&a);
    return rc;
}

static void direct_fini(struct bench *b)
{
    (void)b;
}

static void direct_finish_run(struct bench *b, struct bench_runtime *rt, const char *id)
{
    after_run(b, rt, id);
}

const struct bench_driver bench_driver_direct = {
    .name = "direct",
    .netns_by_path = true,
    .init = direct_init,
    .fini = direct_fini,
    .prepare_rt = direct_prepare,
    .version = direct_version,
    .op = direct_op,
    .finish_run = direct_finish_run,
    .wait_stopped = direct_wait_stopped,
    .pid = direct_pid,
    .remove = direct_remove,
};
