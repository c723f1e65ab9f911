/* JSON output: the one way oci-rt writes a JSON document (state, list,
 * features, events, ps, the trace formats, log lines, the seccomp listener's
 * message, oci-bench's results and bundles), through yajl_gen with every
 * status checked.
 *
 * yajl escapes the strings and prints the numbers. What yajl 2.1 leaves to
 * its caller is done here: it does not check that a close matches an open,
 * that a key has its value, or that a key is in a map, and a close with
 * nothing open corrupts its depth (the next call reads out of bounds). So
 * this module keeps the nesting itself, lets no misplaced call reach yajl,
 * and keeps the first failure, yajl's or its own. Every call after a failure
 * does nothing, so a writer makes its calls in a row and looks once, at
 * json_gen_finish.
 *
 * Strings are bytes: a byte that does not start a valid UTF-8 sequence
 * (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF) is
 * written as U+FFFD, one per byte, as Go's encoding/json does for runc. The
 * output is always valid JSON that yajl's own parser reads back (a bundle
 * path in Latin-1 must not make state.json unreadable). Control characters
 * are escaped by yajl: \b \f \n \r \t, the others as \u00XX; '/' is not.
 *
 * Errors follow specs/: json_gen_finish returns NULL (json_gen_finish_file
 * -1) and sets *errmsg to one malloc'd line "JSON output: <call>: <cause>",
 * or to NULL when there is no memory even for that.
 *
 * The trace spans libcontainer/trace.c writes at the end of every command
 * do not come here; that writer is allocation-free on purpose (see there). */
#ifndef OCI_SPECS_JSON_GEN_H
#define OCI_SPECS_JSON_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <yajl/yajl_gen.h>

/* Deeper than any document oci-rt writes (yajl's own limit is 128). */
#define JSON_GEN_MAX_DEPTH 64

struct json_gen {
    yajl_gen g;
    /* The first failure: the status yajl returned, or the one it gives for
     * the same misuse (a value after the document, a non-key where a key
     * goes, a close with nothing open: yajl_gen_generation_complete), or
     * yajl_gen_in_error_state for a misuse yajl would let through (a
     * mismatched close, a key outside a map or without its value). */
    yajl_gen_status status;
    const char *op;    /* the failing call: "map close", "key", ... */
    const char *cause; /* why, in words */
    FILE *out;         /* NULL: into yajl's buffer */
    bool newline;      /* the finish adds '\n' after the document */
    bool want_key;     /* in a map, a key comes next */
    bool complete;     /* the top-level value is whole */
    unsigned depth;
    uint64_t maps; /* bit d: the container at depth d + 1 is a map */
};

/* json_gen_init flags */
#define JSON_GEN_NEWLINE 0x1u /* a '\n' after the document (after yajl's own in pretty mode) */

/* Start a document. indent: NULL for compact output, else pretty-printed
 * with it (it must outlive j). out: NULL to build the document in memory
 * (json_gen_finish), else it is written to out as it is made
 * (json_gen_finish_file). No memory is a failure json_gen_finish reports. */
void json_gen_init(struct json_gen *j, const char *indent, FILE *out, unsigned flags);

void json_gen_map_open(struct json_gen *j);
void json_gen_map_close(struct json_gen *j);
void json_gen_array_open(struct json_gen *j);
void json_gen_array_close(struct json_gen *j);
void json_gen_key(struct json_gen *j, const char *key);

void json_gen_str(struct json_gen *j, const char *s); /* NULL is a failure */
void json_gen_str_or_null(struct json_gen *j, const char *s);
void json_gen_int(struct json_gen *j, int64_t v);
void json_gen_uint(struct json_gen *j, uint64_t v);
void json_gen_bool(struct json_gen *j, bool v);
void json_gen_null(struct json_gen *j);
/* A number given as text (a value read from a cgroup file): it must match
 * the JSON number grammar. */
void json_gen_number(struct json_gen *j, const char *text);
/* v with a fixed number of decimals ("%.*f"); NaN and infinities fail. */
void json_gen_fixed(struct json_gen *j, double v, int decimals);

/* A key and its value. */
void json_gen_kv_str(struct json_gen *j, const char *key, const char *v);
void json_gen_kv_int(struct json_gen *j, const char *key, int64_t v);
void json_gen_kv_uint(struct json_gen *j, const char *key, uint64_t v);
void json_gen_kv_bool(struct json_gen *j, const char *key, bool v);

/* The in-memory document, malloc'd and NUL-terminated; *len (if len) is
 * its length without the NUL. NULL when a call failed or the document is
 * not whole (an open map, no value at all). Frees j's generator either way. */
char *json_gen_finish(struct json_gen *j, size_t *len, char **errmsg);
/* The same for a document written to a FILE: 0, or -1 when a call failed,
 * the document is not whole or out reports an error. */
int json_gen_finish_file(struct json_gen *j, char **errmsg);
/* Drop a document without finishing it (a writer's early exit); safe to
 * call again and after a finish. */
void json_gen_free(struct json_gen *j);

#endif
