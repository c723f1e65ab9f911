/* A container in the foreground (run without --detach, restore). */
#ifndef OCI_FOREGROUND_H
#define OCI_FOREGROUND_H

#include <stdbool.h>
#include <sys/types.h>

#include "container_internal.h"

/* on: every signal a user can send (Ctrl-C, TERM from a supervisor, ...)
 * goes on to pid; SIGCHLD stays ours. Again while on: only the pid
 * changes. off: the defaults back, as the process sees them: those that
 * ignore, stop or continue are put back at once; those that end the
 * process keep the handler (one sigaction each saved), which then puts the
 * default back and raises the signal again, so it ends the process as the
 * default would. off while not on changes nothing. */
void foreground_forward(pid_t pid, bool on);
/* NOTIFY_SOCKET: relay until READY=1 (or the exit). With a terminal being
 * relayed a child does it meanwhile. */
int foreground_notify_relay(struct container *c, int nfd, struct oci_err *err);
/* Wait for the container's process (signals forwarded, terminal relayed),
 * then remove the container and run its poststop hooks; *exit_code as a
 * shell's. */
int foreground_wait_delete(struct container *c, int *exit_code, struct oci_err *err);

#endif
