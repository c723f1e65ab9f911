/* The container process's own set-up, applying the plans (process_plan.h,
 * process_attrs.h) in the child: shared by the init and by the processes
 * exec joins to a running container. */
#ifndef OCI_PROCESS_SETUP_H
#define OCI_PROCESS_SETUP_H

#include <stdbool.h>
#include <stddef.h>

#include "container_internal.h"
#include "error.h"

/* The pty of process.terminal (terminal.h), its master sent to the console
 * socket or the parent; console: bound on /dev/console too (the init). */
int process_setup_terminal(struct container *c, bool console, struct oci_err *err);
/* rlimits and attributes, cwd, user and capabilities. */
int process_setup_apply(struct container *c, struct oci_err *err);
/* Resolve the binary, umask, no_new_privs, the runtime's fds made
 * close-on-exec: the last steps before the filter and execve. */
int process_setup_final(struct container *c, char *path, size_t len, struct oci_err *err);
/* Load linux.seccomp; a notify listener goes up chan. before_start: the
 * init then still waits for start under the filter (sendmsg, recvmsg,
 * accept4, close), which must allow that: checked first. */
int process_setup_seccomp(struct container *c, int chan, bool before_start, struct oci_err *err);
/* The exec of the container's program through the stub, with the filter
 * loaded right before it (load_seccomp): after the load only the exec (and,
 * with --trace, one sendmsg of the spans) runs, each in a way the filter
 * allows (checked beforehand). Returns only on failure. */
int process_setup_exec(struct container *c, int chan, const char *path, bool load_seccomp,
                       struct oci_err *err);

#endif
