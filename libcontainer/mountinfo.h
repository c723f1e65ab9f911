/* Queries on the mount table through libmount, loaded on first use (most
 * containers never need it, so the common path does not pay for loading
 * libmount, libblkid and libselinux). */
#ifndef OCI_MOUNTINFO_H
#define OCI_MOUNTINFO_H

#include "error.h"

/* The mount point of the mount that holds path, malloc'd. */
int mountinfo_mountpoint_of(const char *path, char **out, struct oci_err *err);
/* Make the mount holding path private (pivot_root needs a non-shared parent). */
int mountinfo_make_parent_private(const char *path, struct oci_err *err);

#endif
