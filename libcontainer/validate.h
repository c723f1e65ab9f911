/* The validation table: what a config asks that this host and runtime
 * cannot do, refused before anything is created. */
#ifndef OCI_VALIDATE_H
#define OCI_VALIDATE_H

#include "container_internal.h"
#include "error.h"

int validate_container(const struct container *c, struct oci_err *err);

#endif
