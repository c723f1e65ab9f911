/* The rows of `oci-rt profile`: each process's life, from its fork (or its
 * exec, for the first process of an invocation) to its exit, cut into
 * phases by the rules (ktrace_rules.c). A phase runs from its first event
 * to the next event of another phase; a wait is exactly the call that
 * slept; time no rule names is "other"; after the final execve the process
 * is the "container process". So the rows of a process cover its life, one
 * after the other, and come out as trace spans oci-rt's formatter shows. */
#include "config.h"
#include "ktrace_model.h"
#include "ktrace_phases.h"
#include "ktrace_rules.h"
#include "ktrace_sys.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

struct row {
    char name[96];
    uint64_t start, end;
};

struct rows {
    struct row *v;
    size_t n, cap;
};

static void rows_add(struct rows *r, const char *name, uint64_t start, uint64_t end)
{
    if (end <= start)
        return;
    if (r->n && !strcmp(r->v[r->n - 1].name, name) && r->v[r->n - 1].end >= start) {
        if (end > r->v[r->n - 1].end)
            r->v[r->n - 1].end = end;
        return;
    }
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 32;
        r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
    }
    struct row *w = &r->v[r->n++];
    snprintf(w->name, sizeof(w->name), "%s", name);
    w->start = start;
    w->end = end;
}

/* The phase running now in one process. */
struct cursor {
    char name[96];
    uint64_t start;
    uint64_t wait_end; /* a wait: when its call returned (0: not a wait) */
};

/* End the running phase at ts (a wait ends at its return, then "other"). */
static void cursor_close(struct rows *r, struct cursor *c, uint64_t ts)
{
    if (!c->wait_end) {
        rows_add(r, c->name, c->start, ts);
        return;
    }
    uint64_t end = c->wait_end < ts ? c->wait_end : ts;
    rows_add(r, c->name, c->start, end);
    rows_add(r, "other", end, ts);
}

static void cursor_set(struct cursor *c, const char *name, uint64_t start, uint64_t wait_end)
{
    snprintf(c->name, sizeof(c->name), "%s", name);
    c->start = start;
    c->wait_end = wait_end;
}

/* Prep events take the name of the phase event that follows them, when
 * nothing but bookkeeping and other preps comes between. */
static void resolve_preps(struct kt_verdict *v, size_t n)
{
    const char *next = NULL;
    for (size_t i = n; i-- > 0;) {
        if (v[i].cls == KC_PHASE)
            next = v[i].name;
        else if (v[i].cls == KC_PREP) {
            v[i].cls = next ? KC_PHASE : KC_OTHER;
            snprintf(v[i].name, sizeof(v[i].name), "%s", next ? next : "other");
        } else if (v[i].cls != KC_NEUTRAL)
            next = NULL;
    }
}

/* Where the rows of p begin: its fork, or for the first process of an
 * invocation the execve of the command (what came before is the profiler's
 * own child getting ready). */
static uint64_t life_start(const struct kt_model *m, const struct kt_process *p)
{
    if (p->root != p->pid)
        return p->start;
    for (size_t k = 0; k < p->n_ev; k++) {
        const struct kt_event *e = &m->ev[p->ev[k]];
        if ((e->type == KT_SYSCALL && e->sc->kind == KS_EXEC) || e->type == KT_EXEC)
            return e->ts;
    }
    return p->start;
}

static void process_rows(const struct kt_model *m, const struct kt_process *p, struct rows *r)
{
    struct kt_verdict *v = xzalloc((p->n_ev ? p->n_ev : 1) * sizeof(*v));
    for (size_t k = 0; k < p->n_ev; k++)
        kt_classify(m, p, &m->ev[p->ev[k]], &v[k]);
    resolve_preps(v, p->n_ev);
    uint64_t t0 = life_start(m, p), t1 = p->end > t0 ? p->end : t0;
    struct cursor c;
    cursor_set(&c, p->root == p->pid ? "exec and dynamic loading" : "other", t0, 0);
    bool done = false;
    uint64_t last = t0; /* the end of the last call seen */
    for (size_t k = 0; k < p->n_ev && !done; k++) {
        const struct kt_event *e = &m->ev[p->ev[k]];
        if (e->ts >= t0 && e->end > last)
            last = e->end;
        if (e->ts < t0 || v[k].cls == KC_NEUTRAL)
            continue;
        if (v[k].cls == KC_FINAL) {
            cursor_close(r, &c, e->ts);
            rows_add(r, v[k].name, e->ts, e->end < t1 ? e->end : t1);
            rows_add(r, "container process", e->end, t1);
            done = true;
        } else if (v[k].cls == KC_WAIT) {
            if (c.wait_end && !strcmp(c.name, v[k].name)) { /* the same wait again */
                c.wait_end = e->end > c.wait_end ? e->end : c.wait_end;
                continue;
            }
            cursor_close(r, &c, e->ts);
            cursor_set(&c, v[k].name, e->ts, e->end > e->ts ? e->end : e->ts + 1);
        } else {
            if (!c.wait_end && !strcmp(c.name, v[k].name))
                continue;
            cursor_close(r, &c, e->ts);
            cursor_set(&c, v[k].name, e->ts, 0);
        }
    }
    /* after its last call the process did nothing the kernel reported to
     * us (computing, or waiting in a call not recorded): "other" */
    if (!done && !c.wait_end && last > c.start && last < t1)
        c.wait_end = last;
    if (!done)
        cursor_close(r, &c, t1);
    free(v);
}

/* ---- spans ---- */

static const char *proc_name(const struct kt_model *m, const struct kt_process *p, char *buf,
                             size_t len)
{
    if (p->root == p->pid)
        return "runtime";
    const struct kt_process *root = kt_model_proc(m, p->root);
    if (root && strcmp(root->comm, p->comm) && p->comm[0])
        snprintf(buf, len, "%s", p->comm);
    else
        snprintf(buf, len, "%s", p->final_exec || p->rootfs ? "init" : "child");
    return buf;
}

static void add_span(struct spec_spans *out, size_t *cap, const struct spec_span *sp)
{
    if (out->n == *cap) {
        *cap = *cap ? *cap * 2 : 256;
        out->items = xrealloc(out->items, *cap * sizeof(*out->items));
    }
    out->items[out->n++] = *sp;
}

static void emit_process(const struct kt_model *m, const struct kt_process *p,
                         struct spec_spans *out, size_t *cap)
{
    const struct kt_invocation *inv = kt_model_inv(m, p->root);
    const struct kt_process *root = kt_model_proc(m, p->root);
    struct rows r = {0};
    process_rows(m, p, &r);
    char pbuf[KT_COMM_LEN + 8], cmd[64];
    const char *pname = proc_name(m, p, pbuf, sizeof(pbuf));
    uint64_t root_start = root ? life_start(m, root) : p->start;
    snprintf(cmd, sizeof(cmd), "%d@%llu", p->root,
             (unsigned long long)(m->real0 + (root_start - m->mono0)));
    for (size_t i = 0; i < r.n; i++) {
        struct spec_span sp = {
            .id = xstrdup(inv ? inv->id : "-"),
            .op = xstrdup(inv ? inv->op : "?"),
            .cmd = xstrdup(cmd),
            .proc = xstrdup(pname),
            .pid = p->pid,
            .name = xstrdup(r.v[i].name),
            .ts = m->real0 + (r.v[i].start - m->mono0),
            .mono = r.v[i].start,
            .dur = r.v[i].end - r.v[i].start,
        };
        add_span(out, cap, &sp);
    }
    free(r.v);
}

void kt_spans(const struct kt_model *m, struct spec_spans *out)
{
    size_t cap = 0;
    *out = (struct spec_spans){0};
    for (size_t i = 0; i < m->n_proc; i++)
        emit_process(m, &m->proc[i], out, &cap);
}

static const char *cwd_of(const void *ctx, pid_t root)
{
    return ktrace_root_cwd(ctx, root);
}

void ktrace_spans(const struct ktrace *t, const struct ktrace_end *end, struct spec_spans *out)
{
    struct kt_source src = {.end_ns = end->end_ns, .root_cwd = cwd_of, .ctx = t};
    src.rec = ktrace_records(t, &src.len);
    ktrace_anchor(t, &src.mono0, &src.real0);
    struct kt_model m;
    kt_model_build(&src, &m);
    kt_spans(&m, out);
    kt_model_free(&m);
}

void ktrace_sysconf(uint32_t *sc, size_t n)
{
    kt_sys_conf(sc, n);
}
