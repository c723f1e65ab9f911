#include "config.h"
#include "error.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

static void flatten(char *s)
{
    for (; *s; s++)
        if (*s == '\n' || *s == '\r')
            *s = ' ';
}

int err_setv(struct oci_err *err, int errnum, const char *fmt, va_list ap)
{
    assert(!err->set); /* setting an error twice is a bug */
    size_t n = (size_t)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    if (errnum > 0 && n + 2 < sizeof(err->msg)) {
        /* lower case, as Go's errors read: engines match on these words
         * ("no such file or directory", "permission denied") */
        snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
        err->msg[n + 2] = (char)tolower((unsigned char)err->msg[n + 2]);
    }
    flatten(err->msg);
    err->errnum = errnum;
    err->set = 1;
    return -1;
}

int err_set(struct oci_err *err, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(err, errnum, fmt, ap);
    va_end(ap);
    return -1;
}

int err_wrap(struct oci_err *err, const char *fmt, ...)
{
    char prefix[512], old[sizeof(err->msg)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
    flatten(err->msg);
    err->set = 1;
    return -1;
}

int err_copy(struct oci_err *err, const struct oci_err *from)
{
    assert(!err->set); /* as err_set: an error is set once */
    memcpy(err->msg, from->msg, sizeof(err->msg));
    err->msg[sizeof(err->msg) - 1] = '\0';
    err->errnum = from->errnum;
    err->set = 1;
    return -1;
}

void err_clear(struct oci_err *err)
{
    err->set = 0;
    err->errnum = 0;
    err->msg[0] = '\0';
}
