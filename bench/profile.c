/* --phases: every runtime's phases read from the kernel. After the timed
 * lifecycle rounds, oci-bench runs profiled rounds of their own (the same
 * create, start, kill, delete and run, the runtimes interleaved and their
 * order rotated) with each command under `oci-rt profile --format json`,
 * so that the profile's overhead never reaches the totals. The spans of one
 * command (the JSON lines of `oci-rt trace`, one row per phase and process,
 * the top-level rows of a process covering its life) are folded into one
 * duration and one start per process row and phase, plus the process's
 * whole life, and kept over the rounds (p50 and max). */
#include "config.h"
#include "bench/bench.h"
#include "libcontainer/util.h"
#include "specs/trace.h"

#include <stdio.h>
#include <string.h>

const char *const bench_op_names[5] = {"create", "start", "kill", "delete", "run"};

int bench_profile_init(struct bench *b, struct oci_err *err)
{
    if (!b->o.phases)
        return 0;
    if (b->o.profiler) {
        b->profiler = bench_which(b->o.profiler);
        if (!b->profiler)
            return err_set(err, 0, "--profiler: \"%s\" not found%s", b->o.profiler,
                           strchr(b->o.profiler, '/') ? "" : " in PATH");
    } else {
        b->profiler = bench_find_ocirt();
        if (!b->profiler)
            return err_set(err, 0,
                           "--phases: no oci-rt next to oci-bench or on PATH to profile "
                           "with (--profiler PATH)");
    }
    b->profile_state = BENCH_PROFILE_OK;
    return 0;
}

static void unavailable(struct bench *b, const char *msg)
{
    b->profile_state = BENCH_PROFILE_UNAVAILABLE;
    free(b->profile_error);
    b->profile_error = xstrdup(msg);
    bench_say(b,
              "oci-bench: --phases: oci-rt profile cannot run here, the run goes on without "
              "profile phases: %s",
              msg);
    bench_note(b, "no profile phases (--phases): oci-rt profile cannot run here: %s", msg);
}

/* The profiler profiles itself printing its version: it must load its BPF
 * programs (root, BTF) and write at least the row of that process. */
void bench_profile_check(struct bench *b)
{
    if (b->profile_state != BENCH_PROFILE_OK)
        return;
    _cleanup_free_ char *file = NULL;
    xasprintf(&file, "%s/profile-check.jsonl", b->workdir);
    struct bench_argv a = {0};
    struct oci_err err = {0};
    bench_argv_add(&a, b->profiler);
    static const char *const args[] = {"profile", "--format", "json", "--out"};
    for (size_t i = 0; i < ARRAY_SIZE(args); i++)
        bench_argv_add(&a, args[i]);
    bench_argv_add(&a, file);
    bench_argv_add(&a, "--");
    bench_argv_add(&a, b->profiler);
    bench_argv_add(&a, "--version");
    int rc = bench_exec(a.v, b->o.timeout, NULL, NULL, &err);
    bench_argv_free(&a);
    if (rc < 0) {
        if (!bench_stop)
            unavailable(b, err.msg);
        err_clear(&err);
        unlink(file);
        return;
    }
    struct spec_spans sp;
    char *msg = NULL;
    if (spec_spans_load(file, &sp, &msg) < 0 || sp.n == 0) {
        _cleanup_free_ char *m = NULL;
        xasprintf(&m, "%s profile wrote no span (%s)", b->profiler, msg ? msg : "none");
        unavailable(b, m);
    }
    spec_spans_free(&sp);
    free(msg);
    unlink(file);
}

/* ------------------------------------------------------------ folding */

/* one process row and phase of one command */
struct agg {
    const char *proc, *name;
    uint64_t dur, first;
};

/* one process of one command: its life */
struct life {
    int pid;
    const char *proc;
    uint64_t start, end;
};

struct fold {
    struct agg *a;
    size_t n;
    struct life *l;
    size_t nl;
};

static struct agg *agg_get(struct fold *f, const char *proc, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->a[i].proc, proc) && !strcmp(f->a[i].name, name))
            return &f->a[i];
    f->a = xrealloc(f->a, (f->n + 1) * sizeof(*f->a));
    f->a[f->n] = (struct agg){proc, name, 0, UINT64_MAX};
    return &f->a[f->n++];
}

static void life_add(struct fold *f, const struct spec_span *s)
{
    size_t i;
    for (i = 0; i < f->nl && f->l[i].pid != s->pid; i++)
        ;
    if (i == f->nl) {
        f->l = xrealloc(f->l, (f->nl + 1) * sizeof(*f->l));
        f->l[f->nl++] = (struct life){s->pid, s->proc, s->mono, s->mono + s->dur};
    }
    if (s->mono < f->l[i].start)
        f->l[i].start = s->mono;
    if (s->mono + s->dur > f->l[i].end)
        f->l[i].end = s->mono + s->dur;
}

/* a phase met several times in a process row counts once, with the sum of
 * its durations and its first start; the processes of one row (the same
 * name) add up */
static void fold_spans(struct fold *f, const struct spec_spans *sp)
{
    for (size_t i = 0; i < sp->n; i++) {
        const struct spec_span *s = &sp->items[i];
        if (s->instant || s->depth > 0 || !s->mono)
            continue;
        struct agg *a = agg_get(f, s->proc, s->name);
        a->dur += s->dur;
        if (s->mono < a->first)
            a->first = s->mono;
        life_add(f, s);
    }
    for (size_t i = 0; i < f->nl; i++) {
        struct agg *a = agg_get(f, f->l[i].proc, BENCH_LIFE_PHASE);
        a->dur += f->l[i].end - f->l[i].start;
        if (f->l[i].start < a->first)
            a->first = f->l[i].start;
    }
}

int bench_profile_collect(struct bench *b, struct bench_runtime *rt, enum bench_op op,
                          const char *file, struct oci_err *err)
{
    (void)b;
    struct spec_spans sp;
    char *msg = NULL;
    if (spec_spans_load(file, &sp, &msg) < 0) {
        err_set(err, 0, "%s %s: its profile: %s", rt->name, bench_op_names[op],
                msg ? msg : "out of memory");
        free(msg);
        return -1;
    }
    struct fold f = {0};
    fold_spans(&f, &sp);
    if (f.n == 0) {
        spec_spans_free(&sp);
        return err_set(err, 0, "%s %s: its profile has no span", rt->name, bench_op_names[op]);
    }
    uint64_t t0 = UINT64_MAX;
    for (size_t i = 0; i < f.n; i++)
        t0 = f.a[i].first < t0 ? f.a[i].first : t0;
    rt->profile.source = "profile";
    for (size_t i = 0; i < f.n; i++) {
        struct bench_phase *p =
            bench_phase_get(&rt->profile, bench_op_names[op], f.a[i].proc, f.a[i].name, 0);
        bench_samples_add(&p->dur, (double)f.a[i].dur / 1e6);
        bench_samples_add(&p->start, (double)(f.a[i].first - t0) / 1e6);
    }
    free(f.a);
    free(f.l);
    spec_spans_free(&sp);
    return 0;
}

/* ------------------------------------------------------------ rounds */

static void profile_fail(struct bench *b, struct bench_runtime *rt, const char *msg)
{
    free(rt->profile_error);
    rt->profile_error = xstrdup(msg);
    rt->profile.source = "profile";
    bench_say(b,
              "oci-bench: runtime \"%s\": a profiled round failed, its other profiled rounds "
              "are skipped: %s",
              rt->name, msg);
    bench_note(b,
               "%s: a profiled lifecycle round failed (the profiled rounds before it are "
               "kept): %s",
               rt->name, msg);
}

void bench_profile_rounds(struct bench *b)
{
    unsigned rounds = b->o.phase_rounds ? b->o.phase_rounds : b->o.rounds[BENCH_WL_LIFECYCLE];
    b->cur_profiled = true;
    b->cur_rounds = rounds;
    for (unsigned r = 0; r < rounds && !bench_stop; r++) {
        for (size_t k = 0; k < b->nrts && !bench_stop; k++) {
            struct bench_runtime *rt = &b->rts[(r + k) % b->nrts];
            if (rt->failed || rt->wl_error[BENCH_WL_LIFECYCLE] || rt->profile_error)
                continue;
            b->cur_rt = rt->name;
            b->cur_round = r;
            bench_progress(b, false);
            struct oci_err err = {0};
            double ms[5];
            if (bench_lifecycle_round(b, rt, true, ms, &err) < 0) {
                bench_remove_all(b, rt);
                if (!bench_stop)
                    profile_fail(b, rt, err.msg);
                err_clear(&err);
            }
        }
        if (!bench_stop)
            b->profiled_rounds = r + 1;
    }
    b->cur_profiled = false;
}

/* ------------------------------------------------------------ roles */

static bool init_phase(const char *name)
{
    return !strcmp(name, "pivot_root") || !strcmp(name, "execve") ||
           !strcmp(name, "container process");
}

const char *bench_phase_role(const struct bench_phases *ph, const char *proc)
{
    if (!strcmp(proc, "runtime") || !strcmp(proc, "init"))
        return proc;
    /* a runtime that calls its container's first process otherwise
     * (runc:[2:INIT]): the row that pivots into the rootfs or execs the
     * user's program, unless a row is called init */
    const char *init = NULL;
    for (size_t i = 0; i < ph->n; i++) {
        if (!strcmp(ph->items[i].proc, "init"))
            return proc;
        if (!init && init_phase(ph->items[i].name) && strcmp(ph->items[i].proc, "runtime"))
            init = ph->items[i].proc;
    }
    return init && !strcmp(init, proc) ? "init" : proc;
}
