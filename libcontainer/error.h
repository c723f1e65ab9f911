/* One error type for the whole library.
 *
 * A function that can fail takes `struct oci_err *err` last and returns < 0;
 * err_set() fills the error and returns -1 so failing is one line:
 *     return err_set(err, errno, "open %s", path);
 * err_wrap() prefixes context: "mount /proc: permission denied".
 *
 * Out of memory is not an error in libcontainer/: it aborts. The
 * allocators of util.h (xmalloc, xzalloc, xrealloc, xstrdup, xstrndup,
 * xasprintf) call abort(), and so does a NULL for "out of memory" from a
 * specs/ writer (hooks_state_json). Error paths allocate too (messages,
 * paths), so an error return could not promise the undo of a half-made
 * container anyway. Two places report it instead: a process about to exec
 * (the init's last step, a hook, an exec'd command: exec_stub.c, hooks.c)
 * allocates with calloc and fails through its exec error path (ENOMEM,
 * exit 127), so that its parent gets a message; and the seccomp agent's
 * state (seccomp_process_state_json) is NULL, which create reports as
 * ENOMEM. specs/ has the opposite rule (specs/config.h). */
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
/* Move an error made in a scratch struct oci_err (one that may be
 * ignored) into err, which must not be set yet: its message and its errno,
 * so that callers still see the cause (ENOENT, EPERM, ...). Add context
 * with err_wrap afterwards. Returns -1. */
int err_copy(struct oci_err *err, const struct oci_err *from);
void err_clear(struct oci_err *err);

#endif
