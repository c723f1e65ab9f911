/* Engine mode through containerd's ctr: `ctr run --runtime
 * io.containerd.runc.v2 --runc-binary PATH`, or any other shim given with
 * --shim (such as Kata's io.containerd.kata.v2), on the suite's rootfs
 * (--rootfs: no image, no snapshot), in a namespace of its own that is
 * removed at the end. ctr creates and starts a task in one command (run -d),
 * so containerd's lifecycle has no separate create: that step is reported
 * as start. */
#include "config.h"
#include "bench/bench.h"
#include "libcontainer/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct ctr {
    char **cli;
    size_t ncli;
    char *ns;
    bool up; /* containerd answered */
};

static struct ctr *C(const struct bench *b)
{
    return b->drv_data;
}

static void cli(const struct bench *b, struct bench_argv *a)
{
    bench_argv_addv(a, C(b)->cli);
    bench_argv_add(a, "-n");
    bench_argv_add(a, C(b)->ns);
}

static int ctr_init(struct bench *b, struct oci_err *err)
{
    struct ctr *c = xzalloc(sizeof(*c));
    b->drv_data = c;
    xasprintf(&c->ns, "ocibench-%s", b->tag);
    if (bench_split_command(b->o.engine_cmd ? b->o.engine_cmd : "ctr", &c->cli, &c->ncli, err) < 0)
        return err_wrap(err, "--engine-cmd");
    if (!bench_in_path(c->cli[0]))
        return err_set(err, 0,
                       "--engine containerd: %s is not installed (Debian: apt-get install "
                       "containerd)",
                       c->cli[0]);
    struct bench_argv a = {0};
    _cleanup_free_ char *out = NULL;
    bench_argv_addv(&a, c->cli);
    bench_argv_addv(&a, (char *[]){"--connect-timeout", "5s", "version", NULL});
    int rc = bench_exec(a.v, b->o.timeout, NULL, &out, err);
    bench_argv_free(&a);
    if (rc < 0) {
        char msg[sizeof(err->msg)];
        snprintf(msg, sizeof(msg), "%s", err->msg);
        err_clear(err);
        return err_set(err, 0,
                       "--engine containerd: no containerd answers (oci-bench starts none: start "
                       "containerd, or point CONTAINERD_ADDRESS or --engine-cmd at one): %s",
                       msg);
    }
    c->up = true;
    bench_note(b, "containerd: ctr creates and starts a task in one command (run -d): the "
                  "lifecycle's create is part of its start");
    return 0;
}

static void ctr_fini(struct bench *b)
{
    struct ctr *c = C(b);
    if (!c)
        return;
    struct bench_argv a = {0};
    bench_argv_addv(&a, c->cli);
    bench_argv_addv(&a, (char *[]){"namespaces", "remove", c->ns, NULL});
    if (c->up)
        bench_exec_quiet(a.v, 60);
    bench_argv_free(&a);
    /* a shim given by name keeps runc's state under containerd's default
     * root, in a directory named after this run's namespace: empty by now */
    _cleanup_free_ char *runc_root = NULL;
    xasprintf(&runc_root, "/run/containerd/runc/%s", c->ns);
    rmdir(runc_root);
    for (size_t i = 0; i < c->ncli; i++)
        free(c->cli[i]);
    free(c->cli);
    free(c->ns);
    free(c);
    b->drv_data = NULL;
}

static char *ctr_version(struct bench *b, struct bench_runtime *rt)
{
    (void)b;
    char *out = NULL;
    if (rt->shim) {
        xasprintf(&out, "containerd shim %s", rt->shim);
        return out;
    }
    struct oci_err err = {0};
    char *const a[] = {rt->argv[0], "--version", NULL};
    if (bench_exec(a, 30, NULL, &out, &err) < 0 || !out || !*out) {
        free(out);
        return xstrdup("?");
    }
    out[strcspn(out, "\n")] = '\0';
    return out;
}

/* ctr run [-d|--rm] ... ROOTFS ID ARGS */
static void run_argv(const struct bench *b, const struct bench_runtime *rt, const char *id,
                     const struct bench_spec *spec, bool detach, struct bench_argv *a)
{
    cli(b, a);
    bench_argv_add(a, "run");
    bench_argv_add(a, detach ? "-d" : "--rm");
    if (detach)
        bench_argv_add(a, "--null-io");
    bench_argv_add(a, "--runtime");
    bench_argv_add(a, rt->shim ? rt->shim : "io.containerd.runc.v2");
    if (!rt->shim) {
        bench_argv_add(a, "--runc-binary");
        bench_argv_add(a, rt->argv[0]);
        bench_argv_add(a, "--runc-root");
        bench_argv_addf(a, "%s/runc-root", b->workdir);
    }
    bench_argv_add(a, "--fifo-dir");
    bench_argv_addf(a, "%s/fifo", b->workdir);
    bench_argv_add(a, "--read-only");
    bench_argv_add(a, "--mount");
    bench_argv_add(a, "type=tmpfs,src=tmpfs,dst=/tmp,options=nosuid:nodev:mode=1777");
    if (spec->data) {
        bench_argv_add(a, "--mount");
        bench_argv_addf(a, "type=bind,src=%s,dst=/data,options=rbind:rw", spec->data);
    }
    if (spec->netns) {
        bench_argv_add(a, "--with-ns");
        bench_argv_addf(a, "network:%s", spec->netns);
    }
    if (spec->cwd) {
        bench_argv_add(a, "--cwd");
        bench_argv_add(a, spec->cwd);
    }
    bench_argv_add(a, "--rootfs");
    bench_argv_add(a, b->rootfs);
    bench_argv_add(a, id);
    bench_argv_addv(a, (char *const *)spec->args);
}

static int timed(struct bench *b, struct bench_argv *a, struct bench_call *call, double *ms,
                 struct oci_err *err)
{
    (void)b;
    double t = 0;
    int rc = bench_exec(a->v, call->timeout, &t, call->capture ? &call->out : NULL, err);
    *ms += t;
    bench_argv_free(a);
    return rc;
}

static int ctr_op(struct bench *b, struct bench_runtime *rt, enum bench_op op, const char *id,
                  const struct bench_spec *spec, struct bench_call *call, struct oci_err *err)
{
    struct bench_argv a = {0};
    call->ms = 0;
    switch (op) {
    case BENCH_OP_CREATE:
        call->ms = NAN; /* no separate create in ctr (see the top) */
        return 0;
    case BENCH_OP_START:
        run_argv(b, rt, id, spec, true, &a);
        return timed(b, &a, call, &call->ms, err);
    case BENCH_OP_KILL:
        cli(b, &a);
        bench_argv_addv(&a, (char *[]){"task", "kill", "-s", "SIGKILL", (char *)id, NULL});
        return timed(b, &a, call, &call->ms, err);
    case BENCH_OP_DELETE:
        cli(b, &a);
        bench_argv_addv(&a, (char *[]){"task", "delete", (char *)id, NULL});
        if (timed(b, &a, call, &call->ms, err) < 0)
            return -1;
        cli(b, &a);
        bench_argv_addv(&a, (char *[]){"containers", "delete", (char *)id, NULL});
        return timed(b, &a, call, &call->ms, err);
    case BENCH_OP_RUN:
        run_argv(b, rt, id, spec, false, &a);
        if (call->async) {
            int rc = bench_spawn(a.v, call->capture, &call->proc, err);
            bench_argv_free(&a);
            return rc;
        }
        return timed(b, &a, call, &call->ms, err);
    }
    return -1;
}

/* PID and STATUS of a task out of `ctr task list` */
static int task_state(struct bench *b, const char *id, pid_t *pid, char *status, size_t size,
                      struct oci_err *err)
{
    struct bench_argv a = {0};
    _cleanup_free_ char *out = NULL;
    cli(b, &a);
    bench_argv_addv(&a, (char *[]){"task", "list", NULL});
    int rc = bench_exec(a.v, b->o.timeout, NULL, &out, err);
    bench_argv_free(&a);
    if (rc < 0)
        return -1;
    char *save = NULL;
    for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char task[256], st[32];
        long p;
        if (sscanf(l, "%255s %ld %31s", task, &p, st) == 3 && !strcmp(task, id)) {
            *pid = (pid_t)p;
            snprintf(status, size, "%s", st);
            return 0;
        }
    }
    *pid = 0;
    snprintf(status, size, "none");
    return 0;
}

static int ctr_wait_stopped(struct bench *b, struct bench_runtime *rt, const char *id,
                            struct oci_err *err)
{
    (void)rt;
    double end = bench_now() + b->o.timeout;
    char st[32] = "";
    pid_t pid;
    while (bench_now() < end) {
        if (task_state(b, id, &pid, st, sizeof(st), err) < 0)
            return -1;
        if (!strcmp(st, "STOPPED") || !strcmp(st, "none"))
            return 0;
        if (!bench_sleep(0.01))
            return err_set(err, EINTR, "interrupted");
    }
    return err_set(err, 0, "task %s still %s after %.0f s", id, st, b->o.timeout);
}

static int ctr_pid(struct bench *b, struct bench_runtime *rt, const char *id, pid_t *pid,
                   struct oci_err *err)
{
    (void)rt;
    char st[32];
    return task_state(b, id, pid, st, sizeof(st), err);
}

static void ctr_remove(struct bench *b, struct bench_runtime *rt, const char *id)
{
    (void)rt;
    static const char *const steps[][5] = {{"task", "kill", "-s", "SIGKILL", NULL},
                                           {"task", "delete", "-f", NULL, NULL},
                                           {"containers", "delete", NULL, NULL, NULL}};
    for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
        struct bench_argv a = {0};
        cli(b, &a);
        bench_argv_addv(&a, (char *const *)steps[i]);
        bench_argv_add(&a, id);
        bench_exec_quiet(a.v, 60);
        bench_argv_free(&a);
    }
}

static void ctr_finish_run(struct bench *b, struct bench_runtime *rt, const char *id)
{
    (void)b, (void)rt, (void)id; /* run --rm removed it */
}

const struct bench_driver bench_driver_containerd = {
    .name = "containerd",
    .netns_by_path = true,
    .init = ctr_init,
    .fini = ctr_fini,
    .version = ctr_version,
    .op = ctr_op,
    .finish_run = ctr_finish_run,
    .wait_stopped = ctr_wait_stopped,
    .pid = ctr_pid,
    .remove = ctr_remove,
};
