/* The workloads and their figures, the rounds (warm-ups first, then timed
 * rounds with the runtimes interleaved and their order rotated every round,
 * so that drift of the machine hits all of them alike; with --phases the
 * profiled lifecycle rounds follow the timed ones), the containers a
 * runtime may still have, and the lifecycle workload itself. */
#include "config.h"
#include "bench/bench.h"
#include "libcontainer/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const bench_wl_names[BENCH_NWL] = {"lifecycle", "cpu",     "memory", "fileio",
                                               "syscall",   "network", "density"};

static const struct metric_def {
    enum bench_wl wl;
    const char *name, *unit;
    bool higher_better;
    const char *what;
} metric_defs[] = {
    {BENCH_WL_LIFECYCLE, "create", "ms", false, "create of a container that then waits"},
    {BENCH_WL_LIFECYCLE, "start", "ms", false, "start of the created container"},
    {BENCH_WL_LIFECYCLE, "kill", "ms", false, "kill with SIGKILL"},
    {BENCH_WL_LIFECYCLE, "delete", "ms", false, "delete of the stopped container"},
    {BENCH_WL_LIFECYCLE, "run", "ms", false, "a whole foreground run of a process that exits"},
    {BENCH_WL_CPU, "time", "ms", false, "sysbench cpu: a fixed number of events, one thread"},
    {BENCH_WL_CPU, "event_max", "ms", false, "sysbench cpu: the slowest event"},
    {BENCH_WL_MEMORY, "time", "ms", false, "sysbench memory: the total size written"},
    {BENCH_WL_MEMORY, "throughput", "MiB/s", true, "sysbench memory"},
    {BENCH_WL_FILEIO, "seqrd", "MiB/s", true, "sysbench fileio: sequential read"},
    {BENCH_WL_FILEIO, "rndrd", "MiB/s", true, "sysbench fileio: random read"},
    {BENCH_WL_FILEIO, "seqwr", "MiB/s", true, "sysbench fileio: sequential write"},
    {BENCH_WL_FILEIO, "rndwr", "MiB/s", true, "sysbench fileio: random write"},
    {BENCH_WL_SYSCALL, "lps", "loops/s", true, "close(dup(0)), getpid, getuid, umask per loop"},
    {BENCH_WL_NETWORK, "throughput", "Gbit/s", true, "iperf3 TCP to the container (receiver)"},
    {BENCH_WL_DENSITY, "host_memory", "MiB", false, "MemAvailable before minus after"},
    {BENCH_WL_DENSITY, "cgroup_memory", "MiB", false, "the sum of the containers' cgroups"},
    {BENCH_WL_DENSITY, "start_all", "ms", false, "create and start of all, one after another"},
};

static const struct wl_def {
    int (*setup)(struct bench *b, struct oci_err *err);
    int (*sample)(struct bench *b, struct bench_runtime *rt, bool record, struct oci_err *err);
    void (*teardown)(struct bench *b);
} wl_defs[BENCH_NWL] = {
    [BENCH_WL_LIFECYCLE] = {NULL, bench_wl_lifecycle, NULL},
    [BENCH_WL_CPU] = {NULL, bench_wl_cpu, NULL},
    [BENCH_WL_MEMORY] = {NULL, bench_wl_memory, NULL},
    [BENCH_WL_FILEIO] = {bench_fileio_setup, bench_wl_fileio, bench_fileio_teardown},
    [BENCH_WL_SYSCALL] = {NULL, bench_wl_syscall, NULL},
    [BENCH_WL_NETWORK] = {bench_network_setup, bench_wl_network, bench_network_teardown},
    [BENCH_WL_DENSITY] = {NULL, bench_wl_density, NULL},
};

int bench_wl_lookup(const char *name)
{
    for (int i = 0; i < BENCH_NWL; i++)
        if (!strcmp(name, bench_wl_names[i]))
            return i;
    return -1;
}

/* ------------------------------------------------------------ figures */

void bench_metrics_init(struct bench *b)
{
    b->metrics = xzalloc(ARRAY_SIZE(metric_defs) * sizeof(*b->metrics));
    for (size_t i = 0; i < ARRAY_SIZE(metric_defs); i++) {
        const struct metric_def *d = &metric_defs[i];
        if (!b->o.wl[d->wl])
            continue;
        struct bench_metric *m = &b->metrics[b->nmetrics++];
        *m = (struct bench_metric){d->wl,   d->name,          d->unit,
                                   d->what, d->higher_better, xzalloc(b->nrts * sizeof(*m->rt))};
    }
}

struct bench_metric *bench_metric(struct bench *b, enum bench_wl wl, const char *name)
{
    for (size_t i = 0; i < b->nmetrics; i++)
        if (b->metrics[i].wl == wl && !strcmp(b->metrics[i].name, name))
            return &b->metrics[i];
    return NULL;
}

void bench_record(struct bench *b, enum bench_wl wl, const char *name, size_t rt, double v)
{
    struct bench_metric *m = bench_metric(b, wl, name);
    if (m && isfinite(v))
        bench_samples_add(&m->rt[rt], v);
}

size_t bench_rt_index(const struct bench *b, const struct bench_runtime *rt)
{
    return (size_t)(rt - b->rts);
}

/* ------------------------------------------------------------ containers */

char *bench_new_id(struct bench *b, const struct bench_runtime *rt, const char *what)
{
    char *id;
    xasprintf(&id, "ocibench-%s-%s-%s%u", b->tag, rt->name, what, ++b->seq);
    return id;
}

void bench_live_add(struct bench_runtime *rt, const char *id)
{
    rt->live = xrealloc(rt->live, (rt->nlive + 1) * sizeof(*rt->live));
    rt->live[rt->nlive++] = xstrdup(id);
}

void bench_live_del(struct bench_runtime *rt, const char *id)
{
    for (size_t i = 0; i < rt->nlive; i++)
        if (!strcmp(rt->live[i], id)) {
            free(rt->live[i]);
            rt->live[i] = rt->live[--rt->nlive];
            return;
        }
}

void bench_remove_all(struct bench *b, struct bench_runtime *rt)
{
    while (rt->nlive > 0) {
        char *id = rt->live[rt->nlive - 1];
        b->drv->remove(b, rt, id);
        bench_live_del(rt, id);
    }
}

void bench_call_clear(struct bench_call *call)
{
    free(call->out);
    call->out = NULL;
    if (call->proc.pid > 0)
        bench_proc_kill(&call->proc);
}

int bench_call_finish(struct bench *b, struct bench_runtime *rt, const char *id,
                      struct bench_call *call, struct oci_err *err)
{
    int rc =
        bench_wait(&call->proc, call->timeout, &call->ms, call->capture ? &call->out : NULL, err);
    b->drv->finish_run(b, rt, id);
    return rc;
}

int bench_run_capture(struct bench *b, struct bench_runtime *rt, const char *what,
                      const struct bench_spec *spec, double timeout, char **out,
                      struct oci_err *err)
{
    _cleanup_free_ char *id = bench_new_id(b, rt, what);
    struct bench_call call = {.timeout = timeout, .capture = true};
    bench_live_add(rt, id);
    int rc = b->drv->op(b, rt, BENCH_OP_RUN, id, spec, &call, err);
    if (rc < 0)
        b->drv->remove(b, rt, id);
    bench_live_del(rt, id);
    *out = TAKE_PTR(call.out);
    return rc;
}

void bench_rt_fail(struct bench *b, struct bench_runtime *rt, const char *what, const char *msg)
{
    rt->failed = true;
    free(rt->error);
    xasprintf(&rt->error, "%s failed: %s", what, msg);
    bench_say(b, "oci-bench: runtime \"%s\": %s failed, the run goes on without it: %s", rt->name,
              what, msg);
    bench_note(b, "%s was dropped from the run: %s failed: %s", rt->name, what, msg);
}

void bench_rt_wl_fail(struct bench *b, struct bench_runtime *rt, enum bench_wl wl, const char *msg)
{
    free(rt->wl_error[wl]);
    rt->wl_error[wl] = xstrdup(msg);
    bench_say(b, "oci-bench: runtime \"%s\": workload %s failed, its other rounds are skipped: %s",
              rt->name, bench_wl_names[wl], msg);
    bench_note(b, "%s: workload %s failed (rounds before it are kept): %s", rt->name,
               bench_wl_names[wl], msg);
}

/* ------------------------------------------------------------ rounds */

static void run_round(struct bench *b, enum bench_wl w, unsigned r)
{
    for (size_t k = 0; k < b->nrts && !bench_stop; k++) {
        struct bench_runtime *rt = &b->rts[(r + k) % b->nrts];
        if (rt->failed || rt->wl_error[w])
            continue;
        b->cur_rt = rt->name;
        b->cur_round = r;
        bench_progress(b, false);
        struct oci_err err = {0};
        if (wl_defs[w].sample(b, rt, r >= b->o.warmup, &err) < 0) {
            bench_remove_all(b, rt);
            if (bench_stop)
                return;
            bench_rt_wl_fail(b, rt, w, err.msg);
        }
    }
}

int bench_run_workloads(struct bench *b)
{
    for (int w = 0; w < BENCH_NWL && !bench_stop; w++) {
        if (!b->o.wl[w])
            continue;
        struct oci_err err = {0};
        b->cur_wl = bench_wl_names[w];
        b->cur_rounds = b->o.warmup + b->o.rounds[w];
        b->cur_rt = "set-up";
        b->cur_round = 0;
        bench_progress(b, false);
        if (wl_defs[w].setup && wl_defs[w].setup(b, &err) < 0) {
            if (!bench_stop) {
                bench_say(b, "oci-bench: workload %s skipped: %s", bench_wl_names[w], err.msg);
                bench_note(b, "workload %s was skipped: %s", bench_wl_names[w], err.msg);
            }
        } else {
            for (unsigned r = 0; r < b->cur_rounds && !bench_stop; r++)
                run_round(b, (enum bench_wl)w, r);
            if (w == BENCH_WL_LIFECYCLE && b->profile_state == BENCH_PROFILE_OK)
                bench_profile_rounds(b);
        }
        if (wl_defs[w].teardown)
            wl_defs[w].teardown(b);
    }
    bench_progress(b, true);
    return bench_stop ? -1 : 0;
}

/* ------------------------------------------------------------ lifecycle */

/* One lifecycle command; profiled: under oci-rt profile, its spans folded
 * into rt->profile (oci-rt's --trace is off then: one observer at a time). */
static int life_op(struct bench *b, struct bench_runtime *rt, enum bench_op op, const char *id,
                   const struct bench_spec *spec, bool profiled, double *ms, struct oci_err *err)
{
    _cleanup_free_ char *file = NULL;
    struct bench_call call = {.timeout = b->o.timeout, .trace = !profiled};
    if (profiled) {
        xasprintf(&file, "%s/profile-%s.jsonl", b->workdir, rt->name);
        call.profile = file;
    }
    int rc = b->drv->op(b, rt, op, id, spec, &call, err);
    *ms = call.ms;
    if (rc == 0 && profiled)
        rc = bench_profile_collect(b, rt, op, file, err);
    if (file)
        unlink(file);
    return rc;
}

int bench_lifecycle_round(struct bench *b, struct bench_runtime *rt, bool profiled, double ms[5],
                          struct oci_err *err)
{
    const char *args[] = {"/usr/bin/ocibench-helper", b->o.payload, NULL};
    const struct bench_spec spec = {.args = args};
    _cleanup_free_ char *id = bench_new_id(b, rt, "l");
    bench_live_add(rt, id);
    static const enum bench_op ops[] = {BENCH_OP_CREATE, BENCH_OP_START, BENCH_OP_KILL,
                                        BENCH_OP_DELETE};
    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        if (ops[i] == BENCH_OP_DELETE && b->drv->wait_stopped(b, rt, id, err) < 0)
            return -1; /* untimed: the kill has been sent, wait for its effect */
        if (life_op(b, rt, ops[i], id, &spec, profiled, &ms[i], err) < 0)
            return -1;
    }
    bench_live_del(rt, id);
    /* a whole foreground run of a process that exits */
    static const char *const exit_args[] = {"/usr/bin/ocibench-helper", "exit", NULL};
    const struct bench_spec exit_spec = {.args = exit_args};
    _cleanup_free_ char *rid = bench_new_id(b, rt, "r");
    bench_live_add(rt, rid);
    if (life_op(b, rt, BENCH_OP_RUN, rid, &exit_spec, profiled, &ms[4], err) < 0)
        return -1;
    bench_live_del(rt, rid);
    return 0;
}

int bench_wl_lifecycle(struct bench *b, struct bench_runtime *rt, bool record, struct oci_err *err)
{
    double ms[5];
    if (bench_lifecycle_round(b, rt, false, ms, err) < 0)
        return -1;
    size_t i = bench_rt_index(b, rt);
    for (size_t k = 0; record && k < ARRAY_SIZE(ms); k++)
        bench_record(b, BENCH_WL_LIFECYCLE, bench_op_names[k], i, ms[k]);
    if (rt->trace)
        return bench_phases_collect(b, rt, record, err);
    return 0;
}
