/* --html FILE: one self-contained page (inline CSS and SVG, no script, no
 * external resource) with the sections: summary table, bar chart (p50 and
 * max of every figure and runtime), box plots of the lifecycle steps, the
 * phase waterfall of oci-rt, with --phases every runtime's profile phases
 * side by side (profile_report.c), the environment and the notes. */
#include "config.h"
#include "bench/bench.h"
#include "bench/svg.h"
#include "libcontainer/util.h"

#include <stdio.h>
#include <string.h>

static const char css[] =
    "body{font:14px/1.45 'DejaVu Sans',sans-serif;color:#1a202c;margin:24px auto;max-width:1180px;"
    "padding:0 16px}h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;"
    "border-bottom:1px solid #cbd5e0;padding-bottom:3px}.sub{color:#4a5568;margin:0}"
    ".warn{background:#fff5f5;border:1px solid #feb2b2;padding:6px 10px;margin:10px 0}"
    "table{border-collapse:collapse;font-size:13px}td,th{padding:3px 9px;border-bottom:1px solid "
    "#e2e8f0;text-align:right;white-space:nowrap}th{background:#f7fafc}td.l,th.l{text-align:left}"
    ".grid2{display:flex;flex-wrap:wrap;gap:10px 18px}"
    "dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px}"
    "dt{color:#4a5568}dd{margin:0}code{font-size:12px}.legend span{display:inline-block;"
    "margin-right:14px}.sw{display:inline-block;width:12px;height:12px;margin-right:4px;"
    "vertical-align:-1px}";

static void legend(FILE *f, const struct bench *b)
{
    fprintf(f, "<p class='legend'>");
    for (size_t i = 0; i < b->nrts; i++) {
        fprintf(f, "<span><i class='sw' style='background:%s'></i>", bench_rt_color(i));
        bench_html_esc(f, b->rts[i].name);
        fprintf(f, "</span>");
    }
    fprintf(f, "</p>\n");
}

static void summary_cell(FILE *f, const struct bench *b, const struct bench_metric *m, size_t i,
                         long base)
{
    struct bench_stats s, bs;
    if (!bench_stats_of(&m->rt[i], &s)) {
        fprintf(f, "<td>%s</td><td></td><td></td>", b->rts[i].wl_error[m->wl] ? "failed" : "-");
        return;
    }
    char p50[32], max[32];
    bench_fmt_num(p50, sizeof(p50), s.p50);
    bench_fmt_num(max, sizeof(max), s.max);
    fprintf(f, "<td>%s</td><td>%s</td>", p50, max);
    if (base >= 0 && bench_stats_of(&m->rt[base], &bs) && bs.p50 > 0 && s.p50 > 0)
        fprintf(f, "<td>%.2f&#215;</td>", s.p50 / bs.p50);
    else
        fprintf(f, "<td></td>");
}

static void section_summary(FILE *f, const struct bench *b)
{
    long base = bench_baseline(b);
    fprintf(f, "<section id='summary'><h2>Results</h2>\n<table><tr><th class='l'>workload</th>"
               "<th class='l'>figure</th><th class='l'>unit</th>");
    for (size_t i = 0; i < b->nrts; i++) {
        fprintf(f, "<th colspan='3' style='text-align:center'>");
        bench_html_esc(f, b->rts[i].name);
        fprintf(f, "</th>");
    }
    fprintf(f, "</tr>\n<tr><th></th><th></th><th></th>");
    for (size_t i = 0; i < b->nrts; i++)
        fprintf(f, "<th>p50</th><th>max</th><th>&#247;%s</th>",
                base >= 0 ? b->rts[base].name : "-");
    fprintf(f, "</tr>\n");
    for (size_t k = 0; k < b->nmetrics; k++) {
        const struct bench_metric *m = &b->metrics[k];
        fprintf(f, "<tr><td class='l'>%s</td><td class='l' title='", bench_wl_names[m->wl]);
        bench_html_esc(f, m->what);
        fprintf(f, "'>%s</td><td class='l'>%s%s</td>", m->name, m->unit,
                m->higher_better ? " &#8593;" : "");
        for (size_t i = 0; i < b->nrts; i++)
            summary_cell(f, b, m, i, base);
        fprintf(f, "</tr>\n");
    }
    fprintf(f, "</table>\n<p class='sub'>p50 and max over the timed rounds (nearest rank); "
               "&#247; is p50 divided by the baseline's p50; &#8593; marks figures where higher "
               "is better. The JSON file has n, mean, sd, min, p90 and p99 too.</p></section>\n");
}

static void section_chart(FILE *f, const struct bench *b)
{
    fprintf(f, "<section id='chart'><h2>p50 and max per workload and runtime</h2>\n");
    legend(f, b);
    fprintf(f, "<p class='sub'>Solid bar: p50. Light bar: max. Black tick: min (the worst "
               "round where higher is better).</p>\n<div class='grid2'>\n");
    for (size_t k = 0; k < b->nmetrics; k++)
        bench_svg_bars(f, b, &b->metrics[k]);
    fprintf(f, "</div></section>\n");
}

static void section_lifecycle(FILE *f, const struct bench *b)
{
    fprintf(f, "<section id='lifecycle'><h2>Lifecycle steps: distribution</h2>\n");
    if (!b->o.wl[BENCH_WL_LIFECYCLE]) {
        fprintf(f, "<p>The lifecycle workload was not run.</p></section>\n");
        return;
    }
    fprintf(f, "<p class='sub'>Box: p25 to p75, thick line: p50, whiskers: min to max.</p>\n"
               "<div class='grid2'>\n");
    for (size_t k = 0; k < b->nmetrics; k++)
        if (b->metrics[k].wl == BENCH_WL_LIFECYCLE)
            bench_svg_boxes(f, b, &b->metrics[k]);
    fprintf(f, "</div></section>\n");
}

static void phase_table(FILE *f, const struct bench_runtime *rt)
{
    fprintf(f, "<details><summary>every phase of every step (p50 / max ms)</summary><table>"
               "<tr><th class='l'>step</th><th class='l'>phase</th><th class='l'>process</th>"
               "<th>p50</th><th>max</th><th>n</th></tr>\n");
    for (size_t i = 0; i < rt->phases.n; i++) {
        const struct bench_phase *p = &rt->phases.items[i];
        struct bench_stats s;
        char p50[32], max[32];
        if (!bench_stats_of(&p->dur, &s))
            continue;
        bench_fmt_num(p50, sizeof(p50), s.p50);
        bench_fmt_num(max, sizeof(max), s.max);
        fprintf(f, "<tr><td class='l'>%s</td><td class='l'>%s", p->op,
                p->depth ? "&#160;&#160;" : "");
        bench_html_esc(f, p->name);
        fprintf(f, "</td><td class='l'>%s</td><td>%s</td><td>%s</td><td>%zu</td></tr>\n", p->proc,
                p50, max, s.n);
    }
    fprintf(f, "</table></details>\n");
}

static void section_waterfall(FILE *f, const struct bench *b)
{
    static const char *const ops[] = {"run", "create", "start", "delete", "kill"};
    fprintf(f, "<section id='waterfall'><h2>oci-rt's phases</h2>\n");
    bool any = false;
    for (size_t i = 0; i < b->nrts; i++) {
        const struct bench_runtime *rt = &b->rts[i];
        if (!rt->phases.n)
            continue;
        any = true;
        fprintf(f,
                "<p class='sub'>From %s's own <code>--%s</code> spans over the timed lifecycle "
                "rounds (depth 0, and depth 1 indented).</p>\n",
                rt->name, rt->phases.source);
        for (size_t k = 0; k < ARRAY_SIZE(ops); k++)
            if (bench_svg_waterfall(f, rt, ops[k]))
                break; /* the first step that has phases, the whole run first */
        phase_table(f, rt);
    }
    if (!any)
        fprintf(f, "<p>No phases: oci-rt was not measured, not traced (--no-trace), or the run "
                   "went through an engine.</p>\n");
    fprintf(f, "</section>\n");
}

static void dl_item(FILE *f, const char *k, const char *v)
{
    fprintf(f, "<dt>%s</dt><dd>", k);
    bench_html_esc(f, v);
    fprintf(f, "</dd>\n");
}

static void sizes_item(FILE *f, const struct bench *b)
{
    const struct bench_sizes *z = &b->o.sz;
    char buf[512], mb[16], mt[16], fs[16], fb[16];
    bench_size_arg(z->mem_block, mb, sizeof(mb));
    bench_size_arg(z->mem_total, mt, sizeof(mt));
    bench_size_arg(z->fio_file_size, fs, sizeof(fs));
    bench_size_arg(z->fio_block, fb, sizeof(fb));
    char per[48];
    if (z->fio_time)
        snprintf(per, sizeof(per), "%u s", z->fio_time);
    else
        snprintf(per, sizeof(per), "%u requests", z->fio_events);
    snprintf(buf, sizeof(buf),
             "cpu: %u events, primes up to %u; memory: %s in %s blocks; fileio: %u files of %s, "
             "%s blocks, %s per mode; syscall: %g s; network: %u s; density: %u containers",
             z->cpu_events, z->cpu_max_prime, mt, mb, z->fio_files, fs, fb, per, z->syscall_time,
             z->net_time, z->containers);
    dl_item(f, "sizes", buf);
}

static void section_env(FILE *f, const struct bench *b)
{
    char buf[256];
    fprintf(f, "<section id='environment'><h2>Environment</h2><dl>\n");
    dl_item(f, "date", b->env.date);
    dl_item(f, "os", b->env.os);
    dl_item(f, "kernel", b->env.kernel);
    dl_item(f, "cgroups", b->env.cgroup);
    snprintf(buf, sizeof(buf), "%s, %u cores", b->env.cpu, b->env.cores);
    dl_item(f, "cpu", buf);
    snprintf(buf, sizeof(buf), "%.1f GiB", (double)b->env.mem_kib / (1 << 20));
    dl_item(f, "memory", buf);
    dl_item(f, "load at start", b->env.load);
    dl_item(f, "mode", b->drv->name);
    int n = snprintf(buf, sizeof(buf), "%u warm-up, then", b->o.warmup);
    for (int w = 0; w < BENCH_NWL; w++)
        if (b->o.wl[w] && n < (int)sizeof(buf))
            n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %s %u,", bench_wl_names[w],
                          b->o.rounds[w]);
    if (n < (int)sizeof(buf))
        snprintf(buf + n - 1, sizeof(buf) - (size_t)n + 1, " (interleaved, order rotated)%s",
                 b->o.quick ? "; --quick" : "");
    dl_item(f, "rounds", buf);
    sizes_item(f, b);
    snprintf(buf, sizeof(buf), "%.0f s", b->wall);
    dl_item(f, "wall time", buf);
    fprintf(f, "</dl>\n<table><tr><th class='l'>runtime</th><th class='l'>version</th>"
               "<th class='l'>command</th><th class='l'>status</th></tr>\n");
    for (size_t i = 0; i < b->nrts; i++) {
        const struct bench_runtime *rt = &b->rts[i];
        _cleanup_free_ char *cmd = bench_argv_join(rt->argv);
        fprintf(f, "<tr><td class='l'>");
        bench_html_esc(f, rt->name);
        fprintf(f, "</td><td class='l'>");
        bench_html_esc(f, rt->version ? rt->version : "?");
        fprintf(f, "</td><td class='l'><code>");
        bench_html_esc(f, cmd);
        fprintf(f, "</code></td><td class='l'>");
        bench_html_esc(f, rt->failed ? rt->error : "ok");
        fprintf(f, "</td></tr>\n");
    }
    fprintf(f, "</table></section>\n");
}

static void section_notes(FILE *f, const struct bench *b)
{
    fprintf(f, "<section id='notes'><h2>Notes</h2><ul>\n");
    fprintf(f, "<li>Absolute times depend on the machine and its load; compare runtimes only "
               "within one run.</li>\n");
    for (size_t i = 0; i < b->nnotes; i++) {
        fprintf(f, "<li>");
        bench_html_esc(f, b->notes[i]);
        fprintf(f, "</li>\n");
    }
    fprintf(f, "</ul></section>\n");
}

int bench_html_write(const struct bench *b, const char *path, struct oci_err *err)
{
    _cleanup_free_ char *tmp = NULL;
    xasprintf(&tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "we");
    if (!f)
        return err_set(err, errno, "--html %s", path);
    fprintf(f,
            "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>\n"
            "<title>oci-bench report</title>\n<style>%s%s</style></head><body>\n"
            "<h1>oci-bench: ",
            css, bench_svg_css);
    for (size_t i = 0; i < b->nrts; i++) {
        fprintf(f, "%s", i ? (i + 1 == b->nrts ? " and " : ", ") : "");
        bench_html_esc(f, b->rts[i].name);
    }
    fprintf(f, " side by side</h1>\n<p class='sub'>%s &#183; %s mode &#183; ", b->env.date,
            b->drv->name);
    bench_html_esc(f, b->env.kernel);
    fprintf(f, "</p>\n");
    if (b->interrupted)
        fprintf(f, "<p class='warn'>This run was interrupted: the report holds what was "
                   "measured until then.</p>\n");
    section_summary(f, b);
    section_chart(f, b);
    section_lifecycle(f, b);
    section_waterfall(f, b);
    bench_profile_html(f, b);
    section_env(f, b);
    section_notes(f, b);
    fprintf(f, "</body></html>\n");
    if (fclose(f) != 0 || rename(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        return err_set(err, e, "--html %s", path);
    }
    return 0;
}
