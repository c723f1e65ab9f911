/* --phases in the reports: the profile's phases of every runtime side by
 * side, one row per lifecycle step, process row and phase, with p50 and max
 * of each runtime (and beside them oci-rt's own --trace phases of the same
 * name, labelled as such). Process rows are matched by their role: the
 * runtime command's own process ("runtime"), the container's first process
 * ("init", whatever a runtime calls it: runc:[2:INIT] for runc), and a
 * runtime's other stages by their own names (runc:[0:PARENT], ...). The
 * terminal gets the rows that take 5% or more of a command's time in some
 * runtime; the HTML a grouped bar chart of those and tables of every row. */
#include "config.h"
#include "bench/bench.h"
#include "bench/svg.h"
#include "libcontainer/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define SHOWN_SHARE 0.05 /* of the command's whole life, in some runtime */

/* the order the steps are reported in */
static const char *const steps[] = {"create", "start", "kill", "delete", "run"};

struct col {
    const struct bench_runtime *rt;
    size_t rti; /* the runtime's index (its colour) */
    const struct bench_phases *ph;
    bool trace; /* oci-rt's own --trace phases, beside its profile */
};

struct row {
    const char *op, *role, *name;
    int rank;                        /* runtime, then a runtime's own stages, then init */
    double start;                    /* the earliest p50 start over the runtimes */
    const struct bench_phase **cell; /* [ncols] */
};

struct cmp {
    struct col *cols;
    size_t ncols, nprof; /* the profile columns come first */
    struct row *rows;
    size_t nrows;
};

static size_t step_index(const char *op)
{
    for (size_t i = 0; i < ARRAY_SIZE(steps); i++)
        if (!strcmp(steps[i], op))
            return i;
    return ARRAY_SIZE(steps);
}

static struct row *row_find(struct cmp *c, const char *op, const char *role, const char *name)
{
    for (size_t i = 0; i < c->nrows; i++)
        if (!strcmp(c->rows[i].op, op) && !strcmp(c->rows[i].role, role) &&
            !strcmp(c->rows[i].name, name))
            return &c->rows[i];
    return NULL;
}

static struct row *row_add(struct cmp *c, const char *op, const char *role, const char *name)
{
    c->rows = xrealloc(c->rows, (c->nrows + 1) * sizeof(*c->rows));
    struct row *r = &c->rows[c->nrows++];
    int rank = !strcmp(role, "runtime") ? 0 : !strcmp(role, "init") ? 2 : 1;
    *r = (struct row){op, role, name, rank, INFINITY, xzalloc(c->ncols * sizeof(*r->cell))};
    return r;
}

static void add_col(struct cmp *c, const struct bench *b, size_t i, bool trace)
{
    c->cols = xrealloc(c->cols, (c->ncols + 1) * sizeof(*c->cols));
    c->cols[c->ncols++] =
        (struct col){&b->rts[i], i, trace ? &b->rts[i].phases : &b->rts[i].profile, trace};
}

static void fill(struct cmp *c, size_t k)
{
    const struct bench_phases *ph = c->cols[k].ph;
    for (size_t i = 0; i < ph->n; i++) {
        const struct bench_phase *p = &ph->items[i];
        struct bench_stats s;
        const char *role = bench_phase_role(ph, p->proc);
        struct row *r = row_find(c, p->op, role, p->name);
        if (!r && c->cols[k].trace)
            continue; /* a phase the profile does not name */
        if (!r)
            r = row_add(c, p->op, role, p->name);
        if (r->cell[k] && r->cell[k]->depth <= p->depth)
            continue;
        r->cell[k] = p;
        if (!c->cols[k].trace && bench_stats_of(&p->start, &s) && s.p50 < r->start)
            r->start = s.p50;
    }
}

static int by_step(const void *x, const void *y)
{
    const struct row *a = x, *b = y;
    size_t sa = step_index(a->op), sb = step_index(b->op);
    if (sa != sb)
        return sa < sb ? -1 : 1;
    if (a->rank != b->rank)
        return a->rank - b->rank;
    int o = strcmp(a->role, b->role);
    if (o)
        return o;
    bool la = !strcmp(a->name, BENCH_LIFE_PHASE), lb = !strcmp(b->name, BENCH_LIFE_PHASE);
    if (la != lb)
        return la ? -1 : 1;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return strcmp(a->name, b->name);
}

static void cmp_build(struct cmp *c, const struct bench *b)
{
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < b->nrts; i++)
        if (b->rts[i].profile.n)
            add_col(c, b, i, false);
    c->nprof = c->ncols;
    for (size_t i = 0; c->nprof && i < b->nrts; i++)
        if (b->rts[i].phases.n)
            add_col(c, b, i, true);
    /* the cells are read after every column is added (rows hold ncols) */
    for (size_t k = 0; k < c->ncols; k++)
        fill(c, k);
    qsort(c->rows, c->nrows, sizeof(*c->rows), by_step);
}

static void cmp_free(struct cmp *c)
{
    for (size_t i = 0; i < c->nrows; i++)
        free(c->rows[i].cell);
    free(c->rows);
    free(c->cols);
}

static bool p50_of(const struct bench_phase *p, double *v)
{
    struct bench_stats s;
    if (!p || !bench_stats_of(&p->dur, &s))
        return false;
    *v = s.p50;
    return true;
}

/* a row worth the compact views: a whole life, or 5% of the command's time
 * (its runtime process's whole life) in some runtime */
static bool row_shown(struct cmp *c, const struct row *r)
{
    if (!strcmp(r->name, BENCH_LIFE_PHASE))
        return true;
    const struct row *life = row_find(c, r->op, "runtime", BENCH_LIFE_PHASE);
    for (size_t k = 0; life && k < c->nprof; k++) {
        double v, total;
        if (p50_of(r->cell[k], &v) && p50_of(life->cell[k], &total) && v >= SHOWN_SHARE * total)
            return true;
    }
    return false;
}

static unsigned planned_rounds(const struct bench *b)
{
    return b->o.phase_rounds ? b->o.phase_rounds : b->o.rounds[BENCH_WL_LIFECYCLE];
}

static void col_label(char *buf, size_t size, const struct col *c)
{
    snprintf(buf, size, "%s%s", c->rt->name, c->trace ? " trace" : "");
}

/* ------------------------------------------------------------ terminal */

static void num(char *buf, size_t size, double v)
{
    bench_fmt_num(buf, size, v);
}

static void term_cell(const struct bench_phase *p, char *buf, size_t size)
{
    struct bench_stats s;
    if (!p || !bench_stats_of(&p->dur, &s)) {
        snprintf(buf, size, "-");
        return;
    }
    char p50[32], max[32];
    num(p50, sizeof(p50), s.p50);
    num(max, sizeof(max), s.max);
    snprintf(buf, size, "%s / %s", p50, max);
}

void bench_profile_table_print(const struct bench *b)
{
    if (b->profile_state == BENCH_PROFILE_OFF)
        return;
    if (b->profile_state == BENCH_PROFILE_UNAVAILABLE) {
        printf("\nphases side by side (--phases): none, oci-rt profile cannot run here: %s\n",
               b->profile_error);
        return;
    }
    struct cmp c;
    cmp_build(&c, b);
    printf("\nphases side by side (--phases): each runtime's commands under oci-rt profile, in %u "
           "profiled rounds after the\ntimed ones (not in the totals above); p50 / max ms; rows "
           "of 5%% or more of a command in some runtime\n(the JSON and HTML have every row)\n",
           b->profiled_rounds);
    if (!c.nprof) {
        printf("  no profile phases were recorded\n");
        cmp_free(&c);
        return;
    }
    printf("  %-7s %-16s %-30s", "step", "process", "phase");
    for (size_t k = 0; k < c.ncols; k++) {
        char l[64];
        col_label(l, sizeof(l), &c.cols[k]);
        printf(" %-19s", l);
    }
    printf("\n");
    for (size_t i = 0; i < c.nrows; i++) {
        const struct row *r = &c.rows[i];
        if (!row_shown(&c, r))
            continue;
        printf("  %-7s %-16s %-30s", r->op, r->role, r->name);
        for (size_t k = 0; k < c.ncols; k++) {
            char cell[64];
            term_cell(r->cell[k], cell, sizeof(cell));
            printf(" %-19s", cell);
        }
        printf("\n");
    }
    cmp_free(&c);
}

/* ------------------------------------------------------------ HTML */

#define CW 900.0  /* chart width */
#define CL 300.0  /* labels */
#define CX1 730.0 /* end of the bars */
#define BAR 12
#define GAP 8

static double cx(double v, double scale)
{
    double x = CL + (CX1 - CL) * v / scale;
    return x > CX1 ? CX1 : x;
}

static void chart_group(FILE *f, const struct cmp *c, const struct row *r, double y, double scale)
{
    fprintf(f, "<text x='4' y='%.1f' class='wl'><tspan class='proc'>",
            y + (double)c->nprof * BAR / 2 + 4);
    bench_html_esc(f, r->role);
    fprintf(f, "</tspan> ");
    bench_html_esc(f, r->name);
    fprintf(f, "</text>\n");
    for (size_t k = 0; k < c->nprof; k++, y += BAR) {
        struct bench_stats s;
        if (!r->cell[k] || !bench_stats_of(&r->cell[k]->dur, &s))
            continue;
        const char *color = bench_rt_color(c->cols[k].rti);
        char p50[32], max[32];
        bench_fmt_num(p50, sizeof(p50), s.p50);
        bench_fmt_num(max, sizeof(max), s.max);
        fprintf(f,
                "<rect x='%.1f' y='%.1f' width='%.1f' height='%d' fill='%s' opacity='0.28'/>"
                "<rect x='%.1f' y='%.1f' width='%.1f' height='%d' fill='%s'><title>",
                CL, y, cx(s.max, scale) - CL, BAR - 1, color, CL, y, fmax(cx(s.p50, scale) - CL, 1),
                BAR - 1, color);
        bench_html_esc(f, c->cols[k].rt->name);
        fprintf(f,
                ": p50 %s ms, max %s ms</title></rect><text x='%.1f' y='%.1f' class='tick' "
                "fill='%s' style='fill:%s'>%s / %s</text>\n",
                p50, max, CX1 + 6, y + BAR - 2, color, color, p50, max);
    }
}

/* the grouped bar chart of one step: the rows shown, a bar per runtime */
static void chart(FILE *f, struct cmp *c, const char *op)
{
    size_t n = 0;
    double top = 0;
    for (size_t i = 0; i < c->nrows; i++) {
        const struct row *r = &c->rows[i];
        if (strcmp(r->op, op) || !row_shown(c, r))
            continue;
        n++;
        for (size_t k = 0; k < c->nprof; k++) {
            struct bench_stats s;
            if (r->cell[k] && bench_stats_of(&r->cell[k]->dur, &s) && s.max > top)
                top = s.max;
        }
    }
    if (!n)
        return;
    double scale = top > 0 ? bench_nice_ceil(top) : 1, gh = (double)c->nprof * BAR + GAP;
    int h = 30 + (int)(n * gh) + 22;
    fprintf(f,
            "<svg class='pc' viewBox='0 0 %.0f %d' width='%.0f' height='%d' role='img' "
            "aria-label='%s phases'>\n<text x='4' y='14' class='pt'>%s: process &#183; phase"
            "</text><text x='%.0f' y='14' class='pu' text-anchor='end'>solid: p50 &#183; light: "
            "max &#183; ms</text>\n",
            CW, h, CW, h, op, op, CW);
    double y = 30;
    for (size_t i = 0; i < c->nrows; i++) {
        const struct row *r = &c->rows[i];
        if (strcmp(r->op, op) || !row_shown(c, r))
            continue;
        chart_group(f, c, r, y, scale);
        y += gh;
    }
    for (int k = 0; k <= 4; k++) {
        double x = cx(scale * k / 4, scale);
        fprintf(f,
                "<line x1='%.1f' y1='24' x2='%.1f' y2='%.1f' class='grid'/><text x='%.1f' "
                "y='%.1f' class='tick' text-anchor='middle'>%.4g</text>\n",
                x, x, y, x, y + 12, scale * k / 4);
    }
    fprintf(f, "</svg>\n");
}

/* which process a role stands for in a runtime that names it otherwise */
static void role_names(FILE *f, const struct cmp *c)
{
    bool any = false;
    for (size_t k = 0; k < c->nprof; k++) {
        const char *seen = NULL;
        for (size_t i = 0; i < c->nrows; i++) {
            const struct bench_phase *p = c->rows[i].cell[k];
            if (!p || !strcmp(p->proc, c->rows[i].role) || (seen && !strcmp(seen, p->proc)))
                continue;
            seen = p->proc;
            fprintf(f, "%s", any ? "; " : "<p class='sub'>Process rows matched by role: ");
            bench_html_esc(f, c->rows[i].role);
            fprintf(f, " is <code>");
            bench_html_esc(f, p->proc);
            fprintf(f, "</code> in ");
            bench_html_esc(f, c->cols[k].rt->name);
            any = true;
        }
    }
    if (any)
        fprintf(f, ".</p>\n");
}

static void html_cell(FILE *f, const struct bench_phase *p)
{
    struct bench_stats s;
    if (!p || !bench_stats_of(&p->dur, &s)) {
        fprintf(f, "<td>-</td><td></td>");
        return;
    }
    char p50[32], max[32];
    bench_fmt_num(p50, sizeof(p50), s.p50);
    bench_fmt_num(max, sizeof(max), s.max);
    fprintf(f, "<td title='n %zu'>%s</td><td>%s</td>", s.n, p50, max);
}

static void table(FILE *f, const struct cmp *c, const char *op)
{
    fprintf(f,
            "<details%s><summary>%s: every process row and phase (p50 / max ms)</summary>"
            "<table><tr><th class='l'>process</th><th class='l'>phase</th>",
            strcmp(op, "run") ? "" : " open", op);
    for (size_t k = 0; k < c->ncols; k++) {
        char l[64];
        col_label(l, sizeof(l), &c->cols[k]);
        fprintf(f, "<th colspan='2' style='text-align:center'>");
        bench_html_esc(f, l);
        fprintf(f, "</th>");
    }
    fprintf(f, "</tr>\n");
    for (size_t i = 0; i < c->nrows; i++) {
        const struct row *r = &c->rows[i];
        if (strcmp(r->op, op))
            continue;
        fprintf(f, "<tr><td class='l'>");
        bench_html_esc(f, r->role);
        fprintf(f, "</td><td class='l'>");
        bench_html_esc(f, r->name);
        fprintf(f, "</td>");
        for (size_t k = 0; k < c->ncols; k++)
            html_cell(f, r->cell[k]);
        fprintf(f, "</tr>\n");
    }
    fprintf(f, "</table></details>\n");
}

static void html_intro(FILE *f, const struct bench *b)
{
    fprintf(f, "<p class='sub'>Each runtime's create, start, kill, delete and run commands ran "
               "under <code>");
    bench_html_esc(f, b->profiler);
    fprintf(f,
            " profile</code> (kernel tracing with BPF; <code>oci-rt profile --rules</code> "
            "names the phases) in %u profiled rounds of their own (%u planned), after the %u "
            "timed lifecycle rounds, the runtimes interleaved and their order rotated. The "
            "profiled rounds are not in the totals above, as the profile costs time of its own. "
            "Process rows: <b>runtime</b> is the command's own process, <b>init</b> "
            "the container's first process (whatever the runtime calls it), other rows a "
            "runtime's own stages; <b>%s</b> is a process's life, which its top-level rows "
            "cover. Columns labelled <i>trace</i> are oci-rt's own <code>--trace</code> spans "
            "of the same name (from the timed rounds).</p>\n",
            b->profiled_rounds, planned_rounds(b), b->o.rounds[BENCH_WL_LIFECYCLE],
            BENCH_LIFE_PHASE);
    for (size_t i = 0; i < b->nrts; i++)
        if (b->rts[i].profile_error) {
            fprintf(f, "<p class='warn'>");
            bench_html_esc(f, b->rts[i].name);
            fprintf(f, ": a profiled round failed (the rounds before it are kept): ");
            bench_html_esc(f, b->rts[i].profile_error);
            fprintf(f, "</p>\n");
        }
}

void bench_profile_html(FILE *f, const struct bench *b)
{
    fprintf(f, "<section id='profile'><h2>Phases side by side, from the kernel (--phases)</h2>\n");
    if (b->profile_state == BENCH_PROFILE_OFF) {
        fprintf(f, "<p>Not measured: the run was not given <code>--phases</code>.</p></section>\n");
        return;
    }
    if (b->profile_state == BENCH_PROFILE_UNAVAILABLE) {
        fprintf(f, "<p class='warn'>No profile phases: oci-rt profile cannot run here: ");
        bench_html_esc(f, b->profile_error);
        fprintf(f, "</p></section>\n");
        return;
    }
    html_intro(f, b);
    struct cmp c;
    cmp_build(&c, b);
    if (!c.nprof) {
        fprintf(f, "<p>No profile phases were recorded.</p></section>\n");
        cmp_free(&c);
        return;
    }
    fprintf(f, "<p class='legend'>");
    for (size_t k = 0; k < c.nprof; k++) {
        fprintf(f, "<span><i class='sw' style='background:%s'></i>", bench_rt_color(c.cols[k].rti));
        bench_html_esc(f, c.cols[k].rt->name);
        fprintf(f, "</span>");
    }
    fprintf(f, "</p>\n<p class='sub'>Charts: the rows of 5%% or more of a command's time in some "
               "runtime. Tables: every row.</p>\n");
    role_names(f, &c);
    static const char *const order[] = {"run", "create", "start", "kill", "delete"};
    for (size_t o = 0; o < ARRAY_SIZE(order); o++) {
        chart(f, &c, order[o]);
        table(f, &c, order[o]);
    }
    fprintf(f, "</section>\n");
    cmp_free(&c);
}
