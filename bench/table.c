/* What oci-bench says on the terminal: the progress line on stderr while it
 * runs (workload, runtime, round, elapsed; rewritten in place on a
 * terminal, one line per step otherwise), messages that interrupt it, and
 * the table of results on stdout at the end: p50 / max of every figure and
 * runtime with the ratio of p50 to the baseline, oci-rt's phases, with
 * --phases every runtime's profile phases side by side (profile_report.c),
 * the notes. */
#include "config.h"
#include "bench/bench.h"
#include "libcontainer/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static bool progress_shown;

void bench_progress(struct bench *b, bool done)
{
    if (b->o.quiet)
        return;
    bool tty = isatty(2);
    if (done) {
        if (tty && progress_shown)
            fputs("\r\033[K", stderr);
        progress_shown = false;
        return;
    }
    unsigned el = (unsigned)(bench_now() - b->t0);
    if (b->cur_rt && !strcmp(b->cur_rt, "set-up")) {
        fprintf(stderr, "%s[%2u:%02u] %-9s set-up%s", tty ? "\r\033[K" : "", el / 60, el % 60,
                b->cur_wl ? b->cur_wl : "", tty ? "" : "\n");
        fflush(stderr);
        progress_shown = tty;
        return;
    }
    bool warm = !b->cur_profiled && b->cur_round < b->o.warmup;
    unsigned shown = warm || b->cur_profiled ? b->cur_round + 1 : b->cur_round - b->o.warmup + 1;
    unsigned of = warm              ? b->o.warmup
                  : b->cur_profiled ? b->cur_rounds
                                    : b->cur_rounds - b->o.warmup;
    fprintf(stderr, "%s[%2u:%02u] %-9s %-12s %s %u/%u%s", tty ? "\r\033[K" : "", el / 60, el % 60,
            b->cur_wl ? b->cur_wl : "", b->cur_rt ? b->cur_rt : "",
            warm              ? "warm-up"
            : b->cur_profiled ? "profiled"
                              : "round",
            shown, of, tty ? "" : "\n");
    fflush(stderr);
    progress_shown = tty;
}

void bench_say(struct bench *b, const char *fmt, ...)
{
    bool redraw = progress_shown;
    if (progress_shown)
        fputs("\r\033[K", stderr);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    progress_shown = false;
    if (redraw && b->cur_wl)
        bench_progress(b, false);
}

/* four significant digits or so */
static void num(char *buf, size_t size, double v)
{
    double a = v < 0 ? -v : v;
    const char *f = a >= 1000 ? "%.0f" : a >= 100 ? "%.1f" : a >= 10 ? "%.2f" : "%.3f";
    snprintf(buf, size, f, v);
}

static void cell(const struct bench *b, const struct bench_metric *m, size_t i, long base,
                 char *buf, size_t size)
{
    struct bench_stats s, bs;
    if (!bench_stats_of(&m->rt[i], &s)) {
        snprintf(buf, size, "%s", b->rts[i].wl_error[m->wl] ? "failed" : "-");
        return;
    }
    char p50[32], max[32], ratio[32] = "";
    num(p50, sizeof(p50), s.p50);
    num(max, sizeof(max), s.max);
    if (base >= 0 && (size_t)base != i && bench_stats_of(&m->rt[base], &bs) && bs.p50 > 0 &&
        s.p50 > 0)
        snprintf(ratio, sizeof(ratio), " %.2fx", s.p50 / bs.p50);
    snprintf(buf, size, "%s / %s%s", p50, max, ratio);
}

static void print_figures(const struct bench *b)
{
    long base = bench_baseline(b);
    printf("\n%-10s %-14s %-8s", "workload", "figure", "unit");
    for (size_t i = 0; i < b->nrts; i++)
        printf(" %-26s", b->rts[i].name);
    printf("\n");
    for (size_t k = 0; k < b->nmetrics; k++) {
        const struct bench_metric *m = &b->metrics[k];
        printf("%-10s %-14s %-8s", bench_wl_names[m->wl], m->name, m->unit);
        for (size_t i = 0; i < b->nrts; i++) {
            char c[96];
            cell(b, m, i, base, c, sizeof(c));
            printf(" %-26s", c);
        }
        printf("%s\n", m->higher_better ? "  (higher is better)" : "");
    }
    printf("\ncells: p50 / max");
    if (base >= 0)
        printf(", then p50 divided by %s's", b->rts[base].name);
    printf("; percentiles nearest-rank over the timed rounds.\n");
}

static int by_start(const void *x, const void *y)
{
    const struct bench_phase *const *a = x, *const *c = y;
    int o = strcmp((*a)->op, (*c)->op);
    if (o)
        return o;
    struct bench_stats sa, sc;
    bench_stats_of(&(*a)->start, &sa);
    bench_stats_of(&(*c)->start, &sc);
    return sa.p50 < sc.p50 ? -1 : sa.p50 > sc.p50;
}

static void print_phases(const struct bench_runtime *rt)
{
    static const char *const ops[] = {"create", "start", "kill", "delete", "run"};
    const struct bench_phases *ph = &rt->phases;
    const struct bench_phase **v = xmalloc(ph->n * sizeof(*v));
    size_t n = 0;
    for (size_t i = 0; i < ph->n; i++)
        if (ph->items[i].depth == 0)
            v[n++] = &ph->items[i];
    qsort(v, n, sizeof(*v), by_start);
    printf("\n%s phases (from its %s; p50 / max ms, top level)\n", rt->name, ph->source);
    for (size_t o = 0; o < ARRAY_SIZE(ops); o++)
        for (size_t i = 0; i < n; i++) {
            if (strcmp(v[i]->op, ops[o]))
                continue;
            struct bench_stats s;
            char p50[32], max[32], label[96];
            bench_stats_of(&v[i]->dur, &s);
            num(p50, sizeof(p50), s.p50);
            num(max, sizeof(max), s.max);
            snprintf(label, sizeof(label), "%s (%s)", v[i]->name, v[i]->proc);
            printf("  %-7s %-58s %9s / %s\n", ops[o], label, p50, max);
        }
    free(v);
}

void bench_table_print(const struct bench *b)
{
    printf("oci-bench %s: %s mode, %s, %s%s\n", PACKAGE_VERSION, b->drv->name, b->env.kernel,
           b->env.cgroup, b->interrupted ? " (INTERRUPTED: partial results)" : "");
    for (size_t i = 0; i < b->nrts; i++)
        printf("  %-12s %s%s%s\n", b->rts[i].name, b->rts[i].version ? b->rts[i].version : "?",
               b->rts[i].failed ? "  FAILED: " : "", b->rts[i].failed ? b->rts[i].error : "");
    print_figures(b);
    for (size_t i = 0; i < b->nrts; i++)
        if (b->rts[i].phases.n)
            print_phases(&b->rts[i]);
    bench_profile_table_print(b);
    if (b->nnotes)
        printf("\nnotes:\n");
    for (size_t i = 0; i < b->nnotes; i++)
        printf("  - %s\n", b->notes[i]);
    printf("\nwall time %.0f s\n", b->wall);
    fflush(stdout);
}
