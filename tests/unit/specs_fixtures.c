/* See specs_fixtures.h. */
#include "specs_fixtures.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static const char *srcdir(void)
{
    const char *s = getenv("srcdir");
    return s && *s ? s : ".";
}

char *fixture(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof(path), "%s/tests/unit/data/%s", srcdir(), name);
    return path;
}

struct spec_config *load(const char *name)
{
    char *err = (char *)"unset";
    struct spec_config *c = spec_config_load(fixture(name), &err);
    ck_assert_msg(c != NULL, "%s: %s", name, err ? err : "(null)");
    ck_assert_ptr_null(err);
    return c;
}

void assert_strv(const struct spec_strv *v, size_t n, ...)
{
    va_list ap;
    ck_assert_uint_eq(v->n, n);
    va_start(ap, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(v->items[i], va_arg(ap, const char *));
    va_end(ap);
}
