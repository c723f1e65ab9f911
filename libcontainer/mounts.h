/* The config's mounts list: parsed into a plan before anything is created
 * (option names -> flags, relative sources -> bundle), applied by the init
 * inside the rootfs with every destination resolved in the rootfs. */
#ifndef OCI_MOUNTS_H
#define OCI_MOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "cgroups.h"
#include "error.h"
#include "specs/spec_config.h"

struct mount_plan {
    const struct spec_mount *m;
    char *source;        /* resolved: relative bind sources are in the bundle */
    unsigned long flags; /* MS_* to set */
    unsigned long prop;  /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE (| MS_REC) */
    uint64_t attr_set;   /* MOUNT_ATTR_* applied recursively (rro, rnosuid...) */
    uint64_t attr_clr;
    char *data; /* the options that are not flags, comma-joined */
    bool bind;
    bool idmap, recursive_idmap;
    bool src_is_file; /* bind of a file: the destination is a file */
    int tree_fd;      /* idmap: the detached tree the parent made, -1 */
};

/* Parse the mount list; errors name the entry ("mounts[3]: ..."). */
/* Does any mount need an idmapped tree from the parent? */
bool mounts_need_idmap(const struct mount_plan *p, size_t n);
int mounts_plan(const struct spec_config *c, const char *bundle, struct mount_plan **out, size_t *n,
                struct oci_err *err);
void mounts_plan_free(struct mount_plan *p, size_t n);
/* Plan the mounts c gained after mounts_plan (*n of them were planned). */
int mounts_plan_more(const struct spec_config *c, const char *bundle, struct mount_plan **p,
                     size_t *n, struct oci_err *err);

/* The recognized option names (for `features`); returns the count. */
size_t mount_option_names(const char **out, size_t max);
/* One option name -> flags; false when it is not a flag (then it is data). */
bool mount_option_lookup(const char *opt, unsigned long *set, unsigned long *clr,
                         unsigned long *prop, uint64_t *attr_set, uint64_t *attr_clr);

struct mount_env {
    int rootfd;              /* O_PATH fd of the rootfs (bind-mounted on itself) */
    const struct cgroup *cg; /* for type "cgroup" mounts */
    bool cgroupns;           /* the container has its own cgroup namespace */
    bool userns;
    bool netns;
    bool dev_bound; /* set when /dev was bind-mounted from the host */
    bool dev_ro;    /* /dev is to be read-only once devices are made */
};

/* The id of the mount path lies on (statx STATX_MNT_ID). */
int mount_id_of(const char *path, uint64_t *id);
/* Detach the mounts stacked on path until its mount is `before` again (a
 * container without a mount namespace made them in the host's). */
int mount_unstack(const char *path, uint64_t before);

/* Mount every entry in order (in the init, before pivot_root). */
int mounts_apply(struct mount_env *env, struct mount_plan *p, size_t n, struct oci_err *err);

#endif
