/* yajl_tree helpers that carry a JSON path for error messages. */
#include "specs/json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deeper than any config.json; yajl_tree_free recurses once per level. */
#define JSON_MAX_DEPTH 256
/* Below this many keys duplicate detection compares pairs; above it sorts. */
#define JSON_SMALL_OBJ 16

/* ---- errors ---- */

const char *json_quote(char buf[JSON_QUOTE_MAX], const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;

    buf[o++] = '"';
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (o + 7 + 5 >= JSON_QUOTE_MAX) { /* room for one escape and '..."' */
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        if (c == '"' || c == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)c;
        } else if (c == '\n') {
            buf[o++] = '\\';
            buf[o++] = 'n';
        } else if (c == '\t') {
            buf[o++] = '\\';
            buf[o++] = 't';
        } else if (c < 0x20 || c == 0x7f) {
            memcpy(buf + o, "\\u00", 4);
            buf[o + 4] = hex[c >> 4];
            buf[o + 5] = hex[c & 15];
            o += 6;
        } else {
            buf[o++] = (char)c;
        }
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}

static size_t path_render(const struct json_path *p, char *buf, size_t size)
{
    char q[JSON_QUOTE_MAX];
    size_t pos;
    int n = 0;

    if (!p)
        return 0;
    pos = path_render(p->up, buf, size);
    if (pos >= size)
        return pos;
    switch (p->kind) {
    case JSON_PATH_FIELD:
        n = snprintf(buf + pos, size - pos, "%s%s", p->up ? "." : "", p->key);
        break;
    case JSON_PATH_INDEX:
        n = snprintf(buf + pos, size - pos, "[%zu]", p->index);
        break;
    case JSON_PATH_MAPKEY:
        n = snprintf(buf + pos, size - pos, "[%s]", json_quote(q, p->key));
        break;
    }
    return n < 0 ? pos : pos + (size_t)n;
}

int json_error(struct json_ctx *cx, const struct json_path *path, const char *fmt, ...)
{
    char where[1024], cause[512];
    size_t len;
    va_list ap;

    if (cx->err)
        return -1;
    where[0] = '\0';
    path_render(path, where, sizeof(where));
    va_start(ap, fmt);
    vsnprintf(cause, sizeof(cause), fmt, ap);
    va_end(ap);

    len = strlen(cx->name) + strlen(where) + strlen(cause) + 5;
    cx->err = malloc(len);
    if (!cx->err)
        return -1;
    if (where[0])
        snprintf(cx->err, len, "%s: %s: %s", cx->name, where, cause);
    else
        snprintf(cx->err, len, "%s: %s", cx->name, cause);
    /* One line, whatever the caller's name or a yajl message held. */
    for (char *c = cx->err; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = ' ';
    return -1;
}

/* ---- raw document checks ---- */

/* Past a comment starting at p ('/'), or p itself when none. */
static const char *skip_comment(const char *p, const char *end)
{
    const char *e;

    if (p[1] == '/') {
        e = memchr(p, '\n', (size_t)(end - p));
        return e ? e : end;
    }
    if (p[1] == '*') {
        for (e = p + 2; e + 1 < end; e++)
            if (e[0] == '*' && e[1] == '/')
                return e + 2;
        return end;
    }
    return p;
}

/* Past the string whose opening quote is at p; NULL when it holds "\u0000". */
static const char *skip_string(const char *p, const char *end)
{
    for (p++;;) {
        p += strcspn(p, "\"\\");
        if (p >= end)
            return end;
        if (*p == '"')
            return p + 1;
        if (p[1] == 'u' && end - p >= 6 && memcmp(p + 2, "0000", 4) == 0)
            return NULL;
        if (!p[1])
            return end;
        p += 2;
    }
}

/* One pass, jumping between the characters that matter (strcspn needs the
 * '\0' at data[len]; the NUL check before guarantees it is the only one). */
const char *json_prescan(const char *data, size_t len)
{
    const char *p = data, *end = data + len;
    size_t depth = 0;

    if (memchr(data, '\0', len))
        return "NUL byte in input";
    while ((p += strcspn(p, "\"[]{}/")) < end) {
        switch (*p) {
        case '"':
            if (!(p = skip_string(p, end)))
                return "NUL character (\\u0000) in a string";
            break;
        case '[':
        case '{':
            if (++depth > JSON_MAX_DEPTH)
                return "nesting too deep";
            p++;
            break;
        case ']':
        case '}':
            depth -= depth > 0;
            p++;
            break;
        default: { /* '/' */
            const char *e = skip_comment(p, end);
            p = e == p ? p + 1 : e;
            break;
        }
        }
    }
    return NULL;
}

/* ---- scalars ---- */

void (*json_get_hook)(const char *key);

yajl_val json_get(yajl_val obj, const char *key)
{
    size_t i = obj->u.object.len;
    if (json_get_hook)
        json_get_hook(key);

    while (i-- > 0) { /* backwards: the last duplicate wins */
        const char *k = obj->u.object.keys[i];
        if (k[0] == key[0] && strcmp(k, key) == 0) {
            yajl_val v = obj->u.object.values[i];
            return YAJL_IS_NULL(v) ? NULL : v;
        }
    }
    return NULL;
}

/* yajl keeps the number text; it is a valid JSON number, so an integer is
 * an optional '-' and digits only. */
static bool int_text(const char *r, bool *neg)
{
    *neg = *r == '-';
    r += *neg;
    if (!*r)
        return false;
    for (; *r; r++)
        if (*r < '0' || *r > '9')
            return false;
    return true;
}

static bool parse_u64(const char *r, uint64_t *out)
{
    bool neg;
    char *end;

    if (!int_text(r, &neg))
        return false;
    if (neg) { /* only "-0" */
        *out = 0;
        return strspn(r + 1, "0") == strlen(r + 1);
    }
    errno = 0;
    *out = strtoull(r, &end, 10);
    return errno == 0 && *end == '\0';
}

static bool parse_i64(const char *r, int64_t *out)
{
    bool neg;
    char *end;

    if (!int_text(r, &neg))
        return false;
    errno = 0;
    *out = strtoll(r, &end, 10);
    return errno == 0 && *end == '\0';
}

static const char *const int_names[] = {
    [JSON_I64] = "an integer",
    [JSON_U64] = "an unsigned integer",
    [JSON_I32] = "a 32-bit integer",
    [JSON_U32] = "an unsigned 32-bit integer",
    [JSON_U16] = "an unsigned 16-bit integer",
};

int json_int(struct json_ctx *cx, const struct json_path *p, yajl_val v, enum json_type t,
             void *out)
{
    const char *r = YAJL_IS_NUMBER(v) ? v->u.number.r : NULL;
    int64_t s;
    uint64_t u;

    if (!r)
        goto bad;
    switch (t) {
    case JSON_I64:
    case JSON_I32:
        if (!parse_i64(r, &s))
            goto bad;
        if (t == JSON_I64) {
            *(int64_t *)out = s;
            return 1;
        }
        if (s < INT32_MIN || s > INT32_MAX)
            goto bad;
        *(int32_t *)out = (int32_t)s;
        return 1;
    case JSON_U64:
    case JSON_U32:
    case JSON_U16:
        if (!parse_u64(r, &u))
            goto bad;
        if (t == JSON_U64)
            *(uint64_t *)out = u;
        else if (t == JSON_U32 && u <= UINT32_MAX)
            *(uint32_t *)out = (uint32_t)u;
        else if (t == JSON_U16 && u <= UINT16_MAX)
            *(uint16_t *)out = (uint16_t)u;
        else
            goto bad;
        return 1;
    default:
        break;
    }
bad:
    return json_error(cx, p, "expected %s", int_names[t]);
}

int json_strdup(struct json_ctx *cx, const struct json_path *p, yajl_val v, char **out)
{
    if (!YAJL_IS_STRING(v))
        return json_error(cx, p, "expected a string");
    *out = strdup(v->u.string);
    if (!*out)
        return json_error(cx, p, "out of memory");
    return 1;
}

int json_enum(struct json_ctx *cx, const struct json_path *p, yajl_val v, const char *const *names,
              const char *what, char **out)
{
    char q[JSON_QUOTE_MAX];

    if (!YAJL_IS_STRING(v))
        return json_error(cx, p, "expected a string");
    for (; *names; names++)
        if (strcmp(*names, v->u.string) == 0)
            return json_strdup(cx, p, v, out);
    return json_error(cx, p, "unknown %s %s", what, json_quote(q, v->u.string));
}

int json_strv(struct json_ctx *cx, const struct json_path *p, yajl_val v, const char *const *names,
              const char *what, struct spec_strv *out)
{
    size_t n;

    if (!YAJL_IS_ARRAY(v))
        return json_error(cx, p, "expected an array of strings");
    n = v->u.array.len;
    if (n == 0)
        return 1;
    out->items = calloc(n, sizeof(char *));
    if (!out->items)
        return json_error(cx, p, "out of memory");
    out->n = n;
    for (size_t i = 0; i < n; i++) {
        struct json_path ip = {.up = p, .kind = JSON_PATH_INDEX, .index = i};
        int r = names ? json_enum(cx, &ip, v->u.array.values[i], names, what, &out->items[i])
                      : json_strdup(cx, &ip, v->u.array.values[i], &out->items[i]);
        if (r < 0)
            return -1;
    }
    return 1;
}

/* ---- members ---- */

int json_field(const struct json_obj *o, const struct json_field *f, void *base)
{
    struct json_path p = JSON_PATH_FIELD_INIT(o->path, f->key);
    yajl_val v = json_get(o->v, f->key);
    char *dst = (char *)base + f->off;
    int r;

    if (!v) {
        if (f->flags & JSON_REQ)
            return json_error(o->cx, &p, "required field missing");
        return 0;
    }
    switch (f->type) {
    case JSON_STR:
        r = json_strdup(o->cx, &p, v, (char **)dst);
        break;
    case JSON_BOOL:
        if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
            return json_error(o->cx, &p, "expected a boolean");
        *(bool *)dst = YAJL_IS_TRUE(v);
        r = 1;
        break;
    case JSON_ENUM:
        r = json_enum(o->cx, &p, v, f->names, f->what, (char **)dst);
        break;
    case JSON_STRV:
    case JSON_ENUMV:
        r = json_strv(o->cx, &p, v, f->names, f->what, (struct spec_strv *)dst);
        break;
    default:
        r = json_int(o->cx, &p, v, f->type, dst);
        break;
    }
    if (r > 0 && f->has_off != JSON_NO_HAS)
        *(bool *)((char *)base + f->has_off) = true;
    return r;
}

int json_fields(const struct json_obj *o, const struct json_field *fields, size_t n, void *base)
{
    for (size_t i = 0; i < n; i++)
        if (json_field(o, &fields[i], base) < 0)
            return -1;
    return 0;
}

int json_get_obj(const struct json_obj *o, const char *key, bool required,
                 struct json_path *sub_path, struct json_obj *sub)
{
    yajl_val v = json_get(o->v, key);

    *sub_path = (struct json_path)JSON_PATH_FIELD_INIT(o->path, key);
    if (!v) {
        if (required)
            return json_error(o->cx, sub_path, "required field missing");
        return 0;
    }
    if (!YAJL_IS_OBJECT(v))
        return json_error(o->cx, sub_path, "expected an object");
    sub->cx = o->cx;
    sub->path = sub_path;
    sub->v = v;
    return 1;
}

int json_get_objarray(const struct json_obj *o, const char *key, size_t size, void **items,
                      size_t *n, json_elem_fn fn, void *ud)
{
    struct json_path p = JSON_PATH_FIELD_INIT(o->path, key);
    yajl_val v = json_get(o->v, key);
    char *arr;
    size_t len;

    *items = NULL;
    *n = 0;
    if (!v)
        return 0;
    if (!YAJL_IS_ARRAY(v))
        return json_error(o->cx, &p, "expected an array");
    len = v->u.array.len;
    if (len == 0)
        return 1;
    arr = calloc(len, size);
    if (!arr)
        return json_error(o->cx, &p, "out of memory");
    *items = arr;
    *n = len;
    for (size_t i = 0; i < len; i++) {
        struct json_path ip = {.up = &p, .kind = JSON_PATH_INDEX, .index = i};
        struct json_obj eo = {.cx = o->cx, .path = &ip, .v = v->u.array.values[i]};
        if (!YAJL_IS_OBJECT(eo.v))
            return json_error(o->cx, &ip, "expected an object");
        if (fn(&eo, arr + i * size, ud) < 0)
            return -1;
    }
    return 1;
}

/* ---- duplicate keys ---- */

struct keyidx {
    const char *key;
    size_t idx;
};

static int keyidx_cmp(const void *a, const void *b)
{
    const struct keyidx *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    if (c)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* keys sorted by (key, index); NULL when out of memory. */
static struct keyidx *sorted_keys(const void *base, size_t n, size_t stride, size_t key_off)
{
    struct keyidx *v = malloc(n * sizeof(*v));

    if (!v)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        v[i].key = *(const char *const *)((const char *)base + i * stride + key_off);
        v[i].idx = i;
    }
    qsort(v, n, sizeof(*v), keyidx_cmp);
    return v;
}

#define KEY_AT(base, i, stride, off)                                                               \
    (*(const char *const *)((const char *)(base) + (i) * (stride) + (off)))

long json_first_dup(const void *base, size_t n, size_t stride, size_t key_off)
{
    struct keyidx *v;
    size_t first = n;

    if (n <= JSON_SMALL_OBJ) {
        for (size_t j = 1; j < n; j++)
            for (size_t i = 0; i < j; i++)
                if (strcmp(KEY_AT(base, i, stride, key_off), KEY_AT(base, j, stride, key_off)) == 0)
                    return (long)j;
        return -1;
    }
    v = sorted_keys(base, n, stride, key_off);
    if (!v)
        return -2;
    for (size_t i = 1; i < n; i++)
        if (strcmp(v[i - 1].key, v[i].key) == 0 && (i < 2 || strcmp(v[i - 2].key, v[i].key)))
            first = v[i].idx < first ? v[i].idx : first; /* second of a run */
    free(v);
    return first < n ? (long)first : -1;
}

/* skip[i] is set when key i occurs again later in the object (the last one
 * wins). *skip stays NULL when all keys are unique. Returns the number of
 * entries kept, or -1 when out of memory. */
static long obj_dups(yajl_val obj, bool **skip)
{
    size_t n = obj->u.object.len, kept = n;
    const char **keys = obj->u.object.keys;
    struct keyidx *v;

    *skip = NULL;
    if (n < 2)
        return (long)n;
    if (n <= JSON_SMALL_OBJ) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                if (strcmp(keys[i], keys[j]) == 0) {
                    if (!*skip && !(*skip = calloc(n, sizeof(bool))))
                        return -1;
                    (*skip)[i] = true;
                    kept--;
                    break;
                }
        return (long)kept;
    }
    v = sorted_keys(keys, n, sizeof(*keys), 0);
    if (!v)
        return -1;
    for (size_t i = 0; i + 1 < n; i++) {
        if (strcmp(v[i].key, v[i + 1].key) != 0)
            continue;
        if (!*skip && !(*skip = calloc(n, sizeof(bool)))) {
            free(v);
            return -1;
        }
        (*skip)[v[i].idx] = true; /* not the last of its run */
        kept--;
    }
    free(v);
    return (long)kept;
}

/* The object member key (NULL when absent); an error unless an object. */
static int get_object(const struct json_obj *o, const struct json_path *p, const char *key,
                      yajl_val *out)
{
    *out = json_get(o->v, key);
    if (*out && !YAJL_IS_OBJECT(*out))
        return json_error(o->cx, p, "expected an object");
    return *out ? 1 : 0;
}

int json_get_objmap(const struct json_obj *o, const char *key, size_t size, size_t key_off,
                    void **items, size_t *n, json_elem_fn fn, void *ud)
{
    struct json_path p = JSON_PATH_FIELD_INIT(o->path, key);
    bool *skip = NULL;
    yajl_val v;
    char *arr;
    long kept;
    int r = get_object(o, &p, key, &v);

    *items = NULL;
    *n = 0;
    if (r <= 0)
        return r;
    kept = obj_dups(v, &skip);
    if (kept <= 0)
        return kept < 0 ? json_error(o->cx, &p, "out of memory") : 1;
    arr = calloc((size_t)kept, size);
    if (!arr) {
        free(skip);
        return json_error(o->cx, &p, "out of memory");
    }
    *items = arr;
    *n = (size_t)kept;
    r = 1;
    for (size_t i = 0, k = 0; i < v->u.object.len && r > 0; i++) {
        struct json_path kp = {.up = &p, .kind = JSON_PATH_MAPKEY, .key = v->u.object.keys[i]};
        struct json_obj eo = {.cx = o->cx, .path = &kp, .v = v->u.object.values[i]};
        char *item = arr + k * size;
        if (skip && skip[i])
            continue;
        k++;
        if (!YAJL_IS_OBJECT(eo.v))
            r = json_error(o->cx, &kp, "expected an object");
        else if (!(*(char **)(item + key_off) = strdup(kp.key)))
            r = json_error(o->cx, &kp, "out of memory");
        else if (fn(&eo, item, ud) < 0)
            r = -1;
    }
    free(skip);
    return r;
}

int json_get_map(const struct json_obj *o, const char *key, struct spec_map *out)
{
    struct json_path p = JSON_PATH_FIELD_INIT(o->path, key);
    bool *skip = NULL;
    yajl_val v;
    long kept;
    int r = get_object(o, &p, key, &v);

    if (r <= 0)
        return r;
    kept = obj_dups(v, &skip);
    if (kept <= 0)
        return kept < 0 ? json_error(o->cx, &p, "out of memory") : 1;
    out->items = calloc((size_t)kept, sizeof(*out->items));
    if (!out->items) {
        free(skip);
        return json_error(o->cx, &p, "out of memory");
    }
    out->n = (size_t)kept;
    r = 1;
    for (size_t i = 0, k = 0; i < v->u.object.len && r > 0; i++) {
        struct json_path kp = {.up = &p, .kind = JSON_PATH_MAPKEY, .key = v->u.object.keys[i]};
        struct spec_kv *kv = &out->items[k];
        if (skip && skip[i])
            continue;
        k++;
        if (json_strdup(o->cx, &kp, v->u.object.values[i], &kv->value) < 0)
            r = -1;
        else if (!(kv->key = strdup(kp.key)))
            r = json_error(o->cx, &kp, "out of memory");
    }
    free(skip);
    return r;
}
