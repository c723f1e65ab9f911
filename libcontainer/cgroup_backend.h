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

extern const struct cgroup_backend cgroup_v1_backend;
extern const struct cgroup_backend cgroup_v2_backend;

/* mkdir each component of path below mnt; dirs newly made are reported
 * through made_top (the shallowest one), so the caller can undo. For the
 * cpuset controller new directories get the parent's cpus and mems. */
int cg_mkdir_path(const char *mnt, const char *path, bool cpuset, struct oci_err *err);
/* rmdir mnt/path and its ancestors up to mnt/top; tolerant of ENOENT. */
int cg_rmdir_path(const char *mnt, const char *path, const char *top, struct oci_err *err);
int cg_write_pid(const char *dir, pid_t pid, struct oci_err *err);
/* The config's device rules followed by the defaults every container gets
 * (malloc'd). */
struct spec_device_cgroup *cg_devices_with_defaults(const struct spec_resources *res, size_t *n);

/* The systemd layer (cgroup_systemd.c), in front of the backends when
 * cg->unit is set: start the scope with pid in it and res as properties;
 * set new properties (update); stop the scope (systemd removes its cgroup). */
int cg_sd_start(struct cgroup *cg, pid_t pid, const struct spec_resources *res,
                struct oci_err *err);
int cg_sd_set(struct cgroup *cg, const struct spec_resources *res, struct oci_err *err);
int cg_sd_stop(struct cgroup *cg, struct oci_err *err);

/* A controller the limits of a config ask for (cgroup_need.c). */
struct cg_need {
    bool asked;
    const char *field; /* under linux.resources */
    const char *v1;    /* the v1 controller */
    const char *v2;    /* the cgroup2 controller, NULL: none */
};
/* The controllers r asks for (at most max, in a fixed order). */
size_t cg_needs(const struct spec_resources *r, struct cg_need *out, size_t max);
/* Does a key of r's "unified" map belong to this cgroup2 controller? */
bool cg_unified_needs(const struct spec_resources *r, const char *v2_controller);

#endif
