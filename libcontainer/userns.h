/* The user namespace's id maps as a config asks for them. */
#ifndef OCI_USERNS_H
#define OCI_USERNS_H

#include <sys/types.h>

#include "error.h"
#include "specs/spec_config.h"

/* A new user namespace without any mapping gets the caller's euid/egid
 * as root (crun's default), in cfg itself. */
void userns_default_maps(struct spec_config *cfg);
/* uid_map/gid_map/setgroups of pid. */
int userns_write_maps(const struct spec_config *cfg, pid_t pid, struct oci_err *err);

#endif
