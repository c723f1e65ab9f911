/* /dev in the container: the default devices and symlinks, and the
 * config's linux.devices (mknod, or a bind of the host's node where mknod is
 * not allowed, as in a user namespace). */
#ifndef OCI_DEVICES_H
#define OCI_DEVICES_H

#include <stdbool.h>

#include "error.h"
#include "specs/spec_config.h"

int devices_setup(int rootfd, const struct spec_config *c, bool userns, bool dev_bound,
                  bool terminal, struct oci_err *err);

#endif
