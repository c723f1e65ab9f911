#include "config.h"
#include "dynload.h"
#include "log.h"
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef PKGLIBEXECDIR
#define PKGLIBEXECDIR "/usr/libexec/oci-rt"
#endif

static char **kept_argv;

void oci_dl_keep_argv(char **argv)
{
    kept_argv = argv;
}

int oci_dl_need(const char *what, struct oci_err *err)
{
    if (oci_dl.open)
        return 0;
    if (!kept_argv)
        return err_set(err, 0, "%s needs a shared library, and this oci-rt is static", what);
    /* beside this program (a build tree, or both in one directory), else
     * where make install puts it */
    char self[PATH_MAX], path[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    const char *tried[2] = {NULL, PKGLIBEXECDIR "/oci-rt-dynamic"};
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            snprintf(path, sizeof(path), "%s/oci-rt-dynamic", self);
            tried[0] = path;
        }
    }
    int first = ENOENT;
    for (size_t i = 0; i < ARRAY_SIZE(tried); i++) {
        if (!tried[i])
            continue;
        log_debug("%s: exec %s", what, tried[i]);
        execv(tried[i], kept_argv);
        if (errno != ENOENT && first == ENOENT)
            first = errno;
    }
    return err_set(err, first,
                   "%s needs oci-rt-dynamic (oci-rt linked dynamically) beside %s or in %s", what,
                   n > 0 ? self : "oci-rt", PKGLIBEXECDIR);
}
