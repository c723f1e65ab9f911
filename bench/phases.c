/* oci-rt's phases beside its totals: the spans its --trace wrote during one
 * lifecycle round (create, start, kill, delete and the whole run), folded
 * into one duration and one start offset per phase and command, and kept
 * over the rounds so that each phase has its p50 and max. Spans of depth 0
 * and 1 are kept; a phase met twice in one command counts once, with the
 * sum of its durations and its first start. The trace file is emptied after
 * every round. */
#include "config.h"
#include "bench/bench.h"
#include "libcontainer/util.h"
#include "specs/trace.h"

#include <string.h>

#define MAX_DEPTH 1

struct bench_phase *bench_phase_get(struct bench_phases *ph, const char *op, const char *proc,
                                    const char *name, unsigned depth)
{
    for (size_t i = 0; i < ph->n; i++) {
        struct bench_phase *p = &ph->items[i];
        if (p->depth == depth && !strcmp(p->op, op) && !strcmp(p->proc, proc) &&
            !strcmp(p->name, name))
            return p;
    }
    ph->items = xrealloc(ph->items, (ph->n + 1) * sizeof(*ph->items));
    struct bench_phase *p = &ph->items[ph->n++];
    memset(p, 0, sizeof(*p));
    p->op = xstrdup(op);
    p->proc = xstrdup(proc);
    p->name = xstrdup(name);
    p->depth = depth;
    return p;
}

static bool same_phase(const struct spec_span *a, const struct spec_span *b)
{
    return a->depth == b->depth && !strcmp(a->cmd, b->cmd) && !strcmp(a->proc, b->proc) &&
           !strcmp(a->name, b->name);
}

static bool wanted(const struct spec_span *s)
{
    return !s->instant && s->depth <= MAX_DEPTH;
}

/* the first span of each command starts at 0 */
static uint64_t cmd_start(const struct spec_spans *sp, const char *cmd)
{
    uint64_t t0 = UINT64_MAX;
    for (size_t i = 0; i < sp->n; i++)
        if (!strcmp(sp->items[i].cmd, cmd) && sp->items[i].ts < t0)
            t0 = sp->items[i].ts;
    return t0;
}

static void fold(struct bench_phases *ph, const struct spec_spans *sp)
{
    for (size_t i = 0; i < sp->n; i++) {
        const struct spec_span *s = &sp->items[i];
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = wanted(&sp->items[k]) && same_phase(&sp->items[k], s);
        if (!wanted(s) || seen)
            continue;
        uint64_t dur = 0, first = UINT64_MAX;
        for (size_t k = i; k < sp->n; k++)
            if (same_phase(&sp->items[k], s)) {
                dur += sp->items[k].dur;
                if (sp->items[k].ts < first)
                    first = sp->items[k].ts;
            }
        struct bench_phase *p = bench_phase_get(ph, s->op, s->proc, s->name, s->depth);
        bench_samples_add(&p->dur, (double)dur / 1e6);
        bench_samples_add(&p->start, (double)(first - cmd_start(sp, s->cmd)) / 1e6);
    }
}

int bench_phases_collect(struct bench *b, struct bench_runtime *rt, bool record,
                         struct oci_err *err)
{
    (void)b;
    if (access(rt->trace, F_OK) < 0)
        return 0; /* it wrote no span */
    struct spec_spans sp;
    char *msg = NULL;
    if (spec_spans_load(rt->trace, &sp, &msg) < 0) {
        err_set(err, 0, "%s: its trace: %s", rt->name, msg ? msg : "out of memory");
        free(msg);
        return -1;
    }
    rt->phases.source = "trace";
    if (record)
        fold(&rt->phases, &sp);
    spec_spans_free(&sp);
    if (truncate(rt->trace, 0) < 0)
        return err_set(err, errno, "truncate %s", rt->trace);
    return 0;
}

void bench_phases_free(struct bench_phases *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->items[i].op);
        free(p->items[i].proc);
        free(p->items[i].name);
        bench_samples_free(&p->items[i].dur);
        bench_samples_free(&p->items[i].start);
    }
    free(p->items);
    memset(p, 0, sizeof(*p));
}
