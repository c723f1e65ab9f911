/* What the limits of a config ask of the cgroup: the controllers, and the
 * device rules with the defaults every container gets (cgroup_need.c). */
#ifndef OCI_CGROUP_NEED_H
#define OCI_CGROUP_NEED_H

#include <stdbool.h>
#include <stddef.h>

#include "specs/spec_config.h"

/* A controller the limits of a config ask for. */
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
/* The config's device rules followed by the defaults every container gets
 * (malloc'd). */
struct spec_device_cgroup *cg_devices_with_defaults(const struct spec_resources *res, size_t *n);

#endif
