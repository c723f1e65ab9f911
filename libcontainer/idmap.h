/* Idmapped bind mounts (mount options "idmap"/"ridmap", or a mount's own
 * uidMappings/gidMappings): made by the parent, which holds CAP_SYS_ADMIN
 * over the source's filesystem, as a detached tree (open_tree +
 * mount_setattr MOUNT_ATTR_IDMAP) that the init attaches in the rootfs. */
#ifndef OCI_IDMAP_H
#define OCI_IDMAP_H

#include <sys/types.h>

#include "error.h"
#include "mounts.h"

/* Writes /proc/PID/FILE (uid_map or gid_map) from m, through the
 * runtime's procfs handle. */
int idmap_write(pid_t pid, const char *file, const struct spec_idmaps *m, struct oci_err *err);
/* A user namespace fd with these maps (a short-lived process holds it). */
int idmap_userns_fd(const struct spec_idmaps *uids, const struct spec_idmaps *gids,
                    struct oci_err *err);
/* The detached, idmapped tree of one mount; userns_fd: the container's
 * user namespace unless the mount has maps of its own. */
int idmap_make_tree(const struct mount_plan *p, int container_userns_fd, struct oci_err *err);

#endif
