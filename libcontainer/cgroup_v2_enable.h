/* cgroup2: enabling the controllers a config needs down to the container. */
#ifndef OCI_CGROUP_V2_ENABLE_H
#define OCI_CGROUP_V2_ENABLE_H

#include "cgroups.h"
#include "error.h"

/* Enable in the directories oci-rt created above the container (cg->top
 * down to the container's parent) the controllers res needs, when the
 * first ancestor that is not ours has them in its subtree_control. */
int cg2_enable_controllers(struct cgroup *cg, const struct spec_resources *res,
                           struct oci_err *err);

#endif
