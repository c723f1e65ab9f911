/* cgroup v1: the statistics of the container's hierarchies. */
#ifndef OCI_CGROUP_V1_STATS_H
#define OCI_CGROUP_V1_STATS_H

#include "cgroups.h"
#include "error.h"

int cg_v1_stats(struct cgroup *cg, struct cgroup_stats *st, struct oci_err *err);

#endif
