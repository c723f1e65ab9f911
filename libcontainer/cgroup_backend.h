/* Internal: the per-hierarchy-kind operations behind cgroups.c. A hybrid
 * host runs both backends; a unified host only v2; a legacy host only v1. */
#ifndef OCI_CGROUP_BACKEND_H
#define OCI_CGROUP_BACKEND_H

#include "cgroups.h"

struct cgroup_backend {
    const char *name;
    int (*create)(struct cgroup *cg, const struct spec_resources *res, struct oci_err *err);
    int (*enter)(struct cgroup *cg, pid_t pid, struct oci_err *err);
    int (*destroy)(struct cgroup *cg, struct oci_err *err);
    /* Apply the resources whose controllers this backend has (and the
     * "unified" map on v2); the others are left to the other backend. */
    int (*apply)(struct cgroup *cg, const struct spec_resources *res, bool update,
                 struct oci_err *err);
    /* Ahead of apply's device rules (cgroup_preload_devices; res as the
     * config has it, the defaults not yet added); NULL when there is
     * nothing to prepare. */
    void (*preload_devices)(struct cgroup *cg, const struct spec_resources *res);
    bool (*has_controller)(struct cgroup *cg, const char *name);
    /* NULL when the backend has no freezer (v1 without the freezer controller) */
    int (*freeze)(struct cgroup *cg, bool frozen, struct oci_err *err);
    int (*frozen)(struct cgroup *cg);
    /* SIGKILL everything at once (v2 cgroup.kill); NULL: not available */
    int (*kill)(struct cgroup *cg, struct oci_err *err);
    /* pid sits frozen in a freezer cgroup not the container's: bring it
     * back (see cgroup_reclaim); NULL where a frozen task can be killed */
    int (*reclaim)(struct cgroup *cg, pid_t pid);
    /* Add what this backend's hierarchies know to st. */
    int (*stats)(struct cgroup *cg, struct cgroup_stats *st, struct oci_err *err);
    int64_t (*oom_kills)(struct cgroup *cg);
    int (*oom_watch)(struct cgroup *cg, bool *per_event, struct oci_err *err);
};

#endif
