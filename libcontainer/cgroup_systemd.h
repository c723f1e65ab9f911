/* The systemd cgroup driver (cgroup_systemd.c): the scope's names, and its
 * life over the bus (start, set, stop), in front of the cgroupfs backends
 * when cg->unit is set. */
#ifndef OCI_CGROUP_SYSTEMD_H
#define OCI_CGROUP_SYSTEMD_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroups.h"
#include "error.h"
#include "specs/spec_config.h"

/* linux.cgroupsPath "slice:prefix:name" (runc's format) and crun's
 * annotations run.oci.systemd.subgroup / run.oci.delegate-cgroup checked,
 * and that systemd can be reached, with no side effect. unified: the host
 * is cgroup v2 only. */
int cgroup_systemd_check(const char *cgroups_path, const char *id,
                         const struct spec_map *annotations, bool unified, struct oci_err *err);
/* The names a config gives the container's scope (all malloc'd). */
struct cg_sd_names {
    char *slice;    /* a-b.slice */
    char *unit;     /* prefix-name.scope */
    char *top;      /* the scope's cgroup: /a.slice/a-b.slice/prefix-name.scope */
    char *path;     /* the container's: top, or a sub-cgroup of it */
    char *delegate; /* run.oci.delegate-cgroup, NULL */
};
int cg_sd_names(const char *cgroups_path, const char *id, const struct spec_map *annotations,
                struct cg_sd_names *out, struct oci_err *err);
void cg_sd_names_free(struct cg_sd_names *n);
/* After cgroup_init from a state: the scope is the last part of top. */
void cgroup_reopen_systemd(struct cgroup *cg, const char *delegate);
/* Start the scope with pid in it and res as properties; set new
 * properties (update); stop the scope (systemd removes its cgroup). */
int cg_sd_start(struct cgroup *cg, pid_t pid, const struct spec_resources *res,
                struct oci_err *err);
int cg_sd_set(struct cgroup *cg, const struct spec_resources *res, struct oci_err *err);
int cg_sd_stop(struct cgroup *cg, struct oci_err *err);

#endif
