/* Control groups: one backend per hierarchy layout behind an ops table.
 *
 *   unified  /sys/fs/cgroup is cgroup2 (every current distribution)
 *   hybrid   v1 controllers under /sys/fs/cgroup/<ctrl> plus a cgroup2 mount
 *            at /sys/fs/cgroup/unified (this machine, many enterprise nodes)
 *   legacy   v1 only
 *   disabled no cgroup at all (--cgroup-manager disabled)
 *
 * Only cgroups oci-rt created are written to or removed. */
#ifndef OCI_CGROUPS_H
#define OCI_CGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "specs/config.h"

enum cg_mode { CG_DISABLED, CG_UNIFIED, CG_HYBRID, CG_LEGACY };
extern const char *const cg_mode_names[];

#define CG_DEFAULT_PARENT "/oci-rt"

struct cg_hier {
    char *mnt;         /* mount point, e.g. /sys/fs/cgroup/memory */
    char *controllers; /* "memory", "cpu,cpuacct", "name=systemd" */
};

struct cgroup {
    enum cg_mode mode;
    char *path;           /* the container's cgroup, "/oci-rt/<id>" */
    char *top;            /* the highest directory this container created: removed up to here */
    char *v2_mnt;         /* cgroup2 mount (unified: /sys/fs/cgroup, hybrid: .../unified) */
    int v2_fd;            /* O_PATH fd of the container's v2 directory, -1 when none */
    struct cg_hier *hier; /* v1 hierarchies */
    size_t n_hier;
};

/* Detect the layout (or take the forced one) and fill hierarchies. */
int cgroup_init(struct cgroup *cg, enum cg_mode mode, const char *path, const char *top,
                struct oci_err *err);
void cgroup_release(struct cgroup *cg);
/* cgroupsPath from the config (may be NULL/empty) -> the path to use. */
char *cgroup_resolve_path(const char *config_path, const char *id);
/* Create every directory; on failure nothing created is left. */
int cgroup_create(struct cgroup *cg, const struct spec_resources *res, struct oci_err *err);
/* Parent side: put pid in the v2 hierarchy when clone3 did not. */
int cgroup_enter(struct cgroup *cg, pid_t pid, bool v2_done, struct oci_err *err);
/* Child side: move the calling (single-threaded) process into the v1
 * hierarchies. Writing "0" to a v1 "tasks" file moves the caller without
 * the global threadgroup lock, whose RCU grace period makes a write of a
 * pid to cgroup.procs cost ~10 ms. */
int cgroup_enter_self(struct cgroup *cg, struct oci_err *err);
/* Remove the directories, waiting briefly for exiting tasks. */
int cgroup_destroy(struct cgroup *cg, struct oci_err *err);
/* The pids in the container's cgroup (malloc'd array). */
int cgroup_pids(struct cgroup *cg, pid_t **pids, size_t *n, struct oci_err *err);

#endif
