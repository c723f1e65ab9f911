/* linux.netDevices: move host network interfaces into the container's
 * network namespace (renamed as asked), keep their permanent global
 * addresses, and bring them up. Raw rtnetlink, run by the parent. */
#ifndef OCI_NETDEV_H
#define OCI_NETDEV_H

#include <sys/types.h>

#include "error.h"
#include "specs/spec_config.h"

int netdev_move_all(const struct spec_linux *l, pid_t pid, struct oci_err *err);

#endif
