/* The runtime-spec features document (features.md, features-linux.md):
 * what this runtime recognizes and supports, emitted by `oci-rt features`. */
#ifndef OCI_SPECS_FEATURES_H
#define OCI_SPECS_FEATURES_H

#include <stdbool.h>
#include <stddef.h>

#include "specs/spec_config.h"

struct spec_features {
    const char *oci_version_min, *oci_version_max;
    struct spec_strv hooks, mount_options;
    struct {
        struct spec_strv namespaces, capabilities;
        bool cgroup_v1, cgroup_v2, cgroup_systemd, cgroup_systemd_user, cgroup_rdma;
        bool seccomp_enabled;
        struct spec_strv seccomp_actions, seccomp_operators, seccomp_archs, seccomp_known_flags,
            seccomp_supported_flags;
        bool apparmor, selinux;
        bool intel_rdt, intel_rdt_schemata, intel_rdt_monitoring;
        struct spec_strv mempolicy_modes, mempolicy_flags;
        bool idmap_mounts, net_devices;
    } linux_;
    struct spec_map annotations;
    struct spec_strv unsafe_annotations;
};

/* The JSON document, pretty-printed, NUL-terminated (malloc'd); NULL with
 * *errmsg (malloc'd, or NULL when out of memory) when it cannot be made. */
char *spec_features_json(const struct spec_features *f, char **errmsg);

#endif
