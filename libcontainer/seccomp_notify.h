/* The seccomp notify listener handed to linux.seccomp.listenerPath
 * (seccomp_notify.c). */
#ifndef OCI_SECCOMP_NOTIFY_H
#define OCI_SECCOMP_NOTIFY_H

#include "error.h"
#include "specs/state.h"

/* Parent side. The container process state of runtime-spec (config-linux.md
 * "The Container Process State"): ociVersion, fds ["seccompFd"], pid,
 * metadata (omitted when NULL), state {ociVersion, id, status, pid, bundle,
 * annotations}. malloc'd, NUL-terminated; NULL on allocation failure. */
char *seccomp_process_state_json(const struct spec_state *st, int pid, const char *metadata);

/* Connect to the AF_UNIX stream socket at listener_path, send state_json
 * with listener_fd (SCM_RIGHTS) in the first sendmsg, close the connection.
 * The caller keeps (and then closes) listener_fd. */
int seccomp_notify_send(const char *listener_path, int listener_fd, const char *state_json,
                        struct oci_err *err);

#endif
