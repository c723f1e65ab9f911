/* Making the container's processes: clone3 with the namespaces and the
 * cgroup (CLONE_INTO_CGROUP), or a stage process that joins and unshares
 * and forks the init; and the parent's side right after. */
#ifndef OCI_PROCESS_H
#define OCI_PROCESS_H

#include <stdint.h>
#include <sys/types.h>

#include "container_internal.h"

/* clone3 wrapper; returns 0 in the child, the pid in the parent. */
pid_t process_clone3(uint64_t flags, int cgroup_fd, int *pidfd);
/* Clone the init (or the stage); the child runs init_main/stage_main. */
int clone_start(struct container *c, struct oci_err *err);
/* Parent, right after the clone: maps, cgroup membership, GO. */
int clone_after(struct container *c, struct oci_err *err);
/* Staged: the stage reported the init's pid. */
int clone_adopt_init(struct container *c, pid_t pid, struct oci_err *err);
/* ", exit status N" / ", killed by signal N" for an init that died. */
const char *clone_exit_reason(struct container *c);
/* SIGKILL the init and wait until it is gone. */
void clone_kill_wait(struct container *c);
/* Wait for a pidfd to become readable (the process exited). */
int clone_wait_pidfd(int pidfd, int timeout_ms);

#endif
