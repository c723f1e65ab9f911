/* Bringing a container up to "created" (create, run, restore; exec uses
 * the channels, the seccomp steps and spawn_free). */
#ifndef OCI_SPAWN_H
#define OCI_SPAWN_H

#include <stdbool.h>

#include "container_internal.h"
#include "error.h"

/* Load + validate the config and make every plan: no side effect yet. */
int spawn_prepare(struct container *c, const struct container_opts *o, struct oci_err *err);
/* State dir, cgroup, clone, set-up up to the init waiting for start, then
 * the record. On failure the caller undoes it with spawn_abort. */
int spawn_init(struct container *c, struct oci_err *err);
/* The container's cgroup (made, or with systemd prepared), after the first
 * record (restore shares it). */
int spawn_cgroup(struct container *c, struct oci_err *err);
/* The connected --console-socket (if any) and the sync socketpair. */
int spawn_channels(struct container *c, struct oci_err *err);
/* Compile linux.seccomp through the cache under the state root. */
int spawn_seccomp_plan(struct container *c, const char *root, struct oci_err *err);
/* The seccomp listener from the child: to linux.seccomp.listenerPath with
 * the container process state. Closes fd. */
int spawn_seccomp_notify(struct container *c, int fd, struct oci_err *err);
/* Send a pidfd over the unix socket at path (--pidfd-socket); nothing when
 * path is NULL. */
int spawn_send_pidfd(const char *socket_path, int pidfd, struct oci_err *err);
/* Remove what was made: the init killed (unless reaped), what is left in
 * the cgroup, the cgroup, the mounts left on the host, the state
 * directory; then, if poststop, the poststop hooks. The first failure is
 * err, the rest is still undone. Used by a failed create and by a
 * foreground run's end alike. */
int spawn_undo(struct container *c, bool poststop, struct oci_err *err);
/* spawn_undo of a failed create (poststop hooks when a hook failed). */
void spawn_abort(struct container *c);
/* Close the fds and free the plans: the struct, not the container. */
void spawn_free(struct container *c);

#endif
