/* sd_notify relay (NOTIFY_SOCKET), as runc and crun do it: when the caller
 * of create has NOTIFY_SOCKET set, the container gets a socket of the
 * runtime's own (a directory in its state directory, bound read-only on
 * /run/notify, NOTIFY_SOCKET=/run/notify/notify.sock in its environment);
 * start (or run) listens on it and relays what the container sends to the
 * caller's socket until READY=1, adding MAINPID= with the container
 * process's pid as the host sees it. */
#ifndef OCI_NOTIFY_H
#define OCI_NOTIFY_H

#include <sys/types.h>

#include "error.h"
#include "specs/spec_config.h"
#include "state.h"

#define NOTIFY_DIR "notify"
#define NOTIFY_IN_CONTAINER "/run/notify"

/* Parent, before the plans: the container's NOTIFY_SOCKET variable. */
void notify_env(struct spec_config *cfg);
/* Once the state directory exists: the directory the mount binds, and the
 * mount at the end of the config's list. */
int notify_make_dir(struct state_dir *sd, struct spec_config *cfg, struct oci_err *err);
/* start/run, before the program is released: listen on the container's
 * socket (-1 with err; -2: the container has none). */
int notify_listen(struct state_dir *sd, struct oci_err *err);
/* Relay from listen_fd to host_socket until READY=1 or until the process
 * (pidfd) exits. */
int notify_relay(int listen_fd, const char *host_socket, int pidfd, pid_t pid, struct oci_err *err);

#endif
