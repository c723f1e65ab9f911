#include "config.h"
#include "trace_format.h"

#include "specs/jsonout.h"

#include <stdlib.h>
#include <string.h>

static int by_start(const void *a, const void *b)
{
    const struct spec_span *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return (int)x->depth - (int)y->depth;
}

void trace_filter_sort(struct spec_spans *s, const char *id)
{
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (id && strcmp(s->items[i].id, id) != 0) {
            free(s->items[i].id);
            free(s->items[i].op);
            free(s->items[i].cmd);
            free(s->items[i].proc);
            free(s->items[i].name);
            continue;
        }
        s->items[k++] = s->items[i];
    }
    s->n = k;
    qsort(s->items, s->n, sizeof(*s->items), by_start);
}

/* ---- invocations: the spans of one command ---- */

struct inv {
    const char *cmd, *id, *op;
    int pid;             /* the runtime process */
    uint64_t start, end; /* over the runtime process's top-level spans */
    uint64_t covered;    /* union of those spans */
    bool failed;
};

static size_t collect_invs(const struct spec_spans *s, struct inv **out)
{
    struct inv *v = NULL;
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        const struct spec_span *sp = &s->items[i];
        size_t k;
        for (k = 0; k < n && strcmp(v[k].cmd, sp->cmd) != 0; k++)
            ;
        if (k == n) {
            v = realloc(v, (n + 1) * sizeof(*v));
            if (!v)
                abort();
            v[n] = (struct inv){sp->cmd, sp->id, sp->op, 0, UINT64_MAX, 0, 0, false};
            n++;
        }
        if (sp->failed)
            v[k].failed = true;
        if (strcmp(sp->proc, "runtime") || sp->depth != 0)
            continue;
        v[k].pid = sp->pid;
        if (sp->ts < v[k].start)
            v[k].start = sp->ts;
        /* spans are sorted by start: the union grows at the end only */
        uint64_t end = sp->ts + sp->dur;
        if (end > v[k].end) {
            v[k].covered += end - (sp->ts > v[k].end ? sp->ts : v[k].end);
            v[k].end = end;
        }
    }
    *out = v;
    return n;
}

static void bar(FILE *f, uint64_t off, uint64_t dur, uint64_t total)
{
    const int width = 40;
    int a = total ? (int)(off * width / total) : 0;
    int b = total ? (int)((off + dur) * width / total) : 0;
    if (b <= a)
        b = a + 1;
    if (b > width)
        b = width;
    fputc('|', f);
    for (int i = 0; i < width; i++)
        fputc(i < a ? ' ' : i < b ? '#' : ' ', f);
    fputc('|', f);
}

static void table_inv(FILE *f, const struct spec_spans *s, const struct inv *v, uint64_t t0)
{
    uint64_t total = v->end > v->start ? v->end - v->start : 0;
    fprintf(f, "\n%s %s  at +%.3f ms  wall %.3f ms  traced %.1f%%  untraced %.3f ms%s\n", v->op,
            v->id, (double)(v->start - t0) / 1e6, (double)total / 1e6,
            total ? 100.0 * (double)v->covered / (double)total : 100.0,
            (double)(total - v->covered) / 1e6, v->failed ? "  FAILED" : "");
    int pw = 14; /* the process column: as wide as its widest "name pid" */
    for (size_t i = 0; i < s->n; i++) {
        char proc[64];
        if (!strcmp(s->items[i].cmd, v->cmd)) {
            int w = snprintf(proc, sizeof(proc), "%s %d", s->items[i].proc, s->items[i].pid);
            pw = w > pw ? (w < 32 ? w : 32) : pw;
        }
    }
    fprintf(f, "  %-46s %-*s %9s %9s\n", "phase", pw, "process", "start", "ms");
    uint64_t cursor = v->start; /* end of the runtime's coverage so far */
    for (size_t i = 0; i < s->n; i++) {
        const struct spec_span *sp = &s->items[i];
        if (strcmp(sp->cmd, v->cmd) != 0)
            continue;
        bool top = !strcmp(sp->proc, "runtime") && sp->depth == 0;
        if (top && sp->ts > cursor && sp->ts - cursor > total / 100 && sp->ts - cursor > 20000) {
            fprintf(f, "  %-46s %-*s %9.3f %9.3f ", "(untraced)", pw, "runtime",
                    (double)(cursor - v->start) / 1e6, (double)(sp->ts - cursor) / 1e6);
            bar(f, cursor - v->start, sp->ts - cursor, total);
            fputc('\n', f);
        }
        if (top && sp->ts + sp->dur > cursor)
            cursor = sp->ts + sp->dur;
        char name[128], proc[64];
        snprintf(name, sizeof(name), "%*s%s%s", (int)sp->depth * 2, "", sp->name,
                 sp->failed ? " (failed)" : "");
        snprintf(proc, sizeof(proc), "%s %d", sp->proc, sp->pid);
        uint64_t off = sp->ts > v->start ? sp->ts - v->start : 0;
        fprintf(f, "  %-46.46s %-*s %9.3f %9.3f ", name, pw, proc, (double)off / 1e6,
                (double)sp->dur / 1e6);
        bar(f, off, sp->dur, total ? total : 1);
        fputc('\n', f);
    }
}

void trace_format_table(FILE *f, const struct spec_spans *s)
{
    struct inv *v;
    size_t n = collect_invs(s, &v);
    const char *cur = NULL;
    uint64_t t0 = 0;
    for (size_t k = 0; k < n; k++) {
        if (!cur || strcmp(cur, v[k].id) != 0) {
            cur = v[k].id;
            t0 = v[k].start;
            fprintf(f, "%scontainer %s\n", k ? "\n" : "", cur);
        }
        table_inv(f, s, &v[k], t0);
    }
    free(v);
}

void trace_format_json(FILE *f, const struct spec_spans *s)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct spec_span *sp = &s->items[i];
        fputs("{\"id\":", f);
        spec_json_fputs(f, sp->id);
        fputs(",\"op\":", f);
        spec_json_fputs(f, sp->op);
        fputs(",\"cmd\":", f);
        spec_json_fputs(f, sp->cmd);
        fputs(",\"proc\":", f);
        spec_json_fputs(f, sp->proc);
        fprintf(f, ",\"pid\":%d,\"name\":", sp->pid);
        spec_json_fputs(f, sp->name);
        fprintf(f, ",\"ts\":%llu,", (unsigned long long)sp->ts);
        if (sp->mono)
            fprintf(f, "\"mono\":%llu,", (unsigned long long)sp->mono);
        fprintf(f, "\"dur\":%llu,\"depth\":%u,\"instant\":%s,\"failed\":%s}\n",
                (unsigned long long)sp->dur, sp->depth, sp->instant ? "true" : "false",
                sp->failed ? "true" : "false");
    }
}

/* Chrome Trace Event format: one "process" per container, one "thread"
 * per process of oci-rt (runtime of each command, stage, init). */
void trace_format_chrome(FILE *f, const struct spec_spans *s)
{
    uint64_t t0 = s->n ? s->items[0].ts : 0;
    const char **ids = calloc(s->n + 1, sizeof(char *));
    size_t nids = 0;
    fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n", f);
    bool first = true;
    for (size_t i = 0; i < s->n; i++) {
        const struct spec_span *sp = &s->items[i];
        size_t k;
        for (k = 0; k < nids && strcmp(ids[k], sp->id) != 0; k++)
            ;
        if (k == nids) {
            ids[nids++] = sp->id;
            fprintf(f,
                    "%s{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%zu,\"tid\":0,"
                    "\"args\":{\"name\":",
                    first ? "" : ",\n", k + 1);
            spec_json_fputs(f, sp->id);
            fputs("}}", f);
            first = false;
        }
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = s->items[j].pid == sp->pid && !strcmp(s->items[j].cmd, sp->cmd);
        if (!seen) {
            char tname[96];
            snprintf(tname, sizeof(tname), "%s: %s %d", sp->op, sp->proc, sp->pid);
            fprintf(f,
                    ",\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%zu,\"tid\":%d,"
                    "\"args\":{\"name\":",
                    k + 1, sp->pid);
            spec_json_fputs(f, tname);
            fputs("}}", f);
        }
        fprintf(f, ",\n{\"ph\":\"%s\",\"pid\":%zu,\"tid\":%d,\"ts\":%.3f,", sp->instant ? "i" : "X",
                k + 1, sp->pid, (double)(sp->ts - t0) / 1e3);
        if (sp->instant)
            fputs("\"s\":\"t\",", f);
        else
            fprintf(f, "\"dur\":%.3f,", (double)sp->dur / 1e3);
        fputs("\"cat\":", f);
        spec_json_fputs(f, sp->op);
        fputs(",\"name\":", f);
        spec_json_fputs(f, sp->name);
        fprintf(f, ",\"args\":{\"failed\":%s}}", sp->failed ? "true" : "false");
    }
    fputs("\n]}\n", f);
    free(ids);
}

/* ---- summary ---- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double nearest_rank(const uint64_t *v, size_t n, double p)
{
    size_t r = (size_t)(p * (double)n + 0.999999);
    if (r < 1)
        r = 1;
    if (r > n)
        r = n;
    return (double)v[r - 1] / 1e6;
}

static void summary_row(FILE *f, const char *op, const char *name, uint64_t *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_u64);
    fprintf(f, "  %-8s %-44.44s %6zu %9.3f %9.3f %9.3f\n", op, name, n, nearest_rank(v, n, 0.5),
            nearest_rank(v, n, 0.99), (double)v[n - 1] / 1e6);
}

void trace_format_summary(FILE *f, const struct spec_spans *s)
{
    struct inv *inv;
    size_t ninv = collect_invs(s, &inv);
    size_t nids = 0;
    for (size_t k = 0; k < ninv; k++) {
        bool seen = false;
        for (size_t j = 0; j < k && !seen; j++)
            seen = !strcmp(inv[j].id, inv[k].id);
        nids += !seen;
    }
    fprintf(f, "%zu containers, %zu commands; times in ms, p99 by nearest rank\n", nids, ninv);
    fprintf(f, "  %-8s %-44s %6s %9s %9s %9s\n", "op", "phase", "count", "p50", "p99", "max");
    uint64_t *v = malloc((s->n + ninv + 1) * sizeof(uint64_t));
    bool *done = calloc(s->n + 1, sizeof(bool));
    /* whole commands first, by op */
    for (size_t k = 0; k < ninv; k++) {
        size_t n = 0;
        bool again = false;
        for (size_t j = 0; j < k && !again; j++)
            again = !strcmp(inv[j].op, inv[k].op);
        if (again)
            continue;
        for (size_t j = k; j < ninv; j++)
            if (!strcmp(inv[j].op, inv[k].op))
                v[n++] = inv[j].end - inv[j].start;
        summary_row(f, inv[k].op, "(whole command, wall)", v, n);
    }
    for (size_t i = 0; i < s->n; i++) {
        if (done[i] || s->items[i].instant)
            continue;
        size_t n = 0;
        for (size_t j = i; j < s->n; j++) {
            if (done[j] || strcmp(s->items[j].op, s->items[i].op) ||
                strcmp(s->items[j].name, s->items[i].name) ||
                strcmp(s->items[j].proc, s->items[i].proc))
                continue;
            done[j] = true;
            v[n++] = s->items[j].dur;
        }
        summary_row(f, s->items[i].op, s->items[i].name, v, n);
    }
    free(done);
    free(v);
    free(inv);
}
