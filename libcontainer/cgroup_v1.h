/* The cgroup v1 backend (legacy hosts, and the v1 half of hybrid hosts):
 * directories, joining, the freezer and OOM events. */
#ifndef OCI_CGROUP_V1_H
#define OCI_CGROUP_V1_H

#include "cgroup_backend.h"

extern const struct cgroup_backend cgroup_v1_backend;

#endif
