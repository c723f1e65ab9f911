/* Internal to the cgroup v1 backend: shared by cgroup_v1.c (directories,
 * freezer, OOM) and cgroup_v1_res.c (resources and statistics). */
#ifndef OCI_CGROUP_V1_H
#define OCI_CGROUP_V1_H

#include "cgroup_backend.h"

/* The container's directory "<mnt><path>" in the hierarchy holding ctrl;
 * false when no v1 hierarchy has that controller. */
bool cg_v1_dir(const struct cgroup *cg, const char *ctrl, char *buf, size_t size);
bool cg_v1_has_controller(struct cgroup *cg, const char *name);

int cg_v1_apply(struct cgroup *cg, const struct spec_resources *res, bool update,
                struct oci_err *err);
int cg_v1_stats(struct cgroup *cg, struct cgroup_stats *st, struct oci_err *err);

/* Read dir/file into buf (NUL-terminated, trailing newline removed).
 * 0, or -1 with errno. */
int cg_v1_read(const char *dir, const char *file, char *buf, size_t size);
/* Write val to dir/file in one write(2). 0, or -errno. */
int cg_v1_write(const char *dir, const char *file, const char *val);

#endif
