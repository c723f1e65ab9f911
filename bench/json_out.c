/* --json FILE: the run as one JSON document (its schema is
 * bench/oci-bench.schema.json): the environment, the settings, the
 * runtimes, per workload and figure the statistics of each runtime under
 * their plain names (n, mean, sd, min, p50, p90, p99, max), the ratios to
 * the baseline and the raw samples, the phases (oci-rt's trace), the
 * profile phases of every runtime (--phases), and the notes. Written to a
 * temporary file and renamed, so a reader never sees half of it. */
#include "config.h"
#include "bench/bench.h"
#include "bench/jgen.h"
#include "libcontainer/util.h"

#include <fcntl.h>
#include <stdio.h>

static void gen_stats(yajl_gen g, const struct bench_stats *s)
{
    jkint(g, "n", (long long)s->n);
    jknum(g, "mean", s->mean);
    jknum(g, "sd", s->sd);
    jknum(g, "min", s->min);
    jknum(g, "p50", s->p50);
    jknum(g, "p90", s->p90);
    jknum(g, "p99", s->p99);
    jknum(g, "max", s->max);
}

static void gen_env(yajl_gen g, const struct bench *b)
{
    const struct bench_env *e = &b->env;
    jstr(g, "environment");
    yajl_gen_map_open(g);
    jkstr(g, "os", e->os);
    jkstr(g, "kernel", e->kernel);
    jkstr(g, "cgroup", e->cgroup);
    jkbool(g, "cgroup2_view", b->o.cgroup2_view);
    jkstr(g, "cpu", e->cpu);
    jkint(g, "cores", e->cores);
    jkint(g, "memory_mib", (long long)(e->mem_kib / 1024));
    jkstr(g, "load_at_start", e->load);
    yajl_gen_map_close(g);
}

static void gen_settings(yajl_gen g, const struct bench *b)
{
    const struct bench_sizes *z = &b->o.sz;
    jstr(g, "settings");
    yajl_gen_map_open(g);
    jkbool(g, "quick", b->o.quick);
    jkint(g, "warmup", b->o.warmup);
    jstr(g, "rounds");
    yajl_gen_map_open(g);
    for (int w = 0; w < BENCH_NWL; w++)
        if (b->o.wl[w])
            jkint(g, bench_wl_names[w], b->o.rounds[w]);
    yajl_gen_map_close(g);
    long base = bench_baseline(b);
    jkstr(g, "baseline", base >= 0 ? b->rts[base].name : NULL);
    jkstr(g, "payload", b->o.payload);
    jkstr(g, "percentiles", "nearest-rank");
    jstr(g, "sizes");
    yajl_gen_map_open(g);
    jkint(g, "containers", z->containers);
    jkint(g, "cpu_max_prime", z->cpu_max_prime);
    jkint(g, "cpu_events", z->cpu_events);
    jkint(g, "memory_block_size", (long long)z->mem_block);
    jkint(g, "memory_total_size", (long long)z->mem_total);
    jkint(g, "fileio_files", z->fio_files);
    jkint(g, "fileio_file_size", (long long)z->fio_file_size);
    jkint(g, "fileio_block_size", (long long)z->fio_block);
    jkint(g, "fileio_time", z->fio_time);
    jkint(g, "fileio_events", z->fio_events);
    jknum(g, "syscall_time", z->syscall_time);
    jkint(g, "network_time", z->net_time);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
}

static void gen_runtimes(yajl_gen g, const struct bench *b)
{
    jstr(g, "runtimes");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < b->nrts; i++) {
        const struct bench_runtime *rt = &b->rts[i];
        yajl_gen_map_open(g);
        jkstr(g, "name", rt->name);
        jkstrv(g, "command", (const char *const *)rt->argv);
        jkstr(g, "shim", rt->shim);
        jkstr(g, "version", rt->version ? rt->version : "?");
        jkbool(g, "oci_rt", rt->ocirt);
        jkstr(g, "status", rt->failed ? "failed" : "ok");
        jkstr(g, "error", rt->error);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
}

static void gen_result(yajl_gen g, const struct bench *b, const struct bench_metric *m, size_t i,
                       long base)
{
    struct bench_stats s, bs;
    if (!bench_stats_of(&m->rt[i], &s))
        return;
    jstr(g, b->rts[i].name);
    yajl_gen_map_open(g);
    gen_stats(g, &s);
    if (base >= 0 && bench_stats_of(&m->rt[base], &bs)) {
        /* a ratio of figures that can be negative (a MemAvailable difference) means nothing */
        jknum(g, "ratio_p50", bs.p50 > 0 && s.p50 > 0 ? s.p50 / bs.p50 : NAN);
        jknum(g, "ratio_max", bs.max > 0 && s.max > 0 ? s.max / bs.max : NAN);
    }
    jstr(g, "samples");
    yajl_gen_array_open(g);
    for (size_t k = 0; k < m->rt[i].n; k++)
        jnum(g, m->rt[i].v[k]);
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
}

static void gen_workload(yajl_gen g, const struct bench *b, int w)
{
    long base = bench_baseline(b);
    jstr(g, bench_wl_names[w]);
    yajl_gen_map_open(g);
    jkint(g, "rounds", b->o.rounds[w]);
    jstr(g, "metrics");
    yajl_gen_map_open(g);
    for (size_t k = 0; k < b->nmetrics; k++) {
        const struct bench_metric *m = &b->metrics[k];
        if ((int)m->wl != w)
            continue;
        jstr(g, m->name);
        yajl_gen_map_open(g);
        jkstr(g, "unit", m->unit);
        jkstr(g, "better", m->higher_better ? "higher" : "lower");
        jkstr(g, "description", m->what);
        jstr(g, "results");
        yajl_gen_map_open(g);
        for (size_t i = 0; i < b->nrts; i++)
            gen_result(g, b, m, i, base);
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);
    }
    yajl_gen_map_close(g);
    jstr(g, "errors");
    yajl_gen_map_open(g);
    for (size_t i = 0; i < b->nrts; i++)
        if (b->rts[i].wl_error[w])
            jkstr(g, b->rts[i].name, b->rts[i].wl_error[w]);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
}

static void gen_phase_list(yajl_gen g, const struct bench_phases *ph, const char *op)
{
    jstr(g, op);
    yajl_gen_array_open(g);
    for (size_t i = 0; i < ph->n; i++) {
        const struct bench_phase *p = &ph->items[i];
        struct bench_stats s, st;
        if (strcmp(p->op, op) || !bench_stats_of(&p->dur, &s))
            continue;
        bench_stats_of(&p->start, &st);
        yajl_gen_map_open(g);
        jkstr(g, "phase", p->name);
        jkstr(g, "process", p->proc);
        jkstr(g, "role", bench_phase_role(ph, p->proc));
        jkint(g, "depth", p->depth);
        gen_stats(g, &s);
        jknum(g, "start_p50", st.p50);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
}

/* the members of a runtime's phases: source and ops (left open) */
static void gen_phase_set(yajl_gen g, const struct bench_phases *ph)
{
    jkstr(g, "source", ph->source);
    jstr(g, "ops");
    yajl_gen_map_open(g);
    for (size_t k = 0; k < ARRAY_SIZE(bench_op_names); k++)
        gen_phase_list(g, ph, bench_op_names[k]);
    yajl_gen_map_close(g);
}

static void gen_phases(yajl_gen g, const struct bench *b)
{
    jstr(g, "phases");
    yajl_gen_map_open(g);
    for (size_t i = 0; i < b->nrts; i++) {
        const struct bench_phases *ph = &b->rts[i].phases;
        if (!ph->n)
            continue;
        jstr(g, b->rts[i].name);
        yajl_gen_map_open(g);
        gen_phase_set(g, ph);
        yajl_gen_map_close(g);
    }
    yajl_gen_map_close(g);
}

static void gen_profile_rt(yajl_gen g, const struct bench_runtime *rt)
{
    jstr(g, rt->name);
    yajl_gen_map_open(g);
    gen_phase_set(g, &rt->profile);
    jkstr(g, "error", rt->profile_error);
    yajl_gen_map_close(g);
}

/* --phases: how the profile went, which rounds, and every runtime's
 * profile phases (source "profile") */
static void gen_profile(yajl_gen g, const struct bench *b)
{
    static const char *const states[] = {"off", "ok", "unavailable"};
    char when[160];
    snprintf(when, sizeof(when),
             "after the timed lifecycle rounds (%u), the runtimes interleaved and their "
             "order rotated; not in the lifecycle figures",
             b->o.rounds[BENCH_WL_LIFECYCLE]);
    jstr(g, "profile");
    yajl_gen_map_open(g);
    jkstr(g, "status", states[b->profile_state]);
    jkstr(g, "error", b->profile_error);
    jkstr(g, "profiler", b->profiler);
    jkint(g, "rounds", b->profiled_rounds);
    jkint(g, "rounds_planned",
          b->profile_state == BENCH_PROFILE_OFF ? 0
          : b->o.phase_rounds                   ? b->o.phase_rounds
                                                : b->o.rounds[BENCH_WL_LIFECYCLE]);
    jkstr(g, "schedule", b->profile_state == BENCH_PROFILE_OFF ? NULL : when);
    jstr(g, "runtimes");
    yajl_gen_map_open(g);
    for (size_t i = 0; i < b->nrts; i++)
        if (b->rts[i].profile.n || b->rts[i].profile_error)
            gen_profile_rt(g, &b->rts[i]);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
}

static void gen_all(yajl_gen g, const struct bench *b)
{
    char version[128];
    snprintf(version, sizeof(version), "%s (%s)", PACKAGE_VERSION, GIT_COMMIT);
    yajl_gen_map_open(g);
    jkstr(g, "tool", "oci-bench");
    jkstr(g, "version", version);
    jkbool(g, "complete", !b->interrupted);
    jkbool(g, "interrupted", b->interrupted);
    jkstr(g, "started", b->env.date);
    jknum(g, "wall_seconds", b->wall);
    jkstr(g, "mode", b->drv->name);
    gen_env(g, b);
    gen_settings(g, b);
    gen_runtimes(g, b);
    jstr(g, "workloads");
    yajl_gen_map_open(g);
    for (int w = 0; w < BENCH_NWL; w++)
        if (b->o.wl[w])
            gen_workload(g, b, w);
    yajl_gen_map_close(g);
    gen_phases(g, b);
    gen_profile(g, b);
    jkstrv(g, "notes", (const char *const *)b->notes);
    yajl_gen_map_close(g);
}

int bench_json_write(const struct bench *b, const char *path, struct oci_err *err)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    yajl_gen_config(g, yajl_gen_beautify, 1);
    gen_all(g, b);
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(g, &buf, &len);
    int rc = write_file_atomic(AT_FDCWD, path, buf, len, 0644);
    yajl_gen_free(g);
    if (rc < 0)
        return err_set(err, errno, "--json %s", path);
    return 0;
}
