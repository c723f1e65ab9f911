/* yajl_gen with its status checked and its nesting kept (see json_gen.h). */
#include "specs/json_gen.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- failures ---- */

static void fail(struct json_gen *j, const char *op, yajl_gen_status st, const char *cause)
{
    if (j->status != yajl_gen_status_ok)
        return;
    j->status = st;
    j->op = op;
    j->cause = cause;
}

static const char *status_text(yajl_gen_status st)
{
    switch (st) {
    case yajl_gen_keys_must_be_strings:
        return "a key must be a string";
    case yajl_max_depth_exceeded:
        return "nested too deep";
    case yajl_gen_in_error_state:
        return "the generator is in its error state";
    case yajl_gen_generation_complete:
        return "the document is already complete";
    case yajl_gen_invalid_number:
        return "not a valid number";
    case yajl_gen_no_buf:
        return "no buffer to take the document from";
    case yajl_gen_invalid_string:
        return "invalid UTF-8";
    default:
        return "unknown yajl_gen status";
    }
}

/* The outcome of one yajl call. */
static bool checked(struct json_gen *j, const char *op, yajl_gen_status st)
{
    if (st == yajl_gen_status_ok)
        return true;
    fail(j, op, st, status_text(st));
    return false;
}

/* ---- nesting ---- */

static bool in_map(const struct json_gen *j)
{
    return j->depth > 0 && ((j->maps >> (j->depth - 1)) & 1);
}

static bool usable(struct json_gen *j, const char *op)
{
    if (j->status != yajl_gen_status_ok)
        return false;
    if (!j->g) {
        fail(j, op, yajl_gen_in_error_state, "the document is finished");
        return false;
    }
    return true;
}

/* May a value (a scalar or an open) come now? */
static bool value_ok(struct json_gen *j, const char *op)
{
    if (!usable(j, op))
        return false;
    if (j->complete) {
        fail(j, op, yajl_gen_generation_complete, "the document is already complete");
        return false;
    }
    if (in_map(j) && j->want_key) {
        fail(j, op, yajl_gen_keys_must_be_strings, "a key is expected here");
        return false;
    }
    return true;
}

/* A value is written: its map wants the next key, or the document is whole. */
static void value_done(struct json_gen *j)
{
    if (j->depth == 0)
        j->complete = true;
    else if (in_map(j))
        j->want_key = true;
}

static void open_container(struct json_gen *j, bool map, const char *op)
{
    if (!value_ok(j, op))
        return;
    if (j->depth >= JSON_GEN_MAX_DEPTH) {
        fail(j, op, yajl_max_depth_exceeded, "nested deeper than JSON_GEN_MAX_DEPTH");
        return;
    }
    if (!checked(j, op, map ? yajl_gen_map_open(j->g) : yajl_gen_array_open(j->g)))
        return;
    if (map)
        j->maps |= UINT64_C(1) << j->depth;
    else
        j->maps &= ~(UINT64_C(1) << j->depth);
    j->depth++;
    j->want_key = map;
}

static void close_container(struct json_gen *j, bool map, const char *op)
{
    if (!usable(j, op))
        return;
    if (j->depth == 0) {
        /* yajl would step its depth below zero here */
        fail(j, op, yajl_gen_generation_complete, map ? "no map is open" : "no array is open");
        return;
    }
    if (in_map(j) != map) {
        fail(j, op, yajl_gen_in_error_state,
             map ? "the open container is an array" : "the open container is a map");
        return;
    }
    if (map && !j->want_key) {
        fail(j, op, yajl_gen_in_error_state, "the last key has no value");
        return;
    }
    if (!checked(j, op, map ? yajl_gen_map_close(j->g) : yajl_gen_array_close(j->g)))
        return;
    j->depth--;
    value_done(j);
}

void json_gen_map_open(struct json_gen *j)
{
    open_container(j, true, "map open");
}

void json_gen_map_close(struct json_gen *j)
{
    close_container(j, true, "map close");
}

void json_gen_array_open(struct json_gen *j)
{
    open_container(j, false, "array open");
}

void json_gen_array_close(struct json_gen *j)
{
    close_container(j, false, "array close");
}

/* ---- strings ---- */

/* The length of the valid UTF-8 sequence at s (RFC 3629), 0 if none. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xbf;
    size_t len;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0)
            lo = 0xa0; /* overlong */
        else if (c == 0xed)
            hi = 0x9f; /* surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0)
            lo = 0x90; /* overlong */
        else if (c == 0xf4)
            hi = 0x8f; /* past U+10FFFF */
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

/* s as a JSON string, each byte of invalid UTF-8 as U+FFFD. */
static bool put_string(struct json_gen *j, const char *op, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, k;

    while (i < n && (k = utf8_seq(u + i, n - i)) > 0)
        i += k;
    if (i == n)
        return checked(j, op, yajl_gen_string(j->g, u, n));
    unsigned char *buf = malloc(n * 3);
    if (!buf) {
        fail(j, op, yajl_gen_no_buf, "out of memory");
        return false;
    }
    memcpy(buf, u, i);
    size_t o = i;
    while (i < n) {
        k = utf8_seq(u + i, n - i);
        if (k) {
            memcpy(buf + o, u + i, k);
            o += k;
            i += k;
        } else {
            memcpy(buf + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        }
    }
    bool ok = checked(j, op, yajl_gen_string(j->g, buf, o));
    free(buf);
    return ok;
}

void json_gen_key(struct json_gen *j, const char *key)
{
    if (!usable(j, "key"))
        return;
    if (!in_map(j)) {
        fail(j, "key", yajl_gen_in_error_state, "a key outside a map");
        return;
    }
    if (!j->want_key) {
        fail(j, "key", yajl_gen_in_error_state, "a key where the last key's value goes");
        return;
    }
    if (!key) {
        fail(j, "key", yajl_gen_invalid_string, "a NULL key");
        return;
    }
    if (put_string(j, "key", key))
        j->want_key = false;
}

void json_gen_str(struct json_gen *j, const char *s)
{
    if (!value_ok(j, "string"))
        return;
    if (!s) {
        fail(j, "string", yajl_gen_invalid_string, "a NULL string");
        return;
    }
    if (put_string(j, "string", s))
        value_done(j);
}

void json_gen_str_or_null(struct json_gen *j, const char *s)
{
    if (s)
        json_gen_str(j, s);
    else
        json_gen_null(j);
}

/* ---- other scalars ---- */

void json_gen_int(struct json_gen *j, int64_t v)
{
    if (value_ok(j, "integer") && checked(j, "integer", yajl_gen_integer(j->g, (long long)v)))
        value_done(j);
}

/* text is a JSON number (RFC 8259 section 6) */
static bool number_text(const char *s)
{
    if (*s == '-')
        s++;
    if (*s == '0')
        s++;
    else if (*s >= '1' && *s <= '9')
        while (*s >= '0' && *s <= '9')
            s++;
    else
        return false;
    if (*s == '.') {
        s++;
        if (*s < '0' || *s > '9')
            return false;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (*s < '0' || *s > '9')
            return false;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0';
}

static void put_number(struct json_gen *j, const char *op, const char *text)
{
    if (!value_ok(j, op))
        return;
    if (!text || !number_text(text)) {
        fail(j, op, yajl_gen_invalid_number, "not a JSON number");
        return;
    }
    if (checked(j, op, yajl_gen_number(j->g, text, strlen(text))))
        value_done(j);
}

void json_gen_uint(struct json_gen *j, uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "%" PRIu64, v);
    put_number(j, "unsigned integer", buf);
}

void json_gen_number(struct json_gen *j, const char *text)
{
    put_number(j, "number", text);
}

void json_gen_fixed(struct json_gen *j, double v, int decimals)
{
    char buf[400]; /* DBL_MAX has 309 digits before the point */
    if (!isfinite(v) || decimals < 0 || decimals > 17) {
        if (usable(j, "fixed-point number"))
            fail(j, "fixed-point number", yajl_gen_invalid_number,
                 isfinite(v) ? "decimals out of 0..17" : "not a finite number");
        return;
    }
    snprintf(buf, sizeof(buf), "%.*f", decimals, v);
    put_number(j, "fixed-point number", buf);
}

void json_gen_bool(struct json_gen *j, bool v)
{
    if (value_ok(j, "bool") && checked(j, "bool", yajl_gen_bool(j->g, v)))
        value_done(j);
}

void json_gen_null(struct json_gen *j)
{
    if (value_ok(j, "null") && checked(j, "null", yajl_gen_null(j->g)))
        value_done(j);
}

void json_gen_kv_str(struct json_gen *j, const char *key, const char *v)
{
    json_gen_key(j, key);
    json_gen_str(j, v);
}

void json_gen_kv_int(struct json_gen *j, const char *key, int64_t v)
{
    json_gen_key(j, key);
    json_gen_int(j, v);
}

void json_gen_kv_uint(struct json_gen *j, const char *key, uint64_t v)
{
    json_gen_key(j, key);
    json_gen_uint(j, v);
}

void json_gen_kv_bool(struct json_gen *j, const char *key, bool v)
{
    json_gen_key(j, key);
    json_gen_bool(j, v);
}

/* ---- start and finish ---- */

static void print_file(void *ctx, const char *s, size_t len)
{
    fwrite(s, 1, len, ctx);
}

void json_gen_init(struct json_gen *j, const char *indent, FILE *out, unsigned flags)
{
    *j = (struct json_gen){.status = yajl_gen_status_ok, .out = out};
    j->newline = (flags & JSON_GEN_NEWLINE) != 0;
    j->g = yajl_gen_alloc(NULL);
    if (!j->g) {
        fail(j, "init", yajl_gen_no_buf, "out of memory");
        return;
    }
    if (indent && (!yajl_gen_config(j->g, yajl_gen_beautify, 1) ||
                   !yajl_gen_config(j->g, yajl_gen_indent_string, indent)))
        fail(j, "init", yajl_gen_in_error_state, "the indent is not white space");
    if (out && !yajl_gen_config(j->g, yajl_gen_print_callback, print_file, out))
        fail(j, "init", yajl_gen_in_error_state, "cannot set the output file");
}

/* Is the document whole, and did nothing fail? */
static bool whole(struct json_gen *j)
{
    if (usable(j, "finish") && !j->complete)
        fail(j, "finish", yajl_gen_in_error_state,
             j->depth ? "a map or array is still open" : "no value was written");
    return j->status == yajl_gen_status_ok;
}

static void report(const struct json_gen *j, char **errmsg)
{
    if (!errmsg)
        return;
    *errmsg = NULL;
    if (j->status != yajl_gen_status_ok &&
        asprintf(errmsg, "JSON output: %s: %s", j->op, j->cause) < 0)
        *errmsg = NULL;
}

char *json_gen_finish(struct json_gen *j, size_t *len, char **errmsg)
{
    const unsigned char *buf;
    size_t n;
    char *doc = NULL;

    if (whole(j) && checked(j, "finish", yajl_gen_get_buf(j->g, &buf, &n))) {
        doc = malloc(n + 2);
        if (!doc) {
            fail(j, "finish", yajl_gen_no_buf, "out of memory");
        } else {
            memcpy(doc, buf, n);
            if (j->newline)
                doc[n++] = '\n';
            doc[n] = '\0';
            if (len)
                *len = n;
        }
    }
    report(j, errmsg);
    json_gen_free(j);
    return doc;
}

int json_gen_finish_file(struct json_gen *j, char **errmsg)
{
    if (whole(j) && !j->out)
        fail(j, "finish", yajl_gen_in_error_state, "the document was made in memory");
    if (j->status == yajl_gen_status_ok && j->newline)
        fputc('\n', j->out);
    if (j->status == yajl_gen_status_ok && ferror(j->out))
        fail(j, "finish", yajl_gen_in_error_state, "the output file reports a write error");
    report(j, errmsg);
    json_gen_free(j);
    return j->status == yajl_gen_status_ok ? 0 : -1;
}

void json_gen_free(struct json_gen *j)
{
    if (j->g)
        yajl_gen_free(j->g);
    j->g = NULL;
}
