/* The outputs of `oci-rt trace` and `oci-rt profile` (trace_format.h). */
#include "config.h"
#include "trace_format.h"

#include "specs/json_gen.h"

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

static void gen_span(struct json_gen *j, const struct spec_span *sp)
{
    json_gen_map_open(j);
    json_gen_kv_str(j, "id", sp->id);
    json_gen_kv_str(j, "op", sp->op);
    json_gen_kv_str(j, "cmd", sp->cmd);
    json_gen_kv_str(j, "proc", sp->proc);
    json_gen_kv_int(j, "pid", sp->pid);
    json_gen_kv_str(j, "name", sp->name);
    json_gen_kv_uint(j, "ts", sp->ts);
    if (sp->mono)
        json_gen_kv_uint(j, "mono", sp->mono);
    json_gen_kv_uint(j, "dur", sp->dur);
    json_gen_kv_uint(j, "depth", sp->depth);
    json_gen_kv_bool(j, "instant", sp->instant);
    json_gen_kv_bool(j, "failed", sp->failed);
    json_gen_map_close(j);
}

int trace_format_json(FILE *f, const struct spec_spans *s, char **errmsg)
{
    for (size_t i = 0; i < s->n; i++) {
        struct json_gen j;
        json_gen_init(&j, NULL, f, JSON_GEN_NEWLINE);
        gen_span(&j, &s->items[i]);
        if (json_gen_finish_file(&j, errmsg) < 0)
            return -1;
    }
    if (errmsg)
        *errmsg = NULL;
    return 0;
}

/* A metadata event: the name of a "process" (tid 0) or a "thread". */
static void chrome_meta(struct json_gen *j, const char *what, size_t pid, int tid, const char *name)
{
    json_gen_map_open(j);
    json_gen_kv_str(j, "ph", "M");
    json_gen_kv_str(j, "name", what);
    json_gen_kv_uint(j, "pid", pid);
    json_gen_kv_int(j, "tid", tid);
    json_gen_key(j, "args");
    json_gen_map_open(j);
    json_gen_kv_str(j, "name", name);
    json_gen_map_close(j);
    json_gen_map_close(j);
}

/* A span: a complete event ("X"), or an instant one ("i") of thread scope;
 * times in microseconds from t0. */
static void chrome_span(struct json_gen *j, const struct spec_span *sp, size_t pid, uint64_t t0)
{
    json_gen_map_open(j);
    json_gen_kv_str(j, "ph", sp->instant ? "i" : "X");
    json_gen_kv_uint(j, "pid", pid);
    json_gen_kv_int(j, "tid", sp->pid);
    json_gen_key(j, "ts");
    json_gen_fixed(j, (double)(sp->ts - t0) / 1e3, 3);
    if (sp->instant) {
        json_gen_kv_str(j, "s", "t");
    } else {
        json_gen_key(j, "dur");
        json_gen_fixed(j, (double)sp->dur / 1e3, 3);
    }
    json_gen_kv_str(j, "cat", sp->op);
    json_gen_kv_str(j, "name", sp->name);
    json_gen_key(j, "args");
    json_gen_map_open(j);
    json_gen_kv_bool(j, "failed", sp->failed);
    json_gen_map_close(j);
    json_gen_map_close(j);
}

/* Chrome Trace Event format: one "process" per container, one "thread"
 * per process of oci-rt (runtime of each command, stage, init). */
int trace_format_chrome(FILE *f, const struct spec_spans *s, char **errmsg)
{
    uint64_t t0 = s->n ? s->items[0].ts : 0;
    const char **ids = calloc(s->n + 1, sizeof(char *));
    if (!ids) {
        if (errmsg)
            *errmsg = strdup("out of memory");
        return -1;
    }
    size_t nids = 0;
    struct json_gen j;
    json_gen_init(&j, NULL, f, JSON_GEN_NEWLINE);
    json_gen_map_open(&j);
    json_gen_kv_str(&j, "displayTimeUnit", "ms");
    json_gen_key(&j, "traceEvents");
    json_gen_array_open(&j);
    for (size_t i = 0; i < s->n; i++) {
        const struct spec_span *sp = &s->items[i];
        size_t k;
        for (k = 0; k < nids && strcmp(ids[k], sp->id) != 0; k++)
            ;
        if (k == nids) {
            ids[nids++] = sp->id;
            chrome_meta(&j, "process_name", k + 1, 0, sp->id);
        }
        bool seen = false;
        for (size_t m = 0; m < i && !seen; m++)
            seen = s->items[m].pid == sp->pid && !strcmp(s->items[m].cmd, sp->cmd);
        if (!seen) {
            char tname[96];
            snprintf(tname, sizeof(tname), "%s: %s %d", sp->op, sp->proc, sp->pid);
            chrome_meta(&j, "thread_name", k + 1, sp->pid, tname);
        }
        chrome_span(&j, sp, k + 1, t0);
    }
    json_gen_array_close(&j);
    json_gen_map_close(&j);
    free(ids);
    return json_gen_finish_file(&j, errmsg);
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
