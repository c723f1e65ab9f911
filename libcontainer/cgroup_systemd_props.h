/* linux.resources as systemd unit properties (cgroup_systemd_props.c). */
#ifndef OCI_CGROUP_SYSTEMD_PROPS_H
#define OCI_CGROUP_SYSTEMD_PROPS_H

#include <stdbool.h>

#include <systemd/sd-bus.h>

#include "error.h"
#include "specs/spec_config.h"

/* Append the unit properties for res to m, inside an open "a(sv)": what
 * systemd has a property for (memory, CPU weight and quota, cpusets, tasks,
 * IO weight, device access). v2: the cgroup v2 names, else the v1 ones.
 * create: the accounting switches too. */
int cg_sd_append_resources(sd_bus_message *m, const struct spec_resources *res, bool v2,
                           bool create, struct oci_err *err);

#endif
