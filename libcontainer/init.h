/* The container's init and stage processes (the child side of create). */
#ifndef OCI_INIT_H
#define OCI_INIT_H

#include "container_internal.h"
#include "error.h"

/* Never return: the init exec's the user's program or exits. */
_Noreturn void init_main(struct container *c);
/* The stage (joins and unshares namespaces, then forks the init). */
_Noreturn void stage_main(struct container *c);
/* Wait for the parent's GO once (child side). */
int init_wait_go(struct container *c, struct oci_err *err);

#endif
