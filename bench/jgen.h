/* Short forms of the yajl generator calls the JSON writers of oci-bench use
 * (config.json of a bundle, the results file). */
#ifndef OCI_BENCH_JGEN_H
#define OCI_BENCH_JGEN_H

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>

static inline void jstr(yajl_gen g, const char *s)
{
    if (s)
        yajl_gen_string(g, (const unsigned char *)s, strlen(s));
    else
        yajl_gen_null(g);
}

static inline void jkstr(yajl_gen g, const char *k, const char *v)
{
    jstr(g, k);
    jstr(g, v);
}

static inline void jkint(yajl_gen g, const char *k, long long v)
{
    jstr(g, k);
    yajl_gen_integer(g, v);
}

static inline void jkbool(yajl_gen g, const char *k, bool v)
{
    jstr(g, k);
    yajl_gen_bool(g, v);
}

/* a finite double with 7 significant digits (yajl_gen_double writes 20),
 * or null */
static inline void jnum(yajl_gen g, double v)
{
    char buf[32];
    if (!isfinite(v)) {
        yajl_gen_null(g);
        return;
    }
    int n = snprintf(buf, sizeof(buf), "%.7g", v);
    yajl_gen_number(g, buf, (size_t)n);
}

static inline void jknum(yajl_gen g, const char *k, double v)
{
    jstr(g, k);
    jnum(g, v);
}

static inline void jkstrv(yajl_gen g, const char *k, const char *const *v)
{
    jstr(g, k);
    yajl_gen_array_open(g);
    for (; v && *v; v++)
        jstr(g, *v);
    yajl_gen_array_close(g);
}

#endif
