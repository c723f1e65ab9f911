/* process.terminal: a pseudoterminal from the container's own devpts,
 * made by the init after the pivot. The slave becomes the process's stdio
 * and controlling terminal (and /dev/console); the master goes to the
 * --console-socket (SCM_RIGHTS, as runc and crun send it) or, for a
 * foreground run, to oci-rt, which relays it to its own terminal. */
#ifndef OCI_TERMINAL_H
#define OCI_TERMINAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "specs/spec_config.h"

/* Parent, before the clone: connect to the console socket. */
int terminal_connect(const char *path, struct oci_err *err);
/* Init: make the pty, set it up as the controlling terminal on 0, 1, 2
 * and, with console (the init's, not an exec's: as runc), bind it on
 * /dev/console; returns the master fd. */
int terminal_setup(const struct spec_process *p, uid_t uid, bool console, struct oci_err *err);
/* Send an fd over a unix socket with SCM_RIGHTS (the console socket). */
int terminal_send(int sock, int fd, struct oci_err *err);
/* Foreground run: relay between this process's stdio and master until the
 * container's process (pid) exits; returns its wait status. */
int terminal_relay(int master, pid_t pid, int *status);

#endif
