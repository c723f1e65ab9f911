/* Linux namespaces: the table of types, clone flags for new ones, and
 * joining the ones a config names by path. */
#ifndef OCI_NAMESPACES_H
#define OCI_NAMESPACES_H

#include <stdbool.h>
#include <sched.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "specs/spec_config.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct ns_info {
    uint64_t flag;
    const char *proc_name; /* /proc/PID/ns/<proc_name> */
};
extern const struct ns_info ns_table[SPEC_NS_TYPES];

/* Clone flags of the namespaces the config creates (no path). */
uint64_t ns_new_flags(const struct spec_config *c);
/* Is there a namespace with a path (to join)? of a type? */
bool ns_has_path(const struct spec_config *c, enum spec_ns_type t);
bool ns_any_path(const struct spec_config *c);
/* Does the config join, by path, a namespace of type t that is the calling
 * process's own (same inode as /proc/self/ns/...)?  false when the path
 * cannot be stat'ed: joining it reports that. */
bool ns_path_is_own(const struct spec_config *c, enum spec_ns_type t);

/* Open every namespace path of the config (before any setns changes the
 * view), then setns them: user first, mount last. fds are closed after. */
int ns_join_all(const struct spec_config *c, bool include_user, struct oci_err *err);

/* clone3 with flags (namespaces), into the v2 cgroup cgroup_fd (>= 0) and
 * a pidfd (non-NULL); returns 0 in the child, the pid in the parent.
 * Where clone3 is missing or denied (old kernels, valgrind, seccomp
 * sandboxes) clone(2) from then on: without a cgroup fd (EOPNOTSUPP: the
 * caller moves the child) and without CLONE_NEWTIME (ENOSYS). */
pid_t ns_clone3(uint64_t flags, int cgroup_fd, int *pidfd);

#endif
