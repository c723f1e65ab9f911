/* The cgroup2 backend (unified hosts, and the v2 half of hybrid hosts):
 * directories, freezer, kill and OOM events. */
#ifndef OCI_CGROUP_V2_H
#define OCI_CGROUP_V2_H

#include "cgroup_backend.h"

extern const struct cgroup_backend cgroup_v2_backend;

/* Write cgroup.kill of the container's cgroup2 directory (the kernel kills
 * its whole tree); -1 with errno (ENOENT: a kernel before 5.14). */
int cg2_kill_write(struct cgroup *cg);

#endif
