/* Linked into the static oci-rt only: no shared library is ever loaded
 * into it (dynload.h). */
#include "config.h"
#include "libcontainer/dynload.h"

const struct oci_dl oci_dl = {0};
