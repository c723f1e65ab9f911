#include "specs/trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

static yajl_val field(yajl_val o, const char *k)
{
    const char *path[] = {k, NULL};
    return yajl_tree_get(o, path, yajl_t_any);
}

/* A copy of a string member (NULL when absent); *oom when the copy failed. */
static char *str_field(yajl_val o, const char *k, bool *oom)
{
    yajl_val v = field(o, k);
    char *s = v && YAJL_IS_STRING(v) ? strdup(v->u.string) : NULL;
    *oom |= v && YAJL_IS_STRING(v) && !s;
    return s;
}

static uint64_t u64_field(yajl_val o, const char *k)
{
    yajl_val v = field(o, k);
    return v && YAJL_IS_NUMBER(v) ? strtoull(YAJL_GET_NUMBER(v), NULL, 10) : 0;
}

int spec_span_parse(const char *line, size_t len, struct spec_span *out, char **errmsg)
{
    char ebuf[256];
    char *copy = strndup(line, len);
    if (!copy) {
        if (errmsg)
            *errmsg = strdup("out of memory");
        return -1;
    }
    yajl_val o = yajl_tree_parse(copy, ebuf, sizeof(ebuf));
    free(copy);
    memset(out, 0, sizeof(*out));
    if (!o || !YAJL_IS_OBJECT(o)) {
        if (errmsg) {
            for (char *p = ebuf; *p; p++)
                if (*p == '\n')
                    *p = ' ';
            if (asprintf(errmsg, "%s", o ? "not a JSON object" : ebuf) < 0)
                *errmsg = NULL;
        }
        yajl_tree_free(o);
        return -1;
    }
    bool oom = false;
    out->id = str_field(o, "id", &oom);
    out->op = str_field(o, "op", &oom);
    out->cmd = str_field(o, "cmd", &oom);
    out->proc = str_field(o, "proc", &oom);
    out->name = str_field(o, "name", &oom);
    out->pid = (int)u64_field(o, "pid");
    out->ts = u64_field(o, "ts");
    out->mono = u64_field(o, "mono");
    out->dur = u64_field(o, "dur");
    out->depth = (unsigned)u64_field(o, "depth");
    yajl_val v = field(o, "instant");
    out->instant = v && YAJL_IS_TRUE(v);
    v = field(o, "failed");
    out->failed = v && YAJL_IS_TRUE(v);
    yajl_tree_free(o);
    if (oom || !out->id || !out->op || !out->proc || !out->name || !out->cmd) {
        free(out->cmd);
        free(out->id);
        free(out->op);
        free(out->proc);
        free(out->name);
        memset(out, 0, sizeof(*out));
        if (errmsg &&
            asprintf(errmsg, "%s",
                     oom ? "out of memory" : "a span needs id, op, cmd, proc and name") < 0)
            *errmsg = NULL;
        return -1;
    }
    return 0;
}

int spec_spans_load(const char *path, struct spec_spans *out, char **errmsg)
{
    memset(out, 0, sizeof(*out));
    FILE *f = fopen(path, "re");
    if (!f) {
        if (errmsg && asprintf(errmsg, "%s: %s", path, strerror(errno)) < 0)
            *errmsg = NULL;
        return -1;
    }
    char *line = NULL;
    size_t cap = 0, alloc = 0;
    ssize_t n;
    int lineno = 0, rc = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (n <= 1)
            continue;
        if (out->n == alloc) {
            alloc = alloc ? alloc * 2 : 256;
            struct spec_span *p = realloc(out->items, alloc * sizeof(*p));
            if (!p) {
                if (errmsg && asprintf(errmsg, "%s: out of memory", path) < 0)
                    *errmsg = NULL;
                rc = -1;
                break;
            }
            out->items = p;
        }
        char *msg = NULL;
        if (spec_span_parse(line, (size_t)n, &out->items[out->n], &msg) < 0) {
            if (errmsg && asprintf(errmsg, "%s: line %d: %s", path, lineno, msg ? msg : "?") < 0)
                *errmsg = NULL;
            free(msg);
            rc = -1;
            break;
        }
        out->n++;
    }
    free(line);
    fclose(f);
    if (rc < 0)
        spec_spans_free(out);
    return rc;
}

void spec_spans_free(struct spec_spans *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->items[i].id);
        free(s->items[i].op);
        free(s->items[i].cmd);
        free(s->items[i].proc);
        free(s->items[i].name);
    }
    free(s->items);
    memset(s, 0, sizeof(*s));
}
