/* One error type for the whole library.
 *
 * A function that can fail takes `struct oci_err *err` last and returns < 0;
 * err_set() fills the error and returns -1 so failing is one line:
 *     return err_set(err, errno, "open %s", path);
 * err_wrap() prefixes context: "mount /proc: permission denied". */
#ifndef OCI_ERROR_H
#define OCI_ERROR_H

#include <stdarg.h>

struct oci_err {
    int errnum;     /* errno of the cause, 0 when none */
    char msg[1024]; /* one line, never contains a newline */
    int set;
};

int err_set(struct oci_err *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int err_setv(struct oci_err *err, int errnum, const char *fmt, va_list ap);
/* Prefix "<context>: " to an error already set. Returns -1. */
int err_wrap(struct oci_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_clear(struct oci_err *err);

#endif
