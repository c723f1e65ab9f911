/* Small helpers over yajl_tree for the config.json parser.
 *
 * A parse step gets a json_obj: the object node, where it sits in the
 * document (a json_path, a chain of stack-allocated segments, rendered only
 * when an error is reported) and the json_ctx that collects the one error.
 * Every helper returns -1 after recording an error, 0 when an optional member
 * is absent (or null) and 1 when it was found and stored.
 *
 * Duplicate object keys: the last occurrence wins, as with Go's encoding/json
 * (what runc and the tools that write config.json use). */
#ifndef OCI_SPECS_JSON_H
#define OCI_SPECS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

#include "specs/spec_config.h"

enum json_path_kind {
    JSON_PATH_FIELD, /* .key */
    JSON_PATH_INDEX, /* [index] */
    JSON_PATH_MAPKEY /* ["key"] */
};

struct json_path {
    const struct json_path *up; /* NULL at the document root */
    enum json_path_kind kind;
    const char *key;
    size_t index;
};

#define JSON_PATH_FIELD_INIT(parent, k)                                                            \
    {                                                                                              \
        .up = (parent), .kind = JSON_PATH_FIELD, .key = (k), .index = 0                            \
    }

struct json_ctx {
    const char *name; /* "config.json": first part of every message */
    char *err;        /* the first error, malloc'd, one line */
};

struct json_obj {
    struct json_ctx *cx;
    const struct json_path *path; /* where v is; NULL for the document root */
    yajl_val v;                   /* an object node */
};

#define JSON_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Record "<name>: <path>: <cause>" (the first error only). Returns -1. */
int json_error(struct json_ctx *cx, const struct json_path *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* s as a double-quoted, escaped, length-capped string for messages. */
#define JSON_QUOTE_MAX 96
const char *json_quote(char buf[JSON_QUOTE_MAX], const char *s);

/* Check the raw document before yajl sees it: NUL bytes, "\u0000" in
 * strings (yajl_tree would silently truncate the string) and nesting deeper
 * than yajl_tree_free's recursion should see. data[len] must be '\0'.
 * Returns NULL or a cause. */
const char *json_prescan(const char *data, size_t len);

/* The member named key of an object, NULL when absent or null. */
yajl_val json_get(yajl_val obj, const char *key);
/* Tests: called with every key json_get looks up (NULL: nothing). */
extern void (*json_get_hook)(const char *key);

/* Is key a member name of the OCI config schema (json_keys.c)? */
bool json_key_known(const char *key);

/* The document tree in an arena (json_tree.c): prune skips the members
 * whose key json_key_known does not know (but in maps of the user's keys:
 * annotations, sysctl, unified, rdma, netDevices). NULL with a message in
 * errbuf on a parse error. Free with json_arena_free, never
 * yajl_tree_free. */
struct json_arena {
    struct arena_chunk *head;
};
yajl_val json_tree_parse(const char *buf, size_t len, bool prune, struct json_arena *arena,
                         char *errbuf, size_t errlen);
void json_arena_free(struct json_arena *a);

/* Scalars from a value node (not null). */
enum json_type {
    JSON_STR,
    JSON_BOOL,
    JSON_I64,
    JSON_U64,
    JSON_I32,
    JSON_U32,
    JSON_U16,
    JSON_STRV, /* struct spec_strv */
    JSON_ENUM, /* a string out of field->names */
    JSON_ENUMV /* struct spec_strv whose items are out of field->names */
};

int json_int(struct json_ctx *cx, const struct json_path *p, yajl_val v, enum json_type t,
             void *out);
int json_strdup(struct json_ctx *cx, const struct json_path *p, yajl_val v, char **out);
/* A string out of a NULL-terminated table; "unknown <what> \"<value>\"". */
int json_enum(struct json_ctx *cx, const struct json_path *p, yajl_val v, const char *const *names,
              const char *what, char **out);
int json_strv(struct json_ctx *cx, const struct json_path *p, yajl_val v, const char *const *names,
              const char *what, struct spec_strv *out);

/* Table-driven members of a struct. */
#define JSON_REQ 0x1u
#define JSON_NO_HAS ((size_t)-1)

struct json_field {
    const char *key;
    enum json_type type;
    unsigned flags;
    size_t off;               /* the member */
    size_t has_off;           /* a bool set when present, or JSON_NO_HAS */
    const char *const *names; /* JSON_ENUM, JSON_ENUMV */
    const char *what;         /* what the names are, for errors */
};

#define JSON_F(k, t, st, m)                                                                        \
    {                                                                                              \
        (k), (t), 0, offsetof(st, m), JSON_NO_HAS, NULL, NULL                                      \
    }
#define JSON_FR(k, t, st, m)                                                                       \
    {                                                                                              \
        (k), (t), JSON_REQ, offsetof(st, m), JSON_NO_HAS, NULL, NULL                               \
    }
#define JSON_FH(k, t, st, m, has)                                                                  \
    {                                                                                              \
        (k), (t), 0, offsetof(st, m), offsetof(st, has), NULL, NULL                                \
    }
#define JSON_FE(k, t, fl, st, m, names, what)                                                      \
    {                                                                                              \
        (k), (t), (fl), offsetof(st, m), JSON_NO_HAS, (names), (what)                              \
    }

/* Fill the members of base described by fields from o. Returns 0 or -1. */
int json_fields(const struct json_obj *o, const struct json_field *fields, size_t n, void *base);

/* One member looked up, checked and stored; same returns as above. */
int json_field(const struct json_obj *o, const struct json_field *f, void *base);

/* An object member; *sub describes it (sub_path is storage for its path). */
int json_get_obj(const struct json_obj *o, const char *key, bool required,
                 struct json_path *sub_path, struct json_obj *sub);

/* An array of objects: allocates *items (n zeroed elements of size bytes,
 * stored even on error so the caller can free them) and calls fn on each. */
typedef int (*json_elem_fn)(const struct json_obj *elem, void *item, void *ud);
int json_get_objarray(const struct json_obj *o, const char *key, size_t size, void **items,
                      size_t *n, json_elem_fn fn, void *ud);

/* An object of objects ("netDevices", "rdma"): like json_get_objarray, and
 * key_off is the offset of the char * member that receives the key. */
int json_get_objmap(const struct json_obj *o, const char *key, size_t size, size_t key_off,
                    void **items, size_t *n, json_elem_fn fn, void *ud);

/* An object of strings, in document order (a repeated key keeps its last
 * value, at the place of its last occurrence). */
int json_get_map(const struct json_obj *o, const char *key, struct spec_map *out);

/* The index of the first entry whose key equals an earlier one, -1 when
 * none, -2 when out of memory. keys[i] is at base + i * stride + key_off. */
long json_first_dup(const void *base, size_t n, size_t stride, size_t key_off);

/* ---- parser internals shared by specs/config_*.c ---- */

int spec_parse_linux(const struct json_obj *o, struct spec_linux *l);
int spec_parse_resources(const struct json_obj *o, struct spec_resources *r);
int spec_parse_idmaps(const struct json_obj *o, const char *key, struct spec_idmaps *out);

#endif
