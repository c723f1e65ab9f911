/* The container's root: propagation, the rootfs bind, pivot_root (or
 * MS_MOVE + chroot), and what is done inside it after: sysctls, read-only
 * and masked paths, a read-only root. */
#ifndef OCI_ROOTFS_H
#define OCI_ROOTFS_H

#include <stdbool.h>

#include "error.h"
#include "specs/spec_config.h"

/* Make the mount tree private to the container and bind the rootfs on
 * itself; returns an O_PATH fd of the rootfs. */
/* host_ns: the container has no mount namespace of its own; the host's
 * propagation is left alone and the root is changed by chroot. */
int rootfs_prepare(const struct spec_config *c, const char *rootfs, bool host_ns,
                   struct oci_err *err);
int rootfs_pivot(const char *rootfs, bool no_pivot, bool host_ns, struct oci_err *err);
/* After the pivot. */
int rootfs_sysctl(const struct spec_config *c, struct oci_err *err);
int rootfs_finalize(const struct spec_config *c, struct oci_err *err);

#endif
