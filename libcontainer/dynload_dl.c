/* The dynamic program's loader (see dynload.h): alone in its file, so that
 * the static program, which defines its own empty oci_dl, does not link
 * dlopen. */
#include "config.h"
#include "dynload.h"

#include <dlfcn.h>

const struct oci_dl oci_dl = {dlopen, dlsym, dlerror, dlclose};
