/* The document tree of a config.json or process.json, built from yajl's
 * callbacks instead of yajl_tree_parse, for memory proportional to what is
 * read rather than to what the file holds:
 *   - members whose key no OCI schema has (legal: unknown fields are to be
 *     ignored) are skipped as they are parsed, whatever their size, except
 *     in the maps whose keys are the user's (annotations, sysctl...);
 *   - every node and string lives in one arena, freed at once: no malloc
 *     header per node, no tree walk to free it.
 * The nodes are yajl's own (struct yajl_val_s), so the parser's helpers
 * read them as before. */
#include "spec_config.h"
#include "specs/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#define CHUNK (64u * 1024)

struct arena_chunk {
    struct arena_chunk *next;
    size_t used, size;
    char data[];
};

static void *arena_alloc(struct json_arena *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    struct arena_chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = n > CHUNK / 4 ? n : CHUNK;
        c = malloc(sizeof(*c) + size);
        if (!c)
            return NULL;
        c->size = size;
        c->used = 0;
        /* a big allocation gets a chunk of its own, behind the current one */
        if (n > CHUNK / 4 && a->head) {
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

void json_arena_free(struct json_arena *a)
{
    for (struct arena_chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    a->head = NULL;
}

static char *arena_strndup(struct json_arena *a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* An open object or array: its members gathered in malloc'd vectors, moved
 * into the arena at its end. */
struct frame {
    yajl_val node;
    yajl_val *values;
    const char **keys;
    size_t len, cap;
    bool user_keys; /* a map whose keys are the user's: every member kept */
    char *key;      /* the key of the member being read (objects) */
};

struct builder {
    struct json_arena *arena;
    struct frame *stack;
    size_t depth, cap;
    yajl_val root;
    unsigned skip;  /* containers open inside a skipped member */
    bool skip_next; /* the next value belongs to an unknown key */
    bool prune;
    bool oom;
};

/* The keys under which an object's own keys are free. */
static bool user_keyed(const char *key)
{
    static const char *const maps[] = {"annotations", "sysctl", "unified", "rdma", "netDevices"};
    for (size_t i = 0; key && i < JSON_ARRAY_LEN(maps); i++)
        if (!strcmp(key, maps[i]))
            return true;
    return false;
}

static int add_value(struct builder *b, yajl_val v)
{
    if (!b->depth) {
        b->root = v;
        return 1;
    }
    struct frame *f = &b->stack[b->depth - 1];
    if (f->len == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 8;
        yajl_val *values = realloc(f->values, cap * sizeof(*values));
        const char **keys = f->node->type == yajl_t_object && values
                                ? realloc(f->keys, cap * sizeof(*keys))
                                : f->keys;
        if (!values || (f->node->type == yajl_t_object && !keys)) {
            if (values)
                f->values = values;
            b->oom = true;
            return 0;
        }
        f->values = values;
        f->keys = keys;
        f->cap = cap;
    }
    if (f->node->type == yajl_t_object)
        f->keys[f->len] = f->key;
    f->values[f->len++] = v;
    f->key = NULL;
    return 1;
}

static yajl_val new_node(struct builder *b, yajl_type t)
{
    yajl_val v = arena_alloc(b->arena, sizeof(*v));
    if (!v) {
        b->oom = true;
        return NULL;
    }
    memset(v, 0, sizeof(*v));
    v->type = t;
    return v;
}

/* A scalar is coming: 0 when it is to be dropped (skipped member). */
static bool take_scalar(struct builder *b)
{
    if (b->skip)
        return false;
    if (b->skip_next) {
        b->skip_next = false;
        return false;
    }
    return true;
}

static int on_scalar(struct builder *b, yajl_type t)
{
    if (!take_scalar(b))
        return 1;
    yajl_val v = new_node(b, t);
    return v ? add_value(b, v) : 0;
}

static int cb_null(void *ctx)
{
    return on_scalar(ctx, yajl_t_null);
}

static int cb_bool(void *ctx, int val)
{
    return on_scalar(ctx, val ? yajl_t_true : yajl_t_false);
}

static int cb_number(void *ctx, const char *s, size_t n)
{
    struct builder *b = ctx;
    if (!take_scalar(b))
        return 1;
    yajl_val v = new_node(b, yajl_t_number);
    if (!v || !(v->u.number.r = arena_strndup(b->arena, s, n))) {
        b->oom = true;
        return 0;
    }
    char *end;
    errno = 0;
    v->u.number.i = strtoll(v->u.number.r, &end, 10);
    if (errno == 0 && *end == '\0')
        v->u.number.flags |= YAJL_NUMBER_INT_VALID;
    errno = 0;
    v->u.number.d = strtod(v->u.number.r, &end);
    if (errno == 0 && *end == '\0')
        v->u.number.flags |= YAJL_NUMBER_DOUBLE_VALID;
    return add_value(b, v);
}

static int cb_string(void *ctx, const unsigned char *s, size_t n)
{
    struct builder *b = ctx;
    if (!take_scalar(b))
        return 1;
    yajl_val v = new_node(b, yajl_t_string);
    if (!v || !(v->u.string = arena_strndup(b->arena, (const char *)s, n))) {
        b->oom = true;
        return 0;
    }
    return add_value(b, v);
}

static int cb_map_key(void *ctx, const unsigned char *s, size_t n)
{
    struct builder *b = ctx;
    if (b->skip)
        return 1;
    struct frame *f = &b->stack[b->depth - 1];
    char *key = arena_strndup(b->arena, (const char *)s, n);
    if (!key) {
        b->oom = true;
        return 0;
    }
    if (b->prune && !f->user_keys && !json_key_known(key)) {
        b->skip_next = true; /* a field no schema has: not read, not kept */
        return 1;
    }
    f->key = key;
    return 1;
}

static int open_container(struct builder *b, yajl_type t)
{
    if (b->skip) {
        b->skip++;
        return 1;
    }
    if (b->skip_next) {
        b->skip_next = false;
        b->skip = 1;
        return 1;
    }
    const char *key = b->depth ? b->stack[b->depth - 1].key : NULL;
    yajl_val v = new_node(b, t);
    if (!v)
        return 0;
    if (b->depth == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        struct frame *s = realloc(b->stack, cap * sizeof(*s));
        if (!s) {
            b->oom = true;
            return 0;
        }
        b->stack = s;
        b->cap = cap;
    }
    struct frame *f = &b->stack[b->depth++];
    memset(f, 0, sizeof(*f));
    f->node = v;
    f->user_keys = t == yajl_t_object && user_keyed(key);
    return 1;
}

static int close_container(struct builder *b)
{
    if (b->skip) {
        b->skip--;
        return 1;
    }
    struct frame *f = &b->stack[--b->depth];
    yajl_val v = f->node;
    size_t vn = f->len * sizeof(yajl_val), kn = f->len * sizeof(char *);
    yajl_val *values = f->len ? arena_alloc(b->arena, vn) : NULL;
    const char **keys = f->len && v->type == yajl_t_object ? arena_alloc(b->arena, kn) : NULL;
    if (f->len && (!values || (v->type == yajl_t_object && !keys))) {
        b->oom = true;
        return 0;
    }
    if (f->len)
        memcpy(values, f->values, vn);
    if (keys)
        memcpy(keys, f->keys, kn);
    free(f->values);
    free(f->keys);
    if (v->type == yajl_t_object) {
        v->u.object.keys = keys;
        v->u.object.values = values;
        v->u.object.len = f->len;
    } else {
        v->u.array.values = values;
        v->u.array.len = f->len;
    }
    return add_value(b, v);
}

static int cb_start_map(void *ctx)
{
    return open_container(ctx, yajl_t_object);
}

static int cb_start_array(void *ctx)
{
    return open_container(ctx, yajl_t_array);
}

static int cb_end(void *ctx)
{
    return close_container(ctx);
}

static const yajl_callbacks callbacks = {
    cb_null,      cb_bool,    NULL,   NULL,           cb_number, cb_string,
    cb_start_map, cb_map_key, cb_end, cb_start_array, cb_end,
};

yajl_val json_tree_parse(const char *buf, size_t len, bool prune, struct json_arena *arena,
                         char *errbuf, size_t errlen)
{
    struct builder b = {.arena = arena, .prune = prune};
    yajl_handle h = yajl_alloc(&callbacks, NULL, &b);
    if (!h) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    yajl_config(h, yajl_allow_comments, 1);
    yajl_status st = yajl_parse(h, (const unsigned char *)buf, len);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);
    if (st != yajl_status_ok) {
        if (b.oom) {
            snprintf(errbuf, errlen, "out of memory");
        } else {
            unsigned char *e = yajl_get_error(h, 1, (const unsigned char *)buf, len);
            snprintf(errbuf, errlen, "%s", e ? (const char *)e : "parse error");
            yajl_free_error(h, e);
        }
        b.root = NULL;
    }
    for (size_t i = 0; i < b.depth; i++) {
        free(b.stack[i].values);
        free(b.stack[i].keys);
    }
    free(b.stack);
    yajl_free(h);
    return b.root;
}
