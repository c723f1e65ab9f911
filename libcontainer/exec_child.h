/* exec: the process joining a running container (child side). */
#ifndef OCI_EXEC_CHILD_H
#define OCI_EXEC_CHILD_H

#include "container_internal.h"

_Noreturn void exec_main(struct container *c);

#endif
