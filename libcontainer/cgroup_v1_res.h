/* cgroup v1: linux.resources as the controllers' files. */
#ifndef OCI_CGROUP_V1_RES_H
#define OCI_CGROUP_V1_RES_H

#include <stdbool.h>

#include "cgroups.h"
#include "error.h"

int cg_v1_apply(struct cgroup *cg, const struct spec_resources *res, bool update,
                struct oci_err *err);

#endif
