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

#include <stdio.h>
#include <string.h>

static void gen_stats(struct json_gen *j, const struct bench_stats *s)
{
    json_gen_kv_uint(j, "n", s->n);
    jknum(j, "mean", s->mean);
    jknum(j, "sd", s->sd);
    jknum(j, "min", s->min);
    jknum(j, "p50", s->p50);
    jknum(j, "p90", s->p90);
    jknum(j, "p99", s->p99);
    jknum(j, "max", s->max);
}

static void gen_env(struct json_gen *j, const struct bench *b)
{
    const struct bench_env *e = &b->env;
    json_gen_key(j, "environment");
    json_gen_map_open(j);
    jkstr(j, "os", e->os);
    jkstr(j, "kernel", e->kernel);
    jkstr(j, "cgroup", e->cgroup);
    json_gen_kv_bool(j, "cgroup2_view", b->o.cgroup2_view);
    jkstr(j, "cpu", e->cpu);
    json_gen_kv_int(j, "cores", e->cores);
    json_gen_kv_uint(j, "memory_mib", e->mem_kib / 1024);
    jkstr(j, "load_at_start", e->load);
    json_gen_map_close(j);
}

static void gen_settings(struct json_gen *j, const struct bench *b)
{
    const struct bench_sizes *z = &b->o.sz;
    json_gen_key(j, "settings");
    json_gen_map_open(j);
    json_gen_kv_bool(j, "quick", b->o.quick);
    json_gen_kv_int(j, "warmup", b->o.warmup);
    json_gen_key(j, "rounds");
    json_gen_map_open(j);
    for (int w = 0; w < BENCH_NWL; w++)
        if (b->o.wl[w])
            json_gen_kv_int(j, bench_wl_names[w], b->o.rounds[w]);
    json_gen_map_close(j);
    long base = bench_baseline(b);
    jkstr(j, "baseline", base >= 0 ? b->rts[base].name : NULL);
    jkstr(j, "payload", b->o.payload);
    jkstr(j, "percentiles", "nearest-rank");
    json_gen_key(j, "sizes");
    json_gen_map_open(j);
    json_gen_kv_int(j, "containers", z->containers);
    json_gen_kv_int(j, "cpu_max_prime", z->cpu_max_prime);
    json_gen_kv_int(j, "cpu_events", z->cpu_events);
    json_gen_kv_uint(j, "memory_block_size", z->mem_block);
    json_gen_kv_uint(j, "memory_total_size", z->mem_total);
    json_gen_kv_int(j, "fileio_files", z->fio_files);
    json_gen_kv_uint(j, "fileio_file_size", z->fio_file_size);
    json_gen_kv_uint(j, "fileio_block_size", z->fio_block);
    json_gen_kv_int(j, "fileio_time", z->fio_time);
    json_gen_kv_int(j, "fileio_events", z->fio_events);
    jknum(j, "syscall_time", z->syscall_time);
    json_gen_kv_int(j, "network_time", z->net_time);
    json_gen_map_close(j);
    json_gen_map_close(j);
}

static void gen_runtimes(struct json_gen *j, const struct bench *b)
{
    json_gen_key(j, "runtimes");
    json_gen_array_open(j);
    for (size_t i = 0; i < b->nrts; i++) {
        const struct bench_runtime *rt = &b->rts[i];
        json_gen_map_open(j);
        jkstr(j, "name", rt->name);
        jkstrv(j, "command", (const char *const *)rt->argv);
        jkstr(j, "shim", rt->shim);
        jkstr(j, "version", rt->version ? rt->version : "?");
        json_gen_kv_bool(j, "oci_rt", rt->ocirt);
        jkstr(j, "status", rt->failed ? "failed" : "ok");
        jkstr(j, "error", rt->error);
        json_gen_map_close(j);
    }
    json_gen_array_close(j);
}

static void gen_result(struct json_gen *j, const struct bench *b, const struct bench_metric *m,
                       size_t i, long base)
{
    struct bench_stats s, bs;
    if (!bench_stats_of(&m->rt[i], &s))
        return;
    json_gen_key(j, b->rts[i].name);
    json_gen_map_open(j);
    gen_stats(j, &s);
    if (base >= 0 && bench_stats_of(&m->rt[base], &bs)) {
        /* a ratio of figures that can be negative (a MemAvailable difference) means nothing */
        jknum(j, "ratio_p50", bs.p50 > 0 && s.p50 > 0 ? s.p50 / bs.p50 : NAN);
        jknum(j, "ratio_max", bs.max > 0 && s.max > 0 ? s.max / bs.max : NAN);
    }
    json_gen_key(j, "samples");
    json_gen_array_open(j);
    for (size_t k = 0; k < m->rt[i].n; k++)
        jnum(j, m->rt[i].v[k]);
    json_gen_array_close(j);
    json_gen_map_close(j);
}

static void gen_workload(struct json_gen *j, const struct bench *b, int w)
{
    long base = bench_baseline(b);
    json_gen_key(j, bench_wl_names[w]);
    json_gen_map_open(j);
    json_gen_kv_int(j, "rounds", b->o.rounds[w]);
    json_gen_key(j, "metrics");
    json_gen_map_open(j);
    for (size_t k = 0; k < b->nmetrics; k++) {
        const struct bench_metric *m = &b->metrics[k];
        if ((int)m->wl != w)
            continue;
        json_gen_key(j, m->name);
        json_gen_map_open(j);
        jkstr(j, "unit", m->unit);
        jkstr(j, "better", m->higher_better ? "higher" : "lower");
        jkstr(j, "description", m->what);
        json_gen_key(j, "results");
        json_gen_map_open(j);
        for (size_t i = 0; i < b->nrts; i++)
            gen_result(j, b, m, i, base);
        json_gen_map_close(j);
        json_gen_map_close(j);
    }
    json_gen_map_close(j);
    json_gen_key(j, "errors");
    json_gen_map_open(j);
    for (size_t i = 0; i < b->nrts; i++)
        if (b->rts[i].wl_error[w])
            jkstr(j, b->rts[i].name, b->rts[i].wl_error[w]);
    json_gen_map_close(j);
    json_gen_map_close(j);
}

static void gen_phase_list(struct json_gen *j, const struct bench_phases *ph, const char *op)
{
    json_gen_key(j, op);
    json_gen_array_open(j);
    for (size_t i = 0; i < ph->n; i++) {
        const struct bench_phase *p = &ph->items[i];
        struct bench_stats s, st;
        if (strcmp(p->op, op) || !bench_stats_of(&p->dur, &s))
            continue;
        bench_stats_of(&p->start, &st);
        json_gen_map_open(j);
        jkstr(j, "phase", p->name);
        jkstr(j, "process", p->proc);
        jkstr(j, "role", bench_phase_role(ph, p->proc));
        json_gen_kv_int(j, "depth", p->depth);
        gen_stats(j, &s);
        jknum(j, "start_p50", st.p50);
        json_gen_map_close(j);
    }
    json_gen_array_close(j);
}

/* the members of a runtime's phases: source and ops (left open) */
static void gen_phase_set(struct json_gen *j, const struct bench_phases *ph)
{
    jkstr(j, "source", ph->source);
    json_gen_key(j, "ops");
    json_gen_map_open(j);
    for (size_t k = 0; k < ARRAY_SIZE(bench_op_names); k++)
        gen_phase_list(j, ph, bench_op_names[k]);
    json_gen_map_close(j);
}

static void gen_phases(struct json_gen *j, const struct bench *b)
{
    json_gen_key(j, "phases");
    json_gen_map_open(j);
    for (size_t i = 0; i < b->nrts; i++) {
        const struct bench_phases *ph = &b->rts[i].phases;
        if (!ph->n)
            continue;
        json_gen_key(j, b->rts[i].name);
        json_gen_map_open(j);
        gen_phase_set(j, ph);
        json_gen_map_close(j);
    }
    json_gen_map_close(j);
}

static void gen_profile_rt(struct json_gen *j, const struct bench_runtime *rt)
{
    json_gen_key(j, rt->name);
    json_gen_map_open(j);
    gen_phase_set(j, &rt->profile);
    jkstr(j, "error", rt->profile_error);
    json_gen_map_close(j);
}

/* --phases: how the profile went, which rounds, and every runtime's
 * profile phases (source "profile") */
static void gen_profile(struct json_gen *j, const struct bench *b)
{
    static const char *const states[] = {"off", "ok", "unavailable"};
    char when[160];
    snprintf(when, sizeof(when),
             "after the timed lifecycle rounds (%u), the runtimes interleaved and their "
             "order rotated; not in the lifecycle figures",
             b->o.rounds[BENCH_WL_LIFECYCLE]);
    json_gen_key(j, "profile");
    json_gen_map_open(j);
    jkstr(j, "status", states[b->profile_state]);
    jkstr(j, "error", b->profile_error);
    jkstr(j, "profiler", b->profiler);
    json_gen_kv_int(j, "rounds", b->profiled_rounds);
    json_gen_kv_int(j, "rounds_planned",
                    b->profile_state == BENCH_PROFILE_OFF ? 0
                    : b->o.phase_rounds                   ? b->o.phase_rounds
                                                          : b->o.rounds[BENCH_WL_LIFECYCLE]);
    jkstr(j, "schedule", b->profile_state == BENCH_PROFILE_OFF ? NULL : when);
    json_gen_key(j, "runtimes");
    json_gen_map_open(j);
    for (size_t i = 0; i < b->nrts; i++)
        if (b->rts[i].profile.n || b->rts[i].profile_error)
            gen_profile_rt(j, &b->rts[i]);
    json_gen_map_close(j);
    json_gen_map_close(j);
}

static void gen_all(struct json_gen *j, const struct bench *b)
{
    char version[128];
    snprintf(version, sizeof(version), "%s (%s)", PACKAGE_VERSION, GIT_COMMIT);
    json_gen_map_open(j);
    jkstr(j, "tool", "oci-bench");
    jkstr(j, "version", version);
    json_gen_kv_bool(j, "complete", !b->interrupted);
    json_gen_kv_bool(j, "interrupted", b->interrupted);
    jkstr(j, "started", b->env.date);
    jknum(j, "wall_seconds", b->wall);
    jkstr(j, "mode", b->drv->name);
    gen_env(j, b);
    gen_settings(j, b);
    gen_runtimes(j, b);
    json_gen_key(j, "workloads");
    json_gen_map_open(j);
    for (int w = 0; w < BENCH_NWL; w++)
        if (b->o.wl[w])
            gen_workload(j, b, w);
    json_gen_map_close(j);
    gen_phases(j, b);
    gen_profile(j, b);
    jkstrv(j, "notes", (const char *const *)b->notes);
    json_gen_map_close(j);
}

int bench_json_write(const struct bench *b, const char *path, struct oci_err *err)
{
    struct json_gen j;
    json_gen_init(&j, "    ", NULL, 0);
    gen_all(&j, b);
    return jsave(&j, path, 0644, "--json", err);
}
