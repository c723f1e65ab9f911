/* An invocation of a runtime named from its command line (ktrace_inv.c). */
#ifndef OCI_KTRACE_INV_H
#define OCI_KTRACE_INV_H

#include <stddef.h>

#include "ktrace_model.h"

/* Fill op, id, state and exe of inv from a program's argv (NUL-separated,
 * len bytes) started in cwd (ktrace_inv.c). */
void kt_inv_parse(struct kt_invocation *inv, const char *argv, size_t len, const char *cwd);

#endif
