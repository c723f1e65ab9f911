/* What oci-bench's JSON writers (config.json of a bundle, the results
 * file) add to specs/json_gen, the project's one JSON writer: a member
 * whose string may be absent (null), an array of strings, a measured
 * figure (7 significant digits, null when it is not finite), and the
 * document written to its file. */
#ifndef OCI_BENCH_JGEN_H
#define OCI_BENCH_JGEN_H

#include "libcontainer/error.h"
#include "libcontainer/util.h"
#include "specs/json_gen.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

/* k: v, or k: null when v is NULL */
static inline void jkstr(struct json_gen *j, const char *k, const char *v)
{
    json_gen_key(j, k);
    json_gen_str_or_null(j, v);
}

/* k: the strings of the NULL-terminated v (an empty array for NULL) */
static inline void jkstrv(struct json_gen *j, const char *k, const char *const *v)
{
    json_gen_key(j, k);
    json_gen_array_open(j);
    for (; v && *v; v++)
        json_gen_str(j, *v);
    json_gen_array_close(j);
}

/* a finite double with 7 significant digits (yajl_gen_double writes 20),
 * or null */
static inline void jnum(struct json_gen *j, double v)
{
    char buf[32];
    if (!isfinite(v)) {
        json_gen_null(j);
        return;
    }
    snprintf(buf, sizeof(buf), "%.7g", v);
    json_gen_number(j, buf);
}

static inline void jknum(struct json_gen *j, const char *k, double v)
{
    json_gen_key(j, k);
    jnum(j, v);
}

/* The document of j, pretty-printed by json_gen_init(j, "    ", NULL, 0),
 * written to path atomically; the error names what and path. */
static inline int jsave(struct json_gen *j, const char *path, mode_t mode, const char *what,
                        struct oci_err *err)
{
    char *msg = NULL;
    size_t len;
    _cleanup_free_ char *doc = json_gen_finish(j, &len, &msg);
    if (!doc) {
        err_set(err, 0, "%s %s: %s", what, path, msg ? msg : "out of memory");
        free(msg);
        return -1;
    }
    if (write_file_atomic(AT_FDCWD, path, doc, len, mode) < 0)
        return err_set(err, errno, "%s %s", what, path);
    return 0;
}

#endif
