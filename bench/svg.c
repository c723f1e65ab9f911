/* The inline SVG charts of the report (see svg.h). Each chart is one <svg>
 * element with its own scale, drawn from the samples; no script, no external
 * resource. */
#include "config.h"
#include "bench/svg.h"
#include "libcontainer/util.h"

#include <math.h>
#include <string.h>

#define W 560    /* panel width */
#define LABEL 96 /* runtime names, right-aligned before X0 */
#define X0 100.0 /* plot area */
#define X1 400.0
#define ROW 24
#define TOP 26

const char bench_svg_css[] =
    "svg text{font-family:'DejaVu Sans',sans-serif}.pt{font-size:13px;font-weight:bold;"
    "fill:#1a202c}.pu{font-size:11px;fill:#4a5568}.rl{font-size:12px;fill:#1a202c}"
    ".v{font-size:11px;fill:#2d3748}.tick{font-size:10px;fill:#718096}.na{font-size:11px;"
    "fill:#c53030}.ax{stroke:#a0aec0}.grid{stroke:#edf2f7}.min{stroke:#1a202c;"
    "stroke-width:1.5}.wl{font-size:11px;fill:#1a202c}.wl2{font-size:10px;fill:#4a5568}"
    ".proc{fill:#a0aec0}.wb{fill:#2b6cb0}.wb2{fill:#90cdf4}.wmax{stroke:#2b6cb0;"
    "stroke-width:1}";

void bench_html_esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

void bench_fmt_num(char *buf, size_t size, double v)
{
    double a = fabs(v);
    const char *f = a >= 1000 ? "%.0f" : a >= 100 ? "%.1f" : a >= 10 ? "%.2f" : "%.3f";
    snprintf(buf, size, f, v);
}

const char *bench_rt_color(size_t i)
{
    static const char *const c[] = {"#2b6cb0", "#dd6b20", "#2f855a", "#c53030",
                                    "#6b46c1", "#975a16", "#2c7a7b", "#b83280"};
    return c[i % ARRAY_SIZE(c)];
}

/* compact, for the text beside a bar: 23.3k, 1.03M */
static void fmt_compact(char *buf, size_t size, double v)
{
    double a = fabs(v);
    if (a >= 1e6)
        snprintf(buf, size, "%.3gM", v / 1e6);
    else if (a >= 1e4)
        snprintf(buf, size, "%.3gk", v / 1e3);
    else
        bench_fmt_num(buf, size, v);
}

double bench_nice_ceil(double v)
{
    if (!(v > 0))
        return 0;
    double p = pow(10, floor(log10(v)));
    for (double m = 1; m <= 10; m *= (m == 2 ? 2.5 : 2))
        if (m * p >= v)
            return m * p;
    return 10 * p;
}

/* the domain of a panel: from lo (0, or below for negative figures) to hi */
struct dom {
    double lo, hi;
};

static double sx(double v, struct dom d)
{
    double x = X0 + (X1 - X0) * (v - d.lo) / (d.hi - d.lo);
    return x > X1 ? X1 : x < X0 ? X0 : x;
}

static struct dom domain_of(const struct bench *b, const struct bench_metric *m)
{
    double lo = 0, hi = 0;
    struct bench_stats s;
    for (size_t i = 0; i < b->nrts; i++)
        if (bench_stats_of(&m->rt[i], &s)) {
            hi = s.max > hi ? s.max : hi;
            lo = s.min < lo ? s.min : lo;
        }
    struct dom d = {-bench_nice_ceil(-lo), bench_nice_ceil(hi)};
    if (d.hi <= d.lo)
        d.hi = d.lo + 1;
    return d;
}

static void fmt_tick(char *buf, size_t size, double v)
{
    double a = fabs(v);
    if (a < 1e-12)
        snprintf(buf, size, "0");
    else if (a >= 1e6)
        snprintf(buf, size, "%gM", v / 1e6);
    else if (a >= 1e4)
        snprintf(buf, size, "%gk", v / 1e3);
    else
        snprintf(buf, size, "%.4g", v);
}

/* grid, zero line and tick labels at a round step, drawn under the bars */
static void axis(FILE *f, struct dom d, double y)
{
    char a[32];
    double step = bench_nice_ceil((d.hi - d.lo) / 5);
    fprintf(f, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='ax'/>\n", X0, y, X1, y);
    for (double v = ceil(d.lo / step - 1e-9) * step; v <= d.hi + step * 1e-9; v += step) {
        double x = sx(v, d);
        fmt_tick(a, sizeof(a), v);
        fprintf(f,
                "<line x1='%.1f' y1='%d' x2='%.1f' y2='%.1f' class='%s'/>"
                "<text x='%.1f' y='%.1f' class='tick' text-anchor='middle'>%s</text>\n",
                x, TOP - 4, x, y, fabs(v) < step * 1e-9 && d.lo < 0 ? "ax" : "grid", x, y + 12, a);
    }
}

static void panel_open(FILE *f, const struct bench_metric *m, int h)
{
    fprintf(f,
            "<svg class='panel' viewBox='0 0 %d %d' width='%d' height='%d' role='img' "
            "aria-label='%s %s'>\n<text x='0' y='14' class='pt'>%s &#183; ",
            W, h, W, h, bench_wl_names[m->wl], m->name, bench_wl_names[m->wl]);
    bench_html_esc(f, m->name);
    fprintf(f, "</text><text x='%d' y='14' class='pu' text-anchor='end'>%s, %s is better</text>\n",
            W, m->unit, m->higher_better ? "higher" : "lower");
}

static void row_label(FILE *f, const struct bench *b, size_t i, double y)
{
    fprintf(f, "<text x='%d' y='%.1f' text-anchor='end' class='rl'>", LABEL, y + 12);
    bench_html_esc(f, b->rts[i].name);
    fprintf(f, "</text>\n");
}

static void no_data(FILE *f, const struct bench *b, const struct bench_metric *m, size_t i,
                    double y)
{
    fprintf(f, "<text x='%.1f' y='%.1f' class='na'>%s</text>\n", X0 + 4, y + 12,
            b->rts[i].failed || b->rts[i].wl_error[m->wl] ? "failed" : "no samples");
}

static void value_text(FILE *f, const struct bench_stats *s, double y)
{
    char p50[32], max[32];
    fmt_compact(p50, sizeof(p50), s->p50);
    fmt_compact(max, sizeof(max), s->max);
    fprintf(f, "<text x='%.1f' y='%.1f' class='v'>p50 %s &#183; max %s</text>\n", X1 + 8, y + 14,
            p50, max);
}

/* a bar from 0 to v */
static void bar(FILE *f, double v, struct dom d, double y, const char *color, double opacity,
                const char *title)
{
    double a = sx(0, d), z = sx(v, d);
    fprintf(f,
            "<rect x='%.1f' y='%.1f' width='%.1f' height='16' fill='%s' opacity='%.2f'>"
            "<title>%s</title></rect>\n",
            a < z ? a : z, y + 2, fabs(z - a), color, opacity, title);
}

void bench_svg_bars(FILE *f, const struct bench *b, const struct bench_metric *m)
{
    int h = TOP + (int)b->nrts * ROW + 22;
    struct dom d = domain_of(b, m);
    panel_open(f, m, h);
    axis(f, d, TOP + (double)b->nrts * ROW);
    for (size_t i = 0; i < b->nrts; i++) {
        double y = TOP + (double)i * ROW;
        struct bench_stats s;
        row_label(f, b, i, y);
        if (!bench_stats_of(&m->rt[i], &s)) {
            no_data(f, b, m, i, y);
            continue;
        }
        bar(f, s.max, d, y, bench_rt_color(i), 0.28, "max");
        bar(f, s.p50, d, y, bench_rt_color(i), 1, "p50");
        fprintf(f,
                "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='min'><title>min</title>"
                "</line>\n",
                sx(s.min, d), y, sx(s.min, d), y + 20);
        value_text(f, &s, y);
    }
    fprintf(f, "</svg>\n");
}

static void box(FILE *f, const struct bench_stats *s, struct dom d, double y, const char *c)
{
    double cy = y + 10, lo = sx(s->min, d), hi = sx(s->max, d);
    double a = sx(s->p25, d), z = sx(s->p75, d), med = sx(s->p50, d);
    fprintf(f,
            "<g stroke='%s'><line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f'/>"
            "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f'/>"
            "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f'/>\n"
            "<rect x='%.1f' y='%.1f' width='%.1f' height='16' fill='%s' fill-opacity='0.3'/>"
            "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke-width='3'/></g>\n",
            c, lo, cy, hi, cy, lo, cy - 5, lo, cy + 5, hi, cy - 5, hi, cy + 5, a, y + 2,
            z - a < 1 ? 1 : z - a, c, med, y + 1, med, y + 19);
}

void bench_svg_boxes(FILE *f, const struct bench *b, const struct bench_metric *m)
{
    int h = TOP + (int)b->nrts * ROW + 22;
    struct dom d = domain_of(b, m);
    panel_open(f, m, h);
    axis(f, d, TOP + (double)b->nrts * ROW);
    for (size_t i = 0; i < b->nrts; i++) {
        double y = TOP + (double)i * ROW;
        struct bench_stats s;
        row_label(f, b, i, y);
        if (!bench_stats_of(&m->rt[i], &s)) {
            no_data(f, b, m, i, y);
            continue;
        }
        box(f, &s, d, y, bench_rt_color(i));
        value_text(f, &s, y);
    }
    fprintf(f, "</svg>\n");
}

/* ------------------------------------------------------------ waterfall */

struct wrow {
    const struct bench_phase *p;
    double start, dur, max;
};

static int by_start(const void *x, const void *y)
{
    const struct wrow *a = x, *c = y;
    if (a->start != c->start)
        return a->start < c->start ? -1 : 1;
    return (int)a->p->depth - (int)c->p->depth;
}

#define WW 900.0  /* waterfall width */
#define WL 330.0  /* phase names */
#define WX1 760.0 /* end of the bars */
#define WROW 17

static double wx(double v, double scale)
{
    double x = WL + (WX1 - WL) * v / scale;
    return x > WX1 ? WX1 : x;
}

static void waterfall_row(FILE *f, const struct wrow *r, size_t k, double scale)
{
    double y = 30 + (double)k * WROW;
    char p50[32], max[32];
    bench_fmt_num(p50, sizeof(p50), r->dur);
    bench_fmt_num(max, sizeof(max), r->max);
    fprintf(f, "<text x='%.1f' y='%.1f' class='%s'>", 4.0 + 14 * r->p->depth, y + 12,
            r->p->depth ? "wl2" : "wl");
    bench_html_esc(f, r->p->name);
    fprintf(f, " <tspan class='proc'>(%s)</tspan></text>\n", r->p->proc);
    double x = wx(r->start, scale), e = wx(r->start + r->dur, scale);
    double m = wx(r->start + r->max, scale);
    fprintf(f,
            "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='wmax'/>"
            "<rect x='%.1f' y='%.1f' width='%.1f' height='11' class='%s'/>"
            "<text x='%.1f' y='%.1f' class='v'>%s / %s</text>\n",
            x, y + 8, m, y + 8, x, y + 3, e - x < 1 ? 1 : e - x, r->p->depth ? "wb2" : "wb",
            WX1 + 8, y + 12, p50, max);
}

bool bench_svg_waterfall(FILE *f, const struct bench_runtime *rt, const char *op)
{
    const struct bench_phases *ph = &rt->phases;
    struct wrow *rows = xzalloc((ph->n + 1) * sizeof(*rows));
    size_t n = 0;
    double end = 0;
    for (size_t i = 0; i < ph->n; i++) {
        struct bench_stats d, s;
        if (strcmp(ph->items[i].op, op) || !bench_stats_of(&ph->items[i].dur, &d))
            continue;
        if (d.max < 0.0005)
            continue; /* a phase that never takes a microsecond: no row */
        bench_stats_of(&ph->items[i].start, &s);
        rows[n++] = (struct wrow){&ph->items[i], s.p50, d.p50, d.max};
        if (s.p50 + d.p50 > end)
            end = s.p50 + d.p50;
    }
    if (n == 0) {
        free(rows);
        return false;
    }
    qsort(rows, n, sizeof(*rows), by_start);
    double scale = end > 0 ? bench_nice_ceil(end) : 1;
    int h = 30 + (int)n * WROW + 24;
    fprintf(f,
            "<svg class='wf' viewBox='0 0 %.0f %d' width='%.0f' height='%d' role='img'>\n"
            "<text x='4' y='14' class='pt'>",
            WW, h, WW, h);
    bench_html_esc(f, rt->name);
    fprintf(f,
            " %s: phases by their p50 start</text><text x='%.0f' y='14' class='pu' "
            "text-anchor='end'>bar: p50 duration &#183; line: to the max &#183; ms p50 / max"
            "</text>\n",
            op, WW);
    for (size_t k = 0; k < n; k++)
        waterfall_row(f, &rows[k], k, scale);
    double y = 30 + (double)n * WROW + 4;
    for (int k = 0; k <= 4; k++) {
        char a[32];
        double x = wx(scale * k / 4, scale);
        snprintf(a, sizeof(a), "%.4g", scale * k / 4);
        fprintf(f,
                "<line x1='%.1f' y1='24' x2='%.1f' y2='%.1f' class='grid'/><text x='%.1f' "
                "y='%.1f' class='tick' text-anchor='middle'>%s</text>\n",
                x, x, y, x, y + 12, a);
    }
    fprintf(f, "</svg>\n");
    free(rows);
    return true;
}

/* ------------------------------------------------------------ --svg FILE */

static void svg_header(FILE *f, const struct bench *b, int w)
{
    fprintf(f, "<text x='0' y='16' class='pt'>oci-bench: p50 (solid) and max (light) of every "
               "figure; black tick: min</text>\n");
    double x = 0;
    for (size_t i = 0; i < b->nrts; i++) {
        fprintf(f,
                "<rect x='%.0f' y='26' width='12' height='12' fill='%s'/>"
                "<text x='%.0f' y='37' class='rl'>",
                x, bench_rt_color(i), x + 16);
        bench_html_esc(f, b->rts[i].name);
        fprintf(f, "</text>\n");
        x += 30 + 8 * (double)strlen(b->rts[i].name);
    }
    fprintf(f, "<text x='%d' y='37' class='pu' text-anchor='end'>", w);
    bench_html_esc(f, b->env.date);
    fprintf(f, " &#183; ");
    bench_html_esc(f, b->env.kernel);
    fprintf(f, " &#183; %u cores &#183; %s mode &#183; %.0f s</text>\n", b->env.cores, b->drv->name,
            b->wall);
}

int bench_svg_write(const struct bench *b, const char *path, struct oci_err *err)
{
    _cleanup_free_ char *tmp = NULL;
    xasprintf(&tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "we");
    if (!f)
        return err_set(err, errno, "--svg %s", path);
    int ph = TOP + (int)b->nrts * ROW + 22, gap = 14, head = 50;
    int w = 2 * W + 20, rows = (int)(b->nmetrics + 1) / 2;
    int h = head + rows * (ph + gap);
    fprintf(f,
            "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 %d %d' width='%d' "
            "height='%d'>\n<style>%s</style>\n<rect width='100%%' height='100%%' fill='#fff'/>\n",
            w, h, w, h, bench_svg_css);
    svg_header(f, b, w);
    for (size_t k = 0; k < b->nmetrics; k++) {
        fprintf(f, "<g transform='translate(%d,%d)'>\n", (int)(k % 2) * (W + 20),
                head + (int)(k / 2) * (ph + gap));
        bench_svg_bars(f, b, &b->metrics[k]);
        fprintf(f, "</g>\n");
    }
    fprintf(f, "</svg>\n");
    if (fclose(f) != 0 || rename(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        return err_set(err, e, "--svg %s", path);
    }
    return 0;
}
